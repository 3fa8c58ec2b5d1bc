/**
 * The Tenant API (platform.tenancy.dev/v1alpha1) as TypeScript types.
 *
 * The spec and status shapes are generated from the one schema source (operator/api/schema.ts)
 * into types.generated.ts; this file adds the envelope (apiVersion, kind, metadata) and the
 * identifiers of the resource. Fields the API server defaults are still optional here: render
 * and status code must also accept objects that never went through the API server (unit tests).
 */
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type {
  Condition,
  TenantAccessOwnersItem,
  TenantDatabase,
  TenantSpec,
  TenantStatus,
  TenantTLSIssuerRef,
} from "./types.generated.js";

export const GROUP = "platform.tenancy.dev";
export const VERSION = "v1alpha1";
export const KIND = "Tenant";
export const PLURAL = "tenants";
export const SINGULAR = "tenant";
export const SHORT_NAMES: readonly string[] = ["tn"];
export const API_VERSION = `${GROUP}/${VERSION}`;
/** The CRD's metadata.name: `<plural>.<group>`. */
export const CRD_NAME = `${PLURAL}.${GROUP}`;

export type {
  Condition,
  TenantAutoscaling,
  TenantBranding,
  TenantDatabase,
  TenantDNS,
  TenantQuota,
  TenantResources,
  TenantSpec,
  TenantStatus,
  TenantTLS,
} from "./types.generated.js";

export type ServiceName = NonNullable<TenantSpec["services"]>[number];
export type IssuerKind = NonNullable<TenantTLSIssuerRef["kind"]>;
export type DatabaseMode = NonNullable<TenantDatabase["mode"]>;
export type DeletionPolicy = NonNullable<TenantSpec["deletionPolicy"]>;
export type ConditionStatus = Condition["status"];
/** An entry of spec.access.owners or spec.access.viewers (both lists share one shape). */
export type TenantAccessSubject = TenantAccessOwnersItem;

export interface Tenant {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: TenantSpec;
  status?: TenantStatus;
}
