/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental snapshot (DBLog watermarks, see incsnap.h): signal parsing with a small bounded
 * JSON reader, the chunk buffer keyed by primary key (an open-addressing hash of a canonical
 * byte encoding of the key values), the window rules applied to each streamed change, the
 * state document. The SQL side is a backend (incsnap_sql.c for libmariadb, a fake in the unit
 * tests); values read by it go through schema.h, so they agree with the decoder. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/time.h"
#include "source/incsnap.h"
#include "source/incsnap_int.h"
#include "source/schema.h"

#define SQL_MAX ((size_t)16 << 20)
#define KEY_MAX ((size_t)64 << 10)
#define QUEUE_MAX 4096

/* The text of each key column of one key, in key order (owned). */
struct keytext {
    char **v;
    size_t *len;
    uint32_t n;
};

struct sl_incsnap {
    struct sl_incsnap_opts opts;
    char sig_db[200], sig_name[200];
    const struct sl_incsnap_backend *be;
    void *be_opaque;
    struct sl_incsnap_sql *sql; /* the default backend's state, owned */
    char **queue;               /* "db.table", owned */
    size_t nqueue;
    char *cur;              /* table being read ("db.table", owned), NULL when none */
    struct sl_table *cur_t; /* its schema (in arena schema), NULL until loaded */
    struct sl_arena schema; /* every table loaded, kept until free (emitted rows use them) */
    struct keytext last;    /* key of the last completed chunk's last row */
    struct keytext max;     /* largest key when the table's snapshot started (its end) */
    /* The chunk awaiting its close watermark. */
    bool waiting, window, table_end;
    char open_id[64], close_id[64];
    struct sl_arena chunk;
    size_t nrows;
    struct sl_value **rows;
    bool *alive;
    const char **keys;
    size_t *key_len;
    uint32_t *hash; /* row index + 1, 0 = empty */
    size_t hcap;
    const char **end_key; /* text of the chunk's last row key */
    size_t *end_key_len;
    uint64_t nonce, seq;
    struct sl_incsnap_stats st;
    char note[400];
};

/* ---- Lifecycle ---- */

void sl_incsnap_opts_from_conf(struct sl_incsnap_opts *opts,
                               const struct sl_mysql_source_conf *conf)
{
    memset(opts, 0, sizeof(*opts));
    opts->db.host = conf->hostname;
    opts->db.port = conf->port;
    opts->db.user = conf->user;
    opts->db.password = conf->password;
    opts->db.ssl_mode = (sl_ssl_mode_t)conf->ssl_mode; /* same order */
    opts->db.connect_timeout_s =
        conf->connect_timeout_ms > 0 ? (unsigned)((conf->connect_timeout_ms + 999) / 1000) : 0;
    opts->signal_table = conf->signal_data_collection;
    opts->chunk_rows = conf->incremental_snapshot_chunk_size;
}

struct sl_incsnap *sl_incsnap_new(const struct sl_incsnap_opts *opts, char *errstr,
                                  size_t errstr_size)
{
    const char *sig = opts->signal_table;
    const char *dot = sig ? strchr(sig, '.') : NULL;
    if (!dot || dot == sig || !dot[1] || strchr(dot + 1, '.') || (size_t)(dot - sig) >= 200 ||
        strlen(dot + 1) >= 200) {
        snprintf(errstr, errstr_size, "signal.data.collection: \"%s\" is not <db>.<table>",
                 sig ? sig : "");
        return NULL;
    }
    struct sl_incsnap *inc = sl_xcalloc(1, sizeof(*inc));
    inc->opts = *opts;
    if (!inc->opts.chunk_rows)
        inc->opts.chunk_rows = 1024;
    snprintf(inc->sig_db, sizeof(inc->sig_db), "%.*s", (int)(dot - sig), sig);
    snprintf(inc->sig_name, sizeof(inc->sig_name), "%s", dot + 1);
    inc->be = opts->backend;
    inc->be_opaque = opts->backend_opaque;
    if (!inc->be) {
        inc->sql = sl_incsnap_sql_new(&opts->db);
        inc->be = sl_incsnap_sql_backend();
        inc->be_opaque = inc->sql;
    }
    sl_arena_init(&inc->schema, 0);
    sl_arena_init(&inc->chunk, 0);
    inc->nonce = ((uint64_t)sl_time_now_ms() << 20) ^ (uint64_t)sl_time_mono_us() ^
                 ((uint64_t)getpid() << 44);
    return inc;
}

static void keytext_free(struct keytext *kt)
{
    for (uint32_t i = 0; i < kt->n; i++)
        sl_free(kt->v[i]);
    sl_free(kt->v);
    sl_free(kt->len);
    memset(kt, 0, sizeof(*kt));
}

static void keytext_set(struct keytext *kt, const char *const *v, const size_t *len, uint32_t n)
{
    keytext_free(kt);
    kt->n = n;
    kt->v = sl_xcalloc(n, sizeof(*kt->v));
    kt->len = sl_xcalloc(n, sizeof(*kt->len));
    for (uint32_t j = 0; j < n; j++) {
        kt->v[j] = sl_xstrndup(v[j] ? v[j] : "", v[j] ? len[j] : 0);
        kt->len[j] = v[j] ? len[j] : 0;
    }
}

static void drop_chunk(struct sl_incsnap *inc)
{
    inc->waiting = inc->window = inc->table_end = false;
    inc->nrows = 0;
    inc->hcap = 0;
    inc->end_key = NULL;
    sl_arena_reset(&inc->chunk);
}

static void clear_queue(struct sl_incsnap *inc)
{
    for (size_t i = 0; i < inc->nqueue; i++)
        sl_free(inc->queue[i]);
    inc->nqueue = 0;
}

static void end_table(struct sl_incsnap *inc)
{
    sl_free(inc->cur);
    inc->cur = NULL;
    inc->cur_t = NULL;
    keytext_free(&inc->last);
    keytext_free(&inc->max);
    drop_chunk(inc);
}

void sl_incsnap_free(struct sl_incsnap *inc)
{
    if (!inc)
        return;
    end_table(inc);
    clear_queue(inc);
    sl_free(inc->queue);
    sl_incsnap_sql_free(inc->sql);
    sl_arena_fini(&inc->schema);
    sl_arena_fini(&inc->chunk);
    sl_free(inc);
}

bool sl_incsnap_active(const struct sl_incsnap *inc)
{
    return inc->cur || inc->nqueue;
}

void sl_incsnap_stats(const struct sl_incsnap *inc, struct sl_incsnap_stats *st)
{
    *st = inc->st;
    st->tables_queued = (uint32_t)inc->nqueue + (inc->cur ? 1u : 0u);
}

const char *sl_incsnap_note(const struct sl_incsnap *inc)
{
    return inc->note;
}

static void free_strs(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sl_free(items[i]);
    sl_free(items);
}

/* ---- Keys and the chunk buffer ---- */

static bool has_str(uint8_t kind)
{
    switch (kind) {
    case SL_VAL_DECIMAL:
    case SL_VAL_STRING:
    case SL_VAL_BYTES:
    case SL_VAL_BIT:
    case SL_VAL_JSON:
    case SL_VAL_JSON_DIFF:
    case SL_VAL_GEOMETRY:
    case SL_VAL_VECTOR:
        return true;
    default:
        return false;
    }
}

/* Canonical bytes of the key values of a row image (column positions of t's key). */
static sl_err_t enc_key(const struct sl_table *t, const struct sl_value *vals, struct sl_buf *out)
{
    sl_buf_reset(out);
    sl_err_t err = SL_OK;
    for (uint32_t k = 0; k < t->npk && !err; k++) {
        const struct sl_value *v = &vals[t->pk[k]];
        uint8_t kind = v->kind;
        uint64_t u = v->v.u;
        if (kind == SL_VAL_INT && v->v.i >= 0)
            kind = SL_VAL_UINT;
        err = sl_buf_addch(out, (char)kind);
        switch (kind) {
        case SL_VAL_INT:
        case SL_VAL_UINT:
        case SL_VAL_ENUM:
        case SL_VAL_SET:
            err = err ? err : sl_buf_add(out, &u, sizeof(u));
            break;
        case SL_VAL_FLOAT:
            err = err ? err : sl_buf_add(out, &v->v.f, sizeof(v->v.f));
            break;
        case SL_VAL_DOUBLE:
            err = err ? err : sl_buf_add(out, &v->v.d, sizeof(v->v.d));
            break;
        case SL_VAL_DATE:
        case SL_VAL_TIME:
        case SL_VAL_DATETIME:
            err = err ? err
                      : sl_buf_addf(out, "%d-%u-%u %u:%u:%u.%u%c", (int)v->v.tm.year, v->v.tm.month,
                                    v->v.tm.day, v->v.tm.hour, v->v.tm.minute, v->v.tm.second,
                                    v->v.tm.usec, v->v.tm.neg ? '-' : '+');
            break;
        case SL_VAL_TIMESTAMP:
            err = err ? err : sl_buf_addf(out, "%lld.%u", (long long)v->v.ts.sec, v->v.ts.usec);
            break;
        default:
            if (has_str(kind)) {
                uint32_t len = (uint32_t)v->v.s.len;
                err = err ? err : sl_buf_add(out, &len, sizeof(len));
                err = err ? err : sl_buf_add(out, v->v.s.ptr, v->v.s.len);
            }
            break;
        }
    }
    return err;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Row index + 1 of the buffered row with this key, or 0. */
static uint32_t lookup(const struct sl_incsnap *inc, const char *key, size_t len)
{
    if (!inc->hcap)
        return 0;
    for (size_t h = fnv(key, len) & (inc->hcap - 1);; h = (h + 1) & (inc->hcap - 1)) {
        uint32_t ix = inc->hash[h];
        if (!ix)
            return 0;
        if (inc->key_len[ix - 1] == len && memcmp(inc->keys[ix - 1], key, len) == 0)
            return ix;
    }
}

static void insert_key(struct sl_incsnap *inc, uint32_t row)
{
    size_t h = fnv(inc->keys[row], inc->key_len[row]) & (inc->hcap - 1);
    while (inc->hash[h])
        h = (h + 1) & (inc->hcap - 1);
    inc->hash[h] = row + 1;
}

/* ---- State document ---- */

static void add_hex(struct sl_buf *buf, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        sl_buf_addch(buf, hex[(unsigned char)s[i] >> 4]);
        sl_buf_addch(buf, hex[(unsigned char)s[i] & 15]);
    }
}

static void add_keytext(struct sl_buf *out, const char *name, const struct keytext *kt)
{
    if (!kt->n)
        return;
    sl_buf_addf(out, ",\"%s\":[", name);
    for (uint32_t k = 0; k < kt->n; k++) {
        sl_buf_addstr(out, k ? ",\"" : "\"");
        add_hex(out, kt->v[k], kt->len[k]);
        sl_buf_addch(out, '"');
    }
    sl_buf_addch(out, ']');
}

sl_err_t sl_incsnap_state_json(const struct sl_incsnap *inc, struct sl_buf *out)
{
    sl_buf_addstr(out, "{\"version\":1,\"tables\":[");
    for (size_t i = 0; i < inc->nqueue; i++) {
        if (i)
            sl_buf_addch(out, ',');
        sl_json_str(out, inc->queue[i], strlen(inc->queue[i]));
    }
    sl_buf_addstr(out, "],\"current\":");
    if (inc->cur)
        sl_json_str(out, inc->cur, strlen(inc->cur));
    else
        sl_buf_addstr(out, "null");
    add_keytext(out, "last_pk", &inc->last);
    add_keytext(out, "max_pk", &inc->max);
    return sl_buf_addf(out, ",\"chunk\":%llu,\"rows\":%llu}", (unsigned long long)inc->st.chunks,
                       (unsigned long long)inc->st.rows);
}

static bool queued(const struct sl_incsnap *inc, const char *name)
{
    if (inc->cur && strcmp(inc->cur, name) == 0)
        return true;
    for (size_t i = 0; i < inc->nqueue; i++)
        if (strcmp(inc->queue[i], name) == 0)
            return true;
    return false;
}

static void enqueue(struct sl_incsnap *inc, const char *name)
{
    if (queued(inc, name) || inc->nqueue >= QUEUE_MAX)
        return;
    inc->queue = sl_xrealloc(inc->queue, (inc->nqueue + 1) * sizeof(*inc->queue));
    inc->queue[inc->nqueue++] = sl_xstrdup(name);
}

static bool hex_ok(struct sl_jp *p, const char *name, char **hex, size_t n)
{
    char what[64];
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(hex[i]);
        bool ok = len % 2 == 0;
        for (size_t j = 0; ok && j < len; j++)
            ok = sl_str_hexval(hex[i][j]) >= 0;
        if (!ok) {
            snprintf(what, sizeof(what), "%s entry %zu is not hex", name, i);
            return sl_jp_fail(p, what);
        }
    }
    return true;
}

static void keytext_from_hex(struct keytext *kt, char **hex, size_t n)
{
    keytext_free(kt);
    if (!n)
        return;
    kt->n = (uint32_t)n;
    kt->v = sl_xcalloc(n, sizeof(*kt->v));
    kt->len = sl_xcalloc(n, sizeof(*kt->len));
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(hex[i]) / 2;
        kt->v[i] = sl_xmalloc(len + 1);
        for (size_t j = 0; j < len; j++)
            kt->v[i][j] =
                (char)(sl_str_hexval(hex[i][2 * j]) << 4 | sl_str_hexval(hex[i][2 * j + 1]));
        kt->v[i][len] = '\0';
        kt->len[i] = len;
    }
}

sl_err_t sl_incsnap_resume(struct sl_incsnap *inc, const char *state_json, char *errstr,
                           size_t errstr_size)
{
    end_table(inc);
    clear_queue(inc);
    if (!state_json || !state_json[0])
        return SL_OK;
    struct sl_jp p = {.s = state_json, .n = strlen(state_json)};
    struct sl_buf key, tmp;
    sl_buf_init(&key, 4096);
    sl_buf_init(&tmp, 1 << 20);
    char **tabs = NULL, **hex = NULL, **mhex = NULL, *cur = NULL;
    size_t ntabs = 0, nhex = 0, nmhex = 0;
    uint64_t chunks = 0, rows = 0;
    bool ok = sl_jp_lit(&p, '{') || sl_jp_fail(&p, "expected an object");
    if (ok && !sl_jp_lit(&p, '}')) {
        do {
            ok = sl_jp_str(&p, &key) && (sl_jp_lit(&p, ':') || sl_jp_fail(&p, "expected :"));
            const char *k = sl_buf_cstr(&key);
            if (!ok)
                break;
            if (strcmp(k, "tables") == 0) {
                ok = sl_jp_strarr(&p, &tabs, &ntabs, QUEUE_MAX, &tmp);
            } else if (strcmp(k, "current") == 0) {
                sl_jp_ws(&p);
                if (p.i < p.n && p.s[p.i] == 'n') {
                    ok = sl_jp_skip(&p, 0);
                } else {
                    ok = sl_jp_str(&p, &tmp);
                    sl_free(cur);
                    cur = ok ? sl_xstrndup(sl_buf_cstr(&tmp), tmp.len) : NULL;
                }
            } else if (strcmp(k, "last_pk") == 0) {
                ok = sl_jp_strarr(&p, &hex, &nhex, 4096, &tmp);
            } else if (strcmp(k, "max_pk") == 0) {
                ok = sl_jp_strarr(&p, &mhex, &nmhex, 4096, &tmp);
            } else if (strcmp(k, "chunk") == 0) {
                ok = sl_jp_u64(&p, &chunks);
            } else if (strcmp(k, "rows") == 0) {
                ok = sl_jp_u64(&p, &rows);
            } else {
                ok = sl_jp_skip(&p, 0);
            }
        } while (ok && sl_jp_lit(&p, ','));
        ok = ok && (sl_jp_lit(&p, '}') || sl_jp_fail(&p, "expected , or }"));
    }
    ok = ok && hex_ok(&p, "last_pk", hex, nhex) && hex_ok(&p, "max_pk", mhex, nmhex);
    if (ok && (nhex || nmhex) && !cur)
        ok = sl_jp_fail(&p, "a key without current");
    if (!ok) {
        snprintf(errstr, errstr_size, "incremental snapshot state: %s", p.err);
    } else {
        for (size_t i = 0; i < ntabs; i++)
            enqueue(inc, tabs[i]);
        inc->cur = cur;
        cur = NULL;
        keytext_from_hex(&inc->last, hex, nhex);
        keytext_from_hex(&inc->max, mhex, nmhex);
        inc->st.chunks = chunks;
        inc->st.rows = rows;
    }
    free_strs(tabs, ntabs);
    free_strs(hex, nhex);
    free_strs(mhex, nmhex);
    sl_free(cur);
    sl_buf_fini(&key);
    sl_buf_fini(&tmp);
    return ok ? SL_OK : SL_ERR_INVALID;
}

/* ---- Signals ---- */

static void note(struct sl_incsnap *inc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct sl_incsnap *inc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inc->note, sizeof(inc->note), fmt, ap);
    va_end(ap);
}

/* Text of column i of a signal row image ("" when NULL or not text). */
static struct sl_str col_text(const struct sl_change *chg, uint32_t i)
{
    if (!chg->after || i >= chg->table->ncols)
        return SL_STR("");
    const struct sl_value *v = &chg->after[i];
    if (v->kind == SL_VAL_STRING || v->kind == SL_VAL_BYTES)
        return v->v.s;
    return SL_STR("");
}

static void stop_table(struct sl_incsnap *inc, const char *name)
{
    if (inc->cur && strcmp(inc->cur, name) == 0)
        end_table(inc);
    for (size_t i = 0; i < inc->nqueue; i++) {
        if (strcmp(inc->queue[i], name) != 0)
            continue;
        sl_free(inc->queue[i]);
        memmove(&inc->queue[i], &inc->queue[i + 1], (inc->nqueue - i - 1) * sizeof(char *));
        inc->nqueue--;
        i--;
    }
}

/* execute-snapshot / stop-snapshot data document. */
static void on_signal(struct sl_incsnap *inc, bool stop, struct sl_str data, struct sl_str id)
{
    char idc[100];
    snprintf(idc, sizeof(idc), "%.*s", (int)(id.len < 90 ? id.len : 90), id.ptr);
    struct sl_jp p = {.s = data.ptr ? data.ptr : "", .n = data.len};
    struct sl_buf key, tmp;
    sl_buf_init(&key, 4096);
    sl_buf_init(&tmp, 1 << 16);
    char **cols = NULL;
    size_t ncols = 0;
    bool has_cols = false, incremental = true;
    bool ok = sl_jp_lit(&p, '{') || sl_jp_fail(&p, "expected an object");
    if (ok && !sl_jp_lit(&p, '}')) {
        do {
            ok = sl_jp_str(&p, &key) && (sl_jp_lit(&p, ':') || sl_jp_fail(&p, "expected :"));
            if (!ok)
                break;
            if (strcmp(sl_buf_cstr(&key), "data-collections") == 0) {
                has_cols = true;
                ok = sl_jp_strarr(&p, &cols, &ncols, QUEUE_MAX, &tmp);
            } else if (strcmp(sl_buf_cstr(&key), "type") == 0) {
                ok = sl_jp_str(&p, &tmp);
                incremental = ok && strcasecmp(sl_buf_cstr(&tmp), "incremental") == 0;
            } else {
                ok = sl_jp_skip(&p, 0);
            }
        } while (ok && sl_jp_lit(&p, ','));
        ok = ok && (sl_jp_lit(&p, '}') || sl_jp_fail(&p, "expected , or }"));
    }
    for (size_t i = 0; ok && i < ncols; i++) {
        const char *dot = strchr(cols[i], '.');
        if (!dot || dot == cols[i] || !dot[1])
            ok = sl_jp_fail(&p, "a data-collections entry is not <db>.<table>");
    }
    if (!ok) {
        note(inc, "signal '%s' ignored: data %s", idc, p.err);
    } else if (!incremental) {
        note(inc, "signal '%s' ignored: only \"type\":\"incremental\" is supported", idc);
    } else if (stop) {
        if (!has_cols) {
            end_table(inc);
            clear_queue(inc);
        }
        for (size_t i = 0; i < ncols; i++)
            stop_table(inc, cols[i]);
    } else if (!has_cols || !ncols) {
        note(inc, "signal '%s' ignored: no data-collections", idc);
    } else {
        for (size_t i = 0; i < ncols; i++)
            enqueue(inc, cols[i]);
    }
    free_strs(cols, ncols);
    sl_buf_fini(&key);
    sl_buf_fini(&tmp);
}

/* ---- Streaming side ---- */

static bool same_table(const struct sl_table *t, const char *db, const char *name)
{
    return sl_str_eq_c(t->db, db) && sl_str_eq_c(t->name, name);
}

static bool is_cur(const struct sl_incsnap *inc, const struct sl_table *t)
{
    if (!inc->cur_t)
        return false;
    return sl_str_eq(t->db, inc->cur_t->db) && sl_str_eq(t->name, inc->cur_t->name);
}

/* Drops the buffered row with the key of image vals, if any. */
static sl_err_t supersede(struct sl_incsnap *inc, const struct sl_value *vals)
{
    if (!vals)
        return SL_OK;
    struct sl_buf kb;
    sl_buf_init(&kb, KEY_MAX);
    sl_err_t err = enc_key(inc->cur_t, vals, &kb);
    uint32_t ix = err ? 0 : lookup(inc, kb.data, kb.len);
    if (ix && inc->alive[ix - 1]) {
        inc->alive[ix - 1] = false;
        inc->st.dropped++;
    }
    sl_buf_fini(&kb);
    return SL_OK;
}

static void copy_row(struct sl_arena *arena, const struct sl_table *t, const struct sl_value *src,
                     struct sl_value *dst)
{
    for (uint32_t i = 0; i < t->ncols; i++) {
        dst[i] = src[i];
        if (has_str(src[i].kind))
            dst[i].v.s = sl_arena_str(arena, src[i].v.s);
    }
}

/* The close watermark: the remaining rows, then the chunk is complete. */
static void close_window(struct sl_incsnap *inc, const struct sl_change *chg,
                         struct sl_arena *arena, struct sl_change **emit, size_t *n_emit)
{
    size_t n = 0;
    for (size_t i = 0; i < inc->nrows; i++)
        n += inc->alive[i];
    struct sl_change *out = n ? sl_arena_calloc(arena, n, sizeof(*out)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < inc->nrows; i++) {
        if (!inc->alive[i])
            continue;
        struct sl_change *c = &out[k++];
        c->op = SL_OP_READ;
        c->table = inc->cur_t;
        c->after = sl_arena_alloc(arena, inc->cur_t->ncols * sizeof(*c->after));
        copy_row(arena, inc->cur_t, inc->rows[i], c->after);
        c->pos = chg->pos;
        c->pos.gtid = sl_arena_str(arena, chg->pos.gtid);
    }
    *emit = out;
    *n_emit = n;
    inc->st.rows += n;
    inc->st.chunks++;
    if (inc->table_end || !inc->nrows) {
        end_table(inc);
        return;
    }
    keytext_set(&inc->last, inc->end_key, inc->end_key_len, inc->cur_t->npk);
    drop_chunk(inc);
}

sl_err_t sl_incsnap_on_change(struct sl_incsnap *inc, const struct sl_change *chg,
                              struct sl_arena *arena, struct sl_change **emit, size_t *n_emit,
                              bool *is_signal, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    *emit = NULL;
    *n_emit = 0;
    *is_signal = same_table(chg->table, inc->sig_db, inc->sig_name);
    if (*is_signal) {
        inc->st.signals++;
        if (chg->op != SL_OP_INSERT || chg->table->ncols < 2)
            return SL_OK;
        struct sl_str id = col_text(chg, 0);
        struct sl_str type = col_text(chg, 1);
        if (sl_str_eq_c(type, "snapshot-window-open")) {
            if (inc->waiting && sl_str_eq_c(id, inc->open_id))
                inc->window = true;
        } else if (sl_str_eq_c(type, "snapshot-window-close")) {
            if (inc->waiting && sl_str_eq_c(id, inc->close_id))
                close_window(inc, chg, arena, emit, n_emit);
        } else if (sl_str_eq_c(type, "execute-snapshot")) {
            on_signal(inc, false, col_text(chg, 2), id);
        } else if (sl_str_eq_c(type, "stop-snapshot")) {
            on_signal(inc, true, col_text(chg, 2), id);
        }
        return SL_OK;
    }
    if (!inc->window || !is_cur(inc, chg->table))
        return SL_OK;
    if (chg->table->ncols != inc->cur_t->ncols) {
        note(inc, "change of %s with a different column count during a chunk", inc->cur);
        return SL_OK;
    }
    supersede(inc, chg->before);
    supersede(inc, chg->after);
    return SL_OK;
}

/* ---- Chunks ---- */

static sl_err_t load_chunk(struct sl_incsnap *inc, const char **vals, const size_t *lens, size_t n,
                           char *errstr, size_t errstr_size)
{
    const struct sl_table *t = inc->cur_t;
    inc->nrows = n;
    inc->rows = sl_arena_calloc(&inc->chunk, n ? n : 1, sizeof(*inc->rows));
    inc->alive = sl_arena_calloc(&inc->chunk, n ? n : 1, sizeof(*inc->alive));
    inc->keys = sl_arena_calloc(&inc->chunk, n ? n : 1, sizeof(*inc->keys));
    inc->key_len = sl_arena_calloc(&inc->chunk, n ? n : 1, sizeof(*inc->key_len));
    inc->hcap = 16;
    while (inc->hcap < 2 * n)
        inc->hcap <<= 1;
    inc->hash = sl_arena_calloc(&inc->chunk, inc->hcap, sizeof(*inc->hash));
    struct sl_buf kb;
    sl_buf_init(&kb, KEY_MAX);
    sl_err_t err = SL_OK;
    for (size_t r = 0; r < n && !err; r++) {
        struct sl_value *row = sl_arena_calloc(&inc->chunk, t->ncols, sizeof(*row));
        for (uint32_t i = 0; i < t->ncols && !err; i++) {
            char why[300];
            const char *v = vals[r * t->ncols + i];
            err = sl_schema_value(&t->cols[i], v, v ? lens[r * t->ncols + i] : 0, &inc->chunk,
                                  &row[i], why, sizeof(why));
            if (err)
                snprintf(errstr, errstr_size, "incremental snapshot of %s: %s", inc->cur, why);
        }
        if (!err)
            err = enc_key(t, row, &kb);
        if (err)
            break;
        inc->rows[r] = row;
        inc->alive[r] = true;
        inc->keys[r] = sl_arena_strndup(&inc->chunk, kb.data, kb.len);
        inc->key_len[r] = kb.len;
        if (lookup(inc, kb.data, kb.len) == 0)
            insert_key(inc, (uint32_t)r);
    }
    sl_buf_fini(&kb);
    if (!err && n) {
        inc->end_key = sl_arena_calloc(&inc->chunk, t->npk, sizeof(*inc->end_key));
        inc->end_key_len = sl_arena_calloc(&inc->chunk, t->npk, sizeof(*inc->end_key_len));
        for (uint32_t k = 0; k < t->npk; k++) {
            const char *v = vals[(n - 1) * t->ncols + t->pk[k]];
            inc->end_key[k] = v ? v : "";
            inc->end_key_len[k] = v ? lens[(n - 1) * t->ncols + t->pk[k]] : 0;
        }
    }
    return err;
}

/* Loads the schema of the current table. SL_ERR_NOTFOUND (with a note) when it cannot be
 * snapshotted: missing, or no primary key. */
static sl_err_t load_table(struct sl_incsnap *inc, char *errstr, size_t errstr_size)
{
    char db[200], name[200];
    const char *dot = strchr(inc->cur, '.');
    snprintf(db, sizeof(db), "%.*s", (int)(dot - inc->cur), inc->cur);
    snprintf(name, sizeof(name), "%s", dot + 1);
    struct sl_table *t = sl_arena_calloc(&inc->schema, 1, sizeof(*t));
    sl_err_t err = inc->be->table(inc->be_opaque, db, name, &inc->schema, t, errstr, errstr_size);
    if (err == SL_ERR_NOTFOUND || (!err && t->npk == 0)) {
        note(inc, "incremental snapshot of %s skipped: %s", inc->cur,
             err ? "no such table" : "no primary key");
        return SL_ERR_NOTFOUND;
    }
    if (err)
        return err;
    if ((inc->last.n && inc->last.n != t->npk) || (inc->max.n && inc->max.n != t->npk)) {
        note(inc, "incremental snapshot of %s restarts: the key changed", inc->cur);
        keytext_free(&inc->last);
        keytext_free(&inc->max);
    }
    inc->cur_t = t;
    return SL_OK;
}

/* Makes the head of the queue current, loads its schema and its largest key; *have false
 * when nothing is left. */
static sl_err_t next_table(struct sl_incsnap *inc, bool *have, char *errstr, size_t errstr_size)
{
    for (;;) {
        *have = false;
        if (!inc->cur) {
            if (!inc->nqueue)
                return SL_OK;
            inc->cur = inc->queue[0];
            memmove(&inc->queue[0], &inc->queue[1], (inc->nqueue - 1) * sizeof(char *));
            inc->nqueue--;
        }
        if (!inc->cur_t) {
            sl_err_t err = load_table(inc, errstr, errstr_size);
            if (err == SL_ERR_NOTFOUND) {
                end_table(inc);
                continue;
            }
            if (err)
                return err;
        }
        if (!inc->max.n) {
            const char **vals = NULL;
            size_t *lens = NULL;
            bool found = false;
            sl_err_t err = inc->be->max_key(inc->be_opaque, inc->cur_t, &inc->chunk, &vals, &lens,
                                            &found, errstr, errstr_size);
            if (err)
                return err;
            if (!found) { /* empty table: done */
                end_table(inc);
                continue;
            }
            keytext_set(&inc->max, vals, lens, inc->cur_t->npk);
            sl_arena_reset(&inc->chunk);
        }
        *have = true;
        return SL_OK;
    }
}

/* Whether the chunk just read ends at the table's largest key. */
static bool at_max(const struct sl_incsnap *inc)
{
    if (!inc->nrows || !inc->end_key || inc->max.n != inc->cur_t->npk)
        return false;
    for (uint32_t k = 0; k < inc->max.n; k++)
        if (inc->end_key_len[k] != inc->max.len[k] ||
            memcmp(inc->end_key[k], inc->max.v[k], inc->max.len[k]) != 0)
            return false;
    return true;
}

sl_err_t sl_incsnap_poll(struct sl_incsnap *inc, char *errstr, size_t errstr_size)
{
    while (!inc->waiting) {
        bool have;
        sl_err_t err = next_table(inc, &have, errstr, errstr_size);
        if (err || !have)
            return err;
        drop_chunk(inc);
        inc->seq++;
        char id[48];
        snprintf(id, sizeof(id), "sl-%016llx-%llu", (unsigned long long)inc->nonce,
                 (unsigned long long)inc->seq);
        snprintf(inc->open_id, sizeof(inc->open_id), "%s-open", id);
        snprintf(inc->close_id, sizeof(inc->close_id), "%s-close", id);
        err = inc->be->signal(inc->be_opaque, inc->sig_db, inc->sig_name, inc->open_id,
                              "snapshot-window-open", errstr, errstr_size);
        const char **vals = NULL;
        size_t *lens = NULL, n = 0;
        if (!err)
            err = inc->be->chunk(
                inc->be_opaque, inc->cur_t, inc->last.n ? (const char *const *)inc->last.v : NULL,
                inc->last.len, (const char *const *)inc->max.v, inc->max.len, inc->opts.chunk_rows,
                &inc->chunk, &vals, &lens, &n, errstr, errstr_size);
        if (!err)
            err = load_chunk(inc, vals, lens, n, errstr, errstr_size);
        if (!err && n == 0) {
            end_table(inc); /* the open row stays orphaned: ignored */
            continue;
        }
        inc->table_end = n < inc->opts.chunk_rows || at_max(inc);
        if (!err)
            err = inc->be->signal(inc->be_opaque, inc->sig_db, inc->sig_name, inc->close_id,
                                  "snapshot-window-close", errstr, errstr_size);
        if (err) {
            drop_chunk(inc);
            return err;
        }
        inc->waiting = true;
    }
    return SL_OK;
}
