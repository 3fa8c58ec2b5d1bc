#!/usr/bin/env bash
# Every test, from a fresh machine of this kind: installs what is missing (Debian
# packages, npm packages, the Go-built control plane, cached), builds, lints, and runs
# the unit, integration and cluster suites. Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure.sh

step "Debian packages" ensure_debian_packages gcc libc6-dev postgresql chromium ca-certificates libjemalloc2 buildah debootstrap $NODE_PACKAGES bind9 dnsutils curl
step "Node.js $NODE_VERSION (cached)" ensure_node
step "npm packages" ensure_npm_deps
step "build" npm run build
step "typecheck" npm run typecheck
step "lint" npm run lint
step "local control plane binaries (cached)" npm run cluster:build
step "Helm CLI for the chart tests (cached)" bash scripts/ensure-helm.sh
step "image from the Dockerfile (buildah; cached, the first build takes several minutes)" bash scripts/build-image.sh

mkdir -p .local/test-results
rm -f .local/test-results/*.json
status=0
suite() {
  npx vitest run --config "vitest.$1.config.ts" \
    --reporter=default --reporter=json --outputFile.json=".local/test-results/$1.json"
}
# The fault tests (a private kwok-only cluster, ~4 min) run beside the unit and integration
# suites, which start no cluster, and end before the cluster suite, whose real node's pods
# they must not starve. Their output is printed when they end.
reliability_log=.local/test-results/reliability.log
suite reliability >"$reliability_log" 2>&1 &
reliability_pid=$!
for name in unit integration; do
  step "tests: $name" suite "$name" || status=1
done
step "tests: reliability (ran beside unit and integration)" wait "$reliability_pid" || status=1
cat "$reliability_log"
for name in cluster node; do
  step "tests: $name" suite "$name" || status=1
done
node scripts/test-summary.mjs .local/test-results/*.json || status=1
exit $status
