/* SPDX-License-Identifier: Apache-2.0 */
/* Schema tracking without column names in the binlog: a throwaway MariaDB with
 * binlog_row_metadata=MINIMAL gets a table, an insert, ADD COLUMN, insert, DROP COLUMN,
 * insert, MODIFY COLUMN, insert, RENAME TABLE, insert. The loader is the real
 * information_schema adapter over a live connection.
 *   - Streaming order (the binlog decoded after each step, as a live source would): every
 *     row gets the column names it was written under.
 *   - Reading the file afterwards, when the server only knows the latest schema: rows written
 *     under an older layout are refused with an error naming the table, the binlog position
 *     and both column lists; rows whose layout matches the server are emitted with the right
 *     names. No row is ever emitted under wrong names.
 *   - With binlog_row_metadata=FULL switched on at the end, rows carry their own names and
 *     are emitted even though the server's schema changed again afterwards. */
#include <jansson.h>
#include <mysql.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "convert/schema_change.h"
#include "core/buf.h"
#include "source/binlog_file.h"
#include "source/decode.h"
#include "source/schema_track.h"
#include "testlib.h"

static char dir[512];
static char *tmp;
static bool started;
static MYSQL *conn;
static char binlog_path[1200];
static char binlog_name[256];

static void stop_server(void)
{
    char cmd[1200];
    if (!started)
        return;
    snprintf(cmd, sizeof(cmd), "bash '%s' stop '%s' >/dev/null 2>&1",
             sl_test_src("tests/lib/mariadb.sh"), dir);
    (void)sl_test_run(cmd, NULL);
    started = false;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    if (conn)
        mysql_close(conn);
    stop_server();
    if (tmp)
        sl_test_rmtree(tmp);
    exit(1);
}

static void sql(const char *q)
{
    if (mysql_real_query(conn, q, (unsigned long)strlen(q)))
        die("query failed: %s: %s", mysql_error(conn), q);
    MYSQL_RES *res = mysql_store_result(conn);
    if (res)
        mysql_free_result(res);
}

/* What a run of the decoder + tracker saw: rows as "table:col=val,..." and errors. */
struct run {
    struct sl_decoder *dec;
    struct sl_schema_track *trk;
    struct sl_arena arena;
    uint64_t offset; /* next event to read */
    struct sl_buf rows;
    struct sl_buf errors;
    struct sl_buf history; /* schema history records, one per line */
    unsigned nrows, nerrors;
    uint64_t skip_id; /* table id whose TABLE_MAP failed: its rows are not read */
    bool skipping;
};

static void run_init(struct run *r)
{
    memset(r, 0, sizeof(*r));
    r->dec = sl_decoder_new();
    r->trk = sl_schema_track_new(sl_schema_track_load_mysql, conn);
    sl_arena_init(&r->arena, 0);
    r->offset = 4;
    sl_buf_init(&r->rows, 1 << 20);
    sl_buf_init(&r->errors, 1 << 20);
    sl_buf_init(&r->history, 1 << 20);
}

static void run_fini(struct run *r)
{
    sl_schema_track_free(r->trk);
    sl_decoder_free(r->dec);
    sl_arena_fini(&r->arena);
    sl_buf_fini(&r->rows);
    sl_buf_fini(&r->errors);
    sl_buf_fini(&r->history);
}

static void add_row(struct run *r, const struct sl_change *chg)
{
    const struct sl_table *t = chg->table;
    if (!t->has_names)
        die("a row without column names was emitted for %.*s", SL_STR_FMT(t->name));
    sl_buf_addf(&r->rows, "%.*s:", SL_STR_FMT(t->name));
    if (sl_str_eq_c(t->name, "types")) { /* every type: the names are what matters here */
        for (uint32_t i = 0; i < t->ncols; i++)
            sl_buf_addf(&r->rows, "%s%.*s", i ? "," : "", SL_STR_FMT(t->cols[i].name));
        sl_buf_addf(&r->rows, " unsigned=%d,%d labels=%u,%u pk=%u\n",
                    t->cols[0].is_unsigned, t->cols[21].is_unsigned, t->cols[1].n_labels,
                    t->cols[2].n_labels, t->npk ? t->pk[0] : 99);
        r->nrows++;
        return;
    }
    for (uint32_t i = 0; i < t->ncols; i++) {
        const struct sl_value *v = &chg->after[i];
        sl_buf_addf(&r->rows, "%s%.*s=", i ? "," : "", SL_STR_FMT(t->cols[i].name));
        if (v->kind == SL_VAL_INT)
            sl_buf_addf(&r->rows, "%lld", (long long)v->v.i);
        else if (v->kind == SL_VAL_UINT)
            sl_buf_addf(&r->rows, "%llu", (unsigned long long)v->v.u);
        else if (v->kind == SL_VAL_STRING || v->kind == SL_VAL_BYTES)
            sl_buf_addf(&r->rows, "%.*s", SL_STR_FMT(v->v.s));
        else
            sl_buf_addf(&r->rows, "?%d", v->kind);
    }
    sl_buf_addch(&r->rows, '\n');
    r->nrows++;
}

/* Decodes the events written since the last call. */
static void run_step(struct run *r)
{
    char errstr[2048];
    struct sl_binlog_file *bf;
    if (sl_binlog_file_open(binlog_path, &bf, errstr, sizeof(errstr)))
        die("open binlog: %s", errstr);
    if (r->offset > 4 && sl_binlog_file_seek(bf, r->offset, errstr, sizeof(errstr)))
        die("seek: %s", errstr);
    sl_decoder_set_file(r->dec, sl_binlog_file_name(bf));
    sl_err_t err;
    uint64_t off;
    const uint8_t *data;
    size_t len;
    while ((err = sl_binlog_file_next(bf, &data, &len, &off, errstr, sizeof(errstr))) ==
           SL_OK) {
        if (sl_decoder_put(r->dec, data, len, off, errstr, sizeof(errstr)))
            die("put: %s", errstr);
        struct sl_event ev;
        while ((err = sl_decoder_next(r->dec, &r->arena, &ev, errstr, sizeof(errstr))) ==
               SL_OK) {
            if (ev.kind == SL_EV_ROWS && r->skipping && ev.u.rows.table->table_id == r->skip_id)
                continue;
            if (ev.kind == SL_EV_TABLE_MAP)
                r->skipping = false;
            struct sl_ddl ddl;
            sl_err_t terr = sl_schema_track_event(r->trk, binlog_name, &ev, &ddl, &r->arena,
                                                  errstr, sizeof(errstr));
            if (terr) {
                if (ev.kind != SL_EV_TABLE_MAP)
                    die("tracker failed on a non-TABLE_MAP event: %s", errstr);
                sl_buf_addf(&r->errors, "%s\n", errstr);
                r->nerrors++;
                r->skipping = true;
                r->skip_id = ev.u.table_map.table->table_id;
                continue;
            }
            if (ev.kind == SL_EV_QUERY && ddl.kind != SL_DDL_NONE) {
                struct sl_table_change *chg;
                uint32_t nchg;
                if (sl_schema_track_ddl_changes(r->trk, &ddl, &r->arena, &chg, &nchg, errstr,
                                                sizeof(errstr)))
                    die("ddl changes: %s", errstr);
                struct sl_schema_change_pos pos = {.server = "it", .ts_sec = ev.timestamp,
                                                   .file = binlog_name, .pos = ev.end_pos,
                                                   .server_id = ev.server_id};
                if (sl_schema_history_record(&r->history, &pos, ddl.database, ev.u.query.sql,
                                             chg, nchg))
                    die("history record failed");
                sl_buf_addch(&r->history, '\n');
                /* The schema change topic value, with the JsonConverter schema: valid JSON
                 * whose payload carries one table change per table. */
                struct sl_buf val;
                sl_buf_init(&val, 1 << 22);
                if (sl_schema_change_value(&val, &pos, ddl.database, ev.u.query.sql, chg, nchg,
                                           true))
                    die("schema change value failed");
                json_error_t jerr;
                json_t *doc = json_loadb(val.data, val.len, 0, &jerr);
                json_t *arr = json_object_get(json_object_get(doc, "payload"), "tableChanges");
                if (!doc || !json_is_array(arr) || json_array_size(arr) != nchg ||
                    !json_is_object(json_object_get(doc, "schema")))
                    die("schema change value is not the expected JSON (%s): %s", jerr.text,
                        sl_buf_cstr(&val));
                json_decref(doc);
                sl_buf_fini(&val);
            }
            if (ev.kind == SL_EV_ROWS)
                for (uint32_t i = 0; i < ev.u.rows.nchanges; i++)
                    add_row(r, &ev.u.rows.changes[i]);
        }
        if (err != SL_ERR_EOF)
            die("decode at %llu: %s", (unsigned long long)off, errstr);
        r->offset = off + len;
    }
    if (err != SL_ERR_EOF)
        die("read binlog: %s", errstr);
    sl_binlog_file_free(bf);
}

static void expect_rows(const struct run *r, const char *want, const char *what)
{
    const char *got = r->rows.len ? sl_buf_cstr(&r->rows) : "";
    if (strcmp(got, want) != 0)
        die("%s: rows differ\n--- got\n%s--- want\n%s--- errors\n%s", what, got, want,
            r->errors.len ? sl_buf_cstr(&r->errors) : "");
}

static void expect_error(const struct run *r, const char *needle, const char *what)
{
    const char *errs = r->errors.len ? sl_buf_cstr(&r->errors) : "";
    if (!strstr(errs, needle))
        die("%s: no error containing [%s]; errors were:\n%s", what, needle, errs);
}

#define TYPES_ROW                                                                        \
    "types:id,e,s,c,d,t,dt,ts,bt,tx,bl,j,y,f,db,g,vb,bn,ti,si,mi,bi,dte,u8 unsigned=1,1 "      \
    "labels=2,2 pk=0\n"

static const char *steps[] = {
    "CREATE DATABASE d",
    "CREATE TABLE d.types (id INT UNSIGNED PRIMARY KEY, e ENUM('a','b'), s SET('x','y'), "
    "c CHAR(3), d DECIMAL(10,2), t TIME(3), dt DATETIME(6), ts TIMESTAMP(2) NULL, bt BIT(5), "
    "tx TEXT, bl MEDIUMBLOB, j JSON, y YEAR, f FLOAT, db DOUBLE, g GEOMETRY, vb VARBINARY(10), "
    "bn BINARY(4), ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, bi BIGINT UNSIGNED, "
    "dte DATE, u8 VARCHAR(10) CHARACTER SET utf8mb4) CHARACTER SET latin1",
    "INSERT INTO d.types VALUES (4000000000, 'b', 'x,y', 'abc', 12.5, '10:00:00.123', "
    "'2020-01-02 03:04:05.678901', '2021-01-01 00:00:00.12', b'10101', 'text', 'blob', "
    "'{\\\"k\\\": 1}', 2024, 1.5, 2.5, ST_GeomFromText('POINT(1 2)'), 'vb', 'bn', -1, 65535, "
    "-5, 18446744073709551615, '2020-02-02', 'caf\xc3\xa9')",
    "CREATE TABLE d.t (id INT PRIMARY KEY, a VARCHAR(20)) CHARACTER SET latin1",
    "INSERT INTO d.t VALUES (1, 'x')",
    "ALTER TABLE d.t ADD COLUMN b INT",
    "INSERT INTO d.t VALUES (2, 'y', 20)",
    "ALTER TABLE d.t DROP COLUMN a",
    "INSERT INTO d.t VALUES (3, 30)",
    "ALTER TABLE d.t MODIFY COLUMN b BIGINT",
    "INSERT INTO d.t VALUES (4, 40)",
    "RENAME TABLE d.t TO d.t2",
    "INSERT INTO d.t2 VALUES (5, 50)",
};

int main(void)
{
    tmp = sl_test_tmpdir("sl-it-schematrack");
    snprintf(dir, sizeof(dir), "%s/db", tmp);
    char cmd[1200];
    char *out = NULL;
    snprintf(cmd, sizeof(cmd), "bash '%s' start '%s' --binlog-row-metadata=MINIMAL",
             sl_test_src("tests/lib/mariadb.sh"), dir);
    if (sl_test_run(cmd, &out) != 0)
        die("cannot start MariaDB: %s", out ? out : "");
    started = true;
    free(out);
    char sock[700];
    snprintf(sock, sizeof(sock), "%s/mysqld.sock", dir);
    conn = mysql_init(NULL);
    if (!mysql_real_connect(conn, NULL, "root", NULL, NULL, 0, sock, 0))
        die("connect: %s", mysql_error(conn));
    sql("SET NAMES utf8mb4");

    /* The binlog file the server writes now. */
    if (mysql_real_query(conn, "SHOW MASTER STATUS", 18))
        die("SHOW MASTER STATUS: %s", mysql_error(conn));
    MYSQL_RES *res = mysql_store_result(conn);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (!row || !row[0])
        die("SHOW MASTER STATUS returned nothing (binlog off?)");
    snprintf(binlog_name, sizeof(binlog_name), "%s", row[0]);
    snprintf(binlog_path, sizeof(binlog_path), "%s/data/%s", dir, row[0]);
    mysql_free_result(res);

    /* Streaming order: decode after every statement. */
    struct run live;
    run_init(&live);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        sql(steps[i]);
        run_step(&live);
        if (strcmp(steps[i], "INSERT INTO d.t VALUES (4, 40)") == 0) {
            /* Before the RENAME, read the whole file with a fresh tracker: the server now has
             * (id INT, b BIGINT), so only the last row can be named. */
            struct run late;
            run_init(&late);
            run_step(&late);
            expect_rows(&late, TYPES_ROW "t:id=4,b=40\n", "file read before RENAME");
            if (late.nerrors != 3)
                die("file read before RENAME: %u errors, want 3:\n%s", late.nerrors,
                    sl_buf_cstr(&late.errors));
            char want[512];
            snprintf(want, sizeof(want), "table `d`.`t` at %s:", binlog_name);
            expect_error(&late, want, "file read before RENAME");
            expect_error(&late,
                         "the binlog TABLE_MAP has 2 columns (INT, VARCHAR(20)) but the "
                         "server's current schema has 2 columns (id INT, b BIGINT)",
                         "file read before RENAME (row 1)");
            expect_error(&late,
                         "the binlog TABLE_MAP has 3 columns (INT, VARCHAR(20), INT) but the "
                         "server's current schema has 2 columns (id INT, b BIGINT)",
                         "file read before RENAME (row 2)");
            expect_error(&late,
                         "the binlog TABLE_MAP has 2 columns (INT, INT) but the "
                         "server's current schema has 2 columns (id INT, b BIGINT)",
                         "file read before RENAME (row 3)");
            run_fini(&late);
        }
    }
    expect_rows(&live,
                TYPES_ROW
                "t:id=1,a=x\n"
                "t:id=2,a=y,b=20\n"
                "t:id=3,b=30\n"
                "t:id=4,b=40\n"
                "t2:id=5,b=50\n",
                "streaming order");
    if (live.nerrors)
        die("streaming order: unexpected errors:\n%s", sl_buf_cstr(&live.errors));
    /* Schema history in streaming order: each DDL with the table as it was right after. */
    const char *hist = sl_buf_cstr(&live.history);
    static const char *const want_hist[] = {
        "\"databaseName\":\"d\",\"ddl\":\"CREATE DATABASE d\",\"tableChanges\":[]}",
        "\"tableChanges\":[{\"type\":\"CREATE\",\"id\":\"\\\"d\\\".\\\"t\\\"\","
        "\"table\":{\"defaultCharsetName\":\"latin1\",\"primaryKeyColumnNames\":[\"id\"],"
        "\"columns\":[{\"name\":\"id\",\"jdbcType\":4,\"typeName\":\"INT\","
        "\"typeExpression\":\"INT\",\"charsetName\":null,\"length\":11,\"position\":1,"
        "\"optional\":false,",
        "{\"name\":\"b\",\"jdbcType\":4,\"typeName\":\"INT\",\"typeExpression\":\"INT\","
        "\"charsetName\":null,\"length\":11,\"position\":3,\"optional\":true,",
        "{\"name\":\"b\",\"jdbcType\":-5,\"typeName\":\"BIGINT\"",
        "\"ddl\":\"RENAME TABLE d.t TO d.t2\",\"tableChanges\":[{\"type\":\"ALTER\","
        "\"id\":\"\\\"d\\\".\\\"t2\\\"\",\"previousId\":\"\\\"d\\\".\\\"t\\\"\"",
    };
    for (size_t i = 0; i < sizeof(want_hist) / sizeof(want_hist[0]); i++)
        if (!strstr(hist, want_hist[i]))
            die("schema history lacks [%s]; history:\n%s", want_hist[i], hist);
    if (getenv("SL_IT_VERBOSE"))
        fputs(hist, stdout);
    /* The tracker's description after the RENAME, as schema history would record it. */
    char errstr[1024];
    const struct sl_table_def *def;
    if (sl_schema_track_describe(live.trk, SL_STR("d"), SL_STR("t2"), &def, errstr,
                                 sizeof(errstr)))
        die("describe d.t2: %s", errstr);
    if (def->table.ncols != 2 || def->table.npk != 1 || !def->defs ||
        !sl_str_eq_c(def->defs[1].column_type, "bigint(20)") ||
        !sl_str_eq_c(def->default_charset, "latin1"))
        die("describe d.t2: unexpected definition (%u cols, type '%.*s', charset '%.*s')",
            def->table.ncols, SL_STR_FMT(def->defs ? def->defs[1].column_type : SL_STR_NULL),
            SL_STR_FMT(def->default_charset));
    if (sl_schema_track_describe(live.trk, SL_STR("d"), SL_STR("t"), &def, errstr,
                                 sizeof(errstr)) != SL_ERR_NOTFOUND)
        die("describe d.t after RENAME should be NOTFOUND");
    run_fini(&live);

    /* After everything: the old name no longer exists. */
    struct run after;
    run_init(&after);
    run_step(&after);
    expect_rows(&after, TYPES_ROW "t2:id=5,b=50\n", "file read after RENAME");
    if (after.nerrors != 4)
        die("file read after RENAME: %u errors, want 4:\n%s", after.nerrors,
            sl_buf_cstr(&after.errors));
    expect_error(&after, "table `d`.`t` at ", "file read after RENAME");
    expect_error(&after, "does not exist on the server any more", "file read after RENAME");
    run_fini(&after);

    /* binlog_row_metadata=FULL from here on: TABLE_MAPs carry names and the key, which the
     * tracker prefers over the server, so these rows stay readable after the table moved on. */
    sql("SET GLOBAL binlog_row_metadata=FULL");
    sql("INSERT INTO d.t2 VALUES (6, 60)");
    sql("ALTER TABLE d.t2 ADD COLUMN c INT");
    sql("INSERT INTO d.t2 VALUES (7, 70, 700)");
    sql("ALTER TABLE d.t2 DROP COLUMN b");
    struct run full;
    run_init(&full);
    run_step(&full);
    expect_rows(&full, TYPES_ROW "t2:id=6,b=60\nt2:id=7,b=70,c=700\n",
                "file read with FULL rows");
    if (full.nerrors != 5)
        die("file read with FULL rows: %u errors, want 5:\n%s", full.nerrors,
            sl_buf_cstr(&full.errors));
    expect_error(&full,
                 "table `d`.`t2` at ", "file read with FULL rows");
    expect_error(&full,
                 "the binlog TABLE_MAP has 2 columns (INT, BIGINT) but the server's current "
                 "schema has 2 columns (id INT, c INT)",
                 "file read with FULL rows");
    run_fini(&full);

    mysql_close(conn);
    conn = NULL;
    stop_server();
    sl_test_rmtree(tmp);
    printf("ok: streaming order named 5 rows; file reads refused 3, 4 and 5 old-layout rows; "
           "FULL-metadata rows named from the binlog\n");
    return 0;
}
