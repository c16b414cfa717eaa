/* SPDX-License-Identifier: Apache-2.0 */
/* Exact value helpers for item conversion: canonical DynamoDB numbers from decimal text,
 * Connect Decimal (two's complement bytes + scale) to decimal text, base64 decoding, and
 * Java Instant.toString() formatting for Connect Date/Time/Timestamp. */
#include "sink/value.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

sl_err_t sl_sink_number(struct sl_buf *out, const char *text, size_t len, char *errstr,
                        size_t errstr_size)
{
    int shown = len > 60 ? 60 : (int)len; /* text is a view: not NUL-terminated */
    char digits[64];
    size_t nd = 0, sig_seen = 0;
    bool dropped_nonzero = false; /* a significant digit beyond the 60 kept */
    size_t i = 0;
    bool neg = false;
    long exp10 = 0;
    if (i < len && (text[i] == '-' || text[i] == '+'))
        neg = text[i++] == '-';
    size_t int_start = i;
    bool frac = false, any = false;
    for (; i < len; i++) {
        char c = text[i];
        if (c == '.' && !frac) {
            frac = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        any = true;
        if (frac)
            exp10--;
        if (nd == 0 && c == '0')
            continue; /* leading zero */
        if (sig_seen >= 60) {
            dropped_nonzero = dropped_nonzero || c != '0';
            sig_seen++;
            continue;
        }
        digits[nd++] = c;
        sig_seen++;
    }
    (void)int_start;
    if (!any)
        goto bad;
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (text[i] == '+' || text[i] == '-'))
            eneg = text[i++] == '-';
        if (i >= len)
            goto bad;
        long e = 0;
        for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
            if (e < 100000000)
                e = e * 10 + (text[i] - '0');
        }
        exp10 += eneg ? -e : e;
    }
    if (i != len)
        goto bad;
    /* Digits dropped beyond 60 still count for the exponent of the integer part. */
    if (sig_seen > nd)
        exp10 += (long)(sig_seen - nd);
    while (nd > 0 && digits[nd - 1] == '0') {
        nd--;
        exp10++;
    }
    if (nd == 0)
        return sl_buf_addch(out, '0');
    if (nd > 38 || dropped_nonzero) {
        snprintf(errstr, errstr_size,
                 "number %.*s has more than 38 significant digits (DynamoDB limit)", shown, text);
        return SL_ERR_INVALID;
    }
    long adj = exp10 + (long)nd - 1;
    if (adj > 125 || adj < -130) {
        snprintf(errstr, errstr_size, "number %.*s is outside DynamoDB's range 1E-130 .. 9.99E125",
                 shown, text);
        return SL_ERR_INVALID;
    }
    sl_err_t err = SL_OK;
    if (neg)
        err = sl_buf_addch(out, '-');
    long point = (long)nd + exp10; /* digits before the decimal point */
    if (exp10 >= 0 && point <= 40) {
        err = err ? err : sl_buf_add(out, digits, nd);
        for (long k = 0; k < exp10 && !err; k++)
            err = sl_buf_addch(out, '0');
    } else if (exp10 < 0 && point > 0) {
        err = err ? err : sl_buf_add(out, digits, (size_t)point);
        err = err ? err : sl_buf_addch(out, '.');
        err = err ? err : sl_buf_add(out, digits + point, nd - (size_t)point);
    } else if (exp10 < 0 && point > -10) {
        err = err ? err : sl_buf_addstr(out, "0.");
        for (long k = 0; k < -point && !err; k++)
            err = sl_buf_addch(out, '0');
        err = err ? err : sl_buf_add(out, digits, nd);
    } else {
        err = err ? err : sl_buf_addch(out, digits[0]);
        if (nd > 1 && !err) {
            err = sl_buf_addch(out, '.');
            err = err ? err : sl_buf_add(out, digits + 1, nd - 1);
        }
        err = err ? err : sl_buf_addf(out, "E%ld", adj);
    }
    return err;
bad:
    snprintf(errstr, errstr_size, "'%.*s' is not a number", shown, text);
    return SL_ERR_INVALID;
}

static int b64val(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

/* Decodes base64 (standard or url alphabet, padding optional) into out. */
sl_err_t sl_sink_b64_decode(struct sl_buf *out, const char *s, size_t len)
{
    while (len > 0 && s[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return SL_ERR_INVALID;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val(s[i]);
        if (v < 0)
            return SL_ERR_INVALID;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            sl_err_t err = sl_buf_addch(out, (char)((acc >> bits) & 0xff));
            if (err)
                return err;
        }
    }
    return SL_OK;
}

/* Java Instant.toString(): 2022-06-15T07:52:16Z, millis shown only when non-zero. */
sl_err_t sl_sink_instant(struct sl_buf *out, int64_t ms)
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    /* civil_from_days (H. Hinnant). */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    sl_err_t err = sl_buf_addf(out, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y,
                               (long long)m, (long long)d, (long long)(rem / 3600000),
                               (long long)(rem / 60000 % 60), (long long)(rem / 1000 % 60));
    if (!err && rem % 1000)
        err = sl_buf_addf(out, ".%03lld", (long long)(rem % 1000));
    return err ? err : sl_buf_addch(out, 'Z');
}

sl_err_t sl_sink_decimal(struct sl_buf *out, unsigned char *b, size_t n, long scale, char *errstr,
                         size_t errstr_size)
{
    if (n > SL_SINK_DECIMAL_MAX) {
        snprintf(errstr, errstr_size, "Decimal of %zu bytes is larger than %d", n,
                 SL_SINK_DECIMAL_MAX);
        return SL_ERR_INVALID;
    }
    bool neg = n > 0 && (b[0] & 0x80);
    if (neg) { /* two's complement negate */
        int carry = 1;
        for (size_t i = n; i-- > 0;) {
            int v = (unsigned char)~b[i] + carry;
            b[i] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    char dig[SL_SINK_DECIMAL_MAX * 3]; /* 2.41 digits per byte */
    size_t nd = 0;
    size_t start = 0;
    while (start < n && b[start] == 0)
        start++;
    while (start < n && nd < sizeof(dig)) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned v = (rem << 8) | b[i];
            b[i] = (unsigned char)(v / 10);
            rem = v % 10;
        }
        dig[nd++] = (char)('0' + rem);
        while (start < n && b[start] == 0)
            start++;
    }
    char text[SL_SINK_DECIMAL_MAX * 3 + 32];
    size_t tl = 0;
    if (neg)
        text[tl++] = '-';
    if (nd == 0)
        text[tl++] = '0';
    while (nd > 0)
        text[tl++] = dig[--nd];
    tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "E%ld", -scale);
    return sl_sink_number(out, text, tl, errstr, errstr_size);
}
