/*
 * libFuzzer harness for arango.json (built and run by scripts/fuzz.sh).
 *
 * Feeds arbitrary bytes to json.decode inside a real lua_State. Input that
 * decodes must re-encode, and the re-encoding must be a fixed point:
 *   e1 = encode(decode(input)); e2 = encode(decode(e1)); e1 == e2
 * (sort_keys makes the text independent of table iteration order). Input that
 * does not decode must fail with a "json.decode: ... at byte N" message whose
 * N lies within the input (or one past its end). The first 8 bytes, read as a
 * double and as an int64, must survive encode + decode bit for bit. Anything
 * else aborts, as do the sanitizers on any memory or undefined-behaviour error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

int luaopen_arango_json(lua_State *L);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lua_State *L;
static int check_ref;

/* The property, in Lua: returns nothing, raises with a description on a violation. */
static const char check_src[] =
  "local json = ...\n"
  "local sorted = { sort_keys = true }\n"
  "return function(input)\n"
  "  -- the first 8 bytes as a double and as an int64 must round-trip bit for bit\n"
  "  if #input >= 8 then\n"
  "    local d, i = string.unpack('<d', input), string.unpack('<i8', input)\n"
  "    if d == d and d ~= math.huge and d ~= -math.huge then\n"
  "      local text = json.encode(d)\n"
  "      local back = json.decode(text)\n"
  "      if math.type(back) ~= 'float' or string.pack('<d', back) ~= string.pack('<d', d) then\n"
  "        error(('double %.17g -> %s'):format(d, text))\n"
  "      end\n"
  "    end\n"
  "    local back = json.decode(json.encode(i))\n"
  "    if math.type(back) ~= 'integer' or back ~= i then error('int64 ' .. i) end\n"
  "  end\n"
  "  local ok, v = pcall(json.decode, input)\n"
  "  if not ok then\n"
  "    local pos = type(v) == 'string' and v:match('^json%.decode: .- at byte (%d+)$')\n"
  "    if not pos then error('bad decode error: ' .. tostring(v)) end\n"
  "    pos = tonumber(pos)\n"
  "    if pos < 1 or pos > #input + 1 then error('error position out of range: ' .. v) end\n"
  "    return\n"
  "  end\n"
  "  local e1 = json.encode(v, sorted)\n"
  "  local e2 = json.encode(json.decode(e1), sorted)\n"
  "  if e1 ~= e2 then error(('unstable: %q -> %q -> %q'):format(input, e1, e2)) end\n"
  "  -- the unsorted encoder must produce the same value\n"
  "  local e3 = json.encode(json.decode(json.encode(v)), sorted)\n"
  "  if e1 ~= e3 then error(('unsorted differs: %q vs %q'):format(e1, e3)) end\n"
  "end\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  L = luaL_newstate();
  luaL_openlibs(L);
  if (luaL_loadbuffer(L, check_src, sizeof check_src - 1, "=json_fuzz") != 0) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    abort();
  }
  luaopen_arango_json(L);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    abort();
  }
  check_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static unsigned calls;
  lua_rawgeti(L, LUA_REGISTRYINDEX, check_ref);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != 0) {
    fprintf(stderr, "property violated: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_settop(L, 0);
  if (++calls % 1024 == 0) lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
