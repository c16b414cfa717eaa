/* SPDX-License-Identifier: Apache-2.0 */
/* The chaos engine: drives the whole pipeline (MariaDB -> `sluice standalone` -> DynamoDB, in
 * embedded mode or through librdkafka's mock Kafka cluster running in this process) under a
 * mixed insert/update/delete load on a SALES_ORDER-like table while injecting faults at random:
 * SIGKILL of sluice and restart, MariaDB stopped (SIGTERM) and started again on the same data,
 * the source's MySQL connections cut or stalled by a TCP proxy (tcpproxy.h), DynamoDB
 * throttling, 5xx, dropped connections and partial batches through the sink engineer's fault
 * proxy (tests/faults/), Kafka broker down and request errors. Then the load stops, the faults
 * stop, and the run waits until DynamoDB equals MySQL row by row (or a timeout) and prints the
 * figures: changes applied, faults by kind, sluice restarts, rows differing (must be 0, the
 * first differing keys are named).
 *
 * Header-only, included by tests/integration/0100-chaos-short.c (the short run in `make test`)
 * and run for longer by tests/chaos/run-long.sh through SL_CHAOS_* variables. Threads: the
 * writers and the large transaction each have their own MariaDB connection over the server's
 * socket (never through the proxy, which sits between sluice and MariaDB only); the calling
 * thread injects faults and checks. */
#ifndef SL_CHAOS_H
#define SL_CHAOS_H

#include <errno.h>
#include <inttypes.h>
#include <mysql.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../faults/proxy.c"
#include "bus/mock.h"
#include "core/time.h"
#include "tcpproxy.h"
#include "testlib.h"

#define CHAOS_TOPIC "salesdb.salesdb.SALES_ORDER"
#define CHAOS_TABLE "kafka_" CHAOS_TOPIC
/* librdkafka's mock keeps at most 5 MiB (or 100,000 message sets) per partition and deletes
 * the oldest beyond that, consumed or not (rdkafka_mock.c, max_size/max_cnt, not settable):
 * more partitions give the sink more room to lag behind a large transaction. */
#define CHAOS_PARTS 12
#define CHAOS_BIG_BASE 1000000 /* ids of the large transaction start above this */

struct chaos_opts {
    bool kafka;    /* Kafka mode (mock cluster) instead of embedded */
    int seconds;   /* load duration */
    int writers;   /* writer threads */
    int keys;      /* key space of the churn */
    int big_rows;  /* rows of the one large transaction; 0 = none */
    int catchup_s; /* longest wait for DynamoDB to equal MySQL after the load */
    int pace_ms;   /* mean pause of a writer between transactions */
    unsigned seed;
};

enum {
    CHAOS_F_KILL,
    CHAOS_F_DB_RESTART,
    CHAOS_F_CUT,
    CHAOS_F_STALL,
    CHAOS_F_DDB,
    CHAOS_F_KAFKA_DOWN,
    CHAOS_F_KAFKA_ERRORS,
    CHAOS_F__COUNT
};

/* Short names for SL_CHAOS_FAULTS (a comma-separated subset; unset = all). */
static const char *const chaos_fault_keys[CHAOS_F__COUNT] = {"kill", "db",    "cut", "stall",
                                                             "ddb",  "kdown", "kerr"};

static const char *const chaos_fault_names[CHAOS_F__COUNT] = {
    "sluice SIGKILL+restart",    "MariaDB stop+start",     "MySQL connections cut",
    "MySQL connections stalled", "DynamoDB fault windows", "Kafka broker down+up",
    "Kafka request error bursts"};

struct chaos {
    struct chaos_opts o;
    char dir[512];
    char logpath[700];
    char sock[600];
    char pw[256];
    char ddb_direct[128];
    int db_port;
    pid_t child;
    struct sl_tcpproxy *tcp;
    struct sl_fault_proxy *ddbpx;
    struct sl_mock *mock;
    atomic_int stop_load;
    atomic_int db_down;
    atomic_ullong changes;    /* rows changed by committed statements */
    atomic_ullong commits;    /* committed transactions (autocommit statements included) */
    atomic_ullong sql_errors; /* failed statements/transactions (rolled back or unknown) */
    atomic_int big_state;     /* 0 not started, 1 running, 2 committed, 3 gave up */
    atomic_llong big_ms;
    int faults[CHAOS_F__COUNT];
    int bag[CHAOS_F__COUNT]; /* fault kinds still to draw in this round */
    int bag_n;
    int restarts;           /* sluice starts after the first */
    int unexpected_exits;   /* sluice exited without being killed */
    int connector_failures; /* "worker connector ... failed" while the process lived */
    int failed_seen;        /* such lines already counted */
    int failures;
    unsigned rng;
};

static void chaos_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    printf("[chaos %02d:%02d:%02d] ", tm.tm_hour, tm.tm_min, tm.tm_sec);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

/* A 32-bit mix of a Weyl sequence (splitmix-style): cheap, and well spread in the low bits. */
static unsigned chaos_rand(unsigned *state)
{
    *state += 0x9e3779b9u;
    unsigned z = *state;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
}

static void chaos_env_value(const char *path, const char *key, char *out, size_t out_size)
{
    char *env = sl_test_read_file(path, NULL);
    out[0] = '\0';
    if (!env)
        return;
    size_t klen = strlen(key);
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, key, klen) && line[klen] == '=')
            snprintf(out, out_size, "%s", line + klen + 1);
    }
    free(env);
}

static void chaos_write_file(struct chaos *c, const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        chaos_say("FAIL cannot write %s", path);
        c->failures++;
        return;
    }
    fputs(text, f);
    fclose(f);
}

static bool chaos_log_has(struct chaos *c, const char *what)
{
    char *text = sl_test_read_file(c->logpath, NULL);
    bool has = text && strstr(text, what);
    free(text);
    return has;
}

/* Prints the last n lines of the sluice log. */
static void chaos_log_tail(struct chaos *c, int n)
{
    char cmd[900];
    snprintf(cmd, sizeof(cmd), "tail -n %d %s", n, c->logpath);
    char *out = NULL;
    sl_test_run(cmd, &out);
    printf("---- last %d lines of %s ----\n%s---- end of log ----\n", n, c->logpath,
           out ? out : "");
    free(out);
}

static MYSQL *chaos_connect(struct chaos *c)
{
    MYSQL *m = mysql_init(NULL);
    if (!m)
        return NULL;
    unsigned int tmo = 5;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &tmo);
    unsigned int rw = 30;
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, c->sock, 0)) {
        mysql_close(m);
        return NULL;
    }
    return m;
}

/* ---- sluice ---- */

static void chaos_sluice_start(struct chaos *c)
{
    const char *bin = getenv("SLUICE_BIN");
    char worker[700], source[700], sink[700];
    snprintf(worker, sizeof(worker), "%s/worker.properties", c->dir);
    snprintf(source, sizeof(source), "%s/source.properties", c->dir);
    snprintf(sink, sizeof(sink), "%s/sink.properties", c->dir);
    fflush(stdout);
    sl_test_cloexec_fds(); /* the mock's sockets stay here (testlib.h) */
    pid_t p = fork();
    if (p == 0) {
        FILE *log = freopen(c->logpath, "a", stderr);
        (void)log;
        execl(bin, bin, "standalone", worker, source, sink, (char *)NULL);
        _exit(127);
    }
    c->child = p;
}

static void chaos_sluice_kill(struct chaos *c)
{
    if (c->child > 0) {
        kill(c->child, SIGKILL);
        waitpid(c->child, NULL, 0);
        c->child = 0;
    }
}

/* Restarts sluice when it exited on its own (a bug unless it is a documented give-up). */
static void chaos_sluice_check(struct chaos *c)
{
    int st = 0;
    if (c->child > 0 && waitpid(c->child, &st, WNOHANG) == c->child) {
        c->child = 0;
        c->unexpected_exits++;
        chaos_say("sluice exited on its own (status %d); restarting it", st);
        chaos_log_tail(c, 15);
        chaos_sluice_start(c);
        c->restarts++;
    }
}

/* Counts connectors that failed inside a live process (the worker then runs without them, as
 * Kafka Connect does, and nothing recovers them short of a restart); restarts sluice, as an
 * operator would, so the run can go on and still check the data. */
static void chaos_connectors_check(struct chaos *c)
{
    char *text = sl_test_read_file(c->logpath, NULL);
    int n = 0;
    const char *first = NULL;
    for (const char *p = text; p && (p = strstr(p, "ERROR worker connector ")); p++) {
        if (n++ == c->failed_seen)
            first = p;
    }
    if (n > c->failed_seen) {
        const char *eol = strchr(first, '\n');
        chaos_say("FAIL a connector failed inside the running sluice (%.*s); restarting sluice",
                  (int)(eol ? eol - first : 200), first);
        c->connector_failures += n - c->failed_seen;
        c->failed_seen = n;
        chaos_sluice_kill(c);
        chaos_sluice_start(c);
        c->restarts++;
    }
    free(text);
}

/* ---- load ---- */

static const char *const chaos_modes[] = {"STANDARD", "ONE-DAY", "TWO-DAY", "SAME-DAY", "FREIGHT"};

/* One random statement into sql; returns its kind (0 insert, 1 update, 2 delete). */
static int chaos_statement(struct chaos *c, unsigned *rng, char *sql, size_t size)
{
    int id = 1 + (int)(chaos_rand(rng) % (unsigned)c->o.keys);
    int site = 1000 + id % 97;
    unsigned r = chaos_rand(rng) % 100;
    const char *mode = chaos_modes[chaos_rand(rng) % 5];
    unsigned sec = chaos_rand(rng) % 86400;
    char note[80];
    if (chaos_rand(rng) % 10 == 0)
        snprintf(note, sizeof(note), "NULL");
    else
        snprintf(note, sizeof(note), "'n%u-%u'", chaos_rand(rng) % 100000, r);
    if (r < 40) {
        snprintf(sql, size,
                 "INSERT INTO salesdb.SALES_ORDER VALUES (%d, %d, "
                 "'2022-06-15 00:00:00' + INTERVAL %u SECOND, '%s', 1, %s) ON DUPLICATE KEY "
                 "UPDATE VERSION=VERSION+1, SHIP_MODE=VALUES(SHIP_MODE), NOTE=VALUES(NOTE)",
                 id, site, sec, mode, note);
        return 0;
    }
    if (r < 80) {
        snprintf(sql, size,
                 "UPDATE salesdb.SALES_ORDER SET VERSION=VERSION+1, SHIP_MODE='%s', "
                 "ORDER_DATE='2022-06-16 00:00:00' + INTERVAL %u SECOND, NOTE=%s "
                 "WHERE ORDER_ID=%d",
                 mode, sec, note, id);
        return 1;
    }
    snprintf(sql, size, "DELETE FROM salesdb.SALES_ORDER WHERE ORDER_ID=%d", id);
    return 2;
}

static bool chaos_conn_lost(MYSQL *m)
{
    unsigned e = mysql_errno(m);
    return e == 2006 || e == 2013 || e == 2002 || e == 2003 || e == 1927 || e == 1053;
}

struct chaos_writer {
    struct chaos *c;
    unsigned rng;
};

static void *chaos_writer_main(void *arg)
{
    struct chaos_writer *w = arg;
    struct chaos *c = w->c;
    MYSQL *m = NULL;
    char sql[512];
    while (!atomic_load(&c->stop_load)) {
        if (!m) {
            m = chaos_connect(c);
            if (!m) {
                usleep(100000);
                continue;
            }
        }
        bool txn = chaos_rand(&w->rng) % 100 < 30;
        int n = txn ? 2 + (int)(chaos_rand(&w->rng) % 7) : 1;
        unsigned long long rows = 0;
        bool ok = true;
        if (txn && mysql_query(m, "BEGIN"))
            ok = false;
        for (int i = 0; ok && i < n; i++) {
            int kind = chaos_statement(c, &w->rng, sql, sizeof(sql));
            if (mysql_query(m, sql)) {
                ok = false;
                break;
            }
            my_ulonglong a = mysql_affected_rows(m);
            rows += kind == 0 && a == 2 ? 1 : a;
        }
        if (ok && txn && mysql_query(m, "COMMIT"))
            ok = false;
        if (ok) {
            atomic_fetch_add(&c->changes, rows);
            atomic_fetch_add(&c->commits, 1);
        } else {
            atomic_fetch_add(&c->sql_errors, 1);
            if (chaos_conn_lost(m)) {
                mysql_close(m);
                m = NULL;
            } else {
                mysql_query(m, "ROLLBACK");
            }
        }
        unsigned pace = (unsigned)(c->o.pace_ms > 0 ? c->o.pace_ms : 1) * 1000u;
        usleep(pace / 2 + chaos_rand(&w->rng) % pace);
    }
    if (m)
        mysql_close(m);
    return NULL;
}

/* The one large transaction: big_rows INSERTs in 2,000-row statements, one COMMIT; retried
 * when a fault breaks it (the rollback leaves nothing behind). */
static void *chaos_big_main(void *arg)
{
    struct chaos *c = arg;
    size_t cap = 2000 * 160 + 256;
    char *sql = malloc(cap);
    for (int attempt = 0; attempt < 6 && sql && !atomic_load(&c->stop_load); attempt++) {
        MYSQL *m = chaos_connect(c);
        if (!m) {
            usleep(500000);
            attempt--;
            continue;
        }
        atomic_store(&c->big_state, 1);
        int64_t t0 = sl_time_mono_ms();
        bool ok = !mysql_query(m, "BEGIN");
        for (int done = 0; ok && done < c->o.big_rows;) {
            size_t len = (size_t)snprintf(sql, cap, "INSERT INTO salesdb.SALES_ORDER VALUES ");
            int n = c->o.big_rows - done < 2000 ? c->o.big_rows - done : 2000;
            for (int i = 0; i < n; i++) {
                int id = CHAOS_BIG_BASE + done + i + 1;
                len += (size_t)snprintf(sql + len, cap - len,
                                        "%s(%d,%d,'2022-07-01 00:00:00','FREIGHT',1,"
                                        "'big-transaction-row-with-a-longer-note-0123456789')",
                                        i ? "," : "", id, 1000 + id % 97);
            }
            ok = !mysql_query(m, sql);
            done += n;
        }
        ok = ok && !mysql_query(m, "COMMIT");
        if (ok) {
            atomic_fetch_add(&c->changes, (unsigned long long)c->o.big_rows);
            atomic_fetch_add(&c->commits, 1);
            atomic_store(&c->big_ms, sl_time_mono_ms() - t0);
            atomic_store(&c->big_state, 2);
            chaos_say("large transaction of %d rows committed in %" PRId64 " ms", c->o.big_rows,
                      sl_time_mono_ms() - t0);
            mysql_close(m);
            free(sql);
            return NULL;
        }
        chaos_say("large transaction attempt %d failed (%s); retrying", attempt + 1,
                  mysql_error(m));
        mysql_query(m, "ROLLBACK");
        mysql_close(m);
        usleep(500000);
    }
    atomic_store(&c->big_state, 3);
    free(sql);
    return NULL;
}

/* ---- faults ---- */

static void chaos_db(struct chaos *c, const char *what)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s %s %s/db", sl_test_src("tests/chaos/mariadb-bounce.sh"),
             what, c->dir);
    if (sl_test_run(cmd, NULL) != 0) {
        chaos_say("FAIL mariadb-bounce.sh %s failed", what);
        c->failures++;
    }
}

static void chaos_sleep_ms(struct chaos *c, int ms)
{
    int64_t end = sl_time_mono_ms() + ms;
    while (sl_time_mono_ms() < end) {
        chaos_sluice_check(c);
        usleep(50000);
    }
}

/* The fault kinds this run draws from (mode, SL_CHAOS_FAULTS); returns how many. */
static int chaos_fault_kinds(struct chaos *c, int *kinds)
{
    int nk = 0;
    const char *only = getenv("SL_CHAOS_FAULTS");
    for (int k = 0; k < CHAOS_F__COUNT; k++) {
        if (!c->o.kafka && (k == CHAOS_F_KAFKA_DOWN || k == CHAOS_F_KAFKA_ERRORS))
            continue;
        if (only && *only) {
            char want[16];
            snprintf(want, sizeof(want), ",%s,", chaos_fault_keys[k]);
            char list[256];
            snprintf(list, sizeof(list), ",%s,", only);
            if (!strstr(list, want))
                continue;
        }
        kinds[nk++] = k;
    }
    return nk;
}

/* librdkafka 2.0.2's mock keeps a broker's port bound (SO_REUSEADDR, not listening) while the
 * broker is down and listen()s on it again when it comes back up; if that listen() fails it
 * aborts the whole process (an assertion in rd_kafka_mock_broker_cmd). It fails only when a
 * socket without SO_REUSEADDR, or a listener, holds the port: the mock's own TIME_WAIT
 * connections do not count (Linux 6.18: listen() right after set_down with TIME_WAIT on the
 * port succeeds). So probe exactly that with a bind that also sets SO_REUSEADDR, and wait (up
 * to 30 s) while it fails. A probe without SO_REUSEADDR always fails against the mock's own
 * bound socket, which made every outage 90 s long. */
static void chaos_mock_up(struct chaos *c)
{
    const char *boot = sl_mock_bootstraps(c->mock);
    const char *colon = boot ? strrchr(boot, ':') : NULL;
    int port = colon ? (int)strtol(colon + 1, NULL, 10) : 0;
    for (int i = 0; port > 0 && i < 600; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in a;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
        int e = errno;
        close(fd);
        if (rc == 0)
            break;
        if (i == 0)
            chaos_say("the mock broker's port %d is taken (%s); the broker stays down until it "
                      "is free",
                      port, strerror(e));
        usleep(50000);
    }
    sl_mock_broker_up(c->mock, 1);
}

/* Injects one fault, drawn from a shuffled bag so every kind comes once per round. */
static void chaos_inject(struct chaos *c)
{
    if (c->bag_n == 0) {
        c->bag_n = chaos_fault_kinds(c, c->bag);
        for (int i = c->bag_n - 1; i > 0; i--) {
            int j = (int)(chaos_rand(&c->rng) % (unsigned)(i + 1)), t = c->bag[i];
            c->bag[i] = c->bag[j];
            c->bag[j] = t;
        }
        if (c->bag_n == 0)
            return;
    }
    int k = c->bag[--c->bag_n];
    int ms = 1000 + (int)(chaos_rand(&c->rng) % 3000);
    c->faults[k]++;
    switch (k) {
    case CHAOS_F_KILL:
        chaos_say("fault: SIGKILL sluice (pid %d), restart in %d ms", (int)c->child, ms / 4);
        chaos_sluice_kill(c);
        usleep((useconds_t)ms * 250);
        chaos_sluice_start(c);
        c->restarts++;
        break;
    case CHAOS_F_DB_RESTART:
        chaos_say("fault: MariaDB down for %d ms", ms);
        atomic_store(&c->db_down, 1);
        chaos_db(c, "down");
        chaos_sleep_ms(c, ms);
        chaos_db(c, "up");
        atomic_store(&c->db_down, 0);
        break;
    case CHAOS_F_CUT:
        chaos_say("fault: cut the source's MySQL connections");
        sl_tcpproxy_cut(c->tcp);
        break;
    case CHAOS_F_STALL:
        chaos_say("fault: stall the source's MySQL connections for %d ms", ms);
        sl_tcpproxy_stall(c->tcp, true);
        chaos_sleep_ms(c, ms);
        sl_tcpproxy_stall(c->tcp, false);
        break;
    case CHAOS_F_DDB: {
        struct sl_fault_rates r = {.throttle = 100,
                                   .err500 = 50,
                                   .err503 = 50,
                                   .err500_after = 50,
                                   .drop_before = 30,
                                   .drop_after = 30,
                                   .unprocessed = 100,
                                   .slow = 30,
                                   .slow_ms = 300};
        chaos_say("fault: DynamoDB throttling/5xx/drops/partial batches for %d ms", ms);
        sl_fault_proxy_set_rates(c->ddbpx, &r);
        chaos_sleep_ms(c, ms);
        struct sl_fault_rates none = {0};
        sl_fault_proxy_set_rates(c->ddbpx, &none);
        break;
    }
    case CHAOS_F_KAFKA_DOWN:
        /* Every other outage, the first included, outlasts the sink's session timeout (6 s):
         * its members lose their sessions and must rejoin (RELIABILITY.md problem 2). */
        if (c->faults[k] % 2 == 1)
            ms += 5500;
        chaos_say("fault: Kafka broker down for %d ms", ms);
        sl_mock_broker_down(c->mock, 1);
        chaos_sleep_ms(c, ms);
        chaos_mock_up(c);
        break;
    case CHAOS_F_KAFKA_ERRORS:
        chaos_say("fault: Kafka request errors (produce, fetch, commit)");
        sl_mock_push_errors(c->mock, SL_MOCK_API_PRODUCE, 3 + chaos_rand(&c->rng) % 5,
                            SL_MOCK_ERR_NOT_LEADER);
        sl_mock_push_errors(c->mock, SL_MOCK_API_PRODUCE, 2, SL_MOCK_ERR_REQUEST_TIMED_OUT);
        sl_mock_push_errors(c->mock, SL_MOCK_API_FETCH, 3, SL_MOCK_ERR_NOT_LEADER);
        sl_mock_push_errors(c->mock, SL_MOCK_API_OFFSET_COMMIT, 2,
                            SL_MOCK_ERR_COORDINATOR_NOT_AVAILABLE);
        break;
    }
}

/* ---- comparison ---- */

struct chaos_rows {
    char *text;  /* owned, lines */
    char **line; /* into text, sorted by id */
    long long *id;
    size_t n;
};

static void chaos_rows_free(struct chaos_rows *r)
{
    free(r->text);
    free(r->line);
    free(r->id);
    memset(r, 0, sizeof(*r));
}

static void chaos_rows_index(struct chaos_rows *r)
{
    size_t cap = 1;
    for (const char *p = r->text; *p; p++)
        cap += *p == '\n';
    r->line = malloc(cap * sizeof(*r->line));
    r->id = malloc(cap * sizeof(*r->id));
    r->n = 0;
    for (char *p = r->text, *next; p && *p; p = next) {
        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        r->line[r->n] = p;
        r->id[r->n] = strtoll(p, NULL, 10);
        r->n++;
    }
}

static bool chaos_mysql_rows(struct chaos *c, struct chaos_rows *r)
{
    memset(r, 0, sizeof(*r));
    MYSQL *m = chaos_connect(c);
    if (!m)
        return false;
    if (mysql_query(m, "SET time_zone='+00:00'") ||
        mysql_query(m, "SELECT ORDER_ID, SITE_ID, UNIX_TIMESTAMP(ORDER_DATE)*1000, SHIP_MODE, "
                       "VERSION, NOTE FROM salesdb.SALES_ORDER ORDER BY ORDER_ID")) {
        mysql_close(m);
        return false;
    }
    MYSQL_RES *res = mysql_store_result(m);
    if (!res) {
        mysql_close(m);
        return false;
    }
    size_t cap = 4096, len = 0;
    r->text = malloc(cap);
    r->text[0] = '\0';
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        char line[512];
        int n =
            snprintf(line, sizeof(line), "%s %s %s %s %s %s\n", row[0] ? row[0] : "null",
                     row[1] ? row[1] : "null", row[2] ? row[2] : "null", row[3] ? row[3] : "null",
                     row[4] ? row[4] : "null", row[5] ? row[5] : "null");
        if (len + (size_t)n + 1 > cap) {
            cap = cap * 2 + (size_t)n;
            r->text = realloc(r->text, cap);
        }
        memcpy(r->text + len, line, (size_t)n + 1);
        len += (size_t)n;
    }
    mysql_free_result(res);
    mysql_close(m);
    chaos_rows_index(r);
    return true;
}

static bool chaos_ddb_rows(struct chaos *c, struct chaos_rows *r)
{
    memset(r, 0, sizeof(*r));
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s %s '%s'", sl_test_src("tests/chaos/ddb-dump.sh"),
             c->ddb_direct, CHAOS_TABLE);
    if (sl_test_run(cmd, &r->text) != 0 || !r->text) {
        free(r->text);
        r->text = NULL;
        return false;
    }
    chaos_rows_index(r);
    return true;
}

/* Items in the table (Scan with Select COUNT); -1 when it cannot be read. */
static long chaos_ddb_count(struct chaos *c)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s %s '%s' count", sl_test_src("tests/chaos/ddb-dump.sh"),
             c->ddb_direct, CHAOS_TABLE);
    char *out = NULL;
    long n = -1;
    if (sl_test_run(cmd, &out) == 0 && out)
        n = strtol(out, NULL, 10);
    free(out);
    return n;
}

/* Rows differing between MySQL and DynamoDB; prints the first few when verbose. */
static size_t chaos_diff(const struct chaos_rows *my, const struct chaos_rows *dd, bool verbose)
{
    size_t i = 0, j = 0, diff = 0;
    int shown = 0;
    while (i < my->n || j < dd->n) {
        const char *what = NULL;
        long long key;
        if (j >= dd->n || (i < my->n && my->id[i] < dd->id[j])) {
            what = "missing in DynamoDB";
            key = my->id[i++];
        } else if (i >= my->n || dd->id[j] < my->id[i]) {
            what = "in DynamoDB but deleted in MySQL";
            key = dd->id[j++];
        } else {
            key = my->id[i];
            if (strcmp(my->line[i], dd->line[j]) != 0)
                what = "different values";
            if (what && verbose && shown < 8)
                printf("  ORDER_ID %lld: %s: MySQL \"%s\" DynamoDB \"%s\"\n", key, what,
                       my->line[i], dd->line[j]);
            i++;
            j++;
            if (what) {
                diff++;
                shown++;
            }
            continue;
        }
        diff++;
        if (verbose && shown++ < 8)
            printf("  ORDER_ID %lld: %s\n", key, what);
    }
    return diff;
}

/* ---- setup and the run ---- */

static bool chaos_setup(struct chaos *c)
{
    char *tmp = sl_test_tmpdir(c->o.kafka ? "sl-chaos-kafka" : "sl-chaos-embedded");
    snprintf(c->dir, sizeof(c->dir), "%s", tmp);
    free(tmp);
    snprintf(c->logpath, sizeof(c->logpath), "%s/sluice.log", c->dir);
    char cmd[1200], path[700], port[16];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db >/dev/null",
             sl_test_src("tests/lib/mariadb.sh"), c->dir);
    if (sl_test_run(cmd, NULL) != 0) {
        chaos_say("FAIL could not start MariaDB");
        return false;
    }
    snprintf(cmd, sizeof(cmd), "bash %s start %s/ddb >/dev/null",
             sl_test_src("tests/lib/dynalite.sh"), c->dir);
    if (sl_test_run(cmd, NULL) != 0) {
        chaos_say("FAIL could not start dynalite");
        return false;
    }
    snprintf(path, sizeof(path), "%s/db/env", c->dir);
    chaos_env_value(path, "MARIADB_PORT", port, sizeof(port));
    c->db_port = (int)strtol(port, NULL, 10);
    chaos_env_value(path, "MARIADB_PASSWORD", c->pw, sizeof(c->pw));
    chaos_env_value(path, "MARIADB_SOCKET", c->sock, sizeof(c->sock));
    snprintf(path, sizeof(path), "%s/ddb/env", c->dir);
    chaos_env_value(path, "DYNALITE_ENDPOINT", c->ddb_direct, sizeof(c->ddb_direct));

    MYSQL *m = chaos_connect(c);
    if (!m || mysql_query(m, "CREATE DATABASE salesdb") ||
        mysql_query(m, "CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT "
                       "NOT NULL, ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20), VERSION INT NOT "
                       "NULL, NOTE VARCHAR(64))")) {
        chaos_say("FAIL cannot create the table: %s", m ? mysql_error(m) : "no connection");
        if (m)
            mysql_close(m);
        return false;
    }
    mysql_close(m);

    c->tcp = sl_tcpproxy_start(c->db_port);
    int ddb_port = 0;
    struct sl_fault_rates none = {0};
    c->ddbpx = sl_fault_proxy_start(c->ddb_direct, &none, c->o.seed, &ddb_port);
    if (!c->tcp || !c->ddbpx) {
        chaos_say("FAIL cannot start the proxies");
        return false;
    }
    char boot[256] = "";
    if (c->o.kafka) {
        char errstr[512];
        c->mock = sl_mock_new(1, errstr, sizeof(errstr));
        if (!c->mock) {
            chaos_say("FAIL mock cluster: %s", errstr);
            return false;
        }
        if (sl_mock_topic_create(c->mock, CHAOS_TOPIC, CHAOS_PARTS, 1, errstr, sizeof(errstr))) {
            chaos_say("FAIL topic: %s", errstr);
            return false;
        }
        snprintf(boot, sizeof(boot),
                 "bootstrap.servers=%s\n"
                 "consumer.fetch.max.wait.ms=50\n"
                 "consumer.session.timeout.ms=6000\n"
                 "consumer.heartbeat.interval.ms=500\n",
                 sl_mock_bootstraps(c->mock));
    }
    char text[4096];
    /* More worker settings for a diagnosis, e.g. "consumer.debug=cgrp\nlog.level=debug". */
    const char *extra = getenv("SL_CHAOS_WORKER_EXTRA");
    snprintf(path, sizeof(path), "%s/worker.properties", c->dir);
    snprintf(text, sizeof(text),
             "%s"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "offset.flush.interval.ms=500\n"
             "listeners=\n"
             "%s\n",
             boot, c->dir, extra ? extra : "");
    chaos_write_file(c, path, text);
    snprintf(path, sizeof(path), "%s/source.properties", c->dir);
    snprintf(text, sizeof(text),
             "name=salesdb-source\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%d\n"
             "database.server.id=123456\n"
             "database.server.name=salesdb\n"
             "database.include.list=salesdb\n"
             "tasks.max=1\n"
             "connect.timeout.ms=5000\n"
             "tombstones.on.delete=false\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n",
             c->pw, c->tcp->port);
    chaos_write_file(c, path, text);
    snprintf(path, sizeof(path), "%s/sink.properties", c->dir);
    snprintf(text, sizeof(text),
             "name=dynamodb-sink\n"
             "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\n"
             "tasks.max=2\n"
             "aws.dynamodb.region=us-east-1\n"
             "aws.dynamodb.endpoint=http://127.0.0.1:%d\n"
             "aws.access.key.id=AKIDEXAMPLE\n"
             "aws.secret.access.key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
             "topics=" CHAOS_TOPIC "\n"
             "value.converter.schemas.enable=false\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "table.name.format=kafka_${topic}\n"
             "aws.dynamodb.pk.hash=value.ORDER_ID\n"
             "aws.dynamodb.pk.sort=\n"
             "delete.enabled=true\n"
             "aws.dynamodb.billing.mode=PAY_PER_REQUEST\n"
             "aws.dynamodb.max.retry.time.seconds=600\n"
             "max.retries=1000\n"
             "retry.backoff.ms=50\n",
             ddb_port);
    chaos_write_file(c, path, text);
    return c->failures == 0;
}

static void chaos_teardown(struct chaos *c)
{
    chaos_sluice_kill(c);
    sl_tcpproxy_stop(c->tcp);
    c->tcp = NULL;
    if (c->ddbpx)
        sl_fault_proxy_stop(c->ddbpx);
    c->ddbpx = NULL;
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s stop %s/db", sl_test_src("tests/lib/mariadb.sh"), c->dir);
    sl_test_run(cmd, NULL);
    snprintf(cmd, sizeof(cmd), "bash %s stop %s/ddb", sl_test_src("tests/lib/dynalite.sh"), c->dir);
    sl_test_run(cmd, NULL);
    sl_mock_free(c->mock);
    c->mock = NULL;
    if (!getenv("SL_TEST_KEEP") && c->failures == 0)
        sl_test_rmtree(c->dir);
    else
        chaos_say("kept %s", c->dir);
}

/* Runs one chaos run; returns the number of failures (rows differing count as one). */
__attribute__((unused)) static int chaos_run(const struct chaos_opts *opts)
{
    static struct chaos cs;
    struct chaos *c = &cs;
    memset(c, 0, sizeof(*c));
    c->o = *opts;
    c->rng = opts->seed;
    const char *mode = c->o.kafka ? "kafka" : "embedded";
    chaos_say("%s mode: %d s of load, %d writers over %d keys pausing %d ms on average, large "
              "transaction %d rows, seed %u",
              mode, c->o.seconds, c->o.writers, c->o.keys, c->o.pace_ms, c->o.big_rows, c->o.seed);
    if (!chaos_setup(c)) {
        c->failures++;
        chaos_teardown(c);
        return c->failures;
    }
    chaos_sluice_start(c);
    int64_t deadline = sl_time_mono_ms() + 60000LL * sl_test_timeout_mult();
    while (!chaos_log_has(c, "streaming from") && sl_time_mono_ms() < deadline) {
        chaos_sluice_check(c);
        usleep(100000);
    }
    if (!chaos_log_has(c, "streaming from")) {
        chaos_say("FAIL the source never started streaming");
        chaos_log_tail(c, 40);
        c->failures++;
        chaos_teardown(c);
        return c->failures;
    }

    pthread_t wt[16], bt;
    struct chaos_writer wr[16];
    int nw = c->o.writers > 16 ? 16 : c->o.writers;
    for (int i = 0; i < nw; i++) {
        wr[i].c = c;
        wr[i].rng = c->o.seed * 7919u + (unsigned)i * 104729u + 1u;
        pthread_create(&wt[i], NULL, chaos_writer_main, &wr[i]);
    }
    bool big = false;
    int64_t t0 = sl_time_mono_ms(), end = t0 + (int64_t)c->o.seconds * 1000;
    int64_t big_at = t0 + (int64_t)c->o.seconds * 200; /* at 20% of the run */
    while (sl_time_mono_ms() < end) {
        if (!big && c->o.big_rows > 0 && sl_time_mono_ms() >= big_at) {
            pthread_create(&bt, NULL, chaos_big_main, c);
            big = true;
        }
        chaos_sleep_ms(c, 1500 + (int)(chaos_rand(&c->rng) % 3000));
        chaos_connectors_check(c);
        if (sl_time_mono_ms() < end)
            chaos_inject(c);
        chaos_say("progress: %llu changes in %llu commits, %llu failed statements/transactions",
                  (unsigned long long)atomic_load(&c->changes),
                  (unsigned long long)atomic_load(&c->commits),
                  (unsigned long long)atomic_load(&c->sql_errors));
    }
    /* The large transaction finishes even when the load time is over. */
    if (big) {
        while (atomic_load(&c->big_state) < 2)
            chaos_sleep_ms(c, 200);
    }
    atomic_store(&c->stop_load, 1);
    for (int i = 0; i < nw; i++)
        pthread_join(wt[i], NULL);
    if (big)
        pthread_join(bt, NULL);
    int64_t load_ms = sl_time_mono_ms() - t0;
    chaos_say("load stopped after %" PRId64 " ms; waiting for DynamoDB to catch up", load_ms);

    /* Catch up: poll until DynamoDB equals MySQL or the timeout. */
    struct chaos_rows my = {0}, dd = {0};
    size_t diff = (size_t)-1;
    int64_t c0 = sl_time_mono_ms();
    deadline = c0 + (int64_t)c->o.catchup_s * 1000 * sl_test_timeout_mult();
    bool have_my = chaos_mysql_rows(c, &my);
    if (!have_my) {
        chaos_say("FAIL cannot read MySQL rows");
        c->failures++;
    }
    /* Gives up at the deadline, or earlier when 45 s pass without fewer rows differing. */
    size_t best = (size_t)-1;
    int64_t best_at = c0;
    while (have_my) {
        chaos_sluice_check(c);
        chaos_connectors_check(c);
        chaos_rows_free(&dd);
        /* Large tables: count first (cheaper than reading every item) until the counts meet. */
        long cnt = my.n > 100000 ? chaos_ddb_count(c) : -1;
        if (cnt >= 0 && (size_t)cnt != my.n) {
            diff = (size_t)(cnt > (long)my.n ? cnt - (long)my.n : (long)my.n - cnt);
            if (diff < best) {
                best = diff;
                best_at = sl_time_mono_ms();
            }
            chaos_say("catching up: %ld of %zu items", cnt, my.n);
        } else if (chaos_ddb_rows(c, &dd)) {
            diff = chaos_diff(&my, &dd, false);
            if (diff == 0)
                break;
            if (diff < best) {
                best = diff;
                best_at = sl_time_mono_ms();
            }
            chaos_say("catching up: %zu rows differ", diff);
        }
        if (sl_time_mono_ms() >= deadline) {
            chaos_say("catch-up deadline reached");
            break;
        }
        if (sl_time_mono_ms() - best_at > 45000LL * sl_test_timeout_mult()) {
            chaos_say("no progress for 45 s: the pipeline is stuck");
            break;
        }
        chaos_sleep_ms(c, my.n > 20000 ? 4000 : 1500);
    }
    int64_t catchup_ms = sl_time_mono_ms() - c0;
    if (have_my && diff != 0) {
        chaos_say("FAIL %zu rows differ between MySQL and DynamoDB after %" PRId64
                  " ms of catch-up; the first ones:",
                  diff, catchup_ms);
        chaos_diff(&my, &dd, true);
        chaos_log_tail(c, 60);
        c->failures++;
    }
    if (c->o.big_rows > 0 && atomic_load(&c->big_state) != 2) {
        chaos_say("FAIL the large transaction never committed");
        c->failures++;
    }
    if (c->connector_failures && !getenv("SL_CHAOS_TOLERATE_FAILED_CONNECTORS")) {
        chaos_say("FAIL %d connector(s) failed inside a running sluice and needed a restart "
                  "(SL_CHAOS_TOLERATE_FAILED_CONNECTORS=1 reports without failing)",
                  c->connector_failures);
        c->failures++;
    }
    if (c->o.kafka && chaos_log_has(c, "Offset out of range")) {
        chaos_say("FAIL the sink's consumer found its offset deleted (\"Offset out of range\"): "
                  "the mock cluster's 5 MiB per partition retention was exceeded, so this run "
                  "cannot judge the pipeline; use a smaller SL_CHAOS_KAFKA_BIG_ROWS or less load");
        c->failures++;
    }
    if (c->unexpected_exits) {
        chaos_say("FAIL sluice exited on its own %d time(s)", c->unexpected_exits);
        c->failures++;
    }

    int total = 0;
    for (int k = 0; k < CHAOS_F__COUNT; k++)
        total += c->faults[k];
    printf("==== chaos %s summary ====\n", mode);
    printf("load: %" PRId64 " ms, %d writers; changes applied in MySQL: %llu in %llu commits "
           "(%llu statements/transactions failed under faults and were rolled back or lost)\n",
           load_ms, nw, (unsigned long long)atomic_load(&c->changes),
           (unsigned long long)atomic_load(&c->commits),
           (unsigned long long)atomic_load(&c->sql_errors));
    if (c->o.big_rows > 0)
        printf("large transaction: %d rows, %s in %lld ms\n", c->o.big_rows,
               atomic_load(&c->big_state) == 2 ? "committed" : "NOT committed",
               (long long)atomic_load(&c->big_ms));
    printf("faults injected: %d\n", total);
    for (int k = 0; k < CHAOS_F__COUNT; k++)
        if (c->o.kafka || (k != CHAOS_F_KAFKA_DOWN && k != CHAOS_F_KAFKA_ERRORS))
            printf("  %-28s %d\n", chaos_fault_names[k], c->faults[k]);
    if (c->ddbpx)
        printf("DynamoDB proxy: forwarded %" PRIu64 " requests; throttled %" PRIu64 ", 500 %" PRIu64
               ", 503 %" PRIu64 ", 500-after-apply %" PRIu64 ", dropped-before %" PRIu64
               ", dropped-after-apply %" PRIu64 ", partial batches %" PRIu64 ", slow %" PRIu64 "\n",
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_FORWARDED),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_THROTTLE),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_500),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_503),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_500_AFTER),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_DROP_BEFORE),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_DROP_AFTER),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_UNPROCESSED),
               sl_fault_proxy_count(c->ddbpx, SL_FAULT_SLOW));
    if (c->tcp)
        printf("MySQL proxy: %lu source connections accepted, %lu closed by cuts\n",
               (unsigned long)atomic_load(&c->tcp->accepted),
               (unsigned long)atomic_load(&c->tcp->cut_conns));
    printf("sluice restarts: %d (of which %d after it exited on its own, %d after a connector "
           "failed inside it)\n",
           c->restarts, c->unexpected_exits, c->connector_failures);
    printf("final rows: MySQL %zu, DynamoDB %zu; rows differing: %zu; catch-up %" PRId64 " ms\n",
           my.n, dd.n, diff == (size_t)-1 ? (size_t)0 : diff, catchup_ms);
    printf("result: %s\n", c->failures ? "FAIL" : "ok");
    fflush(stdout);
    chaos_rows_free(&my);
    chaos_rows_free(&dd);
    /* A clean stop at the end: SIGTERM must exit 0. */
    if (c->child > 0) {
        kill(c->child, SIGTERM);
        int st = 0;
        int64_t dl = sl_time_mono_ms() + 30000LL * sl_test_timeout_mult();
        while (waitpid(c->child, &st, WNOHANG) == 0 && sl_time_mono_ms() < dl)
            usleep(50000);
        if (sl_time_mono_ms() >= dl) {
            chaos_say("FAIL sluice did not exit within 30 s of SIGTERM");
            c->failures++;
        } else {
            c->child = 0;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                chaos_say("FAIL exit status %d after SIGTERM", st);
                c->failures++;
            }
        }
    }
    int f = c->failures;
    chaos_teardown(c);
    return f;
}

/* Options from SL_CHAOS_* variables over the given defaults. */
__attribute__((unused)) static void chaos_opts_from_env(struct chaos_opts *o)
{
    const char *v;
    if ((v = getenv("SL_CHAOS_SECONDS")) && *v)
        o->seconds = (int)strtol(v, NULL, 10);
    if ((v = getenv("SL_CHAOS_WRITERS")) && *v)
        o->writers = (int)strtol(v, NULL, 10);
    if ((v = getenv("SL_CHAOS_KEYS")) && *v)
        o->keys = (int)strtol(v, NULL, 10);
    if ((v = getenv("SL_CHAOS_BIG_ROWS")) && *v)
        o->big_rows = (int)strtol(v, NULL, 10);
    if ((v = getenv("SL_CHAOS_CATCHUP_SECONDS")) && *v)
        o->catchup_s = (int)strtol(v, NULL, 10);
    if ((v = getenv("SL_CHAOS_PACE_MS")) && *v)
        o->pace_ms = (int)strtol(v, NULL, 10);
    if ((v = getenv("SL_CHAOS_SEED")) && *v)
        o->seed = (unsigned)strtoul(v, NULL, 10);
}

#endif
