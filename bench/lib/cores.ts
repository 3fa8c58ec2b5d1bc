import { cpus } from "node:os";

/**
 * How a bench splits the machine: one core for the server under test (the last), the others for
 * the load tools, so neither borrows from the other. Undefined for both when not pinning (asked
 * not to, or a single CPU).
 */
export function coreSplit(pin: boolean): { serverCpus?: string; loadCpus?: string } {
  const count = cpus().length;
  if (!pin || count < 2) return {};
  return { serverCpus: String(count - 1), loadCpus: count === 2 ? "0" : `0-${count - 2}` };
}
