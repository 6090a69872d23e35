/* luaopen_arango_core: loads luv, checks that it runs the libuv we link,
 * installs the exit sentinel and creates http engines. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* luv.h declares `luv_acquire_vm()` without a prototype; it is not ours to
 * fix, so silence just that diagnostic for just this header. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <luv/luv.h>
#pragma GCC diagnostic pop

#include "core/core.h"

#define STATE_KEY "arango.core.state"
#define HTTP_MT "arango.core.http"

/* The core state is malloc'd (not the userdata itself) because close
 * callbacks may in theory outlive the sentinel; it is freed only when no
 * handle of ours is left. The userdata just points at it. */
typedef struct sentinel {
  core_state_t *cs;
} sentinel_t;

void cs_handle_opened(core_state_t *cs) { cs->open_handles++; }
void cs_handle_closed(core_state_t *cs) { cs->open_handles--; }

core_state_t *core_state(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, STATE_KEY);
  sentinel_t *s = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return s ? s->cs : NULL;
}

/* Runs at lua_close before luv's own loop finaliser (it was created after
 * `require "luv"`, and Lua finalises in reverse order of creation). luv's
 * finaliser walks the loop and closes every handle as if it were its own,
 * which would crash on ours, so ours must all be closed and their close
 * callbacks run by then. Waiting coroutines are not resumed: the state is
 * going away. */
static int sentinel_gc(lua_State *L) {
  sentinel_t *s = lua_touserdata(L, 1);
  core_state_t *cs = s->cs;
  if (!cs || cs->shutting_down) return 0;
  cs->shutting_down = 1;
  /* engine_maybe_free may unlink (and free) the engine: keep the next one. */
  for (link_t *l = cs->engines.next, *next; l != &cs->engines; l = next) {
    next = l->next;
    engine_t *e = container_of(l, engine_t, link);
    engine_close(e, 0);
    engine_maybe_free(e);
  }
  /* Close callbacks (and cancelled getaddrinfo callbacks) fire in the loop. */
  while (cs->open_handles > 0) {
    if (uv_run(cs->loop, UV_RUN_ONCE) == 0 && cs->open_handles > 0) break;
  }
  /* An engine whose Lua object was not finalised yet still points at cs. */
  if (cs->open_handles == 0 && link_empty(&cs->engines)) {
    free(cs);
    s->cs = NULL;
  }
  return 0;
}

/* ---- http engine object -------------------------------------------- */

static double opt_number(lua_State *L, int t, const char *name, double def, double min) {
  double v = def;
  lua_getfield(L, t, name);
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) luaL_error(L, "core.http: option '%s' must be a number", name);
    v = lua_tonumber(L, -1);
    if (!(v >= min) || v > 1e12) luaL_error(L, "core.http: option '%s' out of range", name);
  }
  lua_pop(L, 1);
  return v;
}

static const char *const engine_opts[] = {"max_connections", "idle_timeout", "connect_timeout",
                                          "timeout", "max_body_size", "tls", NULL};

static int l_http_new(lua_State *L) {
  core_state_t *cs = core_state(L);
  if (!cs || cs->shutting_down) return luaL_error(L, "arango.core: the module is shutting down");
  if (lua_isnoneornil(L, 1)) {
    /* core.http() has no slot 1 to replace: rebuild the stack instead */
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  /* Unknown options are almost always typos: say so. */
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (int i = 0; engine_opts[i]; i++)
        if (strcmp(lua_tostring(L, -1), engine_opts[i]) == 0) ok = 1;
    if (!ok) return luaL_error(L, "core.http: unknown option '%s'", luaL_tolstring(L, -1, NULL));
  }
  double maxc = opt_number(L, 1, "max_connections", 8, 1);
  if (maxc > 100000) return luaL_error(L, "core.http: option 'max_connections' out of range");
  double idle = opt_number(L, 1, "idle_timeout", 60, 0.001);
  double ct = opt_number(L, 1, "connect_timeout", 10, 0.001);
  double to = opt_number(L, 1, "timeout", 0, 0);
  double mb = opt_number(L, 1, "max_body_size", 512.0 * 1024 * 1024, 0);
  tls_opts_t tls_defaults = {-1, NULL, NULL, NULL, NULL, NULL};
  lua_getfield(L, 1, "tls");
  if (!lua_isnil(L, -1)) tls_opts_check(L, lua_gettop(L), &tls_defaults, "core.http");

  engine_t **pe = lua_newuserdatauv(L, sizeof *pe, 0);
  *pe = NULL;
  luaL_setmetatable(L, HTTP_MT);
  engine_t *e = calloc(1, sizeof *e);
  if (!e) return luaL_error(L, "arango.core: out of memory");
  e->cs = cs;
  link_init(&e->pools);
  link_init(&e->tls_configs);
  if (tls_opts_dup(&e->tls_defaults, &tls_defaults) < 0) {
    tls_opts_free(&e->tls_defaults);
    free(e);
    return luaL_error(L, "arango.core: out of memory");
  }
  e->max_conns = (int)maxc;
  e->idle_timeout_ms = (uint64_t)(idle * 1000 + 0.5);
  e->connect_timeout_ms = (uint64_t)(ct * 1000 + 0.5);
  e->timeout_ms = to > 0 ? (uint64_t)(to * 1000 + 0.5) : 0;
  if (to > 0 && e->timeout_ms == 0) e->timeout_ms = 1;
  e->max_body = (size_t)mb;
  e->has_udata = 1;
  link_push(&cs->engines, &e->link);
  *pe = e;
  return 1;
}

static int l_http_close(lua_State *L) {
  engine_t **pe = luaL_checkudata(L, 1, HTTP_MT);
  if (*pe) engine_close(*pe, 1); /* already collected (late finaliser): nothing left */
  return 0;
}

/* Collected (or lua_close): close without resuming anybody. A live waiter
 * keeps the object reachable (it sits on the waiting coroutine's stack), so
 * at ordinary collection time nobody is waiting anyway. */
static int l_http_gc(lua_State *L) {
  engine_t **pe = luaL_checkudata(L, 1, HTTP_MT);
  engine_t *e = *pe;
  if (!e) return 0;
  *pe = NULL;
  e->has_udata = 0;
  engine_close(e, 0);
  engine_maybe_free(e);
  return 0;
}

static int l_http_tostring(lua_State *L) {
  engine_t **pe = luaL_checkudata(L, 1, HTTP_MT);
  lua_pushfstring(L, "arango.core.http (%s)", (*pe && !(*pe)->closed) ? "open" : "closed");
  return 1;
}

static const luaL_Reg http_methods[] = {
    {"request", l_http_request},
    {"close", l_http_close},
    {NULL, NULL},
};

/* ---- module -------------------------------------------------------- */

/* luv must be the one we are linked against (same shared object), and that
 * luv must run the libuv we were built with: both sides touch the same
 * uv_loop_t, so a layout difference would corrupt memory silently. */
static void check_luv(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushstring(L, "luv");
  lua_call(L, 1, 1);
  if (!lua_istable(L, -1)) luaL_error(L, "arango.core: require 'luv' did not return a table");
  /* luv keeps its loop userdata (whose finaliser closes every handle on
   * the loop) in the module table's `_loop` field. If that table were
   * collected (e.g. a test runner clearing package.loaded) the loop would be
   * torn down under our feet mid-run, so anchor every luv table we see
   * until lua_close. */
  lua_getfield(L, LUA_REGISTRYINDEX, "arango.core.luv_anchor");
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "arango.core.luv_anchor");
  }
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_getfield(L, -1, "version");
  if (!lua_isfunction(L, -1)) luaL_error(L, "arango.core: luv.version is missing");
  lua_call(L, 0, 1);
  lua_Integer luv_uv = lua_tointeger(L, -1);
  lua_pop(L, 2);
  unsigned ours = uv_version();
  if ((lua_Integer)ours != luv_uv)
    luaL_error(L,
               "arango.core: libuv mismatch: arango.core is linked with libuv %d.%d.%d but luv "
               "runs libuv %d.%d.%d; rebuild arango.core against the libuv luv uses",
               (int)(ours >> 16) & 0xff, (int)(ours >> 8) & 0xff, (int)ours & 0xff,
               (int)(luv_uv >> 16) & 0xff, (int)(luv_uv >> 8) & 0xff, (int)luv_uv & 0xff);
  if (!luv_loop(L)) luaL_error(L, "arango.core: luv has no event loop in this state");
}

CORE_EXPORT int luaopen_arango_core(lua_State *L);

/* libuv writes with write(2), not send(MSG_NOSIGNAL): a write to a socket
 * the server already closed raises SIGPIPE, whose default action kills the
 * whole process before we could see EPIPE (and retry a stale socket).
 * Linux has no per-socket opt-out, so ignore the signal process-wide, but
 * only when nobody installed a handler of their own. */
static void ignore_sigpipe(void) {
  struct sigaction old;
  if (sigaction(SIGPIPE, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL) {
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, NULL);
  }
}

/* core.on_coroutine_error(fn | nil): who hears about errors raised by a
 * coroutine after the loop resumed it (see loop.c); returns the previous. */
static int l_on_coroutine_error(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, CORE_ERROR_HANDLER_KEY);
  lua_pushvalue(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, CORE_ERROR_HANDLER_KEY);
  return 1;
}

CORE_EXPORT int luaopen_arango_core(lua_State *L) {
  check_luv(L);
  ignore_sigpipe();

  if (!core_state(L)) {
    core_state_t *cs = calloc(1, sizeof *cs);
    if (!cs) return luaL_error(L, "arango.core: out of memory");
    cs->loop = luv_loop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    cs->main = lua_tothread(L, -1);
    lua_pop(L, 1);
    link_init(&cs->engines);
    sentinel_t *s = lua_newuserdatauv(L, sizeof *s, 0);
    s->cs = cs;
    lua_newtable(L);
    lua_pushcfunction(L, sentinel_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, STATE_KEY);
  }

  if (luaL_newmetatable(L, HTTP_MT)) {
    lua_newtable(L);
    luaL_setfuncs(L, http_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_http_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_http_close);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, l_http_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);

  lua_newtable(L);
  lua_pushcfunction(L, l_http_new);
  lua_setfield(L, -2, "http");
  lua_pushcfunction(L, l_on_coroutine_error);
  lua_setfield(L, -2, "on_coroutine_error");
  crypto_register(L);
  lua_pushstring(L, "arango.core 0.1");
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
