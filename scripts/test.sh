#!/usr/bin/env bash
# Runs luacheck and the busted suite under Lua 5.4, then prints the plain
# `N passed, N failed` line that CI reads (busted's own summary is not one).
# Expects LUA_PATH/LUA_CPATH from the Makefile. Extra arguments go to busted.
set -u
cd "$(dirname "$0")/.."

status=0
if ! luacheck -q .; then
  echo "luacheck: not clean" >&2
  status=1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# TAP is line-oriented, so counting is exact; failures are printed in full.
busted --lua="${LUA:-lua5.4}" -o TAP "$@" spec >"$log" 2>&1
busted_rc=$?

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
skipped=$(grep -c '^ok .*# SKIP' "$log")
passed=$((passed - skipped))

# Show failures (with their messages) and anything that was not a TAP line.
awk '/^not ok /{show=1; print; next} /^ok /{show=0; next} /^1\.\./{next} show || !/^#/{print}' "$log"

if [ "$failed" -eq 0 ] && [ "$busted_rc" -ne 0 ]; then
  echo "busted exited $busted_rc without a failing test (an error outside a test?)" >&2
  failed=1
fi
[ "$passed" -eq 0 ] && { echo "no test ran" >&2; status=1; }
[ "$failed" -ne 0 ] && status=1

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
