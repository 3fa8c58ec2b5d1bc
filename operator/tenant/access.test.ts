import type {
  KubernetesObject,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { AccessNames, READ_RULES } from "./access.js";
import { namespaceFor } from "./children.js";
import { findDrift, needsApply } from "./drift.js";
import { renderTenant } from "./render.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

const config = renderConfig();
const alice = { kind: "User" as const, name: "alice" };
const auditors = { kind: "Group" as const, name: "auditors" };

function accessObjects(objects: KubernetesObject[]): KubernetesObject[] {
  return objects.filter((o) => o.kind === "Role" || o.kind === "RoleBinding");
}
const byName = (objects: KubernetesObject[], name: string): KubernetesObject | undefined =>
  objects.find((o) => o.metadata?.name === name);

/** Whether the rules allow `verb` on `group/resource` (named `name`, when given). */
function allows(
  rules: V1PolicyRule[],
  verb: string,
  group: string,
  resource: string,
  name?: string,
): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).includes(group) &&
      (r.resources ?? []).includes(resource) &&
      r.verbs.includes(verb) &&
      (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))),
  );
}

describe("renderAccess", () => {
  it("renders nothing without spec.access, or with empty lists", () => {
    expect(accessObjects(renderTenant(tenant().build(), config))).toEqual([]);
    const empty = tenant().withAccess({ owners: [], viewers: [] }).build();
    expect(accessObjects(renderTenant(empty, config))).toEqual([]);
  });

  it("binds owners and viewers to their Roles in the tenant's namespace only", () => {
    const objects = accessObjects(
      renderTenant(
        tenant("x")
          .withAccess({ owners: [alice], viewers: [auditors] })
          .build(),
        config,
      ),
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      `Role/${AccessNames.ownerRole}`,
      `Role/${AccessNames.viewerRole}`,
      `RoleBinding/${AccessNames.ownerBinding}`,
      `RoleBinding/${AccessNames.viewerBinding}`,
    ]);
    for (const o of objects) expect(o.metadata?.namespace).toBe(namespaceFor("x"));
    const owners = byName(objects, AccessNames.ownerBinding) as V1RoleBinding;
    expect(owners.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: AccessNames.ownerRole,
    });
    expect(owners.subjects).toEqual([
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
    ]);
    const viewers = byName(objects, AccessNames.viewerBinding) as V1RoleBinding;
    expect(viewers.subjects).toEqual([
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "auditors" },
    ]);
  });

  it("renders a ServiceAccount subject with its namespace and no apiGroup (as the server stores it)", () => {
    const sa = { kind: "ServiceAccount" as const, name: "ci", namespace: "builds" };
    const objects = renderTenant(
      tenant()
        .withAccess({ owners: [sa] })
        .build(),
      config,
    );
    const b = byName(objects, AccessNames.ownerBinding) as V1RoleBinding;
    expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: "ci", namespace: "builds" }]);
    expect(byName(objects, AccessNames.viewerRole)).toBeUndefined();
  });

  describe("owner rights", () => {
    const embedded = byName(
      renderTenant(
        tenant()
          .withAccess({ owners: [alice] })
          .build(),
        config,
      ),
      AccessNames.ownerRole,
    ) as V1Role;
    const external = byName(
      renderTenant(
        tenant()
          .external("acme-db")
          .withAccess({ owners: [alice] })
          .build(),
        config,
      ),
      AccessNames.ownerRole,
    ) as V1Role;
    const rules = external.rules ?? [];

    it.each([
      ["get", "", "pods"],
      ["list", "", "pods"],
      ["get", "", "pods/log"],
      ["create", "", "pods/portforward"],
      ["list", "", "events"],
      ["list", "events.k8s.io", "events"],
      ["list", "apps", "deployments"],
      ["get", "", "resourcequotas"],
      ["list", "rbac.authorization.k8s.io", "rolebindings"],
    ])("may %s %s/%s", (verb, group, resource) => {
      expect(allows(rules, verb, group, resource, "anything")).toBe(true);
    });

    it("may restart (patch) only the tenant's Deployment", () => {
      expect(allows(rules, "patch", "apps", "deployments", "tenant")).toBe(true);
      expect(allows(rules, "patch", "apps", "deployments", "other")).toBe(false);
    });

    it("may read only the external database Secret, by name, and no Secret when embedded", () => {
      expect(allows(rules, "get", "", "secrets", "acme-db")).toBe(true);
      expect(allows(rules, "get", "", "secrets", "tenant-http-tls")).toBe(false);
      expect(allows(rules, "list", "", "secrets", "acme-db")).toBe(false);
      expect(allows(embedded.rules ?? [], "get", "", "secrets", "acme-db")).toBe(false);
    });

    it.each([
      ["delete", "", "resourcequotas"],
      ["patch", "", "resourcequotas"],
      ["patch", "", "limitranges"],
      ["delete", "networking.k8s.io", "networkpolicies"],
      ["create", "apps", "deployments"],
      ["delete", "", "pods"],
      ["create", "", "pods/exec"],
      ["create", "rbac.authorization.k8s.io", "rolebindings"],
      ["get", "", "namespaces"],
    ])("may not %s %s/%s", (verb, group, resource) => {
      expect(allows(rules, verb, group, resource, "tenant")).toBe(false);
    });

    it("holds no wildcard", () => {
      for (const r of rules) {
        for (const v of [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs])
          expect(v).not.toBe("*");
      }
    });
  });

  describe("viewer rights", () => {
    const rules =
      (
        byName(
          renderTenant(
            tenant()
              .external("db")
              .withAccess({ viewers: [auditors] })
              .build(),
            config,
          ),
          AccessNames.viewerRole,
        ) as V1Role
      ).rules ?? [];

    it("may read what the tenant runs on", () => {
      expect(rules).toEqual(READ_RULES);
      expect(allows(rules, "list", "apps", "deployments")).toBe(true);
    });

    it.each([
      ["get", "", "secrets"],
      ["get", "", "pods/log"],
      ["create", "", "pods/portforward"],
      ["create", "apps", "deployments"],
      ["patch", "apps", "deployments"],
    ])("may not %s %s/%s", (verb, group, resource) => {
      expect(allows(rules, verb, group, resource, "db")).toBe(false);
    });
  });

  it("binds a subject listed twice once", () => {
    const objects = renderTenant(
      tenant()
        .withAccess({ owners: [alice, alice] })
        .build(),
      config,
    );
    const b = byName(objects, AccessNames.ownerBinding) as V1RoleBinding;
    expect(b.subjects).toHaveLength(1);
  });

  it("sees no drift in a binding whose subjects share a name across kinds", () => {
    const both = [
      { kind: "User" as const, name: "alice" },
      { kind: "ServiceAccount" as const, name: "alice", namespace: "ci" },
    ];
    const desired = byName(
      renderTenant(tenant().withAccess({ owners: both }).build(), config),
      AccessNames.ownerBinding,
    )!;
    const observed = structuredClone(desired);
    expect(findDrift(desired, observed)).toEqual([]);
    expect(needsApply(desired, observed)).toBe(false);
    // A subject edited by hand is drift.
    (observed as V1RoleBinding).subjects![1]!.namespace = "elsewhere";
    expect(findDrift(desired, observed).length).toBeGreaterThan(0);
  });
});
