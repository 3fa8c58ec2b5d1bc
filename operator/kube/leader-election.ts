/**
 * Leader election on a coordination.k8s.io/v1 Lease, in client-go's way (client-node has none):
 * - every retryPeriod a candidate reads the Lease; it takes it when it is free (no holder) or
 *   expired (its record has not changed for leaseDuration, measured on the candidate's own
 *   clock, so clock skew between replicas does not matter), writing with the resourceVersion it
 *   read, so of two candidates exactly one wins (the other gets 409 Conflict);
 * - the leader renews every retryPeriod; if it has not renewed successfully for renewDeadline it
 *   calls onStoppedLeading at once (before the lease expires for the others, since
 *   renewDeadline < leaseDuration), so two replicas never reconcile at the same time;
 * - a leader that reads the Lease held by another identity (taken over, or edited by hand) has
 *   lost it for certain: it stops at once rather than at its renew deadline, since the new
 *   holder already reconciles;
 * - release() on shutdown gives the Lease up (empty holder) so a standby takes over at once.
 * The Lease is written as raw JSON because its times are MicroTime (6 fractional digits).
 */
import { HttpMethod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import { sleep } from "./backoff.js";
import { describeError, resourcePath, statusCodeOf, type KubeClient } from "./client.js";

export interface LeaderElectionOptions {
  name: string;
  namespace: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  onStartedLeading: () => void;
  /** Called once when leadership is lost (not on release). */
  onStoppedLeading: () => void;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export class LeaderElector {
  private leading = false;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private observed: { record: string; at: number } | undefined;
  private lease: Lease | undefined;
  /** Set when the last read showed the Lease validly held by another identity. */
  private heldByOther: string | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning; a leader gives the Lease up so a standby need not wait for it to expire. */
  async release(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    if (!this.leading || !this.lease) return;
    this.setLeading(false);
    const lease = structuredClone(this.lease);
    lease.spec = {
      ...lease.spec,
      holderIdentity: null,
      leaseDurationSeconds: 1,
      renewTime: microNow(),
    };
    try {
      await this.client.request(HttpMethod.PUT, this.path(lease.metadata.name), {
        body: lease,
        timeoutMs: 5000,
      });
      this.log.info({ lease: this.options.name }, "released the leader lease");
    } catch (err) {
      this.log.warn(
        { err: describeError(err) },
        "could not release the leader lease; the standby takes over when it expires",
      );
    }
  }

  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    const retryMs = this.options.retryPeriodSeconds * 1000;
    let lastRenew = 0;
    while (!signal.aborted) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.log.warn(
          { err: describeError(err) },
          "leader election: could not read or write the lease",
        );
      }
      if (signal.aborted) break;
      const now = Date.now();
      if (ok) {
        lastRenew = now;
        if (!this.leading) {
          this.setLeading(true);
          this.log.info(
            { identity: this.options.identity, lease: this.options.name },
            "became the leader",
          );
          this.options.onStartedLeading();
        }
      } else if (
        this.leading &&
        (this.heldByOther !== undefined ||
          now - lastRenew >= this.options.renewDeadlineSeconds * 1000)
      ) {
        this.setLeading(false);
        this.log.error(
          { identity: this.options.identity, holder: this.heldByOther },
          "lost the leader lease; stopping reconciliation",
        );
        this.options.onStoppedLeading();
        return;
      }
      await sleep(retryMs * (this.leading ? 1 : 1 + Math.random() * 0.2), signal);
    }
  }

  /** One attempt: true when this replica holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, identity, leaseDurationSeconds } = this.options;
    const now = microNow();
    this.heldByOther = undefined;
    let current: Lease;
    try {
      current = await this.client.request<Lease>(HttpMethod.GET, this.path(name), {
        timeoutMs: this.timeoutMs(),
      });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      const fresh: Lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace: this.options.namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      return this.write(HttpMethod.POST, this.path(), fresh);
    }
    const spec = current.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.acquireTime]);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? "";
    const durationMs = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const expired = this.observed.at + durationMs <= Date.now();
    if (holder !== "" && holder !== identity && !expired) {
      this.lease = undefined;
      this.heldByOther = holder;
      return false;
    }
    const takingOver = holder !== identity;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: now,
        acquireTime: takingOver ? now : spec.acquireTime,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && holder !== "" ? 1 : 0),
      },
    };
    return this.write(HttpMethod.PUT, this.path(name), next);
  }

  /** Writes the lease (PUT carries the resourceVersion read: a concurrent writer gets 409). */
  private async write(method: HttpMethod, path: string, lease: Lease): Promise<boolean> {
    try {
      this.lease = await this.client.request<Lease>(method, path, {
        body: lease,
        timeoutMs: this.timeoutMs(),
      });
      return true;
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 409 || code === 422) return false;
      throw err;
    }
  }

  private timeoutMs(): number {
    return Math.max(1000, this.options.retryPeriodSeconds * 1000);
  }

  private setLeading(value: boolean): void {
    this.leading = value;
    this.metrics?.leaderStatus.set({ name: this.options.name }, value ? 1 : 0);
  }

  private path(name?: string): string {
    return resourcePath("coordination.k8s.io/v1", "leases", this.options.namespace, name);
  }
}

function microNow(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
