/* SPDX-License-Identifier: Apache-2.0 */
/* Initial snapshot over libmariadb: a dedicated connection opens one consistent-snapshot
 * transaction paired with the binlog position (MariaDB's binlog_snapshot status, a brief
 * global read lock, or brief table locks: see snapshot.h), loads the captured tables' schemas
 * from information_schema, then streams each table in primary-key order with mysql_use_result,
 * hands it out in resumable chunks and turns the text rows into SL_OP_READ changes. Progress is a
 * small JSON document that doubles as the resume checkpoint (parsed by snapshot_ckpt.c). */
#include <mysql.h>

#include <assert.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/time.h"
#include "source/schema.h"
#include "source/snapshot.h"
#include "source/snapshot_int.h"

#define SQL_MAX ((size_t)16 << 20)

struct relist {
    regex_t *re;
    size_t n;
};

/* One chunk read ahead by the reader thread (see "Reader thread" below). */
struct sl_rbatch {
    struct sl_arena arena; /* the changes and their values */
    struct sl_change *chg;
    size_t n;
    bool ready; /* published by the reader, not yet taken (under rmu) */
    bool end;   /* the query has no rows after these (or err) */
    sl_err_t err;
    char errstr[1024];
    struct sl_buf key; /* primary-key texts of the last row, NUL-separated */
    size_t *key_off, *key_len;
    uint32_t key_cap;
};

struct sl_snapshot {
    struct sl_snapshot_opts opts;
    struct relist db_in, db_ex, tab_in, tab_ex;
    MYSQL *mysql;
    char where[300];
    bool mariadb;
    bool in_txn;
    bool global_lock;
    struct sl_arena schema; /* tables, names, labels */
    struct sl_snap_table *tabs;
    size_t ntabs;
    size_t cur;     /* table being read */
    MYSQL_RES *res; /* open streaming query of the table being read */
    /* Reader thread of res. rmu guards the batches' ready flags and rheld. */
    struct sl_rbatch rb[2];
    pthread_t rthr;
    bool rrunning;
    atomic_bool rstop;
    pthread_mutex_t rmu;
    pthread_cond_t rcv;
    int rheld;                       /* batch the caller holds, -1 none */
    unsigned rtake;                  /* batch the caller takes next */
    const struct sl_snap_table *rst; /* table being read */
    uint64_t rrow0;                  /* its rows before the query, for messages */
    char file[128];
    uint64_t pos;
    char gtids[4096];
    const char *method;
    char note[400];
    uint64_t rows, rows_resumed;
    uint32_t chunks;
    int64_t t0_us;
    bool begun, finished;
};

/* ---- Options and filters ---- */

void sl_snapshot_opts_from_conf(struct sl_snapshot_opts *opts,
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
    opts->locking_mode = conf->snapshot_locking_mode;
    opts->chunk_rows = conf->snapshot_fetch_size;
    opts->lock_timeout_ms = conf->snapshot_lock_timeout_ms;
    opts->database_include = &conf->database_include;
    opts->database_exclude = &conf->database_exclude;
    opts->table_include = &conf->table_include;
    opts->table_exclude = &conf->table_exclude;
    opts->override_tables = &conf->snapshot_select_statement_overrides;
    opts->override_selects = &conf->snapshot_select_overrides;
}

static bool compile(struct relist *rl, const struct sl_conf_strlist *list, const char *key,
                    char *errstr, size_t errstr_size)
{
    if (!list || list->n == 0)
        return true;
    rl->re = sl_xcalloc(list->n, sizeof(*rl->re));
    for (size_t i = 0; i < list->n; i++) {
        struct sl_buf pat;
        sl_buf_init(&pat, 1 << 16);
        sl_buf_addstr(&pat, "^(");
        sl_buf_addstr(&pat, list->items[i]);
        sl_buf_addstr(&pat, ")$");
        int rc = regcomp(&rl->re[i], sl_buf_cstr(&pat), REG_EXTENDED | REG_ICASE | REG_NOSUB);
        sl_buf_fini(&pat);
        if (rc) {
            char why[128];
            regerror(rc, &rl->re[i], why, sizeof(why));
            snprintf(errstr, errstr_size, "%s: bad regular expression '%s': %s", key,
                     list->items[i], why);
            return false;
        }
        rl->n++;
    }
    return true;
}

static void relist_free(struct relist *rl)
{
    for (size_t i = 0; i < rl->n; i++)
        regfree(&rl->re[i]);
    sl_free(rl->re);
    rl->re = NULL;
    rl->n = 0;
}

static bool relist_match(const struct relist *rl, const char *s)
{
    for (size_t i = 0; i < rl->n; i++)
        if (regexec(&rl->re[i], s, 0, NULL, 0) == 0)
            return true;
    return false;
}

static bool captured(const struct sl_snapshot *snap, const char *db, const char *table)
{
    static const char *const builtin[] = {"mysql", "sys", "information_schema",
                                          "performance_schema"};
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (strcasecmp(db, builtin[i]) == 0)
            return false;
    if (snap->db_in.n && !relist_match(&snap->db_in, db))
        return false;
    if (relist_match(&snap->db_ex, db))
        return false;
    char full[600];
    snprintf(full, sizeof(full), "%s.%s", db, table);
    if (snap->tab_in.n && !relist_match(&snap->tab_in, full))
        return false;
    if (relist_match(&snap->tab_ex, full))
        return false;
    return !snap->opts.filter || snap->opts.filter(db, table, snap->opts.filter_opaque);
}

static void reader_stop(struct sl_snapshot *snap, bool abort);

struct sl_snapshot *sl_snapshot_new(const struct sl_snapshot_opts *opts, char *errstr,
                                    size_t errstr_size)
{
    struct sl_snapshot *snap = sl_xcalloc(1, sizeof(*snap));
    snap->opts = *opts;
    if (!snap->opts.chunk_rows)
        snap->opts.chunk_rows = 10000;
    if (snap->opts.lock_timeout_ms <= 0)
        snap->opts.lock_timeout_ms = 10000;
    snprintf(snap->where, sizeof(snap->where), "%s:%u", opts->db.host ? opts->db.host : "",
             opts->db.port ? opts->db.port : 3306);
    sl_arena_init(&snap->schema, 16384);
    for (int i = 0; i < 2; i++) {
        sl_arena_init(&snap->rb[i].arena, 1 << 20);
        sl_buf_init(&snap->rb[i].key, SL_BUF_MAX_DEFAULT);
    }
    pthread_mutex_init(&snap->rmu, NULL);
    pthread_cond_init(&snap->rcv, NULL);
    snap->rheld = -1;
    snap->method = "";
    if (!compile(&snap->db_in, opts->database_include, "database.include.list", errstr,
                 errstr_size) ||
        !compile(&snap->db_ex, opts->database_exclude, "database.exclude.list", errstr,
                 errstr_size) ||
        !compile(&snap->tab_in, opts->table_include, "table.include.list", errstr, errstr_size) ||
        !compile(&snap->tab_ex, opts->table_exclude, "table.exclude.list", errstr, errstr_size)) {
        sl_snapshot_free(snap);
        return NULL;
    }
    return snap;
}

void sl_snapshot_free(struct sl_snapshot *snap)
{
    if (!snap)
        return;
    reader_stop(snap, true);
    if (snap->mysql) {
        if (snap->in_txn)
            mysql_query(snap->mysql, "ROLLBACK");
        if (snap->global_lock)
            mysql_query(snap->mysql, "UNLOCK TABLES");
        mysql_close(snap->mysql);
    }
    relist_free(&snap->db_in);
    relist_free(&snap->db_ex);
    relist_free(&snap->tab_in);
    relist_free(&snap->tab_ex);
    for (size_t i = 0; i < snap->ntabs; i++)
        sl_snap_table_fini(&snap->tabs[i]);
    sl_free(snap->tabs);
    for (int i = 0; i < 2; i++) {
        sl_arena_fini(&snap->rb[i].arena);
        sl_free(snap->rb[i].chg);
        sl_buf_fini(&snap->rb[i].key);
        sl_free(snap->rb[i].key_off);
        sl_free(snap->rb[i].key_len);
    }
    pthread_mutex_destroy(&snap->rmu);
    pthread_cond_destroy(&snap->rcv);
    sl_arena_fini(&snap->schema);
    sl_free(snap);
}

/* ---- SQL helpers ---- */

static sl_err_t classify(unsigned no)
{
    if (no == 1045 || no == 1044 || no == 1698 || no == 1227 || no == 1142)
        return SL_ERR_AUTH;
    if (no >= 2000 && no < 3000)
        return SL_ERR_IO;
    return SL_ERR_UPSTREAM;
}

static sl_err_t query(struct sl_snapshot *snap, const char *sql, char *errstr, size_t errstr_size)
{
    if (mysql_real_query(snap->mysql, sql, (unsigned long)strlen(sql)) == 0)
        return SL_OK;
    unsigned no = mysql_errno(snap->mysql);
    snprintf(errstr, errstr_size, "%s: snapshot query \"%.160s\" failed: %s (error %u)",
             snap->where, sql, mysql_error(snap->mysql), no);
    return classify(no);
}

static MYSQL_RES *query_res(struct sl_snapshot *snap, const char *sql, sl_err_t *err, char *errstr,
                            size_t errstr_size)
{
    *err = query(snap, sql, errstr, errstr_size);
    if (*err)
        return NULL;
    MYSQL_RES *res = mysql_store_result(snap->mysql);
    if (!res) {
        snprintf(errstr, errstr_size, "%s: snapshot query \"%.160s\" returned no rows: %s",
                 snap->where, sql, mysql_error(snap->mysql));
        *err = SL_ERR_UPSTREAM;
    }
    return res;
}

/* First column of the first row into out ("" when NULL or no row). */
static sl_err_t query_one(struct sl_snapshot *snap, const char *sql, char *out, size_t size,
                          int col, char *errstr, size_t errstr_size)
{
    sl_err_t err;
    MYSQL_RES *res = query_res(snap, sql, &err, errstr, errstr_size);
    if (!res)
        return err;
    MYSQL_ROW row = mysql_fetch_row(res);
    out[0] = '\0';
    if (row && (int)mysql_num_fields(res) > col && row[col])
        snprintf(out, size, "%s", row[col]);
    mysql_free_result(res);
    return SL_OK;
}

static sl_err_t master_status(struct sl_snapshot *snap, char *file, size_t size, uint64_t *pos,
                              char *errstr, size_t errstr_size)
{
    sl_err_t err;
    MYSQL_RES *res = query_res(snap, "SHOW MASTER STATUS", &err, errstr, errstr_size);
    if (!res) /* MySQL 8.4 */
        res = query_res(snap, "SHOW BINARY LOG STATUS", &err, errstr, errstr_size);
    if (!res)
        return err;
    MYSQL_ROW row = mysql_fetch_row(res);
    bool ok =
        row && mysql_num_fields(res) >= 2 && row[0] && row[1] && sl_parse_u64(row[1], pos) == SL_OK;
    if (ok)
        snprintf(file, size, "%s", row[0]);
    mysql_free_result(res);
    if (!ok) {
        snprintf(errstr, errstr_size,
                 "%s: binary logging is disabled (SHOW MASTER STATUS is empty); start the "
                 "server with log_bin",
                 snap->where);
        return SL_ERR_UNSUPPORTED;
    }
    return SL_OK;
}

static void read_gtids(struct sl_snapshot *snap, char *out, size_t size)
{
    char e[256];
    const char *sql =
        snap->mariadb ? "SELECT @@global.gtid_binlog_pos" : "SELECT @@global.gtid_executed";
    if (query_one(snap, sql, out, size, 0, e, sizeof(e)))
        out[0] = '\0';
    /* gtid_executed may contain newlines (Debezium strips them). */
    size_t w = 0;
    for (size_t r = 0; out[r]; r++)
        if (out[r] != '\n' && out[r] != '\r')
            out[w++] = out[r];
    out[w] = '\0';
}

/* ---- Connection, tables, schemas ---- */

static sl_err_t connect_db(struct sl_snapshot *snap, char *errstr, size_t errstr_size)
{
    const struct sl_mysql_conf *db = &snap->opts.db;
    MYSQL *mysql = mysql_init(NULL);
    if (!mysql) {
        snprintf(errstr, errstr_size, "%s: cannot allocate a connection", snap->where);
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
        snprintf(errstr, errstr_size,
                 "cannot connect to %s as '%s' for the snapshot: %s "
                 "(error %u)",
                 snap->where, db->user ? db->user : "", mysql_error(mysql), no);
        mysql_close(mysql);
        return classify(no);
    }
    snap->mysql = mysql;
    snap->mariadb = strstr(mysql_get_server_info(mysql), "MariaDB") != NULL;
    char sql[400];
    long tmo = (long)((snap->opts.lock_timeout_ms + 999) / 1000);
    snprintf(sql, sizeof(sql),
             "SET SESSION time_zone = '+00:00', character_set_results = NULL, "
             "net_write_timeout = 3600, net_read_timeout = 3600, wait_timeout = 86400, "
             "lock_wait_timeout = %ld, innodb_lock_wait_timeout = %ld",
             tmo, tmo);
    sl_err_t err = query(snap, sql, errstr, errstr_size);
    if (!err)
        err = query(snap, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", errstr,
                    errstr_size);
    return err;
}

static void escape(struct sl_snapshot *snap, struct sl_buf *buf, const char *s)
{
    size_t n = strlen(s);
    char *tmp = sl_xmalloc(2 * n + 1);
    unsigned long m = mysql_real_escape_string(snap->mysql, tmp, s, (unsigned long)n);
    sl_buf_add(buf, tmp, m);
    sl_free(tmp);
}

static const char *override_for(const struct sl_snapshot *snap, const char *db, const char *table)
{
    const struct sl_conf_kvlist *kv = snap->opts.override_selects;
    char full[600];
    snprintf(full, sizeof(full), "%s.%s", db, table);
    if (!kv)
        return NULL;
    if (snap->opts.override_tables && snap->opts.override_tables->n) {
        bool listed = false;
        for (size_t i = 0; i < snap->opts.override_tables->n; i++)
            listed |= strcasecmp(snap->opts.override_tables->items[i], full) == 0;
        if (!listed)
            return NULL;
    }
    for (size_t i = 0; i < kv->n; i++)
        if (strcasecmp(kv->items[i].key, full) == 0)
            return kv->items[i].value;
    return NULL;
}

static sl_err_t list_tables(struct sl_snapshot *snap, char *errstr, size_t errstr_size)
{
    sl_err_t err;
    MYSQL_RES *res = query_res(snap,
                               "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM "
                               "information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                               "ORDER BY TABLE_SCHEMA, TABLE_NAME",
                               &err, errstr, errstr_size);
    if (!res)
        return err;
    uint64_t n = mysql_num_rows(res);
    snap->tabs = sl_xcalloc(n ? n : 1, sizeof(*snap->tabs));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (!row[0] || !row[1] || !captured(snap, row[0], row[1]))
            continue;
        struct sl_snap_table *st = &snap->tabs[snap->ntabs++];
        st->db = sl_xstrdup(row[0]);
        st->name = sl_xstrdup(row[1]);
        if (!row[2] || sl_parse_u64(row[2], &st->estimated))
            st->estimated = 0;
        const char *ov = override_for(snap, row[0], row[1]);
        st->override = ov ? sl_xstrdup(ov) : NULL;
    }
    mysql_free_result(res);
    return SL_OK;
}

static sl_err_t load_schema(struct sl_snapshot *snap, struct sl_snap_table *st, char *errstr,
                            size_t errstr_size)
{
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
    escape(snap, &sql, st->db);
    sl_buf_addstr(&sql, "' AND c.TABLE_NAME = '");
    escape(snap, &sql, st->name);
    sl_buf_addstr(&sql, "' ORDER BY c.ORDINAL_POSITION");
    sl_err_t err;
    MYSQL_RES *res = query_res(snap, sl_buf_cstr(&sql), &err, errstr, errstr_size);
    sl_buf_fini(&sql);
    if (!res)
        return err;
    uint64_t n = mysql_num_rows(res);
    struct sl_table *t = &st->t;
    t->db = sl_arena_str(&snap->schema, sl_str_c(st->db));
    t->name = sl_arena_str(&snap->schema, sl_str_c(st->name));
    t->cols = sl_arena_calloc(&snap->schema, n ? n : 1, sizeof(*t->cols));
    t->pk = sl_arena_calloc(&snap->schema, n ? n : 1, sizeof(*t->pk));
    st->csname = sl_arena_calloc(&snap->schema, n ? n : 1, sizeof(*st->csname));
    t->has_names = true;
    uint32_t seq[4096];
    MYSQL_ROW row;
    while (!err && (row = mysql_fetch_row(res)) != NULL && t->ncols < 4096) {
        struct sl_schema_coldef def = {.name = row[0], .data_type = row[1], .column_type = row[2]};
        uint64_t u;
        def.nullable = row[3] && strcmp(row[3], "YES") == 0;
        def.precision = row[4] && !sl_parse_u64(row[4], &u) ? (uint32_t)u : 0;
        def.scale = row[5] && !sl_parse_u64(row[5], &u) ? (uint32_t)u : 0;
        def.fsp = row[6] && !sl_parse_u64(row[6], &u) ? (uint32_t)u : 0;
        def.octet_length = row[7] && !sl_parse_u64(row[7], &u) ? u : 0;
        def.collation_id = row[8] && !sl_parse_u64(row[8], &u) ? (uint16_t)u : 0;
        struct sl_column *col = &t->cols[t->ncols];
        char why[300];
        err = sl_schema_column(&def, &snap->schema, col, why, sizeof(why));
        if (err) {
            snprintf(errstr, errstr_size, "%s: table `%s`.`%s`: %s", snap->where, st->db, st->name,
                     why);
            break;
        }
        st->csname[t->ncols] =
            row[9] ? sl_arena_strndup(&snap->schema, row[9], strlen(row[9])) : NULL;
        seq[t->ncols] = row[10] && !sl_parse_u64(row[10], &u) ? (uint32_t)u : 0;
        col->is_pk = seq[t->ncols] > 0;
        t->ncols++;
    }
    mysql_free_result(res);
    if (err)
        return err;
    if (t->ncols == 0) {
        snprintf(errstr, errstr_size, "%s: table `%s`.`%s` has no columns (dropped?)", snap->where,
                 st->db, st->name);
        return SL_ERR_NOTFOUND;
    }
    for (uint32_t k = 1; k <= t->ncols; k++)
        for (uint32_t i = 0; i < t->ncols; i++)
            if (seq[i] == k)
                t->pk[t->npk++] = i;
    return SL_OK;
}

/* ---- Begin ---- */

static sl_err_t lock_tables(struct sl_snapshot *snap, char *errstr, size_t errstr_size)
{
    if (snap->ntabs == 0)
        return SL_OK;
    struct sl_buf sql;
    sl_buf_init(&sql, SQL_MAX);
    sl_buf_addstr(&sql, "LOCK TABLES ");
    for (size_t i = 0; i < snap->ntabs; i++) {
        if (i)
            sl_buf_addstr(&sql, ", ");
        sl_schema_quote_ident(&sql, snap->tabs[i].db, strlen(snap->tabs[i].db));
        sl_buf_addch(&sql, '.');
        sl_schema_quote_ident(&sql, snap->tabs[i].name, strlen(snap->tabs[i].name));
        sl_buf_addstr(&sql, " READ");
    }
    sl_err_t err = query(snap, sl_buf_cstr(&sql), errstr, errstr_size);
    sl_buf_fini(&sql);
    return err;
}

static sl_err_t start_txn(struct sl_snapshot *snap, char *errstr, size_t errstr_size)
{
    sl_err_t err = query(snap, "START TRANSACTION WITH CONSISTENT SNAPSHOT", errstr, errstr_size);
    snap->in_txn = !err;
    return err;
}

static sl_err_t pos_mariadb(struct sl_snapshot *snap, char *errstr, size_t errstr_size)
{
    sl_err_t err = start_txn(snap, errstr, errstr_size);
    char p[32], mfile[128];
    uint64_t mpos = 0;
    if (!err)
        err = query_one(snap, "SHOW STATUS LIKE 'binlog_snapshot_file'", snap->file,
                        sizeof(snap->file), 1, errstr, errstr_size);
    if (!err)
        err = query_one(snap, "SHOW STATUS LIKE 'binlog_snapshot_position'", p, sizeof(p), 1,
                        errstr, errstr_size);
    if (err)
        return err;
    if (!snap->file[0] || sl_parse_u64(p, &snap->pos)) {
        snprintf(errstr, errstr_size,
                 "%s: binlog_snapshot_file/position are empty: is the "
                 "binary log enabled (log_bin)?",
                 snap->where);
        return SL_ERR_UNSUPPORTED;
    }
    read_gtids(snap, snap->gtids, sizeof(snap->gtids));
    err = master_status(snap, mfile, sizeof(mfile), &mpos, errstr, errstr_size);
    if (err)
        return err;
    /* The GTID position read between the snapshot and an unchanged master position is the
     * snapshot's; otherwise a commit slipped in and only file/pos are exact. */
    if (strcmp(mfile, snap->file) != 0 || mpos != snap->pos)
        snap->gtids[0] = '\0';
    snap->method = "mariadb";
    return SL_OK;
}

static sl_err_t pos_locked(struct sl_snapshot *snap, char *errstr, size_t errstr_size)
{
    int mode = snap->opts.locking_mode;
    sl_err_t err;
    if (mode == SL_SNAPSHOT_LOCK_NONE) {
        err = master_status(snap, snap->file, sizeof(snap->file), &snap->pos, errstr, errstr_size);
        if (!err)
            read_gtids(snap, snap->gtids, sizeof(snap->gtids));
        snap->method = "none";
        return err ? err : start_txn(snap, errstr, errstr_size);
    }
    char why[512];
    err = query(snap, "FLUSH TABLES WITH READ LOCK", why, sizeof(why));
    if (!err) {
        snap->global_lock = true;
        err = start_txn(snap, errstr, errstr_size);
        if (!err)
            err = master_status(snap, snap->file, sizeof(snap->file), &snap->pos, errstr,
                                errstr_size);
        if (!err)
            read_gtids(snap, snap->gtids, sizeof(snap->gtids));
        snap->method = "global";
        return err;
    }
    if (err == SL_ERR_IO) {
        snprintf(errstr, errstr_size, "%s", why);
        return err;
    }
    /* No RELOAD (RDS/Aurora): brief table locks, retried until no commit slips between the
     * position read under the locks and the read view. */
    for (int attempt = 0; attempt < 3; attempt++) {
        char f2[128];
        uint64_t p2 = 0;
        err = lock_tables(snap, errstr, errstr_size);
        if (!err)
            err = master_status(snap, snap->file, sizeof(snap->file), &snap->pos, errstr,
                                errstr_size);
        if (!err)
            read_gtids(snap, snap->gtids, sizeof(snap->gtids));
        if (!err) /* implicitly releases the table locks */
            err = start_txn(snap, errstr, errstr_size);
        if (!err)
            err = master_status(snap, f2, sizeof(f2), &p2, errstr, errstr_size);
        if (err) {
            size_t l = strlen(errstr);
            snprintf(errstr + l, errstr_size - l,
                     " (FLUSH TABLES WITH READ LOCK was refused too: %s)", why);
            return err;
        }
        snap->method = "table";
        if (strcmp(f2, snap->file) == 0 && p2 == snap->pos)
            return SL_OK;
        if (attempt < 2) {
            err = query(snap, "ROLLBACK", errstr, errstr_size);
            snap->in_txn = false;
            if (err)
                return err;
        }
    }
    return SL_OK; /* the earlier position: possible duplicates, never a loss */
}

static sl_err_t binlog_exists(struct sl_snapshot *snap, const char *file, bool *exists,
                              char *errstr, size_t errstr_size)
{
    sl_err_t err;
    MYSQL_RES *res = query_res(snap, "SHOW BINARY LOGS", &err, errstr, errstr_size);
    if (!res)
        return err;
    MYSQL_ROW row;
    *exists = false;
    while ((row = mysql_fetch_row(res)) != NULL)
        if (row[0] && strcmp(row[0], file) == 0)
            *exists = true;
    mysql_free_result(res);
    return SL_OK;
}

sl_err_t sl_snapshot_begin(struct sl_snapshot *snap, const char *resume_json, char *errstr,
                           size_t errstr_size)
{
    assert(!snap->begun);
    snap->begun = true;
    snap->t0_us = sl_time_mono_us();
    struct sl_snap_ckpt ckpt;
    sl_snap_ckpt_init(&ckpt);
    sl_err_t err = SL_OK;
    if (resume_json) {
        err = sl_snap_ckpt_parse(resume_json, &ckpt, errstr, errstr_size);
        if (err)
            goto out;
    }
    err = connect_db(snap, errstr, errstr_size);
    if (!err)
        err = list_tables(snap, errstr, errstr_size);
    if (err)
        goto out;
    bool resume = false;
    if (resume_json) {
        bool exists = false;
        err = binlog_exists(snap, ckpt.file, &exists, errstr, errstr_size);
        if (err)
            goto out;
        if (!exists)
            snprintf(snap->note, sizeof(snap->note),
                     "checkpoint not used: its binlog file %s (position %llu) is no longer on "
                     "the server (purged), so streaming could not resume from it; a new "
                     "snapshot starts from the current position",
                     ckpt.file, (unsigned long long)ckpt.pos);
        resume = exists;
    }
    if (resume) {
        snprintf(snap->file, sizeof(snap->file), "%s", ckpt.file);
        snap->pos = ckpt.pos;
        snprintf(snap->gtids, sizeof(snap->gtids), "%s", ckpt.gtids ? ckpt.gtids : "");
        snap->method = "resume";
        err = start_txn(snap, errstr, errstr_size);
    } else if (snap->mariadb && !snap->opts.no_mariadb_snapshot_status &&
               snap->opts.locking_mode != SL_SNAPSHOT_LOCK_EXTENDED) {
        err = pos_mariadb(snap, errstr, errstr_size);
    } else {
        err = pos_locked(snap, errstr, errstr_size);
    }
    for (size_t i = 0; !err && i < snap->ntabs; i++)
        err = load_schema(snap, &snap->tabs[i], errstr, errstr_size);
    for (size_t i = 0; !err && resume && i < snap->ntabs; i++)
        sl_snap_ckpt_apply(&ckpt, &snap->tabs[i], &snap->rows_resumed);
    if (!err && snap->global_lock && snap->opts.locking_mode != SL_SNAPSHOT_LOCK_EXTENDED) {
        err = query(snap, "UNLOCK TABLES", errstr, errstr_size);
        snap->global_lock = false;
    }
out:
    sl_snap_ckpt_fini(&ckpt);
    return err;
}

/* ---- Scan ---- */

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

static void add_hex(struct sl_buf *buf, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        sl_buf_addch(buf, hex[(unsigned char)s[i] >> 4]);
        sl_buf_addch(buf, hex[(unsigned char)s[i] & 15]);
    }
}

/* A literal for the stored key text of pk column k. */
static void add_literal(const struct sl_snap_table *st, uint32_t k, struct sl_buf *sql)
{
    uint32_t ci = st->t.pk[k];
    const struct sl_column *col = &st->t.cols[ci];
    const char *v = st->last_pk[k];
    size_t n = st->last_pk_len[k];
    bool plain = is_numeric(col) && n > 0;
    for (size_t i = 0; plain && i < n; i++)
        plain = strchr("0123456789.eE+-", v[i]) != NULL;
    if (plain) {
        sl_buf_add(sql, v, n);
        return;
    }
    /* Raw bytes in the column's charset: an introducer keeps charset and collation. */
    if (st->csname[ci] && col->charset != SL_CHARSET_BINARY) {
        sl_buf_addch(sql, '_');
        sl_buf_addstr(sql, st->csname[ci]);
        sl_buf_addch(sql, ' ');
    }
    sl_buf_addstr(sql, "X'");
    add_hex(sql, v, n);
    sl_buf_addch(sql, '\'');
}

static void add_ident(struct sl_buf *sql, struct sl_str s)
{
    sl_schema_quote_ident(sql, s.ptr, s.len);
}

/* The table's SELECT; keyed: in primary-key order after the stored key, at most limit rows
 * (0 = no LIMIT). */
static void build_select(const struct sl_snap_table *st, bool keyed, uint32_t limit,
                         struct sl_buf *sql)
{
    const struct sl_table *t = &st->t;
    if (st->override) {
        sl_buf_addstr(sql, st->override);
        return;
    }
    sl_buf_addstr(sql, "SELECT ");
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i)
            sl_buf_addstr(sql, ", ");
        sl_schema_select_expr(&t->cols[i], sql);
    }
    sl_buf_addstr(sql, " FROM ");
    sl_schema_quote_ident(sql, st->db, strlen(st->db));
    sl_buf_addch(sql, '.');
    sl_schema_quote_ident(sql, st->name, strlen(st->name));
    if (!keyed)
        return;
    if (st->has_last) {
        /* (a > x) OR (a = x AND b > y) OR ...: understood by every optimizer's range access. */
        sl_buf_addstr(sql, " WHERE ");
        for (uint32_t k = 0; k < t->npk; k++) {
            sl_buf_addstr(sql, k ? " OR (" : "(");
            for (uint32_t j = 0; j <= k; j++) {
                if (j)
                    sl_buf_addstr(sql, " AND ");
                add_ident(sql, t->cols[t->pk[j]].name);
                sl_buf_addstr(sql, j == k ? " > " : " = ");
                add_literal(st, j, sql);
            }
            sl_buf_addch(sql, ')');
        }
    }
    sl_buf_addstr(sql, " ORDER BY ");
    for (uint32_t k = 0; k < t->npk; k++) {
        if (k)
            sl_buf_addstr(sql, ", ");
        add_ident(sql, t->cols[t->pk[k]].name);
    }
    if (limit)
        sl_buf_addf(sql, " LIMIT %u", limit);
}

/* rowno: the row's number in its table, for messages. */
static sl_err_t row_to_change(const struct sl_snapshot *snap, const struct sl_snap_table *st,
                              const char *const *vals, const size_t *lens, uint64_t rowno,
                              struct sl_arena *arena, struct sl_change *chg, char *errstr,
                              size_t errstr_size)
{
    const struct sl_table *t = &st->t;
    memset(chg, 0, sizeof(*chg));
    chg->op = SL_OP_READ;
    chg->table = t;
    chg->after = sl_arena_alloc(arena, t->ncols * sizeof(*chg->after));
    /* Same size: a plain copy (snprintf here cost 3 % of the snapshot). */
    _Static_assert(sizeof(chg->pos.file) == sizeof(snap->file), "binlog file name sizes");
    memcpy(chg->pos.file, snap->file, sizeof(chg->pos.file));
    chg->pos.pos = snap->pos;
    chg->pos.ts_sec = st->ts_sec;
    for (uint32_t i = 0; i < t->ncols; i++) {
        char why[300];
        sl_err_t err =
            sl_schema_value(&t->cols[i], vals[i], lens[i], arena, &chg->after[i], why, sizeof(why));
        if (err) {
            snprintf(errstr, errstr_size, "snapshot of `%s`.`%s` row %llu: %s", st->db, st->name,
                     (unsigned long long)rowno, why);
            return err;
        }
    }
    return SL_OK;
}

static sl_err_t fetch_error(struct sl_snapshot *snap, const struct sl_snap_table *st, uint64_t rows,
                            char *errstr, size_t errstr_size)
{
    unsigned no = mysql_errno(snap->mysql);
    if (!no)
        return SL_OK;
    snprintf(errstr, errstr_size, "%s: reading `%s`.`%s` failed after %llu rows: %s (error %u)",
             snap->where, st->db, st->name, (unsigned long long)rows, mysql_error(snap->mysql), no);
    return classify(no);
}

static sl_err_t check_fields(struct sl_snapshot *snap, struct sl_snap_table *st, MYSQL_RES *res,
                             char *errstr, size_t errstr_size)
{
    if (mysql_num_fields(res) == st->t.ncols)
        return SL_OK;
    snprintf(errstr, errstr_size,
             "%s: snapshot SELECT of `%s`.`%s` returned %u columns, the "
             "table has %u",
             snap->where, st->db, st->name, mysql_num_fields(res), st->t.ncols);
    return SL_ERR_INVALID;
}

/* ---- Reader thread ----
 *
 * A table's rows are read by a thread of their own, so that MariaDB's protocol and the
 * text-to-value parsing of chunk k+1 overlap the caller's conversion and producing of chunk k
 * (the two halves took ~20 % and ~80 % of the source thread in bench/snapshot). The reader
 * fills two batches in turn, each one chunk of changes in its own arena; the caller holds
 * the batch sl_snapshot_next returned until its next call. A batch is published full only
 * once the row after it has been fetched (it waits, still unparsed, for the next batch), so
 * "the table continues" is known when a chunk is handed out, as the "last" marker needs. The
 * reader touches nothing but the connection, its batches and immutable table facts; the
 * caller applies a batch's rows and last key to the table's progress when it takes it. */

static void batch_key(struct sl_rbatch *b, const struct sl_table *t, MYSQL_ROW row,
                      const unsigned long *ul)
{
    sl_buf_reset(&b->key);
    for (uint32_t k = 0; k < t->npk; k++) {
        uint32_t c = t->pk[k];
        b->key_off[k] = b->key.len;
        b->key_len[k] = row[c] ? ul[c] : 0;
        if (row[c])
            sl_buf_add(&b->key, row[c], ul[c]);
        sl_buf_addch(&b->key, '\0');
    }
}

/* Parses row into the next change of b; false (with b's error set) when a value is bad. */
static bool batch_add(struct sl_snapshot *snap, struct sl_rbatch *b, MYSQL_ROW row, uint64_t rowno)
{
    const struct sl_snap_table *st = snap->rst;
    uint32_t nc = st->t.ncols;
    const unsigned long *ul = mysql_fetch_lengths(snap->res);
    size_t lens[4096];
    for (uint32_t i = 0; i < nc && i < 4096; i++)
        lens[i] = ul[i];
    b->err = row_to_change(snap, st, (const char *const *)row, lens, rowno, &b->arena,
                           &b->chg[b->n], b->errstr, sizeof(b->errstr));
    if (b->err)
        return false;
    b->n++;
    if (st->t.npk && !st->override)
        batch_key(b, &st->t, row, ul);
    return true;
}

static void *reader_main(void *arg)
{
    struct sl_snapshot *snap = arg;
    uint32_t chunk = snap->opts.chunk_rows;
    uint64_t rowno = snap->rrow0;
    MYSQL_ROW held = NULL; /* fetched, belongs to the next batch */
    for (unsigned fill = 0;; fill ^= 1) {
        struct sl_rbatch *b = &snap->rb[fill];
        pthread_mutex_lock(&snap->rmu);
        while ((b->ready || snap->rheld == (int)fill) && !atomic_load(&snap->rstop))
            pthread_cond_wait(&snap->rcv, &snap->rmu);
        pthread_mutex_unlock(&snap->rmu);
        if (atomic_load(&snap->rstop))
            break;
        sl_arena_reset(&b->arena);
        if (!b->chg) /* allocated once: a 2 MB arena block per chunk churned malloc */
            b->chg = sl_xmalloc(chunk * sizeof(*b->chg));
        b->n = 0;
        b->end = false;
        b->err = SL_OK;
        b->errstr[0] = '\0';
        bool ok = !held || batch_add(snap, b, held, ++rowno);
        held = NULL;
        while (ok && !atomic_load(&snap->rstop)) {
            MYSQL_ROW row = mysql_fetch_row(snap->res);
            if (!row) {
                b->err = fetch_error(snap, snap->rst, rowno, b->errstr, sizeof(b->errstr));
                b->end = true;
                break;
            }
            if (b->n == chunk) {
                held = row;
                break;
            }
            ok = batch_add(snap, b, row, ++rowno);
        }
        if (!ok)
            b->end = true;
        if (atomic_load(&snap->rstop) && !b->end) {
            b->err = SL_ERR_SHUTDOWN;
            snprintf(b->errstr, sizeof(b->errstr), "snapshot stopped");
            b->end = true;
        }
        if (snap->opts.on_chunk && b->n && !b->err)
            snap->opts.on_chunk(snap->opts.on_chunk_opaque, fill, b->chg, b->n);
        pthread_mutex_lock(&snap->rmu);
        b->ready = true;
        pthread_cond_broadcast(&snap->rcv);
        pthread_mutex_unlock(&snap->rmu);
        if (b->end)
            break;
    }
    return NULL;
}

/* Opens the streaming query of st and starts its reader. */
static sl_err_t reader_start(struct sl_snapshot *snap, struct sl_snap_table *st, char *errstr,
                             size_t errstr_size)
{
    struct sl_buf sql;
    sl_buf_init(&sql, SQL_MAX);
    build_select(st, st->t.npk && !st->override, 0, &sql);
    sl_err_t err = query(snap, sl_buf_cstr(&sql), errstr, errstr_size);
    sl_buf_fini(&sql);
    if (err)
        return err;
    snap->res = mysql_use_result(snap->mysql);
    if (!snap->res)
        return fetch_error(snap, st, st->rows, errstr, errstr_size);
    err = check_fields(snap, st, snap->res, errstr, errstr_size);
    if (err) {
        mysql_free_result(snap->res); /* reads the rest: a wrong override, not a big table */
        snap->res = NULL;
        return err;
    }
    for (int i = 0; i < 2; i++) {
        struct sl_rbatch *b = &snap->rb[i];
        b->ready = false;
        if (b->key_cap < st->t.npk) {
            b->key_off = sl_xrealloc(b->key_off, st->t.npk * sizeof(size_t));
            b->key_len = sl_xrealloc(b->key_len, st->t.npk * sizeof(size_t));
            b->key_cap = st->t.npk;
        }
    }
    snap->rheld = -1;
    snap->rtake = 0;
    snap->rst = st;
    snap->rrow0 = st->rows;
    atomic_store(&snap->rstop, false);
    if (pthread_create(&snap->rthr, NULL, reader_main, snap) != 0) {
        snprintf(errstr, errstr_size, "cannot start the snapshot reader thread");
        mysql_free_result(snap->res);
        snap->res = NULL;
        return SL_ERR_IO;
    }
    snap->rrunning = true;
    return SL_OK;
}

/* Ends the reader and the query. abort: the result was not read to its end; the socket is
 * shut down first, so that neither the reader's fetch nor mysql_free_result's read of the
 * remaining rows (the rest of a table, possibly millions of rows) waits for the server. The
 * connection is unusable afterwards; only sl_snapshot_free follows an abort. */
static void reader_stop(struct sl_snapshot *snap, bool abort)
{
    if (snap->rrunning) {
        atomic_store(&snap->rstop, true);
        if (abort)
            shutdown(mysql_get_socket(snap->mysql), SHUT_RDWR);
        pthread_mutex_lock(&snap->rmu);
        pthread_cond_broadcast(&snap->rcv);
        pthread_mutex_unlock(&snap->rmu);
        pthread_join(snap->rthr, NULL);
        snap->rrunning = false;
    }
    if (snap->res) {
        if (abort && snap->mysql)
            shutdown(mysql_get_socket(snap->mysql), SHUT_RDWR);
        mysql_free_result(snap->res);
        snap->res = NULL;
    }
}

/* Next chunk of st from its reader (started on first use): *out points at *n changes in the
 * batch the caller now holds; *more when the table continues. Each table is read by one
 * streaming query, in primary-key order after the stored key when it has one, and the key of
 * the last row of each chunk handed out is remembered, so every chunk boundary is a resume
 * point. One query per table rather than one per chunk: the per-chunk queries
 * (ORDER BY pk LIMIT chunk_rows+1) left the source waiting on each query's round trip and
 * start-up, 8.1-8.6 s against 5.5-6.6 s for 5M rows in bench/snapshot with the same CPU
 * time. The open result holds nothing the snapshot's transaction does not already hold (read
 * view, metadata locks). */
static sl_err_t chunk_read(struct sl_snapshot *snap, struct sl_snap_table *st,
                           struct sl_change **out, size_t *n, bool *more, char *errstr,
                           size_t errstr_size)
{
    *n = 0;
    *more = false;
    if (!snap->rrunning) {
        sl_err_t err = reader_start(snap, st, errstr, errstr_size);
        if (err)
            return err;
    }
    struct sl_rbatch *b = &snap->rb[snap->rtake];
    pthread_mutex_lock(&snap->rmu);
    while (!b->ready)
        pthread_cond_wait(&snap->rcv, &snap->rmu);
    b->ready = false;
    snap->rheld = (int)snap->rtake;
    pthread_mutex_unlock(&snap->rmu);
    snap->rtake ^= 1;
    if (b->err) {
        snprintf(errstr, errstr_size, "%s", b->errstr);
        reader_stop(snap, true);
        return b->err;
    }
    *out = b->chg;
    *n = b->n;
    *more = !b->end;
    st->rows += b->n;
    if (b->n && st->t.npk && !st->override) {
        const char *keys[SL_SNAP_KEY_MAX];
        for (uint32_t k = 0; k < st->t.npk && k < SL_SNAP_KEY_MAX; k++)
            keys[k] = b->key.data + b->key_off[k];
        sl_snap_table_set_last_key(st, keys, b->key_len);
    }
    if (b->end)
        reader_stop(snap, false); /* result read to its end: nothing left to drain */
    return SL_OK;
}

/* Whether table st still has rows to read (probe for the "last" marker). */
static sl_err_t has_rows(struct sl_snapshot *snap, struct sl_snap_table *st, bool *yes,
                         char *errstr, size_t errstr_size)
{
    struct sl_buf sql;
    sl_buf_init(&sql, SQL_MAX);
    sl_buf_addstr(&sql, "SELECT 1 FROM ");
    sl_schema_quote_ident(&sql, st->db, strlen(st->db));
    sl_buf_addch(&sql, '.');
    sl_schema_quote_ident(&sql, st->name, strlen(st->name));
    if (st->has_last && st->t.npk && !st->override) {
        struct sl_buf sel;
        sl_buf_init(&sel, SQL_MAX);
        build_select(st, true, 1, &sel);
        const char *w = strstr(sl_buf_cstr(&sel), " WHERE ");
        const char *o = w ? strstr(w, " ORDER BY ") : NULL;
        if (w && o)
            sl_buf_add(&sql, w, (size_t)(o - w));
        sl_buf_fini(&sel);
    }
    sl_buf_addstr(&sql, " LIMIT 1");
    char buf[8];
    sl_err_t err = query_one(snap, sl_buf_cstr(&sql), buf, sizeof(buf), 0, errstr, errstr_size);
    sl_buf_fini(&sql);
    *yes = buf[0] != '\0';
    return err;
}

/* After table cur ended: marks following empty tables done; *last when none has rows. */
static sl_err_t probe_rest(struct sl_snapshot *snap, bool *last, char *errstr, size_t errstr_size)
{
    *last = true;
    for (size_t j = snap->cur + 1; j < snap->ntabs; j++) {
        struct sl_snap_table *st = &snap->tabs[j];
        if (st->state == SL_SNAP_DONE)
            continue;
        bool yes = false;
        sl_err_t err = has_rows(snap, st, &yes, errstr, errstr_size);
        if (err)
            return err;
        if (yes) {
            *last = false;
            return SL_OK;
        }
        st->state = SL_SNAP_DONE;
    }
    return SL_OK;
}

sl_err_t sl_snapshot_next(struct sl_snapshot *snap, struct sl_change **changes, size_t *n,
                          bool *last, char *errstr, size_t errstr_size)
{
    *n = 0;
    *last = false;
    *changes = NULL;
    /* The caller is done with the chunk it holds: the reader may refill its batch. */
    pthread_mutex_lock(&snap->rmu);
    snap->rheld = -1;
    pthread_cond_broadcast(&snap->rcv);
    pthread_mutex_unlock(&snap->rmu);
    while (snap->cur < snap->ntabs) {
        struct sl_snap_table *st = &snap->tabs[snap->cur];
        if (st->state == SL_SNAP_DONE) {
            snap->cur++;
            continue;
        }
        if (st->state == SL_SNAP_PENDING) {
            st->state = SL_SNAP_RUNNING;
            st->ts_sec = time(NULL);
        }
        struct sl_change *out = NULL;
        bool more = false;
        sl_err_t err = chunk_read(snap, st, &out, n, &more, errstr, errstr_size);
        if (err)
            return err;
        snap->rows += *n;
        if (!more) {
            st->state = SL_SNAP_DONE;
            if (*n) {
                err = probe_rest(snap, last, errstr, errstr_size);
                if (err)
                    return err;
            }
            snap->cur++;
        }
        if (*n) {
            snap->chunks++;
            *changes = out;
            return SL_OK;
        }
    }
    if (!snap->finished && snap->mysql) {
        snap->finished = true;
        sl_err_t err = query(snap, "COMMIT", errstr, errstr_size);
        snap->in_txn = false;
        if (!err && snap->global_lock) {
            err = query(snap, "UNLOCK TABLES", errstr, errstr_size);
            snap->global_lock = false;
        }
        if (err)
            return err;
    }
    return SL_ERR_EOF;
}

/* ---- Position, progress ---- */

unsigned sl_snapshot_slot(const struct sl_snapshot *snap)
{
    return snap->rheld >= 0 ? (unsigned)snap->rheld : 0;
}

void sl_snapshot_position(const struct sl_snapshot *snap, const char **file, uint64_t *pos,
                          const char **gtids)
{
    *file = snap->file;
    *pos = snap->pos;
    *gtids = snap->gtids;
}

const char *sl_snapshot_method(const struct sl_snapshot *snap)
{
    return snap->method;
}

const char *sl_snapshot_resume_note(const struct sl_snapshot *snap)
{
    return snap->note;
}

void sl_snapshot_stats(const struct sl_snapshot *snap, struct sl_snapshot_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->tables = (uint32_t)snap->ntabs;
    for (size_t i = 0; i < snap->ntabs; i++) {
        st->tables_done += snap->tabs[i].state == SL_SNAP_DONE;
        st->rows_total += snap->tabs[i].rows;
        st->rows_estimated += snap->tabs[i].estimated;
    }
    st->rows = snap->rows;
    st->chunks = snap->chunks;
    int64_t us = sl_time_mono_us() - snap->t0_us;
    st->rows_per_sec = us > 0 ? (double)snap->rows * 1e6 / (double)us : 0.0;
}

sl_err_t sl_snapshot_progress_json(const struct sl_snapshot *snap, struct sl_buf *out)
{
    struct sl_snapshot_stats stats;
    sl_snapshot_stats(snap, &stats);
    return sl_snap_ckpt_write(out, snap->file, snap->pos, snap->gtids, snap->method,
                              stats.rows_total, stats.rows_per_sec, snap->tabs, snap->ntabs);
}
