/**
 * Drops the node binary's pages a tenant process touched to start and no longer uses from its
 * resident set.
 *
 * Half of a tenant's RSS is the node binary's pages (code and read-only data, ~54 MiB under
 * load), and start-up touches many that serving never touches again: the module loader, the
 * snapshot's deserializer, the compilers' first work. A process keeps every page it touched
 * mapped until it exits. Once serving, and once more when the first minute of serving is over
 * (warm-up's own code: the optimizing compilers' first runs, first-call paths), the process
 * unmaps the binary's read-only pages (native/file-pages.c, madvise MADV_DONTNEED): what it goes
 * on using is mapped again at its next touch, from the page cache (a minor fault: no read, no
 * new memory charged to the pod); what it never touches again stays in the page cache only,
 * shared with other tenants of the image on the node, and is the first the kernel reclaims
 * when memory runs short. bench:footprint measured the binary's resident pages under load go
 * from ~54 to ~34 MiB (bench/RESULTS.md).
 *
 * RELEASE_FILE_PAGES=false turns it off. Where the addon was not built, or the kernel refuses,
 * a warning says so and nothing else changes.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log.js";

/** The second release, after warm-up: long enough for the first calls to have run. */
export const SECOND_RELEASE_MS = 60_000;

export interface FilePagesAddon {
  /** Bytes of the binary's read-only mappings dropped, or -errno if madvise refused. */
  releaseFilePages(): number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Built beside the compiled code (dist/service/native); from the sources, in dist too. */
const ADDON_PATHS: readonly string[] = [
  join(here, "..", "native", "file-pages.node"),
  join(here, "..", "..", "dist", "service", "native", "file-pages.node"),
];

/** Where `npm run build` put the addon, whether this code runs compiled or from its sources. */
export function filePagesAddonPath(): string {
  const found = ADDON_PATHS.find((p) => existsSync(p));
  if (!found)
    throw new Error(`the file-pages addon is not built (looked in ${ADDON_PATHS.join(", ")})`);
  return found;
}

export function loadFilePagesAddon(): FilePagesAddon {
  return createRequire(import.meta.url)(filePagesAddonPath()) as FilePagesAddon;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** One release; false when the kernel refused (then there is no point in another). */
export function releaseFilePages(addon: FilePagesAddon, logger: Logger, when: string): boolean {
  const before = process.memoryUsage.rss();
  const advised = addon.releaseFilePages();
  if (advised < 0) {
    logger.warn({ errno: -advised }, "madvise(MADV_DONTNEED) refused: file pages stay resident");
    return false;
  }
  const after = process.memoryUsage.rss();
  logger.info(
    { when, rssBeforeMib: mib(before), rssAfterMib: mib(after), advisedMib: mib(advised) },
    "released file pages",
  );
  return true;
}

/**
 * Releases now and once more after SECOND_RELEASE_MS (a timer that does not hold the process
 * up); returns what cancels the second one (shutdown).
 */
export function scheduleFilePageRelease(
  logger: Logger,
  load: () => FilePagesAddon = loadFilePagesAddon,
  secondAfterMs = SECOND_RELEASE_MS,
): () => void {
  let addon: FilePagesAddon;
  try {
    addon = load();
  } catch (error) {
    logger.warn({ err: error }, "cannot release file pages");
    return () => {};
  }
  if (!releaseFilePages(addon, logger, "start-up")) return () => {};
  const timer = setTimeout(() => releaseFilePages(addon, logger, "first minute"), secondAfterMs);
  timer.unref();
  return () => clearTimeout(timer);
}
