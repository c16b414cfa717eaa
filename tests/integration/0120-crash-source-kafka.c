/* SPDX-License-Identifier: Apache-2.0 */
/* Source crash test, Kafka mode: a writer commits SL_CRASH_CHANGES (default 100,000) row
 * changes (inserts, updates, deletes over SL_CRASH_KEYS, default 5,000, keys, in transactions of
 * 1-40 rows) while `sluice standalone` running only the MySQL source is SIGKILLed at
 * SL_CRASH_KILLS (default 5) random moments (seeded; the seed is printed, SL_CRASH_SEED repeats
 * it) and restarted each time. The topic (Debezium envelope, 16 partitions) must then hold every
 * committed change at least once (each INSERT/UPDATE by its version in "after", each DELETE by
 * the version in "before"), per key in commit order (each record is the key's next change, or
 * a replay after a restart that goes back to an earlier change and moves on from there one
 * change at a time; no change skipped, at most one rewind per kill), and the last record per key
 * must match the table: the row's version and note, or a delete (or its tombstone) for a key whose
 * row is gone. */
#include <jansson.h>

#include "0120-crash.h"
#include "bus/consumer.h"
#include "bus/kconf.h"

#define TOPIC "salesdb.salesdb.T"
/* librdkafka's mock cluster keeps about 5 MB per partition and drops older segments: 16
 * partitions hold the run's envelopes (a gap in the offsets read would say otherwise). */
#define PARTS 16

struct keystate {
    int last_pos;  /* the key's change number of the last record (-1 none) */
    int rewinds;   /* times its records went back (replays after a restart) */
    char last_op;  /* 'c','u','r','d' or 't' (tombstone); 0 = nothing */
    int image_ver; /* version of the last c/u/r image */
    char note[72]; /* its note */
};

static int json_int(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

int main(void)
{
    unsigned seed = seed_init();
    int total = env_int("SL_CRASH_CHANGES", 100000);
    int keys = env_int("SL_CRASH_KEYS", 5000);
    int kills = env_int("SL_CRASH_KILLS", 5);
    printf("%d changes over %d keys, %d SIGKILLs\n", total, keys, kills);
    int64_t t0 = sl_time_mono_ms();
    mysql_library_init(0, NULL, NULL);
    setup("sl-it-0120", true, false, true);
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, TOPIC, PARTS, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);
    struct writer w;
    writer_init(&w, keys, total);

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
             "name=crash-source\n"
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
             "value.converter.schemas.enable=false\n",
             pw, port);
    write_file("source.properties", text);
    sluice_files[0] = "worker.properties";
    sluice_files[1] = "source.properties";
    sluice_start();
    wait_log("streaming from", 1, 60);

    /* Kill points: change counts spread over the run, plus a random delay each. */
    int *at = calloc((size_t)kills + 1, sizeof(int));
    REQUIRE(at, "out of memory");
    for (int i = 0; i < kills; i++)
        at[i] = (int)((long long)total * (i + 1) / (kills + 1)) +
                (int)(rnd() % (unsigned)(total / (3 * (kills + 1)) + 1));
    int done_kills = 0;
    while (w.n < total) {
        writer_txn(&w, 40);
        if (done_kills < kills && w.n >= at[done_kills]) {
            /* Only kill a process that got going; then at a random point in its work. */
            wait_log("streaming from", starts, 60);
            usleep((useconds_t)(rnd() % 700) * 1000);
            sluice_alive();
            sluice_kill();
            done_kills++;
            printf("SIGKILL %d after %d changes (%lld ms)\n", done_kills, w.n,
                   (long long)(sl_time_mono_ms() - t0));
            fflush(stdout);
            sluice_start();
        }
    }
    free(at);
    printf("writer done: %d changes, %d versions (%lld ms)\n", w.n, w.next_ver,
           (long long)(sl_time_mono_ms() - t0));
    int *table = calloc((size_t)keys, sizeof(int));
    REQUIRE(table, "out of memory");
    table_versions(&w, table);

    /* Change ids: version v's insert/update is ins[v], the delete of version v is del[v]. */
    int nv = w.next_ver + 1;
    int *ins = calloc((size_t)nv, sizeof(int)), *del = calloc((size_t)nv, sizeof(int));
    char *seen = calloc((size_t)w.n, 1);
    struct keystate *ks = calloc((size_t)keys, sizeof(*ks));
    REQUIRE(ins && del && seen && ks, "out of memory");
    for (int v = 0; v < nv; v++)
        ins[v] = del[v] = -1;
    /* kpos[i]: the number of the change among its key's changes (0 first). */
    int *kpos = calloc((size_t)w.n, sizeof(int)), *kcount = calloc((size_t)keys, sizeof(int));
    REQUIRE(kpos && kcount, "out of memory");
    for (int i = 0; i < w.n; i++)
        kpos[i] = kcount[w.log[i].key - 1]++;
    for (int k = 0; k < keys; k++)
        ks[k].last_pos = -1;
    char *written = calloc((size_t)keys, 1);
    REQUIRE(written, "out of memory");
    for (int i = 0; i < w.n; i++) {
        written[w.log[i].key - 1] = 1;
        if (w.log[i].op == OP_DEL)
            del[w.log[i].ver] = i;
        else
            ins[w.log[i].ver] = i;
    }

    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv kv[] = {{"bootstrap.servers", boot}, {"fetch.max.wait.ms", "50"}};
    REQUIRE(sl_kconf_add(&kc, kv, 2, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_consumer *cons =
        sl_consumer_new(&kc, "it-0120", NULL, NULL, NULL, NULL, errstr, sizeof(errstr));
    sl_kconf_fini(&kc);
    REQUIRE(cons, "consumer: %s", errstr);
    const char *topics[] = {TOPIC};
    REQUIRE(sl_consumer_subscribe(cons, topics, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);

    long records = 0, tombstones = 0, order_errors = 0, bad = 0, replays = 0;
    int64_t next_off[PARTS] = {0};
    int missing = w.n;
    struct sl_consumer_batch batch = {0};
    int64_t deadline = sl_time_mono_ms() + 150000LL * sl_test_timeout_mult();
    int64_t quiet_since = sl_time_mono_ms();
    for (;;) {
        REQUIRE(sl_consumer_poll(cons, &batch, 1000, 200, errstr, sizeof(errstr)) == SL_OK,
                "poll: %s", errstr);
        if (batch.cnt)
            quiet_since = sl_time_mono_ms();
        for (size_t i = 0; i < batch.cnt; i++) {
            const struct sl_bus_msg *m = &batch.msgs[i];
            records++;
            if (m->partition >= 0 && m->partition < PARTS) {
                if (m->offset != next_off[m->partition] && bad++ < 5)
                    fprintf(stderr,
                            "FAIL partition %d: offset %lld read after %lld (records "
                            "dropped from the log)\n",
                            m->partition, (long long)m->offset,
                            (long long)next_off[m->partition] - 1);
                next_off[m->partition] = m->offset + 1;
            }
            int key = -1;
            char kbuf[64];
            snprintf(kbuf, sizeof(kbuf), "%.*s", (int)(m->key_len < 60 ? m->key_len : 60),
                     m->key ? (const char *)m->key : "");
            if (sscanf(kbuf, "Struct{ORDER_ID=%d}", &key) != 1 || key < 1 || key > keys) {
                if (bad++ < 5)
                    fprintf(stderr, "FAIL record with key '%s'\n", kbuf);
                continue;
            }
            struct keystate *k = &ks[key - 1];
            if (!m->value) {
                tombstones++;
                if (k->last_op != 'd' && bad++ < 5)
                    fprintf(stderr, "FAIL tombstone for key %d not after a delete\n", key);
                k->last_op = 't';
                continue;
            }
            json_error_t jerr;
            json_t *root = json_loadb(m->value, m->value_len, 0, &jerr);
            const char *op = root ? json_string_value(json_object_get(root, "op")) : NULL;
            if (!op) {
                if (bad++ < 5)
                    fprintf(stderr, "FAIL unreadable value at %d/%lld: %.*s\n", m->partition,
                            (long long)m->offset, (int)(m->value_len < 200 ? m->value_len : 200),
                            (const char *)m->value);
                json_decref(root);
                continue;
            }
            int ver;
            int id;
            if (op[0] == 'd') {
                json_t *before = json_object_get(root, "before");
                ver = json_int(before, "VERSION");
                id = ver > 0 && ver < nv ? del[ver] : -1;
            } else {
                json_t *after = json_object_get(root, "after");
                ver = json_int(after, "VERSION");
                id = ver > 0 && ver < nv ? ins[ver] : -1;
                const char *note = json_string_value(json_object_get(after, "NOTE"));
                k->image_ver = ver;
                snprintf(k->note, sizeof(k->note), "%s", note ? note : "(null)");
            }
            if (id < 0 || w.log[id].key != key) {
                if (bad++ < 5)
                    fprintf(stderr, "FAIL op %s of key %d with version %d was never written\n", op,
                            key, ver);
            } else if (!seen[id]) {
                seen[id] = 1;
                missing--;
            }
            /* In order: each record is the key's next change, or (after a restart) a replay
             * that goes back to an earlier change and then moves on one change at a time. */
            if (id >= 0 && w.log[id].key == key) {
                if (kpos[id] > k->last_pos + 1) {
                    if (order_errors++ < 5)
                        fprintf(stderr,
                                "FAIL key %d: change #%d of the key (op %s, version %d) at "
                                "%d/%lld follows change #%d\n",
                                key, kpos[id], op, ver, m->partition, (long long)m->offset,
                                k->last_pos);
                } else if (kpos[id] <= k->last_pos) {
                    replays++;
                    if (++k->rewinds > kills && order_errors++ < 5)
                        fprintf(stderr, "FAIL key %d goes back %d times with %d kills\n", key,
                                k->rewinds, kills);
                }
                k->last_pos = kpos[id];
            }
            k->last_op = op[0];
            json_decref(root);
        }
        sl_consumer_batch_release(&batch);
        if (child > 0)
            sluice_alive();
        int64_t now = sl_time_mono_ms();
        if (missing == 0 && now - quiet_since > 3000)
            break;
        if (now > deadline)
            break;
    }
    sl_consumer_batch_fini(&batch);
    sl_consumer_free(cons);
    printf("consumed %ld records (%ld tombstones) in %lld ms since start; %d of %d changes "
           "missing\n",
           records, tombstones, (long long)(sl_time_mono_ms() - t0), missing, w.n);

    CHECK(bad == 0, "%ld bad records", bad);
    CHECK(order_errors == 0, "%ld records out of order", order_errors);
    CHECK(missing == 0, "%d committed changes never reached the topic", missing);
    if (missing) {
        int shown = 0;
        for (int i = 0; i < w.n && shown < 10; i++)
            if (!seen[i]) {
                fprintf(stderr, "  missing change #%d: key %d op %d version %d\n", i, w.log[i].key,
                        w.log[i].op, w.log[i].ver);
                shown++;
            }
    }
    int last_bad = 0;
    for (int k = 0; k < keys; k++) {
        const struct keystate *s = &ks[k];
        char note[96];
        snprintf(note, sizeof(note), "n%d-k%d", table[k], k + 1);
        bool ok = table[k] ? (s->last_op == 'c' || s->last_op == 'u' || s->last_op == 'r') &&
                                 s->image_ver == table[k] && !strcmp(s->note, note)
                           : s->last_op == 0 || s->last_op == 'd' || s->last_op == 't';
        /* A key never written has no row and no record. */
        if (!table[k] && s->last_op == 0)
            ok = !written[k];
        if (!ok && last_bad++ < 5)
            fprintf(stderr, "FAIL key %d: table version %d, last record op %c version %d '%s'\n",
                    k + 1, table[k], s->last_op ? s->last_op : '-', s->image_ver, s->note);
    }
    CHECK(last_bad == 0, "%d keys whose last record differs from the table", last_bad);
    int rc = sluice_term();
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    printf("figures: %d changes, %d keys, %d kills, %ld records (%ld replayed after restarts), "
           "%lld ms\n",
           w.n, keys, done_kills, records, replays, (long long)(sl_time_mono_ms() - t0));
    if (failures) {
        printf("seed %u\n", seed);
        log_tail(60);
    }
    free(ins);
    free(del);
    free(seen);
    free(ks);
    free(kpos);
    free(kcount);
    free(written);
    free(table);
    writer_fini(&w);
    cleanup();
    mysql_library_end();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
