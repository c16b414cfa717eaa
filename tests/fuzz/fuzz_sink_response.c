/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the DynamoDB sink's handling of DynamoDB responses: BatchWriteItem
 * replies (UnprocessedItems matched back to records, per-item fallback after a
 * ValidationException, throttling/5xx retries, fatal errors) through the real writer, and
 * DescribeTable replies through sl_ddb_table_describe. The HTTP client (ddb.c) is replaced by
 * stubs in this file that answer each request from the fuzz input, so no network is used.
 * Input: byte 0 = mode (even: writer, odd: DescribeTable) ; byte 1 = records (1-40) and
 * flags; then NUL-separated replies, each = class byte (sl_ddb_class_t) + JSON body. When the
 * replies run out every request succeeds with "{}", so a flush must finish, and then every
 * record must be committable (written or refused, never lost). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sink/ddb.h"
#include "sink/table.h"
#include "sink/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_REPLIES 64
#define MAX_PENDING 64

static struct {
    const char *body[MAX_REPLIES];
    size_t len[MAX_REPLIES];
    uint8_t cls[MAX_REPLIES];
    size_t n, next;
} replies;

/* DescribeTable answer for the writer's table check, or NULL to answer from the input. */
static const char *canned_describe;

struct pending {
    sl_ddb_done_fn *done;
    void *opaque;
};

/* The stub client: requests wait in pending until sl_ddb_poll answers them. */
struct sl_ddb {
    struct pending pending[MAX_PENDING];
    int n;
};

static const char *const class_types[] = {
    "",
    "ProvisionedThroughputExceededException",
    "InternalServerError",
    "ValidationException",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "ConditionalCheckFailedException",
    "UnrecognizedClientException",
    "AccessDeniedException",
};

/* Fills resp from the next reply; "{}" and OK once the replies are used up. */
static void next_reply(struct sl_ddb_resp *resp, const char **body, size_t *len)
{
    memset(resp, 0, sizeof(*resp));
    if (replies.next >= replies.n) {
        resp->cls = SL_DDB_OK;
        resp->status = 200;
        *body = "{}";
        *len = 2;
    } else {
        size_t i = replies.next++;
        resp->cls = (sl_ddb_class_t)(replies.cls[i] % 9);
        resp->status = resp->cls == SL_DDB_OK ? 200 : resp->cls == SL_DDB_TRANSIENT ? 500 : 400;
        *body = replies.body[i];
        *len = replies.len[i];
    }
    snprintf(resp->type, sizeof(resp->type), "%s", class_types[resp->cls]);
    snprintf(resp->message, sizeof(resp->message), "%.*s", (int)(*len < 100 ? *len : 100), *body);
}

struct sl_ddb *sl_ddb_new(const struct sl_ddb_conf *conf, char *errstr, size_t errstr_size)
{
    (void)conf;
    (void)errstr;
    (void)errstr_size;
    return sl_xcalloc(1, sizeof(struct sl_ddb));
}

void sl_ddb_free(struct sl_ddb *ddb)
{
    if (!ddb)
        return;
    struct sl_ddb_resp resp;
    memset(&resp, 0, sizeof(resp));
    resp.cls = SL_DDB_TRANSIENT;
    snprintf(resp.type, sizeof(resp.type), "cancelled");
    resp.body = "";
    for (int i = 0; i < ddb->n; i++)
        ddb->pending[i].done(&resp, ddb->pending[i].opaque);
    sl_free(ddb);
}

sl_err_t sl_ddb_send(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                     sl_ddb_done_fn *done, void *opaque, char *errstr, size_t errstr_size)
{
    (void)op;
    (void)body;
    (void)len;
    (void)errstr;
    (void)errstr_size;
    if (ddb->n >= MAX_PENDING)
        return SL_ERR_AGAIN;
    ddb->pending[ddb->n++] = (struct pending){done, opaque};
    return SL_OK;
}

int sl_ddb_inflight(const struct sl_ddb *ddb)
{
    return ddb->n;
}

bool sl_ddb_full(const struct sl_ddb *ddb)
{
    return ddb->n >= 8;
}

sl_err_t sl_ddb_poll(struct sl_ddb *ddb, int timeout_ms)
{
    (void)timeout_ms;
    /* Callbacks may send again; answer only what was pending on entry. */
    struct pending now[MAX_PENDING];
    int n = ddb->n;
    memcpy(now, ddb->pending, sizeof(now[0]) * (size_t)n);
    ddb->n = 0;
    for (int i = 0; i < n; i++) {
        struct sl_ddb_resp resp;
        const char *body;
        size_t len;
        next_reply(&resp, &body, &len);
        /* The real client hands over a NUL-terminated copy of the body. */
        char *copy = sl_xmalloc(len + 1);
        memcpy(copy, body, len);
        copy[len] = '\0';
        resp.body = copy;
        resp.body_len = len;
        now[i].done(&resp, now[i].opaque);
        sl_free(copy);
    }
    return SL_OK;
}

sl_err_t sl_ddb_call(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                     struct sl_buf *out, struct sl_ddb_resp *resp, char *errstr, size_t errstr_size)
{
    (void)ddb;
    (void)op;
    (void)body;
    (void)len;
    (void)errstr;
    (void)errstr_size;
    const char *rb;
    size_t rlen;
    if (canned_describe) {
        /* Writer mode: the table exists with the key schema the writer wants, so the fuzz
         * replies all go to the data-plane calls (and nothing waits for ACTIVE). */
        memset(resp, 0, sizeof(*resp));
        resp->status = 200;
        rb = canned_describe;
        rlen = strlen(rb);
    } else {
        next_reply(resp, &rb, &rlen);
    }
    sl_buf_reset(out);
    if (sl_buf_add(out, rb, rlen))
        sl_buf_reset(out);
    resp->body = sl_buf_cstr(out);
    resp->body_len = out->len;
    return SL_OK;
}

sl_ddb_class_t sl_ddb_classify(long status, const char *type)
{
    (void)type;
    return status == 200 ? SL_DDB_OK : SL_DDB_FATAL;
}

const char *sl_ddb_class_name(sl_ddb_class_t cls)
{
    return class_types[cls % 9];
}

long sl_ddb_backoff_ms(int attempt, long base_ms, long cap_ms)
{
    (void)attempt;
    (void)base_ms;
    (void)cap_ms;
    return 0; /* no waiting in the fuzzer */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sl_log_level_cur = -1; /* fatal writer errors are expected here; keep stderr quiet */
    return 0;
}

static int n_failed;

static void on_fail(const struct sl_ddb_failure *f, void *opaque)
{
    (void)opaque;
    if (!f->topic || !f->table || !f->reason || !f->item)
        abort();
    n_failed++;
}

static void run_describe(void)
{
    struct sl_ddb *ddb = sl_ddb_new(NULL, NULL, 0);
    struct sl_ddb_keyschema ks;
    char status[64], errstr[512], text[600];
    memset(errstr, 'x', sizeof(errstr));
    sl_err_t err = sl_ddb_table_describe(ddb, "fuzz_table", &ks, status, sizeof(status), errstr,
                                         sizeof(errstr));
    if (err) {
        if (memchr(errstr, '\0', sizeof(errstr)) == NULL || errstr[0] == '\0')
            abort();
    } else {
        if (memchr(status, '\0', sizeof(status)) == NULL ||
            memchr(ks.hash, '\0', sizeof(ks.hash)) == NULL ||
            memchr(ks.sort, '\0', sizeof(ks.sort)) == NULL)
            abort();
        sl_ddb_keyschema_str(&ks, text, sizeof(text));
    }
    sl_ddb_free(ddb);
}

static void run_writer(uint8_t flags)
{
    struct sl_ddb_writer_conf conf;
    char errstr[512];
    memset(&conf, 0, sizeof(conf));
    sl_sink_item_conf_defaults(&conf.item);
    conf.item.key_conv.schemas_enable = false;
    conf.item.value_conv.schemas_enable = false;
    conf.item.delete_enabled = true;
    if (sl_sink_pk_parse("key.id", &conf.item.hash, errstr, sizeof(errstr)) ||
        sl_sink_pk_parse((flags & 0x80) ? "value.s" : "", &conf.item.sort, errstr, sizeof(errstr)))
        abort();
    conf.ddb.region = "us-east-1";
    conf.batch_size = (flags & 0x40) ? 3 : 25;
    conf.on_fail = on_fail;
    struct sl_ddb_writer *w = sl_ddb_writer_new(&conf, errstr, sizeof(errstr));
    if (!w)
        abort();
    int nrec = 1 + (flags & 0x3f) % 40;
    static const char *const topics[2] = {"fuzz_a", "fuzz_b"};
    int64_t next_off[2] = {0, 0};
    bool stopped = false;
    n_failed = 0;
    for (int i = 0; i < nrec && !stopped; i++) {
        int t = (flags & 0x80) ? i % 2 : 0;
        char key[64], value[128];
        snprintf(key, sizeof(key), "{\"id\":%d}", i % 7);
        snprintf(value, sizeof(value), "{\"id\":%d,\"s\":\"r%d\",\"n\":%d.5}", i % 7, i % 3, i);
        bool tomb = i % 5 == 4;
        struct sl_sink_rec rec = {.topic = topics[t],
                                  .partition = 0,
                                  .offset = next_off[t]++,
                                  .key = key,
                                  .key_len = strlen(key),
                                  .value = tomb ? NULL : value,
                                  .value_len = tomb ? 0 : strlen(value)};
        for (;;) {
            sl_err_t err = sl_ddb_writer_put(w, &rec, errstr, sizeof(errstr));
            if (err == SL_ERR_AGAIN) {
                if (sl_ddb_writer_poll(w, 0))
                    stopped = true;
                if (!stopped)
                    continue;
            } else if (err && err != SL_ERR_INVALID) {
                stopped = true;
            }
            break;
        }
    }
    sl_err_t err = stopped ? SL_ERR_UPSTREAM : sl_ddb_writer_flush(w, 5000);
    if (err == SL_OK) {
        /* Replies ran out into successes: everything is finished, nothing is lost. */
        for (int t = 0; t < 2; t++) {
            int64_t next = -1;
            if (next_off[t] == 0)
                continue;
            if (sl_ddb_writer_committable(w, topics[t], 0, &next) || next != next_off[t])
                abort();
        }
        if (sl_ddb_writer_error(w)[0] != '\0')
            abort();
    } else if (err != SL_ERR_AGAIN && sl_ddb_writer_error(w)[0] == '\0' && !stopped) {
        abort();
    }
    sl_ddb_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 1 << 20)
        return 0;
    memset(&replies, 0, sizeof(replies));
    const char *p = (const char *)data + 2, *end = (const char *)data + size;
    while (replies.n < MAX_REPLIES && p < end) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        const char *se = nul ? nul : end;
        replies.cls[replies.n] = (uint8_t)*p;
        replies.body[replies.n] = p + 1 <= se ? p + 1 : se;
        replies.len[replies.n] = (size_t)(se - replies.body[replies.n]);
        replies.n++;
        p = nul ? nul + 1 : end;
    }
    if (data[0] & 1) {
        canned_describe = NULL;
        run_describe();
    } else {
        canned_describe =
            (data[1] & 0x80)
                ? "{\"Table\":{\"TableStatus\":\"ACTIVE\",\"KeySchema\":["
                  "{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"},"
                  "{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],"
                  "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"},"
                  "{\"AttributeName\":\"s\",\"AttributeType\":\"S\"}]}}"
                : "{\"Table\":{\"TableStatus\":\"ACTIVE\",\"KeySchema\":["
                  "{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
                  "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"}]}}";
        run_writer(data[1]);
    }
    return 0;
}
