import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import { renderDeployment } from "./deployment.js";
import { DATA_DIR_LOCK_WAIT_MS } from "./pod.js";
import { resolveTenant } from "./spec.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

const config = renderConfig({ defaultImage: "registry.example/tenant-service:1.0" });

function deploymentOf(t: Tenant): V1Deployment {
  return renderDeployment(resolveTenant(t, config), config);
}

function containerOf(t: Tenant): V1Container {
  return deploymentOf(t).spec!.template.spec!.containers[0]!;
}

function envOf(t: Tenant): Record<string, unknown> {
  return Object.fromEntries(
    (containerOf(t).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]),
  );
}

describe("the tenant Deployment", () => {
  it.each([
    { case: "plain embedded", t: tenant().build(), replicas: 1, strategy: "Recreate" },
    {
      case: "embedded asking for 3",
      t: tenant().withReplicas(3).build(),
      replicas: 1,
      strategy: "Recreate",
    },
    {
      case: "embedded asking for 0",
      t: tenant().withReplicas(0).build(),
      replicas: 0,
      strategy: "Recreate",
    },
    {
      case: "embedded suspended",
      t: tenant().suspended().build(),
      replicas: 0,
      strategy: "Recreate",
    },
    {
      case: "external, 3 replicas",
      t: tenant().external().withReplicas(3).build(),
      replicas: 3,
      strategy: "RollingUpdate",
    },
    {
      case: "external autoscaled",
      t: tenant().external().withAutoscaling(2, 5).build(),
      replicas: undefined,
      strategy: "RollingUpdate",
    },
    {
      case: "external autoscaled, suspended",
      t: tenant().external().withAutoscaling(2, 5).suspended().build(),
      replicas: 0,
      strategy: "RollingUpdate",
    },
  ])("$case: replicas $replicas, strategy $strategy", ({ t, replicas, strategy }) => {
    const d = deploymentOf(t);
    expect(d.spec?.replicas).toBe(replicas);
    expect("replicas" in d.spec!).toBe(replicas !== undefined);
    expect(d.spec?.strategy?.type).toBe(strategy);
  });

  it("passes the service its env contract in embedded mode, with DATA_DIR on the PVC", () => {
    expect(envOf(tenant("acme").build())).toEqual({
      TENANT: "acme",
      GRPC_PORT: "50051",
      HTTP_PORT: "8080",
      BRANDING_DIR: "/etc/tenant/branding",
      SERVICES: "calculator,users,counter",
      LOG_FORMAT: "json",
      DATA_DIR: "/data",
      DATA_DIR_LOCK_WAIT_MS: "45000",
    });
    const pod = deploymentOf(tenant().build()).spec!.template.spec!;
    expect(pod.volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "tenant-data" },
    });
    expect(pod.containers[0]?.volumeMounts).toContainEqual({ name: "data", mountPath: "/data" });
  });

  it("reads DATABASE_URL from the secretRef in external mode and mounts no data volume", () => {
    const env = envOf(tenant().external("pg", "url").withServices("calculator").build());
    expect(env.DATABASE_URL).toEqual({ secretKeyRef: { name: "pg", key: "url" } });
    expect(env.DATA_DIR).toBeUndefined();
    expect(env.DATA_DIR_LOCK_WAIT_MS).toBeUndefined();
    expect(env.SERVICES).toBe("calculator");
    const pod = deploymentOf(tenant().external().build()).spec!.template.spec!;
    expect(pod.volumes?.map((v) => v.name)).toEqual(["branding", "tmp"]);
  });

  it("defaults the Secret key to uri", () => {
    expect(envOf(tenant().external("pg").build()).DATABASE_URL).toEqual({
      secretKeyRef: { name: "pg", key: "uri" },
    });
  });

  it("mounts the branding ConfigMap read-only at BRANDING_DIR and a writable /tmp", () => {
    const c = containerOf(tenant().build());
    expect(c.volumeMounts).toContainEqual({
      name: "branding",
      mountPath: "/etc/tenant/branding",
      readOnly: true,
    });
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
  });

  it("probes /healthz and /readyz on the http port, and exposes http 8080 and grpc 50051", () => {
    const c = containerOf(tenant().build());
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    // Start-up may wait 45 s for a replaced pod's data directory lock: the startup probe's
    // window (period × threshold) must cover it, or the kubelet restarts the container.
    expect(c.startupProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    const window = c.startupProbe!.periodSeconds! * c.startupProbe!.failureThreshold!;
    expect(window * 1000).toBeGreaterThan(DATA_DIR_LOCK_WAIT_MS + 10_000);
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ["http", 8080],
      ["grpc", 50051],
    ]);
  });

  it("uses the configured image unless the spec names one", () => {
    expect(containerOf(tenant().build()).image).toBe("registry.example/tenant-service:1.0");
    expect(containerOf(tenant().withImage("mine:2").build()).image).toBe("mine:2");
  });

  it("sets default resources, or exactly the spec's", () => {
    expect(containerOf(tenant().build()).resources).toEqual({
      requests: { cpu: "100m", memory: "96Mi" },
      limits: { memory: "256Mi" },
    });
    const t = tenant()
      .withResources({ requests: { cpu: 1, memory: "1Gi" }, limits: { cpu: "2" } })
      .build();
    expect(containerOf(t).resources).toEqual({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { cpu: "2" },
    });
  });

  it("runs as the tenant's ServiceAccount without a token", () => {
    const pod = deploymentOf(tenant().build()).spec!.template.spec!;
    expect(pod.serviceAccountName).toBe("tenant");
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("selects its pods by immutable labels that the pod template carries", () => {
    const d = deploymentOf(tenant("acme").build());
    expect(d.spec?.selector.matchLabels).toEqual({
      "app.kubernetes.io/name": "tenant-service",
      "platform.tenancy.dev/tenant": "acme",
    });
    expect(d.spec?.template.metadata?.labels).toMatchObject(d.spec!.selector.matchLabels!);
  });
});
