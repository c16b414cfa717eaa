/* SPDX-License-Identifier: Apache-2.0 */
/* Record -> DynamoDB item conversion: the tutorial's seed row, exact numbers, nesting, bytes,
 * Connect logical types, deletes, pk grammar and every bad-record reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sink/item.h"

struct fx {
    struct sl_sink_item_conf conf;
    struct sl_sink_item item;
    char err[256];
};

static int setup(void **state)
{
    static struct fx fx;
    sl_sink_item_conf_defaults(&fx.conf);
    /* The tutorial's sink: StringConverter keys, schemaless JSON values. */
    char e[256];
    assert_int_equal(sl_sink_pk_parse("value.ORDER_ID", &fx.conf.hash, e, sizeof(e)), SL_OK);
    assert_int_equal(sl_sink_pk_parse("value.SITE_ID", &fx.conf.sort, e, sizeof(e)), SL_OK);
    snprintf(fx.conf.table_format, sizeof(fx.conf.table_format), "kafka_${topic}");
    fx.conf.key_conv.type = SL_SINK_CONV_STRING;
    fx.conf.value_conv.schemas_enable = false;
    sl_sink_item_init(&fx.item);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    sl_sink_item_fini(&fx->item);
    return 0;
}

static sl_err_t conv(struct fx *fx, const char *key, const char *value)
{
    struct sl_sink_rec rec = {.topic = "salesdb.salesdb.SALES_ORDER",
                              .partition = 1,
                              .offset = 42,
                              .key = key,
                              .key_len = key ? strlen(key) : 0,
                              .value = value,
                              .value_len = value ? strlen(value) : 0};
    return sl_sink_item_convert(&fx->conf, &rec, &fx->item, fx->err, sizeof(fx->err));
}

static void test_seed_row(void **state)
{
    struct fx *fx = *state;
    assert_int_equal(conv(fx, "Struct{ORDER_ID=29001}",
                          "{\"ORDER_ID\":29001,\"SITE_ID\":2568,\"ORDER_DATE\":1655279536000,"
                          "\"SHIP_MODE\":\"STANDARD\"}"),
                     SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_PUT);
    assert_string_equal(fx->item.table, "kafka_salesdb.salesdb.SALES_ORDER");
    assert_string_equal(fx->item.key.data,
                        "{\"ORDER_ID\":{\"N\":\"29001\"},\"SITE_ID\":{\"N\":\"2568\"}}");
    assert_string_equal(fx->item.item.data,
                        "{\"ORDER_ID\":{\"N\":\"29001\"},\"SITE_ID\":{\"N\":\"2568\"},"
                        "\"ORDER_DATE\":{\"N\":\"1655279536000\"},"
                        "\"SHIP_MODE\":{\"S\":\"STANDARD\"}}");
    assert_int_equal(fx->item.hash_type, 'N');
    assert_int_equal(fx->item.sort_type, 'N');
}

static void test_numbers_exact(void **state)
{
    struct fx *fx = *state;
    assert_int_equal(conv(fx, NULL,
                          "{\"ORDER_ID\":12345678901234567890123456789012345678,"
                          "\"SITE_ID\":-0.000001,\"a\":1.50,\"b\":1e3,\"c\":9007199254740993,"
                          "\"d\":1.5E-7,\"e\":-0,\"f\":123.456e-2}"),
                     SL_OK);
    assert_string_equal(fx->item.item.data,
                        "{\"ORDER_ID\":{\"N\":\"12345678901234567890123456789012345678\"},"
                        "\"SITE_ID\":{\"N\":\"-0.000001\"},\"a\":{\"N\":\"1.5\"},"
                        "\"b\":{\"N\":\"1000\"},\"c\":{\"N\":\"9007199254740993\"},"
                        "\"d\":{\"N\":\"0.00000015\"},\"e\":{\"N\":\"0\"},"
                        "\"f\":{\"N\":\"1.23456\"}}");
    struct sl_buf b;
    sl_buf_init(&b, 256);
    char e[128];
    assert_int_equal(sl_sink_number(&b, "1e125", 5, e, sizeof(e)), SL_OK);
    assert_string_equal(b.data, "1E125");
    sl_buf_reset(&b);
    assert_int_equal(sl_sink_number(&b, "1e126", 5, e, sizeof(e)), SL_ERR_INVALID);
    assert_non_null(strstr(e, "range"));
    assert_int_equal(sl_sink_number(&b, "1e-131", 6, e, sizeof(e)), SL_ERR_INVALID);
    sl_buf_reset(&b);
    assert_int_equal(sl_sink_number(&b, "1e-130", 6, e, sizeof(e)), SL_OK);
    assert_string_equal(b.data, "1E-130");
    sl_buf_reset(&b);
    /* 38 significant digits with trailing zeros beyond them are fine. */
    assert_int_equal(
        sl_sink_number(&b, "12345678901234567890123456789012345678000", 41, e, sizeof(e)), SL_OK);
    assert_string_equal(b.data, "1.2345678901234567890123456789012345678E40");
    /* 1, 59 zeros, 1: 61 significant digits even though the middle ones are zeros. */
    char wide[80];
    memset(wide, '0', sizeof(wide));
    wide[0] = '1';
    wide[60] = '1';
    assert_int_equal(sl_sink_number(&b, wide, 61, e, sizeof(e)), SL_ERR_INVALID);
    assert_non_null(strstr(e, "38 significant"));
    sl_buf_reset(&b);
    wide[60] = '0'; /* 1E60: one significant digit */
    assert_int_equal(sl_sink_number(&b, wide, 61, e, sizeof(e)), SL_OK);
    assert_string_equal(b.data, "1E60");
    sl_buf_fini(&b);
}

static void test_nested_and_types(void **state)
{
    struct fx *fx = *state;
    assert_int_equal(conv(fx, NULL,
                          "{\"ORDER_ID\":1,\"SITE_ID\":2,\"m\":{\"x\":[1,\"a\",true,null,"
                          "{\"y\":false}],\"z\":{}},\"s\":\"q\\\"\\u00e9\\n\",\"e\":\"\"}"),
                     SL_OK);
    assert_string_equal(fx->item.item.data,
                        "{\"ORDER_ID\":{\"N\":\"1\"},\"SITE_ID\":{\"N\":\"2\"},"
                        "\"m\":{\"M\":{\"x\":{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"},"
                        "{\"BOOL\":true},{\"NULL\":true},{\"M\":{\"y\":{\"BOOL\":false}}}]},"
                        "\"z\":{\"M\":{}}}},\"s\":{\"S\":\"q\\\"\xc3\xa9\\n\"},"
                        "\"e\":{\"NULL\":true}}");
    fx->conf.empty_string_null = false;
    assert_int_equal(conv(fx, NULL, "{\"ORDER_ID\":1,\"SITE_ID\":2,\"e\":\"\"}"), SL_OK);
    assert_non_null(strstr(fx->item.item.data, "\"e\":{\"S\":\"\"}"));
    fx->conf.empty_string_null = true;
}

static void test_schema_logical_types(void **state)
{
    struct fx *fx = *state;
    fx->conf.value_conv.schemas_enable = true;
    const char *v =
        "{\"schema\":{\"type\":\"struct\",\"fields\":["
        "{\"field\":\"ORDER_ID\",\"type\":\"int32\"},"
        "{\"field\":\"SITE_ID\",\"type\":\"int32\"},"
        "{\"field\":\"PRICE\",\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data."
        "Decimal\",\"parameters\":{\"scale\":\"2\"}},"
        "{\"field\":\"NEG\",\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data."
        "Decimal\",\"parameters\":{\"scale\":\"1\"}},"
        "{\"field\":\"BLOB\",\"type\":\"bytes\"},"
        "{\"field\":\"TS\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data."
        "Timestamp\"},"
        "{\"field\":\"D\",\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\"},"
        "{\"field\":\"DZ\",\"type\":\"int64\",\"name\":\"io.debezium.time.Timestamp\"},"
        "{\"field\":\"OPT\",\"type\":\"string\",\"optional\":true,\"default\":\"dflt\"}"
        "]},\"payload\":{\"ORDER_ID\":7,\"SITE_ID\":8,\"PRICE\":\"MDk=\",\"NEG\":\"/w==\","
        "\"BLOB\":\"AAEC\",\"TS\":1655279536123,\"D\":19158,\"DZ\":1655279536000,"
        "\"OPT\":null}}";
    assert_int_equal(conv(fx, NULL, v), SL_OK);
    /* 0x3039 = 12345, scale 2 -> 123.45; 0xff = -1, scale 1 -> -0.1 */
    assert_string_equal(fx->item.item.data,
                        "{\"ORDER_ID\":{\"N\":\"7\"},\"SITE_ID\":{\"N\":\"8\"},"
                        "\"PRICE\":{\"N\":\"123.45\"},\"NEG\":{\"N\":\"-0.1\"},"
                        "\"BLOB\":{\"B\":\"AAEC\"},"
                        "\"TS\":{\"S\":\"2022-06-15T07:52:16.123Z\"},"
                        "\"D\":{\"S\":\"2022-06-15T00:00:00Z\"},"
                        "\"DZ\":{\"N\":\"1655279536000\"},\"OPT\":{\"S\":\"dflt\"}}");
    /* Not an envelope though schemas.enable=true. */
    assert_int_equal(conv(fx, NULL, "{\"ORDER_ID\":1,\"SITE_ID\":2}"), SL_ERR_INVALID);
    assert_non_null(strstr(fx->err, "schemas.enable=true"));
    fx->conf.value_conv.schemas_enable = false;
}

static void test_string_value_and_key_refs(void **state)
{
    struct fx *fx = *state;
    struct sl_sink_item_conf save = fx->conf;
    char e[256];
    assert_int_equal(sl_sink_pk_parse("key:k", &fx->conf.hash, e, sizeof(e)), SL_OK);
    assert_int_equal(sl_sink_pk_parse("", &fx->conf.sort, e, sizeof(e)), SL_OK);
    fx->conf.value_conv.type = SL_SINK_CONV_STRING;
    assert_int_equal(conv(fx, "abc", "hello"), SL_OK);
    assert_string_equal(fx->item.item.data, "{\"k\":{\"S\":\"abc\"},\"value\":{\"S\":\"hello\"}}");
    assert_int_equal(fx->item.sort_type, 0);
    /* partition/offset defaults */
    sl_sink_item_conf_defaults(&fx->conf);
    fx->conf.value_conv.schemas_enable = false;
    fx->conf.key_conv.schemas_enable = false;
    assert_int_equal(conv(fx, "{\"id\":5}", "[1,2]"), SL_OK);
    assert_string_equal(fx->item.item.data,
                        "{\"partition\":{\"N\":\"1\"},\"offset\":{\"N\":\"42\"},"
                        "\"value\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}");
    /* key.path with a JSON key */
    assert_int_equal(sl_sink_pk_parse("key.id", &fx->conf.hash, e, sizeof(e)), SL_OK);
    assert_int_equal(conv(fx, "{\"id\":5}", "{\"a\":1}"), SL_OK);
    assert_string_equal(fx->item.key.data, "{\"id\":{\"N\":\"5\"},\"offset\":{\"N\":\"42\"}}");
    fx->conf = save;
}

static void test_deletes(void **state)
{
    struct fx *fx = *state;
    /* Off: tombstones and op d are skipped, __deleted rows written. */
    assert_int_equal(conv(fx, "Struct{ORDER_ID=1}", NULL), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_SKIP);
    const char *env_d = "{\"before\":{\"ORDER_ID\":1,\"SITE_ID\":2},\"after\":null,"
                        "\"source\":{},\"op\":\"d\"}";
    assert_int_equal(conv(fx, NULL, env_d), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_SKIP);
    const char *soft = "{\"ORDER_ID\":1,\"SITE_ID\":2,\"__deleted\":\"true\"}";
    assert_int_equal(conv(fx, NULL, soft), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_PUT);
    /* Envelope c: after is written. */
    assert_int_equal(conv(fx, NULL,
                          "{\"before\":null,\"after\":{\"ORDER_ID\":1,\"SITE_ID\":2,"
                          "\"X\":\"y\"},\"source\":{\"db\":\"s\"},\"op\":\"c\"}"),
                     SL_OK);
    assert_string_equal(fx->item.item.data, "{\"ORDER_ID\":{\"N\":\"1\"},\"SITE_ID\":"
                                            "{\"N\":\"2\"},\"X\":{\"S\":\"y\"}}");

    fx->conf.delete_enabled = true;
    assert_int_equal(conv(fx, NULL, env_d), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_DELETE);
    assert_string_equal(fx->item.key.data,
                        "{\"ORDER_ID\":{\"N\":\"1\"},\"SITE_ID\":{\"N\":\"2\"}}");
    assert_int_equal(conv(fx, NULL, soft), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_DELETE);
    /* Tombstone: key columns from the record key (StringConverter Struct{} text). */
    assert_int_equal(conv(fx, "Struct{ORDER_ID=1,SITE_ID=2}", NULL), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_DELETE);
    assert_string_equal(fx->item.key.data,
                        "{\"ORDER_ID\":{\"N\":\"1\"},\"SITE_ID\":{\"N\":\"2\"}}");
    /* Tombstone whose key lacks the sort column: a bad record, named. */
    assert_int_equal(conv(fx, "Struct{ORDER_ID=1}", NULL), SL_ERR_INVALID);
    assert_non_null(strstr(fx->err, "sort key attribute SITE_ID"));
    fx->conf.delete_enabled = false;
}

/* An update whose DynamoDB key changes (sort key column SITE_ID 2 -> 3): with deletes on,
 * old_key names the before image's item so the writer deletes it; the put carries the new
 * key. Same key, deletes off, or no before image: no old key. */
static void test_update_key_change(void **state)
{
    struct fx *fx = *state;
    const char *moved = "{\"before\":{\"ORDER_ID\":1,\"SITE_ID\":2,\"X\":\"a\"},"
                        "\"after\":{\"ORDER_ID\":1,\"SITE_ID\":3,\"X\":\"a\"},"
                        "\"source\":{},\"op\":\"u\"}";
    assert_int_equal(conv(fx, NULL, moved), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_PUT);
    assert_int_equal(fx->item.old_key.len, 0); /* deletes off: Confluent behaviour */
    fx->conf.delete_enabled = true;
    assert_int_equal(conv(fx, NULL, moved), SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_PUT);
    assert_string_equal(fx->item.key.data,
                        "{\"ORDER_ID\":{\"N\":\"1\"},\"SITE_ID\":{\"N\":\"3\"}}");
    assert_string_equal(fx->item.old_key.data,
                        "{\"ORDER_ID\":{\"N\":\"1\"},\"SITE_ID\":{\"N\":\"2\"}}");
    assert_true(fx->item.old_size > 0);
    /* Same key: nothing to delete. */
    assert_int_equal(conv(fx, NULL,
                          "{\"before\":{\"ORDER_ID\":1,\"SITE_ID\":3,\"X\":\"a\"},"
                          "\"after\":{\"ORDER_ID\":1,\"SITE_ID\":3,\"X\":\"b\"},"
                          "\"source\":{},\"op\":\"u\"}"),
                     SL_OK);
    assert_int_equal(fx->item.old_key.len, 0);
    /* Before image without the key columns (minimal row image): nothing nameable. */
    assert_int_equal(conv(fx, NULL,
                          "{\"before\":{\"X\":\"a\"},"
                          "\"after\":{\"ORDER_ID\":1,\"SITE_ID\":3,\"X\":\"b\"},"
                          "\"source\":{},\"op\":\"u\"}"),
                     SL_OK);
    assert_int_equal(fx->item.op, SL_SINK_OP_PUT);
    assert_int_equal(fx->item.old_key.len, 0);
    assert_string_equal(fx->err, "");
    /* Unwrapped value (ExtractNewRecordState): no before image, the old item stays. */
    assert_int_equal(conv(fx, NULL, "{\"ORDER_ID\":1,\"SITE_ID\":3}"), SL_OK);
    assert_int_equal(fx->item.old_key.len, 0);
    /* A create is never a move. */
    assert_int_equal(conv(fx, NULL,
                          "{\"before\":{\"ORDER_ID\":1,\"SITE_ID\":2},"
                          "\"after\":{\"ORDER_ID\":1,\"SITE_ID\":3},"
                          "\"source\":{},\"op\":\"c\"}"),
                     SL_OK);
    assert_int_equal(fx->item.old_key.len, 0);
    fx->conf.delete_enabled = false;
}

static void expect_bad(struct fx *fx, const char *key, const char *value, const char *why)
{
    assert_int_equal(conv(fx, key, value), SL_ERR_INVALID);
    if (!strstr(fx->err, why))
        fail_msg("reason '%s' lacks '%s'", fx->err, why);
    assert_int_equal(fx->item.op, SL_SINK_OP_SKIP);
}

static void test_bad_records(void **state)
{
    struct fx *fx = *state;
    expect_bad(fx, NULL, "{\"ORDER_ID\":1,", "value is not valid JSON at byte 14");
    expect_bad(fx, NULL, "{\"ORDER_ID\":1} x", "trailing data");
    expect_bad(fx, NULL, "{\"ORDER_ID\":1,\"a\":\"\xff\"}", "invalid UTF-8");
    expect_bad(fx, NULL, "{\"SITE_ID\":1}",
               "hash key attribute ORDER_ID: value.ORDER_ID "
               "not found");
    expect_bad(fx, NULL, "{\"ORDER_ID\":\"\",\"SITE_ID\":1}", "empty string");
    expect_bad(fx, NULL, "{\"ORDER_ID\":null,\"SITE_ID\":1}", "is null");
    expect_bad(fx, NULL, "{\"ORDER_ID\":{\"a\":1},\"SITE_ID\":1}", "not a scalar");
    expect_bad(fx, NULL, "{\"ORDER_ID\":true,\"SITE_ID\":1}", "not a scalar");
    expect_bad(fx, NULL, "{\"ORDER_ID\":1,\"SITE_ID\":1,\"n\":1e200}", "range");
    expect_bad(fx, NULL,
               "{\"ORDER_ID\":1,\"SITE_ID\":1,\"n\":1234567890123456789012345678901234567891}",
               "38 significant digits");
    expect_bad(fx, NULL, "[1]", "value.ORDER_ID not found");
    /* 2 KB hash key limit. */
    static char big[500000];
    int n = snprintf(big, sizeof(big), "{\"ORDER_ID\":\"");
    memset(big + n, 'x', 3000);
    snprintf(big + n + 3000, sizeof(big) - (size_t)n - 3000, "\",\"SITE_ID\":1}");
    expect_bad(fx, NULL, big, "over DynamoDB's 2048");
    /* 400 KB item limit. */
    n = snprintf(big, sizeof(big), "{\"ORDER_ID\":1,\"SITE_ID\":1,\"x\":\"");
    memset(big + n, 'y', 410000);
    snprintf(big + n + 410000, sizeof(big) - (size_t)n - 410000, "\"}");
    expect_bad(fx, NULL, big, "400 KB");
    /* Nesting deeper than 32. */
    n = snprintf(big, sizeof(big), "{\"ORDER_ID\":1,\"SITE_ID\":1,\"x\":");
    for (int i = 0; i < 40; i++)
        big[n++] = '[';
    for (int i = 0; i < 40; i++)
        big[n++] = ']';
    snprintf(big + n, sizeof(big) - (size_t)n, "}");
    expect_bad(fx, NULL, big, "32 levels");
    /* Bad topic-derived table name. */
    struct sl_sink_rec rec = {.topic = "a b", .value = "{}", .value_len = 2};
    assert_int_equal(sl_sink_item_convert(&fx->conf, &rec, &fx->item, fx->err, sizeof(fx->err)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(fx->err, "kafka_a b"));
}

static void test_pk_grammar(void **state)
{
    (void)state;
    struct sl_sink_pk pk;
    char e[256];
    assert_int_equal(sl_sink_pk_parse("partition", &pk, e, sizeof(e)), SL_OK);
    assert_int_equal(pk.kind, SL_SINK_PK_PARTITION);
    assert_string_equal(pk.name, "partition");
    assert_int_equal(sl_sink_pk_parse("value.a.b_c-0", &pk, e, sizeof(e)), SL_OK);
    assert_int_equal(pk.kind, SL_SINK_PK_VALUE);
    assert_string_equal(pk.path, "a.b_c-0");
    assert_string_equal(pk.name, "b_c-0");
    assert_int_equal(sl_sink_pk_parse("value.userId:user", &pk, e, sizeof(e)), SL_OK);
    assert_string_equal(pk.name, "user");
    assert_string_equal(pk.path, "userId");
    assert_int_equal(sl_sink_pk_parse("key", &pk, e, sizeof(e)), SL_OK);
    assert_int_equal(pk.kind, SL_SINK_PK_KEY);
    assert_string_equal(pk.path, "");
    assert_int_equal(sl_sink_pk_parse("", &pk, e, sizeof(e)), SL_OK);
    assert_int_equal(pk.kind, SL_SINK_PK_NONE);
    const char *bad[] = {"values.a", "value.",     "value..a",    "value.a b", "offset.x",
                         "key:",     "partitions", "value.a:b:c", "val"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sl_sink_pk_parse(bad[i], &pk, e, sizeof(e)) != SL_ERR_CONF)
            fail_msg("'%s' accepted", bad[i]);
        assert_non_null(strstr(e, bad[i]));
    }
}

/* Truncations and byte flips of valid inputs never crash or read out of bounds (run under
 * ASan in the sanitizer build): the result is an item or a named bad record. */
static void test_mutations(void **state)
{
    struct fx *fx = *state;
    static const char *inputs[] = {
        "{\"ORDER_ID\":29001,\"SITE_ID\":2568,\"s\":\"a\\u00e9\\\"\",\"l\":[1,{\"x\":null}]}",
        "{\"before\":{\"ORDER_ID\":1,\"SITE_ID\":2},\"after\":null,\"source\":{},\"op\":\"d\"}",
        "{\"ORDER_ID\":-1.5e-3,\"SITE_ID\":1E+2,\"__deleted\":\"true\"}",
    };
    unsigned seed = 1;
    char buf[256];
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        size_t n = strlen(inputs[i]);
        for (size_t cut = 0; cut <= n; cut++) {
            /* Exact-length heap copy so ASan sees any read past the end. */
            char *p = test_malloc(cut ? cut : 1);
            memcpy(p, inputs[i], cut);
            struct sl_sink_rec rec = {.topic = "t12", .value = p, .value_len = cut};
            sl_err_t err =
                sl_sink_item_convert(&fx->conf, &rec, &fx->item, fx->err, sizeof(fx->err));
            assert_true(err == SL_OK || (err == SL_ERR_INVALID && fx->err[0]));
            test_free(p);
        }
        for (int k = 0; k < 2000; k++) {
            memcpy(buf, inputs[i], n);
            for (int f = 0; f < 3; f++) {
                seed = seed * 1103515245u + 12345u;
                buf[(seed >> 8) % n] = (char)(seed >> 16);
            }
            char *p = test_malloc(n);
            memcpy(p, buf, n);
            struct sl_sink_rec rec = {.topic = "t12", .value = p, .value_len = n};
            sl_err_t err =
                sl_sink_item_convert(&fx->conf, &rec, &fx->item, fx->err, sizeof(fx->err));
            assert_true(err == SL_OK || (err == SL_ERR_INVALID && fx->err[0]));
            test_free(p);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_row),
        cmocka_unit_test(test_numbers_exact),
        cmocka_unit_test(test_nested_and_types),
        cmocka_unit_test(test_schema_logical_types),
        cmocka_unit_test(test_string_value_and_key_refs),
        cmocka_unit_test(test_deletes),
        cmocka_unit_test(test_update_key_change),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_pk_grammar),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
