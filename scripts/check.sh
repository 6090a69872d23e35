#!/usr/bin/env bash
# Sanitizer check of the C modules (`make check`):
#  1. builds arango.core and arango.json with ASan+UBSan into build-asan/ and runs the C-facing
#     specs under them (lua5.4 itself is not instrumented, so libasan is preloaded);
#  2. runs a small script exercising arango.core under valgrind --leak-check=full against the
#     normal build, because leak detection of the whole interpreter under ASan is noise.
# Exits non-zero on any sanitizer or valgrind report.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
LUA=${LUA:-lua5.4}
status=0

asan_rt=$(gcc -print-file-name=libasan.so)
if [ ! -e "$asan_rt" ]; then
  echo "check: libasan not found (gcc -print-file-name=libasan.so)" >&2
  exit 1
fi

targets=(build-asan/arango/core.so)
ls src/json/*.c >/dev/null 2>&1 && targets+=(build-asan/arango/json.so)
make --no-print-directory BUILD=build-asan \
  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  LDFLAGS="-fsanitize=address,undefined" "${targets[@]}" || exit 1

specs=(spec/core_*_spec.lua)
[ -f spec/json_spec.lua ] && specs+=(spec/json_spec.lua)

log=$(mktemp)
trap 'rm -f "$log" "${vg_log:-}" "${vg_script:-}"' EXIT
echo "== specs under ASan+UBSan: ${specs[*]}"
# Child lua5.4 processes started by the specs inherit all of this.
LD_PRELOAD="$asan_rt" \
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;$ROOT/?.lua;;" \
LUA_CPATH="$ROOT/build-asan/?.so;;" \
  busted --lua="$LUA" --cpath="$ROOT/build-asan/?.so" -o TAP "${specs[@]}" >"$log" 2>&1
rc=$?
grep -E '^(not ok|# )' "$log" | head -50
if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$log"; then
  echo "check: sanitizer report:" >&2
  grep -E -A30 'ERROR: AddressSanitizer|runtime error:' "$log" | head -80 >&2
  status=1
fi
if [ $rc -ne 0 ]; then
  echo "check: specs failed under the sanitizers (busted exit $rc)" >&2
  tail -20 "$log" >&2
  status=1
fi
echo "$(grep -c '^ok ' "$log") passed, $(grep -c '^not ok ' "$log") failed under ASan+UBSan"

# --- arango.json against the Lua 5.1 C API (LuaJIT/OpenResty use it) -----------------------
# Same warnings as the main build; Debian's liblua5.1-0-dev provides the headers. When luajit
# is installed the 5.1 build is loaded there and round-trips a few values.
LUA51_INC=${LUA51_INC:-/usr/include/lua5.1}
if [ -f "$LUA51_INC/lua.h" ]; then
  echo "== arango.json against the Lua 5.1 C API ($LUA51_INC)"
  j51=build/lua51
  mkdir -p "$j51/obj" "$j51/arango"
  objs=()
  for f in src/json/*.c; do
    o="$j51/obj/$(basename "$f" .c).o"
    cc -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden -I"$LUA51_INC" -Isrc \
      -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
      -Wformat=2 -Wno-unused-parameter -c "$f" -o "$o" || { status=1; objs=(); break; }
    objs+=("$o")
  done
  if [ ${#objs[@]} -gt 0 ] && cc -shared -o "$j51/arango/json.so" "${objs[@]}"; then
    if command -v luajit >/dev/null; then
      LUA_CPATH="$ROOT/$j51/?.so;;" luajit -e '
        local json = require "arango.json"
        local function same(a, b) assert(a == b, ("%s ~= %s"):format(tostring(a), tostring(b))) end
        -- input, then its canonical encoding (sorted keys)
        for _, case in ipairs{
            { "[]", "[]" }, { "{}", "{}" }, { "[[[]],{\"x\":{}}]", "[[[]],{\"x\":{}}]" },
            { "[1,-2,0.1,1e300,5e-324,true,false,null]", "[1,-2,0.1,1e+300,5e-324,true,false,null]" },
            { [=[{"b":"\u00e9\ud83d\ude00","a":[{},[]]}]=], "{\"a\":[{},[]],\"b\":\"\195\169\240\159\152\128\"}" },
          } do
          local out = json.encode(json.decode(case[1]), { sort_keys = true })
          same(out, case[2])
          same(json.encode(json.decode(out), { sort_keys = true }), out)
        end
        same(json.encode{ 1, 2, 3 }, "[1,2,3]")
        same(json.encode(json.array{}), "[]")
        same(json.encode(json.object{}), "{}")
        same(json.decode("[null]")[1], json.null)
        assert(json.is_array(json.decode("[]")))
        same(json.encode(0.1 + 0.2), "0.30000000000000004")
        same(json.decode("9007199254740992"), 2^53)
        local ok, err = pcall(json.decode, "[1,]")
        assert(not ok and err:find("at byte 4", 1, true), err)
        assert(not pcall(json.encode, 0/0))
        io.write("luajit: arango.json (5.1 build) round-trips\n")' || status=1
    else
      echo "check: luajit not installed, the 5.1 build was compiled but not loaded" >&2
    fi
  else
    echo "check: arango.json does not build against the Lua 5.1 C API" >&2
    status=1
  fi
else
  echo "check: $LUA51_INC/lua.h missing (apt-get install liblua5.1-0-dev), 5.1 build skipped" >&2
fi

# --- valgrind leak pass over the normal build ---------------------------------------------
if command -v valgrind >/dev/null; then
  make --no-print-directory build/arango/core.so >/dev/null || exit 1
  vg_script=$(mktemp --suffix=.lua)
  vg_log=$(mktemp)
  cat >"$vg_script" <<'LUA'
local uv = require "luv"
local core = require "arango.core"
local tcp_peer = require "spec.support.tcp_peer"
local peer = tcp_peer.start(function(c)
  while true do
    local req = c:expect()
    if not req then break end
    if req.path == "/silent" then c:sleep(300) -- outlives the request's deadline
    elseif req.path == "/gzip" then
      local z = core.gzip(string.rep("z", 5000))
      c:send("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " .. #z .. "\r\n\r\n" .. z)
    elseif req.path == "/chunked" then
      c:send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\"y\"\r\nabc\r\n0\r\nT: 1\r\n\r\n")
    elseif req.path == "/close" then
      c:send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye"); c:close(); break
    elseif req.path == "/garbage" then c:send("NOT HTTP\r\n\r\n"); c:close(); break
    elseif req.path == "/storm" then -- 1xx cap
      c:send(string.rep("HTTP/1.1 100 Continue\r\n\r\n", 100)); c:close(); break
    elseif req.path == "/many" then -- header count cap
      c:send("HTTP/1.1 200 OK\r\n" .. string.rep("a: b\r\n", 1100)); c:close(); break
    elseif req.path == "/deflate" then -- raw deflate: the zlib attempt fails, the raw one decodes
      local raw = core.gzip(string.rep("d", 3000)):sub(11, -9)
      c:send("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: " .. #raw .. "\r\n\r\n" .. raw)
    else c:send("HTTP/1.1 200 OK\r\nContent-Length: " .. #req.path .. "\r\n\r\n" .. req.path) end
  end
  c:close()
end)
local http = core.http{ max_connections = 4, idle_timeout = 0.1 }
for _, path in ipairs{ "/a", "/gzip", "/deflate", "/chunked", "/close", "/garbage", "/storm", "/many", "/b" } do
  http:request{ url = peer.url, path = path, decompress = true }
end
http:request{ url = peer.url, path = "/silent", timeout = 0.05 }
tcp_peer.run_many(50, function(i) assert(http:request{ url = peer.url, path = "/m" .. i }) end)
http:request{ url = "http://127.0.0.1:1", path = "/" }
http:request{ url = "http://localhost:1", path = "/" }
assert(core.gunzip(core.gzip("x")) == "x")
assert(core.base64_decode(core.base64_encode("xyz")) == "xyz")
http:close()
local pending = core.http{}
coroutine.wrap(function() pending:request{ url = peer.url, path = "/silent" } end)()
for _ = 1, 3 do uv.run("nowait") end
-- the state closes with a request in flight: the sentinel path
LUA
  echo "== valgrind --leak-check=full (arango.core)"
  LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;$ROOT/?.lua;;" LUA_CPATH="$ROOT/build/?.so;;" \
    valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --error-exitcode=99 "$LUA" "$vg_script" >"$vg_log" 2>&1
  vrc=$?
  if [ $vrc -ne 0 ]; then
    echo "check: valgrind reported problems (exit $vrc):" >&2
    head -60 "$vg_log" >&2
    status=1
  else
    echo "valgrind: clean"
  fi
else
  echo "check: valgrind not installed, leak pass skipped" >&2
fi

exit $status
