// Hostile input at a RUNNING operator: invalid Tenants are refused by the API server with a
// message naming the field (the ~60 cases of test/integration/tenant-validation-cases.ts, now
// created for real with an operator watching), hostile but valid text is accepted and rendered
// as data only, and tenants whose children cannot be created (an exhausted quota, a namespace
// stuck terminating) are Degraded with a reason while tenants created after them become Ready:
// one bad tenant never blocks the queue, and the operator never crashes.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GROUP, PLURAL, VERSION, type Tenant } from "../../operator/api/types.js";
import { namespaceFor } from "../../operator/tenant/children.js";
import { Names } from "../../operator/tenant/names.js";
import { testCluster, uniqueName, useTestNamespace, waitUntil } from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import { BASE_SPEC, INVALID_CASES, type Spec } from "../integration/tenant-validation-cases.js";
import { installTenantCrd, kubectl } from "../integration/tenant-validation-helpers.js";
import { deleteTenantsAndWait, getTenant } from "../operator/testing.js";
import { startOperator, type OperatorProcess } from "../operator/operator-process.js";
import { isReady } from "./fleet.js";

vi.setConfig({ testTimeout: 180_000 });

const ns = useTestNamespace("hostile");
const HOLD = "tenant-operator.dev/rel-hold";
let kc: KubeConfig;
let operator: OperatorProcess;
let binder: VolumeBinder;
const created: string[] = [];
const heldNamespaces: string[] = [];

function manifest(name: string, spec: Spec, labels = ns.labels): Record<string, unknown> {
  const merged: Spec = { ...BASE_SPEC, host: `${name}.example.com`, ...spec };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const noSpec = merged.__noSpec === true;
  delete merged.__noSpec;
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Tenant",
    metadata: { name, labels },
    ...(noSpec ? {} : { spec: merged }),
  };
}

async function createTenant(name: string, spec: Spec): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    body: manifest(name, spec),
  });
  created.push(name);
}

const readTenant = (name: string): Promise<Tenant> => getTenant(name, kc);

async function expectReady(name: string): Promise<void> {
  await waitUntil(`tenant ${name} Ready`, async () => isReady(await readTenant(name)), 120_000);
}

/** Waits until the tenant's Degraded condition is True with `reason`; returns its message. */
async function degradedMessage(name: string, reason: string): Promise<string> {
  let message = "";
  await waitUntil(
    `tenant ${name} Degraded with ${reason}`,
    async () => {
      const t = await readTenant(name);
      const degraded = t.status?.conditions?.find((c) => c.type === "Degraded");
      const ready = t.status?.conditions?.find((c) => c.type === "Ready");
      if (degraded?.status !== "True" || degraded.reason !== reason) {
        throw new Error(`conditions: ${JSON.stringify(t.status?.conditions ?? [])}`);
      }
      message = degraded.message ?? "";
      return ready?.status === "False";
    },
    90_000,
  );
  return message;
}

/** The label selector of this file's Tenants. */
const selector = (): string => `${Object.keys(ns.labels)[0]}=${ns.name}`;

/** `kubectl get tenants -o name` of this file's Tenants. */
const storedTenants = (): ReturnType<typeof kubectl> =>
  kubectl(["get", "tenants", "-l", selector(), "-o", "name"]);

/** The operator is the one started in beforeAll, still running and ready. */
async function expectOperatorAlive(): Promise<void> {
  const exited = await Promise.race([
    operator.exited.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 100)),
  ]);
  expect(exited, operator.output().slice(-3000)).toBe(false);
  expect(await operator.readyz()).toBe(200);
  // No fatal line, and no handler that threw (errors of a bad tenant's reconcile are expected).
  const fatal = operator
    .output()
    .split("\n")
    .filter((l) => /"level":60/.test(l) || /uncaught|unhandled|handler threw/i.test(l));
  expect(fatal).toEqual([]);
}

/** The queue is not blocked: a tenant created now still becomes Ready, and the operator lives. */
async function expectQueueFlowing(prefix: string): Promise<void> {
  const next = uniqueName(prefix);
  await createTenant(next, {});
  await expectReady(next);
  await expectOperatorAlive();
}

beforeAll(async () => {
  kc = ns.kc;
  await installTenantCrd();
  binder = await startVolumeBinder(kc);
  operator = await startOperator({
    kubeconfigPath: testCluster().kubeconfigPath,
    tenantSelector: selector(),
  });
});

afterAll(async () => {
  const core = kc.makeApiClient(CoreV1Api);
  for (const held of heldNamespaces) {
    await core
      .patchNamespacedConfigMap({
        name: "hold",
        namespace: held,
        body: [{ op: "remove", path: "/metadata/finalizers" }],
      })
      .catch(() => {});
  }
  // The operator removes its finalizers: delete the tenants while it still runs.
  await deleteTenantsAndWait(selector());
  await operator?.stop();
  binder?.stop();
});

describe("hostile Tenants at a running operator", () => {
  it(`refuses each of ${INVALID_CASES.length} invalid Tenants with a message naming the field; the operator keeps running and a valid tenant created after them becomes Ready`, async () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(30);
    const refusals: string[] = [];
    for (const c of INVALID_CASES) {
      const name = c.metadataName ?? uniqueName("invalid");
      const run = await kubectl(
        ["create", "-f", "-"],
        JSON.stringify(manifest(name, c.spec ?? {})),
      );
      if (run.code === 0) {
        created.push(name);
        refusals.push(`${c.name}: ACCEPTED`);
        continue;
      }
      const missing = c.expect.filter((phrase) => !run.stderr.includes(phrase));
      if (missing.length > 0) refusals.push(`${c.name}: message lacks ${JSON.stringify(missing)}`);
    }
    expect(refusals).toEqual([]);
    const stored = await storedTenants();
    expect(stored.stdout.trim()).toBe("");

    const valid = uniqueName("after-invalid");
    await createTenant(valid, {});
    await expectReady(valid);
    await expectOperatorAlive();
  });

  it("accepts hostile but valid text (markup, template syntax, control and bidi characters, 500 characters of emoji) and renders it as ConfigMap data only", async () => {
    const texts = {
      displayName: `<img src=x onerror=alert(1)>{{ .Values.secret }}\${HOME}`,
      welcomeMessage: `</script><script>alert(document.cookie)</script>\u202e\u0000"; rm -rf / #${"🦄".repeat(120)}`,
    };
    const name = uniqueName("hostile-text");
    await createTenant(name, {
      displayName: texts.displayName,
      branding: { welcomeMessage: texts.welcomeMessage },
    });
    await expectReady(name);
    const core = kc.makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({
      name: Names.brandingConfigMap,
      namespace: namespaceFor(name),
    });
    expect(cm.data?.displayName).toBe(texts.displayName);
    expect(cm.data?.welcomeMessage).toBe(texts.welcomeMessage);
    const deployment = await kubectl([
      "get",
      "deployment",
      Names.deployment,
      "-n",
      namespaceFor(name),
      "-o",
      "json",
    ]);
    expect(deployment.code, deployment.stderr).toBe(0);
    expect(deployment.stdout).not.toContain("onerror");
    expect(deployment.stdout).not.toContain("alert(");
    await expectOperatorAlive();
  });

  it("reports a tenant whose children a ResourceQuota forbids as Degraded (QuotaExceeded) and still makes a tenant created after it Ready", async () => {
    const name = uniqueName("no-quota");
    const core = kc.makeApiClient(CoreV1Api);
    // The tenant's namespace exists already, with a quota that allows no Service at all.
    await core.createNamespace({ body: { metadata: { name: namespaceFor(name) } } });
    heldNamespaces.push(namespaceFor(name));
    await core.createNamespacedResourceQuota({
      namespace: namespaceFor(name),
      body: { metadata: { name: "no-services" }, spec: { hard: { services: "0" } } },
    });
    await waitUntil("the quota to be computed", async () => {
      const q = await core.readNamespacedResourceQuota({
        name: "no-services",
        namespace: namespaceFor(name),
      });
      return q.status?.hard !== undefined;
    });
    await createTenant(name, {});
    const message = await degradedMessage(name, "QuotaExceeded");
    expect(message).toMatch(/quota/i);

    await expectQueueFlowing("after-quota");
  });

  it("reports a tenant whose own spec.quota leaves no room for its pod as Degraded (QuotaExceeded) and still makes a tenant created after it Ready", async () => {
    const name = uniqueName("tiny-quota");
    await createTenant(name, { quota: { pods: 0 } });
    const message = await degradedMessage(name, "QuotaExceeded");
    expect(message).toMatch(/exceeded quota/);

    await expectQueueFlowing("after-tiny-quota");
  });

  it("reports a tenant whose namespace is stuck terminating as Degraded (NamespaceTerminating) and still makes a tenant created after it Ready", async () => {
    const name = uniqueName("doomed");
    const core = kc.makeApiClient(CoreV1Api);
    const doomed = namespaceFor(name);
    await core.createNamespace({ body: { metadata: { name: doomed } } });
    heldNamespaces.push(doomed);
    // A finalizer of ours keeps the namespace Terminating until afterAll lets go.
    await core.createNamespacedConfigMap({
      namespace: doomed,
      body: { metadata: { name: "hold", finalizers: [HOLD] } },
    });
    await core.deleteNamespace({ name: doomed });
    await createTenant(name, {});
    const message = await degradedMessage(name, "NamespaceTerminating");
    expect(message).toContain(doomed);

    await expectQueueFlowing("after-doomed");
  });
});
