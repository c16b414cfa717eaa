/* SPDX-License-Identifier: Apache-2.0 */
/* The schema tracker's loader over a live connection (sl_schema_track_load_mysql in
 * schema_track.h): one information_schema query per table, each column mapped with
 * sl_schema_column (schema.h) so the result agrees with TABLE_MAP metadata, plus the facts
 * the schema history needs (COLUMN_TYPE, charset name, EXTRA, default, comment, the table's
 * default charset). */
#include <mysql.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/parse.h"
#include "source/schema.h"
#include "source/schema_track.h"

#define MAX_COLS 4096

static void add_escaped(MYSQL *mysql, struct sl_buf *buf, struct sl_str s)
{
    char *tmp = sl_xmalloc(2 * s.len + 1);
    unsigned long m = mysql_real_escape_string(mysql, tmp, s.ptr ? s.ptr : "",
                                               (unsigned long)s.len);
    sl_buf_add(buf, tmp, m);
    sl_free(tmp);
}

static struct sl_str astr(struct sl_arena *arena, const char *s, unsigned long len)
{
    if (!s)
        return (struct sl_str){"", 0};
    return sl_arena_str(arena, (struct sl_str){s, len});
}

/* Case-insensitive substring test (strcasestr is a GNU extension). */
static bool icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

static uint64_t num(const char *s)
{
    uint64_t u;
    return s && !sl_parse_u64(s, &u) ? u : 0;
}

sl_err_t sl_schema_track_load_mysql(struct sl_str db, struct sl_str name,
                                    struct sl_arena *arena, struct sl_table_def *def,
                                    char *errstr, size_t errstr_size, void *opaque)
{
    MYSQL *mysql = opaque;
    struct sl_buf sql;
    sl_buf_init(&sql, 1 << 16);
    sl_buf_addstr(&sql, "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, "
                        "c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, "
                        "c.CHARACTER_OCTET_LENGTH, co.ID, c.CHARACTER_SET_NAME, "
                        "(SELECT s.SEQ_IN_INDEX FROM information_schema.STATISTICS s WHERE "
                        "s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME AND "
                        "s.INDEX_NAME = 'PRIMARY' AND s.COLUMN_NAME = c.COLUMN_NAME), "
                        "c.EXTRA, c.COLUMN_DEFAULT, c.COLUMN_COMMENT, "
                        "(SELECT tc.CHARACTER_SET_NAME FROM information_schema.TABLES t JOIN "
                        "information_schema.COLLATIONS tc ON tc.COLLATION_NAME = "
                        "t.TABLE_COLLATION WHERE t.TABLE_SCHEMA = c.TABLE_SCHEMA AND "
                        "t.TABLE_NAME = c.TABLE_NAME) "
                        "FROM information_schema.COLUMNS c LEFT JOIN "
                        "information_schema.COLLATIONS co ON co.COLLATION_NAME = "
                        "c.COLLATION_NAME WHERE c.TABLE_SCHEMA = '");
    add_escaped(mysql, &sql, db);
    sl_buf_addstr(&sql, "' AND c.TABLE_NAME = '");
    add_escaped(mysql, &sql, name);
    sl_buf_addstr(&sql, "' ORDER BY c.ORDINAL_POSITION");
    int rc = mysql_real_query(mysql, sl_buf_cstr(&sql), (unsigned long)sql.len);
    sl_buf_fini(&sql);
    MYSQL_RES *res = rc == 0 ? mysql_store_result(mysql) : NULL;
    if (!res) {
        snprintf(errstr, errstr_size, "information_schema query for `%.*s`.`%.*s` failed: %s",
                 SL_STR_FMT(db), SL_STR_FMT(name), mysql_error(mysql));
        return SL_ERR_UPSTREAM;
    }
    uint64_t n = mysql_num_rows(res);
    if (n == 0) {
        mysql_free_result(res);
        return SL_ERR_NOTFOUND;
    }
    if (n > MAX_COLS) {
        mysql_free_result(res);
        snprintf(errstr, errstr_size, "`%.*s`.`%.*s` has %llu columns (more than %d)",
                 SL_STR_FMT(db), SL_STR_FMT(name), (unsigned long long)n, MAX_COLS);
        return SL_ERR_UNSUPPORTED;
    }
    struct sl_table *t = &def->table;
    t->db = sl_arena_str(arena, db);
    t->name = sl_arena_str(arena, name);
    t->cols = sl_arena_calloc(arena, n, sizeof(*t->cols));
    t->pk = sl_arena_calloc(arena, n, sizeof(*t->pk));
    def->defs = sl_arena_calloc(arena, n, sizeof(*def->defs));
    uint32_t *seq = sl_arena_calloc(arena, n, sizeof(*seq));
    sl_err_t err = SL_OK;
    MYSQL_ROW row;
    while (!err && (row = mysql_fetch_row(res)) ) {
        unsigned long *lens = mysql_fetch_lengths(res);
        struct sl_schema_coldef cd = {.name = row[0], .data_type = row[1],
                                      .column_type = row[2]};
        cd.nullable = row[3] && strcmp(row[3], "YES") == 0;
        cd.precision = (uint32_t)num(row[4]);
        cd.scale = (uint32_t)num(row[5]);
        cd.fsp = (uint32_t)num(row[6]);
        cd.octet_length = num(row[7]);
        cd.collation_id = (uint16_t)num(row[8]);
        uint32_t i = t->ncols;
        char why[300];
        err = sl_schema_column(&cd, arena, &t->cols[i], why, sizeof(why));
        if (err) {
            snprintf(errstr, errstr_size, "`%.*s`.`%.*s`: %s", SL_STR_FMT(db), SL_STR_FMT(name),
                     why);
            break;
        }
        struct sl_column_def *d = &def->defs[i];
        d->column_type = astr(arena, row[2], lens[2]);
        d->charset_name = astr(arena, row[9], lens[9]);
        seq[i] = (uint32_t)num(row[10]);
        t->cols[i].is_pk = seq[i] > 0;
        const char *extra = row[11] ? row[11] : "";
        d->auto_increment = icontains(extra, "auto_increment");
        d->generated = icontains(extra, "GENERATED") ||
                       icontains(extra, "VIRTUAL") ||
                       icontains(extra, "PERSISTENT") ||
                       icontains(extra, "STORED");
        d->has_default = row[12] != NULL;
        d->default_value = astr(arena, row[12], lens[12]);
        d->comment = astr(arena, row[13], lens[13]);
        if (i == 0)
            def->default_charset = astr(arena, row[14], lens[14]);
        t->ncols++;
    }
    mysql_free_result(res);
    if (err)
        return err;
    for (uint32_t k = 1; k <= t->ncols; k++)
        for (uint32_t i = 0; i < t->ncols; i++)
            if (seq[i] == k)
                t->pk[t->npk++] = i;
    t->has_names = true;
    return SL_OK;
}
