/* SPDX-License-Identifier: Apache-2.0 */
/* A partition handed over in a rebalance keeps its per-key order across the two owners: the
 * old owner's writer, behind the fault proxy (tests/faults/) in front of dynalite, still holds
 * writes of partition 0 when the partition is revoked (a) queued behind throttling, (b) on the
 * wire with a reply delayed by 1.5 s, the proxy forwarding only after the delay.
 * sl_ddb_writer_drop gives them up or waits for them; then the new owner (a second writer,
 * straight to dynalite) writes newer values for the same keys. The old writer then finishes
 * its other partition, and the table must hold the new owner's values for every key of
 * partition 0 and the old writer's for partition 1. Without the drop the delayed and retried
 * writes land after the new owner's and the old values come back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../faults/proxy.c"
#include "core/time.h"
#include "ddb_kv_test.h"

#define TOPIC "handover"
#define TABLE "kafka_handover"
#define N_KEYS 200
#define SLOW_MS 1500

/* A writer to url (the proxy, or dynalite itself). */
static struct sl_ddb_writer *writer_new(const char *url)
{
    struct sl_ddb_writer_conf conf;
    sl_test_kv_conf(&conf, url);
    conf.backoff_base_ms = 20;
    conf.backoff_cap_ms = 200;
    char why[512];
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, why, sizeof(why));
    assert_non_null(w);
    return w;
}

/* Puts key k with V = the record's offset into partition p. */
static void put(struct sl_ddb_writer *w, int32_t p, int64_t off, int k)
{
    char key[32], val[64], why[512];
    snprintf(key, sizeof(key), "k%d", k);
    snprintf(val, sizeof(val), "{\"K\":%d,\"V\":%lld}", k, (long long)off);
    struct sl_sink_rec rec = {.topic = TOPIC,
                              .partition = p,
                              .offset = off,
                              .key = key,
                              .key_len = strlen(key),
                              .value = val,
                              .value_len = strlen(val)};
    assert_int_equal(sl_ddb_writer_put(w, &rec, why, sizeof(why)), SL_OK);
}

/* Runs one handover. Keys [base, base+20) live in partition 0, [base+100, base+120) in
 * partition 1; the old writer puts them with offsets 0..19, after fault is set on the proxy
 * and the first record went out; the new owner writes partition 0's keys with offsets
 * 1000..1019. Returns how long the drop took. */
static int64_t handover(int base, const struct sl_fault_rates *fault)
{
    int port = 0;
    struct sl_fault_proxy *px =
        sl_fault_proxy_start(sl_test_ddb_endpoint, &(struct sl_fault_rates){0}, 7, &port);
    assert_non_null(px);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    struct sl_ddb_writer *old = writer_new(url);
    put(old, 1, 0, 199); /* creates the table, no fault yet */
    assert_int_equal(sl_ddb_writer_flush(old, 60000 * sl_test_timeout_mult()), SL_OK);

    sl_fault_proxy_set_rates(px, fault);
    for (int i = 0; i < 20; i++) {
        put(old, 0, i, base + i);
        put(old, 1, i + 1, base + 100 + i);
        assert_int_equal(sl_ddb_writer_poll(old, 0), SL_OK);
    }
    /* Short of a full flush: the faults keep the writes unfinished. */
    assert_int_equal(sl_ddb_writer_flush(old, 300), SL_ERR_AGAIN);
    int64_t committed0 = -1;
    (void)sl_ddb_writer_committable(old, TOPIC, 0, &committed0);
    assert_true(committed0 < 20); /* something of partition 0 is still unfinished */

    /* Revoked: forget, drop. */
    int64_t t0 = sl_time_mono_ms();
    sl_ddb_writer_forget(old, TOPIC, 0);
    struct sl_ddb_tp tp = {TOPIC, 0};
    assert_int_equal(sl_ddb_writer_drop(old, &tp, 1), SL_OK);
    int64_t took = sl_time_mono_ms() - t0;

    /* The new owner resumes partition 0 and writes newer values straight to dynalite. */
    struct sl_ddb_writer *neu = writer_new(sl_test_ddb_endpoint);
    for (int i = 0; i < 20; i++)
        put(neu, 0, 1000 + i, base + i);
    assert_int_equal(sl_ddb_writer_flush(neu, 60000 * sl_test_timeout_mult()), SL_OK);

    /* The old owner goes on with partition 1 until all of it is written. */
    sl_fault_proxy_set_rates(px, &(struct sl_fault_rates){0});
    assert_int_equal(sl_ddb_writer_flush(old, 60000 * sl_test_timeout_mult()), SL_OK);
    int64_t next = 0;
    assert_int_equal(sl_ddb_writer_committable(old, TOPIC, 1, &next), SL_OK);
    assert_int_equal(next, 21);
    /* Nothing of partition 0 is committable by the old owner any more. */
    assert_int_equal(sl_ddb_writer_committable(old, TOPIC, 0, &next), SL_ERR_NOTFOUND);

    static int64_t state[N_KEYS];
    sl_test_kv_scan(sl_test_ddb_endpoint, TABLE, state, N_KEYS);
    for (int i = 0; i < 20; i++) {
        if (state[base + i] != 1000 + i)
            fail_msg("key %d of the revoked partition holds V=%lld, want the new owner's %d",
                     base + i, (long long)state[base + i], 1000 + i);
        assert_int_equal(state[base + 100 + i], i + 1);
    }
    sl_ddb_writer_free(neu);
    sl_ddb_writer_free(old);
    sl_fault_proxy_stop(px);
    return took;
}

/* Writes held back by throttling are dropped at once, not sent after the handover. */
static void test_queued_writes_dropped(void **state)
{
    (void)state;
    int64_t took = handover(0, &(struct sl_fault_rates){.throttle = 1000});
    assert_true(took < 5000);
}

/* Writes on the wire (forwarded only after SLOW_MS) are waited for before the partition is
 * handed over. */
static void test_writes_on_the_wire_awaited(void **state)
{
    (void)state;
    int64_t took = handover(20, &(struct sl_fault_rates){.slow = 1000, .slow_ms = SLOW_MS});
    /* The last batch went out during the 300 ms flush at the latest; its reply comes
     * SLOW_MS after it was sent. */
    assert_true(took >= SLOW_MS - 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queued_writes_dropped),
        cmocka_unit_test(test_writes_on_the_wire_awaited),
    };
    return cmocka_run_group_tests(tests, sl_test_dynalite_group_setup,
                                  sl_test_dynalite_group_teardown);
}
