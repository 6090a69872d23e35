/* Growable byte buffer used for request bytes, response headers and bodies.
 * Every append is bounds-checked and reports allocation failure instead of
 * aborting, because it runs inside libuv callbacks where we may not raise. */
#ifndef ARANGO_CORE_BUFFER_H
#define ARANGO_CORE_BUFFER_H

#include <stddef.h>

typedef struct buffer {
  char *data;
  size_t len;
  size_t cap;
} buffer_t;

/* Makes room for `extra` more bytes; 0 on success, -1 when out of memory. */
int buf_reserve(buffer_t *b, size_t extra);
int buf_append(buffer_t *b, const void *p, size_t n);
int buf_append_str(buffer_t *b, const char *s);
/* Appends a decimal unsigned number (Content-Length, ports). */
int buf_append_uint(buffer_t *b, unsigned long long v);
void buf_free(buffer_t *b);

static inline void buf_reset(buffer_t *b) { b->len = 0; }

#endif
