/**
 * The CustomResourceDefinition of Tenant, built from the schema data. crds/ holds this object as
 * YAML (written by `npm run gen:api`); the runtime and tests may also use it directly.
 */
import { GROUP, KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION, CRD_NAME } from "./types.js";
import { rootValidations, specSchema, statusSchema } from "./schema.js";
import type { SchemaProps } from "./schema-types.js";

export const tenantRootSchema: SchemaProps = {
  type: "object",
  description:
    "A Tenant is one isolated, branded deployment of the compute service: its own namespace, " +
    "Deployment, Service, Ingresses with TLS, DNS records, quota and network policy.",
  required: ["spec"],
  properties: {
    apiVersion: {
      type: "string",
      description: "Versioned schema of this object: platform.tenancy.dev/v1alpha1.",
    },
    kind: { type: "string", description: "Tenant." },
    // The API server allows only name and generateName here; name is declared so that the
    // root rule below can point its message at metadata.name.
    metadata: {
      type: "object",
      properties: { name: { type: "string", description: "Name of the tenant (a DNS label)." } },
    },
    spec: specSchema,
    status: statusSchema,
  },
  "x-kubernetes-validations": rootValidations,
};

/** The CRD as a plain object (apiextensions.k8s.io/v1). */
export function tenantCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: CRD_NAME,
      labels: {
        "app.kubernetes.io/name": "tenant-operator",
        "app.kubernetes.io/part-of": "tenant-operator",
      },
    },
    spec: {
      group: GROUP,
      scope: "Cluster",
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            {
              name: "Host",
              type: "string",
              jsonPath: ".spec.host",
              description: "Public DNS name.",
            },
            {
              name: "Ready",
              type: "string",
              jsonPath: '.status.conditions[?(@.type=="Ready")].status',
              description: "Status of the Ready condition.",
            },
            {
              name: "Replicas",
              type: "integer",
              jsonPath: ".status.readyReplicas",
              description: "Ready pods.",
            },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
            {
              name: "Reason",
              type: "string",
              priority: 1,
              jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
              description: "Reason of the Ready condition.",
            },
            {
              name: "URL",
              type: "string",
              priority: 1,
              jsonPath: ".status.url",
              description: "Web address.",
            },
          ],
          schema: { openAPIV3Schema: tenantRootSchema },
        },
      ],
    },
  };
}
