import type { V1ServiceAccount } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/** The pods' identity; the service never calls the API server, so no token is mounted. */
export function renderServiceAccount(t: ResolvedTenant): V1ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: childMeta(t, Names.serviceAccount),
    automountServiceAccountToken: false,
  };
}
