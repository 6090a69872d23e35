/* Glue between Lua callers and the event loop.
 *
 * A request made inside a coroutine yields it (lua_yieldk); the libuv
 * callback that settles the request resumes it, and the continuation pushes
 * the result. Made on the main thread (or in a coroutine that cannot yield)
 * it drives the loop itself with UV_RUN_ONCE until the request is done, so
 * plain scripts work without calling uv.run().
 *
 * Called from inside a luv callback on the main thread (i.e. while uv.run()
 * is already running), the blocking path runs uv_run re-entrantly. libuv
 * tolerates one such nested level in practice: timers, I/O and other
 * coroutines keep being serviced, and the outer uv.run() continues when the
 * request returns. It is discouraged: deeper nesting, or closing handles the
 * outer iteration still has pending events for, is outside libuv's contract.
 * Use a coroutine there instead. */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

static int req_k(lua_State *L, int status, lua_KContext ctx) {
  req_t *r = (req_t *)ctx;
  (void)status;
  /* Somebody resumed this coroutine while its request is still running
   * (a scheduler that does not know about us). Yield again: the request
   * resumes it properly when it is done. */
  if (!r->done) return lua_yieldk(L, 0, ctx, req_k);
  return req_push_result(L, r);
}

int req_wait(lua_State *L, req_t *r) {
  core_state_t *cs = r->e->cs;
  int is_main = lua_pushthread(L);
  lua_pop(L, 1);
  if (!r->done && !is_main && lua_isyieldable(L)) {
    lua_pushthread(L);
    r->co_ref = luaL_ref(L, LUA_REGISTRYINDEX); /* the loop holds the waiter */
    r->co = L;
    return lua_yieldk(L, 0, (lua_KContext)r, req_k);
  }
  while (!r->done) {
    int alive = uv_run(cs->loop, UV_RUN_ONCE);
    /* Cannot happen while the request owns an active handle; never spin. */
    if (!alive && !r->done) req_fail(r, "closed", "event loop stopped before the request finished");
  }
  return req_push_result(L, r);
}

/* Reports the error of a coroutine that died after we resumed it: there is
 * nobody to raise it to (we are inside a libuv callback). The handler set
 * with core.on_coroutine_error(fn) gets the error object, a traceback and
 * the coroutine; without one (or when it fails) the report goes to stderr. */
static void report_coroutine_error(core_state_t *cs, lua_State *co, int status) {
  const char *msg = lua_tostring(co, -1);
  luaL_traceback(co, co, msg, 0);
  lua_State *M = cs->main;
  int room = lua_checkstack(M, 4);
  if (room && lua_getfield(M, LUA_REGISTRYINDEX, CORE_ERROR_HANDLER_KEY) == LUA_TFUNCTION) {
    lua_pushvalue(co, -2); /* error object */
    lua_xmove(co, M, 1);
    lua_pushvalue(co, -1); /* traceback */
    lua_xmove(co, M, 1);
    lua_pushthread(co);
    lua_xmove(co, M, 1);
    if (lua_pcall(M, 3, 0, 0) == LUA_OK) {
      lua_pop(co, 1);
      return;
    }
    msg = lua_tostring(M, -1);
    fprintf(stderr, "arango.core: the coroutine error handler failed: %s\n", msg ? msg : "?");
  }
  if (room) lua_pop(M, 1); /* the handler's error, or whatever was not a function */
  msg = lua_tostring(co, -1);
  fprintf(stderr, "arango.core: coroutine resumed after a request raised an error (status %d): %s\n",
          status, msg ? msg : "(error object is not a string)");
  fflush(stderr);
  lua_pop(co, 1);
}

void req_complete(req_t *r) {
  r->done = 1;
  if (r->orphan) {
    r->consumed = 1;
    req_maybe_free(r);
    return;
  }
  lua_State *co = r->co;
  if (!co) return; /* blocking waiter polls r->done */
  /* Only a coroutine suspended in our yield may be resumed here; if it is
   * running (it resumed someone who drives the loop) the continuation picks
   * the result up when it next returns to req_k. */
  if (lua_status(co) != LUA_YIELD) return;
  core_state_t *cs = r->cs;
  if (cs->shutting_down) return;
  /* Keep the coroutine anchored until lua_resume returns, not just until
   * req_k has taken the result: resumed from C, it is on no Lua stack, so
   * once req_push_result dropped the registry reference nothing would reach
   * it. While it runs it is safe (the collector marks the running thread),
   * but when it resumes another coroutine it becomes "normal" and a
   * collection then frees its stack under the suspended coroutine.resume
   * (seen as a SIGSEGV in lua_resume after a JWT refresh woke its waiters).
   * req_push_result skips the unref when co_ref is LUA_NOREF. r may be freed
   * during the resume, so nothing of it is used afterwards. */
  int ref = r->co_ref;
  r->co_ref = LUA_NOREF;
  int nres = 0;
  int st = lua_resume(co, cs->main, 0, &nres);
  if (st == LUA_OK || st == LUA_YIELD) {
    /* finished, or yielded for something else (another request, a sleep) */
    lua_pop(co, nres);
  } else {
    report_coroutine_error(cs, co, st);
    /* Close its to-be-closed variables; resetthread leaves the error object
     * on the stack, which would make the dead coroutine look "suspended". */
    lua_resetthread(co);
    lua_settop(co, 0);
  }
  /* Unref on co's own stack: it is dead or suspended, so its top is ours to
   * push on (the main thread may be deep inside some C function). */
  if (lua_checkstack(co, 2)) luaL_unref(co, LUA_REGISTRYINDEX, ref);
}
