// The edge's configuration files and command lines as pure functions of its layout (paths,
// ports, the TSIG secret): no I/O here.
import path from "node:path";
import {
  BOOTSTRAP_ISSUER,
  CA_ISSUER,
  CERT_MANAGER_NAMESPACE,
  INGRESS_CLASS,
  TSIG_KEY_NAME,
  ZONES,
} from "./manifest.js";

export interface EdgePorts {
  dns: number;
  http: number;
  https: number;
  externalDnsMetrics: number;
  traefikPing: number;
}

export interface EdgeLayout {
  /** The cluster's directory; the edge keeps its files in <dir>/edge. */
  dir: string;
  binDir: string;
  kubeconfig: string;
  ports: EdgePorts;
  /** base64 HMAC-SHA256 key shared by named and external-dns. */
  tsigSecret: string;
  /** external-dns TXT registry owner: records of another cluster are never touched. */
  ownerId: string;
}

/** The address Traefik listens on and publishes in each Ingress's status. */
export const INGRESS_IP = "127.0.0.1";

export type EdgeProcess = "named" | "cert-manager-controller" | "external-dns" | "traefik";
/** Start order; stopped in reverse. */
export const EDGE_PROCESSES: readonly EdgeProcess[] = [
  "named",
  "cert-manager-controller",
  "external-dns",
  "traefik",
];

export function edgeFiles(dir: string) {
  const edge = path.join(dir, "edge");
  return {
    edge,
    state: path.join(edge, "state.json"),
    namedDir: path.join(edge, "named"),
    namedConf: path.join(edge, "named", "named.conf"),
    zoneFile: (zone: string) => path.join(edge, "named", `${zone}.zone`),
    caCert: path.join(edge, "ca.crt"),
    endpoints: path.join(dir, "endpoints.json"),
    traefikHome: path.join(edge, "traefik"),
    /** Traefik's access log (JSON lines): which upstream served each request. */
    traefikAccessLog: path.join(edge, "traefik", "access.log"),
  };
}

export function namedConf(l: EdgeLayout): string {
  const f = edgeFiles(l.dir);
  const zones = ZONES.map(
    (z) => `zone "${z}" {
  type primary;
  file "${f.zoneFile(z)}";
  allow-update { key "${TSIG_KEY_NAME}"; };
  allow-transfer { key "${TSIG_KEY_NAME}"; };
};`,
  );
  return `key "${TSIG_KEY_NAME}" {
  algorithm hmac-sha256;
  secret "${l.tsigSecret}";
};
options {
  directory "${f.namedDir}";
  pid-file "${path.join(f.namedDir, "named.pid")}";
  session-keyfile "${path.join(f.namedDir, "session.key")}";
  listen-on port ${l.ports.dns} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-query { any; };
};
controls { };
${zones.join("\n")}
`;
}

/** An empty zone: SOA and NS only; external-dns adds the records. Short TTLs for tests. */
export function zoneFile(zone: string): string {
  return `$TTL 30
@ IN SOA ns.${zone}. hostmaster.${zone}. 1 30 30 600 5
@ IN NS ns.${zone}.
ns IN A 127.0.0.1
`;
}

export interface EdgeCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export function edgeCommand(name: EdgeProcess, l: EdgeLayout, named: string): EdgeCommand {
  const f = edgeFiles(l.dir);
  const bin = (b: string): string => path.join(l.binDir, b);
  switch (name) {
    case "named":
      // -g: foreground, log to stderr; runs as the invoking user.
      return { command: named, args: ["-g", "-4", "-c", f.namedConf] };
    case "cert-manager-controller":
      return {
        command: bin("cert-manager-controller"),
        args: [
          `--kubeconfig=${l.kubeconfig}`,
          `--cluster-resource-namespace=${CERT_MANAGER_NAMESPACE}`,
          "--v=1",
        ],
      };
    case "external-dns":
      return {
        command: bin("external-dns"),
        args: [
          `--kubeconfig=${l.kubeconfig}`,
          "--source=crd",
          "--crd-source-apiversion=externaldns.k8s.io/v1alpha1",
          "--crd-source-kind=DNSEndpoint",
          "--provider=rfc2136",
          "--rfc2136-host=127.0.0.1",
          `--rfc2136-port=${l.ports.dns}`,
          ...ZONES.map((z) => `--rfc2136-zone=${z}`),
          ...ZONES.map((z) => `--domain-filter=${z}`),
          `--rfc2136-tsig-keyname=${TSIG_KEY_NAME}`,
          `--rfc2136-tsig-secret=${l.tsigSecret}`,
          "--rfc2136-tsig-secret-alg=hmac-sha256",
          "--rfc2136-tsig-axfr",
          "--rfc2136-min-ttl=5s",
          // sync: records whose DNSEndpoint is gone (or changed) are deleted, not only added.
          "--policy=sync",
          "--registry=txt",
          `--txt-owner-id=${l.ownerId}`,
          // React to DNSEndpoint changes at once; the interval is the fallback.
          "--events",
          "--min-event-sync-interval=1s",
          "--interval=20s",
          `--metrics-address=127.0.0.1:${l.ports.externalDnsMetrics}`,
          "--log-level=info",
        ],
      };
    case "traefik":
      return {
        command: bin(`traefik`),
        args: [
          `--entryPoints.web.address=${INGRESS_IP}:${l.ports.http}`,
          `--entryPoints.websecure.address=${INGRESS_IP}:${l.ports.https}`,
          // Ingress routers go to web and websecure only, not to the ping entry point.
          "--entryPoints.web.asDefault=true",
          "--entryPoints.websecure.asDefault=true",
          "--entryPoints.websecure.http.tls=true",
          `--entryPoints.ping.address=127.0.0.1:${l.ports.traefikPing}`,
          "--ping.entryPoint=ping",
          "--providers.kubernetesingress=true",
          `--providers.kubernetesingress.ingressendpoint.ip=${INGRESS_IP}`,
          "--global.checknewversion=false",
          "--global.sendanonymoususage=false",
          "--log.level=INFO",
          // JSON access log: which upstream (pod address) answered each request.
          "--accesslog=true",
          "--accesslog.format=json",
          `--accesslog.filepath=${f.traefikAccessLog}`,
        ],
        // Out of a cluster, Traefik's Kubernetes client reads the kubeconfig named here.
        env: { KUBECONFIG: l.kubeconfig, HOME: f.traefikHome },
      };
  }
}

/**
 * The local CA: a self-signed ClusterIssuer signs a CA Certificate, whose Secret backs the CA
 * ClusterIssuer tenants use; and the IngressClass Traefik serves (the cluster's default).
 */
export function bootstrapObjects(): object[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: CERT_MANAGER_NAMESPACE } },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: BOOTSTRAP_ISSUER },
      spec: { selfSigned: {} },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: CA_ISSUER, namespace: CERT_MANAGER_NAMESPACE },
      spec: {
        isCA: true,
        commonName: "tenant-operator local CA",
        secretName: CA_ISSUER,
        duration: "8760h",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: BOOTSTRAP_ISSUER },
      },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: CA_ISSUER },
      spec: { ca: { secretName: CA_ISSUER } },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: {
        name: INGRESS_CLASS,
        annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
      },
      spec: { controller: "traefik.io/ingress-controller" },
    },
  ];
}

/** `.local/cluster/endpoints.json`: where tools reach the edge. */
export interface Endpoints {
  dns: string;
  https: string;
  http: string;
  ca: string;
  zones: string[];
  /** The operator's default issuer flag value for this edge. */
  issuer: string;
  ingressClass: string;
}

export function endpointsFor(l: EdgeLayout): Endpoints {
  return {
    dns: `127.0.0.1:${l.ports.dns}`,
    https: `${INGRESS_IP}:${l.ports.https}`,
    http: `${INGRESS_IP}:${l.ports.http}`,
    ca: edgeFiles(l.dir).caCert,
    zones: [...ZONES],
    issuer: `ClusterIssuer/${CA_ISSUER}`,
    ingressClass: INGRESS_CLASS,
  };
}
