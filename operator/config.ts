/**
 * The operator's one configuration object: every setting, its default, its flag and its
 * environment variable in one place. Flags win over env (TENANT_OPERATOR_<FLAG>), env over
 * defaults. The result is validated with ajv; a bad value is a clear ConfigError naming the
 * flag, never a crash deeper in.
 *
 * There is no --watch-namespace: Tenants are cluster-scoped and each tenant's children live in
 * its own namespace `tenant-<name>`, so restricting the operator to one namespace would blind it
 * to its own children. To split tenants between operator installations use --tenant-selector
 * (a label selector on Tenants).
 */
import { Ajv } from "ajv";
import { Command, Option } from "commander";
import type { RenderConfig } from "./tenant/render-config.js";

export interface OperatorConfig {
  /** Path of a kubeconfig file; unset: KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  maxConcurrentReconciles: number;
  defaultImage: string;
  defaultIssuer?: { kind: "Issuer" | "ClusterIssuer"; name: string };
  dnsTargets: string[];
  /** Zones external-dns manages (its --domain-filter); empty: not known. */
  dnsZones: string[];
  ingressClass?: string;
  ingressControllerNamespace: string;
  defaultStorageSize: string;
  storageClassName?: string;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** nodeSelector of tenant pods (e.g. to keep them on one kind of node). */
  podNodeSelector?: Record<string, string>;
  /** Tolerations of tenant pods (e.g. to let them onto tainted nodes). */
  podTolerations?: PodToleration[];
  /** Label selector on Tenants: only matching Tenants are reconciled (sharding). */
  tenantSelector?: string;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  /** Identity in the Lease; default hostname + random suffix. */
  leaderIdentity?: string;
  bindAddress: string;
  metricsPort: number;
  healthPort: number;
  /** Every Tenant is reconciled again this often (0: never); a no-op resync writes nothing. */
  resyncPeriodSeconds: number;
  /** Server-side timeout of each watch; the watchdog re-lists after about twice this without events. */
  watchTimeoutSeconds: number;
  watchStallSeconds?: number;
  /** How often to look again for the optional CRDs (DNSEndpoint, cert-manager). */
  crdRecheckSeconds: number;
  /** Timeout of each API request. */
  requestTimeoutSeconds: number;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  logFormat: "json" | "pretty";
}

export interface PodToleration {
  key: string;
  operator: "Equal" | "Exists";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export class ConfigError extends Error {}

const schema = {
  type: "object",
  additionalProperties: false,
  required: [
    "maxConcurrentReconciles",
    "defaultImage",
    "dnsTargets",
    "ingressControllerNamespace",
    "leaderElect",
    "leaseName",
    "leaseNamespace",
    "metricsPort",
    "healthPort",
    "logLevel",
    "logFormat",
  ],
  properties: {
    kubeconfig: { type: "string", minLength: 1 },
    maxConcurrentReconciles: { type: "integer", minimum: 1, maximum: 256 },
    defaultImage: { type: "string", minLength: 1, pattern: "^\\S+$" },
    defaultIssuer: {
      type: "object",
      additionalProperties: false,
      required: ["kind", "name"],
      properties: {
        kind: { enum: ["Issuer", "ClusterIssuer"] },
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" },
      },
    },
    dnsTargets: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9.:-]+$" } },
    dnsZones: {
      type: "array",
      items: { type: "string", pattern: "^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?\\.?$" },
    },
    ingressClass: { type: "string", minLength: 1 },
    ingressControllerNamespace: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    defaultStorageSize: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?([KMGTPE]i?)?$" },
    storageClassName: { type: "string", minLength: 1 },
    imagePullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
    podNodeSelector: { type: "object", additionalProperties: { type: "string" } },
    podTolerations: { type: "array" },
    tenantSelector: { type: "string", minLength: 1 },
    leaderElect: { type: "boolean" },
    leaseName: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" },
    leaseNamespace: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    leaseDurationSeconds: { type: "integer", minimum: 2 },
    renewDeadlineSeconds: { type: "integer", minimum: 1 },
    retryPeriodSeconds: { type: "integer", minimum: 1 },
    leaderIdentity: { type: "string", minLength: 1 },
    bindAddress: { type: "string", minLength: 1 },
    metricsPort: { type: "integer", minimum: 0, maximum: 65535 },
    healthPort: { type: "integer", minimum: 0, maximum: 65535 },
    resyncPeriodSeconds: { type: "integer", minimum: 0 },
    watchTimeoutSeconds: { type: "integer", minimum: 1 },
    watchStallSeconds: { type: "integer", minimum: 1 },
    crdRecheckSeconds: { type: "integer", minimum: 1 },
    requestTimeoutSeconds: { type: "integer", minimum: 1 },
    logLevel: { enum: ["trace", "debug", "info", "warn", "error", "fatal"] },
    logFormat: { enum: ["json", "pretty"] },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(schema);

const ENV_PREFIX = "TENANT_OPERATOR_";

/** The flags, their env vars and defaults; also the source of `--help`. */
export function buildCommand(): Command {
  const opt = (flags: string, description: string, def?: string): Option => {
    const o = new Option(flags, description);
    const long = o.long!.replace(/^--(no-)?/, "");
    o.env(ENV_PREFIX + long.toUpperCase().replaceAll("-", "_"));
    if (def !== undefined) o.default(def);
    return o;
  };
  return new Command("tenant-operator")
    .description(
      "Reconciles cluster-scoped Tenants (platform.tenancy.dev/v1alpha1) into running tenants.",
    )
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .addOption(
      opt(
        "--kubeconfig <path>",
        "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)",
      ),
    )
    .addOption(
      opt("--max-concurrent-reconciles <n>", "workers reconciling tenants in parallel", "4"),
    )
    .addOption(
      opt(
        "--default-image <image>",
        "image of tenants that set no spec.image",
        "tenant-service:latest",
      ),
    )
    .addOption(
      opt(
        "--default-issuer <kind/name>",
        "cert-manager issuer when a tenant names none, e.g. ClusterIssuer/letsencrypt",
      ),
    )
    .addOption(
      opt(
        "--dns-targets <list>",
        "comma-separated DNS targets when a tenant names none (IPs: A, names: CNAME)",
        "",
      ),
    )
    .addOption(
      opt(
        "--dns-zones <list>",
        "comma-separated DNS zones external-dns manages (its --domain-filter): a tenant host outside them is reported DNSReady=False",
        "",
      ),
    )
    .addOption(opt("--ingress-class <name>", "IngressClass when a tenant names none"))
    .addOption(
      opt(
        "--ingress-controller-namespace <ns>",
        "namespace of the ingress controller (NetworkPolicy source)",
        "ingress-nginx",
      ),
    )
    .addOption(opt("--default-storage-size <size>", "size of the embedded database volume", "1Gi"))
    .addOption(
      opt(
        "--storage-class <name>",
        "StorageClass of the embedded database volume (default: cluster default)",
      ),
    )
    .addOption(
      opt(
        "--image-pull-policy <policy>",
        "imagePullPolicy of tenant pods: Always, IfNotPresent, Never (IfNotPresent: images loaded into a node, e.g. a :latest one, run without a registry)",
        "IfNotPresent",
      ),
    )
    .addOption(
      opt(
        "--pod-node-selector <labels>",
        "nodeSelector of tenant pods, comma-separated key=value (e.g. type=kwok)",
      ),
    )
    .addOption(
      opt(
        "--pod-tolerations <list>",
        "tolerations of tenant pods, comma-separated key[=value]:Effect (e.g. kwok.x-k8s.io/node=fake:NoSchedule)",
      ),
    )
    .addOption(
      opt("--tenant-selector <selector>", "reconcile only Tenants matching this label selector"),
    )
    .addOption(
      opt(
        "--leader-elect [enabled]",
        "elect a leader through a coordination.k8s.io Lease (run several replicas)",
      ),
    )
    .addOption(opt("--lease-name <name>", "name of the leader election Lease", "tenant-operator"))
    .addOption(
      opt("--lease-namespace <ns>", "namespace of the Lease (default: POD_NAMESPACE or default)"),
    )
    .addOption(
      opt(
        "--lease-duration <seconds>",
        "a standby takes over after this long without renewal",
        "15",
      ),
    )
    .addOption(
      opt(
        "--renew-deadline <seconds>",
        "the leader stops reconciling if it cannot renew for this long",
        "10",
      ),
    )
    .addOption(opt("--retry-period <seconds>", "interval of acquire and renew attempts", "2"))
    .addOption(
      opt("--leader-identity <id>", "identity in the Lease (default: hostname + random suffix)"),
    )
    .addOption(opt("--bind-address <addr>", "address of the metrics and health servers", "0.0.0.0"))
    .addOption(opt("--metrics-port <port>", "port of /metrics (0: any free port)", "8080"))
    .addOption(
      opt("--health-port <port>", "port of /healthz and /readyz (0: any free port)", "8081"),
    )
    .addOption(
      opt("--resync-period <seconds>", "reconcile every tenant this often (0: never)", "600"),
    )
    .addOption(opt("--watch-timeout <seconds>", "server-side timeout of each watch request", "300"))
    .addOption(
      opt(
        "--watch-stall <seconds>",
        "re-list after this long without a watch event (default: 2x watch timeout + 30)",
      ),
    )
    .addOption(opt("--crd-recheck <seconds>", "how often to look again for optional CRDs", "60"))
    .addOption(opt("--request-timeout <seconds>", "timeout of each API request", "30"))
    .addOption(opt("--log-level <level>", "trace, debug, info, warn, error", "info"))
    .addOption(opt("--log-format <format>", "json or pretty", "json"));
}

type Raw = Record<string, string | boolean | undefined>;

/**
 * Parses argv (without node and script) and env into a validated config.
 * @throws ConfigError naming the offending flag.
 */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const command = buildCommand();
  const saved = snapshotEnv(env);
  let raw: Raw;
  try {
    command.parse(argv, { from: "user" });
    raw = command.opts<Raw>();
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  } finally {
    restoreEnv(saved);
  }
  const config = toConfig(raw, env);
  if (!validate(config)) {
    const details = (validate.errors ?? [])
      .map((e) => `${flagOf(e.instancePath)} ${e.message}`)
      .join("; ");
    throw new ConfigError(`invalid configuration: ${details}`);
  }
  if (config.renewDeadlineSeconds >= config.leaseDurationSeconds) {
    throw new ConfigError("--renew-deadline must be shorter than --lease-duration");
  }
  return config;
}

function toConfig(raw: Raw, env: NodeJS.ProcessEnv): OperatorConfig {
  const str = (k: string): string | undefined =>
    typeof raw[k] === "string" && raw[k] !== "" ? raw[k] : undefined;
  const int = (k: string): number => {
    const v = str(k);
    if (v === undefined || !/^-?\d+$/.test(v.trim()))
      throw new ConfigError(`--${kebab(k)} must be an integer, got ${JSON.stringify(raw[k])}`);
    return Number(v);
  };
  const optInt = (k: string): number | undefined => (str(k) === undefined ? undefined : int(k));
  const config: OperatorConfig = {
    kubeconfig: str("kubeconfig"),
    maxConcurrentReconciles: int("maxConcurrentReconciles"),
    defaultImage: str("defaultImage") ?? "",
    defaultIssuer: parseIssuer(str("defaultIssuer")),
    dnsTargets: (str("dnsTargets") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    dnsZones: (str("dnsZones") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    ingressClass: str("ingressClass"),
    ingressControllerNamespace: str("ingressControllerNamespace") ?? "",
    defaultStorageSize: str("defaultStorageSize") ?? "1Gi",
    storageClassName: str("storageClass"),
    imagePullPolicy: str("imagePullPolicy") as OperatorConfig["imagePullPolicy"],
    podNodeSelector: parseNodeSelector(str("podNodeSelector")),
    podTolerations: parseTolerations(str("podTolerations")),
    tenantSelector: str("tenantSelector"),
    leaderElect: parseBool(raw.leaderElect),
    leaseName: str("leaseName") ?? "",
    leaseNamespace: str("leaseNamespace") ?? env.POD_NAMESPACE ?? "default",
    leaseDurationSeconds: int("leaseDuration"),
    renewDeadlineSeconds: int("renewDeadline"),
    retryPeriodSeconds: int("retryPeriod"),
    leaderIdentity: str("leaderIdentity"),
    bindAddress: str("bindAddress") ?? "0.0.0.0",
    metricsPort: int("metricsPort"),
    healthPort: int("healthPort"),
    resyncPeriodSeconds: int("resyncPeriod"),
    watchTimeoutSeconds: int("watchTimeout"),
    watchStallSeconds: optInt("watchStall"),
    crdRecheckSeconds: int("crdRecheck"),
    requestTimeoutSeconds: int("requestTimeout"),
    logLevel: (str("logLevel") ?? "info") as OperatorConfig["logLevel"],
    logFormat: (str("logFormat") ?? "json") as OperatorConfig["logFormat"],
  };
  // Drop unset optionals so the schema's additionalProperties/required read cleanly.
  for (const key of Object.keys(config) as (keyof OperatorConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  return config;
}

function parseIssuer(value: string | undefined): OperatorConfig["defaultIssuer"] {
  if (value === undefined) return undefined;
  const m = /^(Issuer|ClusterIssuer)\/(.+)$/.exec(value);
  if (!m)
    throw new ConfigError(
      `--default-issuer must be Issuer/<name> or ClusterIssuer/<name>, got ${JSON.stringify(value)}`,
    );
  return { kind: m[1] as "Issuer" | "ClusterIssuer", name: m[2]! };
}

function parseNodeSelector(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const selector: Record<string, string> = {};
  for (const item of value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/.exec(item);
    if (!m)
      throw new ConfigError(
        `--pod-node-selector wants key=value items, got ${JSON.stringify(item)}`,
      );
    selector[m[1]!] = m[2]!;
  }
  return selector;
}

function parseTolerations(value: string | undefined): PodToleration[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m =
        /^([A-Za-z0-9][-A-Za-z0-9_./]*)(=([-A-Za-z0-9_.]*))?(:(NoSchedule|PreferNoSchedule|NoExecute))?$/.exec(
          item,
        );
      if (!m)
        throw new ConfigError(
          `--pod-tolerations wants key[=value][:NoSchedule|PreferNoSchedule|NoExecute] items, got ${JSON.stringify(item)}`,
        );
      const t: PodToleration = { key: m[1]!, operator: m[2] ? "Equal" : "Exists" };
      if (m[2]) t.value = m[3]!;
      if (m[5]) t.effect = m[5] as PodToleration["effect"];
      return t;
    });
}

function parseBool(value: string | boolean | undefined): boolean {
  if (typeof value === "boolean") return value;
  if (value === undefined || value === "") return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`--leader-elect must be true or false, got ${JSON.stringify(value)}`);
}

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function flagOf(instancePath: string): string {
  const key = instancePath.split("/")[1] ?? "";
  return key ? `--${kebab(key)}` : "config";
}

/** commander reads env from process.env; parse against the given env without leaking into it. */
function snapshotEnv(env: NodeJS.ProcessEnv): Map<string, string | undefined> {
  const saved = new Map<string, string | undefined>();
  if (env === process.env) return saved;
  for (const key of new Set([...Object.keys(process.env), ...Object.keys(env)])) {
    if (!key.startsWith(ENV_PREFIX)) continue;
    saved.set(key, process.env[key]);
    if (env[key] === undefined) delete process.env[key];
    else process.env[key] = env[key];
  }
  return saved;
}

function restoreEnv(saved: Map<string, string | undefined>): void {
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

/** The settings render needs, from the operator config. */
export function renderConfigOf(config: OperatorConfig): RenderConfig {
  return {
    defaultImage: config.defaultImage,
    defaultIssuer: config.defaultIssuer,
    dnsTargets: config.dnsTargets,
    dnsZones: config.dnsZones,
    ingressClass: config.ingressClass,
    ingressControllerNamespace: config.ingressControllerNamespace,
    operatorName: "tenant-operator",
    defaultStorageSize: config.defaultStorageSize,
    storageClassName: config.storageClassName,
    imagePullPolicy: config.imagePullPolicy,
    podNodeSelector: config.podNodeSelector,
    podTolerations: config.podTolerations,
  };
}

/** The config for logs: values of keys that look secret are replaced (none today; kept for safety). */
export function redactConfig(config: OperatorConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k,
      /token|password|secret|key$/i.test(k) ? "<redacted>" : v,
    ]),
  );
}
