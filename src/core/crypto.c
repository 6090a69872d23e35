/* Hashing, base64, randomness and gzip helpers for the driver (auth, JWT)
 * and the devserver. OpenSSL and zlib do the work; base64 is ours because
 * the strict decoding rules (nil on bad input, url alphabet, optional
 * padding) are simpler to state than to coax out of OpenSSL's BIO. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "core/core.h"

static int l_sha256(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL)) return luaL_error(L, "sha256 failed");
  lua_pushlstring(L, (const char *)md, mdlen);
  return 1;
}

static int l_hmac_sha256(lua_State *L) {
  size_t kl, n;
  const char *k = luaL_checklstring(L, 1, &kl);
  const char *s = luaL_checklstring(L, 2, &n);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!HMAC(EVP_sha256(), k, (int)kl, (const unsigned char *)s, n, md, &mdlen))
    return luaL_error(L, "hmac_sha256 failed");
  lua_pushlstring(L, (const char *)md, mdlen);
  return 1;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int encode(lua_State *L, const char *alpha, int pad) {
  size_t n;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  luaL_Buffer b;
  char *o = luaL_buffinitsize(L, &b, (n + 2) / 3 * 4 + 1);
  size_t j = 0, i = 0;
  for (; i + 2 < n; i += 3) {
    unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
    o[j++] = alpha[v >> 18 & 63];
    o[j++] = alpha[v >> 12 & 63];
    o[j++] = alpha[v >> 6 & 63];
    o[j++] = alpha[v & 63];
  }
  if (i < n) {
    unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0);
    o[j++] = alpha[v >> 18 & 63];
    o[j++] = alpha[v >> 12 & 63];
    if (i + 1 < n) o[j++] = alpha[v >> 6 & 63];
    else if (pad) o[j++] = '=';
    if (pad) o[j++] = '=';
  }
  luaL_pushresultsize(&b, j);
  return 1;
}

/* Strict: only the alphabet, '=' padding only at the end (optional when
 * url), no whitespace, and no stray bits in the last symbol. */
static int decode(lua_State *L, const char *alpha, int url) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  signed char map[256];
  memset(map, -1, sizeof map);
  for (int i = 0; i < 64; i++) map[(unsigned char)alpha[i]] = (signed char)i;
  size_t len = n;
  if (len % 4 == 0 && len > 0 && s[len - 1] == '=') len--;
  if (len % 4 == 3 - 0 && len > 0 && n % 4 == 0 && s[len - 1] == '=') len--;
  if (!url && n % 4 != 0) {
    lua_pushnil(L);
    return 1;
  }
  if (len % 4 == 1) {
    lua_pushnil(L);
    return 1;
  }
  luaL_Buffer b;
  char *o = luaL_buffinitsize(L, &b, len / 4 * 3 + 3);
  size_t j = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = map[(unsigned char)s[i]];
    if (v < 0) {
      lua_pushnil(L);
      return 1;
    }
    acc = (acc << 6 | (unsigned)v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[j++] = (char)(acc >> bits & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    lua_pushnil(L);
    return 1;
  }
  luaL_pushresultsize(&b, j);
  return 1;
}

static int l_b64enc(lua_State *L) { return encode(L, B64, 1); }
static int l_b64dec(lua_State *L) { return decode(L, B64, 0); }
static int l_b64uenc(lua_State *L) { return encode(L, B64URL, 0); }
static int l_b64udec(lua_State *L) { return decode(L, B64URL, 1); }

static int l_random_bytes(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0 && n <= 1 << 20, 1, "must be between 0 and 1048576");
  luaL_Buffer b;
  unsigned char *o = (unsigned char *)luaL_buffinitsize(L, &b, (size_t)n);
  if (n > 0 && RAND_bytes(o, (int)n) != 1) return luaL_error(L, "random_bytes: RAND_bytes failed");
  luaL_pushresultsize(&b, (size_t)n);
  return 1;
}

/* core.gzip(s [, level]) -> gzip member */
static int l_gzip(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  int level = (int)luaL_optinteger(L, 2, Z_DEFAULT_COMPRESSION);
  luaL_argcheck(L, level >= -1 && level <= 9, 2, "level must be -1..9");
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return luaL_error(L, "gzip: zlib initialisation failed");
  uLong bound = deflateBound(&zs, (uLong)n);
  char *out = malloc(bound);
  if (!out) {
    deflateEnd(&zs);
    return luaL_error(L, "gzip: out of memory");
  }
  zs.next_in = (Bytef *)(uintptr_t)s;
  zs.avail_in = (uInt)n;
  zs.next_out = (Bytef *)out;
  zs.avail_out = (uInt)bound;
  int zr = deflate(&zs, Z_FINISH);
  size_t olen = zs.total_out;
  deflateEnd(&zs);
  if (zr != Z_STREAM_END) {
    free(out);
    return luaL_error(L, "gzip: compression failed");
  }
  lua_pushlstring(L, out, olen);
  free(out);
  return 1;
}

/* core.gunzip(s [, max_size]) -> string, or nil, message on bad input */
static int l_gunzip(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  lua_Integer max = luaL_optinteger(L, 2, (lua_Integer)1 << 40);
  luaL_argcheck(L, max >= 0, 2, "must be >= 0");
  buffer_t out = {0};
  const char *err = NULL;
  if (zlib_inflate_all(s, n, (size_t)max, &out, &err) < 0) {
    buf_free(&out);
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushlstring(L, out.data ? out.data : "", out.len);
  buf_free(&out);
  return 1;
}

static const luaL_Reg funcs[] = {
    {"sha256", l_sha256},
    {"hmac_sha256", l_hmac_sha256},
    {"base64_encode", l_b64enc},
    {"base64_decode", l_b64dec},
    {"base64url_encode", l_b64uenc},
    {"base64url_decode", l_b64udec},
    {"random_bytes", l_random_bytes},
    {"gzip", l_gzip},
    {"gunzip", l_gunzip},
    {NULL, NULL},
};

void crypto_register(lua_State *L) { luaL_setfuncs(L, funcs, 0); }
