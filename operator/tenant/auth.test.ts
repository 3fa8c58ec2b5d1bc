import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import type { WireNetworkPolicy } from "./networkpolicy.js";
import { renderTenant } from "./render.js";
import { computeStatus, type ObservedState } from "./status.js";
import { deploymentStatus, renderConfig, tenant } from "./testing/fixtures.js";

const config = renderConfig();
const ISSUER = "https://login.example.com/";

const withSecret = (key?: string): Tenant =>
  tenant("acme")
    .withAuth({
      jwt: {
        issuer: ISSUER,
        audiences: ["tenant-api", "admin"],
        jwksSecretRef: { name: "idp", key },
      },
    })
    .build();
const withUrl = (): Tenant =>
  tenant("acme")
    .withAuth({
      jwt: {
        issuer: ISSUER,
        audiences: ["tenant-api"],
        jwksURL: "https://login.example.com/.well-known/jwks.json",
      },
    })
    .build();

function deploymentOf(t: Tenant): V1Deployment {
  return renderTenant(t, config).find((o) => o.kind === "Deployment") as V1Deployment;
}

function envOf(t: Tenant): Record<string, string | undefined> {
  const env = deploymentOf(t).spec?.template.spec?.containers[0]?.env ?? [];
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

describe("spec.auth.jwt in the pod", () => {
  it("jwksSecretRef: AUTH_* env and the Secret mounted read-only (optional, so the pod reports it unready)", () => {
    const env = envOf(withSecret());
    expect(env).toMatchObject({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: "tenant-api,admin",
      AUTH_JWKS_FILE: "/etc/tenant/jwks/jwks.json",
    });
    expect(env.AUTH_JWKS_URL).toBeUndefined();
    const pod = deploymentOf(withSecret("keys")).spec?.template.spec;
    expect(pod?.volumes).toContainEqual({
      name: "jwks",
      secret: { secretName: "idp", optional: true },
    });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "jwks",
      mountPath: "/etc/tenant/jwks",
      readOnly: true,
    });
    expect(envOf(withSecret("keys")).AUTH_JWKS_FILE).toBe("/etc/tenant/jwks/keys");
  });

  it("jwksURL: AUTH_JWKS_URL and no volume", () => {
    const env = envOf(withUrl());
    expect(env).toMatchObject({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: "tenant-api",
      AUTH_JWKS_URL: "https://login.example.com/.well-known/jwks.json",
    });
    expect(env.AUTH_JWKS_FILE).toBeUndefined();
    const volumes = deploymentOf(withUrl()).spec?.template.spec?.volumes ?? [];
    expect(volumes.map((v) => v.name)).not.toContain("jwks");
  });

  it("no spec.auth: no AUTH_* variable at all (the service runs open, as before)", () => {
    const env = envOf(tenant("acme").build());
    expect(Object.keys(env).filter((name) => name.startsWith("AUTH_"))).toEqual([]);
  });

  it("the NetworkPolicy lets the pod reach an https JWKS host (egress to TCP 443 is not restricted)", () => {
    const policy = renderTenant(withUrl(), config).find(
      (o) => o.kind === "NetworkPolicy",
    ) as WireNetworkPolicy;
    const types = policy.spec.policyTypes ?? [];
    const egress = (
      policy.spec as { egress?: { ports?: { port?: number; protocol?: string }[] }[] }
    ).egress;
    const reaches443 =
      !types.includes("Egress") ||
      (egress ?? []).some(
        (rule) => !rule.ports || rule.ports.some((p) => p.port === 443 && p.protocol !== "UDP"),
      );
    expect(reaches443).toBe(true);
  });
});

describe("status with spec.auth.jwt.jwksSecretRef", () => {
  const healthy: ObservedState = {
    generation: 1,
    applied: true,
    missingCrds: [],
    deployment: deploymentStatus({}),
    tlsSecretReady: true,
    dnsEndpointApplied: true,
  };
  const conditions = (t: Tenant, o: ObservedState) =>
    computeStatus(t, o, new Date("2026-01-01T00:00:00Z")).conditions ?? [];

  it("is Degraded with JwksSecretMissing, naming the Secret and key, while the key set is not there", () => {
    const list = conditions(withSecret(), { ...healthy, jwksSecretReady: false });
    expect(list.find((c) => c.type === "Degraded")).toMatchObject({
      status: "True",
      reason: "JwksSecretMissing",
    });
    const ready = list.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "JwksSecretMissing" });
    expect(ready?.message).toContain('Secret tenant-acme/idp has no key "jwks.json"');
  });

  it("is Ready once the Secret holds a key set, and never judges a jwksURL tenant by a Secret", () => {
    const ok = conditions(withSecret(), { ...healthy, jwksSecretReady: true });
    expect(ok.find((c) => c.type === "Ready")).toMatchObject({ status: "True" });
    const url = conditions(withUrl(), { ...healthy, jwksSecretReady: false });
    expect(url.find((c) => c.type === "Ready")).toMatchObject({ status: "True" });
  });
});
