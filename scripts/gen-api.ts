/**
 * Writes the Tenant CRD YAML and the TypeScript types from operator/api/schema.ts.
 * Usage: npm run gen:api            (write the files)
 *        npm run gen:api -- --check (exit 1 when a committed file is out of date)
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "prettier";
import { CRD_PATH, TYPES_PATH, renderCrdYaml, renderTypes } from "../operator/api/codegen.js";
import { DOCS_PATH, renderApiDocs } from "./api-docs.js";
import { type GeneratedFile, syncGeneratedFiles } from "./lib/generated-files.js";

/** Every generated file, formatted exactly as it is committed (markdown is left as rendered). */
export async function generateApiFiles(root: string): Promise<GeneratedFile[]> {
  const opts = { printWidth: 100 };
  return [
    {
      path: CRD_PATH,
      content: await format(renderCrdYaml(), {
        ...opts,
        parser: "yaml",
        filepath: resolve(root, CRD_PATH),
      }),
    },
    {
      path: TYPES_PATH,
      content: await format(renderTypes(), {
        ...opts,
        parser: "typescript",
        filepath: resolve(root, TYPES_PATH),
      }),
    },
    { path: DOCS_PATH, content: renderApiDocs() },
  ];
}

async function main(): Promise<void> {
  const root = process.cwd();
  const files = await generateApiFiles(root);
  await syncGeneratedFiles(root, files, "npm run gen:api", process.argv.includes("--check"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
