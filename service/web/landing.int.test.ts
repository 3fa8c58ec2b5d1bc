/**
 * End to end: the landing page in headless Chromium (Debian's, driven by playwright-core),
 * against the real server with a ConfigMap-style BRANDING_DIR.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeConfigMapDir } from "../branding/testing/configmap-dir.js";
import { type TestApp, startTestApp } from "../server/testing/harness.js";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs in the browser (the tsconfig has no DOM lib, so the global is reached explicitly). */
function backgroundOf(element: unknown): string {
  const view = globalThis as unknown as {
    getComputedStyle(e: unknown): { backgroundColor: string };
  };
  return view.getComputedStyle(element).backgroundColor;
}

let t: TestApp;
let browser: Browser;
let root: string;
let brandingDir: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "landing-"));
  brandingDir = join(root, "branding");
  writeConfigMapDir(brandingDir, {
    displayName: "Acme <Rockets> & Co",
    primaryColor: "#c0ffee",
    welcomeMessage: "<img src=x onerror=alert(1)>Welcome, rocketeers.",
  });
  t = await startTestApp({
    BRANDING_DIR: brandingDir,
    BRANDING_POLL_MS: "100",
    SERVICES: "calculator",
  });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("landing page in Chromium", () => {
  it("shows the tenant's name and colour, and the calculator adds 2 + 3 = 5", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      // The failed fetch of the invalid Fibonacci input is expected; nothing else may fail.
      if (m.type() === "error" && !m.text().includes("status of 400")) problems.push(m.text());
    });
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${t.httpBase}/`);

    expect(await page.title()).toBe("Acme <Rockets> & Co");
    expect(await page.locator("#display-name").textContent()).toBe("Acme <Rockets> & Co");
    const background = await page.locator("#brand").evaluate(backgroundOf);
    expect(background).toBe("rgb(192, 255, 238)");
    expect(await page.locator("#welcome").textContent()).toBe(
      "<img src=x onerror=alert(1)>Welcome, rocketeers.",
    );
    expect(await page.locator("#welcome img").count()).toBe(0);

    const add = page.locator("#form-add");
    await add.locator('input[name="a"]').fill("2");
    await add.locator('input[name="b"]').fill("3");
    await add.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator("#result-add").textContent()).toBe("5");

    const fib = page.locator("#form-fibonacci");
    await fib.locator('input[name="n"]').fill("401");
    await fib.locator('button[type="submit"]').click();
    await expect
      .poll(() => page.locator("#result-fibonacci").textContent())
      .toBe("invalid number: 401");

    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows new branding after the ConfigMap changes, without a restart", async () => {
    writeConfigMapDir(brandingDir, { displayName: "Acme Reloaded", primaryColor: "#000080" });
    const page = await browser.newPage();
    await expect
      .poll(
        async () => {
          await page.goto(`${t.httpBase}/`);
          return page.locator("#display-name").textContent();
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe("Acme Reloaded");
    const background = await page.locator("#brand").evaluate(backgroundOf);
    expect(background).toBe("rgb(0, 0, 128)");
    await page.close();
  });

  it("sends a Content-Security-Policy that allows only the page's own script and style", async () => {
    const response = await fetch(`${t.httpBase}/`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
  });
});

describe("landing page forms of the stored APIs", () => {
  it("searches users by age and draws counter values", async () => {
    const stored = await startTestApp({ SERVICES: "users,counter", SAMPLE_USERS: "true" });
    try {
      const page = await browser.newPage();
      await page.goto(`${stored.httpBase}/`);
      expect(await page.locator("#form-add").count()).toBe(0);

      const age = page.locator("#form-users-age");
      await age.locator('input[name="from"]').fill("21");
      await age.locator('input[name="to"]').fill("21");
      await age.locator('button[type="submit"]').click();
      await expect
        .poll(() => page.locator("#result-users-age").textContent())
        .toMatch(/^.+ <.+@example\.com> \(21 years old\)/);

      const counter = page.locator("#form-counter button[type='submit']");
      await counter.click();
      await expect.poll(() => page.locator("#result-counter").textContent()).toBe("1");
      await counter.click();
      await expect.poll(() => page.locator("#result-counter").textContent()).toBe("2");
      await page.close();
    } finally {
      await stored.close();
    }
  });
});
