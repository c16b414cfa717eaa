/* SPDX-License-Identifier: Apache-2.0 */
/* Table filters of the MySQL source. Every list item is compiled once as "^(item)$" with
 * REG_EXTENDED | REG_ICASE | REG_NOSUB, which gives Debezium's full-match, case-insensitive
 * semantics for the regex subset POSIX shares with Java. A decision is cached per table
 * pointer by the caller if it wants; matching itself copies names into a bounded buffer. */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "runtime/filter.h"

#define NAME_MAX_BYTES 512

struct relist {
    regex_t *re;
    size_t n;
};

struct sl_filter {
    struct relist db_inc, db_exc, tbl_inc, tbl_exc;
    bool ignore_builtin;
};

static const char *const builtin_dbs[] = {"mysql", "performance_schema", "sys",
                                          "information_schema", NULL};

static sl_err_t compile(const struct sl_conf_strlist *list, const char *key, struct relist *rl,
                        char *errstr, size_t errstr_size)
{
    rl->re = list->n ? sl_xcalloc(list->n, sizeof(*rl->re)) : NULL;
    for (size_t i = 0; i < list->n; i++) {
        char pat[NAME_MAX_BYTES + 8];
        int n = snprintf(pat, sizeof(pat), "^(%s)$", list->items[i]);
        if (n < 0 || (size_t)n >= sizeof(pat)) {
            snprintf(errstr, errstr_size, "%s: pattern '%.60s...' is too long", key,
                     list->items[i]);
            return SL_ERR_CONF;
        }
        int rc = regcomp(&rl->re[i], pat, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc) {
            char why[128];
            regerror(rc, &rl->re[i], why, sizeof(why));
            snprintf(errstr, errstr_size, "%s: bad regular expression '%s': %s", key,
                     list->items[i], why);
            return SL_ERR_CONF;
        }
        rl->n = i + 1;
    }
    return SL_OK;
}

static void relist_fini(struct relist *rl)
{
    for (size_t i = 0; i < rl->n; i++)
        regfree(&rl->re[i]);
    sl_free(rl->re);
}

static bool any(const struct relist *rl, const char *s)
{
    for (size_t i = 0; i < rl->n; i++)
        if (regexec(&rl->re[i], s, 0, NULL, 0) == 0)
            return true;
    return false;
}

sl_err_t sl_filter_new(const struct sl_mysql_source_conf *conf, struct sl_filter **out,
                       char *errstr, size_t errstr_size)
{
    struct sl_filter *flt = sl_xcalloc(1, sizeof(*flt));
    flt->ignore_builtin = conf->table_ignore_builtin;
    sl_err_t err = compile(&conf->database_include, "database.include.list", &flt->db_inc, errstr,
                           errstr_size);
    if (!err)
        err = compile(&conf->database_exclude, "database.exclude.list", &flt->db_exc, errstr,
                      errstr_size);
    if (!err)
        err =
            compile(&conf->table_include, "table.include.list", &flt->tbl_inc, errstr, errstr_size);
    if (!err)
        err =
            compile(&conf->table_exclude, "table.exclude.list", &flt->tbl_exc, errstr, errstr_size);
    if (err) {
        sl_filter_free(flt);
        return err;
    }
    *out = flt;
    return SL_OK;
}

void sl_filter_free(struct sl_filter *flt)
{
    if (!flt)
        return;
    relist_fini(&flt->db_inc);
    relist_fini(&flt->db_exc);
    relist_fini(&flt->tbl_inc);
    relist_fini(&flt->tbl_exc);
    sl_free(flt);
}

bool sl_filter_table(const struct sl_filter *flt, struct sl_str db, struct sl_str table)
{
    char name[NAME_MAX_BYTES];
    if (db.len + table.len + 2 > sizeof(name))
        return false; /* MySQL names are at most 64 characters each: cannot happen */
    memcpy(name, db.ptr, db.len);
    name[db.len] = '\0';
    if (flt->ignore_builtin)
        for (size_t i = 0; builtin_dbs[i]; i++)
            if (strcasecmp(name, builtin_dbs[i]) == 0)
                return false;
    if (flt->db_inc.n && !any(&flt->db_inc, name))
        return false;
    if (any(&flt->db_exc, name))
        return false;
    name[db.len] = '.';
    memcpy(name + db.len + 1, table.ptr, table.len);
    name[db.len + 1 + table.len] = '\0';
    if (flt->tbl_inc.n && !any(&flt->tbl_inc, name))
        return false;
    if (any(&flt->tbl_exc, name))
        return false;
    return true;
}
