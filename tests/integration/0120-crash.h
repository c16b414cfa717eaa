/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the crash tests 0120-0122: a seeded RNG, a throwaway MariaDB, dynalite and
 * librdkafka's mock cluster (in this process), a `sluice standalone` child that is SIGKILLed and
 * restarted, and a deterministic writer of row changes. The writer's table is
 * salesdb.T (ORDER_ID INT PRIMARY KEY, VERSION INT NOT NULL, NOTE VARCHAR(64)): every INSERT and
 * UPDATE gives the row the next value of one global version counter, so a version names exactly
 * one change, and a DELETE is named by the version of the row it removed. */
#ifndef SL_TEST_0120_CRASH_H
#define SL_TEST_0120_CRASH_H

#include <mysql.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus/mock.h"
#include "core/time.h"
#include "testlib.h"

static int failures;
static char errstr[1024];
static char dir[512];
static char logpath[700];
static char endpoint[128];
static char sock[600];
static char port[16];
static char pw[256];
static pid_t child;
static int starts;
static struct sl_mock *mock;
static bool have_db, have_ddb;

static inline void cleanup(void);

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FATAL %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            log_tail(40);                                                                          \
            cleanup();                                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static unsigned rng_state;

static inline unsigned rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* The seed from SL_CRASH_SEED or the clock; printed so a failing run can be repeated. */
static inline unsigned seed_init(void)
{
    const char *v = getenv("SL_CRASH_SEED");
    unsigned seed = v && *v ? (unsigned)strtoul(v, NULL, 10) : (unsigned)time(NULL);
    printf("seed %u (SL_CRASH_SEED=%u repeats this run)\n", seed, seed);
    fflush(stdout);
    rng_state = seed ? seed : 1;
    return seed;
}

static inline int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? (int)strtol(v, NULL, 10) : def;
}

static inline void log_tail(int n)
{
    char *text = sl_test_read_file(logpath, NULL);
    if (!text)
        return;
    size_t len = strlen(text);
    const char *p = text + len;
    while (p > text && n >= 0) {
        p--;
        if (*p == '\n')
            n--;
    }
    fprintf(stderr, "sluice log (tail):\n%s\n", p);
    free(text);
}

static inline void cleanup(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
    char cmd[1200];
    if (have_db) {
        snprintf(cmd, sizeof(cmd), "bash %s stop %s/db", sl_test_src("tests/lib/mariadb.sh"), dir);
        sl_test_run(cmd, NULL);
    }
    if (have_ddb) {
        snprintf(cmd, sizeof(cmd), "bash %s stop %s/ddb", sl_test_src("tests/lib/dynalite.sh"),
                 dir);
        sl_test_run(cmd, NULL);
    }
    sl_mock_free(mock);
    mock = NULL;
    if (!getenv("SL_TEST_KEEP"))
        sl_test_rmtree(dir);
}

static inline void env_value(const char *path, const char *key, char *out, size_t out_size)
{
    char *env = sl_test_read_file(path, NULL);
    REQUIRE(env, "no %s", path);
    size_t klen = strlen(key);
    out[0] = '\0';
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, key, klen) && line[klen] == '=')
            snprintf(out, out_size, "%s", line + klen + 1);
    }
    free(env);
}

static inline void write_file(const char *name, const char *text)
{
    char path[800];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    REQUIRE(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* The temporary directory plus whichever servers the test needs. */
static inline void setup(const char *name, bool db, bool ddb, bool kafka)
{
    char *tmp = sl_test_tmpdir(name);
    snprintf(dir, sizeof(dir), "%s", tmp);
    free(tmp);
    snprintf(logpath, sizeof(logpath), "%s/sluice.log", dir);
    char cmd[1200], path[700];
    if (db) {
        have_db = true;
        snprintf(cmd, sizeof(cmd), "bash %s start %s/db >/dev/null",
                 sl_test_src("tests/lib/mariadb.sh"), dir);
        REQUIRE(sl_test_run(cmd, NULL) == 0, "could not start MariaDB");
        snprintf(path, sizeof(path), "%s/db/env", dir);
        env_value(path, "MARIADB_PORT", port, sizeof(port));
        env_value(path, "MARIADB_PASSWORD", pw, sizeof(pw));
        env_value(path, "MARIADB_SOCKET", sock, sizeof(sock));
    }
    if (ddb) {
        have_ddb = true;
        snprintf(cmd, sizeof(cmd), "bash %s start %s/ddb >/dev/null",
                 sl_test_src("tests/lib/dynalite.sh"), dir);
        REQUIRE(sl_test_run(cmd, NULL) == 0, "could not start dynalite");
        snprintf(path, sizeof(path), "%s/ddb/env", dir);
        env_value(path, "DYNALITE_ENDPOINT", endpoint, sizeof(endpoint));
    }
    if (kafka) {
        mock = sl_mock_new(1, errstr, sizeof(errstr));
        REQUIRE(mock, "mock cluster: %s", errstr);
    }
}

/* ---- the sluice child ---- */

static const char *sluice_files[4];

static inline void sluice_start(void)
{
    const char *bin = getenv("SLUICE_BIN");
    REQUIRE(bin, "SLUICE_BIN is not set (run through ctest)");
    char paths[4][800];
    const char *argv[8] = {bin, "standalone"};
    int n = 2;
    for (int i = 0; i < 4 && sluice_files[i]; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, sluice_files[i]);
        argv[n++] = paths[i];
    }
    argv[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    sl_test_cloexec_fds(); /* the mock's sockets stay here (testlib.h) */
    child = fork();
    REQUIRE(child >= 0, "fork failed");
    if (child == 0) {
        FILE *log = freopen(logpath, "a", stderr);
        (void)log;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    starts++;
}

static inline int log_count(const char *what)
{
    char *text = sl_test_read_file(logpath, NULL);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, what)); p++)
        n++;
    free(text);
    return n;
}

/* Fails when the child exited by itself: nothing here stops it but the test's SIGKILL. */
static inline void sluice_alive(void)
{
    int st = 0;
    REQUIRE(waitpid(child, &st, WNOHANG) == 0, "sluice exited on its own (status %d)", st);
}

/* Waits until the log holds `what` at least count times (the child must stay up). */
static inline void wait_log(const char *what, int count, int seconds)
{
    int64_t deadline = sl_time_mono_ms() + (int64_t)seconds * 1000 * sl_test_timeout_mult();
    while (log_count(what) < count) {
        sluice_alive();
        REQUIRE(sl_time_mono_ms() < deadline, "no '%s' (x%d) in the log", what, count);
        usleep(50000);
    }
}

static inline void sluice_kill(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
}

static inline int sluice_term(void)
{
    kill(child, SIGTERM);
    int64_t deadline = sl_time_mono_ms() + 30000LL * sl_test_timeout_mult();
    int st = 0;
    while (waitpid(child, &st, WNOHANG) == 0) {
        if (sl_time_mono_ms() > deadline)
            return -1;
        usleep(50000);
    }
    child = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- the writer ---- */

enum { OP_INS = 1, OP_UPD = 2, OP_DEL = 3 };

struct change {
    int key;
    int op;
    int ver; /* the new version (insert, update) or the removed one (delete) */
};

struct writer {
    MYSQL *m;
    int keys;
    int *cur_ver;       /* per key: current version, 0 = no row */
    struct change *log; /* every committed change in commit order */
    int n, cap;
    int next_ver;
};

static inline void writer_init(struct writer *w, int keys, int cap)
{
    memset(w, 0, sizeof(*w));
    w->keys = keys;
    w->cap = cap;
    w->cur_ver = calloc((size_t)keys, sizeof(int));
    w->log = calloc((size_t)cap + 64, sizeof(struct change));
    REQUIRE(w->cur_ver && w->log, "out of memory");
    w->m = mysql_init(NULL);
    REQUIRE(w->m && mysql_real_connect(w->m, NULL, "root", NULL, NULL, 0, sock,
                                       CLIENT_MULTI_STATEMENTS),
            "writer cannot connect: %s", w->m ? mysql_error(w->m) : "");
    REQUIRE(mysql_query(w->m, "CREATE DATABASE IF NOT EXISTS salesdb") == 0 &&
                mysql_query(w->m, "CREATE TABLE salesdb.T (ORDER_ID INT PRIMARY KEY, "
                                  "VERSION INT NOT NULL, NOTE VARCHAR(64))") == 0,
            "create table: %s", mysql_error(w->m));
}

static inline void writer_fini(struct writer *w)
{
    if (w->m)
        mysql_close(w->m);
    free(w->cur_ver);
    free(w->log);
    memset(w, 0, sizeof(*w));
}

/* One transaction of up to max_rows single-row statements (BEGIN ... COMMIT in one round
 * trip); returns the number of changes it committed. */
static inline int writer_txn(struct writer *w, int max_rows)
{
    static char q[64 * 1024];
    size_t len = (size_t)snprintf(q, sizeof(q), "BEGIN;");
    int rows = 1 + (int)(rnd() % (unsigned)max_rows);
    if (rows > w->cap - w->n)
        rows = w->cap - w->n;
    int first = w->n;
    for (int i = 0; i < rows; i++) {
        int key = 1 + (int)(rnd() % (unsigned)w->keys);
        struct change *c = &w->log[w->n++];
        c->key = key;
        int *cur = &w->cur_ver[key - 1];
        if (*cur == 0) {
            c->op = OP_INS;
            c->ver = ++w->next_ver;
            len += (size_t)snprintf(q + len, sizeof(q) - len,
                                    "INSERT INTO salesdb.T VALUES (%d,%d,'n%d-k%d');", key, c->ver,
                                    c->ver, key);
            *cur = c->ver;
        } else if (rnd() % 4 != 0) {
            c->op = OP_UPD;
            c->ver = ++w->next_ver;
            len += (size_t)snprintf(q + len, sizeof(q) - len,
                                    "UPDATE salesdb.T SET VERSION=%d, NOTE='n%d-k%d' WHERE "
                                    "ORDER_ID=%d;",
                                    c->ver, c->ver, key, key);
            *cur = c->ver;
        } else {
            c->op = OP_DEL;
            c->ver = *cur;
            len += (size_t)snprintf(q + len, sizeof(q) - len,
                                    "DELETE FROM salesdb.T WHERE ORDER_ID=%d;", key);
            *cur = 0;
        }
        REQUIRE(len < sizeof(q) - 256, "transaction text too long");
    }
    len += (size_t)snprintf(q + len, sizeof(q) - len, "COMMIT");
    REQUIRE(mysql_real_query(w->m, q, (unsigned long)len) == 0, "transaction: %s",
            mysql_error(w->m));
    int st;
    do {
        MYSQL_RES *res = mysql_store_result(w->m);
        if (res)
            mysql_free_result(res);
        REQUIRE(mysql_errno(w->m) == 0, "transaction: %s", mysql_error(w->m));
    } while ((st = mysql_next_result(w->m)) == 0);
    REQUIRE(st == -1, "transaction: %s", mysql_error(w->m));
    return w->n - first;
}

/* The table as it is now: version per key (0 = no row); notes are checked to be n<ver>-k<key>. */
static inline void table_versions(struct writer *w, int *out)
{
    memset(out, 0, sizeof(int) * (size_t)w->keys);
    REQUIRE(mysql_query(w->m, "SELECT ORDER_ID, VERSION, NOTE FROM salesdb.T") == 0, "select: %s",
            mysql_error(w->m));
    MYSQL_RES *res = mysql_store_result(w->m);
    REQUIRE(res, "select: %s", mysql_error(w->m));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        int key = (int)strtol(row[0], NULL, 10);
        int ver = (int)strtol(row[1], NULL, 10);
        char note[96];
        snprintf(note, sizeof(note), "n%d-k%d", ver, key);
        REQUIRE(key >= 1 && key <= w->keys, "key %d out of range", key);
        REQUIRE(row[2] && !strcmp(row[2], note), "row %d has NOTE %s", key, row[2]);
        out[key - 1] = ver;
    }
    mysql_free_result(res);
}

#endif
