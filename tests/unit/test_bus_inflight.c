/* SPDX-License-Identifier: Apache-2.0 */
/* In-flight watermark: out-of-order acks, a full ring, failures, misuse; and Kafka's murmur2
 * partitioner against the Java client's own test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/inflight.h"
#include "bus/partition.h"

static void test_in_order(void **state)
{
    (void)state;
    struct sl_inflight *inf = sl_inflight_new(4);
    uint64_t seq;
    assert_int_equal(sl_inflight_acked(inf), 0);
    for (uint64_t i = 1; i <= 100; i++) {
        assert_int_equal(sl_inflight_add(inf, &seq), SL_OK);
        assert_int_equal(seq, i);
        assert_int_equal(sl_inflight_ack(inf, seq), SL_OK);
        assert_int_equal(sl_inflight_acked(inf), i);
    }
    assert_int_equal(sl_inflight_count(inf), 0);
    sl_inflight_free(inf);
}

static void test_out_of_order_and_full(void **state)
{
    (void)state;
    struct sl_inflight *inf = sl_inflight_new(5);
    uint64_t seq;
    for (int i = 0; i < 5; i++)
        assert_int_equal(sl_inflight_add(inf, &seq), SL_OK);
    assert_int_equal(seq, 5);
    /* Full ring is backpressure, and nothing changes. */
    assert_int_equal(sl_inflight_add(inf, &seq), SL_ERR_AGAIN);
    assert_int_equal(sl_inflight_next(inf), 6);
    assert_int_equal(sl_inflight_ack(inf, 3), SL_OK);
    assert_int_equal(sl_inflight_ack(inf, 5), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 0); /* 1 is still out */
    assert_int_equal(sl_inflight_add(inf, &seq), SL_ERR_AGAIN);
    assert_int_equal(sl_inflight_ack(inf, 2), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 0);
    assert_int_equal(sl_inflight_ack(inf, 1), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 3); /* 1,2,3 contiguous; 4 missing */
    assert_int_equal(sl_inflight_count(inf), 2);
    /* Three slots free again; slot reuse must not confuse the acked 5. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(sl_inflight_add(inf, &seq), SL_OK);
    assert_int_equal(seq, 8);
    assert_int_equal(sl_inflight_add(inf, &seq), SL_ERR_AGAIN);
    assert_int_equal(sl_inflight_ack(inf, 7), SL_OK);
    assert_int_equal(sl_inflight_ack(inf, 4), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 5);
    assert_int_equal(sl_inflight_ack(inf, 6), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 7);
    assert_int_equal(sl_inflight_ack(inf, 8), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 8);
    sl_inflight_free(inf);
}

static void test_misuse_and_failure(void **state)
{
    (void)state;
    struct sl_inflight *inf = sl_inflight_new(8);
    uint64_t seq;
    for (int i = 0; i < 4; i++)
        assert_int_equal(sl_inflight_add(inf, &seq), SL_OK);
    assert_int_equal(sl_inflight_ack(inf, 0), SL_ERR_INVALID);
    assert_int_equal(sl_inflight_ack(inf, 5), SL_ERR_INVALID); /* never handed out */
    assert_int_equal(sl_inflight_ack(inf, 2), SL_OK);
    assert_int_equal(sl_inflight_ack(inf, 2), SL_ERR_INVALID); /* duplicate */
    assert_int_equal(sl_inflight_ack(inf, 1), SL_OK);
    assert_int_equal(sl_inflight_ack(inf, 1), SL_ERR_INVALID); /* below the watermark */
    assert_int_equal(sl_inflight_fail(inf, 3), SL_OK);
    assert_int_equal(sl_inflight_ack(inf, 4), SL_OK);
    assert_int_equal(sl_inflight_acked(inf), 2); /* never passes the failed 3 */
    assert_int_equal(sl_inflight_failed(inf), 3);
    /* Cancel gives back the newest, unsent sequence. */
    assert_int_equal(sl_inflight_add(inf, &seq), SL_OK);
    assert_int_equal(seq, 5);
    sl_inflight_cancel(inf, seq);
    assert_int_equal(sl_inflight_next(inf), 5);
    sl_inflight_free(inf);
}

/* Random ack order over many rounds: the watermark equals the longest acked prefix. */
static void test_random_order(void **state)
{
    (void)state;
    enum { CAP = 64, TOTAL = 20000 };
    struct sl_inflight *inf = sl_inflight_new(CAP);
    uint8_t *acked = calloc(TOTAL + 2, 1);
    uint64_t pending[CAP];
    size_t npend = 0, sent = 0;
    uint64_t prefix = 0;
    srand(7);
    while (prefix < TOTAL) {
        uint64_t seq;
        if (sent < TOTAL && (npend == 0 || rand() % 2) && sl_inflight_add(inf, &seq) == SL_OK) {
            pending[npend++] = seq;
            sent++;
            continue;
        }
        if (npend == 0)
            continue;
        size_t i = (size_t)rand() % npend;
        assert_int_equal(sl_inflight_ack(inf, pending[i]), SL_OK);
        acked[pending[i]] = 1;
        pending[i] = pending[--npend];
        while (acked[prefix + 1])
            prefix++;
        assert_int_equal(sl_inflight_acked(inf), prefix);
        assert_true(sl_inflight_count(inf) <= CAP);
    }
    free(acked);
    sl_inflight_free(inf);
}

static void test_murmur2_java_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        int32_t hash;
    } v[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(sl_bus_murmur2(v[i].key, strlen(v[i].key)), v[i].hash);
    /* toPositive(-790332482) = 1357151166; % 50 = 16. */
    assert_int_equal(sl_bus_partition_for_key("foobar", 6, 50), 16);
    assert_int_equal(sl_bus_partition_for_key("foobar", 6, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order_and_full),
        cmocka_unit_test(test_misuse_and_failure),
        cmocka_unit_test(test_random_order),
        cmocka_unit_test(test_murmur2_java_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
