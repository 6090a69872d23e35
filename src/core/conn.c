/* One TCP connection: resolve, connect, write, read, close; plus the
 * plaintext filter. Errors found while the caller still runs (synchronous
 * uv_* failures) are deferred to the conn timer so that requests are only
 * ever settled from top-level libuv callbacks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"


/* ---- freeing ---------------------------------------------------------- */

static void conn_maybe_free(conn_t *c) {
  if (c->handles > 0 || c->gai_pending) return;
  pool_t *p = c->pool;
  if (c->ai) uv_freeaddrinfo(c->ai);
  link_remove(&c->plink);
  free(c);
  pool_maybe_free(p);
}

static void on_tcp_closed(uv_handle_t *h) {
  conn_t *c = h->data;
  cs_handle_closed(c->pool->e->cs);
  free(h);
  if (c->tcp == (uv_tcp_t *)h) c->tcp = NULL;
  c->handles--;
  conn_maybe_free(c);
}

static void on_timer_closed(uv_handle_t *h) {
  conn_t *c = h->data;
  cs_handle_closed(c->pool->e->cs);
  c->handles--;
  conn_maybe_free(c);
}

/* Starts closing; the caller must have detached c->req already. */
void conn_close(conn_t *c) {
  if (c->state == C_CLOSING) return;
  if (c->state == C_IDLE) link_remove(&c->ilink);
  c->state = C_CLOSING;
  c->pool->nconns--;
  if (c->filter && c->filter->destroy) c->filter->destroy(c);
  if (c->gai_pending) uv_cancel((uv_req_t *)&c->gai); /* its callback still runs */
  if (c->tcp) uv_close((uv_handle_t *)c->tcp, on_tcp_closed);
  uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

void conn_set_ref(conn_t *c, int ref) {
  if (ref) {
    if (c->tcp) uv_ref((uv_handle_t *)c->tcp);
    uv_ref((uv_handle_t *)&c->timer);
  } else {
    if (c->tcp) uv_unref((uv_handle_t *)c->tcp);
    uv_unref((uv_handle_t *)&c->timer);
  }
}

/* ---- settling the exchange ------------------------------------------- */

/* Detach the request, close the connection, let the pool go on, and
 * settle the request last (resuming may run arbitrary Lua). */
void conn_failf(conn_t *c, const char *kind, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  req_t *r = c->req;
  pool_t *p = c->pool;
  c->req = NULL;
  if (r) r->conn = NULL;
  conn_close(c);
  pool_dispatch(p);
  if (r) req_fail(r, kind, "%s", msg);
}

static void defer_error(conn_t *c, const char *kind, int err);

/* ---- plaintext filter ------------------------------------------------- */

static void on_write(uv_write_t *w, int status) {
  conn_t *c = w->data;
  req_t *r = c->writing_req;
  c->writing_req = NULL;
  if (r) {
    r->writing = 0;
    if (r->consumed) req_maybe_free(r);
  }
  if (status < 0 && c->state == C_ACTIVE && c->req && c->req == r) conn_on_error(c, status);
}

static void plain_on_connect(conn_t *c) {
  uv_timer_stop(&c->timer); /* the connect timeout is over */
  if (c->req) conn_send_request(c, c->req);
}

static void plain_on_data(conn_t *c, const char *p, size_t n) { conn_deliver(c, p, n); }

static int plain_send(conn_t *c, const char *p, size_t n) {
  uv_buf_t buf = uv_buf_init((char *)p, (unsigned)n);
  /* Most requests fit the socket buffer: try_write avoids a write request
   * and its deferred callback on the hot path. */
  int w = uv_try_write((uv_stream_t *)c->tcp, &buf, 1);
  if (w == (int)n) return 0;
  if (w < 0 && w != UV_EAGAIN) return w;
  if (w > 0) buf = uv_buf_init((char *)p + w, (unsigned)(n - (size_t)w));
  c->wreq.data = c;
  int rc = uv_write(&c->wreq, (uv_stream_t *)c->tcp, &buf, 1, on_write);
  if (rc < 0) return rc;
  c->writing_req = c->req;
  c->req->writing = 1;
  return 0;
}

static const filter_t plaintext_filter = {
    "plaintext", plain_on_connect, plain_on_data, plain_send, NULL,
};

/* ---- reading ------------------------------------------------------------ */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  conn_t *c = h->data;
  (void)suggested;
  *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (c->state == C_CLOSING) return;
  if (n > 0)
    c->filter->on_data(c, buf->base, (size_t)n);
  else if (n < 0)
    conn_on_error(c, (int)n);
}

/* The response is complete: recycle or close the socket, then settle. */
static void conn_complete(conn_t *c) {
  req_t *r = c->req;
  pool_t *p = c->pool;
  char err[400];
  if (resp_decode_body(r, err, sizeof err) < 0) {
    conn_failf(c, "protocol", "%s", err);
    return;
  }
  /* A server may answer before it read the whole body (413, 401...): the rest
   * of our body would then be read as the next request, so such a socket is
   * never reused (and its pending write keeps its memory until done). */
  int keep = r->resp.keep_alive && !r->resp.extra && r->resp.status != 101 && !r->writing;
  c->req = NULL;
  r->conn = NULL;
  c->served++;
  if (keep) {
    pool_conn_available(c);
  } else {
    conn_close(c);
    pool_dispatch(p);
  }
  req_succeed(r);
}

/* Plaintext from the filter. */
void conn_deliver(conn_t *c, const char *p, size_t n) {
  if (c->state == C_CLOSING) return;
  if (!c->req) {
    /* bytes nobody asked for on an idle socket: its framing is lost */
    conn_close(c);
    return;
  }
  char err[400];
  int rc = parse_input(c, p, n, err, sizeof err);
  if (rc == PARSE_DONE)
    conn_complete(c);
  else if (rc == PARSE_ERROR)
    conn_failf(c, "protocol", "%s", err);
}

/* EOF, reset or write failure. A reused socket that the server closed
 * while it sat idle fails before any response byte: the request is sent
 * again once, on a fresh connection, and the caller never sees it. */
void conn_on_error(conn_t *c, int err) {
  req_t *r = c->req;
  pool_t *p = c->pool;
  if (!r) {
    conn_close(c);
    return;
  }
  int stale = err == UV_EOF || err == UV_ECONNRESET || err == UV_EPIPE;
  if (stale && !r->got_bytes && c->served > 0 && !r->retried) {
    c->req = NULL;
    r->conn = NULL;
    conn_close(c);
    pool_requeue_front(p, r);
    pool_dispatch(p);
    return;
  }
  if (err == UV_EOF && r->got_bytes) {
    char msg[400];
    if (parse_eof(c, msg, sizeof msg) == PARSE_DONE)
      conn_complete(c); /* a read-until-close body ends here */
    else
      conn_failf(c, "reset", "%s", msg);
    return;
  }
  if (err == UV_EOF) {
    conn_failf(c, "reset", "connection to %s closed by the peer before any response", p->hostport);
    return;
  }
  conn_failf(c, "reset", "connection to %s failed: %s", p->hostport, uv_strerror(err));
}

/* ---- sending ---------------------------------------------------------- */

void conn_send_request(conn_t *c, req_t *r) {
  c->state = C_ACTIVE;
  c->req = r;
  r->conn = c;
  r->state = R_ACTIVE;
  r->got_bytes = 0;
  resp_reset(&r->resp);
  parser_start(c);
  int rc = c->filter->send(c, r->out.data, r->out.len);
  if (rc < 0) defer_error(c, NULL, rc);
}

/* ---- connecting -------------------------------------------------------- */

static void on_conn_timer(uv_timer_t *t) {
  conn_t *c = t->data;
  if (c->state == C_CLOSING) return;
  if (c->deferred_err) {
    int err = c->deferred_err;
    const char *kind = c->deferred_kind;
    c->deferred_err = 0;
    if (kind) {
      conn_failf(c, kind, "cannot %s %s: %s", strcmp(kind, "dns") == 0 ? "resolve" : "connect to",
                 c->pool->hostport, uv_strerror(err));
    } else {
      conn_on_error(c, err);
    }
    return;
  }
  if (c->state == C_CONNECTING) {
    conn_failf(c, "connect", "connect to %s timed out after %.3f s", c->pool->hostport,
               (double)c->pool->e->connect_timeout_ms / 1000.0);
  } else if (c->state == C_IDLE) {
    conn_close(c);
  }
}

static void defer_error(conn_t *c, const char *kind, int err) {
  c->deferred_err = err;
  c->deferred_kind = kind;
  uv_timer_start(&c->timer, on_conn_timer, 0, 0);
}

static void on_connect(uv_connect_t *creq, int status);

static int new_tcp(conn_t *c) {
  uv_tcp_t *t = malloc(sizeof *t);
  if (!t) return UV_ENOMEM;
  int rc = uv_tcp_init(c->pool->e->cs->loop, t);
  if (rc < 0) {
    free(t);
    return rc;
  }
  t->data = c;
  c->tcp = t;
  c->handles++;
  cs_handle_opened(c->pool->e->cs);
  return 0;
}

static void connect_to(conn_t *c, const struct sockaddr *addr) {
  c->creq.data = c;
  int rc = uv_tcp_connect(&c->creq, c->tcp, addr, on_connect);
  if (rc < 0) defer_error(c, "connect", rc);
}

/* The previous address failed: close that socket (freed in its close
 * callback) and try the next one on a new handle. */
static int try_next_address(conn_t *c) {
  while (c->ai_next && c->ai_next->ai_family != AF_INET && c->ai_next->ai_family != AF_INET6)
    c->ai_next = c->ai_next->ai_next;
  if (!c->ai_next) return 0;
  struct addrinfo *a = c->ai_next;
  c->ai_next = a->ai_next;
  uv_close((uv_handle_t *)c->tcp, on_tcp_closed);
  c->tcp = NULL;
  int rc = new_tcp(c);
  if (rc < 0) {
    defer_error(c, "connect", rc);
    return 1;
  }
  connect_to(c, a->ai_addr);
  return 1;
}

static void on_connect(uv_connect_t *creq, int status) {
  conn_t *c = creq->data;
  if (c->state != C_CONNECTING) return; /* closing: status is UV_ECANCELED */
  if (status < 0) {
    if (try_next_address(c)) return;
    conn_failf(c, "connect", "cannot connect to %s: %s", c->pool->hostport, uv_strerror(status));
    return;
  }
  /* The filter stops the connect timer: TLS keeps it for the handshake. */
  uv_tcp_nodelay(c->tcp, 1); /* requests are written whole: no Nagle delay */
  int rc = uv_read_start((uv_stream_t *)c->tcp, on_alloc, on_read);
  if (rc < 0) {
    conn_failf(c, "connect", "cannot read from %s: %s", c->pool->hostport, uv_strerror(rc));
    return;
  }
  c->filter->on_connect(c);
}

static void on_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *res) {
  conn_t *c = g->data;
  c->gai_pending = 0;
  cs_handle_closed(c->pool->e->cs);
  if (c->state == C_CLOSING) {
    if (res) uv_freeaddrinfo(res);
    conn_maybe_free(c);
    return;
  }
  if (status < 0) {
    conn_failf(c, "dns", "cannot resolve %s: %s", c->pool->hostport, uv_strerror(status));
    return;
  }
  c->ai = res;
  c->ai_next = res;
  while (c->ai_next && c->ai_next->ai_family != AF_INET && c->ai_next->ai_family != AF_INET6)
    c->ai_next = c->ai_next->ai_next;
  if (!c->ai_next) {
    conn_failf(c, "dns", "cannot resolve %s: no IPv4/IPv6 address", c->pool->hostport);
    return;
  }
  struct addrinfo *a = c->ai_next;
  c->ai_next = a->ai_next;
  connect_to(c, a->ai_addr);
}

/* Opens a connection on behalf of r (which waits on it). */
int conn_open(pool_t *p, req_t *r) {
  core_state_t *cs = p->e->cs;
  conn_t *c = calloc(1, sizeof *c);
  if (!c) return -1; /* r stays queued: its deadline or a freed socket moves it on */
  c->pool = p;
  c->state = C_CONNECTING;
  c->filter = p->tls ? &tls_filter : &plaintext_filter;
  link_init(&c->ilink);
  link_push(&p->conns, &c->plink);
  p->nconns++;
  uv_timer_init(cs->loop, &c->timer);
  c->timer.data = c;
  c->handles = 1;
  cs_handle_opened(cs);
  c->req = r;
  r->conn = c;
  r->state = R_ACTIVE;
  int rc = new_tcp(c);
  if (rc < 0) {
    defer_error(c, "connect", rc);
    return 0;
  }
  uv_timer_start(&c->timer, on_conn_timer, p->e->connect_timeout_ms, 0);
  if (p->have_addr) {
    connect_to(c, (const struct sockaddr *)&p->addr);
    return 0;
  }
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  c->gai.data = c;
  rc = uv_getaddrinfo(cs->loop, &c->gai, on_resolved, p->host, p->portstr, &hints);
  if (rc < 0) {
    defer_error(c, "dns", rc);
    return 0;
  }
  c->gai_pending = 1;
  cs_handle_opened(cs);
  return 0;
}
