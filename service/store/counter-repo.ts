/**
 * Durable counters of one tenant. A counter's row holds the next value never handed out;
 * reserving n values is one atomic statement that moves it forward by n, so two callers
 * (or replicas) can never receive overlapping ranges.
 */
import type { SqlClient } from "./sql.js";

export interface CounterRepository {
  /**
   * Reserves `count` (>= 1) consecutive values of counter `name` and returns the first.
   * A fresh counter starts at 1. The reservation is durable once this resolves.
   */
  reserve(name: string, count: bigint): Promise<bigint>;
  /**
   * Returns the unused tail [from, end) of the caller's last reservation, but only if no
   * one reserved after it (the row still says `end`). Returns whether it did. Safe because
   * values at or above `from` were never handed out.
   */
  giveBack(name: string, from: bigint, end: bigint): Promise<boolean>;
}

export function counterRepository(db: SqlClient, tenant: string): CounterRepository {
  return {
    async reserve(name, count) {
      if (count < 1n) throw new RangeError(`cannot reserve ${count} counter values`);
      const rows = await db.query<{ first: string }>(
        `INSERT INTO counters AS c (tenant, name, next_value) VALUES ($1, $2, 1 + $3::bigint)
         ON CONFLICT (tenant, name) DO UPDATE SET next_value = c.next_value + $3::bigint
         RETURNING (c.next_value - $3::bigint)::text AS first`,
        [tenant, name, count.toString()],
      );
      const first = rows[0]?.first;
      if (first === undefined) throw new Error(`counter ${name}: reservation returned no row`);
      return BigInt(first);
    },

    async giveBack(name, from, end) {
      if (from >= end) return false;
      const rows = await db.query(
        `UPDATE counters SET next_value = $3::bigint
         WHERE tenant = $1 AND name = $2 AND next_value = $4::bigint RETURNING 1`,
        [tenant, name, from.toString(), end.toString()],
      );
      return rows.length === 1;
    },
  };
}
