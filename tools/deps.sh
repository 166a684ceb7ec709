#!/bin/sh
# Installs the Debian 12 packages sessiond needs that are missing.
#   tools/deps.sh build   - to build and run the server
#   tools/deps.sh test    - also what the tests drive: redis-server, redis-cli, python3-redis,
#                           libhiredis, chromium, and Node.js + npm (Debian's, unless a node
#                           and npm are already on PATH, e.g. from nodesource's nodejs)
# Uses sudo only when not already root.
set -eu
build="g++ meson ninja-build pkg-config cmake libuv1-dev libxxhash-dev libcli11-dev doctest-dev libssl-dev rapidjson-dev"
test_pkgs="redis-server redis-tools python3-redis python3-cryptography libhiredis-dev chromium"
case "${1:-build}" in
  build) want="$build" ;;
  test) want="$build $test_pkgs" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ "${1:-build}" = test ]; then
  # Any node + npm will do (tests/clients/node/install.sh runs `npm ci`);
  # a node from another source (nodesource's nodejs bundles npm) is kept.
  if ! command -v node >/dev/null 2>&1; then
    missing="$missing nodejs npm"
  elif ! command -v npm >/dev/null 2>&1; then
    missing="$missing npm"
  fi
fi
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
