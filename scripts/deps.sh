#!/usr/bin/env bash
# Installs the Debian packages lua-arango needs, only those that are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu

packages=(
  lua5.4 liblua5.4-dev libuv1-dev lua-luv lua-luv-dev node-llhttp
  lua-busted lua-check lua-cjson lua-ldoc luarocks luajit
  libssl-dev zlib1g-dev gcc make pkg-config python3
)
# Only the benchmarks and the TLS specs need these; `make deps EXTRA=1` adds them.
if [ "${EXTRA:-0}" = 1 ]; then
  packages+=(nginx wrk stunnel4 valgrind clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]}" >&2
  echo "run: sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$cmd -qq
