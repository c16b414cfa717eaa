/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice binlog` on bad input fails with a non-zero exit and one clear line on stderr that
 * names the thing: wrong password, unknown host, refused port, a server writing
 * binlog_format=STATEMENT, a password on the command line, a file that is not a binlog. The
 * password never appears in the message. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void check(const char *what, const char *cmd, int want_rc, const char *must1,
                  const char *must2, const char *never)
{
    char *out = NULL;
    int rc = sl_test_run(cmd, &out);
    const char *o = out ? out : "";
    size_t lines = 0;
    for (const char *p = o; *p; p++)
        lines += *p == '\n';
    bool ok = (want_rc < 0 ? rc != 0 : rc == want_rc) && lines == 1 && strstr(o, must1) &&
              (!must2 || strstr(o, must2)) && (!never || !strstr(o, never));
    printf("%s %s: exit %d: %s", ok ? "ok  " : "FAIL", what, rc, o);
    if (!ok) {
        printf("     (want exit %s%d, one line containing '%s'%s%s%s)\n", want_rc < 0 ? "!=" : "",
               want_rc < 0 ? 0 : want_rc, must1, must2 ? " and '" : "", must2 ? must2 : "",
               must2 ? "'" : "");
        failures++;
    }
    free(out);
}

int main(void)
{
    const char *bin = getenv("SLUICE_BIN");
    if (!bin) {
        fprintf(stderr, "SLUICE_BIN is not set (run through ctest)\n");
        return 1;
    }
    char *dir = sl_test_tmpdir("sl-it-0002");
    cleanup_dir = dir;
    {
        const char *stop_lib = sl_test_src("tests/lib/mariadb.sh");
        snprintf(cleanup_cmd, sizeof(cleanup_cmd), "bash %s stop %s/db", stop_lib, dir);
    }
    atexit(cleanup);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db --binlog-format=STATEMENT",
             sl_test_src("tests/lib/mariadb.sh"), dir);
    if (sl_test_run(cmd, NULL) != 0) {
        fprintf(stderr, "could not start MariaDB (is mariadb-server installed?)\n");
        return 1;
    }
    char envpath[1024];
    snprintf(envpath, sizeof(envpath), "%s/db/env", dir);
    char *env = sl_test_read_file(envpath, NULL);
    char port[16] = "", pw[256] = "";
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "MARIADB_PORT=", 13))
            snprintf(port, sizeof(port), "%s", line + 13);
        if (!strncmp(line, "MARIADB_PASSWORD=", 17))
            snprintf(pw, sizeof(pw), "%s", line + 17);
    }
    free(env);
    char where[64];
    snprintf(where, sizeof(where), "127.0.0.1:%s", port);

    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD=not-the-password-xyz timeout 60 %s binlog tail --host "
             "127.0.0.1 --port %s --user sluice --until-current 2>&1 >/dev/null </dev/null",
             bin, port);
    check("wrong password", cmd, 1, where, "Access denied", "not-the-password-xyz");

    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD='%s' timeout 60 %s binlog tail --host 127.0.0.1 --port %s "
             "--user sluice --until-current 2>&1 >/dev/null </dev/null",
             pw, bin, port);
    check("statement-based server", cmd, 1, where, "binlog_format is STATEMENT", pw);

    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD=pw timeout 60 %s binlog tail --host no-such-host.invalid "
             "--user sluice 2>&1 >/dev/null </dev/null",
             bin);
    check("unknown host", cmd, 1, "no-such-host.invalid:3306", NULL, NULL);

    int free_port = sl_test_free_port();
    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD=pw timeout 60 %s binlog tail --host 127.0.0.1 --port %d "
             "--user sluice 2>&1 >/dev/null </dev/null",
             bin, free_port);
    snprintf(where, sizeof(where), "127.0.0.1:%d", free_port);
    check("refused port", cmd, 1, where, NULL, NULL);

    snprintf(cmd, sizeof(cmd),
             "timeout 60 %s binlog tail --host 127.0.0.1 --user u --password secret "
             "2>&1 >/dev/null </dev/null",
             bin);
    check("password on the command line", cmd, 2, "SLUICE_MYSQL_PASSWORD", NULL, "secret");

    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD=pw timeout 60 %s binlog tail --host "
             "127.0.0.1 --user u --from nocolon 2>&1 >/dev/null </dev/null",
             bin);
    check("bad --from", cmd, 2, "nocolon", NULL, NULL);

    snprintf(cmd, sizeof(cmd), "timeout 60 %s binlog dump %s 2>&1 >/dev/null", bin, envpath);
    check("not a binlog file", cmd, 1, envpath, NULL, NULL);

    snprintf(cmd, sizeof(cmd), "timeout 60 %s binlog dump %s/missing.000001 2>&1 >/dev/null", bin,
             dir);
    check("missing file", cmd, 1, "missing.000001", NULL, NULL);

    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    return 0;
}
