// spec.access on the real control plane, with the built operator holding only the Helm chart's
// RBAC (no escalate, no bind): the Roles and RoleBindings it keeps in tenant-<name> give owners
// and viewers exactly the documented rights, which the API server's authorizer confirms both by
// `kubectl auth can-i --as` and by impersonated requests; a removed subject loses its access.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AccessNames } from "../../operator/tenant/access.js";
import { Names } from "../../operator/tenant/names.js";
import { useTestNamespace, waitUntil } from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import { installTenantCrd, kubectl } from "../integration/tenant-validation-helpers.js";
import { startOperatorWithChartRbac, type ChartRbacOperator } from "./chart-rbac-operator.js";
import { sumMetric } from "./operator-process.js";
import {
  applyManifest,
  deleteTenantsAndWait,
  getTenant,
  isReady,
  logTail,
  minimalTenant,
  patchTenantSpec,
  tenantNamespace,
  waitForIdleQueue,
  waitForTenant,
} from "./testing.js";
import type { Tenant } from "../../operator/api/types.js";

vi.setConfig({ testTimeout: 180_000 });

const ns = useTestNamespace("access");
let env: ChartRbacOperator;
let binder: VolumeBinder;
const selector = (): string => `${Object.keys(ns.labels)[0]}=${ns.name}`;
let x = "";
let y = "";
const DB_SECRET = "x-db";

/** `kubectl auth can-i` as someone: true for "yes". */
async function canI(who: string[], ...args: string[]): Promise<boolean> {
  const run = await kubectl(["auth", "can-i", ...who, ...args]);
  return run.stdout.trim() === "yes";
}

const alice = ["--as=alice"];
const bob = ["--as=bob", "--as-group=auditors"];

beforeAll(async () => {
  await installTenantCrd();
  binder = await startVolumeBinder(ns.kc);
  env = await startOperatorWithChartRbac(ns.name, selector());
  const tx = minimalTenant("acc-x", ns.labels);
  const ty = minimalTenant("acc-y", ns.labels);
  x = tx.metadata.name!;
  y = ty.metadata.name!;
  tx.spec.database = { mode: "external", secretRef: { name: DB_SECRET } };
  tx.spec.quota = { pods: 20 };
  tx.spec.access = {
    owners: [{ kind: "User", name: "alice" }],
    viewers: [{ kind: "Group", name: "auditors" }],
  };
  await applyManifest([tx, ty]);
  await waitUntil(`namespace ${tenantNamespace(x)}`, async () => {
    await ns.kc.makeApiClient(CoreV1Api).readNamespace({ name: tenantNamespace(x) });
    return true;
  });
  const core = ns.kc.makeApiClient(CoreV1Api);
  for (const name of [DB_SECRET, "not-for-owners"]) {
    await core.createNamespacedSecret({
      namespace: tenantNamespace(x),
      body: { metadata: { name }, stringData: { uri: "postgres://u:p@db.example.com/x" } },
    });
  }
  for (const name of [x, y]) await waitForTenant(name, isReady, "Ready");
});

afterAll(async () => {
  await deleteTenantsAndWait(selector());
  await env?.operator.stop();
  await env?.cleanUp();
  binder?.stop();
});

describe("owners and viewers, as the API server authorizes them", () => {
  it("were bound by an operator with only the chart's RBAC, without one forbidden request", async () => {
    const metrics = await env.operator.metrics();
    expect(sumMetric(metrics, "rest_client_requests_total", { code: "403" })).toBe(0);
    const bindings = await kubectl(["get", "rolebindings", "-n", tenantNamespace(x), "-o", "name"]);
    expect(bindings.stdout.split("\n").sort()).toEqual(
      expect.arrayContaining([
        `rolebinding.rbac.authorization.k8s.io/${AccessNames.ownerBinding}`,
        `rolebinding.rbac.authorization.k8s.io/${AccessNames.viewerBinding}`,
      ]),
    );
  });

  it.each([
    ["get pods in the tenant's namespace", ["get", "pods"], true],
    ["read pod logs", ["get", "pods", "--subresource=log"], true],
    ["port-forward", ["create", "pods", "--subresource=portforward"], true],
    ["list Events", ["list", "events"], true],
    ["list Deployments", ["list", "deployments.apps"], true],
    [
      "patch (restart) the tenant's Deployment",
      ["patch", `deployment.apps/${Names.deployment}`],
      true,
    ],
    ["get the database Secret by name", ["get", `secret/${DB_SECRET}`], true],
    ["get another Secret", ["get", "secret/not-for-owners"], false],
    ["list Secrets", ["list", "secrets"], false],
    ["delete ResourceQuotas", ["delete", "resourcequotas"], false],
    ["patch the LimitRange", ["patch", "limitranges"], false],
    ["delete NetworkPolicies", ["delete", "networkpolicies.networking.k8s.io"], false],
    ["create Deployments", ["create", "deployments.apps"], false],
    ["exec into pods", ["create", "pods", "--subresource=exec"], false],
    ["create RoleBindings", ["create", "rolebindings.rbac.authorization.k8s.io"], false],
  ])("alice (owner) may %s: %s", async (_what, args, allowed) => {
    expect(await canI(alice, ...args, "-n", tenantNamespace(x))).toBe(allowed);
  });

  it("gives alice nothing in another tenant's namespace and nothing cluster-scoped", async () => {
    expect(await canI(alice, "get", "pods", "-n", tenantNamespace(y))).toBe(false);
    expect(await canI(alice, "get", `namespace/${tenantNamespace(x)}`)).toBe(false);
    expect(await canI(alice, "delete", `namespace/${tenantNamespace(x)}`)).toBe(false);
    expect(await canI(alice, "list", "nodes")).toBe(false);
    expect(await canI(alice, "get", "tenants.platform.tenancy.dev")).toBe(false);
  });

  it.each([
    ["list Deployments", ["list", "deployments.apps"], true],
    ["get pods", ["get", "pods"], true],
    ["list Events", ["list", "events"], true],
    ["create Deployments", ["create", "deployments.apps"], false],
    ["patch the tenant's Deployment", ["patch", `deployment.apps/${Names.deployment}`], false],
    ["get the database Secret", ["get", `secret/${DB_SECRET}`], false],
    ["read pod logs", ["get", "pods", "--subresource=log"], false],
    ["port-forward", ["create", "pods", "--subresource=portforward"], false],
  ])("bob in group auditors (viewer) may %s: %s", async (_what, args, allowed) => {
    expect(await canI(bob, ...args, "-n", tenantNamespace(x))).toBe(allowed);
  });

  it("answers impersonated requests the same way", async () => {
    const nsx = ["-n", tenantNamespace(x)];
    const as = async (who: string[], ...args: string[]) => kubectl([...who, ...args, ...nsx]);
    const ok = async (who: string[], ...args: string[]): Promise<void> => {
      const run = await as(who, ...args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
    };
    const forbidden = async (who: string[], ...args: string[]): Promise<void> => {
      const run = await as(who, ...args);
      expect(run.code, args.join(" ")).not.toBe(0);
      expect(run.stderr, args.join(" ")).toMatch(/forbidden/i);
    };
    await ok(alice, "get", "pods");
    await ok(alice, "get", "resourcequotas");
    await ok(alice, "get", "secret", DB_SECRET);
    await forbidden(alice, "get", "secrets");
    await forbidden(alice, "get", "secret", "not-for-owners");
    await forbidden(alice, "delete", "resourcequota", "--all");
    await forbidden(alice, "delete", "networkpolicy", "--all");
    await ok(bob, "get", "deployments");
    await forbidden(bob, "create", "deployment", "intruder", "--image=busybox");
    await forbidden(bob, "get", "secret", DB_SECRET);
    const other = await kubectl([...alice, "get", "pods", "-n", tenantNamespace(y)]);
    expect(other.stderr).toMatch(/forbidden/i);
  });

  it("lets alice restart the Deployment, and the operator leaves the restart in place", async () => {
    const nsx = tenantNamespace(x);
    const run = await kubectl([
      ...alice,
      "rollout",
      "restart",
      `deployment/${Names.deployment}`,
      "-n",
      nsx,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const restartedAt = async (): Promise<string | undefined> => {
      const out = await kubectl(["get", "deployment", Names.deployment, "-n", nsx, "-o", "json"]);
      const d = JSON.parse(out.stdout) as {
        spec: { template: { metadata?: { annotations?: Record<string, string> } } };
      };
      return d.spec.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"];
    };
    const stamp = await restartedAt();
    expect(stamp).toBeDefined();
    // The Deployment's change queues the tenant; once the operator is idle again (and after a
    // full resync), the annotation must still be there.
    await waitForIdleQueue(env.operator);
    env.operator.resync();
    await waitForIdleQueue(env.operator);
    expect(await restartedAt(), logTail(env.operator)).toBe(stamp);
    expect(isReady(await getTenant(x))).toBe(true);
  });

  it("takes access away from a removed owner at the next reconcile, and all of it with spec.access", async () => {
    await patchTenantSpec(x, {
      access: {
        owners: [{ kind: "User", name: "carol" }],
        viewers: [{ kind: "Group", name: "auditors" }],
      },
    });
    await waitUntil(
      "alice to lose her access",
      async () => !(await canI(alice, "get", "pods", "-n", tenantNamespace(x))),
    );
    expect(await canI(["--as=carol"], "get", "pods", "-n", tenantNamespace(x))).toBe(true);

    await patchTenantSpec(x, { access: null } as unknown as Partial<Tenant["spec"]>);
    await waitUntil("the access Roles and RoleBindings to be pruned", async () => {
      const run = await kubectl([
        "get",
        "roles,rolebindings",
        "-n",
        tenantNamespace(x),
        "-o",
        "name",
      ]);
      return run.code === 0 && run.stdout.trim() === "";
    });
    expect(await canI(bob, "list", "deployments.apps", "-n", tenantNamespace(x))).toBe(false);
    expect(await canI(["--as=carol"], "get", "pods", "-n", tenantNamespace(x))).toBe(false);
  });
});
