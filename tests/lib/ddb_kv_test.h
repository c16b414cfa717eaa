/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the DynamoDB writer tests (0051-0053): items {K: key number, V: the offset of the
 * record that wrote it} in table kafka_<topic>, hash key value.K, string record keys, and a
 * scan that reads them back straight from dynalite. Header-only: include it after cmocka.h. */
#ifndef SL_TEST_DDB_KV_H
#define SL_TEST_DDB_KV_H

#include <jansson.h>

#include "aws/creds.h"
#include "core/parse.h"
#include "sink/writer.h"
#include "testlib.h"

/* A writer configuration for K/V items to url; the caller adjusts bounds and retries. */
static inline void sl_test_kv_conf(struct sl_ddb_writer_conf *conf, const char *url)
{
    memset(conf, 0, sizeof(*conf));
    sl_sink_item_conf_defaults(&conf->item);
    char e[256];
    assert_int_equal(sl_sink_pk_parse("value.K", &conf->item.hash, e, sizeof(e)), SL_OK);
    assert_int_equal(sl_sink_pk_parse("", &conf->item.sort, e, sizeof(e)), SL_OK);
    snprintf(conf->item.table_format, sizeof(conf->item.table_format), "kafka_${topic}");
    conf->item.key_conv.type = SL_SINK_CONV_STRING;
    conf->item.value_conv.schemas_enable = false;
    static struct sl_aws_creds creds;
    assert_int_equal(sl_aws_creds_set(&creds, "AKIDEXAMPLE", "secret", NULL, 0), SL_OK);
    conf->ddb.endpoint = url;
    conf->ddb.region = "us-east-1";
    conf->ddb.creds = &creds;
    conf->ddb.max_inflight = 8;
    conf->ddb.timeout_ms = 30000;
    conf->table.create = true;
    conf->table.pay_per_request = true;
    conf->table.wait_ms = 20000;
}

/* Scans table at endpoint: state[k] = V of item k (0 <= k < n_keys), -1 when absent. */
static inline void sl_test_kv_scan(const char *endpoint, const char *table, int64_t *state,
                                   int n_keys)
{
    for (int k = 0; k < n_keys; k++)
        state[k] = -1;
    char start[256] = "";
    for (;;) {
        char body[512];
        snprintf(body, sizeof(body), "{\"TableName\":\"%s\"%s%s}", table,
                 start[0] ? ",\"ExclusiveStartKey\":" : "", start);
        char *out = NULL;
        assert_int_equal(sl_test_ddb_call(endpoint, "Scan", body, NULL, &out), 0);
        json_error_t jerr;
        json_t *j = json_loads(out, 0, &jerr);
        if (!j)
            fail_msg("Scan: %s", out);
        free(out);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(j, "Items"), i, it)
        {
            int64_t k, v;
            assert_int_equal(
                sl_parse_i64(json_string_value(json_object_get(json_object_get(it, "K"), "N")), &k),
                SL_OK);
            assert_int_equal(
                sl_parse_i64(json_string_value(json_object_get(json_object_get(it, "V"), "N")), &v),
                SL_OK);
            assert_true(k >= 0 && k < n_keys);
            state[k] = v;
        }
        json_t *lek = json_object_get(j, "LastEvaluatedKey");
        if (!lek) {
            json_decref(j);
            return;
        }
        char *s = json_dumps(lek, JSON_COMPACT);
        snprintf(start, sizeof(start), "%s", s);
        free(s);
        json_decref(j);
    }
}

#endif
