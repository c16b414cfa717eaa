/* SPDX-License-Identifier: Apache-2.0 */
/* The DynamoDB writer: converts records, batches them (batch.c), sends BatchWriteItem calls
 * through the curl multi client (ddb.c), retries throttling/5xx/UnprocessedItems with capped
 * full-jitter backoff, isolates a ValidationException to the record by re-sending the batch
 * as single PutItem/DeleteItem calls, and advances committable offsets only as DynamoDB
 * accepts items. */
#include "sink/writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/creds.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"

struct table_state {
    char name[SL_SINK_NAME_MAX];
};

struct sl_ddb_writer {
    struct sl_ddb_writer_conf conf;
    struct sl_ddb *ddb;
    struct sl_sink_batcher *bat;
    struct sl_sink_tracker *trk;
    struct sl_sink_item item; /* scratch */
    struct sl_sink_item del;  /* scratch: delete of an updated item's old key */
    struct table_state *tables;
    size_t n_tables;
    /* Batches taken from the batcher and not finished: sending, waiting or backing off. */
    struct sl_sink_batch **active;
    size_t n_active, cap_active;
    int sending;        /* batch-mode requests in flight */
    size_t batch_items; /* requests per full batch */
    sl_err_t fatal;
    bool closing;
    char fatal_str[1024];
    struct sl_ddb_writer_stats st;
};

/* One request's context, freed by its callback. */
struct call {
    struct sl_ddb_writer *w;
    struct sl_sink_batch *b;
    int idx; /* -1 = the whole batch */
};

static void set_fatal(struct sl_ddb_writer *w, sl_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_fatal(struct sl_ddb_writer *w, sl_err_t err, const char *fmt, ...)
{
    if (w->fatal)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->fatal_str, sizeof(w->fatal_str), fmt, ap);
    va_end(ap);
    w->fatal = err;
    sl_log(SL_LOG_ERROR, "DDB", "%s", w->fatal_str);
}

struct sl_ddb_writer *sl_ddb_writer_new(const struct sl_ddb_writer_conf *conf, char *errstr,
                                        size_t errstr_size)
{
    if (conf->item.hash.kind == SL_SINK_PK_NONE) {
        snprintf(errstr, errstr_size, "aws.dynamodb.pk.hash must not be empty");
        return NULL;
    }
    struct sl_ddb *ddb = sl_ddb_new(&conf->ddb, errstr, errstr_size);
    if (!ddb)
        return NULL;
    struct sl_ddb_writer *w = sl_xcalloc(1, sizeof(*w));
    w->conf = *conf;
    w->ddb = ddb;
    if (w->conf.max_inflight_batches <= 0)
        w->conf.max_inflight_batches = 4;
    if (w->conf.max_pending_items == 0)
        w->conf.max_pending_items = 10000;
    if (w->conf.max_pending_bytes == 0)
        w->conf.max_pending_bytes = (size_t)64 << 20;
    if (w->conf.max_retry_ms <= 0)
        w->conf.max_retry_ms = 300000;
    if (w->conf.backoff_base_ms <= 0)
        w->conf.backoff_base_ms = 50;
    if (w->conf.backoff_cap_ms <= 0)
        w->conf.backoff_cap_ms = 20000;
    w->bat = sl_sink_batcher_new(conf->batch_size);
    w->batch_items = conf->batch_size && conf->batch_size < SL_SINK_BATCH_MAX_ITEMS
                         ? conf->batch_size
                         : SL_SINK_BATCH_MAX_ITEMS;
    w->trk = sl_sink_tracker_new();
    sl_sink_item_init(&w->item);
    sl_sink_item_init(&w->del);
    return w;
}

void sl_ddb_writer_free(struct sl_ddb_writer *w)
{
    if (!w)
        return;
    /* Requests in flight are cancelled first, while their batches still exist. */
    w->closing = true;
    sl_ddb_free(w->ddb);
    sl_sink_batcher_free(w->bat);
    sl_sink_tracker_free(w->trk);
    sl_sink_item_fini(&w->item);
    sl_sink_item_fini(&w->del);
    sl_free(w->tables);
    sl_free(w->active);
    sl_free(w);
}

/* ---- Tables ---- */

static sl_err_t ensure_table(struct sl_ddb_writer *w, const struct sl_sink_item *item, char *errstr,
                             size_t errstr_size)
{
    for (size_t i = 0; i < w->n_tables; i++) {
        if (strcmp(w->tables[i].name, item->table) == 0)
            return SL_OK;
    }
    struct sl_ddb_keyschema want;
    memset(&want, 0, sizeof(want));
    snprintf(want.hash, sizeof(want.hash), "%s", w->conf.item.hash.name);
    want.hash_type = item->hash_type;
    if (w->conf.item.sort.kind) {
        snprintf(want.sort, sizeof(want.sort), "%s", w->conf.item.sort.name);
        want.sort_type = item->sort_type;
    }
    sl_err_t err =
        sl_ddb_table_ensure(w->ddb, item->table, &want, &w->conf.table, errstr, errstr_size);
    if (err)
        return err;
    w->tables = sl_xrealloc(w->tables, (w->n_tables + 1) * sizeof(*w->tables));
    snprintf(w->tables[w->n_tables++].name, SL_SINK_NAME_MAX, "%s", item->table);
    sl_log(SL_LOG_INFO, "DDB", "table %s ready", item->table);
    return SL_OK;
}

/* ---- Put ---- */

sl_err_t sl_ddb_writer_put(struct sl_ddb_writer *w, const struct sl_sink_rec *rec, char *errstr,
                           size_t errstr_size)
{
    if (w->fatal) {
        snprintf(errstr, errstr_size, "%s", w->fatal_str);
        return w->fatal;
    }
    if (sl_sink_batcher_items(w->bat) >= w->conf.max_pending_items ||
        sl_sink_batcher_bytes(w->bat) >= w->conf.max_pending_bytes)
        return SL_ERR_AGAIN;
    sl_err_t err = sl_sink_item_convert(&w->conf.item, rec, &w->item, errstr, errstr_size);
    if (err) {
        w->st.invalid++;
        sl_sink_tracker_done(w->trk,
                             sl_sink_tracker_add(w->trk, rec->topic, rec->partition, rec->offset));
        return SL_ERR_INVALID;
    }
    if (w->item.op == SL_SINK_OP_SKIP) {
        w->st.skipped++;
        sl_sink_tracker_done(w->trk,
                             sl_sink_tracker_add(w->trk, rec->topic, rec->partition, rec->offset));
        return SL_OK;
    }
    err = ensure_table(w, &w->item, errstr, errstr_size);
    if (err)
        return err;
    if (w->item.op == SL_SINK_OP_PUT)
        w->st.puts++;
    else
        w->st.deletes++;
    if (w->item.op == SL_SINK_OP_PUT && w->item.old_key.len > 0) {
        /* An update moved the row to another DynamoDB key: delete the old item, then put
         * the new one. The delete's ticket stands for "everything before this record", so
         * the record's offset is committed only once the put is written too. */
        w->del.op = SL_SINK_OP_DELETE;
        snprintf(w->del.table, sizeof(w->del.table), "%s", w->item.table);
        sl_buf_reset(&w->del.key);
        sl_buf_reset(&w->del.item);
        err = sl_buf_add(&w->del.key, w->item.old_key.data, w->item.old_key.len);
        if (err) {
            snprintf(errstr, errstr_size, "old key of an updated item: %s", sl_err_str(err));
            return err;
        }
        w->del.size = w->item.old_size;
        w->del.hash_type = w->item.hash_type;
        w->del.sort_type = w->item.sort_type;
        w->st.deletes++;
        struct sl_sink_ticket dt =
            sl_sink_tracker_add(w->trk, rec->topic, rec->partition, rec->offset - 1);
        sl_sink_batcher_add(w->bat, &w->del, rec, dt);
    }
    struct sl_sink_ticket t = sl_sink_tracker_add(w->trk, rec->topic, rec->partition, rec->offset);
    sl_sink_batcher_add(w->bat, &w->item, rec, t);
    return SL_OK;
}

/* ---- Batch bookkeeping ---- */

static void entry_finish(struct sl_ddb_writer *w, struct sl_sink_entry *e)
{
    e->done = true;
    for (size_t i = 0; i < e->n_tickets; i++)
        sl_sink_tracker_done(w->trk, e->tickets[i]);
}

static void entry_reject(struct sl_ddb_writer *w, struct sl_sink_entry *e,
                         const struct sl_ddb_resp *resp)
{
    char reason[700];
    snprintf(reason, sizeof(reason), "DynamoDB %s: %s", resp->type, resp->message);
    w->st.rejected++;
    sl_log(SL_LOG_WARN, "DDB", "%s[%d]@%lld table %s: item refused: %s", e->topic,
           (int)e->partition, (long long)e->offset, e->table, reason);
    if (w->conf.on_fail) {
        struct sl_ddb_failure f = {.topic = e->topic,
                                   .partition = e->partition,
                                   .offset = e->offset,
                                   .table = e->table,
                                   .reason = reason,
                                   .item = e->item ? e->item : e->key};
        w->conf.on_fail(&f, w->conf.opaque);
    }
    entry_finish(w, e);
}

static bool batch_complete(const struct sl_sink_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!b->ent[i].done)
            return false;
    }
    return true;
}

static void active_remove(struct sl_ddb_writer *w, struct sl_sink_batch *b)
{
    for (size_t i = 0; i < w->n_active; i++) {
        if (w->active[i] == b) {
            w->active[i] = w->active[--w->n_active];
            return;
        }
    }
}

static void batch_done_or_retry(struct sl_ddb_writer *w, struct sl_sink_batch *b,
                                const struct sl_ddb_resp *resp)
{
    if (b->outstanding > 0)
        return;
    if (batch_complete(b)) {
        active_remove(w, b);
        sl_sink_batcher_finish(w->bat, b);
        return;
    }
    int64_t now = sl_time_mono_ms();
    if (now - b->first_ms > w->conf.max_retry_ms) {
        set_fatal(w, resp && resp->cls == SL_DDB_AUTH ? SL_ERR_AUTH : SL_ERR_UPSTREAM,
                  "DynamoDB write of %s[%d]@%lld (table %s) still failing after %ld ms: "
                  "%s: %s",
                  b->ent[0].topic, (int)b->ent[0].partition, (long long)b->ent[0].offset,
                  b->ent[0].table, w->conf.max_retry_ms, resp ? resp->type : "?",
                  resp ? resp->message : "?");
        return;
    }
    b->attempt++;
    w->st.retries++;
    b->next_ms =
        now + sl_ddb_backoff_ms(b->attempt, w->conf.backoff_base_ms, w->conf.backoff_cap_ms);
}

/* Handles a retriable or unexpected failure class of one call. Returns true when the entry
 * or batch should be retried. */
static bool retriable(struct sl_ddb_writer *w, const struct sl_ddb_resp *resp)
{
    switch (resp->cls) {
    case SL_DDB_THROTTLED:
        w->st.throttled++;
        return true;
    case SL_DDB_TRANSIENT:
    case SL_DDB_NOTFOUND: /* table just created, or recreated: wait */
        return true;
    case SL_DDB_AUTH:
        if (w->conf.ddb.prov)
            sl_aws_provider_invalidate(w->conf.ddb.prov);
        return true;
    default:
        return false;
    }
}

/* Marks entries listed in UnprocessedItems as still to do; everything else is finished. */
static void apply_unprocessed(struct sl_ddb_writer *w, struct sl_sink_batch *b,
                              const struct sl_ddb_resp *resp)
{
    /* The usual answer, {"UnprocessedItems":{}}, lists no PutRequest or DeleteRequest (nor
     * an escape that could spell one): everything is finished, no need to parse it. */
    if (strlen(resp->body) == resp->body_len && !strchr(resp->body, '\\') &&
        !strstr(resp->body, "Request")) {
        for (size_t k = 0; k < b->n; k++) {
            if (!b->ent[k].done)
                entry_finish(w, &b->ent[k]);
        }
        return;
    }
    bool *unproc = sl_xcalloc(b->n, sizeof(bool));
    json_error_t jerr;
    json_t *root = json_loadb(resp->body, resp->body_len, 0, &jerr);
    json_t *un = json_object_get(root, "UnprocessedItems");
    const char *tname;
    json_t *reqs;
    size_t n_un = 0;
    json_object_foreach(un, tname, reqs)
    {
        size_t i;
        json_t *r;
        json_array_foreach(reqs, i, r)
        {
            json_t *key = NULL;
            json_t *put = json_object_get(r, "PutRequest");
            if (put) {
                json_t *itm = json_object_get(put, "Item");
                key = json_object();
                json_t *hv = json_object_get(itm, w->conf.item.hash.name);
                if (hv)
                    json_object_set(key, w->conf.item.hash.name, hv);
                if (w->conf.item.sort.kind) {
                    json_t *sv = json_object_get(itm, w->conf.item.sort.name);
                    if (sv)
                        json_object_set(key, w->conf.item.sort.name, sv);
                }
            } else {
                key = json_incref(json_object_get(json_object_get(r, "DeleteRequest"), "Key"));
            }
            for (size_t k = 0; key && k < b->n; k++) {
                if (b->ent[k].done || unproc[k] || strcmp(b->ent[k].table, tname) != 0)
                    continue;
                json_t *mine = json_loads(b->ent[k].key, 0, &jerr);
                bool eq = mine && json_equal(mine, key);
                json_decref(mine);
                if (eq) {
                    unproc[k] = true;
                    n_un++;
                    break;
                }
            }
            json_decref(key);
        }
    }
    json_decref(root);
    for (size_t k = 0; k < b->n; k++) {
        if (!b->ent[k].done && !unproc[k])
            entry_finish(w, &b->ent[k]);
    }
    w->st.unprocessed += n_un;
    sl_free(unproc);
}

/* Thread: sink thread (libcurl completion via sl_ddb_poll). */
static void on_batch(const struct sl_ddb_resp *resp, void *opaque)
{
    struct call *c = opaque;
    struct sl_ddb_writer *w = c->w;
    struct sl_sink_batch *b = c->b;
    int idx = c->idx;
    sl_free(c);
    if (w->closing)
        return;
    b->outstanding--;
    if (idx < 0) {
        w->sending--;
        if (resp->cls == SL_DDB_OK) {
            apply_unprocessed(w, b, resp);
        } else if (resp->cls == SL_DDB_INVALID) {
            /* Something in the batch is bad: find it with one call per item. */
            size_t left = 0, last = 0;
            for (size_t k = 0; k < b->n; k++) {
                if (!b->ent[k].done) {
                    left++;
                    last = k;
                }
            }
            if (left == 1) {
                entry_reject(w, &b->ent[last], resp);
            } else {
                b->single = true;
                b->next_ms = 0;
                return;
            }
        } else if (!retriable(w, resp)) {
            set_fatal(w, SL_ERR_UPSTREAM, "BatchWriteItem for table %s failed: HTTP %ld %s: %s",
                      b->ent[0].table, resp->status, resp->type, resp->message);
            return;
        } else {
            sl_log(SL_LOG_DEBUG, "DDB", "BatchWriteItem: %s %s, retrying", resp->type,
                   resp->message);
        }
    } else {
        struct sl_sink_entry *e = &b->ent[idx];
        e->busy = false;
        if (resp->cls == SL_DDB_OK) {
            entry_finish(w, e);
        } else if (resp->cls == SL_DDB_INVALID || resp->cls == SL_DDB_CONDITION) {
            entry_reject(w, e, resp);
        } else if (!retriable(w, resp)) {
            set_fatal(w, SL_ERR_UPSTREAM, "write to table %s failed: HTTP %ld %s: %s", e->table,
                      resp->status, resp->type, resp->message);
            return;
        } else {
            b->next_ms =
                sl_time_mono_ms() +
                sl_ddb_backoff_ms(b->attempt + 1, w->conf.backoff_base_ms, w->conf.backoff_cap_ms);
        }
    }
    batch_done_or_retry(w, b, resp);
}

static sl_err_t send_batch(struct sl_ddb_writer *w, struct sl_sink_batch *b)
{
    char errstr[512];
    struct sl_buf body;
    sl_buf_init(&body, SL_SINK_BATCH_MAX_BYTES + 65536);
    sl_err_t err = SL_OK;
    if (!b->single) {
        sl_buf_reserve(&body, b->bytes + 64); /* one allocation, not one per doubling */
        sl_buf_addstr(&body, "{\"RequestItems\":{");
        bool first_table = true;
        for (size_t i = 0; i < b->n; i++) {
            if (b->ent[i].done)
                continue;
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++)
                seen = !b->ent[j].done && strcmp(b->ent[j].table, b->ent[i].table) == 0;
            if (seen)
                continue;
            if (!first_table)
                sl_buf_addch(&body, ',');
            first_table = false;
            sl_json_str(&body, b->ent[i].table, strlen(b->ent[i].table));
            sl_buf_addstr(&body, ":[");
            bool first = true;
            for (size_t j = i; j < b->n; j++) {
                if (b->ent[j].done || strcmp(b->ent[j].table, b->ent[i].table) != 0)
                    continue;
                if (!first)
                    sl_buf_addch(&body, ',');
                first = false;
                sl_buf_add(&body, b->ent[j].req, b->ent[j].req_len);
            }
            sl_buf_addch(&body, ']');
        }
        err = sl_buf_addstr(&body, "}}");
        struct call *c = sl_xmalloc(sizeof(*c));
        *c = (struct call){.w = w, .b = b, .idx = -1};
        err = err ? err
                  : sl_ddb_send(w->ddb, "BatchWriteItem", body.data, body.len, on_batch, c, errstr,
                                sizeof(errstr));
        if (err) {
            sl_free(c);
        } else {
            b->outstanding++;
            w->sending++;
            w->st.requests++;
        }
    } else {
        for (size_t i = 0; i < b->n && !err; i++) {
            struct sl_sink_entry *e = &b->ent[i];
            if (e->done || e->busy)
                continue;
            sl_buf_reset(&body);
            sl_buf_addstr(&body, "{\"TableName\":");
            sl_json_str(&body, e->table, strlen(e->table));
            sl_buf_addstr(&body, e->item ? ",\"Item\":" : ",\"Key\":");
            sl_buf_addstr(&body, e->item ? e->item : e->key);
            err = sl_buf_addch(&body, '}');
            struct call *c = sl_xmalloc(sizeof(*c));
            *c = (struct call){.w = w, .b = b, .idx = (int)i};
            err = err ? err
                      : sl_ddb_send(w->ddb, e->item ? "PutItem" : "DeleteItem", body.data, body.len,
                                    on_batch, c, errstr, sizeof(errstr));
            if (err) {
                sl_free(c);
            } else {
                e->busy = true;
                b->outstanding++;
                w->st.requests++;
            }
        }
    }
    sl_buf_fini(&body);
    if (err == SL_ERR_AUTH)
        set_fatal(w, SL_ERR_AUTH, "DynamoDB credentials: %s", errstr);
    return err;
}

/* Whether one more batch may start: a connection is free and the items of the batches
 * taken (in flight or backing off) leave room for a full batch within
 * max_inflight_batches full batches. The bound is on items, not requests, so at modest
 * rates a small batch goes out at once beside the others instead of waiting for one of
 * them to finish (a round trip, and under CPU load a scheduling delay of the sink thread
 * and of DynamoDB), while a backlog still fills the open batch up to a full one. */
static bool room_for_batch(const struct sl_ddb_writer *w)
{
    if (sl_ddb_full(w->ddb))
        return false;
    size_t items = 0;
    for (size_t i = 0; i < w->n_active; i++)
        items += w->active[i]->n;
    return items + w->batch_items <= (size_t)w->conf.max_inflight_batches * w->batch_items;
}

/* Sends what is due: retries whose backoff expired, then new batches. */
static void pump(struct sl_ddb_writer *w)
{
    if (w->fatal)
        return;
    int64_t now = sl_time_mono_ms();
    for (size_t i = 0; i < w->n_active && !sl_ddb_full(w->ddb); i++) {
        struct sl_sink_batch *b = w->active[i];
        bool can = b->single ? true : b->outstanding == 0;
        if (can && b->next_ms <= now && !batch_complete(b)) {
            if (b->single || b->outstanding == 0)
                send_batch(w, b);
        }
    }
    /* Seal the open batch only when it would leave now (room for it, no sealed batch ahead
     * of it): idle -> send at once, busy -> records keep accumulating into full batches
     * rather than being cut short each time a request finishes. */
    if (room_for_batch(w) && sl_sink_batcher_sealed(w->bat) == 0)
        sl_sink_batcher_seal(w->bat);
    while (!w->fatal && room_for_batch(w)) {
        struct sl_sink_batch *b = sl_sink_batcher_take(w->bat);
        if (!b)
            break;
        b->first_ms = now;
        b->next_ms = now;
        if (w->n_active == w->cap_active) {
            w->cap_active = w->cap_active ? w->cap_active * 2 : 8;
            w->active = sl_xrealloc(w->active, w->cap_active * sizeof(*w->active));
        }
        w->active[w->n_active++] = b;
        send_batch(w, b);
    }
}

static int64_t next_due(const struct sl_ddb_writer *w)
{
    int64_t due = INT64_MAX;
    for (size_t i = 0; i < w->n_active; i++) {
        const struct sl_sink_batch *b = w->active[i];
        if ((b->outstanding == 0 || b->single) && !batch_complete(b) && b->next_ms < due)
            due = b->next_ms;
    }
    return due;
}

sl_err_t sl_ddb_writer_poll(struct sl_ddb_writer *w, int timeout_ms)
{
    pump(w);
    if (w->fatal)
        return w->fatal;
    int64_t now = sl_time_mono_ms();
    int64_t due = next_due(w);
    int wait = timeout_ms;
    if (due != INT64_MAX && due - now < wait)
        wait = due > now ? (int)(due - now) : 0;
    if (sl_ddb_inflight(w->ddb) > 0) {
        sl_ddb_poll(w->ddb, wait);
    } else if (wait > 0 && due != INT64_MAX) {
        struct timespec ts = {wait / 1000, (long)(wait % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    pump(w);
    return w->fatal;
}

sl_err_t sl_ddb_writer_flush(struct sl_ddb_writer *w, int timeout_ms)
{
    int64_t deadline = sl_time_mono_ms() + timeout_ms;
    sl_sink_batcher_seal(w->bat);
    while (sl_sink_batcher_items(w->bat) > 0) {
        sl_err_t err = sl_ddb_writer_poll(w, 50);
        if (err)
            return err;
        sl_sink_batcher_seal(w->bat);
        if (sl_time_mono_ms() > deadline)
            return SL_ERR_AGAIN;
    }
    return SL_OK;
}

sl_err_t sl_ddb_writer_committable(const struct sl_ddb_writer *w, const char *topic,
                                   int32_t partition, int64_t *next_offset)
{
    return sl_sink_tracker_committable(w->trk, topic, partition, next_offset);
}

void sl_ddb_writer_offsets(const struct sl_ddb_writer *w, sl_sink_offset_fn *fn, void *opaque)
{
    sl_sink_tracker_foreach(w->trk, fn, opaque);
}

void sl_ddb_writer_forget(struct sl_ddb_writer *w, const char *topic, int32_t partition)
{
    sl_sink_tracker_forget(w->trk, topic, partition);
}

/* A dropped entry counts as finished: its tickets of forgotten partitions are ignored, and
 * tickets of other partitions merged into it are superseded by the newer record it carries,
 * which the new owner of that record's partition writes. */
static void drop_entry(struct sl_sink_entry *e, void *opaque)
{
    entry_finish(opaque, e);
}

/* Drops the unfinished entries of topic/partition in taken batches that are not on the wire;
 * returns how many are on the wire. */
static size_t drop_active(struct sl_ddb_writer *w, const char *topic, int32_t partition)
{
    size_t flying = 0;
    for (size_t i = 0; i < w->n_active;) {
        struct sl_sink_batch *b = w->active[i];
        for (size_t k = 0; k < b->n; k++) {
            struct sl_sink_entry *e = &b->ent[k];
            if (e->done || e->partition != partition || strcmp(e->topic, topic) != 0)
                continue;
            /* A batch request carries all its unfinished entries; single requests one each. */
            if (b->single ? e->busy : b->outstanding > 0)
                flying++;
            else
                entry_finish(w, e);
        }
        if (b->outstanding == 0 && batch_complete(b)) {
            active_remove(w, b); /* moves the last batch into slot i */
            sl_sink_batcher_finish(w->bat, b);
            continue;
        }
        i++;
    }
    return flying;
}

sl_err_t sl_ddb_writer_drop(struct sl_ddb_writer *w, const struct sl_ddb_tp *tps, size_t n)
{
    /* Every request ends within the request timeout, answered or failed. */
    long wait_ms = (w->conf.ddb.timeout_ms > 0 ? w->conf.ddb.timeout_ms : 30000) + 1000;
    int64_t deadline = sl_time_mono_ms() + wait_ms;
    size_t dropped = 0;
    for (;;) {
        size_t flying = 0;
        for (size_t i = 0; i < n; i++) {
            dropped += sl_sink_batcher_drop(w->bat, tps[i].topic, tps[i].partition, drop_entry, w);
            flying += drop_active(w, tps[i].topic, tps[i].partition);
        }
        if (flying == 0) {
            if (dropped)
                sl_log(SL_LOG_INFO, "DDB",
                       "%zu unfinished write(s) of revoked partitions dropped; their new owner "
                       "writes them",
                       dropped);
            return w->fatal;
        }
        if (w->fatal)
            return w->fatal;
        if (sl_time_mono_ms() >= deadline) {
            sl_log(SL_LOG_WARN, "DDB",
                   "%zu write(s) of revoked partitions still unanswered after %ld ms; they may "
                   "land after their new owner's writes",
                   flying, wait_ms);
            return SL_ERR_AGAIN;
        }
        /* A retry sent during this wait is still on the wire before the call returns. */
        sl_err_t err = sl_ddb_writer_poll(w, 50);
        if (err)
            return err;
    }
}

const char *sl_ddb_writer_error(const struct sl_ddb_writer *w)
{
    return w->fatal ? w->fatal_str : "";
}

void sl_ddb_writer_stats(const struct sl_ddb_writer *w, struct sl_ddb_writer_stats *st)
{
    *st = w->st;
    st->pending_items = sl_sink_batcher_items(w->bat);
    st->pending_bytes = sl_sink_batcher_bytes(w->bat);
}
