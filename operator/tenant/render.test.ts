import type {
  KubernetesObject,
  V1Deployment,
  V1Namespace,
  V1NetworkPolicy,
  V1PodSecurityContext,
  V1SecurityContext,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import { CHILD_KINDS, LABELS, namespaceFor } from "./children.js";
import { InvalidSpecError } from "./errors.js";
import { APPLIED_HASH_ANNOTATION, hashObject } from "./hash.js";
import { renderTenant } from "./render.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

const config = renderConfig({ defaultIssuer: { name: "letsencrypt", kind: "ClusterIssuer" } });

/** Every variant of a Tenant worth rendering, with the kinds it should produce. */
const VARIANTS: { name: string; tenant: Tenant; kinds: string[] }[] = [
  {
    name: "with owners and viewers (spec.access)",
    tenant: tenant("hooli")
      .withAccess({
        owners: [{ kind: "User", name: "alice" }],
        viewers: [{ kind: "Group", name: "auditors" }],
      })
      .build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "PersistentVolumeClaim",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "Ingress",
      "Ingress",
      "Role",
      "Role",
      "RoleBinding",
      "RoleBinding",
    ],
  },
  {
    name: "plain (embedded database, one replica)",
    tenant: tenant("acme").build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "PersistentVolumeClaim",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "Ingress",
      "Ingress",
    ],
  },
  {
    name: "external database with autoscaling",
    tenant: tenant("globex").external("globex-db").withAutoscaling(2, 5).build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "Ingress",
      "Ingress",
    ],
  },
  {
    name: "external database with 3 fixed replicas",
    tenant: tenant("hooli").external().withReplicas(3).build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "PodDisruptionBudget",
      "Ingress",
      "Ingress",
    ],
  },
  {
    name: "embedded database asking for 3 replicas and autoscaling",
    tenant: tenant("initech").withReplicas(3).withAutoscaling(2, 4).build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "PersistentVolumeClaim",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "Ingress",
      "Ingress",
    ],
  },
  {
    name: "with quota and DNS targets",
    tenant: tenant("umbrella")
      .withQuota({ cpu: "2", memory: "4Gi", pods: 10, storage: "20Gi" })
      .withDnsTargets("203.0.113.10")
      .build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "PersistentVolumeClaim",
      "ResourceQuota",
      "LimitRange",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "Ingress",
      "Ingress",
      "DNSEndpoint",
    ],
  },
  {
    name: "suspended external autoscaled tenant",
    tenant: tenant("soylent").external().withAutoscaling(2, 5).suspended().build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "Ingress",
      "Ingress",
    ],
  },
  {
    name: "TLS and DNS disabled, branding, Retain",
    tenant: tenant("vandelay")
      .tlsDisabled()
      .dnsDisabled()
      .withDnsTargets("198.51.100.1")
      .withBranding({
        primaryColor: "#ff0000",
        logoURL: "https://cdn.example.com/l.svg",
        welcomeMessage: "Hi",
      })
      .retain()
      .build(),
    kinds: [
      "Namespace",
      "ServiceAccount",
      "ConfigMap",
      "PersistentVolumeClaim",
      "NetworkPolicy",
      "Service",
      "Service",
      "Deployment",
      "Ingress",
      "Ingress",
    ],
  },
];

function find<T extends KubernetesObject>(objects: KubernetesObject[], kind: string): T {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} rendered`);
  return found as T;
}

describe.each(VARIANTS)("rendering a tenant: $name", ({ tenant: t, kinds }) => {
  const objects = renderTenant(t, config);
  const name = t.metadata.name!;

  it("renders exactly the desired kinds, Namespace first", () => {
    expect(objects.map((o) => o.kind)).toEqual(kinds);
  });

  it("labels every object with managed-by and the tenant, and makes the Tenant its controlling owner", () => {
    for (const o of objects) {
      expect(o.metadata?.labels?.[LABELS.managedBy], o.kind).toBe("tenant-operator");
      expect(o.metadata?.labels?.[LABELS.tenant], o.kind).toBe(name);
      expect(o.metadata?.ownerReferences, o.kind).toEqual([
        {
          apiVersion: "platform.tenancy.dev/v1alpha1",
          kind: "Tenant",
          name,
          uid: t.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
  });

  it("puts every namespaced object in tenant-<name> and only known kinds", () => {
    for (const o of objects) {
      const kind = CHILD_KINDS.find((k) => k.kind === o.kind && k.apiVersion === o.apiVersion);
      expect(kind, `${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(o.metadata?.namespace).toBe(kind?.namespaced ? namespaceFor(name) : undefined);
    }
  });

  it("stamps each object with the hash of its content", () => {
    for (const o of objects) {
      expect(o.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).toBe(hashObject(o));
    }
  });

  it("enforces the restricted pod security profile on the namespace", () => {
    const ns = find<V1Namespace>(objects, "Namespace");
    for (const mode of ["enforce", "audit", "warn"]) {
      expect(ns.metadata?.labels?.[`pod-security.kubernetes.io/${mode}`]).toBe("restricted");
    }
  });

  it("runs the service non-root, read-only, without privilege escalation or capabilities, seccomp RuntimeDefault", () => {
    const pod = find<V1Deployment>(objects, "Deployment").spec!.template.spec!;
    expect(pod.securityContext).toMatchObject<V1PodSecurityContext>({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual<V1SecurityContext>({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
    }
  });

  it("admits ingress only from the ingress controller's namespace and from within the tenant", () => {
    const np = find<V1NetworkPolicy>(objects, "NetworkPolicy");
    expect(np.spec?.podSelector).toEqual({});
    expect(np.spec?.policyTypes).toEqual(["Ingress"]);
    expect(np.spec?.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
          },
          { podSelector: {} },
        ],
      },
    ]);
  });

  it("is deterministic: the same input gives byte-identical output", () => {
    expect(JSON.stringify(renderTenant(structuredClone(t), config))).toBe(JSON.stringify(objects));
  });

  it("does not modify the Tenant it renders", () => {
    const before = structuredClone(t);
    renderTenant(t, config);
    expect(t).toEqual(before);
  });
});

describe("renderTenant", () => {
  it("rejects a Tenant without a uid, which could not own its children", () => {
    const t = tenant().build();
    delete t.metadata.uid;
    expect(() => renderTenant(t, config)).toThrow(InvalidSpecError);
  });

  it("changes an object's hash when its content changes, and only that object's", () => {
    const before = renderTenant(tenant().build(), config);
    const after = renderTenant(tenant().withBranding({ primaryColor: "#123456" }).build(), config);
    const changed = before
      .filter(
        (o, i) =>
          o.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] !==
          after[i]?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION],
      )
      .map((o) => o.kind);
    expect(changed).toEqual(["ConfigMap"]);
  });

  it("keeps hostile branding text as ConfigMap data only: never in env, args, labels or annotations", () => {
    const evil = "$(rm -rf /) <script>alert(1)</script>\n${HOME} \"'`";
    const t = tenant().withDisplayName(evil).withBranding({ welcomeMessage: evil }).build();
    const objects = renderTenant(t, config);
    const cm = objects.find((o) => o.kind === "ConfigMap") as { data?: Record<string, string> };
    expect(cm.data).toEqual({ displayName: evil, welcomeMessage: evil });
    const elsewhere = objects.filter((o) => o.kind !== "ConfigMap").map((o) => JSON.stringify(o));
    for (const text of elsewhere) expect(text).not.toContain("alert(1)");
    for (const o of objects) {
      for (const v of Object.values({ ...o.metadata?.labels, ...o.metadata?.annotations })) {
        expect(v).not.toContain("alert(1)");
      }
    }
  });

  it("names every kind it can render in CHILD_KINDS (informers, prune and RBAC rely on it)", () => {
    const kinds = new Set(
      VARIANTS.flatMap((v) => renderTenant(v.tenant, config).map((o) => o.kind)),
    );
    kinds.add("DNSEndpoint");
    expect([...kinds].sort()).toEqual(CHILD_KINDS.map((k) => k.kind).sort());
  });
});
