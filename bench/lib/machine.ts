/** The machine a bench ran on, as bench:footprint and bench:answers print it in their JSON. */
import { cpus, loadavg, totalmem } from "node:os";

export function machine() {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    mem_gib: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg().map((l) => Math.round(l * 10) / 10),
    node: process.version,
  };
}
