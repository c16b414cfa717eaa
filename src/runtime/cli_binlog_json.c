/* SPDX-License-Identifier: Apache-2.0 */
/* The row-JSON writer of `sluice binlog`: one JSON object per row change, values rendered
 * exactly (see cli_binlog.h). This is a hot path (millions of rows per second), so per-table
 * key text is escaped once and cached, numbers are formatted by hand and everything is
 * appended to one sl_buf the caller writes out in big chunks. */
#include "runtime/cli_binlog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"

struct tab_cache {
    const struct sl_table *table;
    struct sl_buf prefix;   /* "db":"..","table":"..", */
    struct sl_buf keys;     /* all `"name":` texts back to back */
    size_t *key_off;        /* ncols + 1 offsets into keys */
    struct sl_column *cols; /* effective columns (resolved copy or table->cols) */
    bool owns_cols;
};

struct sl_rowjson {
    struct tab_cache **tabs;
    size_t ntabs, cap;
    struct tab_cache *last;
    sl_rowjson_resolve_fn *resolve;
    void *opaque;
};

struct sl_rowjson *sl_rowjson_new(sl_rowjson_resolve_fn *resolve, void *opaque)
{
    struct sl_rowjson *rj = sl_xcalloc(1, sizeof(*rj));
    rj->resolve = resolve;
    rj->opaque = opaque;
    return rj;
}

void sl_rowjson_free(struct sl_rowjson *rj)
{
    if (!rj)
        return;
    for (size_t i = 0; i < rj->ntabs; i++) {
        struct tab_cache *tc = rj->tabs[i];
        sl_buf_fini(&tc->prefix);
        sl_buf_fini(&tc->keys);
        sl_free(tc->key_off);
        if (tc->owns_cols)
            sl_free(tc->cols);
        sl_free(tc);
    }
    sl_free(rj->tabs);
    sl_free(rj);
}

/* ---- Number formatting ---- */

/* Writes v in decimal at p; returns the number of bytes (at most 20). */
static size_t fmt_u64(char *p, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static size_t fmt_i64(char *p, int64_t v)
{
    if (v < 0) {
        p[0] = '-';
        return 1 + fmt_u64(p + 1, (uint64_t)0 - (uint64_t)v);
    }
    return fmt_u64(p, (uint64_t)v);
}

/* Zero-padded to width digits (v < 10^width unless wider is needed). */
static size_t fmt_pad(char *p, uint64_t v, size_t width)
{
    char tmp[20];
    size_t n = fmt_u64(tmp, v);
    size_t pad = n < width ? width - n : 0;
    memset(p, '0', pad);
    memcpy(p + pad, tmp, n);
    return pad + n;
}

static sl_err_t add_u64(struct sl_buf *buf, uint64_t v)
{
    sl_err_t err = sl_buf_reserve(buf, 24);
    if (err)
        return err;
    buf->len += fmt_u64(buf->data + buf->len, v);
    buf->data[buf->len] = '\0';
    return SL_OK;
}

static sl_err_t add_i64(struct sl_buf *buf, int64_t v)
{
    sl_err_t err = sl_buf_reserve(buf, 24);
    if (err)
        return err;
    buf->len += fmt_i64(buf->data + buf->len, v);
    buf->data[buf->len] = '\0';
    return SL_OK;
}

static sl_err_t add_float(struct sl_buf *buf, float f)
{
    if (!isfinite(f))
        return sl_buf_add(buf, "null", 4);
    char tmp[32];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)f);
        if (strtof(tmp, NULL) == f)
            break;
    }
    return sl_buf_addstr(buf, tmp);
}

/* ---- Dates and times ---- */

/* Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static size_t fmt_frac(char *p, uint32_t usec, unsigned fsp)
{
    if (fsp == 0)
        return 0;
    if (fsp > 6)
        fsp = 6;
    char six[6];
    fmt_pad(six, usec % 1000000, 6);
    p[0] = '.';
    memcpy(p + 1, six, fsp);
    return 1 + fsp;
}

static size_t fmt_date(char *p, int64_t y, unsigned m, unsigned d)
{
    size_t n = 0;
    if (y < 0) {
        p[n++] = '-';
        y = -y;
    }
    n += fmt_pad(p + n, (uint64_t)y, 4);
    p[n++] = '-';
    n += fmt_pad(p + n, m, 2);
    p[n++] = '-';
    n += fmt_pad(p + n, d, 2);
    return n;
}

static size_t fmt_hms(char *p, uint64_t h, unsigned mi, unsigned s)
{
    size_t n = fmt_pad(p, h, 2);
    p[n++] = ':';
    n += fmt_pad(p + n, mi, 2);
    p[n++] = ':';
    n += fmt_pad(p + n, s, 2);
    return n;
}

static sl_err_t add_temporal(struct sl_buf *buf, const struct sl_column *col,
                             const struct sl_value *val)
{
    sl_err_t err = sl_buf_reserve(buf, 64);
    if (err)
        return err;
    char *p = buf->data + buf->len;
    size_t n = 0;
    const struct sl_tm *tm = &val->v.tm;
    p[n++] = '"';
    switch (val->kind) {
    case SL_VAL_DATE:
        n += fmt_date(p + n, tm->year, tm->month, tm->day);
        break;
    case SL_VAL_TIME:
        if (tm->neg)
            p[n++] = '-';
        n += fmt_hms(p + n, tm->hour, tm->minute, tm->second);
        n += fmt_frac(p + n, tm->usec, col->fsp);
        break;
    case SL_VAL_DATETIME:
        n += fmt_date(p + n, tm->year, tm->month, tm->day);
        p[n++] = 'T';
        n += fmt_hms(p + n, tm->hour, tm->minute, tm->second);
        n += fmt_frac(p + n, tm->usec, col->fsp);
        break;
    default: { /* SL_VAL_TIMESTAMP */
        int64_t sec = val->v.ts.sec;
        if (sec == 0 && val->v.ts.usec == 0) {
            /* MySQL stores the zero TIMESTAMP as 0: 1970-01-01 00:00:00 UTC is not a
             * valid TIMESTAMP value. */
            n += fmt_date(p + n, 0, 0, 0);
            p[n++] = 'T';
            n += fmt_hms(p + n, 0, 0, 0);
        } else {
            int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
            int64_t rem = sec - days * 86400;
            int64_t y;
            unsigned m, d;
            civil_from_days(days, &y, &m, &d);
            n += fmt_date(p + n, y, m, d);
            p[n++] = 'T';
            n += fmt_hms(p + n, (uint64_t)(rem / 3600), (unsigned)(rem % 3600 / 60),
                         (unsigned)(rem % 60));
        }
        n += fmt_frac(p + n, val->v.ts.usec, col->fsp);
        p[n++] = 'Z';
        break;
    }
    }
    p[n++] = '"';
    buf->len += n;
    buf->data[buf->len] = '\0';
    return SL_OK;
}

/* ---- Strings ---- */

static bool is_latin1(uint16_t cs)
{
    switch (cs) {
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94:
    case 1032:
    case 1071: /* MariaDB latin1 NOPAD collations */
        return true;
    default:
        return false;
    }
}

/* MySQL's latin1 is Windows-1252: 0x80..0x9F map to these code points (5 unassigned bytes
 * map to themselves, as MySQL does). */
static const uint16_t cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static sl_err_t add_latin1(struct sl_buf *buf, const char *s, size_t len)
{
    struct sl_buf tmp;
    sl_buf_init(&tmp, buf->max);
    sl_err_t err = sl_buf_reserve(&tmp, len * 3);
    for (size_t i = 0; !err && i < len; i++) {
        unsigned c = (unsigned char)s[i];
        if (c >= 0x80 && c < 0xa0)
            c = cp1252[c - 0x80];
        char *p = tmp.data + tmp.len;
        if (c < 0x80) {
            p[0] = (char)c;
            tmp.len += 1;
        } else if (c < 0x800) {
            p[0] = (char)(0xc0 | c >> 6);
            p[1] = (char)(0x80 | (c & 0x3f));
            tmp.len += 2;
        } else {
            p[0] = (char)(0xe0 | c >> 12);
            p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
            p[2] = (char)(0x80 | (c & 0x3f));
            tmp.len += 3;
        }
    }
    if (!err)
        err = sl_json_str(buf, tmp.data ? tmp.data : "", tmp.len);
    sl_buf_fini(&tmp);
    return err;
}

static sl_err_t add_base64(struct sl_buf *buf, const char *s, size_t len)
{
    sl_err_t err = sl_buf_addch(buf, '"');
    if (!err)
        err = sl_base64_add(buf, s, len);
    if (!err)
        err = sl_buf_addch(buf, '"');
    return err;
}

/* BINARY(n): the binlog drops trailing 0x00 bytes, the column value has all n bytes. */
static sl_err_t add_binary_padded(struct sl_buf *buf, const char *s, size_t len, size_t n)
{
    char tmp[255];
    memcpy(tmp, s, len);
    memset(tmp + len, 0, n - len);
    return add_base64(buf, tmp, n);
}

static sl_err_t add_labels(struct sl_buf *buf, const struct sl_column *col, uint64_t bits)
{
    struct sl_buf tmp;
    sl_buf_init(&tmp, buf->max);
    sl_err_t err = SL_OK;
    bool first = true;
    for (uint32_t i = 0; !err && i < col->n_labels && i < 64; i++) {
        if (!(bits >> i & 1))
            continue;
        if (!first)
            err = sl_buf_addch(&tmp, ',');
        if (!err)
            err = sl_buf_add(&tmp, col->labels[i].ptr, col->labels[i].len);
        first = false;
    }
    if (!err)
        err = sl_json_str(buf, tmp.data ? tmp.data : "", tmp.len);
    sl_buf_fini(&tmp);
    return err;
}

sl_err_t sl_rowjson_value(struct sl_buf *buf, const struct sl_column *col,
                          const struct sl_value *val)
{
    const struct sl_str *s = &val->v.s;
    switch (val->kind) {
    case SL_VAL_NULL:
    case SL_VAL_ABSENT:
        return sl_buf_add(buf, "null", 4);
    case SL_VAL_INT:
        return add_i64(buf, val->v.i);
    case SL_VAL_UINT:
        return add_u64(buf, val->v.u);
    case SL_VAL_FLOAT:
        return add_float(buf, val->v.f);
    case SL_VAL_DOUBLE:
        return sl_json_double(buf, val->v.d);
    case SL_VAL_DECIMAL: {
        sl_err_t err = sl_buf_reserve(buf, s->len + 2);
        if (err)
            return err;
        buf->data[buf->len++] = '"';
        memcpy(buf->data + buf->len, s->ptr, s->len);
        buf->len += s->len;
        buf->data[buf->len++] = '"';
        buf->data[buf->len] = '\0';
        return SL_OK;
    }
    case SL_VAL_DATE:
    case SL_VAL_TIME:
    case SL_VAL_DATETIME:
    case SL_VAL_TIMESTAMP:
        return add_temporal(buf, col, val);
    case SL_VAL_STRING:
        if (col->charset == SL_CHARSET_BINARY) {
            if (col->type == SL_MYSQL_TYPE_STRING && s->len < col->length && col->length <= 255)
                return add_binary_padded(buf, s->ptr, s->len, col->length);
            return add_base64(buf, s->ptr, s->len);
        }
        if (is_latin1(col->charset))
            return add_latin1(buf, s->ptr, s->len);
        return sl_json_str(buf, s->ptr, s->len);
    case SL_VAL_BYTES:
        if (col->type == SL_MYSQL_TYPE_STRING && s->len < col->length && col->length <= 255)
            return add_binary_padded(buf, s->ptr, s->len, col->length);
        return add_base64(buf, s->ptr, s->len);
    case SL_VAL_BIT: {
        if (s->len > 8)
            return add_base64(buf, s->ptr, s->len);
        uint64_t v = 0;
        for (size_t i = 0; i < s->len; i++)
            v = v << 8 | (uint8_t)s->ptr[i];
        return add_u64(buf, v);
    }
    case SL_VAL_ENUM:
        if (col->n_labels && val->v.u <= col->n_labels) {
            if (val->v.u == 0)
                return sl_buf_add(buf, "\"\"", 2);
            const struct sl_str *l = &col->labels[val->v.u - 1];
            return sl_json_str(buf, l->ptr, l->len);
        }
        return add_u64(buf, val->v.u);
    case SL_VAL_SET:
        if (col->n_labels)
            return add_labels(buf, col, val->v.u);
        return add_u64(buf, val->v.u);
    case SL_VAL_JSON:
    case SL_VAL_JSON_DIFF:
        if (s->len == 0)
            return sl_buf_add(buf, "null", 4);
        return sl_buf_add(buf, s->ptr, s->len);
    case SL_VAL_GEOMETRY:
        if (s->len >= 4)
            return add_base64(buf, s->ptr + 4, s->len - 4);
        return add_base64(buf, s->ptr, s->len);
    case SL_VAL_VECTOR: {
        sl_err_t err = sl_buf_addch(buf, '[');
        for (size_t i = 0; !err && i + 4 <= s->len; i += 4) {
            const uint8_t *b = (const uint8_t *)s->ptr + i;
            uint32_t bits =
                (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            float f;
            memcpy(&f, &bits, sizeof(f));
            if (i)
                err = sl_buf_addch(buf, ',');
            if (!err)
                err = add_float(buf, f);
        }
        return err ? err : sl_buf_addch(buf, ']');
    }
    default:
        return sl_buf_add(buf, "null", 4);
    }
}

/* ---- Rows ---- */

static struct tab_cache *tab_build(struct sl_rowjson *rj, const struct sl_table *table)
{
    struct tab_cache *tc = sl_xcalloc(1, sizeof(*tc));
    tc->table = table;
    tc->cols = table->cols;
    if (!table->has_names && rj->resolve && table->ncols) {
        tc->cols = sl_xmemdup(table->cols, table->ncols * sizeof(*table->cols));
        tc->owns_cols = true;
        rj->resolve(table, tc->cols, rj->opaque);
    }
    sl_buf_init(&tc->prefix, SL_BUF_MAX_DEFAULT);
    sl_buf_addstr(&tc->prefix, "\"db\":");
    sl_json_str(&tc->prefix, table->db.ptr ? table->db.ptr : "", table->db.len);
    sl_buf_addstr(&tc->prefix, ",\"table\":");
    sl_json_str(&tc->prefix, table->name.ptr ? table->name.ptr : "", table->name.len);
    sl_buf_addch(&tc->prefix, ',');
    sl_buf_init(&tc->keys, SL_BUF_MAX_DEFAULT);
    tc->key_off = sl_xcalloc((size_t)table->ncols + 1, sizeof(*tc->key_off));
    for (uint32_t i = 0; i < table->ncols; i++) {
        tc->key_off[i] = tc->keys.len;
        const struct sl_str *name = &tc->cols[i].name;
        if (name->len) {
            sl_json_str(&tc->keys, name->ptr, name->len);
        } else {
            char tmp[16];
            int n = snprintf(tmp, sizeof(tmp), "\"@%u\"", i + 1);
            sl_buf_add(&tc->keys, tmp, (size_t)n);
        }
        sl_buf_addch(&tc->keys, ':');
    }
    tc->key_off[table->ncols] = tc->keys.len;
    if (rj->ntabs == rj->cap) {
        rj->cap = rj->cap ? rj->cap * 2 : 16;
        rj->tabs = sl_xrealloc(rj->tabs, rj->cap * sizeof(*rj->tabs));
    }
    rj->tabs[rj->ntabs++] = tc;
    return tc;
}

static struct tab_cache *tab_get(struct sl_rowjson *rj, const struct sl_table *table)
{
    if (rj->last && rj->last->table == table)
        return rj->last;
    struct tab_cache *tc = NULL;
    for (size_t i = rj->ntabs; i-- > 0;) {
        if (rj->tabs[i]->table == table) {
            tc = rj->tabs[i];
            break;
        }
    }
    if (!tc)
        tc = tab_build(rj, table);
    rj->last = tc;
    return tc;
}

/* A signed value of a column the server says is unsigned (binlog without SIGNEDNESS
 * metadata): reinterpret it at the column's width. */
static uint64_t unsigned_of(const struct sl_column *col, int64_t v)
{
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
        return (uint8_t)v;
    case SL_MYSQL_TYPE_SHORT:
        return (uint16_t)v;
    case SL_MYSQL_TYPE_INT24:
        return (uint32_t)v & 0xffffffu;
    case SL_MYSQL_TYPE_LONG:
        return (uint32_t)v;
    default:
        return (uint64_t)v;
    }
}

static sl_err_t add_image(struct sl_buf *buf, const struct tab_cache *tc, uint32_t ncols,
                          const struct sl_value *vals)
{
    if (!vals)
        return sl_buf_add(buf, "null", 4);
    sl_err_t err = sl_buf_addch(buf, '{');
    bool first = true;
    for (uint32_t i = 0; !err && i < ncols; i++) {
        const struct sl_value *val = &vals[i];
        if (val->kind == SL_VAL_ABSENT)
            continue;
        size_t klen = tc->key_off[i + 1] - tc->key_off[i];
        err = sl_buf_reserve(buf, klen + 8);
        if (err)
            break;
        if (!first)
            buf->data[buf->len++] = ',';
        first = false;
        memcpy(buf->data + buf->len, tc->keys.data + tc->key_off[i], klen);
        buf->len += klen;
        switch (val->kind) {
        case SL_VAL_NULL:
            memcpy(buf->data + buf->len, "null", 4);
            buf->len += 4;
            buf->data[buf->len] = '\0';
            break;
        case SL_VAL_INT:
            buf->data[buf->len] = '\0';
            if (val->v.i < 0 && tc->cols[i].is_unsigned)
                err = add_u64(buf, unsigned_of(&tc->cols[i], val->v.i));
            else
                err = add_i64(buf, val->v.i);
            break;
        default:
            buf->data[buf->len] = '\0';
            err = sl_rowjson_value(buf, &tc->cols[i], val);
            break;
        }
    }
    return err ? err : sl_buf_addch(buf, '}');
}

static const char *const op_text[] = {
    [SL_OP_INSERT] = "\"op\":\"insert\",\"before\":",
    [SL_OP_UPDATE] = "\"op\":\"update\",\"before\":",
    [SL_OP_DELETE] = "\"op\":\"delete\",\"before\":",
    [SL_OP_READ] = "\"op\":\"read\",\"before\":",
};

sl_err_t sl_rowjson_write(struct sl_rowjson *rj, const struct sl_change *chg, struct sl_buf *buf)
{
    const struct sl_table *table = chg->table;
    struct tab_cache *tc = tab_get(rj, table);
    size_t start = buf->len;
    size_t flen = strnlen(chg->pos.file, sizeof(chg->pos.file));
    sl_err_t err = sl_buf_reserve(buf, flen + chg->pos.gtid.len + tc->prefix.len + 128);
    if (err)
        return err;
    char *p = buf->data + buf->len;
    size_t n = 0;
    memcpy(p, "{\"pos\":\"", 8);
    n += 8;
    memcpy(p + n, chg->pos.file, flen);
    n += flen;
    p[n++] = ':';
    n += fmt_u64(p + n, chg->pos.event_pos);
    memcpy(p + n, "\",\"gtid\":", 9);
    n += 9;
    buf->len += n;
    if (chg->pos.gtid.len)
        err = sl_json_str(buf, chg->pos.gtid.ptr, chg->pos.gtid.len);
    else
        err = sl_buf_add(buf, "null", 4);
    if (!err)
        err = sl_buf_add(buf, ",\"ts\":", 6);
    if (!err)
        err = add_i64(buf, chg->pos.ts_sec);
    if (!err)
        err = sl_buf_addch(buf, ',');
    if (!err)
        err = sl_buf_add(buf, tc->prefix.data, tc->prefix.len);
    if (!err) {
        const char *op =
            (unsigned)chg->op <= SL_OP_READ ? op_text[chg->op] : "\"op\":\"unknown\",\"before\":";
        err = sl_buf_addstr(buf, op);
    }
    if (!err)
        err = add_image(buf, tc, table->ncols, chg->before);
    if (!err)
        err = sl_buf_add(buf, ",\"after\":", 9);
    if (!err)
        err = add_image(buf, tc, table->ncols, chg->after);
    if (!err)
        err = sl_buf_add(buf, "}\n", 2);
    if (err)
        sl_buf_truncate(buf, start);
    return err;
}
