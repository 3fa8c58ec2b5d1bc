/**
 * Hands the kernel back the node binary's pages a tenant process touched to start and no
 * longer uses.
 *
 * Half of a tenant's RSS is the node binary's pages (code and read-only data, ~54 MiB under
 * load), and start-up touches many that serving never touches again: the module loader, the
 * snapshot's deserializer, the compilers' first work. The kernel keeps them resident until
 * memory runs short. Once serving, and once more when the first minute of serving is over
 * (warm-up's own code: the optimizing compilers' first runs, first-call paths), the process
 * pages out the binary's read-only mappings (native/file-pages.c, madvise MADV_PAGEOUT); what
 * it goes on using faults back in, from the page cache or the image's file, once.
 * bench:footprint measured the binary's resident pages under load go from ~54 to ~34 MiB
 * (bench/RESULTS.md). The kernel reclaims a page only if no other process maps it (another
 * tenant of the same image on the node: those pages are shared, counted once on the node), and
 * a file's pages only for a process that owns the file or may write it: the image gives the
 * binary to the service's user (Dockerfile); run as another user, a warning says so.
 *
 * RELEASE_FILE_PAGES=false turns it off. Where the addon was not built, or the kernel refuses
 * (before Linux 5.4), a warning says so and nothing else changes.
 */
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log.js";

/** The second release, after warm-up: long enough for the first calls to have run. */
export const SECOND_RELEASE_MS = 60_000;

export interface FilePagesAddon {
  /** Bytes of read-only file mappings advised out, or -errno if madvise refused. */
  releaseFilePages(): number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Built beside the compiled code (dist/service/native); from the sources, in dist too. */
export const ADDON_PATHS: readonly string[] = [
  join(here, "..", "native", "file-pages.node"),
  join(here, "..", "..", "dist", "service", "native", "file-pages.node"),
];

export function loadFilePagesAddon(paths: readonly string[] = ADDON_PATHS): FilePagesAddon {
  const found = paths.find((p) => existsSync(p));
  if (!found) throw new Error(`the file-pages addon is not built (looked in ${paths.join(", ")})`);
  return createRequire(import.meta.url)(found) as FilePagesAddon;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** One release; false when the kernel refused (then there is no point in another). */
export function releaseFilePages(addon: FilePagesAddon, logger: Logger, when: string): boolean {
  const before = process.memoryUsage.rss();
  const advised = addon.releaseFilePages();
  if (advised < 0) {
    logger.warn({ errno: -advised }, "madvise(MADV_PAGEOUT) refused: file pages stay resident");
    return false;
  }
  const after = process.memoryUsage.rss();
  logger.info(
    { when, rssBeforeMib: mib(before), rssAfterMib: mib(after), advisedMib: mib(advised) },
    "released file pages",
  );
  return true;
}

/** The kernel pages out a file's pages only for its owner (or a writer): say so if we are not. */
function warnIfNotOwner(logger: Logger): void {
  const uid = process.getuid?.();
  const owner = statSync(process.execPath).uid;
  if (uid === undefined || uid === 0 || owner === uid) return;
  logger.warn(
    { binary: process.execPath, owner, uid },
    "the node binary belongs to another user: the kernel keeps its pages resident",
  );
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
  warnIfNotOwner(logger);
  if (!releaseFilePages(addon, logger, "start-up")) return () => {};
  const timer = setTimeout(() => releaseFilePages(addon, logger, "first minute"), secondAfterMs);
  timer.unref();
  return () => clearTimeout(timer);
}
