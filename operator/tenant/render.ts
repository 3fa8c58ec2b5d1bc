import type { KubernetesObject } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import { renderAccess } from "./access.js";
import { renderBrandingConfigMap } from "./configmap.js";
import { renderDeployment } from "./deployment.js";
import { renderDnsEndpoint } from "./dns.js";
import { InvalidSpecError } from "./errors.js";
import { withAppliedHash } from "./hash.js";
import { renderHpa } from "./hpa.js";
import { renderIngresses } from "./ingress.js";
import { renderNamespace } from "./namespace.js";
import { renderNetworkPolicy } from "./networkpolicy.js";
import { renderPdb } from "./pdb.js";
import { renderDataPvc } from "./pvc.js";
import { renderLimitRange, renderResourceQuota } from "./quota.js";
import type { RenderConfig, RenderInputs } from "./render-config.js";
import { renderServices } from "./service.js";
import { renderServiceAccount } from "./serviceaccount.js";
import { resolveTenant } from "./spec.js";

/**
 * Every child object the Tenant should have, in apply order: the Namespace first, policy
 * (quota, limits, network policy) before the workload, then the routes to it.
 *
 * Pure and deterministic: the same inputs give deeply equal output with the same key order.
 * Only desired objects appear (no HPA without autoscaling, no PDB for one pod, no PVC with an
 * external database, no DNSEndpoint while DNS is disabled or no target is known). Every object
 * carries the tenant labels, a controlling ownerReference to the Tenant, and the
 * platform.tenancy.dev/applied-hash annotation (see hash.ts) so the runtime can skip applying
 * an object whose observed hash is the same.
 *
 * @throws InvalidSpecError when the Tenant lacks a name or uid (it never came from the API server).
 */
export function renderTenant(
  tenant: Tenant,
  config: RenderConfig,
  observed: RenderInputs = {},
): KubernetesObject[] {
  if (!tenant.metadata.name || !tenant.metadata.uid) {
    throw new InvalidSpecError("a Tenant needs metadata.name and metadata.uid to own its children");
  }
  const t = resolveTenant(tenant, config, { asleep: observed.asleep });
  const objects: (KubernetesObject | undefined)[] = [
    renderNamespace(t),
    renderServiceAccount(t),
    renderBrandingConfigMap(t),
    renderDataPvc(t),
    renderResourceQuota(t),
    renderLimitRange(t),
    renderNetworkPolicy(t, config),
    ...renderServices(t),
    renderDeployment(t, config),
    renderHpa(t),
    renderPdb(t),
    ...renderIngresses(t),
    renderDnsEndpoint(t, config, observed),
    ...renderAccess(t),
  ];
  return objects.filter((o): o is KubernetesObject => o !== undefined).map(withAppliedHash);
}
