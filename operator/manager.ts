/**
 * Wires the operator together: informers (Tenants, and every owned kind selected by the
 * managed-by label and mapped back to its Tenant by the tenant label), the workqueue and its
 * workers, leader election, optional-API discovery, the periodic resync, and the HTTP endpoints
 * /healthz, /readyz (caches synced) and /metrics.
 *
 * Every replica keeps warm caches; only the leader runs workers. Losing the lease stops
 * reconciliation at once (in-flight reconciles are aborted before their next write) and
 * reports `lost` through onFatal, so main exits and the pod restarts as a standby.
 * stop() is the graceful path (SIGTERM): stop taking work, finish in-flight reconciles,
 * release the lease, stop informers, close the servers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { KubernetesObject } from "@kubernetes/client-node";
import { API_VERSION, CRD_NAME, GROUP, PLURAL, VERSION, type Tenant } from "./api/types.js";
import { redactConfig } from "./config.js";
import type { Context } from "./context.js";
import { describeError, resourcePath } from "./kube/client.js";
import { OptionalApis, servesResource, type ApiResourceRef } from "./kube/discovery.js";
import { Informer, stripManagedFields } from "./kube/informer.js";
import { LeaderElector } from "./kube/leader-election.js";
import { kindKey, type Caches } from "./controller/caches.js";
import { childUpdateMatters } from "./controller/predicates.js";
import { WorkQueue } from "./controller/queue.js";
import { Reconciler, errorPolicy, reasonOf } from "./controller/reconciler.js";
import { CHILD_KINDS, LABELS, type ChildKind } from "./tenant/children.js";

const CONTROLLER = "tenant";

export class FatalError extends Error {}

export interface ManagerHooks {
  /** Called when the manager cannot go on (lease lost); main exits non-zero. */
  onFatal?: (err: Error) => void;
}

export class Manager {
  readonly queue: WorkQueue;
  readonly caches: Caches;
  private readonly optionalApis: OptionalApis;
  private readonly reconciler: Reconciler;
  private elector: LeaderElector | undefined;
  private workers: Promise<void>[] = [];
  private readonly inFlight = new AbortController();
  private resyncTimer: NodeJS.Timeout | undefined;
  private servers: Server[] = [];
  private stopped = false;
  private leading = false;

  constructor(
    private readonly ctx: Context,
    private readonly hooks: ManagerHooks = {},
  ) {
    this.queue = new WorkQueue({ name: CONTROLLER, metrics: ctx.metrics });
    const tenants = this.informer<Tenant>(
      "tenants",
      resourcePath(API_VERSION, PLURAL),
      ctx.config.tenantSelector,
      {
        apiVersion: API_VERSION,
        kind: "Tenant",
      },
    );
    tenants.on((_event, t) => this.queue.add(t.metadata?.name ?? ""));
    this.caches = { tenants, children: new Map() };
    const optionalRefs: ApiResourceRef[] = [
      ...CHILD_KINDS.filter((k) => k.optionalCrd).map((k) => ({
        groupVersion: k.apiVersion,
        plural: k.plural,
      })),
      { groupVersion: "cert-manager.io/v1", plural: "certificates" },
    ];
    this.optionalApis = new OptionalApis(ctx.client, optionalRefs, ctx.log, () => {
      this.startServedChildInformers();
      this.resyncAll();
    });
    for (const kind of CHILD_KINDS) if (!kind.optionalCrd) this.addChildInformer(kind);
    this.reconciler = new Reconciler(ctx, this.caches, this.optionalApis);
  }

  /**
   * Starts everything; resolves once caches are synced (and, without leader election, workers run).
   * @throws FatalError when the Tenant CRD is not installed.
   */
  async start(): Promise<void> {
    const { config, log } = this.ctx;
    log.debug({ config: redactConfig(config) }, "configuration");
    if (
      !(await servesResource(this.ctx.client, {
        groupVersion: `${GROUP}/${VERSION}`,
        plural: PLURAL,
      }))
    ) {
      throw new FatalError(
        `the Tenant CRD (${CRD_NAME}) is not installed in the cluster at ${this.ctx.client.serverUrl}; install it with: kubectl apply -f crds/`,
      );
    }
    await this.optionalApis.refresh();
    this.optionalApis.startPeriodic(config.crdRecheckSeconds);
    this.caches.tenants.start();
    for (const informer of this.caches.children.values()) informer.start();
    this.startServedChildInformers();
    await this.startServers();
    if (config.leaderElect) {
      this.elector = new LeaderElector(
        this.ctx.client,
        {
          name: config.leaseName,
          namespace: config.leaseNamespace,
          identity: config.leaderIdentity ?? `${hostname()}_${randomBytes(4).toString("hex")}`,
          leaseDurationSeconds: config.leaseDurationSeconds,
          renewDeadlineSeconds: config.renewDeadlineSeconds,
          retryPeriodSeconds: config.retryPeriodSeconds,
          onStartedLeading: () => void this.startWorkers(),
          onStoppedLeading: () => this.lostLeadership(),
        },
        log,
        this.ctx.metrics,
      );
      this.elector.start();
    } else {
      await this.startWorkers();
    }
  }

  /** True once every started informer has listed. */
  synced(): boolean {
    return [this.caches.tenants, ...this.caches.children.values()].every((i) => i.hasSynced());
  }

  /** True while this replica runs workers. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Queues every cached Tenant (the periodic full resync; also for tests). */
  resyncAll(): void {
    for (const t of this.caches.tenants.list()) this.queue.add(t.metadata?.name ?? "", "low");
  }

  /** Addresses of the HTTP servers (after start). */
  addresses(): { metrics: number; health: number } {
    const ports = this.servers.map((s) => (s.address() as AddressInfo).port);
    return { metrics: ports[0] ?? 0, health: ports[1] ?? ports[0] ?? 0 };
  }

  /** Graceful stop: no new work, in-flight reconciles finish, the lease is released. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.log.info("shutting down: finishing in-flight reconciles");
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.optionalApis.stop();
    this.queue.shutDown();
    await this.queue.drain();
    await Promise.all(this.workers);
    await this.elector?.release();
    await Promise.all([this.caches.tenants, ...this.caches.children.values()].map((i) => i.stop()));
    this.ctx.client.close();
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    this.servers = [];
    this.ctx.log.info("stopped");
  }

  private lostLeadership(): void {
    this.leading = false;
    this.inFlight.abort();
    this.queue.shutDown();
    this.hooks.onFatal?.(new FatalError("lost the leader lease"));
  }

  private async startWorkers(): Promise<void> {
    if (this.stopped || this.leading) return;
    while (!this.synced()) {
      if (this.stopped) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.leading = true;
    const n = this.ctx.config.maxConcurrentReconciles;
    this.ctx.log.info({ workers: n }, "starting workers");
    this.resyncAll();
    this.workers = Array.from({ length: n }, () => this.worker());
    const period = this.ctx.config.resyncPeriodSeconds;
    if (period > 0) {
      this.resyncTimer = setInterval(() => this.resyncAll(), period * 1000);
      this.resyncTimer.unref();
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { metrics, log } = this.ctx;
    const end = metrics.reconcileTime.startTimer({ controller: CONTROLLER });
    try {
      const action = await this.reconciler.reconcile(key, this.inFlight.signal);
      this.queue.forget(key);
      if (action.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, action.requeueAfterMs);
        metrics.reconcileTotal.inc({ controller: CONTROLLER, result: "requeue_after" });
      } else {
        metrics.reconcileTotal.inc({ controller: CONTROLLER, result: "success" });
      }
    } catch (err) {
      const reason = reasonOf(err);
      metrics.reconcileTotal.inc({ controller: CONTROLLER, result: "error" });
      metrics.reconcileErrors.inc({ controller: CONTROLLER, reason });
      const policy = errorPolicy(err);
      log.warn({ tenant: key, reason, err: describeError(err), retry: policy }, "reconcile failed");
      if (policy === "backoff") this.queue.addRateLimited(key);
      else this.queue.forget(key);
    } finally {
      end();
    }
  }

  private informer<T extends KubernetesObject>(
    name: string,
    path: string,
    labelSelector: string | undefined,
    type: { apiVersion: string; kind: string },
    indexLabel?: string,
  ): Informer<T> {
    const { config, log, metrics } = this.ctx;
    return new Informer<T>(
      this.ctx.client,
      {
        name,
        path,
        labelSelector,
        indexLabel,
        watchTimeoutSeconds: config.watchTimeoutSeconds,
        stallSeconds: config.watchStallSeconds,
        // List items carry no apiVersion/kind; set them so cached objects describe themselves.
        transform: (obj) =>
          stripManagedFields(Object.assign(obj, { apiVersion: type.apiVersion, kind: type.kind })),
      },
      log,
      metrics,
    );
  }

  private addChildInformer(kind: ChildKind): Informer<KubernetesObject> {
    const informer = this.informer<KubernetesObject>(
      kind.plural,
      resourcePath(kind.apiVersion, kind.plural),
      `${LABELS.managedBy}=tenant-operator`,
      kind,
      LABELS.tenant,
    );
    informer.on((event, obj, old) => {
      if (event === "update" && !childUpdateMatters(old, obj)) return;
      const tenant = obj.metadata?.labels?.[LABELS.tenant];
      // A child changed (often: its status): the tenant's status is one cheap reconcile away.
      if (tenant) this.queue.add(tenant, "high");
    });
    this.caches.children.set(kindKey(kind), informer);
    return informer;
  }

  /** Starts informers of optional kinds whose API became served. */
  private startServedChildInformers(): void {
    if (this.stopped) return;
    for (const kind of CHILD_KINDS.filter((k) => k.optionalCrd)) {
      if (this.caches.children.has(kindKey(kind))) continue;
      if (
        this.optionalApis.isServed({ groupVersion: kind.apiVersion, plural: kind.plural }) !== true
      )
        continue;
      this.addChildInformer(kind).start();
    }
  }

  private async startServers(): Promise<void> {
    const { config } = this.ctx;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const metrics = createServer(handler);
    await listen(metrics, config.metricsPort, config.bindAddress);
    this.servers.push(metrics);
    if (config.healthPort !== config.metricsPort || config.healthPort === 0) {
      const health = createServer(handler);
      await listen(health, config.healthPort, config.bindAddress);
      this.servers.push(health);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (path === "/healthz") return text(res, 200, "ok");
      if (path === "/readyz")
        return this.synced() ? text(res, 200, "ok") : text(res, 503, "caches not synced");
      if (path === "/metrics") {
        this.updateTenantGauge();
        const body = await this.ctx.metrics.registry.metrics();
        res.writeHead(200, { "content-type": this.ctx.metrics.registry.contentType });
        res.end(body);
        return;
      }
      text(res, 404, "not found");
    } catch (err) {
      text(res, 500, describeError(err));
    }
  }

  private updateTenantGauge(): void {
    const gauge = this.ctx.metrics.tenants;
    gauge.reset();
    for (const t of this.caches.tenants.list()) {
      for (const c of t.status?.conditions ?? [])
        gauge.inc({ condition: c.type, status: c.status });
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { "content-type": "text/plain" });
  res.end(body + "\n");
}
