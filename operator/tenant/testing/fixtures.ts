/**
 * A small builder for Tenant fixtures in unit tests:
 *   tenant("acme").withHost("acme.example.com").withAutoscaling(2, 5).external("db").build()
 */
import type { V1Deployment } from "@kubernetes/client-node";
import type { Condition, Tenant, TenantSpec } from "../../api/types.js";
import { DEFAULT_RENDER_CONFIG, type RenderConfig } from "../render-config.js";

export class TenantBuilder {
  private readonly t: Tenant;

  constructor(name: string) {
    this.t = {
      apiVersion: "platform.tenancy.dev/v1alpha1",
      kind: "Tenant",
      metadata: { name, uid: `uid-${name}`, generation: 1 },
      spec: {
        displayName: `${name[0]?.toUpperCase() ?? ""}${name.slice(1)} Corp`,
        host: `${name}.example.com`,
      },
    };
  }

  private spec(patch: Partial<TenantSpec>): this {
    Object.assign(this.t.spec, patch);
    return this;
  }

  withHost(host: string): this {
    return this.spec({ host });
  }
  withDisplayName(displayName: string): this {
    return this.spec({ displayName });
  }
  withImage(image: string): this {
    return this.spec({ image });
  }
  withReplicas(replicas: number): this {
    return this.spec({ replicas });
  }
  withAutoscaling(
    minReplicas: number,
    maxReplicas: number,
    targetCPUUtilizationPercentage?: number,
  ): this {
    return this.spec({ autoscaling: { minReplicas, maxReplicas, targetCPUUtilizationPercentage } });
  }
  withServices(...services: NonNullable<TenantSpec["services"]>): this {
    return this.spec({ services });
  }
  withBranding(branding: TenantSpec["branding"]): this {
    return this.spec({ branding });
  }
  withResources(resources: TenantSpec["resources"]): this {
    return this.spec({ resources });
  }
  withIssuer(name: string, kind: "Issuer" | "ClusterIssuer" = "ClusterIssuer"): this {
    return this.spec({ tls: { ...this.t.spec.tls, issuerRef: { name, kind } } });
  }
  tlsDisabled(): this {
    return this.spec({ tls: { ...this.t.spec.tls, enabled: false } });
  }
  dnsDisabled(): this {
    return this.spec({ dns: { ...this.t.spec.dns, enabled: false } });
  }
  withDnsTargets(...targets: string[]): this {
    return this.spec({ dns: { ...this.t.spec.dns, targets } });
  }
  withTtl(ttl: number): this {
    return this.spec({ dns: { ...this.t.spec.dns, ttl } });
  }
  withIngressClass(className: string): this {
    return this.spec({ ingress: { className } });
  }
  withQuota(quota: TenantSpec["quota"]): this {
    return this.spec({ quota });
  }
  external(secretName = "db", key?: string): this {
    return this.spec({ database: { mode: "external", secretRef: { name: secretName, key } } });
  }
  withStorage(size: string, storageClassName?: string): this {
    return this.spec({ database: { mode: "embedded", storage: { size, storageClassName } } });
  }
  withAccess(access: TenantSpec["access"]): this {
    return this.spec({ access });
  }
  withHibernation(hibernation: TenantSpec["hibernation"]): this {
    return this.spec({ hibernation });
  }
  withAuth(auth: TenantSpec["auth"]): this {
    return this.spec({ auth });
  }
  suspended(): this {
    return this.spec({ suspend: true });
  }
  retain(): this {
    return this.spec({ deletionPolicy: "Retain" });
  }
  deleting(at = "2026-01-01T00:00:00Z"): this {
    this.t.metadata.deletionTimestamp = new Date(at);
    return this;
  }
  withGeneration(generation: number): this {
    this.t.metadata.generation = generation;
    return this;
  }
  withConditions(...conditions: Condition[]): this {
    this.t.status = { ...this.t.status, conditions };
    return this;
  }
  build(): Tenant {
    return structuredClone(this.t);
  }
}

export function tenant(name = "acme"): TenantBuilder {
  return new TenantBuilder(name);
}

export function renderConfig(patch: Partial<RenderConfig> = {}): RenderConfig {
  return { ...DEFAULT_RENDER_CONFIG, ...patch };
}

/** A Deployment as the API server reports it after a rollout. */
export function deploymentStatus(opts: {
  replicas?: number;
  ready?: number;
  updated?: number;
  available?: boolean;
  generation?: number;
  observedGeneration?: number;
  deadlineExceeded?: boolean;
}): V1Deployment {
  const replicas = opts.replicas ?? 1;
  const conditions = [
    { type: "Available", status: opts.available === false ? "False" : "True" },
    {
      type: "Progressing",
      status: opts.deadlineExceeded ? "False" : "True",
      reason: opts.deadlineExceeded ? "ProgressDeadlineExceeded" : "NewReplicaSetAvailable",
    },
  ];
  return {
    metadata: { name: "tenant", generation: opts.generation ?? 1 },
    spec: { replicas, selector: {}, template: {} },
    status: {
      observedGeneration: opts.observedGeneration ?? opts.generation ?? 1,
      replicas,
      updatedReplicas: opts.updated ?? replicas,
      readyReplicas: opts.ready ?? replicas,
      availableReplicas: opts.ready ?? replicas,
      conditions,
    },
  };
}
