/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice standalone worker.properties source.properties` against a throwaway MariaDB and
 * librdkafka's mock cluster (running in this process): the seed tutorial's six INSERTs arrive
 * on salesdb.salesdb.SALES_ORDER with the exact StringConverter key and unwrapped JSON value,
 * an UPDATE yields the new row, a DELETE yields nothing (unwrap defaults), SIGTERM exits 0 and
 * leaves the offsets file, and a restart resumes from it: no old row is sent again and new
 * inserts arrive. */
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

static void start_sluice(const char *worker, const char *source)
{
    const char *bin = getenv("SLUICE_BIN");
    child = fork();
    REQUIRE(child >= 0, "fork failed");
    if (child == 0) {
        FILE *log = freopen(logpath, "a", stderr);
        (void)log;
        execl(bin, bin, "standalone", worker, source, (char *)NULL);
        _exit(127);
    }
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

struct got {
    char key[128];
    char value[512];
};

/* Reads records until want arrived or quiet_ms passed without one (after the deadline). */
static int consume(struct sl_consumer *cons, struct got *out, int max, int want, int wait_ms)
{
    struct sl_consumer_batch batch = {0};
    int n = 0;
    int64_t deadline = sl_time_mono_ms() + (int64_t)wait_ms * sl_test_timeout_mult();
    while (sl_time_mono_ms() < deadline && (want < 0 || n < want)) {
        sl_err_t err = sl_consumer_poll(cons, &batch, 100, 200, errstr, sizeof(errstr));
        REQUIRE(err == SL_OK, "poll: %s", errstr);
        for (size_t i = 0; i < batch.cnt && n < max; i++, n++) {
            const struct sl_bus_msg *m = &batch.msgs[i];
            snprintf(out[n].key, sizeof(out[n].key), "%.*s", (int)m->key_len,
                     m->key ? (const char *)m->key : "(null)");
            snprintf(out[n].value, sizeof(out[n].value), "%.*s", (int)m->value_len,
                     m->value ? (const char *)m->value : "(null)");
            sl_consumer_mark(cons, m->topic, m->partition, m->offset + 1);
        }
    }
    sl_consumer_batch_fini(&batch);
    return n;
}

static const struct {
    int id, site;
    const char *date, *mode;
} rows[] = {
    {29001, 2568, "2022-06-15 07:52:16", "STANDARD"},
    {29002, 1649, "2022-06-15 07:52:17", "ONE-DAY"},
    {29003, 3861, "2022-06-15 07:52:18", "TWO-DAY"},
    {29004, 2568, "2022-06-15 07:52:19", "STANDARD"},
    {29005, 1649, "2022-06-15 07:52:20", "ONE-DAY"},
    {29006, 3861, "2022-06-15 07:52:21", "TWO-DAY"},
};

static long long epoch_ms(const char *date)
{
    struct tm tm = {0};
    REQUIRE(sscanf(date, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec) == 6,
            "bad date");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000;
}

static void expect(const struct got *g, int id, int site, const char *date, const char *mode)
{
    char key[64], value[256];
    snprintf(key, sizeof(key), "Struct{ORDER_ID=%d}", id);
    snprintf(value, sizeof(value),
             "{\"ORDER_ID\":%d,\"SITE_ID\":%d,\"ORDER_DATE\":%lld,\"SHIP_MODE\":\"%s\"}", id, site,
             epoch_ms(date), mode);
    CHECK(strcmp(g->key, key) == 0, "key '%s', want '%s'", g->key, key);
    CHECK(strcmp(g->value, value) == 0, "value '%s', want '%s'", g->value, value);
}

int main(void)
{
    REQUIRE(getenv("SLUICE_BIN"), "SLUICE_BIN is not set (run through ctest)");
    char *tmp = sl_test_tmpdir("sl-it-0030");
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
        "CREATE TABLE salesdb.OTHER (ID INT PRIMARY KEY); CREATE DATABASE otherdb;"
        "CREATE TABLE otherdb.T (ID INT PRIMARY KEY)");

    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, "salesdb.salesdb.SALES_ORDER", 1, 1, errstr,
                                 sizeof(errstr)) == SL_OK,
            "%s", errstr);

    char worker[700], source[700], text[4096];
    snprintf(worker, sizeof(worker), "%s/worker.properties", dir);
    snprintf(source, sizeof(source), "%s/source.properties", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "offset.flush.interval.ms=500\n",
             boot, dir);
    write_file(worker, text);
    /* The seed's source connector file: endpoints and credentials changed, IAM keys gone. */
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
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"
             "topic.creation.default.replication.factor=1\n"
             "topic.creation.default.partitions=2\n",
             pw, port, boot);
    write_file(source, text);

    /* The test's consumer. */
    const char *topics[] = {"salesdb.salesdb.SALES_ORDER"};
    struct sl_consumer *cons =
        sl_test_kafka_consumer(boot, "it-0030", topics, 1, errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);

    /* First run: the six INSERTs, one per transaction as in the tutorial. */
    start_sluice(worker, source);
    wait_log("streaming from", 1);
    for (size_t i = 0; i < 6; i++) {
        char stmt[512];
        snprintf(stmt, sizeof(stmt),
                 "INSERT INTO salesdb.SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) "
                 "VALUES (%d, %d, '%s', '%s')",
                 rows[i].id, rows[i].site, rows[i].date, rows[i].mode);
        sql(stmt);
    }
    sql("INSERT INTO salesdb.OTHER VALUES (1); INSERT INTO otherdb.T VALUES (1)");
    struct got got[64];
    int n = consume(cons, got, 64, 6, 30000);
    /* topic.creation.default.* on a topic that already exists: used as it is. */
    CHECK(log_has("topic salesdb.salesdb.SALES_ORDER ready", 1), "no topic check in the log");
    CHECK(n == 6, "%d records after the six INSERTs, want 6", n);
    for (int i = 0; i < n && i < 6; i++)
        expect(&got[i], rows[i].id, rows[i].site, rows[i].date, rows[i].mode);

    sql("UPDATE salesdb.SALES_ORDER SET SHIP_MODE='ONE-DAY' WHERE ORDER_ID=29001");
    sql("DELETE FROM salesdb.SALES_ORDER WHERE ORDER_ID=29002");
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (29007, 1649, '2022-06-16 10:00:00', 'ONE-DAY')");
    n = consume(cons, got, 64, 2, 30000);
    CHECK(n == 2, "%d records after UPDATE, DELETE, INSERT; want 2 (the delete is dropped)", n);
    if (n >= 1)
        expect(&got[0], 29001, 2568, "2022-06-15 07:52:16", "ONE-DAY");
    if (n >= 2)
        expect(&got[1], 29007, 1649, "2022-06-16 10:00:00", "ONE-DAY");
    n = consume(cons, got, 64, -1, 1500);
    CHECK(n == 0, "%d unexpected records (first key %s)", n, n ? got[0].key : "");

    int rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after SIGTERM, want 0; log:\n%s", rc,
          sl_test_read_file(logpath, NULL));
    char offpath[700];
    snprintf(offpath, sizeof(offpath), "%s/connect.offsets", dir);
    char *offsets = sl_test_read_file(offpath, NULL);
    CHECK(offsets && strstr(offsets, "\"salesdb-source\"") && strstr(offsets, "\"server\"") &&
              strstr(offsets, "\"file\"") && strstr(offsets, "\"pos\""),
          "offsets file %s: %s", offpath, offsets ? offsets : "(missing)");
    free(offsets);

    /* Changes while sluice is down are picked up from the stored offset after a restart. */
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (29008, 2568, '2022-06-17 11:00:00', "
        "'STANDARD')");
    start_sluice(worker, source);
    wait_log("resuming from the stored offset", 1);
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (29009, 3861, '2022-06-18 12:00:00', "
        "'TWO-DAY')");
    n = consume(cons, got, 64, 2, 30000);
    n += consume(cons, got + n, 64 - n, -1, 1500);
    CHECK(n == 2, "%d records after the restart, want 2 (29008, 29009; no old row again)", n);
    if (n >= 1)
        expect(&got[0], 29008, 2568, "2022-06-17 11:00:00", "STANDARD");
    if (n >= 2)
        expect(&got[1], 29009, 3861, "2022-06-18 12:00:00", "TWO-DAY");
    rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after the second SIGTERM", rc);

    /* The stored position purged from the server: a non-zero exit saying what to do. */
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (29010, 1, NOW(), 'X'); FLUSH BINARY LOGS;"
        "INSERT INTO salesdb.SALES_ORDER VALUES (29011, 1, NOW(), 'X'); FLUSH BINARY LOGS");
    char *status = NULL;
    snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -uroot -S %s -N -e 'SHOW MASTER STATUS'",
             sock);
    REQUIRE(sl_test_run(cmd, &status) == 0 && status, "SHOW MASTER STATUS failed");
    char current[128] = "";
    sscanf(status, "%127s", current);
    free(status);
    char stmt[256];
    snprintf(stmt, sizeof(stmt), "PURGE BINARY LOGS TO '%s'", current);
    sql(stmt);
    start_sluice(worker, source);
    int64_t deadline = sl_time_mono_ms() + 30000LL * sl_test_timeout_mult();
    int st = 0;
    while (waitpid(child, &st, WNOHANG) == 0) {
        REQUIRE(sl_time_mono_ms() < deadline, "sluice kept running on a purged offset:\n%s",
                sl_test_read_file(logpath, NULL));
        usleep(50000);
    }
    child = 0;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %d on a purged offset", st);
    CHECK(log_has("is no longer available on the server", 1) &&
              log_has("remove that entry (or the offsets file)", 1) &&
              log_has("connect.offsets", 1),
          "no clear purged-binlog error in the log:\n%s", sl_test_read_file(logpath, NULL));

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
