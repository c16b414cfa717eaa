/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up checks against real MariaDB servers (tests/lib/mariadb.sh):
 *   (a) a good server: without REPLICATION MASTER ADMIN the replica list is unreadable (WARN
 *       naming the grant); with it every check PASSes and sl_source_checks_run is SL_OK;
 *   (b) binlog_row_image=MINIMAL (SET GLOBAL): FAIL naming binlog_row_image and the fix;
 *       binlog_expire_logs_seconds=3600: WARN on retention;
 *   (c) a user without REPLICATION SLAVE: FAIL naming the grant, SL_ERR_AUTH;
 *   (d) a wrong password: FAIL on the connection, SL_ERR_AUTH, the password nowhere;
 *   (e) database.server.id equal to the server's @@server_id: FAIL, SL_ERR_CONF; equal to a
 *       connected replica's id (a live sl_client): FAIL;
 *   (f) a stored offset whose binlog file was purged: FAIL; the current file: PASS;
 *   (g) `sluice check` end to end (sl_cli_check in a child, and $SLUICE_BIN when it has the
 *       command): exit 0 with only PASS lines, exit 1 with the FAIL line;
 *   (h) a second server started with --binlog-format=STATEMENT: FAIL naming binlog_format
 *       and "SET GLOBAL binlog_format=ROW". */
#include <mysql.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/offsets_file.h"
#include "conf/mysql_source.h"
#include "core/buf.h"
#include "runtime/cli_check.h"
#include "source/checks.h"
#include "source/client.h"
#include "testlib.h"

static int failures;
static char tmp[512];
static char dirs[2][600];

struct db {
    char host[64], user[64], password[128], sock[600];
    unsigned port;
};

static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    failures++;
}

static void stop_servers(void)
{
    char cmd[1400];
    for (int i = 0; i < 2; i++) {
        if (!dirs[i][0])
            continue;
        snprintf(cmd, sizeof(cmd), "bash %s stop %s", sl_test_src("tests/lib/mariadb.sh"), dirs[i]);
        sl_test_run(cmd, NULL);
    }
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    stop_servers();
    exit(1);
}

static void env_get(const char *env, const char *key, char *out, size_t size)
{
    const char *p = strstr(env, key);
    if (!p)
        die("no %s in env", key);
    p += strlen(key) + 1;
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
}

static void start_server(int idx, const char *args, struct db *db)
{
    snprintf(dirs[idx], sizeof(dirs[idx]), "%s/db%d", tmp, idx);
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "bash %s start %s %s", sl_test_src("tests/lib/mariadb.sh"),
             dirs[idx], args);
    char *out = NULL;
    if (sl_test_run(cmd, &out) != 0)
        die("cannot start MariaDB %s", args);
    free(out);
    char path[700], portbuf[16];
    snprintf(path, sizeof(path), "%s/env", dirs[idx]);
    char *env = sl_test_read_file(path, NULL);
    if (!env)
        die("no env file in %s", dirs[idx]);
    env_get(env, "MARIADB_HOST", db->host, sizeof(db->host));
    env_get(env, "MARIADB_PORT", portbuf, sizeof(portbuf));
    env_get(env, "MARIADB_USER", db->user, sizeof(db->user));
    env_get(env, "MARIADB_PASSWORD", db->password, sizeof(db->password));
    env_get(env, "MARIADB_SOCKET", db->sock, sizeof(db->sock));
    db->port = (unsigned)strtoul(portbuf, NULL, 10);
    free(env);
}

static void sql(const struct db *db, const char *q)
{
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, db->sock, 0))
        die("root connect: %s", mysql_error(m));
    if (mysql_real_query(m, q, (unsigned long)strlen(q)))
        die("query failed: %s: %s", mysql_error(m), q);
    mysql_close(m);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        die("cannot write %s", path);
}

/* Writes a source connector file and loads it into conf (sl_conf_fini afterwards). */
static void source_conf(const struct db *db, const char *user, const char *password,
                        unsigned server_id, const char *path, struct sl_mysql_source_conf *conf)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "name=shop-source\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.hostname=%s\ndatabase.port=%u\ndatabase.user=%s\n"
             "database.password=%s\ndatabase.server.id=%u\ntopic.prefix=shop\n",
             db->host, db->port, user, password, server_id);
    write_file(path, text);
    char errstr[512];
    memset(conf, 0, sizeof(*conf));
    if (sl_conf_mysql_source_load(conf, path, NULL, errstr, sizeof(errstr)))
        die("load %s: %s", path, errstr);
}

static const struct sl_check_item *find(const struct sl_check_report *rep, const char *name)
{
    for (size_t i = 0; i < rep->n; i++)
        if (strcmp(rep->items[i].name, name) == 0)
            return &rep->items[i];
    return NULL;
}

static sl_err_t run_checks(const struct db *db, const char *user, const char *password,
                           unsigned server_id, const char *stored, struct sl_check_report *rep,
                           char *errstr, size_t errstr_size)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/source.properties", tmp);
    struct sl_mysql_source_conf conf;
    source_conf(db, user, password, server_id, path, &conf);
    sl_check_report_init(rep);
    errstr[0] = '\0';
    sl_err_t err = sl_source_checks_run(&conf, stored, rep, errstr, errstr_size);
    sl_conf_fini(&conf);
    return err;
}

static void expect(const struct sl_check_report *rep, const char *name, sl_check_status_t st,
                   const char *in_msg, const char *in_fix, const char *who)
{
    const struct sl_check_item *it = find(rep, name);
    if (!it) {
        failf("(%s) no '%s' line", who, name);
        return;
    }
    char line[1024];
    sl_check_item_format(it, line, sizeof(line));
    if (it->status != st)
        failf("(%s) expected %s, got: %s", who, sl_check_status_name(st), line);
    if (in_msg && !strstr(it->message, in_msg))
        failf("(%s) message lacks '%s': %s", who, in_msg, line);
    if (in_fix && !strstr(it->fix, in_fix))
        failf("(%s) fix lacks '%s': %s", who, in_fix, line);
}

static void test_good(const struct db *db)
{
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(db, db->user, db->password, 5500, NULL, &rep, errstr, sizeof(errstr));
    if (err)
        failf("(no replica list) error %d: %s", err, errstr);
    expect(&rep, "mysql database.server.id", SL_CHECK_WARN, "cannot list the connected replicas",
           "REPLICATION MASTER ADMIN", "no replica list");
    if (sl_check_count(&rep, SL_CHECK_WARN) != 1 || sl_check_count(&rep, SL_CHECK_FAIL) != 0)
        failf("(no replica list) expected exactly one WARN");
    sql(db, "GRANT REPLICATION MASTER ADMIN ON *.* TO 'sluice'@'%'");
    sql(db, "GRANT REPLICATION MASTER ADMIN ON *.* TO 'sluice'@'localhost'");

    err = run_checks(db, db->user, db->password, 5500, NULL, &rep, errstr, sizeof(errstr));
    if (err)
        failf("(good) error %d: %s", err, errstr);
    if (rep.n < 9)
        failf("(good) only %zu checks ran", rep.n);
    char line[1024];
    for (size_t i = 0; i < rep.n; i++) {
        sl_check_item_format(&rep.items[i], line, sizeof(line));
        printf("  %s\n", line);
        if (rep.items[i].status != SL_CHECK_PASS)
            failf("(good) not PASS: %s", line);
    }
    expect(&rep, "mysql binlog_format", SL_CHECK_PASS, "ROW", NULL, "good");
    expect(&rep, "mysql grants", SL_CHECK_PASS, "REPLICATION SLAVE", NULL, "good");
    expect(&rep, "mysql snapshot locking", SL_CHECK_PASS, "RELOAD", NULL, "good");
}

static void test_row_image_retention(const struct db *db)
{
    sql(db, "SET GLOBAL binlog_row_image=MINIMAL");
    sql(db, "SET GLOBAL binlog_expire_logs_seconds=3600");
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(db, db->user, db->password, 5500, NULL, &rep, errstr, sizeof(errstr));
    sql(db, "SET GLOBAL binlog_row_image=FULL");
    sql(db, "SET GLOBAL binlog_expire_logs_seconds=0");
    if (err != SL_ERR_UNSUPPORTED)
        failf("(minimal) expected SL_ERR_UNSUPPORTED, got %d", err);
    if (!strstr(errstr, "FAIL  mysql binlog_row_image: binlog_row_image=MINIMAL"))
        failf("(minimal) errstr is not the failing line: %s", errstr);
    expect(&rep, "mysql binlog_row_image", SL_CHECK_FAIL, "MINIMAL",
           "SET GLOBAL binlog_row_image=FULL", "minimal");
    expect(&rep, "mysql binlog retention", SL_CHECK_WARN, "3600", "binlog_expire_logs_seconds",
           "retention");
    if (sl_check_count(&rep, SL_CHECK_FAIL) != 1)
        failf("(minimal) %zu FAIL lines, expected 1", sl_check_count(&rep, SL_CHECK_FAIL));
}

static void test_grants(const struct db *db)
{
    sql(db, "CREATE USER 'norepl'@'%' IDENTIFIED BY 'pw-norepl'");
    sql(db, "GRANT REPLICATION CLIENT, SELECT ON *.* TO 'norepl'@'%'");
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(db, "norepl", "pw-norepl", 5500, NULL, &rep, errstr, sizeof(errstr));
    if (err != SL_ERR_AUTH)
        failf("(grants) expected SL_ERR_AUTH, got %d: %s", err, errstr);
    expect(&rep, "mysql grants", SL_CHECK_FAIL, "REPLICATION SLAVE",
           "GRANT REPLICATION SLAVE ON *.* TO 'norepl'", "grants");
    /* MariaDB pairs snapshots with the binlog without locks: a missing RELOAD is a warning */
    expect(&rep, "mysql snapshot locking", SL_CHECK_WARN, "neither RELOAD nor LOCK TABLES", NULL,
           "grants");
}

static void test_password(const struct db *db)
{
    const char *bad = "Wr0ng-pass-word-xyz";
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(db, db->user, bad, 5500, NULL, &rep, errstr, sizeof(errstr));
    if (err != SL_ERR_AUTH)
        failf("(password) expected SL_ERR_AUTH, got %d: %s", err, errstr);
    expect(&rep, "mysql connection", SL_CHECK_FAIL, "cannot log in to", "database.password",
           "password");
    if (rep.n != 1)
        failf("(password) %zu lines after a failed login, expected 1", rep.n);
    for (size_t i = 0; i < rep.n; i++)
        if (strstr(rep.items[i].message, bad) || strstr(rep.items[i].fix, bad))
            failf("(password) the password appears in the report");
    if (strstr(errstr, bad))
        failf("(password) the password appears in errstr");
}

static void test_server_id(const struct db *db)
{
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(db, db->user, db->password, 1, NULL, &rep, errstr, sizeof(errstr));
    if (err != SL_ERR_CONF)
        failf("(server id) expected SL_ERR_CONF, got %d: %s", err, errstr);
    expect(&rep, "mysql database.server.id", SL_CHECK_FAIL, "@@server_id", "database.server.id",
           "server id");

    /* a live replica with id 7001 */
    struct sl_client_conf cc = {0};
    cc.db.host = db->host;
    cc.db.port = db->port;
    cc.db.user = db->user;
    cc.db.password = db->password;
    cc.server_id = 7001;
    cc.from = SL_CLIENT_FROM_CURRENT;
    struct sl_client *cl = NULL;
    if (sl_client_new(&cc, &cl, errstr, sizeof(errstr)) ||
        sl_client_start(cl, errstr, sizeof(errstr)))
        die("replica: %s", errstr);
    const uint8_t *data;
    size_t len;
    (void)sl_client_fetch(cl, &data, &len, errstr, sizeof(errstr));
    err = run_checks(db, db->user, db->password, 7001, NULL, &rep, errstr, sizeof(errstr));
    if (err != SL_ERR_CONF)
        failf("(replica id) expected SL_ERR_CONF, got %d: %s", err, errstr);
    expect(&rep, "mysql database.server.id", SL_CHECK_FAIL, "in use by a connected replica", NULL,
           "replica id");
    err = run_checks(db, db->user, db->password, 7002, NULL, &rep, errstr, sizeof(errstr));
    expect(&rep, "mysql database.server.id", SL_CHECK_PASS, "1 connected replica", NULL,
           "other id");
    sl_client_free(cl);
}

static void current_file(const struct db *db, char *file, size_t size)
{
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, db->sock, 0) ||
        mysql_real_query(m, "SHOW MASTER STATUS", 18))
        die("SHOW MASTER STATUS: %s", mysql_error(m));
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (!row || !row[0])
        die("no binlog position");
    snprintf(file, size, "%s", row[0]);
    mysql_free_result(res);
    mysql_close(m);
}

static void test_stored(const struct db *db)
{
    char file[128];
    current_file(db, file, sizeof(file));
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(db, db->user, db->password, 5500, file, &rep, errstr, sizeof(errstr));
    if (err)
        failf("(stored current) error %d: %s", err, errstr);
    expect(&rep, "mysql stored offset", SL_CHECK_PASS, file, NULL, "stored current");
    err =
        run_checks(db, db->user, db->password, 5500, "binlog.000999", &rep, errstr, sizeof(errstr));
    if (err != SL_ERR_NOTFOUND)
        failf("(stored purged) expected SL_ERR_NOTFOUND, got %d", err);
    expect(&rep, "mysql stored offset", SL_CHECK_FAIL, "binlog.000999 was purged",
           "snapshot.mode=when_needed", "stored purged");
}

/* Runs sl_cli_check in a child with stdout to a file; returns the exit status. */
static int cli_check(char *const *argv, int argc, char **out)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/check.out", tmp);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(99);
        close(fd);
        _exit(sl_cli_check(argc, (char **)argv));
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        die("sl_cli_check child died");
    *out = sl_test_read_file(path, NULL);
    if (!*out)
        die("no check output");
    return WEXITSTATUS(st);
}

static bool all_lines_pass(const char *out)
{
    const char *p = out;
    while (*p) {
        if (strncmp(p, "PASS  ", 6) != 0)
            return false;
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    return true;
}

static void test_cli(const struct db *db)
{
    char worker[700], source[700], offsets[700], text[1024];
    snprintf(worker, sizeof(worker), "%s/worker.properties", tmp);
    snprintf(source, sizeof(source), "%s/source.properties", tmp);
    snprintf(offsets, sizeof(offsets), "%s/offsets.jsonl", tmp);
    snprintf(text, sizeof(text), "offset.storage.file.filename=%s\n", offsets);
    write_file(worker, text);
    struct sl_mysql_source_conf conf;
    source_conf(db, db->user, db->password, 5500, source, &conf);
    sl_conf_fini(&conf);

    char *argv[] = {"check", worker, source, NULL};
    char *out = NULL;
    int rc = cli_check(argv, 3, &out);
    if (rc != 0 || !all_lines_pass(out) || !strstr(out, "PASS  mysql binlog_format: "))
        failf("(cli good) exit %d, output:\n%s", rc, out);
    free(out);

    /* a stored offset in a purged file */
    struct sl_offsets_file *of = NULL;
    char errstr[512];
    if (sl_offsets_file_open(offsets, &of, errstr, sizeof(errstr)) ||
        sl_offsets_file_put(of, "shop-source", "{\"server\":\"shop\"}",
                            "{\"file\":\"binlog.000777\",\"pos\":4}") ||
        sl_offsets_file_flush(of, errstr, sizeof(errstr)))
        die("offsets file: %s", errstr);
    sl_offsets_file_free(of);
    rc = cli_check(argv, 3, &out);
    if (rc != 1 || !strstr(out, "FAIL  mysql stored offset: binlog binlog.000777 was purged") ||
        !strstr(out, "\xe2\x80\x94 fix: set snapshot.mode=when_needed"))
        failf("(cli purged) exit %d, output:\n%s", rc, out);
    free(out);

    /* bad usage and a missing connector file */
    char *argv2[] = {"check", worker, NULL};
    rc = cli_check(argv2, 2, &out);
    if (rc != 2)
        failf("(cli usage) exit %d, expected 2", rc);
    free(out);
    char missing[700];
    snprintf(missing, sizeof(missing), "%s/nope.properties", tmp);
    char *argv3[] = {"check", worker, missing, NULL};
    rc = cli_check(argv3, 3, &out);
    if (rc != 1 || !strstr(out, "FAIL  connector file: ") || !strstr(out, "nope.properties"))
        failf("(cli missing file) exit %d, output:\n%s", rc, out);
    free(out);

    /* the installed binary, once main.c knows the command */
    const char *bin = getenv("SLUICE_BIN");
    char cmd[2400];
    snprintf(cmd, sizeof(cmd), "%s check --help >/dev/null 2>&1", bin ? bin : "false");
    if (bin && sl_test_run(cmd, NULL) == 0) {
        unlink(offsets);
        snprintf(cmd, sizeof(cmd), "%s check %s %s", bin, worker, source);
        rc = sl_test_run(cmd, &out);
        if (rc != 0 || !all_lines_pass(out))
            failf("(sluice check) exit %d, output:\n%s", rc, out);
        free(out);
    } else {
        printf("  (sluice binary has no 'check' command yet: binary run skipped)\n");
    }
}

static void test_statement(void)
{
    struct db db;
    start_server(1, "--binlog-format=STATEMENT", &db);
    struct sl_check_report rep;
    char errstr[512];
    sl_err_t err = run_checks(&db, db.user, db.password, 5500, NULL, &rep, errstr, sizeof(errstr));
    if (err != SL_ERR_UNSUPPORTED)
        failf("(statement) expected SL_ERR_UNSUPPORTED, got %d", err);
    expect(&rep, "mysql binlog_format", SL_CHECK_FAIL, "binlog_format=STATEMENT",
           "SET GLOBAL binlog_format=ROW", "statement");
    if (!strstr(errstr, "FAIL  mysql binlog_format: binlog_format=STATEMENT"))
        failf("(statement) errstr: %s", errstr);
}

int main(void)
{
    char *t = sl_test_tmpdir("sl-checks");
    snprintf(tmp, sizeof(tmp), "%s", t);
    free(t);
    struct db db;
    start_server(0, "", &db);
    test_good(&db);
    test_row_image_retention(&db);
    test_grants(&db);
    test_password(&db);
    test_server_id(&db);
    test_stored(&db);
    test_cli(&db);
    test_statement();
    stop_servers();
    sl_test_rmtree(tmp);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
