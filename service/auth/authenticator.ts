/**
 * Bearer-token authentication for every API call (gRPC metadata and HTTP header alike):
 * signature against the key set (key-source.ts), `iss`, `aud`, `exp` (required) and `nbf` with
 * a small clock tolerance, asymmetric algorithms only. jose does all of the JOSE work.
 *
 * Verdicts for a token are cached until it expires (at most CACHE_TTL_MS, dropped whenever the
 * key set changes), so a client that reuses its token pays one signature check per minute, not
 * one per call. The reason for a refusal is logged (never the token) and told to the client in
 * a short, fixed phrase.
 */
import { errors, jwtVerify, type JWTPayload } from "jose";
import type { AuthConfig } from "../config.js";
import type { Logger } from "../log.js";
import { createKeySource, KeySetUnavailableError, type KeySource } from "./key-source.js";
import type { Authenticator, Verdict } from "./verdict.js";

/** Only public-key signatures: `none` and HMAC (HS*) are refused before any key is looked up. */
export const ALLOWED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 1_000;
/** A JWT longer than this is refused unread (headers are bounded anyway; this bounds the work). */
const MAX_TOKEN_LENGTH = 8 * 1024;

export async function createAuthenticator(
  config: AuthConfig,
  logger: Logger,
): Promise<Authenticator> {
  const keys = await createKeySource(config, logger);
  const cache = new Map<string, { until: number; subject: string | undefined }>();
  keys.onChange(() => cache.clear());
  const options = {
    issuer: config.issuer,
    audience: config.audiences,
    algorithms: ALLOWED_ALGORITHMS,
    clockTolerance: config.clockToleranceSec,
    requiredClaims: ["exp"],
  };
  return {
    ready: () => keys.ready(),
    close: () => keys.close(),
    async check(authorization) {
      const parsed = bearerToken(authorization);
      if (typeof parsed !== "string") return parsed;
      const now = Date.now();
      const hit = cache.get(parsed);
      if (hit && hit.until > now) return { ok: true, subject: hit.subject };
      try {
        const { payload } = await jwtVerify(parsed, keys.getKey, options);
        remember(cache, parsed, payload, now, config.clockToleranceSec);
        return { ok: true, subject: payload.sub };
      } catch (error) {
        return refusal(error, keys);
      }
    },
  };
}

function bearerToken(values: readonly string[]): string | Verdict {
  if (values.length === 0) return { ok: false, kind: "missing", reason: "no bearer token" };
  if (values.length > 1) {
    return { ok: false, kind: "invalid_request", reason: "more than one Authorization value" };
  }
  const match = /^([A-Za-z]+) +([A-Za-z0-9\-._~+/]+=*) *$/.exec(values[0]!);
  if (!match) {
    return { ok: false, kind: "invalid_request", reason: "malformed Authorization header" };
  }
  if (match[1]!.toLowerCase() !== "bearer") {
    return { ok: false, kind: "missing", reason: "not a Bearer credential" };
  }
  const token = match[2]!;
  if (token.length > MAX_TOKEN_LENGTH) {
    return { ok: false, kind: "invalid_token", reason: "token too long" };
  }
  return token;
}

function remember(
  cache: Map<string, { until: number; subject: string | undefined }>,
  token: string,
  payload: JWTPayload,
  now: number,
  toleranceSec: number,
): void {
  const expires = (payload.exp ?? 0) * 1000 + toleranceSec * 1000;
  if (cache.size >= CACHE_MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(token, { until: Math.min(expires, now + CACHE_TTL_MS), subject: payload.sub });
}

function invalid(reason: string): Verdict {
  return { ok: false, kind: "invalid_token", reason };
}

/** The jose error as a fixed phrase (its message may quote claim values; ours never does). */
function refusal(error: unknown, keys: KeySource): Verdict {
  if (error instanceof KeySetUnavailableError || (!keys.ready() && isKeyLookupError(error))) {
    return { ok: false, kind: "unavailable", reason: "key set not loaded" };
  }
  if (error instanceof errors.JWTExpired) return invalid("token expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return invalid("issuer not accepted");
      case "aud":
        return invalid("audience not accepted");
      case "nbf":
        return invalid("token not yet valid");
      case "exp":
        return invalid("token has no expiry");
      default:
        return invalid(`claim ${error.claim} not accepted`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid("algorithm not allowed");
  if (error instanceof errors.JWKSNoMatchingKey) return invalid("unknown signing key");
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("bad signature");
  if (error instanceof errors.JOSENotSupported) return invalid("unsupported token");
  return invalid("malformed token");
}

function isKeyLookupError(error: unknown): boolean {
  return error instanceof errors.JWKSNoMatchingKey;
}
