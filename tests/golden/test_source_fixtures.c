/* SPDX-License-Identifier: Apache-2.0 */
/* Golden test of the binlog decoder over every real binlog file in the shared fixtures
 * (fixtures/binlog/, documented in reference/binlog-fixtures.md): event sequences, table
 * metadata and decoded row values, plus clean errors at the right offset for the truncated
 * files. JSON documents are checked as raw binary JSON until sl_jsonb lands; the default
 * mode's error (SL_ERR_UNSUPPORTED today) is asserted to propagate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/binlog_file.h"
#include "source/decode.h"
#include "testlib.h"

#define MAXEV 400

/* Everything one file decodes to. Events are copied; pointers point into arena. */
struct decoded {
    struct sl_arena arena;
    struct sl_decoder *dec;
    struct sl_event ev[MAXEV];
    size_t n;
    sl_err_t err;
    char errstr[512];
};

static const char *fixture(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/binlog/%s", SL_FIXTURES_DIR, name);
    return path;
}

static struct decoded *decode_file(const char *name, bool json_raw)
{
    struct decoded *d = calloc(1, sizeof(*d));
    struct sl_binlog_file *bf = NULL;
    assert_non_null(d);
    sl_arena_init(&d->arena, 0);
    d->dec = sl_decoder_new();
    sl_decoder_set_json_raw(d->dec, json_raw);
    d->err = sl_binlog_file_open(fixture(name), &bf, d->errstr, sizeof(d->errstr));
    if (d->err)
        return d;
    sl_decoder_set_file(d->dec, sl_binlog_file_name(bf));
    for (;;) {
        d->err = sl_binlog_file_feed(bf, d->dec, d->errstr, sizeof(d->errstr));
        if (d->err)
            break;
        for (;;) {
            struct sl_event ev;
            d->err = sl_decoder_next(d->dec, &d->arena, &ev, d->errstr, sizeof(d->errstr));
            if (d->err)
                break;
            assert_true(d->n < MAXEV);
            d->ev[d->n++] = ev;
        }
        if (d->err != SL_ERR_EOF)
            break;
    }
    sl_binlog_file_free(bf);
    return d;
}

static void decoded_free(struct decoded *d)
{
    sl_decoder_free(d->dec);
    sl_arena_fini(&d->arena);
    free(d);
}

static size_t count_type(const struct decoded *d, uint8_t type)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->ev[i].type == type;
    return n;
}

static const struct sl_event *find_at(const struct decoded *d, uint64_t pos, uint8_t type)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->ev[i].pos == pos && d->ev[i].type == type)
            return &d->ev[i];
    }
    fail_msg("no %s event at %llu", sl_binlog_type_name(type), (unsigned long long)pos);
    return NULL;
}

static void assert_str(struct sl_str s, const char *want)
{
    if (s.len != strlen(want) || memcmp(s.ptr, want, s.len) != 0)
        fail_msg("got '%.*s', want '%s'", SL_STR_FMT(s), want);
}

static void assert_sval(const struct sl_value *v, uint8_t kind, const char *want)
{
    assert_int_equal(v->kind, kind);
    assert_str(v->v.s, want);
}

/* ---- Truncated files ---- */

static void test_truncated_event(void **state)
{
    (void)state;
    struct decoded *d = decode_file("binlog_truncated_event.000001", true);
    assert_int_equal(d->err, SL_ERR_PROTO);
    assert_int_equal(d->n, 0);
    assert_non_null(strstr(d->errstr, ":4: truncated event header"));
    decoded_free(d);
}

static void test_truncated_prev_gtid(void **state)
{
    (void)state;
    struct decoded *d = decode_file("binlog_truncated_prev_gtid_event.000001", true);
    assert_int_equal(d->err, SL_ERR_PROTO);
    assert_int_equal(d->n, 1);
    assert_int_equal(d->ev[0].kind, SL_EV_FDE);
    assert_int_equal(d->ev[0].u.fde.checksum_alg, 1);
    assert_true(d->ev[0].flags & SL_BINLOG_F_IN_USE);
    assert_non_null(strstr(d->errstr, ":120: truncated event header"));
    decoded_free(d);
}

/* ---- json.binlog ---- */

static void test_json_binlog(void **state)
{
    (void)state;
    struct decoded *d = decode_file("json.binlog.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    assert_int_equal(count_type(d, SL_BINLOG_FORMAT_DESCRIPTION), 1);
    assert_int_equal(count_type(d, SL_BINLOG_PREVIOUS_GTIDS), 1);
    assert_int_equal(count_type(d, SL_BINLOG_ANONYMOUS_GTID), 8);
    assert_int_equal(count_type(d, SL_BINLOG_QUERY), 8);
    assert_int_equal(count_type(d, SL_BINLOG_TABLE_MAP), 6);
    assert_int_equal(count_type(d, SL_BINLOG_WRITE_ROWS), 4);
    assert_int_equal(count_type(d, SL_BINLOG_UPDATE_ROWS), 1);
    assert_int_equal(count_type(d, SL_BINLOG_PARTIAL_UPDATE_ROWS), 1);
    assert_int_equal(count_type(d, SL_BINLOG_XID), 6);
    /* The ALTER USER text is raw bytes (invalid UTF-8), kept whole. */
    const struct sl_event *q = find_at(d, 235, SL_BINLOG_QUERY);
    assert_true(sl_str_startswith(q->u.query.sql, "ALTER USER 'root'@'localhost'"));
    q = find_at(d, 570, SL_BINLOG_QUERY);
    assert_str(q->u.query.db, "mysql");
    const struct sl_event *tm = find_at(d, 1000, SL_BINLOG_TABLE_MAP);
    const struct sl_table *t = tm->u.table_map.table;
    assert_str(t->db, "mysql");
    assert_str(t->name, "t");
    assert_int_equal(t->ncols, 4);
    assert_int_equal(t->cols[1].type, SL_MYSQL_TYPE_JSON);
    assert_int_equal(t->cols[2].length, 400);
    /* Row ids over the WRITE_ROWS events, with the generated columns decoded. */
    int64_t ids[6];
    size_t nid = 0;
    static const char *names[] = {"Joe", "Sue", "Pete"};
    for (size_t i = 0; i < d->n; i++) {
        const struct sl_event *ev = &d->ev[i];
        if (ev->type != SL_BINLOG_WRITE_ROWS)
            continue;
        for (uint32_t r = 0; r < ev->u.rows.nchanges; r++) {
            const struct sl_value *a = ev->u.rows.changes[r].after;
            assert_int_equal(a[0].kind, SL_VAL_INT);
            assert_true(nid < 6);
            ids[nid] = a[0].v.i;
            assert_int_equal(a[1].kind, SL_VAL_BYTES); /* raw binary JSON */
            assert_sval(&a[2], SL_VAL_STRING, names[(a[0].v.i - 1) % 3]);
            assert_int_equal(a[3].v.i, 24 + 8 * ((a[0].v.i - 1) % 3));
            nid++;
        }
    }
    assert_int_equal(nid, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(ids[i], (int64_t)i + 1);
    /* UPDATE_ROWS: full images, ages +1. */
    const struct sl_event *up = find_at(d, 2612, SL_BINLOG_UPDATE_ROWS);
    assert_int_equal(up->u.rows.nchanges, 6);
    for (uint32_t r = 0; r < 6; r++) {
        const struct sl_change *c = &up->u.rows.changes[r];
        assert_int_equal(c->op, SL_OP_UPDATE);
        assert_int_equal(c->after[3].v.i, c->before[3].v.i + 1);
        assert_int_equal(c->pos.row, r);
        assert_int_equal(c->pos.event_pos, 2612);
        assert_int_equal(c->pos.pos, 2389);
    }
    /* PARTIAL_UPDATE_ROWS: before = id only, after = json diff + name + age. */
    const struct sl_event *pu = find_at(d, 3750, SL_BINLOG_PARTIAL_UPDATE_ROWS);
    assert_int_equal(pu->u.rows.nchanges, 6);
    assert_true(pu->u.rows.partial_json);
    assert_true(pu->u.rows.partial_image);
    for (uint32_t r = 0; r < 6; r++) {
        const struct sl_change *c = &pu->u.rows.changes[r];
        assert_int_equal(c->before[0].kind, SL_VAL_INT);
        assert_int_equal(c->before[0].v.i, r + 1);
        for (int k = 1; k < 4; k++)
            assert_int_equal(c->before[k].kind, SL_VAL_ABSENT);
        assert_int_equal(c->after[0].kind, SL_VAL_ABSENT);
        assert_int_equal(c->after[1].kind, SL_VAL_BYTES);
        assert_int_equal(c->after[1].v.s.len, 11); /* the raw diff */
        assert_int_equal(c->after[1].v.s.ptr[0], 0);  /* REPLACE */
        assert_sval(&c->after[2], SL_VAL_STRING, names[r % 3]);
        assert_int_equal(c->after[3].v.i, 26 + 8 * (r % 3));
    }
    decoded_free(d);

    /* Default mode converts JSON with sl_jsonb: its error must fail the event, naming it. */
    d = decode_file("json.binlog.000001", false);
    if (d->err != SL_ERR_EOF) {
        assert_true(d->err == SL_ERR_UNSUPPORTED || d->err == SL_ERR_PROTO);
        assert_non_null(strstr(d->errstr, "json.binlog.000001:1059: WRITE_ROWS"));
    } else {
        const struct sl_event *w = find_at(d, 1059, SL_BINLOG_WRITE_ROWS);
        assert_int_equal(w->u.rows.changes[0].after[1].kind, SL_VAL_JSON);
    }
    decoded_free(d);
}

/* ---- mariadb-bin ---- */

static void test_mariadb(void **state)
{
    (void)state;
    struct decoded *d = decode_file("mariadb-bin.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    assert_int_equal(count_type(d, SL_BINLOG_MARIA_GTID_LIST), 1);
    assert_int_equal(count_type(d, SL_BINLOG_MARIA_BINLOG_CHECKPOINT), 1);
    assert_int_equal(count_type(d, SL_BINLOG_MARIA_GTID), 2);
    assert_int_equal(count_type(d, SL_BINLOG_MARIA_ANNOTATE_ROWS), 2);
    assert_int_equal(count_type(d, SL_BINLOG_TABLE_MAP), 2);
    assert_int_equal(count_type(d, SL_BINLOG_WRITE_ROWS_V1), 2);
    assert_int_equal(count_type(d, SL_BINLOG_XID), 2);
    assert_true(strstr(d->ev[0].u.fde.server_version.ptr, "MariaDB") != NULL);
    assert_int_equal(d->ev[0].size, 252);
    const struct sl_event *cp = find_at(d, 285, SL_BINLOG_MARIA_BINLOG_CHECKPOINT);
    assert_str(cp->u.text.text, "mariadb-bin.000001");
    assert_str(find_at(d, 330, SL_BINLOG_MARIA_GTID)->u.gtid.text, "0-1-1");
    assert_str(find_at(d, 702, SL_BINLOG_MARIA_GTID)->u.gtid.text, "0-1-2");
    const char *annot =
        "insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{\"foo\":1}')";
    const struct sl_table *t = find_at(d, 476, SL_BINLOG_TABLE_MAP)->u.table_map.table;
    static const char *cols[] = {"id", "topic", "event_type", "event", "created"};
    static const uint16_t cs[] = {0, 45, 45, 63, 0};
    assert_str(t->db, "toddy_test");
    assert_str(t->name, "outbox");
    assert_true(t->has_names);
    for (int i = 0; i < 5; i++) {
        assert_str(t->cols[i].name, cols[i]);
        assert_int_equal(t->cols[i].is_pk, i == 0);
        assert_int_equal(t->cols[i].charset, cs[i]);
    }
    assert_int_equal(t->npk, 1);
    assert_int_equal(t->pk[0], 0);
    assert_int_equal(t->cols[2].type, SL_MYSQL_TYPE_ENUM);
    assert_int_equal(t->cols[2].n_labels, 3);
    assert_str(t->cols[2].labels[0], "BLOB");
    assert_str(t->cols[2].labels[1], "JSON");
    assert_str(t->cols[2].labels[2], "PROTOBUF");
    static const uint64_t rowpos[] = {612, 984};
    static const int64_t created[] = {1650493084, 1650493195}; /* 22:18:04Z, 22:19:55Z */
    for (int k = 0; k < 2; k++) {
        const struct sl_event *w = find_at(d, rowpos[k], SL_BINLOG_WRITE_ROWS_V1);
        assert_int_equal(w->u.rows.nchanges, 1);
        const struct sl_change *c = &w->u.rows.changes[0];
        assert_null(c->before);
        assert_int_equal(c->after[0].v.i, 62 + k);
        assert_sval(&c->after[1], SL_VAL_STRING, "foo");
        assert_int_equal(c->after[2].kind, SL_VAL_ENUM);
        assert_int_equal(c->after[2].v.u, 2);
        assert_sval(&c->after[3], SL_VAL_BYTES, "{\"foo\":1}");
        assert_int_equal(c->after[4].kind, SL_VAL_TIMESTAMP);
        assert_int_equal(c->after[4].v.ts.sec, created[k]);
        assert_str(c->query, annot);
        assert_str(c->pos.gtid, k ? "0-1-2" : "0-1-1");
        assert_int_equal(c->pos.pos, k ? 702 : 330);
        assert_string_equal(c->pos.file, "mariadb-bin.000001");
    }
    decoded_free(d);
}

/* ---- minimal_row_metadata ---- */

static void test_minimal_row_metadata(void **state)
{
    (void)state;
    struct decoded *d = decode_file("minimal_row_metadata.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    const struct sl_table *t = find_at(d, 312, SL_BINLOG_TABLE_MAP)->u.table_map.table;
    assert_str(t->db, "noria");
    assert_str(t->name, "t1");
    assert_int_equal(t->cols[1].charset, 63);
    assert_int_equal(t->cols[2].charset, 255);
    assert_int_equal(t->cols[2].length, 8);
    assert_false(t->cols[0].is_unsigned);
    assert_false(t->cols[3].is_unsigned);
    assert_true(t->cols[4].is_unsigned);
    assert_false(t->has_names);
    const struct sl_event *w = find_at(d, 374, SL_BINLOG_WRITE_ROWS);
    const struct sl_value *a = w->u.rows.changes[0].after;
    assert_true(w->u.rows.partial_image);
    assert_int_equal(a[0].v.i, 1);
    assert_int_equal(a[1].kind, SL_VAL_ABSENT);
    assert_sval(&a[2], SL_VAL_STRING, "a");
    assert_int_equal(a[3].kind, SL_VAL_ABSENT);
    assert_int_equal(a[4].kind, SL_VAL_UINT);
    assert_int_equal(a[4].v.u, 3230202323u);
    const struct sl_event *rot = &d->ev[d->n - 1];
    assert_int_equal(rot->kind, SL_EV_ROTATE);
    assert_str(rot->u.rotate.file, "binlog.000021");
    assert_int_equal(rot->u.rotate.pos, 4);
    assert_string_equal(sl_decoder_file(d->dec), "binlog.000021");
    decoded_free(d);
}

/* ---- mysql-5.7-app ---- */

static void test_mysql57_app(void **state)
{
    (void)state;
    struct decoded *d = decode_file("mysql-5.7-app.checksum-crc32", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    assert_int_equal(d->n, 303);
    assert_int_equal(count_type(d, SL_BINLOG_ANONYMOUS_GTID), 60);
    assert_int_equal(count_type(d, SL_BINLOG_TABLE_MAP), 60);
    assert_int_equal(count_type(d, SL_BINLOG_XID), 60);
    size_t nrows[3] = {0, 0, 0};
    assert_int_equal(count_type(d, SL_BINLOG_WRITE_ROWS), 34);
    assert_int_equal(count_type(d, SL_BINLOG_UPDATE_ROWS), 20);
    assert_int_equal(count_type(d, SL_BINLOG_DELETE_ROWS), 6);
    for (size_t i = 0; i < d->n; i++) {
        if (d->ev[i].kind == SL_EV_ROWS)
            nrows[d->ev[i].u.rows.op] += d->ev[i].u.rows.nchanges;
    }
    assert_int_equal(nrows[SL_OP_INSERT], 34);
    assert_int_equal(nrows[SL_OP_UPDATE], 23);
    assert_int_equal(nrows[SL_OP_DELETE], 6);
    /* First rows event. */
    const struct sl_event *w = find_at(d, 384, SL_BINLOG_WRITE_ROWS);
    const struct sl_value *a = w->u.rows.changes[0].after;
    assert_str(w->u.rows.table->name, "folder");
    assert_int_equal(a[0].v.i, 12300113);
    assert_sval(&a[1], SL_VAL_STRING, "test2");
    assert_sval(&a[2], SL_VAL_STRING, "/");
    assert_int_equal(a[3].v.i, 116103);
    assert_int_equal(a[4].kind, SL_VAL_TIMESTAMP);
    assert_int_equal(a[4].v.ts.sec, 1525422719); /* 2018-05-04T08:31:59Z */
    assert_int_equal(a[5].v.i, 906703);
    assert_int_equal(a[6].v.i, 0);
    assert_int_equal(a[9].v.ts.sec, 1525422719);
    assert_int_equal(a[11].v.i, 12200009);
    assert_int_equal(w->u.rows.changes[0].thread_id, 18);
    assert_int_equal(w->u.rows.changes[0].pos.pos, 154);
    /* fund_account: DECIMAL(17,2) 0.00, UTF-8 text, CNY. */
    bool seen = false;
    for (size_t i = 0; i < d->n && !seen; i++) {
        const struct sl_event *ev = &d->ev[i];
        if (ev->type != SL_BINLOG_WRITE_ROWS || !sl_str_eq_c(ev->u.rows.table->name,
                                                             "fund_account"))
            continue;
        const struct sl_value *v = ev->u.rows.changes[0].after;
        assert_sval(&v[1], SL_VAL_DECIMAL, "0.00");
        assert_sval(&v[12], SL_VAL_DECIMAL, "0.00");
        bool cny = false, chinese = false;
        for (int k = 0; k < 16; k++) {
            if (v[k].kind == SL_VAL_STRING && sl_str_eq_c(v[k].v.s, "CNY"))
                cny = true;
            if (v[k].kind == SL_VAL_STRING && strstr(v[k].v.s.ptr, "yan\xe9\x97\xab"))
                chinese = true;
        }
        assert_true(cny);
        assert_true(chinese);
        seen = true;
    }
    assert_true(seen);
    /* Last rows event. */
    const struct sl_event *last = find_at(d, 27802, SL_BINLOG_WRITE_ROWS);
    const struct sl_change *c = &last->u.rows.changes[last->u.rows.nchanges - 1];
    assert_str(last->u.rows.table->name, "folder");
    assert_sval(&c->after[1], SL_VAL_STRING, "OPPO\xe5\x91\xa2");
    assert_int_equal(c->after[4].v.ts.sec, 1525435531); /* 2018-05-04T12:05:31Z */
    assert_int_equal(c->after[9].v.ts.sec, 1525435531);
    const struct sl_event *rot = find_at(d, 27937, SL_BINLOG_ROTATE);
    assert_str(rot->u.rotate.file, "mysql-bin.000002");
    decoded_free(d);
}

/* ---- zstd payloads ---- */

static void test_zstd_000057(void **state)
{
    (void)state;
    struct decoded *d = decode_file("mysql-8.0.31-zstd.000057", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    assert_str(find_at(d, 126, SL_BINLOG_PREVIOUS_GTIDS)->u.gtid_set.text,
               "76f3e7be-6720-11ed-9cad-0242ac110002:1-10");
    assert_str(find_at(d, 197, SL_BINLOG_GTID)->u.gtid.text,
               "76f3e7be-6720-11ed-9cad-0242ac110002:11");
    const struct sl_event *g = find_at(d, 651, SL_BINLOG_GTID);
    assert_int_equal(g->u.gtid.last_committed, 2);
    assert_int_equal(g->u.gtid.sequence_number, 3);
    /* Payload 1: header fields, then QUERY, ROWS_QUERY, TABLE_MAP, WRITE_ROWS, XID inside. */
    size_t i = 0;
    while (i < d->n && !(d->ev[i].pos == 457 && d->ev[i].kind == SL_EV_PAYLOAD))
        i++;
    assert_true(i + 5 < d->n);
    assert_int_equal(d->ev[i].u.payload.compression, 0);
    assert_int_equal(d->ev[i].u.payload.uncompressed_size, 214);
    assert_int_equal(d->ev[i].u.payload.payload_size, 161);
    static const uint8_t inner1[] = {SL_BINLOG_QUERY, SL_BINLOG_ROWS_QUERY, SL_BINLOG_TABLE_MAP,
                                     SL_BINLOG_WRITE_ROWS, SL_BINLOG_XID};
    for (size_t k = 0; k < 5; k++) {
        const struct sl_event *ev = &d->ev[i + 1 + k];
        assert_int_equal(ev->type, inner1[k]);
        assert_true(ev->inner);
        assert_int_equal(ev->log_pos, 0);
        assert_int_equal(ev->pos, 457);
        assert_int_equal(ev->end_pos, 651);
    }
    const struct sl_change *c = &d->ev[i + 4].u.rows.changes[0];
    assert_int_equal(c->after[0].v.i, 1);
    assert_str(c->query, "insert into b values(1)");
    assert_str(c->pos.gtid, "76f3e7be-6720-11ed-9cad-0242ac110002:12");
    assert_int_equal(c->pos.pos, 378);
    assert_int_equal(c->pos.event_pos, 457);
    /* Payload 2. */
    while (i < d->n && !(d->ev[i].pos == 730 && d->ev[i].kind == SL_EV_PAYLOAD))
        i++;
    assert_true(i + 8 < d->n);
    assert_int_equal(d->ev[i].u.payload.uncompressed_size, 1255);
    assert_int_equal(d->ev[i].u.payload.payload_size, 516);
    static const uint8_t inner2[] = {SL_BINLOG_QUERY,      SL_BINLOG_ROWS_QUERY,
                                     SL_BINLOG_TABLE_MAP,  SL_BINLOG_UPDATE_ROWS,
                                     SL_BINLOG_ROWS_QUERY, SL_BINLOG_TABLE_MAP,
                                     SL_BINLOG_WRITE_ROWS, SL_BINLOG_XID};
    for (size_t k = 0; k < 8; k++)
        assert_int_equal(d->ev[i + 1 + k].type, inner2[k]);
    assert_true(i + 9 == d->n);
    const struct sl_table *t = d->ev[i + 3].u.table_map.table;
    assert_int_equal(t->ncols, 20);
    assert_int_equal(t->cols[6].type, SL_MYSQL_TYPE_ENUM);
    assert_int_equal(t->cols[7].type, SL_MYSQL_TYPE_SET);
    assert_int_equal(t->cols[8].charset, 63);
    assert_int_equal(t->cols[1].charset, 33);
    const struct sl_change *u = &d->ev[i + 4].u.rows.changes[0];
    assert_true(sl_str_startswith(u->query, "update test_table_3 set enum_field='large'"));
    assert_int_equal(u->before[0].v.i, 55555);
    assert_int_equal(u->before[7].v.u, 8);
    assert_int_equal(u->after[7].v.u, 4);
    assert_int_equal(u->after[6].v.u, 4);
    assert_sval(&u->before[10], SL_VAL_STRING, "product_item_2_value");
    assert_sval(&u->after[10], SL_VAL_STRING, "product_3_value");
    assert_int_equal(u->after[2].kind, SL_VAL_DATE);
    assert_int_equal(u->after[2].v.tm.year, 2022);
    assert_int_equal(u->after[2].v.tm.month, 11);
    assert_int_equal(u->after[2].v.tm.day, 20);
    assert_int_equal(u->after[5].v.ts.sec, 1668951630); /* 2022-11-20T13:40:30Z */
    /* Column 9 has the binary charset: BINARY(3). The server wrote "b3" with its trailing
     * 0x00 stripped; the column's value is all 3 bytes, as SELECT returns it. */
    assert_int_equal(u->after[8].kind, SL_VAL_BYTES);
    assert_int_equal(u->after[8].v.s.len, 3);
    assert_memory_equal(u->after[8].v.s.ptr, "b3\0", 3);
    assert_int_equal(u->after[3].v.i, 111);
    assert_int_equal(u->after[13].v.i, 2222);
    assert_int_equal(u->after[17].v.i, 222);
    const struct sl_change *w = &d->ev[i + 7].u.rows.changes[0];
    assert_true(sl_str_startswith(w->query, "insert into test_table_3 values(6666"));
    assert_int_equal(w->after[0].v.i, 6666);
    assert_sval(&w->after[1], SL_VAL_STRING, "product_item_value_2");
    assert_sval(&w->after[4], SL_VAL_STRING, "description_1");
    assert_int_equal(w->after[5].v.ts.sec, 1668952412); /* 2022-11-20T13:53:32Z */
    assert_int_equal(w->after[6].v.u, 4);
    assert_int_equal(w->after[7].v.u, 8);
    assert_sval(&w->after[18], SL_VAL_STRING, "description_4_value");
    assert_int_equal(w->after[19].v.ts.sec, 1668952412);
    decoded_free(d);
}

static void test_transaction_compression(void **state)
{
    (void)state;
    struct decoded *d = decode_file("transaction_compression.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    assert_str(find_at(d, 126, SL_BINLOG_PREVIOUS_GTIDS)->u.gtid_set.text,
               "357df524-4139-11ee-9979-b033ee13919e:1");
    size_t i = 0;
    while (i < d->n && d->ev[i].kind != SL_EV_PAYLOAD)
        i++;
    assert_int_equal(d->ev[i].pos, 274);
    assert_int_equal(d->ev[i].u.payload.uncompressed_size, 179);
    assert_int_equal(d->ev[i].u.payload.payload_size, 124);
    static const uint8_t inner[] = {SL_BINLOG_QUERY, SL_BINLOG_TABLE_MAP, SL_BINLOG_WRITE_ROWS,
                                    SL_BINLOG_XID};
    for (size_t k = 0; k < 4; k++) {
        assert_true(d->ev[i + 1 + k].inner);
        assert_int_equal(d->ev[i + 1 + k].type, inner[k]);
    }
    assert_false(d->ev[i + 5].inner);
    assert_int_equal(d->ev[i + 5].type, SL_BINLOG_ROTATE);
    assert_int_equal(d->ev[i + 1].u.query.thread_id, 107);
    assert_str(d->ev[i + 1].u.query.db, "test");
    assert_str(d->ev[i + 2].u.table_map.table->name, "tb1");
    const struct sl_change *c = &d->ev[i + 3].u.rows.changes[0];
    assert_int_equal(c->after[0].v.i, 1);
    assert_int_equal(c->thread_id, 107);
    assert_int_equal(c->pos.event_pos, 274);
    decoded_free(d);
}

/* ---- enum/set, bit, time ---- */

static void test_enum_string_set(void **state)
{
    (void)state;
    struct decoded *d = decode_file("mysql-enum-string-set.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    const struct sl_table *t = find_at(d, 946, SL_BINLOG_TABLE_MAP)->u.table_map.table;
    static const char *names[] = {"f1", "f2", "f3", "f4", "f5"};
    for (int k = 0; k < 5; k++) {
        assert_str(t->cols[k].name, names[k]);
        assert_true(t->cols[k].visible);
        assert_int_equal(t->cols[k].charset, 255);
    }
    assert_int_equal(t->cols[0].length, 512);
    assert_int_equal(t->cols[1].length, 1200);
    assert_int_equal(t->cols[3].n_labels, 4);
    assert_str(t->cols[3].labels[2], "three");
    assert_int_equal(t->cols[2].n_labels, 3);
    assert_str(t->cols[2].labels[1], "variant2");
    char f1[101], digits[301];
    for (int k = 0; k < 100; k++)
        f1[k] = (char)('0' + k % 10);
    f1[100] = '\0';
    const struct sl_value *a = find_at(d, 1077, SL_BINLOG_WRITE_ROWS)->u.rows.changes[0].after;
    assert_sval(&a[0], SL_VAL_STRING, f1);
    assert_int_equal(a[1].v.s.len, 298);
    memcpy(digits, a[1].v.s.ptr, 298);
    digits[298] = '\0';
    assert_int_equal(a[2].kind, SL_VAL_ENUM);
    assert_int_equal(a[2].v.u, 1);
    assert_int_equal(a[3].kind, SL_VAL_SET);
    assert_int_equal(a[3].v.u, 5);
    assert_sval(&a[4], SL_VAL_STRING, "0123456789");
    const struct sl_change *u = &find_at(d, 1855, SL_BINLOG_UPDATE_ROWS)->u.rows.changes[0];
    assert_sval(&u->before[0], SL_VAL_STRING, f1);
    assert_sval(&u->before[1], SL_VAL_STRING, digits);
    assert_int_equal(u->before[2].v.u, 1);
    assert_int_equal(u->before[3].v.u, 5);
    assert_sval(&u->after[0], SL_VAL_STRING, "field1");
    assert_sval(&u->after[1], SL_VAL_STRING, "field_2");
    assert_int_equal(u->after[2].v.u, 2);
    assert_int_equal(u->after[3].v.u, 10);
    assert_sval(&u->after[4], SL_VAL_STRING, digits);
    const struct sl_change *del = &find_at(d, 2945, SL_BINLOG_DELETE_ROWS)->u.rows.changes[0];
    assert_null(del->after);
    assert_sval(&del->before[0], SL_VAL_STRING, "field1");
    assert_int_equal(del->before[2].v.u, 2);
    assert_int_equal(del->before[3].v.u, 10);
    assert_sval(&del->before[4], SL_VAL_STRING, digits);
    decoded_free(d);
}

static void test_type_bit(void **state)
{
    (void)state;
    struct decoded *d = decode_file("mysql_type_bit.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    const struct sl_event *w = NULL;
    for (size_t i = 0; i < d->n; i++) {
        if (d->ev[i].type == SL_BINLOG_WRITE_ROWS)
            w = &d->ev[i];
    }
    assert_non_null(w);
    const struct sl_table *t = w->u.rows.table;
    assert_int_equal(t->cols[0].length, 3);
    assert_int_equal(t->cols[2].length, 8);
    assert_str(t->cols[1].name, "b");
    const struct sl_value *a = w->u.rows.changes[0].after;
    assert_sval(&a[0], SL_VAL_BIT, "\x04");
    assert_sval(&a[1], SL_VAL_STRING, "foo");
    assert_sval(&a[2], SL_VAL_BIT, "\x20");
    assert_str(w->u.rows.changes[0].pos.gtid, "fbda2ad0-7c46-11ec-ae30-4ef7efc81a2a:3");
    decoded_free(d);
}

static void test_time_issue(void **state)
{
    (void)state;
    struct decoded *d = decode_file("time_issue.000001", true);
    assert_int_equal(d->err, SL_ERR_EOF);
    const struct sl_event *q = find_at(d, 236, SL_BINLOG_QUERY);
    assert_int_equal(q->u.query.thread_id, 9664);
    const struct sl_event *w = NULL;
    for (size_t i = 0; i < d->n; i++) {
        if (d->ev[i].type == SL_BINLOG_WRITE_ROWS)
            w = &d->ev[i];
    }
    assert_non_null(w);
    const struct sl_value *v = &w->u.rows.changes[0].after[0];
    assert_int_equal(v->kind, SL_VAL_TIME);
    assert_true(v->v.tm.neg);
    assert_int_equal(v->v.tm.hour, 507);
    assert_int_equal(v->v.tm.minute, 48);
    assert_int_equal(v->v.tm.second, 27);
    assert_int_equal(v->v.tm.usec, 0);
    assert_int_equal(w->u.rows.changes[0].thread_id, 9664);
    decoded_free(d);
}

/* Every file in the directory decodes to a clean end, or (the truncated ones) to a
 * PROTO error: nothing else is acceptable, including for files added later. */
static void test_every_file(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/binlog", SL_FIXTURES_DIR);
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    struct dirent *de;
    int nfiles = 0;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        struct decoded *d = decode_file(de->d_name, true);
        if (strstr(de->d_name, "truncated"))
            assert_int_equal(d->err, SL_ERR_PROTO);
        else if (d->err != SL_ERR_EOF)
            fail_msg("%s: %s", de->d_name, d->errstr);
        decoded_free(d);
        nfiles++;
    }
    closedir(dh);
    assert_true(nfiles >= 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_event),
        cmocka_unit_test(test_truncated_prev_gtid),
        cmocka_unit_test(test_json_binlog),
        cmocka_unit_test(test_mariadb),
        cmocka_unit_test(test_minimal_row_metadata),
        cmocka_unit_test(test_mysql57_app),
        cmocka_unit_test(test_zstd_000057),
        cmocka_unit_test(test_transaction_compression),
        cmocka_unit_test(test_enum_string_set),
        cmocka_unit_test(test_type_bit),
        cmocka_unit_test(test_time_issue),
        cmocka_unit_test(test_every_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
