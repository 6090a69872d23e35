/*
 * arango.json: JSON text -> Lua value.
 *
 * Recursive descent over the input bytes, bounded by max_depth. Every error
 * names the 1-based byte position where the input stops making sense. Strings
 * without escapes are pushed straight from the input; only escaped ones go
 * through the scratch buffer.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "json.h"

/* Table sizes of the previous array/object per nesting level: siblings in a
 * result batch usually have the same shape, so lua_createtable can pre-size. */
#define HINT_LEVELS 32
#define HINT_MAX 256

typedef struct {
  lua_State *L;
  const unsigned char *start;
  const unsigned char *p;
  const unsigned char *end;
  json_buf *scratch;
  int max_depth;
  int depth;
  int array_mt; /* stack index of json.array_mt */
  int array_hint[HINT_LEVELS];
  int object_hint[HINT_LEVELS];
} decoder;

static void decode_value(decoder *d);

static void dec_error(decoder *d, const unsigned char *at, const char *fmt, ...)
  __attribute__((noreturn, format(printf, 3, 4)));

static void dec_error(decoder *d, const unsigned char *at, const char *fmt, ...) {
  char msg[200];
  size_t n;
  va_list ap;
  memcpy(msg, "json.decode: ", 13);
  va_start(ap, fmt);
  vsnprintf(msg + 13, sizeof msg - 40, fmt, ap);
  va_end(ap);
  n = strlen(msg);
  snprintf(msg + n, sizeof msg - n, " at byte %zu", (size_t)(at - d->start) + 1);
  json_raise(d->scratch, msg);
}

/* "unexpected character 'x'" for printable ASCII, the hex value otherwise. */
static void unexpected(decoder *d, const unsigned char *at) __attribute__((noreturn));
static void unexpected(decoder *d, const unsigned char *at) {
  if (at >= d->end) dec_error(d, at, "unexpected end of input");
  if (*at > 0x20 && *at < 0x7f) dec_error(d, at, "unexpected character '%c'", *at);
  dec_error(d, at, "unexpected byte 0x%02X", *at);
}

static inline void skip_ws(decoder *d) {
  const unsigned char *p = d->p;
  while (p < d->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
  d->p = p;
}

/* ---- strings ------------------------------------------------------------------ */

static int hex4(const unsigned char *p) {
  int v = 0, i;
  for (i = 0; i < 4; i++) {
    unsigned char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return -1;
  }
  return v;
}

/* Decodes a \u escape (a surrogate pair takes two) at q into out; returns the
 * bytes written and advances *qp past the escape. */
static size_t unicode_escape(decoder *d, const unsigned char **qp, char *out) {
  const unsigned char *q = *qp;
  long cp;
  if (d->end - q < 6 || (cp = hex4(q + 2)) < 0) dec_error(d, q, "invalid \\u escape");
  if (cp >= 0xDC00 && cp <= 0xDFFF) dec_error(d, q, "lone low surrogate \\u%04lX", cp);
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    long lo;
    if (d->end - q < 12 || q[6] != '\\' || q[7] != 'u' || (lo = hex4(q + 8)) < 0xDC00 || lo > 0xDFFF) {
      dec_error(d, q, "lone high surrogate \\u%04lX", cp);
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    q += 6;
  }
  *qp = q + 6;
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The part of a string from its first backslash on: unescaped into scratch.
 * Escapes never grow, so end - s bytes of scratch are always enough. */
static void decode_escaped(decoder *d, const unsigned char *open, const unsigned char *s,
                           const unsigned char *q) {
  const unsigned char *end = d->end;
  json_buf *b = d->scratch;
  char *out;
  size_t o = (size_t)(q - s);
  json_buf_reserve(b, (size_t)(end - s));
  out = b->data;
  memcpy(out, s, o);
  for (;;) {
    unsigned char c;
    if (q >= end) dec_error(d, open, "unterminated string");
    c = *q;
    if (c == '"') break;
    if (c == '\\') {
      if (q + 1 >= end) dec_error(d, open, "unterminated string");
      switch (q[1]) {
      case '"': out[o++] = '"'; break;
      case '\\': out[o++] = '\\'; break;
      case '/': out[o++] = '/'; break;
      case 'b': out[o++] = '\b'; break;
      case 'f': out[o++] = '\f'; break;
      case 'n': out[o++] = '\n'; break;
      case 'r': out[o++] = '\r'; break;
      case 't': out[o++] = '\t'; break;
      case 'u':
        o += unicode_escape(d, &q, out + o);
        continue;
      default:
        dec_error(d, q, "invalid escape");
      }
      q += 2;
    } else if (c < 0x20) {
      dec_error(d, q, "unescaped control character in string");
    } else if (c >= 0x80) {
      size_t n = json_utf8_len(q, end);
      if (n == 0) dec_error(d, q, "invalid UTF-8");
      memcpy(out + o, q, n);
      o += n;
      q += n;
    } else {
      out[o++] = (char)c;
      q++;
    }
  }
  lua_pushlstring(d->L, out, o);
  d->p = q + 1;
}

/* Pushes the string starting at the opening quote d->p. */
static void decode_string(decoder *d) {
  const unsigned char *open = d->p, *s = open + 1, *q = s, *end = d->end;
  for (;;) {
    unsigned char c;
    if (end - q >= 8) {
      uint64_t v;
      memcpy(&v, q, 8);
      if (!json_swar_special(v)) {
        q += 8;
        continue;
      }
    }
    if (q >= end) dec_error(d, open, "unterminated string");
    c = *q;
    if (c == '"') {
      lua_pushlstring(d->L, (const char *)s, (size_t)(q - s));
      d->p = q + 1;
      return;
    }
    if (c == '\\') {
      decode_escaped(d, open, s, q);
      return;
    }
    if (c < 0x20) dec_error(d, q, "unescaped control character in string");
    if (c >= 0x80) {
      size_t n = json_utf8_len(q, end);
      if (n == 0) dec_error(d, q, "invalid UTF-8");
      q += n;
    } else {
      q++;
    }
  }
}

/* ---- numbers ------------------------------------------------------------------ */

static inline int is_digit(const unsigned char *q, const unsigned char *end) {
  return q < end && *q >= '0' && *q <= '9';
}

static void decode_number(decoder *d) {
  const unsigned char *s = d->p, *q = s, *end = d->end;
  uint64_t mant = 0;
  int neg = 0, sig = 0, inexact = 0, is_float = 0, frac = 0, exp10 = 0;
  double v;
  if (*q == '-') {
    neg = 1;
    q++;
  }
  if (!is_digit(q, end)) unexpected(d, q);
  /* Up to 19 significant digits are collected exactly; more go to strtod. */
  if (*q == '0') {
    q++;
    if (is_digit(q, end)) dec_error(d, q, "invalid number (leading zero)");
  } else {
    do {
      if (sig < 19) {
        mant = mant * 10 + (uint64_t)(*q - '0');
        sig++;
      } else {
        inexact = 1;
      }
      q++;
    } while (is_digit(q, end));
  }
  if (q < end && *q == '.') {
    is_float = 1;
    q++;
    if (!is_digit(q, end)) unexpected(d, q);
    do {
      /* frac is bounded too: a long run of leading zeros ("0.000...") must
       * not overflow it; such numbers go to strtod. */
      if (sig < 19 && frac < 1000) {
        mant = mant * 10 + (uint64_t)(*q - '0');
        if (mant != 0) sig++;
        frac++;
      } else {
        inexact = 1;
      }
      q++;
    } while (is_digit(q, end));
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    int eneg = 0, e = 0;
    is_float = 1;
    q++;
    if (q < end && (*q == '+' || *q == '-')) eneg = *q++ == '-';
    if (!is_digit(q, end)) unexpected(d, q);
    do {
      if (e < 100000) e = e * 10 + (*q - '0');
      q++;
    } while (is_digit(q, end));
    exp10 = eneg ? -e : e;
  }
  d->p = q;
  if (!is_float && !inexact) {
    if (!neg && mant <= (uint64_t)INT64_MAX) {
      JSON_PUSH_INT(d->L, (int64_t)mant);
      return;
    }
    if (neg && mant <= (uint64_t)INT64_MAX + 1) {
      JSON_PUSH_INT(d->L, mant == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mant);
      return;
    }
    /* 19 digits beyond int64: the conversion rounds correctly, like strtod. */
    v = (double)mant;
    lua_pushnumber(d->L, (lua_Number)(neg ? -v : v));
    return;
  }
  exp10 -= frac;
  if (!inexact && mant == 0) {
    v = 0.0;
  } else if (!inexact && mant <= ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
    /* Clinger's fast path: both operands are exact doubles, so the one
     * rounding of * or / gives the correctly rounded result. */
    v = exp10 < 0 ? (double)mant / json_pow10_tab[-exp10] : (double)mant * json_pow10_tab[exp10];
  } else {
    if (!json_strtod((const char *)s, (size_t)(q - s), d->scratch, &v)) {
      dec_error(d, s, "invalid number");
    }
    if (isinf(v)) dec_error(d, s, "number out of range");
    lua_pushnumber(d->L, (lua_Number)v);
    return;
  }
  lua_pushnumber(d->L, (lua_Number)(neg ? -v : v));
}

/* ---- containers ----------------------------------------------------------------- */

static void enter(decoder *d) {
  if (d->depth >= d->max_depth) dec_error(d, d->p, "maximum depth %d exceeded", d->max_depth);
  if (!lua_checkstack(d->L, 4)) dec_error(d, d->p, "Lua stack exhausted");
  d->depth++;
}

static void decode_array(decoder *d) {
  lua_State *L = d->L;
  int level = d->depth, n = 0;
  enter(d);
  lua_createtable(L, level < HINT_LEVELS ? d->array_hint[level] : 0, 0);
  lua_pushvalue(L, d->array_mt);
  lua_setmetatable(L, -2);
  d->p++;
  skip_ws(d);
  if (d->p < d->end && *d->p == ']') {
    d->p++;
  } else {
    for (;;) {
      decode_value(d);
      lua_rawseti(L, -2, ++n);
      skip_ws(d);
      if (d->p < d->end && *d->p == ',') {
        d->p++;
      } else if (d->p < d->end && *d->p == ']') {
        d->p++;
        break;
      } else if (d->p >= d->end) {
        unexpected(d, d->p);
      } else {
        dec_error(d, d->p, "expected ',' or ']'");
      }
    }
  }
  if (level < HINT_LEVELS) d->array_hint[level] = n < HINT_MAX ? n : HINT_MAX;
  d->depth--;
}

static void decode_object(decoder *d) {
  lua_State *L = d->L;
  int level = d->depth, n = 0;
  enter(d);
  lua_createtable(L, 0, level < HINT_LEVELS ? d->object_hint[level] : 0);
  d->p++;
  skip_ws(d);
  if (d->p < d->end && *d->p == '}') {
    d->p++;
  } else {
    for (;;) {
      if (d->p >= d->end) unexpected(d, d->p);
      if (*d->p != '"') dec_error(d, d->p, "expected a string key");
      decode_string(d);
      skip_ws(d);
      if (d->p >= d->end) unexpected(d, d->p);
      if (*d->p != ':') dec_error(d, d->p, "expected ':'");
      d->p++;
      decode_value(d);
      lua_rawset(L, -3); /* a repeated key: the last one wins */
      n++;
      skip_ws(d);
      if (d->p < d->end && *d->p == ',') {
        d->p++;
        skip_ws(d);
      } else if (d->p < d->end && *d->p == '}') {
        d->p++;
        break;
      } else if (d->p >= d->end) {
        unexpected(d, d->p);
      } else {
        dec_error(d, d->p, "expected ',' or '}'");
      }
    }
  }
  if (level < HINT_LEVELS) d->object_hint[level] = n < HINT_MAX ? n : HINT_MAX;
  d->depth--;
}

/* Expects the rest of a literal; reports the first byte that differs. */
static void literal(decoder *d, const char *word, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    if (d->p + i >= d->end || d->p[i] != (unsigned char)word[i]) unexpected(d, d->p + i);
  }
  d->p += len;
}

static void decode_value(decoder *d) {
  skip_ws(d);
  if (d->p >= d->end) unexpected(d, d->p);
  switch (*d->p) {
  case '"':
    decode_string(d);
    break;
  case '{':
    decode_object(d);
    break;
  case '[':
    decode_array(d);
    break;
  case 't':
    literal(d, "true", 4);
    lua_pushboolean(d->L, 1);
    break;
  case 'f':
    literal(d, "false", 5);
    lua_pushboolean(d->L, 0);
    break;
  case 'n':
    literal(d, "null", 4);
    lua_pushlightuserdata(d->L, NULL);
    break;
  case '-': case '0': case '1': case '2': case '3': case '4':
  case '5': case '6': case '7': case '8': case '9':
    decode_number(d);
    break;
  default:
    unexpected(d, d->p);
  }
}

int json_decode(lua_State *L) {
  decoder d;
  size_t len;
  const char *text;
  if (lua_type(L, 1) != LUA_TSTRING) {
    return luaL_error(L, "json.decode: expected a string, got %s", luaL_typename(L, 1));
  }
  text = lua_tolstring(L, 1, &len);
  memset(&d, 0, sizeof d);
  d.L = L;
  d.max_depth = JSON_DEFAULT_DEPTH;
  lua_settop(L, 2);
  json_read_opts(L, 2, &d.max_depth, NULL);
  d.start = d.p = (const unsigned char *)text;
  d.end = d.start + len;
  d.scratch = json_buf_acquire(L, JSON_UV_DECODE_BUF);
  lua_pushvalue(L, lua_upvalueindex(JSON_UV_ARRAY_MT));
  d.array_mt = lua_gettop(L);
  decode_value(&d);
  skip_ws(&d);
  if (d.p < d.end) dec_error(&d, d.p, "unexpected trailing data");
  json_buf_release(d.scratch);
  return 1;
}
