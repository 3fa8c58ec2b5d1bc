#!/usr/bin/env bash
# Builds the Helm CLI from its Go module (tools/helm, pinned in go.mod) once, and caches it
# at ~/.cache/tenant-operator/helm-<version>/helm ($TENANT_OPERATOR_CACHE or $XDG_CACHE_HOME move it). Prints the binary's path on stdout as its
# last line; progress goes to stderr. The chart tests find the binary at the same path
# (test/chart/helm.ts), or at $HELM_BIN when set.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/tools/helm"
version="$(awk '$1 == "require" && $2 == "helm.sh/helm/v3" { print $3 }' "$module/go.mod")"
if [ -z "$version" ]; then
  echo "ensure-helm: cannot read the helm.sh/helm/v3 version from $module/go.mod" >&2
  exit 1
fi
# Same cache root as the control-plane binaries (test/cluster/manifest.ts).
cache="${TENANT_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenant-operator}"
bin="$cache/helm-$version/helm"

if [ -x "$bin" ] && "$bin" version --short >/dev/null 2>&1; then
  echo "helm $version: cached at $bin" >&2
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "ensure-helm: Go is required to build Helm (install golang)" >&2; exit 1; }
mkdir -p "$(dirname "$bin")"
echo "helm $version: building from the Go module (first time only, a few minutes)..." >&2
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(
  cd "$module"
  export GOTOOLCHAIN=local
  go mod download
  echo "helm $version: modules downloaded, compiling" >&2
  # -v names each package as it compiles: show a count every 100, pass anything else (errors) through.
  # Like upstream's Makefile: the version, and the Kubernetes version that `helm template` and
  # `helm lint` assume (else 1.20, which fails charts that need a newer kubeVersion).
  k8s_minor="$(go list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2)"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
  done
  go build -v -trimpath -ldflags "$ldflags" \
    -o "$tmp" helm.sh/helm/v3/cmd/helm 2>&1 |
    awk -v v="$version" '/^[A-Za-z0-9._~\/-]+$/ { n++; if (n % 100 == 0) printf "helm %s: %d packages compiled\n", v, n; next } { print }' >&2
)
mv "$tmp" "$bin"
echo "helm $version: built $("$bin" version --short)" >&2
echo "$bin"
