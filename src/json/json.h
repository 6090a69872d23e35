/*
 * arango.json: shared declarations of the exact JSON codec.
 *
 * The codec is split in four files:
 *   json.c    module table, markers, options, the reusable buffers, error raising
 *   encode.c  Lua value -> JSON text
 *   decode.c  JSON text -> Lua value
 *   number.c  number <-> text (shortest doubles, locale-independent)
 *
 * It compiles against the Lua 5.1 (and LuaJIT) C API as well as 5.4: the few
 * differences are bridged by the macros below.
 */
#ifndef ARANGO_JSON_H
#define ARANGO_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

/* ---- Lua API compatibility --------------------------------------------- */

#if LUA_VERSION_NUM >= 503
/* 5.3+ has an integer subtype: int64 values stay integers and floats keep a marker. */
#define JSON_HAS_INTEGERS 1
#else
#define JSON_HAS_INTEGERS 0
#endif

#if JSON_HAS_INTEGERS
#define JSON_PUSH_INT(L, i) lua_pushinteger((L), (lua_Integer)(i))
#else
#define JSON_PUSH_INT(L, i) lua_pushnumber((L), (lua_Number)(i))
#endif

#if LUA_VERSION_NUM < 502
#define json_rawlen(L, i) lua_objlen((L), (i))
#else
#define json_rawlen(L, i) lua_rawlen((L), (i))
#endif

/* lua_absindex is 5.2+; pseudo-indices are never passed here. */
#define json_absindex(L, i) ((i) > 0 ? (i) : lua_gettop(L) + (i) + 1)

#define JSON_EXPORT __attribute__((visibility("default")))

/* ---- limits ------------------------------------------------------------- */

/* Nesting allowed when the caller gives no max_depth. */
#define JSON_DEFAULT_DEPTH 1000
/* Largest max_depth a caller may ask for: encode and decode recurse on the C
 * stack once per level (about 150 bytes), so this bounds their stack use to
 * about 1.5 MB, well inside the usual 8 MB main-thread stack. */
#define JSON_DEPTH_LIMIT 10000
/* Hard cap on any buffer (encoded output, decode scratch): a runaway value
 * fails with a clear error instead of exhausting memory or overflowing size_t. */
#define JSON_BUFFER_LIMIT ((size_t)1 << 30)
/* Buffers that grew beyond this are released after the call instead of being kept. */
#define JSON_BUFFER_KEEP ((size_t)4 << 20)

/* Upvalues shared by every function of the module. */
#define JSON_UV_ARRAY_MT 1
#define JSON_UV_OBJECT_MT 2
#define JSON_UV_ENCODE_BUF 3
#define JSON_UV_DECODE_BUF 4
#define JSON_NUPVALUES 4

/* ---- growable byte buffer ----------------------------------------------- */

/* Lives inside a userdata so that a raised error (longjmp) never leaks it: the
 * userdata's __gc frees the memory. One instance per direction is kept as an
 * upvalue and reused; `busy` guards it against re-entry (a __gc metamethod that
 * runs during an allocation could call the codec again). */
typedef struct json_buf {
  char *data;
  size_t len;
  size_t cap;
  int busy;
  lua_State *L; /* state to raise errors on while the buffer is in use */
} json_buf;

/* Makes room for `need` more bytes; raises on the hard cap or out of memory. */
void json_buf_grow(json_buf *b, size_t need);

static inline void json_buf_reserve(json_buf *b, size_t need) {
  if (b->cap - b->len < need) json_buf_grow(b, need);
}

static inline void json_buf_put(json_buf *b, const char *s, size_t n) {
  json_buf_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

static inline void json_buf_putc(json_buf *b, char c) {
  json_buf_reserve(b, 1);
  b->data[b->len++] = c;
}

/* Takes the buffer held in upvalue `uv` (or a fresh one on the stack when that
 * one is busy) and marks it busy. Pair with json_buf_release. */
json_buf *json_buf_acquire(lua_State *L, int uv);
void json_buf_release(json_buf *b);

/* Releases the buffer, then raises `msg` as a Lua error. Never returns. */
int json_raise(json_buf *b, const char *msg) __attribute__((noreturn));

/* ---- UTF-8 --------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence starting at s (s < end, *s >= 0x80),
 * or 0 when it is malformed: bad lead byte, truncated, overlong, a UTF-16
 * surrogate (U+D800..U+DFFF) or beyond U+10FFFF. */
static inline size_t json_utf8_len(const unsigned char *s, const unsigned char *end) {
  unsigned char c = s[0];
  size_t avail = (size_t)(end - s);
  if (c >= 0xC2 && c <= 0xDF) {
    return (avail >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
    if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xF4 && s[1] > 0x8F) return 0; /* > U+10FFFF */
    return 4;
  }
  return 0;
}

/* SWAR test over 8 bytes: does any byte need attention in a JSON string
 * (< 0x20, '"', '\\' or >= 0x80)? Lets plain ASCII runs skip 8 bytes at a time. */
static inline int json_swar_special(uint64_t v) {
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t q = v ^ (ones * '"'), bs = v ^ (ones * '\\');
  uint64_t t = ((v - ones * 0x20) & ~v)            /* byte < 0x20 */
             | ((q - ones) & ~q) | ((bs - ones) & ~bs) /* byte == '"' or '\\' */
             | v;                                   /* byte >= 0x80 */
  return (t & highs) != 0;
}

/* ---- numbers (number.c) -------------------------------------------------- */

/* Room for any number this codec writes. */
#define JSON_NUMBER_MAX 40

/* Writes an int64 in decimal; returns the length. */
size_t json_format_int(char *out, int64_t v);
/* Writes a finite double with the shortest text among %.15g/%.16g/%.17g that
 * reads back identically, always with '.' as decimal point. With float_marker,
 * integral values get a ".0" so they read back as floats. Returns the length. */
size_t json_format_double(char *out, double d, int float_marker);
/* 10^k for 0 <= k <= 22, all exact doubles. */
extern const double json_pow10_tab[23];
/* strtod of a validated JSON number token of len bytes, whatever the locale's
 * decimal separator; may use `scratch` for long tokens. Returns 0 when strtod
 * did not consume exactly the token. */
int json_strtod(const char *s, size_t len, json_buf *scratch, double *out);

/* ---- entry points ---------------------------------------------------------- */

int json_encode(lua_State *L);
int json_decode(lua_State *L);
/* Reads max_depth (and, for encode, sort_keys) from the options table at idx. */
void json_read_opts(lua_State *L, int idx, int *max_depth, int *sort_keys);

#endif
