/* HTTP/1.1 response parsing with llhttp, and body decoding with zlib.
 * The parser state lives in the connection (it is HTTP/1 framing); what it
 * extracts goes into the request's resp_t. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "core/core.h"

/* Limits that keep a hostile or broken peer from growing our buffers. */
#define MAX_HEADER_BYTES (1024 * 1024)
#define MAX_REASON_BYTES 1024
/* Each header costs a hdr_t beside its bytes: cap the count too, so that
 * a megabyte of one-letter headers cannot cost 32 MB of index. */
#define MAX_HEADERS 1000
/* A peer may send 1xx responses before the final one; an endless stream of
 * them would otherwise keep the request alive forever. */
#define MAX_INFORMATIONAL 64

static req_t *parser_req(llhttp_t *p) { return ((conn_t *)p->data)->req; }

static int stop(llhttp_t *p, const char *why) {
  resp_t *resp = &parser_req(p)->resp;
  resp->cb_error = why;
  llhttp_set_error_reason(p, why);
  return HPE_USER;
}

static int on_message_begin(llhttp_t *p) {
  resp_t *resp = &parser_req(p)->resp;
  if (resp->complete) {
    /* a second message we did not ask for: the socket cannot be reused */
    resp->extra = 1;
    return stop(p, "unexpected data after the response");
  }
  return 0;
}

static int on_status(llhttp_t *p, const char *at, size_t n) {
  resp_t *resp = &parser_req(p)->resp;
  if (resp->reason.len + n > MAX_REASON_BYTES) return stop(p, "status line too long");
  if (buf_append(&resp->reason, at, n)) return stop(p, "out of memory");
  return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t n) {
  resp_t *resp = &parser_req(p)->resp;
  if (resp->hdrbuf.len + n > MAX_HEADER_BYTES) return stop(p, "response headers too large");
  if (resp->need_new) {
    if (resp->nhdrs >= MAX_HEADERS) return stop(p, "too many response headers");
    if (resp->nhdrs == resp->caphdrs) {
      size_t cap = resp->caphdrs ? resp->caphdrs * 2 : 16;
      hdr_t *h = realloc(resp->hdrs, cap * sizeof *h);
      if (!h) return stop(p, "out of memory");
      resp->hdrs = h;
      resp->caphdrs = cap;
    }
    hdr_t *h = &resp->hdrs[resp->nhdrs++];
    h->name_off = h->val_off = resp->hdrbuf.len;
    h->name_len = h->val_len = 0;
    resp->need_new = 0;
  }
  if (buf_append(&resp->hdrbuf, at, n)) return stop(p, "out of memory");
  resp->hdrs[resp->nhdrs - 1].name_len += n;
  return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t n) {
  resp_t *resp = &parser_req(p)->resp;
  if (resp->nhdrs == 0) return 0;
  if (resp->hdrbuf.len + n > MAX_HEADER_BYTES) return stop(p, "response headers too large");
  hdr_t *h = &resp->hdrs[resp->nhdrs - 1];
  if (h->val_len == 0) h->val_off = resp->hdrbuf.len;
  if (buf_append(&resp->hdrbuf, at, n)) return stop(p, "out of memory");
  h->val_len += n;
  return 0;
}

static int on_header_value_complete(llhttp_t *p) {
  parser_req(p)->resp.need_new = 1;
  return 0;
}

static int on_headers_complete(llhttp_t *p) {
  req_t *r = parser_req(p);
  resp_t *resp = &r->resp;
  resp->status = p->status_code;
  if (resp->status >= 100 && resp->status < 200 && resp->status != 101) {
    resp->informational = 1;
    return 1;
  }
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > (uint64_t)r->max_body) {
    resp->cb_error = "response body exceeds max_body_size";
    return -1;
  }
  /* The parser cannot know the request method: a HEAD response has no body.
   * 204 and 304 never have one either, whatever Content-Length says (llhttp
   * only knows that when the length is absent). */
  return (r->is_head || resp->status == 204 || resp->status == 304) ? 1 : 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
  req_t *r = parser_req(p);
  resp_t *resp = &r->resp;
  if (n > r->max_body - resp->body.len) return stop(p, "response body exceeds max_body_size");
  if (buf_append(&resp->body, at, n)) return stop(p, "out of memory");
  return 0;
}

static int on_message_complete(llhttp_t *p) {
  resp_t *resp = &parser_req(p)->resp;
  if (resp->informational) {
    /* 100 Continue and friends: forget them, the final response follows */
    unsigned seen = resp->n_informational + 1;
    resp_reset(resp);
    resp->n_informational = seen;
    if (seen > MAX_INFORMATIONAL) return stop(p, "too many 1xx responses before the final one");
    return 0;
  }
  resp->complete = 1;
  resp->keep_alive = llhttp_should_keep_alive(p);
  return 0;
}

static llhttp_settings_t settings;
static int settings_ready;

void parser_start(conn_t *c) {
  if (!settings_ready) {
    llhttp_settings_init(&settings);
    settings.on_message_begin = on_message_begin;
    settings.on_status = on_status;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_header_value_complete = on_header_value_complete;
    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
    settings_ready = 1;
  }
  llhttp_init(&c->parser, HTTP_RESPONSE, &settings);
  c->parser.data = c;
}

void resp_reset(resp_t *resp) {
  resp->status = 0;
  buf_reset(&resp->reason);
  buf_reset(&resp->hdrbuf);
  buf_reset(&resp->body);
  resp->nhdrs = 0;
  resp->need_new = 1;
  resp->complete = resp->keep_alive = resp->informational = resp->extra = 0;
  resp->n_informational = 0;
  resp->cb_error = NULL;
}

void resp_free(resp_t *resp) {
  buf_free(&resp->reason);
  buf_free(&resp->hdrbuf);
  buf_free(&resp->body);
  free(resp->hdrs);
  resp->hdrs = NULL;
  resp->nhdrs = resp->caphdrs = 0;
}

/* Quotes up to 40 bytes around the error position, escaping control bytes,
 * so that "garbage" responses can be recognised in the error message. */
static void quote_bytes(char *out, size_t outsz, const char *p, size_t n, const char *pos) {
  const char *start = p;
  if (pos && pos >= p && pos <= p + n) start = pos - p > 8 ? pos - 8 : p;
  const char *end = start + 40 < p + n ? start + 40 : p + n;
  size_t o = 0;
  for (const char *q = start; q < end && o + 5 < outsz; q++) {
    unsigned char ch = (unsigned char)*q;
    if (ch == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
    else if (ch == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
    else if (ch == '"' || ch == '\\') { out[o++] = '\\'; out[o++] = (char)ch; }
    else if (ch < 0x20 || ch >= 0x7f) o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", ch);
    else out[o++] = (char)ch;
  }
  out[o] = 0;
}

int parse_input(conn_t *c, const char *p, size_t n, char *err, size_t errsz) {
  req_t *r = c->req;
  r->got_bytes = 1;
  llhttp_errno_t rc = llhttp_execute(&c->parser, p, n);
  if (r->resp.complete) return PARSE_DONE; /* anything after it only marks `extra` */
  if (rc == HPE_OK) return PARSE_MORE;
  if (r->resp.cb_error) {
    snprintf(err, errsz, "invalid response from %s: %s", c->pool->hostport, r->resp.cb_error);
  } else {
    char near[200];
    quote_bytes(near, sizeof near, p, n, llhttp_get_error_pos(&c->parser));
    snprintf(err, errsz, "invalid response from %s: %s (%s) near \"%s\"", c->pool->hostport,
             llhttp_get_error_reason(&c->parser), llhttp_errno_name(rc), near);
  }
  return PARSE_ERROR;
}

int parse_eof(conn_t *c, char *err, size_t errsz) {
  req_t *r = c->req;
  llhttp_errno_t rc = llhttp_finish(&c->parser);
  if (r->resp.complete) {
    r->resp.keep_alive = 0;
    return PARSE_DONE;
  }
  snprintf(err, errsz, "connection to %s closed by the peer in the middle of the response (%s)",
           c->pool->hostport, rc == HPE_OK ? "incomplete message" : llhttp_errno_name(rc));
  return PARSE_ERROR;
}

/* ---- Content-Encoding ---------------------------------------------------- */

static int run_inflate(const char *in, size_t n, int window, size_t max_out, buffer_t *out,
                       const char **err) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, window) != Z_OK) {
    *err = "zlib initialisation failed";
    return -1;
  }
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.avail_in = 0;
  size_t left = n;
  int zr = Z_OK;
  buf_reset(out);
  while (zr != Z_STREAM_END) {
    if (zs.avail_in == 0 && left > 0) {
      uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
      zs.avail_in = chunk;
      left -= chunk;
    }
    size_t room = out->len < 16384 ? 16384 : out->len;
    if (buf_reserve(out, room)) {
      *err = "out of memory";
      inflateEnd(&zs);
      return -1;
    }
    zs.next_out = (Bytef *)out->data + out->len;
    zs.avail_out = (uInt)(out->cap - out->len > (1u << 30) ? (1u << 30) : out->cap - out->len);
    uInt before = zs.avail_out;
    zr = inflate(&zs, Z_NO_FLUSH);
    out->len += before - zs.avail_out;
    if (out->len > max_out) {
      *err = "decoded body exceeds max_body_size";
      inflateEnd(&zs);
      return -1;
    }
    if (zr == Z_STREAM_END) break;
    if (zr != Z_OK && !(zr == Z_BUF_ERROR && zs.avail_out == 0)) {
      *err = zr == Z_BUF_ERROR ? "truncated compressed data" : "invalid compressed data";
      inflateEnd(&zs);
      return zr == Z_DATA_ERROR && zs.total_out == 0 ? -2 : -1;
    }
    if (zr == Z_BUF_ERROR && zs.avail_in == 0 && left == 0) {
      *err = "truncated compressed data";
      inflateEnd(&zs);
      return -1;
    }
  }
  inflateEnd(&zs);
  return 0;
}

int zlib_inflate_all(const char *in, size_t n, size_t max_out, buffer_t *out, const char **err) {
  int rc = run_inflate(in, n, 15 + 32, max_out, out, err); /* gzip or zlib header */
  /* Some servers send "deflate" as a raw stream without the zlib header. */
  if (rc == -2) rc = run_inflate(in, n, -15, max_out, out, err);
  return rc < 0 ? -1 : 0;
}

int resp_decode_body(req_t *r, char *err, size_t errsz) {
  resp_t *resp = &r->resp;
  if (!r->decompress || resp->body.len == 0) return 0;
  const char *enc = NULL;
  size_t el = 0;
  for (size_t i = 0; i < resp->nhdrs; i++) {
    hdr_t *h = &resp->hdrs[i];
    if (h->name_len == 16 && strncasecmp(resp->hdrbuf.data + h->name_off, "content-encoding", 16) == 0) {
      enc = resp->hdrbuf.data + h->val_off;
      el = h->val_len;
    }
  }
  if (!enc) return 0;
  while (el > 0 && (enc[el - 1] == ' ' || enc[el - 1] == '\t')) el--;
  int known = (el == 4 && strncasecmp(enc, "gzip", 4) == 0) || (el == 6 && strncasecmp(enc, "x-gzip", 6) == 0) ||
              (el == 7 && strncasecmp(enc, "deflate", 7) == 0);
  if (!known) return 0; /* identity, or something we never asked for: leave it */
  buffer_t out = {0};
  const char *why = NULL;
  if (zlib_inflate_all(resp->body.data, resp->body.len, r->max_body, &out, &why) < 0) {
    buf_free(&out);
    snprintf(err, errsz, "cannot decode %.*s body from %s: %s", (int)el, enc, r->pool->hostport, why);
    return -1;
  }
  buf_free(&resp->body);
  resp->body = out;
  return 0;
}
