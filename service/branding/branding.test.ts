import { describe, expect, it } from "vitest";
import { DEFAULT_PRIMARY_COLOR, defaultBranding, parseBranding } from "./branding.js";

describe("parseBranding", () => {
  it("uses safe defaults when no file is present", () => {
    expect(parseBranding({}, "acme")).toEqual({ branding: defaultBranding("acme"), problems: [] });
  });

  it("accepts valid values, trimmed and normalised", () => {
    const { branding, problems } = parseBranding(
      {
        displayName: "  Acme\tCorp \n",
        primaryColor: "#AbCdEf\n",
        logoURL: "https://cdn.example.com/a b.png",
        welcomeMessage: "Line 1\nLine 2",
      },
      "acme",
    );
    expect(problems).toEqual([]);
    expect(branding).toEqual({
      displayName: "Acme Corp",
      primaryColor: "#abcdef",
      logoURL: "https://cdn.example.com/a%20b.png",
      welcomeMessage: "Line 1\nLine 2",
    });
  });

  it.each([
    ["primaryColor", "red"],
    ["primaryColor", "#12345"],
    ["primaryColor", "#123456; x"],
    ["logoURL", "http://example.com/logo.png"],
    ["logoURL", "javascript:alert(1)"],
    ["logoURL", "https://user:pw@example.com/x.png"],
    ["logoURL", "not a url"],
    ["displayName", "x".repeat(101)],
    ["welcomeMessage", "y".repeat(2001)],
  ])("replaces an invalid %s (%s) by the default and reports it", (key, value) => {
    const { branding, problems } = parseBranding({ [key]: value }, "acme");
    expect(branding).toEqual(defaultBranding("acme"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${key}: `));
  });

  it("strips control characters but keeps the text (escaping is the page's job)", () => {
    const { branding } = parseBranding({ displayName: "A\u0000<b>\u0007B" }, "acme");
    expect(branding.displayName).toBe("A<b>B");
    expect(branding.primaryColor).toBe(DEFAULT_PRIMARY_COLOR);
  });
});
