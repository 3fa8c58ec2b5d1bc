/**
 * What an authentication check answers, and the HTTP challenge that tells a client why it was
 * refused. Kept apart from authenticator.ts, which loads jose: the servers import this file
 * whether authentication is on or not, and a tenant without it does not load jose at all
 * (app.ts imports the authenticator only when config.auth is set; ~2 MiB of RSS a process).
 */

export type Verdict =
  | { ok: true; subject: string | undefined }
  | {
      ok: false;
      /** missing: no credentials (RFC 6750: no error code); invalid: a bad token or header. */
      kind: "missing" | "invalid_request" | "invalid_token" | "unavailable";
      /** Short fixed phrase, safe to show the client and to log. */
      reason: string;
    };

export interface Authenticator {
  /** Checks the value(s) of the Authorization header / metadata. Never throws. */
  check(authorization: readonly string[]): Promise<Verdict>;
  ready(): boolean;
  close(): void;
}

/**
 * The WWW-Authenticate challenge of RFC 6750 section 3: no error code when credentials were
 * missing, else error and a description.
 */
export function bearerChallenge(realm: string, verdict: Verdict): string {
  const parts = [`realm="${realm.replace(/["\\]/g, "")}"`];
  if (!verdict.ok && verdict.kind !== "missing" && verdict.kind !== "unavailable") {
    parts.push(`error="${verdict.kind}"`, `error_description="${verdict.reason}"`);
  }
  return `Bearer ${parts.join(", ")}`;
}
