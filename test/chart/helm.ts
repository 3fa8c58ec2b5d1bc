/**
 * Runs the Helm CLI that scripts/ensure-helm.sh builds from tools/helm, and renders the
 * tenant-operator chart into parsed objects. Test-only; synchronous, since every call is a
 * short local process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHART_DIR = path.join(REPO_ROOT, "charts", "tenant-operator");

/** A rendered manifest: enough structure to find objects by kind and name. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** The Helm version pinned in tools/helm/go.mod, e.g. "v3.22.0". */
export function pinnedHelmVersion(): string {
  const goMod = readFileSync(path.join(REPO_ROOT, "tools", "helm", "go.mod"), "utf8");
  const match = /^require helm\.sh\/helm\/v3 (v\S+)/m.exec(goMod);
  if (!match) throw new Error("tools/helm/go.mod does not require helm.sh/helm/v3");
  return match[1]!;
}

/** Path of the Helm binary: $HELM_BIN, or the cache that scripts/ensure-helm.sh fills. */
export function helmBinary(): string {
  const fromEnv = process.env.HELM_BIN;
  if (fromEnv) return fromEnv;
  const cacheRoot =
    process.env.TENANT_OPERATOR_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"), "tenant-operator");
  const bin = path.join(cacheRoot, `helm-${pinnedHelmVersion()}`, "helm");
  if (!existsSync(bin)) {
    throw new Error(`Helm is not built yet (${bin} is missing): run bash scripts/ensure-helm.sh`);
  }
  return bin;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments; never throws on a non-zero exit. */
export function helm(args: string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
    // No repositories, plugins or config of the developer's own.
    env: { ...process.env, HELM_CONFIG_HOME: path.join(tmpdir(), "tenant-operator-helm") },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Values as a YAML/JSON document (written to a temporary values file). */
  values?: Record<string, unknown>;
  /** --set-string-free overrides, passed as `--set key=value`. */
  set?: Record<string, string | number | boolean>;
  /** Render the CRDs of the chart's crds/ directory too. */
  includeCrds?: boolean;
}

/** `helm template` arguments for the options (exported so a test can run helm itself). */
export function templateArgs(opts: RenderOptions = {}, valuesFile?: string): string[] {
  const args = ["template", opts.releaseName ?? "tenant-operator", CHART_DIR];
  args.push("--namespace", opts.namespace ?? "tenant-operator-system");
  if (opts.includeCrds) args.push("--include-crds");
  if (valuesFile) args.push("--values", valuesFile);
  for (const [key, value] of Object.entries(opts.set ?? {}))
    args.push("--set", `${key}=${String(value)}`);
  return args;
}

/** Renders the chart; throws with Helm's message when rendering fails. */
export function renderChart(opts: RenderOptions = {}): Manifest[] {
  const dir = mkdtempSync(path.join(tmpdir(), "chart-values-"));
  try {
    let valuesFile: string | undefined;
    if (opts.values) {
      valuesFile = path.join(dir, "values.yaml");
      writeFileSync(valuesFile, JSON.stringify(opts.values));
    }
    const result = helm(templateArgs(opts, valuesFile));
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
    return parseManifests(result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses a multi-document YAML stream, dropping empty documents. */
export function parseManifests(text: string): Manifest[] {
  return yaml
    .loadAll(text)
    .filter((doc): doc is Manifest => doc !== null && typeof doc === "object");
}

/** The one object of this kind (and name, when given); throws when there is not exactly one. */
export function findOne(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}
