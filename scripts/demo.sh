#!/usr/bin/env bash
# `make demo`: runs examples/quickstart.lua against ARANGO_URL, or against a devserver started
# here on a free port (stopped on exit). Expects LUA_PATH/LUA_CPATH from the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."
LUA=${LUA:-lua5.4}

server_pid=""
out=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$out" ]; then rm -f "$out"; fi
}
trap cleanup EXIT

if [ -z "${ARANGO_URL:-}" ]; then
  out=$(mktemp)
  "$LUA" bin/arango-devserver --port 0 --root-password "${ARANGO_PASSWORD:-}" >"$out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if [ -s "$out" ] && head -n1 "$out" | grep -q '^http://'; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$out" >&2; echo "devserver exited" >&2; exit 1; fi
    sleep 0.1
  done
  ARANGO_URL=$(head -n1 "$out")
  case "$ARANGO_URL" in http://*) ;; *) echo "devserver did not print its URL" >&2; cat "$out" >&2; exit 1;; esac
  echo "devserver at $ARANGO_URL"
fi
export ARANGO_URL
"$LUA" examples/quickstart.lua
