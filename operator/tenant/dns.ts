import { isIP } from "node:net";
import type { KubernetesObject, V1Ingress } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { RenderConfig, RenderInputs } from "./render-config.js";
import type { ResolvedTenant } from "./spec.js";

export interface DnsRecord {
  dnsName: string;
  recordType: "A" | "AAAA" | "CNAME";
  recordTTL: number;
  targets: string[];
}

export interface DNSEndpoint extends KubernetesObject {
  spec: { endpoints: DnsRecord[] };
}

export type DnsTargetSource = "spec" | "config" | "ingress";

/**
 * Where the tenant's names should point: spec.dns.targets, else the operator's configured
 * targets, else the Ingress load balancer addresses. Undefined when none is known yet.
 */
export function dnsTargetsFor(
  t: ResolvedTenant,
  config: RenderConfig,
  inputs: RenderInputs,
): { source: DnsTargetSource; targets: string[] } | undefined {
  if (t.dns.targets.length > 0) return { source: "spec", targets: t.dns.targets };
  if (config.dnsTargets.length > 0) return { source: "config", targets: config.dnsTargets };
  const lb = inputs.ingressLoadBalancer ?? [];
  if (lb.length > 0) return { source: "ingress", targets: lb };
  return undefined;
}

/**
 * The addresses an Ingress controller published in the Ingress's status (IPs and host names),
 * for RenderInputs.ingressLoadBalancer. Read it from the tenant's http Ingress (Names.httpIngress).
 */
export function loadBalancerAddresses(ingress: V1Ingress | undefined): string[] {
  const entries = ingress?.status?.loadBalancer?.ingress ?? [];
  return entries.flatMap((e) => [e.ip, e.hostname]).filter((a): a is string => !!a);
}

/**
 * Records for one name: A/AAAA for IP targets, else one CNAME to the first host name (a CNAME
 * cannot share its name with other records). Targets sorted so the output is deterministic.
 */
export function recordsFor(dnsName: string, targets: string[], ttl: number): DnsRecord[] {
  const v4 = [...new Set(targets.filter((x) => isIP(x) === 4))].sort();
  const v6 = [...new Set(targets.filter((x) => isIP(x) === 6))].sort();
  const names = targets.filter((x) => isIP(x) === 0).sort();
  const records: DnsRecord[] = [];
  if (v4.length > 0) records.push({ dnsName, recordType: "A", recordTTL: ttl, targets: v4 });
  if (v6.length > 0) records.push({ dnsName, recordType: "AAAA", recordTTL: ttl, targets: v6 });
  if (records.length === 0 && names[0] !== undefined) {
    records.push({ dnsName, recordType: "CNAME", recordTTL: ttl, targets: [names[0]] });
  }
  return records;
}

/**
 * The external-dns DNSEndpoint for <host> and grpc.<host>; undefined when DNS is disabled or no
 * target is known yet (the DNSReady condition says which).
 */
export function renderDnsEndpoint(
  t: ResolvedTenant,
  config: RenderConfig,
  inputs: RenderInputs,
): DNSEndpoint | undefined {
  if (!t.dns.enabled) return undefined;
  const found = dnsTargetsFor(t, config, inputs);
  if (!found) return undefined;
  const endpoints = [t.host, t.grpcHost].flatMap((name) =>
    recordsFor(name, found.targets, t.dns.ttl),
  );
  if (endpoints.length === 0) return undefined;
  return {
    apiVersion: "externaldns.k8s.io/v1alpha1",
    kind: "DNSEndpoint",
    metadata: childMeta(t, Names.dnsEndpoint),
    spec: { endpoints },
  };
}
