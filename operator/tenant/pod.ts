/**
 * The pod template of the tenant's Deployment: the "restricted" Pod Security profile in full,
 * the service's env contract (TENANT, GRPC_PORT, HTTP_PORT, BRANDING_DIR, DATA_DIR or
 * DATABASE_URL, SERVICES, AUTH_* from spec.auth), probes and volumes.
 */
import type {
  V1Container,
  V1EnvVar,
  V1PodTemplateSpec,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import { authEnv, authVolumes } from "./auth.js";
import { childLabels, selectorLabels } from "./labels.js";
import { Names, Paths, ServicePorts } from "./names.js";
import type { RenderConfig } from "./render-config.js";
import type { ResolvedTenant } from "./spec.js";

/**
 * UID/GID the service runs as: the image's own non-root user (Dockerfile `USER 65532:65532`),
 * also the group that owns the data volume (fsGroup) so the embedded store can write DATA_DIR.
 */
export const RUN_AS_ID = 65532;

/**
 * How long a starting pod waits for the data directory's lock: beyond the service's shutdown
 * bound (10 s) and the lock's staleness (30 s, for an owner that was killed without release).
 */
export const DATA_DIR_LOCK_WAIT_MS = 45_000;

export const CONTAINER_SECURITY_CONTEXT: Readonly<V1SecurityContext> = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function env(t: ResolvedTenant): V1EnvVar[] {
  const vars: V1EnvVar[] = [
    { name: "TENANT", value: t.name },
    { name: "GRPC_PORT", value: String(ServicePorts.grpc) },
    { name: "HTTP_PORT", value: String(ServicePorts.http) },
    { name: "BRANDING_DIR", value: Paths.branding },
    { name: "SERVICES", value: t.services.join(",") },
    { name: "LOG_FORMAT", value: "json" },
  ];
  if (t.embedded) {
    vars.push({ name: "DATA_DIR", value: Paths.data });
    // A replacement pod starts while the pod it replaces still shuts down and holds the data
    // directory's lock: wait for it (covered by the startup probe) rather than crash-loop.
    vars.push({ name: "DATA_DIR_LOCK_WAIT_MS", value: String(DATA_DIR_LOCK_WAIT_MS) });
  }
  const ref = t.database.secretRef;
  if (ref) {
    vars.push({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
    });
  }
  vars.push(...authEnv(t.auth));
  return vars;
}

function volumes(t: ResolvedTenant): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const vols: V1Volume[] = [
    { name: "branding", configMap: { name: Names.brandingConfigMap } },
    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
  ];
  const mounts: V1VolumeMount[] = [
    { name: "branding", mountPath: Paths.branding, readOnly: true },
    { name: "tmp", mountPath: Paths.tmp },
  ];
  if (t.embedded) {
    vols.push({ name: "data", persistentVolumeClaim: { claimName: Names.dataPvc } });
    mounts.push({ name: "data", mountPath: Paths.data });
  }
  const auth = authVolumes(t.auth);
  return { volumes: [...vols, ...auth.volumes], mounts: [...mounts, ...auth.mounts] };
}

function container(t: ResolvedTenant, config: RenderConfig, mounts: V1VolumeMount[]): V1Container {
  const c: V1Container = {
    name: Names.container,
    image: t.image,
    ports: [
      { name: "http", containerPort: ServicePorts.http, protocol: "TCP" },
      { name: "grpc", containerPort: ServicePorts.grpc, protocol: "TCP" },
    ],
    env: env(t),
    resources: t.resources,
    // Start-up (opening and migrating the store, waiting for the lock) gets up to 90 s before
    // the liveness probe may restart the container; the service answers /healthz once it listens.
    startupProbe: {
      httpGet: { path: "/healthz", port: "http" },
      periodSeconds: 2,
      failureThreshold: 45,
    },
    livenessProbe: {
      httpGet: { path: "/healthz", port: "http" },
      periodSeconds: 10,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port: "http" },
      periodSeconds: 5,
      failureThreshold: 3,
    },
    securityContext: { ...CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
    volumeMounts: mounts,
  };
  if (config.imagePullPolicy) c.imagePullPolicy = config.imagePullPolicy;
  return c;
}

export function renderPodTemplate(t: ResolvedTenant, config: RenderConfig): V1PodTemplateSpec {
  const { volumes: vols, mounts } = volumes(t);
  return {
    metadata: { labels: { ...childLabels(t), ...selectorLabels(t) } },
    spec: {
      serviceAccountName: Names.serviceAccount,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUN_AS_ID,
        runAsGroup: RUN_AS_ID,
        fsGroup: RUN_AS_ID,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [container(t, config, mounts)],
      volumes: vols,
      ...(config.podNodeSelector ? { nodeSelector: { ...config.podNodeSelector } } : {}),
      ...(config.podTolerations
        ? { tolerations: config.podTolerations.map((t) => ({ ...t })) }
        : {}),
    },
  };
}
