/**
 * spec.auth.jwt in the tenant's pod: the service's AUTH_* environment (service/config.ts) and,
 * for a key set kept in a Secret, that Secret mounted read-only. The volume is optional: with
 * the Secret (or its key) missing the pod still starts and reports itself unready (/readyz 503:
 * no key set, so no call could be answered), and the Tenant's status says which Secret is
 * missing (status.ts, JwksSecretMissing); once the Secret appears the kubelet projects it and
 * the service picks the file up without a restart.
 */
import type { V1EnvVar, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import { Paths } from "./names.js";

export const DEFAULT_JWKS_KEY = "jwks.json";
const JWKS_VOLUME = "jwks";

export interface ResolvedAuth {
  issuer: string;
  audiences: string[];
  /** Exactly one of jwksURL and jwksSecret (the CRD enforces it). */
  jwksURL?: string;
  jwksSecret?: { name: string; key: string };
}

export function resolveAuth(tenant: Tenant): ResolvedAuth | undefined {
  const jwt = tenant.spec.auth?.jwt;
  if (!jwt) return undefined;
  const ref = jwt.jwksSecretRef;
  return {
    issuer: jwt.issuer,
    audiences: jwt.audiences,
    ...(jwt.jwksURL !== undefined && { jwksURL: jwt.jwksURL }),
    ...(ref &&
      !jwt.jwksURL && { jwksSecret: { name: ref.name, key: ref.key ?? DEFAULT_JWKS_KEY } }),
  };
}

export function authEnv(auth: ResolvedAuth | undefined): V1EnvVar[] {
  if (!auth) return [];
  const vars: V1EnvVar[] = [
    { name: "AUTH_ISSUER", value: auth.issuer },
    { name: "AUTH_AUDIENCE", value: auth.audiences.join(",") },
  ];
  if (auth.jwksURL) vars.push({ name: "AUTH_JWKS_URL", value: auth.jwksURL });
  if (auth.jwksSecret) {
    vars.push({ name: "AUTH_JWKS_FILE", value: `${Paths.jwks}/${auth.jwksSecret.key}` });
  }
  return vars;
}

export function authVolumes(auth: ResolvedAuth | undefined): {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
} {
  if (!auth?.jwksSecret) return { volumes: [], mounts: [] };
  return {
    volumes: [{ name: JWKS_VOLUME, secret: { secretName: auth.jwksSecret.name, optional: true } }],
    mounts: [{ name: JWKS_VOLUME, mountPath: Paths.jwks, readOnly: true }],
  };
}
