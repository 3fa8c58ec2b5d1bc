// The demo's command line. Pure: argv in, options out (or a usage error).
import path from "node:path";
import { parseArgs } from "node:util";

export const USAGE = `usage: bash scripts/demo.sh [--smoke] [--kubeconfig <path>] [--prefix <p>] [--dir <dir>] [--timeout <s>]
  --smoke             stop everything once every check ran: exit 0 when each tenant answered
                      through its ClusterIP (and over https with an edge), nonzero otherwise
  --kubeconfig <path> use this cluster (it needs the real node) instead of starting one (never stopped)
  --prefix <p>        name the tenants <p>-acme, <p>-globex, <p>-initech (to share a cluster)
  --dir <dir>         the demo's cluster directory, endpoints.json in it (default .local/demo)
  --timeout <s>       how long to wait for the tenants to become Ready (default 240)`;

export interface DemoOptions {
  smoke: boolean;
  kubeconfig?: string;
  prefix?: string;
  dir: string;
  readyTimeoutMs: number;
}

export class UsageError extends Error {}

export function parseOptions(argv: string[], root: string): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        smoke: { type: "boolean", default: false },
        once: { type: "boolean", default: false },
        kubeconfig: { type: "string" },
        prefix: { type: "string" },
        dir: { type: "string" },
        timeout: { type: "string", default: "240" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError("");
  const prefix = values.prefix;
  if (prefix !== undefined && !/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(prefix)) {
    throw new UsageError(`--prefix must be a short DNS label, got ${JSON.stringify(prefix)}`);
  }
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UsageError(`--timeout must be a number of seconds, got ${values.timeout}`);
  }
  return {
    smoke: values.smoke || values.once,
    ...(values.kubeconfig ? { kubeconfig: path.resolve(values.kubeconfig) } : {}),
    ...(prefix ? { prefix } : {}),
    dir: path.resolve(root, values.dir ?? path.join(".local", "demo")),
    readyTimeoutMs: timeout * 1000,
  };
}
