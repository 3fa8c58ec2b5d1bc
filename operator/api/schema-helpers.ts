/**
 * Small builders and CEL fragments for the Tenant schema. Every builder requires a description
 * (kubectl explain shows it) and every string a maxLength (huge inputs are rejected, and CEL's
 * cost estimate stays bounded).
 */
import type { SchemaProps, ValidationRule } from "./schema-types.js";

/** RFC 1123 subdomain: lower-case labels of 1..63 characters joined by dots. */
export const DNS_NAME_RE =
  "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?([.][a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
/** RFC 1123 label (one DNS label). */
export const DNS_LABEL_RE = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

/** CEL: `expr` (a string) is an RFC 1123 subdomain. */
export function celIsDnsName(expr: string): string {
  return `${expr}.matches('${DNS_NAME_RE}')`;
}

export function str(
  description: string,
  maxLength: number,
  extra: Omit<SchemaProps, "type" | "description" | "maxLength"> = {},
): SchemaProps {
  return { type: "string", description, maxLength, ...extra };
}

export function int(
  description: string,
  minimum: number,
  maximum: number,
  extra: Omit<SchemaProps, "type" | "description" | "minimum" | "maximum"> = {},
): SchemaProps {
  return { type: "integer", description, minimum, maximum, ...extra, format: "int32" };
}

export function bool(description: string, defaultValue?: boolean): SchemaProps {
  return defaultValue === undefined
    ? { type: "boolean", description }
    : { type: "boolean", description, default: defaultValue };
}

export function obj(
  description: string,
  properties: Record<string, SchemaProps>,
  extra: Omit<SchemaProps, "type" | "description" | "properties"> = {},
): SchemaProps {
  return { type: "object", description, properties, ...extra };
}

/** A Kubernetes quantity ("500m", "2", "256Mi") that must not be negative. */
export function quantity(field: string, description: string): SchemaProps {
  return {
    description: `${description} A Kubernetes quantity such as 500m, 2, 256Mi or 10Gi.`,
    "x-kubernetes-int-or-string": true,
    anyOf: [{ type: "integer" }, { type: "string" }],
    maxLength: 64,
    "x-kubernetes-validations": [nonNegativeQuantity(field)],
  };
}

function nonNegativeQuantity(field: string): ValidationRule {
  return {
    rule: "isQuantity(string(self)) && !quantity(string(self)).isLessThan(quantity('0'))",
    message: `${field} must be a non-negative quantity such as 500m, 2, 256Mi or 10Gi`,
  };
}

/** CEL rule on a resource list object: when both a request and a limit are set, limit >= request. */
export function limitAtLeastRequest(resource: "cpu" | "memory"): ValidationRule {
  const req = `quantity(string(self.requests.${resource}))`;
  const lim = `quantity(string(self.limits.${resource}))`;
  return {
    rule:
      `!has(self.requests) || !has(self.limits) || !has(self.requests.${resource}) || ` +
      `!has(self.limits.${resource}) || !isQuantity(string(self.requests.${resource})) || ` +
      `!isQuantity(string(self.limits.${resource})) || ${lim}.compareTo(${req}) >= 0`,
    message: `spec.resources.limits.${resource} must be greater than or equal to spec.resources.requests.${resource}`,
    fieldPath: `.limits.${resource}`,
  };
}
