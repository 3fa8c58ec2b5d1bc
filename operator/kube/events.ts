/**
 * Kubernetes Events (events.k8s.io/v1) for what a person should see on `kubectl describe tenant`:
 * children created or changed, failures. The reason is one of the Reasons constants.
 * Recording is best effort: a failure to record is logged, never thrown, because an Event must
 * not fail a reconcile. Repeats of the same (object, reason, note) within a short window are
 * counted into one Event series instead of creating a new Event each time.
 */
import { randomBytes } from "node:crypto";
import { HttpMethod, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Reason } from "../tenant/reasons.js";
import { resourcePath, type KubeClient } from "./client.js";

const EVENTS_API = "events.k8s.io/v1";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  /** Records an Event about `regarding`; never throws; resolves when sent (or given up). */
  record(
    regarding: KubernetesObject,
    type: EventType,
    reason: Reason,
    note: string,
    action?: string,
  ): Promise<void>;
}

const DEDUPE_WINDOW_MS = 10 * 60_000;

export class KubeEventRecorder implements EventRecorder {
  private readonly recent = new Map<
    string,
    { name: string; namespace: string; count: number; at: number }
  >();

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly controller = "tenant-operator",
    private readonly instance = `${controller}-${randomBytes(3).toString("hex")}`,
    /** Namespace for Events about cluster-scoped objects (Tenants). */
    private readonly clusterEventsNamespace = "default",
  ) {}

  async record(
    regarding: KubernetesObject,
    type: EventType,
    reason: Reason,
    note: string,
    action = reason,
  ): Promise<void> {
    const namespace = regarding.metadata?.namespace ?? this.clusterEventsNamespace;
    const key = `${regarding.metadata?.uid}/${type}/${reason}/${note}`;
    const now = new Date();
    try {
      const seen = this.recent.get(key);
      if (seen && now.getTime() - seen.at < DEDUPE_WINDOW_MS) {
        seen.count += 1;
        seen.at = now.getTime();
        await this.client.jsonPatch(resourcePath(EVENTS_API, "events", seen.namespace, seen.name), [
          {
            op: "add",
            path: "/series",
            value: { count: seen.count, lastObservedTime: microTime(now) },
          },
        ]);
        return;
      }
      const name = `${regarding.metadata?.name ?? "object"}.${now.getTime().toString(16)}${randomBytes(2).toString("hex")}`;
      // Sent as raw JSON: eventTime is a MicroTime (6 fractional digits), which client-node's
      // Date serializer (3 digits) does not produce.
      const event = {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace },
        eventTime: microTime(now),
        reportingController: `platform.tenancy.dev/${this.controller}`,
        reportingInstance: this.instance,
        action,
        reason,
        note: note.slice(0, 1000),
        type,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: regarding.metadata?.name,
          namespace: regarding.metadata?.namespace,
          uid: regarding.metadata?.uid,
          resourceVersion: regarding.metadata?.resourceVersion,
        },
      };
      await this.client.request(HttpMethod.POST, resourcePath(EVENTS_API, "events", namespace), {
        body: event,
      });
      this.recent.set(key, { name, namespace, count: 1, at: now.getTime() });
      this.prune(now.getTime());
    } catch (err) {
      this.recent.delete(key);
      this.log.warn(
        { err: String(err), reason, regarding: regarding.metadata?.name },
        "could not record event",
      );
    }
  }

  private prune(now: number): void {
    if (this.recent.size < 1000) return;
    for (const [key, v] of this.recent) if (now - v.at > DEDUPE_WINDOW_MS) this.recent.delete(key);
  }
}

/** MicroTime as the API wants it: RFC 3339 with microseconds. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** A recorder that only logs: for dry runs and unit tests. */
export class LogEventRecorder implements EventRecorder {
  constructor(private readonly log: Logger) {}
  async record(
    regarding: KubernetesObject,
    type: EventType,
    reason: Reason,
    note: string,
  ): Promise<void> {
    this.log.info({ event: type, reason, regarding: regarding.metadata?.name }, note);
  }
}
