/* SPDX-License-Identifier: Apache-2.0 */
/* Local in-process bus: bounds (count, bytes, oversize), per-partition order, Kafka-compatible
 * key partitioning, headers, the ack watermark, release, close, taking and acknowledging in
 * groups, and a two-thread run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "bus/local.h"
#include "bus/partition.h"

static struct sl_bus_msg mk(const char *topic, const char *key, const char *value)
{
    struct sl_bus_msg msg = {0};
    msg.topic = topic;
    msg.partition = SL_BUS_PARTITION_ANY;
    msg.key = key;
    msg.key_len = key ? strlen(key) : 0;
    msg.value = value;
    msg.value_len = value ? strlen(value) : 0;
    return msg;
}

static void test_bounds(void **state)
{
    (void)state;
    struct sl_local *l = sl_local_new(3, 100000);
    uint64_t seq;
    struct sl_bus_msg msg = mk("t", "k", "v");
    for (int i = 0; i < 3; i++)
        assert_int_equal(sl_local_send(l, &msg, &seq), SL_OK);
    assert_int_equal(sl_local_send(l, &msg, &seq), SL_ERR_AGAIN); /* count */
    struct sl_local_rec *rec;
    assert_int_equal(sl_local_poll(l, &rec, 0), SL_OK);
    assert_int_equal(sl_local_send(l, &msg, &seq), SL_ERR_AGAIN); /* polled is not acked */
    sl_local_ack(l, rec);
    assert_int_equal(sl_local_send(l, &msg, &seq), SL_OK);
    assert_int_equal(seq, 4);
    sl_local_free(l);

    /* Bytes: a message is ~100 bytes with its record; 1000 bytes hold a few, not 20. */
    l = sl_local_new(1000, 1000);
    char big[2000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    msg = mk("t", "k", big);
    assert_int_equal(sl_local_send(l, &msg, &seq), SL_ERR_TOOBIG);
    msg = mk("t", "k", "0123456789012345678901234567890123456789");
    int sent = 0;
    while (sl_local_send(l, &msg, &seq) == SL_OK)
        sent++;
    assert_true(sent >= 3 && sent < 20);
    size_t msgs, bytes;
    sl_local_stats(l, &msgs, &bytes);
    assert_int_equal(msgs, (size_t)sent);
    assert_true(bytes <= 1000);
    assert_int_equal(sl_local_send(l, &msg, &seq), SL_ERR_AGAIN);
    sl_local_free(l); /* frees queued records */
}

static void test_order_partition_headers(void **state)
{
    (void)state;
    struct sl_local *l = sl_local_new(1000, 1 << 20);
    assert_int_equal(sl_local_topic_create(l, "db.inv.customers", 4), SL_OK);
    assert_int_equal(sl_local_topic_create(l, "db.inv.customers", 4), SL_OK);
    assert_int_equal(sl_local_topic_create(l, "db.inv.customers", 3), SL_ERR_INVALID);
    uint64_t seq;
    char key[16], val[16];
    struct sl_bus_header hdr[2] = {{"op", "c", 1}, {"nullv", NULL, 0}};
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof(key), "{\"id\":%d}", i % 10);
        snprintf(val, sizeof(val), "%d", i);
        struct sl_bus_msg msg = mk("db.inv.customers", key, val);
        msg.headers = hdr;
        msg.header_cnt = 2;
        msg.timestamp_ms = 1000 + i;
        assert_int_equal(sl_local_send(l, &msg, &seq), SL_OK);
    }
    struct sl_bus_msg bad = mk("db.inv.customers", "k", "v");
    bad.partition = 4;
    assert_int_equal(sl_local_send(l, &bad, &seq), SL_ERR_INVALID);
    int last_val[10];
    int64_t next_off[4] = {0};
    for (int i = 0; i < 10; i++)
        last_val[i] = -1;
    struct sl_local_rec *rec;
    int got = 0;
    while (sl_local_poll(l, &rec, 0) == SL_OK) {
        const struct sl_bus_msg *m = &rec->msg;
        assert_string_equal(m->topic, "db.inv.customers");
        assert_int_equal(m->partition, sl_bus_partition_for_key(m->key, m->key_len, 4));
        assert_int_equal(m->offset, next_off[m->partition]++);
        char kbuf[16] = {0}, vbuf[16] = {0};
        memcpy(kbuf, m->key, m->key_len);
        memcpy(vbuf, m->value, m->value_len);
        int k = kbuf[6] - '0';
        int v = (int)strtol(vbuf, NULL, 10);
        assert_true(v > last_val[k]); /* order per key */
        assert_int_equal(v % 10, k);
        last_val[k] = v;
        assert_int_equal(m->timestamp_ms, 1000 + v);
        assert_int_equal(m->header_cnt, 2);
        assert_string_equal(m->headers[0].name, "op");
        assert_memory_equal(m->headers[0].value, "c", 1);
        assert_null(m->headers[1].value);
        sl_local_ack(l, rec);
        got++;
    }
    assert_int_equal(got, 200);
    assert_int_equal(sl_local_acked(l), 200);
    sl_local_free(l);
}

static void test_ack_watermark_release_close(void **state)
{
    (void)state;
    struct sl_local *l = sl_local_new(100, 1 << 20);
    uint64_t seq;
    struct sl_bus_msg tomb = mk("t", "k", NULL); /* tombstone */
    for (int i = 0; i < 5; i++)
        assert_int_equal(sl_local_send(l, &tomb, &seq), SL_OK);
    struct sl_local_rec *recs[5];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sl_local_poll(l, &recs[i], 0), SL_OK);
        assert_null(recs[i]->msg.value);
        assert_int_equal(recs[i]->seq, (uint64_t)i + 1);
    }
    struct sl_local_rec *none;
    assert_int_equal(sl_local_poll(l, &none, 0), SL_ERR_AGAIN);
    assert_null(none);
    sl_local_ack(l, recs[1]);
    assert_int_equal(sl_local_acked(l), 0);
    assert_int_equal(sl_local_wait_acked(l, 2, 10), SL_ERR_AGAIN);
    sl_local_ack(l, recs[0]);
    assert_int_equal(sl_local_acked(l), 2);
    assert_int_equal(sl_local_wait_acked(l, 2, 10), SL_OK);
    sl_local_release(l, recs[2]); /* not handled: the watermark stops before it */
    sl_local_ack(l, recs[3]);
    sl_local_ack(l, recs[4]);
    assert_int_equal(sl_local_acked(l), 2);
    sl_local_close(l);
    assert_int_equal(sl_local_send(l, &tomb, &seq), SL_ERR_SHUTDOWN);
    struct sl_local_rec *rec;
    assert_int_equal(sl_local_poll(l, &rec, 100), SL_ERR_SHUTDOWN);
    sl_local_free(l);
}

/* Groups: poll_many takes what is queued (up to max) in the single polls' order; ack_many
 * moves the watermark over every record it settles, and to where single acks would. */
static void test_many(void **state)
{
    (void)state;
    struct sl_local *l = sl_local_new(100, 1 << 20);
    sl_local_topic_create(l, "t", 2);
    uint64_t seq;
    char key[8];
    for (int i = 0; i < 7; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        struct sl_bus_msg msg = mk("t", key, "v");
        assert_int_equal(sl_local_send(l, &msg, &seq), SL_OK);
    }
    struct sl_local_rec *recs[10];
    size_t n = 0;
    assert_int_equal(sl_local_poll_many(l, recs, 4, &n, 0), SL_OK);
    assert_int_equal(n, 4);
    assert_int_equal(sl_local_poll_many(l, recs + 4, 6, &n, 0), SL_OK);
    assert_int_equal(n, 3);
    assert_int_equal(sl_local_poll_many(l, recs + 7, 3, &n, 0), SL_ERR_AGAIN);
    assert_int_equal(n, 0);
    int64_t next[2] = {0, 0};
    for (int i = 0; i < 7; i++) /* per partition, offsets come in order */
        assert_int_equal(recs[i]->msg.offset, next[recs[i]->msg.partition]++);
    /* Acknowledging 2..7 leaves the watermark at 0 until 1 is acknowledged too. */
    struct sl_local_rec *rest[6];
    struct sl_local_rec *first = NULL;
    size_t nrest = 0;
    for (int i = 0; i < 7; i++) {
        if (recs[i]->seq == 1)
            first = recs[i];
        else
            rest[nrest++] = recs[i];
    }
    assert_non_null(first);
    sl_local_ack_many(l, rest, nrest);
    assert_int_equal(sl_local_acked(l), 0);
    sl_local_ack_many(l, &first, 1);
    assert_int_equal(sl_local_acked(l), 7);
    size_t msgs, bytes;
    sl_local_stats(l, &msgs, &bytes);
    assert_int_equal(msgs, 0);
    assert_int_equal(bytes, 0);
    sl_local_free(l);
}

enum { THREAD_TOTAL = 50000 };

struct run {
    struct sl_local *l;
    int errors;
};

static void *consumer_main(void *arg)
{
    struct run *run = arg;
    int last[16];
    for (int i = 0; i < 16; i++)
        last[i] = -1;
    int got = 0;
    while (got < THREAD_TOTAL) {
        struct sl_local_rec *rec;
        sl_err_t err = sl_local_poll(run->l, &rec, 1000);
        if (err == SL_ERR_AGAIN)
            continue;
        if (err) {
            run->errors++;
            break;
        }
        int v = 0, k = 0;
        memcpy(&v, rec->msg.value, sizeof(v));
        memcpy(&k, rec->msg.key, sizeof(k));
        if (v <= last[k] || v % 16 != k)
            run->errors++;
        last[k] = v;
        got++;
        sl_local_ack(run->l, rec);
    }
    return NULL;
}

static void test_two_threads(void **state)
{
    (void)state;
    struct run run = {sl_local_new(64, 8192), 0};
    sl_local_topic_create(run.l, "t", 3);
    pthread_t th;
    pthread_create(&th, NULL, consumer_main, &run);
    uint64_t seq = 0;
    for (int i = 0; i < THREAD_TOTAL; i++) {
        int k = i % 16;
        struct sl_bus_msg msg = {0};
        msg.topic = "t";
        msg.partition = SL_BUS_PARTITION_ANY;
        msg.key = &k;
        msg.key_len = sizeof(k);
        msg.value = &i;
        msg.value_len = sizeof(i);
        sl_err_t err;
        while ((err = sl_local_send(run.l, &msg, &seq)) == SL_ERR_AGAIN)
            sl_local_wait_acked(run.l, sl_local_acked(run.l) + 1, 100);
        assert_int_equal(err, SL_OK);
    }
    assert_int_equal(sl_local_wait_acked(run.l, seq, 10000), SL_OK);
    pthread_join(th, NULL);
    assert_int_equal(run.errors, 0);
    assert_int_equal(sl_local_acked(run.l), THREAD_TOTAL);
    sl_local_free(run.l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_order_partition_headers),
        cmocka_unit_test(test_ack_watermark_release_close),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
