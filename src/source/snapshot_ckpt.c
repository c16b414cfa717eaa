/* SPDX-License-Identifier: Apache-2.0 */
/* The snapshot's progress document, which is also its resume checkpoint: written after each
 * chunk, parsed back at restart by a small strict JSON reader (the source stage has no JSON
 * library, and the document is ours). Unknown keys are ignored so that later versions may
 * add fields. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "source/snapshot_int.h"

/* ---- Table state ---- */

void sl_snap_table_fini(struct sl_snap_table *st)
{
    for (uint32_t k = 0; k < st->nlast; k++)
        sl_free(st->last_pk[k]);
    sl_free(st->last_pk);
    sl_free(st->last_pk_len);
    sl_free(st->db);
    sl_free(st->name);
    sl_free(st->override);
}

static void set_key(struct sl_snap_table *st, uint32_t k, const char *v, size_t n)
{
    if (!st->last_pk) {
        st->nlast = st->t.npk;
        st->last_pk = sl_xcalloc(st->nlast ? st->nlast : 1, sizeof(char *));
        st->last_pk_len = sl_xcalloc(st->nlast ? st->nlast : 1, sizeof(size_t));
    }
    sl_free(st->last_pk[k]);
    st->last_pk[k] = sl_xmalloc(n + 1);
    if (n)
        memcpy(st->last_pk[k], v, n);
    st->last_pk[k][n] = '\0';
    st->last_pk_len[k] = n;
}

void sl_snap_table_set_last_key(struct sl_snap_table *st, const char *const *keys,
                                const size_t *lens)
{
    for (uint32_t k = 0; k < st->t.npk && k < SL_SNAP_KEY_MAX; k++)
        set_key(st, k, keys[k], lens[k]);
    st->has_last = true;
}

/* ---- Writing ---- */

static const char *const state_names[] = {"pending", "running", "done"};

static void add_hex(struct sl_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        sl_buf_addch(out, hex[(unsigned char)s[i] >> 4]);
        sl_buf_addch(out, hex[(unsigned char)s[i] & 15]);
    }
}

sl_err_t sl_snap_ckpt_write(struct sl_buf *out, const char *file, uint64_t pos, const char *gtids,
                            const char *method, uint64_t rows, double rows_per_sec,
                            const struct sl_snap_table *tabs, size_t ntabs)
{
    size_t start = out->len;
    sl_buf_addstr(out, "{\"version\":1,\"file\":");
    sl_json_str(out, file, strlen(file));
    sl_buf_addf(out, ",\"pos\":%llu,\"gtids\":", (unsigned long long)pos);
    sl_json_str(out, gtids, strlen(gtids));
    sl_buf_addstr(out, ",\"method\":");
    sl_json_str(out, method, strlen(method));
    sl_buf_addf(out, ",\"rows\":%llu,\"rows_per_sec\":%.1f,\"tables\":[", (unsigned long long)rows,
                rows_per_sec);
    for (size_t i = 0; i < ntabs; i++) {
        const struct sl_snap_table *st = &tabs[i];
        sl_buf_addstr(out, i ? ",{\"db\":" : "{\"db\":");
        sl_json_str(out, st->db, strlen(st->db));
        sl_buf_addstr(out, ",\"table\":");
        sl_json_str(out, st->name, strlen(st->name));
        sl_buf_addf(out, ",\"state\":\"%s\",\"rows\":%llu,\"estimated\":%llu",
                    state_names[st->state], (unsigned long long)st->rows,
                    (unsigned long long)st->estimated);
        if (st->has_last && st->state == SL_SNAP_RUNNING) {
            sl_buf_addstr(out, ",\"last_pk\":[");
            for (uint32_t k = 0; k < st->nlast; k++) {
                sl_buf_addstr(out, k ? ",\"" : "\"");
                add_hex(out, st->last_pk[k], st->last_pk_len[k]);
                sl_buf_addch(out, '"');
            }
            sl_buf_addch(out, ']');
        }
        sl_buf_addch(out, '}');
    }
    sl_err_t err = sl_buf_addstr(out, "]}");
    if (err) /* the buffer's bound was hit somewhere: leave it as it was */
        sl_buf_truncate(out, start);
    return err;
}

/* ---- Reading ---- */

struct rd {
    const char *p, *start;
    char *errstr;
    size_t errstr_size;
    bool failed;
};

static bool fail(struct rd *r, const char *what)
{
    if (!r->failed)
        snprintf(r->errstr, r->errstr_size, "snapshot checkpoint: %s at offset %zu", what,
                 (size_t)(r->p - r->start));
    r->failed = true;
    return false;
}

static void ws(struct rd *r)
{
    while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r')
        r->p++;
}

static bool eat(struct rd *r, char c)
{
    ws(r);
    if (*r->p != c)
        return false;
    r->p++;
    return true;
}

/* A JSON string into out (NUL-terminated, owned). \u escapes encode as UTF-8. */
static bool str(struct rd *r, char **out, size_t *len)
{
    if (!eat(r, '"'))
        return fail(r, "expected a string");
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    while (*r->p && *r->p != '"') {
        char c = *r->p++;
        if (c != '\\') {
            sl_buf_addch(&buf, c);
            continue;
        }
        c = *r->p++;
        const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", c);
        if (c && map && ((map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2 == 0)) {
            sl_buf_addch(&buf, map[1]);
        } else if (c == 'u') {
            unsigned v = 0;
            for (int i = 0; i < 4; i++) {
                int h = sl_str_hexval(r->p[i]);
                if (h < 0) {
                    sl_buf_fini(&buf);
                    return fail(r, "bad \\u escape");
                }
                v = v << 4 | (unsigned)h;
            }
            r->p += 4;
            if (v < 0x80) {
                sl_buf_addch(&buf, (char)v);
            } else if (v < 0x800) {
                sl_buf_addch(&buf, (char)(0xc0 | v >> 6));
                sl_buf_addch(&buf, (char)(0x80 | (v & 0x3f)));
            } else {
                sl_buf_addch(&buf, (char)(0xe0 | v >> 12));
                sl_buf_addch(&buf, (char)(0x80 | ((v >> 6) & 0x3f)));
                sl_buf_addch(&buf, (char)(0x80 | (v & 0x3f)));
            }
        } else {
            sl_buf_fini(&buf);
            return fail(r, "bad escape in string");
        }
    }
    if (*r->p != '"') {
        sl_buf_fini(&buf);
        return fail(r, "unterminated string");
    }
    r->p++;
    size_t n;
    char *s = sl_buf_take(&buf, &n);
    *out = s ? s : sl_xstrdup("");
    if (len)
        *len = s ? n : 0;
    return true;
}

static bool u64(struct rd *r, uint64_t *out)
{
    ws(r);
    uint64_t v = 0;
    const char *s = r->p;
    while (*r->p >= '0' && *r->p <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            return fail(r, "number too large");
        v = v * 10 + (uint64_t)(*r->p++ - '0');
    }
    if (r->p == s)
        return fail(r, "expected a number");
    *out = v;
    return true;
}

/* Skips any JSON value (unknown keys). */
static bool skip(struct rd *r, int depth)
{
    ws(r);
    if (depth > 32)
        return fail(r, "nesting too deep");
    if (*r->p == '"') {
        char *s;
        if (!str(r, &s, NULL))
            return false;
        sl_free(s);
        return true;
    }
    if (*r->p == '{' || *r->p == '[') {
        char close = *r->p == '{' ? '}' : ']';
        bool obj = close == '}';
        r->p++;
        if (eat(r, close))
            return true;
        do {
            if (obj) {
                char *k;
                if (!str(r, &k, NULL))
                    return false;
                sl_free(k);
                if (!eat(r, ':'))
                    return fail(r, "expected ':'");
            }
            if (!skip(r, depth + 1))
                return false;
        } while (eat(r, ','));
        return eat(r, close) ? true : fail(r, "expected ',' or end of container");
    }
    const char *s = r->p;
    while (*r->p && strchr("0123456789+-.eEtruefalsn", *r->p))
        r->p++;
    return r->p != s ? true : fail(r, "expected a value");
}

static bool table(struct rd *r, struct sl_snap_ckpt_table *t)
{
    if (!eat(r, '{'))
        return fail(r, "expected a table object");
    if (eat(r, '}'))
        return true;
    do {
        char *k;
        if (!str(r, &k, NULL))
            return false;
        bool ok = eat(r, ':') ? true : fail(r, "expected ':'");
        if (ok && strcmp(k, "db") == 0) {
            sl_free(t->db);
            ok = str(r, &t->db, NULL);
        } else if (ok && strcmp(k, "table") == 0) {
            sl_free(t->name);
            ok = str(r, &t->name, NULL);
        } else if (ok && strcmp(k, "rows") == 0) {
            ok = u64(r, &t->rows);
        } else if (ok && strcmp(k, "state") == 0) {
            char *s;
            ok = str(r, &s, NULL);
            if (ok) {
                t->state = -1;
                for (int i = 0; i < 3; i++)
                    if (strcmp(s, state_names[i]) == 0)
                        t->state = i;
                sl_free(s);
                if (t->state < 0)
                    ok = fail(r, "unknown table state");
            }
        } else if (ok && strcmp(k, "last_pk") == 0) {
            ok = eat(r, '[') ? true : fail(r, "expected '[' after last_pk");
            if (ok && !eat(r, ']')) {
                do {
                    char *h;
                    size_t hl;
                    ok = t->nlast < 64 ? str(r, &h, &hl) : fail(r, "too many key columns");
                    if (!ok)
                        break;
                    t->last = sl_xrealloc(t->last, (t->nlast + 1) * sizeof(char *));
                    t->last_len = sl_xrealloc(t->last_len, (t->nlast + 1) * sizeof(size_t));
                    char *bin = sl_xmalloc(hl / 2 + 1);
                    size_t n = 0;
                    for (size_t i = 0; ok && i + 1 < hl + 1 && i < hl; i += 2) {
                        int a = sl_str_hexval(h[i]), b = i + 1 < hl ? sl_str_hexval(h[i + 1]) : -1;
                        if (a < 0 || b < 0)
                            ok = fail(r, "last_pk value is not hex");
                        else
                            bin[n++] = (char)(a << 4 | b);
                    }
                    bin[n] = '\0';
                    sl_free(h);
                    t->last[t->nlast] = bin;
                    t->last_len[t->nlast++] = n;
                } while (ok && eat(r, ','));
                ok = ok && (eat(r, ']') ? true : fail(r, "expected ']' after last_pk"));
            }
        } else if (ok) {
            ok = skip(r, 1);
        }
        sl_free(k);
        if (!ok)
            return false;
    } while (eat(r, ','));
    if (!eat(r, '}'))
        return fail(r, "expected ',' or '}' in a table object");
    if (!t->db || !t->name)
        return fail(r, "table object without \"db\" or \"table\"");
    return true;
}

void sl_snap_ckpt_init(struct sl_snap_ckpt *ck)
{
    memset(ck, 0, sizeof(*ck));
}

void sl_snap_ckpt_fini(struct sl_snap_ckpt *ck)
{
    for (size_t i = 0; i < ck->ntabs; i++) {
        struct sl_snap_ckpt_table *t = &ck->tabs[i];
        sl_free(t->db);
        sl_free(t->name);
        for (uint32_t k = 0; k < t->nlast; k++)
            sl_free(t->last[k]);
        sl_free(t->last);
        sl_free(t->last_len);
    }
    sl_free(ck->tabs);
    sl_free(ck->file);
    sl_free(ck->gtids);
    memset(ck, 0, sizeof(*ck));
}

sl_err_t sl_snap_ckpt_parse(const char *json, struct sl_snap_ckpt *ck, char *errstr,
                            size_t errstr_size)
{
    struct rd r = {json, json, errstr, errstr_size, false};
    bool ok = eat(&r, '{') ? true : fail(&r, "expected '{'");
    if (ok && !eat(&r, '}')) {
        do {
            char *k;
            if (!str(&r, &k, NULL)) {
                ok = false;
                break;
            }
            ok = eat(&r, ':') ? true : fail(&r, "expected ':'");
            if (ok && strcmp(k, "file") == 0) {
                sl_free(ck->file);
                ok = str(&r, &ck->file, NULL);
            } else if (ok && strcmp(k, "gtids") == 0) {
                sl_free(ck->gtids);
                ok = str(&r, &ck->gtids, NULL);
            } else if (ok && strcmp(k, "pos") == 0) {
                ok = u64(&r, &ck->pos);
            } else if (ok && strcmp(k, "tables") == 0) {
                ok = eat(&r, '[') ? true : fail(&r, "expected '[' after tables");
                if (ok && !eat(&r, ']')) {
                    do {
                        ck->tabs = sl_xrealloc(ck->tabs, (ck->ntabs + 1) * sizeof(*ck->tabs));
                        memset(&ck->tabs[ck->ntabs], 0, sizeof(*ck->tabs));
                        ck->ntabs++;
                        ok = table(&r, &ck->tabs[ck->ntabs - 1]);
                    } while (ok && eat(&r, ','));
                    ok = ok && (eat(&r, ']') ? true : fail(&r, "expected ']' after tables"));
                }
            } else if (ok) {
                ok = skip(&r, 1);
            }
            sl_free(k);
        } while (ok && eat(&r, ','));
        ok = ok && (eat(&r, '}') ? true : fail(&r, "expected ',' or '}'"));
    }
    if (ok) {
        ws(&r);
        if (*r.p)
            ok = fail(&r, "trailing bytes after the document");
    }
    if (ok && (!ck->file || !ck->file[0]))
        ok = fail(&r, "no \"file\" (binlog position)");
    return ok ? SL_OK : SL_ERR_INVALID;
}

void sl_snap_ckpt_apply(const struct sl_snap_ckpt *ck, struct sl_snap_table *st,
                        uint64_t *rows_resumed)
{
    for (size_t i = 0; i < ck->ntabs; i++) {
        const struct sl_snap_ckpt_table *t = &ck->tabs[i];
        if (strcmp(t->db, st->db) != 0 || strcmp(t->name, st->name) != 0)
            continue;
        if (t->state == SL_SNAP_DONE) {
            st->state = SL_SNAP_DONE;
        } else if (t->state == SL_SNAP_RUNNING && st->t.npk && !st->override &&
                   t->nlast == st->t.npk) {
            st->state = SL_SNAP_RUNNING;
            sl_snap_table_set_last_key(st, (const char *const *)t->last, t->last_len);
        } else {
            return; /* starts over */
        }
        st->rows = t->rows;
        *rows_resumed += t->rows;
        return;
    }
}
