/**
 * Where the verification keys come from: a JSON Web Key Set fetched from a URL or read from a
 * file (a mounted Secret). jose parses and imports the keys (createLocalJWKSet caches each
 * imported CryptoKey); this file only decides WHEN to (re)load:
 * - at start (failure is not fatal: not ready, retried in the background),
 * - on a token whose `kid` is unknown, at most once per minRefreshMs (a flood of made-up kids
 *   costs the issuer one request per interval, not one per call),
 * - URL: every refreshMs, so removed keys stop working; file: when its stat changes (Secret
 *   volumes swap a symlink), checked every filePollMs.
 * A failed reload keeps the last good key set: an issuer outage does not lock everyone out.
 */
import { readFile, stat } from "node:fs/promises";
import { createLocalJWKSet, errors, type JWTVerifyGetKey } from "jose";
import type { AuthConfig } from "../config.js";
import type { Logger } from "../log.js";

/** Largest JWKS we accept (a real one is a few KiB). */
const MAX_JWKS_BYTES = 256 * 1024;
/** How often the URL is fetched even without an unknown kid (key removal takes effect). */
const URL_REFRESH_MS = 10 * 60_000;
/** Retry interval while no key set was ever loaded. */
const INITIAL_RETRY_MS = 5_000;
const FETCH_TIMEOUT_MS = 5_000;

export interface KeySource {
  /** jose's key lookup; reloads once (rate-limited) on an unknown kid. */
  readonly getKey: JWTVerifyGetKey;
  /** A key set has been loaded at least once. */
  ready(): boolean;
  /** Called after every successful load that changed the keys (drop cached verdicts). */
  onChange(listener: () => void): void;
  close(): void;
}

export async function createKeySource(config: AuthConfig, logger: Logger): Promise<KeySource> {
  const jwks = config.jwks;
  const where = "url" in jwks ? jwks.url : jwks.file;
  let local: JWTVerifyGetKey | undefined;
  let loadedText: string | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  let fileVersion = "";
  const listeners: (() => void)[] = [];

  const read = async (): Promise<string> => {
    if ("url" in jwks) return fetchText(jwks.url);
    const info = await stat(jwks.file);
    if (info.size > MAX_JWKS_BYTES) throw new Error(`over ${MAX_JWKS_BYTES} bytes`);
    fileVersion = fileStamp(info);
    return readFile(jwks.file, "utf8");
  };

  /** One load at a time; later callers share it. */
  const reload = (why: string): Promise<void> => {
    pending ??= (async () => {
      lastAttempt = Date.now();
      try {
        const text = await read();
        if (text === loadedText) return;
        const next = createLocalJWKSet(JSON.parse(text) as Parameters<typeof createLocalJWKSet>[0]);
        const count = (next as unknown as { jwks(): { keys: unknown[] } }).jwks().keys.length;
        local = next;
        loadedText = text;
        logger.info({ jwks: where, keys: count, why }, "auth: key set loaded");
        for (const listener of listeners) listener();
      } catch (error) {
        const log = local ? logger.warn.bind(logger) : logger.error.bind(logger);
        log(
          { jwks: where, why, error: describe(error) },
          local
            ? "auth: key set reload failed, keeping the previous keys"
            : "auth: cannot load the key set: every API call is refused until it loads",
        );
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!local) await reloadIfAllowed("first call");
    if (!local) throw new KeySetUnavailableError(where);
    try {
      return await local(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const before = local;
      await reloadIfAllowed("unknown kid");
      if (local === before) throw error;
      return local(header, token);
    }
  };

  const reloadIfAllowed = async (why: string): Promise<void> => {
    if (pending) return pending;
    if (Date.now() - lastAttempt < config.jwksMinRefreshMs) return;
    return reload(why);
  };

  await reload("start");
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void): void => {
    const timer = setInterval(fn, ms);
    timer.unref();
    timers.push(timer);
  };
  every(INITIAL_RETRY_MS, () => {
    if (!local && !pending) void reload("retry");
  });
  if ("url" in jwks) {
    every(URL_REFRESH_MS, () => void reload("periodic refresh"));
  } else {
    every(config.jwksFilePollMs, () => {
      stat(jwks.file).then(
        (info) => {
          if (fileStamp(info) !== fileVersion && !pending) void reload("file changed");
        },
        () => undefined, // a missing file is reported by the next reload attempt
      );
    });
  }

  return {
    getKey,
    ready: () => local !== undefined,
    onChange: (listener) => listeners.push(listener),
    close: () => timers.forEach(clearInterval),
  };
}

/** No key set could be loaded yet: the server cannot check any token (answered UNAVAILABLE). */
export class KeySetUnavailableError extends Error {
  constructor(where: string) {
    super(`the key set ${where} is not loaded`);
    this.name = "KeySetUnavailableError";
  }
}

function fileStamp(info: { mtimeMs: number; size: number; ino: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, {
    redirect: "error",
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    headers: { accept: "application/jwk-set+json, application/json" },
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error(`over ${MAX_JWKS_BYTES} bytes`);
  return text;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause ? `${base} (${cause.code ?? cause.message ?? ""})` : base;
}
