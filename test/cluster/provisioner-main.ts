// The volume provisioner process (started by test/cluster/node.ts): see provisioner.ts.
import { KubeConfig } from "@kubernetes/client-node";
import { Command } from "commander";
import { runProvisioner } from "./provisioner.js";

const opts = new Command("provisioner")
  .requiredOption("--kubeconfig <file>")
  .requiredOption("--root <dir>", "where volume directories are made")
  .requiredOption("--node <name>", "the node whose claims this provisioner serves")
  .parse(process.argv)
  .opts<{ kubeconfig: string; root: string; node: string }>();

const kc = new KubeConfig();
kc.loadFromFile(opts.kubeconfig);
const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
process.on("SIGTERM", () => process.exit(0));
await runProvisioner(kc, { root: opts.root, node: opts.node, log });
