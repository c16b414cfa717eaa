/* SPDX-License-Identifier: Apache-2.0 */
/* The incremental snapshot's SQL side over libmariadb (see incsnap.h): one query connection,
 * opened on first use and reopened after a network error, with time_zone='+00:00' and
 * character_set_results=NULL (raw bytes in each column's charset, as the binlog) and
 * autocommit, so each watermark INSERT commits on its own and each chunk SELECT reads the
 * latest committed rows. The schema query and the chunk SELECT mirror snapshot.c's static
 * load_schema and build_select (kept apart so the two can evolve independently; both map
 * types and values through schema.h). */
#include <mysql.h>

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "source/incsnap.h"
#include "source/schema.h"

#define SQL_MAX ((size_t)16 << 20)

struct sl_incsnap_sql {
    struct sl_mysql_conf db;
    MYSQL *mysql;
    char where[300];
    const struct sl_table *cs_t; /* the table csname belongs to */
    char **csname;               /* its per column CHARACTER_SET_NAME (table's arena) */
};

struct sl_incsnap_sql *sl_incsnap_sql_new(const struct sl_mysql_conf *db)
{
    struct sl_incsnap_sql *sq = sl_xcalloc(1, sizeof(*sq));
    sq->db = *db;
    snprintf(sq->where, sizeof(sq->where), "%s:%u", db->host ? db->host : "",
             db->port ? db->port : 3306);
    return sq;
}

void sl_incsnap_sql_free(struct sl_incsnap_sql *sq)
{
    if (!sq)
        return;
    if (sq->mysql)
        mysql_close(sq->mysql);
    sl_free(sq);
}

static void add_hex(struct sl_buf *buf, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        sl_buf_addch(buf, hex[(unsigned char)s[i] >> 4]);
        sl_buf_addch(buf, hex[(unsigned char)s[i] & 15]);
    }
}

static sl_err_t classify(unsigned no)
{
    if (no == 1045 || no == 1044 || no == 1698 || no == 1227 || no == 1142)
        return SL_ERR_AUTH;
    if (no >= 2000 && no < 3000)
        return SL_ERR_IO;
    return SL_ERR_UPSTREAM;
}

static sl_err_t query(struct sl_incsnap_sql *sq, const char *sql, char *errstr,
                      size_t errstr_size)
{
    if (mysql_real_query(sq->mysql, sql, (unsigned long)strlen(sql)) == 0)
        return SL_OK;
    unsigned no = mysql_errno(sq->mysql);
    snprintf(errstr, errstr_size, "%s: incremental snapshot query \"%.160s\" failed: %s "
             "(error %u)", sq->where, sql, mysql_error(sq->mysql), no);
    sl_err_t err = classify(no);
    if (err == SL_ERR_IO) { /* reconnect on the next call */
        mysql_close(sq->mysql);
        sq->mysql = NULL;
    }
    return err;
}

static sl_err_t connect_db(struct sl_incsnap_sql *sq, char *errstr, size_t errstr_size)
{
    if (sq->mysql)
        return SL_OK;
    const struct sl_mysql_conf *db = &sq->db;
    MYSQL *mysql = mysql_init(NULL);
    if (!mysql) {
        snprintf(errstr, errstr_size, "%s: cannot allocate a connection", sq->where);
        return SL_ERR_IO;
    }
    unsigned ctmo = db->connect_timeout_s ? db->connect_timeout_s : 10;
    mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &ctmo);
    mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (db->ssl_mode != SL_SSL_DISABLED) {
        mysql_ssl_set(mysql, db->ssl_key, db->ssl_cert, db->ssl_ca, NULL, NULL);
        my_bool on = 1;
        if (db->ssl_mode >= SL_SSL_REQUIRED)
            mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
        if (db->ssl_mode >= SL_SSL_VERIFY_CA)
            mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    } else {
        my_bool off = 0;
        mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &off);
    }
    if (!mysql_real_connect(mysql, db->host, db->user, db->password, NULL,
                            db->port ? db->port : 3306, NULL, 0)) {
        unsigned no = mysql_errno(mysql);
        snprintf(errstr, errstr_size, "cannot connect to %s as '%s' for the incremental "
                 "snapshot: %s (error %u)", sq->where, db->user ? db->user : "",
                 mysql_error(mysql), no);
        mysql_close(mysql);
        return classify(no);
    }
    sq->mysql = mysql;
    return query(sq, "SET SESSION time_zone = '+00:00', character_set_results = NULL, "
                      "autocommit = 1, net_write_timeout = 600, net_read_timeout = 600",
                 errstr, errstr_size);
}

static void escape(struct sl_incsnap_sql *sq, struct sl_buf *buf, const char *s)
{
    size_t n = strlen(s);
    char *tmp = sl_xmalloc(2 * n + 1);
    unsigned long m = mysql_real_escape_string(sq->mysql, tmp, s, (unsigned long)n);
    sl_buf_add(buf, tmp, m);
    sl_free(tmp);
}

static sl_err_t sql_table(void *opaque, const char *db, const char *name,
                          struct sl_arena *arena, struct sl_table *t, char *errstr,
                          size_t errstr_size)
{
    struct sl_incsnap_sql *sq = opaque;
    sl_err_t err = connect_db(sq, errstr, errstr_size);
    if (err)
        return err;
    struct sl_buf sql;
    sl_buf_init(&sql, SQL_MAX);
    sl_buf_addstr(&sql, "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, "
                        "c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, "
                        "c.CHARACTER_OCTET_LENGTH, co.ID, c.CHARACTER_SET_NAME, "
                        "(SELECT s.SEQ_IN_INDEX FROM information_schema.STATISTICS s WHERE "
                        "s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME AND "
                        "s.INDEX_NAME = 'PRIMARY' AND s.COLUMN_NAME = c.COLUMN_NAME) "
                        "FROM information_schema.COLUMNS c LEFT JOIN "
                        "information_schema.COLLATIONS co ON co.COLLATION_NAME = "
                        "c.COLLATION_NAME WHERE c.TABLE_SCHEMA = '");
    escape(sq, &sql, db);
    sl_buf_addstr(&sql, "' AND c.TABLE_NAME = '");
    escape(sq, &sql, name);
    sl_buf_addstr(&sql, "' ORDER BY c.ORDINAL_POSITION");
    err = query(sq, sl_buf_cstr(&sql), errstr, errstr_size);
    sl_buf_fini(&sql);
    MYSQL_RES *res = err ? NULL : mysql_store_result(sq->mysql);
    if (!err && !res) {
        snprintf(errstr, errstr_size, "%s: schema of `%s`.`%s`: %s", sq->where, db, name,
                 mysql_error(sq->mysql));
        err = SL_ERR_UPSTREAM;
    }
    if (err)
        return err;
    uint64_t n = mysql_num_rows(res);
    t->db = sl_arena_str(arena, sl_str_c(db));
    t->name = sl_arena_str(arena, sl_str_c(name));
    t->cols = sl_arena_calloc(arena, n ? n : 1, sizeof(*t->cols));
    t->pk = sl_arena_calloc(arena, n ? n : 1, sizeof(*t->pk));
    sq->csname = sl_arena_calloc(arena, n ? n : 1, sizeof(*sq->csname));
    sq->cs_t = t;
    t->has_names = true;
    uint32_t *seq = sl_arena_calloc(arena, n ? n : 1, sizeof(*seq));
    MYSQL_ROW row;
    while (!err && (row = mysql_fetch_row(res)) != NULL && t->ncols < n) {
        struct sl_schema_coldef def = {.name = row[0], .data_type = row[1],
                                       .column_type = row[2]};
        uint64_t u;
        def.nullable = row[3] && strcmp(row[3], "YES") == 0;
        def.precision = row[4] && !sl_parse_u64(row[4], &u) ? (uint32_t)u : 0;
        def.scale = row[5] && !sl_parse_u64(row[5], &u) ? (uint32_t)u : 0;
        def.fsp = row[6] && !sl_parse_u64(row[6], &u) ? (uint32_t)u : 0;
        def.octet_length = row[7] && !sl_parse_u64(row[7], &u) ? u : 0;
        def.collation_id = row[8] && !sl_parse_u64(row[8], &u) ? (uint16_t)u : 0;
        struct sl_column *col = &t->cols[t->ncols];
        char why[300];
        err = sl_schema_column(&def, arena, col, why, sizeof(why));
        if (err) {
            snprintf(errstr, errstr_size, "%s: table `%s`.`%s`: %s", sq->where, db, name,
                     why);
            break;
        }
        sq->csname[t->ncols] = row[9] ? sl_arena_strndup(arena, row[9], strlen(row[9])) : NULL;
        seq[t->ncols] = row[10] && !sl_parse_u64(row[10], &u) ? (uint32_t)u : 0;
        col->is_pk = seq[t->ncols] > 0;
        t->ncols++;
    }
    mysql_free_result(res);
    if (err)
        return err;
    if (t->ncols == 0) {
        snprintf(errstr, errstr_size, "%s: table `%s`.`%s` does not exist", sq->where, db,
                 name);
        return SL_ERR_NOTFOUND;
    }
    for (uint32_t k = 1; k <= t->ncols; k++)
        for (uint32_t i = 0; i < t->ncols; i++)
            if (seq[i] == k)
                t->pk[t->npk++] = i;
    return SL_OK;
}

static sl_err_t sql_signal(void *opaque, const char *sig_db, const char *sig_name,
                           const char *id, const char *type, char *errstr, size_t errstr_size)
{
    struct sl_incsnap_sql *sq = opaque;
    sl_err_t err = connect_db(sq, errstr, errstr_size);
    if (err)
        return err;
    struct sl_buf sql;
    sl_buf_init(&sql, 4096);
    sl_buf_addstr(&sql, "INSERT INTO ");
    sl_schema_quote_ident(&sql, sig_db, strlen(sig_db));
    sl_buf_addch(&sql, '.');
    sl_schema_quote_ident(&sql, sig_name, strlen(sig_name));
    sl_buf_addstr(&sql, " VALUES ('");
    escape(sq, &sql, id);
    sl_buf_addstr(&sql, "', '");
    escape(sq, &sql, type);
    sl_buf_addstr(&sql, "', NULL)");
    err = query(sq, sl_buf_cstr(&sql), errstr, errstr_size);
    sl_buf_fini(&sql);
    return err;
}

static bool is_numeric(const struct sl_column *col)
{
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
    case SL_MYSQL_TYPE_SHORT:
    case SL_MYSQL_TYPE_INT24:
    case SL_MYSQL_TYPE_LONG:
    case SL_MYSQL_TYPE_LONGLONG:
    case SL_MYSQL_TYPE_FLOAT:
    case SL_MYSQL_TYPE_DOUBLE:
    case SL_MYSQL_TYPE_NEWDECIMAL:
    case SL_MYSQL_TYPE_YEAR:
    case SL_MYSQL_TYPE_ENUM:
    case SL_MYSQL_TYPE_SET:
        return true;
    default:
        return false;
    }
}

/* A literal for the key text of column ci. */
static void add_literal(const struct sl_incsnap_sql *sq, const struct sl_table *t, uint32_t ci,
                        const char *v, size_t n, struct sl_buf *sql)
{
    const struct sl_column *col = &t->cols[ci];
    bool plain = is_numeric(col) && n > 0;
    for (size_t i = 0; plain && i < n; i++)
        plain = v[i] && strchr("0123456789.eE+-", v[i]) != NULL;
    if (plain) {
        sl_buf_add(sql, v, n);
        return;
    }
    if (sq->cs_t == t && sq->csname[ci] && col->charset != SL_CHARSET_BINARY) {
        sl_buf_addch(sql, '_');
        sl_buf_addstr(sql, sq->csname[ci]);
        sl_buf_addch(sql, ' ');
    }
    sl_buf_addstr(sql, "X'");
    add_hex(sql, v, n);
    sl_buf_addch(sql, '\'');
}

/* (k1 > x1) OR (k1 = x1 AND k2 > x2) OR ...: understood by every optimizer's range access. */
static void add_after(const struct sl_incsnap_sql *sq, const struct sl_table *t,
                      const char *const *key, const size_t *key_len, struct sl_buf *sql)
{
    for (uint32_t k = 0; k < t->npk; k++) {
        sl_buf_addstr(sql, k ? " OR (" : "(");
        for (uint32_t j = 0; j <= k; j++) {
            const struct sl_str nm = t->cols[t->pk[j]].name;
            if (j)
                sl_buf_addstr(sql, " AND ");
            sl_schema_quote_ident(sql, nm.ptr, nm.len);
            sl_buf_addstr(sql, j == k ? " > " : " = ");
            add_literal(sq, t, t->pk[j], key[j], key_len[j], sql);
        }
        sl_buf_addch(sql, ')');
    }
}

static void add_from(const struct sl_table *t, struct sl_buf *sql)
{
    sl_buf_addstr(sql, " FROM ");
    sl_schema_quote_ident(sql, t->db.ptr, t->db.len);
    sl_buf_addch(sql, '.');
    sl_schema_quote_ident(sql, t->name.ptr, t->name.len);
}

static void add_order(const struct sl_table *t, const char *dir, struct sl_buf *sql)
{
    sl_buf_addstr(sql, " ORDER BY ");
    for (uint32_t k = 0; k < t->npk; k++) {
        const struct sl_str nm = t->cols[t->pk[k]].name;
        if (k)
            sl_buf_addstr(sql, ", ");
        sl_schema_quote_ident(sql, nm.ptr, nm.len);
        sl_buf_addstr(sql, dir);
    }
}

/* Runs sql (a SELECT of ncols columns) and copies its rows into arena. */
static sl_err_t fetch_rows(struct sl_incsnap_sql *sq, const struct sl_table *t,
                           const char *sql, uint32_t ncols, struct sl_arena *arena,
                           const char ***vals, size_t **lens, size_t *n, char *errstr,
                           size_t errstr_size)
{
    sl_err_t err = query(sq, sql, errstr, errstr_size);
    if (err)
        return err;
    MYSQL_RES *res = mysql_store_result(sq->mysql);
    if (!res || mysql_num_fields(res) != ncols) {
        snprintf(errstr, errstr_size, "%s: reading `%.*s`.`%.*s`: %s", sq->where,
                 SL_STR_FMT(t->db), SL_STR_FMT(t->name),
                 res ? "column count changed" : mysql_error(sq->mysql));
        if (res)
            mysql_free_result(res);
        return SL_ERR_UPSTREAM;
    }
    size_t rows = (size_t)mysql_num_rows(res);
    *vals = sl_arena_calloc(arena, rows * ncols + 1, sizeof(**vals));
    *lens = sl_arena_calloc(arena, rows * ncols + 1, sizeof(**lens));
    MYSQL_ROW row;
    size_t r = 0;
    while (r < rows && (row = mysql_fetch_row(res)) != NULL) {
        unsigned long *ul = mysql_fetch_lengths(res);
        for (uint32_t i = 0; i < ncols; i++) {
            size_t at = r * ncols + i;
            (*vals)[at] = row[i] ? sl_arena_strndup(arena, row[i], ul[i]) : NULL;
            (*lens)[at] = row[i] ? ul[i] : 0;
        }
        r++;
    }
    mysql_free_result(res);
    *n = r;
    return SL_OK;
}

static sl_err_t sql_max_key(void *opaque, const struct sl_table *t, struct sl_arena *arena,
                            const char ***vals, size_t **lens, bool *found, char *errstr,
                            size_t errstr_size)
{
    struct sl_incsnap_sql *sq = opaque;
    sl_err_t err = connect_db(sq, errstr, errstr_size);
    if (err)
        return err;
    struct sl_buf sql;
    sl_buf_init(&sql, SQL_MAX);
    sl_buf_addstr(&sql, "SELECT ");
    for (uint32_t k = 0; k < t->npk; k++) {
        const struct sl_str nm = t->cols[t->pk[k]].name;
        if (k)
            sl_buf_addstr(&sql, ", ");
        sl_schema_quote_ident(&sql, nm.ptr, nm.len);
    }
    add_from(t, &sql);
    add_order(t, " DESC", &sql);
    sl_buf_addstr(&sql, " LIMIT 1");
    size_t n = 0;
    err = fetch_rows(sq, t, sl_buf_cstr(&sql), t->npk, arena, vals, lens, &n, errstr,
                     errstr_size);
    sl_buf_fini(&sql);
    *found = n == 1;
    return err;
}

static sl_err_t sql_chunk(void *opaque, const struct sl_table *t, const char *const *last,
                          const size_t *last_len, const char *const *max,
                          const size_t *max_len, uint32_t limit, struct sl_arena *arena,
                          const char ***vals, size_t **lens, size_t *n, char *errstr,
                          size_t errstr_size)
{
    struct sl_incsnap_sql *sq = opaque;
    sl_err_t err = connect_db(sq, errstr, errstr_size);
    if (err)
        return err;
    struct sl_buf sql;
    sl_buf_init(&sql, SQL_MAX);
    sl_buf_addstr(&sql, "SELECT ");
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i)
            sl_buf_addstr(&sql, ", ");
        sl_schema_select_expr(&t->cols[i], &sql);
    }
    add_from(t, &sql);
    if (last || max)
        sl_buf_addstr(&sql, " WHERE ");
    if (last) {
        sl_buf_addch(&sql, '(');
        add_after(sq, t, last, last_len, &sql);
        sl_buf_addch(&sql, ')');
    }
    if (max) {
        sl_buf_addstr(&sql, last ? " AND NOT (" : "NOT (");
        add_after(sq, t, max, max_len, &sql);
        sl_buf_addch(&sql, ')');
    }
    add_order(t, "", &sql);
    sl_buf_addf(&sql, " LIMIT %u", limit);
    err = fetch_rows(sq, t, sl_buf_cstr(&sql), t->ncols, arena, vals, lens, n, errstr,
                     errstr_size);
    sl_buf_fini(&sql);
    return err;
}

static const struct sl_incsnap_backend mariadb_backend = {
    .table = sql_table,
    .signal = sql_signal,
    .max_key = sql_max_key,
    .chunk = sql_chunk,
};

const struct sl_incsnap_backend *sl_incsnap_sql_backend(void)
{
    return &mariadb_backend;
}
