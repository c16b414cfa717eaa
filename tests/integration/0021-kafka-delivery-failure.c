/* SPDX-License-Identifier: Apache-2.0 */
/* Producer failure paths against the mock cluster: a permanent Produce error is surfaced with
 * topic, partition and librdkafka's reason, the watermark stops before the failed message and
 * later sends are refused; a partition leader going down and coming back loses nothing (the
 * idempotent producer retries; message.timeout.ms=0 waits as Kafka Connect does). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/consumer.h"
#include "bus/kconf.h"
#include "bus/mock.h"
#include "bus/producer.h"
#include "core/log.h"
#include "core/time.h"
#include "testlib.h"

static int failures;
static char errstr[1024];

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FATAL %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static const char *bootstraps;

static struct sl_producer *new_producer(size_t inflight)
{
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    struct sl_kv kv[] = {
        {"bootstrap.servers", bootstraps},
        {"linger.ms", "0"},
        {"retry.backoff.ms", "50"},
    };
    REQUIRE(sl_kconf_add(&kc, kv, 3, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_producer *prod = sl_producer_new(&kc, inflight, NULL, NULL, errstr, sizeof(errstr));
    REQUIRE(prod, "producer: %s", errstr);
    sl_kconf_fini(&kc);
    return prod;
}

static sl_err_t send_one(struct sl_producer *prod, const char *topic, int i, uint64_t *seq)
{
    char key[32], val[32];
    snprintf(key, sizeof(key), "key-%d", i % 50);
    snprintf(val, sizeof(val), "%d", i);
    struct sl_bus_msg msg = {.topic = topic,
                             .partition = SL_BUS_PARTITION_ANY,
                             .key = key,
                             .key_len = strlen(key),
                             .value = val,
                             .value_len = strlen(val)};
    sl_err_t err;
    int64_t end = sl_time_mono_ms() + 30000LL * sl_test_timeout_mult();
    while ((err = sl_producer_send(prod, &msg, seq, errstr, sizeof(errstr))) == SL_ERR_AGAIN) {
        REQUIRE(sl_time_mono_ms() < end, "send %d: backpressure for 30 s", i);
        sl_producer_poll(prod, 10);
    }
    return err;
}

static void phase_permanent_failure(struct sl_mock *mock)
{
    REQUIRE(sl_mock_topic_create(mock, "it.fail", 1, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);
    struct sl_producer *prod = new_producer(100);
    uint64_t seq;
    /* Ten good messages first. */
    for (int i = 0; i < 10; i++)
        REQUIRE(send_one(prod, "it.fail", i, &seq) == SL_OK, "%s", errstr);
    REQUIRE(sl_producer_flush(prod, 10000) == SL_OK, "flush");
    CHECK(sl_producer_acked(prod) == 10, "watermark %" PRIu64, sl_producer_acked(prod));
    /* Then the broker refuses the topic for good (29 = TOPIC_AUTHORIZATION_FAILED). */
    sl_mock_push_errors(mock, SL_MOCK_API_PRODUCE, 50, 29);
    REQUIRE(send_one(prod, "it.fail", 10, &seq) == SL_OK, "%s", errstr);
    int64_t end = sl_time_mono_ms() + 20000LL * sl_test_timeout_mult();
    while (sl_producer_error(prod, errstr, sizeof(errstr)) == SL_OK && sl_time_mono_ms() < end)
        sl_producer_poll(prod, 100);
    sl_err_t err = sl_producer_error(prod, errstr, sizeof(errstr));
    CHECK(err == SL_ERR_UPSTREAM, "no delivery failure surfaced");
    fprintf(stderr, "delivery failure: %s\n", errstr);
    CHECK(strstr(errstr, "it.fail [0]") != NULL, "error lacks topic [partition]: %s", errstr);
    CHECK(strstr(errstr, "uthoriz") != NULL, "error lacks librdkafka's reason: %s", errstr);
    CHECK(sl_producer_acked(prod) == 10, "watermark passed the failed message: %" PRIu64,
          sl_producer_acked(prod));
    struct sl_producer_stats st;
    sl_producer_stats(prod, &st);
    CHECK(st.failed == 1 && st.acked == 10, "stats: %" PRIu64 " failed, %" PRIu64 " acked",
          st.failed, st.acked);
    err = send_one(prod, "it.fail", 11, &seq);
    CHECK(err == SL_ERR_UPSTREAM, "send after a failure: %s", sl_err_name(err));
    sl_mock_clear_errors(mock, SL_MOCK_API_PRODUCE);
    sl_producer_free(prod, 1000);
}

static void phase_broker_down(struct sl_mock *mock)
{
    const int n = 5000;
    REQUIRE(sl_mock_topic_create(mock, "it.down", 3, 3, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);
    for (int32_t p = 0; p < 3; p++)
        REQUIRE(sl_mock_partition_leader(mock, "it.down", p, p + 1) == SL_OK, "leader");
    /* The ring holds every message: while a leader is down its messages stay in flight. */
    struct sl_producer *prod = new_producer((size_t)n);
    uint64_t seq = 0;
    for (int i = 0; i < n; i++) {
        if (i == n / 3)
            REQUIRE(sl_mock_broker_down(mock, 2) == SL_OK, "down");
        REQUIRE(send_one(prod, "it.down", i, &seq) == SL_OK, "send %d: %s", i, errstr);
    }
    /* With broker 2 down, what it leads cannot be acknowledged. */
    sl_producer_flush(prod, 2000);
    uint64_t while_down = sl_producer_acked(prod);
    fprintf(stderr, "watermark with broker 2 down: %" PRIu64 " of %" PRIu64 "\n", while_down, seq);
    CHECK(while_down < seq, "everything acknowledged while partition 1's leader was down");
    REQUIRE(sl_mock_broker_up(mock, 2) == SL_OK, "up");
    int64_t end = sl_time_mono_ms() + 60000LL * sl_test_timeout_mult();
    while (sl_producer_flush(prod, 500) == SL_ERR_AGAIN && sl_time_mono_ms() < end)
        ;
    CHECK(sl_producer_acked(prod) == seq, "watermark %" PRIu64 " of %" PRIu64 " after recovery",
          sl_producer_acked(prod), seq);
    CHECK(sl_producer_error(prod, errstr, sizeof(errstr)) == SL_OK, "error: %s", errstr);
    sl_producer_free(prod, 1000);

    /* Everything is there exactly once, in order per key. */
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv kv[] = {{"bootstrap.servers", bootstraps}};
    REQUIRE(sl_kconf_add(&kc, kv, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    struct sl_consumer *cons =
        sl_consumer_new(&kc, "it-0021", NULL, NULL, NULL, NULL, errstr, sizeof(errstr));
    REQUIRE(cons, "%s", errstr);
    sl_kconf_fini(&kc);
    const char *topics[] = {"^it\\.do.*"}; /* a regex subscription */
    REQUIRE(sl_consumer_subscribe(cons, topics, 1, errstr, sizeof(errstr)) == SL_OK, "%s", errstr);
    uint8_t *seen = calloc((size_t)n, 1);
    int last[50], got = 0;
    for (int k = 0; k < 50; k++)
        last[k] = -1;
    struct sl_consumer_batch batch = {0};
    end = sl_time_mono_ms() + 60000LL * sl_test_timeout_mult();
    while (got < n && sl_time_mono_ms() < end) {
        REQUIRE(sl_consumer_poll(cons, &batch, 500, 200, errstr, sizeof(errstr)) == SL_OK, "%s",
                errstr);
        for (size_t i = 0; i < batch.cnt; i++) {
            char val[32] = "";
            memcpy(val, batch.msgs[i].value, batch.msgs[i].value_len);
            int v = (int)strtol(val, NULL, 10);
            REQUIRE(v >= 0 && v < n, "value %s", val);
            CHECK(!seen[v], "duplicate %d", v);
            CHECK(v > last[v % 50], "key %d out of order: %d after %d", v % 50, v, last[v % 50]);
            seen[v] = 1;
            last[v % 50] = v;
            got++;
        }
    }
    CHECK(got == n, "consumed %d of %d after the broker came back", got, n);
    fprintf(stderr, "broker down/up: %d of %d delivered once, in order per key\n", got, n);
    sl_consumer_batch_fini(&batch);
    sl_consumer_free(cons);
    free(seen);
}

int main(void)
{
    sl_log_set_level(getenv("SL_TEST_VERBOSE") ? SL_LOG_INFO : SL_LOG_ERROR);
    struct sl_mock *mock = sl_mock_new(3, errstr, sizeof(errstr));
    REQUIRE(mock, "%s", errstr);
    bootstraps = sl_mock_bootstraps(mock);
    phase_permanent_failure(mock);
    phase_broker_down(mock);
    sl_mock_free(mock);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "ok\n");
    return 0;
}
