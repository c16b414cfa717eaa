/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice binlog tail` over TLS: a MariaDB with a certificate from a throwaway CA streams rows
 * with --ssl-mode required and verify_identity (given the CA); verify_ca without the CA is
 * refused naming the certificate problem; and a server without TLS is refused under
 * required instead of silently falling back to plain text. */
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

/* Starts a server in dir/name with extra args; fills port and password. */
static bool start(const char *lib, const char *dir, const char *name, const char *args, char *port,
                  char *pw, char *sock)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/%s %s", lib, dir, name, args);
    if (sl_test_run(cmd, NULL) != 0)
        return false;
    snprintf(cmd, sizeof(cmd), "%s/%s/env", dir, name);
    char *env = sl_test_read_file(cmd, NULL);
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "MARIADB_PORT=", 13))
            snprintf(port, 16, "%s", line + 13);
        if (!strncmp(line, "MARIADB_PASSWORD=", 17))
            snprintf(pw, 256, "%s", line + 17);
        if (!strncmp(line, "MARIADB_SOCKET=", 15))
            snprintf(sock, 1024, "%s", line + 15);
    }
    free(env);
    return env != NULL;
}

int main(void)
{
    const char *bin = getenv("SLUICE_BIN");
    if (!bin) {
        fprintf(stderr, "SLUICE_BIN is not set (run through ctest)\n");
        return 1;
    }
    char lib[1024];
    snprintf(lib, sizeof(lib), "%s", sl_test_src("tests/lib/mariadb.sh"));
    char *dir = sl_test_tmpdir("sl-it-0004");
    cleanup_dir = dir;
    {
        const char *stop_lib = sl_test_src("tests/lib/mariadb.sh");
        snprintf(cleanup_cmd, sizeof(cleanup_cmd), "bash %s stop %s/tls; bash %s stop %s/plain",
                 stop_lib, dir, stop_lib, dir);
    }
    atexit(cleanup);
    char cmd[8192];
    snprintf(cmd, sizeof(cmd),
             "cd %s && ( openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
             "-days 2 -subj '/CN=sluice test CA' && openssl req -newkey rsa:2048 -nodes "
             "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' && "
             "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out server.pem -days 2 -extfile ext.cnf ) 2>/dev/null",
             dir);
    if (sl_test_run(cmd, NULL) != 0) {
        fprintf(stderr, "could not make test certificates with openssl\n");
        return 1;
    }
    char args[4096], port[16] = "", pw[256] = "", sock[1024] = "";
    snprintf(args, sizeof(args),
             "--ssl-ca=%s/ca.pem --ssl-cert=%s/server.pem "
             "--ssl-key=%s/server.key",
             dir, dir, dir);
    if (!start(lib, dir, "tls", args, port, pw, sock)) {
        fprintf(stderr, "could not start MariaDB (is mariadb-server installed?)\n");
        return 1;
    }
    snprintf(cmd, sizeof(cmd),
             "mariadb --no-defaults -uroot -S %s -e \"CREATE DATABASE it; CREATE TABLE it.t "
             "(id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO it.t VALUES (1, 'secret')\"",
             sock);
    expect(sl_test_run(cmd, NULL) == 0, "workload ran");

    const char *modes[] = {"required", "verify_identity --ssl-ca CA", "verify_ca --ssl-ca CA"};
    for (int i = 0; i < 3; i++) {
        char mode[1200];
        const char *ca = strstr(modes[i], "CA");
        if (ca && ca[2] == '\0')
            snprintf(mode, sizeof(mode), "%.*s%s/ca.pem", (int)(ca - modes[i]), modes[i], dir);
        else
            snprintf(mode, sizeof(mode), "%s", modes[i]);
        char *out = NULL;
        snprintf(cmd, sizeof(cmd),
                 "SLUICE_MYSQL_PASSWORD='%s' timeout 60 %s binlog tail --host 127.0.0.1 "
                 "--port %s --user sluice --from binlog.000001:4 --until-current "
                 "--ssl-mode %s 2>&1 </dev/null",
                 pw, bin, port, mode);
        int rc = sl_test_run(cmd, &out);
        expect(rc == 0 && out && strstr(out, "\"after\":{\"id\":1,\"v\":\"secret\"}"),
               "--ssl-mode %s streams rows (exit %d): %s", modes[i], rc, out ? out : "");
        free(out);
    }
    char *out = NULL;
    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD='%s' timeout 60 %s binlog tail --host 127.0.0.1 --port %s "
             "--user sluice --until-current --ssl-mode verify_ca 2>&1 >/dev/null </dev/null",
             pw, bin, port);
    int rc = sl_test_run(cmd, &out);
    expect(rc == 1 && out && strstr(out, "certificate") && strstr(out, port),
           "verify_ca without the CA is refused (exit %d): %s", rc, out ? out : "");
    free(out);

    char port2[16] = "", pw2[256] = "", sock2[1024] = "";
    if (!start(lib, dir, "plain", "", port2, pw2, sock2)) {
        fprintf(stderr, "could not start the second MariaDB\n");
        return 1;
    }
    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD='%s' timeout 60 %s binlog tail --host 127.0.0.1 --port %s "
             "--user sluice --until-current --ssl-mode required 2>&1 >/dev/null </dev/null",
             pw2, bin, port2);
    rc = sl_test_run(cmd, &out);
    expect(rc == 1 && out && strstr(out, "TLS is required") && strstr(out, port2),
           "required against a server without TLS is refused (exit %d): %s", rc, out ? out : "");
    free(out);

    return failures ? 1 : 0;
}
