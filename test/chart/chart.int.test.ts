// The Helm chart, rendered by the real Helm CLI (built by scripts/ensure-helm.sh): lint,
// template, values validation, and the properties a platform team relies on (restricted pods,
// probes, least-privilege RBAC that still covers every kind the operator writes).
import { describe, expect, it } from "vitest";
import type { V1Deployment, V1PolicyRule } from "@kubernetes/client-node";
import { parseConfig } from "../../operator/config.js";
import { CHILD_KINDS } from "../../operator/tenant/children.js";
import { CHART_DIR, findOne, helm, renderChart, templateArgs } from "./helm.js";
import { allRules, grants, renderOperatorRbac } from "./rbac.js";

const NAMESPACE = "tenant-operator-system";

function operatorContainer(deployment: V1Deployment) {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === "operator");
  if (!container) throw new Error("no operator container");
  return container;
}

function renderedDeployment(set: Record<string, string | number | boolean> = {}): V1Deployment {
  return findOne(renderChart({ namespace: NAMESPACE, set }), "Deployment");
}

/** The error Helm prints for these values (empty when rendering succeeds). */
function templateError(set: Record<string, string | number | boolean>, setString = false): string {
  const args = templateArgs({});
  for (const [key, value] of Object.entries(set))
    args.push(setString ? "--set-string" : "--set", `${key}=${value}`);
  const result = helm(args);
  return result.status === 0 ? "" : result.stderr;
}

describe("helm lint and template", () => {
  it("lints cleanly in strict mode", () => {
    const result = helm(["lint", CHART_DIR, "--strict"]);
    expect(result.stderr + result.stdout).toContain("0 chart(s) failed");
    expect(result.status).toBe(0);
  });

  it("renders the operator's objects with default values", () => {
    const kinds = renderChart({ namespace: NAMESPACE }).map((m) => m.kind);
    expect(kinds.sort()).toEqual(
      [
        "ClusterRole",
        "ClusterRoleBinding",
        "Deployment",
        "Role",
        "RoleBinding",
        "Service",
        "ServiceAccount",
      ].sort(),
    );
  });

  it("includes the Tenant CRD from the chart's crds/ directory when asked", () => {
    const crd = findOne(renderChart({ includeCrds: true }), "CustomResourceDefinition");
    expect(crd.metadata.name).toBe("tenants.platform.tenancy.dev");
  });

  it("renders the optional ServiceMonitor and PodDisruptionBudget only when enabled", () => {
    const off = renderChart().map((m) => m.kind);
    expect(off).not.toContain("ServiceMonitor");
    expect(off).not.toContain("PodDisruptionBudget");
    const on = renderChart({
      set: { "metrics.serviceMonitor.enabled": true, "podDisruptionBudget.enabled": true },
    });
    expect(findOne(on, "ServiceMonitor").apiVersion).toBe("monitoring.coreos.com/v1");
    expect(findOne(on, "PodDisruptionBudget").apiVersion).toBe("policy/v1");
  });

  it("refuses a ServiceMonitor without the metrics Service it would scrape", () => {
    const error = templateError({
      "metrics.serviceMonitor.enabled": true,
      "metrics.service.enabled": false,
    });
    expect(error).toContain("metrics.serviceMonitor.enabled needs metrics.service.enabled");
  });
});

describe("values.schema.json", () => {
  it("rejects a negative replica count, naming the key", () => {
    expect(templateError({ replicaCount: -1 })).toMatch(/replicaCount.*minimum/);
  });

  it("rejects a value of the wrong type", () => {
    expect(templateError({ replicaCount: "two" }, true)).toMatch(
      /replicaCount.*got string, want integer/,
    );
  });

  it("rejects an unknown key instead of silently ignoring a typo", () => {
    expect(templateError({ "operator.maxConcurentReconciles": 8 })).toMatch(
      /maxConcurentReconciles.*not allowed/,
    );
  });

  it("rejects a log level the operator does not know", () => {
    expect(templateError({ "operator.logLevel": "verbose" })).toContain("logLevel");
  });
});

describe("the operator Deployment", () => {
  it("runs two replicas with leader election", () => {
    const deployment = renderedDeployment();
    expect(deployment.spec?.replicas).toBe(2);
    expect(operatorContainer(deployment).args).toContain("--leader-elect=true");
  });

  it("runs with a restricted security context", () => {
    const deployment = renderedDeployment();
    const pod = deployment.spec?.template.spec?.securityContext;
    const container = operatorContainer(deployment).securityContext;
    expect(pod?.runAsNonRoot).toBe(true);
    expect(pod?.seccompProfile?.type).toBe("RuntimeDefault");
    expect(container).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("probes /healthz and /readyz on the port the operator serves them on", () => {
    const container = operatorContainer(renderedDeployment({ "ports.health": 9440 }));
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "health" });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port: "health" });
    expect(container.ports).toContainEqual(
      expect.objectContaining({ name: "health", containerPort: 9440 }),
    );
    expect(container.args).toContain("--health-port=9440");
  });

  it("passes flags that the operator's own parser accepts, with the chart's settings", () => {
    const container = operatorContainer(
      renderedDeployment({
        "operator.defaultIssuer.name": "letsencrypt",
        "operator.dnsTargets[0]": "203.0.113.7",
        "operator.dnsTargets[1]": "lb.example.com",
        "operator.dnsZones[0]": "tenants.example.com",
        "operator.dnsZones[1]": "example.org",
        "operator.ingressClass": "nginx",
        "operator.maxConcurrentReconciles": 8,
        "operator.logLevel": "debug",
      }),
    );
    const [script, ...flags] = container.args ?? [];
    expect(script).toBe("dist/operator/main.js");
    const config = parseConfig(flags, { POD_NAMESPACE: NAMESPACE });
    expect(config).toMatchObject({
      leaderElect: true,
      leaseNamespace: NAMESPACE,
      defaultIssuer: { kind: "ClusterIssuer", name: "letsencrypt" },
      dnsTargets: ["203.0.113.7", "lb.example.com"],
      dnsZones: ["tenants.example.com", "example.org"],
      ingressClass: "nginx",
      maxConcurrentReconciles: 8,
      logLevel: "debug",
    });
  });

  // The image's NODE_OPTIONS bound V8's heap to 64 MiB for the compute service: an operator
  // caching a thousand tenants would die of "heap out of memory" under them.
  it("replaces the image's service-sized NODE_OPTIONS with a heap sized to the operator's limit", () => {
    const env = (values: Record<string, string> = {}) =>
      operatorContainer(renderedDeployment(values)).env ?? [];
    const heapMib = (options: string) => Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
    const nodeOptions = env().find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
    expect(heapMib(nodeOptions)).toBeGreaterThan(64);
    expect(heapMib(nodeOptions)).toBeLessThan(512); // resources.limits.memory: 512Mi
    expect(env({ nodeOptions: "" }).map((e) => e.name)).not.toContain("NODE_OPTIONS");
  });

  it("gives tenants the operator's own image when no default image is set", () => {
    const container = operatorContainer(renderedDeployment({ "image.tag": "1.2.3" }));
    expect(container.image).toBe("tenant-operator:1.2.3");
    expect(container.args).toContain("--default-image=tenant-operator:1.2.3");
  });
});

describe("the operator's RBAC", () => {
  const rbac = renderOperatorRbac(NAMESPACE);
  const rules = allRules(rbac);

  it("contains no wildcard in any rule", () => {
    const fields = (rule: V1PolicyRule) => [
      ...(rule.apiGroups ?? []),
      ...(rule.resources ?? []),
      ...rule.verbs,
      ...(rule.resourceNames ?? []),
      ...(rule.nonResourceURLs ?? []),
    ];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      for (const field of fields(rule)) expect(field, JSON.stringify(rule)).not.toContain("*");
    }
  });

  it("lets the operator apply, watch and prune every kind it creates per tenant", () => {
    for (const child of CHILD_KINDS) {
      const group = child.apiVersion.includes("/") ? child.apiVersion.split("/")[0]! : "";
      for (const verb of ["get", "list", "watch", "create", "patch", "delete"]) {
        expect(grants(rules, verb, group, child.plural), `${verb} ${child.plural}.${group}`).toBe(
          true,
        );
      }
    }
  });

  it("lets the operator watch Tenants and write their status and finalizers", () => {
    for (const verb of ["list", "watch", "patch"]) {
      expect(grants(rules, verb, "platform.tenancy.dev", "tenants")).toBe(true);
    }
    expect(grants(rules, "patch", "platform.tenancy.dev", "tenants/status")).toBe(true);
    expect(grants(rules, "update", "platform.tenancy.dev", "tenants/finalizers")).toBe(true);
    for (const verb of ["create", "update", "delete"]) {
      expect(grants(rules, verb, "platform.tenancy.dev", "tenants"), verb).toBe(false);
    }
  });

  it("reads cert-manager's Certificates (for TLSReady) and never writes them", () => {
    expect(grants(rules, "get", "cert-manager.io", "certificates")).toBe(true);
    // list and watch too: the operator grants tenant owners and viewers read access to their
    // namespace's Certificates, and Kubernetes lets it grant only what it holds itself.
    expect(grants(rules, "list", "cert-manager.io", "certificates")).toBe(true);
    for (const verb of ["create", "patch", "update", "delete"]) {
      expect(grants(rules, verb, "cert-manager.io", "certificates"), verb).toBe(false);
    }
  });

  it("only reads Secrets, and holds Leases only in the release namespace", () => {
    for (const verb of ["list", "watch", "create", "patch", "update", "delete"]) {
      expect(grants(rules, verb, "", "secrets"), verb).toBe(false);
    }
    expect(grants(rbac.clusterRole.rules ?? [], "create", "coordination.k8s.io", "leases")).toBe(
      false,
    );
    expect(rbac.leaderElectionRole.metadata?.namespace).toBe(NAMESPACE);
    expect(
      grants(rbac.leaderElectionRole.rules ?? [], "update", "coordination.k8s.io", "leases"),
    ).toBe(true);
  });

  it("binds both roles to the chart's ServiceAccount", () => {
    for (const binding of rbac.objects.filter((o) => o.kind.endsWith("Binding"))) {
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", ...rbac.serviceAccount }]);
    }
  });
});
