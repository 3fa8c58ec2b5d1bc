/**
 * The bare client for the API server's own create limit: plain HTTPS POSTs of JSON over a
 * keep-alive agent (TLS set up once per connection), with the kubeconfig's credentials.
 *
 * Not client-node's typed API on purpose: client-node (1.4 with https.Agent, 2.x with undici)
 * builds a new connection pool for every request, so every call pays a fresh TCP + TLS
 * handshake on both ends; that is a client cost, and a limit measured through it would flatter
 * whoever uses the same client.
 */
import { Agent, request } from "node:https";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { CHILD_KINDS } from "../../operator/tenant/children.js";

/** The collection URL path of an object's kind (namespaced or not), from CHILD_KINDS. */
export function collectionPath(object: KubernetesObject): string {
  const kind = CHILD_KINDS.find(
    (k) => k.kind === object.kind && k.apiVersion === object.apiVersion,
  );
  if (!kind) throw new Error(`no known resource for ${object.apiVersion} ${object.kind}`);
  const base = kind.apiVersion.includes("/")
    ? `/apis/${kind.apiVersion}`
    : `/api/${kind.apiVersion}`;
  if (!kind.namespaced) return `${base}/${kind.plural}`;
  const namespace = object.metadata?.namespace;
  if (!namespace) throw new Error(`${object.kind} ${object.metadata?.name} has no namespace`);
  return `${base}/namespaces/${namespace}/${kind.plural}`;
}

export interface RawClient {
  /** POSTs the object; rejects with the status and body unless the API answers 201. */
  create(object: KubernetesObject): Promise<void>;
  close(): void;
}

export async function rawClient(kc: KubeConfig, maxSockets: number): Promise<RawClient> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const options: { ca?: unknown; cert?: unknown; key?: unknown; headers?: Record<string, string> } =
    {};
  await kc.applyToHTTPSOptions(options as Parameters<KubeConfig["applyToHTTPSOptions"]>[0]);
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ca: options.ca as string | undefined,
    cert: options.cert as string | undefined,
    key: options.key as string | undefined,
  });
  const server = new URL(cluster.server);
  const create = (object: KubernetesObject): Promise<void> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(object);
      const req = request(
        {
          agent,
          host: server.hostname,
          port: server.port,
          method: "POST",
          path: collectionPath(object),
          headers: {
            ...options.headers,
            "content-type": "application/json",
            accept: "application/json",
            "content-length": Buffer.byteLength(body),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            res.statusCode === 201
              ? resolve()
              : reject(
                  new Error(
                    `POST ${collectionPath(object)}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 500)}`,
                  ),
                ),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error("request timed out after 30 s")));
      req.on("error", reject);
      req.end(body);
    });
  return { create, close: () => agent.destroy() };
}
