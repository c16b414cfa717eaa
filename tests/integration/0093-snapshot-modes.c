/* SPDX-License-Identifier: Apache-2.0 */
/* snapshot.mode and primary keys with binlog_row_metadata=MINIMAL, in Kafka mode (mock
 * cluster in this process), on a 100-row table:
 *   - initial_only copies the table and the task ends by itself (no streaming); its offset
 *     marks the snapshot completed;
 *   - never copies nothing and streams from the current position; streamed records carry the
 *     primary key (MINIMAL metadata: the key comes from information_schema, not the binlog);
 *   - when_needed copies the table, streams, and copies it again when the stored binlog file
 *     was purged while it was down;
 *   - an offset stored during a snapshot (snapshot:true) with a mode that copies no data is
 *     refused with Debezium's message and the offsets file named; a Debezium-written one
 *     (no Sluice progress) under initial restarts the snapshot from zero. */
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

#include "bus/consumer.h"
#include "bus/kconf.h"
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
    int64_t deadline = sl_time_mono_ms() + 60000LL * sl_test_timeout_mult();
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

static void start_sluice(const char *worker, const char *s1)
{
    const char *bin = getenv("SLUICE_BIN");
    child = fork();
    REQUIRE(child >= 0, "fork failed");
    if (child == 0) {
        FILE *log = freopen(logpath, "a", stderr);
        (void)log;
        execl(bin, bin, "standalone", worker, s1, (char *)NULL);
        _exit(127);
    }
}

#define NROWS 100

struct topic_tally {
    const char *topic;
    int records;
    int keys[NROWS + 8]; /* records per ORDER_ID */
    int bad;
    char last_key[64], last_value[256];
};

static struct topic_tally tt[] = {
    {.topic = "pio.salesdb.SALES_ORDER"},
    {.topic = "pnv.salesdb.SALES_ORDER"},
    {.topic = "pwn.salesdb.SALES_ORDER"},
};
enum { IO, NV, WN };

/* Polls until topic `which` has `want` records or wait_ms passed. */
static void consume(struct sl_consumer *cons, int which, int want, int wait_ms)
{
    struct sl_consumer_batch batch = {0};
    int64_t deadline = sl_time_mono_ms() + (int64_t)wait_ms * sl_test_timeout_mult();
    while (sl_time_mono_ms() < deadline && (which < 0 || tt[which].records < want)) {
        sl_err_t err = sl_consumer_poll(cons, &batch, 1000, 100, errstr, sizeof(errstr));
        REQUIRE(err == SL_OK, "poll: %s", errstr);
        for (size_t i = 0; i < batch.cnt; i++) {
            const struct sl_bus_msg *m = &batch.msgs[i];
            for (size_t k = 0; k < sizeof(tt) / sizeof(tt[0]); k++) {
                struct topic_tally *t = &tt[k];
                if (strcmp(m->topic, t->topic) != 0)
                    continue;
                t->records++;
                snprintf(t->last_key, sizeof(t->last_key), "%.*s", (int)m->key_len,
                         m->key ? (const char *)m->key : "(null)");
                snprintf(t->last_value, sizeof(t->last_value), "%.*s", (int)m->value_len,
                         m->value ? (const char *)m->value : "(null)");
                int id = 0;
                if (sscanf(t->last_key, "Struct{ORDER_ID=%d}", &id) == 1 && id >= 1 &&
                    id < NROWS + 8)
                    t->keys[id]++;
                else if (t->bad++ < 3)
                    fprintf(stderr, "FAIL %s: key '%s'\n", t->topic, t->last_key);
            }
            sl_consumer_mark(cons, m->topic, m->partition, m->offset + 1);
        }
    }
    sl_consumer_batch_fini(&batch);
}

static int distinct(int which, int upto)
{
    int n = 0;
    for (int i = 1; i <= upto; i++)
        n += tt[which].keys[i] > 0;
    return n;
}

static char worker[700], boot[256];

static void connector(const char *path, const char *name, const char *prefix, const char *mode,
                      int server_id)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "name=%s\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.server.id=%d\n"
             "topic.prefix=%s\n"
             "table.include.list=salesdb.SALES_ORDER\n"
             "snapshot.mode=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n"
             "transforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n",
             name, pw, port, server_id, prefix, mode);
    write_file(path, text);
}

/* Waits for the child to exit by itself; returns its status. */
static int wait_exit(int wait_ms)
{
    int64_t deadline = sl_time_mono_ms() + (int64_t)wait_ms * sl_test_timeout_mult();
    int st = 0;
    while (waitpid(child, &st, WNOHANG) == 0) {
        REQUIRE(sl_time_mono_ms() < deadline, "sluice kept running; log:\n%s",
                sl_test_read_file(logpath, NULL));
        usleep(50000);
    }
    child = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
    REQUIRE(getenv("SLUICE_BIN"), "SLUICE_BIN is not set (run through ctest)");
    char *tmp = sl_test_tmpdir("sl-it-0093");
    snprintf(dir, sizeof(dir), "%s", tmp);
    free(tmp);
    snprintf(logpath, sizeof(logpath), "%s/sluice.log", dir);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db --binlog-row-metadata=MINIMAL",
             sl_test_src("tests/lib/mariadb.sh"), dir);
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
    sql("CREATE DATABASE salesdb; CREATE TABLE salesdb.SALES_ORDER (SITE_ID INT, "
        "ORDER_ID INT, ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20), PRIMARY KEY (ORDER_ID));"
        "INSERT INTO salesdb.SALES_ORDER SELECT seq % 50, seq, "
        "TIMESTAMP'2022-01-01 00:00:00' + INTERVAL seq SECOND, 'STANDARD' "
        "FROM salesdb.seq_1_to_100");

    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    snprintf(boot, sizeof(boot), "%s", sl_mock_bootstraps(mock));
    const char *topics[3];
    for (int i = 0; i < 3; i++) {
        topics[i] = tt[i].topic;
        REQUIRE(sl_mock_topic_create(mock, topics[i], 1, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
                errstr);
    }
    char text[4096], offpath[700], s_io[700], s_nv[700], s_wn[700];
    snprintf(worker, sizeof(worker), "%s/worker.properties", dir);
    snprintf(offpath, sizeof(offpath), "%s/connect.offsets", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "offset.storage.file.filename=%s\n"
             "offset.flush.interval.ms=200\n",
             boot, offpath);
    write_file(worker, text);
    snprintf(s_io, sizeof(s_io), "%s/io.properties", dir);
    snprintf(s_nv, sizeof(s_nv), "%s/nv.properties", dir);
    snprintf(s_wn, sizeof(s_wn), "%s/wn.properties", dir);
    connector(s_io, "io", "pio", "initial_only", 201);
    connector(s_nv, "nv", "pnv", "never", 202);
    connector(s_wn, "wn", "pwn", "when_needed", 203);

    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv kv[] = {{"bootstrap.servers", boot}, {"fetch.max.wait.ms", "50"}};
    REQUIRE(sl_kconf_add(&kc, kv, 2, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_consumer *cons =
        sl_consumer_new(&kc, "it-0093", NULL, NULL, NULL, NULL, errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);
    sl_kconf_fini(&kc);
    REQUIRE(sl_consumer_subscribe(cons, topics, 3, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    consume(cons, -1, 0, 2000);

    /* initial_only: the snapshot, then the task ends by itself. */
    start_sluice(worker, s_io);
    int rc = wait_exit(60000);
    fprintf(stderr, "initial_only: exit status %d\n", rc);
    CHECK(rc == 0, "initial_only: exit status %d, want 0 (the work is done, nothing failed)",
          rc);
    CHECK(log_has("connector io finished its work and stopped", 1),
          "initial_only: the connector was not shown as finished");
    CHECK(log_has("source io: snapshot.mode=initial_only: the snapshot is done", 1),
          "no initial_only end in the log");
    CHECK(!log_has("source io: streaming from", 1), "initial_only streamed");
    consume(cons, IO, NROWS, 20000);
    CHECK(tt[IO].records == NROWS && distinct(IO, NROWS) == NROWS,
          "initial_only: %d records, %d distinct keys, want %d", tt[IO].records,
          distinct(IO, NROWS), NROWS);
    char *offsets = sl_test_read_file(offpath, NULL);
    const char *io_off = offsets ? strstr(offsets, "[\"io\",") : NULL;
    CHECK(io_off && strstr(io_off, "\"snapshot_completed\":true"), "offsets: %s",
          offsets ? offsets : "(missing)");
    free(offsets);

    /* never: no copy; streamed changes keyed by the primary key despite MINIMAL metadata. */
    start_sluice(worker, s_nv);
    wait_log("source nv: streaming from", 1);
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (7, 101, '2022-06-16 10:00:00', 'ONE-DAY');"
        "UPDATE salesdb.SALES_ORDER SET SHIP_MODE='TWO-DAY' WHERE ORDER_ID=5");
    consume(cons, NV, 2, 20000);
    consume(cons, NV, 3, 1000);
    CHECK(tt[NV].records == 2 && tt[NV].keys[101] == 1 && tt[NV].keys[5] == 1,
          "never: %d records (101: %d, 5: %d), want the two changes only", tt[NV].records,
          tt[NV].keys[101], tt[NV].keys[5]);
    CHECK(strcmp(tt[NV].last_value, "{\"SITE_ID\":5,\"ORDER_ID\":5,\"ORDER_DATE\":"
                                    "1640995205000,\"SHIP_MODE\":\"TWO-DAY\"}") == 0,
          "never: update value %s", tt[NV].last_value);
    rc = stop_sluice();
    CHECK(rc == 0, "never: exit status %d after SIGTERM", rc);

    /* when_needed: copies, streams; after the stored binlog is purged, copies again. */
    start_sluice(worker, s_wn);
    wait_log("source wn: streaming from", 1);
    consume(cons, WN, NROWS + 1, 20000);
    CHECK(tt[WN].records == NROWS + 1 && distinct(WN, NROWS + 1) == NROWS + 1,
          "when_needed: %d records, %d keys after the first snapshot, want %d", tt[WN].records,
          distinct(WN, NROWS + 1), NROWS + 1);
    rc = stop_sluice();
    CHECK(rc == 0, "when_needed: exit status %d after SIGTERM", rc);
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (8, 102, NOW(), 'X'); FLUSH BINARY LOGS;"
        "INSERT INTO salesdb.SALES_ORDER VALUES (9, 103, NOW(), 'X'); FLUSH BINARY LOGS");
    char *status = NULL;
    snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -uroot -S %s -N -e 'SHOW MASTER STATUS'",
             sock);
    REQUIRE(sl_test_run(cmd, &status) == 0 && status, "SHOW MASTER STATUS failed");
    char current[128] = "", stmt[256];
    sscanf(status, "%127s", current);
    free(status);
    snprintf(stmt, sizeof(stmt), "PURGE BINARY LOGS TO '%s'", current);
    sql(stmt);
    start_sluice(worker, s_wn);
    wait_log("source wn: streaming from", 2);
    CHECK(log_has("snapshot.mode=when_needed: copying the tables again", 1),
          "no re-snapshot notice in the log");
    consume(cons, WN, 2 * (NROWS + 1) + 2, 20000);
    CHECK(tt[WN].records == 2 * (NROWS + 1) + 2 && distinct(WN, NROWS + 3) == NROWS + 3,
          "when_needed: %d records, %d keys after the purge, want %d and %d", tt[WN].records,
          distinct(WN, NROWS + 3), 2 * (NROWS + 1) + 2, NROWS + 3);
    rc = stop_sluice();
    CHECK(rc == 0, "when_needed: exit status %d after the second SIGTERM", rc);

    /* Offsets written during a snapshot. */
    char s_x[700];
    snprintf(s_x, sizeof(s_x), "%s/x.properties", dir);
    FILE *f = fopen(offpath, "a");
    REQUIRE(f, "cannot append to %s", offpath);
    fprintf(f,
            "{\"key\":[\"x\",{\"server\":\"px\"}],\"value\":{\"file\":\"%s\","
            "\"pos\":4,\"snapshot\":true}}\n",
            current);
    fclose(f);
    connector(s_x, "x", "px", "never", 204);
    start_sluice(worker, s_x);
    rc = wait_exit(30000);
    CHECK(rc != 0, "mode never on a snapshot offset: exit status %d", rc);
    CHECK(log_has("The connector previously stopped while taking a snapshot", 1) &&
              log_has("connect.offsets", 1),
          "no clear refusal of the unfinished snapshot under snapshot.mode=never");
    connector(s_x, "x", "px", "initial", 204);
    start_sluice(worker, s_x);
    wait_log("source x: streaming from", 1);
    CHECK(log_has("source x: the stored offset was taken during a snapshot but carries no", 1),
          "no notice that the snapshot starts again");
    CHECK(log_has("source x: snapshot completed: 103 rows copied by this run", 1),
          "the snapshot did not start from zero");
    rc = stop_sluice();
    CHECK(rc == 0, "initial after a Debezium snapshot offset: exit status %d", rc);

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
