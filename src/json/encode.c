/*
 * arango.json: Lua value -> JSON text.
 *
 * Recursive over tables, bounded by max_depth (itself capped by
 * JSON_DEPTH_LIMIT) so the C stack stays small. Tables are read with raw
 * access only: no metamethod, hence no Lua code, runs while the shared output
 * buffer is in use.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

#if LUA_VERSION_NUM >= 503
typedef lua_Integer json_index;
#else
typedef int json_index;
#endif

typedef struct {
  lua_State *L;
  json_buf *b;
  const void *array_mt;
  const void *object_mt;
  int max_depth;
  int depth;
  int sort_keys;
  int opts_idx; /* the options table: not an ancestor when looking for cycles */
} encoder;

static void encode_value(encoder *e);

static void enc_error(encoder *e, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

static void enc_error(encoder *e, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  memcpy(msg, "json.encode: ", 13);
  va_start(ap, fmt);
  vsnprintf(msg + 13, sizeof msg - 13, fmt, ap);
  va_end(ap);
  json_raise(e->b, msg);
}

/* ---- strings ------------------------------------------------------------------ */

/* 0: copied as is; 1: escaped; 2: start of a multi-byte UTF-8 sequence. */
static const unsigned char string_class[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static void encode_string(encoder *e, const char *str, size_t len) {
  json_buf *b = e->b;
  const unsigned char *s = (const unsigned char *)str, *end = s + len;
  const unsigned char *p = s, *run = s;
  json_buf_reserve(b, len + 2);
  b->data[b->len++] = '"';
  while (p < end) {
    unsigned char c;
    if (end - p >= 8) {
      uint64_t v;
      memcpy(&v, p, 8);
      if (!json_swar_special(v)) {
        p += 8;
        continue;
      }
    }
    c = *p;
    switch (string_class[c]) {
    case 0:
      p++;
      break;
    case 2: {
      size_t n = json_utf8_len(p, end);
      if (n == 0) enc_error(e, "invalid UTF-8 in string at byte %zu", (size_t)(p - s) + 1);
      p += n;
      break;
    }
    default: {
      char esc[6] = {'\\', 0, 0, 0, 0, 0};
      size_t n = 2;
      json_buf_put(b, (const char *)run, (size_t)(p - run));
      switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\b': esc[1] = 'b'; break;
      case '\f': esc[1] = 'f'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = "0123456789abcdef"[c >> 4];
        esc[5] = "0123456789abcdef"[c & 15];
        n = 6;
      }
      json_buf_put(b, esc, n);
      run = ++p;
    }
    }
  }
  json_buf_put(b, (const char *)run, (size_t)(end - run));
  json_buf_putc(b, '"');
}

/* ---- numbers ------------------------------------------------------------------ */

static void encode_number(encoder *e) {
  json_buf *b = e->b;
  lua_Number d;
  json_buf_reserve(b, JSON_NUMBER_MAX);
#if JSON_HAS_INTEGERS
  if (lua_isinteger(e->L, -1)) {
    lua_Integer i = lua_tointeger(e->L, -1);
    if (i >= 0 && i < 10) {
      b->data[b->len++] = (char)('0' + i);
    } else {
      b->len += json_format_int(b->data + b->len, (int64_t)i);
    }
    return;
  }
#endif
  d = lua_tonumber(e->L, -1);
  if (isnan(d)) enc_error(e, "cannot encode NaN");
  if (isinf(d)) enc_error(e, "cannot encode %sinf", d < 0 ? "-" : "");
#if !JSON_HAS_INTEGERS
  /* Without an integer subtype every number is a double: print integral ones
   * that fit int64 as integers, as the other side most likely expects. */
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d) {
    b->len += json_format_int(b->data + b->len, (int64_t)d);
    return;
  }
#endif
  b->len += json_format_double(b->data + b->len, (double)d, JSON_HAS_INTEGERS);
}

/* ---- tables ------------------------------------------------------------------- */

static void depth_error(encoder *e, int t) {
  lua_State *L = e->L;
  int i;
  /* Every table being encoded sits on the stack below this one, so a table
   * that reappears there means the value is cyclic rather than just deep. */
  for (i = 1; i < t; i++) {
    if (i != e->opts_idx && lua_type(L, i) == LUA_TTABLE && lua_rawequal(L, i, t)) {
      enc_error(e, "cycle detected: a table contains itself");
    }
  }
  enc_error(e, "maximum depth %d exceeded", e->max_depth);
}

static void key_type_error(encoder *e, int key, int forced_object) {
  int kt = lua_type(e->L, key);
  if (forced_object) enc_error(e, "object key must be a string, got %s", lua_typename(e->L, kt));
  if (kt == LUA_TNUMBER || kt == LUA_TSTRING) enc_error(e, "table mixes string and number keys");
  enc_error(e, "table key must be a string or an array index, got %s", lua_typename(e->L, kt));
}

static void encode_array(encoder *e, int t, size_t n) {
  json_buf *b = e->b;
  size_t i;
  if (n == 0) {
    json_buf_put(b, "[]", 2);
    return;
  }
  json_buf_putc(b, '[');
  for (i = 1; i <= n; i++) {
    if (i > 1) json_buf_putc(b, ',');
    lua_rawgeti(e->L, t, (json_index)i);
    encode_value(e); /* a hole in a marked array encodes as nil -> null */
    lua_pop(e->L, 1);
  }
  json_buf_putc(b, ']');
}

/* Length of an unmarked table whose first key was a number: its keys must be
 * exactly 1..n. */
static size_t sequence_length(encoder *e, int t) {
  lua_State *L = e->L;
  size_t count = 0;
  lua_Number max = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_Number k;
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) key_type_error(e, -1, 0);
    k = lua_tonumber(L, -1);
#if JSON_HAS_INTEGERS
    if (!lua_isinteger(L, -1)) enc_error(e, "table has a non-integer number key (%.17g)", (double)k);
#else
    if (!(k >= -9007199254740992.0 && k <= 9007199254740992.0) || (double)(int64_t)k != k) {
      enc_error(e, "table has a non-integer number key (%.17g)", (double)k);
    }
#endif
    if (k < 1) enc_error(e, "sparse array: index %.0f is below 1", (double)k);
    count++;
    if (k > max) max = k;
  }
  if ((lua_Number)count != max) {
    enc_error(e, "sparse array: %zu entries but largest index %.0f (use json.null for holes)", count,
              (double)max);
  }
  return count;
}

typedef struct {
  const char *s;
  size_t len;
} sort_key;

static int compare_keys(const void *pa, const void *pb) {
  const sort_key *a = (const sort_key *)pa, *b = (const sort_key *)pb;
  int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
  if (c != 0) return c;
  return a->len < b->len ? -1 : a->len > b->len;
}

static void encode_object_sorted(encoder *e, int t, int forced) {
  lua_State *L = e->L;
  json_buf *b = e->b;
  size_t count = 0, i;
  sort_key *keys;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) key_type_error(e, -1, forced);
    count++;
  }
  if (count == 0) {
    json_buf_put(b, "{}", 2);
    return;
  }
  /* A userdata, so that an error raised below cannot leak the array. The key
   * strings stay alive as keys of t, which nothing modifies meanwhile. */
  keys = (sort_key *)lua_newuserdata(L, count * sizeof *keys);
  i = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    keys[i].s = lua_tolstring(L, -1, &keys[i].len);
    i++;
  }
  qsort(keys, count, sizeof *keys, compare_keys);
  json_buf_putc(b, '{');
  for (i = 0; i < count; i++) {
    if (i > 0) json_buf_putc(b, ',');
    encode_string(e, keys[i].s, keys[i].len);
    json_buf_putc(b, ':');
    lua_pushlstring(L, keys[i].s, keys[i].len);
    lua_rawget(L, t);
    encode_value(e);
    lua_pop(L, 1);
  }
  json_buf_putc(b, '}');
  lua_pop(L, 1);
}

static void encode_object(encoder *e, int t, int forced) {
  lua_State *L = e->L;
  json_buf *b = e->b;
  int first = 1;
  if (e->sort_keys) {
    encode_object_sorted(e, t, forced);
    return;
  }
  json_buf_putc(b, '{');
  lua_pushnil(L);
  while (lua_next(L, t)) {
    size_t len;
    const char *key;
    if (lua_type(L, -2) != LUA_TSTRING) key_type_error(e, -2, forced);
    if (!first) json_buf_putc(b, ',');
    first = 0;
    key = lua_tolstring(L, -2, &len);
    encode_string(e, key, len);
    json_buf_putc(b, ':');
    encode_value(e);
    lua_pop(L, 1);
  }
  json_buf_putc(b, '}');
}

static void encode_table(encoder *e) {
  lua_State *L = e->L;
  int t = lua_gettop(L);
  const void *mt = NULL;
  if (e->depth >= e->max_depth) depth_error(e, t);
  if (!lua_checkstack(L, 8)) enc_error(e, "Lua stack exhausted");
  e->depth++;
  if (lua_getmetatable(L, t)) {
    mt = lua_topointer(L, -1);
    lua_pop(L, 1);
  }
  if (mt != NULL && mt == e->array_mt) {
    encode_array(e, t, json_rawlen(L, t));
  } else if (mt != NULL && mt == e->object_mt) {
    encode_object(e, t, 1);
  } else {
    /* Unmarked: the first key decides what to expect; the rest must agree. */
    int kt;
    lua_pushnil(L);
    if (!lua_next(L, t)) {
      json_buf_put(e->b, "{}", 2);
    } else {
      kt = lua_type(L, -2);
      lua_pop(L, 2);
      if (kt == LUA_TSTRING) {
        encode_object(e, t, 0);
      } else if (kt == LUA_TNUMBER) {
        encode_array(e, t, sequence_length(e, t));
      } else {
        lua_pushnil(L);
        lua_next(L, t);
        key_type_error(e, -2, 0);
      }
    }
  }
  e->depth--;
}

static void encode_value(encoder *e) {
  lua_State *L = e->L;
  switch (lua_type(L, -1)) {
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    encode_string(e, s, len);
    break;
  }
  case LUA_TNUMBER:
    encode_number(e);
    break;
  case LUA_TTABLE:
    encode_table(e);
    break;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, -1)) {
      json_buf_put(e->b, "true", 4);
    } else {
      json_buf_put(e->b, "false", 5);
    }
    break;
  case LUA_TNIL:
    json_buf_put(e->b, "null", 4);
    break;
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, -1) == NULL) {
      json_buf_put(e->b, "null", 4);
      break;
    }
    enc_error(e, "cannot encode a light userdata other than json.null");
  default:
    enc_error(e, "cannot encode a %s value", luaL_typename(L, -1));
  }
}

int json_encode(lua_State *L) {
  encoder e;
  e.L = L;
  e.max_depth = JSON_DEFAULT_DEPTH;
  e.sort_keys = 0;
  e.depth = 0;
  e.opts_idx = 2;
  luaL_checkany(L, 1);
  lua_settop(L, 2);
  json_read_opts(L, 2, &e.max_depth, &e.sort_keys);
  e.array_mt = lua_topointer(L, lua_upvalueindex(JSON_UV_ARRAY_MT));
  e.object_mt = lua_topointer(L, lua_upvalueindex(JSON_UV_OBJECT_MT));
  e.b = json_buf_acquire(L, JSON_UV_ENCODE_BUF);
  lua_pushvalue(L, 1);
  encode_value(&e);
  lua_pushlstring(L, e.b->data, e.b->len);
  json_buf_release(e.b);
  return 1;
}
