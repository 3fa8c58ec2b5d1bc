/**
 * The Tenant spec with every default applied, in one place. The defaults equal the CRD's (a test
 * checks it), so a Tenant that never went through the API server renders the same as one that did.
 */
import type {
  DeletionPolicy,
  IssuerKind,
  ServiceName,
  Tenant,
  TenantAccessSubject,
} from "../api/types.js";
import { type ResolvedAuth, resolveAuth } from "./auth.js";
import { namespaceFor } from "./children.js";
import { grpcHostFor } from "./names.js";
import type { RenderConfig } from "./render-config.js";

export const SPEC_DEFAULTS = {
  replicas: 1,
  minReplicas: 1,
  targetCPUUtilizationPercentage: 60,
  services: ["calculator", "users", "counter"] as ServiceName[],
  tlsEnabled: true,
  issuerKind: "ClusterIssuer" as IssuerKind,
  dnsEnabled: true,
  ttl: 300,
  databaseMode: "embedded" as const,
  secretKey: "uri",
  storageSize: "1Gi",
  suspend: false,
  deletionPolicy: "Delete" as DeletionPolicy,
};

export interface ResolvedTenant {
  name: string;
  uid: string;
  namespace: string;
  displayName: string;
  host: string;
  grpcHost: string;
  image: string;
  services: ServiceName[];
  /** spec.replicas as asked (for status messages). */
  requestedReplicas: number;
  /** Deployment spec.replicas; undefined when an HPA owns the count. */
  replicas: number | undefined;
  /** Set only when an HPA is wanted: external database and not suspended. */
  autoscaling?: {
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage: number;
  };
  embedded: boolean;
  database: {
    secretRef?: { name: string; key: string };
    storageSize: string;
    storageClassName?: string;
  };
  branding: {
    displayName: string;
    primaryColor?: string;
    logoURL?: string;
    welcomeMessage?: string;
  };
  tls: { enabled: boolean; issuer?: { name: string; kind: IssuerKind } };
  dns: { enabled: boolean; ttl: number; targets: string[] };
  ingressClassName?: string;
  quota?: { cpu?: string; memory?: string; pods?: number; storage?: string };
  /** Empty lists are left out: the API server drops them, and a drift check would then never settle. */
  resources: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  suspend: boolean;
  deletionPolicy: DeletionPolicy;
  /** spec.access (empty lists when unset). */
  access: { owners: TenantAccessSubject[]; viewers: TenantAccessSubject[] };
  /** The hibernation schedule says asleep now (and spec.suspend is not set): 0 replicas, no HPA. */
  asleep: boolean;
  /** spec.auth.jwt (undefined: the APIs are open). */
  auth?: ResolvedAuth;
}

/**
 * Resources of the service container when the spec gives none (HPA needs a CPU request).
 * Memory follows `npm run bench:footprint` (bench/RESULTS.md, 2026-12-05 10:42): request near
 * the steady RSS (74 to 78 MiB, either backend; a pod's working set is 45 to 51), limit over
 * 1.5x the peak (80 to 83 MiB; 116 to 123 with 64 large answers in flight, bench:answers).
 */
export const DEFAULT_RESOURCES = {
  requests: { cpu: "100m", memory: "96Mi" },
  limits: { memory: "256Mi" },
};

export function quantityString(q: number | string | undefined): string | undefined {
  return q === undefined ? undefined : String(q);
}

function definedEntries<T>(record: Record<string, T | undefined>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}

function resolveResources(tenant: Tenant): ResolvedTenant["resources"] {
  const r = tenant.spec.resources;
  if (!r?.requests && !r?.limits) return DEFAULT_RESOURCES;
  const list = (l?: { cpu?: number | string; memory?: number | string }): Record<string, string> =>
    definedEntries({ cpu: quantityString(l?.cpu), memory: quantityString(l?.memory) });
  const requests = list(r.requests);
  const limits = list(r.limits);
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

function resolveQuota(tenant: Tenant): ResolvedTenant["quota"] {
  const q = tenant.spec.quota;
  if (!q) return undefined;
  const quota = definedEntries<string | number>({
    cpu: quantityString(q.cpu),
    memory: quantityString(q.memory),
    pods: q.pods,
    storage: quantityString(q.storage),
  });
  return Object.keys(quota).length === 0 ? undefined : quota;
}

/** The tenant keeps its data in the embedded database (the default), on a volume of its own. */
export function usesEmbeddedDatabase(tenant: Tenant): boolean {
  return (tenant.spec.database?.mode ?? SPEC_DEFAULTS.databaseMode) === "embedded";
}

/**
 * minReplicas of the HorizontalPodAutoscaler the spec asks for, or undefined when it asks for
 * none: autoscaling applies to an external database only (the embedded one allows one pod).
 * Suspension and sleep, which set the HPA aside, are the caller's to weigh.
 */
export function autoscalingMinimum(tenant: Tenant): number | undefined {
  const autoscaling = tenant.spec.autoscaling;
  if (!autoscaling || usesEmbeddedDatabase(tenant)) return undefined;
  return autoscaling.minReplicas ?? SPEC_DEFAULTS.minReplicas;
}

function resolveReplicas(
  tenant: Tenant,
  embedded: boolean,
  suspend: boolean,
): Pick<ResolvedTenant, "replicas" | "autoscaling" | "requestedReplicas"> {
  const spec = tenant.spec;
  const requestedReplicas = spec.replicas ?? SPEC_DEFAULTS.replicas;
  if (suspend) return { requestedReplicas, replicas: 0 };
  if (embedded) return { requestedReplicas, replicas: Math.min(requestedReplicas, 1) };
  const minReplicas = autoscalingMinimum(tenant);
  if (spec.autoscaling && minReplicas !== undefined) {
    const autoscaling = {
      minReplicas,
      maxReplicas: spec.autoscaling.maxReplicas,
      targetCPUUtilizationPercentage:
        spec.autoscaling.targetCPUUtilizationPercentage ??
        SPEC_DEFAULTS.targetCPUUtilizationPercentage,
    };
    return { requestedReplicas, replicas: undefined, autoscaling };
  }
  return { requestedReplicas, replicas: requestedReplicas };
}

function resolveDatabase(
  tenant: Tenant,
  embedded: boolean,
  config: RenderConfig,
): ResolvedTenant["database"] {
  const db = tenant.spec.database;
  const ref = db?.secretRef;
  return {
    secretRef:
      !embedded && ref ? { name: ref.name, key: ref.key ?? SPEC_DEFAULTS.secretKey } : undefined,
    storageSize:
      quantityString(db?.storage?.size) ?? config.defaultStorageSize ?? SPEC_DEFAULTS.storageSize,
    storageClassName: db?.storage?.storageClassName ?? config.storageClassName,
  };
}

function resolveTls(tenant: Tenant, config: RenderConfig): ResolvedTenant["tls"] {
  const tls = tenant.spec.tls;
  const ref = tls?.issuerRef;
  return {
    enabled: tls?.enabled ?? SPEC_DEFAULTS.tlsEnabled,
    issuer: ref
      ? { name: ref.name, kind: ref.kind ?? SPEC_DEFAULTS.issuerKind }
      : config.defaultIssuer,
  };
}

function resolveDns(tenant: Tenant): ResolvedTenant["dns"] {
  const dns = tenant.spec.dns;
  return {
    enabled: dns?.enabled ?? SPEC_DEFAULTS.dnsEnabled,
    ttl: dns?.ttl ?? SPEC_DEFAULTS.ttl,
    targets: dns?.targets ?? [],
  };
}

/** The schedule's verdict counts only with a schedule, and never over spec.suspend. */
function isAsleep(tenant: Tenant, suspend: boolean, verdict: boolean | undefined): boolean {
  return !suspend && tenant.spec.hibernation !== undefined && verdict === true;
}

function resolveAccess(tenant: Tenant): ResolvedTenant["access"] {
  const access = tenant.spec.access;
  return { owners: access?.owners ?? [], viewers: access?.viewers ?? [] };
}

/**
 * Applies defaults from the CRD and the operator config. Pure. `asleep` is the hibernation
 * schedule's verdict for now (computed by the runtime from its clock, see schedule.ts); a
 * sleeping tenant scales to zero exactly like a suspended one.
 */
export function resolveTenant(
  tenant: Tenant,
  config: RenderConfig,
  hibernation: { asleep?: boolean } = {},
): ResolvedTenant {
  const spec = tenant.spec;
  const name = tenant.metadata.name ?? "";
  const embedded = usesEmbeddedDatabase(tenant);
  const suspend = spec.suspend ?? SPEC_DEFAULTS.suspend;
  const asleep = isAsleep(tenant, suspend, hibernation.asleep);
  return {
    name,
    uid: tenant.metadata.uid ?? "",
    namespace: namespaceFor(name),
    displayName: spec.displayName,
    host: spec.host,
    grpcHost: grpcHostFor(spec.host),
    image: spec.image ?? config.defaultImage,
    services: spec.services ?? SPEC_DEFAULTS.services,
    ...resolveReplicas(tenant, embedded, suspend || asleep),
    embedded,
    database: resolveDatabase(tenant, embedded, config),
    branding: { displayName: spec.displayName, ...spec.branding },
    tls: resolveTls(tenant, config),
    dns: resolveDns(tenant),
    ingressClassName: spec.ingress?.className ?? config.ingressClass,
    quota: resolveQuota(tenant),
    resources: resolveResources(tenant),
    suspend,
    deletionPolicy: spec.deletionPolicy ?? SPEC_DEFAULTS.deletionPolicy,
    access: resolveAccess(tenant),
    asleep,
    auth: resolveAuth(tenant),
  };
}
