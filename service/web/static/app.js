// Landing page behaviour: every <form class="api"> calls the service's HTTP/JSON routes and
// shows the answer (or the error) in its <output>. Text only (textContent), never HTML.
// When the tenant requires a token, the page has a #token field: sent as a Bearer token.
"use strict";

function authHeaders() {
  const token = document.getElementById("token")?.value.trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function call(form) {
  const values = Object.fromEntries(new FormData(form).entries());
  let response;
  if (form.dataset.post) {
    response = await fetch(form.dataset.post, {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders() },
      body: JSON.stringify(values),
    });
  } else {
    const path = form.dataset.get.replace(/\{(\w+)\}/g, (_, name) =>
      encodeURIComponent(String(values[name] ?? "").trim()),
    );
    response = await fetch(path, { headers: authHeaders() });
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const message = body && typeof body === "object" && body.error ? body.error : text;
    throw new Error(message || `HTTP ${response.status}`);
  }
  const key = form.dataset.result;
  const value = key && body && typeof body === "object" ? body[key] : body;
  if (!Array.isArray(value)) return String(value);
  if (value.length > 0 && typeof value[0] === "object") return value.map(describeUser).join("\n");
  return value.length === 0 ? "(none)" : value.join(", ");
}

function describeUser(user) {
  const name = user.name ? `${user.name.first} ${user.name.last}` : "?";
  return `${name} <${user.email}> (${user.age} years old)`;
}

for (const form of document.querySelectorAll("form.api")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const output = form.querySelector("output");
    output.classList.remove("error");
    output.textContent = "…";
    call(form).then(
      (text) => {
        output.textContent = text;
      },
      (error) => {
        output.classList.add("error");
        output.textContent = error.message;
      },
    );
  });
}
