/* SPDX-License-Identifier: Apache-2.0 */
/* JSON writing helpers; see json.h. Hand-written because they run once per value on the
 * decode and convert hot paths, where a DOM library would allocate per value. */
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sl_utf8_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Bytes copied as they are: printable ASCII but the quote and the backslash. A table
 * rather than four comparisons: column names and text values pass through here for every
 * record. */
/* clang-format off: one row of 16 bytes per line */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20, '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50, backslash */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
};
/* clang-format on */

sl_err_t sl_json_str(struct sl_buf *buf, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF"; /* Jackson writes \u00XX upper-case */
    /* Worst case 6 bytes per input byte, plus quotes. */
    if (len > (buf->max - buf->len) / 6 + 2) {
        /* Might still fit; fall through to per-chunk reservation below. */
    }
    sl_err_t err = sl_buf_reserve(buf, len + 2);
    if (err)
        return err;
    buf->data[buf->len++] = '"';
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && plain[p[run]])
            run++;
        if (run > i) {
            err = sl_buf_add(buf, p + i, run - i);
            if (err)
                return err;
            i = run;
            continue;
        }
        unsigned char c = p[i];
        char esc[8];
        size_t elen = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c < 0x20) {
            /* JSON's two-character escapes; the other control bytes as \u00XX. */
            static const char letter[0x20] = {
                ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
            esc[0] = '\\';
            if (letter[c]) {
                esc[1] = letter[c];
                elen = 2;
            } else {
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                elen = 6;
            }
        } else {
            size_t n = sl_utf8_len(p + i, len - i);
            if (n) {
                err = sl_buf_add(buf, p + i, n);
                if (err)
                    return err;
                i += n;
                continue;
            }
            memcpy(esc, "\xef\xbf\xbd", 3); /* U+FFFD */
            elen = 3;
        }
        err = sl_buf_add(buf, esc, elen);
        if (err)
            return err;
        i++;
    }
    return sl_buf_addch(buf, '"');
}

/* Writes the decimal digits of v ending just before end; returns where they start. Two
 * digits per division: integers are most of a row's values and snprintf cost ~150 ns each
 * (a fifth of the converter's time in bench/source_kafka). */
static char *u64_digits(uint64_t v, char *end)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char *p = end;
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = pairs[k + 1];
        *--p = pairs[k];
    }
    if (v >= 10) {
        *--p = pairs[v * 2 + 1];
        *--p = pairs[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

/* Number of decimal digits of v. */
static size_t u64_len(uint64_t v)
{
    size_t n = 1;
    for (uint64_t p = 10; n < 20 && v >= p; p *= 10)
        n++;
    return n;
}

/* Appends |v| (and a '-' when neg), the digits written straight into the buffer when it has
 * room: going through a stack copy cost a memcpy call per integer, which showed in the
 * snapshot reader's profile. */
static sl_err_t add_int(struct sl_buf *buf, uint64_t v, bool neg)
{
    size_t n = u64_len(v) + neg;
    if (n < buf->cap - buf->len) {
        char *d = buf->data + buf->len;
        u64_digits(v, d + n);
        if (neg)
            d[0] = '-';
        buf->len += n;
        buf->data[buf->len] = '\0';
        return SL_OK;
    }
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = u64_digits(v, end);
    if (neg)
        *--p = '-';
    return sl_buf_add_grow(buf, p, (size_t)(end - p));
}

sl_err_t sl_json_i64(struct sl_buf *buf, int64_t v)
{
    /* 0 - (uint64_t)v is |v| for every v, INT64_MIN included. */
    return add_int(buf, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

sl_err_t sl_json_u64(struct sl_buf *buf, uint64_t v)
{
    return add_int(buf, v, false);
}

sl_err_t sl_json_double(struct sl_buf *buf, double v)
{
    if (!isfinite(v))
        return sl_buf_add(buf, "null", 4);
    char tmp[32];
    /* Shortest round-trip representation: try increasing precision. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* JSON needs a digit before the exponent and no bare "inf"; %g gives e.g. 1e+20. */
    return sl_buf_addstr(buf, tmp);
}

sl_err_t sl_base64_add(struct sl_buf *buf, const void *data, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    size_t out = (len + 2) / 3 * 4;
    sl_err_t err = sl_buf_reserve(buf, out);
    if (err)
        return err;
    char *o = buf->data + buf->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = tab[(v >> 6) & 63];
        *o++ = tab[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)p[i + 1] << 8;
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    buf->len += out;
    buf->data[buf->len] = '\0';
    return SL_OK;
}
