/* SPDX-License-Identifier: Apache-2.0 */
/* Named copies of binlog tables that lack column names. The decoder keeps every table
 * version alive until it is freed, so a table's address identifies its version and is a
 * safe cache key; a copy points at the original's db/name bytes and owns its column array
 * and the server's answer. Columns stay positional when the server's column count differs
 * from the TABLE_MAP's (the table changed since the event was written). */
#include <stdio.h>

#include "core/log.h"
#include "core/mem.h"
#include "runtime/names.h"

#define FAC "source"

struct named {
    const struct sl_table *orig;
    struct sl_table copy;
    bool ok; /* copy is usable; else orig is used */
    struct sl_server_column *sc;
    uint32_t nsc;
    struct sl_str *labels; /* all label views of the copy, one allocation */
    struct named *next;
};

struct sl_names {
    struct sl_mysql_conf db;
    struct sl_server *srv;
    bool srv_failed;
    struct named *list;
    const struct sl_table *last_orig; /* one-entry lookup cache */
    const struct sl_table *last_res;
};

struct sl_names *sl_names_new(const struct sl_mysql_conf *db)
{
    struct sl_names *nm = sl_xcalloc(1, sizeof(*nm));
    nm->db = *db;
    return nm;
}

void sl_names_free(struct sl_names *nm)
{
    if (!nm)
        return;
    for (struct named *n = nm->list, *next; n; n = next) {
        next = n->next;
        sl_free(n->copy.cols);
        sl_free(n->labels);
        sl_server_columns_free(n->sc, n->nsc);
        sl_free(n);
    }
    sl_server_free(nm->srv);
    sl_free(nm);
}

static void fill(struct sl_names *nm, struct named *n)
{
    const struct sl_table *t = n->orig;
    char errstr[512];
    if (!nm->srv && !nm->srv_failed &&
        sl_server_connect(&nm->db, &nm->srv, errstr, sizeof(errstr)) != SL_OK) {
        sl_log(SL_LOG_WARN, FAC, "column names unavailable (binlog_row_metadata is not FULL): %s",
               errstr);
        nm->srv_failed = true;
    }
    if (!nm->srv)
        return;
    char *db = sl_xstrndup(t->db.ptr ? t->db.ptr : "", t->db.len);
    char *name = sl_xstrndup(t->name.ptr ? t->name.ptr : "", t->name.len);
    sl_err_t err = sl_server_columns(nm->srv, db, name, &n->sc, &n->nsc, errstr, sizeof(errstr));
    if (err) {
        sl_log(SL_LOG_WARN, FAC, "column names of %s.%s unavailable: %s", db, name, errstr);
    } else if (n->nsc != t->ncols) {
        sl_log(SL_LOG_WARN, FAC,
               "%s.%s has %u columns on the server but %u in the binlog; fields are named "
               "by position (set binlog_row_metadata=FULL to avoid this)",
               db, name, n->nsc, t->ncols);
    } else {
        n->copy = *t;
        n->copy.cols = sl_xcalloc(t->ncols ? t->ncols : 1, sizeof(*n->copy.cols));
        size_t nlabels = 0;
        for (uint32_t i = 0; i < n->nsc; i++)
            if (!t->cols[i].n_labels)
                nlabels += n->sc[i].n_labels;
        n->labels = nlabels ? sl_xcalloc(nlabels, sizeof(*n->labels)) : NULL;
        size_t at = 0;
        for (uint32_t i = 0; i < n->nsc; i++) {
            struct sl_column *col = &n->copy.cols[i];
            *col = t->cols[i];
            col->name = sl_str_c(n->sc[i].name);
            if (n->sc[i].is_unsigned)
                col->is_unsigned = true;
            if (!col->n_labels && n->sc[i].n_labels) {
                col->labels = n->labels + at;
                for (uint32_t j = 0; j < n->sc[i].n_labels; j++)
                    n->labels[at++] = sl_str_c(n->sc[i].labels[j]);
                col->n_labels = n->sc[i].n_labels;
            }
        }
        n->copy.has_names = true;
        n->ok = true;
    }
    sl_free(db);
    sl_free(name);
}

const struct sl_table *sl_names_resolve(struct sl_names *nm, const struct sl_table *tbl)
{
    if (tbl->has_names)
        return tbl;
    if (tbl == nm->last_orig)
        return nm->last_res;
    struct named *n = nm->list;
    while (n && n->orig != tbl)
        n = n->next;
    if (!n) {
        n = sl_xcalloc(1, sizeof(*n));
        n->orig = tbl;
        n->next = nm->list;
        nm->list = n;
        fill(nm, n);
    }
    nm->last_orig = tbl;
    nm->last_res = n->ok ? &n->copy : tbl;
    return nm->last_res;
}
