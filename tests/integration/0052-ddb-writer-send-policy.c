/* SPDX-License-Identifier: Apache-2.0 */
/* When the DynamoDB writer sends, checked through the fault proxy (tests/faults/) delaying
 * every reply by a second in front of dynalite, so requests stay in flight while the test
 * looks: a record goes out at once in its own small request even when other requests are
 * in flight (the in-flight bound counts items, not requests), and while the bound is
 * reached the records that arrive fill the open batch up to a full one instead of leaving
 * in whatever fraction had gathered when a request finished. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../faults/proxy.c"
#include "ddb_kv_test.h"

#define TOPIC "policy"
#define SLOW_MS 1000

/* A writer through a new proxy, its table already created (no delay during the set-up),
 * every later reply delayed by SLOW_MS. *next_off is the partition's next offset. */
static struct sl_ddb_writer *writer_new(struct sl_fault_proxy **px, int max_inflight_batches,
                                        int64_t *next_off)
{
    static char proxy_url[64];
    int port = 0;
    *px = sl_fault_proxy_start(sl_test_ddb_endpoint, &(struct sl_fault_rates){0}, 1, &port);
    assert_non_null(*px);
    snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%d", port);
    struct sl_ddb_writer_conf conf;
    sl_test_kv_conf(&conf, proxy_url);
    conf.max_inflight_batches = max_inflight_batches;
    char why[512];
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, why, sizeof(why));
    assert_non_null(w);
    *next_off = 0;
    return w;
}

/* Puts one record (key k) at the partition's next offset, then lets the writer send. */
static void put(struct sl_ddb_writer *w, int k, int64_t *next_off)
{
    char key[32], val[64], why[512];
    snprintf(key, sizeof(key), "k%d", k);
    snprintf(val, sizeof(val), "{\"K\":%d,\"V\":%lld}", k, (long long)*next_off);
    struct sl_sink_rec rec = {.topic = TOPIC,
                              .partition = 0,
                              .offset = (*next_off)++,
                              .key = key,
                              .key_len = strlen(key),
                              .value = val,
                              .value_len = strlen(val)};
    assert_int_equal(sl_ddb_writer_put(w, &rec, why, sizeof(why)), SL_OK);
    assert_int_equal(sl_ddb_writer_poll(w, 0), SL_OK);
}

static uint64_t requests(struct sl_ddb_writer *w)
{
    struct sl_ddb_writer_stats st;
    sl_ddb_writer_stats(w, &st);
    return st.requests;
}

/* Flushes, checks that every record put is committable and how many requests it took. */
static void finish(struct sl_ddb_writer *w, struct sl_fault_proxy *px, int64_t next_off,
                   uint64_t want_requests)
{
    assert_int_equal(sl_ddb_writer_flush(w, 60000 * sl_test_timeout_mult()), SL_OK);
    int64_t next;
    assert_int_equal(sl_ddb_writer_committable(w, TOPIC, 0, &next), SL_OK);
    assert_int_equal(next, next_off);
    assert_int_equal(requests(w), want_requests);
    sl_ddb_writer_free(w);
    sl_fault_proxy_stop(px);
}

/* Single records arriving while others are in flight go out at once, one request each, up
 * to the HTTP connections (8), although max_inflight_batches is 4. */
static void test_record_goes_at_once(void **state)
{
    (void)state;
    struct sl_fault_proxy *px;
    int64_t off;
    struct sl_ddb_writer *w = writer_new(&px, 4, &off);
    put(w, 0, &off);
    assert_int_equal(sl_ddb_writer_flush(w, 60000), SL_OK); /* table ready */
    sl_fault_proxy_set_rates(px, &(struct sl_fault_rates){.slow = 1000, .slow_ms = SLOW_MS});
    uint64_t base = requests(w);
    for (int i = 1; i <= 6; i++) {
        put(w, i, &off);
        assert_int_equal(requests(w), base + (uint64_t)i);
    }
    finish(w, px, off, base + 6);
}

/* With the in-flight bound reached, records gather in the open batch until it is full,
 * also after a request finished while a full batch was waiting: 1 + 25 + 25 requests'
 * worth, not a 5-item remainder sent on its own. */
static void test_backlog_forms_full_batches(void **state)
{
    (void)state;
    struct sl_fault_proxy *px;
    int64_t off;
    struct sl_ddb_writer *w = writer_new(&px, 1, &off);
    put(w, 0, &off);
    assert_int_equal(sl_ddb_writer_flush(w, 60000), SL_OK);
    sl_fault_proxy_set_rates(px, &(struct sl_fault_rates){.slow = 1000, .slow_ms = SLOW_MS});
    uint64_t base = requests(w);
    put(w, 1000, &off); /* in flight for SLOW_MS */
    assert_int_equal(requests(w), base + 1);
    for (int k = 1; k <= 30; k++) /* 25 sealed, 5 open */
        put(w, k, &off);
    assert_int_equal(requests(w), base + 1);
    while (requests(w) == base + 1)
        assert_int_equal(sl_ddb_writer_poll(w, 50), SL_OK);
    assert_int_equal(requests(w), base + 2); /* the full batch; the 5 keep gathering */
    for (int k = 31; k <= 50; k++)
        put(w, k, &off);
    finish(w, px, off, base + 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_goes_at_once),
        cmocka_unit_test(test_backlog_forms_full_batches),
    };
    return cmocka_run_group_tests(tests, sl_test_dynalite_group_setup,
                                  sl_test_dynalite_group_teardown);
}
