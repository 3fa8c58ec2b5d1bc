// Issue 17 on the real local control plane: a Tenant with spec.auth.jwt gets a pod configured
// for it (AUTH_* env; the JWKS Secret as a read-only volume), the Tenant says when its JWKS
// Secret is missing and recovers once it exists; a key set from a URL needs no volume.
import type { KubernetesObject, V1Deployment, V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../operator/api/types.js";
import { waitUntil } from "../cluster/testing.js";
import {
  applyManifest,
  condition,
  getObject,
  isReady,
  minimalTenant,
  tenantNamespace,
  useOperatorEnv,
  waitForTenant,
} from "./testing.js";

const env = useOperatorEnv("auth");
const ISSUER = "https://login.example.com/";
/** A real public key (P-256) as a JWKS: the operator only checks that it is a key set. */
const JWKS = {
  keys: [
    {
      kty: "EC",
      crv: "P-256",
      kid: "k1",
      alg: "ES256",
      use: "sig",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    },
  ],
};

function withAuth(prefix: string, jwt: NonNullable<Tenant["spec"]["auth"]>["jwt"]): Tenant {
  const t = minimalTenant(prefix, env.labels);
  return { ...t, spec: { ...t.spec, auth: { jwt } } };
}

async function deploymentOf(name: string): Promise<V1Deployment> {
  let deployment: V1Deployment | undefined;
  await waitUntil(`the Deployment of ${name}`, async () => {
    deployment = await getObject<V1Deployment>("deployment", "tenant", tenantNamespace(name));
    return deployment !== undefined;
  });
  return deployment!;
}

describe("a Tenant with spec.auth.jwt.jwksSecretRef", () => {
  const tenant = withAuth("auth-secret", {
    issuer: ISSUER,
    audiences: ["tenant-api", "admin"],
    jwksSecretRef: { name: "idp-jwks" },
  });
  const name = tenant.metadata.name!;
  const ns = tenantNamespace(name);

  it("is Degraded with JwksSecretMissing while the Secret does not exist", async () => {
    env.track(name);
    await applyManifest(tenant);
    const waiting = await waitForTenant(
      name,
      (t) => condition(t, "Degraded")?.reason === "JwksSecretMissing",
      "Degraded=True JwksSecretMissing",
    );
    expect(condition(waiting, "Degraded")?.status).toBe("True");
    expect(condition(waiting, "Ready")?.status).toBe("False");
    expect(condition(waiting, "Ready")?.message).toContain(`Secret ${ns}/idp-jwks`);
  }, 150_000);

  it("renders the pod with AUTH_* env and the Secret mounted read-only", async () => {
    const deployment = await deploymentOf(name);
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    const envs = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(envs).toMatchObject({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: "tenant-api,admin",
      AUTH_JWKS_FILE: "/etc/tenant/jwks/jwks.json",
    });
    expect(envs.AUTH_JWKS_URL).toBeUndefined();
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({
        name: "jwks",
        secret: expect.objectContaining({ secretName: "idp-jwks", optional: true }),
      }),
    );
    expect(container.volumeMounts).toContainEqual(
      expect.objectContaining({ name: "jwks", mountPath: "/etc/tenant/jwks", readOnly: true }),
    );
  }, 120_000);

  it("becomes Ready once the Secret holds a key set", async () => {
    const secret: V1Secret & KubernetesObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "idp-jwks", namespace: ns },
      stringData: { "jwks.json": JSON.stringify(JWKS) },
    };
    await applyManifest(secret);
    const ready = await waitForTenant(name, isReady, "Ready", 120_000);
    expect(condition(ready, "Degraded")?.status).toBe("False");
  }, 150_000);
});

describe("a Tenant with spec.auth.jwt.jwksURL", () => {
  it("renders AUTH_JWKS_URL and no JWKS volume", async () => {
    const tenant = withAuth("auth-url", {
      issuer: ISSUER,
      audiences: ["tenant-api"],
      jwksURL: "https://login.example.com/.well-known/jwks.json",
    });
    env.track(tenant.metadata.name!);
    await applyManifest(tenant);
    const deployment = await deploymentOf(tenant.metadata.name!);
    const pod = deployment.spec!.template.spec!;
    const envs = Object.fromEntries((pod.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    expect(envs).toMatchObject({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: "tenant-api",
      AUTH_JWKS_URL: "https://login.example.com/.well-known/jwks.json",
    });
    expect(envs.AUTH_JWKS_FILE).toBeUndefined();
    expect((pod.volumes ?? []).map((v) => v.name)).not.toContain("jwks");
  }, 150_000);
});
