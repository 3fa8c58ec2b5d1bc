/**
 * Writes branding the way the kubelet projects a ConfigMap volume: the data lives in a
 * timestamped directory, "..data" is a symlink to it, and each key is a symlink through
 * "..data". An update writes a new directory and atomically renames a new "..data" link over
 * the old one.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

let generation = 0;

export function writeConfigMapDir(dir: string, data: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const version = `..2026_05_23_00_00_00.${process.pid}_${++generation}`;
  mkdirSync(join(dir, version));
  for (const [key, value] of Object.entries(data)) writeFileSync(join(dir, version, key), value);
  const tmpLink = join(dir, "..data_tmp");
  rmSync(tmpLink, { force: true });
  symlinkSync(version, tmpLink);
  renameSync(tmpLink, join(dir, "..data"));
  for (const key of Object.keys(data)) {
    try {
      symlinkSync(join("..data", key), join(dir, key));
    } catch {
      // already linked through ..data
    }
  }
}
