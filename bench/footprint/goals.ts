/**
 * Issue 13's memory goals for a tenant's service process, in MiB, and the load they hold under:
 * bench:footprint checks them against RSS, the real node's cluster test against its container's
 * cgroup.
 */
export const FOOTPRINT_GOALS = {
  embedded: { peak: 192, steady: 128 },
  postgres: { steady: 96 },
} as const;

/** The load: this many users created, then this many seconds of mixed calls. */
export const FOOTPRINT_LOAD = { users: 10_000, loadSeconds: 60 } as const;
