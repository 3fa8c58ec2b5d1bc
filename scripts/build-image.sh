#!/usr/bin/env bash
# The Dockerfile's stages, step for step, without a Docker engine: each stage is a
# directory, COPY is `copy`, RUN is `run`, and the runtime stage is smoke-tested at the
# end (entry files exist, both programs start and import all their modules).
# test/image/dockerfile.test.ts fails when this script and the Dockerfile disagree on
# what each stage copies or runs: change both together.
#
# Usage: bash scripts/build-image.sh [OUT_DIR]   (default .local/image; the runtime stage
# ends up in OUT_DIR/runtime/app, i.e. the image's /app)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$repo/.local/image}" && cd "${1:-$repo/.local/image}" && pwd)"
rm -rf "${out:?}"/build "${out:?}"/deps "${out:?}"/runtime
# A real image build starts from an empty npm cache; here the machine's cache only saves downloads.
export npm_config_prefer_offline=true npm_config_update_notifier=false

stage_dir=""
# stage NAME: starts a stage with an empty WORKDIR /app.
stage() {
  stage_dir="$out/$1/app"
  mkdir -p "$stage_dir"
  printf '\n--> stage %s\n' "$1"
}
# The `**/NAME` lines of .dockerignore, which drop matching files at any depth of the context.
mapfile -t ignored_names < <(sed -n 's|^\*\*/||p' "$repo/.dockerignore")
# copy SRC...: COPY from the repository (as the build context sees it, see .dockerignore),
# keeping each path relative to the WORKDIR.
copy() {
  for src in "$@"; do
    mkdir -p "$stage_dir/$(dirname "$src")"
    cp -R "$repo/$src" "$stage_dir/$src"
    for name in "${ignored_names[@]}"; do
      find "$stage_dir/$src" -name "$name" -prune -exec rm -rf {} +
    done
  done
  echo "    copied $*"
}
# copy_from STAGE PATH: COPY --from=STAGE /app/PATH ./PATH
copy_from() {
  cp -R "$out/$1/app/$2" "$stage_dir/$2"
  echo "    copied $2 from stage $1"
}
# run CMD...: RUN in the WORKDIR.
run() {
  echo "    run: $*"
  (cd "$stage_dir" && "$@")
}

stage build
copy package.json package-lock.json
run npm ci --no-audit --no-fund
copy tsconfig.json tsconfig.build.json
copy scripts/copy-assets.mjs
copy operator service crds
run npm run build

stage deps
copy package.json package-lock.json
run npm ci --omit=dev --ignore-scripts --no-audit --no-fund

stage runtime
copy package.json
copy_from deps node_modules
copy_from build dist

# ---- smoke test of the runtime stage: only what the image holds (no dev dependencies there).
app="$out/runtime/app"
printf '\n--> smoke test\n'
for entry in dist/service/main.js dist/operator/main.js; do
  [ -f "$app/$entry" ] || { echo "build-image: missing $entry in the runtime stage" >&2; exit 1; }
done
if [ -d "$app/node_modules/typescript" ] || [ -d "$app/node_modules/vitest" ]; then
  echo "build-image: dev dependencies leaked into the runtime stage" >&2
  exit 1
fi
# Importing every compiled module (those tsc wrote, with a .map beside them; not browser
# assets, not the main.js entry points that start servers) resolves all their imports
# against production node_modules: a dev-only dependency used at run time fails here.
(cd "$app" && NODE_ENV=production node --input-type=module -e '
  import { existsSync, readdirSync } from "node:fs";
  import { join, resolve } from "node:path";
  import { pathToFileURL } from "node:url";
  const files = readdirSync("dist", { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".js") && !f.endsWith("main.js") && existsSync(join("dist", f + ".map")));
  for (const f of files) await import(pathToFileURL(resolve(join("dist", f))).href);
  console.log(`    imported ${files.length} modules`);
')
# The compute service (the image's default command) starts on free loopback ports, answers
# GET /healthz, and stops cleanly on SIGTERM, as Kubernetes stops it.
log="$out/service-smoke.log"
(cd "$app" && NODE_ENV=production GRPC_PORT=0 HTTP_PORT=0 HOST=127.0.0.1 DATA_DIR="$out/smoke-data" \
  exec node dist/service/main.js) >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  grep -q '"msg":"service started"' "$log" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if ! grep -q '"msg":"service started"' "$log"; then
  kill -KILL "$pid" 2>/dev/null || true
  echo "build-image: node dist/service/main.js did not start in the runtime stage:" >&2
  tail -20 "$log" >&2
  exit 1
fi
port="$(sed -n 's/.*"httpPort":\([0-9]*\).*"msg":"service started".*/\1/p' "$log" | head -1)"
if ! node -e 'fetch(`http://127.0.0.1:${process.argv[1]}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$port"; then
  kill -KILL "$pid" 2>/dev/null || true
  echo "build-image: the compute service did not answer GET /healthz on port $port" >&2
  exit 1
fi
kill -TERM "$pid"
if ! wait "$pid"; then
  echo "build-image: the compute service did not stop cleanly on SIGTERM:" >&2
  tail -20 "$log" >&2
  exit 1
fi
echo "    node dist/service/main.js: started, answered /healthz, stopped cleanly"
# The operator needs a cluster to start; --help parses its flags and loads every module.
(cd "$app" && NODE_ENV=production timeout 30 node dist/operator/main.js --help >/dev/null) ||
  { echo "build-image: node dist/operator/main.js --help failed in the runtime stage" >&2; exit 1; }
echo "    node dist/operator/main.js --help: ok"
echo "image contents ready in $app ($(du -sh "$app" | cut -f1))"
