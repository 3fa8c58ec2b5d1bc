/**
 * A TCP proxy on loopback that can make connections go silent: `freeze()` stops forwarding on
 * every connection open at that moment, in both directions, and hides their close too, so
 * neither end sees an error or an end of stream. That is what a half-open connection looks like
 * to a client (a NAT or load balancer that dropped its state, a peer that vanished): the only
 * way out is the client's own watchdog. Connections opened after the freeze are forwarded
 * normally. TLS passes through untouched (it is plain TCP here), so a kubeconfig only needs its
 * server address changed to the proxy's.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface FreezingProxy {
  /** `127.0.0.1:<port>`: the address to dial instead of the target. */
  readonly address: string;
  readonly port: number;
  /** Connections forwarded so far (open or closed). */
  connections(): number;
  /** Silences every open connection; returns how many were frozen. */
  freeze(): number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
}

/** Starts a proxy forwarding 127.0.0.1:<free port> to `targetHost:targetPort`. */
export async function startFreezingProxy(
  targetHost: string,
  targetPort: number,
): Promise<FreezingProxy> {
  const pairs = new Set<Pair>();
  let total = 0;
  const server: Server = createServer((client) => {
    total++;
    const upstream = connect(targetPort, targetHost);
    const pair: Pair = { client, upstream, frozen: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket): void => {
      from.on("data", (chunk: Buffer) => {
        if (!pair.frozen) to.write(chunk);
      });
      // A frozen connection swallows the close as well: the other side must not learn of it.
      from.on("end", () => {
        if (!pair.frozen) to.end();
      });
      from.on("close", () => {
        if (!pair.frozen) to.destroy();
        else if (from === client) upstream.destroy(); // the client gave up: let go upstream
        if (client.destroyed && upstream.destroyed) pairs.delete(pair);
      });
      from.on("error", () => {}); // reported as close
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    port,
    connections: () => total,
    freeze: () => {
      let frozen = 0;
      for (const pair of pairs) {
        if (pair.client.destroyed || pair.frozen) continue;
        pair.frozen = true;
        frozen++;
      }
      return frozen;
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
