#!/usr/bin/env bash
# Builds the Dockerfile, unchanged, without a Docker engine: Debian's buildah (daemonless,
# `bud --isolation chroot`, vfs storage), then writes a docker-archive that
# `ctr -n k8s.io images import` loads into a node's containerd.
#
# The base image the Dockerfile names (node:24-bookworm-slim) cannot be pulled here: the
# first run makes it from Debian packages and the npm registry's Node.js binary
# (scripts/image/node-base.sh), under the same name, so the same Dockerfile builds here and
# in a CI with Docker.
#
# Rebuilds only when an input changes: the Dockerfile, .dockerignore, every file the
# Dockerfile COPYs from the context (minus what .dockerignore leaves out) and the base
# image. Everything is cached under ~/.cache/tenant-operator/image/ ($TENANT_OPERATOR_CACHE
# or $XDG_CACHE_HOME move it): buildah's storage, the base root filesystem, the npm cache
# the RUN steps share, and the archives (one per input hash, the last two kept).
#
# Usage: bash scripts/build-image.sh [--force]
# Progress goes to stderr; stdout gets one JSON line:
#   {"archive":"/abs/path.tar","image":"docker.io/library/tenant-operator:0.1.0","key":"<hash>","built":true|false}
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE_CACHE="${TENANT_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenant-operator}/image"
force=false
[ "${1:-}" = "--force" ] && force=true

log() { echo "build-image: $*" >&2; }
# buildah with our own storage (not the machine's /var/lib/containers): vfs works on any
# filesystem, including the overlay this machine's root may already be.
buildah_cmd() {
  buildah --root "$IMAGE_CACHE/storage" --runroot "$IMAGE_CACHE/run" --storage-driver vfs "$@"
}

command -v buildah >/dev/null || { log "buildah is required (apt-get install buildah)"; exit 1; }
[ "$(id -u)" -eq 0 ] || { log "must run as root (buildah's chroot isolation and vfs storage)"; exit 1; }
mkdir -p "$IMAGE_CACHE/archives" "$IMAGE_CACHE/npm"

# shellcheck source=scripts/image/node-base.sh
source "$repo/scripts/image/node-base.sh"
base_key=$(ensure_base_image)

# The image's name: the app's version, which is also the chart's appVersion (the tag the
# chart's image.tag defaults to), so the chart's default reference finds it on the node.
version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
image="docker.io/library/tenant-operator:$version"

# The build context's inputs: what the Dockerfile COPYs from the context, without the
# `**/NAME` patterns of .dockerignore (test files, test helpers), which the build never sees.
context_inputs() {
  local prune=() name
  while IFS= read -r name; do
    [ ${#prune[@]} -gt 0 ] && prune+=(-o)
    prune+=(-name "$name")
  done < <(sed -n 's|^\*\*/||p' .dockerignore)
  awk '$1 == "COPY" && $0 !~ /--from=/ { for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i }' Dockerfile |
    while IFS= read -r src; do
      if [ ${#prune[@]} -gt 0 ]; then
        find "${src%/}" \( "${prune[@]}" \) -prune -o -type f -print
      else
        find "${src%/}" -type f
      fi
    done | LC_ALL=C sort -u
}
key=$(
  cd "$repo"
  {
    echo "base $base_key"
    echo "image $image"
    sha256sum Dockerfile .dockerignore
    context_inputs | xargs -d '\n' sha256sum
  } | sha256sum | cut -c1-16
)
archive="$IMAGE_CACHE/archives/tenant-operator-$key.tar"

if ! $force && [ -f "$archive" ]; then
  log "$image: inputs unchanged, cached at $archive"
  printf '{"archive":"%s","image":"%s","key":"%s","built":false}\n' "$archive" "$image" "$key"
  exit 0
fi

log "building $image with buildah (inputs $key; npm ci and tsc run inside, a few minutes)"
start=$(date +%s)
# The npm cache is a build-time volume: RUN steps reuse downloads across builds, and nothing
# of it lands in a layer (what Docker's `RUN --mount=type=cache` does, without changing the
# Dockerfile). A cold cache proves the registry is reachable from the chroot.
volumes=(--volume "$IMAGE_CACHE/npm:/root/.npm")
# A machine behind a TLS-inspecting proxy trusts an extra CA (NODE_EXTRA_CA_CERTS or npm's
# `cafile`, as here): lend it to the RUN steps through npm's global config
# (/usr/local/etc/npmrc, read-only, build-time only). The image trusts only what its base does.
cafile=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
  echo "cafile=/run/build-ca.crt" >"$IMAGE_CACHE/build-npmrc"
  volumes+=(--volume "$cafile:/run/build-ca.crt:ro" --volume "$IMAGE_CACHE/build-npmrc:/usr/local/etc/npmrc:ro")
  log "RUN steps trust the CA file npm uses here ($cafile)"
fi
buildah_cmd bud --isolation chroot --pull=never "${volumes[@]}" \
  -t "$image" -f "$repo/Dockerfile" "$repo" >&2
log "writing the docker-archive"
buildah_cmd push --quiet "$image" "docker-archive:$archive.tmp:$image" >&2
mv "$archive.tmp" "$archive"
# Stage images of earlier builds are dangling now; the archive is what callers use.
buildah_cmd rmi --prune >/dev/null 2>&1 || true
# shellcheck disable=SC2012
ls -t "$IMAGE_CACHE"/archives/tenant-operator-*.tar | tail -n +3 | xargs -r rm -f
size=$(buildah_cmd images --noheading --format '{{.Size}}' "$image")
log "$image built in $(($(date +%s) - start))s: image $size, archive $(du -h "$archive" | cut -f1) at $archive"
printf '{"archive":"%s","image":"%s","key":"%s","built":true}\n' "$archive" "$image" "$key"
