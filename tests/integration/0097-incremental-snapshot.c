/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental snapshot through the signal table, in Kafka mode (mock cluster in this
 * process), envelope form: a connector with snapshot.mode=never streams salesdb.ORDERS (50
 * rows that were never copied); an INSERT of an execute-snapshot signal into
 * salesdb.debezium_signal (not captured) makes every row arrive as op "r" with
 * source.snapshot "incremental", in chunks of 16; an UPDATE issued right after the signal
 * ends as the last value of its key whatever window it lands in; the signal table's own
 * rows never reach Kafka; a row inserted just before the signal comes as op "c" and then,
 * being under the snapshot's largest key, as op "r"; the finished snapshot leaves no state
 * in the offset. An ALTER TABLE then puts a record whose "ddl" is the statement on the schema
 * history topic (database.history.kafka.topic) and, with include.schema.changes=true, on the
 * schema change topic (<topic.prefix>). */
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

#define NROWS 50
#define HOT 25 /* the row updated during the snapshot */

static struct {
    int records, reads, creates, updates, bad_snapshot;
    int keys[NROWS + 8];
    char last_value[NROWS + 8][512];
} tl;
static int signal_records;
static bool want_ddl;
static char history_ddl[2048], change_key[256], change_ddl[2048];
#define ALTER "ALTER TABLE salesdb.ORDERS ADD COLUMN W INT"

static void consume(struct sl_consumer *cons, int until_reads, int wait_ms)
{
    struct sl_consumer_batch batch = {0};
    int64_t deadline = sl_time_mono_ms() + (int64_t)wait_ms * sl_test_timeout_mult();
    while (sl_time_mono_ms() < deadline &&
           (want_ddl ? !history_ddl[0] || !change_ddl[0] : tl.reads < until_reads)) {
        sl_err_t err = sl_consumer_poll(cons, &batch, 1000, 100, errstr, sizeof(errstr));
        REQUIRE(err == SL_OK, "poll: %s", errstr);
        for (size_t i = 0; i < batch.cnt; i++) {
            const struct sl_bus_msg *m = &batch.msgs[i];
            sl_consumer_mark(cons, m->topic, m->partition, m->offset + 1);
            char text[2048];
            snprintf(text, sizeof(text), "%.*s", (int)m->value_len,
                     m->value ? (const char *)m->value : "");
            if (strcmp(m->topic, "dbhistory.salesdb") == 0 &&
                strstr(text, "\"ddl\":\"" ALTER "\"")) {
                snprintf(history_ddl, sizeof(history_ddl), "%s", text);
                continue;
            }
            if (strcmp(m->topic, "p") == 0 && strstr(text, "\"ddl\":\"" ALTER "\"")) {
                snprintf(change_ddl, sizeof(change_ddl), "%s", text);
                snprintf(change_key, sizeof(change_key), "%.*s", (int)m->key_len,
                         m->key ? (const char *)m->key : "(null)");
                continue;
            }
            if (strcmp(m->topic, "p.salesdb.debezium_signal") == 0) {
                signal_records++;
                continue;
            }
            if (strcmp(m->topic, "p.salesdb.ORDERS") != 0)
                continue;
            char key[64];
            snprintf(key, sizeof(key), "%.*s", (int)m->key_len,
                     m->key ? (const char *)m->key : "(null)");
            int id = 0;
            if (sscanf(key, "Struct{ID=%d}", &id) != 1 || id < 1 || id >= NROWS + 8) {
                fprintf(stderr, "FAIL: key '%s'\n", key);
                failures++;
                continue;
            }
            if (!m->value) /* tombstone */
                continue;
            tl.records++;
            tl.keys[id]++;
            char *v = tl.last_value[id];
            snprintf(v, sizeof(tl.last_value[id]), "%.*s", (int)m->value_len,
                     (const char *)m->value);
            if (strstr(v, "\"op\":\"r\"")) {
                tl.reads++;
                if (!strstr(v, "\"snapshot\":\"incremental\"") && tl.bad_snapshot++ < 3)
                    fprintf(stderr, "read without snapshot incremental: %s\n", v);
            } else if (strstr(v, "\"op\":\"c\"")) {
                tl.creates++;
            } else if (strstr(v, "\"op\":\"u\"")) {
                tl.updates++;
            }
        }
    }
    sl_consumer_batch_fini(&batch);
}

int main(void)
{
    REQUIRE(getenv("SLUICE_BIN"), "SLUICE_BIN is not set (run through ctest)");
    char *tmp = sl_test_tmpdir("sl-it-0097");
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
    sql("CREATE DATABASE salesdb; CREATE TABLE salesdb.ORDERS (ID INT PRIMARY KEY, V INT);"
        "INSERT INTO salesdb.ORDERS SELECT seq, seq FROM salesdb.seq_1_to_50;"
        "CREATE TABLE salesdb.debezium_signal (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) "
        "NOT NULL, data TEXT);"
        "GRANT INSERT ON salesdb.debezium_signal TO 'sluice'@'%';"
        "GRANT INSERT ON salesdb.debezium_signal TO 'sluice'@'localhost'");

    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    const char *boot = sl_mock_bootstraps(mock);
    const char *topics[] = {"p.salesdb.ORDERS", "p.salesdb.debezium_signal", "dbhistory.salesdb",
                            "p"};
    for (int i = 0; i < 4; i++)
        REQUIRE(sl_mock_topic_create(mock, topics[i], 1, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
                errstr);
    char text[4096], worker[700], conn[700], offpath[700];
    snprintf(worker, sizeof(worker), "%s/worker.properties", dir);
    snprintf(offpath, sizeof(offpath), "%s/connect.offsets", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "offset.storage.file.filename=%s\n"
             "offset.flush.interval.ms=200\n"
             "listeners=\n",
             boot, offpath);
    write_file(worker, text);
    snprintf(conn, sizeof(conn), "%s/src.properties", dir);
    snprintf(text, sizeof(text),
             "name=inc\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.server.id=301\n"
             "topic.prefix=p\n"
             "table.include.list=salesdb.ORDERS\n"
             "snapshot.mode=never\n"
             "signal.data.collection=salesdb.debezium_signal\n"
             "incremental.snapshot.chunk.size=16\n"
             "database.history.kafka.topic=dbhistory.salesdb\n"
             "database.history.kafka.bootstrap.servers=%s\n"
             "include.schema.changes=true\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n",
             pw, port, boot);
    write_file(conn, text);

    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv kv[] = {{"bootstrap.servers", boot}, {"fetch.max.wait.ms", "50"}};
    REQUIRE(sl_kconf_add(&kc, kv, 2, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_consumer *cons =
        sl_consumer_new(&kc, "it-0097", NULL, NULL, NULL, NULL, errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);
    sl_kconf_fini(&kc);
    REQUIRE(sl_consumer_subscribe(cons, topics, 4, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    consume(cons, 1, 2000);

    start_sluice(worker, conn);
    wait_log("source inc: streaming from", 1);
    sql("INSERT INTO salesdb.ORDERS VALUES (51, 51)");
    sql("INSERT INTO salesdb.debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', "
        "'{\\\"data-collections\\\":[\\\"salesdb.ORDERS\\\"],\\\"type\\\":\\\"incremental\\\"}');"
        "UPDATE salesdb.ORDERS SET V=999 WHERE ID=25");
    wait_log("incremental snapshot: chunk", 1);
    consume(cons, NROWS, 60000);
    consume(cons, NROWS + 100, 2000); /* anything more */

    fprintf(stderr, "records %d: %d r, %d c, %d u; signal topic %d\n", tl.records, tl.reads,
            tl.creates, tl.updates, signal_records);
    int missing = 0;
    for (int id = 1; id <= NROWS; id++)
        if (id != HOT && !strstr(tl.last_value[id], "\"op\":\"r\""))
            missing++;
    CHECK(missing == 0, "%d of rows 1..50 (25 aside) did not arrive as op r", missing);
    CHECK(tl.bad_snapshot == 0, "%d reads without source.snapshot incremental", tl.bad_snapshot);
    CHECK(strstr(tl.last_value[HOT], "\"V\":999") != NULL, "last value of row 25: %s",
          tl.last_value[HOT]);
    /* Row 51 was inserted before the snapshot read its largest key: a c, then an r. */
    CHECK(tl.creates == 1 && tl.keys[51] == 2 && strstr(tl.last_value[51], "\"op\":\"r\""),
          "row 51: %d creates, %d records, last '%s'", tl.creates, tl.keys[51], tl.last_value[51]);
    CHECK(signal_records == 0, "%d signal-table records reached Kafka", signal_records);
    CHECK(log_has("incremental snapshot: chunk 4 done", 1), "not 4 chunks of 16 rows");

    /* DDL: the schema history record and the schema change record carry the statement. */
    sql(ALTER);
    want_ddl = true;
    consume(cons, 0, 30000);
    CHECK(history_ddl[0] && strstr(history_ddl, "\"databaseName\":\"salesdb\"") &&
              strstr(history_ddl, "\"type\":\"ALTER\"") && strstr(history_ddl, "\"W\""),
          "no schema history record of the ALTER: '%s'", history_ddl);
    CHECK(change_ddl[0] && strstr(change_key, "salesdb") && strstr(change_ddl, "\"tableChanges\""),
          "no schema change record of the ALTER: key '%s' value '%s'", change_key, change_ddl);

    int rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    char *offsets = sl_test_read_file(offpath, NULL);
    CHECK(offsets && strstr(offsets, "[\"inc\",") && !strstr(offsets, "incremental_snapshot"),
          "offsets after a finished incremental snapshot: %s", offsets ? offsets : "(missing)");
    free(offsets);

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
