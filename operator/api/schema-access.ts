/**
 * spec.access: who may look at (viewers) and operate (owners) the tenant's namespace. The
 * operator turns each list into one RoleBinding in tenant-<name> (operator/tenant/access.ts);
 * the rights of each list are fixed by the operator and documented in the README.
 */
import { obj, str } from "./schema-helpers.js";
import type { SchemaProps } from "./schema-types.js";

/**
 * At most this many subjects per list (bounds CEL's cost and the RoleBinding's size). A subject
 * listed twice is bound once: a CEL uniqueness rule over the list costs more than the API server's
 * budget allows.
 */
export const MAX_SUBJECTS = 32;

function subject(field: string): SchemaProps {
  return obj(
    "An RBAC subject: a user or group as the cluster's authenticator names them, or a " +
      "ServiceAccount (with its namespace).",
    {
      kind: str("User, Group or ServiceAccount.", 14, {
        enum: ["User", "Group", "ServiceAccount"],
      }),
      name: str("Name of the user, group or ServiceAccount, e.g. alice@example.com.", 253, {
        minLength: 1,
      }),
      namespace: str("Namespace of the ServiceAccount (only for kind ServiceAccount).", 63, {
        minLength: 1,
      }),
    },
    {
      required: ["kind", "name"],
      "x-kubernetes-validations": [
        {
          rule: "self.kind != 'ServiceAccount' || has(self.namespace)",
          message: `${field} entries of kind ServiceAccount must set namespace`,
          fieldPath: ".namespace",
          reason: "FieldValueRequired",
        },
        {
          rule: "self.kind == 'ServiceAccount' || !has(self.namespace)",
          message: `${field} entries of kind User or Group must not set namespace (users and groups are not namespaced)`,
          fieldPath: ".namespace",
          reason: "FieldValueForbidden",
        },
      ],
    },
  );
}

function subjects(field: string, who: string): SchemaProps {
  return {
    type: "array",
    description: who,
    maxItems: MAX_SUBJECTS,
    "x-kubernetes-list-type": "atomic",
    items: subject(field),
  };
}

export const accessSchema: SchemaProps = obj(
  "Who may use the tenant's namespace tenant-<name>, through RoleBindings the operator keeps " +
    "there (and nowhere else). Removing a subject removes its access at the next reconcile.",
  {
    owners: subjects(
      "spec.access.owners",
      "Operate the tenant: read everything in its namespace (Secrets: only the external " +
        "database Secret), read pod logs, port-forward, kubectl rollout restart of the " +
        "tenant's Deployment. No other writes.",
    ),
    viewers: subjects(
      "spec.access.viewers",
      "Read-only: everything in the namespace except Secrets and pod logs.",
    ),
  },
);
