/**
 * The service's configuration: environment variables only (12-factor), validated once at start
 * with ajv. A bad value is a ConfigError whose message names the variable; main prints it and
 * exits non-zero. Nothing else in service/ reads process.env.
 *
 * To add a variable: add it to ENV_SCHEMA (type, default, bounds, description) and map it in
 * toConfig(). Empty strings count as unset.
 */
import { Ajv, type ErrorObject } from "ajv";

export const SERVICE_NAMES = ["calculator", "users", "counter"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
    databaseUrl: string | undefined;
    sampleUsers: boolean;
    counterBlockSize: number;
  };
}

const port = (d: number, description: string): object => ({
  type: "integer",
  minimum: 0,
  maximum: 65535,
  default: d,
  description,
});

const ms = (d: number, max: number, description: string): object => ({
  type: "integer",
  minimum: 0,
  maximum: max,
  default: d,
  description,
});

/** Every variable the service reads, with its default: the one place they are listed. */
export const ENV_SCHEMA = {
  type: "object",
  properties: {
    TENANT: {
      type: "string",
      pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
      default: "default",
      description: "tenant name (a DNS label); scopes stored data",
    },
    HOST: { type: "string", minLength: 1, maxLength: 255, default: "0.0.0.0" },
    GRPC_PORT: port(50051, "gRPC port"),
    HTTP_PORT: port(8080, "HTTP port"),
    SERVICES: {
      type: "array",
      items: { enum: SERVICE_NAMES },
      uniqueItems: true,
      default: [...SERVICE_NAMES],
      description: "comma-separated APIs to serve",
    },
    BRANDING_DIR: { type: "string", maxLength: 4096, default: "" },
    BRANDING_POLL_MS: ms(2000, 600_000, "branding directory poll interval"),
    LOG_FORMAT: { enum: ["json", "text"], default: "json" },
    LOG_LEVEL: { enum: LOG_LEVELS, default: "info" },
    SHUTDOWN_TIMEOUT_MS: ms(10_000, 600_000, "bound for in-flight calls at shutdown"),
    SHUTDOWN_DRAIN_DELAY_MS: ms(0, 600_000, "wait while unready before closing listeners"),
    DATA_DIR: { type: "string", minLength: 1, default: "./data" },
    DATABASE_URL: { type: "string", pattern: "^postgres(ql)?://" },
    SAMPLE_USERS: { type: "boolean", default: false },
    COUNTER_BLOCK_SIZE: { type: "integer", minimum: 1, maximum: 1_000_000, default: 100 },
  },
} as const;

/** Variables whose value is a comma-separated list. */
const LIST_VARIABLES = new Set(["SERVICES"]);

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false, strict: false });
const validate = ajv.compile(ENV_SCHEMA);

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
  return toConfig(values);
}

function toConfig(v: EnvValues): Config {
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
      databaseUrl: v.DATABASE_URL as string | undefined,
      sampleUsers: v.SAMPLE_USERS as boolean,
      counterBlockSize: v.COUNTER_BLOCK_SIZE as number,
    },
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
