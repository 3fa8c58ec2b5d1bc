/**
 * tenantctl's program (main.ts only runs it): a client for a running compute service.
 *   tenantctl [--addr host:port] [--http url] [--token jwt] calc add 2 3
 * Output is plain text, one answer per line; errors go to stderr as "error: ..." with exit 1
 * (2 for usage errors). Command groups live in their own files and are listed in GROUPS.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { calcCommands } from "./calc.js";
import { counterCommands } from "./counter.js";
import { type CommandGroup, CliError, createCliContext } from "./context.js";
import { mathCommands } from "./math.js";
import { seqCommands } from "./seq.js";
import { usersCommands } from "./users.js";

/** Every command group; a new one is a file exporting a CommandGroup, added here. */
const GROUPS: readonly CommandGroup[] = [
  calcCommands,
  mathCommands,
  seqCommands,
  usersCommands,
  counterCommands,
];

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0)
    throw new InvalidArgumentError("must be a positive integer (ms)");
  return ms;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command("tenantctl")
    .description("Talk to a tenant's compute service (gRPC and HTTP).")
    .option("--addr <host:port>", "gRPC address", process.env.TENANTCTL_ADDR ?? "localhost:50051")
    .option("--http <url>", "HTTP base URL", process.env.TENANTCTL_HTTP ?? "http://localhost:8080")
    .option("--timeout <ms>", "per-call deadline", parseTimeout, 10_000)
    // No default from the environment here: commander would print the token in --help.
    .option("--token <jwt>", "bearer token sent with every call (default: $TENANTCTL_TOKEN)")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, "")),
      writeErr: (text) => io.err(text.replace(/\n$/, "")),
    });
  const ctx = createCliContext(program, (line) => io.out(line));
  for (const register of GROUPS) register(program, ctx);
  return program;
}

/** Runs tenantctl with argv (node-style: [node, script, ...args]); resolves the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
