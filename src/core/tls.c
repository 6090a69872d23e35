/* The TLS filter: OpenSSL over two memory BIOs, so that libuv keeps doing
 * all socket I/O. Socket bytes go into the read BIO and come out of
 * SSL_read as plaintext for the parser; request bytes go into SSL_write and
 * the write BIO's ciphertext is written with uv_write. The handshake is
 * driven by incoming data (non-blocking), under the connect timeout.
 *
 * Buffers stay bounded: request bytes are encrypted TLS_CHUNK at a time, the
 * next chunk only once the previous ciphertext left the process; received
 * bytes (at most one socket read) are drained by SSL_read at once.
 *
 * Lifetime: filter state is freed by destroy (conn_close); ciphertext in
 * flight lives in its own allocation, freed by its write callback, which
 * libuv runs (with UV_ECANCELED) before the socket's close callback. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/core.h"

#define TLS_CHUNK 16384

struct tls_config {
  link_t link;            /* in engine->tls_configs */
  unsigned id;
  char *key;              /* canonical option string */
  SSL_CTX *ctx;
  int verify;
  char *server_name;      /* NULL: the URL's host */
};

typedef struct tls_conn {
  SSL *ssl;
  BIO *rbio, *wbio;       /* owned by ssl */
  int handshake_done;
  int failed;             /* fatal TLS error: no close_notify */
  unsigned inflight;      /* uv_writes of ours not yet called back */
  req_t *sending;         /* request being encrypted (r->writing is set) */
  size_t sent;            /* bytes of sending->out already encrypted */
} tls_conn_t;

typedef struct tls_write {
  uv_write_t w;
  conn_t *c;
  char data[];
} tls_write_t;

/* ---- options ------------------------------------------------------------ */

static const char *const tls_keys[] = {"verify", "ca_file", "ca_path", "cert_file", "key_file", "server_name", NULL};

void tls_opts_check(lua_State *L, int idx, tls_opts_t *o, const char *who) {
  if (!lua_istable(L, idx)) luaL_error(L, "%s: option 'tls' must be a table", who);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int k = -1;
    if (lua_type(L, -2) == LUA_TSTRING)
      for (int i = 0; tls_keys[i]; i++)
        if (strcmp(lua_tostring(L, -2), tls_keys[i]) == 0) k = i;
    if (k < 0) luaL_error(L, "%s: unknown tls option '%s'", who, luaL_tolstring(L, -2, NULL));
    if (k == 0) {
      if (!lua_isboolean(L, -1)) luaL_error(L, "%s: tls option 'verify' must be a boolean", who);
      o->verify = lua_toboolean(L, -1);
    } else {
      size_t n;
      if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s: tls option '%s' must be a string", who, tls_keys[k]);
      const char *s = lua_tolstring(L, -1, &n);
      if (n == 0 || strlen(s) != n) luaL_error(L, "%s: tls option '%s' must be a non-empty string without NUL", who, tls_keys[k]);
      if (k == 5 && n > 255) luaL_error(L, "%s: tls option 'server_name' is too long", who);
      /* borrowed: the string is referenced by the option table */
      const char **slot[] = {NULL, &o->ca_file, &o->ca_path, &o->cert_file, &o->key_file, &o->server_name};
      *slot[k] = s;
    }
    lua_pop(L, 1);
  }
}

static int dup_str(const char **dst, const char *src) {
  *dst = NULL;
  if (!src) return 0;
  char *d = strdup(src);
  if (!d) return -1;
  *dst = d;
  return 0;
}

int tls_opts_dup(tls_opts_t *dst, const tls_opts_t *src) {
  dst->verify = src->verify;
  int rc = 0;
  rc |= dup_str(&dst->ca_file, src->ca_file);
  rc |= dup_str(&dst->ca_path, src->ca_path);
  rc |= dup_str(&dst->cert_file, src->cert_file);
  rc |= dup_str(&dst->key_file, src->key_file);
  rc |= dup_str(&dst->server_name, src->server_name);
  return rc ? -1 : 0;
}

void tls_opts_free(tls_opts_t *o) {
  free((char *)o->ca_file);
  free((char *)o->ca_path);
  free((char *)o->cert_file);
  free((char *)o->key_file);
  free((char *)o->server_name);
  o->ca_file = o->ca_path = o->cert_file = o->key_file = o->server_name = NULL;
}

/* The most specific reason OpenSSL has queued, then clears the queue (it
 * is per thread and would otherwise leak into the next operation). */
static void ssl_reason_at(char *out, size_t outsz, const char *fallback, int first) {
  unsigned long e = first ? ERR_peek_error() : ERR_peek_last_error();
  const char *r = e ? ERR_reason_error_string(e) : NULL;
#ifdef ERR_SYSTEM_ERROR
  if (e && !r && ERR_SYSTEM_ERROR(e)) r = strerror(ERR_GET_REASON(e)); /* errno, e.g. ENOENT */
#endif
  snprintf(out, outsz, "%s", r ? r : fallback);
  ERR_clear_error();
}

static void ssl_reason(char *out, size_t outsz, const char *fallback) {
  ssl_reason_at(out, outsz, fallback, 0);
}

static void append_key(char *key, size_t keysz, const char *name, const char *v) {
  size_t l = strlen(key);
  if (v) snprintf(key + l, keysz - l, "|%s=%zu:%s", name, strlen(v), v);
}

tls_config_t *tls_config_get(engine_t *e, const tls_opts_t *o, char *err, size_t errsz) {
  int verify = o->verify != 0; /* -1 (not given) means on */
  char key[5 * 4200 + 64];
  snprintf(key, sizeof key, "v=%d", verify);
  append_key(key, sizeof key, "ca", o->ca_file);
  append_key(key, sizeof key, "cap", o->ca_path);
  append_key(key, sizeof key, "cert", o->cert_file);
  append_key(key, sizeof key, "key", o->key_file);
  append_key(key, sizeof key, "sn", o->server_name);
  for (link_t *l = e->tls_configs.next; l != &e->tls_configs; l = l->next) {
    tls_config_t *t = container_of(l, tls_config_t, link);
    if (strcmp(t->key, key) == 0) return t;
  }
  char why[256];
  ERR_clear_error();
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    ssl_reason(why, sizeof why, "out of memory");
    snprintf(err, errsz, "cannot create a TLS context: %s", why);
    return NULL;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  /* a short write must not reject the rest: we hand SSL_write whole chunks
   * and never move the buffer, but be explicit about partial writes */
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
  const char *step = NULL;
  if (o->ca_file || o->ca_path) {
    if (SSL_CTX_load_verify_locations(ctx, o->ca_file, o->ca_path) != 1)
      step = o->ca_file ? (o->ca_path ? "cannot load ca_file/ca_path" : "cannot load ca_file") : "cannot load ca_path";
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    step = "cannot load the system CA store";
  }
  if (!step && (o->cert_file || o->key_file)) {
    if (!o->cert_file)
      step = "key_file needs cert_file";
    else if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1)
      step = "cannot load cert_file";
    else if (SSL_CTX_use_PrivateKey_file(ctx, o->key_file ? o->key_file : o->cert_file, SSL_FILETYPE_PEM) != 1)
      step = "cannot load key_file";
    else if (SSL_CTX_check_private_key(ctx) != 1)
      step = "key_file does not match cert_file";
  }
  tls_config_t *t = NULL;
  if (!step) {
    t = calloc(1, sizeof *t);
    if (t) t->key = strdup(key);
    if (t && o->server_name) t->server_name = strdup(o->server_name);
    if (!t || !t->key || (o->server_name && !t->server_name)) step = "out of memory";
  }
  if (step) {
    /* the first error is the root cause (e.g. the file does not exist) */
    ssl_reason_at(why, sizeof why, "error", 1);
    snprintf(err, errsz, "%s: %s", step, why);
    if (t) {
      free(t->key);
      free(t->server_name);
      free(t);
    }
    SSL_CTX_free(ctx);
    return NULL;
  }
  t->ctx = ctx;
  t->verify = verify;
  t->id = ++e->tls_next_id;
  link_push(&e->tls_configs, &t->link);
  return t;
}

unsigned tls_config_id(const tls_config_t *t) { return t->id; }

/* Connections hold their own reference on the SSL_CTX (SSL_new), so the
 * configs may go with the engine even if a socket is still closing. */
void tls_configs_free(engine_t *e) {
  while (!link_empty(&e->tls_configs)) {
    tls_config_t *t = container_of(e->tls_configs.next, tls_config_t, link);
    link_remove(&t->link);
    SSL_CTX_free(t->ctx);
    free(t->key);
    free(t->server_name);
    free(t);
  }
}

/* ---- writing ciphertext ------------------------------------------------ */

static void tls_pump(conn_t *c);

static void on_tls_write(uv_write_t *w, int status) {
  tls_write_t *tw = (tls_write_t *)w;
  conn_t *c = tw->c;
  free(tw);
  if (c->state == C_CLOSING) return; /* filter state is gone */
  tls_conn_t *t = c->filter_data;
  t->inflight--;
  if (status < 0) {
    conn_on_error(c, status); /* closes c (or retries a stale socket) */
    return;
  }
  tls_pump(c);
}

/* Moves everything the write BIO holds to the socket; 0 or a uv error. */
static int tls_flush(conn_t *c) {
  tls_conn_t *t = c->filter_data;
  size_t n = BIO_ctrl_pending(t->wbio);
  if (n == 0) return 0;
  tls_write_t *tw = malloc(sizeof *tw + n);
  if (!tw) return UV_ENOMEM;
  int got = BIO_read(t->wbio, tw->data, (int)n);
  if (got <= 0) {
    free(tw);
    return 0;
  }
  uv_buf_t buf = uv_buf_init(tw->data, (unsigned)got);
  /* try_write refuses (EAGAIN) while earlier writes are queued: order holds */
  int w = uv_try_write((uv_stream_t *)c->tcp, &buf, 1);
  if (w == got) {
    free(tw);
    return 0;
  }
  if (w < 0 && w != UV_EAGAIN) {
    free(tw);
    return w;
  }
  if (w > 0) buf = uv_buf_init(tw->data + w, (unsigned)(got - w));
  tw->c = c;
  int rc = uv_write(&tw->w, (uv_stream_t *)c->tcp, &buf, 1, on_tls_write);
  if (rc < 0) {
    free(tw);
    return rc;
  }
  t->inflight++;
  return 0;
}

static void tls_fail(conn_t *c, const char *what);

/* Encrypts the next chunk of the request once the previous one is out. */
static int tls_pump_rc(conn_t *c) {
  tls_conn_t *t = c->filter_data;
  while (t->inflight == 0) {
    req_t *r = t->sending;
    if (!r) return 0;
    if (t->sent >= r->out.len) {
      /* done with r: it may be freed now */
      t->sending = NULL;
      r->writing = 0;
      if (r->consumed) req_maybe_free(r);
      continue;
    }
    size_t n = r->out.len - t->sent;
    if (n > TLS_CHUNK) n = TLS_CHUNK;
    ERR_clear_error();
    int w = SSL_write(t->ssl, r->out.data + t->sent, (int)n);
    if (w <= 0) return UV_EPROTO;
    t->sent += (size_t)w;
    int rc = tls_flush(c);
    if (rc < 0) return rc;
  }
  return 0;
}

static void tls_pump(conn_t *c) {
  int rc = tls_pump_rc(c);
  if (rc == UV_EPROTO)
    tls_fail(c, "TLS write failed");
  else if (rc < 0)
    conn_on_error(c, rc);
}

/* ---- the filter --------------------------------------------------------- */

static void tls_destroy(conn_t *c) {
  tls_conn_t *t = c->filter_data;
  if (!t) return;
  c->filter_data = NULL;
  if (t->handshake_done && !t->failed && c->tcp) {
    /* close_notify, best effort: the socket is about to be closed, so only
     * what the kernel takes at once goes out */
    ERR_clear_error();
    SSL_shutdown(t->ssl);
    char buf[256];
    int n = BIO_read(t->wbio, buf, sizeof buf);
    if (n > 0) {
      uv_buf_t b = uv_buf_init(buf, (unsigned)n);
      uv_try_write((uv_stream_t *)c->tcp, &b, 1);
    }
    ERR_clear_error();
  }
  req_t *r = t->sending;
  if (r) {
    r->writing = 0;
    if (r->consumed) req_maybe_free(r);
  }
  SSL_free(t->ssl);
  free(t);
}

/* A handshake or record failure: OpenSSL's reason, with the certificate
 * verification result when that is what failed. */
static void tls_fail(conn_t *c, const char *what) {
  tls_conn_t *t = c->filter_data;
  char why[300];
  ssl_reason(why, sizeof why, "protocol error");
  if (t) {
    t->failed = 1;
    long vr = SSL_get_verify_result(t->ssl);
    if (vr != X509_V_OK && !t->handshake_done) {
      size_t l = strlen(why);
      snprintf(why + l, sizeof why - l, ": %s", X509_verify_cert_error_string(vr));
    }
  }
  conn_failf(c, "tls", "%s with %s failed: %s", what, c->pool->hostport, why);
}

static void tls_on_connect(conn_t *c) {
  tls_config_t *cfg = c->pool->tls;
  tls_conn_t *t = calloc(1, sizeof *t);
  if (!t) {
    conn_failf(c, "connect", "out of memory");
    return;
  }
  c->filter_data = t;
  ERR_clear_error();
  t->ssl = SSL_new(cfg->ctx);
  t->rbio = BIO_new(BIO_s_mem());
  t->wbio = BIO_new(BIO_s_mem());
  if (!t->ssl || !t->rbio || !t->wbio) {
    if (t->rbio) BIO_free(t->rbio);
    if (t->wbio) BIO_free(t->wbio);
    if (t->ssl) SSL_free(t->ssl);
    free(t);
    c->filter_data = NULL;
    conn_failf(c, "tls", "cannot set up TLS for %s: out of memory", c->pool->hostport);
    return;
  }
  SSL_set_bio(t->ssl, t->rbio, t->wbio);
  SSL_set_connect_state(t->ssl);
  const char *name = cfg->server_name ? cfg->server_name : c->pool->host;
  unsigned char addr[16];
  int is_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
  /* SNI carries host names only (RFC 6066 3) */
  if (!is_ip) SSL_set_tlsext_host_name(t->ssl, name);
  if (cfg->verify) {
    int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name)
                   : SSL_set1_host(t->ssl, name);
    if (ok != 1) {
      tls_fail(c, "TLS setup");
      return;
    }
  }
  ERR_clear_error();
  int rc = SSL_do_handshake(t->ssl);
  int flush = tls_flush(c);
  if (rc <= 0 && SSL_get_error(t->ssl, rc) != SSL_ERROR_WANT_READ) {
    tls_fail(c, "TLS handshake");
    return;
  }
  if (flush < 0) conn_on_error(c, flush);
}

static void tls_on_data(conn_t *c, const char *p, size_t n) {
  tls_conn_t *t = c->filter_data;
  if (!t) return;
  if (BIO_write(t->rbio, p, (int)n) != (int)n) {
    conn_failf(c, "tls", "TLS with %s: out of memory", c->pool->hostport);
    return;
  }
  if (!t->handshake_done) {
    ERR_clear_error();
    int rc = SSL_do_handshake(t->ssl);
    int flush = tls_flush(c);
    if (rc <= 0) {
      if (SSL_get_error(t->ssl, rc) != SSL_ERROR_WANT_READ) {
        tls_fail(c, "TLS handshake");
      } else if (flush < 0) {
        conn_on_error(c, flush);
      }
      return;
    }
    if (flush < 0) {
      conn_on_error(c, flush);
      return;
    }
    t->handshake_done = 1;
    uv_timer_stop(&c->timer); /* the connect timeout covered the handshake */
    if (c->req) conn_send_request(c, c->req);
    if (c->state == C_CLOSING) return;
  }
  char buf[TLS_CHUNK];
  for (;;) {
    ERR_clear_error();
    int k = SSL_read(t->ssl, buf, sizeof buf);
    if (k > 0) {
      conn_deliver(c, buf, (size_t)k);
      if (c->state == C_CLOSING) return; /* t is gone */
      continue;
    }
    int e = SSL_get_error(t->ssl, k);
    if (e == SSL_ERROR_WANT_READ) break;
    if (e == SSL_ERROR_ZERO_RETURN) {
      /* close_notify: the same as a TCP EOF (stale-socket retry included) */
      conn_on_error(c, UV_EOF);
      return;
    }
    tls_fail(c, "TLS");
    return;
  }
  /* SSL_read may have produced records to send (key updates, alerts) */
  int flush = tls_flush(c);
  if (flush < 0) conn_on_error(c, flush);
}

static int tls_send(conn_t *c, const char *p, size_t n) {
  (void)p;
  (void)n;
  tls_conn_t *t = c->filter_data;
  req_t *r = c->req;
  if (!t || !t->handshake_done || !r) return UV_EPROTO;
  /* the bytes are r->out, encrypted chunk by chunk; r must outlive that */
  /* conn_complete never reuses a socket whose request is still being sent */
  if (t->sending) return UV_EBUSY;
  r->writing = 1;
  t->sending = r;
  t->sent = 0;
  return tls_pump_rc(c);
}

const filter_t tls_filter = {
    "tls", tls_on_connect, tls_on_data, tls_send, tls_destroy,
};
