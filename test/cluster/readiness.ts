// Bounded waits for the components of a local cluster to become usable. Every wait also
// watches the component's pid, so a daemon that crashed fails fast with its log's tail.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { isAlive } from "./processes.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface Watched {
  name: string;
  pid: number;
  logFile: string;
}

/**
 * Polls `check` until it returns true, at most `timeoutMs`; fails early when a watched
 * process exits. The error names what was awaited and shows the last check error.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  watched: Watched[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 1000)) {
    for (const w of watched) {
      if (!isAlive(w.pid)) {
        throw new Error(
          `${w.name} (pid ${w.pid}) exited while waiting for ${what}; end of ${w.logFile}:\n${logTail(w.logFile)}`,
        );
      }
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ""}`,
      );
    }
    await sleep(delay);
  }
}

export interface TlsClient {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * GETs a URL (http or https) on a connection of its own, and returns status and body.
 *
 * Never a kept-alive one: what answers a wait's first tries may not be what it waits for, and
 * a reused connection would stay with it. A ClusterIP that kube-proxy has not programmed yet is
 * routed like any address, and on a machine whose network answers every port 80 (some sandboxes'
 * egress proxies answer 404), a pooled connection to that answer outlived the rules kube-proxy
 * wrote a moment later: a CI run waited 120 s on it. Node's default agent keeps connections alive.
 */
export function get(
  url: string,
  tls: TlsClient = {},
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    };
    const req = url.startsWith("https:")
      ? https.get(
          url,
          { ...tls, rejectUnauthorized: tls.ca !== undefined, agent: false },
          onResponse,
        )
      : http.get(url, { agent: false }, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
  });
}

/** True when a GET returns 200 (and, if given, a body containing `expect`). */
export async function answers200(
  url: string,
  tls: TlsClient = {},
  expect?: string,
): Promise<boolean> {
  const res = await get(url, tls);
  if (res.status !== 200 || (expect !== undefined && !res.body.includes(expect))) {
    throw new Error(`GET ${url}: ${res.status} ${res.body.slice(0, 200)}`);
  }
  return true;
}

export function isNodeReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** True when every named node exists and is Ready. */
export async function nodesReady(kc: KubeConfig, names: string[]): Promise<boolean> {
  const list = await kc.makeApiClient(CoreV1Api).listNode();
  const ready = new Set(list.items.filter(isNodeReady).map((n) => n.metadata?.name));
  const missing = names.filter((n) => !ready.has(n));
  if (missing.length > 0) throw new Error(`nodes not Ready yet: ${missing.join(", ")}`);
  return true;
}
