/**
 * The service's configuration: environment variables only (12-factor), validated once at start
 * against ENV_SCHEMA (config-schema.ts). A bad value is a ConfigError whose message names the
 * variable; main prints it and exits non-zero. Nothing else in service/ reads process.env.
 *
 * The validator is ajv's, compiled ahead of time (config-validator.generated.js): ajv itself,
 * loaded and compiling at start, held ~1.5 MiB of heap in every tenant process for the rest of
 * its life (bench/RESULTS.md). Empty strings count as unset.
 */
import type { ErrorObject } from "ajv";
import { ENV_SCHEMA, type LogLevel, type ServiceName } from "./config-schema.js";
import { validate } from "./config-validator.generated.js";

export interface Config {
  tenant: string;
  /** Address both servers bind to (0.0.0.0 in a pod; tests use 127.0.0.1). */
  host: string;
  /** 0 = any free port. */
  grpcPort: number;
  httpPort: number;
  /** Which APIs this instance serves (health, reflection and the page are always on). */
  services: ReadonlySet<ServiceName>;
  /** Directory of branding files (ConfigMap volume layout); "" = built-in defaults only. */
  brandingDir: string;
  brandingPollMs: number;
  logFormat: "json" | "text";
  logLevel: LogLevel;
  /** Upper bound for in-flight calls to finish after SIGTERM before connections are cut. */
  shutdownTimeoutMs: number;
  /** Time between going NOT_SERVING/unready and closing listeners (load balancers catch up). */
  shutdownDrainDelayMs: number;
  store: {
    /** The embedded store's directory (SQLite), used when databaseUrl is not set. */
    dataDir: string;
    /** How long start-up waits for another process (a pod being replaced) to release dataDir. */
    dataDirLockWaitMs: number;
    databaseUrl: string | undefined;
    sampleUsers: boolean;
    counterBlockSize: number;
    /** undefined: the allocator's default, max(10,000, counterBlockSize). */
    counterMaxBlockSize: number | undefined;
    /** PostgreSQL only: records a tenant's read cache may hold; 0 = no cache. */
    readCacheRecords: number;
  };
  /**
   * Whether the process unmaps the node binary's read-only pages after start-up
   * and after its first minute (server/file-pages.ts).
   */
  releaseFilePages: boolean;
  /** Bearer-JWT verification of every API call; undefined = off (see service/auth/). */
  auth: AuthConfig | undefined;
}

export interface AuthConfig {
  issuer: string;
  /** A token must name at least one of these in `aud`. */
  audiences: string[];
  /** Where the JSON Web Key Set comes from: fetched over HTTP(S), or a file re-read on change. */
  jwks: { url: string } | { file: string };
  /** Leeway for exp/nbf, in seconds (clocks of the issuer and the pod differ a little). */
  clockToleranceSec: number;
  /** Least time between two JWKS reloads caused by an unknown `kid` (rate limit). */
  jwksMinRefreshMs: number;
  /** How often the JWKS file is checked for a change. */
  jwksFilePollMs: number;
}

/** The variables that turn authentication on; all of AUTH_ISSUER, AUTH_AUDIENCE and one JWKS source, or none. */
export const AUTH_VARIABLES = ["AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URL", "AUTH_JWKS_FILE"];

/** Variables whose value is a comma-separated list. */
const LIST_VARIABLES = new Set(["SERVICES", "AUTH_AUDIENCE"]);

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

type EnvValues = Record<string, unknown>;

/** Builds the validated Config from an environment (process.env in main, a literal in tests). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const values: EnvValues = {};
  for (const name of Object.keys(ENV_SCHEMA.properties)) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") continue;
    values[name] = LIST_VARIABLES.has(name)
      ? raw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : raw;
  }
  if (!validate(values)) throw configError(validate.errors?.[0], env);
  checkCounterBlocks(values);
  return { ...toConfig(values), auth: authConfig(values) };
}

/** A busy counter's blocks grow from COUNTER_BLOCK_SIZE to COUNTER_MAX_BLOCK_SIZE, not below. */
function checkCounterBlocks(v: EnvValues): void {
  const size = v.COUNTER_BLOCK_SIZE as number;
  const max = v.COUNTER_MAX_BLOCK_SIZE as number | undefined;
  if (max !== undefined && max < size) {
    throw new ConfigError(
      "COUNTER_MAX_BLOCK_SIZE",
      `invalid COUNTER_MAX_BLOCK_SIZE: ${max} is below COUNTER_BLOCK_SIZE (${size}); ` +
        "set it to COUNTER_BLOCK_SIZE or more (equal: blocks never grow)",
    );
  }
}

/**
 * Authentication is all or nothing: a partial set (an issuer but no key set, say) is a mistake
 * that would otherwise leave the APIs open or closed by surprise, so it stops start-up.
 */
function authConfig(v: EnvValues): AuthConfig | undefined {
  const set = AUTH_VARIABLES.filter((name) => v[name] !== undefined);
  if (set.length === 0) return undefined;
  if (v.AUTH_JWKS_URL !== undefined && v.AUTH_JWKS_FILE !== undefined) {
    throw new ConfigError(
      "AUTH_JWKS_URL",
      "invalid AUTH_JWKS_URL: set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both",
    );
  }
  const missing = ["AUTH_ISSUER", "AUTH_AUDIENCE"].filter((name) => v[name] === undefined);
  if (v.AUTH_JWKS_URL === undefined && v.AUTH_JWKS_FILE === undefined) {
    missing.push("AUTH_JWKS_URL or AUTH_JWKS_FILE");
  }
  if (missing.length > 0) {
    throw new ConfigError(
      missing[0]!.split(" ")[0]!,
      `incomplete authentication config: ${set.join(", ")} set but ${missing.join(", ")} missing ` +
        "(set all of AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL or AUTH_JWKS_FILE, or none)",
    );
  }
  return {
    issuer: v.AUTH_ISSUER as string,
    audiences: v.AUTH_AUDIENCE as string[],
    jwks:
      v.AUTH_JWKS_URL !== undefined
        ? { url: v.AUTH_JWKS_URL as string }
        : { file: v.AUTH_JWKS_FILE as string },
    clockToleranceSec: v.AUTH_CLOCK_TOLERANCE_S as number,
    jwksMinRefreshMs: v.AUTH_JWKS_MIN_REFRESH_MS as number,
    jwksFilePollMs: Math.max(50, v.AUTH_JWKS_FILE_POLL_MS as number),
  };
}

function toConfig(v: EnvValues): Omit<Config, "auth"> {
  return {
    tenant: v.TENANT as string,
    host: v.HOST as string,
    grpcPort: v.GRPC_PORT as number,
    httpPort: v.HTTP_PORT as number,
    services: new Set(v.SERVICES as ServiceName[]),
    brandingDir: v.BRANDING_DIR as string,
    brandingPollMs: Math.max(50, v.BRANDING_POLL_MS as number),
    logFormat: v.LOG_FORMAT as Config["logFormat"],
    logLevel: v.LOG_LEVEL as LogLevel,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS as number,
    shutdownDrainDelayMs: v.SHUTDOWN_DRAIN_DELAY_MS as number,
    store: {
      dataDir: v.DATA_DIR as string,
      dataDirLockWaitMs: v.DATA_DIR_LOCK_WAIT_MS as number,
      databaseUrl: v.DATABASE_URL as string | undefined,
      sampleUsers: v.SAMPLE_USERS as boolean,
      counterBlockSize: v.COUNTER_BLOCK_SIZE as number,
      counterMaxBlockSize: v.COUNTER_MAX_BLOCK_SIZE as number | undefined,
      readCacheRecords: v.USERS_READ_CACHE_RECORDS as number,
    },
    releaseFilePages: v.RELEASE_FILE_PAGES as boolean,
  };
}

function configError(
  error: ErrorObject | undefined,
  env: Record<string, string | undefined>,
): ConfigError {
  const variable = error?.instancePath.split("/")[1] ?? "environment";
  const detail = error?.message ?? "invalid";
  const allowed = error?.params && "allowedValues" in error.params ? error.params : undefined;
  const choices = allowed ? ` (one of: ${(allowed.allowedValues as unknown[]).join(", ")})` : "";
  const value = variable === "DATABASE_URL" ? redactPassword(env[variable]) : env[variable];
  const got = value === undefined ? "" : `, got ${JSON.stringify(value)}`;
  return new ConfigError(variable, `invalid ${variable}: ${detail}${choices}${got}`);
}

/** A connection URL with its password replaced by ***: safe for logs and error messages. */
function redactPassword(url: string | undefined): string | undefined {
  return url?.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** The config as safe to log: secrets (DATABASE_URL password) redacted. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    services: [...config.services],
    store: { ...config.store, databaseUrl: redactPassword(config.store.databaseUrl) },
  };
}
