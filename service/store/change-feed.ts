/**
 * Listens for committed writes to `users` (migration 6's triggers send NOTIFY
 * tenant_user_changes, payloads in change-payload.ts) on one dedicated PostgreSQL connection,
 * and tells each tenant's ReadCache: an inserted user to apply, or a change that empties it.
 * While it does not listen, the caches are not live, so reads go to the database: a lost
 * notification can never leave a stale result in memory.
 *
 * A connection can die without an error (a dropped network path), and one that answers may
 * still not deliver notifications (a transaction-mode pooler): the feed counts as listening
 * only while its heartbeat, a NOTIFY to itself sent every `heartbeatMs`, comes back within
 * the same time.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { parseUserChange } from "./change-payload.js";
import type { ReadCache } from "./read-cache.js";

export const USER_CHANGES_CHANNEL = "tenant_user_changes";

export interface ChangeFeedOptions {
  connectionString: string;
  /** Heartbeat period and its answer's deadline. Default 5 s. */
  heartbeatMs?: number;
  /** Most time between reconnection attempts (backoff from 100 ms). Default 5 s. */
  maxRetryMs?: number;
  /** Told when the feed stops listening (the caches then bypass memory until it is back). */
  onLost?: (error: Error) => void;
}

export interface ChangeFeed {
  /** The cache to tell about `tenant`'s writes; live from the next (re)connection on. */
  register(tenant: string, cache: ReadCache): void;
  close(): Promise<void>;
}

export function startChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const maxRetryMs = options.maxRetryMs ?? 5_000;
  const caches = new Map<string, ReadCache>();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined; // the next heartbeat or reconnection
  let deadline: NodeJS.Timeout | undefined; // the heartbeat must be back by then
  let ending: Promise<void> = Promise.resolve();
  // Heartbeats go on a channel of this feed's own: no other listener wakes for them.
  const probeChannel = `users_feed_${randomUUID().replaceAll("-", "")}`;
  let probes = 0;
  let awaiting: string | undefined;

  const setLive = (live: boolean): void => {
    listening = live;
    for (const cache of caches.values()) cache.setLive(live);
  };

  const lost = (current: pg.Client, error: Error): void => {
    if (client !== current) return; // an older connection's late event
    client = undefined;
    clearTimeout(timer);
    clearTimeout(deadline);
    setLive(false);
    current.removeAllListeners("notification");
    current.on("error", () => undefined); // it may still report; it must not crash us
    ending = current.end().catch(() => undefined);
    if (closed) return;
    options.onLost?.(error);
    timer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  };

  /**
   * Sends a NOTIFY to itself; the next one goes once it is back. Live only while probes
   * return: a connection that answers queries but does not deliver notifications (a
   * transaction-mode pooler in between) never serves a read from memory.
   */
  const probe = (current: pg.Client): void => {
    awaiting = String(++probes);
    deadline = setTimeout(
      () =>
        lost(
          current,
          new Error(
            `a heartbeat NOTIFY did not come back within ${heartbeatMs} ms ` +
              `(a silent connection, or one through a pooler that does not pass LISTEN/NOTIFY)`,
          ),
        ),
      heartbeatMs,
    );
    current
      .query(`SELECT pg_notify($1, $2)`, [probeChannel, awaiting])
      .catch((error: Error) => lost(current, error));
  };

  const probeReturned = (current: pg.Client): void => {
    clearTimeout(deadline);
    if (!listening) {
      retryMs = 100;
      setLive(true); // every commit reaches us from here on: memory may serve reads
    }
    timer = setTimeout(() => probe(current), heartbeatMs);
  };

  function connect(): void {
    if (closed) return;
    const current = new pg.Client({
      connectionString: options.connectionString,
      application_name: "tenant-service-changes",
      keepAlive: true,
    });
    client = current;
    current.on("error", (error) => lost(current, error));
    current.on("end", () => lost(current, new Error("connection ended")));
    current.on("notification", ({ channel, payload = "" }) => {
      if (channel === probeChannel) {
        if (payload === awaiting && client === current) probeReturned(current);
      } else if (channel === USER_CHANGES_CHANNEL) {
        const change = parseUserChange(payload);
        if (change.kind === "all") for (const cache of caches.values()) cache.invalidate();
        else if (change.kind === "tenant") caches.get(change.tenant)?.invalidate();
        else caches.get(change.tenant)?.applyInsert(change.inserted);
      }
    });
    current
      .connect()
      .then(() => current.query(`LISTEN ${USER_CHANGES_CHANNEL}; LISTEN ${probeChannel}`))
      .then(
        () => {
          if (client === current) probe(current);
        },
        (error: Error) => lost(current, error),
      );
  }

  connect();
  return {
    register(tenant, cache) {
      caches.set(tenant, cache);
      cache.setLive(listening);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const current = client;
      if (current) lost(current, new Error("closed"));
      // A connection whose network path died may never confirm its end: do not wait for it.
      await Promise.race([ending, new Promise((done) => setTimeout(done, 1_000).unref())]);
    },
  };
}
