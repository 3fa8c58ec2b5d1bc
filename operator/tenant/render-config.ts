/**
 * Operator-wide settings that rendering needs. Built and validated once by the runtime
 * (operator/config.ts) and passed in; render code never reads the environment.
 */
export interface RenderConfig {
  /** Image used when a Tenant leaves spec.image empty. */
  defaultImage: string;
  /** cert-manager issuer used when spec.tls.issuerRef is not set; without either, no TLS annotation. */
  defaultIssuer?: { name: string; kind: "Issuer" | "ClusterIssuer" };
  /** DNS targets used when spec.dns.targets is empty (IPs give A records, names CNAME). */
  dnsTargets: string[];
  /**
   * The DNS zones external-dns manages (its --domain-filter); empty: not known. external-dns
   * marks every DNSEndpoint it reads as observed, also those whose names it will not publish,
   * so DNSReady checks the tenant's hosts against these zones.
   */
  dnsZones?: string[];
  /** IngressClass used when spec.ingress.className is not set. */
  ingressClass?: string;
  /** Namespace of the ingress controller pods: the only outside source the NetworkPolicy admits. */
  ingressControllerNamespace: string;
  /** Value of app.kubernetes.io/managed-by and the server-side-apply field manager. */
  operatorName: "tenant-operator";
  /** Size of the embedded database PVC when spec.database.storage.size is not set. */
  defaultStorageSize?: string;
  /** StorageClass of the embedded database PVC when the spec does not name one (omit: cluster default). */
  storageClassName?: string;
  /** imagePullPolicy of the tenant container (omit: Kubernetes default). */
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** nodeSelector of tenant pods (omit: any node). */
  podNodeSelector?: Record<string, string>;
  /** Tolerations of tenant pods (omit: none). */
  podTolerations?: {
    key: string;
    operator: "Equal" | "Exists";
    value?: string;
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  }[];
}

/** Facts read from the cluster that rendering depends on; everything optional. */
export interface RenderInputs {
  /**
   * Addresses (IPs or host names) from the status.loadBalancer of the tenant's Ingress:
   * the last fallback for DNS targets.
   */
  ingressLoadBalancer?: string[];
  /**
   * The hibernation schedule says the tenant is asleep now (schedule.ts, evaluated by the runtime
   * with its clock so that render stays pure). Ignored without spec.hibernation or with suspend.
   */
  asleep?: boolean;
}

/** A config suitable for tests and for documentation of the defaults. */
export const DEFAULT_RENDER_CONFIG: RenderConfig = {
  defaultImage: "tenant-service:latest",
  dnsTargets: [],
  ingressControllerNamespace: "ingress-nginx",
  operatorName: "tenant-operator",
  defaultStorageSize: "1Gi",
};
