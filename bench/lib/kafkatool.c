/* SPDX-License-Identifier: Apache-2.0 */
/* kafkatool: the small Kafka helper the demo and the benchmarks need, built on librdkafka
 * only (no JVM, no Python). Not part of Sluice: bench/lib/build.sh compiles it into a cache
 * directory on demand.
 *
 *   kafkatool serve [TOPIC:PARTITIONS]...   librdkafka's in-memory mock cluster; prints
 *                                           "bootstrap.servers=HOST:PORT" and runs until
 *                                           SIGTERM/SIGINT (creates the given topics first)
 *   kafkatool count BOOTSTRAP TOPIC         prints the sum of the topic's high watermarks
 *   kafkatool committed BOOTSTRAP GROUP TOPIC
 *                                           prints the sum of GROUP's committed offsets
 *   kafkatool produce BOOTSTRAP TOPIC N     writes N seed-shaped SALES_ORDER records (key
 *                                           {"ORDER_ID":i}, unwrapped JSON value), i = 1..N
 *   kafkatool consume BOOTSTRAP TOPIC MAX IDLE_MS
 *                                           prints "partition offset key value" lines from
 *                                           the beginning until MAX records or IDLE_MS idle */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "kafkatool: %s: %s\n", what, why);
    exit(1);
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *boot, const char *group)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (boot && rd_kafka_conf_set(conf, "bootstrap.servers", boot, errstr, sizeof(errstr)))
        die("bootstrap.servers", errstr);
    if (group) {
        rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr));
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr));
        rd_kafka_conf_set(conf, "fetch.wait.max.ms", "50", errstr, sizeof(errstr));
    }
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set(conf, "linger.ms", "20", errstr, sizeof(errstr));
        rd_kafka_conf_set(conf, "queue.buffering.max.messages", "500000", errstr, sizeof(errstr));
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
    if (!rk)
        die("rd_kafka_new", errstr);
    return rk;
}

static int serve(int argc, char **argv)
{
    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, NULL, NULL);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
    if (!mc)
        die("mock cluster", "rd_kafka_mock_cluster_new failed");
    for (int i = 0; i < argc; i++) {
        char name[256];
        snprintf(name, sizeof(name), "%s", argv[i]);
        char *colon = strrchr(name, ':');
        int parts = 1;
        if (colon) {
            *colon = '\0';
            parts = (int)strtol(colon + 1, NULL, 10);
        }
        if (parts < 1 || rd_kafka_mock_topic_create(mc, name, parts, 1))
            die(argv[i], "cannot create the topic (want NAME:PARTITIONS)");
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("bootstrap.servers=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    while (!stop)
        usleep(100000);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}

/* Partition count of topic, or 0 when the broker does not know it. */
static int partitions(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int n = 0;
    if (rd_kafka_metadata(rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            n = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(t);
    return n;
}

static int count(const char *boot, const char *topic)
{
    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, boot, NULL);
    int n = partitions(rk, topic);
    long long sum = 0;
    for (int p = 0; p < n; p++) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 5000))
            die(topic, "cannot read watermarks");
        sum += hi;
    }
    printf("%lld\n", sum);
    rd_kafka_destroy(rk);
    return 0;
}

static int committed(const char *boot, const char *group, const char *topic)
{
    rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, boot, group);
    int n = partitions(rk, topic);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n > 0 ? n : 1);
    for (int p = 0; p < n; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p);
    long long sum = 0;
    if (n > 0 && rd_kafka_committed(rk, parts, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < parts->cnt; i++)
            if (parts->elems[i].offset > 0)
                sum += parts->elems[i].offset;
    }
    printf("%lld\n", sum);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    return 0;
}

static int produce(const char *boot, const char *topic, long n)
{
    static const char *const modes[] = {"STANDARD", "ONE-DAY", "TWO-DAY"};
    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, boot, NULL);
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    char key[64], val[256];
    for (long i = 1; i <= n; i++) {
        int kl = snprintf(key, sizeof(key), "{\"ORDER_ID\":%ld}", i);
        int vl = snprintf(val, sizeof(val),
                          "{\"ORDER_ID\":%ld,\"SITE_ID\":%ld,\"ORDER_DATE\":%lld,"
                          "\"SHIP_MODE\":\"%s\"}",
                          i, 1000 + i % 3000, 1655279536000LL + i * 60000LL, modes[i % 3]);
        while (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, val, (size_t)vl, key,
                                (size_t)kl, NULL) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die(topic, rd_kafka_err2str(rd_kafka_last_error()));
            rd_kafka_poll(rk, 50);
        }
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000))
        die(topic, "records not delivered within 120 s");
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
    return 0;
}

static int consume(const char *boot, const char *topic, long max, long idle_ms)
{
    rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, boot, "kafkatool");
    int n = partitions(rk, topic);
    if (n == 0)
        die(topic, "no such topic");
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    if (rd_kafka_assign(rk, parts))
        die(topic, "cannot assign partitions");
    rd_kafka_topic_partition_list_destroy(parts);
    long got = 0, idle = 0;
    while (got < max && idle < idle_ms) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            idle += 100;
            continue;
        }
        if (m->err) {
            rd_kafka_message_destroy(m);
            idle += 100;
            continue;
        }
        idle = 0;
        got++;
        printf("%d\t%lld\t%.*s\t%.*s\n", (int)m->partition, (long long)m->offset, (int)m->key_len,
               m->key ? (const char *)m->key : "", (int)m->len,
               m->payload ? (const char *)m->payload : "null");
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return serve(argc - 2, argv + 2);
    if (argc == 4 && strcmp(argv[1], "count") == 0)
        return count(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "committed") == 0)
        return committed(argv[2], argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "produce") == 0)
        return produce(argv[2], argv[3], strtol(argv[4], NULL, 10));
    if (argc == 6 && strcmp(argv[1], "consume") == 0)
        return consume(argv[2], argv[3], strtol(argv[4], NULL, 10), strtol(argv[5], NULL, 10));
    fprintf(stderr, "usage: kafkatool serve [TOPIC:PARTS]... | count BOOT TOPIC | "
                    "produce BOOT TOPIC N | consume BOOT TOPIC MAX IDLE_MS\n");
    return 2;
}
