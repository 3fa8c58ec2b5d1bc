// spec.access and spec.hibernation on a real kube-apiserver: the schema and the CEL rules reject
// what the operator could not bind or schedule, with messages that name the field; valid
// shapes pass, and the default time zone is filled in. Dry-run creates only: nothing stored.
import { beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../cluster/testing.js";
import { BASE_SPEC, type Spec } from "./tenant-validation-cases.js";
import { installTenantCrd, kubectl, type Run } from "./tenant-validation-helpers.js";

function dryRunCreate(spec: Spec): Promise<Run> {
  const manifest = JSON.stringify({
    apiVersion: "platform.tenancy.dev/v1alpha1",
    kind: "Tenant",
    metadata: { name: "access-validation" },
    spec: { ...BASE_SPEC, ...spec },
  });
  return kubectl(["create", "--dry-run=server", "-o", "json", "-f", "-"], manifest);
}

const nightly = { sleepSchedule: "0 20 * * 1-5", wakeSchedule: "0 7 * * 1-5" };

const INVALID: { name: string; spec: Spec; expect: string[] }[] = [
  {
    name: "an owner of an unknown kind",
    spec: { access: { owners: [{ kind: "Robot", name: "r2" }] } },
    expect: ["spec.access.owners[0].kind", "Unsupported value"],
  },
  {
    name: "an owner without a name",
    spec: { access: { owners: [{ kind: "User" }] } },
    expect: ["spec.access.owners[0].name", "Required value"],
  },
  {
    name: "a ServiceAccount viewer without a namespace",
    spec: { access: { viewers: [{ kind: "ServiceAccount", name: "ci" }] } },
    expect: ["spec.access.viewers", "entries of kind ServiceAccount must set namespace"],
  },
  {
    name: "a User owner with a namespace",
    spec: { access: { owners: [{ kind: "User", name: "alice", namespace: "x" }] } },
    expect: ["spec.access.owners", "kind User or Group must not set namespace"],
  },
  {
    name: "a four-field sleep schedule",
    spec: { hibernation: { ...nightly, sleepSchedule: "0 20 * *" } },
    expect: ["spec.hibernation.sleepSchedule", "five fields"],
  },
  {
    name: "a six-field (seconds) wake schedule",
    spec: { hibernation: { ...nightly, wakeSchedule: "0 0 7 * * 1-5" } },
    expect: ["spec.hibernation.wakeSchedule", "five fields"],
  },
  {
    name: "a schedule without its wake time",
    spec: { hibernation: { sleepSchedule: "0 20 * * *" } },
    expect: ["spec.hibernation.wakeSchedule", "Required value"],
  },
  {
    name: "equal sleep and wake schedules",
    spec: { hibernation: { sleepSchedule: "0 20 * * *", wakeSchedule: "0 20 * * *" } },
    expect: ["spec.hibernation", "must differ"],
  },
  {
    name: "a time zone that is not a zone name",
    spec: { hibernation: { ...nightly, timeZone: "UTC+2 (Berlin)" } },
    expect: ["spec.hibernation.timeZone", "IANA time zone"],
  },
];

beforeAll(async () => {
  await installTenantCrd();
  await waitUntil("dry-run creates of tenants to pass", async () => {
    return (await dryRunCreate({})).code === 0;
  });
});

describe("spec.access and spec.hibernation on a real API server", () => {
  it.each(INVALID.map((c) => [c.name, c] as const))("rejects %s", async (_name, c) => {
    const run = await dryRunCreate(c.spec);
    expect(run.code, run.stdout).not.toBe(0);
    for (const phrase of c.expect) expect(run.stderr).toContain(phrase);
  });

  it("accepts users, groups and ServiceAccounts, and a schedule, with UTC as the default zone", async () => {
    const run = await dryRunCreate({
      access: {
        owners: [
          { kind: "User", name: "alice@example.com" },
          { kind: "ServiceAccount", name: "deployer", namespace: "ci" },
        ],
        viewers: [
          { kind: "Group", name: "auditors" },
          { kind: "User", name: "alice@example.com" },
        ],
      },
      hibernation: { sleepSchedule: "30 19 * * MON-FRI", wakeSchedule: "0 7 * * mon-fri" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout) as { spec: { hibernation: { timeZone: string } } };
    expect(created.spec.hibernation.timeZone).toBe("UTC");
  });
});
