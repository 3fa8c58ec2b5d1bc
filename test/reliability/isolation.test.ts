// Isolation and least privilege on EVERY rendered object of EVERY Tenant variant: a pure table
// test over renderTenant (no cluster). operator/tenant/render.test.ts checks the same policy on
// 7 hand-picked tenants; this one crosses every switch that changes what is rendered
// (database mode, replicas and autoscaling, suspend, TLS, DNS, quota, services, deletion
// policy, operator config) into 384 tenants and checks each object of each, so no combination
// can render a child that escapes the tenant's namespace, its network policy or the
// "restricted" pod security profile.
import type {
  KubernetesObject,
  V1Container,
  V1Deployment,
  V1Namespace,
  V1PodSpec,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../operator/api/types.js";
import { CHILD_KINDS, namespaceFor } from "../../operator/tenant/children.js";
import type { RenderConfig } from "../../operator/tenant/render-config.js";
import { renderTenant } from "../../operator/tenant/render.js";
import type { WireNetworkPolicy } from "../../operator/tenant/networkpolicy.js";
import {
  renderConfig,
  tenant,
  type TenantBuilder,
} from "../../operator/tenant/testing/fixtures.js";

type Switch = [label: string, apply: (b: TenantBuilder) => TenantBuilder][];

const DATABASE: Switch = [
  ["embedded", (b) => b],
  ["external", (b) => b.external("db-secret", "url")],
];
const SCALE: Switch = [
  ["1 replica", (b) => b],
  ["3 replicas", (b) => b.withReplicas(3)],
  ["autoscaled 2..6", (b) => b.withAutoscaling(2, 6, 75)],
];
const SUSPEND: Switch = [
  ["running", (b) => b],
  ["suspended", (b) => b.suspended()],
];
const EDGE: Switch = [
  ["TLS and DNS on", (b) => b.withDnsTargets("203.0.113.7").withIssuer("le")],
  ["TLS and DNS off", (b) => b.tlsDisabled().dnsDisabled()],
];
const QUOTA: Switch = [
  ["no quota", (b) => b],
  ["quota", (b) => b.withQuota({ cpu: "2", memory: "2Gi", pods: 5, storage: "5Gi" })],
];
const SERVICES: Switch = [
  ["all services", (b) => b],
  ["calculator only", (b) => b.withServices("calculator")],
];
const POLICY: Switch = [
  ["Delete", (b) => b],
  ["Retain, branded", (b) => b.retain().withBranding({ welcomeMessage: "<b>hi</b>" })],
];

const CONFIGS: [string, RenderConfig][] = [
  ["default config", renderConfig()],
  [
    "custom ingress namespace, class and pull policy",
    renderConfig({
      ingressControllerNamespace: "edge-system",
      ingressClass: "nginx",
      imagePullPolicy: "Always",
      storageClassName: "fast",
    }),
  ],
];

interface Variant {
  name: string;
  tenant: Tenant;
  config: RenderConfig;
}

const AXES = [DATABASE, SCALE, SUSPEND, EDGE, QUOTA, SERVICES, POLICY];

/** Every combination of one choice per axis, under every operator config. */
function variants(): Variant[] {
  let combos: number[][] = [[]];
  for (const axis of AXES) combos = combos.flatMap((c) => axis.map((_, i) => [...c, i]));
  return combos.flatMap((choice, n) =>
    CONFIGS.map(([configName, config], m) => {
      let b = tenant(`t${n}-${m}`);
      const labels = choice.map((i, axis) => {
        const [label, apply] = AXES[axis]![i]!;
        b = apply(b);
        return label;
      });
      return { name: [...labels, configName].join(", "), tenant: b.build(), config };
    }),
  );
}

const VARIANTS = variants();

/** Ways out of the sandbox, each a test on the pod spec that is true when the way is open. */
const POD_HATCHES: [string, (pod: V1PodSpec) => boolean][] = [
  ["hostNetwork", (p) => p.hostNetwork === true],
  ["hostPID", (p) => p.hostPID === true],
  ["hostIPC", (p) => p.hostIPC === true],
  ["service account token mounted", (p) => p.automountServiceAccountToken !== false],
  ["pod may run as root", (p) => p.securityContext?.runAsNonRoot !== true],
  [
    "pod seccomp not RuntimeDefault",
    (p) => p.securityContext?.seccompProfile?.type !== "RuntimeDefault",
  ],
  ["hostPath volume", (p) => (p.volumes ?? []).some((v) => v.hostPath)],
  ["secret volume", (p) => (p.volumes ?? []).some((v) => v.secret ?? v.projected)],
];

const CONTAINER_HATCHES: [string, (c: V1Container) => boolean][] = [
  ["privileged", (c) => c.securityContext?.privileged === true],
  ["privilege escalation", (c) => c.securityContext?.allowPrivilegeEscalation !== false],
  ["writable root filesystem", (c) => c.securityContext?.readOnlyRootFilesystem !== true],
  [
    "capabilities beyond drop ALL",
    (c) => JSON.stringify(c.securityContext?.capabilities) !== JSON.stringify({ drop: ["ALL"] }),
  ],
  [
    "seccomp not RuntimeDefault",
    (c) => c.securityContext?.seccompProfile?.type !== "RuntimeDefault",
  ],
  ["hostPort", (c) => (c.ports ?? []).some((p) => p.hostPort !== undefined)],
  [
    "DATABASE_URL as a literal value",
    (c) => (c.env ?? []).some((e) => e.name === "DATABASE_URL" && e.value !== undefined),
  ],
];

/** The open ways out of the sandbox of `pod` and its containers (empty when sealed). */
function escapeHatches(pod: V1PodSpec): string[] {
  const containers = [...(pod.initContainers ?? []), ...pod.containers];
  return [
    ...POD_HATCHES.filter(([, open]) => open(pod)).map(([label]) => label),
    ...containers.flatMap((c) =>
      CONTAINER_HATCHES.filter(([, open]) => open(c)).map(([label]) => `${c.name}: ${label}`),
    ),
  ];
}

function byKind<T extends KubernetesObject>(objects: KubernetesObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

describe(`isolation of every rendered object across ${VARIANTS.length} Tenant variants`, () => {
  it("covers the whole matrix", () => {
    expect(VARIANTS.length).toBe(2 * 3 * 2 * 2 * 2 * 2 * 2 * CONFIGS.length);
    expect(new Set(VARIANTS.map((v) => v.tenant.metadata.name)).size).toBe(VARIANTS.length);
  });

  it.each(VARIANTS.map((v) => [v.name, v] as const))("%s", (_name, { tenant: t, config }) => {
    const objects = renderTenant(t, config);
    const ns = namespaceFor(t.metadata.name!);

    // Every object is a known child, in the tenant's namespace (or is that namespace).
    for (const o of objects) {
      const kind = CHILD_KINDS.find((k) => k.kind === o.kind && k.apiVersion === o.apiVersion);
      expect(kind, `${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(kind?.namespaced ? o.metadata?.namespace : o.metadata?.name).toBe(ns);
    }
    // Nothing the operator renders is a Secret, an RBAC object or a cluster-wide grant.
    expect(objects.map((o) => o.kind)).not.toContain("Secret");
    expect(objects.filter((o) => o.apiVersion?.startsWith("rbac."))).toEqual([]);

    // The namespace enforces, audits and warns at "restricted".
    const [namespace] = byKind<V1Namespace>(objects, "Namespace");
    expect(namespace?.metadata?.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });

    // One NetworkPolicy: every pod of the namespace, ingress only from the ingress
    // controller's namespace and the tenant's own pods.
    const policies = byKind<WireNetworkPolicy>(objects, "NetworkPolicy");
    expect(policies).toHaveLength(1);
    expect(policies[0]!.spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": config.ingressControllerNamespace },
              },
            },
            { podSelector: {} },
          ],
        },
      ],
    });

    // The pod template is sandboxed whatever the spec says.
    const deployments = byKind<V1Deployment>(objects, "Deployment");
    expect(deployments).toHaveLength(1);
    expect(escapeHatches(deployments[0]!.spec!.template.spec!)).toEqual([]);

    // Reachable from outside only through the Ingresses: no NodePort or LoadBalancer.
    for (const s of byKind<V1Service>(objects, "Service")) {
      expect(s.spec?.type ?? "ClusterIP").toBe("ClusterIP");
    }
    for (const sa of byKind<V1ServiceAccount>(objects, "ServiceAccount")) {
      expect(sa.automountServiceAccountToken).toBe(false);
    }
  });
});
