#!/usr/bin/env bash
# libFuzzer under ASan+UBSan, two harnesses:
#  json: arango.json's decoder (and the encoder on what it decodes): fuzz/json_fuzz.c + src/json/*.c
#  http: arango.core's HTTP response parser, the llhttp callbacks and body decoding the core runs
#        on a socket: fuzz/http_fuzz.c + src/core/http_parse.c + buffer.c + Debian's llhttp
# Each builds into build/fuzz/, gets a small seed corpus and a token dictionary there, and runs
# for FUZZ_SECONDS (default 60). FUZZ_TARGET=json|http|all (default all, one after the other).
# Needs clang and libclang-rt-14-dev (`make deps EXTRA=1`). Crashes land in build/fuzz/artifacts/.
# Usage: scripts/fuzz.sh [extra libFuzzer flags]      e.g. FUZZ_TARGET=http FUZZ_SECONDS=300 scripts/fuzz.sh
set -eu
cd "$(dirname "$0")/.."

out=build/fuzz
seconds=${FUZZ_SECONDS:-60}
target=${FUZZ_TARGET:-all}
cc=${FUZZ_CC:-clang}
lua_inc=${LUA_INC:-/usr/include/lua5.4}
llhttp_src=${LLHTTP_SRC:-/usr/share/llhttp}
llhttp_inc=${LLHTTP_INC:-/usr/share/include/llhttp}
flags=(-g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=all -fno-omit-frame-pointer)
mkdir -p "$out/artifacts"

fuzz_json() {
mkdir -p "$out/corpus"
"$cc" -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all -fno-omit-frame-pointer -I"$lua_inc" -Isrc \
  src/json/*.c fuzz/json_fuzz.c -o "$out/json_fuzz" -llua5.4 -lm -ldl

# Seeds: one small file per shape the decoder knows, valid and not.
i=0
seed() { i=$((i + 1)); printf '%s' "$1" >"$out/corpus/seed-$i"; }
seed '[]'
seed '{}'
seed '[[],{},[[{}]],{"a":[]}]'
seed '{"_key":"1","_id":"c/1","n":[1,-2,3.25,1e-07,null,true,false],"o":{"e":[],"f":{}}}'
seed '[9223372036854775807,-9223372036854775808,9223372036854775808,18446744073709551616]'
seed '[0.1,0.30000000000000004,5e-324,2.2250738585072014e-308,1.7976931348623157e308,-0.0,1E+2]'
seed '[123456789012345678901234567890,1.00000000000000000000000001,1e400,-1e-400]'
seed '"\"\\\/\b\f\n\r\t\u0000\u00e9\u20AC\ud83d\ude00"'
seed '"gr\xc3\xbc\xc3\x9fe \xe4\xb8\x96 \xf0\x9f\x8c\x8d"'
seed '"\ud800" "\udc00" "\xff" "\xed\xa0\x80"'
seed '{"a":1,"a":2,"b":{"c":[1,{"d":null}]}}'
seed ' [ 1 , 2 ] '
seed '[1,]'
seed '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'

# Tokens libFuzzer splices in.
printf '%s\n' '"["' '"]"' '"{"' '"}"' '":"' '","' '"\\""' '"true"' '"false"' '"null"' \
  '"\\\\u"' '"\\\\ud83d\\\\ude00"' '"\\\\n"' '"e+"' '"E-"' '"0."' '"-0"' '"9223372036854775808"' \
  '"\\xc3\\xa9"' '"\\xf0\\x9f\\x98\\x80"' >"$out/json.dict"

"$out/json_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
  -dict="$out/json.dict" -artifact_prefix="$out/artifacts/json-" "$@" "$out/corpus"
}

fuzz_http() {
  local corpus="$out/http-corpus"
  mkdir -p "$corpus"
  # llhttp is Debian's and not ours to instrument for UB: compile it with ASan only.
  local objs=()
  for f in llhttp api http; do
    "$cc" -g -O1 -fsanitize=fuzzer-no-link,address -w -I"$llhttp_inc" -c "$llhttp_src/$f.c" \
      -o "$out/llhttp-$f.o"
    objs+=("$out/llhttp-$f.o")
  done
  "$cc" "${flags[@]}" -I"$lua_inc" -I"$llhttp_inc" -Isrc src/core/http_parse.c src/core/buffer.c \
    fuzz/http_fuzz.c "${objs[@]}" -o "$out/http_fuzz" -lz

  # Seeds: byte 0 = flags (1 HEAD, 2 decompress, 4 small max_body_size, 8 EOF at the end),
  # byte 1 = piece size (0: one piece), then a response.
  local j=0
  hseed() { j=$((j + 1)); printf "$1" >"$corpus/seed-$j"; }
  hseed '\x00\x00HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'
  hseed '\x00\x01HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n5;a="b";c\r\nhello\r\n0;e\r\nX-T: 1\r\n\r\n'
  hseed '\x08\x03HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'
  hseed '\x00\x00HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'
  hseed '\x01\x00HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'
  hseed '\x04\x07HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'
  hseed '\x00\x00HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\nA: 1\r\nA: 2\r\n\r\n'
  hseed '\x00\x00HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n'
  hseed '\x00\x00GARBAGE/9.9 what\r\n\r\n'
  # gzip and raw deflate bodies of "hello hello hello"
  local gz raw
  gz=$(printf 'hello hello hello' | gzip -9n | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
  raw=$(printf 'hello hello hello' | gzip -9n | tail -c +11 | head -c -8 | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
  hseed "\\x02\\x00HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n$(printf %x $((${#gz} / 4)))\\r\\n$gz\\r\\n0\\r\\n\\r\\n"
  hseed "\\x0a\\x00HTTP/1.1 200 OK\\r\\nContent-Encoding: deflate\\r\\n\\r\\n$raw"

  printf '%s\n' '"HTTP/1.1 "' '"\\x0d\\x0a"' '"Content-Length: "' '"Transfer-Encoding: chunked"' \
    '"Connection: close"' '"Connection: keep-alive"' '"Content-Encoding: gzip"' \
    '"Content-Encoding: deflate"' '"100 Continue"' '"204"' '"304"' '"101"' '";ext=\\"v\\""' \
    '"0\\x0d\\x0a\\x0d\\x0a"' '"HTTP/1.0 "' >"$out/http.dict"

  "$out/http_fuzz" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
    -dict="$out/http.dict" -artifact_prefix="$out/artifacts/http-" "$@" "$corpus"
}

case $target in
  json) fuzz_json "$@" ;;
  http) fuzz_http "$@" ;;
  all) fuzz_json "$@"; fuzz_http "$@" ;;
  *) echo "fuzz.sh: FUZZ_TARGET must be json, http or all" >&2; exit 2 ;;
esac
