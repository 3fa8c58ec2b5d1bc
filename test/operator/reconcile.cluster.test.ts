// Acceptance of issue 6 on the real local control plane: the built operator turns
// examples/tenants/acme.yaml into a running tenant (every child, with its labels and owner),
// reports Ready the way kubectl wait reads it, undoes changes made behind its back, and
// follows a host change without leaving anything under the old name.
import { describe, expect, it } from "vitest";
import type {
  KubernetesObject,
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1Namespace,
  V1PersistentVolumeClaim,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import type { Tenant } from "../../operator/api/types.js";
import { LOCAL_STORAGE_CLASS } from "../cluster/volumes.js";
import { kubectl, ROOT } from "../integration/tenant-validation-helpers.js";
import {
  applyManifest,
  certManagerInstalled,
  CHILD_KINDS,
  condition,
  DEFAULT_ISSUER,
  DNS_TARGET,
  exampleTenant,
  getObject,
  isReady,
  kubectlOk,
  listObjects,
  logTail,
  MANAGED_BY,
  namespaceSummary,
  patchTenantSpec,
  TENANT_LABEL,
  tenantNamespace,
  useOperatorEnv,
  waitForTenant,
  workSummary,
} from "./testing.js";
import { waitUntil } from "../cluster/testing.js";

const env = useOperatorEnv("reconcile");

interface DnsEndpoint extends KubernetesObject {
  spec: { endpoints: { dnsName: string; recordType: string; targets: string[] }[] };
}

/** Every object in the tenant's namespace of the kinds the operator may create, by `Kind/name`. */
async function childrenOf(name: string): Promise<Map<string, KubernetesObject>> {
  const items = await listObjects(CHILD_KINDS, tenantNamespace(name));
  return new Map(items.map((o) => [`${o.kind}/${o.metadata?.name}`, o]));
}

function expectOwnedChild(obj: KubernetesObject | undefined, tenant: Tenant): void {
  expect(obj, "child missing").toBeDefined();
  const id = `${obj!.kind}/${obj!.metadata?.name}`;
  expect(obj!.metadata?.labels?.[MANAGED_BY.key], id).toBe(MANAGED_BY.value);
  expect(obj!.metadata?.labels?.[TENANT_LABEL], id).toBe(tenant.metadata.name);
  expect(obj!.metadata?.ownerReferences, id).toEqual([
    expect.objectContaining({
      apiVersion: "platform.tenancy.dev/v1alpha1",
      kind: "Tenant",
      name: tenant.metadata.name,
      uid: tenant.metadata.uid,
      controller: true,
    }),
  ]);
}

function ingressForHost(children: Map<string, KubernetesObject>, host: string): V1Ingress {
  const found = [...children.values()].filter(
    (o): o is V1Ingress => o.kind === "Ingress" && (o as V1Ingress).spec?.rules?.[0]?.host === host,
  );
  expect(found, `one Ingress for ${host}`).toHaveLength(1);
  return found[0]!;
}

describe("the operator reconciling examples/tenants/acme.yaml", () => {
  const acme = exampleTenant("acme.yaml", env.labels);
  const name = acme.metadata.name!;
  const ns = tenantNamespace(name);
  const host = acme.spec.host;
  let stored: Tenant;

  it("installs the Tenant CRD with kubectl apply -f crds/", async () => {
    const run = await kubectl(["apply", "-f", `${ROOT}/crds/`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("tenants.platform.tenancy.dev");
    const crd = await getObject<
      KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }
    >("crd", "tenants.platform.tenancy.dev");
    expect(crd?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Established", status: "True" }),
    );
  });

  it("becomes Ready as kubectl wait --for=condition=Ready sees it, with observedGeneration, url and grpcEndpoint", async () => {
    env.track(name);
    await applyManifest(acme);
    const wait = await kubectl(
      ["wait", "--for=condition=Ready", `tenant/${name}`, "--timeout=150s"],
      undefined,
      160_000,
    );
    if (wait.code !== 0) {
      const seen = await getObject<Tenant>("tenant", name);
      expect.fail(
        `${wait.stderr.trim()}\nstatus: ${JSON.stringify(seen?.status ?? null)}\n` +
          `${await workSummary(env.op)}\n${await namespaceSummary(name)}\n${logTail(env.op)}`,
      );
    }
    expect(wait.stdout).toContain("condition met");
    stored = await waitForTenant(name, isReady, "Ready for its generation");
    expect(stored.status).toMatchObject({
      observedGeneration: stored.metadata.generation,
      url: `https://${host}`,
      grpcEndpoint: `grpc.${host}:443`,
      namespace: ns,
    });
    expect(condition(stored, "Progressing")?.status).toBe("False");
    expect(condition(stored, "Degraded")?.status).toBe("False");
  }, 200_000);

  it("applies DNS records, says they wait for external-dns and TLS for cert-manager (neither runs here), without holding back Ready", async () => {
    // This cluster has the DNSEndpoint CRD but no external-dns: nobody writes the DNSEndpoint's
    // status.observedGeneration, so the records are applied but not published (edge tests run
    // the real external-dns: test/cluster/edge/*.cluster.test.ts).
    expect(condition(stored, "DNSReady")).toMatchObject({
      status: "False",
      reason: "DNSPublishPending",
    });
    const tls = condition(stored, "TLSReady");
    if (await certManagerInstalled()) {
      expect(tls).toMatchObject({ status: "False", reason: "CertificatePending" });
    } else {
      expect(tls).toMatchObject({ status: "False", reason: "CertManagerMissing" });
      expect(tls?.message).toContain("cert-manager is not installed");
    }
    expect(condition(stored, "Ready")?.status).toBe("True");
  });

  it("creates the namespace tenant-<name> at the restricted Pod Security level, labelled and owned by the Tenant", async () => {
    const namespace = await getObject<V1Namespace>("namespace", ns);
    expectOwnedChild(namespace, stored);
    expect(namespace?.metadata?.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("creates exactly the children acme asks for, each labelled and owned by the Tenant", async () => {
    const children = [...(await childrenOf(name)).values()].filter(
      (o) => o.metadata?.labels?.[MANAGED_BY.key] === MANAGED_BY.value,
    );
    for (const child of children) expectOwnedChild(child, stored);
    // Quota and limits come with spec.quota, an HPA with autoscaling, a PDB with more than one
    // pod: acme asks for none of them (lifecycle.cluster.test.ts covers a tenant that does).
    expect(children.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual([
      "ConfigMap/branding",
      "DNSEndpoint/tenant",
      "Deployment/tenant",
      "Ingress/tenant-grpc",
      "Ingress/tenant-http",
      "NetworkPolicy/tenant-ingress",
      "PersistentVolumeClaim/tenant-data",
      "Service/tenant",
      "Service/tenant-grpc",
      "ServiceAccount/tenant",
    ]);
  });

  it("gives the pods a ServiceAccount without a token and the branding ConfigMap", async () => {
    const children = await childrenOf(name);
    const sa = children.get("ServiceAccount/tenant") as V1ServiceAccount;
    expect(sa.automountServiceAccountToken).toBe(false);
    const branding = children.get("ConfigMap/branding") as V1ConfigMap;
    expect(branding.data).toEqual({ displayName: "Acme Corp" });
  });

  it("runs one pod under the restricted security context, with /healthz and /readyz probes and resources", async () => {
    const deployment = (await childrenOf(name)).get("Deployment/tenant") as V1Deployment;
    expect(deployment.spec?.replicas).toBe(1);
    const pod = deployment.spec!.template.spec!;
    expect(pod.serviceAccountName).toBe("tenant");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const container = pod.containers[0]!;
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(container.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(container.resources?.requests).toMatchObject({ cpu: "100m", memory: "96Mi" });
    expect(container.resources?.limits).toMatchObject({ memory: "256Mi" });
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({ persistentVolumeClaim: { claimName: "tenant-data" } }),
    );
    expect(deployment.status?.availableReplicas).toBe(1);
  });

  it("keeps the embedded database on a bound claim of the configured StorageClass", async () => {
    const pvc = (await childrenOf(name)).get(
      "PersistentVolumeClaim/tenant-data",
    ) as V1PersistentVolumeClaim;
    expect(pvc.spec?.storageClassName).toBe(LOCAL_STORAGE_CLASS);
    expect(pvc.status?.phase).toBe("Bound");
  });

  it("serves http and grpc through a Service, two TLS Ingresses for host and grpc.<host>, and DNS records for both", async () => {
    const children = await childrenOf(name);
    const service = children.get("Service/tenant") as V1Service;
    expect(service.spec?.ports?.map((p) => [p.name, p.port])).toEqual([
      ["http", 80],
      ["grpc", 50051],
    ]);
    for (const [ingressHost, secret] of [
      [host, "tenant-http-tls"],
      [`grpc.${host}`, "tenant-grpc-tls"],
    ] as const) {
      const ingress = ingressForHost(children, ingressHost);
      expect(ingress.metadata?.annotations?.["cert-manager.io/cluster-issuer"]).toBe(
        DEFAULT_ISSUER.name,
      );
      expect(ingress.spec?.tls).toEqual([{ hosts: [ingressHost], secretName: secret }]);
    }
    const grpc = ingressForHost(children, `grpc.${host}`);
    expect(grpc.metadata?.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"]).toBe(
      "GRPC",
    );
    const dns = children.get("DNSEndpoint/tenant") as DnsEndpoint;
    expect(dns.spec.endpoints.map((e) => [e.dnsName, e.recordType, e.targets])).toEqual([
      [host, "A", [DNS_TARGET]],
      [`grpc.${host}`, "A", [DNS_TARGET]],
    ]);
    const policy = children.get("NetworkPolicy/tenant-ingress") as KubernetesObject & {
      spec?: { policyTypes?: string[] };
    };
    expect(policy.spec?.policyTypes).toEqual(["Ingress"]);
  });

  it("routes grpc.<host> to a Service of the grpc port alone, h2c (Traefik picks the scheme per Service)", async () => {
    const children = await childrenOf(name);
    const grpc = ingressForHost(children, `grpc.${host}`);
    expect(grpc.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe("tenant-grpc");
    const service = children.get("Service/tenant-grpc") as V1Service;
    expect(service.spec?.ports?.map((p) => [p.name, p.port, p.appProtocol])).toEqual([
      ["grpc", 50051, "kubernetes.io/h2c"],
    ]);
    expect(
      service.metadata?.annotations?.["traefik.ingress.kubernetes.io/service.serversscheme"],
    ).toBe("h2c");
  });

  it("recreates the Service after someone deletes it", async () => {
    const before = await getObject<V1Service>("service", "tenant", ns);
    await kubectlOk(["delete", "service", "tenant", "-n", ns, "--wait=true"]);
    await waitUntil("the Service to come back", async () => {
      const now = await getObject<V1Service>("service", "tenant", ns);
      return now !== undefined && now.metadata?.uid !== before?.metadata?.uid;
    });
    const restored = await getObject<V1Service>("service", "tenant", ns);
    expectOwnedChild(restored, stored);
    expect(restored?.spec?.ports?.map((p) => p.name)).toEqual(["http", "grpc"]);
  });

  it("scales the Deployment back to its replica count after kubectl scale", async () => {
    const before = await getObject<V1Deployment>("deployment", "tenant", ns);
    await kubectlOk(["scale", "deployment", "tenant", "-n", ns, "--replicas=3"]);
    // Scaled (generation +1) and then restored (+1 again): the operator undid it.
    await waitUntil("the Deployment to be back at 1 replica", async () => {
      const now = await getObject<V1Deployment>("deployment", "tenant", ns);
      return (
        (now?.metadata?.generation ?? 0) >= (before?.metadata?.generation ?? 0) + 2 &&
        now?.spec?.replicas === 1
      );
    });
    await waitForTenant(name, isReady, "Ready again");
  });

  it("restores the branding ConfigMap after someone edits it", async () => {
    const edited = JSON.parse(
      await kubectlOk([
        "patch",
        "configmap",
        "branding",
        "-n",
        ns,
        "--type=merge",
        "-p",
        JSON.stringify({ data: { displayName: "Hacked", extra: "x" } }),
        "-o",
        "json",
      ]),
    ) as V1ConfigMap;
    expect(edited.data?.displayName).toBe("Hacked");
    await waitUntil("the branding ConfigMap to be restored", async () => {
      const now = await getObject<V1ConfigMap>("configmap", "branding", ns);
      return (
        Number(now?.metadata?.resourceVersion) > Number(edited.metadata?.resourceVersion) &&
        now?.data?.displayName === "Acme Corp"
      );
    });
  });

  it("moves the Ingresses, DNS records and TLS to a new host and leaves nothing under the old one", async () => {
    const newHost = `moved-${host}`;
    const patched = await patchTenantSpec(name, { host: newHost });
    const ready = await waitForTenant(
      name,
      (t) => isReady(t) && t.metadata.generation === patched.metadata.generation,
      "Ready for the new host",
    );
    expect(ready.status).toMatchObject({
      url: `https://${newHost}`,
      grpcEndpoint: `grpc.${newHost}:443`,
    });
    const children = await childrenOf(name);
    for (const ingressHost of [newHost, `grpc.${newHost}`]) {
      const ingress = ingressForHost(children, ingressHost);
      expect(ingress.spec?.tls?.[0]?.hosts).toEqual([ingressHost]);
    }
    const dns = children.get("DNSEndpoint/tenant") as DnsEndpoint;
    expect(dns.spec.endpoints.map((e) => e.dnsName)).toEqual([newHost, `grpc.${newHost}`]);
    expect(condition(ready, "DNSReady")?.message).toContain(newHost);

    // Nothing anywhere in the cluster still names the old host (the new one contains it, so
    // compare whole names).
    const everywhere = JSON.parse(
      await kubectlOk([
        "get",
        "ingresses.networking.k8s.io,dnsendpoints.externaldns.k8s.io",
        "-A",
        "-o",
        "json",
      ]),
    ) as { items: (V1Ingress | DnsEndpoint)[] };
    const names = everywhere.items.flatMap((o) =>
      o.kind === "Ingress"
        ? [
            ...((o as V1Ingress).spec?.rules ?? []).map((r) => r.host),
            ...((o as V1Ingress).spec?.tls ?? []).flatMap((t) => t.hosts ?? []),
          ]
        : (o as DnsEndpoint).spec.endpoints.map((e) => e.dnsName),
    );
    expect(names).toContain(newHost);
    expect(names).not.toContain(host);
    expect(names).not.toContain(`grpc.${host}`);
  });
});
