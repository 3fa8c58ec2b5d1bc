/**
 * Which optional APIs the cluster serves, found through API discovery (GET /apis/<group>/<version>)
 * and looked up again periodically, so installing cert-manager or external-dns later is noticed
 * without a restart. A missing optional API is a fact for the status conditions, never an error.
 */
import { HttpMethod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeError, statusCodeOf, type KubeClient } from "./client.js";

export interface ApiResourceRef {
  /** group/version, e.g. externaldns.k8s.io/v1alpha1. */
  groupVersion: string;
  plural: string;
}

/** The CRD name (<plural>.<group>) of an API resource: what status conditions report as missing. */
export function crdName(ref: ApiResourceRef): string {
  return `${ref.plural}.${ref.groupVersion.split("/")[0]}`;
}

/** Answers whether the API server serves this resource; throws on errors other than 404. */
export async function servesResource(client: KubeClient, ref: ApiResourceRef): Promise<boolean> {
  try {
    const list = await client.request<{ resources?: { name: string }[] }>(
      HttpMethod.GET,
      `/apis/${ref.groupVersion}`,
    );
    return (list.resources ?? []).some((r) => r.name === ref.plural);
  } catch (err) {
    if (statusCodeOf(err) === 404) return false;
    throw err;
  }
}

export class OptionalApis {
  private readonly served = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly refs: readonly ApiResourceRef[],
    private readonly log: Logger,
    /** Called when an API appeared or disappeared (to requeue every tenant). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Looks every optional API up again; on an error keeps the previous answer. */
  async refresh(): Promise<void> {
    let changed = false;
    for (const ref of this.refs) {
      const name = crdName(ref);
      try {
        const now = await servesResource(this.client, ref);
        const before = this.served.get(name);
        if (before !== now) {
          this.log.info(
            { crd: name, served: now },
            now ? "optional API available" : "optional API not installed",
          );
          if (before !== undefined) changed = true;
          this.served.set(name, now);
        }
      } catch (err) {
        this.log.warn(
          { crd: name, err: describeError(err) },
          "API discovery failed; keeping the previous answer",
        );
      }
    }
    if (changed) this.onChange();
  }

  /** Whether the resource is served; undefined when never looked up successfully. */
  isServed(ref: ApiResourceRef): boolean | undefined {
    return this.served.get(crdName(ref));
  }

  /** CRD names known to be missing. */
  missing(): string[] {
    return [...this.served].filter(([, served]) => !served).map(([name]) => name);
  }

  startPeriodic(seconds: number): void {
    this.stop();
    this.timer = setInterval(() => void this.refresh(), seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
