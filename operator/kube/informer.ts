/**
 * A list+watch cache that does not give up. client-node's informer stops for good on any watch
 * error but 410 and cannot ask for bookmarks; this one:
 * - lists (paginated), then watches from the list's resourceVersion with allowWatchBookmarks
 *   and a server-side timeoutSeconds, and resumes the watch from the last seen resourceVersion
 *   when the server closes it normally;
 * - on 410 Gone re-lists at once; on any other error re-lists after an exponential backoff;
 * - runs a watchdog: no event and no bookmark for `stallSeconds` means the connection is silently
 *   dead (half-open TCP after an API-server restart), so it aborts the watch and re-lists;
 * - applies `transform` before caching (default: drop metadata.managedFields, which is most of
 *   an object's size and never read by the operator);
 * - on re-list, reconciles its cache with the new list and reports adds, updates and deletes,
 *   so no change is lost across a restart.
 * Handlers are called synchronously and must not throw (they enqueue keys).
 */
import {
  Watch,
  type KubernetesObject,
  type KubernetesListObject,
  HttpMethod,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import { backoffDelay, sleep, type BackoffPolicy } from "./backoff.js";
import { statusCodeOf, type KubeClient } from "./client.js";

export type InformerEvent = "add" | "update" | "delete";
/** `old` is the cached copy an update replaced (undefined for add and delete). */
export type InformerHandler<T> = (event: InformerEvent, obj: T, old?: T) => void;

export interface InformerOptions<T extends KubernetesObject> {
  /** Name for logs and metrics, e.g. "deployments". */
  name: string;
  /** Collection path, e.g. /apis/apps/v1/deployments. */
  path: string;
  labelSelector?: string;
  /** Label whose value indexes the cache (byIndex). */
  indexLabel?: string;
  transform?: (obj: T) => T;
  /** Server-side watch timeout; each watch picks a value in [t, 2t) so replicas do not sync. */
  watchTimeoutSeconds?: number;
  /** Watchdog: abort and re-list after this long without any event or bookmark. */
  stallSeconds?: number;
  backoff?: BackoffPolicy;
  pageSize?: number;
}

/** How much later than our watchdog client-node's own inactivity timer may end a watch. */
const WATCH_TIMER_MARGIN_MS = 30_000;

class GoneError extends Error {}
class StallError extends Error {}

export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : (obj.metadata?.name ?? "");
}

export function stripManagedFields<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

export class Informer<T extends KubernetesObject> {
  private readonly store = new Map<string, T>();
  private readonly index = new Map<string, Set<string>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private resourceVersion = "";
  private synced = false;
  private stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private lastActivity = Date.now();
  private readonly watch: Watch;

  constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions<T>,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.watch = new Watch(client.kc);
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  /** True once the first list has been stored (and stays true across re-lists). */
  hasSynced(): boolean {
    return this.synced;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  /** Objects whose indexLabel has this value. */
  byIndex(value: string): T[] {
    const keys = this.index.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.store.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Starts the list/watch loop in the background; idempotent. */
  start(): void {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** Forces a re-list on the next turn (used by tests and the periodic resync of stale caches). */
  private abortWatch: (() => void) | undefined;

  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    let attempt = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        attempt = 0;
      } catch (err) {
        if (signal.aborted) break;
        needList = true;
        const cause =
          err instanceof GoneError ? "expired" : err instanceof StallError ? "stall" : "error";
        this.metrics.informerRestarts.inc({ resource: this.options.name, cause });
        if (cause === "expired") continue;
        const delay = backoffDelay(
          this.options.backoff ?? { baseMs: 500, maxMs: 10_000, jitter: 0.2 },
          attempt++,
        );
        this.log.warn(
          { informer: this.options.name, cause, err: String(err), retryInMs: delay },
          "watch failed; re-listing",
        );
        await sleep(delay, signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let rv = "";
    do {
      const page = await this.client.request<KubernetesListObject<T>>(
        HttpMethod.GET,
        this.options.path,
        {
          query: {
            labelSelector: this.options.labelSelector,
            limit: this.options.pageSize ?? 500,
            continue: continueToken,
          },
        },
      );
      items.push(...page.items);
      continueToken =
        page.metadata?._continue ?? (page.metadata as { continue?: string } | undefined)?.continue;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (continueToken);
    this.replace(items, rv);
  }

  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = this.prepare(raw);
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.get(key);
      if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion) continue;
      this.put(key, obj);
      this.emit(old ? "update" : "add", obj, old);
    }
    for (const [key, old] of [...this.store]) {
      if (seen.has(key)) continue;
      this.remove(key);
      this.emit("delete", old);
    }
    this.resourceVersion = rv;
    this.synced = true;
    this.lastActivity = Date.now();
  }

  private watchOnce(): Promise<void> {
    const base = this.options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base + Math.random() * base);
    const stallMs = (this.options.stallSeconds ?? base * 2 + 30) * 1000;
    // client-node 2's Watch aborts a watch after requestTimeoutMs (30 s) without data
    // (kubernetes-client/javascript#3022), but the API server sends a quiet watch a bookmark
    // about once a minute: every quiet watch would end in an error twice a minute. Our watchdog
    // judges silence (and counts it as a stall); client-node's timer only backs it up.
    (this.watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
      stallMs + WATCH_TIMER_MARGIN_MS;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        this.stopController.signal.removeEventListener("abort", onStop);
        controller?.abort();
        if (err) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        else resolve();
      };
      const onStop = (): void => finish();
      this.stopController.signal.addEventListener("abort", onStop, { once: true });
      this.lastActivity = Date.now();
      const watchdog = setInterval(
        () => {
          if (Date.now() - this.lastActivity > stallMs)
            finish(new StallError(`no watch event for ${stallMs} ms`));
        },
        Math.min(stallMs / 4, 5000),
      );
      this.abortWatch = () => finish(new StallError("re-list requested"));
      this.watch
        .watch(
          this.options.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds,
            labelSelector: this.options.labelSelector,
          },
          (type: string, obj: T) => {
            this.lastActivity = Date.now();
            try {
              this.onWatchEvent(type, obj);
            } catch (err) {
              finish(err);
            }
          },
          (err: unknown) => {
            this.metrics.restClientRequests.inc({
              code: err ? String(statusCodeOf(err) ?? "<error>") : "200",
              method: "WATCH",
            });
            finish(err ?? undefined);
          },
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch(finish);
    });
  }

  /** Makes the watch end with a re-list, as the watchdog would: for tests and diagnostics. */
  forceRelist(): void {
    this.abortWatch?.();
  }

  private onWatchEvent(type: string, raw: T): void {
    if (type === "ERROR") {
      const status = raw as unknown as { code?: number; message?: string };
      if (status.code === 410) throw new GoneError(status.message ?? "resourceVersion expired");
      throw new Error(`watch error ${status.code}: ${status.message}`);
    }
    const rv = raw.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === "BOOKMARK") return;
    const obj = this.prepare(raw);
    const key = objectKey(obj);
    if (type === "DELETED") {
      const old = this.store.get(key);
      this.remove(key);
      this.emit("delete", old ?? obj);
      return;
    }
    const old = this.store.get(key);
    this.put(key, obj);
    this.emit(old ? "update" : "add", obj, old);
  }

  private prepare(obj: T): T {
    return (this.options.transform ?? stripManagedFields)(obj);
  }

  private put(key: string, obj: T): void {
    const label = this.options.indexLabel;
    const old = this.store.get(key);
    if (label) {
      const oldValue = old?.metadata?.labels?.[label];
      const newValue = obj.metadata?.labels?.[label];
      if (oldValue !== undefined && oldValue !== newValue) this.index.get(oldValue)?.delete(key);
      if (newValue !== undefined) {
        let set = this.index.get(newValue);
        if (!set) this.index.set(newValue, (set = new Set()));
        set.add(key);
      }
    }
    this.store.set(key, obj);
  }

  private remove(key: string): void {
    const label = this.options.indexLabel;
    const old = this.store.get(key);
    if (label && old) {
      const value = old.metadata?.labels?.[label];
      if (value !== undefined) {
        const set = this.index.get(value);
        set?.delete(key);
        if (set?.size === 0) this.index.delete(value);
      }
    }
    this.store.delete(key);
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const handler of this.handlers) {
      try {
        handler(event, obj, old);
      } catch (err) {
        this.log.error({ informer: this.options.name, err: String(err) }, "informer handler threw");
      }
    }
  }
}
