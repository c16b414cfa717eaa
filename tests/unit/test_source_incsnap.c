/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental snapshot window logic with a fake SQL side: the backend keeps a small table in
 * memory, records the watermark rows written, and serves chunks after the given key. Streamed
 * changes are built by hand as the decoder would produce them (own table pointers). Checks:
 * a streamed update or delete of a buffered key wins, keys outside the chunk pass through,
 * changes before the open watermark do not drop buffered rows, watermarks and signals are
 * never emitted, the state document resumes after the last completed chunk, bad signals and
 * bad state documents are refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem.h"
#include "source/incsnap.h"
#include "source/incsnap_int.h"
#include "source/schema.h"

#define NROWS 10
#define NMAX (NROWS + 3) /* ids that may be inserted later */

struct fake {
    bool present[NMAX + 1]; /* ids 1..NROWS at first */
    char val[NMAX + 1][16];
    char sig_ids[16][64]; /* watermark ids written, in order */
    char sig_types[16][32];
    int nsig;
    char last_seen[32]; /* key text given to the last chunk call ("" = none) */
    int chunks;
};

static void mkcol(struct sl_arena *a, struct sl_column *col, const char *name, const char *dt,
                  const char *ct)
{
    struct sl_schema_coldef def = {name, dt, ct, true, 10, 0, 0, 64, 45};
    char errstr[200];
    assert_int_equal(sl_schema_column(&def, a, col, errstr, sizeof(errstr)), SL_OK);
}

/* db.t (id INT PRIMARY KEY, v VARCHAR(16)) */
static void mktable(struct sl_arena *a, struct sl_table *t, const char *db, const char *name)
{
    memset(t, 0, sizeof(*t));
    t->db = sl_arena_str(a, sl_str_c(db));
    t->name = sl_arena_str(a, sl_str_c(name));
    t->ncols = 2;
    t->cols = sl_arena_calloc(a, 2, sizeof(*t->cols));
    mkcol(a, &t->cols[0], "id", "int", "int(11)");
    mkcol(a, &t->cols[1], "v", "varchar", "varchar(16)");
    t->cols[0].is_pk = true;
    t->npk = 1;
    t->pk = sl_arena_calloc(a, 1, sizeof(*t->pk));
    t->pk[0] = 0;
    t->has_names = true;
}

static sl_err_t f_table(void *opaque, const char *db, const char *name, struct sl_arena *arena,
                        struct sl_table *t, char *errstr, size_t errstr_size)
{
    (void)opaque;
    if (strcmp(db, "db") != 0 || strcmp(name, "t") != 0) {
        snprintf(errstr, errstr_size, "no table %s.%s", db, name);
        return SL_ERR_NOTFOUND;
    }
    mktable(arena, t, db, name);
    return SL_OK;
}

static sl_err_t f_signal(void *opaque, const char *sig_db, const char *sig_name, const char *id,
                         const char *type, char *errstr, size_t errstr_size)
{
    struct fake *f = opaque;
    (void)errstr;
    (void)errstr_size;
    assert_string_equal(sig_db, "db");
    assert_string_equal(sig_name, "signal");
    assert_true(f->nsig < 16);
    snprintf(f->sig_ids[f->nsig], sizeof(f->sig_ids[0]), "%s", id);
    snprintf(f->sig_types[f->nsig], sizeof(f->sig_types[0]), "%s", type);
    f->nsig++;
    return SL_OK;
}

static sl_err_t f_max(void *opaque, const struct sl_table *t, struct sl_arena *arena,
                      const char ***vals, size_t **lens, bool *found, char *errstr,
                      size_t errstr_size)
{
    struct fake *f = opaque;
    (void)errstr;
    (void)errstr_size;
    assert_int_equal(t->npk, 1);
    *found = false;
    for (int id = NMAX; id >= 1 && !*found; id--) {
        if (!f->present[id])
            continue;
        char num[16];
        snprintf(num, sizeof(num), "%d", id);
        *vals = sl_arena_calloc(arena, 1, sizeof(**vals));
        *lens = sl_arena_calloc(arena, 1, sizeof(**lens));
        (*vals)[0] = sl_arena_strndup(arena, num, strlen(num));
        (*lens)[0] = strlen(num);
        *found = true;
    }
    return SL_OK;
}

static sl_err_t f_chunk(void *opaque, const struct sl_table *t, const char *const *last,
                        const size_t *last_len, const char *const *max, const size_t *max_len,
                        uint32_t limit, struct sl_arena *arena, const char ***vals,
                        size_t **lens, size_t *n, char *errstr, size_t errstr_size)
{
    struct fake *f = opaque;
    (void)errstr;
    (void)errstr_size;
    assert_int_equal(t->npk, 1);
    int after = 0;
    f->last_seen[0] = '\0';
    if (last) {
        snprintf(f->last_seen, sizeof(f->last_seen), "%.*s", (int)last_len[0], last[0]);
        after = (int)strtol(f->last_seen, NULL, 10);
    }
    assert_non_null(max);
    char mx[32];
    snprintf(mx, sizeof(mx), "%.*s", (int)max_len[0], max[0]);
    int upto = (int)strtol(mx, NULL, 10);
    f->chunks++;
    *vals = sl_arena_calloc(arena, (size_t)limit * 2 + 1, sizeof(**vals));
    *lens = sl_arena_calloc(arena, (size_t)limit * 2 + 1, sizeof(**lens));
    *n = 0;
    for (int id = after + 1; id <= upto && *n < limit; id++) {
        if (!f->present[id])
            continue;
        char num[16];
        snprintf(num, sizeof(num), "%d", id);
        (*vals)[*n * 2] = sl_arena_strndup(arena, num, strlen(num));
        (*lens)[*n * 2] = strlen(num);
        (*vals)[*n * 2 + 1] = sl_arena_strndup(arena, f->val[id], strlen(f->val[id]));
        (*lens)[*n * 2 + 1] = strlen(f->val[id]);
        (*n)++;
    }
    return SL_OK;
}

static const struct sl_incsnap_backend fake_backend = {f_table, f_signal, f_max, f_chunk};

struct env {
    struct fake f;
    struct sl_arena a;    /* stream tables and changes */
    struct sl_table data; /* the decoder's view of db.t */
    struct sl_table sig;  /* db.signal (id, type, data) */
    struct sl_incsnap *inc;
};

static void env_init(struct env *e, uint32_t chunk_rows)
{
    memset(e, 0, sizeof(*e));
    for (int id = 1; id <= NROWS; id++) {
        e->f.present[id] = true;
        snprintf(e->f.val[id], sizeof(e->f.val[id]), "v%d", id);
    }
    sl_arena_init(&e->a, 4096);
    mktable(&e->a, &e->data, "db", "t");
    struct sl_table *s = &e->sig;
    s->db = SL_STR("db");
    s->name = SL_STR("signal");
    s->ncols = 3;
    s->cols = sl_arena_calloc(&e->a, 3, sizeof(*s->cols));
    mkcol(&e->a, &s->cols[0], "id", "varchar", "varchar(42)");
    mkcol(&e->a, &s->cols[1], "type", "varchar", "varchar(32)");
    mkcol(&e->a, &s->cols[2], "data", "text", "text");
    struct sl_incsnap_opts opts = {.signal_table = "db.signal", .chunk_rows = chunk_rows,
                                   .backend = &fake_backend, .backend_opaque = &e->f};
    char errstr[200];
    e->inc = sl_incsnap_new(&opts, errstr, sizeof(errstr));
    assert_non_null(e->inc);
}

static void env_fini(struct env *e)
{
    sl_incsnap_free(e->inc);
    sl_arena_fini(&e->a);
}

static struct sl_value sval(const char *s)
{
    struct sl_value v = {.kind = s ? SL_VAL_STRING : SL_VAL_NULL};
    if (s)
        v.v.s = sl_str_c(s);
    return v;
}

static struct sl_change sigchg(struct env *e, const char *id, const char *type, const char *data)
{
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &e->sig};
    chg.after = sl_arena_calloc(&e->a, 3, sizeof(*chg.after));
    chg.after[0] = sval(id);
    chg.after[1] = sval(type);
    chg.after[2] = sval(data);
    return chg;
}

static struct sl_value *img(struct env *e, int id, const char *v)
{
    struct sl_value *vals = sl_arena_calloc(&e->a, 2, sizeof(*vals));
    vals[0].kind = SL_VAL_INT; /* a decoder without signedness metadata */
    vals[0].v.i = id;
    vals[1] = sval(v);
    return vals;
}

static struct sl_change datachg(struct env *e, sl_op_t op, int id, const char *v)
{
    struct sl_change chg = {.op = op, .table = &e->data};
    if (op != SL_OP_INSERT)
        chg.before = img(e, id, "old");
    if (op != SL_OP_DELETE)
        chg.after = img(e, id, v);
    return chg;
}

/* Feeds chg; returns the number of rows emitted (ids into ids[]). */
static size_t feed(struct env *e, const struct sl_change *chg, bool want_signal, int *ids)
{
    struct sl_change *emit;
    size_t n;
    bool is_signal;
    char errstr[200];
    assert_int_equal(sl_incsnap_on_change(e->inc, chg, &e->a, &emit, &n, &is_signal, errstr,
                                          sizeof(errstr)),
                     SL_OK);
    assert_int_equal(is_signal, want_signal);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(emit[i].op, SL_OP_READ);
        assert_null(emit[i].before);
        assert_non_null(emit[i].after);
        assert_true(sl_str_eq_c(emit[i].table->name, "t"));
        /* values have the decoder's shapes: INT column -> SL_VAL_INT, VARCHAR -> STRING */
        assert_int_equal(emit[i].after[0].kind, SL_VAL_INT);
        assert_int_equal(emit[i].after[1].kind, SL_VAL_STRING);
        int id = (int)emit[i].after[0].v.i;
        char want[16];
        snprintf(want, sizeof(want), "v%d", id);
        assert_true(sl_str_eq_c(emit[i].after[1].v.s, want));
        assert_string_equal(emit[i].pos.file, chg->pos.file);
        if (ids)
            ids[i] = id;
    }
    return n;
}

static void poll_ok(struct env *e)
{
    char errstr[200];
    assert_int_equal(sl_incsnap_poll(e->inc, errstr, sizeof(errstr)), SL_OK);
}

static void start(struct env *e)
{
    struct sl_change chg = sigchg(e, "ad-hoc-1", "execute-snapshot",
                                  "{\"data-collections\": [\"db.t\"], \"type\":\"INCREMENTAL\"}");
    assert_int_equal(feed(e, &chg, true, NULL), 0);
    assert_true(sl_incsnap_active(e->inc));
}

/* The open and close rows of the chunk the fake saw last. */
static struct sl_change wm(struct env *e, int back)
{
    int i = e->f.nsig - back;
    assert_true(i >= 0);
    struct sl_change chg = sigchg(e, e->f.sig_ids[i], e->f.sig_types[i], NULL);
    snprintf(chg.pos.file, sizeof(chg.pos.file), "bin.000007");
    return chg;
}

static void test_window(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 4);
    start(&e);
    poll_ok(&e);
    assert_int_equal(e.f.nsig, 2);
    assert_string_equal(e.f.sig_types[0], "snapshot-window-open");
    assert_string_equal(e.f.sig_types[1], "snapshot-window-close");
    assert_true(strlen(e.f.sig_ids[1]) <= 42);
    assert_string_equal(e.f.last_seen, "");
    /* poll again while the chunk waits: nothing new is written */
    poll_ok(&e);
    assert_int_equal(e.f.nsig, 2);

    /* before the open watermark: committed before the SELECT, the buffer stays */
    struct sl_change c = datachg(&e, SL_OP_UPDATE, 1, "early");
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    struct sl_change open = wm(&e, 2), close = wm(&e, 1);
    assert_int_equal(feed(&e, &open, true, NULL), 0);
    c = datachg(&e, SL_OP_UPDATE, 2, "new");     /* buffered key: streamed update wins */
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    c = datachg(&e, SL_OP_DELETE, 3, NULL);      /* buffered key: streamed delete wins */
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    c = datachg(&e, SL_OP_UPDATE, 7, "outside"); /* outside the chunk: passes through */
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    c = datachg(&e, SL_OP_INSERT, 50, "new");    /* outside: passes */
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    int ids[8];
    assert_int_equal(feed(&e, &close, true, ids), 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    /* the close row again (replayed) emits nothing */
    assert_int_equal(feed(&e, &close, true, NULL), 0);

    /* chunk 2 starts after key 4; a change after the close does not matter any more */
    c = datachg(&e, SL_OP_UPDATE, 5, "late");
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    poll_ok(&e);
    assert_string_equal(e.f.last_seen, "4");
    assert_int_equal(e.f.nsig, 4);
    open = wm(&e, 2);
    close = wm(&e, 1);
    assert_int_equal(feed(&e, &open, true, NULL), 0);
    /* an update that changes the key drops both the old and the new key */
    c = datachg(&e, SL_OP_UPDATE, 6, "x");
    c.after[0].v.i = 8;
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    /* another table with the same key passes through */
    struct sl_table other;
    mktable(&e.a, &other, "db", "u");
    c = datachg(&e, SL_OP_DELETE, 5, NULL);
    c.table = &other;
    assert_int_equal(feed(&e, &c, false, NULL), 0);
    assert_int_equal(feed(&e, &close, true, ids), 2);
    assert_int_equal(ids[0], 5);
    assert_int_equal(ids[1], 7);

    /* chunk 3: ids 9, 10 (short chunk ends the table) */
    poll_ok(&e);
    assert_string_equal(e.f.last_seen, "8");
    open = wm(&e, 2);
    close = wm(&e, 1);
    assert_int_equal(feed(&e, &open, true, NULL), 0);
    assert_int_equal(feed(&e, &close, true, ids), 2);
    assert_int_equal(ids[0], 9);
    assert_int_equal(ids[1], 10);
    assert_false(sl_incsnap_active(e.inc));
    poll_ok(&e);
    assert_int_equal(e.f.nsig, 6);

    struct sl_incsnap_stats st;
    sl_incsnap_stats(e.inc, &st);
    assert_int_equal(st.chunks, 3);
    assert_int_equal(st.rows, 6);
    assert_int_equal(st.dropped, 4);
    env_fini(&e);
}

/* An exactly full last chunk ending at the largest key ends the table at its close. */
static void test_exact_end(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 5);
    start(&e);
    for (int k = 0; k < 2; k++) {
        poll_ok(&e);
        struct sl_change open = wm(&e, 2), close = wm(&e, 1);
        feed(&e, &open, true, NULL);
        assert_int_equal(feed(&e, &close, true, NULL), 5);
    }
    assert_false(sl_incsnap_active(e.inc));
    int nsig = e.f.nsig;
    poll_ok(&e);
    assert_int_equal(e.f.nsig, nsig);
    env_fini(&e);
}

/* Rows inserted after the table's snapshot started are not read (the stream has them), and
 * a table emptied before it starts ends at once. */
static void test_max_bound(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 4);
    start(&e);
    poll_ok(&e);
    e.f.present[11] = e.f.present[12] = true;
    snprintf(e.f.val[11], sizeof(e.f.val[11]), "v11");
    snprintf(e.f.val[12], sizeof(e.f.val[12]), "v12");
    size_t total = 0;
    for (int k = 0; k < 5 && sl_incsnap_active(e.inc); k++) {
        struct sl_change open = wm(&e, 2), close = wm(&e, 1);
        feed(&e, &open, true, NULL);
        int ids[8];
        size_t n = feed(&e, &close, true, ids);
        for (size_t i = 0; i < n; i++)
            assert_true(ids[i] <= NROWS);
        total += n;
        poll_ok(&e);
    }
    assert_int_equal(total, NROWS);
    assert_false(sl_incsnap_active(e.inc));
    for (int id = 1; id <= NMAX; id++)
        e.f.present[id] = false;
    int nsig = e.f.nsig;
    start(&e);
    poll_ok(&e);
    assert_false(sl_incsnap_active(e.inc));
    assert_int_equal(e.f.nsig, nsig); /* no watermark for an empty table */
    env_fini(&e);
}

static void test_resume(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 4);
    start(&e);
    struct sl_change chg = sigchg(&e, "ad-hoc-2", "execute-snapshot",
                                  "{\"data-collections\":[\"db.gone\",\"db.t\"]}");
    feed(&e, &chg, true, NULL);
    poll_ok(&e);
    struct sl_change open = wm(&e, 2), close = wm(&e, 1);
    feed(&e, &open, true, NULL);
    assert_int_equal(feed(&e, &close, true, NULL), 4);
    /* chunk 2 is read but the process stops before its close */
    poll_ok(&e);
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 16);
    assert_int_equal(sl_incsnap_state_json(e.inc, &buf), SL_OK);
    assert_string_equal(sl_buf_cstr(&buf), "{\"version\":1,\"tables\":[\"db.gone\"],"
                                           "\"current\":\"db.t\",\"last_pk\":[\"34\"],"
                                           "\"max_pk\":[\"3130\"],\"chunk\":1,\"rows\":4}");
    sl_incsnap_free(e.inc);
    struct sl_incsnap_opts opts = {.signal_table = "db.signal", .chunk_rows = 4,
                                   .backend = &fake_backend, .backend_opaque = &e.f};
    char errstr[200];
    e.inc = sl_incsnap_new(&opts, errstr, sizeof(errstr));
    assert_int_equal(sl_incsnap_resume(e.inc, sl_buf_cstr(&buf), errstr, sizeof(errstr)),
                     SL_OK);
    /* the old chunk's close (an earlier process) emits nothing */
    assert_int_equal(feed(&e, &close, true, NULL), 0);
    poll_ok(&e);
    assert_string_equal(e.f.last_seen, "4");
    open = wm(&e, 2);
    close = wm(&e, 1);
    feed(&e, &open, true, NULL);
    assert_int_equal(feed(&e, &close, true, NULL), 4);
    poll_ok(&e);
    assert_string_equal(e.f.last_seen, "8");
    open = wm(&e, 2);
    close = wm(&e, 1);
    feed(&e, &open, true, NULL);
    assert_int_equal(feed(&e, &close, true, NULL), 2);
    poll_ok(&e); /* db.gone: skipped */
    assert_false(sl_incsnap_active(e.inc));
    struct sl_incsnap_stats st;
    sl_incsnap_stats(e.inc, &st);
    assert_int_equal(st.rows, 10);
    sl_buf_fini(&buf);
    env_fini(&e);
}

static void test_signals(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 4);
    static const char *const bad[] = {
        "", "{", "{\"data-collections\":[\"db.t\"", "{\"data-collections\":\"db.t\"}",
        "{\"data-collections\":[\"nodot\"]}",
        "{\"data-collections\":[\"db.t\"],\"type\":\"blocking\"}",
        "{\"data-collections\":[]}", "[1,2]",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
        "{\"data-collections\":[\"db.t\\u00\"]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sl_change chg = sigchg(&e, "x", "execute-snapshot", bad[i]);
        feed(&e, &chg, true, NULL);
        assert_false(sl_incsnap_active(e.inc));
        assert_true(strstr(sl_incsnap_note(e.inc), "signal 'x' ignored") != NULL);
    }
    /* NULL data, other signal types, updates of the signal table: ignored */
    struct sl_change chg = sigchg(&e, "y", "execute-snapshot", NULL);
    feed(&e, &chg, true, NULL);
    chg = sigchg(&e, "z", "log", "{\"message\":\"hi\"}");
    feed(&e, &chg, true, NULL);
    assert_false(sl_incsnap_active(e.inc));
    /* extra keys and escapes are fine */
    chg = sigchg(&e, "ok", "execute-snapshot",
                 "{\"additional-condition\":\"x=\\\"1\\\"\",\"n\":[1,true,null,{\"k\":-2.5e3}],"
                 "\"data-collections\":[\"db.t\",\"db.t\",\"db.gone\"]}");
    feed(&e, &chg, true, NULL);
    assert_true(sl_incsnap_active(e.inc));
    /* a missing table is skipped with a note, db.t proceeds */
    chg = sigchg(&e, "s", "stop-snapshot", "{\"data-collections\":[\"db.t\"]}");
    feed(&e, &chg, true, NULL);
    poll_ok(&e);
    assert_true(strstr(sl_incsnap_note(e.inc), "db.gone skipped") != NULL);
    assert_false(sl_incsnap_active(e.inc));
    assert_int_equal(e.f.chunks, 0);
    /* stop-snapshot while a chunk waits: its close emits nothing */
    start(&e);
    poll_ok(&e);
    struct sl_change open = wm(&e, 2), close = wm(&e, 1);
    feed(&e, &open, true, NULL);
    chg = sigchg(&e, "s2", "stop-snapshot", "{\"type\":\"incremental\"}");
    feed(&e, &chg, true, NULL);
    assert_false(sl_incsnap_active(e.inc));
    assert_int_equal(feed(&e, &close, true, NULL), 0);
    env_fini(&e);
}

static void test_bad_opts_and_state(void **state)
{
    (void)state;
    char errstr[200];
    struct sl_incsnap_opts opts = {.signal_table = "nodot", .backend = &fake_backend};
    assert_null(sl_incsnap_new(&opts, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "signal.data.collection"));
    opts.signal_table = "a.b.c";
    assert_null(sl_incsnap_new(&opts, errstr, sizeof(errstr)));
    opts.signal_table = "db.signal";
    struct sl_incsnap *inc = sl_incsnap_new(&opts, errstr, sizeof(errstr));
    assert_non_null(inc);
    static const char *const bad[] = {
        "{", "{\"tables\":[1]}", "{\"current\":\"db.t\",\"last_pk\":[\"zz\"]}",
        "{\"last_pk\":[\"31\"]}", "{\"current\":\"db.t\",\"max_pk\":[\"1\"]}",
        "{\"chunk\":-1}", "{\"current\":\"db.t\",\"last_pk\":[\"3\"]}",
        "nonsense",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sl_incsnap_resume(inc, bad[i], errstr, sizeof(errstr)),
                         SL_ERR_INVALID);
        assert_non_null(strstr(errstr, "incremental snapshot state"));
        assert_false(sl_incsnap_active(inc));
    }
    assert_non_null(strstr(errstr, "offset"));
    assert_int_equal(sl_incsnap_resume(inc, NULL, errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(sl_incsnap_resume(inc, "{\"version\":1,\"tables\":[],\"current\":null,"
                                            "\"chunk\":0,\"rows\":0}",
                                       errstr, sizeof(errstr)),
                     SL_OK);
    assert_false(sl_incsnap_active(inc));
    sl_incsnap_free(inc);
}

static void test_json_reader(void **state)
{
    (void)state;
    struct sl_buf buf;
    sl_buf_init(&buf, 64);
    struct sl_jp p = {.s = " \"a\\u00e9\\u20ac\\n\\\"\" ", .n = 0};
    p.n = strlen(p.s);
    assert_true(sl_jp_str(&p, &buf));
    assert_int_equal(buf.len, 8);
    assert_memory_equal(buf.data, "a\xc3\xa9\xe2\x82\xac\n\"", 8);
    /* bounded: a string longer than the buffer's maximum fails */
    char big[200];
    memset(big, 'x', sizeof(big));
    big[0] = '"';
    big[198] = '"';
    struct sl_jp q = {.s = big, .n = 199};
    assert_false(sl_jp_str(&q, &buf));
    assert_non_null(strstr(q.err, "too long"));
    /* a length-bounded input is never read past n */
    struct sl_jp r = {.s = "\"abc\"", .n = 3};
    assert_false(sl_jp_str(&r, &buf));
    assert_non_null(strstr(r.err, "offset 3"));
    sl_buf_fini(&buf);
}

/* Every prefix and every single-byte change of a signal and of a state document: no crash
 * (this test runs under ASan), and nothing queued from a broken signal. */
static void test_mutations(void **state)
{
    (void)state;
    static const char sig[] =
        "{\"data-collections\": [\"db.t\", \"db.u\"], \"type\": \"incremental\", "
        "\"additional-condition\": \"a = \\\"b\\\"\", \"x\": [1, -2.5e3, true, null]}";
    static const char st[] = "{\"version\":1,\"tables\":[\"db.u\"],\"current\":\"db.t\","
                             "\"last_pk\":[\"34\"],\"max_pk\":[\"3130\"],\"chunk\":1,"
                             "\"rows\":4}";
    struct env e;
    env_init(&e, 4);
    char tmp[sizeof(sig)];
    for (size_t cut = 0; cut < sizeof(sig) - 1; cut++) {
        char *data = sl_arena_strndup(&e.a, sig, cut);
        struct sl_change chg = sigchg(&e, "m", "execute-snapshot", data);
        chg.after[2].v.s.len = cut; /* not NUL-terminated views are fine too */
        feed(&e, &chg, true, NULL);
    }
    for (size_t i = 0; i < sizeof(sig) - 1; i++) {
        memcpy(tmp, sig, sizeof(sig));
        tmp[i] = (char)(tmp[i] ^ 0x5a);
        struct sl_change chg = sigchg(&e, "m", "stop-snapshot", sl_arena_strndup(&e.a, tmp,
                                                                                strlen(tmp)));
        feed(&e, &chg, true, NULL);
    }
    char errstr[200];
    char tmp2[sizeof(st)];
    for (size_t cut = 0; cut < sizeof(st) - 1; cut++) {
        memcpy(tmp2, st, cut);
        tmp2[cut] = '\0';
        sl_incsnap_resume(e.inc, tmp2, errstr, sizeof(errstr));
    }
    for (size_t i = 0; i < sizeof(st) - 1; i++) {
        memcpy(tmp2, st, sizeof(st));
        tmp2[i] = (char)(tmp2[i] ^ 0x21);
        sl_incsnap_resume(e.inc, tmp2, errstr, sizeof(errstr));
    }
    assert_int_equal(sl_incsnap_resume(e.inc, st, errstr, sizeof(errstr)), SL_OK);
    assert_true(sl_incsnap_active(e.inc));
    env_fini(&e);
}

static void test_opts_from_conf(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    memset(&conf, 0, sizeof(conf));
    conf.hostname = "db.example";
    conf.port = 3307;
    conf.user = "u";
    conf.connect_timeout_ms = 1500;
    conf.signal_data_collection = "inv.signals";
    struct sl_incsnap_opts opts;
    sl_incsnap_opts_from_conf(&opts, &conf);
    assert_string_equal(opts.db.host, "db.example");
    assert_int_equal(opts.db.port, 3307);
    assert_int_equal(opts.db.connect_timeout_s, 2);
    assert_string_equal(opts.signal_table, "inv.signals");
    assert_null(opts.backend);
    char errstr[200];
    struct sl_incsnap *inc = sl_incsnap_new(&opts, errstr, sizeof(errstr));
    assert_non_null(inc); /* no network until the first poll */
    sl_incsnap_free(inc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_exact_end),
        cmocka_unit_test(test_max_bound),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_signals),
        cmocka_unit_test(test_bad_opts_and_state),
        cmocka_unit_test(test_json_reader),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_opts_from_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
