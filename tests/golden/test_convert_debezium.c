/* SPDX-License-Identifier: Apache-2.0 */
/* Golden tests of the Debezium 1.9 converter: hand-built sl_change inputs, expected records
 * in tests/golden/data/convert/<case>.out (one "topic/key/value/header" line each, bytes
 * exactly as they go to Kafka; "(null)" for a null key or value). Expected values that the
 * reference documents are cited per case; every JSON key and value is also parsed with
 * jansson. SL_GOLDEN_UPDATE=1 rewrites the files (review the diff before committing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "conf/mysql_source.h"
#include "convert/convert.h"
#include "testlib.h"

/* ---- Fixtures ---- */

#define COL(n, t) .name = SL_STR(n), .type = (t), .binlog_type = (t), .visible = true

static struct sl_str enum_labels[] = {SL_STR("red"), SL_STR("green")};
static struct sl_str set_labels[] = {SL_STR("a"), SL_STR("b"), SL_STR("c")};

/* The seed's table: SALES_ORDER(ORDER_ID INT PK, SITE_ID INT, ORDER_DATE DATETIME,
 * SHIP_MODE VARCHAR(20)). */
static struct sl_column so_cols[] = {
    {COL("ORDER_ID", SL_MYSQL_TYPE_LONG), .is_pk = true, .charset = 63},
    {COL("SITE_ID", SL_MYSQL_TYPE_LONG), .nullable = true, .charset = 63},
    {COL("ORDER_DATE", SL_MYSQL_TYPE_DATETIME2), .nullable = true},
    {COL("SHIP_MODE", SL_MYSQL_TYPE_VARCHAR), .nullable = true, .charset = 255},
};
static uint32_t so_pk[] = {0};
static struct sl_table so_table = {.table_id = 90,
                                   .db = SL_STR("salesdb"),
                                   .name = SL_STR("SALES_ORDER"),
                                   .ncols = 4,
                                   .cols = so_cols,
                                   .npk = 1,
                                   .pk = so_pk,
                                   .has_names = true};

/* §6.6's customers table. */
static struct sl_column cu_cols[] = {
    {COL("id", SL_MYSQL_TYPE_LONG), .is_pk = true},
    {COL("first_name", SL_MYSQL_TYPE_VARCHAR), .charset = 255},
    {COL("last_name", SL_MYSQL_TYPE_VARCHAR), .charset = 255},
    {COL("email", SL_MYSQL_TYPE_VARCHAR), .nullable = true, .charset = 255},
};
static uint32_t cu_pk[] = {0};
static struct sl_table cu_table = {.table_id = 91,
                                   .db = SL_STR("inventory"),
                                   .name = SL_STR("customers"),
                                   .ncols = 4,
                                   .cols = cu_cols,
                                   .npk = 1,
                                   .pk = cu_pk,
                                   .has_names = true};

/* One column per type of §7.1, all nullable except the key. */
static struct sl_column ty_cols[] = {
    {COL("id", SL_MYSQL_TYPE_LONG), .is_pk = true},
    {COL("b1", SL_MYSQL_TYPE_BIT), .nullable = true, .length = 1},
    {COL("b10", SL_MYSQL_TYPE_BIT), .nullable = true, .length = 10},
    {COL("ti", SL_MYSQL_TYPE_TINY), .nullable = true},
    {COL("su", SL_MYSQL_TYPE_SHORT), .nullable = true, .is_unsigned = true},
    {COL("iu", SL_MYSQL_TYPE_LONG), .nullable = true, .is_unsigned = true},
    {COL("bu", SL_MYSQL_TYPE_LONGLONG), .nullable = true, .is_unsigned = true},
    {COL("fl", SL_MYSQL_TYPE_FLOAT), .nullable = true},
    {COL("db", SL_MYSQL_TYPE_DOUBLE), .nullable = true},
    {COL("price", SL_MYSQL_TYPE_NEWDECIMAL), .nullable = true, .precision = 10, .scale = 2},
    {COL("name", SL_MYSQL_TYPE_VARCHAR), .nullable = true, .charset = 255},
    {COL("blob", SL_MYSQL_TYPE_BLOB), .nullable = true, .charset = 63},
    {COL("color", SL_MYSQL_TYPE_ENUM), .nullable = true, .n_labels = 2, .labels = enum_labels},
    {COL("tags", SL_MYSQL_TYPE_SET), .nullable = true, .n_labels = 3, .labels = set_labels},
    {COL("doc", SL_MYSQL_TYPE_JSON), .nullable = true},
    {COL("yr", SL_MYSQL_TYPE_YEAR), .nullable = true},
    {COL("d", SL_MYSQL_TYPE_DATE), .nullable = true},
    {COL("t2", SL_MYSQL_TYPE_TIME2), .nullable = true, .fsp = 2},
    {COL("dt", SL_MYSQL_TYPE_DATETIME2), .nullable = true},
    {COL("dt6", SL_MYSQL_TYPE_DATETIME2), .nullable = true, .fsp = 6},
    {COL("ts", SL_MYSQL_TYPE_TIMESTAMP2), .nullable = true},
    {COL("geo", SL_MYSQL_TYPE_GEOMETRY), .nullable = true},
};
static uint32_t ty_pk[] = {0};
static struct sl_table ty_table = {.table_id = 92,
                                   .db = SL_STR("inventory"),
                                   .name = SL_STR("types"),
                                   .ncols = 22,
                                   .cols = ty_cols,
                                   .npk = 1,
                                   .pk = ty_pk,
                                   .has_names = true};

/* GEOMETRY POINT(1 1), SRID 0: 4 bytes SRID + WKB (§7.1 example wkb). */
static const char geo_bytes[] = "\0\0\0\0\x01\x01\0\0\0\0\0\0\0\0\0\xf0\x3f\0\0\0\0\0\0\xf0\x3f";

static void types_row(struct sl_value *v)
{
    memset(v, 0, sizeof(struct sl_value) * 22);
    v[0] = (struct sl_value){SL_VAL_INT, {.i = 1}};
    v[1] = (struct sl_value){SL_VAL_BIT, {.s = SL_STR("\x01")}};
    v[2] = (struct sl_value){SL_VAL_BIT, {.s = {"\x02\x01", 2}}}; /* b'1000000001' */
    v[3] = (struct sl_value){SL_VAL_INT, {.i = -128}};
    v[4] = (struct sl_value){SL_VAL_UINT, {.u = 65535}};
    v[5] = (struct sl_value){SL_VAL_UINT, {.u = 4294967295u}};
    v[6] = (struct sl_value){SL_VAL_UINT, {.u = UINT64_MAX}};
    v[7] = (struct sl_value){SL_VAL_FLOAT, {.f = 1.5f}};
    v[8] = (struct sl_value){SL_VAL_DOUBLE, {.d = 1e7}};
    v[9] = (struct sl_value){SL_VAL_DECIMAL, {.s = SL_STR("12.34")}};
    v[10] = (struct sl_value){SL_VAL_STRING, {.s = SL_STR("Anne \"A\"\n")}};
    v[11] = (struct sl_value){SL_VAL_BYTES, {.s = {"\xca\xfe\x00", 3}}};
    v[12] = (struct sl_value){SL_VAL_ENUM, {.u = 1}};
    v[13] = (struct sl_value){SL_VAL_SET, {.u = 5}};
    v[14] = (struct sl_value){SL_VAL_JSON, {.s = SL_STR("{\"a\":1}")}};
    v[15] = (struct sl_value){SL_VAL_INT, {.i = 2024}};
    v[16].kind = SL_VAL_DATE;
    v[16].v.tm = (struct sl_tm){.year = 2018, .month = 6, .day = 20};
    v[17].kind = SL_VAL_TIME;
    v[17].v.tm = (struct sl_tm){.hour = 13, .minute = 37, .second = 3, .usec = 120000};
    v[18].kind = SL_VAL_DATETIME;
    v[18].v.tm =
        (struct sl_tm){.year = 2018, .month = 6, .day = 20, .hour = 6, .minute = 37, .second = 3};
    v[19] = v[18];
    v[20].kind = SL_VAL_TIMESTAMP;
    v[20].v.ts.sec = 1529501823; /* 2018-06-20T13:37:03Z */
    v[21] = (struct sl_value){SL_VAL_GEOMETRY, {.s = {geo_bytes, sizeof(geo_bytes) - 1}}};
}

static void pos_init(struct sl_pos *pos, const char *file, uint64_t at, uint32_t row)
{
    memset(pos, 0, sizeof(*pos));
    snprintf(pos->file, sizeof(pos->file), "%s", file);
    pos->pos = at;
    pos->event_pos = at;
    pos->row = row;
    pos->server_id = 223344;
    pos->ts_sec = 1465491411;
}

/* ---- Golden comparison ---- */

static void dump_span(struct sl_buf *buf, const char *tag, struct sl_str s)
{
    sl_buf_addstr(buf, tag);
    sl_buf_addch(buf, ' ');
    if (s.ptr)
        sl_buf_add(buf, s.ptr, s.len);
    else
        sl_buf_addstr(buf, "(null)");
    sl_buf_addch(buf, '\n');
}

/* Every JSON-converted key/value must parse. */
static void check_json(struct sl_str s, bool is_json)
{
    if (!is_json || !s.ptr)
        return;
    json_error_t jerr;
    json_t *j = json_loadb(s.ptr, s.len, JSON_DECODE_ANY, &jerr);
    if (!j)
        fail_msg("invalid JSON (%s at %d): %.*s", jerr.text, jerr.position, SL_STR_FMT(s));
    json_decref(j);
}

static void dump_out(struct sl_buf *buf, const struct sl_conv_out *out,
                     const struct sl_conv_opts *opts)
{
    for (uint32_t r = 0; r < out->nrec; r++) {
        const struct sl_conv_record *rec = &out->rec[r];
        struct sl_str key = sl_conv_out_str(out, rec->key);
        struct sl_str value = sl_conv_out_str(out, rec->value);
        check_json(key, opts->key_format == SL_CONV_FMT_JSON);
        check_json(value, opts->value_format == SL_CONV_FMT_JSON);
        dump_span(buf, "topic", sl_conv_out_str(out, rec->topic));
        dump_span(buf, "key", key);
        dump_span(buf, "value", value);
        for (uint32_t h = 0; h < rec->nheaders; h++) {
            struct sl_str n = sl_conv_out_str(out, rec->headers[h].name);
            sl_buf_addstr(buf, "header ");
            sl_buf_add(buf, n.ptr, n.len);
            dump_span(buf, "", sl_conv_out_str(out, rec->headers[h].value));
        }
    }
}

struct gcase {
    const char *name;
    struct sl_conv_opts opts;
    struct sl_buf got;
    struct sl_conv *conv;
    struct sl_conv_out out;
};

static void gc_begin(struct gcase *gc, const char *name)
{
    gc->name = name;
    sl_buf_init(&gc->got, 1 << 20);
    sl_conv_out_init(&gc->out, 1 << 20);
    char err[256] = "";
    gc->conv = sl_conv_new(&gc->opts, err, sizeof(err));
    if (!gc->conv)
        fail_msg("sl_conv_new: %s", err);
}

static void gc_run(struct gcase *gc, const struct sl_change *chg, const struct sl_conv_meta *m)
{
    sl_err_t err = sl_conv_change(gc->conv, chg, m, &gc->out);
    if (err)
        fail_msg("sl_conv_change: %s: %s", sl_err_name(err), sl_conv_errstr(gc->conv));
    dump_out(&gc->got, &gc->out, &gc->opts);
}

static void gc_end(struct gcase *gc)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/golden/data/convert/%s.out", SL_SOURCE_DIR, gc->name);
    const char *got = sl_buf_cstr(&gc->got);
    if (getenv("SL_GOLDEN_UPDATE")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    size_t len;
    char *want = sl_test_read_file(path, &len);
    if (!want)
        fail_msg("cannot read golden file %s", path);
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "golden %s differs\n--- want\n%s--- got\n%s", path, want, got);
        free(want);
        fail_msg("golden mismatch: %s", gc->name);
    }
    free(want);
    sl_conv_out_fini(&gc->out);
    sl_conv_free(gc->conv);
    sl_buf_fini(&gc->got);
}

static void tutorial_opts(struct sl_conv_opts *o, const char *prefix)
{
    sl_conv_opts_init(o);
    o->topic_prefix = prefix;
    o->key_format = SL_CONV_FMT_STRING;
    o->key_schemas = false;
    o->value_schemas = false;
}

/* The seed's six INSERTs (seed README step 4), all at ORDER_DATE 2022-06-15 07:52:16. */
static const struct {
    int32_t id, site;
    const char *mode;
} seed_rows[] = {
    {29001, 2568, "STANDARD"}, {29002, 1649, "ONE-DAY"}, {29003, 3861, "TWO-DAY"},
    {29004, 2568, "STANDARD"}, {29005, 1649, "ONE-DAY"}, {29006, 3861, "TWO-DAY"},
};

static void seed_row(struct sl_value *v, int i)
{
    memset(v, 0, sizeof(struct sl_value) * 4);
    v[0] = (struct sl_value){SL_VAL_INT, {.i = seed_rows[i].id}};
    v[1] = (struct sl_value){SL_VAL_INT, {.i = seed_rows[i].site}};
    v[2].kind = SL_VAL_DATETIME;
    v[2].v.tm =
        (struct sl_tm){.year = 2022, .month = 6, .day = 15, .hour = 7, .minute = 52, .second = 16};
    v[3] = (struct sl_value){SL_VAL_STRING, {.s = sl_str_c(seed_rows[i].mode)}};
}

static void run_seed(struct gcase *gc)
{
    for (int i = 0; i < 6; i++) {
        struct sl_value after[4];
        seed_row(after, i);
        struct sl_change chg = {
            .op = SL_OP_INSERT, .table = &so_table, .after = after, .thread_id = 7};
        pos_init(&chg.pos, "mysql-bin-changelog.000002", 1000 + 300 * (uint64_t)i, 0);
        chg.pos.ts_sec = 1655279536;
        struct sl_conv_meta m = {.ts_ms = 1655279536815 + i};
        gc_run(gc, &chg, &m);
    }
}

/* Seed step 2: the tutorial's converters + unwrap give
 * {"ORDER_ID":29001,"SITE_ID":2568,"ORDER_DATE":1655279536000,"SHIP_MODE":"STANDARD"}. */
static void test_seed_unwrap(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "salesdb");
    gc.opts.unwrap = true;
    gc_begin(&gc, "seed_unwrap");
    run_seed(&gc);
    gc_end(&gc);
}

/* Seed step 3: the full envelope (§6.3, §6.4), StringConverter keys (§0 fact 1). */
static void test_seed_envelope(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "salesdb");
    gc_begin(&gc, "seed_envelope");
    run_seed(&gc);
    gc_end(&gc);
}

/* JsonConverter keys without schemas ({"ORDER_ID":29001}, §6.2) and with schemas (§6.7). */
static void test_seed_json_keys(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "salesdb");
    gc.opts.key_format = SL_CONV_FMT_JSON;
    gc.opts.unwrap = true;
    gc_begin(&gc, "seed_json_key");
    run_seed(&gc);
    gc_end(&gc);

    sl_conv_opts_init(&gc.opts); /* Connect defaults: schemas.enable=true */
    gc.opts.topic_prefix = "salesdb";
    gc_begin(&gc, "seed_schemas");
    struct sl_value after[4];
    seed_row(after, 0);
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &so_table, .after = after};
    pos_init(&chg.pos, "mysql-bin-changelog.000002", 1000, 0);
    struct sl_conv_meta m = {.ts_ms = 1655279536815};
    gc_run(&gc, &chg, &m);
    gc_end(&gc);
}

/* §6.6 insert, byte for byte as the reference shows it. */
static void test_reference_insert(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "dbserver1");
    gc_begin(&gc, "ref_customers_insert");
    struct sl_value after[4] = {
        {SL_VAL_INT, {.i = 1004}},
        {SL_VAL_STRING, {.s = SL_STR("Anne")}},
        {SL_VAL_STRING, {.s = SL_STR("Kretchmar")}},
        {SL_VAL_STRING, {.s = SL_STR("annek@noanswer.org")}},
    };
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &cu_table, .after = after, .thread_id = 7};
    pos_init(&chg.pos, "mysql-bin.000003", 154, 0);
    struct sl_conv_meta m = {.ts_ms = 1465491411815};
    gc_run(&gc, &chg, &m);
    gc_end(&gc);
}

static void cu_update_delete(struct gcase *gc)
{
    struct sl_value before[4] = {
        {SL_VAL_INT, {.i = 1004}},
        {SL_VAL_STRING, {.s = SL_STR("Anne")}},
        {SL_VAL_STRING, {.s = SL_STR("Kretchmar")}},
        {SL_VAL_STRING, {.s = SL_STR("annek@noanswer.org")}},
    };
    struct sl_value after[4];
    memcpy(after, before, sizeof(after));
    after[1].v.s = SL_STR("Anne Marie");
    struct sl_change up = {
        .op = SL_OP_UPDATE, .table = &cu_table, .before = before, .after = after, .thread_id = 7};
    pos_init(&up.pos, "mysql-bin.000003", 484, 0);
    up.pos.gtid = SL_STR("3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
    struct sl_conv_meta m = {.ts_ms = 1465581029523};
    gc_run(gc, &up, &m);
    struct sl_change del = {
        .op = SL_OP_DELETE, .table = &cu_table, .before = after, .thread_id = 7};
    pos_init(&del.pos, "mysql-bin.000003", 805, 0);
    m.ts_ms = 1465581902461;
    gc_run(gc, &del, &m);
    /* A snapshot read (§6.6 variant: "r", snapshot "last", server_id 0, thread null). */
    struct sl_change rd = {.op = SL_OP_READ, .table = &cu_table, .after = before};
    pos_init(&rd.pos, "mysql-bin.000003", 154, 0);
    rd.pos.server_id = 0;
    m.snapshot = SL_CONV_SNAP_LAST;
    gc_run(gc, &rd, &m);
}

/* §6.5: u with before+after; d then a tombstone with the same key. */
static void test_update_delete(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "dbserver1");
    gc_begin(&gc, "update_delete_envelope");
    cu_update_delete(&gc);
    gc_end(&gc);

    tutorial_opts(&gc.opts, "dbserver1");
    gc.opts.tombstones_on_delete = false;
    gc.opts.value_format = SL_CONV_FMT_STRING;
    gc_begin(&gc, "update_delete_string_value");
    cu_update_delete(&gc);
    gc_end(&gc);
}

/* §10.2: 1.9 SMT defaults drop deletes and tombstones; rewrite adds "__deleted"; none
 * gives a null value; drop.tombstones=false keeps the tombstone. §10.3 add.fields/headers. */
static void test_unwrap_modes(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "dbserver1");
    gc.opts.unwrap = true;
    gc_begin(&gc, "unwrap_default");
    cu_update_delete(&gc);
    gc_end(&gc);

    tutorial_opts(&gc.opts, "dbserver1");
    gc.opts.unwrap = true;
    gc.opts.unwrap_delete_mode = SL_CONV_DELETE_REWRITE;
    gc.opts.unwrap_add_fields = "op,table,source.ts_ms";
    gc.opts.unwrap_add_headers = "db,op";
    gc_begin(&gc, "unwrap_rewrite");
    cu_update_delete(&gc);
    gc_end(&gc);

    tutorial_opts(&gc.opts, "dbserver1");
    gc.opts.unwrap = true;
    gc.opts.unwrap_delete_mode = SL_CONV_DELETE_NONE;
    gc.opts.unwrap_drop_tombstones = false;
    gc.opts.unwrap_add_fields = "ts_ms,gtid,source.ts_ms:EVENT_TS,transaction.id";
    gc.opts.unwrap_add_fields_prefix = "_";
    gc_begin(&gc, "unwrap_none_keep_tombstones");
    cu_update_delete(&gc);
    gc_end(&gc);

    sl_conv_opts_init(&gc.opts);
    gc.opts.topic_prefix = "dbserver1";
    gc.opts.unwrap = true;
    gc.opts.unwrap_delete_mode = SL_CONV_DELETE_REWRITE;
    gc.opts.unwrap_add_fields = "op,snapshot";
    gc_begin(&gc, "unwrap_rewrite_schemas");
    cu_update_delete(&gc);
    gc_end(&gc);
}

/* §6.5: an update that changes the primary key: d (old key), tombstone, c (new key). */
static void test_pk_change(void **state)
{
    (void)state;
    struct gcase gc;
    tutorial_opts(&gc.opts, "dbserver1");
    gc.opts.key_format = SL_CONV_FMT_JSON;
    gc_begin(&gc, "pk_change");
    struct sl_value before[4] = {
        {SL_VAL_INT, {.i = 1004}},
        {SL_VAL_STRING, {.s = SL_STR("Anne")}},
        {SL_VAL_STRING, {.s = SL_STR("Kretchmar")}},
        {SL_VAL_NULL, {.i = 0}},
    };
    struct sl_value after[4];
    memcpy(after, before, sizeof(after));
    after[0].v.i = 2004;
    struct sl_change up = {
        .op = SL_OP_UPDATE, .table = &cu_table, .before = before, .after = after, .thread_id = 9};
    pos_init(&up.pos, "mysql-bin.000004", 4, 1);
    struct sl_conv_meta m = {.ts_ms = 1465581029523};
    gc_run(&gc, &up, &m);
    gc_end(&gc);
}

/* §6.2: no primary key -> null key; message.key.columns overrides. */
static void test_keys(void **state)
{
    (void)state;
    struct sl_table nopk = cu_table;
    nopk.npk = 0;
    struct sl_value row[4] = {
        {SL_VAL_INT, {.i = 1}},
        {SL_VAL_STRING, {.s = SL_STR("A")}},
        {SL_VAL_STRING, {.s = SL_STR("B")}},
        {SL_VAL_STRING, {.s = SL_STR("a@b")}},
    };
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &nopk, .after = row};
    pos_init(&chg.pos, "mysql-bin.000001", 4, 0);
    struct sl_conv_meta m = {.ts_ms = 1};
    struct gcase gc;
    tutorial_opts(&gc.opts, "my-server.1");
    gc.opts.unwrap = true;
    gc_begin(&gc, "keys_nopk_override");
    gc_run(&gc, &chg, &m);
    gc_end(&gc);

    tutorial_opts(&gc.opts, "my-server.1");
    gc.opts.unwrap = true;
    gc.opts.message_key_columns = "other.x:id;inventory\\.cust.*:email,first_name";
    gc_begin(&gc, "keys_override");
    gc_run(&gc, &chg, &m);
    gc.opts.key_format = SL_CONV_FMT_JSON;
    gc.opts.key_schemas = true;
    sl_conv_free(gc.conv);
    char err[128];
    gc.conv = sl_conv_new(&gc.opts, err, sizeof(err));
    assert_non_null(gc.conv);
    gc_run(&gc, &chg, &m); /* schema name: hyphen adjusted to '_' (§6.1) */
    gc_end(&gc);
}

/* §7.1 examples, one column per type, under each handling mode. */
static void run_types(struct gcase *gc)
{
    struct sl_value v[22];
    types_row(v);
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &ty_table, .after = v};
    pos_init(&chg.pos, "mysql-bin.000003", 154, 0);
    struct sl_conv_meta m = {.ts_ms = 1465491411815};
    gc_run(gc, &chg, &m);
    /* All NULL but the key. */
    for (int i = 1; i < 22; i++)
        v[i].kind = SL_VAL_NULL;
    gc_run(gc, &chg, &m);
}

static void test_types(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        sl_conv_decimal_t dec;
        sl_conv_bigint_t big;
        sl_conv_time_t time;
        sl_conv_binary_t bin;
        bool schemas;
    } modes[] = {
        {"types_default", SL_CONV_DECIMAL_PRECISE, SL_CONV_BIGINT_LONG,
         SL_CONV_TIME_ADAPTIVE_MICROS, SL_CONV_BINARY_BYTES, false},
        {"types_alt_modes", SL_CONV_DECIMAL_STRING, SL_CONV_BIGINT_PRECISE, SL_CONV_TIME_CONNECT,
         SL_CONV_BINARY_HEX, false},
        {"types_adaptive_double_base64", SL_CONV_DECIMAL_DOUBLE, SL_CONV_BIGINT_LONG,
         SL_CONV_TIME_ADAPTIVE, SL_CONV_BINARY_BASE64, false},
        {"types_schemas", SL_CONV_DECIMAL_PRECISE, SL_CONV_BIGINT_PRECISE,
         SL_CONV_TIME_ADAPTIVE_MICROS, SL_CONV_BINARY_BYTES, true},
        {"types_schemas_connect", SL_CONV_DECIMAL_STRING, SL_CONV_BIGINT_LONG, SL_CONV_TIME_CONNECT,
         SL_CONV_BINARY_BASE64, true},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        struct gcase gc;
        sl_conv_opts_init(&gc.opts);
        gc.opts.topic_prefix = "dbserver1";
        gc.opts.key_schemas = false;
        gc.opts.value_schemas = modes[i].schemas;
        gc.opts.unwrap = true;
        gc.opts.decimal_mode = modes[i].dec;
        gc.opts.bigint_mode = modes[i].big;
        gc.opts.time_mode = modes[i].time;
        gc.opts.binary_mode = modes[i].bin;
        gc_begin(&gc, modes[i].name);
        run_types(&gc);
        gc_end(&gc);
    }
}

/* StringConverter keys over every type (Struct.toString of each Java value type). */
static void test_types_string_key(void **state)
{
    (void)state;
    struct sl_table t = ty_table;
    uint32_t all[22];
    for (uint32_t i = 0; i < 22; i++)
        all[i] = i;
    t.npk = 22;
    t.pk = all;
    struct gcase gc;
    tutorial_opts(&gc.opts, "dbserver1");
    gc.opts.value_format = SL_CONV_FMT_STRING;
    gc.opts.unwrap = true;
    gc_begin(&gc, "types_string_key");
    struct sl_value v[22];
    types_row(v);
    v[9].v.s = SL_STR("0.00000001");       /* BigDecimal.toString: 1E-8 */
    v[10].v.s = SL_STR("Anne \"A\", x=1"); /* nothing is quoted or escaped */
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &t, .after = v};
    pos_init(&chg.pos, "mysql-bin.000003", 154, 0);
    struct sl_conv_meta m = {.ts_ms = 1};
    gc_run(&gc, &chg, &m);
    gc_end(&gc);
}

/* Options from real connector files (conf/ adapter): the seed's own source file must give
 * exactly the seed's unwrapped records; a second file maps decimal.format=NUMERIC,
 * rewrite deletes, kept tombstones and add.fields/headers. */
static void load_source(struct gcase *gc, struct sl_mysql_source_conf *src, const char *file)
{
    char path[512], errstr[256] = "";
    snprintf(path, sizeof(path), "%s/tests/golden/data/convert/%s", SL_SOURCE_DIR, file);
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    sl_err_t err = sl_conf_mysql_source_load(src, path, &diag, errstr, sizeof(errstr));
    if (err)
        fail_msg("%s: %s %s", path, errstr, sl_buf_cstr(&diag));
    sl_buf_fini(&diag);
    err = sl_conv_opts_from_conf(&gc->opts, NULL, src, errstr, sizeof(errstr));
    if (err)
        fail_msg("sl_conv_opts_from_conf: %s", errstr);
}

static void test_from_conf(void **state)
{
    (void)state;
    struct gcase gc;
    struct sl_mysql_source_conf src;
    load_source(&gc, &src, "seed-source.properties");
    gc_begin(&gc, "seed_unwrap");
    run_seed(&gc);
    gc_end(&gc);
    sl_conf_fini(&src);

    load_source(&gc, &src, "unwrap-rewrite-source.properties");
    gc_begin(&gc, "conf_rewrite_numeric");
    struct sl_table t = ty_table;
    struct sl_value v[22];
    types_row(v);
    struct sl_change chg = {.op = SL_OP_DELETE, .table = &t, .before = v};
    pos_init(&chg.pos, "mysql-bin.000003", 154, 0);
    struct sl_conv_meta m = {.ts_ms = 1};
    gc_run(&gc, &chg, &m);
    gc_end(&gc);
    sl_conf_fini(&src);
}

/* §5.3: BEGIN / END records on <prefix>.transaction, and the envelope's transaction
 * block {"id","total_order","data_collection_order"} (int64 numbers, not strings). */
static void test_transactions(void **state)
{
    (void)state;
    static const struct sl_conv_txn_count counts[] = {
        {SL_STR("inventory.customers"), 2},
        {SL_STR("inventory.orders"), 1},
    };
    struct sl_conv_txn_event begin = {.id = SL_STR("file=mysql-bin.000002,pos=1913")};
    struct sl_conv_txn_event end = {.end = true,
                                    .id = SL_STR("file=mysql-bin.000002,pos=1913"),
                                    .event_count = 3,
                                    .counts = counts,
                                    .ncounts = 2};
    for (int mode = 0; mode < 3; mode++) {
        static const char *const names[] = {"txn_json", "txn_string", "txn_schemas"};
        struct gcase gc;
        tutorial_opts(&gc.opts, "dbserver1");
        if (mode == 0)
            gc.opts.key_format = SL_CONV_FMT_JSON;
        if (mode == 1)
            gc.opts.value_format = SL_CONV_FMT_STRING;
        if (mode == 2) {
            sl_conv_opts_init(&gc.opts);
            gc.opts.topic_prefix = "dbserver1";
        }
        gc_begin(&gc, names[mode]);
        assert_int_equal(sl_conv_txn_event(gc.conv, &begin, &gc.out), SL_OK);
        dump_out(&gc.got, &gc.out, &gc.opts);
        struct sl_value after[4] = {
            {SL_VAL_INT, {.i = 1004}},
            {SL_VAL_STRING, {.s = SL_STR("Anne")}},
            {SL_VAL_STRING, {.s = SL_STR("Kretchmar")}},
            {SL_VAL_NULL, {.i = 0}},
        };
        struct sl_change chg = {.op = SL_OP_INSERT, .table = &cu_table, .after = after};
        pos_init(&chg.pos, "mysql-bin.000002", 1913, 0);
        struct sl_conv_txn txn = {SL_STR("file=mysql-bin.000002,pos=1913"), 1, 1};
        struct sl_conv_meta m = {.ts_ms = 1, .txn = &txn};
        if (mode != 2)
            gc_run(&gc, &chg, &m);
        assert_int_equal(sl_conv_txn_event(gc.conv, &end, &gc.out), SL_OK);
        dump_out(&gc.got, &gc.out, &gc.opts);
        gc_end(&gc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_unwrap),    cmocka_unit_test(test_seed_envelope),
        cmocka_unit_test(test_seed_json_keys), cmocka_unit_test(test_reference_insert),
        cmocka_unit_test(test_update_delete),  cmocka_unit_test(test_unwrap_modes),
        cmocka_unit_test(test_pk_change),      cmocka_unit_test(test_keys),
        cmocka_unit_test(test_types),          cmocka_unit_test(test_types_string_key),
        cmocka_unit_test(test_from_conf),      cmocka_unit_test(test_transactions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
