/* SPDX-License-Identifier: Apache-2.0 */
/* Resumable snapshot: a 1,000,000-row table, `sluice standalone` in Kafka mode is SIGKILLed in
 * the middle of the snapshot (once the offsets file holds a snapshot checkpoint); the restart
 * continues from that checkpoint instead of from zero (it reads < 60 % of the table again,
 * counted both from its log summary and from the records it produced), completes, streams,
 * and every key is on the topic afterwards. */
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

#define NROWS 1000000
#define TOPIC "salesdb.salesdb.SALES_ORDER"

static unsigned char seen[NROWS + 2];
static long records; /* records consumed so far */

static int distinct(void)
{
    int n = 0;
    for (int i = 1; i <= NROWS + 1; i++)
        n += seen[i] > 0;
    return n;
}

/* Polls until `want` distinct keys were seen or wait_ms passed. */
static void consume(struct sl_consumer *cons, int want, int wait_ms)
{
    struct sl_consumer_batch batch = {0};
    int64_t deadline = sl_time_mono_ms() + (int64_t)wait_ms * sl_test_timeout_mult();
    while (sl_time_mono_ms() < deadline && distinct() < want) {
        sl_err_t err = sl_consumer_poll(cons, &batch, 10000, 100, errstr, sizeof(errstr));
        REQUIRE(err == SL_OK, "poll: %s", errstr);
        for (size_t i = 0; i < batch.cnt; i++) {
            const struct sl_bus_msg *m = &batch.msgs[i];
            char key[64];
            snprintf(key, sizeof(key), "%.*s", (int)m->key_len, m->key ? (const char *)m->key : "");
            int id = 0;
            records++;
            if (sscanf(key, "Struct{ORDER_ID=%d}", &id) == 1 && id >= 1 && id <= NROWS + 1)
                seen[id] = 1;
            sl_consumer_mark(cons, m->topic, m->partition, m->offset + 1);
        }
    }
    sl_consumer_batch_fini(&batch);
}

/* Rows of the snapshot checkpoint in the offsets file, -1 when there is none. */
static long checkpoint_rows(const char *offpath)
{
    char *text = sl_test_read_file(offpath, NULL);
    const char *p = text ? strstr(text, "\"snapshot_progress\":{") : NULL;
    p = p ? strstr(p, "\"rows\":") : NULL;
    long rows = p ? strtol(p + 7, NULL, 10) : -1;
    free(text);
    return rows;
}

/* Number from the log after `what`, or -1. */
static long log_number(const char *what)
{
    char *text = sl_test_read_file(logpath, NULL);
    const char *p = text ? strstr(text, what) : NULL;
    long v = p ? strtol(p + strlen(what), NULL, 10) : -1;
    free(text);
    return v;
}

int main(void)
{
    REQUIRE(getenv("SLUICE_BIN"), "SLUICE_BIN is not set (run through ctest)");
    char *tmp = sl_test_tmpdir("sl-it-0091");
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
    int64_t t0 = sl_time_mono_ms();
    sql("CREATE DATABASE salesdb; CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY, "
        "SITE_ID INT, ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20));"
        "INSERT INTO salesdb.SALES_ORDER SELECT seq, seq % 5000, "
        "TIMESTAMP'2022-01-01 00:00:00' + INTERVAL seq SECOND, "
        "ELT(seq % 3 + 1, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM salesdb.seq_1_to_1000000");
    fprintf(stderr, "table filled in %lld ms\n", (long long)(sl_time_mono_ms() - t0));

    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    const char *boot = sl_mock_bootstraps(mock);
    /* The mock broker keeps about 5 MB per partition: spread the ~110 MB of records. */
    REQUIRE(sl_mock_topic_create(mock, TOPIC, 64, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);

    char worker[700], source[700], text[4096], offpath[700];
    snprintf(worker, sizeof(worker), "%s/worker.properties", dir);
    snprintf(source, sizeof(source), "%s/source.properties", dir);
    snprintf(offpath, sizeof(offpath), "%s/connect.offsets", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s\n"
             "offset.flush.interval.ms=100\n",
             boot, offpath);
    write_file(worker, text);
    snprintf(text, sizeof(text),
             "name=salesdb-source\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.server.id=123456\n"
             "database.server.name=salesdb\n"
             "table.include.list=salesdb.sales_order\n"
             "snapshot.fetch.size=2000\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n"
             "transforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n",
             pw, port);
    write_file(source, text);

    const char *topics[] = {TOPIC};
    struct sl_consumer *cons =
        sl_test_kafka_consumer(boot, "it-0091", topics, 1, errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);
    consume(cons, 1, 3000); /* get the assignment before anything is produced */

    /* First run: killed once a checkpoint of at least half the table is stored, so a restart
     * from zero (Debezium's behaviour) would read 100 % again and one that continues <= 50 %. */
    start_sluice(worker, source);
    int64_t deadline = sl_time_mono_ms() + 300000LL * sl_test_timeout_mult();
    long ck = -1;
    while ((ck = checkpoint_rows(offpath)) < NROWS / 2) {
        int st;
        REQUIRE(waitpid(child, &st, WNOHANG) == 0, "sluice exited early; log:\n%s",
                sl_test_read_file(logpath, NULL));
        REQUIRE(!log_has("snapshot completed", 1), "the snapshot finished before the kill");
        REQUIRE(sl_time_mono_ms() < deadline, "no snapshot checkpoint in %s; log:\n%s", offpath,
                sl_test_read_file(logpath, NULL));
        /* Not consuming here: reading a burst of records took longer than the rest of the
         * snapshot (half a second on a loaded machine), which then ended before the kill. */
        usleep(10000);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    child = 0;
    /* What the first run delivered: read until a second passes with nothing new. */
    for (long prev = -1; records != prev;) {
        prev = records;
        consume(cons, NROWS + 1, 1000);
    }
    long first = records;
    ck = checkpoint_rows(offpath);
    fprintf(stderr, "killed with a checkpoint of %ld rows; %ld records delivered\n", ck, first);
    CHECK(ck > 0 && ck < NROWS, "checkpoint of %ld rows after the kill", ck);
    CHECK(first >= ck, "%ld records on the topic but the checkpoint claims %ld rows", first, ck);

    /* Second run: continues after the checkpoint, completes, streams. */
    start_sluice(worker, source);
    deadline = sl_time_mono_ms() + 300000LL * sl_test_timeout_mult();
    while (!log_has("source salesdb-source: streaming from", 1)) {
        int st;
        REQUIRE(waitpid(child, &st, WNOHANG) == 0, "sluice exited early; log:\n%s",
                sl_test_read_file(logpath, NULL));
        REQUIRE(sl_time_mono_ms() < deadline, "the resumed snapshot did not finish; log:\n%s",
                sl_test_read_file(logpath, NULL));
        consume(cons, NROWS + 1, 100);
    }
    CHECK(log_has("snapshot resumed", 1), "the restart did not resume the snapshot");
    sql("INSERT INTO salesdb.SALES_ORDER VALUES (1000001, 1, '2022-06-16 10:00:00', 'ONE-DAY')");
    consume(cons, NROWS + 1, 120000);
    long again = log_number("snapshot completed: "); /* "N rows copied by this run" */
    long second = records - first;
    fprintf(stderr, "second run: %ld rows read again (log), %ld records\n", again, second);
    CHECK(again >= 0 && again < NROWS * 6 / 10, "the restart read %ld rows, want < %d", again,
          NROWS * 6 / 10);
    CHECK(second < NROWS * 6 / 10 + 1000, "the restart produced %ld records, want < %d", second,
          NROWS * 6 / 10);
    CHECK(distinct() == NROWS + 1, "%d distinct keys on the topic, want %d", distinct(), NROWS + 1);
    int rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    char *offsets = sl_test_read_file(offpath, NULL);
    CHECK(offsets && !strstr(offsets, "snapshot_progress"), "offsets after the run: %s",
          offsets ? offsets : "(missing)");
    free(offsets);
    fprintf(stderr, "total %lld ms\n", (long long)(sl_time_mono_ms() - t0));

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
