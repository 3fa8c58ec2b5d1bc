import { describe, expect, it } from "vitest";
import { ownerReferencesWithout, retainedOnDeletion } from "./deletion.js";
import {
  ApplyError,
  InvalidSpecError,
  MissingCrdError,
  errorForApiFailure,
  isTenantError,
} from "./errors.js";
import { Reasons } from "./reasons.js";
import { tenant } from "./testing/fixtures.js";

describe("deletion policy", () => {
  it("Delete keeps nothing: owner references take every child away", () => {
    expect(retainedOnDeletion(tenant().build())).toEqual([]);
  });

  it("Retain keeps the namespace and the embedded database's PVC", () => {
    expect(retainedOnDeletion(tenant("acme").retain().build())).toEqual([
      { apiVersion: "v1", kind: "Namespace", name: "tenant-acme" },
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        name: "tenant-data",
        namespace: "tenant-acme",
      },
    ]);
  });

  it("Retain with an external database keeps the namespace (and the Secret in it)", () => {
    expect(retainedOnDeletion(tenant("acme").external().retain().build())).toEqual([
      { apiVersion: "v1", kind: "Namespace", name: "tenant-acme" },
    ]);
  });

  it("drops only the Tenant's owner reference, and says when there is nothing to drop", () => {
    const ours = {
      apiVersion: "platform.tenancy.dev/v1alpha1",
      kind: "Tenant",
      name: "acme",
      uid: "u1",
    };
    const other = { apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "u2" };
    const ns = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "tenant-acme", ownerReferences: [ours, other] },
    };
    expect(ownerReferencesWithout(ns, "u1")).toEqual([other]);
    expect(ownerReferencesWithout(ns, "u3")).toBeUndefined();
  });
});

describe("typed errors", () => {
  it.each([
    { err: new InvalidSpecError("bad host"), reason: Reasons.InvalidSpec, terminal: true },
    {
      err: new MissingCrdError("dnsendpoints.externaldns.k8s.io"),
      reason: Reasons.CRDMissing,
      terminal: false,
    },
    { err: new ApplyError("timeout"), reason: Reasons.ApplyFailed, terminal: false },
    {
      err: new ApplyError("conflict", { reason: Reasons.Conflict }),
      reason: Reasons.Conflict,
      terminal: false,
    },
  ])("$err.name carries reason $reason, terminal $terminal", ({ err, reason, terminal }) => {
    expect(isTenantError(err)).toBe(true);
    expect(err).toBeInstanceOf(Error);
    expect(err.reason).toBe(reason);
    expect(err.terminal).toBe(terminal);
  });

  it("is not confused with other errors", () => {
    expect(isTenantError(new Error("x"))).toBe(false);
  });
});

describe("API failures while writing a child", () => {
  it.each([
    {
      f: {
        code: 403,
        reason: "Forbidden",
        message: 'pods "x" is forbidden: exceeded quota: tenant-quota, requested: pods=1',
      },
      reason: "QuotaExceeded",
      terminal: false,
    },
    {
      f: {
        code: 403,
        reason: "Forbidden",
        message:
          "unable to create new content in namespace tenant-a because it is being terminated",
        details: { causes: [{ reason: "NamespaceTerminating" }] },
      },
      reason: "NamespaceTerminating",
      terminal: false,
    },
    {
      f: { code: 403, reason: "Forbidden", message: "cannot patch resource" },
      reason: "Forbidden",
      terminal: false,
    },
    { f: { code: 409, reason: "Conflict" }, reason: "Conflict", terminal: false },
    {
      f: { code: 422, reason: "Invalid", message: "spec.rules[0].host: Invalid value" },
      reason: "InvalidSpec",
      terminal: true,
    },
    { f: { code: 500 }, reason: "Transient", terminal: false },
    { f: {}, reason: "Transient", terminal: false },
    { f: { code: 400, reason: "BadRequest" }, reason: "ApplyFailed", terminal: false },
  ])("$f.code $f.reason -> $reason (terminal $terminal)", ({ f, reason, terminal }) => {
    const err = errorForApiFailure("Deployment tenant-a/tenant", f);
    expect(err.reason).toBe(reason);
    expect(err.terminal).toBe(terminal);
    expect(err.message).toMatch(/^Deployment tenant-a\/tenant: /);
  });
});
