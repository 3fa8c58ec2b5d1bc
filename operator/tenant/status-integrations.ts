/** DNSReady and TLSReady: the optional integrations (external-dns, cert-manager). */
import type { Tenant } from "../api/types.js";
import type { ConditionVerdict } from "./conditions.js";
import { Reasons } from "./reasons.js";
import type { ObservedState } from "./status.js";

export const DNS_CRD = "dnsendpoints.externaldns.k8s.io";
export const CERT_MANAGER_CRD = "certificates.cert-manager.io";

/** The hosts that are in none of `zones` (a zone holds itself and every name below it). */
export function hostsOutsideZones(hosts: string[], zones: string[]): string[] {
  if (zones.length === 0) return [];
  const normal = (name: string): string => name.toLowerCase().replace(/\.$/, "");
  const inZone = (host: string, zone: string): boolean =>
    host === zone || host.endsWith(`.${zone}`);
  return hosts.filter((h) => !zones.some((z) => inZone(normal(h), normal(z))));
}

export function dnsVerdict(tenant: Tenant, o: ObservedState): ConditionVerdict {
  if (tenant.spec.dns?.enabled === false) {
    return {
      status: "True",
      reason: Reasons.DNSDisabled,
      message: "DNS records are not managed (spec.dns.enabled is false)",
    };
  }
  if (o.missingCrds.includes(DNS_CRD)) {
    return {
      status: "False",
      reason: Reasons.DNSCRDMissing,
      message: `external-dns is not installed (CRD ${DNS_CRD} missing): no DNS records are published`,
    };
  }
  const outside = hostsOutsideZones(
    [tenant.spec.host, `grpc.${tenant.spec.host}`],
    o.dnsZones ?? [],
  );
  if (outside.length > 0) {
    return {
      status: "False",
      reason: Reasons.HostOutsideDNSZones,
      message:
        `${outside.join(" and ")} ${outside.length > 1 ? "are" : "is"} outside the DNS zones external-dns manages ` +
        `(${(o.dnsZones ?? []).join(", ")}): no record will be published. Use a host in one of ` +
        "them, or add its zone to the operator's --dns-zones and to external-dns's --domain-filter",
    };
  }
  if (o.dnsEndpointApplied === false) {
    return {
      status: "False",
      reason: Reasons.DNSTargetsPending,
      message:
        "no DNS target known yet: set spec.dns.targets or the operator's DNS targets, or wait for the Ingress load balancer address",
    };
  }
  if (o.dnsEndpointApplied === true && o.dnsEndpointPublished !== true) {
    return {
      status: "False",
      reason: Reasons.DNSPublishPending,
      message: `records for ${tenant.spec.host} and grpc.${tenant.spec.host} applied; waiting for external-dns to publish them (DNSEndpoint status.observedGeneration)`,
    };
  }
  if (o.dnsEndpointApplied === true) {
    return {
      status: "True",
      reason: Reasons.DNSRecordsApplied,
      message: `records for ${tenant.spec.host} and grpc.${tenant.spec.host} published through external-dns`,
    };
  }
  return { status: "Unknown", reason: Reasons.Reconciling, message: "DNS records not applied yet" };
}

export function tlsVerdict(tenant: Tenant, o: ObservedState): ConditionVerdict {
  if (tenant.spec.tls?.enabled === false) {
    return {
      status: "True",
      reason: Reasons.TLSDisabled,
      message: "TLS is off (spec.tls.enabled is false)",
    };
  }
  if (o.tlsSecretReady === true) {
    return {
      status: "True",
      reason: Reasons.CertificateIssued,
      message: `cert-manager reports the Certificates for ${tenant.spec.host} and grpc.${tenant.spec.host} Ready and their Secrets exist`,
    };
  }
  if (!tenant.spec.tls?.issuerRef && o.defaultIssuerConfigured === false) {
    return {
      status: "False",
      reason: Reasons.NoIssuer,
      message: "no certificate issuer: set spec.tls.issuerRef or the operator's default issuer",
    };
  }
  if (o.missingCrds.includes(CERT_MANAGER_CRD)) {
    return {
      status: "False",
      reason: Reasons.CertManagerMissing,
      message: `cert-manager is not installed (CRD ${CERT_MANAGER_CRD} missing): no certificate will be issued`,
    };
  }
  return {
    status: "False",
    reason: Reasons.CertificatePending,
    message: `waiting for cert-manager to issue the certificates for ${tenant.spec.host} and grpc.${tenant.spec.host} (Certificate Ready and its Secret)`,
  };
}
