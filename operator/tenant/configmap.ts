import type { V1ConfigMap } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/**
 * The branding files the service reads from BRANDING_DIR (one file per key). Keys the spec leaves
 * out are absent, and the service uses its own defaults. Mounted as a volume, so edits reach
 * running pods without a restart (the service reloads on change).
 */
export function renderBrandingConfigMap(t: ResolvedTenant): V1ConfigMap {
  const b = t.branding;
  const data: Record<string, string> = { displayName: b.displayName };
  if (b.primaryColor !== undefined) data.primaryColor = b.primaryColor;
  if (b.logoURL !== undefined) data.logoURL = b.logoURL;
  if (b.welcomeMessage !== undefined) data.welcomeMessage = b.welcomeMessage;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: childMeta(t, Names.brandingConfigMap),
    data,
  };
}
