/* SPDX-License-Identifier: Apache-2.0 */
/* Binlog row value decoding: one column value from its row-image bytes into struct sl_value,
 * for every MySQL/MariaDB column type (integers with signedness, floats, exact decimals,
 * temporal types old and new with fractional seconds, strings, BIT, ENUM, SET, JSON via
 * jsonb.h, GEOMETRY, VECTOR). */
#include <stdio.h>
#include <string.h>

#include "source/decode_int.h"
#include "source/jsonb.h"

static const uint8_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
static const uint32_t pow10u[10] = {1,      10,      100,      1000,      10000,
                                    100000, 1000000, 10000000, 100000000, 1000000000};

/* Inline cursor reads for the per-value hot path (sl_cur_* semantics, bool result). */
static inline bool take(struct sl_cur *cur, size_t n, const uint8_t **p)
{
    if ((size_t)(cur->end - cur->p) < n)
        return false;
    *p = cur->p;
    cur->p += n;
    return true;
}

/* n is 1..8: every caller passes a width checked when the TABLE_MAP was decoded. */
static inline bool take_le(struct sl_cur *cur, size_t n, uint64_t *out)
{
    const uint8_t *p;
    if (!take(cur, n, &p))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    *out = v;
    return true;
}

static struct sl_str copy_str(struct sl_arena *arena, const uint8_t *p, size_t n)
{
    char *s = sl_arena_alloc(arena, n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return (struct sl_str){s, n};
}

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* NEWDECIMAL: groups of 9 digits in 4 bytes big-endian, partial groups in fewer bytes; the
 * sign is the inverted top bit, and negative numbers have every byte inverted. */
static sl_err_t decode_decimal(const struct sl_column *col, struct sl_cur *cur,
                               struct sl_arena *arena, struct sl_value *val, const char **why)
{
    unsigned prec = col->precision, scale = col->scale;
    unsigned intg = prec - scale;
    unsigned intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
    size_t size = intg0 * 4 + dig2bytes[intg0x] + frac0 * 4 + dig2bytes[frac0x];
    const uint8_t *src;
    if (!take(cur, size, &src)) {
        *why = "DECIMAL value truncated";
        return SL_ERR_PROTO;
    }
    uint8_t b[40];
    memcpy(b, src, size);
    bool neg = !(b[0] & 0x80);
    b[0] ^= 0x80;
    if (neg) {
        for (size_t i = 0; i < size; i++)
            b[i] = (uint8_t)~b[i];
    }
    /* Digits: at most 65 + sign + point + leading zero. */
    char txt[72];
    size_t n = 0, off = 0;
    txt[n++] = '-';
    bool lead = true;
    for (unsigned g = 0; g < intg0 + (intg0x ? 1u : 0u); g++) {
        unsigned digits = (g == 0 && intg0x) ? intg0x : 9;
        size_t nb = (g == 0 && intg0x) ? dig2bytes[intg0x] : 4;
        uint32_t v = (uint32_t)be(b + off, nb);
        off += nb;
        if (v >= pow10u[digits]) {
            *why = "DECIMAL digit group out of range";
            return SL_ERR_PROTO;
        }
        for (unsigned d = digits; d > 0; d--) {
            char c = (char)('0' + (v / pow10u[d - 1]) % 10);
            if (lead && c == '0')
                continue;
            lead = false;
            txt[n++] = c;
        }
    }
    if (lead)
        txt[n++] = '0';
    bool nonzero = !lead;
    if (scale) {
        txt[n++] = '.';
        for (unsigned g = 0; g < frac0 + (frac0x ? 1u : 0u); g++) {
            unsigned digits = g < frac0 ? 9 : frac0x;
            size_t nb = g < frac0 ? 4 : dig2bytes[frac0x];
            uint32_t v = (uint32_t)be(b + off, nb);
            off += nb;
            if (v >= pow10u[digits]) {
                *why = "DECIMAL digit group out of range";
                return SL_ERR_PROTO;
            }
            for (unsigned d = digits; d > 0; d--) {
                char c = (char)('0' + (v / pow10u[d - 1]) % 10);
                nonzero |= c != '0';
                txt[n++] = c;
            }
        }
    }
    /* "-0.00" is not a MySQL value: a negative zero prints unsigned. */
    size_t start = (neg && nonzero) ? 0 : 1;
    val->kind = SL_VAL_DECIMAL;
    val->v.s = copy_str(arena, (const uint8_t *)txt + start, n - start);
    return SL_OK;
}

/* Fractional part of the *2 temporal types: (fsp+1)/2 bytes big-endian. */
static sl_err_t frac_usec(struct sl_cur *cur, unsigned fsp, uint32_t *usec)
{
    size_t nb = (fsp + 1) / 2;
    const uint8_t *p;
    *usec = 0;
    if (nb == 0)
        return SL_OK;
    if (!take(cur, nb, &p))
        return SL_ERR_PROTO;
    uint32_t v = (uint32_t)be(p, nb);
    *usec = nb == 1 ? v * 10000 : nb == 2 ? v * 100 : v;
    return *usec < 1000000 ? SL_OK : SL_ERR_PROTO;
}

static sl_err_t decode_time2(const struct sl_column *col, struct sl_cur *cur,
                             struct sl_value *val)
{
    unsigned fsp = col->fsp;
    size_t nb = 3 + (fsp + 1) / 2;
    const uint8_t *p;
    if (!take(cur, nb, &p))
        return SL_ERR_PROTO;
    int64_t packed;
    int64_t intpart = (int64_t)be(p, 3) - 0x800000;
    if (fsp == 0) {
        packed = intpart * (1 << 24);
    } else if (fsp <= 2) {
        int64_t frac = p[3];
        if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x100;
        }
        packed = intpart * (1 << 24) + frac * 10000;
    } else if (fsp <= 4) {
        int64_t frac = (int64_t)be(p + 3, 2);
        if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x10000;
        }
        packed = intpart * (1 << 24) + frac * 100;
    } else {
        packed = (int64_t)be(p, 6) - 0x800000000000LL;
    }
    struct sl_tm *tm = &val->v.tm;
    memset(tm, 0, sizeof(*tm));
    tm->neg = packed < 0;
    uint64_t u = tm->neg ? (uint64_t)(-packed) : (uint64_t)packed;
    uint64_t hms = u >> 24;
    tm->usec = (uint32_t)(u % (1 << 24));
    tm->hour = (uint32_t)((hms >> 12) % (1 << 10));
    tm->minute = (uint8_t)((hms >> 6) % (1 << 6));
    tm->second = (uint8_t)(hms % (1 << 6));
    if (tm->usec >= 1000000 || tm->minute > 59 || tm->second > 59)
        return SL_ERR_PROTO;
    val->kind = SL_VAL_TIME;
    return SL_OK;
}

static sl_err_t decode_datetime2(const struct sl_column *col, struct sl_cur *cur,
                                 struct sl_value *val)
{
    const uint8_t *p;
    if (!take(cur, 5, &p))
        return SL_ERR_PROTO;
    int64_t intpart = (int64_t)be(p, 5) - 0x8000000000LL;
    if (intpart < 0)
        return SL_ERR_PROTO;
    struct sl_tm *tm = &val->v.tm;
    memset(tm, 0, sizeof(*tm));
    uint64_t ymd = (uint64_t)intpart >> 17, ym = ymd >> 5, hms = (uint64_t)intpart & 0x1ffff;
    tm->day = (uint8_t)(ymd & 31);
    tm->month = (uint8_t)(ym % 13);
    tm->year = (int32_t)(ym / 13);
    tm->second = (uint8_t)(hms & 63);
    tm->minute = (uint8_t)((hms >> 6) & 63);
    tm->hour = (uint32_t)(hms >> 12);
    if (frac_usec(cur, col->fsp, &tm->usec))
        return SL_ERR_PROTO;
    if (tm->hour > 23 || tm->minute > 59 || tm->second > 59)
        return SL_ERR_PROTO;
    val->kind = SL_VAL_DATETIME;
    return SL_OK;
}

/* Length-prefixed bytes: prefix of nlen bytes little-endian. */
static sl_err_t prefixed(struct sl_cur *cur, size_t nlen, const uint8_t **p, size_t *n)
{
    uint64_t len;
    if (!take_le(cur, nlen, &len) || len > sl_cur_left(cur))
        return SL_ERR_PROTO;
    *n = (size_t)len;
    return take(cur, *n, p) ? SL_OK : SL_ERR_PROTO;
}

static sl_err_t decode_json(struct sl_decoder *dec, const uint8_t *p, size_t n, bool diff,
                            struct sl_arena *arena, struct sl_value *val, char *errstr,
                            size_t errstr_size)
{
    if (dec->json_raw) {
        val->kind = SL_VAL_BYTES;
        val->v.s = copy_str(arena, p, n);
        return SL_OK;
    }
    sl_buf_reset(&dec->json);
    sl_err_t err = diff ? sl_jsonb_diff_to_json(p, n, &dec->json, errstr, errstr_size)
                        : sl_jsonb_to_json(p, n, &dec->json, errstr, errstr_size);
    if (err)
        return err;
    val->kind = diff ? SL_VAL_JSON_DIFF : SL_VAL_JSON;
    val->v.s = copy_str(arena, (const uint8_t *)sl_buf_cstr(&dec->json), dec->json.len);
    return SL_OK;
}

sl_err_t sl_dec_value(struct sl_decoder *dec, const struct sl_column *col, struct sl_cur *cur,
                      bool diff, struct sl_arena *arena, struct sl_value *val, const char **why,
                      char *errstr, size_t errstr_size)
{
    const uint8_t *p;
    size_t n;
    uint64_t u;
    *why = NULL;
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
    case SL_MYSQL_TYPE_SHORT:
    case SL_MYSQL_TYPE_INT24:
    case SL_MYSQL_TYPE_LONG:
    case SL_MYSQL_TYPE_LONGLONG: {
        static const uint8_t width[] = {[SL_MYSQL_TYPE_TINY] = 1, [SL_MYSQL_TYPE_SHORT] = 2,
                                        [SL_MYSQL_TYPE_LONG] = 4, [SL_MYSQL_TYPE_LONGLONG] = 8,
                                        [SL_MYSQL_TYPE_INT24] = 3};
        n = width[col->type];
        if (!take_le(cur, n, &u))
            goto truncated;
        if (col->is_unsigned) {
            val->kind = SL_VAL_UINT;
            val->v.u = u;
        } else {
            val->kind = SL_VAL_INT;
            unsigned shift = (unsigned)(64 - 8 * n);
            val->v.i = shift ? (int64_t)(u << shift) >> shift : (int64_t)u;
        }
        return SL_OK;
    }
    case SL_MYSQL_TYPE_FLOAT: {
        if (!take_le(cur, 4, &u))
            goto truncated;
        uint32_t w = (uint32_t)u;
        val->kind = SL_VAL_FLOAT;
        memcpy(&val->v.f, &w, 4);
        return SL_OK;
    }
    case SL_MYSQL_TYPE_DOUBLE:
        if (!take_le(cur, 8, &u))
            goto truncated;
        val->kind = SL_VAL_DOUBLE;
        memcpy(&val->v.d, &u, 8);
        return SL_OK;
    case SL_MYSQL_TYPE_NEWDECIMAL:
        return decode_decimal(col, cur, arena, val, why);
    case SL_MYSQL_TYPE_YEAR:
        if (!take_le(cur, 1, &u))
            goto truncated;
        val->kind = SL_VAL_INT;
        val->v.i = u ? 1900 + (int64_t)u : 0;
        return SL_OK;
    case SL_MYSQL_TYPE_DATE:
    case SL_MYSQL_TYPE_NEWDATE:
        if (!take_le(cur, 3, &u))
            goto truncated;
        memset(&val->v.tm, 0, sizeof(val->v.tm));
        val->kind = SL_VAL_DATE;
        val->v.tm.day = (uint8_t)(u & 31);
        val->v.tm.month = (uint8_t)((u >> 5) & 15);
        val->v.tm.year = (int32_t)(u >> 9);
        if (val->v.tm.month > 12) {
            *why = "DATE month over 12";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_TIME: {
        if (!take_le(cur, 3, &u))
            goto truncated;
        int64_t v = (int64_t)(u << 40) >> 40;
        memset(&val->v.tm, 0, sizeof(val->v.tm));
        val->kind = SL_VAL_TIME;
        val->v.tm.neg = v < 0;
        uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;
        val->v.tm.hour = (uint32_t)(a / 10000);
        val->v.tm.minute = (uint8_t)(a / 100 % 100);
        val->v.tm.second = (uint8_t)(a % 100);
        return SL_OK;
    }
    case SL_MYSQL_TYPE_DATETIME: {
        if (!take_le(cur, 8, &u))
            goto truncated;
        memset(&val->v.tm, 0, sizeof(val->v.tm));
        val->kind = SL_VAL_DATETIME;
        uint64_t d = u / 1000000, t = u % 1000000;
        val->v.tm.year = (int32_t)(d / 10000);
        val->v.tm.month = (uint8_t)(d / 100 % 100);
        val->v.tm.day = (uint8_t)(d % 100);
        val->v.tm.hour = (uint32_t)(t / 10000);
        val->v.tm.minute = (uint8_t)(t / 100 % 100);
        val->v.tm.second = (uint8_t)(t % 100);
        return SL_OK;
    }
    case SL_MYSQL_TYPE_TIMESTAMP:
        if (!take_le(cur, 4, &u))
            goto truncated;
        val->kind = SL_VAL_TIMESTAMP;
        val->v.ts.sec = (int64_t)u;
        val->v.ts.usec = 0;
        return SL_OK;
    case SL_MYSQL_TYPE_TIMESTAMP2:
        if (sl_cur_uNbe(cur, 4, &u))
            goto truncated;
        val->kind = SL_VAL_TIMESTAMP;
        val->v.ts.sec = (int64_t)u;
        if (frac_usec(cur, col->fsp, &val->v.ts.usec)) {
            *why = "TIMESTAMP fraction truncated or out of range";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_TIME2:
        if (decode_time2(col, cur, val)) {
            *why = "TIME value truncated or out of range";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_DATETIME2:
        if (decode_datetime2(col, cur, val)) {
            *why = "DATETIME value truncated or out of range";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_VAR_STRING:
    case SL_MYSQL_TYPE_STRING:
        if (prefixed(cur, col->length > 255 ? 2 : 1, &p, &n))
            goto truncated;
        val->kind = col->charset == SL_CHARSET_BINARY ? SL_VAL_BYTES : SL_VAL_STRING;
        if (col->type == SL_MYSQL_TYPE_STRING && col->charset == SL_CHARSET_BINARY &&
            n < col->length) {
            /* BINARY(n): the server drops trailing 0x00 bytes when it writes the row; the
             * column's value (what SELECT and the snapshot return) has all n bytes. */
            char *b = sl_arena_alloc(arena, col->length + 1);
            memcpy(b, p, n);
            memset(b + n, 0, col->length + 1 - n);
            val->v.s = (struct sl_str){b, col->length};
            return SL_OK;
        }
        val->v.s = copy_str(arena, p, n);
        return SL_OK;
    case SL_MYSQL_TYPE_BLOB:
    case SL_MYSQL_TYPE_TINY_BLOB:
    case SL_MYSQL_TYPE_MEDIUM_BLOB:
    case SL_MYSQL_TYPE_LONG_BLOB:
        if (prefixed(cur, col->length, &p, &n))
            goto truncated;
        /* TEXT only when a character set other than binary is known. */
        val->kind = (col->charset && col->charset != SL_CHARSET_BINARY) ? SL_VAL_STRING
                                                                         : SL_VAL_BYTES;
        val->v.s = copy_str(arena, p, n);
        return SL_OK;
    case SL_MYSQL_TYPE_GEOMETRY:
    case SL_MYSQL_TYPE_VECTOR:
        if (prefixed(cur, col->length, &p, &n))
            goto truncated;
        if (col->type == SL_MYSQL_TYPE_VECTOR && n % 4 != 0) {
            *why = "VECTOR length not a multiple of 4";
            return SL_ERR_PROTO;
        }
        val->kind = col->type == SL_MYSQL_TYPE_VECTOR ? SL_VAL_VECTOR : SL_VAL_GEOMETRY;
        val->v.s = copy_str(arena, p, n);
        return SL_OK;
    case SL_MYSQL_TYPE_JSON:
        if (prefixed(cur, col->length, &p, &n))
            goto truncated;
        return decode_json(dec, p, n, diff, arena, val, errstr, errstr_size);
    case SL_MYSQL_TYPE_BIT:
        n = col->length / 8 + (col->length % 8 ? 1 : 0);
        if (!take(cur, n, &p))
            goto truncated;
        val->kind = SL_VAL_BIT;
        val->v.s = copy_str(arena, p, n);
        return SL_OK;
    case SL_MYSQL_TYPE_ENUM:
    case SL_MYSQL_TYPE_SET:
        if (!take_le(cur, col->length, &u))
            goto truncated;
        val->kind = col->type == SL_MYSQL_TYPE_ENUM ? SL_VAL_ENUM : SL_VAL_SET;
        val->v.u = u;
        return SL_OK;
    case SL_MYSQL_TYPE_NULL:
        val->kind = SL_VAL_NULL;
        return SL_OK;
    case SL_MYSQL_TYPE_DECIMAL:
        /* Pre-5.0 DECIMAL (unpacked ASCII digits) cannot be told apart by length from its
         * metadata-less TABLE_MAP entry; servers never log it in row events of tables
         * created since 5.0, and ALTER TABLE converts it to NEWDECIMAL. */
        *why = "old DECIMAL (pre-MySQL 5.0 table) is not supported; ALTER TABLE the column "
               "to convert it";
        return SL_ERR_UNSUPPORTED;
    default:
        *why = "column type not decodable in row images";
        return SL_ERR_UNSUPPORTED;
    }
truncated:
    *why = "value runs past the end of the event";
    return SL_ERR_PROTO;
}
