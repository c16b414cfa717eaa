/* SPDX-License-Identifier: Apache-2.0 */
/* Retry policy of the DynamoDB client: error classification (dynamodb-sink.md §3.5) and the
 * capped full-jitter backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sink/ddb.h"

static void test_classify(void **state)
{
    (void)state;
    static const struct {
        long status;
        const char *type;
        sl_ddb_class_t cls;
    } cases[] = {
        {200, "", SL_DDB_OK},
        {400, "ProvisionedThroughputExceededException", SL_DDB_THROTTLED},
        {400, "ThrottlingException", SL_DDB_THROTTLED},
        {400, "RequestLimitExceeded", SL_DDB_THROTTLED},
        {400, "LimitExceededException", SL_DDB_THROTTLED},
        {429, "", SL_DDB_THROTTLED},
        {500, "InternalServerError", SL_DDB_TRANSIENT},
        {503, "ServiceUnavailable", SL_DDB_TRANSIENT},
        {502, "", SL_DDB_TRANSIENT},
        {0, "curl:Couldn't connect to server", SL_DDB_TRANSIENT},
        {400, "ValidationException", SL_DDB_INVALID},
        {400, "SerializationException", SL_DDB_INVALID},
        {413, "", SL_DDB_INVALID},
        {400, "ResourceNotFoundException", SL_DDB_NOTFOUND},
        {400, "ResourceInUseException", SL_DDB_INUSE},
        {400, "ConditionalCheckFailedException", SL_DDB_CONDITION},
        {400, "UnrecognizedClientException", SL_DDB_AUTH},
        {400, "ExpiredTokenException", SL_DDB_AUTH},
        {403, "InvalidSignatureException", SL_DDB_AUTH},
        {400, "SomethingNew", SL_DDB_FATAL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sl_ddb_class_t got = sl_ddb_classify(cases[i].status, cases[i].type);
        if (got != cases[i].cls)
            fail_msg("%ld %s: %s, want %s", cases[i].status, cases[i].type, sl_ddb_class_name(got),
                     sl_ddb_class_name(cases[i].cls));
    }
}

static void test_backoff(void **state)
{
    (void)state;
    long max0 = 0, max10 = 0;
    for (int i = 0; i < 2000; i++) {
        long a = sl_ddb_backoff_ms(0, 50, 20000);
        long b = sl_ddb_backoff_ms(10, 50, 20000);
        assert_true(a >= 0 && a < 50);
        assert_true(b >= 0 && b < 20000);
        max0 = a > max0 ? a : max0;
        max10 = b > max10 ? b : max10;
    }
    /* Jitter spreads over the whole window. */
    assert_true(max0 > 40);
    assert_true(max10 > 15000);
    assert_true(sl_ddb_backoff_ms(60, 50, 20000) < 20000); /* no overflow */
}

static void test_new_needs_region(void **state)
{
    (void)state;
    char err[256];
    struct sl_ddb_conf conf = {.endpoint = "http://127.0.0.1:1"};
    assert_null(sl_ddb_new(&conf, err, sizeof(err)));
    assert_non_null(strstr(err, "aws.dynamodb.region"));
    conf.region = "eu-west-1";
    conf.endpoint = "http://";
    assert_null(sl_ddb_new(&conf, err, sizeof(err)));
    assert_non_null(strstr(err, "no host"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_new_needs_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
