/**
 * The PostgreSQL read cache (store/read-cache.ts) as Prometheus series, read from its stats
 * when scraped: whether it serves from memory (0 means its change feed is down and every
 * read goes to the database), its hits and misses, and the records it holds.
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
  const counters = {
    hits: "User reads served from memory.",
    misses: "User reads sent to the database while the cache was live.",
    invalidations:
      "Times the cache was emptied (writes, their notifications, the feed going up or down).",
  } as const;
  for (const [outcome, help] of Object.entries(counters) as [keyof typeof counters, string][]) {
    new Counter({
      name: `users_read_cache_${outcome}_total`,
      help,
      registers: [registry],
      collect() {
        this.reset(); // the cache counts; this copies its total
        this.inc(stats()[outcome]);
      },
    });
  }
}
