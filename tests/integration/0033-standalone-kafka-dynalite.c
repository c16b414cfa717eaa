/* SPDX-License-Identifier: Apache-2.0 */
/* The tutorial's whole pipeline in Kafka mode: one `sluice standalone` process runs the MySQL
 * source (producing to librdkafka's mock cluster, which runs in this test process) and the
 * DynamoDB sink with tasks.max=2 (a consumer group over a 3-partition topic) writing to
 * dynalite. The six INSERTs become six items with the exact attribute values in the
 * auto-created kafka_salesdb.salesdb.SALES_ORDER; after SIGTERM (exit 0) the group
 * connect-dynamodb-sink has committed exactly past every record, i.e. commits followed
 * DynamoDB's acceptance and nothing is left to re-read. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/consumer.h"
#include "bus/kconf.h"
#include "bus/mock.h"
#include "core/time.h"
#include "testlib.h"

#define TOPIC "salesdb.salesdb.SALES_ORDER"
#define PARTS 3

static int failures;
static char errstr[1024];
static char dir[512];
static char logpath[700];
static char endpoint[128];
static pid_t child;
static struct sl_mock *mock;

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
    snprintf(cmd, sizeof(cmd), "bash %s stop %s/ddb", sl_test_src("tests/lib/dynalite.sh"), dir);
    sl_test_run(cmd, NULL);
    sl_mock_free(mock);
    mock = NULL;
    if (!getenv("SL_TEST_KEEP"))
        sl_test_rmtree(dir);
}

static char *env_value(const char *path, const char *key, char *out, size_t out_size)
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
    return out;
}

static void sql(const char *sock, const char *stmt)
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

static bool log_has(const char *what)
{
    char *text = sl_test_read_file(logpath, NULL);
    bool has = text && strstr(text, what);
    free(text);
    return has;
}

/* Items of the table as sorted "ORDER_ID SITE_ID ORDER_DATE SHIP_MODE" lines in out. */
static int scan(char *out, size_t out_size)
{
    char *text = NULL;
    sl_test_ddb_call(
        endpoint, "Scan", "{\"TableName\":\"kafka_" TOPIC "\"}",
        "jq -r '.Items[]? | "
        "\"\\(.ORDER_ID.N) \\(.SITE_ID.N) \\(.ORDER_DATE.N) \\(.SHIP_MODE.S)\"' | sort",
        &text);
    snprintf(out, out_size, "%s", text ? text : "");
    free(text);
    int n = 0;
    for (const char *p = out; *p; p++)
        n += *p == '\n';
    return n;
}

int main(void)
{
    const char *bin = getenv("SLUICE_BIN");
    REQUIRE(bin, "SLUICE_BIN is not set (run through ctest)");
    char *tmp = sl_test_tmpdir("sl-it-0033");
    snprintf(dir, sizeof(dir), "%s", tmp);
    free(tmp);
    snprintf(logpath, sizeof(logpath), "%s/sluice.log", dir);
    char cmd[2048], path[700];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db >/dev/null",
             sl_test_src("tests/lib/mariadb.sh"), dir);
    REQUIRE(sl_test_run(cmd, NULL) == 0, "could not start MariaDB");
    snprintf(cmd, sizeof(cmd), "bash %s start %s/ddb >/dev/null",
             sl_test_src("tests/lib/dynalite.sh"), dir);
    REQUIRE(sl_test_run(cmd, NULL) == 0, "could not start dynalite");
    char port[16], pw[256], sock[600];
    snprintf(path, sizeof(path), "%s/db/env", dir);
    env_value(path, "MARIADB_PORT", port, sizeof(port));
    env_value(path, "MARIADB_PASSWORD", pw, sizeof(pw));
    env_value(path, "MARIADB_SOCKET", sock, sizeof(sock));
    snprintf(path, sizeof(path), "%s/ddb/env", dir);
    env_value(path, "DYNALITE_ENDPOINT", endpoint, sizeof(endpoint));
    sql(sock, "CREATE DATABASE salesdb; CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY "
              "KEY, SITE_ID INT, ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20))");

    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, TOPIC, PARTS, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);

    char worker[700], source[700], sink[700], text[4096];
    snprintf(worker, sizeof(worker), "%s/worker.properties", dir);
    snprintf(source, sizeof(source), "%s/source.properties", dir);
    snprintf(sink, sizeof(sink), "%s/sink.properties", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "offset.flush.interval.ms=500\n"
             "consumer.fetch.max.wait.ms=50\n",
             boot, dir);
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
             "database.include.list=salesdb\n"
             "tasks.max=1\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n"
             "transforms=unwrap\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n",
             pw, port);
    write_file(source, text);
    snprintf(text, sizeof(text),
             "name=dynamodb-sink\n"
             "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\n"
             "tasks.max=2\n"
             "aws.dynamodb.region=us-east-1\n"
             "aws.dynamodb.endpoint=%s\n"
             "aws.access.key.id=AKIDEXAMPLE\n"
             "aws.secret.access.key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
             "topics=" TOPIC "\n"
             "value.converter.schemas.enable=false\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "table.name.format=kafka_${topic}\n"
             "aws.dynamodb.pk.hash=value.ORDER_ID\n"
             "aws.dynamodb.pk.sort=value.SITE_ID\n",
             endpoint);
    write_file(sink, text);

    child = fork();
    REQUIRE(child >= 0, "fork failed");
    if (child == 0) {
        FILE *log = freopen(logpath, "a", stderr);
        (void)log;
        execl(bin, bin, "standalone", worker, source, sink, (char *)NULL);
        _exit(127);
    }
    int64_t deadline = sl_time_mono_ms() + 30000LL * sl_test_timeout_mult();
    while (!log_has("source salesdb-source: streaming from")) {
        REQUIRE(waitpid(child, NULL, WNOHANG) == 0, "sluice exited early:\n%s",
                sl_test_read_file(logpath, NULL));
        REQUIRE(sl_time_mono_ms() < deadline, "source did not start:\n%s",
                sl_test_read_file(logpath, NULL));
        usleep(50000);
    }
    sql(sock, "INSERT INTO salesdb.SALES_ORDER VALUES "
              "(29001, 2568, '2022-06-15 07:52:16', 'STANDARD');"
              "INSERT INTO salesdb.SALES_ORDER VALUES "
              "(29002, 1649, '2022-06-15 07:52:17', 'ONE-DAY');"
              "INSERT INTO salesdb.SALES_ORDER VALUES "
              "(29003, 3861, '2022-06-15 07:52:18', 'TWO-DAY');"
              "INSERT INTO salesdb.SALES_ORDER VALUES "
              "(29004, 2568, '2022-06-15 07:52:19', 'STANDARD');"
              "INSERT INTO salesdb.SALES_ORDER VALUES "
              "(29005, 1649, '2022-06-15 07:52:20', 'ONE-DAY');"
              "INSERT INTO salesdb.SALES_ORDER VALUES "
              "(29006, 3861, '2022-06-15 07:52:21', 'TWO-DAY')");
    static const char want[] = "29001 2568 1655279536000 STANDARD\n"
                               "29002 1649 1655279537000 ONE-DAY\n"
                               "29003 3861 1655279538000 TWO-DAY\n"
                               "29004 2568 1655279539000 STANDARD\n"
                               "29005 1649 1655279540000 ONE-DAY\n"
                               "29006 3861 1655279541000 TWO-DAY\n";
    char items[4096] = "";
    deadline = sl_time_mono_ms() + 60000LL * sl_test_timeout_mult();
    while (scan(items, sizeof(items)) < 6 && sl_time_mono_ms() < deadline)
        usleep(200000);
    CHECK(strcmp(items, want) == 0, "items:\n%swant:\n%s", items, want);

    kill(child, SIGTERM);
    deadline = sl_time_mono_ms() + 20000LL * sl_test_timeout_mult();
    int st = 0;
    while (waitpid(child, &st, WNOHANG) == 0) {
        REQUIRE(sl_time_mono_ms() < deadline, "no exit after SIGTERM:\n%s",
                sl_test_read_file(logpath, NULL));
        usleep(50000);
    }
    child = 0;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d after SIGTERM", st);

    /* The sink group committed past all six records, over the three partitions. */
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv kv[] = {{"bootstrap.servers", boot}};
    REQUIRE(sl_kconf_add(&kc, kv, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_consumer *cons = sl_consumer_new(&kc, "connect-dynamodb-sink", NULL, NULL, NULL, NULL,
                                               errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);
    sl_kconf_fini(&kc);
    int64_t total = 0;
    for (int p = 0; p < PARTS; p++) {
        int64_t off = -1;
        CHECK(sl_consumer_committed(cons, TOPIC, p, 10000, &off, errstr, sizeof(errstr)) == SL_OK,
              "%s", errstr);
        total += off < 0 ? 0 : off;
    }
    CHECK(total == 6, "committed offsets add up to %lld, want 6", (long long)total);
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
