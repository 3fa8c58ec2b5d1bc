/**
 * Reads the Dockerfile's stages: a list of stages each with an ordered list of steps, so a
 * test can check what each copies and runs. Only the subset of Dockerfile syntax the project
 * uses is understood; anything else is an error, so a new instruction cannot slip past the
 * checks unnoticed.
 */

/** One COPY source or one RUN command, in order. */
export type Step =
  { op: "copy"; source: string; fromStage?: string } | { op: "run"; command: string };

export interface Stage {
  name: string;
  base?: string;
  steps: Step[];
  /** Instructions that configure the image without touching files: USER, CMD, ENV, ... */
  settings: Record<string, string>;
}

const SETTINGS = new Set(["ENV", "USER", "ENTRYPOINT", "CMD", "WORKDIR", "EXPOSE", "LABEL", "ARG"]);

/** "./operator/" -> "operator"; "/app/dist" -> "dist" (the WORKDIR of every stage is /app). */
export function normalizePath(p: string): string {
  return p
    .replace(/^\/app\//, "")
    .replace(/^\.\//, "")
    .replace(/\/$/, "");
}

/** Joins backslash-continued lines and drops comments and blank lines. */
function logicalLines(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const [instruction = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (instruction === "FROM") {
      const m = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      if (!m) throw new Error(`every stage needs a name: ${line}`);
      stages.push({ name: m[2]!, base: m[1]!, steps: [], settings: {} });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`instruction before FROM: ${line}`);
    if (instruction === "RUN") stage.steps.push({ op: "run", command: args });
    else if (instruction === "COPY") stage.steps.push(...parseCopy(rest));
    else if (SETTINGS.has(instruction)) stage.settings[instruction] = args;
    else throw new Error(`instruction not understood by test/image/dockerfile.ts: ${line}`);
  }
  return stages;
}

function parseCopy(words: string[]): Step[] {
  const flags = words.filter((w) => w.startsWith("--"));
  const paths = words.filter((w) => !w.startsWith("--"));
  const fromStage = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
  return paths.slice(0, -1).map((source) => ({
    op: "copy" as const,
    source: normalizePath(source),
    ...(fromStage ? { fromStage } : {}),
  }));
}

/** Whether a .dockerignore line (without wildcards) excludes `source`. */
export function ignores(dockerignore: string, source: string): string | undefined {
  return dockerignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#") && !l.includes("*") && !l.startsWith("!"))
    .map(normalizePath)
    .find((pattern) => source === pattern || source.startsWith(`${pattern}/`));
}
