/* SPDX-License-Identifier: Apache-2.0 */
/* Java Kafka client settings to librdkafka: every mapped, passed-through, noted and rejected
 * key, role prefixes, JAAS parsing, MSK IAM, and secrets never showing in errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/kconf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char errstr[1024];

static sl_err_t map(struct sl_kconf *kc, sl_kconf_role_t role, const struct sl_kv *kvs, size_t n)
{
    sl_kconf_init(kc, role);
    errstr[0] = '\0';
    sl_err_t err = sl_kconf_add(kc, kvs, n, errstr, sizeof(errstr));
    if (!err)
        err = sl_kconf_check(kc, errstr, sizeof(errstr));
    return err;
}

static void expect_reject(sl_kconf_role_t role, const char *key, const char *value,
                          const char *needle)
{
    struct sl_kconf kc;
    struct sl_kv kv[] = {{key, value}};
    assert_int_equal(map(&kc, role, kv, 1), SL_ERR_CONF);
    if (!strstr(errstr, key) || !strstr(errstr, needle))
        fail_msg("%s=%s: error \"%s\" lacks \"%s\"", key, value, errstr, needle);
    sl_kconf_fini(&kc);
}

static void test_defaults(void **state)
{
    (void)state;
    struct sl_kconf kc;
    assert_int_equal(map(&kc, SL_KCONF_PRODUCER, NULL, 0), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "enable.idempotence"), "true");
    assert_string_equal(sl_kconf_get(&kc, "acks"), "all");
    assert_string_equal(sl_kconf_get(&kc, "partitioner"), "murmur2_random");
    assert_string_equal(sl_kconf_get(&kc, "message.timeout.ms"), "0");
    sl_kconf_fini(&kc);
    assert_int_equal(map(&kc, SL_KCONF_CONSUMER, NULL, 0), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "enable.auto.commit"), "false");
    assert_string_equal(sl_kconf_get(&kc, "auto.offset.reset"), "earliest");
    assert_int_equal(kc.max_poll_records, 500);
    sl_kconf_fini(&kc);
}

static void test_passthrough_and_renames(void **state)
{
    (void)state;
    struct sl_kconf kc;
    struct sl_kv p[] = {
        {"bootstrap.servers", "b1:9092,b2:9092"},
        {"client.id", "sluice-1"},
        {"security.protocol", "SSL"},
        {"linger.ms", "20"},
        {"batch.size", "65536"},
        {"compression.type", "zstd"},
        {"request.timeout.ms", "30000"},
        {"max.request.size", "2097152"},
        {"buffer.memory", "33554432"},
        {"send.buffer.bytes", "-1"},
        {"receive.buffer.bytes", "65536"},
        {"acks", "-1"},
        {"enable.idempotence", "true"},
        {"ssl.truststore.type", "PEM"},
        {"ssl.truststore.location", "/etc/ssl/ca.pem"},
        {"ssl.endpoint.identification.algorithm", ""},
        {"key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"},
        {"max.block.ms", "60000"},
        {"kafka.queue.buffering.max.messages", "200000"},
    };
    assert_int_equal(map(&kc, SL_KCONF_PRODUCER, p, N(p)), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "bootstrap.servers"), "b1:9092,b2:9092");
    assert_string_equal(sl_kconf_get(&kc, "client.id"), "sluice-1");
    assert_string_equal(sl_kconf_get(&kc, "linger.ms"), "20");
    assert_string_equal(sl_kconf_get(&kc, "compression.type"), "zstd");
    assert_string_equal(sl_kconf_get(&kc, "message.max.bytes"), "2097152");
    assert_string_equal(sl_kconf_get(&kc, "queue.buffering.max.kbytes"), "32768");
    assert_string_equal(sl_kconf_get(&kc, "socket.send.buffer.bytes"), "0");
    assert_string_equal(sl_kconf_get(&kc, "socket.receive.buffer.bytes"), "65536");
    assert_string_equal(sl_kconf_get(&kc, "acks"), "all");
    assert_string_equal(sl_kconf_get(&kc, "ssl.ca.location"), "/etc/ssl/ca.pem");
    assert_string_equal(sl_kconf_get(&kc, "ssl.endpoint.identification.algorithm"), "none");
    assert_string_equal(sl_kconf_get(&kc, "queue.buffering.max.messages"), "200000");
    assert_null(sl_kconf_get(&kc, "max.block.ms"));
    /* Keys with no effect are noted, not dropped silently. */
    bool noted_block = false, noted_ser = false;
    for (size_t i = 0; i < kc.note_cnt; i++) {
        noted_block |= strncmp(kc.notes[i], "max.block.ms:", 13) == 0;
        noted_ser |= strncmp(kc.notes[i], "key.serializer:", 15) == 0;
    }
    assert_true(noted_block && noted_ser);
    sl_kconf_fini(&kc);

    struct sl_kv c[] = {
        {"group.id", "connect-ddb"},
        {"auto.offset.reset", "none"},
        {"session.timeout.ms", "45000"},
        {"max.poll.records", "250"},
        {"fetch.max.bytes", "52428800"},
        {"fetch.max.wait.ms", "100"},
        {"isolation.level", "read_committed"},
        {"enable.auto.commit", "false"},
        {"partition.assignment.strategy",
         "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"},
        {"linger.ms", "5"}, /* a producer key given to a consumer: noted */
    };
    assert_int_equal(map(&kc, SL_KCONF_CONSUMER, c, N(c)), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "group.id"), "connect-ddb");
    assert_string_equal(sl_kconf_get(&kc, "auto.offset.reset"), "error");
    assert_string_equal(sl_kconf_get(&kc, "fetch.wait.max.ms"), "100");
    assert_string_equal(sl_kconf_get(&kc, "partition.assignment.strategy"), "cooperative-sticky");
    assert_string_equal(sl_kconf_get(&kc, "enable.auto.commit"), "false");
    assert_null(sl_kconf_get(&kc, "linger.ms"));
    assert_int_equal(kc.max_poll_records, 250);
    sl_kconf_fini(&kc);
}

static void test_rejects(void **state)
{
    (void)state;
    expect_reject(SL_KCONF_PRODUCER, "ssl.truststore.type", "JKS", "cannot read JKS");
    expect_reject(SL_KCONF_PRODUCER, "ssl.truststore.location", "/etc/kafka/truststore.jks",
                  "convert to PEM and set ssl.ca.location");
    expect_reject(SL_KCONF_PRODUCER, "ssl.keystore.type", "JKS", "cannot read JKS");
    expect_reject(SL_KCONF_PRODUCER, "ssl.truststore.type", "PKCS12", "use PEM");
    expect_reject(SL_KCONF_PRODUCER, "acks", "1", "requires acks=all");
    expect_reject(SL_KCONF_PRODUCER, "enable.idempotence", "false", "idempotent");
    expect_reject(SL_KCONF_CONSUMER, "enable.auto.commit", "true", "commits offsets itself");
    expect_reject(SL_KCONF_PRODUCER, "partitioner.class", "com.x.MyPartitioner", "murmur2");
    expect_reject(SL_KCONF_PRODUCER, "transactional.id", "t1", "not supported");
    expect_reject(SL_KCONF_PRODUCER, "interceptor.classes", "a.B", "Java classes");
    expect_reject(SL_KCONF_CONSUMER, "security.providers", "a.B", "JVM security providers");
    expect_reject(SL_KCONF_PRODUCER, "ssl.cipher.suites", "TLS_AES_128_GCM_SHA256", "OpenSSL");
    expect_reject(SL_KCONF_PRODUCER, "value.serializer",
                  "io.confluent.kafka.serializers.KafkaAvroSerializer", "ByteArray");
    expect_reject(SL_KCONF_CONSUMER, "partition.assignment.strategy",
                  "org.apache.kafka.clients.consumer.StickyAssignor", "no librdkafka equivalent");
    expect_reject(SL_KCONF_CONSUMER, "max.poll.records", "0", "expected 1..1000000");
    expect_reject(SL_KCONF_PRODUCER, "buffer.memory", "lots", "byte count");
    /* Unknown to us and to librdkafka: librdkafka's complaint names the key. */
    expect_reject(SL_KCONF_PRODUCER, "no.such.setting", "1", "No such configuration property");
    /* Known to librdkafka with a bad value: its errstr, our key. */
    expect_reject(SL_KCONF_PRODUCER, "linger.ms", "soon", "linger.ms");
    expect_reject(SL_KCONF_PRODUCER, "compression.type", "brotli", "Invalid value");
}

static void test_jaas_plain_scram(void **state)
{
    (void)state;
    struct sl_kconf kc;
    struct sl_kv kv[] = {
        {"security.protocol", "SASL_SSL"},
        {"sasl.mechanism", "SCRAM-SHA-512"},
        {"sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule "
                             "required username=\"alice\" password=\"s3cr\\\"et\";"},
    };
    assert_int_equal(map(&kc, SL_KCONF_PRODUCER, kv, N(kv)), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "sasl.mechanisms"), "SCRAM-SHA-512");
    assert_string_equal(sl_kconf_get(&kc, "sasl.username"), "alice");
    assert_string_equal(sl_kconf_get(&kc, "sasl.password"), "s3cr\"et");
    for (size_t i = 0; i < kc.prop_cnt; i++) {
        if (strcmp(kc.props[i].name, "sasl.password") == 0)
            assert_true(kc.props[i].secret);
    }
    sl_kconf_fini(&kc);

    struct sl_kv plain[] = {
        {"sasl.mechanism", "PLAIN"},
        {"sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                             "username=bob password=hunter2;"},
    };
    assert_int_equal(map(&kc, SL_KCONF_CONSUMER, plain, N(plain)), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "sasl.username"), "bob");
    assert_string_equal(sl_kconf_get(&kc, "sasl.password"), "hunter2");
    sl_kconf_fini(&kc);
}

/* No error message may carry a secret, whatever went wrong. */
static void test_secrets_masked(void **state)
{
    (void)state;
    struct {
        const char *key, *value, *secret;
    } cases[] = {
        {"sasl.jaas.config",
         "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" "
         "password=\"TOPSECRET1\"",
         "TOPSECRET1"}, /* missing ';' */
        {"sasl.jaas.config",
         "org.apache.kafka.common.security.plain.PlainLoginModule required "
         "password=\"TOPSECRET2\";",
         "TOPSECRET2"}, /* missing username */
        {"sasl.jaas.config", "com.example.Custom required password=\"TOPSECRET3\";", "TOPSECRET3"},
        {"sasl.jaas.config",
         "org.apache.kafka.common.security.plain.PlainLoginModule required "
         "username=\"u\" password=\"TOPSECRET4;",
         "TOPSECRET4"}, /* unterminated quote */
        {"sasl.jaas.config",
         "org.apache.kafka.common.security.plain.PlainLoginModule "
         "maybe password=\"TOPSECRET5\";",
         "TOPSECRET5"}, /* bad flag */
        {"ssl.key.password", "TOPSECRET6", "TOPSECRET6"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        struct sl_kconf kc;
        struct sl_kv kv[] = {{cases[i].key, cases[i].value}};
        sl_err_t err = map(&kc, SL_KCONF_PRODUCER, kv, 1);
        if (err) {
            if (strstr(errstr, cases[i].secret))
                fail_msg("case %zu leaks the secret: %s", i, errstr);
            assert_non_null(strstr(errstr, cases[i].key));
        }
        for (size_t n = 0; n < kc.note_cnt; n++)
            assert_null(strstr(kc.notes[n], cases[i].secret));
        sl_kconf_fini(&kc);
        if (i < 5)
            assert_int_equal(err, SL_ERR_CONF);
    }
    /* A secret passed verbatim to librdkafka with an invalid value: the errstr is scrubbed. */
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    sl_kconf_set(&kc, "ssl.keystore.password", "HIDDEN7", "producer.ssl.keystore.password");
    sl_kconf_set(&kc, "enable.idempotence", "HIDDEN8-not-bool", "producer.ssl.key.password");
    assert_int_equal(sl_kconf_check(&kc, errstr, sizeof(errstr)), SL_ERR_CONF);
    assert_null(strstr(errstr, "HIDDEN8"));
    assert_non_null(strstr(errstr, "producer.ssl.key.password"));
    sl_kconf_fini(&kc);
}

static void test_msk_iam(void **state)
{
    (void)state;
    struct sl_kconf kc;
    struct sl_kv kv[] = {
        {"bootstrap.servers", "b-1.msk.example:9098"},
        {"sasl.mechanism", "AWS_MSK_IAM"},
        {"sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required "
                             "awsRoleArn=\"arn:aws:iam::123456789012:role/sluice\" "
                             "awsStsRegion=\"eu-west-1\";"},
        {"sasl.client.callback.handler.class",
         "software.amazon.msk.auth.iam.IAMClientCallbackHandler"},
    };
    assert_int_equal(map(&kc, SL_KCONF_PRODUCER, kv, N(kv)), SL_OK);
    assert_true(kc.msk_iam);
    assert_string_equal(sl_kconf_get(&kc, "sasl.mechanisms"), "OAUTHBEARER");
    assert_string_equal(sl_kconf_get(&kc, "security.protocol"), "SASL_SSL");
    assert_string_equal(kc.iam_role_arn, "arn:aws:iam::123456789012:role/sluice");
    assert_string_equal(kc.iam_sts_region, "eu-west-1");
    assert_null(kc.iam_profile);
    char region[32];
    assert_int_equal(sl_kconf_msk_region(&kc, region, sizeof(region)), SL_ERR_NOTFOUND);
    sl_kconf_set(&kc, "bootstrap.servers",
                 "b-1.sales.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,"
                 "b-2.sales.abc123.c2.kafka.eu-west-1.amazonaws.com:9098",
                 NULL);
    assert_int_equal(sl_kconf_msk_region(&kc, region, sizeof(region)), SL_OK);
    assert_string_equal(region, "eu-west-1");
    sl_kconf_set(&kc, "bootstrap.servers",
                 "boot-x.c1.kafka-serverless.us-east-2.amazonaws.com:9098", NULL);
    assert_int_equal(sl_kconf_msk_region(&kc, region, sizeof(region)), SL_OK);
    assert_string_equal(region, "us-east-2");
    /* Without a token provider the client refuses to start. */
    struct sl_kconf_token tok = {NULL, NULL};
    assert_null(sl_kconf_rd_new(&kc, &tok, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "token provider"));
    sl_kconf_fini(&kc);

    /* Half an IAM configuration, or the wrong protocol, is named. */
    struct sl_kv half[] = {{"sasl.mechanism", "AWS_MSK_IAM"}};
    assert_int_equal(map(&kc, SL_KCONF_PRODUCER, half, 1), SL_ERR_CONF);
    assert_non_null(strstr(errstr, "IAMLoginModule"));
    sl_kconf_fini(&kc);
    struct sl_kv plain[] = {
        {"security.protocol", "SASL_PLAINTEXT"},
        {"sasl.mechanism", "AWS_MSK_IAM"},
        {"sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;"},
    };
    assert_int_equal(map(&kc, SL_KCONF_PRODUCER, plain, N(plain)), SL_ERR_CONF);
    assert_non_null(strstr(errstr, "SASL_SSL"));
    sl_kconf_fini(&kc);
    expect_reject(SL_KCONF_PRODUCER, "sasl.client.callback.handler.class", "com.x.Handler",
                  "cannot run");
}

static void test_from_worker(void **state)
{
    (void)state;
    struct sl_kv w[] = {
        {"bootstrap.servers", "k:9092"},
        {"group.id", "connect-cluster"},
        {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"offset.flush.interval.ms", "10000"},
        {"linger.ms", "1"},
        {"security.protocol", "SSL"},
        {"producer.linger.ms", "50"},
        {"producer.compression.type", "lz4"},
        {"consumer.max.poll.records", "100"},
        {"consumer.group.id", "connect-ddb-sink"},
        {"ssl.client.auth", "required"}, /* the REST listener's: noted, not sent */
        {"listeners", "https://:8443"},
    };
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    assert_int_equal(sl_kconf_from_worker(&kc, w, N(w), errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(sl_kconf_check(&kc, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "bootstrap.servers"), "k:9092");
    assert_string_equal(sl_kconf_get(&kc, "linger.ms"), "50"); /* producer.* wins */
    assert_string_equal(sl_kconf_get(&kc, "compression.type"), "lz4");
    assert_string_equal(sl_kconf_get(&kc, "security.protocol"), "SSL");
    assert_null(sl_kconf_get(&kc, "group.id"));
    assert_null(sl_kconf_get(&kc, "key.converter"));
    assert_null(sl_kconf_get(&kc, "ssl.client.auth"));
    bool noted = false;
    for (size_t i = 0; i < kc.note_cnt; i++)
        noted |= strstr(kc.notes[i], "ssl.client.auth: a setting of Kafka Connect") != NULL;
    assert_true(noted);
    sl_kconf_fini(&kc);

    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    assert_int_equal(sl_kconf_from_worker(&kc, w, N(w), errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(sl_kconf_get(&kc, "group.id"), "connect-ddb-sink");
    assert_null(sl_kconf_get(&kc, "linger.ms"));
    assert_int_equal(kc.max_poll_records, 100);
    sl_kconf_fini(&kc);

    /* Errors name the prefixed key the user wrote. */
    struct sl_kv bad[] = {{"bootstrap.servers", "k:9092"}, {"producer.acks", "0"}};
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    assert_int_equal(sl_kconf_from_worker(&kc, bad, N(bad), errstr, sizeof(errstr)), SL_ERR_CONF);
    assert_non_null(strstr(errstr, "producer.acks"));
    sl_kconf_fini(&kc);
    struct sl_kv typo[] = {{"ssl.trustsore.location", "/x.pem"}};
    sl_kconf_init(&kc, SL_KCONF_PRODUCER);
    assert_int_equal(sl_kconf_from_worker(&kc, typo, 1, errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(sl_kconf_check(&kc, errstr, sizeof(errstr)), SL_ERR_CONF);
    assert_non_null(strstr(errstr, "ssl.trustsore.location"));
    sl_kconf_fini(&kc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),       cmocka_unit_test(test_passthrough_and_renames),
        cmocka_unit_test(test_rejects),        cmocka_unit_test(test_jaas_plain_scram),
        cmocka_unit_test(test_secrets_masked), cmocka_unit_test(test_msk_iam),
        cmocka_unit_test(test_from_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
