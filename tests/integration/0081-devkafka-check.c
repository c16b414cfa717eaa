/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice dev-kafka` and the Kafka/AWS/DynamoDB half of `sluice check`:
 *   (a) dev-kafka --port P is refused (exit 2, the reason named);
 *   (b) dev-kafka --brokers 2 prints "bootstrap.servers=..."; a librdkafka producer and
 *       consumer round-trip one message through it;
 *   (c) check with that cluster and a DynamoDB sink on dynalite whose table exists with the
 *       sink's key: exit 0, credential source named, secret never printed, topic found;
 *   (d) a sink whose pk.hash/pk.sort differ from the table's key: FAIL naming both, exit 1;
 *       a table that is missing with auto-create off: FAIL. (A missing topic is a WARN on a
 *       real cluster; the mock cluster creates topics on any metadata request, so it cannot
 *       be shown here);
 *   (e) a worker whose bootstrap.servers has no broker: FAIL on the Kafka line, exit 1;
 *   (f) SIGTERM stops dev-kafka with exit 0. */
#include <librdkafka/rdkafka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/creds.h"
#include "runtime/cli_check.h"
#include "runtime/cli_devkafka.h"
#include "sink/ddb.h"
#include "sink/table.h"
#include "testlib.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG-never-print"

static int failures;
static char tmp[512];
static char dyndir[600];
static pid_t kafka_pid;

static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    failures++;
}

static void cleanup(void)
{
    if (kafka_pid > 0) {
        kill(kafka_pid, SIGKILL);
        waitpid(kafka_pid, NULL, 0);
        kafka_pid = 0;
    }
    if (dyndir[0]) {
        char cmd[1400];
        snprintf(cmd, sizeof(cmd), "bash '%s/tests/lib/dynalite.sh' stop '%s'", SL_SOURCE_DIR,
                 dyndir);
        sl_test_run(cmd, NULL);
    }
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    cleanup();
    exit(1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        die("cannot write %s", path);
}

/* Runs fn(argc, argv) in a child with stdout to a file; returns the exit status. */
static int in_child(int (*fn)(int, char **), char **argv, int argc, char **out)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/child.out", tmp);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(99);
        close(fd);
        _exit(fn(argc, argv));
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        die("child died");
    *out = sl_test_read_file(path, NULL);
    if (!*out)
        die("no child output");
    return WEXITSTATUS(st);
}

/* Starts dev-kafka in a child; returns the bootstrap string read from its stdout. */
static void start_devkafka(char *bootstrap, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    fflush(stdout);
    kafka_pid = fork();
    if (kafka_pid < 0)
        die("fork");
    if (kafka_pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        close(fds[1]);
        char *argv[] = {"dev-kafka", "--brokers", "2", NULL};
        _exit(sl_cli_devkafka(3, argv));
    }
    close(fds[1]);
    char line[512];
    size_t len = 0;
    int waited = 0;
    while (len < sizeof(line) - 1 && !memchr(line, '\n', len)) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        if (poll(&pfd, 1, 1000) == 0) {
            if (++waited > 15 * sl_test_timeout_mult())
                die("dev-kafka printed no bootstrap line");
            continue;
        }
        ssize_t n = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (n <= 0)
            die("dev-kafka closed stdout: %s", n < 0 ? strerror(errno) : "EOF");
        len += (size_t)n;
    }
    close(fds[0]);
    line[len] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "bootstrap.servers=127.0.0.1:", 28) != 0)
        die("unexpected first line: %s", line);
    snprintf(bootstrap, size, "%s", line + strlen("bootstrap.servers="));
    if (!strchr(bootstrap, ','))
        failf("(dev-kafka) --brokers 2 printed one address: %s", bootstrap);
}

static void roundtrip(const char *bootstrap)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
    rd_kafka_t *prod = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!prod)
        die("producer: %s", err);
    rd_kafka_resp_err_t rerr =
        rd_kafka_producev(prod, RD_KAFKA_V_TOPIC("orders"), RD_KAFKA_V_PARTITION(0),
                          RD_KAFKA_V_VALUE("hello-dev-kafka", 15),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (rerr)
        die("produce: %s", rd_kafka_err2str(rerr));
    if (rd_kafka_flush(prod, 10000 * sl_test_timeout_mult()) != RD_KAFKA_RESP_ERR_NO_ERROR)
        failf("(dev-kafka) produce not delivered in time");
    rd_kafka_destroy(prod);

    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "group.id", "sl-0081", err, sizeof(err));
    rd_kafka_t *cons = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!cons)
        die("consumer: %s", err);
    rd_kafka_topic_partition_list_t *tps = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tps, "orders", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(cons, tps);
    rd_kafka_topic_partition_list_destroy(tps);
    bool got = false;
    time_t end = time(NULL) + 15 * sl_test_timeout_mult();
    while (!got && time(NULL) < end) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(cons, 500);
        if (!msg)
            continue;
        if (!msg->err && msg->len == 15 && memcmp(msg->payload, "hello-dev-kafka", 15) == 0)
            got = true;
        rd_kafka_message_destroy(msg);
    }
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
    if (!got)
        failf("(dev-kafka) the produced message was not consumed");
}

static void start_dynalite(char *endpoint, size_t size)
{
    snprintf(dyndir, sizeof(dyndir), "%s/dynalite", tmp);
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "bash '%s/tests/lib/dynalite.sh' start '%s'", SL_SOURCE_DIR, dyndir);
    char *out = NULL;
    if (sl_test_run(cmd, &out) != 0)
        die("cannot start dynalite: %s", out ? out : "");
    free(out);
    snprintf(cmd, sizeof(cmd), ". '%s/env' && printf %%s \"$DYNALITE_ENDPOINT\"", dyndir);
    if (sl_test_run(cmd, &out) != 0 || !out || !*out)
        die("no dynalite endpoint");
    snprintf(endpoint, size, "%s", out);
    free(out);
}

static void create_table(const char *endpoint)
{
    struct sl_aws_creds creds;
    if (sl_aws_creds_set(&creds, "AKIDEXAMPLE", SECRET, NULL, 0))
        die("creds");
    struct sl_ddb_conf dc = {.endpoint = endpoint, .region = "us-east-1", .creds = &creds};
    char errstr[512];
    struct sl_ddb *ddb = sl_ddb_new(&dc, errstr, sizeof(errstr));
    if (!ddb)
        die("ddb: %s", errstr);
    struct sl_ddb_keyschema ks = {
        .hash = "partition", .hash_type = 'N', .sort = "offset", .sort_type = 'N'};
    struct sl_ddb_table_opts opts = {.create = true, .pay_per_request = true};
    if (sl_ddb_table_ensure(ddb, "orders", &ks, &opts, errstr, sizeof(errstr)))
        die("create table: %s", errstr);
    sl_ddb_free(ddb);
    sl_aws_creds_wipe(&creds);
}

static void sink_file(const char *path, const char *endpoint, const char *topics, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "name=orders-sink\n"
             "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\n"
             "topics=%s\naws.dynamodb.region=us-east-1\naws.dynamodb.endpoint=%s\n"
             "aws.access.key.id=AKIDEXAMPLE\naws.secret.access.key=%s\n%s",
             topics, endpoint, SECRET, extra);
    write_file(path, text);
}

static void test_check(const char *bootstrap, const char *endpoint)
{
    char worker[700], sink[700], text[1024];
    snprintf(worker, sizeof(worker), "%s/worker.properties", tmp);
    snprintf(sink, sizeof(sink), "%s/sink.properties", tmp);
    snprintf(text, sizeof(text), "bootstrap.servers=%s\n", bootstrap);
    write_file(worker, text);
    char *argv[] = {"check", worker, sink, NULL};
    char *out = NULL;

    sink_file(sink, endpoint, "orders", "");
    int rc = in_child(sl_cli_check, argv, 3, &out);
    if (rc != 0 || !strstr(out, "PASS  sink aws credentials: from config (key id AKID...") ||
        !strstr(out, "PASS  sink dynamodb table: orders ACTIVE, key HASH partition (N), RANGE "
                     "offset (N)") ||
        !strstr(out, "PASS  sink kafka: ") || !strstr(out, "PASS  sink topic: orders exists"))
        failf("(check good) exit %d, output:\n%s", rc, out);
    if (strstr(out, SECRET))
        failf("(check good) the secret key was printed");
    printf("%s", out);
    free(out);

    sink_file(sink, endpoint, "orders,nosuchtopic",
              "aws.dynamodb.pk.hash=value.id\naws.dynamodb.pk.sort=\n"
              "aws.dynamodb.table.auto.create=false\n");
    rc = in_child(sl_cli_check, argv, 3, &out);
    if (rc != 1 ||
        !strstr(out, "FAIL  sink dynamodb table: orders has key HASH partition (N), RANGE "
                     "offset (N) but the sink writes HASH id") ||
        !strstr(out, "FAIL  sink dynamodb table: nosuchtopic does not exist \xe2\x80\x94 fix: "
                     "create the table or set aws.dynamodb.table.auto.create=true"))
        failf("(check mismatch) exit %d, output:\n%s", rc, out);
    free(out);

    int port = sl_test_free_port();
    snprintf(text, sizeof(text), "bootstrap.servers=127.0.0.1:%d\n", port);
    write_file(worker, text);
    sink_file(sink, endpoint, "orders", "");
    rc = in_child(sl_cli_check, argv, 3, &out);
    char want[128];
    snprintf(want, sizeof(want), "FAIL  sink kafka: 127.0.0.1:%d: no metadata within", port);
    if (rc != 1 || !strstr(out, want) || !strstr(out, "fix: check bootstrap.servers"))
        failf("(check no kafka) exit %d, output:\n%s", rc, out);
    free(out);
}

int main(void)
{
    char *t = sl_test_tmpdir("sl-devkafka");
    snprintf(tmp, sizeof(tmp), "%s", t);
    free(t);

    char *out = NULL;
    char *pargv[] = {"dev-kafka", "--port", "9092", NULL};
    int rc = in_child(sl_cli_devkafka, pargv, 3, &out);
    if (rc != 2)
        failf("(--port) exit %d, expected 2", rc);
    free(out);

    char bootstrap[600];
    start_devkafka(bootstrap, sizeof(bootstrap));
    roundtrip(bootstrap);

    char endpoint[256];
    start_dynalite(endpoint, sizeof(endpoint));
    create_table(endpoint);
    test_check(bootstrap, endpoint);

    kill(kafka_pid, SIGTERM);
    int st = 0;
    time_t end = time(NULL) + 10 * sl_test_timeout_mult();
    pid_t w = 0;
    while ((w = waitpid(kafka_pid, &st, WNOHANG)) == 0 && time(NULL) < end)
        usleep(50 * 1000);
    if (w != kafka_pid)
        failf("(dev-kafka) did not stop within 10 s of SIGTERM");
    else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        failf("(dev-kafka) SIGTERM: status 0x%x, expected exit 0", st);
    if (w == kafka_pid)
        kafka_pid = 0;
    cleanup();
    sl_test_rmtree(tmp);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
