/* SPDX-License-Identifier: Apache-2.0 */
/* The DynamoDB writer against dynalite: auto-creates the tutorial's table
 * (kafka_salesdb.salesdb.SALES_ORDER, HASH ORDER_ID N, RANGE SITE_ID N, provisioned 10/10),
 * writes the six seed rows, an overwrite, a soft-delete row and a tombstone as deletes, a bad
 * record and an item DynamoDB refuses (found by the single-item fallback), then reads the
 * table back with curl and checks every item and the committable offset. A second table with
 * another key schema must give one clear error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws/creds.h"
#include "sink/writer.h"
#include "testlib.h"

#define TOPIC "salesdb.salesdb.SALES_ORDER"
#define TABLE "kafka_salesdb.salesdb.SALES_ORDER"

struct fails {
    int n;
    int64_t offset[8];
    char reason[8][256];
};

static void on_fail(const struct sl_ddb_failure *f, void *opaque)
{
    struct fails *fl = opaque;
    if (fl->n < 8) {
        fl->offset[fl->n] = f->offset;
        snprintf(fl->reason[fl->n], sizeof(fl->reason[0]), "%s", f->reason);
    }
    fl->n++;
}

/* A DynamoDB call through the curl CLI (dynalite checks the header format, not the
 * signature), so the read-back does not share code with the writer. */
static json_t *ddb_cli(const char *op, const char *body)
{
    char *out = NULL;
    int rc = sl_test_ddb_call(sl_test_ddb_endpoint, op, body, NULL, &out);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    if (!j)
        fail_msg("%s: not JSON: %s", op, out);
    free(out);
    return j;
}

static void tutorial_conf(struct sl_ddb_writer_conf *conf, struct sl_aws_creds *creds)
{
    memset(conf, 0, sizeof(*conf));
    sl_sink_item_conf_defaults(&conf->item);
    char e[256];
    assert_int_equal(sl_sink_pk_parse("value.ORDER_ID", &conf->item.hash, e, sizeof(e)), 0);
    assert_int_equal(sl_sink_pk_parse("value.SITE_ID", &conf->item.sort, e, sizeof(e)), 0);
    snprintf(conf->item.table_format, sizeof(conf->item.table_format), "kafka_${topic}");
    conf->item.key_conv.type = SL_SINK_CONV_STRING;
    conf->item.value_conv.schemas_enable = false;
    conf->item.delete_enabled = true;
    assert_int_equal(sl_aws_creds_set(creds, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", NULL, 0),
                     SL_OK);
    conf->ddb.endpoint = sl_test_ddb_endpoint;
    conf->ddb.region = "us-east-1";
    conf->ddb.creds = creds;
    conf->table.create = true;
    conf->table.wait_ms = 10000 * sl_test_timeout_mult();
}

static sl_err_t put(struct sl_ddb_writer *w, int64_t off, const char *key, const char *value,
                    char *why, size_t why_size)
{
    struct sl_sink_rec rec = {.topic = TOPIC,
                              .partition = 0,
                              .offset = off,
                              .key = key,
                              .key_len = key ? strlen(key) : 0,
                              .value = value,
                              .value_len = value ? strlen(value) : 0};
    sl_err_t err = sl_ddb_writer_put(w, &rec, why, why_size);
    while (err == SL_ERR_AGAIN) {
        assert_int_equal(sl_ddb_writer_poll(w, 100), SL_OK);
        err = sl_ddb_writer_put(w, &rec, why, why_size);
    }
    return err;
}

static void test_seed_rows(void **state)
{
    (void)state;
    struct sl_ddb_writer_conf conf;
    static struct sl_aws_creds creds;
    tutorial_conf(&conf, &creds);
    struct fails fl = {0};
    conf.on_fail = on_fail;
    conf.opaque = &fl;
    char why[512];
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, why, sizeof(why));
    assert_non_null(w);

    static const struct {
        int id, site;
        const char *mode;
    } rows[] = {{29001, 2568, "STANDARD"}, {29002, 1649, "ONE-DAY"}, {29003, 3861, "TWO-DAY"},
                {29004, 2568, "STANDARD"}, {29005, 1649, "ONE-DAY"}, {29006, 3861, "TWO-DAY"}};
    int64_t off = 0;
    for (size_t i = 0; i < 6; i++) {
        char key[64], val[256];
        snprintf(key, sizeof(key), "Struct{ORDER_ID=%d}", rows[i].id);
        snprintf(val, sizeof(val),
                 "{\"ORDER_ID\":%d,\"SITE_ID\":%d,\"ORDER_DATE\":1655279536000,"
                 "\"SHIP_MODE\":\"%s\"}",
                 rows[i].id, rows[i].site, rows[i].mode);
        assert_int_equal(put(w, off++, key, val, why, sizeof(why)), SL_OK);
    }
    /* overwrite (offset 6), soft delete (7), bad JSON (8), tombstone delete (9), an item
     * DynamoDB refuses: SITE_ID is a string but the table says N (10), one more row (11). */
    assert_int_equal(put(w, off++, "Struct{ORDER_ID=29003}",
                         "{\"ORDER_ID\":29003,\"SITE_ID\":3861,\"ORDER_DATE\":1655279999000,"
                         "\"SHIP_MODE\":\"EXPRESS\",\"PRICE\":123456789012345678901234.5}",
                         why, sizeof(why)),
                     SL_OK);
    assert_int_equal(put(w, off++, "Struct{ORDER_ID=29005}",
                         "{\"ORDER_ID\":29005,\"SITE_ID\":1649,\"__deleted\":\"true\"}", why,
                         sizeof(why)),
                     SL_OK);
    assert_int_equal(put(w, off++, "Struct{ORDER_ID=1}", "{\"ORDER_ID\":", why, sizeof(why)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(why, "not valid JSON"));
    assert_int_equal(put(w, off++, "Struct{ORDER_ID=29006,SITE_ID=3861}", NULL, why, sizeof(why)),
                     SL_OK);
    assert_int_equal(put(w, off++, "Struct{ORDER_ID=29007}",
                         "{\"ORDER_ID\":29007,\"SITE_ID\":\"abc\"}", why, sizeof(why)),
                     SL_OK);
    assert_int_equal(put(w, off++, "Struct{ORDER_ID=29008}",
                         "{\"ORDER_ID\":29008,\"SITE_ID\":1,\"SHIP_MODE\":\"\"}", why, sizeof(why)),
                     SL_OK);
    assert_int_equal(sl_ddb_writer_flush(w, 20000 * sl_test_timeout_mult()), SL_OK);

    int64_t next = -1;
    assert_int_equal(sl_ddb_writer_committable(w, TOPIC, 0, &next), SL_OK);
    assert_int_equal(next, off);
    assert_int_equal(fl.n, 1);
    assert_int_equal(fl.offset[0], 10);
    if (!strstr(fl.reason[0], "ValidationException"))
        fail_msg("reason: %s", fl.reason[0]);
    struct sl_ddb_writer_stats st;
    sl_ddb_writer_stats(w, &st);
    assert_int_equal(st.invalid, 1);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.pending_items, 0);
    sl_ddb_writer_free(w);

    /* Read back. */
    json_t *desc = ddb_cli("DescribeTable", "{\"TableName\":\"" TABLE "\"}");
    json_t *t = json_object_get(desc, "Table");
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "ACTIVE");
    char *ks = json_dumps(json_object_get(t, "KeySchema"), JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(ks, "[{\"AttributeName\":\"ORDER_ID\",\"KeyType\":\"HASH\"},"
                            "{\"AttributeName\":\"SITE_ID\",\"KeyType\":\"RANGE\"}]");
    free(ks);
    json_t *pt = json_object_get(t, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "WriteCapacityUnits")), 10);
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 10);
    json_decref(desc);

    json_t *scan = ddb_cli("Scan", "{\"TableName\":\"" TABLE "\"}");
    json_t *items = json_object_get(scan, "Items");
    assert_int_equal(json_array_size(items), 5);
    /* Expected items by ORDER_ID. */
    static const char *want[][2] = {
        {"29001", "{\"ORDER_DATE\":{\"N\":\"1655279536000\"},\"ORDER_ID\":{\"N\":\"29001\"},"
                  "\"SHIP_MODE\":{\"S\":\"STANDARD\"},\"SITE_ID\":{\"N\":\"2568\"}}"},
        {"29002", "{\"ORDER_DATE\":{\"N\":\"1655279536000\"},\"ORDER_ID\":{\"N\":\"29002\"},"
                  "\"SHIP_MODE\":{\"S\":\"ONE-DAY\"},\"SITE_ID\":{\"N\":\"1649\"}}"},
        {"29003", "{\"ORDER_DATE\":{\"N\":\"1655279999000\"},\"ORDER_ID\":{\"N\":\"29003\"},"
                  "\"PRICE\":{\"N\":\"123456789012345678901234.5\"},"
                  "\"SHIP_MODE\":{\"S\":\"EXPRESS\"},\"SITE_ID\":{\"N\":\"3861\"}}"},
        {"29004", "{\"ORDER_DATE\":{\"N\":\"1655279536000\"},\"ORDER_ID\":{\"N\":\"29004\"},"
                  "\"SHIP_MODE\":{\"S\":\"STANDARD\"},\"SITE_ID\":{\"N\":\"2568\"}}"},
        {"29008", "{\"ORDER_ID\":{\"N\":\"29008\"},\"SHIP_MODE\":{\"NULL\":true},"
                  "\"SITE_ID\":{\"N\":\"1\"}}"},
    };
    int found = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *id = json_string_value(json_object_get(json_object_get(it, "ORDER_ID"), "N"));
        char *got = json_dumps(it, JSON_COMPACT | JSON_SORT_KEYS);
        bool matched = false;
        for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
            if (id && strcmp(id, want[k][0]) == 0) {
                assert_string_equal(got, want[k][1]);
                matched = true;
                found++;
            }
        }
        if (!matched)
            fail_msg("unexpected item %s", got);
        free(got);
    }
    assert_int_equal(found, 5);
    json_decref(scan);

    json_t *get = ddb_cli("GetItem", "{\"TableName\":\"" TABLE "\",\"Key\":{\"ORDER_ID\":"
                                     "{\"N\":\"29005\"},\"SITE_ID\":{\"N\":\"1649\"}}}");
    assert_null(json_object_get(get, "Item"));
    json_decref(get);
}

static void test_key_schema_mismatch(void **state)
{
    (void)state;
    json_t *r = ddb_cli("CreateTable",
                        "{\"TableName\":\"kafka_other\",\"AttributeDefinitions\":"
                        "[{\"AttributeName\":\"ORDER_ID\",\"AttributeType\":\"S\"}],"
                        "\"KeySchema\":[{\"AttributeName\":\"ORDER_ID\",\"KeyType\":\"HASH\"}],"
                        "\"BillingMode\":\"PAY_PER_REQUEST\"}");
    json_decref(r);
    struct sl_ddb_writer_conf conf;
    static struct sl_aws_creds creds;
    tutorial_conf(&conf, &creds);
    char why[1024];
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, why, sizeof(why));
    assert_non_null(w);
    struct sl_sink_rec rec = {.topic = "other",
                              .key = "k",
                              .key_len = 1,
                              .value = "{\"ORDER_ID\":1,\"SITE_ID\":2}",
                              .value_len = 26};
    assert_int_equal(sl_ddb_writer_put(w, &rec, why, sizeof(why)), SL_ERR_CONF);
    if (!strstr(why, "table kafka_other has key schema HASH ORDER_ID (S) but the sink "
                     "writes HASH ORDER_ID (N), RANGE SITE_ID (N)"))
        fail_msg("error: %s", why);
    /* Nothing was taken, nothing is committable. */
    int64_t next;
    assert_int_equal(sl_ddb_writer_committable(w, "other", 0, &next), SL_ERR_NOTFOUND);
    sl_ddb_writer_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_rows),
        cmocka_unit_test(test_key_schema_mismatch),
    };
    return cmocka_run_group_tests(tests, sl_test_dynalite_group_setup,
                                  sl_test_dynalite_group_teardown);
}
