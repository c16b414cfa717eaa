/* SPDX-License-Identifier: Apache-2.0 */
/* Java-compatible text for numbers, as Kafka Connect's JsonConverter (Jackson) and
 * Struct.toString print them, plus the sticky-error writer the converter appends with.
 * Written from the Java SE documentation of Double.toString and BigDecimal. */
#include "convert/jfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* ---- Sticky-error writer ---- */

void sl_cw_i64(struct sl_cw *cw, int64_t v)
{
    if (!cw->err)
        cw->err = sl_json_i64(cw->buf, v);
}

void sl_cw_u64(struct sl_cw *cw, uint64_t v)
{
    if (!cw->err)
        cw->err = sl_json_u64(cw->buf, v);
}

void sl_cw_jstr(struct sl_cw *cw, const char *s, size_t len)
{
    if (!cw->err)
        cw->err = sl_json_str(cw->buf, s, len);
}

void sl_cw_b64(struct sl_cw *cw, const void *mem, size_t len)
{
    if (!cw->err)
        cw->err = sl_base64_add(cw->buf, mem, len);
}

/* ---- Double.toString / Float.toString ---- */

/* Writes digits d[0..n) with decimal exponent e (value = d.ddd x 10^e) in Java's layout:
 * plain for 1e-3 <= |v| < 1e7, else computerized scientific notation. */
static void java_layout(struct sl_cw *cw, bool neg, const char *d, int n, int e)
{
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (e >= -3 && e < 7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                out[o++] = i < n ? d[i] : '0';
            out[o++] = '.';
            if (n > e + 1) {
                for (int i = e + 1; i < n; i++)
                    out[o++] = d[i];
            } else {
                out[o++] = '0';
            }
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -e - 1; i++)
                out[o++] = '0';
            for (int i = 0; i < n; i++)
                out[o++] = d[i];
        }
    } else {
        out[o++] = d[0];
        out[o++] = '.';
        if (n > 1) {
            for (int i = 1; i < n; i++)
                out[o++] = d[i];
        } else {
            out[o++] = '0';
        }
        int w = snprintf(out + o, sizeof(out) - o, "E%d", e);
        o += (size_t)w;
    }
    sl_cw_add(cw, out, o);
}

/* Splits "%.*e" output into digits (trailing zeros removed) and exponent. */
static void split_exp(const char *txt, char *d, int *n, int *e)
{
    const char *p = txt;
    if (*p == '-')
        p++;
    int k = 0;
    for (; *p && *p != 'e'; p++) {
        if (*p != '.')
            d[k++] = *p;
    }
    while (k > 1 && d[k - 1] == '0')
        k--;
    *n = k;
    *e = (int)strtol(p + 1, NULL, 10);
}

void sl_jfmt_double(struct sl_cw *cw, double v)
{
    if (isnan(v) || isinf(v)) {
        /* MySQL cannot store them; Jackson would quote "NaN". */
        sl_cw_str(cw, isnan(v) ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\""));
        return;
    }
    if (v == 0) {
        sl_cw_str(cw, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    char txt[40];
    /* Java prints at least two significant digits, choosing the closest (4.9E-324). */
    for (int prec = 1; prec <= 16; prec++) {
        snprintf(txt, sizeof(txt), "%.*e", prec, v);
        if (strtod(txt, NULL) == v)
            break;
    }
    char d[24];
    int n, e;
    split_exp(txt, d, &n, &e);
    java_layout(cw, v < 0, d, n, e);
}

void sl_jfmt_float(struct sl_cw *cw, float v)
{
    if (isnan(v) || isinf(v) || v == 0) {
        sl_jfmt_double(cw, (double)v);
        return;
    }
    char txt[40];
    for (int prec = 1; prec <= 8; prec++) {
        snprintf(txt, sizeof(txt), "%.*e", prec, (double)v);
        if (strtof(txt, NULL) == v)
            break;
    }
    char d[24];
    int n, e;
    split_exp(txt, d, &n, &e);
    java_layout(cw, v < 0, d, n, e);
}

/* ---- BigDecimal ---- */

sl_err_t sl_dec_parse(struct sl_str text, int32_t scale, struct sl_dec *dec)
{
    const char *p = text.ptr;
    const char *end = text.ptr + text.len;
    memset(dec, 0, sizeof(*dec));
    if (p < end && (*p == '-' || *p == '+')) {
        dec->neg = *p == '-';
        p++;
    }
    char raw[SL_DEC_MAX_DIGITS + 1];
    uint32_t nraw = 0;
    int32_t frac = 0;
    bool dot = false, any = false;
    for (; p < end; p++) {
        if (*p == '.' && !dot) {
            dot = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            return SL_ERR_INVALID;
        any = true;
        if (nraw == 0 && *p == '0' && !dot)
            continue; /* leading zero of the integer part */
        if (nraw >= SL_DEC_MAX_DIGITS)
            return SL_ERR_INVALID;
        raw[nraw++] = *p;
        if (dot)
            frac++;
    }
    if (!any)
        return SL_ERR_INVALID;
    /* Pad the fraction to the column scale. */
    while (frac < scale) {
        if (nraw >= SL_DEC_MAX_DIGITS)
            return SL_ERR_INVALID;
        raw[nraw++] = '0';
        frac++;
    }
    /* Strip leading zeros of the unscaled integer (e.g. "0.05" -> "005"). */
    uint32_t i = 0;
    while (i + 1 < nraw && raw[i] == '0')
        i++;
    if (nraw == 0) {
        raw[nraw++] = '0';
        i = 0;
    }
    dec->ndigits = nraw - i;
    memcpy(dec->digits, raw + i, dec->ndigits);
    dec->digits[dec->ndigits] = '\0';
    dec->scale = frac;
    if (dec->ndigits == 1 && dec->digits[0] == '0')
        dec->neg = false; /* BigDecimal has no negative zero */
    return SL_OK;
}

void sl_dec_from_u64(uint64_t u, struct sl_dec *dec)
{
    memset(dec, 0, sizeof(*dec));
    int n = snprintf(dec->digits, sizeof(dec->digits), "%llu", (unsigned long long)u);
    dec->ndigits = (uint32_t)n;
}

size_t sl_dec_bytes(const struct sl_dec *dec, uint8_t *out)
{
    /* 80 decimal digits < 2^266: 9 limbs of 32 bits (288 bits) are enough. */
    enum { NL = 9 };
    uint32_t limb[NL] = {0}; /* little-endian limbs */
    for (uint32_t k = 0; k < dec->ndigits; k++) {
        uint64_t carry = (uint64_t)(dec->digits[k] - '0');
        for (int j = 0; j < NL; j++) {
            uint64_t x = (uint64_t)limb[j] * 10 + carry;
            limb[j] = (uint32_t)x;
            carry = x >> 32;
        }
    }
    uint8_t be[NL * 4];
    for (int j = 0; j < NL; j++) {
        uint32_t x = limb[NL - 1 - j];
        be[j * 4] = (uint8_t)(x >> 24);
        be[j * 4 + 1] = (uint8_t)(x >> 16);
        be[j * 4 + 2] = (uint8_t)(x >> 8);
        be[j * 4 + 3] = (uint8_t)x;
    }
    if (dec->neg) {
        /* Two's complement: invert and add one. */
        int carry = 1;
        for (int j = NL * 4 - 1; j >= 0; j--) {
            int x = (uint8_t)~be[j] + carry;
            be[j] = (uint8_t)x;
            carry = x >> 8;
        }
    }
    /* Minimal length that keeps the sign bit. */
    size_t s = 0;
    uint8_t pad = dec->neg ? 0xff : 0x00;
    while (s + 1 < sizeof(be) && be[s] == pad && ((be[s + 1] & 0x80) == (pad & 0x80)))
        s++;
    size_t n = sizeof(be) - s;
    memcpy(out, be + s, n);
    return n;
}

void sl_dec_plain(struct sl_cw *cw, const struct sl_dec *dec)
{
    if (dec->neg)
        sl_cw_ch(cw, '-');
    int32_t n = (int32_t)dec->ndigits;
    if (dec->scale <= 0) {
        sl_cw_add(cw, dec->digits, (size_t)n);
        for (int32_t i = 0; i < -dec->scale; i++)
            sl_cw_ch(cw, '0');
        return;
    }
    if (n > dec->scale) {
        sl_cw_add(cw, dec->digits, (size_t)(n - dec->scale));
        sl_cw_ch(cw, '.');
        sl_cw_add(cw, dec->digits + n - dec->scale, (size_t)dec->scale);
        return;
    }
    sl_cw_str(cw, "0.");
    for (int32_t i = 0; i < dec->scale - n; i++)
        sl_cw_ch(cw, '0');
    sl_cw_add(cw, dec->digits, (size_t)n);
}

void sl_dec_tostring(struct sl_cw *cw, const struct sl_dec *dec)
{
    int64_t adjusted = -(int64_t)dec->scale + ((int64_t)dec->ndigits - 1);
    if (dec->scale >= 0 && adjusted >= -6) {
        sl_dec_plain(cw, dec);
        return;
    }
    if (dec->neg)
        sl_cw_ch(cw, '-');
    sl_cw_ch(cw, dec->digits[0]);
    if (dec->ndigits > 1) {
        sl_cw_ch(cw, '.');
        sl_cw_add(cw, dec->digits + 1, dec->ndigits - 1);
    }
    sl_cw_ch(cw, 'E');
    if (adjusted > 0)
        sl_cw_ch(cw, '+');
    sl_cw_i64(cw, adjusted);
}

double sl_dec_double(const struct sl_dec *dec)
{
    char txt[SL_DEC_MAX_DIGITS + 16];
    snprintf(txt, sizeof(txt), "%s%se%d", dec->neg ? "-" : "", dec->digits, -(int)dec->scale);
    return strtod(txt, NULL);
}
