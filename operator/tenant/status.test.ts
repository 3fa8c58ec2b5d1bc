import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Condition, Tenant } from "../api/types.js";
import {
  CERT_MANAGER_CRD,
  DNS_CRD,
  Reasons,
  computeStatus,
  statusChanged,
  type ObservedState,
} from "./status.js";
import { hostsOutsideZones } from "./status-integrations.js";
import { deploymentStatus, tenant } from "./testing/fixtures.js";

const T0 = new Date("2026-01-01T00:00:00.000Z");
const T1 = new Date("2026-01-01T00:05:00.000Z");

const healthy: ObservedState = {
  generation: 1,
  applied: true,
  missingCrds: [],
  deployment: deploymentStatus({}),
  tlsSecretReady: true,
  dnsEndpointApplied: true,
  dnsEndpointPublished: true,
};

/** A Deployment whose ReplicaSet could not create its pod, as the Deployment controller says. */
function withReplicaFailure(message: string): V1Deployment {
  const d = deploymentStatus({ ready: 0, updated: 0, available: false });
  d.status!.conditions = [
    ...(d.status!.conditions ?? []),
    { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message },
  ];
  return d;
}

function condition(t: Tenant, observed: ObservedState, type: string): Condition | undefined {
  return computeStatus(t, observed, T0).conditions?.find((c) => c.type === type);
}

function summary(t: Tenant, observed: ObservedState): string {
  const s = computeStatus(t, observed, T0);
  return ["Ready", "Progressing", "Degraded"]
    .map((type) => {
      const c = s.conditions?.find((x) => x.type === type);
      return `${type}=${c?.status}/${c?.reason}`;
    })
    .join(" ");
}

describe("Ready, Progressing and Degraded", () => {
  it.each([
    {
      case: "everything applied and available",
      t: tenant().build(),
      o: healthy,
      want: "Ready=True/Ready Progressing=False/AsExpected Degraded=False/AsExpected",
    },
    {
      case: "children not applied yet",
      t: tenant().build(),
      o: { ...healthy, applied: false },
      want: "Ready=False/Reconciling Progressing=True/Reconciling Degraded=False/AsExpected",
    },
    {
      case: "Deployment not created yet",
      t: tenant().build(),
      o: { ...healthy, deployment: undefined },
      want: "Ready=False/Reconciling Progressing=True/Reconciling Degraded=False/AsExpected",
    },
    {
      case: "rollout under way",
      t: tenant().build(),
      o: { ...healthy, deployment: deploymentStatus({ replicas: 2, updated: 1 }) },
      want: "Ready=False/RolloutInProgress Progressing=True/RolloutInProgress Degraded=False/AsExpected",
    },
    {
      case: "Deployment controller has not seen the new generation",
      t: tenant().build(),
      o: { ...healthy, deployment: deploymentStatus({ generation: 3, observedGeneration: 2 }) },
      want: "Ready=False/RolloutInProgress Progressing=True/RolloutInProgress Degraded=False/AsExpected",
    },
    {
      case: "pods not ready",
      t: tenant().build(),
      o: { ...healthy, deployment: deploymentStatus({ ready: 0, available: false }) },
      want: "Ready=False/DeploymentUnavailable Progressing=True/DeploymentUnavailable Degraded=False/AsExpected",
    },
    {
      case: "rollout past its deadline",
      t: tenant().build(),
      o: { ...healthy, deployment: deploymentStatus({ available: false, deadlineExceeded: true }) },
      want: "Ready=False/RolloutStalled Progressing=False/AsExpected Degraded=True/RolloutStalled",
    },
    {
      case: "pods refused by a ResourceQuota (ReplicaFailure)",
      t: tenant().withQuota({ pods: 0 }).build(),
      o: {
        ...healthy,
        deployment: withReplicaFailure(
          'pods "tenant-6d4f" is forbidden: exceeded quota: tenant-quota, requested: pods=1, used: pods=0, limited: pods=0',
        ),
      },
      want: "Ready=False/QuotaExceeded Progressing=False/AsExpected Degraded=True/QuotaExceeded",
    },
    {
      case: "pods refused for a passing reason (ReplicaFailure: ServiceAccount not there yet)",
      t: tenant().build(),
      o: {
        ...healthy,
        deployment: withReplicaFailure(
          'pods "tenant-6d4f" is forbidden: error looking up service account tenant-acme/tenant: serviceaccount "tenant" not found',
        ),
      },
      want: "Ready=False/RolloutInProgress Progressing=True/RolloutInProgress Degraded=False/AsExpected",
    },
    {
      case: "a transient apply error",
      t: tenant().build(),
      o: {
        ...healthy,
        applied: false,
        applyError: { reason: Reasons.ApplyFailed, message: "timeout" },
      },
      want: "Ready=False/ApplyFailed Progressing=True/ApplyFailed Degraded=True/ApplyFailed",
    },
    {
      case: "a terminal spec error",
      t: tenant().build(),
      o: {
        ...healthy,
        applied: false,
        applyError: { reason: Reasons.InvalidSpec, message: "bad", terminal: true },
      },
      want: "Ready=False/InvalidSpec Progressing=False/AsExpected Degraded=True/InvalidSpec",
    },
    {
      case: "external database Secret missing",
      t: tenant().external("pg").build(),
      o: { ...healthy, databaseSecretReady: false },
      want: "Ready=False/DatabaseSecretMissing Progressing=False/AsExpected Degraded=True/DatabaseSecretMissing",
    },
    {
      case: "autoscaled, the Deployment Available below minReplicas (the HPA has not scaled it yet)",
      t: tenant().external("pg").withAutoscaling(2, 5).build(),
      o: { ...healthy, databaseSecretReady: true, deployment: deploymentStatus({ replicas: 1 }) },
      want: "Ready=False/DeploymentUnavailable Progressing=True/DeploymentUnavailable Degraded=False/AsExpected",
    },
    {
      case: "autoscaled, at minReplicas and Available",
      t: tenant().external("pg").withAutoscaling(2, 5).build(),
      o: { ...healthy, databaseSecretReady: true, deployment: deploymentStatus({ replicas: 2 }) },
      want: "Ready=True/Ready Progressing=False/AsExpected Degraded=False/AsExpected",
    },
    {
      case: "autoscaled on the embedded store (one pod, no HPA): Available at 1",
      t: tenant().withAutoscaling(2, 5).build(),
      o: { ...healthy, deployment: deploymentStatus({ replicas: 1 }) },
      want: "Ready=True/EmbeddedSingleReplica Progressing=False/AsExpected Degraded=False/AsExpected",
    },
    {
      case: "suspended",
      t: tenant().suspended().build(),
      o: { ...healthy, deployment: deploymentStatus({ replicas: 0 }) },
      want: "Ready=True/Suspended Progressing=False/AsExpected Degraded=False/AsExpected",
    },
    {
      case: "being deleted",
      t: tenant().deleting().build(),
      o: healthy,
      want: "Ready=False/Deleting Progressing=True/Deleting Degraded=False/AsExpected",
    },
    {
      case: "embedded database asked for 3 replicas",
      t: tenant().withReplicas(3).build(),
      o: healthy,
      want: "Ready=True/EmbeddedSingleReplica Progressing=False/AsExpected Degraded=False/AsExpected",
    },
  ])("$case: $want", ({ t, o, want }) => {
    expect(summary(t, o)).toBe(want);
  });

  it("says why an embedded tenant runs one replica when more were asked", () => {
    const ready = condition(tenant().withReplicas(3).build(), healthy, "Ready");
    expect(ready?.message).toContain("spec.replicas is 3");
    expect(ready?.message).toContain("spec.database.mode external");
  });

  it("names the missing database Secret and its key", () => {
    const ready = condition(
      tenant("globex").external("pg").build(),
      { ...healthy, databaseSecretReady: false },
      "Ready",
    );
    expect(ready?.message).toContain('tenant-globex/pg with key "uri"');
  });

  it("says an autoscaled tenant waits for the autoscaler's minimum, with the pods ready so far", () => {
    const ready = condition(
      tenant().external("pg").withAutoscaling(3, 5).build(),
      { ...healthy, databaseSecretReady: true, deployment: deploymentStatus({ replicas: 1 }) },
      "Ready",
    );
    expect(ready?.message).toBe(
      "waiting for the autoscaler to scale the Deployment to minReplicas: 1 of 3 pods ready",
    );
  });
});

describe("DNSReady and TLSReady", () => {
  it.each([
    { case: "records published", t: tenant().build(), o: healthy, want: "True/DNSRecordsApplied" },
    {
      case: "DNS disabled",
      t: tenant().dnsDisabled().build(),
      o: healthy,
      want: "True/DNSDisabled",
    },
    {
      case: "external-dns missing",
      t: tenant().build(),
      o: { ...healthy, missingCrds: [DNS_CRD] },
      want: "False/DNSCRDMissing",
    },
    {
      case: "no target yet",
      t: tenant().build(),
      o: { ...healthy, dnsEndpointApplied: false },
      want: "False/DNSTargetsPending",
    },
    {
      case: "applied, external-dns has not published it yet",
      t: tenant().build(),
      o: { ...healthy, dnsEndpointPublished: false },
      want: "False/DNSPublishPending",
    },
    {
      case: "applied, never looked at by external-dns",
      t: tenant().build(),
      o: { ...healthy, dnsEndpointPublished: undefined },
      want: "False/DNSPublishPending",
    },
    {
      case: "not applied yet",
      t: tenant().build(),
      o: { ...healthy, dnsEndpointApplied: undefined },
      want: "Unknown/Reconciling",
    },
    {
      // external-dns marks the record observed although its domain filter keeps it out
      case: "published, but the host is outside the zones external-dns manages",
      t: tenant().withHost("acme.example.org").build(),
      o: { ...healthy, dnsZones: ["tenants.test", "example.com"] },
      want: "False/HostOutsideDNSZones",
    },
    {
      case: "the host is in one of the zones (any case, trailing dot)",
      t: tenant().withHost("Acme.Tenants.Test").build(),
      o: { ...healthy, dnsZones: ["example.com", "tenants.test."] },
      want: "True/DNSRecordsApplied",
    },
    {
      case: "the host is the zone's apex",
      t: tenant().withHost("tenants.test").build(),
      o: { ...healthy, dnsZones: ["tenants.test"] },
      want: "True/DNSRecordsApplied",
    },
  ])("DNSReady when $case: $want", ({ t, o, want }) => {
    const c = condition(t, o, "DNSReady");
    expect(`${c?.status}/${c?.reason}`).toBe(want);
  });

  it("names the host, the zones and the fix when the host is outside them", () => {
    const c = condition(
      tenant().withHost("acme.notmanaged.test").build(),
      { ...healthy, dnsZones: ["tenants.test"] },
      "DNSReady",
    );
    expect(c?.message).toMatch(
      /^acme\.notmanaged\.test and grpc\.acme\.notmanaged\.test are outside/,
    );
    expect(c?.message).toContain("(tenants.test)");
    expect(c?.message).toContain("--dns-zones");
    expect(hostsOutsideZones(["a.tenants.test", "xtenants.test"], ["tenants.test"])).toEqual([
      "xtenants.test",
    ]);
  });

  it.each([
    { case: "certificate issued", t: tenant().build(), o: healthy, want: "True/CertificateIssued" },
    {
      case: "TLS disabled",
      t: tenant().tlsDisabled().build(),
      o: healthy,
      want: "True/TLSDisabled",
    },
    {
      case: "waiting for the certificate",
      t: tenant().build(),
      o: { ...healthy, tlsSecretReady: false },
      want: "False/CertificatePending",
    },
    {
      case: "cert-manager missing",
      t: tenant().build(),
      o: { ...healthy, tlsSecretReady: false, missingCrds: [CERT_MANAGER_CRD] },
      want: "False/CertManagerMissing",
    },
    {
      case: "no issuer anywhere",
      t: tenant().build(),
      o: { ...healthy, tlsSecretReady: false, defaultIssuerConfigured: false },
      want: "False/NoIssuer",
    },
  ])("TLSReady when $case: $want", ({ t, o, want }) => {
    const c = condition(t, o, "TLSReady");
    expect(`${c?.status}/${c?.reason}`).toBe(want);
  });

  it("never holds back Ready", () => {
    const o = { ...healthy, missingCrds: [DNS_CRD, CERT_MANAGER_CRD], tlsSecretReady: false };
    expect(condition(tenant().build(), o, "Ready")?.status).toBe("True");
  });
});

describe("the status object", () => {
  it("carries observedGeneration, url, grpcEndpoint, namespace and replica counts", () => {
    const t = tenant("acme").withHost("acme.example.com").withGeneration(4).build();
    const s = computeStatus(
      t,
      { ...healthy, generation: 4, deployment: deploymentStatus({ replicas: 1 }) },
      T0,
    );
    expect(s).toMatchObject({
      observedGeneration: 4,
      url: "https://acme.example.com",
      grpcEndpoint: "grpc.acme.example.com:443",
      namespace: "tenant-acme",
      replicas: 1,
      readyReplicas: 1,
    });
    for (const c of s.conditions ?? []) expect(c.observedGeneration).toBe(4);
    expect(s.conditions?.map((c) => c.type)).toEqual([
      "Ready",
      "Progressing",
      "Degraded",
      "DNSReady",
      "TLSReady",
    ]);
  });

  it("uses plain http addresses when TLS is disabled", () => {
    const s = computeStatus(tenant().tlsDisabled().build(), healthy, T0);
    expect([s.url, s.grpcEndpoint]).toEqual([
      "http://acme.example.com",
      "grpc.acme.example.com:80",
    ]);
  });

  it("stamps new conditions with the current time at second precision", () => {
    const ready = condition(tenant().build(), healthy, "Ready");
    expect(ready?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
  });
});

describe("status transitions", () => {
  it("keeps lastTransitionTime when a condition's status does not change", () => {
    const first = computeStatus(tenant().build(), { ...healthy, applied: false }, T0);
    const stillWorking = tenant()
      .withConditions(...first.conditions!)
      .build();
    const second = computeStatus(
      stillWorking,
      { ...healthy, deployment: deploymentStatus({ available: false, ready: 0 }) },
      T1,
    );
    const ready = second.conditions?.find((c) => c.type === "Ready");
    expect(ready?.reason).toBe("DeploymentUnavailable");
    expect(ready?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
  });

  it("moves lastTransitionTime when a condition's status flips", () => {
    const first = computeStatus(tenant().build(), { ...healthy, applied: false }, T0);
    const second = computeStatus(
      tenant()
        .withConditions(...first.conditions!)
        .build(),
      healthy,
      T1,
    );
    const ready = second.conditions?.find((c) => c.type === "Ready");
    expect(ready?.status).toBe("True");
    expect(ready?.lastTransitionTime).toBe("2026-01-01T00:05:00Z");
    const degraded = second.conditions?.find((c) => c.type === "Degraded");
    expect(degraded?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
  });

  it("recomputes an unchanged world into an equal status, so nothing is written", () => {
    const first = computeStatus(tenant().build(), healthy, T0);
    const t = tenant().build();
    t.status = first;
    const second = computeStatus(t, healthy, T1);
    expect(statusChanged(first, second)).toBe(false);
    expect(second).toEqual(first);
  });

  it("reports a change when the generation moves on", () => {
    const first = computeStatus(tenant().build(), healthy, T0);
    const t = tenant().withGeneration(2).build();
    t.status = first;
    expect(statusChanged(first, computeStatus(t, { ...healthy, generation: 2 }, T1))).toBe(true);
  });

  it("keeps conditions of other types that someone else maintains", () => {
    const foreign: Condition = {
      type: "Audited",
      status: "True",
      reason: "Ok",
      message: "",
      lastTransitionTime: "2025-01-01T00:00:00Z",
    };
    const s = computeStatus(tenant().withConditions(foreign).build(), healthy, T0);
    expect(s.conditions?.at(-1)).toEqual(foreign);
  });
});

describe("a Pending data claim", () => {
  const waiting: ObservedState = {
    ...healthy,
    deployment: deploymentStatus({ ready: 0, available: false }),
  };

  it("is named in Ready's message while the pods wait", () => {
    const ready = condition(tenant().build(), { ...waiting, dataClaimPhase: "Pending" }, "Ready");
    expect(ready?.reason).toBe(Reasons.DeploymentUnavailable);
    expect(ready?.message).toMatch(/^waiting for pods: 0 of 1 ready; the data volume's claim /);
    expect(ready?.message).toContain("claim tenant-acme/tenant-data is Pending");
  });

  it("is not mentioned once Bound, nor when the Deployment is available", () => {
    const bound = condition(tenant().build(), { ...waiting, dataClaimPhase: "Bound" }, "Ready");
    expect(bound?.message).toBe("waiting for pods: 0 of 1 ready");
    const up = condition(tenant().build(), { ...healthy, dataClaimPhase: "Pending" }, "Ready");
    expect(up?.status).toBe("True");
  });
});
