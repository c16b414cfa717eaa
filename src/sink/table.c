/* SPDX-License-Identifier: Apache-2.0 */
/* Table administration: DescribeTable parsing, CreateTable with key types from the first
 * record (Confluent) and the configured billing mode, polling until ACTIVE, and the key
 * schema check that turns a silent ValidationException storm into one clear error. */
#include "sink/table.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/time.h"

void sl_ddb_keyschema_str(const struct sl_ddb_keyschema *ks, char *out, size_t out_size)
{
    if (ks->sort[0])
        snprintf(out, out_size, "HASH %s (%c), RANGE %s (%c)", ks->hash,
                 ks->hash_type ? ks->hash_type : '?', ks->sort,
                 ks->sort_type ? ks->sort_type : '?');
    else
        snprintf(out, out_size, "HASH %s (%c)", ks->hash, ks->hash_type ? ks->hash_type : '?');
}

static char attr_type(json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "AttributeName"));
        const char *t = json_string_value(json_object_get(d, "AttributeType"));
        if (n && t && strcmp(n, name) == 0)
            return t[0];
    }
    return 0;
}

/* A control-plane call, retried on throttling and transient errors with capped full-jitter
 * backoff for up to 60 s (DescribeTable/CreateTable are cheap and idempotent here). */
static sl_err_t call_retry(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                           struct sl_buf *out, struct sl_ddb_resp *resp, char *errstr,
                           size_t errstr_size)
{
    int64_t deadline = sl_time_mono_ms() + 60000;
    for (int attempt = 0;; attempt++) {
        sl_err_t err = sl_ddb_call(ddb, op, body, len, out, resp, errstr, errstr_size);
        if (err)
            return err;
        if (resp->cls != SL_DDB_THROTTLED && resp->cls != SL_DDB_TRANSIENT)
            return SL_OK;
        if (sl_time_mono_ms() > deadline)
            return SL_OK;
        long ms = sl_ddb_backoff_ms(attempt, 50, 2000);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static sl_err_t upstream_error(const char *op, const char *table, const struct sl_ddb_resp *resp,
                               char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "%s %s failed: HTTP %ld %s: %s", op, table, resp->status,
             resp->type, resp->message);
    return resp->cls == SL_DDB_AUTH ? SL_ERR_AUTH : SL_ERR_UPSTREAM;
}

sl_err_t sl_ddb_table_describe(struct sl_ddb *ddb, const char *table, struct sl_ddb_keyschema *ks,
                               char *status, size_t status_size, char *errstr, size_t errstr_size)
{
    struct sl_buf body, out;
    sl_buf_init(&body, 1024);
    sl_buf_init(&out, (size_t)1 << 20);
    sl_buf_addstr(&body, "{\"TableName\":");
    sl_json_str(&body, table, strlen(table));
    sl_buf_addch(&body, '}');
    struct sl_ddb_resp resp;
    sl_err_t err =
        call_retry(ddb, "DescribeTable", body.data, body.len, &out, &resp, errstr, errstr_size);
    json_t *root = NULL;
    if (err)
        goto out;
    if (resp.cls == SL_DDB_NOTFOUND) {
        snprintf(errstr, errstr_size, "table %s does not exist", table);
        err = SL_ERR_NOTFOUND;
        goto out;
    }
    if (resp.cls != SL_DDB_OK) {
        err = upstream_error("DescribeTable", table, &resp, errstr, errstr_size);
        goto out;
    }
    json_error_t jerr;
    root = json_loadb(out.data, out.len, 0, &jerr);
    json_t *t = json_object_get(root, "Table");
    json_t *keys = json_object_get(t, "KeySchema");
    json_t *defs = json_object_get(t, "AttributeDefinitions");
    const char *st = json_string_value(json_object_get(t, "TableStatus"));
    if (!json_is_array(keys) || !st) {
        snprintf(errstr, errstr_size, "DescribeTable %s: unexpected response", table);
        err = SL_ERR_PROTO;
        goto out;
    }
    memset(ks, 0, sizeof(*ks));
    snprintf(status, status_size, "%s", st);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *n = json_string_value(json_object_get(k, "AttributeName"));
        const char *kt = json_string_value(json_object_get(k, "KeyType"));
        if (!n || !kt)
            continue;
        if (strcmp(kt, "HASH") == 0) {
            snprintf(ks->hash, sizeof(ks->hash), "%s", n);
            ks->hash_type = attr_type(defs, n);
        } else if (strcmp(kt, "RANGE") == 0) {
            snprintf(ks->sort, sizeof(ks->sort), "%s", n);
            ks->sort_type = attr_type(defs, n);
        }
    }
out:
    json_decref(root);
    sl_buf_fini(&body);
    sl_buf_fini(&out);
    return err;
}

static sl_err_t create(struct sl_ddb *ddb, const char *table, const struct sl_ddb_keyschema *want,
                       const struct sl_ddb_table_opts *opts, char *errstr, size_t errstr_size)
{
    struct sl_buf body;
    sl_buf_init(&body, 4096);
    sl_buf_addstr(&body, "{\"TableName\":");
    sl_json_str(&body, table, strlen(table));
    sl_buf_addstr(&body, ",\"AttributeDefinitions\":[{\"AttributeName\":");
    sl_json_str(&body, want->hash, strlen(want->hash));
    sl_buf_addf(&body, ",\"AttributeType\":\"%c\"}", want->hash_type);
    if (want->sort[0]) {
        sl_buf_addstr(&body, ",{\"AttributeName\":");
        sl_json_str(&body, want->sort, strlen(want->sort));
        sl_buf_addf(&body, ",\"AttributeType\":\"%c\"}", want->sort_type);
    }
    sl_buf_addstr(&body, "],\"KeySchema\":[{\"AttributeName\":");
    sl_json_str(&body, want->hash, strlen(want->hash));
    sl_buf_addstr(&body, ",\"KeyType\":\"HASH\"}");
    if (want->sort[0]) {
        sl_buf_addstr(&body, ",{\"AttributeName\":");
        sl_json_str(&body, want->sort, strlen(want->sort));
        sl_buf_addstr(&body, ",\"KeyType\":\"RANGE\"}");
    }
    if (opts->pay_per_request)
        sl_buf_addstr(&body, "],\"BillingMode\":\"PAY_PER_REQUEST\"}");
    else
        sl_buf_addf(&body,
                    "],\"BillingMode\":\"PROVISIONED\",\"ProvisionedThroughput\":"
                    "{\"ReadCapacityUnits\":%ld,\"WriteCapacityUnits\":%ld}}",
                    opts->read_capacity > 0 ? opts->read_capacity : 10,
                    opts->write_capacity > 0 ? opts->write_capacity : 10);
    struct sl_ddb_resp resp;
    sl_err_t err =
        call_retry(ddb, "CreateTable", body.data, body.len, NULL, &resp, errstr, errstr_size);
    sl_buf_fini(&body);
    if (err)
        return err;
    /* Another worker may have created it meanwhile: fine, the schema is checked after. */
    if (resp.cls == SL_DDB_OK || resp.cls == SL_DDB_INUSE)
        return SL_OK;
    return upstream_error("CreateTable", table, &resp, errstr, errstr_size);
}

sl_err_t sl_ddb_table_ensure(struct sl_ddb *ddb, const char *table,
                             const struct sl_ddb_keyschema *want,
                             const struct sl_ddb_table_opts *opts, char *errstr, size_t errstr_size)
{
    long wait_ms = opts->wait_ms > 0 ? opts->wait_ms : 60000;
    int64_t deadline = sl_time_mono_ms() + wait_ms;
    bool created = false;
    for (;;) {
        struct sl_ddb_keyschema have;
        char status[32];
        sl_err_t err =
            sl_ddb_table_describe(ddb, table, &have, status, sizeof(status), errstr, errstr_size);
        if (err == SL_ERR_NOTFOUND && !created) {
            if (!opts->create) {
                snprintf(errstr, errstr_size,
                         "table %s does not exist and table auto-creation is off", table);
                return SL_ERR_CONF;
            }
            err = create(ddb, table, want, opts, errstr, errstr_size);
            if (err)
                return err;
            created = true;
            continue;
        }
        if (err && err != SL_ERR_NOTFOUND)
            return err;
        if (!err) {
            bool same = strcmp(have.hash, want->hash) == 0 && have.hash_type == want->hash_type &&
                        strcmp(have.sort, want->sort) == 0 &&
                        (!want->sort[0] || have.sort_type == want->sort_type);
            if (!same) {
                char h[600], w[600];
                sl_ddb_keyschema_str(&have, h, sizeof(h));
                sl_ddb_keyschema_str(want, w, sizeof(w));
                snprintf(errstr, errstr_size,
                         "table %s has key schema %s but the sink writes %s "
                         "(aws.dynamodb.pk.hash/pk.sort and the record's types); "
                         "fix the configuration or use another table",
                         table, h, w);
                return SL_ERR_CONF;
            }
            if (strcmp(status, "ACTIVE") == 0 || strcmp(status, "UPDATING") == 0)
                return SL_OK;
        }
        if (sl_time_mono_ms() > deadline) {
            snprintf(errstr, errstr_size, "table %s did not become ACTIVE within %ld ms", table,
                     wait_ms);
            return SL_ERR_AGAIN;
        }
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
