/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the standalone worker tests 0095-0096: a `sluice standalone` child with
 * its log, dynalite, librdkafka's mock cluster in this process, curl against the REST API
 * and a producer to feed the sink topics. */
#ifndef SL_TEST_0095_STANDALONE_H
#define SL_TEST_0095_STANDALONE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/kconf.h"
#include "bus/mock.h"
#include "bus/producer.h"
#include "core/time.h"
#include "testlib.h"

static int failures;
static char errstr[1024];
static char dir[512];
static char logpath[700];
static char endpoint[128];
static char api[128];
static pid_t child;
static struct sl_mock *mock;
static struct sl_producer *prod;

static void cleanup(void);

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
            char *log_ = sl_test_read_file(logpath, NULL);                                         \
            fprintf(stderr, "sluice log:\n%s\n", log_ ? log_ : "");                                \
            free(log_);                                                                            \
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
    snprintf(cmd, sizeof(cmd), "bash %s stop %s/ddb", sl_test_src("tests/lib/dynalite.sh"), dir);
    sl_test_run(cmd, NULL);
    sl_producer_free(prod, 0);
    prod = NULL;
    sl_mock_free(mock);
    mock = NULL;
    if (!getenv("SL_TEST_KEEP"))
        sl_test_rmtree(dir);
}

static inline void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
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

/* Starts dynalite and the mock cluster; fills dir, logpath, endpoint. */
static inline void setup(const char *name)
{
    char *tmp = sl_test_tmpdir(name);
    snprintf(dir, sizeof(dir), "%s", tmp);
    free(tmp);
    snprintf(logpath, sizeof(logpath), "%s/sluice.log", dir);
    char cmd[1200], path[700];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/ddb >/dev/null",
             sl_test_src("tests/lib/dynalite.sh"), dir);
    REQUIRE(sl_test_run(cmd, NULL) == 0, "could not start dynalite");
    snprintf(path, sizeof(path), "%s/ddb/env", dir);
    env_value(path, "DYNALITE_ENDPOINT", endpoint, sizeof(endpoint));
    mock = sl_mock_new(1, errstr, sizeof(errstr));
    REQUIRE(mock, "mock cluster: %s", errstr);
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    struct sl_kv kv[] = {{"bootstrap.servers", sl_mock_bootstraps(mock)}};
    REQUIRE(sl_kconf_add(&kc, kv, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    prod = sl_producer_new(&kc, 1000, NULL, NULL, errstr, sizeof(errstr));
    sl_kconf_fini(&kc);
    REQUIRE(prod, "producer: %s", errstr);
}

/* Produces one record (value may be NULL: tombstone) and waits for the acknowledgement. */
static inline void produce(const char *topic, const char *key, const char *value, size_t value_len)
{
    struct sl_bus_msg m = {.topic = topic,
                           .partition = 0,
                           .offset = -1,
                           .key = key,
                           .key_len = key ? strlen(key) : 0,
                           .value = value,
                           .value_len = value ? value_len : 0};
    uint64_t seq = 0;
    REQUIRE(sl_producer_send(prod, &m, &seq, errstr, sizeof(errstr)) == SL_OK, "produce: %s",
            errstr);
    REQUIRE(sl_producer_flush(prod, 10000) == SL_OK, "produce: not acknowledged");
}

static inline bool log_has(const char *what)
{
    char *text = sl_test_read_file(logpath, NULL);
    bool has = text && strstr(text, what);
    free(text);
    return has;
}

/* Starts `sluice standalone worker files...` (args: space-separated paths in dir). */
static inline void start_sluice(const char *const *files)
{
    const char *bin = getenv("SLUICE_BIN");
    REQUIRE(bin, "SLUICE_BIN is not set (run through ctest)");
    char paths[8][700];
    const char *argv[12] = {bin, "standalone"};
    int n = 2;
    for (int i = 0; files[i] && i < 8; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, files[i]);
        argv[n++] = paths[i];
    }
    argv[n] = NULL;
    child = fork();
    REQUIRE(child >= 0, "fork failed");
    if (child == 0) {
        FILE *log = freopen(logpath, "a", stderr);
        (void)log;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
}

/* One HTTP request with curl; returns the body (malloc'ed) and sets *code. */
static inline char *http(const char *method, const char *path, const char *body, int *code)
{
    char bodyfile[800], cmd[2400];
    snprintf(bodyfile, sizeof(bodyfile), "%s/req.json", dir);
    if (body)
        write_file(bodyfile, body);
    snprintf(cmd, sizeof(cmd),
             "curl -s -m 20 -o %s/resp.txt -w '%%{http_code}' -X %s %s%s%s%s '%s%s'", dir, method,
             body ? "-H 'Content-Type: application/json' --data-binary @" : "",
             body ? bodyfile : "", "", "", api, path);
    char *out = NULL;
    sl_test_run(cmd, &out);
    *code = out ? (int)strtol(out, NULL, 10) : 0;
    free(out);
    char resp[800];
    snprintf(resp, sizeof(resp), "%s/resp.txt", dir);
    char *text = sl_test_read_file(resp, NULL);
    return text ? text : strdup("");
}

/* Waits until GET path's body contains what (or the deadline). */
static inline bool wait_body(const char *path, const char *what, int seconds)
{
    int64_t deadline = sl_time_mono_ms() + (int64_t)seconds * 1000 * sl_test_timeout_mult();
    for (;;) {
        int code = 0;
        char *b = http("GET", path, NULL, &code);
        bool ok = code == 200 && strstr(b, what);
        free(b);
        if (ok)
            return true;
        if (sl_time_mono_ms() > deadline)
            return false;
        usleep(100000);
    }
}

/* Number of items in a dynalite table; their "id" values sorted, one per line, in out. */
static inline int scan(const char *table, char *out, size_t out_size)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", table);
    char *text = NULL;
    sl_test_ddb_call(endpoint, "Scan", body, "jq -r '.Items[]? | \"\\(.id.N)\"' | sort -n", &text);
    snprintf(out, out_size, "%s", text ? text : "");
    free(text);
    int n = 0;
    for (const char *p = out; *p; p++)
        n += *p == '\n';
    return n;
}

static inline int wait_items(const char *table, int want, char *out, size_t out_size, int seconds)
{
    int64_t deadline = sl_time_mono_ms() + (int64_t)seconds * 1000 * sl_test_timeout_mult();
    int n;
    while ((n = scan(table, out, out_size)) < want && sl_time_mono_ms() < deadline)
        usleep(200000);
    return n;
}

/* Sends SIGTERM and returns the exit status (-1 if it did not exit in time). */
static inline int stop_sluice(void)
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

static const char sink_common[] =
    "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\n"
    "aws.dynamodb.region=us-east-1\n"
    "aws.access.key.id=AKIDEXAMPLE\n"
    "aws.secret.access.key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
    "value.converter.schemas.enable=false\n"
    "table.name.format=kafka_${topic}\n"
    "aws.dynamodb.pk.hash=value.id\n"
    "aws.dynamodb.pk.sort=\n";

#endif
