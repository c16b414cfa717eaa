/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the Debezium converter (src/convert/convert.h): the input drives a
 * byte reader that picks converter options, a table schema (1-12 columns of any MySQL type,
 * with the metadata the decoder fills in: precision/scale, fsp, charset, labels, bit length,
 * key columns) and a row change whose values have the kind the decoder produces for each
 * column type but arbitrary contents (bad decimal text, invalid UTF-8, zero/out-of-range
 * dates, huge TIME hours, ENUM indexes without labels, odd BIT/VECTOR lengths, ...).
 * The converter must never crash, must fail only with SL_ERR_INVALID/SL_ERR_TOOBIG and a
 * message, and with JsonConverter every key and value it writes must be valid JSON
 * (checked with jansson). JSON column text is always valid JSON, as the decoder guarantees. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "core/change.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_COLS 12

struct rd {
    const uint8_t *p, *end;
};

static uint8_t u8(struct rd *r)
{
    return r->p < r->end ? *r->p++ : 0;
}

static uint64_t u64(struct rd *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u8(r);
    return v;
}

/* A view of the next n bytes (n from one length byte), fewer at the end of input. */
static struct sl_str bytes(struct rd *r)
{
    size_t n = u8(r);
    if (n > (size_t)(r->end - r->p))
        n = (size_t)(r->end - r->p);
    struct sl_str s = {(const char *)r->p, n};
    r->p += n;
    return s;
}

static const uint8_t types[] = {
    SL_MYSQL_TYPE_TINY,       SL_MYSQL_TYPE_SHORT,   SL_MYSQL_TYPE_LONG,   SL_MYSQL_TYPE_INT24,
    SL_MYSQL_TYPE_LONGLONG,   SL_MYSQL_TYPE_FLOAT,   SL_MYSQL_TYPE_DOUBLE, SL_MYSQL_TYPE_NEWDECIMAL,
    SL_MYSQL_TYPE_YEAR,       SL_MYSQL_TYPE_DATE,    SL_MYSQL_TYPE_TIME2,  SL_MYSQL_TYPE_DATETIME2,
    SL_MYSQL_TYPE_TIMESTAMP2, SL_MYSQL_TYPE_VARCHAR, SL_MYSQL_TYPE_STRING, SL_MYSQL_TYPE_BLOB,
    SL_MYSQL_TYPE_BIT,        SL_MYSQL_TYPE_ENUM,    SL_MYSQL_TYPE_SET,    SL_MYSQL_TYPE_JSON,
    SL_MYSQL_TYPE_GEOMETRY,   SL_MYSQL_TYPE_VECTOR,
};

static const char *const json_texts[] = {
    "null",    "{}",       "[]",   "{\"a\":[1,2.5,\"x\\u00e9\"],\"b\":{\"c\":null}}",
    "\"str\"", "-1.5e300", "true", "[{\"k\":\"\\\"\\\\\\n\"}]",
};

static struct sl_str labels[] = {{"red", 3}, {"green", 5}, {"", 0}, {"a,b", 3}, {"\xc3\xa9", 2}};

static const uint16_t charsets[] = {63, 255, 33, 8, 11, 45, 0, 224};

static void make_column(struct rd *r, struct sl_column *col, char *namebuf, int idx)
{
    uint8_t t = types[u8(r) % sizeof(types)];
    uint8_t f = u8(r);
    memset(col, 0, sizeof(*col));
    namebuf[0] = (char)('a' + idx);
    namebuf[1] = (f & 0x80) ? '$' : '_';
    namebuf[2] = (char)('0' + idx % 10);
    col->name = (struct sl_str){namebuf, (f & 0x40) ? 0 : 3};
    col->type = t;
    col->binlog_type =
        (t == SL_MYSQL_TYPE_ENUM || t == SL_MYSQL_TYPE_SET) ? SL_MYSQL_TYPE_STRING : t;
    col->nullable = (f & 1) != 0;
    col->is_unsigned = (f & 2) != 0;
    col->visible = true;
    col->charset = charsets[(f >> 2) & 7];
    uint8_t m = u8(r);
    col->precision = (uint8_t)(1 + m % 65);
    col->scale = (uint8_t)(u8(r) % (col->precision + 1));
    if (col->scale > 30)
        col->scale = 30;
    col->fsp = m % 7;
    col->meta =
        (uint16_t)(t == SL_MYSQL_TYPE_NEWDECIMAL ? (col->precision << 8 | col->scale) : col->fsp);
    col->length = (t == SL_MYSQL_TYPE_BIT) ? 1 + m % 64 : (uint32_t)(m * 4);
    if (t == SL_MYSQL_TYPE_ENUM || t == SL_MYSQL_TYPE_SET) {
        col->n_labels = u8(r) % 6;
        col->labels = col->n_labels ? labels : NULL;
    }
    if (t == SL_MYSQL_TYPE_VECTOR)
        col->vector_dim = m % 8;
    if (t == SL_MYSQL_TYPE_GEOMETRY)
        col->geometry_type = m % 8;
}

/* A value of the kind the decoder gives a column of this type, with fuzzed contents. */
static void make_value(struct rd *r, const struct sl_column *col, struct sl_value *val)
{
    uint8_t sel = u8(r);
    memset(val, 0, sizeof(*val));
    if (sel == 0xff) {
        val->kind = SL_VAL_ABSENT;
        return;
    }
    if (sel >= 0xf0 && col->nullable) {
        val->kind = SL_VAL_NULL;
        return;
    }
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
    case SL_MYSQL_TYPE_SHORT:
    case SL_MYSQL_TYPE_LONG:
    case SL_MYSQL_TYPE_INT24:
    case SL_MYSQL_TYPE_LONGLONG: {
        /* Within the column's width, as the decoder reads it. */
        unsigned bits = col->type == SL_MYSQL_TYPE_TINY    ? 8
                        : col->type == SL_MYSQL_TYPE_SHORT ? 16
                        : col->type == SL_MYSQL_TYPE_INT24 ? 24
                        : col->type == SL_MYSQL_TYPE_LONG  ? 32
                                                           : 64;
        uint64_t raw = u64(r);
        if (bits < 64)
            raw &= ((uint64_t)1 << bits) - 1;
        val->kind = col->is_unsigned ? SL_VAL_UINT : SL_VAL_INT;
        if (col->is_unsigned) {
            val->v.u = raw;
        } else if (bits < 64 && (raw >> (bits - 1)) & 1) {
            val->v.i = (int64_t)(raw | ~(((uint64_t)1 << bits) - 1));
        } else {
            val->v.i = (int64_t)raw;
        }
        break;
    }
    case SL_MYSQL_TYPE_YEAR:
        val->kind = SL_VAL_INT;
        val->v.i = (int64_t)(u64(r) % 3000);
        break;
    case SL_MYSQL_TYPE_FLOAT: {
        uint32_t bits = (uint32_t)u64(r);
        val->kind = SL_VAL_FLOAT;
        memcpy(&val->v.f, &bits, sizeof(bits));
        break;
    }
    case SL_MYSQL_TYPE_DOUBLE: {
        uint64_t bits = u64(r);
        val->kind = SL_VAL_DOUBLE;
        memcpy(&val->v.d, &bits, sizeof(bits));
        break;
    }
    case SL_MYSQL_TYPE_NEWDECIMAL:
        val->kind = SL_VAL_DECIMAL;
        val->v.s = bytes(r);
        break;
    case SL_MYSQL_TYPE_DATE:
    case SL_MYSQL_TYPE_TIME2:
    case SL_MYSQL_TYPE_DATETIME2:
        val->kind = col->type == SL_MYSQL_TYPE_DATE    ? SL_VAL_DATE
                    : col->type == SL_MYSQL_TYPE_TIME2 ? SL_VAL_TIME
                                                       : SL_VAL_DATETIME;
        val->v.tm.year = (int32_t)(u64(r) % 10000);
        val->v.tm.month = u8(r) % 13;
        val->v.tm.day = u8(r) % 32;
        val->v.tm.hour = col->type == SL_MYSQL_TYPE_TIME2 ? (uint32_t)(u64(r) % 839) : u8(r) % 24;
        val->v.tm.minute = u8(r) % 60;
        val->v.tm.second = u8(r) % 60;
        val->v.tm.usec = (uint32_t)(u64(r) % 1000000);
        val->v.tm.neg = col->type == SL_MYSQL_TYPE_TIME2 && (u8(r) & 1);
        break;
    case SL_MYSQL_TYPE_TIMESTAMP2:
        val->kind = SL_VAL_TIMESTAMP;
        val->v.ts.sec = (int64_t)(u64(r) % 4294967296ull);
        val->v.ts.usec = (uint32_t)(u64(r) % 1000000);
        break;
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_STRING:
    case SL_MYSQL_TYPE_BLOB:
        val->kind = col->charset == 63 ? SL_VAL_BYTES : SL_VAL_STRING;
        val->v.s = bytes(r);
        break;
    case SL_MYSQL_TYPE_BIT: {
        val->kind = SL_VAL_BIT;
        val->v.s = bytes(r);
        break;
    }
    case SL_MYSQL_TYPE_ENUM:
        val->kind = SL_VAL_ENUM;
        val->v.u = u8(r) % 8;
        break;
    case SL_MYSQL_TYPE_SET:
        val->kind = SL_VAL_SET;
        val->v.u = u64(r);
        break;
    case SL_MYSQL_TYPE_JSON: {
        const char *j = json_texts[sel % (sizeof(json_texts) / sizeof(json_texts[0]))];
        val->kind = SL_VAL_JSON;
        val->v.s = (struct sl_str){j, strlen(j)};
        break;
    }
    case SL_MYSQL_TYPE_GEOMETRY:
        val->kind = SL_VAL_GEOMETRY;
        val->v.s = bytes(r);
        break;
    case SL_MYSQL_TYPE_VECTOR:
        val->kind = SL_VAL_VECTOR;
        val->v.s = bytes(r);
        break;
    default:
        val->kind = SL_VAL_NULL;
        break;
    }
}

static void check_json(struct sl_str s)
{
    json_error_t jerr;
    /* INT_AS_REAL: integers beyond int64 (BIGINT UNSIGNED as a NUMERIC decimal) are valid
     * JSON that jansson would otherwise refuse. */
    json_t *root =
        json_loadb(s.ptr, s.len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
    if (root == NULL) {
        fprintf(stderr, "invalid JSON (%s at %d): %.*s\n", jerr.text, jerr.position, (int)s.len,
                s.ptr);
        abort();
    }
    json_decref(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sl_log_set_level(SL_LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd r = {data, data + size};
    uint8_t o1 = u8(&r), o2 = u8(&r), o3 = u8(&r);
    struct sl_conv_opts opts;
    sl_conv_opts_init(&opts);
    opts.topic_prefix = "fuzz";
    opts.key_format = (o1 & 1) ? SL_CONV_FMT_STRING : SL_CONV_FMT_JSON;
    opts.key_schemas = (o1 & 2) != 0;
    opts.value_format = (o1 & 4) ? SL_CONV_FMT_STRING : SL_CONV_FMT_JSON;
    opts.value_schemas = (o1 & 8) != 0;
    opts.decimal_mode = (sl_conv_decimal_t)((o1 >> 4) % 3);
    opts.bigint_mode = (sl_conv_bigint_t)((o1 >> 6) & 1);
    opts.schema_name_avro = (o1 & 0x80) != 0;
    opts.time_mode = (sl_conv_time_t)(o2 % 3);
    opts.binary_mode = (sl_conv_binary_t)((o2 >> 2) % 4);
    opts.key_decimal_numeric = (o2 & 0x10) != 0;
    opts.value_decimal_numeric = (o2 & 0x20) != 0;
    opts.tombstones_on_delete = (o2 & 0x40) != 0;
    opts.unwrap = (o3 & 1) != 0;
    opts.unwrap_drop_tombstones = (o3 & 2) != 0;
    opts.unwrap_delete_mode = (sl_conv_delete_t)((o3 >> 2) % 3);
    if (o3 & 0x10)
        opts.unwrap_add_fields = "op,table,source.ts_ms,db";
    if (o3 & 0x20)
        opts.unwrap_add_headers = "op,source.file";
    if (o2 & 0x80)
        opts.message_key_columns = "d\\.t:b_1,c_2;.*:a_0";
    char errstr[256];
    struct sl_conv *conv = sl_conv_new(&opts, errstr, sizeof(errstr));
    if (conv == NULL)
        return 0; /* e.g. key columns naming unknown fields: a configuration error */

    struct sl_column cols[MAX_COLS];
    char names[MAX_COLS][4];
    uint32_t pk[MAX_COLS];
    struct sl_table table;
    memset(&table, 0, sizeof(table));
    table.table_id = 7;
    table.db = (struct sl_str){"d", 1};
    table.name = (o3 & 0x40) ? (struct sl_str){"t", 1} : (struct sl_str){"we!rd t\xc3\xa9", 9};
    table.ncols = 1 + u8(&r) % MAX_COLS;
    table.cols = cols;
    table.has_names = true;
    uint8_t pkmask = u8(&r);
    for (uint32_t i = 0; i < table.ncols; i++) {
        make_column(&r, &cols[i], names[i], (int)i);
        if (cols[i].name.len == 0)
            table.has_names = false;
        if (i < 8 && (pkmask >> i) & 1) {
            cols[i].is_pk = true;
            cols[i].nullable = false;
            pk[table.npk++] = i;
        }
    }
    table.pk = pk;

    struct sl_value before[MAX_COLS], after[MAX_COLS];
    struct sl_change chg;
    memset(&chg, 0, sizeof(chg));
    chg.op = (sl_op_t)(u8(&r) % 4);
    chg.table = &table;
    for (uint32_t i = 0; i < table.ncols; i++) {
        make_value(&r, &cols[i], &before[i]);
        make_value(&r, &cols[i], &after[i]);
    }
    chg.before = (chg.op == SL_OP_UPDATE || chg.op == SL_OP_DELETE) ? before : NULL;
    chg.after = chg.op == SL_OP_DELETE ? NULL : after;
    memcpy(chg.pos.file, "mysql-bin.000003", 17);
    chg.pos.pos = 154;
    chg.pos.event_pos = 219;
    chg.pos.server_id = 223344;
    chg.pos.ts_sec = 1655279536;
    chg.thread_id = 7;
    chg.query = (o3 & 0x80) ? (struct sl_str){"INSERT \"x\"\n", 11} : SL_STR_NULL;
    struct sl_conv_txn txn = {.id = {"3E11FA47-71CA-11E1-9E33-C80AA9429562:23", 40},
                              .total_order = 1,
                              .data_collection_order = 1};
    struct sl_conv_meta meta = {.ts_ms = 1655279536123,
                                .snapshot = (sl_conv_snap_t)(o3 % 4),
                                .txn = (o1 & 0x10) ? &txn : NULL};

    struct sl_conv_out out;
    sl_conv_out_init(&out, (size_t)1 << 20);
    sl_err_t err = sl_conv_change(conv, &chg, &meta, &out);
    if (err) {
        if (err != SL_ERR_INVALID && err != SL_ERR_TOOBIG)
            abort();
        if (sl_conv_errstr(conv)[0] == '\0' || out.nrec != 0)
            abort();
    } else {
        if (out.nrec > SL_CONV_MAX_RECORDS)
            abort();
        for (uint32_t i = 0; i < out.nrec; i++) {
            const struct sl_conv_record *rec = &out.rec[i];
            struct sl_str topic = sl_conv_out_str(&out, rec->topic);
            if (topic.len == 0 || rec->nheaders > SL_CONV_MAX_HEADERS)
                abort();
            if (!rec->key.null && opts.key_format == SL_CONV_FMT_JSON)
                check_json(sl_conv_out_str(&out, rec->key));
            if (!rec->value.null && opts.value_format == SL_CONV_FMT_JSON)
                check_json(sl_conv_out_str(&out, rec->value));
        }
    }
    sl_conv_out_fini(&out);
    sl_conv_free(conv);
    return 0;
}
