#!/bin/sh
# Builds sessiond (release) and runs it in the foreground on 127.0.0.1:6379.
# Extra arguments go to sessiond, e.g. tools/run.sh --port 7000.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh build
[ -d build-release ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release sessiond >/dev/null
exec build-release/sessiond --bind 127.0.0.1 --port 6379 "$@"
