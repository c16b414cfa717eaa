/* SPDX-License-Identifier: Apache-2.0 */
/* MySQL binary JSON (sql-common/json_binary.h grammar) to compact JSON text, formatted byte for
 * byte as Debezium's binlog path (mysql-binlog-connector-java JsonStringFormatter) prints it, and
 * PARTIAL_UPDATE_ROWS JSON diffs (sql/json_diff.cc) to a JSON array. Every offset and length is
 * checked against the bytes it points into; nesting is bounded; errors name the byte offset. */
#include "source/jsonb.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cur.h"
#include "core/json.h"

/* MySQL refuses documents nested deeper than JSON_DOCUMENT_MAX_DEPTH (100). */
#define JSONB_MAX_DEPTH 100

/* Value type bytes (json_binary.h). */
enum {
    JSONB_SMALL_OBJECT = 0x00,
    JSONB_LARGE_OBJECT = 0x01,
    JSONB_SMALL_ARRAY = 0x02,
    JSONB_LARGE_ARRAY = 0x03,
    JSONB_LITERAL = 0x04,
    JSONB_INT16 = 0x05,
    JSONB_UINT16 = 0x06,
    JSONB_INT32 = 0x07,
    JSONB_UINT32 = 0x08,
    JSONB_INT64 = 0x09,
    JSONB_UINT64 = 0x0a,
    JSONB_DOUBLE = 0x0b,
    JSONB_STRING = 0x0c,
    JSONB_OPAQUE = 0x0f
};

/* MySQL field types that opaque values carry and that we print as text (enum_field_types). */
enum {
    MYT_DECIMAL = 0,
    MYT_TIMESTAMP = 7,
    MYT_DATE = 10,
    MYT_TIME = 11,
    MYT_DATETIME = 12,
    MYT_NEWDATE = 14,
    MYT_TIMESTAMP2 = 17,
    MYT_DATETIME2 = 18,
    MYT_TIME2 = 19,
    MYT_NEWDECIMAL = 246
};

/* One decoding run: where the input starts (for error offsets) and where text goes. */
struct jctx {
    const uint8_t *base; /* first byte of the caller's input */
    struct sl_buf *out;
    char *errstr;
    size_t errstr_size;
};

static sl_err_t put_value(struct jctx *ctx, uint8_t type, const uint8_t *p, size_t len, int depth);

/* ---- Errors and little helpers ---- */

static sl_err_t fail(struct jctx *ctx, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sl_err_t fail(struct jctx *ctx, const uint8_t *at, const char *fmt, ...)
{
    if (ctx->errstr && ctx->errstr_size) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(ctx->errstr, ctx->errstr_size, "binary JSON: %s at byte %zu", msg,
                 (size_t)(at - ctx->base));
    }
    return SL_ERR_PROTO;
}

/* Little-endian unsigned integer of n (1..8) bytes; the caller has checked the bounds. */
static uint64_t rd_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

static sl_err_t put_u64(struct jctx *ctx, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
    return sl_buf_add(ctx->out, tmp, (size_t)n);
}

static sl_err_t put_i64(struct jctx *ctx, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);
    return sl_buf_add(ctx->out, tmp, (size_t)n);
}

/* A quoted JSON string escaped as JsonStringFormatter does: '"' and '\\' with a backslash,
 * \b \t \n \f \r short, other control characters as \u00XX with upper-case hex, everything
 * else verbatim. Invalid UTF-8 becomes U+FFFD, as Java's UTF-8 decoder does. */
static sl_err_t put_str(struct jctx *ctx, const uint8_t *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    struct sl_buf *out = ctx->out;
    sl_err_t err = sl_buf_reserve(out, len + 2);
    if (err)
        return err;
    out->data[out->len++] = '"';
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            err = sl_buf_add(out, s + i, run - i);
            if (err)
                return err;
            i = run;
            continue;
        }
        uint8_t c = s[i];
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t elen = 2;
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
        } else if (c < 0x20) {
            switch (c) {
            case '\b':
                esc[1] = 'b';
                break;
            case '\t':
                esc[1] = 't';
                break;
            case '\n':
                esc[1] = 'n';
                break;
            case '\f':
                esc[1] = 'f';
                break;
            case '\r':
                esc[1] = 'r';
                break;
            default:
                esc[1] = 'u';
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                elen = 6;
            }
        } else {
            size_t n = sl_utf8_len(s + i, len - i);
            if (n) {
                err = sl_buf_add(out, s + i, n);
                if (err)
                    return err;
                i += n;
                continue;
            }
            memcpy(esc, "\xef\xbf\xbd", 3);
            elen = 3;
        }
        err = sl_buf_add(out, esc, elen);
        if (err)
            return err;
        i++;
    }
    return sl_buf_addch(out, '"');
}

/* MySQL's variable-length length: 7 bits a byte, low bits first, high bit = more follows, at
 * most 5 bytes and never more than UINT32_MAX. */
static sl_err_t rd_varlen(struct jctx *ctx, const uint8_t **pp, const uint8_t *end, size_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int i = 0; i < 5; i++) {
        if (p + i >= end)
            return fail(ctx, p + i, "truncated length");
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (v > UINT32_MAX)
                return fail(ctx, p, "length %" PRIu64 " too large", v);
            *pp = p + i + 1;
            *out = (size_t)v;
            return SL_OK;
        }
    }
    return fail(ctx, p, "length longer than 5 bytes");
}

/* ---- Numbers printed as Java prints them ---- */

/* Exact decimal expansion of a finite double, as BigDecimal(double).toPlainString() gives it:
 * integers without a fraction, other values with every binary digit (no trailing zeros). */
static sl_err_t put_double_exact(struct jctx *ctx, double v)
{
    /* 5^1074 * 2^53 has under 770 digits; base 1e9 limbs, least significant first. */
    uint32_t limb[96];
    size_t nlimb = 1;
    int exp2;
    double frac = frexp(fabs(v), &exp2);
    uint64_t mant = (uint64_t)ldexp(frac, 53);
    exp2 -= 53;
    if (mant == 0)
        return sl_buf_addstr(ctx->out, "0");
    while (!(mant & 1)) {
        mant >>= 1;
        exp2++;
    }
    limb[0] = (uint32_t)(mant % 1000000000u);
    if (mant >= 1000000000u) {
        limb[1] = (uint32_t)(mant / 1000000000u % 1000000000u);
        nlimb = 2;
        if (mant >= 1000000000000000000u) {
            limb[2] = (uint32_t)(mant / 1000000000000000000u);
            nlimb = 3;
        }
    }
    /* value = mant * 2^exp2 = mant * 5^-exp2 / 10^-exp2 when exp2 < 0. Multiply by 5^13 or
     * 2^29 at a time: a limb times either still fits in 64 bits. */
    int scale = exp2 < 0 ? -exp2 : 0;
    int left = exp2 < 0 ? -exp2 : exp2;
    while (left > 0) {
        int step = left < (exp2 < 0 ? 13 : 29) ? left : (exp2 < 0 ? 13 : 29);
        uint64_t mul = 1;
        for (int k = 0; k < step; k++)
            mul *= exp2 < 0 ? 5 : 2;
        left -= step;
        uint64_t carry = 0;
        for (size_t i = 0; i < nlimb; i++) {
            uint64_t x = (uint64_t)limb[i] * mul + carry;
            limb[i] = (uint32_t)(x % 1000000000u);
            carry = x / 1000000000u;
        }
        while (carry) {
            if (nlimb == sizeof(limb) / sizeof(limb[0]))
                return fail(ctx, ctx->base, "double out of range");
            limb[nlimb++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
    }
    char digits[96 * 9 + 1];
    size_t nd = 0;
    for (size_t i = nlimb; i > 0; i--) {
        int n =
            snprintf(digits + nd, sizeof(digits) - nd, nd ? "%09" PRIu32 : "%" PRIu32, limb[i - 1]);
        nd += (size_t)n;
    }
    sl_err_t err = SL_OK;
    if (v < 0)
        err = sl_buf_addch(ctx->out, '-');
    if (!err && (size_t)scale >= nd) {
        err = sl_buf_add(ctx->out, "0.", 2);
        for (size_t i = nd; !err && i < (size_t)scale; i++)
            err = sl_buf_addch(ctx->out, '0');
        if (!err)
            err = sl_buf_add(ctx->out, digits, nd);
    } else if (!err) {
        err = sl_buf_add(ctx->out, digits, nd - (size_t)scale);
        if (!err && scale > 0) {
            err = sl_buf_addch(ctx->out, '.');
            if (!err)
                err = sl_buf_add(ctx->out, digits + nd - scale, (size_t)scale);
        }
    }
    return err;
}

/* Java's Double.toString for 1e-3 <= |v| < 1e7 (shortest digits that read back, plain notation,
 * at least one fraction digit); outside that range Double.toString would use an exponent, which
 * JsonStringFormatter replaces with the exact BigDecimal expansion. */
static sl_err_t put_double(struct jctx *ctx, const uint8_t *at, double v)
{
    if (!isfinite(v))
        return fail(ctx, at, "double is not finite");
    double a = fabs(v);
    if (a == 0.0)
        return sl_buf_addstr(ctx->out, signbit(v) ? "-0.0" : "0.0");
    if (a < 1e-3 || a >= 1e7)
        return put_double_exact(ctx, v);
    char tmp[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec, a);
        if (strtod(tmp, NULL) == a)
            break;
    }
    /* tmp is d[.ddd]e[+-]XX: split into digits and decimal exponent. */
    char digits[24];
    size_t nd = 0;
    const char *q = tmp;
    for (; *q && *q != 'e'; q++) {
        if (*q != '.')
            digits[nd++] = *q;
    }
    int e10 = (int)strtol(q + 1, NULL, 10);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    struct sl_buf *out = ctx->out;
    sl_err_t err = SL_OK;
    if (v < 0)
        err = sl_buf_addch(out, '-');
    if (err)
        return err;
    if (e10 < 0) {
        err = sl_buf_add(out, "0.", 2);
        for (int i = 0; !err && i < -e10 - 1; i++)
            err = sl_buf_addch(out, '0');
        return err ? err : sl_buf_add(out, digits, nd);
    }
    size_t ilen = (size_t)e10 + 1;
    for (size_t i = 0; !err && i < ilen; i++)
        err = sl_buf_addch(out, i < nd ? digits[i] : '0');
    if (!err)
        err = sl_buf_addch(out, '.');
    if (!err)
        err = nd > ilen ? sl_buf_add(out, digits + ilen, nd - ilen) : sl_buf_addch(out, '0');
    return err;
}

/* ---- Opaque values: DECIMAL, temporal types, anything else as base64 ---- */

/* MySQL binary DECIMAL (decimal2bin) with the given precision and scale, printed as
 * BigDecimal.toPlainString() prints it: sign, integer digits, '.', exactly scale digits. */
static sl_err_t put_decimal(struct jctx *ctx, const uint8_t *at, const uint8_t *p, size_t len)
{
    static const int dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    if (len < 2)
        return fail(ctx, at, "truncated DECIMAL");
    int prec = p[0];
    int scale = p[1];
    if (prec < 1 || prec > 65 || scale > 30 || scale > prec)
        return fail(ctx, at, "DECIMAL(%d,%d) out of range", prec, scale);
    int intg = prec - scale;
    size_t need =
        (size_t)(intg / 9 * 4 + dig2bytes[intg % 9] + scale / 9 * 4 + dig2bytes[scale % 9]);
    if (len - 2 != need)
        return fail(ctx, at, "DECIMAL(%d,%d) needs %zu bytes, has %zu", prec, scale, need, len - 2);
    p += 2;
    bool neg = !(p[0] & 0x80);
    uint8_t mask = neg ? 0xff : 0x00;
    /* Decode into a digit string: integer part (intg digits) then scale digits. */
    char digits[80];
    size_t nd = 0;
    size_t pos = 0;
    int groups[4] = {intg % 9, intg / 9, scale / 9, scale % 9};
    for (int g = 0; g < 4; g++) {
        int count = (g == 1 || g == 2) ? groups[g] : 1;
        int ndig = (g == 1 || g == 2) ? 9 : groups[g];
        if (ndig == 0)
            continue;
        for (int k = 0; k < count; k++) {
            size_t nb = (size_t)dig2bytes[ndig];
            uint32_t x = 0;
            for (size_t b = 0; b < nb; b++) {
                uint8_t byte = p[pos + b] ^ mask;
                if (pos + b == 0)
                    byte ^= 0x80;
                x = (x << 8) | byte;
            }
            pos += nb;
            char tmp[16];
            int n = snprintf(tmp, sizeof(tmp), "%0*" PRIu32, ndig, x);
            if (n != ndig)
                return fail(ctx, at, "DECIMAL digit group out of range");
            memcpy(digits + nd, tmp, (size_t)n);
            nd += (size_t)n;
        }
    }
    size_t ilen = nd - (size_t)scale;
    size_t first = 0;
    while (first + 1 < ilen && digits[first] == '0')
        first++;
    bool zero = true;
    for (size_t i = 0; i < nd; i++) {
        if (digits[i] != '0')
            zero = false;
    }
    sl_err_t err = SL_OK;
    if (neg && !zero)
        err = sl_buf_addch(ctx->out, '-');
    if (!err && ilen == 0)
        err = sl_buf_addch(ctx->out, '0');
    else if (!err)
        err = sl_buf_add(ctx->out, digits + first, ilen - first);
    if (!err && scale > 0) {
        err = sl_buf_addch(ctx->out, '.');
        if (!err)
            err = sl_buf_add(ctx->out, digits + ilen, (size_t)scale);
    }
    return err;
}

/* Appends ".ffffff" with trailing zeros trimmed, nothing when usec is 0 (JsonStringFormatter). */
static sl_err_t put_usec(struct jctx *ctx, uint32_t usec)
{
    if (usec == 0)
        return SL_OK;
    char tmp[8];
    snprintf(tmp, sizeof(tmp), "%06" PRIu32, usec % 1000000u);
    size_t n = 6;
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    sl_err_t err = sl_buf_addch(ctx->out, '.');
    return err ? err : sl_buf_add(ctx->out, tmp, n);
}

/* Temporal values are an 8-byte little-endian packed integer (Json_datetime::to_packed):
 * bits 24.. hold ((year*13+month)<<5 | day)<<17 | hour<<12 | minute<<6 | second for dates,
 * hour<<12 | minute<<6 | second for TIME; the low 24 bits hold microseconds; negative values
 * (TIME only) are stored negated. */
static sl_err_t put_temporal(struct jctx *ctx, const uint8_t *at, uint8_t mtype, const uint8_t *p,
                             size_t len)
{
    if (len != 8)
        return fail(ctx, at, "temporal value of type %u has %zu bytes, expected 8", (unsigned)mtype,
                    len);
    int64_t packed = (int64_t)rd_le(p, 8);
    bool neg = packed < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
    uint32_t usec = (uint32_t)(mag & 0xffffff);
    uint64_t hi = mag >> 24;
    char tmp[64];
    int n;
    if (mtype == MYT_TIME || mtype == MYT_TIME2) {
        unsigned hour = (unsigned)((hi >> 12) % 1024);
        unsigned min = (unsigned)((hi >> 6) % 64);
        unsigned sec = (unsigned)(hi % 64);
        n = snprintf(tmp, sizeof(tmp), "\"%s%02u:%02u:%02u", neg ? "-" : "", hour, min, sec);
    } else {
        if (neg)
            return fail(ctx, at, "negative date");
        uint64_t ymd = hi >> 17;
        uint64_t ym = ymd >> 5;
        unsigned day = (unsigned)(ymd % 32);
        unsigned month = (unsigned)(ym % 13);
        unsigned year = (unsigned)(ym / 13);
        uint64_t hms = hi % (1u << 17);
        unsigned hour = (unsigned)(hms >> 12);
        unsigned min = (unsigned)((hms >> 6) % 64);
        unsigned sec = (unsigned)(hms % 64);
        if (year > 9999)
            return fail(ctx, at, "year %u out of range", year);
        if (mtype == MYT_DATE || mtype == MYT_NEWDATE) {
            n = snprintf(tmp, sizeof(tmp), "\"%04u-%02u-%02u\"", year, month, day);
            return sl_buf_add(ctx->out, tmp, (size_t)n);
        }
        n = snprintf(tmp, sizeof(tmp), "\"%04u-%02u-%02u %02u:%02u:%02u", year, month, day, hour,
                     min, sec);
    }
    sl_err_t err = sl_buf_add(ctx->out, tmp, (size_t)n);
    if (!err)
        err = put_usec(ctx, usec);
    return err ? err : sl_buf_addch(ctx->out, '"');
}

static sl_err_t put_opaque(struct jctx *ctx, const uint8_t *p, size_t len)
{
    const uint8_t *end = p + len;
    if (len < 1)
        return fail(ctx, p, "truncated opaque value");
    uint8_t mtype = p[0];
    const uint8_t *q = p + 1;
    size_t dlen = 0;
    sl_err_t err = rd_varlen(ctx, &q, end, &dlen);
    if (err)
        return err;
    if (dlen > (size_t)(end - q))
        return fail(ctx, q, "opaque value of %zu bytes overruns the document", dlen);
    switch (mtype) {
    case MYT_DECIMAL:
    case MYT_NEWDECIMAL:
        return put_decimal(ctx, p, q, dlen);
    case MYT_TIMESTAMP:
    case MYT_DATE:
    case MYT_TIME:
    case MYT_DATETIME:
    case MYT_NEWDATE:
    case MYT_TIMESTAMP2:
    case MYT_DATETIME2:
    case MYT_TIME2:
        return put_temporal(ctx, p, mtype, q, dlen);
    default:
        err = sl_buf_addch(ctx->out, '"');
        if (!err)
            err = sl_base64_add(ctx->out, q, dlen);
        return err ? err : sl_buf_addch(ctx->out, '"');
    }
}

/* ---- Containers ---- */

/* An object or array whose header starts at p; len bytes are available from p. */
static sl_err_t put_container(struct jctx *ctx, bool object, bool large, const uint8_t *p,
                              size_t len, int depth)
{
    const char *what = object ? "object" : "array";
    size_t osz = large ? 4 : 2;
    if (depth > JSONB_MAX_DEPTH)
        return fail(ctx, p, "nesting deeper than %d", JSONB_MAX_DEPTH);
    if (len < 2 * osz)
        return fail(ctx, p, "truncated %s header", what);
    uint64_t count = rd_le(p, osz);
    uint64_t bytes = rd_le(p + osz, osz);
    if (bytes > len)
        return fail(ctx, p + osz, "%s size %" PRIu64 " exceeds the %zu bytes left", what, bytes,
                    len);
    size_t kesz = object ? osz + 2 : 0;
    size_t vesz = 1 + osz;
    if (bytes < 2 * osz || count > (bytes - 2 * osz) / (kesz + vesz))
        return fail(ctx, p, "%s of %" PRIu64 " elements does not fit in %" PRIu64 " bytes", what,
                    count, bytes);
    sl_err_t err = sl_buf_addch(ctx->out, object ? '{' : '[');
    for (size_t i = 0; !err && i < count; i++) {
        if (i)
            err = sl_buf_addch(ctx->out, ',');
        if (!err && object) {
            const uint8_t *ke = p + 2 * osz + i * kesz;
            uint64_t koff = rd_le(ke, osz);
            uint64_t klen = rd_le(ke + osz, 2);
            if (koff > bytes || klen > bytes - koff)
                return fail(ctx, ke,
                            "key at offset %" PRIu64 " length %" PRIu64 " overruns the %" PRIu64
                            "-byte object",
                            koff, klen, bytes);
            err = put_str(ctx, p + koff, (size_t)klen);
            if (!err)
                err = sl_buf_addch(ctx->out, ':');
        }
        if (err)
            break;
        const uint8_t *ve = p + 2 * osz + count * kesz + i * vesz;
        uint8_t type = ve[0];
        bool inlined = type == JSONB_LITERAL || type == JSONB_INT16 || type == JSONB_UINT16 ||
                       (large && (type == JSONB_INT32 || type == JSONB_UINT32));
        if (inlined) {
            err = put_value(ctx, type, ve + 1, osz, depth);
        } else {
            uint64_t voff = rd_le(ve + 1, osz);
            if (voff >= bytes)
                return fail(ctx, ve + 1, "value offset %" PRIu64 " outside the %" PRIu64 "-byte %s",
                            voff, bytes, what);
            err = put_value(ctx, type, p + voff, (size_t)(bytes - voff), depth);
        }
    }
    if (!err)
        err = sl_buf_addch(ctx->out, object ? '}' : ']');
    return err;
}

/* A value of the given type whose data starts at p with len bytes available. */
static sl_err_t put_value(struct jctx *ctx, uint8_t type, const uint8_t *p, size_t len, int depth)
{
    static const size_t fixed[] = {
        [JSONB_LITERAL] = 1, [JSONB_INT16] = 2, [JSONB_UINT16] = 2, [JSONB_INT32] = 4,
        [JSONB_UINT32] = 4,  [JSONB_INT64] = 8, [JSONB_UINT64] = 8, [JSONB_DOUBLE] = 8,
    };
    if (type >= JSONB_LITERAL && type <= JSONB_DOUBLE && len < fixed[type])
        return fail(ctx, p, "truncated value of type 0x%02x", (unsigned)type);
    switch (type) {
    case JSONB_SMALL_OBJECT:
    case JSONB_LARGE_OBJECT:
    case JSONB_SMALL_ARRAY:
    case JSONB_LARGE_ARRAY:
        return put_container(ctx, type <= JSONB_LARGE_OBJECT, type & 1, p, len, depth + 1);
    case JSONB_LITERAL:
        switch (p[0]) {
        case 0x00:
            return sl_buf_add(ctx->out, "null", 4);
        case 0x01:
            return sl_buf_add(ctx->out, "true", 4);
        case 0x02:
            return sl_buf_add(ctx->out, "false", 5);
        default:
            return fail(ctx, p, "bad literal 0x%02x", (unsigned)p[0]);
        }
    case JSONB_INT16:
        return put_i64(ctx, (int16_t)rd_le(p, 2));
    case JSONB_UINT16:
        return put_u64(ctx, rd_le(p, 2));
    case JSONB_INT32:
        return put_i64(ctx, (int32_t)rd_le(p, 4));
    case JSONB_UINT32:
        return put_u64(ctx, rd_le(p, 4));
    case JSONB_INT64:
        return put_i64(ctx, (int64_t)rd_le(p, 8));
    case JSONB_UINT64:
        return put_u64(ctx, rd_le(p, 8));
    case JSONB_DOUBLE: {
        uint64_t bits = rd_le(p, 8);
        double d;
        memcpy(&d, &bits, sizeof(d));
        return put_double(ctx, p, d);
    }
    case JSONB_STRING: {
        const uint8_t *q = p;
        size_t slen = 0;
        sl_err_t err = rd_varlen(ctx, &q, p + len, &slen);
        if (err)
            return err;
        if (slen > len - (size_t)(q - p))
            return fail(ctx, p, "string of %zu bytes overruns the document", slen);
        return put_str(ctx, q, slen);
    }
    case JSONB_OPAQUE:
        return put_opaque(ctx, p, len);
    default:
        return fail(ctx, p, "unknown value type 0x%02x for the value", (unsigned)type);
    }
}

/* A whole document: type byte then value; empty is the JSON null. */
static sl_err_t put_doc(struct jctx *ctx, const uint8_t *data, size_t len)
{
    if (len == 0)
        return sl_buf_add(ctx->out, "null", 4);
    return put_value(ctx, data[0], data + 1, len - 1, 0);
}

/* ---- Public API ---- */

sl_err_t sl_jsonb_to_json(const uint8_t *data, size_t len, struct sl_buf *out, char *errstr,
                          size_t errstr_size)
{
    struct jctx ctx = {.base = data, .out = out, .errstr = errstr, .errstr_size = errstr_size};
    size_t start = out->len;
    sl_err_t err = put_doc(&ctx, data, len);
    if (err) {
        if (err == SL_ERR_TOOBIG && errstr && errstr_size)
            snprintf(errstr, errstr_size, "binary JSON: text exceeds the %zu-byte limit", out->max);
        sl_buf_truncate(out, start);
    }
    return err;
}

static const char *const diff_ops[] = {"replace", "insert", "remove"};

static sl_err_t put_diffs(struct jctx *ctx, const uint8_t *data, size_t len)
{
    struct sl_buf *out = ctx->out;
    const uint8_t *p = data;
    const uint8_t *end = data + len;
    sl_err_t err = sl_buf_addch(out, '[');
    while (!err && p < end) {
        const uint8_t *start = p;
        uint8_t op = *p++;
        if (op >= sizeof(diff_ops) / sizeof(diff_ops[0]))
            return fail(ctx, start, "unknown JSON diff operation %u", (unsigned)op);
        struct sl_cur cur;
        uint64_t plen;
        sl_cur_init(&cur, p, (size_t)(end - p));
        if (sl_cur_lenenc(&cur, &plen))
            return fail(ctx, p, "truncated JSON diff path length");
        p = cur.p;
        if (plen > (uint64_t)(end - p))
            return fail(ctx, p, "JSON diff path of %" PRIu64 " bytes overruns the diff", plen);
        if (plen == 0 || p[0] != '$')
            return fail(ctx, p, "JSON diff path does not start with '$'");
        if (start != data)
            err = sl_buf_addch(out, ',');
        if (!err)
            err = sl_buf_addf(out, "{\"op\":\"%s\",\"path\":", diff_ops[op]);
        if (!err)
            err = put_str(ctx, p, (size_t)plen);
        p += plen;
        if (!err && op != 2) {
            uint64_t vlen;
            sl_cur_init(&cur, p, (size_t)(end - p));
            if (sl_cur_lenenc(&cur, &vlen))
                return fail(ctx, p, "truncated JSON diff value length");
            p = cur.p;
            if (vlen > (uint64_t)(end - p))
                return fail(ctx, p, "JSON diff value of %" PRIu64 " bytes overruns the diff", vlen);
            err = sl_buf_addstr(out, ",\"value\":");
            if (!err)
                err = put_doc(ctx, p, (size_t)vlen);
            p += vlen;
        }
        if (!err)
            err = sl_buf_addch(out, '}');
    }
    return err ? err : sl_buf_addch(out, ']');
}

sl_err_t sl_jsonb_diff_to_json(const uint8_t *data, size_t len, struct sl_buf *out, char *errstr,
                               size_t errstr_size)
{
    struct jctx ctx = {.base = data, .out = out, .errstr = errstr, .errstr_size = errstr_size};
    size_t start = out->len;
    sl_err_t err = put_diffs(&ctx, data, len);
    if (err) {
        if (err == SL_ERR_TOOBIG && errstr && errstr_size)
            snprintf(errstr, errstr_size, "JSON diff: text exceeds the %zu-byte limit", out->max);
        sl_buf_truncate(out, start);
    }
    return err;
}
