/* SPDX-License-Identifier: Apache-2.0 */
/* Debezium 1.9's MySQL type mapping (reference §7): which Connect schema each column gets
 * under the handling modes, and how each decoded value is written, both as JsonConverter
 * JSON and as Kafka Struct.toString text (StringConverter keys). Runs per value: no
 * allocation beyond the caller's buffers. */
#include "convert/types.h"
#include "core/json.h"

#include <stdio.h>
#include <string.h>

#include "core/time.h"

/* ---- Helpers ---- */

static void set_err(struct sl_vctx *vc, const struct sl_column *col, const char *what)
{
    snprintf(vc->errstr, vc->errstr_size, "%.*s.%.*s column %.*s: %s", SL_STR_FMT(vc->table->db),
             SL_STR_FMT(vc->table->name), SL_STR_FMT(col->name), what);
}

void sl_col_name(struct sl_cw *cw, const struct sl_table *table, uint32_t i, bool json)
{
    const struct sl_column *col = &table->cols[i];
    if (col->name.len) {
        if (json)
            sl_cw_jstr(cw, col->name.ptr, col->name.len);
        else
            sl_cw_add(cw, col->name.ptr, col->name.len);
        return;
    }
    char tmp[16];
    int n = snprintf(tmp, sizeof(tmp), "@%u", i + 1);
    if (json)
        sl_cw_jstr(cw, tmp, (size_t)n);
    else
        sl_cw_add(cw, tmp, (size_t)n);
}

void sl_cw_utf8(struct sl_cw *cw, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = sl_utf8_len(p + i, len - i);
        if (n) {
            sl_cw_add(cw, p + i, n);
            i += n;
        } else {
            sl_cw_add(cw, "\xef\xbf\xbd", 3);
            i++;
        }
    }
}

static void put_utf8(struct sl_cw *cw, uint32_t cp)
{
    char o[3];
    if (cp < 0x80) {
        sl_cw_ch(cw, (char)cp);
    } else if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        sl_cw_add(cw, o, 2);
    } else {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        sl_cw_add(cw, o, 3);
    }
}

/* MySQL's latin1 is Windows-1252 (Connector/J maps it to Cp1252); the five unassigned
 * bytes decode to U+FFFD as in Java. */
static const uint16_t cp1252_80[32] = {
    0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

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
        return true;
    default:
        return false;
    }
}

static bool is_ascii(uint16_t cs)
{
    return cs == 11 || cs == 65;
}

/* Character data as UTF-8: converted into the scratch buffer when the column charset is
 * latin1 or ascii; other charsets are taken as UTF-8 (Debezium's fallback, §7.6). */
static sl_err_t text_utf8(struct sl_vctx *vc, const struct sl_column *col, struct sl_str in,
                          struct sl_str *out)
{
    if (!is_latin1(col->charset) && !is_ascii(col->charset)) {
        *out = in;
        return SL_OK;
    }
    sl_buf_reset(vc->scratch);
    struct sl_cw sw = {vc->scratch, SL_OK};
    const unsigned char *p = (const unsigned char *)in.ptr;
    for (size_t i = 0; i < in.len; i++) {
        if (p[i] < 0x80)
            sl_cw_ch(&sw, (char)p[i]);
        else if (is_ascii(col->charset))
            put_utf8(&sw, 0xfffd);
        else if (p[i] < 0xa0)
            put_utf8(&sw, cp1252_80[p[i] - 0x80]);
        else
            put_utf8(&sw, p[i]);
    }
    out->ptr = vc->scratch->data ? vc->scratch->data : "";
    out->len = vc->scratch->len;
    return sw.err;
}

/* ---- Mapping ---- */

sl_ck_t sl_ck_of(const struct sl_column *col, const struct sl_conv_opts *opts)
{
    bool connect = opts->time_mode == SL_CONV_TIME_CONNECT;
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
        return SL_CK_INT16;
    case SL_MYSQL_TYPE_SHORT:
        return col->is_unsigned ? SL_CK_INT32 : SL_CK_INT16;
    case SL_MYSQL_TYPE_INT24:
        return SL_CK_INT32;
    case SL_MYSQL_TYPE_LONG:
        return col->is_unsigned ? SL_CK_INT64 : SL_CK_INT32;
    case SL_MYSQL_TYPE_LONGLONG:
        if (col->is_unsigned && opts->bigint_mode == SL_CONV_BIGINT_PRECISE)
            return SL_CK_UDECIMAL;
        return SL_CK_INT64;
    case SL_MYSQL_TYPE_FLOAT: /* 1.9 maps FLOAT to FLOAT64 */
    case SL_MYSQL_TYPE_DOUBLE:
        return SL_CK_DOUBLE;
    case SL_MYSQL_TYPE_DECIMAL:
    case SL_MYSQL_TYPE_NEWDECIMAL:
        if (opts->decimal_mode == SL_CONV_DECIMAL_DOUBLE)
            return SL_CK_DEC_DOUBLE;
        if (opts->decimal_mode == SL_CONV_DECIMAL_STRING)
            return SL_CK_DEC_STRING;
        return SL_CK_DECIMAL;
    case SL_MYSQL_TYPE_YEAR:
        return SL_CK_YEAR;
    case SL_MYSQL_TYPE_DATE:
    case SL_MYSQL_TYPE_NEWDATE:
        return connect ? SL_CK_CDATE : SL_CK_DATE;
    case SL_MYSQL_TYPE_TIME:
    case SL_MYSQL_TYPE_TIME2:
        if (connect)
            return SL_CK_CTIME;
        if (opts->time_mode == SL_CONV_TIME_ADAPTIVE && col->fsp <= 3)
            return SL_CK_TIME_MS;
        return SL_CK_MICROTIME;
    case SL_MYSQL_TYPE_DATETIME:
    case SL_MYSQL_TYPE_DATETIME2:
        if (connect)
            return SL_CK_CTS;
        return col->fsp <= 3 ? SL_CK_TS_MS : SL_CK_MICROTS;
    case SL_MYSQL_TYPE_TIMESTAMP:
    case SL_MYSQL_TYPE_TIMESTAMP2:
        return SL_CK_ZONED;
    case SL_MYSQL_TYPE_BIT:
        return col->length == 1 ? SL_CK_BOOL : SL_CK_BITS;
    case SL_MYSQL_TYPE_ENUM:
        return SL_CK_ENUM;
    case SL_MYSQL_TYPE_SET:
        return SL_CK_SET;
    case SL_MYSQL_TYPE_JSON:
        return SL_CK_JSON;
    case SL_MYSQL_TYPE_GEOMETRY:
        return col->geometry_type == 1 ? SL_CK_POINT : SL_CK_GEOMETRY;
    case SL_MYSQL_TYPE_VECTOR:
        return SL_CK_VECTOR;
    default:
        break;
    }
    /* CHAR/VARCHAR/TEXT vs BINARY/VARBINARY/BLOB: the binary collation decides. */
    if (col->charset == SL_CHARSET_BINARY) {
        if (opts->binary_mode == SL_CONV_BINARY_BASE64)
            return SL_CK_BYTES_B64;
        if (opts->binary_mode == SL_CONV_BINARY_HEX)
            return SL_CK_BYTES_HEX;
        if (opts->binary_mode == SL_CONV_BINARY_BASE64_URL_SAFE)
            return SL_CK_BYTES_B64URL;
        return SL_CK_BYTES;
    }
    return SL_CK_STRING;
}

/* ---- Schemas ---- */

struct ck_desc {
    const char *type;
    const char *name; /* semantic name, version 1; NULL: none */
};

static const struct ck_desc ck_descs[] = {
    [SL_CK_BOOL] = {"boolean", NULL},
    [SL_CK_INT16] = {"int16", NULL},
    [SL_CK_INT32] = {"int32", NULL},
    [SL_CK_INT64] = {"int64", NULL},
    [SL_CK_DOUBLE] = {"double", NULL},
    [SL_CK_DECIMAL] = {"bytes", "org.apache.kafka.connect.data.Decimal"},
    [SL_CK_UDECIMAL] = {"bytes", "org.apache.kafka.connect.data.Decimal"},
    [SL_CK_DEC_DOUBLE] = {"double", NULL},
    [SL_CK_DEC_STRING] = {"string", NULL},
    [SL_CK_STRING] = {"string", NULL},
    [SL_CK_BYTES] = {"bytes", NULL},
    [SL_CK_BYTES_B64] = {"string", NULL},
    [SL_CK_BYTES_HEX] = {"string", NULL},
    [SL_CK_BYTES_B64URL] = {"string", NULL},
    [SL_CK_BITS] = {"bytes", "io.debezium.data.Bits"},
    [SL_CK_ENUM] = {"string", "io.debezium.data.Enum"},
    [SL_CK_SET] = {"string", "io.debezium.data.EnumSet"},
    [SL_CK_JSON] = {"string", "io.debezium.data.Json"},
    [SL_CK_YEAR] = {"int32", "io.debezium.time.Year"},
    [SL_CK_DATE] = {"int32", "io.debezium.time.Date"},
    [SL_CK_CDATE] = {"int32", "org.apache.kafka.connect.data.Date"},
    [SL_CK_MICROTIME] = {"int64", "io.debezium.time.MicroTime"},
    [SL_CK_TIME_MS] = {"int32", "io.debezium.time.Time"},
    [SL_CK_CTIME] = {"int32", "org.apache.kafka.connect.data.Time"},
    [SL_CK_TS_MS] = {"int64", "io.debezium.time.Timestamp"},
    [SL_CK_MICROTS] = {"int64", "io.debezium.time.MicroTimestamp"},
    [SL_CK_CTS] = {"int64", "org.apache.kafka.connect.data.Timestamp"},
    [SL_CK_ZONED] = {"string", "io.debezium.time.ZonedTimestamp"},
    [SL_CK_GEOMETRY] = {"struct", "io.debezium.data.geometry.Geometry"},
    [SL_CK_POINT] = {"struct", "io.debezium.data.geometry.Point"},
    [SL_CK_VECTOR] = {"array", "io.debezium.data.FloatVector"},
};

/* "allowed" parameter: the labels joined with ','. */
static void labels_param(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col)
{
    sl_buf_reset(vc->scratch);
    struct sl_cw sw = {vc->scratch, SL_OK};
    for (uint32_t i = 0; i < col->n_labels; i++) {
        if (i)
            sl_cw_ch(&sw, ',');
        sl_cw_add(&sw, col->labels[i].ptr, col->labels[i].len);
    }
    if (sw.err && !cw->err)
        cw->err = sw.err;
    sl_cw_str(cw, ",\"parameters\":{\"allowed\":");
    sl_cw_jstr(cw, vc->scratch->data ? vc->scratch->data : "", vc->scratch->len);
    sl_cw_ch(cw, '}');
}

void sl_ck_schema(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col, sl_ck_t ck,
                  bool optional)
{
    const struct ck_desc *d = &ck_descs[ck];
    sl_cw_str(cw, "{\"type\":\"");
    sl_cw_str(cw, d->type);
    sl_cw_ch(cw, '"');
    if (ck == SL_CK_GEOMETRY) {
        sl_cw_str(cw, ",\"fields\":[{\"type\":\"bytes\",\"optional\":false,\"field\":\"wkb\"},"
                      "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}]");
    } else if (ck == SL_CK_POINT) {
        sl_cw_str(cw, ",\"fields\":[{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
                      "{\"type\":\"double\",\"optional\":false,\"field\":\"y\"},"
                      "{\"type\":\"bytes\",\"optional\":true,\"field\":\"wkb\"},"
                      "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}]");
    } else if (ck == SL_CK_VECTOR) {
        sl_cw_str(cw, ",\"items\":{\"type\":\"float\",\"optional\":false}");
    }
    sl_cw_str(cw, optional ? ",\"optional\":true" : ",\"optional\":false");
    if (!d->name)
        return;
    sl_cw_str(cw, ",\"name\":\"");
    sl_cw_str(cw, d->name);
    sl_cw_str(cw, "\",\"version\":1");
    char tmp[96];
    switch (ck) {
    case SL_CK_DECIMAL:
        snprintf(tmp, sizeof(tmp),
                 ",\"parameters\":{\"scale\":\"%u\",\"connect.decimal.precision\":\"%u\"}",
                 col->scale, col->precision);
        sl_cw_str(cw, tmp);
        break;
    case SL_CK_UDECIMAL:
        sl_cw_str(cw, ",\"parameters\":{\"scale\":\"0\"}");
        break;
    case SL_CK_BITS:
        snprintf(tmp, sizeof(tmp), ",\"parameters\":{\"length\":\"%u\"}", col->length);
        sl_cw_str(cw, tmp);
        break;
    case SL_CK_ENUM:
    case SL_CK_SET:
        labels_param(cw, vc, col);
        break;
    case SL_CK_GEOMETRY:
        sl_cw_str(cw, ",\"doc\":\"Geometry\"");
        break;
    case SL_CK_POINT:
        sl_cw_str(cw, ",\"doc\":\"Geometry (POINT)\"");
        break;
    default:
        break;
    }
}

/* ---- Values ---- */

static bool date_invalid(const struct sl_tm *tm)
{
    return tm->month < 1 || tm->month > 12 || tm->day < 1 || tm->day > 31;
}

static bool is_temporal_date(sl_ck_t ck)
{
    return ck == SL_CK_DATE || ck == SL_CK_CDATE || ck == SL_CK_TS_MS || ck == SL_CK_MICROTS ||
           ck == SL_CK_CTS || ck == SL_CK_ZONED;
}

/* Zero or invalid dates (0000-00-00, 2020-00-10, TIMESTAMP 0): §7.4. */
static bool zero_date(sl_ck_t ck, const struct sl_value *val)
{
    if (!is_temporal_date(ck))
        return false;
    if (val->kind == SL_VAL_DATE || val->kind == SL_VAL_DATETIME)
        return date_invalid(&val->v.tm);
    if (val->kind == SL_VAL_TIMESTAMP)
        return val->v.ts.sec == 0 && val->v.ts.usec == 0;
    return false;
}

bool sl_ck_is_null(const struct sl_column *col, sl_ck_t ck, const struct sl_value *val)
{
    if (val->kind == SL_VAL_ABSENT || val->kind == SL_VAL_NULL)
        return true;
    return col->nullable && zero_date(ck, val);
}

static int64_t civil_seconds(const struct sl_tm *tm)
{
    int64_t days = sl_time_days_from_civil(tm->year, tm->month, tm->day);
    return days * 86400 + (int64_t)tm->hour * 3600 + tm->minute * 60 + tm->second;
}

/* Civil date of a day number (inverse of days_from_civil, same era algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ISO_OFFSET_DATE_TIME of a UTC instant: fraction without trailing zeros, omitted at 0. */
static void zoned(struct sl_cw *cw, int64_t sec, uint32_t usec, bool quote)
{
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    int64_t sod = sec - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "%s%04lld-%02u-%02uT%02u:%02u:%02u", quote ? "\"" : "",
                     (long long)y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
                     (unsigned)(sod % 60));
    if (usec) {
        char fr[8];
        snprintf(fr, sizeof(fr), "%06u", usec % 1000000);
        int k = 6;
        while (k > 0 && fr[k - 1] == '0')
            k--;
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".%.*s", k, fr);
    }
    snprintf(tmp + n, sizeof(tmp) - (size_t)n, "Z%s", quote ? "\"" : "");
    sl_cw_str(cw, tmp);
}

/* Deterministic stand-in for Java's "[B@<identity hash>" of byte[] in Struct.toString. */
static void java_bytes_ref(struct sl_cw *cw, struct sl_str s)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (uint8_t)s.ptr[i]) * 16777619u;
    char tmp[16];
    snprintf(tmp, sizeof(tmp), "[B@%x", h);
    sl_cw_str(cw, tmp);
}

static void text_or_json(struct sl_cw *cw, struct sl_str s, bool text)
{
    if (text)
        sl_cw_utf8(cw, s.ptr, s.len);
    else
        sl_cw_jstr(cw, s.ptr, s.len);
}

static void bytes_out(struct sl_cw *cw, struct sl_str s, bool text)
{
    if (text) {
        java_bytes_ref(cw, s);
        return;
    }
    sl_cw_ch(cw, '"');
    sl_cw_b64(cw, s.ptr, s.len);
    sl_cw_ch(cw, '"');
}

static sl_err_t decimal_out(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col,
                            sl_ck_t ck, const struct sl_value *val, bool text)
{
    struct sl_dec dec;
    if (ck == SL_CK_UDECIMAL) {
        sl_dec_from_u64(val->kind == SL_VAL_UINT ? val->v.u : (uint64_t)val->v.i, &dec);
    } else {
        if (val->kind != SL_VAL_DECIMAL) {
            set_err(vc, col, "DECIMAL column without a decimal value");
            return SL_ERR_INVALID;
        }
        if (sl_dec_parse(val->v.s, col->scale, &dec)) {
            set_err(vc, col, "decimal text is not [-]digits[.digits] of at most 80 digits");
            return SL_ERR_INVALID;
        }
    }
    if (ck == SL_CK_DEC_DOUBLE) {
        sl_jfmt_double(cw, sl_dec_double(&dec));
    } else if (ck == SL_CK_DEC_STRING) {
        if (!text)
            sl_cw_ch(cw, '"');
        sl_dec_plain(cw, &dec);
        if (!text)
            sl_cw_ch(cw, '"');
    } else if (text) {
        sl_dec_tostring(cw, &dec);
    } else if (vc->decimal_numeric) {
        sl_dec_plain(cw, &dec); /* a JSON number, WRITE_BIGDECIMAL_AS_PLAIN */
    } else {
        uint8_t b[40];
        size_t n = sl_dec_bytes(&dec, b);
        sl_cw_ch(cw, '"');
        sl_cw_b64(cw, b, n);
        sl_cw_ch(cw, '"');
    }
    return SL_OK;
}

static sl_err_t enum_out(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col,
                         const struct sl_value *val, bool text)
{
    uint64_t idx = val->v.u;
    if (idx == 0) {
        text_or_json(cw, SL_STR(""), text);
        return SL_OK;
    }
    if (idx > col->n_labels) {
        set_err(vc, col, "ENUM index beyond the known labels (table metadata missing?)");
        return SL_ERR_INVALID;
    }
    text_or_json(cw, col->labels[idx - 1], text);
    return SL_OK;
}

static sl_err_t set_out(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col,
                        const struct sl_value *val, bool text)
{
    uint64_t bits = val->v.u;
    if (col->n_labels < 64 && (bits >> col->n_labels) != 0) {
        set_err(vc, col, "SET bit beyond the known labels (table metadata missing?)");
        return SL_ERR_INVALID;
    }
    sl_buf_reset(vc->scratch);
    struct sl_cw sw = {vc->scratch, SL_OK};
    bool first = true;
    for (uint32_t i = 0; i < col->n_labels && i < 64; i++) {
        if (!(bits >> i & 1))
            continue;
        if (!first)
            sl_cw_ch(&sw, ',');
        first = false;
        sl_cw_add(&sw, col->labels[i].ptr, col->labels[i].len);
    }
    if (sw.err)
        return sw.err;
    struct sl_str s = {vc->scratch->data ? vc->scratch->data : "", vc->scratch->len};
    text_or_json(cw, s, text);
    return SL_OK;
}

/* BIT(n): the decoder gives big-endian bytes; Debezium emits little-endian, padded to
 * (n + 7) / 8 bytes (§7.1, BIT(10) b'1000000001' -> "AQI="). */
static sl_err_t bits_out(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col,
                         const struct sl_value *val, bool text)
{
    uint8_t le[8];
    size_t want = (col->length + 7) / 8;
    struct sl_str s = val->v.s;
    if (want > sizeof(le) || s.len > sizeof(le)) {
        set_err(vc, col, "BIT value longer than 64 bits");
        return SL_ERR_INVALID;
    }
    /* Zero high bytes beyond the column width are dropped (BitSet.toByteArray is
     * minimal, then padded to the width). */
    while (s.len > want && s.len > 1 && s.ptr[0] == 0) {
        s.ptr++;
        s.len--;
    }
    if (want < s.len)
        want = s.len;
    memset(le, 0, sizeof(le));
    for (size_t i = 0; i < s.len; i++)
        le[i] = (uint8_t)s.ptr[s.len - 1 - i];
    bytes_out(cw, (struct sl_str){(const char *)le, want}, text);
    return SL_OK;
}

static bool bit_true(const struct sl_value *val)
{
    if (val->kind == SL_VAL_BIT || val->kind == SL_VAL_BYTES) {
        for (size_t i = 0; i < val->v.s.len; i++) {
            if (val->v.s.ptr[i])
                return true;
        }
        return false;
    }
    return val->v.u != 0;
}

static uint32_t rd_u32le(const char *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static double rd_f64(const char *p, bool le)
{
    const uint8_t *b = (const uint8_t *)p;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)b[le ? i : 7 - i] << (8 * i);
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

/* GEOMETRY: MySQL stores a 4-byte little-endian SRID and then WKB. */
static sl_err_t geometry_out(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col,
                             sl_ck_t ck, const struct sl_value *val, bool text)
{
    struct sl_str s = val->v.s;
    if (s.len < 4 + 5) {
        set_err(vc, col, "GEOMETRY value shorter than SRID + WKB header");
        return SL_ERR_INVALID;
    }
    uint32_t srid = rd_u32le(s.ptr);
    struct sl_str wkb = {s.ptr + 4, s.len - 4};
    if (ck == SL_CK_POINT) {
        if (wkb.len < 21) {
            set_err(vc, col, "POINT WKB shorter than 21 bytes");
            return SL_ERR_INVALID;
        }
        bool le = wkb.ptr[0] == 1;
        sl_cw_str(cw, text ? "Struct{x=" : "{\"x\":");
        sl_jfmt_double(cw, rd_f64(wkb.ptr + 5, le));
        sl_cw_str(cw, text ? ",y=" : ",\"y\":");
        sl_jfmt_double(cw, rd_f64(wkb.ptr + 13, le));
        sl_cw_str(cw, text ? ",wkb=" : ",\"wkb\":");
    } else {
        sl_cw_str(cw, text ? "Struct{wkb=" : "{\"wkb\":");
    }
    bytes_out(cw, wkb, text);
    if (srid) {
        sl_cw_str(cw, text ? ",srid=" : ",\"srid\":");
        sl_cw_u64(cw, srid);
    } else if (!text) {
        sl_cw_str(cw, ",\"srid\":null");
    }
    sl_cw_ch(cw, '}');
    return SL_OK;
}

static sl_err_t vector_out(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col,
                           const struct sl_value *val, bool text)
{
    struct sl_str s = val->v.s;
    if (s.len % 4) {
        set_err(vc, col, "VECTOR value length is not a multiple of 4");
        return SL_ERR_INVALID;
    }
    sl_cw_ch(cw, '[');
    for (size_t i = 0; i < s.len; i += 4) {
        if (i)
            sl_cw_str(cw, text ? ", " : ",");
        uint32_t u = rd_u32le(s.ptr + i);
        float f;
        memcpy(&f, &u, sizeof(f));
        sl_jfmt_float(cw, f);
    }
    sl_cw_ch(cw, ']');
    return SL_OK;
}

static int64_t time_micros(const struct sl_tm *tm)
{
    int64_t us = ((int64_t)tm->hour * 3600 + tm->minute * 60 + tm->second) * 1000000 + tm->usec;
    return tm->neg ? -us : us;
}

static sl_err_t wrong_kind(struct sl_vctx *vc, const struct sl_column *col,
                           const struct sl_value *val)
{
    char what[64];
    snprintf(what, sizeof(what), "value kind %u does not fit the column type %u", val->kind,
             col->type);
    set_err(vc, col, what);
    return SL_ERR_INVALID;
}

sl_err_t sl_ck_value(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col, sl_ck_t ck,
                     const struct sl_value *val, bool text)
{
    if (sl_ck_is_null(col, ck, val)) {
        sl_cw_str(cw, "null");
        return SL_OK;
    }
    bool zero = zero_date(ck, val); /* NOT NULL zero date: the epoch */
    struct sl_str s;
    sl_err_t err;
    switch (ck) {
    case SL_CK_BOOL:
        sl_cw_str(cw, bit_true(val) ? "true" : "false");
        return SL_OK;
    case SL_CK_INT16:
    case SL_CK_INT32:
    case SL_CK_INT64:
    case SL_CK_YEAR:
        if (val->kind == SL_VAL_UINT)
            sl_cw_i64(cw, (int64_t)val->v.u); /* BIGINT UNSIGNED long mode wraps */
        else if (val->kind == SL_VAL_INT)
            sl_cw_i64(cw, val->v.i);
        else
            return wrong_kind(vc, col, val);
        return SL_OK;
    case SL_CK_DOUBLE:
        if (val->kind == SL_VAL_FLOAT)
            sl_jfmt_double(cw, (double)val->v.f); /* Float widened, as Number.doubleValue */
        else if (val->kind == SL_VAL_DOUBLE)
            sl_jfmt_double(cw, val->v.d);
        else
            return wrong_kind(vc, col, val);
        return SL_OK;
    case SL_CK_DECIMAL:
    case SL_CK_UDECIMAL:
    case SL_CK_DEC_DOUBLE:
    case SL_CK_DEC_STRING:
        return decimal_out(cw, vc, col, ck, val, text);
    case SL_CK_STRING:
    case SL_CK_JSON:
        if (val->kind != SL_VAL_STRING && val->kind != SL_VAL_BYTES && val->kind != SL_VAL_JSON)
            return wrong_kind(vc, col, val);
        err = text_utf8(vc, col, val->v.s, &s);
        if (err)
            return err;
        text_or_json(cw, s, text);
        return SL_OK;
    case SL_CK_BYTES:
        if (val->kind != SL_VAL_BYTES && val->kind != SL_VAL_STRING)
            return wrong_kind(vc, col, val);
        bytes_out(cw, val->v.s, text);
        return SL_OK;
    case SL_CK_BYTES_B64:
        if (!text)
            sl_cw_ch(cw, '"');
        sl_cw_b64(cw, val->v.s.ptr, val->v.s.len);
        if (!text)
            sl_cw_ch(cw, '"');
        return SL_OK;
    case SL_CK_BYTES_B64URL: {
        /* Java's Base64.getUrlEncoder(): the URL alphabet, padding kept. */
        if (!text)
            sl_cw_ch(cw, '"');
        size_t from = cw->buf->len;
        sl_cw_b64(cw, val->v.s.ptr, val->v.s.len);
        for (size_t i = from; !cw->err && i < cw->buf->len; i++) {
            if (cw->buf->data[i] == '+')
                cw->buf->data[i] = '-';
            else if (cw->buf->data[i] == '/')
                cw->buf->data[i] = '_';
        }
        if (!text)
            sl_cw_ch(cw, '"');
        return SL_OK;
    }
    case SL_CK_BYTES_HEX: {
        static const char hex[] = "0123456789abcdef";
        if (!text)
            sl_cw_ch(cw, '"');
        for (size_t i = 0; i < val->v.s.len; i++) {
            uint8_t b = (uint8_t)val->v.s.ptr[i];
            char two[2] = {hex[b >> 4], hex[b & 15]};
            sl_cw_add(cw, two, 2);
        }
        if (!text)
            sl_cw_ch(cw, '"');
        return SL_OK;
    }
    case SL_CK_BITS:
        if (val->kind != SL_VAL_BIT && val->kind != SL_VAL_BYTES)
            return wrong_kind(vc, col, val);
        return bits_out(cw, vc, col, val, text);
    case SL_CK_ENUM:
        if (val->kind != SL_VAL_ENUM)
            return wrong_kind(vc, col, val);
        return enum_out(cw, vc, col, val, text);
    case SL_CK_SET:
        if (val->kind != SL_VAL_SET)
            return wrong_kind(vc, col, val);
        return set_out(cw, vc, col, val, text);
    case SL_CK_DATE:
    case SL_CK_CDATE:
        if (val->kind != SL_VAL_DATE && val->kind != SL_VAL_DATETIME)
            return wrong_kind(vc, col, val);
        sl_cw_i64(
            cw, zero ? 0 : sl_time_days_from_civil(val->v.tm.year, val->v.tm.month, val->v.tm.day));
        return SL_OK;
    case SL_CK_MICROTIME:
    case SL_CK_TIME_MS:
    case SL_CK_CTIME:
        if (val->kind != SL_VAL_TIME)
            return wrong_kind(vc, col, val);
        /* Duration semantics: negative and > 24 h values keep their sign and size. */
        sl_cw_i64(cw,
                  ck == SL_CK_MICROTIME ? time_micros(&val->v.tm) : time_micros(&val->v.tm) / 1000);
        return SL_OK;
    case SL_CK_TS_MS:
    case SL_CK_MICROTS:
    case SL_CK_CTS: {
        if (val->kind != SL_VAL_DATETIME)
            return wrong_kind(vc, col, val);
        int64_t sec = zero ? 0 : civil_seconds(&val->v.tm);
        uint32_t usec = zero ? 0 : val->v.tm.usec;
        if (ck == SL_CK_MICROTS)
            sl_cw_i64(cw, sec * 1000000 + usec);
        else
            sl_cw_i64(cw, sec * 1000 + usec / 1000);
        return SL_OK;
    }
    case SL_CK_ZONED:
        if (val->kind == SL_VAL_TIMESTAMP)
            zoned(cw, zero ? 0 : val->v.ts.sec, zero ? 0 : val->v.ts.usec, !text);
        else if (val->kind == SL_VAL_DATETIME)
            zoned(cw, zero ? 0 : civil_seconds(&val->v.tm), zero ? 0 : val->v.tm.usec, !text);
        else
            return wrong_kind(vc, col, val);
        return SL_OK;
    case SL_CK_GEOMETRY:
    case SL_CK_POINT:
        return geometry_out(cw, vc, col, ck, val, text);
    case SL_CK_VECTOR:
        return vector_out(cw, vc, col, val, text);
    }
    return wrong_kind(vc, col, val);
}
