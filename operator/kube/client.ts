/**
 * The one Kubernetes client of the operator: client-node's KubeConfig (auth, TLS, in-cluster
 * or KUBECONFIG) and generated transport, with every request counted in
 * rest_client_requests_total{code,method} and bounded by a timeout (client-node sets none, and
 * a request stuck on a restarted API server would otherwise hang a worker forever).
 *
 * Object writes go through `request()` with paths built from the kinds the operator knows
 * (operator/tenant/children.ts): one code path for core kinds and CRDs alike, no discovery
 * round trip per apiVersion, and no typed re-serialization that could drop fields of kinds
 * client-node has no model for (DNSEndpoint).
 */
import {
  ApiException,
  CoordinationV1Api,
  EventsV1Api,
  HttpMethod,
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type Configuration,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
  type SecurityAuthentication,
} from "@kubernetes/client-node";
import type { AgentOptions, RequestOptions as HttpsRequestOptions } from "node:https";
import type { Metrics } from "../metrics.js";
import type { ApiFailure } from "../tenant/errors.js";
import { KeepAliveAgents } from "./agents.js";

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

/** A JSON patch operation (RFC 6902). */
export type JsonPatchOp =
  { op: "test" | "add" | "replace"; path: string; value: unknown } | { op: "remove"; path: string };

export const FIELD_MANAGER = "tenant-operator";

/**
 * Names the operator in the API server's audit log and request metrics (as kube components
 * do: "name (os/arch) ..."), instead of the transport's "node-fetch/1.0". Watches go through
 * client-node's Watch, which keeps its own; they are reads, never audited as writes.
 */
export const USER_AGENT = `tenant-operator (${process.platform}/${process.arch}) node/${process.version}`;

export class KubeClient {
  readonly kc: KubeConfig;
  readonly configuration: Configuration;
  readonly coordination: CoordinationV1Api;
  readonly events: EventsV1Api;
  private readonly server: string;
  private readonly agents = new KeepAliveAgents();
  /** The kubeconfig's authentication, with the request sent over a pooled keep-alive connection. */
  private readonly auth: SecurityAuthentication = {
    getName: () => "kubeconfig authentication over pooled connections",
    applySecurityAuthentication: (ctx) => this.authenticate(ctx),
  };

  constructor(
    kc: KubeConfig,
    private readonly metrics: Metrics,
    private readonly timeoutMs = 30_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    this.kc = kc;
    this.server = cluster.server;
    const inner = createConfiguration().httpApi;
    const httpApi = wrapHttpLibrary({
      send: async (req: RequestContext): Promise<ResponseContext> => {
        if (!req.getSignal()) req.setSignal(AbortSignal.timeout(this.timeoutMs));
        req.setHeaderParam("User-Agent", USER_AGENT);
        const method = req.getHttpMethod().toString();
        try {
          const res = await inner.send(req).toPromise();
          this.metrics.restClientRequests.inc({ code: String(res.httpStatusCode), method });
          return res;
        } catch (err) {
          this.metrics.restClientRequests.inc({ code: "<error>", method });
          throw err;
        }
      },
    });
    this.configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: this.auth },
      httpApi,
    });
    this.coordination = new CoordinationV1Api(this.configuration);
    this.events = new EventsV1Api(this.configuration);
  }

  /** Sends one request; JSON in, JSON out; a non-2xx answer throws ApiException(code, body). */
  async request<T = unknown>(
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(key, String(value));
    }
    ctx.setHeaderParam("Accept", "application/json");
    if (options.body !== undefined) {
      ctx.setHeaderParam("Content-Type", options.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(options.body));
    }
    if (options.timeoutMs) ctx.setSignal(AbortSignal.timeout(options.timeoutMs));
    await this.auth.applySecurityAuthentication(ctx);
    const res = await this.configuration.httpApi.send(ctx).toPromise();
    const text = await res.body.text();
    const parsed: unknown = text.length > 0 ? safeJson(text) : undefined;
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299) {
      throw new ApiException(res.httpStatusCode, messageOf(parsed, text), parsed, res.headers);
    }
    return parsed as T;
  }

  get<T extends KubernetesObject>(path: string): Promise<T> {
    return this.request<T>(HttpMethod.GET, path);
  }

  /** GET that answers undefined for 404 instead of throwing. */
  async getOptional<T extends KubernetesObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Server-side apply as FIELD_MANAGER, forcing ownership of the fields we set. */
  apply<T extends KubernetesObject>(path: string, obj: T, force = true): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, path, {
      query: { fieldManager: FIELD_MANAGER, force },
      body: obj,
      contentType: "application/apply-patch+yaml",
    });
  }

  jsonPatch<T extends KubernetesObject>(path: string, ops: JsonPatchOp[]): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, path, {
      query: { fieldManager: FIELD_MANAGER },
      body: ops,
      contentType: "application/json-patch+json",
    });
  }

  /** DELETE; true when something was deleted, false when it was already gone (404). */
  async delete(
    path: string,
    propagationPolicy: "Background" | "Foreground" | "Orphan" = "Background",
  ): Promise<boolean> {
    try {
      await this.request(HttpMethod.DELETE, path, {
        body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy },
      });
      return true;
    } catch (err) {
      if (statusCodeOf(err) === 404) return false;
      throw err;
    }
  }

  /**
   * What KubeConfig.applySecurityAuthentication does (credentials read again each time, so
   * rotated tokens and certificate files are honoured), with a pooled dispatcher instead of the
   * new one client-node builds per request. Proxies keep client-node's own path.
   */
  private async authenticate(ctx: RequestContext): Promise<void> {
    const cluster = this.kc.getCurrentCluster();
    if (cluster?.proxyUrl) return this.kc.applySecurityAuthentication(ctx);
    const opts: HttpsRequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    for (const [key, value] of Object.entries(opts.headers ?? {})) {
      if (value !== undefined) ctx.setHeaderParam(key, String(value));
    }
    if (opts.auth) {
      ctx.setHeaderParam("Authorization", `Basic ${Buffer.from(opts.auth).toString("base64")}`);
    }
    const tls: AgentOptions = {};
    for (const key of TLS_OPTIONS)
      if (opts[key] !== undefined) Object.assign(tls, { [key]: opts[key] });
    const dispatcher = this.agents.reuse(this.kc.createDispatcherOptions(cluster, tls));
    if (dispatcher) ctx.setDispatcher(dispatcher);
  }

  /** Closes the pooled connections to the API server (after the last request). */
  close(): void {
    this.agents.destroy();
  }

  /** The API server URL, for logs. */
  get serverUrl(): string {
    return this.server;
  }
}

/** The TLS options of a request that decide which server we trust and who we are. */
const TLS_OPTIONS = [
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "servername",
] as const;

/** URL path of a collection or object: /api/v1/... for the core group, /apis/<group>/<version>/... else. */
export function resourcePath(
  apiVersion: string,
  plural: string,
  namespace?: string,
  name?: string,
): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const obj = name ? `/${encodeURIComponent(name)}` : "";
  return `${base}${ns}/${plural}${obj}`;
}

/** HTTP status of an API error, undefined for transport errors (refused, reset, timeout). */
export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (err && typeof err === "object" && "code" in err && typeof err.code === "number")
    return err.code;
  if (err && typeof err === "object" && "statusCode" in err && typeof err.statusCode === "number") {
    return err.statusCode;
  }
  return undefined;
}

/** The metav1.Status parts of an API error (code, reason, message, causes); the code alone for transport errors. */
export function apiFailureOf(err: unknown): ApiFailure {
  const code = statusCodeOf(err);
  const body =
    err instanceof ApiException ? (err.body as Partial<ApiFailure> | undefined) : undefined;
  const status = body && typeof body === "object" ? body : {};
  return {
    ...(code !== undefined ? { code } : {}),
    ...(typeof status.reason === "string" ? { reason: status.reason } : {}),
    message: describeError(err),
    ...(status.details ? { details: status.details } : {}),
  };
}

/** A short, human description of an API error: the server's Status message when there is one. */
export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    return `${err.code}: ${messageOf(err.body, err.message)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function messageOf(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "message" in body && typeof body.message === "string") {
    return body.message;
  }
  return fallback.slice(0, 500);
}

/** Loads KUBECONFIG / ~/.kube/config, or the in-cluster service account config. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}
