/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshot seam test, Kafka mode: salesdb.T holds SL_SEAM_ROWS (default 500,000) rows; a writer
 * commits inserts, updates and deletes (transactions of 1-20 rows over keys 1..rows*1.1, so
 * some keys are new) from before `sluice standalone` starts until two seconds after it has
 * switched from the initial snapshot to streaming. The topic (Debezium envelope, no
 * transform) is read throughout. Afterwards the last record per key must equal the table for
 * every key: the row's VERSION and NOTE for a key that has a row, a delete (op "d" or its
 * tombstone) or no record at all for a key that has none. The run also asserts that the writer
 * really committed changes while the snapshot was running, and that the snapshot delivered
 * op "r" records for most of the table. */
#include <jansson.h>

#include "0120-crash.h"
#include "../lib/kafka_test.h"

#define TOPIC "salesdb.salesdb.T"
/* The mock broker keeps about 5 MB per partition; ~550,000 envelopes of ~350 bytes need
 * more than 40 partitions even though the topic is read while it is written. */
#define PARTS 96

struct last {
    char op;       /* 'r','c','u','d','t' (tombstone); 0 = no record */
    int ver;       /* VERSION of the image (r/c/u) */
    char note[40]; /* NOTE of the image */
};

static struct last *lastrec;
static int nkeys;
static long records, reads, bad;
static int64_t next_off[PARTS];
static struct sl_consumer_batch batch; /* released before the consumer: destroy waits for it */

static int json_int(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

static void take(const struct sl_bus_msg *m)
{
    records++;
    if (m->partition >= 0 && m->partition < PARTS) {
        if (m->offset != next_off[m->partition] && bad++ < 5)
            fprintf(stderr, "FAIL partition %d: offset %lld read after %lld (records dropped)\n",
                    m->partition, (long long)m->offset, (long long)next_off[m->partition] - 1);
        next_off[m->partition] = m->offset + 1;
    }
    char kbuf[64];
    int key = -1;
    snprintf(kbuf, sizeof(kbuf), "%.*s", (int)(m->key_len < 60 ? m->key_len : 60),
             m->key ? (const char *)m->key : "");
    if (sscanf(kbuf, "Struct{ORDER_ID=%d}", &key) != 1 || key < 1 || key > nkeys) {
        if (bad++ < 5)
            fprintf(stderr, "FAIL record with key '%s'\n", kbuf);
        return;
    }
    struct last *l = &lastrec[key - 1];
    if (!m->value) {
        if (l->op != 'd' && bad++ < 5)
            fprintf(stderr, "FAIL tombstone for key %d not after a delete\n", key);
        l->op = 't';
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb(m->value, m->value_len, 0, &jerr);
    const char *op = root ? json_string_value(json_object_get(root, "op")) : NULL;
    json_t *after = root ? json_object_get(root, "after") : NULL;
    if (!op || (strcmp(op, "d") && !json_is_object(after))) {
        if (bad++ < 5)
            fprintf(stderr, "FAIL unreadable value for key %d: %.*s\n", key,
                    (int)(m->value_len < 200 ? m->value_len : 200), (const char *)m->value);
        json_decref(root);
        return;
    }
    l->op = op[0];
    if (op[0] == 'r')
        reads++;
    if (op[0] != 'd') {
        l->ver = json_int(after, "VERSION");
        const char *note = json_string_value(json_object_get(after, "NOTE"));
        snprintf(l->note, sizeof(l->note), "%s", note ? note : "");
    }
    json_decref(root);
}

static int drain(struct sl_consumer *cons, int timeout_ms)
{
    REQUIRE(sl_consumer_poll(cons, &batch, 5000, timeout_ms, errstr, sizeof(errstr)) == SL_OK,
            "poll: %s", errstr);
    for (size_t i = 0; i < batch.cnt; i++)
        take(&batch.msgs[i]);
    return (int)batch.cnt;
}

int main(void)
{
    unsigned seed = seed_init();
    int rows = env_int("SL_SEAM_ROWS", 500000);
    nkeys = rows + rows / 10;
    printf("%d rows, writer over %d keys\n", rows, nkeys);
    int64_t t0 = sl_time_mono_ms();
    mysql_library_init(0, NULL, NULL);
    setup("sl-it-0094", true, false, true);
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, TOPIC, PARTS, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);
    struct writer w;
    writer_init(&w, nkeys, 2000000);
    char q[512];
    snprintf(q, sizeof(q),
             "INSERT INTO salesdb.T SELECT seq, seq, CONCAT('n', seq, '-k', seq) FROM "
             "salesdb.seq_1_to_%d",
             rows);
    REQUIRE(mysql_query(w.m, q) == 0, "fill: %s", mysql_error(w.m));
    for (int k = 1; k <= rows; k++)
        w.cur_ver[k - 1] = k;
    w.next_ver = rows;
    printf("table filled (%lld ms)\n", (long long)(sl_time_mono_ms() - t0));

    char text[4096];
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "offset.flush.interval.ms=300\n"
             "listeners=\n",
             boot, dir);
    write_file("worker.properties", text);
    snprintf(text, sizeof(text),
             "name=seam-source\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.user=sluice\n"
             "database.password=%s\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.server.id=123456\n"
             "database.server.name=salesdb\n"
             "table.include.list=salesdb.T\n"
             "snapshot.mode=initial\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "key.converter.schemas.enable=false\n"
             "value.converter.schemas.enable=false\n",
             pw, port);
    write_file("source.properties", text);

    lastrec = calloc((size_t)nkeys, sizeof(*lastrec));
    REQUIRE(lastrec, "out of memory");
    const char *topics[] = {TOPIC};
    struct sl_consumer *cons =
        sl_test_kafka_consumer(boot, "it-0094", topics, 1, errstr, sizeof(errstr));
    REQUIRE(cons, "consumer: %s", errstr);
    drain(cons, 3000); /* the assignment, before anything is produced */

    /* Writes start before sluice does, go on through the whole snapshot and the switch to
     * streaming, and stop two seconds after it. */
    for (int i = 0; i < 50; i++)
        writer_txn(&w, 20);
    sluice_files[0] = "worker.properties";
    sluice_files[1] = "source.properties";
    sluice_start();
    int before_start = w.n, during = -1;
    int64_t deadline = sl_time_mono_ms() + 300000LL * sl_test_timeout_mult();
    int64_t stop_at = 0;
    while (!stop_at || sl_time_mono_ms() < stop_at) {
        writer_txn(&w, 20);
        drain(cons, 0);
        if (!stop_at && log_count("streaming from") > 0) {
            during = w.n - before_start;
            stop_at = sl_time_mono_ms() + 2000;
        }
        if ((w.n & 63) == 0) {
            sluice_alive();
            REQUIRE(sl_time_mono_ms() < deadline, "the snapshot did not finish");
        }
        REQUIRE(w.n < w.cap - 64, "the writer's log is full before the snapshot finished");
    }
    printf("writer done: %d changes, %d while sluice started and snapshotted (%lld ms)\n", w.n,
           during, (long long)(sl_time_mono_ms() - t0));
    int *table = calloc((size_t)nkeys, sizeof(int));
    REQUIRE(table, "out of memory");
    table_versions(&w, table);

    /* Read until every key agrees with the table, or 20 s pass without a record. */
    int64_t quiet_since = sl_time_mono_ms();
    int differ = nkeys;
    while (sl_time_mono_ms() - quiet_since < 20000LL * sl_test_timeout_mult()) {
        if (drain(cons, 200) > 0)
            quiet_since = sl_time_mono_ms();
        differ = 0;
        for (int k = 0; k < nkeys && differ == 0; k++) {
            const struct last *l = &lastrec[k];
            bool gone = l->op == 0 || l->op == 'd' || l->op == 't';
            differ += table[k] ? (gone || l->ver != table[k]) : !gone;
        }
        if (differ == 0)
            break;
    }
    int shown = 0;
    differ = 0;
    for (int k = 0; k < nkeys; k++) {
        const struct last *l = &lastrec[k];
        bool gone = l->op == 0 || l->op == 'd' || l->op == 't';
        char note[64];
        snprintf(note, sizeof(note), "n%d-k%d", table[k], k + 1);
        bool ok = table[k] ? (!gone && l->ver == table[k] && !strcmp(l->note, note)) : gone;
        if (!ok) {
            differ++;
            if (shown++ < 8)
                fprintf(stderr, "FAIL key %d: table version %d, last record op '%c' version %d\n",
                        k + 1, table[k], l->op ? l->op : '-', l->ver);
        }
    }
    int present = 0;
    for (int k = 0; k < nkeys; k++)
        present += table[k] != 0;
    printf("%ld records (%ld op r), %d keys with a row, %d keys differ, %ld bad records "
           "(seed %u, %lld ms)\n",
           records, reads, present, differ, bad, seed, (long long)(sl_time_mono_ms() - t0));
    CHECK(differ == 0, "%d keys differ from the table", differ);
    CHECK(bad == 0, "%ld bad records", bad);
    CHECK(during >= 100, "only %d changes were committed while the snapshot ran", during);
    CHECK(reads >= rows * 8L / 10, "%ld op r records for a %d-row table", reads, rows);
    CHECK(sluice_term() == 0, "sluice did not exit 0 on SIGTERM");

    sl_consumer_batch_fini(&batch);
    sl_consumer_free(cons);
    free(table);
    free(lastrec);
    writer_fini(&w);
    if (failures)
        log_tail(40);
    cleanup();
    mysql_library_end();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
