/* SPDX-License-Identifier: Apache-2.0 */
/* Sink crash test, Kafka mode: the test produces SL_CRASH_RECORDS (default 100,000, the issue's
 * size) JSON
 * records {"ORDER_ID":k,"VERSION":v,"NOTE":"n<v>-k<k>"} over SL_CRASH_KEYS (default 2,000)
 * repeated keys into a 4-partition topic of librdkafka's mock cluster (in this process), with
 * versions rising per key; `sluice standalone` running only the DynamoDB sink (tasks.max=2,
 * dynalite) is SIGKILLed SL_CRASH_KILLS (default 5) times at seeded random moments (the seed is
 * printed, SL_CRASH_SEED repeats it) and restarted. At the end the table holds exactly one item
 * per key with the key's last version and note (a full paginated Scan), and the group
 * connect-crash-sink has committed exactly the end offset of every partition. */
#include "0120-crash.h"
#include "bus/consumer.h"
#include "bus/kconf.h"
#include "bus/producer.h"

#define TOPIC "crash.sink"
#define PARTS 4

int main(void)
{
    unsigned seed = seed_init();
    int total = env_int("SL_CRASH_RECORDS", 100000);
    int keys = env_int("SL_CRASH_KEYS", 2000);
    int kills = env_int("SL_CRASH_KILLS", 5);
    printf("%d records over %d keys, %d SIGKILLs\n", total, keys, kills);
    int64_t t0 = sl_time_mono_ms();
    setup("sl-it-0121", false, true, true);
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, TOPIC, PARTS, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);

    /* The records: key k always in partition k % PARTS, its versions rising. */
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    struct sl_kv pkv[] = {{"bootstrap.servers", boot}};
    REQUIRE(sl_kconf_add(&kc, pkv, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_producer *prod = sl_producer_new(&kc, 10000, NULL, NULL, errstr, sizeof(errstr));
    sl_kconf_fini(&kc);
    REQUIRE(prod, "producer: %s", errstr);
    int *last = calloc((size_t)keys, sizeof(int));
    REQUIRE(last, "out of memory");
    int64_t count[PARTS] = {0};
    for (int i = 1; i <= total; i++) {
        int k = 1 + (int)(rnd() % (unsigned)keys);
        last[k - 1] = i;
        char key[32], value[160];
        snprintf(key, sizeof(key), "%d", k);
        int vlen = snprintf(value, sizeof(value),
                            "{\"ORDER_ID\":%d,\"VERSION\":%d,\"NOTE\":\"n%d-k%d\"}", k, i, i, k);
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
    REQUIRE(sl_producer_flush(prod, 60000) == SL_OK, "records not acknowledged");
    REQUIRE(sl_producer_error(prod, errstr, sizeof(errstr)) == SL_OK, "produce: %s", errstr);
    sl_producer_free(prod, 1000);
    printf("produced %d records (%lld ms)\n", total, (long long)(sl_time_mono_ms() - t0));

    char text[4096];
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "consumer.fetch.max.wait.ms=50\n"
             "consumer.session.timeout.ms=6000\n"
             "consumer.heartbeat.interval.ms=500\n"
             /* Commit often so kills land after commits and the group catches up
              * within the wait below (Kafka Connect's default is 60 s). */
             "offset.flush.interval.ms=1000\n"
             "listeners=\n",
             boot, dir);
    write_file("worker.properties", text);
    snprintf(text, sizeof(text),
             "name=crash-sink\n"
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
        sl_consumer_new(&kc, "connect-crash-sink", NULL, NULL, NULL, NULL, errstr, sizeof(errstr));
    sl_kconf_fini(&kc);
    REQUIRE(cons, "consumer: %s", errstr);
    int64_t committed[PARTS];

    sluice_start();
    for (int i = 0; i < kills; i++) {
        wait_log("worker connector crash-sink started", starts, 60);
        usleep((useconds_t)(4000 + rnd() % 5000) * 1000);
        sluice_alive();
        sluice_kill();
        int64_t sum = 0;
        for (int p = 0; p < PARTS; p++) {
            committed[p] = -1;
            sl_consumer_committed(cons, TOPIC, p, 10000, &committed[p], errstr, sizeof(errstr));
            sum += committed[p] > 0 ? committed[p] : 0;
        }
        printf("SIGKILL %d at %lld ms; %lld of %d records committed\n", i + 1,
               (long long)(sl_time_mono_ms() - t0), (long long)sum, total);
        fflush(stdout);
        sluice_start();
    }

    /* The last restart must be up before anything is asked of it: when every record was
     * already committed, the SIGTERM below would otherwise reach a process that has not yet
     * installed its handler (exit 143). */
    wait_log("worker connector crash-sink started", starts, 60);
    /* Until every partition is committed to its end. */
    int64_t deadline = sl_time_mono_ms() + 90000LL * sl_test_timeout_mult();
    bool done = false;
    while (!done && sl_time_mono_ms() < deadline) {
        sluice_alive();
        done = true;
        for (int p = 0; p < PARTS; p++) {
            committed[p] = -1;
            sl_consumer_committed(cons, TOPIC, p, 10000, &committed[p], errstr, sizeof(errstr));
            done = done && committed[p] == count[p];
        }
        if (!done)
            usleep(500000);
    }
    for (int p = 0; p < PARTS; p++)
        CHECK(committed[p] == count[p], "partition %d: committed %lld, end offset %lld", p,
              (long long)committed[p], (long long)count[p]);
    printf("all committed at %lld ms\n", (long long)(sl_time_mono_ms() - t0));
    int rc = sluice_term();
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    for (int p = 0; p < PARTS; p++) {
        int64_t off = -1;
        sl_consumer_committed(cons, TOPIC, p, 10000, &off, errstr, sizeof(errstr));
        CHECK(off == count[p], "partition %d after SIGTERM: committed %lld, end offset %lld", p,
              (long long)off, (long long)count[p]);
    }
    sl_consumer_free(cons);

    /* The table: one item per key written, with its last version (ddb-dump follows pages). */
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s %s 'kafka_" TOPIC "'",
             sl_test_src("tests/chaos/ddb-dump.sh"), endpoint);
    char *dump = NULL;
    REQUIRE(sl_test_run(cmd, &dump) == 0 && dump, "scan failed");
    char *seen = calloc((size_t)keys, 1);
    REQUIRE(seen, "out of memory");
    int items = 0, wrong = 0;
    for (char *line = dump, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char id[32], site[32], date[32], mode[32], ver[32], note[96];
        items++;
        if (sscanf(line, "%31s %31s %31s %31s %31s %95s", id, site, date, mode, ver, note) != 6) {
            if (wrong++ < 5)
                fprintf(stderr, "FAIL unreadable item '%s'\n", line);
            continue;
        }
        int k = (int)strtol(id, NULL, 10);
        char want_note[96];
        snprintf(want_note, sizeof(want_note), "n%d-k%d", k >= 1 && k <= keys ? last[k - 1] : 0, k);
        if (k < 1 || k > keys || seen[k - 1] || strtol(ver, NULL, 10) != last[k - 1] ||
            strcmp(note, want_note)) {
            if (wrong++ < 5)
                fprintf(stderr, "FAIL item '%s', want version %d\n", line,
                        k >= 1 && k <= keys ? last[k - 1] : -1);
        }
        if (k >= 1 && k <= keys)
            seen[k - 1] = 1;
    }
    int want_items = 0;
    for (int k = 0; k < keys; k++)
        want_items += last[k] != 0;
    CHECK(wrong == 0, "%d items differ from the last version of their key", wrong);
    CHECK(items == want_items, "%d items, want %d", items, want_items);
    printf("figures: %d records, %d keys, %d kills, %d items, %lld ms\n", total, keys, kills, items,
           (long long)(sl_time_mono_ms() - t0));
    if (failures) {
        printf("seed %u\n", seed);
        log_tail(60);
    }
    free(dump);
    free(seen);
    free(last);
    cleanup();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
