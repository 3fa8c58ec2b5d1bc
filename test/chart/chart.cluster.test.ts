// The chart and the GitOps examples against a real API server (the local control plane):
// the rendered chart is accepted by `kubectl apply --server-side`, its pod template passes
// the `restricted` Pod Security admission, the RBAC it grants is what the operator needs and
// no more, and the GitOps kustomization renders Tenants the API server accepts.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { kubectlAt } from "../cluster/kubectl.js";
import { testCluster, uniqueName, useTestNamespace } from "../cluster/testing.js";
import {
  CHART_DIR,
  findOne,
  parseManifests,
  REPO_ROOT,
  renderChart,
  type Manifest,
} from "./helm.js";

interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the cluster's kubectl against the run's cluster; never throws on a non-zero exit. */
function kubectl(args: string[], input?: string): KubectlResult {
  const { binDir, kubeconfigPath } = testCluster();
  const result = spawnSync(
    path.join(binDir, "kubectl"),
    ["--kubeconfig", kubeconfigPath, ...args],
    {
      cwd: REPO_ROOT,
      input,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function toYamlStream(manifests: Manifest[]): string {
  return manifests.map((m) => yaml.dump(m)).join("---\n");
}

interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Asks the API server's authorizer (a SubjectAccessReview) whether `user` may do this. */
function accessReview(user: string, access: Access): boolean {
  const review = {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user, resourceAttributes: access },
  };
  const result = kubectl(["create", "-o", "json", "-f", "-"], JSON.stringify(review));
  if (result.status !== 0) throw new Error(`SubjectAccessReview failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { status: { allowed?: boolean } }).status.allowed === true;
}

const FIELD_MANAGER = "tenant-operator-chart-test";

describe("the Helm chart on a real API server", () => {
  const ns = useTestNamespace("chart");
  let release = "";
  let manifests: Manifest[] = [];

  beforeAll(() => {
    release = uniqueName("chart");
    manifests = renderChart({
      releaseName: release,
      namespace: ns.name,
      includeCrds: true,
      // Applied to be validated, never to run: an operator pod started from these default values
      // (no tenant selector, the default StorageClass and placement) would reconcile every other
      // file's Tenants on the shared cluster and fight their own operators (a flake seen as a PVC
      // whose class "cannot change"). So no replica, and a selector no Tenant carries.
      values: { operator: { tenantSelector: "tenant-operator.dev/test=chart-never-matches" } },
      set: { "podDisruptionBudget.enabled": true, replicaCount: 0 },
    });
  });

  afterAll(() => {
    // Cluster-scoped objects outlive the test namespace; the shared CRD stays for other files.
    if (release)
      kubectl([
        "delete",
        "clusterrole,clusterrolebinding",
        `${release}-tenant-operator`,
        "--ignore-not-found",
      ]);
  });

  it("accepts every rendered object with kubectl apply --server-side", () => {
    const result = kubectl(
      [
        "apply",
        "--server-side",
        "--force-conflicts",
        `--field-manager=${FIELD_MANAGER}`,
        "-f",
        "-",
      ],
      toYamlStream(manifests),
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const m of manifests) {
      expect(result.stdout).toContain(`${m.metadata.name} serverside-applied`);
    }
    // Every object is there, read back from the API server.
    const got = kubectl(["get", "-f", "-", "-o", "name"], toYamlStream(manifests));
    expect(got.stderr).toBe("");
    expect(got.stdout.trim().split("\n")).toHaveLength(manifests.length);
  });

  it("admits the operator's pod under the restricted Pod Security Standard", () => {
    kubectl([
      "label",
      "namespace",
      ns.name,
      "pod-security.kubernetes.io/enforce=restricted",
      "--overwrite",
    ]);
    const deployment = findOne(manifests, "Deployment") as unknown as {
      spec: { template: { spec: Record<string, unknown> } };
    };
    const pod = (patch: (spec: { containers: Record<string, unknown>[] }) => void): string => {
      const spec = structuredClone(deployment.spec.template.spec) as {
        containers: Record<string, unknown>[];
      };
      patch(spec);
      return yaml.dump({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "psa-check", namespace: ns.name },
        spec,
      });
    };
    const accepted = kubectl(
      ["create", "--dry-run=server", "-f", "-"],
      pod(() => {}),
    );
    expect(accepted.stderr).toBe("");
    expect(accepted.status).toBe(0);
    // Control: the same pod allowing privilege escalation is refused, so the check has teeth.
    const refused = kubectl(
      ["create", "--dry-run=server", "-f", "-"],
      pod((spec) => {
        spec.containers[0]!.securityContext = { allowPrivilegeEscalation: true };
      }),
    );
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("violates PodSecurity");
  });

  it("grants the operator's ServiceAccount what it needs and nothing else", () => {
    const sa = findOne(manifests, "ServiceAccount").metadata.name;
    const allowed = (
      verb: string,
      resource: string,
      group = "",
      extra: Partial<Access> = {},
    ): boolean =>
      accessReview(`system:serviceaccount:${ns.name}:${sa}`, { verb, resource, group, ...extra });
    const inTenant = { namespace: "tenant-anything" };
    expect(allowed("patch", "deployments", "apps", inTenant)).toBe(true);
    expect(allowed("delete", "networkpolicies", "networking.k8s.io", inTenant)).toBe(true);
    expect(allowed("create", "dnsendpoints", "externaldns.k8s.io", inTenant)).toBe(true);
    expect(allowed("watch", "tenants", "platform.tenancy.dev")).toBe(true);
    expect(allowed("patch", "tenants", "platform.tenancy.dev", { subresource: "status" })).toBe(
      true,
    );
    const lease = { namespace: ns.name, name: `${release}-tenant-operator` };
    expect(allowed("update", "leases", "coordination.k8s.io", lease)).toBe(true);
    expect(
      allowed("update", "leases", "coordination.k8s.io", { ...lease, name: "someone-else" }),
    ).toBe(false);
    expect(allowed("create", "leases", "coordination.k8s.io", { namespace: "kube-system" })).toBe(
      false,
    );
    expect(allowed("get", "secrets", "", inTenant)).toBe(true);
    expect(allowed("list", "secrets", "", inTenant)).toBe(false);
    expect(allowed("create", "pods", "", inTenant)).toBe(false);
    expect(allowed("create", "clusterroles", "rbac.authorization.k8s.io")).toBe(false);
    expect(allowed("delete", "tenants", "platform.tenancy.dev")).toBe(false);
  });

  it("lets the operator's ServiceAccount create, re-apply and prune a child with server-side apply", () => {
    const as = `--as=system:serviceaccount:${ns.name}:${findOne(manifests, "ServiceAccount").metadata.name}`;
    const child = (data: Record<string, string>) =>
      yaml.dump({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "branding", namespace: ns.name },
        data,
      });
    const apply = (body: string) =>
      kubectl(
        [
          "apply",
          as,
          "--server-side",
          "--field-manager=tenant-operator",
          "--force-conflicts",
          "-f",
          "-",
        ],
        body,
      );
    const created = apply(child({ primaryColor: "#112233" }));
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const changed = apply(child({ primaryColor: "#445566" }));
    expect(changed.status, changed.stderr).toBe(0);
    const pruned = kubectl(["delete", as, "configmap", "branding", "-n", ns.name]);
    expect(pruned.status, pruned.stderr).toBe(0);
    // Control: a kind the operator never writes is refused to the same identity.
    const secret = kubectl([
      "create",
      as,
      "secret",
      "generic",
      "nope",
      "-n",
      ns.name,
      "--from-literal=a=b",
    ]);
    expect(secret.status).not.toBe(0);
    expect(secret.stderr).toContain("forbidden");
  });
});

describe("the GitOps example on a real API server", () => {
  it("renders Tenants that the API server accepts (server-side dry run)", async () => {
    const rendered = kubectl(["kustomize", "examples/gitops"]);
    expect(rendered.stderr).toBe("");
    const tenants = parseManifests(rendered.stdout);
    expect(tenants.map((t) => t.kind)).toEqual(["Tenant", "Tenant", "Tenant"]);
    // The chart's copy of the CRD (identical to crds/, see crds.test.ts), applied here too so
    // this test does not depend on the order of the tests above.
    const crd = kubectl(
      [
        "apply",
        "--server-side",
        "--force-conflicts",
        `--field-manager=${FIELD_MANAGER}`,
        "-f",
        path.join(CHART_DIR, "crds"),
      ],
      undefined,
    );
    expect(crd.stderr).toBe("");
    expect(crd.status).toBe(0);
    // kubectlAt: a wait on a CRD whose status has no conditions yet is tried again.
    const { binDir, kubeconfigPath } = testCluster();
    const established = await kubectlAt(
      binDir,
      kubeconfigPath,
      ["wait", "--for=condition=Established", "crd/tenants.platform.tenancy.dev", "--timeout=60s"],
      undefined,
      70_000,
    );
    expect(established.code, established.stderr).toBe(0);
    const dryRun = kubectl(
      ["apply", "--server-side", "--dry-run=server", "-f", "-"],
      rendered.stdout,
    );
    expect(dryRun.stderr).toBe("");
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toContain(
      "tenant.platform.tenancy.dev/contoso serverside-applied (server dry run)",
    );
  });
});
