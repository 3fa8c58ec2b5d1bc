#!/usr/bin/env node
/** tenantctl entry point (package bin): see program.ts. */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
