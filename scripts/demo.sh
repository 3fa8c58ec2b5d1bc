#!/usr/bin/env bash
# The demo, from a fresh machine of this kind: installs what is missing, builds the
# project and the local cluster's binaries (cached), then runs scripts/demo.ts: a local
# Kubernetes cluster with a real node (the image built from our Dockerfile) and the edge,
# the operator reconciling examples/tenants/, and each tenant's pods answering through its
# Service and over https. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure.sh

step "Debian packages" ensure_debian_packages ca-certificates gcc libc6-dev postgresql buildah debootstrap $NODE_PACKAGES bind9 dnsutils curl
step "Node.js $NODE_VERSION (cached)" ensure_node
step "npm packages" ensure_npm_deps
step "build" npm run build
step "local control plane binaries (cached; the first build takes several minutes)" npm run cluster:build
# node --import tsx rather than npx: npm exec reports a Ctrl-C as exit 130 even when the demo
# stopped everything cleanly and exited 0.
exec node --import tsx scripts/demo.ts "$@"
