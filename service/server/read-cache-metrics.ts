/**
 * The PostgreSQL read cache (store/read-cache.ts) as Prometheus series, read from its stats
 * when scraped: whether it serves from memory (0 means its change feed is down and every
 * read goes to the database), its hits and misses, the inserted users it applied in place,
 * the times it was emptied, and the records it holds.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { ReadCacheStats } from "../store/read-cache.js";

export function registerReadCacheMetrics(registry: Registry, stats: () => ReadCacheStats): void {
  new Gauge({
    name: "users_read_cache_live",
    help: "1 while user reads may be served from memory (the change feed listens), else 0.",
    registers: [registry],
    collect() {
      this.set(stats().live ? 1 : 0);
    },
  });
  new Gauge({
    name: "users_read_cache_records",
    help: "User records held by the read cache.",
    registers: [registry],
    collect() {
      this.set(stats().records);
    },
  });
  const counters: [name: string, stat: CountedStat, help: string][] = [
    ["hits", "hits", "User reads served from memory."],
    ["misses", "misses", "User reads sent to the database while the cache was live."],
    [
      "invalidations",
      "invalidations",
      "Times the cache was emptied (writes it could not apply, the feed going up or down).",
    ],
    [
      "inserts_applied",
      "insertsApplied",
      "Inserted users applied to the held results in place (its own and notified ones).",
    ],
  ];
  for (const [name, stat, help] of counters) {
    new Counter({
      name: `users_read_cache_${name}_total`,
      help,
      registers: [registry],
      collect() {
        this.reset(); // the cache counts; this copies its total
        this.inc(stats()[stat]);
      },
    });
  }
}

type CountedStat = Exclude<keyof ReadCacheStats, "live" | "records">;
