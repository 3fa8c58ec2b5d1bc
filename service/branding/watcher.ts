/**
 * Keeps the branding current without a restart. BRANDING_DIR is a ConfigMap volume: the key
 * files are symlinks through "..data", which Kubernetes swaps atomically on update. We re-read
 * the files on every fs.watch event on the directory (when the platform supports it) and, as a
 * fallback that always works, every pollMs; the branding changes only when the content does.
 */
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.js";
import {
  BRANDING_KEYS,
  type Branding,
  type BrandingFiles,
  defaultBranding,
  parseBranding,
} from "./branding.js";

/** Key files larger than this are ignored (a ConfigMap value is small; the file is input). */
const MAX_FILE_BYTES = 16 * 1024;

export interface BrandingSource {
  current(): Branding;
  /** Re-reads the directory now (also what the watcher and poller call). */
  reload(): Promise<void>;
  close(): void;
}

export interface BrandingOptions {
  /** "" = no directory: defaults only, nothing watched. */
  dir: string;
  pollMs: number;
  tenant: string;
  logger: Logger;
}

/** Reads the branding once, then keeps it current until close(). Never throws for bad files. */
export async function watchBranding(options: BrandingOptions): Promise<BrandingSource> {
  const { dir, tenant, logger } = options;
  let current = defaultBranding(tenant);
  let lastProblems = "";
  let running: Promise<void> | undefined;
  let again = false;

  const load = async (): Promise<void> => {
    const { branding, problems } = parseBranding(await readFiles(dir), tenant);
    if (problems.join() !== lastProblems && problems.length > 0) {
      logger.warn({ dir, problems }, "branding: invalid values replaced by defaults");
    }
    lastProblems = problems.join();
    if (JSON.stringify(branding) !== JSON.stringify(current)) {
      current = branding;
      logger.info({ dir, displayName: branding.displayName }, "branding loaded");
    }
  };
  // Coalesces bursts of events into at most one queued re-read.
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load().catch((error: unknown) =>
          logger.warn({ err: error, dir }, "branding: reload failed"),
        );
      } while (again);
    })().finally(() => (running = undefined));
    return running;
  };

  if (dir === "")
    return { current: () => current, reload: async () => undefined, close: () => undefined };
  await reload();
  const watcher = startFsWatch(dir, () => void reload());
  const timer = setInterval(() => void reload(), options.pollMs);
  timer.unref();
  return {
    current: () => current,
    reload,
    close() {
      clearInterval(timer);
      watcher?.close();
    },
  };
}

function startFsWatch(dir: string, onEvent: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, onEvent);
    watcher.on("error", () => watcher.close()); // e.g. directory removed: polling carries on
    return watcher;
  } catch {
    return undefined; // missing directory or no inotify: polling alone
  }
}

async function readFiles(dir: string): Promise<BrandingFiles> {
  const files: BrandingFiles = {};
  await Promise.all(
    BRANDING_KEYS.map(async (key) => {
      try {
        const content = await readFile(join(dir, key));
        if (content.length <= MAX_FILE_BYTES) files[key] = content.toString("utf8");
      } catch {
        // Missing key (or unreadable): default value.
      }
    }),
  );
  return files;
}
