/* SPDX-License-Identifier: Apache-2.0 */
/* A replication connection cut in the middle of a large transaction: sluice reconnects and
 * resumes after the last complete transaction, so every row of every transaction is printed
 * exactly once. The cut is made by a small TCP proxy between sluice and MariaDB that closes
 * the first connection after a fixed number of bytes from the server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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

#define BIG_ROWS 20000
#define CUT_AFTER (300 * 1024)

/* Relays one client connection to 127.0.0.1:up_port; closes both after cut bytes from the
 * server when cut > 0. */
static void relay(int cfd, int up_port, long cut)
{
    int sfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)up_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(sfd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(cfd);
        close(sfd);
        return;
    }
    long from_server = 0;
    char buf[16384];
    for (;;) {
        struct pollfd pfd[2] = {{cfd, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(pfd, 2, -1) < 0)
            break;
        if (pfd[0].revents) {
            ssize_t n = read(cfd, buf, sizeof(buf));
            if (n <= 0 || write(sfd, buf, (size_t)n) != n)
                break;
        }
        if (pfd[1].revents) {
            size_t want = sizeof(buf);
            if (cut > 0 && (long)want > cut - from_server)
                want = (size_t)(cut - from_server);
            ssize_t n = read(sfd, buf, want);
            if (n <= 0 || write(cfd, buf, (size_t)n) != n)
                break;
            from_server += n;
            if (cut > 0 && from_server >= cut)
                break;
        }
    }
    close(cfd);
    close(sfd);
}

/* Child process: accepts forever, serving each connection in turn; the first is cut. */
static void proxy(int lfd, int up_port)
{
    for (int nconn = 0;; nconn++) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0)
            _exit(0);
        pid_t pid = fork();
        if (pid == 0) {
            close(lfd);
            relay(cfd, up_port, nconn == 0 ? CUT_AFTER : 0);
            _exit(0);
        }
        close(cfd);
    }
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
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
    char *dir = sl_test_tmpdir("sl-it-0005");
    cleanup_dir = dir;
    {
        const char *stop_lib = sl_test_src("tests/lib/mariadb.sh");
        snprintf(cleanup_cmd, sizeof(cleanup_cmd), "bash %s stop %s/db", stop_lib, dir);
    }
    atexit(cleanup);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db", lib, dir);
    if (sl_test_run(cmd, NULL) != 0) {
        fprintf(stderr, "could not start MariaDB (is mariadb-server installed?)\n");
        return 1;
    }
    snprintf(cmd, sizeof(cmd), "%s/db/env", dir);
    char *env = sl_test_read_file(cmd, NULL);
    int port = 0;
    char pw[256] = "", sock[1024] = "";
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "MARIADB_PORT=", 13))
            port = (int)strtol(line + 13, NULL, 10);
        if (!strncmp(line, "MARIADB_PASSWORD=", 17))
            snprintf(pw, sizeof(pw), "%s", line + 17);
        if (!strncmp(line, "MARIADB_SOCKET=", 15))
            snprintf(sock, sizeof(sock), "%s", line + 15);
    }
    free(env);

    /* Three transactions: small, BIG_ROWS rows in one, small. */
    snprintf(cmd, sizeof(cmd),
             "mariadb --no-defaults -uroot -S %s -e \"CREATE DATABASE it; "
             "CREATE TABLE it.t (id INT PRIMARY KEY, pad VARCHAR(40)); "
             "INSERT INTO it.t VALUES (1, 'first'); "
             "SET SESSION max_recursive_iterations = 1000000; "
             "INSERT INTO it.t WITH RECURSIVE c(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM c "
             "WHERE n < %d) SELECT n, REPEAT('x', 30) FROM c; "
             "INSERT INTO it.t VALUES (%d, 'last')\"",
             sock, BIG_ROWS + 1, BIG_ROWS + 2);
    if (sl_test_run(cmd, NULL) != 0) {
        fprintf(stderr, "workload failed: %s\n", cmd);
        return 1;
    }

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8) ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
        fprintf(stderr, "cannot listen for the proxy\n");
        return 1;
    }
    int pport = ntohs(sa.sin_port);
    fflush(stdout);
    pid_t ppid = fork();
    if (ppid == 0)
        proxy(lfd, port);
    close(lfd);

    char *out = NULL;
    char errpath[1024];
    snprintf(errpath, sizeof(errpath), "%s/tail.err", dir);
    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD='%s' timeout %d %s binlog tail --host 127.0.0.1 --port %d "
             "--user sluice --from binlog.000001:4 --until-current 2>%s </dev/null",
             pw, 120 * sl_test_timeout_mult(), bin, pport, errpath);
    int rc = sl_test_run(cmd, &out);
    char *err = sl_test_read_file(errpath, NULL);
    kill(ppid, SIGTERM);
    waitpid(ppid, NULL, 0);

    int failures = 0;
    if (rc != 0) {
        printf("FAIL tail exited with %d: %s\n", rc, err ? err : "");
        failures++;
    }
    if (!err || !strstr(err, "reconnecting")) {
        printf("FAIL the connection was not cut and re-established: %s\n", err ? err : "");
        failures++;
    }
    int inserts = out ? count(out, "\"op\":\"insert\"") : 0;
    if (inserts != BIG_ROWS + 2) {
        printf("FAIL %d inserts printed, want %d (each row exactly once)\n", inserts, BIG_ROWS + 2);
        failures++;
    }
    /* Spot-check ids across the transaction, each exactly once. */
    for (int id = 1; out && id <= BIG_ROWS + 2; id += 997) {
        char pat[48];
        snprintf(pat, sizeof(pat), "\"after\":{\"id\":%d,", id);
        if (count(out, pat) != 1) {
            printf("FAIL id %d printed %d times\n", id, count(out, pat));
            failures++;
        }
    }
    if (!failures)
        printf("ok   cut mid-transaction after %d bytes; %d rows printed exactly once\n", CUT_AFTER,
               inserts);
    free(out);
    free(err);
    return failures ? 1 : 0;
}
