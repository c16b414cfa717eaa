/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up checks of the source database (checks.h). One query connection reads the server's
 * global variables, its replicas, the user's grants and the binlog list, and turns each
 * finding into one report line naming the setting and the fix. The checks only read: nothing
 * is changed on the server. Debezium fails on binlog_format/binlog_row_image at start-up
 * (debezium-compat.md §1.1, P13); the other lines are the questions users ask after a failed
 * start (grants, purged binlogs, clashing server ids). */
#include "source/checks.h"

#include <mysql.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"

#define VAR_MAX 16
#define VAL_MAX 128

/* ---- report ---- */

void sl_check_report_init(struct sl_check_report *rep)
{
    memset(rep, 0, sizeof(*rep));
}

void sl_check_add(struct sl_check_report *rep, const char *name, sl_check_status_t status,
                  const char *fix, const char *fmt, ...)
{
    if (rep->n == SL_CHECK_MAX) {
        rep->dropped++;
        return;
    }
    struct sl_check_item *it = &rep->items[rep->n++];
    snprintf(it->name, sizeof(it->name), "%s", name);
    it->status = status;
    snprintf(it->fix, sizeof(it->fix), "%s", fix ? fix : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof(it->message), fmt, ap);
    va_end(ap);
}

size_t sl_check_count(const struct sl_check_report *rep, sl_check_status_t st)
{
    size_t n = 0;
    for (size_t i = 0; i < rep->n; i++)
        n += rep->items[i].status == st;
    return n;
}

const struct sl_check_item *sl_check_first_fail(const struct sl_check_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        if (rep->items[i].status == SL_CHECK_FAIL)
            return &rep->items[i];
    return NULL;
}

const char *sl_check_status_name(sl_check_status_t st)
{
    switch (st) {
    case SL_CHECK_PASS:
        return "PASS";
    case SL_CHECK_WARN:
        return "WARN";
    case SL_CHECK_FAIL:
        return "FAIL";
    }
    return "????";
}

void sl_check_item_format(const struct sl_check_item *item, char *out, size_t out_size)
{
    if (item->fix[0] && item->status != SL_CHECK_PASS)
        snprintf(out, out_size, "%s  %s: %s \xe2\x80\x94 fix: %s",
                 sl_check_status_name(item->status), item->name, item->message, item->fix);
    else
        snprintf(out, out_size, "%s  %s: %s", sl_check_status_name(item->status), item->name,
                 item->message);
}

/* ---- server access ---- */

struct srv {
    MYSQL *mysql;
    char where[300];
    bool mariadb;
    char version[VAL_MAX];
    unsigned long own_server_id;
    size_t nvars;
    char var_name[VAR_MAX][64];
    char var_value[VAR_MAX][VAL_MAX];
};

/* Value of a global variable read by read_vars, or NULL when the server has no such
 * variable. */
static const char *var(const struct srv *s, const char *name)
{
    for (size_t i = 0; i < s->nvars; i++)
        if (strcasecmp(s->var_name[i], name) == 0)
            return s->var_value[i];
    return NULL;
}

static bool var_is(const struct srv *s, const char *name, const char *value)
{
    const char *v = var(s, name);
    return v && strcasecmp(v, value) == 0;
}

static MYSQL_RES *run_query(struct srv *s, const char *sql, char *why, size_t why_size)
{
    if (mysql_real_query(s->mysql, sql, (unsigned long)strlen(sql)) != 0) {
        snprintf(why, why_size, "%s (error %u)", mysql_error(s->mysql), mysql_errno(s->mysql));
        return NULL;
    }
    MYSQL_RES *res = mysql_store_result(s->mysql);
    if (!res)
        snprintf(why, why_size, "no result: %s", mysql_error(s->mysql));
    return res;
}

static const char *const wanted_vars[] = {
    "log_bin",
    "binlog_format",
    "binlog_row_image",
    "binlog_row_metadata",
    "binlog_row_value_options",
    "gtid_mode",
    "enforce_gtid_consistency",
    "expire_logs_days",
    "binlog_expire_logs_seconds",
    "server_id",
    "version",
    "version_comment",
};

static bool wanted(const char *name)
{
    for (size_t i = 0; i < sizeof(wanted_vars) / sizeof(wanted_vars[0]); i++)
        if (strcasecmp(wanted_vars[i], name) == 0)
            return true;
    return false;
}

static bool read_vars(struct srv *s, char *why, size_t why_size)
{
    MYSQL_RES *res = run_query(s,
                               "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', "
                               "'binlog_format', 'binlog_row_image', 'binlog_row_metadata', "
                               "'binlog_row_value_options', 'gtid_mode', "
                               "'enforce_gtid_consistency', 'expire_logs_days', "
                               "'binlog_expire_logs_seconds', 'server_id', 'version', "
                               "'version_comment')",
                               why, why_size);
    if (!res)
        return false;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL && s->nvars < VAR_MAX) {
        if (mysql_num_fields(res) < 2 || !row[0] || !wanted(row[0]))
            continue;
        snprintf(s->var_name[s->nvars], sizeof(s->var_name[0]), "%s", row[0]);
        snprintf(s->var_value[s->nvars], sizeof(s->var_value[0]), "%s", row[1] ? row[1] : "");
        s->nvars++;
    }
    mysql_free_result(res);
    const char *v = var(s, "version");
    const char *c = var(s, "version_comment");
    snprintf(s->version, sizeof(s->version), "%s", v ? v : "?");
    s->mariadb = (v && strstr(v, "MariaDB")) || (c && strstr(c, "MariaDB"));
    v = var(s, "server_id");
    s->own_server_id = v ? strtoul(v, NULL, 10) : 0;
    return true;
}

static bool connect_db(const struct sl_mysql_source_conf *conf, struct srv *s,
                       struct sl_check_report *rep)
{
    unsigned port = conf->port ? conf->port : 3306;
    const char *host = conf->hostname ? conf->hostname : "localhost";
    snprintf(s->where, sizeof(s->where), "%s:%u", host, port);
    s->mysql = mysql_init(NULL);
    if (!s->mysql) {
        sl_check_add(rep, "mysql connection", SL_CHECK_FAIL, NULL,
                     "%s: cannot allocate a connection", s->where);
        return false;
    }
    unsigned ctmo =
        conf->connect_timeout_ms > 0 ? (unsigned)((conf->connect_timeout_ms + 999) / 1000) : 10;
    unsigned rtmo = 30;
    mysql_optionsv(s->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &ctmo);
    mysql_optionsv(s->mysql, MYSQL_OPT_READ_TIMEOUT, &rtmo);
    mysql_optionsv(s->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool enforce = conf->ssl_mode != SL_SSL_MODE_DISABLED;
    mysql_optionsv(s->mysql, MYSQL_OPT_SSL_ENFORCE, &enforce);
    if (conf->ssl_mode >= SL_SSL_MODE_VERIFY_CA) {
        my_bool on = 1;
        mysql_optionsv(s->mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    }
    if (!mysql_real_connect(s->mysql, host, conf->user, conf->password, NULL, port, NULL, 0)) {
        unsigned no = mysql_errno(s->mysql);
        bool auth = no == 1045 || no == 1044 || no == 1698;
        sl_check_add(rep, "mysql connection", SL_CHECK_FAIL,
                     auth ? "check database.user and database.password (and the user's host "
                            "part in mysql.user)"
                          : "check database.hostname/database.port, that the server runs and "
                            "that no firewall blocks the port",
                     "cannot %s %s as '%s': %s (error %u)", auth ? "log in to" : "reach", s->where,
                     conf->user ? conf->user : "", mysql_error(s->mysql), no);
        return false;
    }
    if (conf->ssl_mode >= SL_SSL_MODE_REQUIRED && !mysql_get_ssl_cipher(s->mysql)) {
        sl_check_add(rep, "mysql connection", SL_CHECK_FAIL,
                     "enable TLS on the server or set database.ssl.mode=preferred",
                     "%s: TLS is required (database.ssl.mode) but the server does not offer it",
                     s->where);
        return false;
    }
    char why[256];
    if (!read_vars(s, why, sizeof(why))) {
        sl_check_add(rep, "mysql connection", SL_CHECK_FAIL, NULL,
                     "%s: cannot read the server variables: %s", s->where, why);
        return false;
    }
    sl_check_add(rep, "mysql connection", SL_CHECK_PASS, NULL, "logged in to %s as '%s' (%s %s%s)",
                 s->where, conf->user ? conf->user : "", s->mariadb ? "MariaDB" : "MySQL",
                 s->version, mysql_get_ssl_cipher(s->mysql) ? ", TLS" : "");
    return true;
}

/* ---- binlog settings ---- */

static void check_binlog(struct srv *s, struct sl_check_report *rep)
{
    const char *cnf = s->mariadb ? "my.cnf [mariadbd]" : "my.cnf [mysqld]";
    char fix[SL_CHECK_FIX_MAX];

    if (var_is(s, "log_bin", "ON") || var_is(s, "log_bin", "1")) {
        sl_check_add(rep, "mysql log_bin", SL_CHECK_PASS, NULL, "binary logging is on");
    } else {
        snprintf(fix, sizeof(fix), "set log_bin=<basename> (and server_id) in %s and restart", cnf);
        sl_check_add(rep, "mysql log_bin", SL_CHECK_FAIL, fix, "log_bin=%s: binary logging is off",
                     var(s, "log_bin") ? var(s, "log_bin") : "OFF");
    }

    const char *fmt = var(s, "binlog_format");
    if (fmt && strcasecmp(fmt, "ROW") == 0) {
        sl_check_add(rep, "mysql binlog_format", SL_CHECK_PASS, NULL, "binlog_format=ROW");
    } else {
        snprintf(fix, sizeof(fix),
                 "SET GLOBAL binlog_format=ROW (new sessions) and binlog_format=ROW in %s", cnf);
        sl_check_add(rep, "mysql binlog_format", SL_CHECK_FAIL, fix,
                     "binlog_format=%s: row changes need ROW (statement and mixed events carry "
                     "SQL, not rows)",
                     fmt ? fmt : "unknown");
    }

    const char *img = var(s, "binlog_row_image");
    if (!img || strcasecmp(img, "FULL") == 0) {
        sl_check_add(rep, "mysql binlog_row_image", SL_CHECK_PASS, NULL, "binlog_row_image=%s",
                     img ? img : "FULL (server default)");
    } else {
        snprintf(fix, sizeof(fix),
                 "SET GLOBAL binlog_row_image=FULL and binlog_row_image=FULL in %s", cnf);
        sl_check_add(rep, "mysql binlog_row_image", SL_CHECK_FAIL, fix,
                     "binlog_row_image=%s: before and after images must hold every column", img);
    }

    const char *meta = var(s, "binlog_row_metadata");
    if (!meta)
        sl_check_add(rep, "mysql binlog_row_metadata", SL_CHECK_PASS, NULL,
                     "not supported by this server; column names come from the schema");
    else if (strcasecmp(meta, "FULL") == 0)
        sl_check_add(rep, "mysql binlog_row_metadata", SL_CHECK_PASS, NULL,
                     "binlog_row_metadata=FULL");
    else
        sl_check_add(rep, "mysql binlog_row_metadata", SL_CHECK_PASS, NULL,
                     "binlog_row_metadata=%s (info: FULL is recommended so events carry column "
                     "names and signedness: SET GLOBAL binlog_row_metadata=FULL)",
                     meta);

    const char *opts = var(s, "binlog_row_value_options");
    if (opts && strstr(opts, "PARTIAL_JSON"))
        sl_check_add(rep, "mysql binlog_row_value_options", SL_CHECK_WARN,
                     "SET GLOBAL binlog_row_value_options='' and remove it from my.cnf",
                     "binlog_row_value_options=%s: partial JSON updates cannot be decoded into "
                     "full after images",
                     opts);
    else if (opts)
        sl_check_add(rep, "mysql binlog_row_value_options", SL_CHECK_PASS, NULL,
                     "binlog_row_value_options='%s'", opts);
}

/* ---- server id ---- */

/* Adds the server ids of the connected replicas to ids (up to max). Returns how many or -1
 * (why set) when the server refused to list them. */
static long replica_ids(struct srv *s, unsigned long *ids, size_t max, char *why, size_t why_size)
{
    MYSQL_RES *res = run_query(s, "SHOW REPLICAS", why, why_size);
    if (!res)
        res = run_query(s, "SHOW SLAVE HOSTS", why, why_size);
    if (!res)
        return -1;
    long n = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL)
        if (row[0] && (size_t)n < max)
            ids[n++] = strtoul(row[0], NULL, 10);
    mysql_free_result(res);
    return n;
}

static void check_server_id(struct srv *s, const struct sl_mysql_source_conf *conf,
                            struct sl_check_report *rep)
{
    const char *name = "mysql database.server.id";
    if (conf->server_id == 0) {
        sl_check_add(rep, name, SL_CHECK_PASS, NULL,
                     "not set: a free id in [5400, 6400) is picked at start");
        return;
    }
    if (conf->server_id == s->own_server_id) {
        sl_check_add(rep, name, SL_CHECK_FAIL,
                     "set database.server.id to a number no other server or replica uses",
                     "%u is the server's own @@server_id: the server refuses such a replica",
                     conf->server_id);
        return;
    }
    unsigned long ids[256];
    char why[256];
    long n = replica_ids(s, ids, sizeof(ids) / sizeof(ids[0]), why, sizeof(why));
    if (n < 0) {
        sl_check_add(rep, name, SL_CHECK_WARN,
                     s->mariadb ? "GRANT REPLICATION MASTER ADMIN ON *.* so the id can be "
                                  "checked, or compare with SHOW SLAVE HOSTS by hand"
                                : "GRANT REPLICATION SLAVE ON *.* so the id can be checked, or "
                                  "compare with SHOW REPLICAS by hand",
                     "%u: cannot list the connected replicas: %s", conf->server_id, why);
        return;
    }
    for (long i = 0; i < n; i++) {
        if (ids[i] == conf->server_id) {
            sl_check_add(rep, name, SL_CHECK_FAIL,
                         "give every replica and connector its own database.server.id",
                         "%u is in use by a connected replica (SHOW SLAVE HOSTS); the server "
                         "disconnects one of the two",
                         conf->server_id);
            return;
        }
    }
    sl_check_add(rep, name, SL_CHECK_PASS, NULL,
                 "%u is not used by any of the %ld connected replica(s)", conf->server_id, n);
}

/* ---- grants ---- */

struct privs {
    bool all, repl_slave, repl_client, select_global, select_some, reload, lock_tables;
};

/* "GRANT A, B (col), C ON *.* TO ..." -> flags. Only the privilege list is read; the line
 * (which may hold a password hash) is never copied into the report. */
static void parse_grant(const char *line, struct privs *p)
{
    if (strncasecmp(line, "GRANT ", 6) != 0)
        return;
    const char *list = line + 6;
    const char *on = strstr(list, " ON ");
    if (!on)
        return; /* a role grant: "GRANT role TO user" */
    bool global = strncmp(on + 4, "*.*", 3) == 0;
    const char *q = list;
    while (q < on) {
        const char *end = q;
        int depth = 0;
        while (end < on && (depth > 0 || *end != ',')) {
            if (*end == '(')
                depth++;
            else if (*end == ')')
                depth--;
            end++;
        }
        size_t len = (size_t)(end - q);
        char priv[64];
        while (len && *q == ' ') {
            q++;
            len--;
        }
        snprintf(priv, sizeof(priv), "%.*s", (int)(len < sizeof(priv) ? len : sizeof(priv) - 1), q);
        char *paren = strchr(priv, '(');
        if (paren)
            *paren = '\0';
        size_t pl = strlen(priv);
        while (pl && priv[pl - 1] == ' ')
            priv[--pl] = '\0';
        if (global && (strcasecmp(priv, "ALL PRIVILEGES") == 0 || strcasecmp(priv, "ALL") == 0))
            p->all = true;
        else if (global && (strcasecmp(priv, "REPLICATION SLAVE") == 0 ||
                            strcasecmp(priv, "REPLICATION REPLICA") == 0))
            p->repl_slave = true;
        else if (global && (strcasecmp(priv, "REPLICATION CLIENT") == 0 ||
                            strcasecmp(priv, "BINLOG MONITOR") == 0))
            p->repl_client = true;
        else if (global && strcasecmp(priv, "RELOAD") == 0)
            p->reload = true;
        else if (global && strcasecmp(priv, "LOCK TABLES") == 0)
            p->lock_tables = true;
        else if (strcasecmp(priv, "SELECT") == 0 || strcasecmp(priv, "ALL PRIVILEGES") == 0)
            *(global ? &p->select_global : &p->select_some) = true;
        q = end < on ? end + 1 : on;
    }
}

static bool snapshot_reads_data(int mode)
{
    return mode == SL_SNAPSHOT_INITIAL || mode == SL_SNAPSHOT_INITIAL_ONLY ||
           mode == SL_SNAPSHOT_WHEN_NEEDED || mode == SL_SNAPSHOT_ALWAYS;
}

static void check_grants(struct srv *s, const struct sl_mysql_source_conf *conf,
                         struct sl_check_report *rep)
{
    char why[256];
    MYSQL_RES *res = run_query(s, "SHOW GRANTS FOR CURRENT_USER()", why, sizeof(why));
    if (!res) {
        sl_check_add(rep, "mysql grants", SL_CHECK_WARN, "check the grants by hand",
                     "cannot read the user's grants: %s", why);
        return;
    }
    struct privs p = {0};
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL)
        if (row[0])
            parse_grant(row[0], &p);
    mysql_free_result(res);
    if (p.all)
        p.repl_slave = p.repl_client = p.select_global = p.reload = p.lock_tables = true;

    const char *user = conf->user ? conf->user : "";
    const char *client_name =
        s->mariadb ? "BINLOG MONITOR (REPLICATION CLIENT)" : "REPLICATION CLIENT";
    char missing[160] = "";
    size_t ml = 0;
    if (!p.repl_slave)
        ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%sREPLICATION SLAVE",
                               ml ? ", " : "");
    if (!p.repl_client && ml < sizeof(missing))
        ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
                               client_name);
    if (!p.select_global && !p.select_some && ml < sizeof(missing))
        snprintf(missing + ml, sizeof(missing) - ml, "%sSELECT", ml ? ", " : "");
    if (missing[0]) {
        char fix[SL_CHECK_FIX_MAX];
        snprintf(fix, sizeof(fix), "GRANT %s ON *.* TO '%s'@'<host>'", missing, user);
        sl_check_add(rep, "mysql grants", SL_CHECK_FAIL, fix,
                     "user '%s' lacks %s (needed to read the binlog and the tables)", user,
                     missing);
    } else {
        sl_check_add(rep, "mysql grants", SL_CHECK_PASS, NULL,
                     "user '%s' has REPLICATION SLAVE, %s and SELECT%s", user, client_name,
                     p.select_global ? "" : " (on some databases only)");
    }

    /* Snapshot locking: FTWRL needs RELOAD, table locks need LOCK TABLES; MariaDB pairs the
     * snapshot with the binlog position without locks (binlog_snapshot status). */
    const char *name = "mysql snapshot locking";
    bool data = snapshot_reads_data(conf->snapshot_mode);
    if (p.reload)
        sl_check_add(rep, name, SL_CHECK_PASS, NULL, "global read lock possible (RELOAD)%s",
                     p.lock_tables ? "; table locks "
                                     "possible (LOCK "
                                     "TABLES)"
                                   : "");
    else if (p.lock_tables)
        sl_check_add(rep, name, SL_CHECK_PASS, NULL,
                     "table locks possible (LOCK TABLES); no global read lock (RELOAD missing)");
    else if (!data || conf->snapshot_locking_mode == SL_SNAPSHOT_LOCK_NONE || s->mariadb)
        sl_check_add(rep, name, SL_CHECK_WARN,
                     "GRANT RELOAD, LOCK TABLES ON *.* if snapshots "
                     "should lock",
                     "neither RELOAD nor LOCK TABLES: snapshots cannot lock tables%s",
                     s->mariadb ? " (MariaDB snapshots use binlog_snapshot status instead)" : "");
    else
        sl_check_add(rep, name, SL_CHECK_FAIL,
                     "GRANT RELOAD (or LOCK TABLES) ON *.*, or set snapshot.locking.mode=none",
                     "user '%s' has neither RELOAD nor LOCK TABLES: a consistent snapshot is "
                     "impossible with snapshot.locking.mode set",
                     user);
}

/* ---- GTIDs, retention, stored file ---- */

static void check_gtid(struct srv *s, const struct sl_mysql_source_conf *conf,
                       struct sl_check_report *rep)
{
    const char *name = "mysql gtid_mode";
    bool needed = conf->gtid_source_includes.n || conf->gtid_source_excludes.n;
    if (s->mariadb) {
        sl_check_add(rep, name, SL_CHECK_PASS, NULL, "MariaDB always writes GTIDs");
        return;
    }
    const char *mode = var(s, "gtid_mode");
    const char *cons = var(s, "enforce_gtid_consistency");
    bool on = mode && strcasecmp(mode, "ON") == 0;
    bool consistent = cons && strcasecmp(cons, "ON") == 0;
    if (on && consistent) {
        sl_check_add(rep, name, SL_CHECK_PASS, NULL, "gtid_mode=ON, enforce_gtid_consistency=ON");
        return;
    }
    sl_check_add(rep, name, needed ? SL_CHECK_FAIL : SL_CHECK_PASS,
                 "set gtid_mode=ON and enforce_gtid_consistency=ON in my.cnf (online: step "
                 "gtid_mode through OFF_PERMISSIVE, ON_PERMISSIVE, ON)",
                 "gtid_mode=%s, enforce_gtid_consistency=%s%s", mode ? mode : "unknown",
                 cons ? cons : "unknown",
                 needed ? ": gtid.source.includes/excludes need GTIDs"
                        : " (info: offsets use binlog file:position)");
}

static void check_retention(struct srv *s, struct sl_check_report *rep)
{
    const char *name = "mysql binlog retention";
    const char *secs = var(s, "binlog_expire_logs_seconds");
    const char *days = var(s, "expire_logs_days");
    double sec = 0;
    const char *from = "";
    if (secs && strtod(secs, NULL) > 0) {
        sec = strtod(secs, NULL);
        from = "binlog_expire_logs_seconds";
    } else if (days && strtod(days, NULL) > 0) {
        sec = strtod(days, NULL) * 86400.0;
        from = "expire_logs_days";
    }
    if (sec <= 0)
        sl_check_add(rep, name, SL_CHECK_PASS, NULL,
                     "binlogs never expire automatically (watch the disk)");
    else if (sec < 86400)
        sl_check_add(rep, name, SL_CHECK_WARN,
                     "SET GLOBAL binlog_expire_logs_seconds=604800 (or more) and in my.cnf",
                     "%s gives %.0f s (< 1 day): a connector stopped longer loses its position",
                     from, sec);
    else
        sl_check_add(rep, name, SL_CHECK_PASS, NULL, "binlogs kept %.1f day(s) (%s)", sec / 86400.0,
                     from);
}

static void check_stored_file(struct srv *s, const char *stored_file, struct sl_check_report *rep)
{
    const char *name = "mysql stored offset";
    char why[256];
    MYSQL_RES *res = run_query(s, "SHOW BINARY LOGS", why, sizeof(why));
    if (!res) {
        sl_check_add(rep, name, SL_CHECK_WARN,
                     "GRANT REPLICATION CLIENT (MariaDB: BINLOG "
                     "MONITOR)",
                     "cannot list the binlogs to find %s: %s", stored_file, why);
        return;
    }
    bool found = false;
    char first[VAL_MAX] = "";
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (!row[0])
            continue;
        if (!first[0])
            snprintf(first, sizeof(first), "%s", row[0]);
        if (strcmp(row[0], stored_file) == 0)
            found = true;
    }
    mysql_free_result(res);
    if (found)
        sl_check_add(rep, name, SL_CHECK_PASS, NULL, "binlog %s is still on the server",
                     stored_file);
    else
        sl_check_add(rep, name, SL_CHECK_FAIL,
                     "set snapshot.mode=when_needed, or remove the connector's stored offset "
                     "to take a new snapshot",
                     "binlog %s was purged (oldest on the server: %s)", stored_file,
                     first[0] ? first : "none");
}

static sl_err_t err_of(const struct sl_check_item *it)
{
    if (strcmp(it->name, "mysql connection") == 0)
        return strstr(it->message, "log in") ? SL_ERR_AUTH : SL_ERR_IO;
    if (strcmp(it->name, "mysql grants") == 0 || strcmp(it->name, "mysql snapshot locking") == 0)
        return SL_ERR_AUTH;
    if (strcmp(it->name, "mysql database.server.id") == 0)
        return SL_ERR_CONF;
    if (strcmp(it->name, "mysql stored offset") == 0)
        return SL_ERR_NOTFOUND;
    return SL_ERR_UNSUPPORTED;
}

sl_err_t sl_source_checks_run(const struct sl_mysql_source_conf *conf, const char *stored_file,
                              struct sl_check_report *report, char *errstr, size_t errstr_size)
{
    size_t first = report->n;
    struct srv *s = sl_xcalloc(1, sizeof(*s));
    if (connect_db(conf, s, report)) {
        check_binlog(s, report);
        check_server_id(s, conf, report);
        check_grants(s, conf, report);
        check_gtid(s, conf, report);
        check_retention(s, report);
        if (stored_file && *stored_file)
            check_stored_file(s, stored_file, report);
    }
    if (s->mysql)
        mysql_close(s->mysql);
    sl_free(s);
    for (size_t i = first; i < report->n; i++) {
        if (report->items[i].status == SL_CHECK_FAIL) {
            sl_check_item_format(&report->items[i], errstr, errstr_size);
            return err_of(&report->items[i]);
        }
    }
    return SL_OK;
}
