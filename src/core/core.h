/* Internal structures of arango.core, shared by its source files.
 *
 * Layering (each layer only talks to its neighbours):
 *   Lua API (module.c, request.c)  -> builds a req_t, waits on it (loop.c)
 *   pool (pool.c)                  -> per-host queue of req_t, keep-alive conns
 *   connection (conn.c)            -> one TCP socket, its timer and a filter
 *   filter (conn.c: plaintext)     -> socket bytes <-> plaintext bytes (TLS later)
 *   parser (http_parse.c)          -> llhttp fills the req_t's response state
 * Request/response state (req_t/resp_t) is kept apart from the connection
 * (conn_t) so that a multiplexing protocol (HTTP/2) can later attach several
 * requests to one connection.
 *
 * Memory rule: a struct that owns a uv handle is freed only after that
 * handle's close callback ran; every handle we open is counted in
 * core_state.open_handles so that the exit sentinel can wait for them. */
#ifndef ARANGO_CORE_H
#define ARANGO_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>
#include <lauxlib.h>
#include <uv.h>

#include "llhttp.h"
#include "core/buffer.h"

#define CORE_EXPORT __attribute__((visibility("default")))
/* Registry field holding the function set by core.on_coroutine_error. */
#define CORE_ERROR_HANDLER_KEY "arango.core.coroutine_error_handler"

/* ---- intrusive doubly linked list ------------------------------------ */
typedef struct link {
  struct link *prev, *next;
} link_t;

static inline void link_init(link_t *l) { l->prev = l->next = l; }
static inline int link_empty(const link_t *l) { return l->next == l; }
static inline void link_push(link_t *head, link_t *l) {
  l->prev = head->prev;
  l->next = head;
  head->prev->next = l;
  head->prev = l;
}
static inline void link_push_front(link_t *head, link_t *l) {
  l->next = head->next;
  l->prev = head;
  head->next->prev = l;
  head->next = l;
}
static inline void link_remove(link_t *l) {
  l->prev->next = l->next;
  l->next->prev = l->prev;
  link_init(l);
}
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

typedef struct core_state core_state_t;
typedef struct engine engine_t;
typedef struct pool pool_t;
typedef struct conn conn_t;
typedef struct req req_t;
typedef struct tls_config tls_config_t;

/* TLS options as given (core.http{tls=...} and/or request{tls=...}). The
 * strings are owned by whoever filled the struct (see tls.c). */
typedef struct tls_opts {
  int verify;             /* -1: not given (default true) */
  const char *ca_file, *ca_path, *cert_file, *key_file, *server_name;
} tls_opts_t;

/* One per lua_State that loaded the module; lives in the registry. Its
 * __gc (the sentinel) closes our handles before luv tears the loop down. */
struct core_state {
  uv_loop_t *loop;
  lua_State *main;       /* main thread: resumes are done "from" it */
  link_t engines;        /* all engine_t, open or closing */
  size_t open_handles;   /* our handles/requests whose callbacks are pending */
  int shutting_down;     /* set by the sentinel: nothing resumes any more */
};

/* What core.http{} returns (the Lua userdata points at it). */
struct engine {
  core_state_t *cs;
  link_t link;            /* in cs->engines */
  link_t pools;           /* pool_t by host */
  int max_conns;
  uint64_t idle_timeout_ms;
  uint64_t connect_timeout_ms;
  uint64_t timeout_ms;    /* default per-request deadline, 0 = none */
  size_t max_body;
  int closed;
  int has_udata;          /* the Lua object still exists */
  tls_opts_t tls_defaults; /* core.http{tls=...}; strings malloc'd */
  link_t tls_configs;     /* tls_config_t: one SSL_CTX per distinct option set */
  unsigned tls_next_id;
};

/* Per host:port keep-alive pool. */
struct pool {
  engine_t *e;
  tls_config_t *tls;      /* NULL: plaintext */
  link_t link;            /* in e->pools */
  char *key;              /* "http://host:port" (+ TLS config id), pool lookup */
  char *host;             /* host name or address, no brackets */
  char *hostport;         /* "host:port": Host header and error reports */
  char portstr[8];
  int have_addr;          /* host was a literal address: no DNS needed */
  struct sockaddr_storage addr;
  int nconns;             /* connections connecting/active/idle (not closing) */
  link_t conns;           /* every conn_t not yet freed */
  link_t idle;            /* idle conns, FIFO: the longest idle is reused first */
  link_t queue;           /* req_t waiting for a connection, FIFO */
};

/* The filter seam: bytes from the socket go through filter->on_data before
 * they reach the parser; plaintext to send goes through filter->send. A TLS
 * filter (OpenSSL memory BIOs) slots in here without touching pool/parser. */
typedef struct filter {
  const char *name;
  /* socket connected: plaintext is ready at once, TLS would handshake */
  void (*on_connect)(conn_t *c);
  /* raw bytes arrived from the socket */
  void (*on_data)(conn_t *c, const char *p, size_t n);
  /* send plaintext; returns 0 or a uv error code */
  int (*send)(conn_t *c, const char *p, size_t n);
  /* release filter state (called when the conn closes) */
  void (*destroy)(conn_t *c);
} filter_t;

enum conn_state { C_CONNECTING, C_ACTIVE, C_IDLE, C_CLOSING };

#define CONN_RBUF 65536

struct conn {
  pool_t *pool;
  link_t plink;           /* in pool->conns */
  link_t ilink;           /* in pool->idle while idle */
  enum conn_state state;
  uv_tcp_t *tcp;          /* separate allocation: replaced when trying the next address */
  uv_timer_t timer;       /* connect timeout, idle timeout, deferred errors */
  uv_getaddrinfo_t gai;
  uv_connect_t creq;
  uv_write_t wreq;
  int handles;            /* our open handles (tcp + timer), freed at 0 */
  int gai_pending;
  struct addrinfo *ai, *ai_next; /* resolved addresses still to try */
  int deferred_err;       /* uv error to report from the timer (never inline) */
  const char *deferred_kind;
  const filter_t *filter;
  void *filter_data;
  llhttp_t parser;
  req_t *req;             /* the exchange in progress */
  req_t *writing_req;     /* req whose bytes a pending uv_write references */
  unsigned long served;   /* responses completed: >0 means a reused socket */
  char rbuf[CONN_RBUF];
};

typedef struct hdr {
  size_t name_off, name_len, val_off, val_len;
} hdr_t;

/* Response state of one exchange (kept out of conn_t on purpose). */
typedef struct resp {
  int status;
  buffer_t reason;
  buffer_t hdrbuf;        /* header names and values back to back */
  hdr_t *hdrs;
  size_t nhdrs, caphdrs;
  int in_value;           /* last header callback was a value */
  buffer_t body;
  int complete;
  int keep_alive;         /* llhttp's verdict when the message completed */
  int need_new;           /* next header name starts a new entry */
  int informational;      /* 1xx: discarded, the real response follows */
  unsigned n_informational; /* 1xx responses skipped so far (capped) */
  int extra;              /* bytes followed the response: socket not reusable */
  const char *cb_error;   /* why a callback stopped the parser */
} resp_t;

enum req_state { R_NEW, R_QUEUED, R_ACTIVE, R_DONE };

struct req {
  core_state_t *cs;       /* outlives the engine: timer close callbacks use it */
  engine_t *e;
  pool_t *pool;
  conn_t *conn;
  link_t qlink;           /* in pool->queue (or a local list while closing) */
  enum req_state state;
  buffer_t out;           /* serialized request */
  unsigned is_head : 1, decompress : 1, retried : 1, fresh_only : 1;
  unsigned writing : 1, timer_open : 1, consumed : 1, got_bytes : 1;
  unsigned done : 1, orphan : 1;
  uint64_t timeout_ms;
  size_t max_body;
  uv_timer_t timer;       /* per-request deadline (only when timeout_ms > 0) */
  /* waiter: a coroutine (co != NULL, anchored by co_ref) or a blocking caller */
  lua_State *co;
  int co_ref;
  /* outcome */
  const char *err_kind;
  char *err_msg;
  resp_t resp;
};

/* module.c */
core_state_t *core_state(lua_State *L);
void cs_handle_opened(core_state_t *cs);
void cs_handle_closed(core_state_t *cs);

/* loop.c: waiting for and waking up requests */
int req_wait(lua_State *L, req_t *r);
void req_complete(req_t *r);
void req_maybe_free(req_t *r);

/* request.c */
int l_http_request(lua_State *L);
void req_succeed(req_t *r);
void req_fail(req_t *r, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void req_orphan(req_t *r);
/* Pushes res or nil, err for a finished request and releases it. */
int req_push_result(lua_State *L, req_t *r);
void push_error(lua_State *L, const char *kind, const char *msg, const char *host);

/* pool.c */
pool_t *pool_get(engine_t *e, tls_config_t *tls, const char *host, int port);
void pool_submit(pool_t *p, req_t *r);
void pool_requeue_front(pool_t *p, req_t *r);
void pool_dispatch(pool_t *p);
void pool_conn_available(conn_t *c);
void pool_maybe_free(pool_t *p);
void engine_close(engine_t *e, int resume);
void engine_maybe_free(engine_t *e);

/* conn.c */
int conn_open(pool_t *p, req_t *r); /* -1: out of memory, r not taken */
void conn_send_request(conn_t *c, req_t *r);
void conn_close(conn_t *c);
void conn_set_ref(conn_t *c, int ref); /* 0: an idle socket does not keep the loop alive */
void conn_deliver(conn_t *c, const char *p, size_t n);
/* EOF, reset or write failure (stale-socket retry included); from callbacks only. */
void conn_on_error(conn_t *c, int err);
/* Detach and settle the request with an error, close c; from callbacks only. */
void conn_failf(conn_t *c, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* tls.c: the OpenSSL filter and its per-engine SSL_CTX cache */
extern const filter_t tls_filter;
/* Reads a tls option table at index idx into o (strings borrowed from Lua);
 * raises on unknown keys or bad types. */
void tls_opts_check(lua_State *L, int idx, tls_opts_t *o, const char *who);
/* Copies the strings of src into dst (malloc'd); -1 on out of memory. */
int tls_opts_dup(tls_opts_t *dst, const tls_opts_t *src);
void tls_opts_free(tls_opts_t *o);
/* The engine's config for these options (created on first use); NULL with
 * a message in err when the SSL_CTX cannot be set up (bad CA file ...). */
tls_config_t *tls_config_get(engine_t *e, const tls_opts_t *o, char *err, size_t errsz);
unsigned tls_config_id(const tls_config_t *t);
void tls_configs_free(engine_t *e);

/* http_parse.c: llhttp fills r->resp; it never settles anything itself. */
enum { PARSE_MORE = 0, PARSE_DONE = 1, PARSE_ERROR = -1 };
void parser_start(conn_t *c);
void resp_reset(resp_t *resp);
void resp_free(resp_t *resp);
/* Feeds plaintext to the parser. PARSE_ERROR leaves a message in err. */
int parse_input(conn_t *c, const char *p, size_t n, char *err, size_t errsz);
/* EOF from the peer mid-response: PARSE_DONE when it ended a
 * read-until-close body, PARSE_ERROR otherwise. */
int parse_eof(conn_t *c, char *err, size_t errsz);
/* Decodes gzip/deflate bodies when the request asked; 0 or -1 with err. */
int resp_decode_body(req_t *r, char *err, size_t errsz);
/* zlib inflate of a gzip or zlib stream (raw deflate as a fallback). */
int zlib_inflate_all(const char *in, size_t n, size_t max_out, buffer_t *out, const char **err);

/* crypto.c */
void crypto_register(lua_State *L);

#endif
