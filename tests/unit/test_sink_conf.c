/* SPDX-License-Identifier: Apache-2.0 */
/* The tutorial's sink connector file maps onto the writer configuration; unusable settings
 * are named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sink/sinkconf.h"
#include "testlib.h"

static sl_err_t load(const char *text, struct sl_ddb_sink_conf *conf, struct sl_ddb_writer_conf *wc,
                     char *region, char *errstr, size_t errstr_size)
{
    char *dir = sl_test_tmpdir("sl-sinkconf");
    char path[512];
    snprintf(path, sizeof(path), "%s/sink.properties", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    memset(conf, 0, sizeof(*conf));
    sl_err_t err = sl_conf_ddb_sink_load(conf, path, &diag, errstr, errstr_size);
    sl_buf_fini(&diag);
    sl_test_rmtree(dir);
    free(dir);
    if (err)
        return err == SL_ERR_CONF ? err : SL_ERR_PROTO; /* the loader named the key */
    return sl_sink_conf_writer(conf, NULL, wc, region, 64, errstr, errstr_size);
}

static const char tutorial[] =
    "name=dynamodb-sink\n"
    "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\n"
    "tasks.max=2\n"
    "topics=salesdb.salesdb.SALES_ORDER\n"
    "table.name.format=kafka_${topic}\n"
    "aws.dynamodb.region=us-east-1\n"
    "aws.dynamodb.endpoint=https://dynamodb.us-east-1.amazonaws.com\n"
    "aws.dynamodb.pk.hash=value.ORDER_ID\n"
    "aws.dynamodb.pk.sort=value.SITE_ID\n"
    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
    "value.converter.schemas.enable=false\n";

static void test_tutorial(void **state)
{
    (void)state;
    struct sl_ddb_sink_conf conf;
    struct sl_ddb_writer_conf wc;
    char region[64], err[512];
    assert_int_equal(load(tutorial, &conf, &wc, region, err, sizeof(err)), SL_OK);
    assert_int_equal(wc.item.hash.kind, SL_SINK_PK_VALUE);
    assert_string_equal(wc.item.hash.name, "ORDER_ID");
    assert_string_equal(wc.item.sort.name, "SITE_ID");
    assert_string_equal(wc.item.table_format, "kafka_${topic}");
    assert_int_equal(wc.item.key_conv.type, SL_SINK_CONV_STRING);
    assert_int_equal(wc.item.value_conv.type, SL_SINK_CONV_JSON);
    assert_false(wc.item.value_conv.schemas_enable);
    assert_false(wc.item.delete_enabled);
    assert_string_equal(wc.ddb.region, "us-east-1");
    assert_string_equal(wc.ddb.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
    assert_true(wc.table.create);
    assert_false(wc.table.pay_per_request);
    assert_int_equal(wc.table.write_capacity, 10);
    assert_int_equal(wc.max_retry_ms, 5000);
    sl_conf_fini(&conf);
}

static void test_errors(void **state)
{
    (void)state;
    struct sl_ddb_sink_conf conf;
    struct sl_ddb_writer_conf wc;
    char region[64], err[512];
    char text[2048];
    snprintf(text, sizeof(text), "%saws.dynamodb.pk.hash=value.a b\n", tutorial);
    assert_int_equal(load(text, &conf, &wc, region, err, sizeof(err)), SL_ERR_CONF);
    assert_non_null(strstr(err, "aws.dynamodb.pk.hash"));
    sl_conf_fini(&conf);
    snprintf(text, sizeof(text), "%svalue.converter=io.confluent.connect.avro.AvroConverter\n",
             tutorial);
    assert_int_equal(load(text, &conf, &wc, region, err, sizeof(err)), SL_ERR_CONF);
    assert_non_null(strstr(err, "value.converter=io.confluent.connect.avro.AvroConverter"));
    sl_conf_fini(&conf);
    snprintf(text, sizeof(text),
             "%sdelete.enabled=true\naws.dynamodb.billing.mode=PAY_PER_REQUEST\n", tutorial);
    assert_int_equal(load(text, &conf, &wc, region, err, sizeof(err)), SL_OK);
    assert_true(wc.item.delete_enabled);
    assert_true(wc.table.pay_per_request);
    sl_conf_fini(&conf);
}

int main(void)
{
    /* Errors may come from the loader (it validates some keys itself) or from the mapping;
     * either way the message names the key. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
