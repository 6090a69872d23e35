/* Growable byte buffer: see buffer.h for why it never raises. */
#include "core/buffer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_reserve(buffer_t *b, size_t extra) {
  if (extra <= b->cap - b->len) return 0;
  if (extra > SIZE_MAX / 2 - b->len) return -1;
  size_t need = b->len + extra;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int buf_append(buffer_t *b, const void *p, size_t n) {
  if (n == 0) return 0;
  if (buf_reserve(b, n)) return -1;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

int buf_append_str(buffer_t *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_append_uint(buffer_t *b, unsigned long long v) {
  char tmp[24];
  int n = snprintf(tmp, sizeof tmp, "%llu", v);
  return buf_append(b, tmp, (size_t)n);
}

void buf_free(buffer_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
