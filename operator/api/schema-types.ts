/**
 * The subset of OpenAPI v3 / apiextensions.k8s.io/v1 JSONSchemaProps that the Tenant schema uses.
 * Only fields the API server accepts appear here, so the schema data can go into the CRD as is.
 */
export interface ValidationRule {
  /** A CEL expression that must be true; `self` is the value the rule sits on. */
  rule: string;
  /** What a person reads when the rule fails: name the field and say what is allowed. */
  message: string;
  /** Path (relative to the rule's value) of the field the message is about, e.g. ".maxReplicas". */
  fieldPath?: string;
  reason?:
    "FieldValueInvalid" | "FieldValueRequired" | "FieldValueForbidden" | "FieldValueDuplicate";
}

export interface SchemaProps {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  format?: string;
  properties?: Record<string, SchemaProps>;
  required?: string[];
  items?: SchemaProps;
  additionalProperties?: SchemaProps | boolean;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  pattern?: string;
  anyOf?: SchemaProps[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: ValidationRule[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}
