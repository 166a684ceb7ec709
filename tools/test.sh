#!/bin/sh
# Builds sessiond and runs every test: unit and integration tests on a normal
# build, then again on an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Ends with one line "N passed, N failed" (meson tests, both builds).
set -u
cd "$(dirname "$0")/.."
tools/deps.sh test || exit 1
# The Node.js client tests' npm packages (npm ci from the lockfile; a no-op
# when node_modules is already up to date).
tests/clients/node/install.sh || exit 1

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"

status=0
for dir in build build-asan; do
  if [ ! -d "$dir" ]; then
    if [ "$dir" = build-asan ]; then
      meson setup "$dir" --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
    else
      meson setup "$dir" >/dev/null || exit 1
    fi
  fi
  echo "== $dir: building" >&2
  ninja -C "$dir" >/dev/null || { ninja -C "$dir" | tail -40; exit 1; }
  echo "== $dir: testing" >&2
  # The benchmark tool's smoke test runs once, on the normal build.
  if [ "$dir" = build-asan ]; then suites="--no-suite tools"; else suites=""; fi
  # shellcheck disable=SC2086
  meson test -C "$dir" --print-errorlogs --num-processes 2 $suites || status=1
done

/usr/bin/python3 - <<'PY'
import json
passed = failed = skipped = 0
for d in ("build", "build-asan"):
    try:
        lines = open(f"{d}/meson-logs/testlog.json").read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r == "OK" or r == "EXPECTEDFAIL":
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
