/* SPDX-License-Identifier: Apache-2.0 */
/* The DynamoDB writer through the fault proxy (tests/faults/) in front of dynalite: 100,000
 * records over 3 partitions with 2,000 repeated keys, puts and deletes, while the proxy
 * throttles, fails with 500/503 (also after applying the write), drops connections, delays
 * replies and returns partial UnprocessedItems. Checked: at many points the committable
 * offset never runs ahead of what DynamoDB holds, and at the end the table holds exactly the
 * last value of every key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../faults/proxy.c"
#include "ddb_kv_test.h"

#define TOPIC "faults"
#define TABLE "kafka_faults"
#define N_RECORDS 100000
#define N_KEYS 2000
#define N_PARTS 3

/* Every record, by partition and offset: key id and whether it deletes. */
struct rec_model {
    int key;
    bool del;
};
static struct rec_model model[N_PARTS][N_RECORDS];
static int64_t n_off[N_PARTS];

/* state[key] = V (the writing record's partition offset) or -1 when absent. */
static void scan(int64_t *state)
{
    sl_test_kv_scan(sl_test_ddb_endpoint, TABLE, state, N_KEYS);
}

/* Keys live in partition key % N_PARTS (as Kafka partitions by key), so one key's records
 * are ordered by offset. V = offset of the record that wrote the item. */
static void check_not_ahead(struct sl_ddb_writer *w, int *checks)
{
    static int64_t state[N_KEYS];
    int64_t next[N_PARTS];
    for (int p = 0; p < N_PARTS; p++) {
        if (sl_ddb_writer_committable(w, TOPIC, p, &next[p]) != SL_OK)
            next[p] = 0;
        assert_true(next[p] <= n_off[p]);
    }
    scan(state);
    for (int k = 0; k < N_KEYS; k++) {
        int p = k % N_PARTS;
        /* The last record of key k below the committable offset. */
        int64_t last = -1;
        for (int64_t o = next[p] - 1; o >= 0; o--) {
            if (model[p][o].key == k) {
                last = o;
                break;
            }
        }
        if (last < 0)
            continue;
        if (state[k] >= 0) {
            /* DynamoDB holds that record or a later one of the same key. */
            if (state[k] < last)
                fail_msg("key %d: committable %lld in partition %d but DynamoDB holds V=%lld "
                         "older than offset %lld",
                         k, (long long)next[p], p, (long long)state[k], (long long)last);
            assert_int_equal(model[p][state[k]].key, k);
        } else {
            /* Absent: a delete at or after that record was applied. */
            bool ok = false;
            for (int64_t o = last; o < n_off[p] && !ok; o++)
                ok = model[p][o].key == k && model[p][o].del;
            if (!ok)
                fail_msg("key %d: committable %lld in partition %d but the item is missing", k,
                         (long long)next[p], p);
        }
    }
    (*checks)++;
}

static void test_faults_converge(void **state)
{
    (void)state;
    struct sl_fault_rates rates = {.throttle = 40,
                                   .err500 = 25,
                                   .err503 = 25,
                                   .err500_after = 20,
                                   .drop_before = 15,
                                   .drop_after = 15,
                                   .unprocessed = 200,
                                   .slow = 30,
                                   .slow_ms = 150};
    int port = 0;
    struct sl_fault_proxy *px = sl_fault_proxy_start(sl_test_ddb_endpoint, &rates, 12345, &port);
    assert_non_null(px);
    char proxy_url[64];
    snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%d", port);

    struct sl_ddb_writer_conf conf;
    sl_test_kv_conf(&conf, proxy_url);
    conf.item.delete_enabled = true;
    conf.ddb.max_inflight = 6;
    conf.ddb.timeout_ms = 10000;
    conf.max_inflight_batches = 4;
    conf.max_pending_items = 600;
    conf.backoff_base_ms = 5;
    conf.backoff_cap_ms = 200;
    conf.max_retry_ms = 120000;
    char why[512];
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, why, sizeof(why));
    assert_non_null(w);

    srand(99);
    int checks = 0;
    for (int i = 0; i < N_RECORDS; i++) {
        int k = rand() % N_KEYS;
        int p = k % N_PARTS;
        int64_t off = n_off[p];
        bool del = rand() % 10 == 0;
        model[p][off].key = k;
        model[p][off].del = del;
        char key[64], val[256];
        snprintf(key, sizeof(key), "Struct{K=%d}", k);
        snprintf(val, sizeof(val), "{\"K\":%d,\"V\":%lld,\"PAD\":\"%0*d\"%s}", k, (long long)off,
                 20 + (i % 50), i, del ? ",\"__deleted\":\"true\"" : "");
        struct sl_sink_rec rec = {.topic = TOPIC,
                                  .partition = p,
                                  .offset = off,
                                  .key = key,
                                  .key_len = strlen(key),
                                  .value = val,
                                  .value_len = strlen(val)};
        n_off[p]++;
        sl_err_t err = sl_ddb_writer_put(w, &rec, why, sizeof(why));
        while (err == SL_ERR_AGAIN) {
            err = sl_ddb_writer_poll(w, 50);
            if (err)
                fail_msg("poll: %s", sl_ddb_writer_error(w));
            err = sl_ddb_writer_put(w, &rec, why, sizeof(why));
        }
        if (err)
            fail_msg("put: %s: %s", sl_err_name(err), why);
        if (i % 20 == 0 && sl_ddb_writer_poll(w, 0) != SL_OK)
            fail_msg("poll: %s", sl_ddb_writer_error(w));
        if (i % 1000 == 999)
            check_not_ahead(w, &checks);
    }
    if (sl_ddb_writer_flush(w, 120000 * sl_test_timeout_mult()) != SL_OK)
        fail_msg("flush: %s", sl_ddb_writer_error(w));
    check_not_ahead(w, &checks);
    for (int p = 0; p < N_PARTS; p++) {
        int64_t next;
        assert_int_equal(sl_ddb_writer_committable(w, TOPIC, p, &next), SL_OK);
        assert_int_equal(next, n_off[p]);
    }

    /* Exactly the last value per key. */
    static int64_t st[N_KEYS];
    scan(st);
    int present = 0;
    for (int k = 0; k < N_KEYS; k++) {
        int p = k % N_PARTS;
        int64_t last = -1;
        for (int64_t o = n_off[p] - 1; o >= 0 && last < 0; o--) {
            if (model[p][o].key == k)
                last = o;
        }
        int64_t want = last < 0 || model[p][last].del ? -1 : last;
        if (st[k] != want)
            fail_msg("key %d: DynamoDB V=%lld, last record says %lld", k, (long long)st[k],
                     (long long)want);
        present += want >= 0;
    }
    struct sl_ddb_writer_stats ws;
    sl_ddb_writer_stats(w, &ws);
    fprintf(stderr,
            "records %d, items present %d, requests %llu, retries %llu, throttled %llu, "
            "unprocessed %llu, checks %d\n",
            N_RECORDS, present, (unsigned long long)ws.requests, (unsigned long long)ws.retries,
            (unsigned long long)ws.throttled, (unsigned long long)ws.unprocessed, checks);
    static const char *names[] = {"throttle",   "500",         "503",  "500-after", "drop-before",
                                  "drop-after", "unprocessed", "slow", "forwarded"};
    for (int f = 0; f < SL_FAULT__COUNT; f++) {
        uint64_t n = sl_fault_proxy_count(px, f);
        fprintf(stderr, "  proxy %-12s %llu\n", names[f], (unsigned long long)n);
        assert_true(n > 0);
    }
    assert_true(ws.unprocessed > 0);
    assert_int_equal(ws.rejected, 0);
    sl_ddb_writer_free(w);
    sl_fault_proxy_stop(px);
}

/* A throttling storm longer than the retry budget: the writer fails with a clear error and
 * nothing becomes committable. */
static void test_retry_budget(void **state)
{
    (void)state;
    struct sl_fault_rates rates = {.throttle = 1000};
    int port = 0;
    struct sl_fault_proxy *px = sl_fault_proxy_start(sl_test_ddb_endpoint, &rates, 7, &port);
    assert_non_null(px);
    char proxy_url[64];
    snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%d", port);
    struct sl_ddb_writer_conf conf;
    sl_test_kv_conf(&conf, proxy_url);
    conf.max_retry_ms = 300;
    conf.backoff_base_ms = 5;
    conf.backoff_cap_ms = 50;
    char why[512];
    struct sl_sink_rec rec = {.topic = TOPIC,
                              .partition = 7,
                              .offset = 0,
                              .key = "k",
                              .key_len = 1,
                              .value = "{\"K\":1,\"V\":0}",
                              .value_len = 13};
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, why, sizeof(why));
    assert_non_null(w);
    /* Table set-up passes (no faults yet), then every write is throttled. */
    sl_fault_proxy_set_rates(px, &(struct sl_fault_rates){0});
    assert_int_equal(sl_ddb_writer_put(w, &rec, why, sizeof(why)), SL_OK); /* describe ok */
    sl_fault_proxy_set_rates(px, &rates);
    rec.offset = 1;
    assert_int_equal(sl_ddb_writer_put(w, &rec, why, sizeof(why)), SL_OK);
    sl_err_t err = sl_ddb_writer_flush(w, 10000);
    assert_int_equal(err, SL_ERR_UPSTREAM);
    if (!strstr(sl_ddb_writer_error(w), "ProvisionedThroughputExceededException") ||
        !strstr(sl_ddb_writer_error(w), "faults[7]@1"))
        fail_msg("error: %s", sl_ddb_writer_error(w));
    int64_t next;
    assert_int_equal(sl_ddb_writer_committable(w, TOPIC, 7, &next), SL_ERR_NOTFOUND);
    assert_int_equal(sl_ddb_writer_put(w, &rec, why, sizeof(why)), SL_ERR_UPSTREAM);
    sl_ddb_writer_free(w);
    sl_fault_proxy_stop(px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_converge),
        cmocka_unit_test(test_retry_budget),
    };
    return cmocka_run_group_tests(tests, sl_test_dynalite_group_setup,
                                  sl_test_dynalite_group_teardown);
}
