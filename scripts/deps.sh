#!/usr/bin/env bash
# Installs the Debian packages lua-arango needs, only those that are missing.
#   scripts/deps.sh            build and test (what `make`, `make test` and `make demo` need)
#   scripts/deps.sh check      + sanitizer/valgrind/fuzz tools and Lua 5.1 headers (`make check`)
#   scripts/deps.sh bench      + the reference servers and load tools (`make bench`)
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu

packages=(
  lua5.4 liblua5.4-dev libuv1-dev lua-luv lua-luv-dev node-llhttp
  lua-busted lua-check lua-cjson lua-ldoc lua-markdown luarocks luajit
  libssl-dev zlib1g-dev gcc make pkg-config python3 tzdata openssl stunnel4
)
case "${1:-}" in
  check) packages+=(valgrind clang libclang-rt-14-dev liblua5.1-0-dev) ;;
  bench) packages+=(nginx wrk) ;;
  "") ;;
  *) echo "usage: scripts/deps.sh [check|bench]" >&2; exit 2 ;;
esac

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
