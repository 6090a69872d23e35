/*
 * libFuzzer harness for arango.core's HTTP/1.1 response parser (built and run
 * by scripts/fuzz.sh http).
 *
 * The bytes go through the very code the core runs on a socket: parser_start,
 * parse_input (llhttp with the core's callbacks), parse_eof and
 * resp_decode_body from src/core/http_parse.c, with a conn_t/req_t set up the
 * way conn_send_request leaves them. Only the socket is missing.
 *
 * Input layout: byte 0 holds flags (bit 0: HEAD request, bit 1: decompress,
 * bit 2: small max_body_size, bit 3: end with EOF), byte 1 the size of the
 * pieces the rest is delivered in (like reads of a socket), then the response.
 *
 * Checked after every piece: the limits the parser promises (body within
 * max_body_size, header count and bytes capped, header spans inside the
 * header buffer, 1xx count capped), that an error always comes with a message,
 * and that a finished response stays finished. The sanitizers catch the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Mirrors of the parser's caps (src/core/http_parse.c). */
#define FUZZ_MAX_HEADER_BYTES (1024 * 1024)
#define FUZZ_MAX_HEADERS 1000
#define FUZZ_MAX_INFORMATIONAL 64

static engine_t engine;
static pool_t pool;
static conn_t conn; /* large (it holds the read buffer): static, not on the stack */
static req_t req;

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "http_fuzz: invariant violated: %s\n", what);
    abort();
  }
}

static void check_resp(const req_t *r) {
  const resp_t *resp = &r->resp;
  check(resp->body.len <= r->max_body || r->decompress, "body within max_body_size");
  check(resp->hdrbuf.len <= FUZZ_MAX_HEADER_BYTES, "header bytes capped");
  check(resp->nhdrs <= FUZZ_MAX_HEADERS, "header count capped");
  check(resp->nhdrs <= resp->caphdrs, "header index inside its allocation");
  check(resp->n_informational <= FUZZ_MAX_INFORMATIONAL + 1, "1xx responses capped");
  for (size_t i = 0; i < resp->nhdrs; i++) {
    const hdr_t *h = &resp->hdrs[i];
    check(h->name_off + h->name_len <= resp->hdrbuf.len, "header name inside the buffer");
    check(h->val_off + h->val_len <= resp->hdrbuf.len, "header value inside the buffer");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  uint8_t flags = data[0];
  size_t piece = data[1] ? data[1] : 4096;
  data += 2;
  size -= 2;

  memset(&engine, 0, sizeof engine);
  memset(&pool, 0, sizeof pool);
  memset(&req, 0, sizeof req);
  memset(&conn, 0, sizeof conn);
  pool.e = &engine;
  pool.hostport = (char *)"127.0.0.1:8529";
  conn.pool = &pool;
  conn.state = C_ACTIVE;
  req.e = &engine;
  req.pool = &pool;
  req.is_head = flags & 1;
  req.decompress = (flags >> 1) & 1;
  req.max_body = (flags & 4) ? 64 : 512u * 1024 * 1024;
  req.state = R_ACTIVE;
  /* as conn_send_request does */
  conn.req = &req;
  req.conn = &conn;
  resp_reset(&req.resp);
  parser_start(&conn);

  char err[400];
  int rc = PARSE_MORE;
  size_t off = 0;
  while (off < size && rc == PARSE_MORE) {
    size_t n = size - off < piece ? size - off : piece;
    err[0] = 0;
    rc = parse_input(&conn, (const char *)data + off, n, err, sizeof err);
    off += n;
    check_resp(&req);
    if (rc == PARSE_ERROR) check(err[0] != 0, "a parse error has a message");
  }
  if (rc == PARSE_MORE && (flags & 8)) {
    err[0] = 0;
    rc = parse_eof(&conn, err, sizeof err);
    if (rc == PARSE_ERROR) check(err[0] != 0, "an EOF error has a message");
    check_resp(&req);
  }
  if (rc == PARSE_DONE) {
    check(req.resp.complete, "a finished response is complete");
    check(req.resp.status >= 0 && req.resp.status <= 999, "status code in range");
    err[0] = 0;
    if (resp_decode_body(&req, err, sizeof err) < 0)
      check(err[0] != 0, "a decoding error has a message");
    else
      check(req.resp.body.len <= req.max_body, "decoded body within max_body_size");
  }
  resp_free(&req.resp);
  return 0;
}
