#!/usr/bin/env bash
# Fuzzes arango.json's decoder (and the encoder on what it decodes) with libFuzzer under
# ASan+UBSan. Builds fuzz/json_fuzz.c with src/json/*.c into build/fuzz/, writes a small seed
# corpus and a token dictionary there, and runs for FUZZ_SECONDS (default 60).
# Needs clang and libclang-rt-14-dev (`scripts/deps.sh check`, which `make fuzz` runs). Crashes land in build/fuzz/artifacts/.
# Usage: scripts/fuzz.sh [extra libFuzzer flags]      e.g. FUZZ_SECONDS=300 scripts/fuzz.sh -jobs=2
set -eu
cd "$(dirname "$0")/.."

out=build/fuzz
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
lua_inc=${LUA_INC:-/usr/include/lua5.4}
mkdir -p "$out/corpus" "$out/artifacts"

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

exec "$out/json_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
  -dict="$out/json.dict" -artifact_prefix="$out/artifacts/" "$@" "$out/corpus"
