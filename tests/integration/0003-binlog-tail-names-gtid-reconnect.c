/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice binlog tail` against a server with binlog_row_metadata=MINIMAL: column names,
 * signedness and ENUM/SET labels come from information_schema; starting from a MariaDB GTID
 * skips what came before it; a killed replication connection is re-established and every
 * row is printed exactly once. */
#include <mysql.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

/* Stops the servers and removes the temporary directory on every exit path. */
static char cleanup_cmd[4096];
static char *cleanup_dir;

static void cleanup(void)
{
    if (cleanup_cmd[0])
        sl_test_run(cleanup_cmd, NULL);
    if (cleanup_dir)
        sl_test_rmtree(cleanup_dir);
}

static int failures;

static void expect(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!ok)
        failures++;
}

static void sql(MYSQL *m, const char *q)
{
    if (mysql_real_query(m, q, (unsigned long)strlen(q))) {
        fprintf(stderr, "query failed: %s: %s\n", mysql_error(m), q);
        exit(1);
    }
}

static char *sql_value(MYSQL *m, const char *q)
{
    sql(m, q);
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row = mysql_fetch_row(res);
    char *v = strdup(row && row[0] ? row[0] : "");
    mysql_free_result(res);
    return v;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Current contents of a file (static buffer; "" when unreadable). */
static const char *out_so_far(const char *path)
{
    static char *last;
    free(last);
    last = sl_test_read_file(path, NULL);
    return last ? last : "";
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void)
{
    const char *bin = getenv("SLUICE_BIN");
    if (!bin) {
        fprintf(stderr, "SLUICE_BIN is not set (run through ctest)\n");
        return 1;
    }
    const char *lib = sl_test_src("tests/lib/mariadb.sh");
    char libpath[1024];
    snprintf(libpath, sizeof(libpath), "%s", lib);
    char *dir = sl_test_tmpdir("sl-it-0003");
    cleanup_dir = dir;
    {
        const char *stop_lib = sl_test_src("tests/lib/mariadb.sh");
        snprintf(cleanup_cmd, sizeof(cleanup_cmd), "bash %s stop %s/db", stop_lib, dir);
    }
    atexit(cleanup);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db --binlog-row-metadata=MINIMAL", libpath, dir);
    if (sl_test_run(cmd, NULL) != 0) {
        fprintf(stderr, "could not start MariaDB (is mariadb-server installed?)\n");
        return 1;
    }
    char envpath[1024];
    snprintf(envpath, sizeof(envpath), "%s/db/env", dir);
    char *env = sl_test_read_file(envpath, NULL);
    char port[16] = "", pw[256] = "", sock[1024] = "";
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "MARIADB_PORT=", 13))
            snprintf(port, sizeof(port), "%s", line + 13);
        if (!strncmp(line, "MARIADB_PASSWORD=", 17))
            snprintf(pw, sizeof(pw), "%s", line + 17);
        if (!strncmp(line, "MARIADB_SOCKET=", 15))
            snprintf(sock, sizeof(sock), "%s", line + 15);
    }
    free(env);
    MYSQL *m = mysql_init(NULL);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock, 0)) {
        fprintf(stderr, "connect as root: %s\n", mysql_error(m));
        return 1;
    }
    char base[1024];
    snprintf(base, sizeof(base),
             "SLUICE_MYSQL_PASSWORD='%s' timeout 60 %s binlog tail --host 127.0.0.1 "
             "--port %s --user sluice",
             pw, bin, port);

    /* 1. Names from information_schema. */
    sql(m, "CREATE DATABASE it");
    sql(m, "CREATE TABLE it.t (id INT PRIMARY KEY, u INT UNSIGNED, tu TINYINT UNSIGNED, "
           "e ENUM('red','green','blue'), s SET('a','b','c'), name VARCHAR(20))");
    sql(m, "INSERT INTO it.t VALUES (1, 4294967295, 255, 'blue', 'a,c', 'one')");
    char *out = NULL;
    snprintf(cmd, sizeof(cmd), "%s --from binlog.000001:4 --until-current 2>/dev/null", base);
    int rc = sl_test_run(cmd, &out);
    expect(rc == 0, "tail with MINIMAL metadata exits 0 (got %d)", rc);
    const char *want = "\"after\":{\"id\":1,\"u\":4294967295,\"tu\":255,\"e\":\"blue\","
                       "\"s\":\"a,c\",\"name\":\"one\"}";
    expect(out && strstr(out, want),
           "names, unsigned values and labels from the server:\n"
           "     got  %s     want %s",
           out ? out : "(nothing)\n", want);
    free(out);

    /* 2. Start from a GTID: only what follows it. */
    char *gtid = sql_value(m, "SELECT @@global.gtid_binlog_pos");
    sql(m, "INSERT INTO it.t VALUES (2, 2, 2, 'red', '', 'two')");
    snprintf(cmd, sizeof(cmd), "%s --gtid %s --until-current 2>/dev/null", base, gtid);
    rc = sl_test_run(cmd, &out);
    expect(rc == 0 && out && count(out, "\"op\":\"insert\"") == 1 && strstr(out, "\"id\":2,") &&
               !strstr(out, "\"id\":1,"),
           "--gtid %s prints only the later insert (exit %d): %s", gtid, rc,
           out ? out : "(nothing)");
    free(out);
    free(gtid);

    /* Start positions the server does not have fail with one line naming them. */
    snprintf(cmd, sizeof(cmd), "%s --gtid 0-1-999 --until-current 2>&1 >/dev/null", base);
    rc = sl_test_run(cmd, &out);
    expect(rc == 1 && out && count(out, "\n") == 1 && strstr(out, "GTID 0-1-999") &&
               strstr(out, "not in the master's binlog"),
           "unknown GTID is refused (exit %d): %s", rc, out ? out : "");
    free(out);
    snprintf(cmd, sizeof(cmd), "%s --from binlog.000099:4 --until-current 2>&1 >/dev/null", base);
    rc = sl_test_run(cmd, &out);
    expect(rc == 1 && out && count(out, "\n") == 1 && strstr(out, "binlog.000099:4"),
           "a start past the current position is refused (exit %d): %s", rc, out ? out : "");
    free(out);

    /* 3. Reconnect: kill the dump thread while tailing; rows before and after appear once. */
    /* Earlier tails' dump threads may linger a moment; wait them out so the KILL below hits
     * ours. */
    for (int i = 0; i < 100; i++) {
        char *n = sql_value(m, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                               "WHERE COMMAND = 'Binlog Dump'");
        bool none = strcmp(n, "0") == 0;
        free(n);
        if (none)
            break;
        sleep_ms(100);
    }
    char outpath[1024], errpath[1024], pidpath[1024];
    snprintf(outpath, sizeof(outpath), "%s/tail.json", dir);
    snprintf(errpath, sizeof(errpath), "%s/tail.err", dir);
    snprintf(pidpath, sizeof(pidpath), "%s/tail.pid", dir);
    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD='%s' timeout %d %s binlog tail --host 127.0.0.1 --port %s "
             "--user sluice --from binlog.000001:4 --heartbeat-ms 1000 >%s 2>%s </dev/null & "
             "echo $! >%s",
             pw, 60 * sl_test_timeout_mult(), bin, port, outpath, errpath, pidpath);
    sl_test_run(cmd, NULL);
    /* Kill sluice's dump thread once it streams; retry if the id we saw went away. */
    bool killed = false;
    for (int i = 0; i < 200 && !killed; i++) {
        sleep_ms(100);
        char *id = sql_value(m, "SELECT MAX(ID) FROM information_schema.PROCESSLIST "
                                "WHERE COMMAND = 'Binlog Dump'");
        if (*id) {
            if (i < 100 && !strstr(out_so_far(outpath), "\"id\":2,")) {
                free(id);
                continue;
            }
            char kill[64];
            snprintf(kill, sizeof(kill), "KILL %s", id);
            killed = mysql_real_query(m, kill, (unsigned long)strlen(kill)) == 0;
            if (!killed)
                printf("note: %s: %s\n", kill, mysql_error(m));
        }
        free(id);
    }
    expect(killed, "sluice's Binlog Dump thread was killed");
    sql(m, "INSERT INTO it.t VALUES (3, 3, 3, 'green', 'b', 'three')");
    sql(m, "BEGIN");
    sql(m, "INSERT INTO it.t VALUES (4, 4, 4, 'green', 'b', 'four')");
    sql(m, "UPDATE it.t SET name = 'FOUR' WHERE id = 4");
    sql(m, "COMMIT");
    for (int i = 0; i < 300 && !strstr(out_so_far(outpath), "\"name\":\"FOUR\""); i++)
        sleep_ms(100);
    sleep_ms(500); /* anything duplicated would arrive now */
    char *pid = sl_test_read_file(pidpath, NULL);
    if (pid) {
        snprintf(cmd, sizeof(cmd), "kill %ld 2>/dev/null", strtol(pid, NULL, 10));
        sl_test_run(cmd, NULL);
        free(pid);
    }
    out = sl_test_read_file(outpath, NULL);
    char *err = sl_test_read_file(errpath, NULL);
    bool once = out != NULL;
    for (int i = 1; once && i <= 4; i++) {
        char pat[32];
        snprintf(pat, sizeof(pat), "\"after\":{\"id\":%d,", i);
        once = count(out, pat) == (i == 4 ? 2 : 1);
    }
    expect(once, "after a killed connection every row appears exactly once:\n%s",
           out ? out : "(nothing)");
    expect(err && strstr(err, "reconnecting"), "the reconnect is logged: %s",
           err ? err : "(nothing)");
    free(out);
    free(err);

    mysql_close(m);
    return failures ? 1 : 0;
}
