/*
 * arango.json: numbers to text and back, exactly and independent of the C locale.
 *
 * printf/strtod follow LC_NUMERIC, which a Lua program can change with
 * os.setlocale (a ',' decimal separator would corrupt the JSON). Printing
 * therefore checks the round trip in the current locale and then rewrites the
 * separator to '.'; parsing rewrites '.' to the locale's separator first.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

static const char digit_pairs[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* Writes u in decimal, right-aligned ending at `end`; returns the start. Two
 * digits per division: integers are most of the numbers in a typical batch. */
static char *utoa_rev(char *end, uint64_t u) {
  char *p = end;
  while (u >= 100) {
    unsigned r = (unsigned)(u % 100);
    u /= 100;
    p -= 2;
    p[0] = digit_pairs[2 * r];
    p[1] = digit_pairs[2 * r + 1];
  }
  if (u >= 10) {
    p -= 2;
    p[0] = digit_pairs[2 * u];
    p[1] = digit_pairs[2 * u + 1];
  } else {
    *--p = (char)('0' + u);
  }
  return p;
}

size_t json_format_int(char *out, int64_t v) {
  char tmp[24];
  char *end = tmp + sizeof tmp;
  /* Negate in unsigned arithmetic: -INT64_MIN overflows int64. */
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  char *p = utoa_rev(end, u);
  size_t n;
  if (v < 0) *--p = '-';
  n = (size_t)(end - p);
  memcpy(out, p, n);
  return n;
}

/* Powers of ten that are exact doubles (10^22 is the largest). */
const double json_pow10_tab[23] = {
  1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Fast path for the common "few decimals" doubles (prices, ratios, 0.1): finds
 * the fewest fraction digits k such that round(d * 10^k) / 10^k == d, limited
 * to 15 significant digits and to the range where %.15g prints fixed notation.
 * Within those limits the result is exactly what %.15g would print (the round
 * trip is checked in exact IEEE arithmetic: integer and power of ten are both
 * exact, so the division rounds like strtod), at a fraction of its cost.
 * Returns 0 when the value is outside the fast path. */
static size_t format_fixed(char *out, double d, int float_marker) {
  double a = d < 0 ? -d : d;
  int k;
  if (!(a >= 1e-4 && a < 1e15)) return 0;
  for (k = 0; k <= 19; k++) {
    double x = a * json_pow10_tab[k];
    uint64_t m;
    char digits[24], *dp, *p = out;
    size_t nd;
    if (x >= 1e15) return 0; /* would need more than 15 digits */
    m = (uint64_t)(x + 0.5);
    if ((double)m / json_pow10_tab[k] != a) continue;
    dp = utoa_rev(digits + sizeof digits, m);
    nd = (size_t)(digits + sizeof digits - dp);
    if (d < 0) *p++ = '-';
    if ((size_t)k >= nd) {
      *p++ = '0';
      *p++ = '.';
      memset(p, '0', (size_t)k - nd);
      p += (size_t)k - nd;
      memcpy(p, dp, nd);
      p += nd;
    } else {
      memcpy(p, dp, nd - (size_t)k);
      p += nd - (size_t)k;
      if (k > 0) {
        *p++ = '.';
        memcpy(p, dp + nd - (size_t)k, (size_t)k);
        p += k;
      }
    }
    if (k > 0) {
      /* A rounding slip in x can overshoot the minimal k by trailing zeros. */
      while (p[-1] == '0') p--;
      if (p[-1] == '.') p--;
    }
    if (float_marker && memchr(out, '.', (size_t)(p - out)) == NULL) {
      *p++ = '.';
      *p++ = '0';
    }
    return (size_t)(p - out);
  }
  return 0;
}

size_t json_format_double(char *out, double d, int float_marker) {
  char tmp[JSON_NUMBER_MAX];
  size_t n, i, o = 0;
  int prec, has_point = 0, has_exp = 0;
  if ((n = format_fixed(out, d, float_marker)) > 0) return n;
  /* The shortest of 15, 16, 17 significant digits that reads back as d; 17
   * always does for IEEE doubles. For a normal double no shorter text exists
   * when %.15g fails (two 15-digit decimals are further apart than its
   * precision), and %.15g drops trailing zeros itself. Subnormals carry fewer
   * bits, so they start from one digit: 5e-324, not 4.94065645841247e-324.
   * Checked in the current locale, so that printf and strtod agree on the
   * separator. */
  prec = (d != 0 && d > -2.2250738585072014e-308 && d < 2.2250738585072014e-308) ? 1 : 15;
  for (; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  /* Copy with '.' for whatever (possibly multi-byte) separator the locale used. */
  for (i = 0; tmp[i] != '\0'; i++) {
    char c = tmp[i];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
      out[o++] = c;
    } else if (c == 'e' || c == 'E') {
      out[o++] = 'e';
      has_exp = 1;
    } else if (!has_point) {
      out[o++] = '.';
      has_point = 1;
    }
  }
  if (float_marker && !has_point && !has_exp) {
    out[o++] = '.';
    out[o++] = '0';
  }
  return o;
}

int json_strtod(const char *s, size_t len, json_buf *scratch, double *out) {
  const char *dp = localeconv()->decimal_point;
  char small[64], *copy, *endp;
  size_t dpl, i, o = 0;
  if (dp[0] == '.' && dp[1] == '\0') {
    /* The token is followed by a byte that cannot continue a number (or by the
     * terminating NUL every Lua string has), so strtod stops at its end. */
    *out = strtod(s, &endp);
    return endp == s + len;
  }
  dpl = strlen(dp);
  if (len + dpl + 1 <= sizeof small) {
    copy = small;
  } else {
    json_buf_reserve(scratch, len + dpl + 1);
    copy = scratch->data + scratch->len;
  }
  for (i = 0; i < len; i++) {
    if (s[i] == '.') {
      memcpy(copy + o, dp, dpl);
      o += dpl;
    } else {
      copy[o++] = s[i];
    }
  }
  copy[o] = '\0';
  *out = strtod(copy, &endp);
  return endp == copy + o;
}
