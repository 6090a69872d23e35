/*
 * arango.json: module table, array/object markers, options, reusable buffers.
 *
 * Every function of the module shares four upvalues (see json.h): the two
 * marker metatables, so that encode/decode find them without a registry
 * lookup, and one buffer per direction, so that repeated calls reuse memory.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

#define JSON_BUF_MT "arango.json.buffer"

/* ---- buffers ---------------------------------------------------------------- */

static int buf_gc(lua_State *L) {
  json_buf *b = (json_buf *)lua_touserdata(L, 1);
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  return 0;
}

static json_buf *buf_new(lua_State *L) {
  json_buf *b = (json_buf *)lua_newuserdata(L, sizeof *b);
  memset(b, 0, sizeof *b);
  luaL_getmetatable(L, JSON_BUF_MT);
  lua_setmetatable(L, -2);
  return b;
}

void json_buf_grow(json_buf *b, size_t need) {
  size_t cap = b->cap ? b->cap : 256;
  char *p;
  if (need > JSON_BUFFER_LIMIT - b->len) json_raise(b, "json: buffer limit (1 GiB) exceeded");
  while (cap - b->len < need) cap *= 2;
  if (cap > JSON_BUFFER_LIMIT) cap = JSON_BUFFER_LIMIT;
  p = (char *)realloc(b->data, cap);
  if (p == NULL) json_raise(b, "json: out of memory");
  b->data = p;
  b->cap = cap;
}

json_buf *json_buf_acquire(lua_State *L, int uv) {
  json_buf *b = (json_buf *)lua_touserdata(L, lua_upvalueindex(uv));
  /* Re-entered (from a finalizer) while the shared buffer is in use: take a
   * private one; it stays on the stack and is collected after the call. */
  if (b->busy) b = buf_new(L);
  b->busy = 1;
  b->len = 0;
  b->L = L;
  return b;
}

void json_buf_release(json_buf *b) {
  b->busy = 0;
  b->len = 0;
  if (b->cap > JSON_BUFFER_KEEP) {
    free(b->data);
    b->data = NULL;
    b->cap = 0;
  }
}

int json_raise(json_buf *b, const char *msg) {
  lua_State *L = b->L;
  json_buf_release(b);
  lua_pushstring(L, msg);
  lua_error(L);
  abort(); /* not reached: lua_error does not return */
}

/* ---- options ---------------------------------------------------------------- */

void json_read_opts(lua_State *L, int idx, int *max_depth, int *sort_keys) {
  const char *fn = sort_keys ? "json.encode" : "json.decode";
  if (lua_isnoneornil(L, idx)) return;
  if (lua_type(L, idx) != LUA_TTABLE) {
    luaL_error(L, "%s: options must be a table, got %s", fn, luaL_typename(L, idx));
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (key && strcmp(key, "max_depth") == 0) {
      lua_Number n = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
      if (!(n >= 1 && n <= JSON_DEPTH_LIMIT) || n != (lua_Number)(int)n) {
        luaL_error(L, "%s: max_depth must be an integer from 1 to %d", fn, JSON_DEPTH_LIMIT);
      }
      *max_depth = (int)n;
    } else if (key && sort_keys && strcmp(key, "sort_keys") == 0) {
      if (lua_type(L, -1) != LUA_TBOOLEAN) luaL_error(L, "%s: sort_keys must be a boolean", fn);
      *sort_keys = lua_toboolean(L, -1);
    } else if (key) {
      luaL_error(L, "%s: unknown option '%s'", fn, key);
    } else {
      luaL_error(L, "%s: option names must be strings", fn);
    }
    lua_pop(L, 1);
  }
}

/* ---- markers ------------------------------------------------------------------ */

/* Is the metatable of the value at idx one of our two markers? */
static int has_marker(lua_State *L, int idx, int uv) {
  int same;
  if (!lua_getmetatable(L, idx)) return 0;
  same = lua_rawequal(L, -1, lua_upvalueindex(uv));
  lua_pop(L, 1);
  return same;
}

static int mark(lua_State *L, int uv, const char *fn) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    if (lua_type(L, 1) != LUA_TTABLE) {
      return luaL_error(L, "json.%s: expected a table, got %s", fn, luaL_typename(L, 1));
    }
    lua_settop(L, 1);
    /* Replacing a foreign metatable would silently break the caller's object. */
    if (lua_getmetatable(L, 1)) {
      lua_pop(L, 1);
      if (!has_marker(L, 1, JSON_UV_ARRAY_MT) && !has_marker(L, 1, JSON_UV_OBJECT_MT)) {
        return luaL_error(L, "json.%s: table already has a metatable", fn);
      }
    }
  }
  lua_pushvalue(L, lua_upvalueindex(uv));
  lua_setmetatable(L, 1);
  return 1;
}

static int json_array(lua_State *L) { return mark(L, JSON_UV_ARRAY_MT, "array"); }
static int json_object(lua_State *L) { return mark(L, JSON_UV_OBJECT_MT, "object"); }

static int json_is_array(lua_State *L) {
  lua_pushboolean(L, lua_type(L, 1) == LUA_TTABLE && has_marker(L, 1, JSON_UV_ARRAY_MT));
  return 1;
}

/* ---- module ------------------------------------------------------------------- */

/* luaL_setfuncs with shared upvalues, which 5.1 lacks. Pops the upvalues. */
static void set_funcs(lua_State *L, const luaL_Reg *l, int nup) {
  for (; l->name != NULL; l++) {
    int i;
    for (i = 0; i < nup; i++) lua_pushvalue(L, -nup);
    lua_pushcclosure(L, l->func, nup);
    lua_setfield(L, -(nup + 2), l->name);
  }
  lua_pop(L, nup);
}

static void new_marker(lua_State *L, int module, const char *field, const char *name) {
  lua_createtable(L, 0, 1);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1);
  lua_setfield(L, module, field);
}

JSON_EXPORT int luaopen_arango_json(lua_State *L);

JSON_EXPORT int luaopen_arango_json(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"encode", json_encode},
    {"decode", json_decode},
    {"array", json_array},
    {"object", json_object},
    {"is_array", json_is_array},
    {NULL, NULL},
  };
  int module;

  luaL_newmetatable(L, JSON_BUF_MT);
  lua_pushcfunction(L, buf_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);

  lua_newtable(L);
  module = lua_gettop(L);
  /* The upvalues, in JSON_UV_* order. */
  new_marker(L, module, "array_mt", "arango.json.array");
  new_marker(L, module, "object_mt", "arango.json.object");
  buf_new(L);
  buf_new(L);
  set_funcs(L, funcs, JSON_NUPVALUES);

  /* NULL light userdata: the same value as cjson.null, so both libraries agree. */
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, module, "null");
  lua_pushliteral(L, "arango.json 1.0");
  lua_setfield(L, module, "_VERSION");
  return 1;
}
