/* SPDX-License-Identifier: Apache-2.0 */
/* Column definitions from information_schema.COLUMNS mapped to the binlog's TABLE_MAP view
 * (type codes, metadata, lengths, charsets, ENUM/SET labels), and text-protocol values parsed
 * into the struct sl_value the binlog decoder produces for the same stored value. Used by the
 * snapshot so that snapshot rows and streamed rows agree value for value. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/parse.h"
#include "core/time.h"
#include "source/schema.h"

struct type_map {
    const char *name;
    uint8_t type;
};

static const struct type_map types[] = {
    {"tinyint", SL_MYSQL_TYPE_TINY},       {"bool", SL_MYSQL_TYPE_TINY},
    {"boolean", SL_MYSQL_TYPE_TINY},       {"smallint", SL_MYSQL_TYPE_SHORT},
    {"mediumint", SL_MYSQL_TYPE_INT24},    {"int", SL_MYSQL_TYPE_LONG},
    {"integer", SL_MYSQL_TYPE_LONG},       {"bigint", SL_MYSQL_TYPE_LONGLONG},
    {"float", SL_MYSQL_TYPE_FLOAT},        {"double", SL_MYSQL_TYPE_DOUBLE},
    {"real", SL_MYSQL_TYPE_DOUBLE},        {"double precision", SL_MYSQL_TYPE_DOUBLE},
    {"decimal", SL_MYSQL_TYPE_NEWDECIMAL}, {"numeric", SL_MYSQL_TYPE_NEWDECIMAL},
    {"year", SL_MYSQL_TYPE_YEAR},          {"date", SL_MYSQL_TYPE_DATE},
    {"time", SL_MYSQL_TYPE_TIME2},         {"datetime", SL_MYSQL_TYPE_DATETIME2},
    {"timestamp", SL_MYSQL_TYPE_TIMESTAMP2}, {"char", SL_MYSQL_TYPE_STRING},
    {"binary", SL_MYSQL_TYPE_STRING},      {"varchar", SL_MYSQL_TYPE_VARCHAR},
    {"varbinary", SL_MYSQL_TYPE_VARCHAR},  {"tinytext", SL_MYSQL_TYPE_BLOB},
    {"text", SL_MYSQL_TYPE_BLOB},          {"mediumtext", SL_MYSQL_TYPE_BLOB},
    {"longtext", SL_MYSQL_TYPE_BLOB},      {"tinyblob", SL_MYSQL_TYPE_BLOB},
    {"blob", SL_MYSQL_TYPE_BLOB},          {"mediumblob", SL_MYSQL_TYPE_BLOB},
    {"longblob", SL_MYSQL_TYPE_BLOB},      {"enum", SL_MYSQL_TYPE_ENUM},
    {"set", SL_MYSQL_TYPE_SET},            {"bit", SL_MYSQL_TYPE_BIT},
    {"json", SL_MYSQL_TYPE_JSON},          {"geometry", SL_MYSQL_TYPE_GEOMETRY},
    {"point", SL_MYSQL_TYPE_GEOMETRY},     {"linestring", SL_MYSQL_TYPE_GEOMETRY},
    {"polygon", SL_MYSQL_TYPE_GEOMETRY},   {"multipoint", SL_MYSQL_TYPE_GEOMETRY},
    {"multilinestring", SL_MYSQL_TYPE_GEOMETRY}, {"multipolygon", SL_MYSQL_TYPE_GEOMETRY},
    {"geometrycollection", SL_MYSQL_TYPE_GEOMETRY}, {"geomcollection", SL_MYSQL_TYPE_GEOMETRY},
};

/* Length-prefix bytes of the BLOB family (TABLE_MAP metadata). */
static uint8_t blob_pack(const char *dt)
{
    if (strncasecmp(dt, "tiny", 4) == 0)
        return 1;
    if (strncasecmp(dt, "medium", 6) == 0)
        return 3;
    if (strncasecmp(dt, "long", 4) == 0)
        return 4;
    return 2;
}

/* Labels of "enum('a','b''c')" / "set(...)" into the arena. */
static void parse_labels(const char *ct, struct sl_arena *arena, struct sl_column *col)
{
    const char *p = strchr(ct, '(');
    uint32_t n = 0, cap = 0;
    struct sl_str *labels = NULL;
    if (!p)
        return;
    p++;
    /* First pass counts, second fills: labels may contain commas. */
    for (int pass = 0; pass < 2; pass++) {
        const char *q = p;
        n = 0;
        while (*q == '\'') {
            q++;
            char *txt = pass ? sl_arena_alloc(arena, strlen(q) + 1) : NULL;
            size_t len = 0;
            while (*q) {
                if (q[0] == '\'' && q[1] == '\'') {
                    if (txt)
                        txt[len] = '\'';
                    len++;
                    q += 2;
                } else if (q[0] == '\'') {
                    q++;
                    break;
                } else {
                    if (txt)
                        txt[len] = *q;
                    len++;
                    q++;
                }
            }
            if (txt) {
                txt[len] = '\0';
                labels[n] = (struct sl_str){txt, len};
            }
            n++;
            if (*q == ',')
                q++;
        }
        if (!pass) {
            cap = n;
            labels = sl_arena_calloc(arena, cap ? cap : 1, sizeof(*labels));
        }
    }
    col->n_labels = n;
    col->labels = labels;
}

sl_err_t sl_schema_column(const struct sl_schema_coldef *def, struct sl_arena *arena,
                          struct sl_column *col, char *errstr, size_t errstr_size)
{
    const char *dt = def->data_type ? def->data_type : "";
    const char *ct = def->column_type ? def->column_type : "";
    memset(col, 0, sizeof(*col));
    col->name = sl_arena_str(arena, sl_str_c(def->name ? def->name : ""));
    col->nullable = def->nullable;
    col->visible = true;
    col->is_unsigned = strstr(ct, "unsigned") != NULL;
    bool found = false;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcasecmp(dt, types[i].name) == 0) {
            col->type = types[i].type;
            found = true;
            break;
        }
    }
    if (!found) {
        snprintf(errstr, errstr_size, "column `%s`: type '%s' is not supported by the snapshot",
                 def->name ? def->name : "", ct);
        return SL_ERR_UNSUPPORTED;
    }
    col->binlog_type = col->type;
    bool binary = def->collation_id == 0 || def->collation_id == SL_CHARSET_BINARY;
    switch (col->type) {
    case SL_MYSQL_TYPE_FLOAT:
    case SL_MYSQL_TYPE_DOUBLE:
        col->length = col->meta = col->type == SL_MYSQL_TYPE_FLOAT ? 4 : 8;
        break;
    case SL_MYSQL_TYPE_NEWDECIMAL:
        col->precision = (uint8_t)def->precision;
        col->scale = (uint8_t)def->scale;
        col->meta = (uint16_t)(col->precision << 8 | col->scale);
        break;
    case SL_MYSQL_TYPE_TIME2:
    case SL_MYSQL_TYPE_DATETIME2:
    case SL_MYSQL_TYPE_TIMESTAMP2:
        col->fsp = (uint8_t)(def->fsp > 6 ? 6 : def->fsp);
        col->meta = col->fsp;
        break;
    case SL_MYSQL_TYPE_STRING: {
        uint32_t len = (uint32_t)def->octet_length;
        uint8_t b0 = (uint8_t)(SL_MYSQL_TYPE_STRING ^ ((len & 0x300) >> 4));
        col->length = len;
        col->meta = (uint16_t)(b0 << 8 | (len & 0xff));
        col->charset = binary ? SL_CHARSET_BINARY : def->collation_id;
        break;
    }
    case SL_MYSQL_TYPE_VARCHAR:
        col->length = col->meta = (uint16_t)def->octet_length;
        col->charset = binary ? SL_CHARSET_BINARY : def->collation_id;
        break;
    case SL_MYSQL_TYPE_BLOB:
        col->length = col->meta = blob_pack(dt);
        col->charset = binary ? SL_CHARSET_BINARY : def->collation_id;
        break;
    case SL_MYSQL_TYPE_JSON:
    case SL_MYSQL_TYPE_GEOMETRY:
        col->length = col->meta = 4;
        break;
    case SL_MYSQL_TYPE_ENUM:
    case SL_MYSQL_TYPE_SET:
        parse_labels(ct, arena, col);
        col->binlog_type = SL_MYSQL_TYPE_STRING;
        col->charset = def->collation_id;
        if (col->type == SL_MYSQL_TYPE_ENUM) {
            col->length = col->n_labels < 256 ? 1 : 2;
        } else {
            uint32_t l = (col->n_labels + 7) / 8;
            col->length = l > 4 ? 8 : l;
        }
        col->meta = (uint16_t)(col->type << 8 | col->length);
        break;
    case SL_MYSQL_TYPE_BIT:
        col->length = def->precision ? def->precision : 1;
        col->meta = (uint16_t)((col->length / 8) << 8 | (col->length % 8));
        break;
    default:
        break;
    }
    return SL_OK;
}

sl_err_t sl_schema_quote_ident(struct sl_buf *out, const char *name, size_t len)
{
    sl_err_t err = sl_buf_addch(out, '`');
    for (size_t i = 0; !err && i < len; i++) {
        if (name[i] == '`')
            err = sl_buf_addch(out, '`');
        if (!err)
            err = sl_buf_addch(out, name[i]);
    }
    return err ? err : sl_buf_addch(out, '`');
}

sl_err_t sl_schema_select_expr(const struct sl_column *col, struct sl_buf *out)
{
    sl_err_t err = SL_OK;
    if (col->type == SL_MYSQL_TYPE_FLOAT)
        err = sl_buf_addstr(out, "CAST(");
    if (!err)
        err = sl_schema_quote_ident(out, col->name.ptr, col->name.len);
    if (!err && col->type == SL_MYSQL_TYPE_FLOAT)
        err = sl_buf_addstr(out, " AS DOUBLE)");
    if (!err && (col->type == SL_MYSQL_TYPE_ENUM || col->type == SL_MYSQL_TYPE_SET))
        err = sl_buf_addstr(out, "+0");
    return err;
}

static struct sl_str copy(struct sl_arena *arena, const char *p, size_t n)
{
    return sl_arena_str(arena, (struct sl_str){p, n});
}

/* Reads exactly n decimal digits. */
static bool digits(const char **p, unsigned n, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (uint32_t)(c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Optional ".ffffff" (1-6 digits, scaled to microseconds). */
static bool fraction(const char **p, uint32_t *usec)
{
    *usec = 0;
    if (**p != '.')
        return true;
    (*p)++;
    unsigned n = 0;
    uint32_t v = 0;
    while ((*p)[0] >= '0' && (*p)[0] <= '9' && n < 6) {
        v = v * 10 + (uint32_t)(**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0)
        return false;
    while (n++ < 6)
        v *= 10;
    *usec = v;
    return true;
}

/* "YYYY-MM-DD" then optional " HH:MM:SS[.f]". */
static bool parse_datetime(const char *s, bool with_time, struct sl_tm *tm)
{
    uint32_t y, mo, d, h = 0, mi = 0, se = 0, us = 0;
    memset(tm, 0, sizeof(*tm));
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
        !digits(&s, 2, &d))
        return false;
    if (with_time) {
        if (*s++ != ' ' || !digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) ||
            *s++ != ':' || !digits(&s, 2, &se) || !fraction(&s, &us))
            return false;
    }
    if (*s || mo > 12 || d > 31 || h > 23 || mi > 59 || se > 59)
        return false;
    tm->year = (int32_t)y;
    tm->month = (uint8_t)mo;
    tm->day = (uint8_t)d;
    tm->hour = h;
    tm->minute = (uint8_t)mi;
    tm->second = (uint8_t)se;
    tm->usec = us;
    return true;
}

/* "[-]H...H:MM:SS[.f]". */
static bool parse_time(const char *s, struct sl_tm *tm)
{
    memset(tm, 0, sizeof(*tm));
    if (*s == '-') {
        tm->neg = true;
        s++;
    }
    uint32_t h = 0, mi, se, us;
    unsigned n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) {
        h = h * 10 + (uint32_t)(*s++ - '0');
        n++;
    }
    if (n == 0 || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' || !digits(&s, 2, &se) ||
        !fraction(&s, &us) || *s || mi > 59 || se > 59)
        return false;
    tm->hour = h;
    tm->minute = (uint8_t)mi;
    tm->second = (uint8_t)se;
    tm->usec = us;
    if (h == 0 && mi == 0 && se == 0 && us == 0)
        tm->neg = false;
    return true;
}

static bool label_index(const struct sl_column *col, const char *s, size_t len, uint64_t *out)
{
    for (uint32_t i = 0; i < col->n_labels; i++) {
        if (col->labels[i].len == len && memcmp(col->labels[i].ptr, s, len) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

/* ENUM/SET from either the number (`c`+0) or the label text. */
static bool enum_set(const struct sl_column *col, const char *text, size_t len, uint64_t *out)
{
    if (len && text[0] >= '0' && text[0] <= '9' && sl_parse_u64(text, out) == SL_OK)
        return true;
    if (len == 0) {
        *out = 0;
        return true;
    }
    uint64_t idx;
    if (col->type == SL_MYSQL_TYPE_ENUM) {
        if (!label_index(col, text, len, &idx))
            return false;
        *out = idx + 1;
        return true;
    }
    uint64_t bits = 0;
    const char *p = text, *end = text + len;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        if (!label_index(col, p, (size_t)(e - p), &idx) || idx >= 64)
            return false;
        bits |= (uint64_t)1 << idx;
        p = e + 1;
    }
    *out = bits;
    return true;
}

static bool parse_dbl(const char *s, double *out)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)))
        return false;
    *out = v;
    return true;
}

sl_err_t sl_schema_value(const struct sl_column *col, const char *text, size_t len,
                         struct sl_arena *arena, struct sl_value *val, char *errstr,
                         size_t errstr_size)
{
    memset(val, 0, sizeof(*val));
    if (!text) {
        val->kind = SL_VAL_NULL;
        return SL_OK;
    }
    bool ok = true;
    double d;
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
    case SL_MYSQL_TYPE_SHORT:
    case SL_MYSQL_TYPE_INT24:
    case SL_MYSQL_TYPE_LONG:
    case SL_MYSQL_TYPE_LONGLONG:
        if (col->is_unsigned) {
            val->kind = SL_VAL_UINT;
            ok = sl_parse_u64(text, &val->v.u) == SL_OK;
        } else {
            val->kind = SL_VAL_INT;
            ok = sl_parse_i64(text, &val->v.i) == SL_OK;
        }
        break;
    case SL_MYSQL_TYPE_YEAR:
        val->kind = SL_VAL_INT;
        ok = sl_parse_i64(text, &val->v.i) == SL_OK;
        break;
    case SL_MYSQL_TYPE_FLOAT:
        val->kind = SL_VAL_FLOAT;
        ok = parse_dbl(text, &d);
        val->v.f = (float)d;
        break;
    case SL_MYSQL_TYPE_DOUBLE:
        val->kind = SL_VAL_DOUBLE;
        ok = parse_dbl(text, &val->v.d);
        break;
    case SL_MYSQL_TYPE_NEWDECIMAL:
    case SL_MYSQL_TYPE_DECIMAL:
        val->kind = SL_VAL_DECIMAL;
        for (size_t i = 0; ok && i < len; i++)
            ok = (text[i] >= '0' && text[i] <= '9') || text[i] == '.' || (i == 0 && text[i] == '-');
        ok = ok && len > 0;
        val->v.s = copy(arena, text, len);
        break;
    case SL_MYSQL_TYPE_DATE:
    case SL_MYSQL_TYPE_NEWDATE:
        val->kind = SL_VAL_DATE;
        ok = parse_datetime(text, false, &val->v.tm);
        break;
    case SL_MYSQL_TYPE_TIME:
    case SL_MYSQL_TYPE_TIME2:
        val->kind = SL_VAL_TIME;
        ok = parse_time(text, &val->v.tm);
        break;
    case SL_MYSQL_TYPE_DATETIME:
    case SL_MYSQL_TYPE_DATETIME2:
        val->kind = SL_VAL_DATETIME;
        ok = parse_datetime(text, true, &val->v.tm);
        break;
    case SL_MYSQL_TYPE_TIMESTAMP:
    case SL_MYSQL_TYPE_TIMESTAMP2: {
        struct sl_tm tm;
        val->kind = SL_VAL_TIMESTAMP;
        ok = parse_datetime(text, true, &tm);
        if (ok && tm.year == 0 && tm.month == 0 && tm.day == 0) {
            val->v.ts.sec = 0; /* the zero TIMESTAMP is stored as 0 */
            val->v.ts.usec = 0;
        } else if (ok) {
            int64_t days = sl_time_days_from_civil(tm.year, tm.month, tm.day);
            val->v.ts.sec = days * 86400 + (int64_t)tm.hour * 3600 + tm.minute * 60 + tm.second;
            val->v.ts.usec = tm.usec;
        }
        break;
    }
    case SL_MYSQL_TYPE_STRING:
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_VAR_STRING:
        if (col->charset == SL_CHARSET_BINARY) {
            /* BINARY(n) keeps its 0x00 padding: the decoder restores the bytes the binlog
             * strips, so snapshot and stream give the column's full value. */
            val->kind = SL_VAL_BYTES;
        } else {
            val->kind = SL_VAL_STRING;
        }
        val->v.s = copy(arena, text, len);
        break;
    case SL_MYSQL_TYPE_BLOB:
    case SL_MYSQL_TYPE_TINY_BLOB:
    case SL_MYSQL_TYPE_MEDIUM_BLOB:
    case SL_MYSQL_TYPE_LONG_BLOB:
        val->kind = (col->charset && col->charset != SL_CHARSET_BINARY) ? SL_VAL_STRING
                                                                         : SL_VAL_BYTES;
        val->v.s = copy(arena, text, len);
        break;
    case SL_MYSQL_TYPE_GEOMETRY:
        val->kind = SL_VAL_GEOMETRY;
        val->v.s = copy(arena, text, len);
        break;
    case SL_MYSQL_TYPE_VECTOR:
        val->kind = SL_VAL_VECTOR;
        val->v.s = copy(arena, text, len);
        break;
    case SL_MYSQL_TYPE_BIT:
        val->kind = SL_VAL_BIT;
        ok = len == col->length / 8 + (col->length % 8 ? 1u : 0u);
        val->v.s = copy(arena, text, len);
        break;
    case SL_MYSQL_TYPE_ENUM:
    case SL_MYSQL_TYPE_SET:
        val->kind = col->type == SL_MYSQL_TYPE_ENUM ? SL_VAL_ENUM : SL_VAL_SET;
        ok = enum_set(col, text, len, &val->v.u);
        break;
    case SL_MYSQL_TYPE_JSON: {
        struct sl_buf buf;
        sl_buf_init(&buf, len + 16);
        ok = sl_schema_json_compact(text, len, &buf) == SL_OK;
        val->kind = SL_VAL_JSON;
        val->v.s = copy(arena, buf.data ? buf.data : "", buf.len);
        sl_buf_fini(&buf);
        break;
    }
    default:
        snprintf(errstr, errstr_size, "column `%.*s`: type %u has no snapshot reader",
                 SL_STR_FMT(col->name), col->type);
        return SL_ERR_UNSUPPORTED;
    }
    if (!ok) {
        snprintf(errstr, errstr_size, "column `%.*s` (type %u): cannot parse value '%.60s'",
                 SL_STR_FMT(col->name), col->type, text);
        return SL_ERR_PROTO;
    }
    return SL_OK;
}

sl_err_t sl_schema_json_compact(const char *text, size_t len, struct sl_buf *out)
{
    bool in_str = false;
    sl_err_t err = SL_OK;
    for (size_t i = 0; !err && i < len; i++) {
        char c = text[i];
        if (in_str) {
            err = sl_buf_addch(out, c);
            if (c == '\\' && i + 1 < len)
                err = err ? err : sl_buf_addch(out, text[++i]);
            else if (c == '"')
                in_str = false;
        } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            continue;
        } else {
            in_str = c == '"';
            err = sl_buf_addch(out, c);
        }
    }
    return in_str && !err ? SL_ERR_PROTO : err;
}
