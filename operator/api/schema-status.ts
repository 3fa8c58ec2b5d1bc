/** The observed state of a Tenant, written only by the operator (status subresource). */
import { int, obj, str } from "./schema-helpers.js";
import type { SchemaProps } from "./schema-types.js";
import { hibernationStatusSchema } from "./schema-hibernation.js";

const condition = obj(
  "One aspect of the tenant's state (kstatus-compatible: Ready, Progressing, Degraded; plus DNSReady, TLSReady).",
  {
    type: str("Kind of condition: Ready, Progressing, Degraded, DNSReady or TLSReady.", 316, {
      minLength: 1,
    }),
    status: str("True, False or Unknown.", 7, { enum: ["True", "False", "Unknown"] }),
    reason: str("Machine-readable PascalCase reason of the last transition.", 1024, {
      minLength: 1,
    }),
    message: str("Human-readable details.", 32768),
    observedGeneration: {
      type: "integer",
      format: "int64",
      minimum: 0,
      description: "The metadata.generation this condition was computed from.",
    },
    lastTransitionTime: str("When status last changed.", 64, { format: "date-time" }),
  },
  { required: ["type", "status", "reason", "message", "lastTransitionTime"] },
);

export const statusSchema: SchemaProps = obj(
  "The observed state of the tenant, written by the operator.",
  {
    observedGeneration: {
      type: "integer",
      format: "int64",
      minimum: 0,
      description: "The metadata.generation the operator last reconciled.",
    },
    conditions: {
      type: "array",
      description:
        "Current conditions; wait for Ready with kubectl wait --for=condition=Ready tenant/<name>.",
      maxItems: 16,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["type"],
      items: condition,
    },
    url: str("Address of the web UI and HTTP API, https://<host>.", 260),
    grpcEndpoint: str("Address of the gRPC API, grpc.<host>:443.", 260),
    namespace: str("The namespace that holds the tenant's objects, tenant-<name>.", 63),
    replicas: int("Pods of the tenant's Deployment.", 0, 10000),
    readyReplicas: int("Pods of the tenant's Deployment that are ready.", 0, 10000),
    hibernation: hibernationStatusSchema,
  },
);
