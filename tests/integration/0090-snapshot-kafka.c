/* SPDX-License-Identifier: Apache-2.0 */
/* Initial snapshot in Kafka mode: 29,000 existing SALES_ORDER rows, then `sluice standalone`
 * with two connectors on the same database (the seed's unwrap form and the plain Debezium
 * envelope), then the seed's six INSERTs. The unwrap topic ends with 29,006 distinct keys
 * carrying the table's values; the envelope topic has exactly 29,000 op "r" records whose
 * source.snapshot is "true" except the very last one ("last"), followed by six op "c" records
 * with snapshot "false". The offsets file then marks the snapshot completed, and a restart
 * does not copy the table again. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/kafka_test.h"
#include "bus/mock.h"
#include "core/time.h"
#include "core/mem.h"
#include "testlib.h"

static int failures;
static char errstr[1024];
static char dir[512];
static char sock[700];
static char port[16];
static char pw[256];
static char logpath[700];

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
            cleanup();                                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static pid_t child;
static struct sl_mock *mock;

static void cleanup(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s stop %s/db", sl_test_src("tests/lib/mariadb.sh"), dir);
    sl_test_run(cmd, NULL);
    sl_mock_free(mock);
    mock = NULL;
    if (!getenv("SL_TEST_KEEP"))
        sl_test_rmtree(dir);
}

static void sql(const char *stmt)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -uroot -S %s -e \"%s\"", sock, stmt);
    REQUIRE(sl_test_run(cmd, NULL) == 0, "SQL failed: %s", stmt);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static bool log_has(const char *what, int count)
{
    char *text = sl_test_read_file(logpath, NULL);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, what)); p++)
        n++;
    free(text);
    return n >= count;
}

/* Waits until the log shows `what` count times or the child exits. */
static void wait_log(const char *what, int count)
{
    int64_t deadline = sl_time_mono_ms() + 30000LL * sl_test_timeout_mult();
    while (!log_has(what, count)) {
        int st;
        REQUIRE(waitpid(child, &st, WNOHANG) == 0, "sluice exited early (status %d); log:\n%s", st,
                sl_test_read_file(logpath, NULL));
        REQUIRE(sl_time_mono_ms() < deadline, "no '%s' in the log:\n%s", what,
                sl_test_read_file(logpath, NULL));
        usleep(50000);
    }
}

/* SIGTERM, then the exit status within a bounded time. */
static int stop_sluice(void)
{
    kill(child, SIGTERM);
    int64_t deadline = sl_time_mono_ms() + 20000LL * sl_test_timeout_mult();
    int st = 0;
    for (;;) {
        pid_t r = waitpid(child, &st, WNOHANG);
        if (r == child)
            break;
        REQUIRE(sl_time_mono_ms() < deadline, "sluice did not exit after SIGTERM; log:\n%s",
                sl_test_read_file(logpath, NULL));
        usleep(50000);
    }
    child = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void start_sluice2(const char *worker, const char *s1, const char *s2)
{
    const char *bin = getenv("SLUICE_BIN");
    child = fork();
    REQUIRE(child >= 0, "fork failed");
    if (child == 0) {
        FILE *log = freopen(logpath, "a", stderr);
        (void)log;
        execl(bin, bin, "standalone", worker, s1, s2, (char *)NULL);
        _exit(127);
    }
}

#define NROWS 29000
#define NALL (NROWS + 6)

static const char *modes[] = {"STANDARD", "ONE-DAY", "TWO-DAY"};

/* The values the seed rows were given (see the INSERT ... SELECT below). */
static void expected(int id, int *site, long long *date_ms, const char **mode)
{
    if (id <= NROWS) {
        *site = id % 5000;
        *date_ms = (1640995200LL + id) * 1000; /* 2022-01-01 00:00:00 UTC + id s */
        *mode = modes[id % 3];
    } else {
        /* The seed's six INSERTs: 29001..29006 at 2022-06-15 07:52:16 + n-1 s. */
        static const int sites[] = {2568, 1649, 3861, 2568, 1649, 3861};
        int k = id - NROWS - 1;
        *site = sites[k];
        *date_ms = (1655279536LL + k) * 1000;
        *mode = modes[k % 3];
    }
}

struct tally {
    unsigned char seen_u[NALL + 1]; /* unwrap topic: records per key */
    int unwrap, unwrap_bad, envelope, reads, creates, other;
    int snap_true, snap_last, snap_false;
    int last_id; /* ORDER_ID of the record marked "last" */
    int read_ids[NROWS + 1];
};

static struct tally tl;

static void on_unwrap(const struct sl_bus_msg *m)
{
    char key[64], val[512];
    snprintf(key, sizeof(key), "%.*s", (int)m->key_len, m->key ? (const char *)m->key : "");
    snprintf(val, sizeof(val), "%.*s", (int)m->value_len, m->value ? (const char *)m->value : "");
    int id = 0;
    tl.unwrap++;
    if (sscanf(key, "Struct{ORDER_ID=%d}", &id) == 1 && id == NALL + 1)
        return; /* the insert after the restart */
    if (sscanf(key, "Struct{ORDER_ID=%d}", &id) != 1 || id < 1 || id > NALL) {
        if (tl.unwrap_bad++ < 5)
            fprintf(stderr, "FAIL bad unwrap key '%s'\n", key);
        return;
    }
    int site;
    long long date;
    const char *mode;
    expected(id, &site, &date, &mode);
    char want[256];
    snprintf(want, sizeof(want),
             "{\"ORDER_ID\":%d,\"SITE_ID\":%d,\"ORDER_DATE\":%lld,\"SHIP_MODE\":\"%s\"}", id, site,
             date, mode);
    if (strcmp(val, want) != 0) {
        if (tl.unwrap_bad++ < 5)
            fprintf(stderr, "FAIL key %d: value '%s', want '%s'\n", id, val, want);
        return;
    }
    if (tl.seen_u[id] < 255)
        tl.seen_u[id]++;
}

static void on_envelope(const struct sl_bus_msg *m)
{
    char *val = sl_xstrndup(m->value ? (const char *)m->value : "", m->value_len);
    tl.envelope++;
    if (strstr(val, "\"op\":\"r\"")) {
        tl.reads++;
        const char *p = strstr(val, "\"after\":{\"ORDER_ID\":");
        int id = p ? (int)strtol(p + 20, NULL, 10) : 0;
        if (id >= 1 && id <= NROWS)
            tl.read_ids[id]++;
    } else if (strstr(val, "\"op\":\"c\"")) {
        tl.creates++;
    } else {
        tl.other++;
    }
    if (strstr(val, "\"snapshot\":\"true\""))
        tl.snap_true++;
    if (strstr(val, "\"snapshot\":\"last\"")) {
        const char *p = strstr(val, "\"after\":{\"ORDER_ID\":");
        tl.snap_last++;
        tl.last_id = p ? (int)strtol(p + 20, NULL, 10) : 0;
    }
    if (strstr(val, "\"snapshot\":\"false\""))
        tl.snap_false++;
    sl_free(val);
}

static int distinct_unwrap(void)
{
    int n = 0;
    for (int i = 1; i <= NALL; i++)
        n += tl.seen_u[i] > 0;
    return n;
}

/* Polls both topics (at most 100 ms when the targets are already met) until the unwrap topic has
 * `want_keys` keys and the envelope topic `want_env` records, or the deadline passes. */
static void consume(struct sl_consumer *cons, int want_keys, int want_env, int wait_ms)
{
    struct sl_consumer_batch batch = {0};
    int64_t deadline = sl_time_mono_ms() + (int64_t)wait_ms * sl_test_timeout_mult();
    while (sl_time_mono_ms() < deadline &&
           (distinct_unwrap() < want_keys || tl.envelope < want_env)) {
        sl_err_t err = sl_consumer_poll(cons, &batch, 5000, 200, errstr, sizeof(errstr));
        REQUIRE(err == SL_OK, "poll: %s", errstr);
        for (size_t i = 0; i < batch.cnt; i++) {
            const struct sl_bus_msg *m = &batch.msgs[i];
            if (strcmp(m->topic, "salesdb.salesdb.SALES_ORDER") == 0)
                on_unwrap(m);
            else
                on_envelope(m);
            sl_consumer_mark(cons, m->topic, m->partition, m->offset + 1);
        }
    }
    sl_consumer_batch_fini(&batch);
}

int main(void)
{
    REQUIRE(getenv("SLUICE_BIN"), "SLUICE_BIN is not set (run through ctest)");
    char *tmp = sl_test_tmpdir("sl-it-0090");
    snprintf(dir, sizeof(dir), "%s", tmp);
    free(tmp);
    snprintf(logpath, sizeof(logpath), "%s/sluice.log", dir);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db", sl_test_src("tests/lib/mariadb.sh"), dir);
    REQUIRE(sl_test_run(cmd, NULL) == 0, "could not start MariaDB");
    char envpath[700];
    snprintf(envpath, sizeof(envpath), "%s/db/env", dir);
    char *env = sl_test_read_file(envpath, NULL);
    REQUIRE(env, "no %s", envpath);
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
    sql("CREATE DATABASE salesdb; CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY, "
        "SITE_ID INT, ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20));"
        "INSERT INTO salesdb.SALES_ORDER SELECT seq, seq % 5000, "
        "TIMESTAMP'2022-01-01 00:00:00' + INTERVAL seq SECOND, "
        "ELT(seq % 3 + 1, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM salesdb.seq_1_to_29000");

    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    const char *boot = sl_mock_bootstraps(mock);
    const char *topics[] = {"salesdb.salesdb.SALES_ORDER", "salesenv.salesdb.SALES_ORDER"};
    for (int i = 0; i < 2; i++)
        REQUIRE(sl_mock_topic_create(mock, topics[i], 8, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
                errstr);

    char worker[700], s1[700], s2[700], text[4096];
    snprintf(worker, sizeof(worker), "%s/worker.properties", dir);
    snprintf(s1, sizeof(s1), "%s/source.properties", dir);
    snprintf(s2, sizeof(s2), "%s/source-envelope.properties", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "offset.flush.interval.ms=500\n",
             boot, dir);
    write_file(worker, text);
    /* The seed's source connector file (endpoints and credentials changed). */
    snprintf(text, sizeof(text),
             "name=salesdb-source\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.server.id=123456\n"
             "database.server.name=salesdb\n"
             "database.include.list=salesdb\n"
             "table.include.list=salesdb.sales_order\n"
             "tasks.max=1\n"
             "database.history.kafka.topic=dbhistory.salesdb\n"
             "database.history.kafka.bootstrap.servers=%s\n"
             "include.schema.changes=true\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n"
             "transforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n",
             pw, port, boot);
    write_file(s1, text);
    /* The same table as plain Debezium envelopes, to count ops and snapshot markers. */
    snprintf(text, sizeof(text),
             "name=salesdb-envelope\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.server.id=123457\n"
             "database.server.name=salesenv\n"
             "database.include.list=salesdb\n"
             "table.include.list=salesdb.sales_order\n"
             "snapshot.fetch.size=4000\n"
             "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n",
             pw, port);
    write_file(s2, text);

    struct sl_consumer *cons =
        sl_test_kafka_consumer(boot, "it-0090", topics, 2, errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);

    /* The mock broker keeps about 5 MB per partition: topics have 8 partitions and the
     * consumer is assigned before sluice starts, so it reads while the snapshot runs. */
    consume(cons, 1, 1, 3000);
    int64_t t0 = sl_time_mono_ms();
    start_sluice2(worker, s1, s2);
    consume(cons, NROWS, NROWS, 60000);
    wait_log("snapshot completed: 29000 rows copied by this run", 2);
    fprintf(stderr, "both snapshots done after %lld ms\n", (long long)(sl_time_mono_ms() - t0));
    for (int i = 1; i <= 6; i++) {
        int id = NROWS + i, site;
        long long date;
        const char *mode;
        expected(id, &site, &date, &mode);
        char stmt[512];
        snprintf(stmt, sizeof(stmt),
                 "INSERT INTO salesdb.SALES_ORDER VALUES (%d, %d, FROM_UNIXTIME(%lld), '%s')", id,
                 site, date / 1000, mode);
        snprintf(cmd, sizeof(cmd), "SET time_zone='+00:00'; %s", stmt);
        sql(cmd);
    }
    consume(cons, NALL, NALL, 120000);
    fprintf(stderr, "consumed after %lld ms: unwrap %d records (%d keys), envelope %d\n",
            (long long)(sl_time_mono_ms() - t0), tl.unwrap, distinct_unwrap(), tl.envelope);
    CHECK(distinct_unwrap() == NALL, "unwrap topic has %d distinct keys, want %d",
          distinct_unwrap(), NALL);
    CHECK(tl.unwrap_bad == 0, "%d unwrap records with a wrong key or value", tl.unwrap_bad);
    CHECK(tl.reads == NROWS, "%d op r records, want %d", tl.reads, NROWS);
    int missing = 0;
    for (int i = 1; i <= NROWS; i++)
        missing += tl.read_ids[i] == 0;
    CHECK(missing == 0, "%d ids have no op r record", missing);
    CHECK(tl.creates == 6, "%d op c records, want 6", tl.creates);
    CHECK(tl.other == 0, "%d records with another op", tl.other);
    /* The scan is in primary-key order, so the final row is the highest key. */
    CHECK(tl.snap_last == 1 && tl.last_id == NROWS, "snapshot \"last\" %d times (on ORDER_ID %d)",
          tl.snap_last, tl.last_id);
    CHECK(tl.snap_true == NROWS - 1, "snapshot \"true\" on %d records, want %d", tl.snap_true,
          NROWS - 1);
    CHECK(tl.snap_false == 6, "snapshot \"false\" on %d records, want 6", tl.snap_false);

    int rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    char offpath[700];
    snprintf(offpath, sizeof(offpath), "%s/connect.offsets", dir);
    char *offsets = sl_test_read_file(offpath, NULL);
    CHECK(offsets && strstr(offsets, "\"salesdb-source\"") && strstr(offsets, "\"gtids\"") &&
              !strstr(offsets, "snapshot_progress"),
          "offsets file %s: %s", offpath, offsets ? offsets : "(missing)");
    free(offsets);

    /* A restart streams on from the stored offset: no second copy. */
    start_sluice2(worker, s1, s2);
    wait_log("resuming from the stored offset", 2);
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (29007, 1, '2022-06-16 10:00:00', 'ONE-DAY')");
    int before = tl.envelope;
    consume(cons, NALL, before + 1, 30000);
    consume(cons, NALL, before + 1000, 1500);
    CHECK(tl.envelope == before + 1, "%d envelope records after the restart, want 1",
          tl.envelope - before);
    CHECK(!log_has("snapshot started", 3), "the restart copied the table again");
    rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after the second SIGTERM", rc);

    sl_consumer_free(cons);
    if (failures) {
        char *log = sl_test_read_file(logpath, NULL);
        fprintf(stderr, "sluice log:\n%s\n", log ? log : "");
        free(log);
    }
    cleanup();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
