/**
 * The reconcile of one Tenant, level-triggered: everything is read from the caches as they are
 * now, never from the event that queued the key; running it twice does no harm, and with nothing
 * to change it sends no write request at all.
 *
 * reconcile() answers what to do next (`requeueAfter` or wait for a change); errors are thrown
 * and turned into a backoff by errorPolicy(), so nothing here sleeps.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { API_VERSION, PLURAL, type Tenant, type TenantStatus } from "../api/types.js";
import type { Context } from "../context.js";
import { resourcePath } from "../kube/client.js";
import type { OptionalApis } from "../kube/discovery.js";
import { CHILD_KINDS, namespaceFor } from "../tenant/children.js";
import { TENANT_FINALIZER } from "../tenant/deletion.js";
import { isTenantError, TenantError } from "../tenant/errors.js";
import { Names } from "../tenant/names.js";
import { Reasons } from "../tenant/reasons.js";
import { renderTenant } from "../tenant/render.js";
import { CERT_MANAGER_CRD, DNS_CRD } from "../tenant/status.js";
import { hibernationState, msUntilTransition, type HibernationState } from "../tenant/schedule.js";
import { AbortedError, Applier } from "./apply.js";
import { kindKey, observedOf, type Caches } from "./caches.js";
import { cleanUp } from "./cleanup.js";
import { addFinalizerPatch, decideFinalizer, removeFinalizerPatch } from "./finalizer.js";
import { prune } from "./prune.js";
import { observeState, statusFor, writeStatus, type ObservedFacts } from "./status.js";

/** What to do after a successful reconcile. */
export interface Action {
  /** Reconcile again after this many ms (undefined: wait for a change). */
  requeueAfterMs?: number;
}

export const WAIT: Action = {};

/**
 * Waits on objects no informer watches (Secrets: cert-manager's TLS Secrets, the external
 * database Secret) are looked at again this often. Waits on children (a Deployment becoming
 * Available, an Ingress getting its address) need no timer: their watch events queue the
 * tenant. At a thousand tenants waiting for pods, a timer for those made most reconciles.
 */
const PENDING_RECHECK_MS = 30_000;

/** Condition reasons that wait on an unwatched object. */
const UNWATCHED_WAITS: ReadonlySet<string> = new Set([
  Reasons.DatabaseSecretMissing,
  Reasons.JwksSecretMissing,
  Reasons.CertificatePending,
]);

export class Reconciler {
  private readonly applier: Applier;

  constructor(
    private readonly ctx: Context,
    private readonly caches: Caches,
    private readonly optionalApis: OptionalApis,
    /** The clock hibernation schedules are read with (injected by tests). */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.applier = new Applier(ctx);
  }

  /** Reconciles the Tenant `name`; `signal` aborts before the next write (lost leadership). */
  async reconcile(name: string, signal?: AbortSignal): Promise<Action> {
    const cached = this.caches.tenants.get(name);
    if (!cached) return WAIT; // gone: owner references and the finalizer did the rest
    const tenant = structuredClone(cached);
    const tenantPath = resourcePath(API_VERSION, PLURAL, undefined, name);
    switch (decideFinalizer(tenant, TENANT_FINALIZER)) {
      case "none":
        return WAIT;
      case "cleanup": {
        if (signal?.aborted) throw new AbortedError("stopped before clean-up");
        await cleanUp(this.ctx, tenant);
        const patch = removeFinalizerPatch(tenant.metadata.finalizers, TENANT_FINALIZER);
        if (patch) await this.ctx.client.jsonPatch(tenantPath, patch);
        this.applier.forget(namespaceFor(name));
        this.ctx.log.info(
          { tenant: name, policy: tenant.spec.deletionPolicy ?? "Delete" },
          "tenant cleaned up",
        );
        return WAIT;
      }
      case "add": {
        if (signal?.aborted) throw new AbortedError("stopped before adding the finalizer");
        const updated = await this.ctx.client.jsonPatch<Tenant>(
          tenantPath,
          addFinalizerPatch(tenant.metadata.finalizers, TENANT_FINALIZER),
        );
        return this.applyTenant(updated, signal);
      }
      case "apply":
        return this.applyTenant(tenant, signal);
    }
  }

  private async applyTenant(tenant: Tenant, signal?: AbortSignal): Promise<Action> {
    const missingCrds = this.missingCrds();
    // The schedule is read from the clock on every reconcile: a restart, or a missed timer,
    // lands on the state the schedule says now.
    const now = this.now();
    const hibernation = tenant.spec.hibernation
      ? hibernationState(tenant.spec.hibernation, now)
      : undefined;
    const asleep = hibernation?.valid === true && hibernation.asleep;
    const { error, ...facts } = await this.applyChildren(tenant, missingCrds, asleep, signal);
    const observed = await observeState(this.ctx, this.caches, tenant, { ...facts, missingCrds });
    observed.hibernation = hibernation;
    const status = statusFor(tenant, observed, now);
    if (signal?.aborted) throw new AbortedError("stopped before writing status");
    if (await writeStatus(this.ctx, tenant, status)) {
      this.ctx.log.debug({ tenant: tenant.metadata.name }, "status written");
    }
    if (error) throw error;
    return withScheduleWakeUp(nextAction(status), tenant, hibernation, now);
  }

  /**
   * Renders, applies and prunes. A TenantError (the spec or the cluster refuses a child) is
   * returned, so the status can report it before it is thrown; anything else is thrown now.
   */
  private async applyChildren(
    tenant: Tenant,
    missingCrds: string[],
    asleep: boolean,
    signal?: AbortSignal,
  ): Promise<Omit<ObservedFacts, "missingCrds"> & { error?: TenantError }> {
    let dnsEndpointApplied: boolean | undefined;
    try {
      const all = renderTenant(tenant, this.ctx.renderConfig, {
        ingressLoadBalancer: this.ingressAddresses(tenant),
        asleep,
      });
      const desired = all.filter((o) => this.isServed(o));
      if (tenant.spec.dns?.enabled !== false && !missingCrds.includes(DNS_CRD)) {
        dnsEndpointApplied = desired.some((o) => o.kind === "DNSEndpoint");
      }
      await this.applier.applyAll(tenant, desired, (o) => observedOf(this.caches, o), signal);
      await prune(this.ctx, this.caches, tenant, desired, signal);
      return { applied: true, dnsEndpointApplied };
    } catch (err) {
      if (err instanceof AbortedError || !isTenantError(err)) throw err;
      const applyError = { reason: err.reason, message: err.message, terminal: err.terminal };
      return { applied: false, applyError, dnsEndpointApplied, error: err };
    }
  }

  /** Whether the API of this object is served (optional CRDs may be missing). */
  private isServed(obj: KubernetesObject): boolean {
    const kind = CHILD_KINDS.find((k) => kindKey(k) === kindKey(obj));
    if (!kind?.optionalCrd) return true;
    return (
      this.optionalApis.isServed({ groupVersion: kind.apiVersion, plural: kind.plural }) === true
    );
  }

  private missingCrds(): string[] {
    const missing = this.optionalApis.missing();
    return missing.filter((crd) => crd === DNS_CRD || crd === CERT_MANAGER_CRD);
  }

  /** The load balancer addresses of the tenant's HTTP Ingress: render's last DNS target fallback. */
  private ingressAddresses(tenant: Tenant): string[] | undefined {
    const ingress = this.caches.children
      .get("networking.k8s.io/v1/Ingress")
      ?.get(Names.httpIngress, namespaceFor(tenant.metadata.name ?? "")) as
      | { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } }
      | undefined;
    const addresses = (ingress?.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip ?? i.hostname)
      .filter((a): a is string => Boolean(a));
    return addresses.length > 0 ? addresses : undefined;
  }
}

/** Look again later only while a condition waits on an unwatched object; else wait for a change. */
function nextAction(status: TenantStatus): Action {
  const waiting = status.conditions?.some(
    (c) => c.status !== "True" && UNWATCHED_WAITS.has(c.reason ?? ""),
  );
  return waiting ? { requeueAfterMs: PENDING_RECHECK_MS } : WAIT;
}

/**
 * A tenant with a hibernation schedule in force is queued again just past its own next
 * transition (the workqueue's delayed add): no periodic scan of every tenant, one timer each.
 */
function withScheduleWakeUp(
  action: Action,
  tenant: Tenant,
  hibernation: HibernationState | undefined,
  now: Date,
): Action {
  if (!hibernation?.valid || tenant.spec.suspend) return action;
  const ms = msUntilTransition(hibernation.nextTransition, now);
  return { requeueAfterMs: Math.min(ms, action.requeueAfterMs ?? ms) };
}

/** How an error becomes a retry: terminal errors wait for a spec change, the rest back off. */
export function errorPolicy(err: unknown): "backoff" | "wait" {
  return isTenantError(err) && err.terminal ? "wait" : "backoff";
}

/** The reason label of an error, for metrics and logs. */
export function reasonOf(err: unknown): string {
  if (isTenantError(err)) return err.reason;
  if (err instanceof AbortedError) return "Aborted";
  return Reasons.Transient;
}
