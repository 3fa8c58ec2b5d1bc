import { Reasons, type Reason } from "./reasons.js";

/**
 * An error that knows how it should be reported: `reason` becomes the condition reason,
 * the Event reason and the metric label; `terminal` errors come from the spec and are
 * reported without retry (only a spec change can fix them), others are retried with backoff.
 */
export class TenantError extends Error {
  readonly reason: Reason;
  readonly terminal: boolean;

  constructor(reason: Reason, message: string, terminal: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
    this.terminal = terminal;
  }
}

/** The spec asks for something that cannot be rendered; fix the Tenant. */
export class InvalidSpecError extends TenantError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(Reasons.InvalidSpec, message, true, options);
  }
}

/** The cluster lacks a CRD the object needs (e.g. DNSEndpoint); retried slowly. */
export class MissingCrdError extends TenantError {
  readonly crd: string;
  constructor(crd: string, message?: string, options?: { cause?: unknown }) {
    super(
      Reasons.CRDMissing,
      message ?? `the CustomResourceDefinition ${crd} is not installed`,
      false,
      options,
    );
    this.crd = crd;
  }
}

/** Writing a child failed in a way worth retrying (conflict, timeout, 5xx). */
export class ApplyError extends TenantError {
  constructor(message: string, options?: { cause?: unknown; reason?: Reason; terminal?: boolean }) {
    super(options?.reason ?? Reasons.ApplyFailed, message, options?.terminal ?? false, options);
  }
}

/** Narrowing helper for catch blocks. */
export function isTenantError(err: unknown): err is TenantError {
  return err instanceof TenantError;
}

/** The parts of a Kubernetes API failure that decide how to report it (a metav1.Status). */
export interface ApiFailure {
  /** HTTP status code; undefined for network errors and timeouts. */
  code?: number;
  /** metav1.Status reason, e.g. "Forbidden", "Invalid", "Conflict". */
  reason?: string;
  message?: string;
  /** StatusCause's type is serialised as `reason`, e.g. { reason: "NamespaceTerminating" }. */
  details?: { causes?: { reason?: string }[] };
}

/**
 * Turns an API failure while writing a child into a TenantError with the right reason and
 * terminal flag, so the runtime never inspects message text itself. Quota and terminating
 * namespaces are Forbidden (403) answers that deserve their own reasons; an Invalid (422)
 * object can only be fixed by changing the spec; everything else is retried.
 */
export function errorForApiFailure(what: string, f: ApiFailure): TenantError {
  const text = `${what}: ${f.message ?? (f.code ? `HTTP ${f.code}` : "no answer from the API server")}`;
  if (f.code === 403) return new ApplyError(text, { reason: forbiddenReason(f) });
  if (f.code === 409) return new ApplyError(text, { reason: Reasons.Conflict });
  if (f.code === 422 || f.reason === "Invalid") return new InvalidSpecError(text);
  const clientError = f.code !== undefined && f.code < 500;
  return new ApplyError(text, { reason: clientError ? Reasons.ApplyFailed : Reasons.Transient });
}

/**
 * Whether a refusal came from a ResourceQuota. The quota admission plugin says so only in its
 * message ("exceeded quota: ..."), in an API answer and in a Deployment's ReplicaFailure alike.
 */
export function isQuotaRefusal(message: string | undefined): boolean {
  return /exceeded quota/i.test(message ?? "");
}

function forbiddenReason(f: ApiFailure): Reason {
  if (f.details?.causes?.some((c) => c.reason === "NamespaceTerminating"))
    return Reasons.NamespaceTerminating;
  if (isQuotaRefusal(f.message)) return Reasons.QuotaExceeded;
  return Reasons.Forbidden;
}
