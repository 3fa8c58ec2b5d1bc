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

# ensure_npm_deps: `npm ci` when node_modules is missing or older than the lockfile.
ensure_npm_deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}
