/* SPDX-License-Identifier: Apache-2.0 */
/* The seed tutorial's connector files (verbatim, placeholder endpoints filled in) and a
 * matching worker file load without errors and give the expected struct values; every
 * tests/golden/data/conf/<case>.properties gives exactly <case>.out (diagnostics, error and
 * dump); docs/CONFIGURATION.md is what the tables generate. SL_GOLDEN_UPDATE=1 rewrites the
 * expected files instead (review the diff before committing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "conf/worker.h"
#include "testlib.h"

#define DATA SL_SOURCE_DIR "/tests/golden/data/conf/"
#define MSK                                                                                        \
    "b-1.msk-demo.abc123.c2.kafka.us-east-1.amazonaws.com:9098,"                                   \
    "b-2.msk-demo.abc123.c2.kafka.us-east-1.amazonaws.com:9098"
#define IAM_JAAS "software.amazon.msk.auth.iam.IAMLoginModule required;"
#define IAM_CB "software.amazon.msk.auth.iam.IAMClientCallbackHandler"

static bool updating(void)
{
    const char *u = getenv("SL_GOLDEN_UPDATE");
    return u && *u && strcmp(u, "0") != 0;
}

static void test_seed_source(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    char errstr[512] = "";
    sl_err_t err = sl_conf_mysql_source_load(&conf, DATA "seed-source.properties", &diag, errstr,
                                             sizeof(errstr));
    if (err)
        fail_msg("%s", errstr);
    assert_int_equal(diag.len, 0);
    assert_string_equal(conf.common.connector_class, "io.debezium.connector.mysql.MySqlConnector");
    assert_int_equal(conf.common.tasks_max, 1);
    assert_string_equal(conf.user, "master");
    assert_string_equal(conf.password, "S3cretPwd99");
    assert_int_equal(conf.server_id, 123456);
    assert_int_equal(conf.port, 3306);
    assert_string_equal(conf.hostname,
                        "msk-demo-aurora.cluster-abc123.us-east-1.rds.amazonaws.com");
    assert_string_equal(conf.topic_prefix, "salesdb");
    assert_int_equal(conf.database_include.n, 1);
    assert_string_equal(conf.database_include.items[0], "salesdb");
    assert_string_equal(conf.history_kafka_topic, "dbhistory.salesdb");
    assert_string_equal(conf.history_kafka_bootstrap_servers, MSK);
    assert_true(conf.include_schema_changes);
    assert_false(conf.common.key_converter_schemas_enable);
    assert_false(conf.common.value_converter_schemas_enable);
    assert_true(sl_conf_is_set(&conf, "value.converter.schemas.enable"));
    assert_string_equal(conf.common.key_converter,
                        "org.apache.kafka.connect.storage.StringConverter");
    assert_string_equal(conf.common.value_converter, "org.apache.kafka.connect.json.JsonConverter");
    const struct sl_conf_kvlist *lists[] = {&conf.history_consumer, &conf.history_producer};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(lists[i]->n, 4);
        assert_string_equal(lists[i]->items[0].key, "security.protocol");
        assert_string_equal(lists[i]->items[0].value, "SASL_SSL");
        assert_string_equal(sl_conf_kvlist_get(lists[i], "sasl.mechanism"), "AWS_MSK_IAM");
        assert_string_equal(sl_conf_kvlist_get(lists[i], "sasl.jaas.config"), IAM_JAAS);
        assert_string_equal(sl_conf_kvlist_get(lists[i], "sasl.client.callback.handler.class"),
                            IAM_CB);
    }
    assert_int_equal(conf.history_consumer.items[0].line, 17);
    assert_int_equal(conf.common.transforms.n, 1);
    const struct sl_conf_group *unwrap =
        sl_conf_grouplist_get(&conf.common.transform_props, "unwrap");
    assert_non_null(unwrap);
    assert_string_equal(sl_conf_kvlist_get(&unwrap->props, "type"),
                        "io.debezium.transforms.ExtractNewRecordState");
    /* 1.9 defaults where the file says nothing. */
    assert_int_equal(conf.snapshot_mode, SL_SNAPSHOT_INITIAL);
    assert_int_equal(conf.decimal_handling_mode, SL_DECIMAL_PRECISE);
    assert_int_equal(conf.ssl_mode, SL_SSL_MODE_DISABLED);
    assert_true(conf.tombstones_on_delete);
    assert_int_equal(conf.max_batch_size, 2048);
    assert_int_equal(conf.max_queue_size, 8192);
    assert_int_equal(conf.poll_interval_ms, 500);
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

static void test_seed_sink(void **state)
{
    (void)state;
    struct sl_ddb_sink_conf conf;
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    char errstr[512] = "";
    sl_err_t err =
        sl_conf_ddb_sink_load(&conf, DATA "seed-sink.properties", &diag, errstr, sizeof(errstr));
    if (err)
        fail_msg("%s", errstr);
    assert_int_equal(diag.len, 0);
    assert_int_equal(conf.common.tasks_max, 2);
    assert_string_equal(conf.region, "us-east-1");
    assert_string_equal(conf.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
    assert_int_equal(conf.topics.n, 1);
    assert_string_equal(conf.topics.items[0], "salesdb.salesdb.SALES_ORDER");
    assert_false(conf.common.value_converter_schemas_enable);
    assert_false(sl_conf_is_set(&conf, "key.converter.schemas.enable"));
    assert_string_equal(conf.table_name_format, "kafka_${topic}");
    assert_string_equal(conf.pk_hash, "value.ORDER_ID");
    assert_string_equal(conf.pk_sort, "value.SITE_ID");
    assert_int_equal(conf.confluent_topic_props.n, 5);
    assert_string_equal(sl_conf_kvlist_get(&conf.confluent_topic_props, "bootstrap.servers"), MSK);
    assert_string_equal(sl_conf_kvlist_get(&conf.confluent_topic_props, "security.protocol"),
                        "SASL_SSL");
    assert_string_equal(sl_conf_kvlist_get(&conf.confluent_topic_props, "sasl.jaas.config"),
                        IAM_JAAS);
    assert_string_equal(
        sl_conf_kvlist_get(&conf.confluent_topic_props, "sasl.client.callback.handler.class"),
        IAM_CB);
    assert_false(sl_ddb_sink_conf_deletes(&conf));
    assert_int_equal(conf.billing_mode, SL_BILLING_PROVISIONED);
    assert_int_equal(conf.batch_size, 25);
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

static void test_seed_worker(void **state)
{
    (void)state;
    struct sl_worker_conf conf;
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    char errstr[512] = "";
    sl_err_t err =
        sl_conf_worker_load(&conf, DATA "seed-worker.properties", &diag, errstr, sizeof(errstr));
    if (err)
        fail_msg("%s", errstr);
    /* plugin.path is accepted with a note, nothing else is said. */
    assert_string_equal(diag.data, "note: " DATA "seed-worker.properties:9: plugin.path is "
                                   "accepted for compatibility and has no effect\n");
    assert_string_equal(conf.bootstrap_servers, MSK);
    assert_int_equal(conf.security_protocol, SL_SECURITY_SASL_SSL);
    assert_string_equal(conf.sasl_mechanism, "AWS_MSK_IAM");
    assert_string_equal(conf.sasl_jaas_config, IAM_JAAS);
    assert_string_equal(conf.sasl_client_callback_handler_class, IAM_CB);
    assert_int_equal(conf.offset_flush_interval_ms, 10000);
    assert_string_equal(conf.offset_storage_file_filename, "/var/lib/sluice/connect.offsets");
    assert_int_equal(conf.producer.n, 4);
    assert_int_equal(conf.consumer.n, 4);
    assert_string_equal(sl_conf_kvlist_get(&conf.consumer, "sasl.mechanism"), "AWS_MSK_IAM");
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

/* Loads one case and renders "diagnostics / error / dump" as text. */
static char *render_case(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s%s.properties", DATA, name);
    const struct sl_conf_table *table = &sl_worker_table;
    if (!strstr(name, "worker")) {
        struct sl_props props;
        sl_props_init(&props);
        char e[256];
        if (sl_props_load(&props, path, e, sizeof(e)) == SL_OK)
            table = sl_conf_table_for_class(sl_props_get(&props, "connector.class"));
        sl_props_fini(&props);
        assert_non_null(table);
    }
    void *conf = calloc(1, table->size);
    struct sl_buf out, diag;
    sl_buf_init(&out, 1 << 20);
    sl_buf_init(&diag, 1 << 20);
    char errstr[1024] = "";
    /* Relative file name in the messages so the output does not depend on the checkout. */
    struct sl_props props;
    sl_props_init(&props);
    char *text = sl_test_read_file(path, NULL);
    assert_non_null(text);
    char rel[256];
    snprintf(rel, sizeof(rel), "%s.properties", name);
    assert_int_equal(sl_props_parse(&props, rel, text, strlen(text), errstr, sizeof(errstr)),
                     SL_OK);
    free(text);
    sl_conf_init(table, conf);
    sl_err_t err = sl_conf_apply(table, conf, &props, &diag, errstr, sizeof(errstr));
    sl_props_fini(&props);
    (void)sl_buf_addf(&out, "# table %s\n# diagnostics\n%s# result\n%s%s\n", table->name,
                      sl_buf_cstr(&diag), err ? "error: " : "ok", err ? errstr : "");
    (void)sl_buf_addstr(&out, "# dump\n");
    assert_int_equal(sl_conf_dump(conf, &out), SL_OK);
    sl_conf_fini(conf);
    free(conf);
    sl_buf_fini(&diag);
    return sl_buf_take(&out, NULL);
}

static void compare_or_update(const char *expected_path, const char *got)
{
    if (updating()) {
        FILE *fp = fopen(expected_path, "wb");
        assert_non_null(fp);
        fputs(got, fp);
        fclose(fp);
        return;
    }
    char *want = sl_test_read_file(expected_path, NULL);
    if (!want)
        fail_msg("missing %s (run with SL_GOLDEN_UPDATE=1 to create it)", expected_path);
    if (strcmp(want, got) != 0) {
        print_error("--- got ---\n%s\n", got);
        fail_msg("%s differs from the generated output", expected_path);
    }
    free(want);
}

static void test_golden_cases(void **state)
{
    (void)state;
    static const char *const cases[] = {"seed-source", "seed-sink", "seed-worker", "bad-worker",
                                        "bad-source"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = render_case(cases[i]);
        char path[1024];
        snprintf(path, sizeof(path), "%s%s.out", DATA, cases[i]);
        compare_or_update(path, got);
        free(got);
    }
}

static void test_configuration_md_is_current(void **state)
{
    (void)state;
    const char *path = SL_SOURCE_DIR "/docs/CONFIGURATION.md";
    if (updating()) {
        char errstr[256];
        assert_int_equal(sl_conf_doc_write(path, errstr, sizeof(errstr)), SL_OK);
    }
    struct sl_buf doc;
    sl_buf_init(&doc, 8 << 20);
    assert_int_equal(sl_conf_doc(&doc), SL_OK);
    compare_or_update(path, doc.data);
    sl_buf_fini(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_source),
        cmocka_unit_test(test_seed_sink),
        cmocka_unit_test(test_seed_worker),
        cmocka_unit_test(test_golden_cases),
        cmocka_unit_test(test_configuration_md_is_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
