/* Per-host keep-alive pools: a FIFO queue of requests and at most
 * max_connections sockets per host; idle sockets are reused FIFO. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

pool_t *pool_get(engine_t *e, tls_config_t *tls, const char *host, int port) {
  char key[340];
  int v6 = strchr(host, ':') != NULL;
  int kl = snprintf(key, sizeof key, v6 ? "%s://[%s]:%d" : "%s://%s:%d", tls ? "https" : "http", host, port);
  size_t hp_len = strlen(strstr(key, "://") + 3);
  /* sockets verified with different TLS options must not be shared */
  if (tls) snprintf(key + kl, sizeof key - (size_t)kl, "#tls%u", tls_config_id(tls));
  for (link_t *l = e->pools.next; l != &e->pools; l = l->next) {
    pool_t *p = container_of(l, pool_t, link);
    if (strcmp(p->key, key) == 0) return p;
  }
  pool_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->e = e;
  p->tls = tls;
  p->key = strdup(key);
  p->host = strdup(host);
  p->hostport = strndup(strstr(key, "://") + 3, hp_len);
  if (!p->key || !p->host || !p->hostport) {
    free(p->key);
    free(p->host);
    free(p->hostport);
    free(p);
    return NULL;
  }
  snprintf(p->portstr, sizeof p->portstr, "%d", port);
  /* A literal address skips the resolver (and its thread pool) entirely. */
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)&p->addr) == 0 ||
      uv_ip6_addr(host, port, (struct sockaddr_in6 *)&p->addr) == 0)
    p->have_addr = 1;
  link_init(&p->conns);
  link_init(&p->idle);
  link_init(&p->queue);
  link_push(&e->pools, &p->link);
  return p;
}

void pool_submit(pool_t *p, req_t *r) {
  r->state = R_QUEUED;
  link_push(&p->queue, &r->qlink);
  pool_dispatch(p);
}

/* A request whose reused socket turned out to be closed by the server goes
 * back to the head of the queue, and may only use a fresh connection. */
void pool_requeue_front(pool_t *p, req_t *r) {
  r->state = R_QUEUED;
  r->retried = 1;
  r->fresh_only = 1;
  link_push_front(&p->queue, &r->qlink);
}

/* Hands queued requests to idle sockets, opening new ones up to the limit.
 * Never completes a request synchronously (errors are deferred to a timer
 * callback), so callers may keep using their state afterwards. */
void pool_dispatch(pool_t *p) {
  if (p->e->closed) return;
  while (!link_empty(&p->queue)) {
    req_t *r = container_of(p->queue.next, req_t, qlink);
    if (!r->fresh_only && !link_empty(&p->idle)) {
      conn_t *c = container_of(p->idle.next, conn_t, ilink);
      link_remove(&c->ilink);
      uv_timer_stop(&c->timer);
      conn_set_ref(c, 1);
      link_remove(&r->qlink);
      conn_send_request(c, r);
    } else if (p->nconns < p->e->max_conns) {
      link_remove(&r->qlink);
      if (conn_open(p, r) < 0) {
        link_push_front(&p->queue, &r->qlink);
        break;
      }
    } else if (r->fresh_only && !link_empty(&p->idle)) {
      /* make room for the fresh connection: drop the longest idle one */
      conn_close(container_of(p->idle.next, conn_t, ilink));
    } else {
      break;
    }
  }
}

static void on_idle_timeout(uv_timer_t *t) {
  conn_t *c = t->data;
  if (c->state == C_IDLE) conn_close(c);
}

/* A connection finished a response and may be reused. */
void pool_conn_available(conn_t *c) {
  pool_t *p = c->pool;
  c->state = C_IDLE;
  link_push(&p->idle, &c->ilink);
  if (!link_empty(&p->queue)) pool_dispatch(p);
  if (c->state == C_IDLE) {
    uv_timer_start(&c->timer, on_idle_timeout, p->e->idle_timeout_ms, 0);
    /* An idle keep-alive socket must not keep uv.run() from returning once
     * the program's own work is done (Node's agents do the same). */
    conn_set_ref(c, 0);
  }
}

/* Pools (and their hostport strings, which results refer to) live as long
 * as the Lua object does, so a closed engine's waiters can still report. */
static int pool_free_if_done(pool_t *p) {
  if (!link_empty(&p->conns) || !link_empty(&p->queue)) return 0;
  link_remove(&p->link);
  free(p->key);
  free(p->host);
  free(p->hostport);
  free(p);
  return 1;
}

void engine_maybe_free(engine_t *e) {
  if (!e->closed || e->has_udata) return;
  for (link_t *l = e->pools.next, *next; l != &e->pools; l = next) {
    next = l->next;
    pool_free_if_done(container_of(l, pool_t, link));
  }
  if (!link_empty(&e->pools)) return;
  link_remove(&e->link);
  tls_configs_free(e);
  tls_opts_free(&e->tls_defaults);
  free(e);
}

void pool_maybe_free(pool_t *p) { engine_maybe_free(p->e); }

/* Closes every socket and settles every request with kind "closed". With
 * resume = 0 (finaliser, lua_close) waiters are dropped without resuming. */
void engine_close(engine_t *e, int resume) {
  if (e->closed) return;
  e->closed = 1;
  link_t settle;
  link_init(&settle);
  for (link_t *l = e->pools.next; l != &e->pools; l = l->next) {
    pool_t *p = container_of(l, pool_t, link);
    while (!link_empty(&p->queue)) {
      link_t *q = p->queue.next;
      link_remove(q);
      link_push(&settle, q);
    }
    for (link_t *cl = p->conns.next; cl != &p->conns; cl = cl->next) {
      conn_t *c = container_of(cl, conn_t, plink);
      if (c->req) {
        req_t *r = c->req;
        c->req = NULL;
        r->conn = NULL;
        link_push(&settle, &r->qlink);
      }
      conn_close(c);
    }
  }
  /* Settle last: resumed coroutines may do anything, including requests
   * on this (now closed) engine. */
  while (!link_empty(&settle)) {
    req_t *r = container_of(settle.next, req_t, qlink);
    link_remove(&r->qlink);
    if (resume)
      req_fail(r, "closed", "http object was closed while the request was in progress");
    else
      req_orphan(r);
  }
}
