import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, redactConfig, renderConfigOf } from "./config.js";

describe("parseConfig", () => {
  it("fills every setting with its default when given nothing", () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      maxConcurrentReconciles: 4,
      defaultImage: "tenant-service:latest",
      dnsTargets: [],
      leaderElect: false,
      leaseName: "tenant-operator",
      leaseNamespace: "default",
      metricsPort: 8080,
      healthPort: 8081,
      logLevel: "info",
      logFormat: "json",
    });
    expect(c.defaultIssuer).toBeUndefined();
  });

  it("reads flags, and flags win over the environment", () => {
    const c = parseConfig(
      [
        "--max-concurrent-reconciles",
        "8",
        "--default-issuer",
        "ClusterIssuer/letsencrypt",
        "--dns-targets",
        "1.2.3.4, lb.example.com",
        "--leader-elect",
      ],
      { TENANT_OPERATOR_MAX_CONCURRENT_RECONCILES: "2", TENANT_OPERATOR_INGRESS_CLASS: "nginx" },
    );
    expect(c.maxConcurrentReconciles).toBe(8);
    expect(c.defaultIssuer).toEqual({ kind: "ClusterIssuer", name: "letsencrypt" });
    expect(c.dnsTargets).toEqual(["1.2.3.4", "lb.example.com"]);
    expect(c.ingressClass).toBe("nginx");
    expect(c.leaderElect).toBe(true);
  });

  it("reads a boolean from the environment, false included", () => {
    expect(parseConfig([], { TENANT_OPERATOR_LEADER_ELECT: "false" }).leaderElect).toBe(false);
    expect(parseConfig([], { TENANT_OPERATOR_LEADER_ELECT: "true" }).leaderElect).toBe(true);
  });

  it("takes the lease namespace from POD_NAMESPACE when not given", () => {
    expect(parseConfig([], { POD_NAMESPACE: "ops" }).leaseNamespace).toBe("ops");
  });

  it.each([
    [["--max-concurrent-reconciles", "zero"], /--max-concurrent-reconciles must be an integer/],
    [["--max-concurrent-reconciles", "0"], /--max-concurrent-reconciles must be >= 1/],
    [
      ["--default-issuer", "letsencrypt"],
      /--default-issuer must be Issuer\/<name> or ClusterIssuer\/<name>/,
    ],
    [["--log-level", "loud"], /--log-level must be equal to one of the allowed values/],
    [["--metrics-port", "70000"], /--metrics-port must be <= 65535/],
    [["--renew-deadline", "20"], /--renew-deadline must be shorter than --lease-duration/],
    [["--no-such-flag"], /unknown option/],
  ])("rejects %j with a message naming the flag", (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it("does not leak the given environment into process.env", () => {
    parseConfig([], { TENANT_OPERATOR_LOG_LEVEL: "debug" });
    expect(process.env.TENANT_OPERATOR_LOG_LEVEL).toBeUndefined();
  });
});

describe("renderConfigOf / redactConfig", () => {
  it("passes the render settings through and keeps plain values visible", () => {
    const c = parseConfig(["--ingress-class", "nginx"], {});
    expect(renderConfigOf(c)).toMatchObject({
      ingressClass: "nginx",
      operatorName: "tenant-operator",
    });
    expect(redactConfig(c).ingressClass).toBe("nginx");
  });
});
