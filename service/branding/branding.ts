/**
 * The tenant's branding, parsed from the files of a ConfigMap volume (one file per key) and
 * validated. Branding is input: every value is bounded and checked, and an invalid or missing
 * value falls back to a safe default (reported as a problem, never thrown).
 */

export const BRANDING_KEYS = ["displayName", "primaryColor", "logoURL", "welcomeMessage"] as const;
export type BrandingKey = (typeof BRANDING_KEYS)[number];
export type BrandingFiles = Partial<Record<BrandingKey, string>>;

export interface Branding {
  displayName: string;
  /** "#rrggbb", lower case. */
  primaryColor: string;
  /** An https URL, or undefined for no logo. */
  logoURL: string | undefined;
  welcomeMessage: string;
}

export const DEFAULT_PRIMARY_COLOR = "#2f5bd3";
export const MAX_DISPLAY_NAME = 100;
export const MAX_WELCOME_MESSAGE = 2000;
export const MAX_LOGO_URL = 2048;

export function defaultBranding(tenant: string): Branding {
  return {
    displayName: tenant,
    primaryColor: DEFAULT_PRIMARY_COLOR,
    logoURL: undefined,
    welcomeMessage: "Try the APIs of this compute service below.",
  };
}

export interface ParsedBranding {
  branding: Branding;
  /** One line per value that was present but rejected (for a warning log). */
  problems: string[];
}

/** Validates raw file contents (surrounding whitespace ignored); absent or invalid -> default. */
export function parseBranding(files: BrandingFiles, tenant: string): ParsedBranding {
  const defaults = defaultBranding(tenant);
  const problems: string[] = [];
  const pick = <T>(key: BrandingKey, check: (v: string) => T | string, fallback: T): T => {
    const raw = files[key]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const result = check(raw);
    if (typeof result === "string" && result.startsWith("!")) {
      problems.push(`${key}: ${result.slice(1)}`);
      return fallback;
    }
    return result as T;
  };
  return {
    branding: {
      displayName: pick(
        "displayName",
        (v) => text(v, MAX_DISPLAY_NAME, true),
        defaults.displayName,
      ),
      primaryColor: pick("primaryColor", color, defaults.primaryColor),
      logoURL: pick<string | undefined>("logoURL", httpsUrl, undefined),
      welcomeMessage: pick(
        "welcomeMessage",
        (v) => text(v, MAX_WELCOME_MESSAGE, false),
        defaults.welcomeMessage,
      ),
    },
    problems,
  };
}

// Checks return the accepted value, or "!reason" to reject it.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

function text(value: string, max: number, singleLine: boolean): string {
  let cleaned = value.replace(CONTROL, "");
  if (singleLine) cleaned = cleaned.replace(/\s+/g, " ");
  if ([...cleaned].length > max) return `!longer than ${max} characters`;
  return cleaned;
}

function color(value: string): string {
  return /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : "!not a #rrggbb colour";
}

function httpsUrl(value: string): string {
  if (value.length > MAX_LOGO_URL) return `!longer than ${MAX_LOGO_URL} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "!not a URL";
  }
  if (url.protocol !== "https:") return "!not an https URL";
  if (url.username || url.password) return "!must not carry credentials";
  return url.href;
}
