// Compiles service/native/*.c into Node-API addons under dist/service/native/ (part of
// `npm run build`, on the host and in the Dockerfile's build stage). A C compiler (Debian's gcc)
// and Node's headers (beside the node binary, as in the official images) are required: the
// image must not ship without the addon, so a failure here fails the build.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const sourceDir = path.join(root, "service", "native");
const outDir = path.join(root, "dist", "service", "native");
const headers = path.resolve(path.dirname(process.execPath), "..", "include", "node");

if (!fs.existsSync(path.join(headers, "node_api.h"))) {
  console.error(`build-native: Node's headers are not at ${headers} (node_api.h)`);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
for (const file of fs.readdirSync(sourceDir).filter((f) => f.endsWith(".c"))) {
  const out = path.join(outDir, file.replace(/\.c$/, ".node"));
  const args = [
    ...["-O2", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror"],
    ...["-DNAPI_VERSION=8", "-I", headers],
    ...["-o", out, path.join(sourceDir, file)],
  ];
  try {
    execFileSync(process.env.CC ?? "cc", args, { stdio: "inherit" });
  } catch {
    console.error(
      `build-native: compiling ${file} failed (is a C compiler installed? apt-get install gcc libc6-dev)`,
    );
    process.exit(1);
  }
}
