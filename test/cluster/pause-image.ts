// The real node's pod sandbox ("pause") image, made here: no registry is reachable, so the
// static pause binary built from test/cluster/go/pause becomes a one-layer image in a
// docker-archive tarball (manifest.json + config + layer.tar) that `ctr images import` loads.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

/** Pure: the image config of a one-layer image whose entrypoint is `/pause`. */
export function pauseImageConfig(layerDigest: string): object {
  return {
    architecture: "amd64",
    os: "linux",
    config: { Entrypoint: ["/pause"], User: "65535:65535" },
    rootfs: { type: "layers", diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created_by: "tenant-operator test/cluster/pause-image.ts" }],
  };
}

/**
 * Writes `<outDir>/pause.tar` (docker-archive, tagged `name`) from the pause binary and
 * returns its path. Deterministic: the same binary gives the same archive.
 */
export function buildPauseImage(pauseBinary: string, name: string, outDir: string): string {
  const work = path.join(outDir, "pause-image");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, "rootfs"), { recursive: true });
  fs.copyFileSync(pauseBinary, path.join(work, "rootfs", "pause"));
  fs.chmodSync(path.join(work, "rootfs", "pause"), 0o755);
  const tarOpts = ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner"];
  const layerTar = path.join(work, "layer.tar");
  execFileSync("tar", [...tarOpts, "-cf", layerTar, "-C", path.join(work, "rootfs"), "pause"]);
  const layerDigest = sha256(fs.readFileSync(layerTar));
  const config = Buffer.from(JSON.stringify(pauseImageConfig(layerDigest)));
  const configName = `${sha256(config)}.json`;
  const image = path.join(work, "image");
  fs.mkdirSync(path.join(image, layerDigest), { recursive: true });
  fs.renameSync(layerTar, path.join(image, layerDigest, "layer.tar"));
  fs.writeFileSync(path.join(image, configName), config);
  const manifest = [{ Config: configName, RepoTags: [name], Layers: [`${layerDigest}/layer.tar`] }];
  fs.writeFileSync(path.join(image, "manifest.json"), JSON.stringify(manifest));
  const archive = path.join(outDir, "pause.tar");
  execFileSync("tar", [...tarOpts, "-cf", archive, "-C", image, "."]);
  fs.rmSync(work, { recursive: true, force: true });
  return archive;
}
