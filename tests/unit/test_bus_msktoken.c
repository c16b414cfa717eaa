/* SPDX-License-Identifier: Apache-2.0 */
/* MSK IAM wiring: an AWS_MSK_IAM configuration makes the producer and consumer call the token
 * provider from librdkafka's background SASL thread (no poll needed), with the opaque given,
 * and a provider error does not break the client. No broker is needed: librdkafka asks for the
 * first token as soon as the client exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bus/consumer.h"
#include "bus/kconf.h"
#include "bus/producer.h"
#include "core/log.h"
#include "core/time.h"

struct provider {
    atomic_int calls;
    bool fail;
};

/* Thread: librdkafka's SASL background thread. */
static sl_err_t token_fn(char *tok, size_t tok_size, int64_t *expiry_ms, char *errstr,
                         size_t errstr_size, void *opaque)
{
    struct provider *pv = opaque;
    atomic_fetch_add(&pv->calls, 1);
    if (pv->fail) {
        snprintf(errstr, errstr_size, "no credentials (test)");
        return SL_ERR_AUTH;
    }
    snprintf(tok, tok_size, "aHR0cHM6Ly9rYWZrYS5ldS13ZXN0LTEuYW1hem9uYXdzLmNvbS8");
    *expiry_ms = sl_time_now_ms() + 900000;
    return SL_OK;
}

static void map_iam(struct sl_kconf *kc, sl_kconf_role_t role)
{
    char errstr[512];
    struct sl_kv kv[] = {
        {"bootstrap.servers", "127.0.0.1:1"},
        {"sasl.mechanism", "AWS_MSK_IAM"},
        {"sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;"},
        {"group.id", "g"},
    };
    sl_kconf_init(kc, role);
    assert_int_equal(
        sl_kconf_add(kc, kv, role == SL_KCONF_CONSUMER ? 4 : 3, errstr, sizeof(errstr)), SL_OK);
    assert_true(kc->msk_iam);
}

static bool wait_calls(struct provider *pv, int n, int timeout_ms)
{
    int64_t end = sl_time_mono_ms() + timeout_ms;
    while (atomic_load(&pv->calls) < n && sl_time_mono_ms() < end) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&pv->calls) >= n;
}

static void test_producer_token(void **state)
{
    (void)state;
    char errstr[512];
    struct sl_kconf kc;
    map_iam(&kc, SL_KCONF_PRODUCER);
    assert_null(sl_producer_new(&kc, 10, NULL, NULL, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "token provider"));
    struct provider pv = {0};
    struct sl_producer *prod = sl_producer_new(&kc, 10, token_fn, &pv, errstr, sizeof(errstr));
    assert_non_null(prod);
    assert_true(wait_calls(&pv, 1, 5000));
    sl_producer_free(prod, 0);
    sl_kconf_fini(&kc);
}

static void test_consumer_token_failure(void **state)
{
    (void)state;
    char errstr[512];
    struct sl_kconf kc;
    map_iam(&kc, SL_KCONF_CONSUMER);
    struct provider pv = {0};
    pv.fail = true;
    struct sl_consumer *cons =
        sl_consumer_new(&kc, NULL, NULL, NULL, token_fn, &pv, errstr, sizeof(errstr));
    assert_non_null(cons);
    assert_true(wait_calls(&pv, 1, 5000));
    sl_consumer_free(cons);
    sl_kconf_fini(&kc);
}

int main(void)
{
    sl_log_set_level(SL_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_producer_token),
        cmocka_unit_test(test_consumer_token_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
