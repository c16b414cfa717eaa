/* SPDX-License-Identifier: Apache-2.0 */
/* The table-driven engine: typed validation with exact error lines, aliases, secrets masked
 * in dumps and errors, unknown-key warnings, ${env:}/${file:} references, pass-through
 * collection, required keys and cross-field checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "conf/worker.h"
#include "testlib.h"

/* Applies text (named file) to conf; returns the error and fills errstr and diag. */
static sl_err_t apply_text(const struct sl_conf_table *table, void *conf, const char *file,
                           const char *text, struct sl_buf *diag, char *errstr, size_t errstr_size)
{
    struct sl_props props;
    sl_props_init(&props);
    sl_err_t err = sl_props_parse(&props, file, text, strlen(text), errstr, errstr_size);
    assert_int_equal(err, SL_OK);
    sl_conf_init(table, conf);
    errstr[0] = '\0';
    err = sl_conf_apply(table, conf, &props, diag, errstr, errstr_size);
    sl_props_fini(&props);
    return err;
}

static const char *const MYSQL_MIN = "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
                                     "database.hostname=db\n"
                                     "database.user=u\n"
                                     "database.server.name=s\n";

static void expect_worker_error(const char *text, const char *msg)
{
    struct sl_worker_conf conf;
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    char errstr[512];
    assert_int_equal(apply_text(&sl_worker_table, &conf, "worker.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, msg);
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

static void test_type_errors(void **state)
{
    (void)state;
    expect_worker_error(
        "# worker\n\n\n\n\nbootstrap.servers=k:9092\noffset.flush.interval.ms=ten\n",
        "worker.properties:7: offset.flush.interval.ms: 'ten' is not a whole "
        "number (expected milliseconds, 0..2147483647)");
    expect_worker_error("offset.flush.interval.ms=2147483648\n",
                        "worker.properties:1: offset.flush.interval.ms: '2147483648' is out of "
                        "range (expected milliseconds, 0..2147483647)");
    expect_worker_error("offset.flush.interval.ms=-1\n",
                        "worker.properties:1: offset.flush.interval.ms: '-1' is out of range "
                        "(expected milliseconds, 0..2147483647)");
    expect_worker_error("a=1\nkey.converter.schemas.enable=yes\n",
                        "worker.properties:2: key.converter.schemas.enable: 'yes' is not a "
                        "boolean (expected true or false)");
    expect_worker_error("rest.port=70000\n", "worker.properties:1: rest.port: '70000' is out of "
                                             "range (expected 0..65535)");
    expect_worker_error("rest.port=80x\n", "worker.properties:1: rest.port: '80x' is not a whole "
                                           "number (expected 0..65535)");
    expect_worker_error("security.protocol=TLS\n",
                        "worker.properties:1: security.protocol: 'TLS' is not a valid choice "
                        "(expected one of: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)");
    expect_worker_error("listeners=http://:8083, tcp://x:1\n",
                        "worker.properties:1: listeners: 'http://:8083, tcp://x:1' is not valid: "
                        "'tcp://x:1' must start with http:// or https://");
    /* Two errors: the first is reported and the rest counted. */
    expect_worker_error("rest.port=x\nlog.level=loud\n",
                        "worker.properties:1: rest.port: 'x' is not a whole number (expected "
                        "0..65535) (and 1 more error)");
}

static void test_types_parse(void **state)
{
    (void)state;
    struct sl_worker_conf conf;
    char errstr[512];
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    assert_int_equal(apply_text(&sl_worker_table, &conf, "w.properties",
                                "offset.flush.interval.ms = 10000  \n"
                                "security.protocol=sasl_ssl\n"
                                "value.converter.schemas.enable=FALSE\n"
                                "listeners= http://127.0.0.1:8083 ,, https://:8443,\n"
                                "log.level=debug\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(conf.offset_flush_interval_ms, 10000);
    assert_int_equal(conf.security_protocol, SL_SECURITY_SASL_SSL);
    assert_false(conf.value_converter_schemas_enable);
    assert_true(conf.key_converter_schemas_enable);
    assert_int_equal(conf.listeners.n, 2);
    assert_string_equal(conf.listeners.items[0], "http://127.0.0.1:8083");
    assert_string_equal(conf.listeners.items[1], "https://:8443");
    assert_int_equal(conf.log_level, 3);
    /* Defaults. */
    assert_null(conf.bootstrap_servers);
    assert_string_equal(conf.key_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_int_equal(conf.offset_flush_timeout_ms, 5000);
    assert_int_equal(conf.task_shutdown_graceful_timeout_ms, 5000);
    assert_true(sl_conf_is_set(&conf, "security.protocol"));
    assert_false(sl_conf_is_set(&conf, "bootstrap.servers"));
    const struct sl_conf_origin *o = sl_conf_origin_of(&conf, "log.level");
    assert_string_equal(o->file, "w.properties");
    assert_int_equal(o->line, 5);
    assert_int_equal(diag.len, 0);
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

static void test_aliases(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    char errstr[512];
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);

    /* 1.9 spelling. */
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", MYSQL_MIN, &diag,
                                errstr, sizeof(errstr)),
                     SL_OK);
    assert_string_equal(conf.topic_prefix, "s");
    assert_string_equal(sl_conf_origin_of(&conf, "topic.prefix")->spelled, "database.server.name");
    sl_conf_fini(&conf);

    /* 2.x spelling, and schema.history.internal.* beside database.history.*. */
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties",
                                "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
                                "database.hostname=db\ndatabase.user=u\ntopic.prefix=p2\n"
                                "schema.history.internal.kafka.topic=h2\n"
                                "database.history.kafka.bootstrap.servers=k:9092\n"
                                "schema.history.internal.producer.security.protocol=SASL_SSL\n"
                                "database.history.consumer.security.protocol=SSL\n"
                                "event.deserialization.failure.handling.mode=ignore\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_OK);
    assert_string_equal(conf.topic_prefix, "p2");
    assert_string_equal(conf.history_kafka_topic, "h2");
    assert_string_equal(conf.history_kafka_bootstrap_servers, "k:9092");
    assert_string_equal(sl_conf_kvlist_get(&conf.history_producer, "security.protocol"),
                        "SASL_SSL");
    assert_string_equal(sl_conf_kvlist_get(&conf.history_consumer, "security.protocol"), "SSL");
    assert_int_equal(conf.event_processing_failure_handling_mode, 3 /* "ignore" */);
    sl_conf_fini(&conf);

    /* Both spellings, same value: fine (a note). Different values: an error naming both. */
    char text[1024];
    snprintf(text, sizeof(text), "%stopic.prefix=s\n", MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_OK);
    sl_conf_fini(&conf);
    snprintf(text, sizeof(text), "%stopic.prefix=other\n", MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "s.properties:5: topic.prefix: 'other' conflicts with "
                                "database.server.name='s' at line 4; give only one of the two "
                                "names");
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

/* A table with secret non-string types, to see masking in type errors. */
struct secret_conf {
    struct sl_conf_meta meta;
    uint32_t pin;
    char *token;
    struct sl_conf_kvlist extra;
};

static const struct sl_option secret_options[] = {
    {"pin", NULL, SL_T_U32, offsetof(struct secret_conf, pin), .min = 1000, .max = 9999,
     .flags = SL_OPT_SECRET, .doc = "A secret number."},
    {"token", "old.token", SL_T_PASSWORD, offsetof(struct secret_conf, token),
     .doc = "A secret string."},
    {NULL},
};

static const struct sl_passthrough secret_passthrough[] = {
    {"extra.", NULL, SL_PT_LIST, offsetof(struct secret_conf, extra), .doc = "Extra."},
    {NULL},
};

static const struct sl_conf_table secret_table = {
    .name = "secret",
    .title = "Secret",
    .doc = "Test.",
    .sections = {{secret_options, secret_passthrough, 0}},
    .size = sizeof(struct secret_conf),
};

static void test_secrets_masked(void **state)
{
    (void)state;
    struct secret_conf conf;
    char errstr[512];
    struct sl_buf diag, out;
    sl_buf_init(&diag, 1 << 16);
    sl_buf_init(&out, 1 << 16);
    assert_int_equal(apply_text(&secret_table, &conf, "x.properties", "pin=12345\n", &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "x.properties:1: pin: '[hidden]' is out of range (expected "
                                "1000..9999)");
    assert_null(strstr(diag.data, "12345"));
    sl_conf_fini(&conf);

    assert_int_equal(apply_text(&secret_table, &conf, "x.properties",
                                "token=t0psecret\nold.token=other\n", &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "x.properties:2: old.token: '[hidden]' conflicts with "
                                "token='[hidden]' at line 1; give only one of the two names");
    sl_conf_fini(&conf);

    assert_int_equal(apply_text(&secret_table, &conf, "x.properties",
                                "pin=4242\ntoken=t0psecret\nextra.sasl.jaas.config=pw\n"
                                "extra.ssl.key.password=pw2\nextra.plain=visible\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(conf.pin, 4242);
    assert_string_equal(conf.token, "t0psecret");
    assert_int_equal(sl_conf_dump(&conf, &out), SL_OK);
    assert_string_equal(out.data, "pin=[hidden]\n"
                                  "token=[hidden]\n"
                                  "extra.sasl.jaas.config=[hidden]\n"
                                  "extra.ssl.key.password=[hidden]\n"
                                  "extra.plain=visible\n");
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
    sl_buf_fini(&out);
}

static void test_unknown_keys(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    char errstr[512];
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    char text[1024];
    snprintf(text, sizeof(text),
             "%stasks.mx=1\ncompletely.unknown=1\ndatabase.hostnme=x\n"
             "database.connectionTimeZone=UTC\ntransforms.ghost.type=X\n",
             MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_OK);
    assert_string_equal(diag.data,
                        "warning: s.properties:5: unknown key 'tasks.mx' ignored; did you mean "
                        "'tasks.max'?\n"
                        "warning: s.properties:6: unknown key 'completely.unknown' ignored\n"
                        "warning: s.properties:7: database.hostnme is passed through as driver.; "
                        "did you mean database.hostname?\n"
                        "warning: s.properties:9: transforms.ghost.type: 'ghost' is not listed "
                        "in transforms; the setting is kept but unused\n");
    /* 1.9 JDBC pass-through lands in driver.* under its 2.x name. */
    assert_string_equal(sl_conf_kvlist_get(&conf.driver, "connectionTimeZone"), "UTC");
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
}

static void test_required_and_checks(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    char errstr[512];
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties",
                                "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
                                "database.user=u\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "s.properties: missing required key 'database.hostname' (and 1 "
                                "more error)");
    assert_non_null(strstr(diag.data, "error: s.properties: missing required key 'topic.prefix' "
                                      "(or its older name 'database.server.name')\n"));
    sl_conf_fini(&conf);

    char text[1024];
    snprintf(text, sizeof(text), "%stable.include.list=a.b\ntable.exclude.list=a.c\n", MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "s.properties: table.include.list and table.exclude.list are "
                                "mutually exclusive; keep one");
    sl_conf_fini(&conf);

    struct sl_ddb_sink_conf sink;
    assert_int_equal(apply_text(&sl_ddb_sink_table, &sink, "k.properties",
                                "connector.class=DynamoDbSinkConnector\n"
                                "aws.dynamodb.pk.hash=value.a b\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "k.properties:2: aws.dynamodb.pk.hash: 'value.a b' is not valid: "
                                "expected partition, offset, key[.field...] or value[.field...], "
                                "optionally followed by :alias");
    sl_conf_fini(&sink);

    assert_int_equal(apply_text(&sl_ddb_sink_table, &sink, "k.properties",
                                "connector.class=DynamoDbSinkConnector\n", &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr,
                        "k.properties: exactly one of 'topics' and 'topics.regex' must be set");
    sl_conf_fini(&sink);

    assert_int_equal(apply_text(&sl_ddb_sink_table, &sink, "k.properties",
                                "connector.class=DynamoDbSinkConnector\ntopics=t\n"
                                "aws.dynamodb.pk.sort=\nbatch.size=26\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "k.properties:4: batch.size: '26' is out of range (expected "
                                "1..25)");
    sl_conf_fini(&sink);

    assert_int_equal(apply_text(&sl_ddb_sink_table, &sink, "k.properties",
                                "connector.class=DynamoDbSinkConnector\ntopics=t\n"
                                "aws.dynamodb.pk.sort=\ndelete.enabled=true\n"
                                "aws.dynamodb.billing.mode=pay_per_request\n",
                                &diag, errstr, sizeof(errstr)),
                     SL_OK);
    assert_string_equal(sink.pk_sort, "");
    assert_string_equal(sink.pk_hash, "partition");
    assert_true(sl_ddb_sink_conf_deletes(&sink));
    assert_int_equal(sink.billing_mode, SL_BILLING_PAY_PER_REQUEST);
    sl_conf_fini(&sink);
    sl_buf_fini(&diag);
}

static void test_references(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    char errstr[512];
    struct sl_buf diag;
    sl_buf_init(&diag, 1 << 16);
    char *dir = sl_test_tmpdir("conf");
    char path[512];
    snprintf(path, sizeof(path), "%s/creds.properties", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("db.password = fr0m-file\n", fp);
    fclose(fp);

    setenv("SL_TEST_DB_HOST", "db.example.com", 1);
    unsetenv("SL_TEST_UNSET_VAR");
    char text[2048];
    snprintf(text, sizeof(text),
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.hostname=${env:SL_TEST_DB_HOST}\n"
             "database.user=u-${env:SL_TEST_DB_HOST}-x\n"
             "database.server.name=s\n"
             "database.password=${file:%s:db.password}\n"
             "schema.history.internal.producer.sasl.jaas.config=${env:SL_TEST_DB_HOST}\n",
             path);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_OK);
    assert_string_equal(conf.hostname, "db.example.com");
    assert_string_equal(conf.user, "u-db.example.com-x");
    assert_string_equal(conf.password, "fr0m-file");
    assert_string_equal(sl_conf_kvlist_get(&conf.history_producer, "sasl.jaas.config"),
                        "db.example.com");
    sl_conf_fini(&conf);

    snprintf(text, sizeof(text), "%sdatabase.password=${env:SL_TEST_UNSET_VAR}\n", MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "s.properties:5: database.password: ${env:SL_TEST_UNSET_VAR}: "
                                "environment variable SL_TEST_UNSET_VAR is not set");
    sl_conf_fini(&conf);

    snprintf(text, sizeof(text), "%sdatabase.password=${file:%s:nokey}\n", MYSQL_MIN, path);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_non_null(strstr(errstr, ": no key 'nokey' in "));
    sl_conf_fini(&conf);

    snprintf(text, sizeof(text), "%sdatabase.password=${vault:x:y}\n", MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_ERR_CONF);
    assert_string_equal(errstr, "s.properties:5: database.password: config provider 'vault' is "
                                "not supported (use ${env:VAR} or ${file:/path:key})");
    sl_conf_fini(&conf);

    sl_test_rmtree(dir);
    free(dir);
    sl_buf_fini(&diag);
}

static void test_passthrough_groups(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    char errstr[512];
    struct sl_buf diag, out;
    sl_buf_init(&diag, 1 << 16);
    sl_buf_init(&out, 1 << 16);
    char text[2048];
    snprintf(text, sizeof(text),
             "%stransforms=unwrap, route\n"
             "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"
             "transforms.unwrap.drop.tombstones=false\n"
             "transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter\n"
             "converters=boolean\n"
             "boolean.type=io.debezium.connector.mysql.converters.TinyIntOneToBooleanConverter\n"
             "boolean.selector=db1.t1.*\n"
             "value.converter.decimal.format=NUMERIC\n"
             "snapshot.select.statement.overrides=db.t\n"
             "snapshot.select.statement.overrides.db.t=SELECT * FROM db.t WHERE x>0\n"
             "column.mask.with.12.chars=db.t.ssn\n",
             MYSQL_MIN);
    assert_int_equal(apply_text(&sl_mysql_source_table, &conf, "s.properties", text, &diag, errstr,
                                sizeof(errstr)),
                     SL_OK);
    assert_int_equal(diag.len, 0);
    assert_int_equal(conf.common.transforms.n, 2);
    assert_string_equal(conf.common.transforms.items[1], "route");
    const struct sl_conf_group *unwrap =
        sl_conf_grouplist_get(&conf.common.transform_props, "unwrap");
    assert_non_null(unwrap);
    assert_int_equal(unwrap->props.n, 2);
    assert_string_equal(unwrap->props.items[0].key, "type");
    assert_int_equal(unwrap->props.items[0].line, 6);
    assert_string_equal(sl_conf_kvlist_get(&unwrap->props, "drop.tombstones"), "false");
    const struct sl_conf_group *boolean = sl_conf_grouplist_get(&conf.converter_props, "boolean");
    assert_non_null(boolean);
    assert_string_equal(sl_conf_kvlist_get(&boolean->props, "selector"), "db1.t1.*");
    assert_string_equal(sl_conf_kvlist_get(&conf.common.value_converter_props, "decimal.format"),
                        "NUMERIC");
    assert_string_equal(sl_conf_kvlist_get(&conf.snapshot_select_overrides, "db.t"),
                        "SELECT * FROM db.t WHERE x>0");
    assert_string_equal(sl_conf_kvlist_get(&conf.column_other, "mask.with.12.chars"), "db.t.ssn");
    assert_int_equal(sl_conf_dump(&conf, &out), SL_OK);
    assert_non_null(strstr(out.data, "\ntransforms.unwrap.drop.tombstones=false\n"));
    assert_non_null(strstr(out.data, "\nboolean.selector=db1.t1.*\n"));
    assert_non_null(strstr(out.data, "\ntopic.prefix=s\n"));
    sl_conf_fini(&conf);
    sl_buf_fini(&diag);
    sl_buf_fini(&out);
}

static void test_doc_deterministic(void **state)
{
    (void)state;
    struct sl_buf a, b;
    sl_buf_init(&a, 8 << 20);
    sl_buf_init(&b, 8 << 20);
    assert_int_equal(sl_conf_doc(&a), SL_OK);
    assert_int_equal(sl_conf_doc(&b), SL_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_non_null(strstr(a.data, "| `topic.prefix`<br>alias `database.server.name` | string |"));
    assert_non_null(strstr(a.data, "| `database.password` | password |  |  | secret |"));
    sl_buf_fini(&a);
    sl_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_errors),       cmocka_unit_test(test_types_parse),
        cmocka_unit_test(test_aliases),           cmocka_unit_test(test_secrets_masked),
        cmocka_unit_test(test_unknown_keys),      cmocka_unit_test(test_required_and_checks),
        cmocka_unit_test(test_references),        cmocka_unit_test(test_passthrough_groups),
        cmocka_unit_test(test_doc_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
