/* http:request{...}: argument checking, request serialization, the
 * per-request deadline and turning the outcome into Lua values. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

#define HTTP_MT "arango.core.http"
#define USER_AGENT "lua-arango"
/* Request size caps: a serialized request must fit one uv_buf_t (unsigned
 * int length) with room for the headers; servers refuse longer URLs anyway
 * (ArangoDB: 16 KiB by default). */
#define MAX_REQUEST_BODY (2047 * 1024 * 1024)
#define MAX_REQUEST_PATH (1024 * 1024)
#define MAX_REQUEST_HEAD (4 * 1024 * 1024)

/* ---- lifetime ------------------------------------------------------- */

/* A req is freed once Lua has taken its result (or nobody will), its timer
 * handle is closed and no uv_write references its bytes. */
void req_maybe_free(req_t *r) {
  if (!r->consumed || r->timer_open || r->writing) return;
  buf_free(&r->out);
  resp_free(&r->resp);
  free(r->err_msg);
  free(r);
}

static void on_req_timer_closed(uv_handle_t *h) {
  req_t *r = h->data;
  cs_handle_closed(r->cs);
  r->timer_open = 0;
  req_maybe_free(r);
}

static void req_settle(req_t *r) {
  r->state = R_DONE;
  if (r->timer_open && !uv_is_closing((uv_handle_t *)&r->timer))
    uv_close((uv_handle_t *)&r->timer, on_req_timer_closed);
  req_complete(r);
}

void req_succeed(req_t *r) { req_settle(r); }

void req_fail(req_t *r, const char *kind, const char *fmt, ...) {
  if (r->state == R_DONE) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  r->err_kind = kind;
  free(r->err_msg);
  r->err_msg = strdup(msg);
  req_settle(r);
}

/* The Lua state is going away: settle without resuming anybody. */
void req_orphan(req_t *r) {
  r->orphan = 1;
  r->err_kind = "closed";
  req_settle(r);
}

/* Deadline of the whole exchange: queue wait, connect and response. The
 * connection it was using is discarded because its framing is unknown. */
static void on_req_timeout(uv_timer_t *t) {
  req_t *r = t->data;
  pool_t *p = r->pool;
  if (r->state == R_QUEUED) {
    link_remove(&r->qlink);
  } else if (r->state == R_ACTIVE && r->conn) {
    conn_t *c = r->conn;
    c->req = NULL;
    r->conn = NULL;
    conn_close(c);
    pool_dispatch(p);
  }
  req_fail(r, "timeout", "request to %s timed out after %.3f s", p->hostport,
           (double)r->timeout_ms / 1000.0);
}

/* ---- results ---------------------------------------------------------- */

void push_error(lua_State *L, const char *kind, const char *msg, const char *host) {
  lua_pushnil(L);
  lua_createtable(L, 0, 3);
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  lua_pushstring(L, msg);
  lua_setfield(L, -2, "message");
  lua_pushstring(L, host);
  lua_setfield(L, -2, "host");
}

static void push_headers(lua_State *L, resp_t *resp) {
  lua_createtable(L, 0, (int)resp->nhdrs);
  for (size_t i = 0; i < resp->nhdrs; i++) {
    hdr_t *h = &resp->hdrs[i];
    char *name = resp->hdrbuf.data + h->name_off;
    const char *val = resp->hdrbuf.data + h->val_off;
    size_t vl = h->val_len;
    while (vl > 0 && (val[vl - 1] == ' ' || val[vl - 1] == '\t')) vl--;
    for (size_t k = 0; k < h->name_len; k++) name[k] = (char)tolower((unsigned char)name[k]);
    lua_pushlstring(L, name, h->name_len);
    lua_pushvalue(L, -1);
    lua_rawget(L, -3);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushlstring(L, val, vl);
    } else {
      /* a repeated header is joined with ", " (RFC 9110 5.3) */
      lua_pushliteral(L, ", ");
      lua_pushlstring(L, val, vl);
      lua_concat(L, 3);
    }
    lua_rawset(L, -3);
  }
}

int req_push_result(lua_State *L, req_t *r) {
  if (r->co) {
    /* LUA_NOREF (a no-op here) when req_complete resumed us: it keeps the
     * reference until lua_resume returns. */
    luaL_unref(L, LUA_REGISTRYINDEX, r->co_ref);
    r->co_ref = LUA_NOREF;
    r->co = NULL;
  }
  if (r->err_kind) {
    push_error(L, r->err_kind, r->err_msg ? r->err_msg : "out of memory", r->pool->hostport);
  } else {
    resp_t *resp = &r->resp;
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, resp->status);
    lua_setfield(L, -2, "status");
    lua_pushlstring(L, resp->reason.data ? resp->reason.data : "", resp->reason.len);
    lua_setfield(L, -2, "reason");
    push_headers(L, resp);
    lua_setfield(L, -2, "headers");
    lua_pushlstring(L, resp->body.data ? resp->body.data : "", resp->body.len);
    lua_setfield(L, -2, "body");
    lua_pushnil(L);
  }
  r->consumed = 1;
  req_maybe_free(r);
  return 2;
}

/* ---- argument checking and serialization ---------------------------- */

static int is_tchar(int ch) {
  return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static void check_token(lua_State *L, const char *what, const char *s, size_t n) {
  if (n == 0) luaL_error(L, "http:request: %s must not be empty", what);
  for (size_t i = 0; i < n; i++)
    if (!is_tchar((unsigned char)s[i])) luaL_error(L, "http:request: invalid character in %s '%s'", what, s);
}

static void check_field_value(lua_State *L, const char *name, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '\r' || ch == '\n' || ch == 0)
      luaL_error(L, "http:request: header '%s' contains CR, LF or NUL", name);
  }
}

static const char *opt_string(lua_State *L, const char *name, const char *def, size_t *len) {
  lua_getfield(L, 2, name);
  const char *s = def;
  if (lua_isnil(L, -1)) {
    if (len) *len = def ? strlen(def) : 0;
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    s = lua_tolstring(L, -1, len);
  } else {
    luaL_error(L, "http:request: '%s' must be a string", name);
  }
  lua_pop(L, 1); /* the string stays alive: it is referenced by the opts table */
  return s;
}

/* "http://host:port" (also tcp:// and http+tcp://, ArangoDB endpoint
 * spellings) or "https://host:port" (also ssl:// and http+ssl://); IPv6
 * literals in brackets; the port defaults to 80 (443 with TLS). */
static void parse_url(lua_State *L, const char *url, char *host, size_t hostsz, int *port, int *tls) {
  const char *p = strstr(url, "://");
  if (!p) luaL_error(L, "http:request: url '%s' has no scheme (want http://host:port)", url);
  size_t sl = (size_t)(p - url);
  if ((sl == 4 && strncasecmp(url, "http", 4) == 0) || (sl == 3 && strncasecmp(url, "tcp", 3) == 0) ||
      (sl == 8 && strncasecmp(url, "http+tcp", 8) == 0))
    *tls = 0;
  else if ((sl == 5 && strncasecmp(url, "https", 5) == 0) || (sl == 3 && strncasecmp(url, "ssl", 3) == 0) ||
           (sl == 8 && strncasecmp(url, "http+ssl", 8) == 0))
    *tls = 1;
  else
    luaL_error(L, "http:request: unsupported scheme in url '%s'", url);
  p += 3;
  const char *hs, *he;
  if (*p == '[') {
    hs = p + 1;
    he = strchr(hs, ']');
    if (!he) luaL_error(L, "http:request: bad IPv6 address in url '%s'", url);
    p = he + 1;
  } else {
    hs = p;
    while (*p && *p != ':' && *p != '/') p++;
    he = p;
  }
  if (he == hs || (size_t)(he - hs) >= hostsz) luaL_error(L, "http:request: bad host in url '%s'", url);
  memcpy(host, hs, (size_t)(he - hs));
  host[he - hs] = 0;
  for (char *q = host; *q; q++)
    if ((unsigned char)*q <= ' ' || *q == '@' || *q == '?' || *q == '#')
      luaL_error(L, "http:request: bad host in url '%s'", url);
  *port = *tls ? 443 : 80;
  if (*p == ':') {
    char *end;
    long v = strtol(p + 1, &end, 10);
    if (end == p + 1 || v <= 0 || v > 65535) luaL_error(L, "http:request: bad port in url '%s'", url);
    *port = (int)v;
    p = end;
  }
  if (*p == '/' && p[1] == 0) p++; /* tolerate a trailing slash */
  if (*p) luaL_error(L, "http:request: url '%s' must be scheme://host:port without a path", url);
}

static int header_is(const char *name, size_t n, const char *want) {
  return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

#define APPEND(b, p, n) ok &= buf_append((b), (p), (n)) == 0
#define APPENDS(b, s) ok &= buf_append_str((b), (s)) == 0

int l_http_request(lua_State *L) {
  engine_t **pe = luaL_checkudata(L, 1, HTTP_MT);
  engine_t *e = *pe;
  luaL_checktype(L, 2, LUA_TTABLE);

  size_t ml, pl, bl = 0;
  const char *url = opt_string(L, "url", NULL, NULL);
  if (!url) return luaL_error(L, "http:request: 'url' is required");
  const char *method = opt_string(L, "method", "GET", &ml);
  const char *path = opt_string(L, "path", "/", &pl);
  const char *body = opt_string(L, "body", NULL, &bl);
  check_token(L, "method", method, ml);
  /* libuv writes take an unsigned length: refuse what would be truncated. */
  if (bl > MAX_REQUEST_BODY)
    return luaL_error(L, "http:request: 'body' is larger than %d MiB", MAX_REQUEST_BODY >> 20);
  if (pl > MAX_REQUEST_PATH)
    return luaL_error(L, "http:request: 'path' is longer than %d bytes", MAX_REQUEST_PATH);
  if (pl == 0) return luaL_error(L, "http:request: 'path' must not be empty");
  for (size_t i = 0; i < pl; i++)
    if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
      return luaL_error(L, "http:request: 'path' must be escaped (found a space or control character)");
  if (path[0] != '/' && !(pl == 1 && path[0] == '*'))
    return luaL_error(L, "http:request: 'path' must start with '/'");

  char host[256];
  int port, tls = 0;
  parse_url(L, url, host, sizeof host, &port, &tls);
  /* request-level TLS options override the engine's field by field */
  tls_opts_t tls_req = {-1, NULL, NULL, NULL, NULL, NULL};
  lua_getfield(L, 2, "tls");
  if (!lua_isnil(L, -1)) tls_opts_check(L, lua_gettop(L), &tls_req, "http:request");
  lua_pop(L, 1); /* the strings stay referenced by the request table */
  if (!e) {
    /* Only reachable from a finaliser that runs after the object's own
     * (lua_close finalises in reverse creation order): not a programming
     * error, the object is simply closed. */
    char hp[300];
    snprintf(hp, sizeof hp, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    push_error(L, "closed", "http object was closed (collected)", hp);
    return 2;
  }

  uint64_t timeout_ms = e->timeout_ms;
  lua_getfield(L, 2, "timeout");
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) return luaL_error(L, "http:request: 'timeout' must be a number");
    double t = lua_tonumber(L, -1);
    if (!(t > 0) || t > 1e9) return luaL_error(L, "http:request: 'timeout' must be > 0");
    timeout_ms = (uint64_t)(t * 1000 + 0.5);
    if (timeout_ms == 0) timeout_ms = 1;
  }
  lua_pop(L, 1);
  size_t max_body = e->max_body;
  lua_getfield(L, 2, "max_body_size");
  if (!lua_isnil(L, -1)) {
    /* the same range core.http accepts; beyond it the size_t cast is undefined */
    if (!lua_isnumber(L, -1) || !(lua_tonumber(L, -1) >= 0) || lua_tonumber(L, -1) > 1e12)
      return luaL_error(L, "http:request: 'max_body_size' must be a number in 0..1e12");
    max_body = (size_t)lua_tonumber(L, -1);
  }
  lua_pop(L, 1);
  lua_getfield(L, 2, "decompress");
  int decompress = lua_toboolean(L, -1);
  lua_pop(L, 1);

  if (e->closed || e->cs->shutting_down) {
    char hp[300];
    snprintf(hp, sizeof hp, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    push_error(L, "closed", "http object is closed", hp);
    return 2;
  }

  tls_config_t *tc = NULL;
  if (tls) {
    const tls_opts_t *d = &e->tls_defaults;
    tls_opts_t m = tls_req;
    if (m.verify < 0) m.verify = d->verify;
    if (!m.ca_file) m.ca_file = d->ca_file;
    if (!m.ca_path) m.ca_path = d->ca_path;
    if (!m.cert_file) m.cert_file = d->cert_file;
    if (!m.key_file) m.key_file = d->key_file;
    if (!m.server_name) m.server_name = d->server_name;
    char terr[400];
    tc = tls_config_get(e, &m, terr, sizeof terr);
    if (!tc) {
      char hp[300];
      snprintf(hp, sizeof hp, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
      push_error(L, "tls", terr, hp);
      return 2;
    }
  }
  pool_t *p = pool_get(e, tc, host, port);
  if (!p) return luaL_error(L, "arango.core: out of memory");

  req_t *r = calloc(1, sizeof *r);
  if (!r) return luaL_error(L, "arango.core: out of memory");
  r->cs = e->cs;
  r->e = e;
  r->pool = p;
  r->co_ref = LUA_NOREF;
  r->timeout_ms = timeout_ms;
  r->max_body = max_body;
  r->decompress = decompress ? 1 : 0;
  r->is_head = (ml == 4 && memcmp(method, "HEAD", 4) == 0);
  link_init(&r->qlink);

  /* Serialize now: the Lua strings are only guaranteed alive during this
   * call, and a retry on a fresh socket resends the very same bytes. */
  buffer_t *b = &r->out;
  int ok = 1;
  int has_host = 0, has_ua = 0, has_conn = 0, has_ae = 0;
  ok &= buf_reserve(b, ml + pl + bl + 256) == 0;
  APPEND(b, method, ml);
  APPEND(b, " ", 1);
  APPEND(b, path, pl);
  APPENDS(b, " HTTP/1.1\r\n");
  lua_getfield(L, 2, "headers");
  if (!lua_isnil(L, -1)) {
    if (!lua_istable(L, -1)) {
      req_orphan(r); /* frees it */
      return luaL_error(L, "http:request: 'headers' must be a table");
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      size_t nl, vl;
      if (lua_type(L, -2) != LUA_TSTRING || !(lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)) {
        req_orphan(r);
        return luaL_error(L, "http:request: headers must map strings to strings or numbers");
      }
      const char *name = lua_tolstring(L, -2, &nl);
      lua_pushvalue(L, -1); /* tolstring on a copy: never convert the key in place */
      const char *val = lua_tolstring(L, -1, &vl);
      int bad = 0;
      for (size_t i = 0; i < nl; i++)
        if (!is_tchar((unsigned char)name[i])) bad = 1;
      if (bad || nl == 0) {
        req_orphan(r);
        return luaL_error(L, "http:request: invalid header name '%s'", name);
      }
      for (size_t i = 0; i < vl; i++)
        if (val[i] == '\r' || val[i] == '\n' || val[i] == 0) bad = 1;
      if (bad) {
        req_orphan(r);
        check_field_value(L, name, val, vl); /* raises */
      }
      if (header_is(name, nl, "transfer-encoding")) {
        req_orphan(r);
        return luaL_error(L, "http:request: transfer-encoding cannot be set (bodies are sent with a length)");
      }
      if (!header_is(name, nl, "content-length")) { /* ours is authoritative */
        has_host |= header_is(name, nl, "host");
        has_ua |= header_is(name, nl, "user-agent");
        has_conn |= header_is(name, nl, "connection");
        has_ae |= header_is(name, nl, "accept-encoding");
        APPEND(b, name, nl);
        APPEND(b, ": ", 2);
        APPEND(b, val, vl);
        APPEND(b, "\r\n", 2);
      }
      lua_pop(L, 2);
    }
  }
  lua_pop(L, 1);
  if (!has_host) {
    APPENDS(b, "Host: ");
    APPENDS(b, p->hostport);
    APPEND(b, "\r\n", 2);
  }
  if (!has_ua) APPENDS(b, "User-Agent: " USER_AGENT "\r\n");
  if (!has_conn) APPENDS(b, "Connection: Keep-Alive\r\n");
  if (decompress && !has_ae) APPENDS(b, "Accept-Encoding: gzip, deflate\r\n");
  if (body || header_is(method, ml, "POST") || header_is(method, ml, "PUT") || header_is(method, ml, "PATCH")) {
    APPENDS(b, "Content-Length: ");
    ok &= buf_append_uint(b, bl) == 0;
    APPEND(b, "\r\n", 2);
  }
  APPEND(b, "\r\n", 2);
  if (ok && b->len > MAX_REQUEST_HEAD) {
    req_orphan(r);
    return luaL_error(L, "http:request: request headers are larger than %d MiB", MAX_REQUEST_HEAD >> 20);
  }
  if (body) APPEND(b, body, bl);
  if (!ok) {
    req_orphan(r);
    return luaL_error(L, "arango.core: out of memory");
  }

  if (timeout_ms > 0) {
    uv_timer_init(e->cs->loop, &r->timer);
    cs_handle_opened(e->cs);
    r->timer.data = r;
    r->timer_open = 1;
    uv_timer_start(&r->timer, on_req_timeout, timeout_ms, 0);
  }
  pool_submit(p, r);
  return req_wait(L, r);
}
