/**
 * Gather what computeStatus needs, then write the status subresource only when it changed.
 * Reads come from the caches, except Secrets the operator does not own (cert-manager's TLS
 * Secrets, an external database Secret, a JWKS Secret), which are fetched with GET: reads, never
 * writes.
 */
import { type KubernetesObject, type V1Secret } from "@kubernetes/client-node";
import { API_VERSION, PLURAL, type Tenant, type TenantStatus } from "../api/types.js";
import type { Context } from "../context.js";
import { resourcePath } from "../kube/client.js";
import { DEFAULT_JWKS_KEY } from "../tenant/auth.js";
import { namespaceFor } from "../tenant/children.js";
import { Names } from "../tenant/names.js";
import {
  CERT_MANAGER_CRD,
  computeStatus,
  statusChanged,
  type ObservedState,
} from "../tenant/status.js";
import type { Caches } from "./caches.js";

export interface ObservedFacts {
  applied: boolean;
  applyError?: ObservedState["applyError"];
  missingCrds: string[];
  dnsEndpointApplied?: boolean;
}

/**
 * Whether external-dns has taken the tenant's DNSEndpoint, as it is now, into its records. Its
 * crd source writes status.observedGeneration = metadata.generation when it reads an object for
 * the sync that then sends the changes to the DNS provider; the cached copy must also name the
 * tenant's current hosts, so a cache that lags behind this reconcile's apply never counts.
 */
type ObservedDnsEndpoint = KubernetesObject & {
  spec?: { endpoints?: { dnsName?: string }[] };
  status?: { observedGeneration?: number };
};

export function dnsEndpointPublished(e: ObservedDnsEndpoint | undefined, hosts: string[]): boolean {
  if (!e?.metadata?.generation) return false;
  const names = new Set((e.spec?.endpoints ?? []).map((x) => x.dnsName));
  return hosts.every((h) => names.has(h)) && e.status?.observedGeneration === e.metadata.generation;
}

/** The embedded database's claim, as far as the status reads it. */
type ObservedClaim = KubernetesObject & { status?: { phase?: string } };

export async function observeState(
  ctx: Context,
  caches: Caches,
  tenant: Tenant,
  facts: ObservedFacts,
): Promise<ObservedState> {
  const ns = namespaceFor(tenant.metadata.name ?? "");
  const deployment = caches.children.get("apps/v1/Deployment")?.get(Names.deployment, ns);
  const claim: ObservedClaim | undefined = caches.children
    .get("v1/PersistentVolumeClaim")
    ?.get(Names.dataPvc, ns);
  const observed: ObservedState = {
    generation: tenant.metadata.generation ?? 0,
    applied: facts.applied,
    applyError: facts.applyError,
    deployment,
    dataClaimPhase: claim?.status?.phase,
    missingCrds: facts.missingCrds,
    defaultIssuerConfigured: ctx.renderConfig.defaultIssuer !== undefined,
    dnsZones: ctx.renderConfig.dnsZones,
    dnsEndpointApplied: facts.dnsEndpointApplied,
  };
  if (facts.dnsEndpointApplied) {
    const cached = caches.children
      .get("externaldns.k8s.io/v1alpha1/DNSEndpoint")
      ?.get(Names.dnsEndpoint, ns);
    const host = tenant.spec.host;
    observed.dnsEndpointPublished = dnsEndpointPublished(cached, [host, `grpc.${host}`]);
  }
  if (facts.applied) {
    observed.tlsSecretReady = await tlsSecretsReady(ctx, tenant, observed);
    observed.databaseSecretReady = await databaseSecretReady(ctx, tenant);
    observed.jwksSecretReady = await jwksSecretReady(ctx, tenant);
  }
  return observed;
}

/**
 * Whether cert-manager has issued both certificates: each Certificate (ingress-shim names it
 * after the Ingress's TLS Secret) is Ready for its current spec and names the Ingress's host,
 * and its Secret exists. Undefined when no certificate is expected.
 */
async function tlsSecretsReady(
  ctx: Context,
  tenant: Tenant,
  observed: ObservedState,
): Promise<boolean | undefined> {
  const tlsOn = tenant.spec.tls?.enabled ?? true;
  const issuerKnown = Boolean(tenant.spec.tls?.issuerRef) || observed.defaultIssuerConfigured;
  if (!tlsOn || !issuerKnown || observed.missingCrds.includes(CERT_MANAGER_CRD)) return undefined;
  const ns = namespaceFor(tenant.metadata.name ?? "");
  const host = tenant.spec.host;
  const wanted = [
    { secret: Names.httpTlsSecret, host },
    { secret: Names.grpcTlsSecret, host: `grpc.${host}` },
  ];
  const ready = await Promise.all(
    wanted.map(async ({ secret, host }) => {
      const cert = await ctx.client.getOptional<Certificate>(
        resourcePath("cert-manager.io/v1", "certificates", ns, secret),
      );
      if (!certificateReadyFor(cert, host)) return false;
      return (
        (await ctx.client.getOptional(resourcePath("v1", "secrets", ns, secret))) !== undefined
      );
    }),
  );
  return ready.every(Boolean);
}

type Certificate = KubernetesObject & {
  spec?: { dnsNames?: string[] };
  status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
};

/** cert-manager's Ready=True for the Certificate's current generation, naming `host`. */
export function certificateReadyFor(cert: Certificate | undefined, host: string): boolean {
  if (!cert?.spec?.dnsNames?.includes(host)) return false;
  const ready = cert.status?.conditions?.find((c) => c.type === "Ready");
  return (
    ready?.status === "True" &&
    (ready.observedGeneration === undefined ||
      ready.observedGeneration === cert.metadata?.generation)
  );
}

/** Whether the external database Secret holds its key; undefined on the embedded database. */
async function databaseSecretReady(ctx: Context, tenant: Tenant): Promise<boolean | undefined> {
  const db = tenant.spec.database;
  if (db?.mode !== "external" || !db.secretRef) return undefined;
  const ns = namespaceFor(tenant.metadata.name ?? "");
  const secret = await ctx.client.getOptional<V1Secret & KubernetesObject>(
    resourcePath("v1", "secrets", ns, db.secretRef.name),
  );
  const key = db.secretRef.key ?? "uri";
  return Boolean(secret?.data?.[key] ?? secret?.stringData?.[key]);
}

/**
 * Whether spec.auth.jwt.jwksSecretRef's Secret holds a key set (a JSON object with a "keys"
 * array) under its key; undefined when the tenant takes its keys from a URL or has no auth.
 * The operator never fetches a jwksURL (it would be a request to any host a tenant names,
 * from inside the cluster); the pod's readiness reports an unreachable URL instead.
 */
async function jwksSecretReady(ctx: Context, tenant: Tenant): Promise<boolean | undefined> {
  const jwt = tenant.spec.auth?.jwt;
  if (!jwt?.jwksSecretRef || jwt.jwksURL) return undefined;
  const ns = namespaceFor(tenant.metadata.name ?? "");
  const secret = await ctx.client.getOptional<V1Secret & KubernetesObject>(
    resourcePath("v1", "secrets", ns, jwt.jwksSecretRef.name),
  );
  const key = jwt.jwksSecretRef.key ?? DEFAULT_JWKS_KEY;
  const encoded = secret?.data?.[key];
  const text =
    encoded !== undefined
      ? Buffer.from(encoded, "base64").toString("utf8")
      : secret?.stringData?.[key];
  return isKeySet(text);
}

function isKeySet(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    return Array.isArray(parsed.keys);
  } catch {
    return false;
  }
}

/** Writes the status subresource when `next` differs from the stored one; true when written. */
export async function writeStatus(
  ctx: Context,
  tenant: Tenant,
  next: TenantStatus,
): Promise<boolean> {
  if (!statusChanged(tenant.status, next)) return false;
  const path = `${resourcePath(API_VERSION, PLURAL, undefined, tenant.metadata.name)}/status`;
  // "add" replaces the whole status, so fields that no longer apply disappear too.
  await ctx.client.jsonPatch(path, [{ op: "add", path: "/status", value: next }]);
  return true;
}

/** The status for this reconcile (pure computeStatus over what was observed). */
export function statusFor(tenant: Tenant, observed: ObservedState, now = new Date()): TenantStatus {
  return computeStatus(tenant, observed, now);
}
