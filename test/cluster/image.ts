// The image built from our Dockerfile, for the real node: runs scripts/build-image.sh (buildah,
// no Docker engine; cached by a hash of its inputs, so a warm call takes a second) and says
// where the docker-archive is and what the image is called. Import it into a containerd with
// `ctr -n k8s.io images import <archive>`; the name is the reference pods use.
import { spawn } from "node:child_process";
import path from "node:path";
import { CLUSTER_SRC_DIR } from "./manifest.js";

const BUILD_SCRIPT = path.join(CLUSTER_SRC_DIR, "..", "..", "scripts", "build-image.sh");

export interface BuiltImage {
  /** Absolute path of a docker-archive holding the image (one tag: `image`). */
  archive: string;
  /** Fully qualified reference, e.g. docker.io/library/tenant-operator:0.1.0 (the chart's default). */
  image: string;
  /** Hash of the build's inputs (Dockerfile, context files, base image): changes when they do. */
  key: string;
  /** Whether this call built it (false: the cached archive was current). */
  built: boolean;
}

export interface EnsureImageOptions {
  /** Progress lines (buildah's steps, npm's output); defaults to stderr. */
  log?: (line: string) => void;
  /** Rebuild even when the inputs are unchanged. */
  force?: boolean;
}

/**
 * Builds the image when its inputs changed since the last build, else returns the cached
 * archive. Needs root and Debian's buildah + debootstrap (scripts/test.sh installs them).
 * Rejects with the script's last lines when the build fails.
 */
export function ensureImage(opts: EnsureImageOptions = {}): Promise<BuiltImage> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [BUILD_SCRIPT, ...(opts.force ? ["--force"] : [])], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    const tail: string[] = [];
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        log(line);
        tail.push(line);
        if (tail.length > 30) tail.shift();
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (partial) tail.push(partial);
      if (code !== 0) {
        reject(new Error(`scripts/build-image.sh exited with ${code}:\n${tail.join("\n")}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as BuiltImage);
      } catch {
        reject(new Error(`scripts/build-image.sh printed no result line: ${stdout}`));
      }
    });
  });
}
