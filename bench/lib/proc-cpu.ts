/**
 * CPU time of a process tree from /proc (Linux): user + system seconds of a pid and all its
 * descendants. On a shared, noisy machine requests/s swing with the neighbours' load; CPU
 * seconds spent per request by the server is the steadier measure of its own efficiency.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/**
 * utime + stime in seconds from the text of /proc/<pid>/stat. The command name (field 2) may
 * hold spaces and parentheses, so fields are counted after its last ")".
 */
export function cpuSecondsFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`not a /proc stat line: ${stat.slice(0, 80)}`);
  return (utime + stime) / TICKS_PER_SECOND;
}

function childrenOf(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return tasks === "" ? [] : tasks.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds used so far by `pid` and its live descendants (0 for a process that is gone). */
export function treeCpuSeconds(pid: number): number {
  let total: number;
  try {
    total = cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return 0;
  }
  for (const child of childrenOf(pid)) total += treeCpuSeconds(child);
  return total;
}
