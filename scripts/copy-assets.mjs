// Copies the non-TypeScript files the built program reads at run time
// (.proto contracts, static web assets, the CRD schema, the generated config validator)
// next to the compiled code in dist/.
import { cpSync, existsSync } from "node:fs";

const assets = [
  "service/proto",
  "service/web/static",
  "crds",
  "service/config-validator.generated.js",
];
for (const dir of assets) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
