/**
 * Generated files that are committed (the Tenant CRD and types, the service's config
 * validator): written by their generator, or checked, so that a test or CI can tell a stale one.
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";

export interface GeneratedFile {
  /** Relative to the repository's root. */
  path: string;
  content: string;
}

/**
 * Writes each file whose committed content differs; with `check`, writes nothing and sets a
 * failing exit code for each stale file, naming `command` as the fix.
 */
export async function syncGeneratedFiles(
  root: string,
  files: readonly GeneratedFile[],
  command: string,
  check: boolean,
): Promise<void> {
  for (const file of files) {
    const target = resolve(root, file.path);
    const current = await readFile(target, "utf8").catch(() => "");
    if (current === file.content) continue;
    if (check) {
      console.error(`${file.path} is out of date: run ${command}`);
      process.exitCode = 1;
    } else {
      await writeFile(target, file.content);
      console.log(`wrote ${file.path}`);
    }
  }
}
