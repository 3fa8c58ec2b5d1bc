/**
 * The Tenant's status as a pure function of what one reconcile observed. Ready, Progressing and
 * Degraded come from an ordered list of small checks (the first that has something to say
 * wins), so the conditions are kstatus-compatible: Ready=True only when every child is applied
 * and the Deployment is Available (with an HPA, at minReplicas at least); Progressing=True
 * while work is under way; Degraded=True when something needs a person. DNSReady and TLSReady
 * report the optional integrations and never hold back Ready.
 */
import type { V1Deployment } from "@kubernetes/client-node";
import type { Tenant, TenantStatus } from "../api/types.js";
import { isQuotaRefusal } from "./errors.js";
import { canonicalJson } from "./hash.js";
import { ConditionTypes, mergeConditions, type ConditionVerdict } from "./conditions.js";
import { Reasons, type Reason } from "./reasons.js";
import { dnsVerdict, tlsVerdict } from "./status-integrations.js";
import { asleepMessage, hibernatingVerdict, hibernationStatus } from "./status-hibernation.js";
import type { HibernationState } from "./schedule.js";
import { namespaceFor } from "./children.js";
import { Names, grpcHostFor } from "./names.js";
import { autoscalingMinimum, usesEmbeddedDatabase } from "./spec.js";

export { Reasons, type Reason } from "./reasons.js";
export { ConditionTypes } from "./conditions.js";

/** What the runtime observed during one reconcile; the only input of computeStatus besides the Tenant. */
export interface ObservedState {
  /** metadata.generation of the Tenant that was reconciled. */
  generation: number;
  /** Every desired child was applied (or already up to date). */
  applied: boolean;
  /** Why applying failed; `terminal` errors (InvalidSpec) are not retried. */
  applyError?: { reason: Reason; message: string; terminal?: boolean };
  /** The tenant's Deployment as last observed (undefined: not found yet). */
  deployment?: V1Deployment;
  /**
   * status.phase of the embedded database's claim as last observed (undefined: no claim, as in
   * external mode, or not observed yet).
   */
  dataClaimPhase?: string;
  /** CRDs found missing, e.g. "dnsendpoints.externaldns.k8s.io", "certificates.cert-manager.io". */
  missingCrds: string[];
  /**
   * cert-manager reports the tenant's Certificates Ready for the current host names and the TLS
   * Secrets they fill exist (undefined: not looked at).
   */
  tlsSecretReady?: boolean;
  /** The operator has a default issuer (RenderConfig.defaultIssuer); used when the spec names none. */
  defaultIssuerConfigured?: boolean;
  /** The zones external-dns manages (RenderConfig.dnsZones); empty or undefined: not known. */
  dnsZones?: string[];
  /** External mode: the database Secret exists with its key (undefined: not looked at). */
  databaseSecretReady?: boolean;
  /** spec.auth.jwt.jwksSecretRef: the Secret holds a JSON Web Key Set under its key (undefined: not looked at). */
  jwksSecretReady?: boolean;
  /**
   * A DNSEndpoint was among the rendered objects and applied; false when render left it out
   * because no DNS target is known yet (undefined: unknown).
   */
  dnsEndpointApplied?: boolean;
  /** The hibernation schedule's verdict for now (undefined: no spec.hibernation). */
  hibernation?: HibernationState;
  /**
   * external-dns has taken the applied DNSEndpoint, as it is now, into its records: its crd
   * source wrote status.observedGeneration equal to the object's generation (undefined: not
   * looked at).
   */
  dnsEndpointPublished?: boolean;
}

export { CERT_MANAGER_CRD, DNS_CRD } from "./status-integrations.js";

interface Verdicts {
  ready: ConditionVerdict;
  progressing: ConditionVerdict;
  degraded: ConditionVerdict;
}

const NOT_PROGRESSING: ConditionVerdict = {
  status: "False",
  reason: Reasons.AsExpected,
  message: "",
};
const NOT_DEGRADED: ConditionVerdict = { status: "False", reason: Reasons.AsExpected, message: "" };

function inProgress(reason: Reason, message: string): Verdicts {
  return {
    ready: { status: "False", reason, message },
    progressing: { status: "True", reason, message },
    degraded: NOT_DEGRADED,
  };
}

function failed(reason: Reason, message: string): Verdicts {
  return {
    ready: { status: "False", reason, message },
    progressing: NOT_PROGRESSING,
    degraded: { status: "True", reason, message },
  };
}

type Check = (tenant: Tenant, observed: ObservedState) => Verdicts | undefined;

const deleting: Check = (tenant) =>
  tenant.metadata.deletionTimestamp
    ? inProgress(Reasons.Deleting, "the tenant is being deleted")
    : undefined;

const applyFailed: Check = (_tenant, o) => {
  if (!o.applyError) return undefined;
  const { reason, message, terminal } = o.applyError;
  const verdict = failed(reason, message);
  // A transient failure is retried with backoff: still progressing. A terminal one waits for a spec change.
  return terminal ? verdict : { ...verdict, progressing: { status: "True", reason, message } };
};

const databaseSecret: Check = (tenant, o) => {
  const ref = tenant.spec.database?.secretRef;
  if (tenant.spec.database?.mode !== "external" || !ref || o.databaseSecretReady !== false)
    return undefined;
  const ns = namespaceFor(tenant.metadata.name ?? "");
  return failed(
    Reasons.DatabaseSecretMissing,
    `Secret ${ns}/${ref.name} with key "${ref.key ?? "uri"}" (the PostgreSQL URI) does not exist`,
  );
};

/** Without its key set the service refuses every API call (and stays unready): a person must act. */
const jwksSecret: Check = (tenant, o) => {
  const ref = tenant.spec.auth?.jwt?.jwksSecretRef;
  if (!ref || tenant.spec.auth?.jwt?.jwksURL || o.jwksSecretReady !== false) return undefined;
  const ns = namespaceFor(tenant.metadata.name ?? "");
  return failed(
    Reasons.JwksSecretMissing,
    `Secret ${ns}/${ref.name} has no key "${ref.key ?? "jwks.json"}" holding a JSON Web Key Set ` +
      '({"keys": [...]}) for spec.auth.jwt: the service cannot check tokens and refuses every API call',
  );
};

const notApplied: Check = (_tenant, o) =>
  o.applied ? undefined : inProgress(Reasons.Reconciling, "applying the tenant's objects");

const suspended: Check = (tenant) =>
  tenant.spec.suspend
    ? {
        ready: {
          status: "True",
          reason: Reasons.Suspended,
          message: "suspended: scaled to zero pods",
        },
        progressing: NOT_PROGRESSING,
        degraded: NOT_DEGRADED,
      }
    : undefined;

/** A schedule the cron library refuses: Degraded until the spec changes (the tenant stays awake). */
const invalidSchedule: Check = (tenant, o) =>
  tenant.spec.hibernation && !tenant.spec.suspend && o.hibernation && !o.hibernation.valid
    ? failed(Reasons.InvalidSchedule, o.hibernation.message)
    : undefined;

/** Asleep on schedule: Ready, like suspended (see status-hibernation.ts for why). */
const hibernating: Check = (tenant, o) =>
  tenant.spec.hibernation && o.hibernation?.valid && o.hibernation.asleep
    ? {
        ready: {
          status: "True",
          reason: Reasons.Hibernating,
          message: asleepMessage(o.hibernation),
        },
        progressing: NOT_PROGRESSING,
        degraded: NOT_DEGRADED,
      }
    : undefined;

function deploymentCondition(d: V1Deployment, type: string): { status?: string; reason?: string } {
  return d.status?.conditions?.find((c) => c.type === type) ?? {};
}

/**
 * The Deployment controller reports pods its ReplicaSet could not create as ReplicaFailure at
 * once, long before the progress deadline. When a ResourceQuota is the cause (the tenant's own
 * spec.quota, or a quota on its namespace) the rollout cannot progress until the quota or the
 * spec changes: Degraded now. Other refusals are often passing (the ServiceAccount applied a
 * moment after the Deployment) and are left to the progress deadline.
 */
function quotaFailureVerdict(d: V1Deployment): Verdicts | undefined {
  const failure = d.status?.conditions?.find(
    (c) => c.type === "ReplicaFailure" && c.status === "True",
  );
  if (!failure || !isQuotaRefusal(failure.message)) return undefined;
  return failed(Reasons.QuotaExceeded, `the Deployment cannot create its pods: ${failure.message}`);
}

function rolloutVerdict(
  d: V1Deployment,
  namespace: string,
  claimPhase?: string,
): Verdicts | undefined {
  if (deploymentCondition(d, "Progressing").reason === "ProgressDeadlineExceeded") {
    return failed(
      Reasons.RolloutStalled,
      "the Deployment's rollout exceeded its progress deadline",
    );
  }
  const generation = d.metadata?.generation ?? 0;
  const want = d.spec?.replicas ?? 1;
  const updated = d.status?.updatedReplicas ?? 0;
  if ((d.status?.observedGeneration ?? 0) < generation || updated < want) {
    return inProgress(Reasons.RolloutInProgress, `rolling out: ${updated} of ${want} pods updated`);
  }
  if (deploymentCondition(d, "Available").status !== "True") {
    const ready = d.status?.readyReplicas ?? 0;
    return inProgress(
      Reasons.DeploymentUnavailable,
      `waiting for pods: ${ready} of ${want} ready${claimNote(namespace, claimPhase)}`,
    );
  }
  return undefined;
}

/**
 * An autoscaled tenant's Deployment is created without spec.replicas (the HPA owns the count),
 * so the API server starts it at 1 and the HPA controller raises it at its next sync (15 s by
 * default): until then an Available Deployment is still short of what the user asked for, and
 * `kubectl wait` on Ready must not return.
 */
function belowMinimumVerdict(d: V1Deployment, tenant: Tenant): Verdicts | undefined {
  const min = autoscalingMinimum(tenant);
  if (min === undefined || (d.spec?.replicas ?? 1) >= min) return undefined;
  const ready = d.status?.readyReplicas ?? 0;
  return inProgress(
    Reasons.DeploymentUnavailable,
    `waiting for the autoscaler to scale the Deployment to minReplicas: ${ready} of ${min} pods ready`,
  );
}

/**
 * A pod waits for its claim's volume without a word in the Deployment's status: say so, since
 * a claim that stays Pending (no default StorageClass, a class without a provisioner) is the
 * first thing a new cluster gets wrong. Pending is also normal for a moment, and for as long as
 * a WaitForFirstConsumer class waits for the pod's node.
 */
function claimNote(namespace: string, claimPhase: string | undefined): string {
  if (claimPhase !== "Pending") return "";
  const name = `${namespace}/${Names.dataPvc}`;
  return `; the data volume's claim ${name} is Pending (no volume bound to it yet: see kubectl describe pvc)`;
}

const rollout: Check = (tenant, o) =>
  o.deployment
    ? (quotaFailureVerdict(o.deployment) ??
      rolloutVerdict(o.deployment, namespaceFor(tenant.metadata.name ?? ""), o.dataClaimPhase) ??
      belowMinimumVerdict(o.deployment, tenant))
    : inProgress(Reasons.Reconciling, "waiting for the Deployment to be created");

/** Ready, and a word about replicas the embedded database cannot give. */
function readyVerdict(tenant: Tenant): Verdicts {
  const spec = tenant.spec;
  const embedded = usesEmbeddedDatabase(tenant);
  const asked = spec.autoscaling ? spec.autoscaling.maxReplicas : (spec.replicas ?? 1);
  if (embedded && asked > 1) {
    const message =
      `running 1 replica although ${spec.autoscaling ? "autoscaling up to" : "spec.replicas is"} ${asked}: ` +
      "the embedded database allows a single pod (use spec.database.mode external to scale out)";
    return {
      ready: { status: "True", reason: Reasons.EmbeddedSingleReplica, message },
      progressing: NOT_PROGRESSING,
      degraded: NOT_DEGRADED,
    };
  }
  return {
    ready: {
      status: "True",
      reason: Reasons.Ready,
      message: "every object is applied and the Deployment is available",
    },
    progressing: NOT_PROGRESSING,
    degraded: NOT_DEGRADED,
  };
}

/** In order: the first check with a verdict decides Ready/Progressing/Degraded. */
const CHECKS: readonly Check[] = [
  deleting,
  applyFailed,
  databaseSecret,
  invalidSchedule,
  jwksSecret,
  notApplied,
  suspended,
  hibernating,
  rollout,
];

function decide(tenant: Tenant, observed: ObservedState): Verdicts {
  for (const check of CHECKS) {
    const verdict = check(tenant, observed);
    if (verdict) return verdict;
  }
  return readyVerdict(tenant);
}

/**
 * The complete status for one reconcile. Pure; `lastTransitionTime` is kept when a condition's
 * status does not change, so an unchanged world gives a status deeply equal to the old one.
 */
export function computeStatus(tenant: Tenant, observed: ObservedState, now: Date): TenantStatus {
  const v = decide(tenant, observed);
  const hibernatingCondition = hibernatingVerdict(tenant, observed.hibernation);
  const conditions = mergeConditions(
    // Without a schedule the Hibernating condition goes, rather than linger as someone else's.
    tenant.status?.conditions?.filter(
      (c) => hibernatingCondition || c.type !== ConditionTypes.Hibernating,
    ),
    [
      [ConditionTypes.Ready, v.ready],
      [ConditionTypes.Progressing, v.progressing],
      [ConditionTypes.Degraded, v.degraded],
      [ConditionTypes.DNSReady, dnsVerdict(tenant, observed)],
      [ConditionTypes.TLSReady, tlsVerdict(tenant, observed)],
      ...(hibernatingCondition
        ? [[ConditionTypes.Hibernating, hibernatingCondition] as const]
        : []),
    ],
    observed.generation,
    now,
  );
  const tls = tenant.spec.tls?.enabled ?? true;
  const host = tenant.spec.host;
  return {
    observedGeneration: observed.generation,
    conditions,
    url: `${tls ? "https" : "http"}://${host}`,
    grpcEndpoint: `${grpcHostFor(host)}:${tls ? 443 : 80}`,
    namespace: namespaceFor(tenant.metadata.name ?? ""),
    replicas: observed.deployment?.status?.replicas ?? 0,
    readyReplicas: observed.deployment?.status?.readyReplicas ?? 0,
    hibernation: hibernationStatus(tenant, observed.hibernation),
  };
}

/** True when writing `next` would change the stored status (key order and undefined ignored). */
export function statusChanged(previous: TenantStatus | undefined, next: TenantStatus): boolean {
  return canonicalJson(previous ?? {}) !== canonicalJson(next);
}
