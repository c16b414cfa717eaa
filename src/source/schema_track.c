/* SPDX-License-Identifier: Apache-2.0 */
/* Schema tracker (see schema_track.h): per table a cache entry holding the server's schema
 * (reloaded through the loader callback after a DDL or on a mismatch) and the merged table of
 * the last TABLE_MAP; merged tables are versions that are retired, not freed, when replaced,
 * so row changes queued downstream keep valid table pointers. The matching rules between a
 * TABLE_MAP column and a schema column live in col_matches(). */
#include "source/schema_track.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

#define NAME_BUCKETS 1024
#define ID_BUCKETS 256

/* One merged table, with the arena its strings and arrays live in. */
struct version {
    struct version *next; /* retired list */
    struct sl_arena arena;
    struct sl_table t;
    bool from_meta;       /* built from TABLE_MAP metadata alone */
};

struct entry {
    struct entry *next; /* name hash chain */
    struct sl_str db;   /* owned, NUL-terminated */
    struct sl_str name;
    bool have_def;
    bool def_stale;     /* a DDL named this table: reload before use */
    struct sl_arena def_arena;
    struct sl_table_def def;
    struct version *cur; /* merged table of the last TABLE_MAP */
    bool cur_stale;
    struct idmap *id;    /* this table's entry in the id map, or NULL */
};

/* table id -> merged table. Each table holds at most one id (its latest TABLE_MAP's), so
 * the map stays as small as the set of tables even though ids keep growing on a busy
 * server. */
struct idmap {
    struct idmap *next;
    uint64_t id;
    struct version *v;
    struct entry *e;
};

struct sl_schema_track {
    sl_schema_load_fn load;
    void *opaque;
    struct entry *names[NAME_BUCKETS];
    struct idmap *ids[ID_BUCKETS];
    struct version *retired;
};

static uint32_t hash_name(struct sl_str db, struct sl_str name)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < db.len; i++)
        h = (h ^ (uint8_t)db.ptr[i]) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
    for (size_t i = 0; i < name.len; i++)
        h = (h ^ (uint8_t)name.ptr[i]) * 16777619u;
    return h;
}

static struct sl_str own_str(struct sl_str s)
{
    char *p = sl_xmalloc(s.len + 1);
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return (struct sl_str){p, s.len};
}

static struct entry *find_entry(struct sl_schema_track *trk, struct sl_str db,
                                struct sl_str name, bool create)
{
    uint32_t b = hash_name(db, name) % NAME_BUCKETS;
    for (struct entry *e = trk->names[b]; e; e = e->next)
        if (sl_str_eq(e->db, db) && sl_str_eq(e->name, name))
            return e;
    if (!create)
        return NULL;
    struct entry *e = sl_xcalloc(1, sizeof(*e));
    e->db = own_str(db);
    e->name = own_str(name);
    sl_arena_init(&e->def_arena, 4096);
    e->next = trk->names[b];
    trk->names[b] = e;
    return e;
}

static void version_free(struct version *v)
{
    if (!v)
        return;
    sl_arena_fini(&v->arena);
    sl_free(v);
}

static void retire(struct sl_schema_track *trk, struct version *v)
{
    if (!v)
        return;
    v->next = trk->retired;
    trk->retired = v;
}

static void unmap(struct sl_schema_track *trk, struct idmap *m)
{
    struct idmap **pp = &trk->ids[m->id % ID_BUCKETS];
    while (*pp != m)
        pp = &(*pp)->next;
    *pp = m->next;
    m->e->id = NULL;
    sl_free(m);
}

static void map_id(struct sl_schema_track *trk, struct entry *e, uint64_t id,
                   struct version *v)
{
    if (e->id && e->id->id != id)
        unmap(trk, e->id);
    uint32_t b = (uint32_t)(id % ID_BUCKETS);
    for (struct idmap *m = trk->ids[b]; m; m = m->next) {
        if (m->id == id) {
            if (m->e != e) { /* the id now names another table */
                m->e->id = NULL;
                m->e = e;
                e->id = m;
            }
            m->v = v;
            return;
        }
    }
    struct idmap *m = sl_xmalloc(sizeof(*m));
    m->id = id;
    m->v = v;
    m->e = e;
    m->next = trk->ids[b];
    trk->ids[b] = m;
    e->id = m;
}

static void clear_ids(struct sl_schema_track *trk)
{
    for (size_t b = 0; b < ID_BUCKETS; b++) {
        struct idmap *m = trk->ids[b];
        while (m) {
            struct idmap *n = m->next;
            m->e->id = NULL;
            sl_free(m);
            m = n;
        }
        trk->ids[b] = NULL;
    }
}

struct sl_schema_track *sl_schema_track_new(sl_schema_load_fn load, void *opaque)
{
    struct sl_schema_track *trk = sl_xcalloc(1, sizeof(*trk));
    trk->load = load;
    trk->opaque = opaque;
    return trk;
}

void sl_schema_track_drop_retired(struct sl_schema_track *trk)
{
    while (trk->retired) {
        struct version *n = trk->retired->next;
        version_free(trk->retired);
        trk->retired = n;
    }
}

void sl_schema_track_free(struct sl_schema_track *trk)
{
    if (!trk)
        return;
    clear_ids(trk);
    sl_schema_track_drop_retired(trk);
    for (size_t b = 0; b < NAME_BUCKETS; b++) {
        struct entry *e = trk->names[b];
        while (e) {
            struct entry *n = e->next;
            version_free(e->cur);
            sl_arena_fini(&e->def_arena);
            sl_free((void *)e->db.ptr);
            sl_free((void *)e->name.ptr);
            sl_free(e);
            e = n;
        }
    }
    sl_free(trk);
}

/* ---- Type names for messages ---- */

static const char *type_word(uint8_t type)
{
    switch (type) {
    case SL_MYSQL_TYPE_DECIMAL: return "OLDDECIMAL";
    case SL_MYSQL_TYPE_TINY: return "TINYINT";
    case SL_MYSQL_TYPE_SHORT: return "SMALLINT";
    case SL_MYSQL_TYPE_LONG: return "INT";
    case SL_MYSQL_TYPE_FLOAT: return "FLOAT";
    case SL_MYSQL_TYPE_DOUBLE: return "DOUBLE";
    case SL_MYSQL_TYPE_NULL: return "NULL";
    case SL_MYSQL_TYPE_TIMESTAMP: return "TIMESTAMP(old)";
    case SL_MYSQL_TYPE_LONGLONG: return "BIGINT";
    case SL_MYSQL_TYPE_INT24: return "MEDIUMINT";
    case SL_MYSQL_TYPE_DATE: return "DATE";
    case SL_MYSQL_TYPE_TIME: return "TIME(old)";
    case SL_MYSQL_TYPE_DATETIME: return "DATETIME(old)";
    case SL_MYSQL_TYPE_YEAR: return "YEAR";
    case SL_MYSQL_TYPE_NEWDATE: return "NEWDATE";
    case SL_MYSQL_TYPE_VARCHAR: return "VARCHAR";
    case SL_MYSQL_TYPE_BIT: return "BIT";
    case SL_MYSQL_TYPE_TIMESTAMP2: return "TIMESTAMP";
    case SL_MYSQL_TYPE_DATETIME2: return "DATETIME";
    case SL_MYSQL_TYPE_TIME2: return "TIME";
    case SL_MYSQL_TYPE_VECTOR: return "VECTOR";
    case SL_MYSQL_TYPE_JSON: return "JSON";
    case SL_MYSQL_TYPE_NEWDECIMAL: return "DECIMAL";
    case SL_MYSQL_TYPE_ENUM: return "ENUM";
    case SL_MYSQL_TYPE_SET: return "SET";
    case SL_MYSQL_TYPE_TINY_BLOB: return "TINYBLOB";
    case SL_MYSQL_TYPE_MEDIUM_BLOB: return "MEDIUMBLOB";
    case SL_MYSQL_TYPE_LONG_BLOB: return "LONGBLOB";
    case SL_MYSQL_TYPE_BLOB: return "BLOB";
    case SL_MYSQL_TYPE_VAR_STRING: return "VAR_STRING";
    case SL_MYSQL_TYPE_STRING: return "CHAR";
    case SL_MYSQL_TYPE_GEOMETRY: return "GEOMETRY";
    default: return "?";
    }
}

static sl_err_t col_str(const struct sl_column *col, struct sl_buf *buf)
{
    sl_err_t err = SL_OK;
    if (col->name.len)
        err = sl_buf_addf(buf, "%.*s ", SL_STR_FMT(col->name));
    if (!err)
        err = sl_buf_addstr(buf, type_word(col->type));
    if (err)
        return err;
    switch (col->type) {
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_VAR_STRING:
    case SL_MYSQL_TYPE_STRING:
    case SL_MYSQL_TYPE_BIT:
        return sl_buf_addf(buf, "(%u)", (unsigned)col->length);
    case SL_MYSQL_TYPE_NEWDECIMAL:
        return sl_buf_addf(buf, "(%u,%u)", (unsigned)(col->meta >> 8),
                           (unsigned)(col->meta & 0xff));
    case SL_MYSQL_TYPE_TIME2:
    case SL_MYSQL_TYPE_DATETIME2:
    case SL_MYSQL_TYPE_TIMESTAMP2:
        return col->meta ? sl_buf_addf(buf, "(%u)", (unsigned)col->meta) : SL_OK;
    default:
        return SL_OK;
    }
}

sl_err_t sl_schema_track_columns_str(const struct sl_table *t, struct sl_buf *buf)
{
    sl_err_t err = sl_buf_addch(buf, '(');
    for (uint32_t i = 0; !err && i < t->ncols; i++) {
        if (i)
            err = sl_buf_addstr(buf, ", ");
        if (!err)
            err = col_str(&t->cols[i], buf);
    }
    return err ? err : sl_buf_addch(buf, ')');
}

/* ---- Matching a TABLE_MAP against a server schema ---- */

/* The binlog writes some types under a code other than information_schema's mapping:
 * pre-5.6 temporal types, VAR_STRING for VARCHAR, the BLOB family's packed length. */
static uint8_t type_class(uint8_t type)
{
    switch (type) {
    case SL_MYSQL_TYPE_TIMESTAMP2: return SL_MYSQL_TYPE_TIMESTAMP;
    case SL_MYSQL_TYPE_DATETIME2: return SL_MYSQL_TYPE_DATETIME;
    case SL_MYSQL_TYPE_TIME2: return SL_MYSQL_TYPE_TIME;
    case SL_MYSQL_TYPE_VAR_STRING: return SL_MYSQL_TYPE_VARCHAR;
    case SL_MYSQL_TYPE_DECIMAL: return SL_MYSQL_TYPE_NEWDECIMAL;
    case SL_MYSQL_TYPE_NEWDATE: return SL_MYSQL_TYPE_DATE;
    case SL_MYSQL_TYPE_TINY_BLOB:
    case SL_MYSQL_TYPE_MEDIUM_BLOB:
    case SL_MYSQL_TYPE_LONG_BLOB: return SL_MYSQL_TYPE_BLOB;
    default: return type;
    }
}

static bool col_matches(const struct sl_column *tm, const struct sl_column *sc)
{
    if (type_class(tm->type) != type_class(sc->type))
        return false;
    if (tm->binlog_type != sc->binlog_type)
        return true; /* older encoding of the same class: metadata not comparable */
    switch (tm->type) {
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_STRING:
    case SL_MYSQL_TYPE_NEWDECIMAL:
    case SL_MYSQL_TYPE_TIME2:
    case SL_MYSQL_TYPE_DATETIME2:
    case SL_MYSQL_TYPE_TIMESTAMP2:
    case SL_MYSQL_TYPE_ENUM:
    case SL_MYSQL_TYPE_SET:
    case SL_MYSQL_TYPE_BIT:
    case SL_MYSQL_TYPE_BLOB:
        return tm->meta == sc->meta;
    default:
        return true;
    }
}

static bool table_matches(const struct sl_table *tm, const struct sl_table *sc)
{
    if (tm->ncols != sc->ncols)
        return false;
    for (uint32_t i = 0; i < tm->ncols; i++)
        if (!col_matches(&tm->cols[i], &sc->cols[i]))
            return false;
    return true;
}

/* The TABLE_MAP is the one the current merged table was built from. */
static bool same_tm(const struct sl_table *tm, const struct version *v)
{
    const struct sl_table *t = &v->t;
    if (tm->ncols != t->ncols || tm->has_names != v->from_meta)
        return false;
    for (uint32_t i = 0; i < tm->ncols; i++) {
        const struct sl_column *a = &tm->cols[i], *b = &t->cols[i];
        if (a->type != b->type || a->binlog_type != b->binlog_type || a->meta != b->meta ||
            a->nullable != b->nullable)
            return false;
        if (tm->has_names && (!sl_str_eq(a->name, b->name) || a->is_pk != b->is_pk))
            return false;
    }
    return true;
}

/* ---- Building merged tables ---- */

static struct sl_str dup_str(struct sl_arena *arena, struct sl_str s)
{
    return s.len ? sl_arena_str(arena, s) : (struct sl_str){"", 0};
}

static void copy_labels(struct sl_arena *arena, struct sl_column *dst,
                        const struct sl_column *src)
{
    dst->n_labels = src->n_labels;
    dst->labels = sl_arena_calloc(arena, src->n_labels ? src->n_labels : 1,
                                  sizeof(*dst->labels));
    for (uint32_t k = 0; k < src->n_labels; k++)
        dst->labels[k] = dup_str(arena, src->labels[k]);
}

static struct version *build(const struct sl_table *tm, const struct sl_table *sc)
{
    struct version *v = sl_xcalloc(1, sizeof(*v));
    sl_arena_init(&v->arena, 4096);
    struct sl_table *t = &v->t;
    struct sl_arena *a = &v->arena;
    t->table_id = tm->table_id;
    t->db = dup_str(a, tm->db);
    t->name = dup_str(a, tm->name);
    t->ncols = tm->ncols;
    t->cols = sl_arena_calloc(a, tm->ncols ? tm->ncols : 1, sizeof(*t->cols));
    t->pk = sl_arena_calloc(a, tm->ncols ? tm->ncols : 1, sizeof(*t->pk));
    v->from_meta = sc == NULL;
    for (uint32_t i = 0; i < tm->ncols; i++) {
        struct sl_column *c = &t->cols[i];
        *c = tm->cols[i];
        c->name = dup_str(a, c->name);
        copy_labels(a, c, &tm->cols[i]);
        if (!sc)
            continue;
        const struct sl_column *s = &sc->cols[i];
        c->name = dup_str(a, s->name);
        if (c->n_labels == 0 && s->n_labels)
            copy_labels(a, c, s);
        if (c->charset == 0)
            c->charset = s->charset;
        c->is_unsigned = c->is_unsigned || s->is_unsigned;
        c->is_pk = s->is_pk;
        if (c->geometry_type == 0)
            c->geometry_type = s->geometry_type;
    }
    const struct sl_table *pk_src = sc ? sc : tm;
    for (uint32_t k = 0; k < pk_src->npk && k < t->ncols; k++)
        if (pk_src->pk[k] < t->ncols)
            t->pk[t->npk++] = pk_src->pk[k];
    t->has_names = t->ncols > 0;
    for (uint32_t i = 0; i < t->ncols; i++)
        if (t->cols[i].name.len == 0)
            t->has_names = false;
    return v;
}

/* ---- Loading ---- */

static sl_err_t load_def(struct sl_schema_track *trk, struct entry *e, char *errstr,
                         size_t errstr_size)
{
    struct sl_arena arena;
    struct sl_table_def def;
    char why[512] = "";
    sl_arena_init(&arena, 4096);
    memset(&def, 0, sizeof(def));
    sl_err_t err = trk->load(e->db, e->name, &arena, &def, why, sizeof(why), trk->opaque);
    if (!err && !def.table.has_names && def.table.ncols > 0) {
        snprintf(why, sizeof(why), "the loader returned columns without names");
        err = SL_ERR_INVALID;
    }
    if (err) {
        sl_arena_fini(&arena);
        if (err == SL_ERR_NOTFOUND) {
            e->have_def = false;
            return err;
        }
        snprintf(errstr, errstr_size, "table `%.*s`.`%.*s`: loading its schema failed: %s",
                 SL_STR_FMT(e->db), SL_STR_FMT(e->name), why[0] ? why : sl_err_str(err));
        return err;
    }
    sl_arena_fini(&e->def_arena);
    e->def_arena = arena;
    e->def = def;
    e->have_def = true;
    e->def_stale = false;
    return SL_OK;
}

static sl_err_t mismatch(const struct entry *e, const struct sl_table *tm, const char *file,
                         uint64_t pos, char *errstr, size_t errstr_size)
{
    struct sl_buf a, b;
    sl_buf_init(&a, 4096);
    sl_buf_init(&b, 4096);
    sl_schema_track_columns_str(tm, &a);
    if (e->have_def)
        sl_schema_track_columns_str(&e->def.table, &b);
    if (e->have_def)
        snprintf(errstr, errstr_size,
                 "table `%.*s`.`%.*s` at %s:%llu: the binlog TABLE_MAP has %u columns %s but "
                 "the server's current schema has %u columns %s; the table changed after this "
                 "event was written and its column names cannot be known (restart from a "
                 "position after the DDL, or take a new snapshot)",
                 SL_STR_FMT(e->db), SL_STR_FMT(e->name), file ? file : "?",
                 (unsigned long long)pos, (unsigned)tm->ncols, sl_buf_cstr(&a),
                 (unsigned)e->def.table.ncols, sl_buf_cstr(&b));
    else
        snprintf(errstr, errstr_size,
                 "table `%.*s`.`%.*s` at %s:%llu: the binlog TABLE_MAP has %u columns %s but "
                 "the table does not exist on the server any more; its column names cannot be "
                 "known (restart from a position after the DDL, or take a new snapshot)",
                 SL_STR_FMT(e->db), SL_STR_FMT(e->name), file ? file : "?",
                 (unsigned long long)pos, (unsigned)tm->ncols, sl_buf_cstr(&a));
    sl_buf_fini(&a);
    sl_buf_fini(&b);
    return SL_ERR_INVALID;
}

sl_err_t sl_schema_track_table_map(struct sl_schema_track *trk, const struct sl_table *tm,
                                   const char *file, uint64_t pos,
                                   const struct sl_table **out, char *errstr,
                                   size_t errstr_size)
{
    struct entry *e = find_entry(trk, tm->db, tm->name, true);
    if (e->cur && !e->cur_stale && same_tm(tm, e->cur)) {
        e->cur->t.table_id = tm->table_id;
        map_id(trk, e, tm->table_id, e->cur);
        *out = &e->cur->t;
        return SL_OK;
    }
    /* Until this TABLE_MAP resolves, its id must not reach an older table version: a caller
     * that carried on after an error would otherwise name rows with stale columns. */
    for (struct idmap *m = trk->ids[tm->table_id % ID_BUCKETS]; m; m = m->next) {
        if (m->id == tm->table_id) {
            unmap(trk, m);
            break;
        }
    }
    struct version *v;
    if (tm->has_names) {
        v = build(tm, NULL);
    } else {
        bool fresh = false;
        if (!e->have_def || e->def_stale) {
            sl_err_t err = load_def(trk, e, errstr, errstr_size);
            if (err && err != SL_ERR_NOTFOUND)
                return err;
            fresh = true;
        }
        if (!e->have_def || !table_matches(tm, &e->def.table)) {
            if (!fresh) {
                sl_err_t err = load_def(trk, e, errstr, errstr_size);
                if (err && err != SL_ERR_NOTFOUND)
                    return err;
            }
            if (!e->have_def || !table_matches(tm, &e->def.table))
                return mismatch(e, tm, file, pos, errstr, errstr_size);
        }
        v = build(tm, &e->def.table);
    }
    retire(trk, e->cur);
    e->cur = v;
    e->cur_stale = false;
    map_id(trk, e, tm->table_id, v);
    *out = &v->t;
    return SL_OK;
}

const struct sl_table *sl_schema_track_by_id(const struct sl_schema_track *trk,
                                             uint64_t table_id)
{
    for (const struct idmap *m = trk->ids[table_id % ID_BUCKETS]; m; m = m->next)
        if (m->id == table_id)
            return &m->v->t;
    return NULL;
}

void sl_schema_track_invalidate(struct sl_schema_track *trk, struct sl_str db,
                                struct sl_str name)
{
    if (name.len) {
        struct entry *e = find_entry(trk, db, name, false);
        if (e)
            e->def_stale = e->cur_stale = true;
        return;
    }
    for (size_t b = 0; b < NAME_BUCKETS; b++)
        for (struct entry *e = trk->names[b]; e; e = e->next)
            if (sl_str_eq(e->db, db))
                e->def_stale = e->cur_stale = true;
}

sl_err_t sl_schema_track_describe(struct sl_schema_track *trk, struct sl_str db,
                                  struct sl_str name, const struct sl_table_def **out,
                                  char *errstr, size_t errstr_size)
{
    struct entry *e = find_entry(trk, db, name, true);
    if (!e->have_def || e->def_stale) {
        sl_err_t err = load_def(trk, e, errstr, errstr_size);
        if (err == SL_ERR_NOTFOUND)
            snprintf(errstr, errstr_size, "table `%.*s`.`%.*s` does not exist on the server",
                     SL_STR_FMT(db), SL_STR_FMT(name));
        if (err)
            return err;
    }
    *out = &e->def;
    return SL_OK;
}

sl_err_t sl_schema_track_ddl_changes(struct sl_schema_track *trk, const struct sl_ddl *ddl,
                                     struct sl_arena *arena, struct sl_table_change **changes,
                                     uint32_t *n, char *errstr, size_t errstr_size)
{
    *n = 0;
    *changes = sl_arena_calloc(arena, ddl->ntables ? ddl->ntables : 1, sizeof(**changes));
    sl_table_change_t type;
    switch (ddl->kind) {
    case SL_DDL_CREATE_TABLE: type = SL_TABLE_CHANGE_CREATE; break;
    case SL_DDL_ALTER_TABLE:
    case SL_DDL_RENAME_TABLE: type = SL_TABLE_CHANGE_ALTER; break;
    case SL_DDL_DROP_TABLE: type = SL_TABLE_CHANGE_DROP; break;
    default: return SL_OK;
    }
    if (ddl->temporary)
        return SL_OK;
    for (uint32_t i = 0; i < ddl->ntables; i++) {
        const struct sl_ddl_table *t = &ddl->tables[i];
        struct sl_table_change *c = &(*changes)[(*n)++];
        c->type = type;
        if (t->new_name.len) {
            c->db = t->new_db;
            c->name = t->new_name;
            c->prev_db = t->db;
            c->prev_name = t->name;
        } else {
            c->db = t->db;
            c->name = t->name;
        }
        if (type == SL_TABLE_CHANGE_DROP)
            continue;
        const struct sl_table_def *def;
        sl_err_t err = sl_schema_track_describe(trk, c->db, c->name, &def, errstr, errstr_size);
        if (err == SL_ERR_NOTFOUND)
            continue;
        if (err)
            return err;
        c->def = def;
    }
    return SL_OK;
}

static void apply_ddl(struct sl_schema_track *trk, const struct sl_ddl *ddl)
{
    if (!sl_ddl_changes_tables(ddl->kind))
        return;
    if (ddl->incomplete) {
        /* A name could not be read: forget everything rather than guess. */
        for (size_t b = 0; b < NAME_BUCKETS; b++)
            for (struct entry *e = trk->names[b]; e; e = e->next)
                e->def_stale = e->cur_stale = true;
        return;
    }
    if (ddl->kind == SL_DDL_DROP_DATABASE || ddl->kind == SL_DDL_CREATE_DATABASE)
        sl_schema_track_invalidate(trk, ddl->database, SL_STR_NULL);
    for (uint32_t i = 0; i < ddl->ntables; i++) {
        const struct sl_ddl_table *t = &ddl->tables[i];
        sl_schema_track_invalidate(trk, t->db, t->name);
        if (t->new_name.len)
            sl_schema_track_invalidate(trk, t->new_db, t->new_name);
    }
}

static unsigned int_width(uint8_t type)
{
    switch (type) {
    case SL_MYSQL_TYPE_TINY: return 1;
    case SL_MYSQL_TYPE_SHORT: return 2;
    case SL_MYSQL_TYPE_INT24: return 3;
    case SL_MYSQL_TYPE_LONG: return 4;
    case SL_MYSQL_TYPE_LONGLONG: return 8;
    default: return 0;
    }
}

static void fix_value(struct sl_value *val, unsigned width)
{
    if (val->kind != SL_VAL_INT)
        return;
    uint64_t u = (uint64_t)val->v.i;
    if (width < 8)
        u &= ((uint64_t)1 << (8 * width)) - 1;
    val->kind = SL_VAL_UINT;
    val->v.u = u;
}

/* A TABLE_MAP without SIGNEDNESS metadata made the decoder read UNSIGNED integer columns as
 * signed; the schema knows better, and the stored bits say the rest. */
static void fix_signedness(const struct sl_table *raw, const struct sl_table *t,
                           struct sl_change *chg, uint32_t n)
{
    if (raw->ncols != t->ncols)
        return;
    for (uint32_t c = 0; c < t->ncols; c++) {
        unsigned width = int_width(t->cols[c].type);
        if (!width || !t->cols[c].is_unsigned || raw->cols[c].is_unsigned)
            continue;
        for (uint32_t i = 0; i < n; i++) {
            if (chg[i].before)
                fix_value(&chg[i].before[c], width);
            if (chg[i].after)
                fix_value(&chg[i].after[c], width);
        }
    }
}

sl_err_t sl_schema_track_event(struct sl_schema_track *trk, const char *file,
                               struct sl_event *ev, struct sl_ddl *ddl, struct sl_arena *arena,
                               char *errstr, size_t errstr_size)
{
    if (ddl && ev->kind != SL_EV_QUERY)
        memset(ddl, 0, sizeof(*ddl));
    switch (ev->kind) {
    case SL_EV_TABLE_MAP: {
        const struct sl_table *t;
        sl_err_t err = sl_schema_track_table_map(trk, ev->u.table_map.table, file, ev->pos, &t,
                                                 errstr, errstr_size);
        if (err)
            return err;
        ev->u.table_map.table = t;
        return SL_OK;
    }
    case SL_EV_ROWS: {
        if (!ev->u.rows.table) {
            snprintf(errstr, errstr_size, "%s:%llu: rows event without a table",
                     file ? file : "?", (unsigned long long)ev->pos);
            return SL_ERR_PROTO;
        }
        uint64_t id = ev->u.rows.table->table_id;
        const struct sl_table *t = sl_schema_track_by_id(trk, id);
        if (!t) {
            snprintf(errstr, errstr_size,
                     "%s:%llu: rows event for table id %llu (`%.*s`.`%.*s`) without a "
                     "preceding TABLE_MAP seen by the schema tracker",
                     file ? file : "?", (unsigned long long)ev->pos, (unsigned long long)id,
                     SL_STR_FMT(ev->u.rows.table->db), SL_STR_FMT(ev->u.rows.table->name));
            return SL_ERR_PROTO;
        }
        fix_signedness(ev->u.rows.table, t, ev->u.rows.changes, ev->u.rows.nchanges);
        ev->u.rows.table = t;
        for (uint32_t i = 0; i < ev->u.rows.nchanges; i++)
            ev->u.rows.changes[i].table = t;
        return SL_OK;
    }
    case SL_EV_QUERY: {
        struct sl_ddl local;
        struct sl_ddl *d = ddl ? ddl : &local;
        sl_ddl_classify(ev->u.query.sql.ptr, ev->u.query.sql.len, ev->u.query.db, arena, d);
        apply_ddl(trk, d);
        return SL_OK;
    }
    case SL_EV_ROTATE:
        clear_ids(trk);
        return SL_OK;
    default:
        return SL_OK;
    }
}
