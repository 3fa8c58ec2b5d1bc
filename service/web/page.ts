/**
 * The landing page, rendered from the current branding: a pure function of its inputs. Every
 * branding value is escaped; the colour (validated #rrggbb) goes into a nonce'd <style>, the
 * script is /static/app.js, so the CSP needs no 'unsafe-inline'.
 */
import type { Branding } from "../branding/branding.js";
import { escapeHtml } from "./html.js";

export interface PageOptions {
  branding: Branding;
  /** Fresh per response; allows exactly this page's <style>. */
  nonce: string;
  /** Which API groups to offer forms for. */
  calculator: boolean;
  users: boolean;
  counter: boolean;
  /** The APIs need a bearer token: show a token field the forms send as Authorization. */
  tokenRequired?: boolean;
}

/** Kept in the page only (never stored): the forms send it as "Authorization: Bearer <token>". */
const TOKEN_FIELD = `<p id="auth"><label>Bearer token (this tenant's APIs require one) <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="eyJ..."></label></p>`;

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' https:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

interface Field {
  name: string;
  label: string;
  value: string;
}

interface FormSpec {
  id: string;
  title: string;
  /** POST JSON to this path... */
  post?: string;
  /** ...or GET this path template ({field} replaced by the URL-encoded value). */
  get?: string;
  /** The response field to show. */
  result: string;
  fields: Field[];
}

const f = (name: string, value: string, label = name): Field => ({ name, label, value });

const CALCULATOR_FORMS: FormSpec[] = [
  {
    id: "add",
    title: "Add (calc.Calc/Add)",
    post: "/api/calc/add",
    result: "sum",
    fields: [f("a", "2"), f("b", "3")],
  },
  {
    id: "max",
    title: "Max (calc.Calc/Max)",
    post: "/api/calc/max",
    result: "max",
    fields: [f("a", "7"), f("b", "42")],
  },
  {
    id: "nth-primes",
    title: "N-th primes (calc.Calc/NthPrimes)",
    post: "/api/calc/nth-primes",
    result: "nthPrimes",
    fields: [f("n", "1, 12, 10001", "n (comma-separated, 1..10001)")],
  },
  {
    id: "summation",
    title: "Summation (MathHelper/Summation)",
    post: "/api/math/summation",
    result: "result",
    fields: [f("first", "1"), f("last", "10")],
  },
  {
    id: "factorial-int64",
    title: "Factorial, int64 (MathHelper/Factorial)",
    post: "/api/math/factorial",
    result: "result",
    fields: [f("base", "20", "base (0..20)")],
  },
  {
    id: "fibonacci",
    title: "Fibonacci",
    get: "/fibonacci/{n}/",
    result: "response",
    fields: [f("n", "90", "n (0..400)")],
  },
  {
    id: "factorial",
    title: "Factorial, exact",
    get: "/factorial/{n}/",
    result: "response",
    fields: [f("n", "25", "n (0..400)")],
  },
  {
    id: "ackermann",
    title: "Ackermann",
    get: "/ackermann/{m}/{n}/",
    result: "response",
    fields: [f("m", "3", "m (0..3)"), f("n", "4", "n (0..4)")],
  },
];

const USERS_FORMS: FormSpec[] = [
  {
    id: "users-name",
    title: "Users by name (user.UserService/SearchName)",
    get: "/api/users?name={name}",
    result: "users",
    fields: [f("name", "", "name contains")],
  },
  {
    id: "users-age",
    title: "Users by age (user.UserService/SearchAge)",
    get: "/api/users?from={from}&to={to}",
    result: "users",
    fields: [f("from", "21"), f("to", "30")],
  },
];

const COUNTER_FORMS: FormSpec[] = [
  { id: "counter", title: "Counter (/getCounter)", get: "/getCounter", result: "", fields: [] },
];

function renderForm(form: FormSpec): string {
  const attrs = [
    `id="form-${escapeHtml(form.id)}"`,
    `class="api"`,
    form.post ? `data-post="${escapeHtml(form.post)}"` : `data-get="${escapeHtml(form.get ?? "")}"`,
    `data-result="${escapeHtml(form.result)}"`,
  ].join(" ");
  const fields = form.fields
    .map(
      (field) =>
        `<label>${escapeHtml(field.label)} <input name="${escapeHtml(field.name)}" value="${escapeHtml(field.value)}" autocomplete="off"></label>`,
    )
    .join("\n        ");
  return `<form ${attrs}>
      <h3>${escapeHtml(form.title)}</h3>
      <div class="fields">
        ${fields}
        <button type="submit">Run</button>
      </div>
      <output id="result-${escapeHtml(form.id)}" aria-live="polite"></output>
    </form>`;
}

export function renderPage(options: PageOptions): string {
  const { branding, nonce } = options;
  const name = escapeHtml(branding.displayName);
  const logo = branding.logoURL
    ? `<img class="logo" src="${escapeHtml(branding.logoURL)}" alt="" referrerpolicy="no-referrer">`
    : "";
  const forms = [
    ...(options.calculator ? CALCULATOR_FORMS : []),
    ...(options.users ? USERS_FORMS : []),
    ...(options.counter ? COUNTER_FORMS : []),
  ];
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${name}</title>
  <link rel="stylesheet" href="/static/style.css">
  <style nonce="${escapeHtml(nonce)}">:root { --primary: ${branding.primaryColor}; }</style>
  <script src="/static/app.js" defer></script>
</head>
<body>
  <header id="brand">
    ${logo}
    <h1 id="display-name">${name}</h1>
  </header>
  <main>
    <p id="welcome">${escapeHtml(branding.welcomeMessage)}</p>
    ${options.tokenRequired ? TOKEN_FIELD : ""}
    <section id="apis">
    ${forms.map(renderForm).join("\n    ") || "<p>No APIs are enabled for this tenant.</p>"}
    </section>
  </main>
</body>
</html>
`;
}
