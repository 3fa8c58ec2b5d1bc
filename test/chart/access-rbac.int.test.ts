// The operator writes the owner and viewer Roles of spec.access without the "escalate" or
// "bind" verbs, which the API server allows only when the operator's own ClusterRole holds
// every right those Roles grant. This checks that, rule by rule, against the chart as Helm
// renders it (the cluster test test/operator/access.cluster.test.ts proves it on a real API
// server). Requires the Helm binary (bash scripts/ensure-helm.sh).
import type { V1PolicyRule, V1Role } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { AccessNames } from "../../operator/tenant/access.js";
import { renderTenant } from "../../operator/tenant/render.js";
import { renderConfig, tenant } from "../../operator/tenant/testing/fixtures.js";
import { allRules, grants, renderOperatorRbac } from "./rbac.js";

/** Every (verb, group, resource) a Role rule grants. */
function grantsOf(rule: V1PolicyRule): [string, string, string][] {
  return (rule.apiGroups ?? []).flatMap((g) =>
    (rule.resources ?? []).flatMap((r) =>
      rule.verbs.map((v): [string, string, string] => [v, g, r]),
    ),
  );
}

describe("the chart's ClusterRole and the spec.access Roles", () => {
  const rbac = renderOperatorRbac();
  const clusterRules = rbac.clusterRole.rules ?? [];
  const objects = renderTenant(
    tenant("x")
      .external("x-db")
      .withAccess({
        owners: [{ kind: "User", name: "alice" }],
        viewers: [{ kind: "Group", name: "g" }],
      })
      .build(),
    renderConfig(),
  );
  const roles = objects.filter((o): o is V1Role => o.kind === "Role");

  it("renders both Roles", () => {
    expect(roles.map((r) => r.metadata?.name).sort()).toEqual(
      [AccessNames.ownerRole, AccessNames.viewerRole].sort(),
    );
  });

  it.each([AccessNames.ownerRole, AccessNames.viewerRole])(
    "holds every right of %s, so no escalate verb is needed",
    (name) => {
      const role = roles.find((r) => r.metadata?.name === name)!;
      const missing = (role.rules ?? [])
        .flatMap(grantsOf)
        .filter(([verb, group, resource]) => !grants(clusterRules, verb, group, resource));
      expect(missing).toEqual([]);
    },
  );

  it("gives the operator neither escalate nor bind", () => {
    for (const verb of ["escalate", "bind", "impersonate"]) {
      for (const r of ["roles", "clusterroles"]) {
        expect(grants(allRules(rbac), verb, "rbac.authorization.k8s.io", r), `${verb} ${r}`).toBe(
          false,
        );
      }
    }
  });
});
