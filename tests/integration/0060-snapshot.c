/* SPDX-License-Identifier: Apache-2.0 */
/* The initial snapshot against a real MariaDB:
 *   (a) a 29,000-row SALES_ORDER table yields exactly 29,000 READ changes equal to SELECT,
 *       the "last" flag on the final row only;
 *   (b) a table with every column type: snapshot values and column metadata equal what the
 *       binlog decoder produces for the same rows (inserted with the binlog on);
 *   (c) resume: stop after 20 of 29 chunks, restart from the progress JSON: the second run
 *       reads < 60 % of the rows and the union is complete; a purged binlog file in the
 *       checkpoint restarts cleanly with a note;
 *   (d)+(e) with rows inserted concurrently, for the lock-free MariaDB method and for a user
 *       without RELOAD (table locks): every row is in the snapshot or after the reported
 *       position in the binlog, and with the exact methods never in both. */
#include <mysql.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "source/binlog_file.h"
#include "source/decode.h"
#include "source/snapshot.h"
#include "testlib.h"

static int failures;
static char dir[512];
static char host[64], user[64], password[128], sock[512], datadir[512];
static unsigned port;

static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (failures < 40) {
        fprintf(stderr, "FAIL: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
    }
    va_end(ap);
    failures++;
}

static void stop_server(void)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s stop %s", sl_test_src("tests/lib/mariadb.sh"), dir);
    sl_test_run(cmd, NULL);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    stop_server();
    exit(1);
}

static MYSQL *root_conn(void)
{
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock, 0))
        die("root connect: %s", mysql_error(m));
    return m;
}

static void sql(MYSQL *m, const char *q)
{
    if (mysql_real_query(m, q, (unsigned long)strlen(q)))
        die("query failed: %s: %.300s", mysql_error(m), q);
}

static void env_get(const char *env, const char *key, char *out, size_t size)
{
    const char *p = strstr(env, key);
    if (!p)
        die("no %s in env", key);
    p += strlen(key) + 1;
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
}

static void opts_init(struct sl_snapshot_opts *o, const char *table_re, uint32_t chunk)
{
    static struct sl_conf_strlist inc;
    static char *item;
    memset(o, 0, sizeof(*o));
    o->db.host = host;
    o->db.port = port;
    o->db.user = user;
    o->db.password = password;
    o->chunk_rows = chunk;
    free(item);
    item = strdup(table_re);
    inc.items = &item;
    inc.n = 1;
    o->table_include = &inc;
}

static struct sl_snapshot *begin(const struct sl_snapshot_opts *o, const char *resume)
{
    char errstr[512];
    struct sl_snapshot *snap = sl_snapshot_new(o, errstr, sizeof(errstr));
    if (!snap)
        die("snapshot_new: %s", errstr);
    sl_err_t err = sl_snapshot_begin(snap, resume, errstr, sizeof(errstr));
    if (err)
        die("snapshot_begin: %s: %s", sl_err_name(err), errstr);
    return snap;
}

/* ---- (a) and (c) ---- */

static void expect_order_row(MYSQL_ROW row, const struct sl_change *chg)
{
    const struct sl_value *v = chg->after;
    if (v[0].kind != SL_VAL_INT || v[0].v.i != strtoll(row[0], NULL, 10))
        failf("SALES_ORDER id %s: snapshot kind %u", row[0], v[0].kind);
    if (v[1].kind != SL_VAL_STRING || strcmp(v[1].v.s.ptr, row[1]) != 0)
        failf("SALES_ORDER %s customer differs", row[0]);
    if (v[2].kind != SL_VAL_DECIMAL || strcmp(v[2].v.s.ptr, row[2]) != 0)
        failf("SALES_ORDER %s amount '%s' vs '%s'", row[0], v[2].v.s.ptr, row[2]);
    char dt[64];
    snprintf(dt, sizeof(dt), "%04d-%02u-%02u %02u:%02u:%02u.%03u", v[3].v.tm.year, v[3].v.tm.month,
             v[3].v.tm.day, v[3].v.tm.hour, v[3].v.tm.minute, v[3].v.tm.second,
             v[3].v.tm.usec / 1000);
    if (v[3].kind != SL_VAL_DATETIME || strcmp(dt, row[3]) != 0)
        failf("SALES_ORDER %s created '%s' vs '%s'", row[0], dt, row[3]);
}

static void test_sales_order(MYSQL *root)
{
    struct sl_snapshot_opts o;
    opts_init(&o, "shop\\.SALES_ORDER", 4000);
    struct sl_snapshot *snap = begin(&o, NULL);
    sql(root, "SELECT id, customer, amount, created FROM shop.SALES_ORDER ORDER BY id");
    MYSQL_RES *res = mysql_store_result(root);
    size_t total = 0, lasts = 0;
    struct sl_change *chg;
    size_t n;
    bool last;
    char errstr[512];
    sl_err_t err;
    while ((err = sl_snapshot_next(snap, &chg, &n, &last, errstr, sizeof(errstr))) == SL_OK) {
        for (size_t i = 0; i < n; i++) {
            MYSQL_ROW row = mysql_fetch_row(res);
            if (!row) {
                failf("snapshot has more rows than SELECT");
                break;
            }
            if (chg[i].op != SL_OP_READ || chg[i].before)
                failf("change is not a READ");
            expect_order_row(row, &chg[i]);
        }
        total += n;
        lasts += last;
        if (last && total != 29000)
            failf("last flag at row %zu", total);
    }
    if (err != SL_ERR_EOF)
        failf("snapshot_next: %s", errstr);
    if (total != 29000 || lasts != 1)
        failf("(a) %zu rows, %zu last flags; want 29000, 1", total, lasts);
    struct sl_snapshot_stats st;
    sl_snapshot_stats(snap, &st);
    printf("(a) %zu rows in %u chunks, %.0f rows/s, estimated %llu, method %s\n", total, st.chunks,
           st.rows_per_sec, (unsigned long long)st.rows_estimated, sl_snapshot_method(snap));
    mysql_free_result(res);
    sl_snapshot_free(snap);
}

static void test_resume(void)
{
    static bool seen[29001];
    memset(seen, 0, sizeof(seen));
    struct sl_snapshot_opts o;
    opts_init(&o, "shop\\.SALES_ORDER", 1000);
    struct sl_snapshot *snap = begin(&o, NULL);
    struct sl_change *chg;
    size_t n, first = 0, second = 0;
    bool last;
    char errstr[512];
    for (int c = 0; c < 20; c++) {
        if (sl_snapshot_next(snap, &chg, &n, &last, errstr, sizeof(errstr)))
            die("resume part 1: %s", errstr);
        for (size_t i = 0; i < n; i++)
            seen[chg[i].after[0].v.i] = true;
        first += n;
    }
    struct sl_buf ck;
    sl_buf_init(&ck, 1 << 20);
    sl_snapshot_progress_json(snap, &ck);
    sl_snapshot_free(snap);
    printf("(c) checkpoint: %s\n", ck.data);

    snap = begin(&o, ck.data);
    if (strcmp(sl_snapshot_method(snap), "resume") != 0)
        failf("(c) not resumed: %s", sl_snapshot_resume_note(snap));
    sl_err_t err;
    while ((err = sl_snapshot_next(snap, &chg, &n, &last, errstr, sizeof(errstr))) == SL_OK) {
        for (size_t i = 0; i < n; i++) {
            int64_t id = chg[i].after[0].v.i;
            if (id < 1 || id > 29000)
                failf("(c) bad id %lld", (long long)id);
            else
                seen[id] = true;
        }
        second += n;
    }
    if (err != SL_ERR_EOF)
        failf("(c) %s", errstr);
    size_t missing = 0;
    for (int i = 1; i <= 29000; i++)
        missing += !seen[i];
    if (second * 100 >= 29000 * 60 || missing)
        failf("(c) second run read %zu rows (first %zu), %zu ids missing", second, first, missing);
    printf("(c) first run %zu rows, resumed run %zu rows, union complete: %s\n", first, second,
           missing ? "no" : "yes");
    sl_snapshot_free(snap);

    /* A checkpoint whose binlog file is gone starts over, saying why. */
    const char *gone = "{\"version\":1,\"file\":\"binlog.999999\",\"pos\":4,\"gtids\":\"\","
                       "\"tables\":[{\"db\":\"shop\",\"table\":\"SALES_ORDER\","
                       "\"state\":\"done\",\"rows\":29000}]}";
    snap = begin(&o, gone);
    if (!strstr(sl_snapshot_resume_note(snap), "binlog.999999"))
        failf("(c) purged checkpoint: note '%s'", sl_snapshot_resume_note(snap));
    size_t again = 0;
    while (sl_snapshot_next(snap, &chg, &n, &last, errstr, sizeof(errstr)) == SL_OK) {
        again += n;
    }
    if (again != 29000)
        failf("(c) purged checkpoint re-read %zu rows, want 29000", again);
    printf("(c) purged checkpoint: %s\n", sl_snapshot_resume_note(snap));
    sl_snapshot_free(snap);

    /* A corrupt checkpoint is refused, naming the offset. */
    char e2[512];
    snap = sl_snapshot_new(&o, e2, sizeof(e2));
    if (sl_snapshot_begin(snap, "{\"file\":\"x\",\"pos\":}", e2, sizeof(e2)) != SL_ERR_INVALID ||
        !strstr(e2, "offset"))
        failf("(c) corrupt checkpoint: '%s'", e2);
    sl_snapshot_free(snap);
    sl_buf_fini(&ck);
}

/* ---- (b) every type: snapshot vs binlog decoder ---- */

static const char *const type_cols[] = {
    "c_tiny TINYINT",
    "c_tiny_u TINYINT UNSIGNED",
    "c_small SMALLINT",
    "c_med_u MEDIUMINT UNSIGNED",
    "c_int INT",
    "c_big BIGINT",
    "c_big_u BIGINT UNSIGNED",
    "c_float FLOAT",
    "c_double DOUBLE",
    "c_dec65 DECIMAL(65,30)",
    "c_dec52 DECIMAL(5,2)",
    "c_bit1 BIT(1)",
    "c_bit64 BIT(64)",
    "c_bit10 BIT(10)",
    "c_year YEAR",
    "c_date DATE",
    "c_time0 TIME",
    "c_time3 TIME(3)",
    "c_time6 TIME(6)",
    "c_dt0 DATETIME",
    "c_dt6 DATETIME(6)",
    "c_ts0 TIMESTAMP NULL",
    "c_ts4 TIMESTAMP(4) NULL",
    "c_char CHAR(10) CHARACTER SET utf8mb4",
    "c_vchar VARCHAR(100) CHARACTER SET utf8mb4",
    "c_text TEXT CHARACTER SET utf8mb4",
    "c_char_l CHAR(10) CHARACTER SET latin1",
    "c_vchar_l VARCHAR(300) CHARACTER SET latin1",
    "c_bin BINARY(4)",
    "c_vbin VARBINARY(100)",
    "c_blob BLOB",
    "c_tblob TINYBLOB",
    "c_enum ENUM('a','b','c')",
    "c_set SET('x','y','z')",
    "c_json JSON",
    "c_geom GEOMETRY",
};
#define NTYPES (sizeof(type_cols) / sizeof(type_cols[0]))

static const char *const type_rows[] = {
    "(1,-128,0,-32768,0,-2147483648,-9223372036854775808,0,-3.40282e38,"
    "-1.7976931348623157e308,-99999999999999999999999999999999999.999999999999999999999999999999,"
    "-999.99,b'0',0,b'0',1901,'1000-01-01','-838:59:59','-00:00:00.5','-12:34:56.123456',"
    "'1000-01-01 00:00:00','9999-12-31 23:59:59.999999','1970-01-01 00:00:01',"
    "'2038-01-19 03:14:07.9999','a','',REPEAT('x',3000),'caf\xc3\xa9','\xe2\x82\xac\xc3\xbf',"
    "X'00FF7F80',X'00','',X'00','a','x','{}',ST_GeomFromText('POINT(1 2)'))",
    "(2,127,255,32767,16777215,2147483647,9223372036854775807,18446744073709551615,3.1415927,"
    "0.30000000000000004,12345.000000000000000000000000000001,0.5,b'1',18446744073709551615,"
    "b'1010101010',2155,'9999-12-31','838:59:59','12:00:00.123','00:00:00.000001',"
    "'0000-00-00 00:00:00','2022-06-15 07:52:16.654321','0000-00-00 00:00:00',"
    "'2022-06-15 07:52:16.6543','\xf0\x9f\x98\x80\xc3\xa9','quote \" back \\\\ tab \\t',"
    "'t\xc3\xa9xt','abc','\xc3\x80\xc3\x89','ab\\0\\0',X'FF00FF',REPEAT(X'00FF',3000),'bytes',"
    "'','x,y,z','{\"a\": [1, 2, {\"b\": null}]}',ST_GeomFromText('LINESTRING(0 0,1 1)'))",
    "(3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,"
    "NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,"
    "NULL)",
    "(4,42,200,-1234,9000000,29001,-1234567890123,12345678901234567890,1.5,0.1,"
    "-0.000000000000000000000000000001,"
    "-0.5,b'1',1234567890123,b'1',0,'0000-00-00','00:00:00','-12:34:56.789','838:59:59.999999',"
    "'2022-06-15 07:52:16','0000-00-00 00:00:00','2022-06-15 07:52:16','1970-01-01 00:00:01.0001',"
    "'ab c','h\xc3\xa9llo','','','plain','abcd','bytes',X'DEADBEEF',X'',"
    "'b','y,z','\"str\"',ST_GeomFromText('POINT(-1.5 3.25)'))",
};
#define NROWS (sizeof(type_rows) / sizeof(type_rows[0]))

static bool value_eq(const struct sl_value *a, const struct sl_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SL_VAL_NULL:
        return true;
    case SL_VAL_INT:
        return a->v.i == b->v.i;
    case SL_VAL_UINT:
    case SL_VAL_ENUM:
    case SL_VAL_SET:
        return a->v.u == b->v.u;
    case SL_VAL_FLOAT:
        return memcmp(&a->v.f, &b->v.f, sizeof(float)) == 0;
    case SL_VAL_DOUBLE:
        return memcmp(&a->v.d, &b->v.d, sizeof(double)) == 0;
    case SL_VAL_DATE:
    case SL_VAL_TIME:
    case SL_VAL_DATETIME:
        return a->v.tm.year == b->v.tm.year && a->v.tm.month == b->v.tm.month &&
               a->v.tm.day == b->v.tm.day && a->v.tm.hour == b->v.tm.hour &&
               a->v.tm.minute == b->v.tm.minute && a->v.tm.second == b->v.tm.second &&
               a->v.tm.usec == b->v.tm.usec && a->v.tm.neg == b->v.tm.neg;
    case SL_VAL_TIMESTAMP:
        return a->v.ts.sec == b->v.ts.sec && a->v.ts.usec == b->v.ts.usec;
    default:
        return a->v.s.len == b->v.s.len && memcmp(a->v.s.ptr, b->v.s.ptr, a->v.s.len) == 0;
    }
}

static void show(const struct sl_value *v, char *out, size_t size)
{
    switch (v->kind) {
    case SL_VAL_INT:
        snprintf(out, size, "int %lld", (long long)v->v.i);
        break;
    case SL_VAL_UINT:
    case SL_VAL_ENUM:
    case SL_VAL_SET:
        snprintf(out, size, "kind %u %llu", v->kind, (unsigned long long)v->v.u);
        break;
    case SL_VAL_FLOAT:
        snprintf(out, size, "float %.9g", v->v.f);
        break;
    case SL_VAL_DOUBLE:
        snprintf(out, size, "double %.17g", v->v.d);
        break;
    case SL_VAL_DATE:
    case SL_VAL_TIME:
    case SL_VAL_DATETIME:
        snprintf(out, size, "tm %s%d-%u-%u %u:%u:%u.%06u", v->v.tm.neg ? "-" : "", v->v.tm.year,
                 v->v.tm.month, v->v.tm.day, v->v.tm.hour, v->v.tm.minute, v->v.tm.second,
                 v->v.tm.usec);
        break;
    case SL_VAL_TIMESTAMP:
        snprintf(out, size, "ts %lld.%06u", (long long)v->v.ts.sec, v->v.ts.usec);
        break;
    case SL_VAL_NULL:
        snprintf(out, size, "NULL");
        break;
    default:
        snprintf(out, size, "kind %u len %zu '%.40s'", v->kind, v->v.s.len,
                 v->v.s.ptr ? v->v.s.ptr : "");
    }
}

static void current_pos(MYSQL *root, char *file, size_t size, uint64_t *pos)
{
    sql(root, "SHOW MASTER STATUS");
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row = mysql_fetch_row(res);
    snprintf(file, size, "%s", row[0]);
    *pos = strtoull(row[1], NULL, 10);
    mysql_free_result(res);
}

/* Calls fn for every rows-event change of db.table at or after from_pos in file. */
static void scan_binlog(const char *file, uint64_t from_pos, const char *table,
                        void (*fn)(const struct sl_change *chg, void *opaque), void *opaque)
{
    char path[1200], errstr[512];
    snprintf(path, sizeof(path), "%s/%s", datadir, file);
    struct sl_binlog_file *bf;
    if (sl_binlog_file_open(path, &bf, errstr, sizeof(errstr)))
        die("%s", errstr);
    struct sl_decoder *dec = sl_decoder_new();
    sl_decoder_set_file(dec, sl_binlog_file_name(bf));
    struct sl_arena arena;
    sl_arena_init(&arena, 1 << 20);
    sl_err_t err;
    while ((err = sl_binlog_file_feed(bf, dec, errstr, sizeof(errstr))) == SL_OK) {
        struct sl_event ev;
        while ((err = sl_decoder_next(dec, &arena, &ev, errstr, sizeof(errstr))) == SL_OK) {
            if (ev.kind != SL_EV_ROWS || ev.pos < from_pos ||
                !sl_str_eq_c(ev.u.rows.table->name, table))
                continue;
            for (uint32_t i = 0; i < ev.u.rows.nchanges; i++)
                fn(&ev.u.rows.changes[i], opaque);
        }
        if (err != SL_ERR_EOF)
            die("decode: %s", errstr);
    }
    if (err != SL_ERR_EOF)
        die("binlog: %s", errstr);
    sl_arena_fini(&arena);
    sl_decoder_free(dec);
    sl_binlog_file_free(bf);
}

struct typerows {
    struct sl_arena arena;
    struct sl_column cols[NTYPES + 1];
    struct sl_value *rows[NROWS];
    size_t n;
};

static void keep_typerow(const struct sl_change *chg, void *opaque)
{
    struct typerows *tr = opaque;
    if (chg->op != SL_OP_INSERT || tr->n >= NROWS)
        return;
    const struct sl_table *t = chg->table;
    memcpy(tr->cols, t->cols, sizeof(tr->cols));
    for (uint32_t i = 0; i <= NTYPES; i++) {
        tr->cols[i].name = sl_arena_str(&tr->arena, t->cols[i].name);
        tr->cols[i].labels = NULL;
    }
    struct sl_value *v = sl_arena_alloc(&tr->arena, (NTYPES + 1) * sizeof(*v));
    for (uint32_t i = 0; i <= NTYPES; i++) {
        v[i] = chg->after[i];
        if (v[i].kind >= SL_VAL_DECIMAL && v[i].kind != SL_VAL_DATE && v[i].kind != SL_VAL_TIME &&
            v[i].kind != SL_VAL_DATETIME && v[i].kind != SL_VAL_TIMESTAMP &&
            v[i].kind != SL_VAL_ENUM && v[i].kind != SL_VAL_SET)
            v[i].v.s = sl_arena_str(&tr->arena, v[i].v.s);
    }
    tr->rows[tr->n++] = v;
}

static void test_types(MYSQL *root)
{
    char file[256];
    uint64_t p0;
    current_pos(root, file, sizeof(file), &p0);
    struct sl_buf q;
    sl_buf_init(&q, 1 << 20);
    sl_buf_addstr(&q, "CREATE TABLE shop.types (id INT PRIMARY KEY");
    for (size_t i = 0; i < NTYPES; i++)
        sl_buf_addf(&q, ", %s", type_cols[i]);
    sl_buf_addstr(&q, ")");
    sql(root, q.data);
    sql(root, "SET SESSION sql_mode = ''");
    for (size_t r = 0; r < NROWS; r++) {
        sl_buf_reset(&q);
        sl_buf_addf(&q, "INSERT INTO shop.types VALUES %s", type_rows[r]);
        sql(root, q.data);
    }
    sl_buf_fini(&q);
    struct typerows tr;
    memset(&tr, 0, sizeof(tr));
    sl_arena_init(&tr.arena, 1 << 20);
    scan_binlog(file, p0, "types", keep_typerow, &tr);
    if (tr.n != NROWS)
        die("(b) decoded %zu rows from the binlog, want %zu", tr.n, NROWS);

    struct sl_snapshot_opts o;
    opts_init(&o, "shop\\.types", 3);
    struct sl_snapshot *snap = begin(&o, NULL);
    struct sl_change *chg;
    size_t n, r = 0, compared = 0;
    bool last;
    char errstr[512];
    sl_err_t err;
    while ((err = sl_snapshot_next(snap, &chg, &n, &last, errstr, sizeof(errstr))) == SL_OK) {
        for (size_t i = 0; i < n; i++, r++) {
            const struct sl_table *t = chg[i].table;
            if (r >= NROWS || t->ncols != NTYPES + 1) {
                failf("(b) unexpected row %zu / %u columns", r, t->ncols);
                continue;
            }
            for (uint32_t c = 0; c <= NTYPES; c++) {
                const struct sl_column *a = &t->cols[c], *b = &tr.cols[c];
                if (r == 0 && (a->type != b->type || a->binlog_type != b->binlog_type ||
                               a->meta != b->meta || a->length != b->length ||
                               a->charset != b->charset || a->is_unsigned != b->is_unsigned ||
                               a->fsp != b->fsp || a->precision != b->precision ||
                               a->scale != b->scale || !sl_str_eq(a->name, b->name)))
                    failf("(b) column %.*s: snapshot type %u/%u meta %u len %u cs %u uns %d; "
                          "binlog %u/%u meta %u len %u cs %u uns %d",
                          SL_STR_FMT(a->name), a->type, a->binlog_type, a->meta, a->length,
                          a->charset, a->is_unsigned, b->type, b->binlog_type, b->meta, b->length,
                          b->charset, b->is_unsigned);
                if (!value_eq(&chg[i].after[c], &tr.rows[r][c])) {
                    char s1[128], s2[128];
                    show(&chg[i].after[c], s1, sizeof(s1));
                    show(&tr.rows[r][c], s2, sizeof(s2));
                    failf("(b) row %zu column %.*s: snapshot %s, binlog %s", r + 1,
                          SL_STR_FMT(a->name), s1, s2);
                }
                compared++;
            }
        }
    }
    if (err != SL_ERR_EOF)
        failf("(b) snapshot: %s", errstr);
    if (r != NROWS)
        failf("(b) snapshot gave %zu rows, want %zu", r, NROWS);
    printf("(b) %zu values compared between snapshot and binlog decoder\n", compared);
    sl_snapshot_free(snap);
    sl_arena_fini(&tr.arena);
}

/* ---- (d)+(e) concurrent writers ---- */

static volatile int writer_stop;

static void *writer(void *arg)
{
    (void)arg;
    MYSQL *m = root_conn();
    for (int i = 0; !writer_stop && i < 200000; i++)
        sql(m, "INSERT INTO shop.ticks (v) VALUES (1)");
    mysql_close(m);
    return NULL;
}

#define MAXTICK 400000
static unsigned char in_snap[MAXTICK], in_stream[MAXTICK];

static void mark_stream(const struct sl_change *chg, void *opaque)
{
    (void)opaque;
    if (chg->op == SL_OP_INSERT && chg->after[0].v.i > 0 && chg->after[0].v.i < MAXTICK)
        in_stream[chg->after[0].v.i] = 1;
}

static void test_concurrent(MYSQL *root, const char *who, const char *pw, bool table_locks)
{
    char sqlbuf[256];
    snprintf(sqlbuf, sizeof(sqlbuf), "TRUNCATE shop.ticks");
    sql(root, sqlbuf);
    memset(in_snap, 0, sizeof(in_snap));
    memset(in_stream, 0, sizeof(in_stream));
    writer_stop = 0;
    pthread_t th;
    pthread_create(&th, NULL, writer, NULL);
    usleep(300000);
    struct sl_snapshot_opts o;
    opts_init(&o, "shop\\.ticks", 500);
    o.db.user = who;
    o.db.password = pw;
    o.no_mariadb_snapshot_status = table_locks;
    struct sl_snapshot *snap = begin(&o, NULL);
    const char *file, *gtids;
    uint64_t pos;
    sl_snapshot_position(snap, &file, &pos, &gtids);
    char pfile[128];
    snprintf(pfile, sizeof(pfile), "%s", file);
    struct sl_change *chg;
    size_t n, rows = 0;
    bool last;
    char errstr[512];
    sl_err_t err;
    while ((err = sl_snapshot_next(snap, &chg, &n, &last, errstr, sizeof(errstr))) == SL_OK) {
        for (size_t i = 0; i < n; i++)
            if (chg[i].after[0].v.i > 0 && chg[i].after[0].v.i < MAXTICK)
                in_snap[chg[i].after[0].v.i] = 1;
        rows += n;
    }
    if (err != SL_ERR_EOF)
        failf("(%s) %s", who, errstr);
    usleep(200000);
    writer_stop = 1;
    pthread_join(th, NULL);
    char method[32];
    snprintf(method, sizeof(method), "%s", sl_snapshot_method(snap));
    sl_snapshot_free(snap);
    if (table_locks && strcmp(method, "table") != 0)
        failf("(d) user %s snapshot used method %s, want table", who, method);

    char endfile[256];
    uint64_t endpos;
    current_pos(root, endfile, sizeof(endfile), &endpos);
    if (strcmp(endfile, pfile) != 0)
        die("binlog rotated during the test");
    scan_binlog(pfile, pos, "ticks", mark_stream, NULL);
    sql(root, "SELECT id FROM shop.ticks");
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row;
    size_t total = 0, lost = 0, both = 0, stream = 0;
    while ((row = mysql_fetch_row(res)) != NULL) {
        long id = strtol(row[0], NULL, 10);
        if (id <= 0 || id >= MAXTICK)
            continue;
        total++;
        stream += in_stream[id];
        lost += !in_snap[id] && !in_stream[id];
        both += in_snap[id] && in_stream[id];
    }
    mysql_free_result(res);
    printf("(%s) method %s, position %s:%llu: %zu rows in the table, %zu in the snapshot, %zu "
           "after the position, %zu in both, %zu lost\n",
           table_locks ? "d" : "e", method, pfile, (unsigned long long)pos, total, rows, stream,
           both, lost);
    if (lost)
        failf("(%s) %zu committed rows are neither in the snapshot nor after the position", who,
              lost);
    if (both && strcmp(method, "table") != 0)
        failf("(%s) %zu rows both in the snapshot and after the exact position", who, both);
    if (stream == 0 || rows == 0)
        failf("(%s) the writer did not overlap the snapshot (%zu/%zu)", who, rows, stream);
}

int main(void)
{
    char *tmp = sl_test_tmpdir("sl-snap");
    snprintf(dir, sizeof(dir), "%s/db", tmp);
    char cmd[1200];
    char *out = NULL;
    snprintf(cmd, sizeof(cmd), "bash %s start %s", sl_test_src("tests/lib/mariadb.sh"), dir);
    if (sl_test_run(cmd, &out) != 0)
        die("cannot start MariaDB");
    free(out);
    char envpath[700];
    snprintf(envpath, sizeof(envpath), "%s/env", dir);
    char *env = sl_test_read_file(envpath, NULL);
    if (!env)
        die("no env file");
    char portbuf[16];
    env_get(env, "MARIADB_HOST", host, sizeof(host));
    env_get(env, "MARIADB_PORT", portbuf, sizeof(portbuf));
    env_get(env, "MARIADB_USER", user, sizeof(user));
    env_get(env, "MARIADB_PASSWORD", password, sizeof(password));
    env_get(env, "MARIADB_SOCKET", sock, sizeof(sock));
    env_get(env, "MARIADB_DATADIR", datadir, sizeof(datadir));
    port = (unsigned)strtoul(portbuf, NULL, 10);
    free(env);

    MYSQL *root = root_conn();
    sql(root, "CREATE DATABASE shop");
    sql(root, "CREATE TABLE shop.SALES_ORDER (id INT PRIMARY KEY, customer VARCHAR(40) NOT "
              "NULL, amount DECIMAL(10,2), created DATETIME(3))");
    sql(root, "INSERT INTO shop.SALES_ORDER SELECT seq, CONCAT('customer-', seq % 977), "
              "seq * 1.25 - 3000, '2024-01-01 00:00:00.000' + INTERVAL seq SECOND "
              "+ INTERVAL (seq % 1000) * 1000 MICROSECOND FROM shop.seq_1_to_29000");
    sql(root, "CREATE TABLE shop.ticks (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
    sql(root, "CREATE TABLE shop.other (id INT PRIMARY KEY)");
    sql(root, "ANALYZE TABLE shop.SALES_ORDER");
    mysql_free_result(mysql_store_result(root));
    sql(root, "CREATE USER 'noreload'@'%' IDENTIFIED BY 'pw'");
    sql(root, "GRANT SELECT, LOCK TABLES, REPLICATION CLIENT ON *.* TO 'noreload'@'%'");

    test_sales_order(root);
    test_types(root);
    test_resume();
    test_concurrent(root, user, password, false);
    test_concurrent(root, "noreload", "pw", true);

    mysql_close(root);
    stop_server();
    sl_test_rmtree(tmp);
    free(tmp);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
