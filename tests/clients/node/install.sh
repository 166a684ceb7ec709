#!/bin/sh
# Installs this folder's npm packages (node_modules/) exactly as
# package-lock.json pins them, with `npm ci`; does nothing when they already
# are. Safe to run from several tests at once (flock). No browser download:
# the tests drive Debian's /usr/bin/chromium through playwright-core.
set -eu
cd "$(dirname "$0")"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.sessiond-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
exec 9>.install.lock
flock 9
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "npm ci in $(pwd)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
