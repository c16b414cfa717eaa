/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka mode: a sink whose group session expired rejoins and carries on, without a restart.
 * `sluice standalone` runs only the DynamoDB sink (tasks.max=2, session.timeout.ms=6000,
 * offsets committed every 500 ms) against librdkafka's mock cluster in this process and
 * dynalite. The test produces records with distinct keys into a 4-partition topic, then takes
 * the broker down for longer than the session timeout SL_REBAL_OUTAGES times (default 2;
 * records are produced during each outage and reach the mock when it is back), then produces
 * more. Every record must reach DynamoDB (one item per key, the right note), the group must
 * commit every partition to its end, the sessions must have expired (librdkafka logs
 * "session timed out") and SIGTERM must exit 0 within 15 s. Before the fix, a member that had
 * lost its session kept committing with its old member id and generation; librdkafka 2.0.2
 * answers such a failed commit by resetting the member id and rejoining, which cut the join in
 * progress short, every time, and the sink never got partitions again. */
#include "0120-crash.h"
#include "bus/consumer.h"
#include "bus/kconf.h"
#include "bus/producer.h"

#define TOPIC "rebal.sink"
#define PARTS 4
#define GROUP "connect-rebal-sink"

static struct sl_producer *prod;
static int64_t count[PARTS];
static int produced;

/* Queues records produced+1 .. produced+n (key k in partition k % PARTS), without waiting. */
static void produce(int n)
{
    for (int i = 0; i < n; i++) {
        int k = ++produced;
        char key[32], value[160];
        snprintf(key, sizeof(key), "%d", k);
        int vlen = snprintf(value, sizeof(value),
                            "{\"ORDER_ID\":%d,\"VERSION\":%d,\"NOTE\":\"n%d-k%d\"}", k, k, k, k);
        struct sl_bus_msg m = {.topic = TOPIC,
                               .partition = k % PARTS,
                               .offset = -1,
                               .key = key,
                               .key_len = strlen(key),
                               .value = value,
                               .value_len = (size_t)vlen};
        uint64_t seq;
        sl_err_t err;
        while ((err = sl_producer_send(prod, &m, &seq, errstr, sizeof(errstr))) == SL_ERR_AGAIN)
            sl_producer_poll(prod, 100);
        REQUIRE(err == SL_OK, "produce: %s", errstr);
        count[k % PARTS]++;
    }
}

static void flush_all(void)
{
    REQUIRE(sl_producer_flush(prod, 120000 * sl_test_timeout_mult()) == SL_OK,
            "records not acknowledged");
    REQUIRE(sl_producer_error(prod, errstr, sizeof(errstr)) == SL_OK, "produce: %s", errstr);
}

/* Sum of the group's committed offsets; *all_done when every partition is at its end. */
static int64_t committed_sum(struct sl_consumer *cons, int64_t *committed, bool *all_done)
{
    int64_t sum = 0;
    *all_done = true;
    for (int p = 0; p < PARTS; p++) {
        committed[p] = -1;
        sl_consumer_committed(cons, TOPIC, p, 10000, &committed[p], errstr, sizeof(errstr));
        sum += committed[p] > 0 ? committed[p] : 0;
        *all_done = *all_done && committed[p] == count[p];
    }
    return sum;
}

/* Waits (the sink staying up) until the group has committed every record produced so far. */
static bool wait_committed(struct sl_consumer *cons, int64_t *committed, int seconds)
{
    int64_t deadline = sl_time_mono_ms() + (int64_t)seconds * 1000 * sl_test_timeout_mult();
    bool done = false;
    while (sl_time_mono_ms() < deadline) {
        sluice_alive();
        committed_sum(cons, committed, &done);
        if (done)
            return true;
        usleep(500000);
    }
    return false;
}

int main(void)
{
    int first = env_int("SL_REBAL_RECORDS", 1000);
    int outages = env_int("SL_REBAL_OUTAGES", 2);
    int down_ms = env_int("SL_REBAL_DOWN_MS", 10000);
    printf("%d records per phase, %d outages of %d ms (session timeout 6000 ms)\n", first, outages,
           down_ms);
    int64_t t0 = sl_time_mono_ms();
    setup("sl-it-0125", false, true, true);
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, TOPIC, PARTS, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);

    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    struct sl_kv pkv[] = {{"bootstrap.servers", boot}};
    REQUIRE(sl_kconf_add(&kc, pkv, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    prod = sl_producer_new(&kc, 100000, NULL, NULL, errstr, sizeof(errstr));
    sl_kconf_fini(&kc);
    REQUIRE(prod, "producer: %s", errstr);

    /* SL_REBAL_WORKER_EXTRA adds worker settings for a diagnosis, e.g.
     * "consumer.debug=cgrp\nlog.level=debug". */
    const char *extra = getenv("SL_REBAL_WORKER_EXTRA");
    char text[4096];
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "consumer.fetch.max.wait.ms=50\n"
             "consumer.session.timeout.ms=6000\n"
             "consumer.heartbeat.interval.ms=500\n"
             /* Frequent commits, as in the chaos runs: the member commits while it rejoins. */
             "offset.flush.interval.ms=500\n"
             "listeners=\n"
             "%s\n",
             boot, dir, extra ? extra : "");
    write_file("worker.properties", text);
    snprintf(text, sizeof(text),
             "name=rebal-sink\n"
             "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\n"
             "tasks.max=2\n"
             "aws.dynamodb.region=us-east-1\n"
             "aws.dynamodb.endpoint=%s\n"
             "aws.access.key.id=AKIDEXAMPLE\n"
             "aws.secret.access.key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
             "topics=" TOPIC "\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "value.converter.schemas.enable=false\n"
             "table.name.format=kafka_${topic}\n"
             "aws.dynamodb.pk.hash=value.ORDER_ID\n"
             "aws.dynamodb.pk.sort=\n"
             "aws.dynamodb.billing.mode=PAY_PER_REQUEST\n",
             endpoint);
    write_file("sink.properties", text);
    sluice_files[0] = "worker.properties";
    sluice_files[1] = "sink.properties";

    /* The group's committed offsets, read with a consumer of the same group that never joins. */
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv ckv[] = {{"bootstrap.servers", boot}};
    REQUIRE(sl_kconf_add(&kc, ckv, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_consumer *cons =
        sl_consumer_new(&kc, GROUP, NULL, NULL, NULL, NULL, errstr, sizeof(errstr));
    sl_kconf_fini(&kc);
    REQUIRE(cons, "consumer: %s", errstr);
    int64_t committed[PARTS];
    bool done;

    sluice_start();
    wait_log("worker connector rebal-sink started", 1, 60);
    produce(first);
    flush_all();
    REQUIRE(wait_committed(cons, committed, 120), "the first %d records were not committed",
            produced);
    printf("%d records committed at %lld ms\n", produced, (long long)(sl_time_mono_ms() - t0));

    for (int i = 0; i < outages; i++) {
        /* Records keep coming while the broker is away (the producer holds them), so the
         * sink has work the moment it is back, and commits while it rejoins. */
        REQUIRE(sl_mock_broker_down(mock, 1) == SL_OK, "broker down");
        produce(first / 2);
        usleep((useconds_t)down_ms * 1000);
        REQUIRE(sl_mock_broker_up(mock, 1) == SL_OK, "broker up");
        flush_all();
        printf("outage %d over at %lld ms; %lld of %d records committed\n", i + 1,
               (long long)(sl_time_mono_ms() - t0),
               (long long)committed_sum(cons, committed, &done), produced);
        fflush(stdout);
        /* Let the group settle a little (or not) before the next outage. */
        usleep(3000000);
        sluice_alive();
    }
    produce(first);
    flush_all();
    printf("produced %d records at %lld ms\n", produced, (long long)(sl_time_mono_ms() - t0));

    bool all = wait_committed(cons, committed, 180);
    for (int p = 0; p < PARTS; p++)
        CHECK(committed[p] == count[p], "partition %d: committed %lld, end offset %lld", p,
              (long long)committed[p], (long long)count[p]);
    printf("%s at %lld ms\n", all ? "all committed" : "not all committed",
           (long long)(sl_time_mono_ms() - t0));
    int expired = log_count("session timed out");
    CHECK(expired > 0, "no group session expired: the test did not test anything");
    printf("sessions expired %d time(s); %d 'Unknown member', %d 'generation id is not valid' "
           "in the log\n",
           expired, log_count("Unknown member"), log_count("generation id is not valid"));

    int64_t t_term = sl_time_mono_ms();
    int rc = sluice_term();
    int64_t term_ms = sl_time_mono_ms() - t_term;
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    CHECK(term_ms < 15000LL * sl_test_timeout_mult(), "SIGTERM took %lld ms", (long long)term_ms);
    printf("SIGTERM: exit %d after %lld ms\n", rc, (long long)term_ms);
    sl_consumer_free(cons);
    sl_producer_free(prod, 1000);

    /* The table: one item per record (ddb-dump follows pages). */
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s %s 'kafka_" TOPIC "'",
             sl_test_src("tests/chaos/ddb-dump.sh"), endpoint);
    char *dump = NULL;
    REQUIRE(sl_test_run(cmd, &dump) == 0 && dump, "scan failed");
    char *seen = calloc((size_t)produced + 1, 1);
    REQUIRE(seen, "out of memory");
    int items = 0, wrong = 0;
    for (char *line = dump, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char id[32], site[32], date[32], mode[32], ver[32], note[96], want[96];
        items++;
        if (sscanf(line, "%31s %31s %31s %31s %31s %95s", id, site, date, mode, ver, note) != 6) {
            if (wrong++ < 5)
                fprintf(stderr, "FAIL unreadable item '%s'\n", line);
            continue;
        }
        int k = (int)strtol(id, NULL, 10);
        snprintf(want, sizeof(want), "n%d-k%d", k, k);
        if (k < 1 || k > produced || seen[k] || strcmp(note, want)) {
            if (wrong++ < 5)
                fprintf(stderr, "FAIL item '%s'\n", line);
        }
        if (k >= 1 && k <= produced)
            seen[k] = 1;
    }
    int missing = 0;
    for (int k = 1; k <= produced; k++)
        if (!seen[k] && missing++ < 5)
            fprintf(stderr, "FAIL record %d is not in DynamoDB\n", k);
    CHECK(wrong == 0, "%d items wrong", wrong);
    CHECK(missing == 0 && items == produced, "%d items, want %d (%d missing)", items, produced,
          missing);
    printf("figures: %d records, %d outages, %d items, %lld ms\n", produced, outages, items,
           (long long)(sl_time_mono_ms() - t0));
    if (failures)
        log_tail(60);
    free(dump);
    free(seen);
    cleanup();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
