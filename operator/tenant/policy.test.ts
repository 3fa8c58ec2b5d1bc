import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import { renderHpa } from "./hpa.js";
import { renderPdb } from "./pdb.js";
import { renderDataPvc } from "./pvc.js";
import { renderLimitRange, renderResourceQuota } from "./quota.js";
import { renderBrandingConfigMap } from "./configmap.js";
import { renderServices, TRAEFIK_SERVERS_SCHEME_ANNOTATION } from "./service.js";
import { renderServiceAccount } from "./serviceaccount.js";
import { resolveTenant } from "./spec.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

const config = renderConfig();
const resolved = (t: Tenant) => resolveTenant(t, config);

describe("the HorizontalPodAutoscaler and PodDisruptionBudget", () => {
  it.each([
    { case: "plain", t: tenant().build(), hpa: false, pdb: false },
    {
      case: "embedded with autoscaling",
      t: tenant().withAutoscaling(2, 5).build(),
      hpa: false,
      pdb: false,
    },
    { case: "external, 1 replica", t: tenant().external().build(), hpa: false, pdb: false },
    {
      case: "external, 2 replicas",
      t: tenant().external().withReplicas(2).build(),
      hpa: false,
      pdb: true,
    },
    {
      case: "external autoscaled 1..1",
      t: tenant().external().withAutoscaling(1, 1).build(),
      hpa: true,
      pdb: false,
    },
    {
      case: "external autoscaled 1..4",
      t: tenant().external().withAutoscaling(1, 4).build(),
      hpa: true,
      pdb: true,
    },
    {
      case: "external autoscaled, suspended",
      t: tenant().external().withAutoscaling(2, 4).suspended().build(),
      hpa: false,
      pdb: false,
    },
  ])("$case: HPA $hpa, PDB $pdb", ({ t, hpa, pdb }) => {
    expect(renderHpa(resolved(t)) !== undefined).toBe(hpa);
    expect(renderPdb(resolved(t)) !== undefined).toBe(pdb);
  });

  it("scales the Deployment on CPU with the spec's bounds and target (default 60%)", () => {
    expect(renderHpa(resolved(tenant().external().withAutoscaling(2, 7).build()))?.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "tenant" },
      minReplicas: 2,
      maxReplicas: 7,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
        },
      ],
    });
    const custom = renderHpa(resolved(tenant().external().withAutoscaling(2, 7, 80).build()));
    expect(custom?.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(80);
  });

  it("lets one pod at a time be disrupted", () => {
    expect(
      renderPdb(resolved(tenant().external().withReplicas(3).build()))?.spec?.maxUnavailable,
    ).toBe(1);
  });
});

describe("the ResourceQuota and LimitRange", () => {
  it("exist only when spec.quota says something", () => {
    expect(renderResourceQuota(resolved(tenant().build()))).toBeUndefined();
    expect(renderLimitRange(resolved(tenant().build()))).toBeUndefined();
    expect(renderResourceQuota(resolved(tenant().withQuota({}).build()))).toBeUndefined();
  });

  it("caps requests, pods and storage", () => {
    const t = tenant().withQuota({ cpu: 2, memory: "4Gi", pods: 10, storage: "20Gi" }).build();
    expect(renderResourceQuota(resolved(t))?.spec?.hard).toEqual({
      "requests.cpu": "2",
      "requests.memory": "4Gi",
      pods: "10",
      "requests.storage": "20Gi",
    });
    expect(renderLimitRange(resolved(t))?.spec?.limits).toEqual([
      {
        type: "Container",
        defaultRequest: { cpu: "100m", memory: "96Mi" },
        default: { memory: "256Mi" },
      },
    ]);
  });
});

describe("the data PVC", () => {
  it("exists only with the embedded database", () => {
    expect(renderDataPvc(resolved(tenant().external().build()))).toBeUndefined();
    expect(renderDataPvc(resolved(tenant().build()))?.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
    });
  });

  it("takes size and class from the spec", () => {
    expect(renderDataPvc(resolved(tenant().withStorage("5Gi", "fast").build()))?.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "fast",
      resources: { requests: { storage: "5Gi" } },
    });
  });
});

describe("the small children", () => {
  it("ServiceAccount mounts no token", () => {
    expect(renderServiceAccount(resolved(tenant().build())).automountServiceAccountToken).toBe(
      false,
    );
  });

  it("Service tenant maps http 80 to the http port and grpc 50051 to the grpc port, with no proxy scheme for the whole Service", () => {
    const [main] = renderServices(resolved(tenant().build()));
    expect(main?.metadata?.name).toBe("tenant");
    expect(main?.spec?.ports?.map((p) => [p.name, p.port, p.targetPort, p.appProtocol])).toEqual([
      ["http", 80, "http", undefined],
      ["grpc", 50051, "grpc", "kubernetes.io/h2c"],
    ]);
    // Traefik applies its scheme annotation to every port: h2c here would break the HTTP/1.1 port.
    expect(main?.metadata?.annotations?.[TRAEFIK_SERVERS_SCHEME_ANNOTATION]).toBeUndefined();
  });

  it("Service tenant-grpc carries the grpc port alone, h2c for Traefik (annotation) and for appProtocol readers", () => {
    const [main, grpc] = renderServices(resolved(tenant().build()));
    expect(grpc?.metadata?.name).toBe("tenant-grpc");
    expect(grpc?.spec?.selector).toEqual(main?.spec?.selector);
    expect(grpc?.spec?.ports).toEqual([
      {
        name: "grpc",
        port: 50051,
        targetPort: "grpc",
        protocol: "TCP",
        appProtocol: "kubernetes.io/h2c",
      },
    ]);
    expect(grpc?.metadata?.annotations).toEqual({
      "traefik.ingress.kubernetes.io/service.serversscheme": "h2c",
    });
  });

  it("branding ConfigMap carries displayName and only the branding keys that are set", () => {
    expect(
      renderBrandingConfigMap(resolved(tenant().withDisplayName("Acme").build())).data,
    ).toEqual({
      displayName: "Acme",
    });
    const b = {
      primaryColor: "#112233",
      logoURL: "https://x.example/l.png",
      welcomeMessage: "<b>hi</b>",
    };
    expect(
      renderBrandingConfigMap(resolved(tenant().withDisplayName("A").withBranding(b).build())).data,
    ).toEqual({
      displayName: "A",
      ...b,
    });
    expect(renderBrandingConfigMap(resolved(tenant().build())).metadata?.name).toBe("branding");
  });
});
