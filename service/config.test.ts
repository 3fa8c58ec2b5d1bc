import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { renderConfigValidator } from "../scripts/gen-config-validator.js";
import { ConfigError, loadConfig, redactedConfig } from "./config.js";

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the generated validator", () => {
  it("is ajv's code for the committed ENV_SCHEMA (run npm run gen:config if not)", async () => {
    const root = resolve(import.meta.dirname, "..");
    for (const file of renderConfigValidator()) {
      const committed = await readFile(resolve(root, file.path), "utf8");
      expect(committed, `${file.path} is out of date`).toBe(file.content);
    }
  });
});

describe("loadConfig", () => {
  it("has defaults for everything", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      tenant: "default",
      grpcPort: 50051,
      httpPort: 8080,
      logFormat: "json",
      logLevel: "info",
      brandingDir: "",
      shutdownTimeoutMs: 10_000,
      store: {
        dataDir: "./data",
        databaseUrl: undefined,
        sampleUsers: false,
        counterBlockSize: 100,
        counterMaxBlockSize: undefined,
        readCacheRecords: 10_000,
      },
    });
    expect([...config.services]).toEqual(["calculator", "users", "counter"]);
  });

  it("reads and coerces every variable", () => {
    const config = loadConfig({
      TENANT: "acme",
      GRPC_PORT: "50061",
      HTTP_PORT: " 8081 ",
      SERVICES: "calculator, counter",
      LOG_FORMAT: "text",
      LOG_LEVEL: "debug",
      SAMPLE_USERS: "true",
      DATABASE_URL: "postgres://u:secret@db/x",
      BRANDING_DIR: "/etc/tenant/branding",
    });
    expect(config).toMatchObject({
      tenant: "acme",
      grpcPort: 50061,
      httpPort: 8081,
      logFormat: "text",
    });
    expect([...config.services]).toEqual(["calculator", "counter"]);
    expect(config.store.sampleUsers).toBe(true);
    expect(JSON.stringify(redactedConfig(config))).not.toContain("secret");
  });

  it("takes a counter's largest block at or above its smallest, and says why otherwise", () => {
    const sizes = loadConfig({ COUNTER_BLOCK_SIZE: "50", COUNTER_MAX_BLOCK_SIZE: "50" }).store;
    expect([sizes.counterBlockSize, sizes.counterMaxBlockSize]).toEqual([50, 50]);
    const error = errorOf({ COUNTER_BLOCK_SIZE: "500", COUNTER_MAX_BLOCK_SIZE: "400" });
    expect(error.variable).toBe("COUNTER_MAX_BLOCK_SIZE");
    expect(error.message).toBe(
      "invalid COUNTER_MAX_BLOCK_SIZE: 400 is below COUNTER_BLOCK_SIZE (500); " +
        "set it to COUNTER_BLOCK_SIZE or more (equal: blocks never grow)",
    );
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ GRPC_PORT: "", LOG_FORMAT: " " }).grpcPort).toBe(50051);
  });

  it.each([
    ["GRPC_PORT", "eighty"],
    ["HTTP_PORT", "70000"],
    ["HTTP_PORT", "-1"],
    ["LOG_FORMAT", "xml"],
    ["LOG_LEVEL", "loud"],
    ["SERVICES", "calculator,teleport"],
    ["TENANT", "Not_A_Label"],
    ["SHUTDOWN_TIMEOUT_MS", "1.5"],
    ["SAMPLE_USERS", "maybe"],
    ["DATABASE_URL", "mysql://x"],
    ["COUNTER_MAX_BLOCK_SIZE", "0"],
  ])("rejects %s=%s with a message naming the variable", (name, value) => {
    const error = errorOf({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(`invalid ${name}`);
    expect(error.message).toContain(JSON.stringify(value));
  });

  it("names a bad DATABASE_URL without its password", () => {
    const error = errorOf({ DATABASE_URL: "mysql://app:s3cret-pw@db:3306/app" });
    expect(error.message).toContain('"mysql://app:***@db:3306/app"');
    expect(error.message).not.toContain("s3cret-pw");
  });

  it("lists the allowed values of an enum", () => {
    expect(errorOf({ LOG_FORMAT: "xml" }).message).toContain("one of: json, text");
  });
});

describe("loadConfig: authentication", () => {
  const full = {
    AUTH_ISSUER: "https://issuer.example/",
    AUTH_AUDIENCE: "tenant-api, other",
    AUTH_JWKS_URL: "https://issuer.example/.well-known/jwks.json",
  };

  it("is off when no AUTH_* variable is set", () => {
    expect(loadConfig({}).auth).toBeUndefined();
  });

  it("reads issuer, audiences and the key set source, with defaults for the rest", () => {
    expect(loadConfig(full).auth).toEqual({
      issuer: "https://issuer.example/",
      audiences: ["tenant-api", "other"],
      jwks: { url: "https://issuer.example/.well-known/jwks.json" },
      clockToleranceSec: 30,
      jwksMinRefreshMs: 30_000,
      jwksFilePollMs: 2000,
    });
    const fromFile = loadConfig({ ...full, AUTH_JWKS_URL: "", AUTH_JWKS_FILE: "/etc/jwks/k" });
    expect(fromFile.auth?.jwks).toEqual({ file: "/etc/jwks/k" });
  });

  it.each([
    [
      { AUTH_ISSUER: "https://i/" },
      "AUTH_AUDIENCE",
      /AUTH_ISSUER set but AUTH_AUDIENCE, AUTH_JWKS_URL or AUTH_JWKS_FILE missing/,
    ],
    [
      { AUTH_ISSUER: "https://i/", AUTH_AUDIENCE: "a" },
      "AUTH_JWKS_URL",
      /AUTH_JWKS_URL or AUTH_JWKS_FILE missing/,
    ],
    [{ AUTH_JWKS_FILE: "/x" }, "AUTH_ISSUER", /AUTH_ISSUER, AUTH_AUDIENCE missing/],
    [{ ...full, AUTH_JWKS_FILE: "/x" }, "AUTH_JWKS_URL", /not both/],
    [{ ...full, AUTH_JWKS_URL: "ftp://x/jwks" }, "AUTH_JWKS_URL", /invalid AUTH_JWKS_URL/],
  ])("refuses the partial or contradictory set %j, naming %s", (env, variable, message) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });
});
