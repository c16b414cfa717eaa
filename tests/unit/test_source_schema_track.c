/* SPDX-License-Identifier: Apache-2.0 */
/* The schema tracker with a fake loader standing in for the server: the full-metadata path
 * (no server call), cache hits, a mismatch that a reload repairs, a mismatch that survives
 * the reload (exact error text), DDL invalidation, ENUM behind TABLE_MAP's STRING code, type
 * classes that differ between the binlog and information_schema, and retired tables staying
 * valid for queued changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem.h"
#include "source/schema.h"
#include "source/schema_track.h"

/* The fake server: one table definition, given as information_schema rows. */
struct fake {
    const char *db;
    const char *name;
    const struct sl_schema_coldef *cols;
    uint32_t ncols;
    const char *pk; /* column name or NULL */
    int calls;
};

static sl_err_t fake_load(struct sl_str db, struct sl_str name, struct sl_arena *arena,
                          struct sl_table_def *def, char *errstr, size_t errstr_size,
                          void *opaque)
{
    struct fake *f = opaque;
    f->calls++;
    if (!f->cols || !sl_str_eq_c(db, f->db) || !sl_str_eq_c(name, f->name))
        return SL_ERR_NOTFOUND;
    struct sl_table *t = &def->table;
    t->db = sl_arena_str(arena, db);
    t->name = sl_arena_str(arena, name);
    t->cols = sl_arena_calloc(arena, f->ncols, sizeof(*t->cols));
    t->pk = sl_arena_calloc(arena, f->ncols, sizeof(*t->pk));
    for (uint32_t i = 0; i < f->ncols; i++) {
        sl_err_t err = sl_schema_column(&f->cols[i], arena, &t->cols[i], errstr, errstr_size);
        if (err)
            return err;
        if (f->pk && strcmp(f->pk, f->cols[i].name) == 0) {
            t->cols[i].is_pk = true;
            t->pk[t->npk++] = i;
        }
    }
    t->ncols = f->ncols;
    t->has_names = true;
    return SL_OK;
}

/* A TABLE_MAP as binlog_row_metadata=MINIMAL gives it: the schema's binlog layout without
 * names, labels or key. */
static struct sl_table *tm_new(struct sl_arena *a, uint64_t id, const char *db,
                               const char *name, const struct sl_schema_coldef *cols,
                               uint32_t n, bool full)
{
    struct sl_table *t = sl_arena_calloc(a, 1, sizeof(*t));
    t->table_id = id;
    t->db = sl_str_c(db);
    t->name = sl_str_c(name);
    t->cols = sl_arena_calloc(a, n, sizeof(*t->cols));
    t->pk = sl_arena_calloc(a, n, sizeof(*t->pk));
    t->ncols = n;
    char errstr[200];
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(sl_schema_column(&cols[i], a, &t->cols[i], errstr, sizeof(errstr)),
                         SL_OK);
        if (!full) {
            t->cols[i].name = SL_STR_NULL;
            t->cols[i].n_labels = 0;
            t->cols[i].labels = NULL;
        }
    }
    if (full) {
        t->has_names = true;
        t->cols[0].is_pk = true;
        t->pk[t->npk++] = 0;
    }
    return t;
}

static const struct sl_schema_coldef v1[] = {
    {"id", "int", "int(11)", false, 10, 0, 0, 0, 0},
    {"name", "varchar", "varchar(40)", true, 0, 0, 0, 160, 45},
};
static const struct sl_schema_coldef v2[] = {
    {"id", "int", "int(11)", false, 10, 0, 0, 0, 0},
    {"name", "varchar", "varchar(40)", true, 0, 0, 0, 160, 45},
    {"color", "enum", "enum('red','green')", true, 0, 0, 0, 20, 45},
};
static const struct sl_schema_coldef v2b[] = {
    {"id", "int", "int(11)", false, 10, 0, 0, 0, 0},
    {"label", "varchar", "varchar(40)", true, 0, 0, 0, 160, 45},
};
static const struct sl_schema_coldef v3[] = {
    {"id", "bigint", "bigint(20) unsigned", false, 20, 0, 0, 0, 0},
    {"name", "varchar", "varchar(80)", true, 0, 0, 0, 320, 45},
};

static void test_full_metadata(void **state)
{
    (void)state;
    struct fake f = {0};
    struct sl_schema_track *trk = sl_schema_track_new(fake_load, &f);
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    struct sl_table *tm = tm_new(&a, 7, "s", "t", v1, 2, true);
    const struct sl_table *out;
    char errstr[1024];
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000001", 100, &out, errstr,
                                               sizeof(errstr)),
                     SL_OK);
    assert_int_equal(f.calls, 0);
    assert_ptr_not_equal(out, tm);
    assert_true(out->has_names);
    assert_true(sl_str_eq_c(out->cols[1].name, "name"));
    assert_int_equal(out->npk, 1);
    assert_int_equal(out->pk[0], 0);
    /* The merged table is a copy: the TABLE_MAP's memory may go away. */
    sl_arena_reset(&a);
    assert_true(sl_str_eq_c(out->name, "t"));
    assert_ptr_equal(sl_schema_track_by_id(trk, 7), out);
    sl_arena_fini(&a);
    sl_schema_track_free(trk);
}

static void test_cache_and_refresh(void **state)
{
    (void)state;
    struct fake f = {"s", "t", v1, 2, "id", 0};
    struct sl_schema_track *trk = sl_schema_track_new(fake_load, &f);
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    char errstr[1024];
    const struct sl_table *out, *out2;
    struct sl_table *tm = tm_new(&a, 7, "s", "t", v1, 2, false);
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000001", 100, &out, errstr,
                                               sizeof(errstr)),
                     SL_OK);
    assert_int_equal(f.calls, 1);
    assert_true(out->has_names);
    assert_true(sl_str_eq_c(out->cols[0].name, "id"));
    assert_true(sl_str_eq_c(out->cols[1].name, "name"));
    assert_int_equal(out->npk, 1);
    assert_true(out->cols[0].is_pk);
    assert_int_equal(out->cols[1].charset, 45);
    /* Same TABLE_MAP again (next transaction, new id): cache hit, same table object. */
    tm = tm_new(&a, 8, "s", "t", v1, 2, false);
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000001", 200, &out2, errstr,
                                               sizeof(errstr)),
                     SL_OK);
    assert_int_equal(f.calls, 1);
    assert_ptr_equal(out, out2);
    assert_int_equal(out2->table_id, 8);

    /* The server gained a column and no DDL was seen (filtered, gh-ost, ...): the 3-column
     * TABLE_MAP mismatches the cache, a reload repairs it. ENUM arrives as STRING(254). */
    f.cols = v2;
    f.ncols = 3;
    tm = tm_new(&a, 9, "s", "t", v2, 3, false);
    assert_int_equal(tm->cols[2].binlog_type, SL_MYSQL_TYPE_STRING);
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000001", 300, &out2, errstr,
                                               sizeof(errstr)),
                     SL_OK);
    assert_int_equal(f.calls, 2);
    assert_int_equal(out2->ncols, 3);
    assert_true(sl_str_eq_c(out2->cols[2].name, "color"));
    assert_int_equal(out2->cols[2].n_labels, 2);
    assert_true(sl_str_eq_c(out2->cols[2].labels[1], "green"));
    /* The old merged table is retired, still readable by queued changes. */
    assert_true(sl_str_eq_c(out->cols[1].name, "name"));
    assert_int_equal(out->ncols, 2);
    sl_schema_track_drop_retired(trk);

    /* A rows event of the old 2-column layout after the server moved on: the reload cannot
     * help, and the error names the table, the position and both column lists. */
    assert_non_null(sl_schema_track_by_id(trk, 9));
    tm = tm_new(&a, 9, "s", "t", v1, 2, false); /* same id reused */
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000002", 4567, &out2, errstr,
                                               sizeof(errstr)),
                     SL_ERR_INVALID);
    assert_int_equal(f.calls, 3);
    assert_null(sl_schema_track_by_id(trk, 9)); /* rows of that id cannot be named */
    assert_string_equal(errstr,
                        "table `s`.`t` at bin.000002:4567: the binlog TABLE_MAP has 2 columns "
                        "(INT, VARCHAR(160)) but the server's current schema has 3 columns "
                        "(id INT, name VARCHAR(160), color ENUM); the table changed after "
                        "this event was written and its column names cannot be known "
                        "(restart from a position after the DDL, or take a new snapshot)");

    /* Same column count, other types (MODIFY): also a mismatch. */
    f.cols = v1;
    f.ncols = 2;
    tm = tm_new(&a, 11, "s", "t", v3, 2, false);
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000002", 5000, &out2, errstr,
                                               sizeof(errstr)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "(BIGINT, VARCHAR(320))"));

    /* A table the server no longer has. */
    tm = tm_new(&a, 12, "s", "gone", v1, 2, false);
    assert_int_equal(sl_schema_track_table_map(trk, tm, "bin.000002", 6000, &out2, errstr,
                                               sizeof(errstr)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "table `s`.`gone` at bin.000002:6000"));
    assert_non_null(strstr(errstr, "does not exist on the server"));
    sl_arena_fini(&a);
    sl_schema_track_free(trk);
}

static void test_ddl_invalidates(void **state)
{
    (void)state;
    struct fake f = {"s", "t", v1, 2, "id", 0};
    struct sl_schema_track *trk = sl_schema_track_new(fake_load, &f);
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    char errstr[1024];
    struct sl_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_TABLE_MAP;
    ev.u.table_map.table = tm_new(&a, 7, "s", "t", v1, 2, false);
    struct sl_ddl ddl;
    assert_int_equal(sl_schema_track_event(trk, "bin.1", &ev, &ddl, &a, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(ddl.kind, SL_DDL_NONE);
    assert_true(sl_str_eq_c(ev.u.table_map.table->cols[1].name, "name"));

    /* Rows: every change now points at the merged table. */
    struct sl_change chg[2];
    memset(chg, 0, sizeof(chg));
    const struct sl_table *raw = tm_new(&a, 7, "s", "t", v1, 2, false);
    chg[0].table = chg[1].table = raw;
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_ROWS;
    ev.u.rows.table = raw;
    ev.u.rows.nchanges = 2;
    ev.u.rows.changes = chg;
    assert_int_equal(sl_schema_track_event(trk, "bin.1", &ev, NULL, &a, errstr, sizeof(errstr)),
                     SL_OK);
    assert_true(chg[1].table->has_names);
    assert_ptr_equal(chg[0].table, ev.u.rows.table);

    /* CHANGE name label: same layout, so only the DDL tells the tracker to reload. */
    f.cols = v2b;
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_QUERY;
    ev.u.query.db = SL_STR("s");
    ev.u.query.sql = SL_STR("ALTER TABLE /* x */ `t` CHANGE name label VARCHAR(40)");
    assert_int_equal(sl_schema_track_event(trk, "bin.1", &ev, &ddl, &a, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(ddl.kind, SL_DDL_ALTER_TABLE);
    const struct sl_table_def *def;
    assert_int_equal(sl_schema_track_describe(trk, SL_STR("s"), SL_STR("t"), &def, errstr,
                                              sizeof(errstr)),
                     SL_OK);
    assert_int_equal(f.calls, 2);
    assert_true(sl_str_eq_c(def->table.cols[1].name, "label"));
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_TABLE_MAP;
    ev.u.table_map.table = tm_new(&a, 7, "s", "t", v1, 2, false);
    assert_int_equal(sl_schema_track_event(trk, "bin.1", &ev, NULL, &a, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(f.calls, 2); /* describe already reloaded it */
    assert_true(sl_str_eq_c(ev.u.table_map.table->cols[1].name, "label"));

    /* Rows for an id never mapped: a protocol error naming the id. */
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_ROWS;
    struct sl_table other = {.table_id = 99, .db = SL_STR("s"), .name = SL_STR("u")};
    ev.u.rows.table = &other;
    assert_int_equal(sl_schema_track_event(trk, "bin.1", &ev, NULL, &a, errstr, sizeof(errstr)),
                     SL_ERR_PROTO);
    assert_non_null(strstr(errstr, "table id 99 (`s`.`u`)"));

    /* DROP DATABASE forgets every table of it; describe then reports NOTFOUND. */
    f.cols = NULL;
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_QUERY;
    ev.u.query.sql = SL_STR("DROP DATABASE s");
    assert_int_equal(sl_schema_track_event(trk, "bin.1", &ev, &ddl, &a, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(sl_schema_track_describe(trk, SL_STR("s"), SL_STR("t"), &def, errstr,
                                              sizeof(errstr)),
                     SL_ERR_NOTFOUND);
    assert_string_equal(errstr, "table `s`.`t` does not exist on the server");
    sl_arena_fini(&a);
    sl_schema_track_free(trk);
}

static void test_type_classes(void **state)
{
    (void)state;
    static const struct sl_schema_coldef cols[] = {
        {"ts", "timestamp", "timestamp", false, 0, 0, 0, 0, 0},
        {"v", "varchar", "varchar(10)", true, 0, 0, 0, 10, 8},
        {"d", "decimal", "decimal(10,2)", true, 10, 2, 0, 0, 0},
        {"b", "mediumtext", "mediumtext", true, 0, 0, 0, 16777215, 8},
    };
    struct fake f = {"s", "t", cols, 4, NULL, 0};
    struct sl_schema_track *trk = sl_schema_track_new(fake_load, &f);
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    char errstr[1024];
    const struct sl_table *out;
    /* An old table written with pre-5.6 TIMESTAMP and VAR_STRING codes still matches. */
    struct sl_table *tm = tm_new(&a, 1, "s", "t", cols, 4, false);
    tm->cols[0].type = tm->cols[0].binlog_type = SL_MYSQL_TYPE_TIMESTAMP;
    tm->cols[0].meta = 0;
    tm->cols[1].type = tm->cols[1].binlog_type = SL_MYSQL_TYPE_VAR_STRING;
    assert_int_equal(sl_schema_track_table_map(trk, tm, "f", 4, &out, errstr, sizeof(errstr)),
                     SL_OK);
    assert_true(sl_str_eq_c(out->cols[3].name, "b"));
    /* Binlog types are kept (the row decoder used them). */
    assert_int_equal(out->cols[0].type, SL_MYSQL_TYPE_TIMESTAMP);
    /* A different DECIMAL scale is a mismatch. */
    tm = tm_new(&a, 2, "s", "t", cols, 4, false);
    tm->cols[2].meta = (uint16_t)(10 << 8 | 3);
    assert_int_equal(sl_schema_track_table_map(trk, tm, "f", 8, &out, errstr, sizeof(errstr)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "DECIMAL(10,3)"));
    assert_non_null(strstr(errstr, "d DECIMAL(10,2)"));
    sl_arena_fini(&a);
    sl_schema_track_free(trk);
}

static void test_unsigned_without_metadata(void **state)
{
    (void)state;
    static const struct sl_schema_coldef cols[] = {
        {"u", "int", "int(10) unsigned", false, 10, 0, 0, 0, 0},
        {"s", "tinyint", "tinyint(4)", true, 3, 0, 0, 0, 0},
    };
    struct fake f = {"s", "n", cols, 2, NULL, 0};
    struct sl_schema_track *trk = sl_schema_track_new(fake_load, &f);
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    char errstr[1024];
    struct sl_table *tm = tm_new(&a, 3, "s", "n", cols, 2, false);
    tm->cols[0].is_unsigned = false; /* no SIGNEDNESS metadata (MySQL 5.7) */
    struct sl_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_TABLE_MAP;
    ev.u.table_map.table = tm;
    assert_int_equal(sl_schema_track_event(trk, "f", &ev, NULL, &a, errstr, sizeof(errstr)),
                     SL_OK);
    struct sl_value after[2] = {{.kind = SL_VAL_INT, .v.i = -1}, {.kind = SL_VAL_INT, .v.i = -1}};
    struct sl_change chg = {.op = SL_OP_INSERT, .table = tm, .after = after};
    memset(&ev, 0, sizeof(ev));
    ev.kind = SL_EV_ROWS;
    ev.u.rows.table = tm;
    ev.u.rows.nchanges = 1;
    ev.u.rows.changes = &chg;
    assert_int_equal(sl_schema_track_event(trk, "f", &ev, NULL, &a, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(after[0].kind, SL_VAL_UINT);
    assert_int_equal(after[0].v.u, 4294967295u);
    assert_int_equal(after[1].kind, SL_VAL_INT); /* signed stays signed */
    assert_int_equal(after[1].v.i, -1);
    assert_true(chg.table->cols[0].is_unsigned);
    sl_arena_fini(&a);
    sl_schema_track_free(trk);
}

static void test_ddl_changes(void **state)
{
    (void)state;
    struct fake f = {"s", "u", v1, 2, "id", 0};
    struct sl_schema_track *trk = sl_schema_track_new(fake_load, &f);
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    char errstr[1024];
    struct sl_ddl ddl;
    struct sl_table_change *chg;
    uint32_t n;
    const char *sql = "RENAME TABLE t TO u, x TO y";
    sl_ddl_classify(sql, strlen(sql), SL_STR("s"), &a, &ddl);
    assert_int_equal(sl_schema_track_ddl_changes(trk, &ddl, &a, &chg, &n, errstr,
                                                 sizeof(errstr)),
                     SL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(chg[0].type, SL_TABLE_CHANGE_ALTER);
    assert_true(sl_str_eq_c(chg[0].name, "u"));
    assert_true(sl_str_eq_c(chg[0].prev_name, "t"));
    assert_non_null(chg[0].def);
    assert_true(sl_str_eq_c(chg[0].def->table.cols[1].name, "name"));
    assert_null(chg[1].def); /* y is not on the fake server */
    sql = "DROP TABLE IF EXISTS u";
    sl_ddl_classify(sql, strlen(sql), SL_STR("s"), &a, &ddl);
    assert_int_equal(sl_schema_track_ddl_changes(trk, &ddl, &a, &chg, &n, errstr,
                                                 sizeof(errstr)),
                     SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(chg[0].type, SL_TABLE_CHANGE_DROP);
    assert_null(chg[0].def);
    sql = "TRUNCATE u";
    sl_ddl_classify(sql, strlen(sql), SL_STR("s"), &a, &ddl);
    assert_int_equal(sl_schema_track_ddl_changes(trk, &ddl, &a, &chg, &n, errstr,
                                                 sizeof(errstr)),
                     SL_OK);
    assert_int_equal(n, 0);
    sl_arena_fini(&a);
    sl_schema_track_free(trk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_metadata),
        cmocka_unit_test(test_cache_and_refresh),
        cmocka_unit_test(test_ddl_invalidates),
        cmocka_unit_test(test_type_classes),
        cmocka_unit_test(test_unsigned_without_metadata),
        cmocka_unit_test(test_ddl_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
