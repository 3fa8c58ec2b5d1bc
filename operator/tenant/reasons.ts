/**
 * The closed set of reasons: condition reason, Event reason and metric label alike.
 * PascalCase, machine-readable; never branch on a message's text, branch on these.
 */
export const Reasons = {
  // Ready / Progressing / Degraded
  Ready: "Ready",
  Reconciling: "Reconciling",
  RolloutInProgress: "RolloutInProgress",
  DeploymentUnavailable: "DeploymentUnavailable",
  RolloutStalled: "RolloutStalled",
  Suspended: "Suspended",
  ApplyFailed: "ApplyFailed",
  InvalidSpec: "InvalidSpec",
  DatabaseSecretMissing: "DatabaseSecretMissing",
  JwksSecretMissing: "JwksSecretMissing",
  EmbeddedSingleReplica: "EmbeddedSingleReplica",
  AsExpected: "AsExpected",
  Deleting: "Deleting",
  // Hibernation (Ready while asleep; the Hibernating condition)
  Hibernating: "Hibernating",
  Asleep: "Asleep",
  Awake: "Awake",
  InvalidSchedule: "InvalidSchedule",
  // DNSReady
  DNSDisabled: "DNSDisabled",
  DNSCRDMissing: "DNSCRDMissing",
  DNSTargetsPending: "DNSTargetsPending",
  DNSRecordsApplied: "DNSRecordsApplied",
  DNSPublishPending: "DNSPublishPending",
  HostOutsideDNSZones: "HostOutsideDNSZones",
  // TLSReady
  TLSDisabled: "TLSDisabled",
  NoIssuer: "NoIssuer",
  CertManagerMissing: "CertManagerMissing",
  CertificatePending: "CertificatePending",
  CertificateIssued: "CertificateIssued",
  // Events and errors of the runtime
  Created: "Created",
  Updated: "Updated",
  Pruned: "Pruned",
  Retained: "Retained",
  CleanedUp: "CleanedUp",
  CRDMissing: "CRDMissing",
  Conflict: "Conflict",
  QuotaExceeded: "QuotaExceeded",
  NamespaceTerminating: "NamespaceTerminating",
  Forbidden: "Forbidden",
  Transient: "Transient",
} as const;

export type Reason = (typeof Reasons)[keyof typeof Reasons];
