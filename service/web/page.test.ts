import { describe, expect, it } from "vitest";
import { defaultBranding } from "../branding/branding.js";
import { escapeHtml } from "./html.js";
import { contentSecurityPolicy, renderPage } from "./page.js";

const hostile = {
  displayName: `</title><script>alert("x")</script>`,
  primaryColor: "#112233",
  logoURL: `https://example.com/a.png?x="onerror="alert(1)`,
  welcomeMessage: `<img src=x onerror=alert(1)> & 'quotes'`,
};

describe("renderPage", () => {
  const html = renderPage({
    branding: hostile,
    nonce: "n0nce",
    calculator: true,
    users: true,
    counter: true,
  });

  it("escapes every branding value", () => {
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain(escapeHtml(hostile.displayName));
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39;");
    expect(html).toContain('src="https://example.com/a.png?x=&quot;onerror=&quot;alert(1)"');
  });

  it("puts the colour into the nonce'd style and loads only its own script", () => {
    expect(html).toContain('<style nonce="n0nce">:root { --primary: #112233; }</style>');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script src="/static/app.js" defer></script>');
  });

  it("offers the calculator forms, including add with inputs a and b", () => {
    expect(html).toContain('id="form-add"');
    expect(html).toContain('data-post="/api/calc/add"');
    expect(html).toMatch(/<input name="a"/);
    expect(html).toContain('data-get="/getCounter"');
    expect(html).toContain('data-get="/api/users?from={from}&amp;to={to}"');
  });

  it("leaves out forms of APIs the tenant does not run, and the logo when none is set", () => {
    const bare = renderPage({
      branding: defaultBranding("acme"),
      nonce: "n",
      calculator: false,
      users: false,
      counter: false,
    });
    expect(bare).not.toContain("form-add");
    expect(bare).not.toContain("<img");
    expect(bare).toContain("No APIs are enabled");
  });
});

describe("renderPage with authentication on", () => {
  it("offers a token field (a password input the forms send) only when the APIs need one", () => {
    const options = {
      branding: defaultBranding("acme"),
      nonce: "n",
      calculator: true,
      users: false,
      counter: false,
    };
    const open = renderPage(options);
    const closed = renderPage({ ...options, tokenRequired: true });
    expect(open).not.toContain('id="token"');
    expect(closed).toMatch(/<input id="token" type="password" autocomplete="off"/);
  });
});

describe("contentSecurityPolicy", () => {
  it("allows own scripts and the nonce'd style only", () => {
    const csp = contentSecurityPolicy("abc");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'nonce-abc'");
    expect(csp).not.toContain("unsafe");
  });
});
