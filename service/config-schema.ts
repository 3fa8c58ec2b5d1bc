/**
 * What the service reads from its environment: every variable, its type, bounds and default,
 * as one JSON Schema. service/config.ts turns a validated environment into the Config;
 * scripts/gen-config-validator.ts compiles this schema into service/config-validator.generated.js
 * (ajv's standalone code), so the running service validates without loading ajv itself.
 *
 * To add a variable: add it here, map it in config.ts's toConfig(), run npm run gen:config.
 */
export const SERVICE_NAMES = ["calculator", "users", "counter"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
    DATA_DIR_LOCK_WAIT_MS: ms(0, 600_000, "wait for another process to release DATA_DIR"),
    DATABASE_URL: { type: "string", pattern: "^postgres(ql)?://" },
    SAMPLE_USERS: { type: "boolean", default: false },
    COUNTER_BLOCK_SIZE: {
      type: "integer",
      minimum: 1,
      maximum: 1_000_000,
      default: 100,
      description: "counter values reserved at once, at least; 1 = strict mode",
    },
    COUNTER_MAX_BLOCK_SIZE: {
      type: "integer",
      minimum: 1,
      maximum: 1_000_000,
      description: "the most values a busy counter reserves at once (default 10,000)",
    },
    USERS_READ_CACHE_RECORDS: {
      type: "integer",
      minimum: 0,
      maximum: 1_000_000,
      default: 10_000,
      description: "PostgreSQL only: user records served from memory; 0 turns the cache off",
    },
    RELEASE_FILE_PAGES: {
      type: "boolean",
      default: true,
      description: "unmap the node binary's pages after start-up and after the first minute",
    },
    AUTH_ISSUER: {
      type: "string",
      maxLength: 2048,
      description: "required `iss` of bearer tokens (turns authentication on)",
    },
    AUTH_AUDIENCE: {
      type: "array",
      items: { type: "string", minLength: 1, maxLength: 2048 },
      minItems: 1,
      maxItems: 20,
      description: "comma-separated accepted `aud` values (any one suffices)",
    },
    AUTH_JWKS_URL: {
      type: "string",
      maxLength: 2048,
      pattern: "^https?://[^\\s/]+",
      description: "URL of the issuer's JSON Web Key Set",
    },
    AUTH_JWKS_FILE: { type: "string", maxLength: 4096, description: "path of a JWKS file" },
    AUTH_CLOCK_TOLERANCE_S: ms(30, 300, "leeway for exp/nbf, seconds"),
    AUTH_JWKS_MIN_REFRESH_MS: ms(30_000, 3_600_000, "least time between kid-miss reloads"),
    AUTH_JWKS_FILE_POLL_MS: ms(2000, 600_000, "JWKS file change check interval"),
  },
} as const;
