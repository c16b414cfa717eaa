/* SPDX-License-Identifier: Apache-2.0 */
/* The MySQL source task thread: binlog client -> decoder -> table filter -> converter ->
 * Kafka producer or local bus, with at-least-once source offsets.
 *
 * Checkpoints: every transaction end (XID, COMMIT, or a statement outside a transaction such
 * as DDL) pushes (sequence of the last record handed out so far, position after the event)
 * onto a queue; consecutive checkpoints with no records in between are merged, so the queue
 * never holds more entries than records in flight plus one. When the acknowledged watermark
 * (producer delivery reports, or local-bus acks from the sink) reaches a checkpoint's
 * sequence, its position becomes the safe offset; the safe offset is written to the offsets
 * file every offset.flush.interval.ms and on shutdown. Hence the stored position is always
 * the start of the first transaction not fully acknowledged. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bus/producer.h"
#include "convert/convert.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/time.h"
#include "runtime/filter.h"
#include "runtime/names.h"
#include "runtime/source_task.h"
#include "source/client.h"
#include "source/decode.h"

#define FAC "source"
#define INFLIGHT_MAX 65536
#define CONV_OUT_MAX ((size_t)64 << 20)
#define HEARTBEAT_MS 1000

struct ckpt {
    uint64_t seq; /* last record sequence the checkpoint depends on */
    char file[128];
    uint64_t pos;
    int64_t ts_sec;
    uint32_t server_id;
};

struct sl_source_task {
    struct sl_source_task_conf conf;
    struct sl_conv *conv;
    struct sl_filter *flt;
    char partition[512]; /* {"server":"<topic.prefix>"} */
    bool skip_c, skip_u, skip_d;
    /* topic.creation.default.*: create topics before the first record (Kafka mode). */
    bool create_topics;
    int tc_partitions, tc_replication;
    char **topics_known; /* topics created or found, so each is created once */
    size_t ntopics_known;

    pthread_t thread;
    bool started;
    atomic_bool stop;
    atomic_bool done;
    sl_err_t result;
    char errstr[1024];

    /* Thread state. */
    struct sl_producer *prod;
    struct sl_names *names;
    struct ckpt *ring;
    size_t ring_cap, ring_head, ring_n;
    struct ckpt safe;
    bool safe_dirty;
    uint64_t last_seq;
    int64_t last_flush_ms;
    struct sl_conv_out out;
    const struct sl_table *cache_tbl; /* last filter decision */
    bool cache_ok;
    uint64_t nsent;
};

static void ckpt_set(struct ckpt *c, uint64_t seq, const char *file, uint64_t pos, int64_t ts_sec,
                     uint32_t server_id)
{
    c->seq = seq;
    snprintf(c->file, sizeof(c->file), "%s", file);
    c->pos = pos;
    c->ts_sec = ts_sec;
    c->server_id = server_id;
}

static void ckpt_push(struct sl_source_task *t, const char *file, uint64_t pos, int64_t ts_sec,
                      uint32_t server_id)
{
    if (t->ring_n) {
        struct ckpt *tail = &t->ring[(t->ring_head + t->ring_n - 1) % t->ring_cap];
        if (tail->seq == t->last_seq) {
            ckpt_set(tail, t->last_seq, file, pos, ts_sec, server_id);
            return;
        }
    }
    if (t->ring_n == t->ring_cap) {
        size_t cap = t->ring_cap ? t->ring_cap * 2 : 64;
        struct ckpt *ring = sl_xcalloc(cap, sizeof(*ring));
        for (size_t i = 0; i < t->ring_n; i++)
            ring[i] = t->ring[(t->ring_head + i) % t->ring_cap];
        sl_free(t->ring);
        t->ring = ring;
        t->ring_cap = cap;
        t->ring_head = 0;
    }
    ckpt_set(&t->ring[(t->ring_head + t->ring_n) % t->ring_cap], t->last_seq, file, pos, ts_sec,
             server_id);
    t->ring_n++;
}

static uint64_t acked(struct sl_source_task *t)
{
    return t->prod ? sl_producer_acked(t->prod) : sl_local_acked(t->conf.local);
}

static sl_err_t store(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    struct sl_source_offset off = {0};
    off.file = t->safe.file;
    off.pos = (int64_t)t->safe.pos;
    off.server_id = t->safe.server_id;
    off.ts_sec = t->safe.ts_sec;
    struct sl_buf buf;
    sl_buf_init(&buf, 4096);
    sl_err_t err = sl_source_offset_encode(&off, &buf);
    if (!err) {
        pthread_mutex_lock(t->conf.offsets_mu);
        err = sl_offsets_file_put(t->conf.offsets, t->conf.name, t->partition, sl_buf_cstr(&buf));
        if (!err)
            err = sl_offsets_file_flush(t->conf.offsets, errstr, errstr_size);
        else
            snprintf(errstr, errstr_size, "cannot store offset %s", sl_buf_cstr(&buf));
        pthread_mutex_unlock(t->conf.offsets_mu);
    } else {
        snprintf(errstr, errstr_size, "offset of %s:%llu does not fit", t->safe.file,
                 (unsigned long long)t->safe.pos);
    }
    if (!err) {
        sl_log(SL_LOG_DEBUG, FAC, "%s: stored offset %s:%llu", t->conf.name, t->safe.file,
               (unsigned long long)t->safe.pos);
        t->safe_dirty = false;
    }
    sl_buf_fini(&buf);
    return err;
}

/* Advances the safe offset over acknowledged checkpoints; stores it when due (or force). */
static sl_err_t tick(struct sl_source_task *t, bool force, char *errstr, size_t errstr_size)
{
    if (t->prod) {
        sl_producer_poll(t->prod, 0);
        sl_err_t err = sl_producer_error(t->prod, errstr, errstr_size);
        if (err)
            return err;
    }
    uint64_t wm = acked(t);
    while (t->ring_n && t->ring[t->ring_head].seq <= wm) {
        t->safe = t->ring[t->ring_head];
        t->safe_dirty = true;
        t->ring_head = (t->ring_head + 1) % t->ring_cap;
        t->ring_n--;
    }
    int64_t now = sl_time_mono_ms();
    if (t->safe_dirty &&
        (force || now - t->last_flush_ms >= t->conf.worker->offset_flush_interval_ms)) {
        t->last_flush_ms = now;
        return store(t, errstr, errstr_size);
    }
    return SL_OK;
}

/* Creates msg's topic on first use when topic.creation.default.* is set (MSK does not
 * auto-create topics). An existing topic is fine. */
static sl_err_t ensure_topic(struct sl_source_task *t, const char *topic, char *errstr,
                             size_t errstr_size)
{
    for (size_t i = 0; i < t->ntopics_known; i++)
        if (strcmp(t->topics_known[i], topic) == 0)
            return SL_OK;
    int parts = 0;
    sl_err_t err = sl_producer_partitions(t->prod, topic, 10000, &parts, errstr, errstr_size);
    if (err == SL_ERR_NOTFOUND) {
        err = sl_producer_topic_create(t->prod, topic, t->tc_partitions, t->tc_replication, 30000,
                                       errstr, errstr_size);
        if (!err)
            sl_log(SL_LOG_INFO, FAC, "%s: topic %s created", t->conf.name, topic);
    }
    if (err)
        return err;
    sl_log(SL_LOG_INFO, FAC, "%s: topic %s ready", t->conf.name, topic);
    t->topics_known =
        sl_xrealloc(t->topics_known, (t->ntopics_known + 1) * sizeof(*t->topics_known));
    t->topics_known[t->ntopics_known++] = sl_xstrdup(topic);
    return SL_OK;
}

static sl_err_t send_msg(struct sl_source_task *t, const struct sl_bus_msg *msg, char *errstr,
                         size_t errstr_size)
{
    if (t->prod && t->create_topics) {
        sl_err_t err = ensure_topic(t, msg->topic, errstr, errstr_size);
        if (err)
            return err;
    }
    for (;;) {
        uint64_t seq = 0;
        sl_err_t err;
        if (t->prod) {
            err = sl_producer_send(t->prod, msg, &seq, errstr, errstr_size);
        } else {
            err = sl_local_send(t->conf.local, msg, &seq);
            if (err && err != SL_ERR_AGAIN)
                snprintf(errstr, errstr_size, "local bus refused a record for %s: %s", msg->topic,
                         sl_err_str(err));
        }
        if (!err) {
            t->last_seq = seq;
            t->nsent++;
            return SL_OK;
        }
        if (err != SL_ERR_AGAIN)
            return err;
        if (atomic_load(&t->stop)) {
            snprintf(errstr, errstr_size, "stopping");
            return SL_ERR_SHUTDOWN;
        }
        if (t->prod)
            sl_producer_poll(t->prod, 100);
        else
            sl_local_wait_acked(t->conf.local, sl_local_acked(t->conf.local) + 1, 100);
        err = tick(t, false, errstr, errstr_size);
        if (err)
            return err;
    }
}

static bool captured(struct sl_source_task *t, const struct sl_table *tbl)
{
    if (tbl != t->cache_tbl) {
        t->cache_tbl = tbl;
        t->cache_ok = sl_filter_table(t->flt, tbl->db, tbl->name);
    }
    return t->cache_ok;
}

static sl_err_t emit(struct sl_source_task *t, const struct sl_change *chg, char *errstr,
                     size_t errstr_size)
{
    if ((chg->op == SL_OP_INSERT && t->skip_c) || (chg->op == SL_OP_UPDATE && t->skip_u) ||
        (chg->op == SL_OP_DELETE && t->skip_d))
        return SL_OK;
    sl_err_t err = sl_conv_change(t->conv, chg, NULL, &t->out);
    if (err) {
        if (t->conf.src->common.errors_tolerance == SL_ERRORS_TOLERANCE_ALL) {
            sl_log(SL_LOG_WARN, FAC, "%s: skipping a change at %s:%llu row %u: %s", t->conf.name,
                   chg->pos.file, (unsigned long long)chg->pos.event_pos, chg->pos.row,
                   sl_conv_errstr(t->conv));
            return SL_OK;
        }
        snprintf(errstr, errstr_size, "cannot convert the change at %s:%llu row %u: %s",
                 chg->pos.file, (unsigned long long)chg->pos.event_pos, chg->pos.row,
                 sl_conv_errstr(t->conv));
        return err;
    }
    for (uint32_t r = 0; r < t->out.nrec; r++) {
        const struct sl_conv_record *rec = &t->out.rec[r];
        char topic[256];
        char names[SL_CONV_MAX_HEADERS][128];
        struct sl_bus_header hdrs[SL_CONV_MAX_HEADERS];
        struct sl_str s = sl_conv_out_str(&t->out, rec->topic);
        snprintf(topic, sizeof(topic), "%.*s", (int)s.len, s.ptr);
        struct sl_bus_msg msg = {.topic = topic, .partition = SL_BUS_PARTITION_ANY, .offset = -1};
        s = sl_conv_out_str(&t->out, rec->key);
        msg.key = s.ptr;
        msg.key_len = s.len;
        s = sl_conv_out_str(&t->out, rec->value);
        msg.value = s.ptr;
        msg.value_len = s.len;
        for (uint32_t h = 0; h < rec->nheaders && h < SL_CONV_MAX_HEADERS; h++) {
            s = sl_conv_out_str(&t->out, rec->headers[h].name);
            snprintf(names[h], sizeof(names[h]), "%.*s", (int)s.len, s.ptr);
            hdrs[h].name = names[h];
            s = sl_conv_out_str(&t->out, rec->headers[h].value);
            hdrs[h].value = s.ptr;
            hdrs[h].value_len = s.len;
        }
        msg.headers = hdrs;
        msg.header_cnt = rec->nheaders;
        err = send_msg(t, &msg, errstr, errstr_size);
        if (err)
            return err;
    }
    return SL_OK;
}

static bool is_begin(const struct sl_event *ev)
{
    return ev->u.query.sql.len == 5 && strncasecmp(ev->u.query.sql.ptr, "BEGIN", 5) == 0;
}

static sl_err_t handle(struct sl_source_task *t, struct sl_client *cl, struct sl_decoder *dec,
                       const struct sl_event *ev, char *errstr, size_t errstr_size)
{
    sl_err_t err;
    switch (ev->kind) {
    case SL_EV_ROWS:
        if (!captured(t, ev->u.rows.table))
            return SL_OK;
        const struct sl_table *tbl = sl_names_resolve(t->names, ev->u.rows.table);
        for (uint32_t i = 0; i < ev->u.rows.nchanges; i++) {
            struct sl_change chg = ev->u.rows.changes[i];
            chg.table = tbl;
            err = emit(t, &chg, errstr, errstr_size);
            if (err)
                return err;
        }
        return SL_OK;
    case SL_EV_XID:
        ckpt_push(t, sl_decoder_file(dec), ev->end_pos, ev->timestamp, ev->server_id);
        return SL_OK;
    case SL_EV_QUERY:
        if (is_begin(ev))
            return SL_OK;
        /* COMMIT of a non-transactional group, DDL, or any statement outside a transaction:
         * the next transaction starts after it. */
        ckpt_push(t, sl_decoder_file(dec), ev->end_pos, ev->timestamp, ev->server_id);
        if (!ev->inner)
            sl_client_set_resume(cl, sl_decoder_file(dec), ev->end_pos);
        return SL_OK;
    default:
        return SL_OK;
    }
}

/* Rewrites a "binlog not found" failure into what the operator should do. */
static void purged_hint(struct sl_source_task *t, const char *file, uint64_t pos, char *errstr,
                        size_t errstr_size)
{
    if (!strstr(errstr, "error 1236"))
        return;
    char why[768];
    snprintf(why, sizeof(why), "%s", errstr);
    snprintf(errstr, errstr_size,
             "the stored offset %s:%llu of connector '%s' (offsets file %s) is no longer "
             "available on the server, probably purged (%s); remove that entry (or the "
             "offsets file) to restart from the current position, and re-load the rows "
             "changed meanwhile",
             file, (unsigned long long)pos, t->conf.name,
             t->conf.worker->offset_storage_file_filename, why);
}

static sl_err_t load_offset(struct sl_source_task *t, struct sl_source_offset *off, bool *found,
                            char *errstr, size_t errstr_size)
{
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    pthread_mutex_lock(t->conf.offsets_mu);
    sl_err_t err = sl_offsets_file_get(t->conf.offsets, t->conf.name, t->partition, &buf);
    pthread_mutex_unlock(t->conf.offsets_mu);
    *found = err == SL_OK;
    if (err == SL_ERR_NOTFOUND)
        err = SL_OK;
    else if (!err) {
        char why[512];
        err = sl_source_offset_decode(buf.data, buf.len, off, why, sizeof(why));
        if (err)
            snprintf(errstr, errstr_size, "offsets file %s: offset of connector '%s': %s",
                     t->conf.worker->offset_storage_file_filename, t->conf.name, why);
    }
    sl_buf_fini(&buf);
    return err;
}

static sl_err_t run(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    const struct sl_mysql_source_conf *src = t->conf.src;
    struct sl_source_offset off = {0};
    bool found = false;
    struct sl_client *cl = NULL;
    struct sl_decoder *dec = NULL;
    struct sl_arena arena;
    sl_arena_init(&arena, 1 << 20);

    sl_err_t err = load_offset(t, &off, &found, errstr, errstr_size);
    if (err)
        goto out;

    struct sl_client_conf cc = {0};
    cc.db.host = src->hostname;
    cc.db.port = src->port;
    cc.db.user = src->user;
    cc.db.password = src->password;
    cc.db.ssl_mode = (sl_ssl_mode_t)src->ssl_mode;
    cc.db.connect_timeout_s = (unsigned)((src->connect_timeout_ms + 999) / 1000);
    cc.server_id = src->server_id ? src->server_id : 5400 + (uint32_t)(getpid() % 1000);
    cc.heartbeat_ms = HEARTBEAT_MS;
    cc.max_retries = src->errors_max_retries < 0 ? 1000 : (unsigned)src->errors_max_retries;
    if (found) {
        cc.from = SL_CLIENT_FROM_FILEPOS;
        cc.file = off.file;
        cc.pos = (uint64_t)off.pos;
        if (off.snapshot)
            sl_log(SL_LOG_WARN, FAC,
                   "%s: the stored offset was taken during a snapshot; "
                   "snapshots are not implemented yet, streaming from %s:%lld",
                   t->conf.name, off.file, (long long)off.pos);
        sl_log(SL_LOG_INFO, FAC, "%s: resuming from the stored offset %s:%lld", t->conf.name,
               off.file, (long long)off.pos);
    } else {
        cc.from = SL_CLIENT_FROM_CURRENT;
        switch (src->snapshot_mode) {
        case SL_SNAPSHOT_NEVER:
        case SL_SNAPSHOT_SCHEMA_ONLY:
        case SL_SNAPSHOT_NO_DATA:
        case SL_SNAPSHOT_SCHEMA_ONLY_RECOVERY:
        case SL_SNAPSHOT_RECOVERY:
            sl_log(SL_LOG_INFO, FAC,
                   "%s: no stored offset; streaming from the current "
                   "binlog position",
                   t->conf.name);
            break;
        default:
            sl_log(SL_LOG_WARN, FAC,
                   "%s: no stored offset and snapshot.mode asks for an "
                   "initial snapshot, which is not implemented yet; streaming from the "
                   "current binlog position (existing rows are not copied)",
                   t->conf.name);
            break;
        }
    }

    t->names = sl_names_new(&cc.db);
    err = sl_client_new(&cc, &cl, errstr, errstr_size);
    if (!err)
        err = sl_client_start(cl, errstr, errstr_size);
    if (err) {
        if (found)
            purged_hint(t, off.file, (uint64_t)off.pos, errstr, errstr_size);
        goto out;
    }
    if (found) {
        ckpt_set(&t->safe, 0, off.file, (uint64_t)off.pos, off.ts_sec, (uint32_t)off.server_id);
    } else {
        const char *file;
        uint64_t pos;
        sl_client_start_current(cl, &file, &pos);
        ckpt_set(&t->safe, 0, file, pos, sl_time_now_ms() / 1000, 0);
        t->safe_dirty = true; /* remember where we started even if nothing happens */
    }
    t->last_flush_ms = sl_time_mono_ms();

    dec = sl_decoder_new();
    sl_decoder_set_checksum(dec, sl_client_checksum(cl) ? SL_DECODER_CHECKSUM_CRC32
                                                        : SL_DECODER_CHECKSUM_NONE);
    sl_log(SL_LOG_INFO, FAC, "%s: streaming from %s:%llu", t->conf.name, t->safe.file,
           (unsigned long long)t->safe.pos);

    bool first = true;
    while (!atomic_load(&t->stop)) {
        const uint8_t *data;
        size_t len;
        err = sl_client_fetch(cl, &data, &len, errstr, errstr_size);
        if (err == SL_ERR_AGAIN) {
            sl_log(SL_LOG_WARN, FAC,
                   "%s: reconnected to the server; the open transaction is "
                   "replayed",
                   t->conf.name);
            err = SL_OK;
            continue;
        }
        if (err) {
            if (first && found)
                purged_hint(t, off.file, (uint64_t)off.pos, errstr, errstr_size);
            goto out;
        }
        first = false;
        err = sl_decoder_put(dec, data, len, SL_DECODER_POS_AUTO, errstr, errstr_size);
        if (err)
            goto out;
        struct sl_event ev;
        while ((err = sl_decoder_next(dec, &arena, &ev, errstr, errstr_size)) == SL_OK) {
            err = handle(t, cl, dec, &ev, errstr, errstr_size);
            if (err)
                break;
        }
        sl_arena_reset(&arena);
        if (err == SL_ERR_SHUTDOWN)
            break;
        if (err != SL_ERR_EOF)
            goto out;
        err = tick(t, false, errstr, errstr_size);
        if (err)
            goto out;
    }
    err = SL_OK;

out:
    /* Drain: wait for acknowledgements of what was sent (bounded), then store the offset. */
    if (t->safe.file[0]) {
        int64_t deadline = sl_time_mono_ms() + t->conf.worker->task_shutdown_graceful_timeout_ms;
        while (t->ring_n && sl_time_mono_ms() < deadline) {
            if (t->prod)
                sl_producer_poll(t->prod, 50);
            else
                sl_local_wait_acked(t->conf.local, t->ring[t->ring_head].seq, 50);
            char why[512];
            if (tick(t, false, why, sizeof(why)))
                break;
        }
        char why[512];
        sl_err_t serr = tick(t, true, why, sizeof(why));
        if (serr && !err) {
            err = serr;
            snprintf(errstr, errstr_size, "%s", why);
        } else if (serr) {
            sl_log(SL_LOG_ERROR, FAC, "%s: %s", t->conf.name, why);
        }
        if (t->ring_n)
            sl_log(SL_LOG_WARN, FAC,
                   "%s: stopped with unacknowledged records; the stored "
                   "offset %s:%llu replays them on restart",
                   t->conf.name, t->safe.file, (unsigned long long)t->safe.pos);
    }
    sl_names_free(t->names);
    t->names = NULL;
    sl_decoder_free(dec);
    sl_client_free(cl);
    sl_arena_fini(&arena);
    sl_source_offset_fini(&off);
    return err;
}

static void *thread_main(void *arg)
{
    struct sl_source_task *t = arg;
    if (t->conf.kc) {
        t->prod =
            sl_producer_new(t->conf.kc, INFLIGHT_MAX, NULL, NULL, t->errstr, sizeof(t->errstr));
        if (!t->prod) {
            t->result = SL_ERR_CONF;
            atomic_store(&t->done, true);
            return NULL;
        }
    }
    t->result = run(t, t->errstr, sizeof(t->errstr));
    if (t->prod) {
        sl_producer_free(t->prod, (int)t->conf.worker->offset_flush_timeout_ms);
        t->prod = NULL;
    }
    sl_log(SL_LOG_INFO, FAC, "%s: stopped after %llu records", t->conf.name,
           (unsigned long long)t->nsent);
    atomic_store(&t->done, true);
    return NULL;
}

sl_err_t sl_source_task_new(const struct sl_source_task_conf *conf, struct sl_source_task **out,
                            char *errstr, size_t errstr_size)
{
    struct sl_source_task *t = sl_xcalloc(1, sizeof(*t));
    t->conf = *conf;
    atomic_init(&t->stop, false);
    atomic_init(&t->done, false);
    sl_conv_out_init(&t->out, CONV_OUT_MAX);
    struct sl_buf buf;
    sl_buf_init(&buf, sizeof(t->partition) - 1);
    sl_err_t err = sl_buf_addstr(&buf, "{\"server\":");
    if (!err)
        err = sl_json_str(&buf, conf->src->topic_prefix, strlen(conf->src->topic_prefix));
    if (!err)
        err = sl_buf_addch(&buf, '}');
    if (err) {
        snprintf(errstr, errstr_size, "topic.prefix: too long");
        sl_buf_fini(&buf);
        goto fail;
    }
    snprintf(t->partition, sizeof(t->partition), "%s", sl_buf_cstr(&buf));
    sl_buf_fini(&buf);

    const struct sl_conf_strlist *skip = &conf->src->skipped_operations;
    for (size_t i = 0; i < skip->n; i++) {
        const char *op = skip->items[i];
        if (strcmp(op, "c") == 0)
            t->skip_c = true;
        else if (strcmp(op, "u") == 0)
            t->skip_u = true;
        else if (strcmp(op, "d") == 0)
            t->skip_d = true;
        else if (strcmp(op, "t") != 0 && strcmp(op, "none") != 0) {
            snprintf(errstr, errstr_size,
                     "skipped.operations: unknown operation '%s' (use c, "
                     "u, d, t or none)",
                     op);
            err = SL_ERR_CONF;
            goto fail;
        }
    }
    const struct sl_conf_kvlist *tc = &conf->src->topic_creation;
    const char *tc_rf = sl_conf_kvlist_get(tc, "default.replication.factor");
    const char *tc_parts = sl_conf_kvlist_get(tc, "default.partitions");
    if (conf->kc && conf->worker->topic_creation_enable && (tc_rf || tc_parts)) {
        int64_t rf = -1, parts = -1;
        if (!tc_rf || !tc_parts) {
            snprintf(errstr, errstr_size,
                     "topic.creation.default.%s: missing (set both "
                     "topic.creation.default.replication.factor and .partitions)",
                     tc_rf ? "partitions" : "replication.factor");
            err = SL_ERR_CONF;
            goto fail;
        }
        if (sl_parse_i64(tc_rf, &rf) || rf == 0 || rf < -1 || rf > 32767) {
            snprintf(errstr, errstr_size,
                     "topic.creation.default.replication.factor: '%s' is "
                     "not a replication factor (-1 or 1..32767)",
                     tc_rf);
            err = SL_ERR_CONF;
            goto fail;
        }
        if (sl_parse_i64(tc_parts, &parts) || parts == 0 || parts < -1 || parts > 100000) {
            snprintf(errstr, errstr_size,
                     "topic.creation.default.partitions: '%s' is not a "
                     "partition count (-1 or 1..100000)",
                     tc_parts);
            err = SL_ERR_CONF;
            goto fail;
        }
        t->create_topics = true;
        t->tc_replication = (int)rf;
        t->tc_partitions = (int)parts;
    }
    const struct sl_conf_strlist *tr = &conf->src->common.transforms;
    for (size_t i = 0; i < tr->n; i++) {
        const struct sl_conf_group *g =
            sl_conf_grouplist_get(&conf->src->common.transform_props, tr->items[i]);
        const char *type = g ? sl_conf_kvlist_get(&g->props, "type") : NULL;
        if (type && strcmp(type, "io.debezium.transforms.ExtractNewRecordState") != 0) {
            snprintf(errstr, errstr_size,
                     "transforms.%s.type: %s is not supported (Sluice "
                     "implements io.debezium.transforms.ExtractNewRecordState)",
                     tr->items[i], type);
            err = SL_ERR_UNSUPPORTED;
            goto fail;
        }
    }
    struct sl_conv_opts opts;
    err = sl_conv_opts_from_conf(&opts, conf->worker, conf->src, errstr, errstr_size);
    if (err)
        goto fail;
    t->conv = sl_conv_new(&opts, errstr, errstr_size);
    if (!t->conv) {
        err = SL_ERR_CONF;
        goto fail;
    }
    err = sl_filter_new(conf->src, &t->flt, errstr, errstr_size);
    if (err)
        goto fail;
    *out = t;
    return SL_OK;
fail:
    sl_source_task_free(t);
    return err;
}

sl_err_t sl_source_task_start(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    int rc = pthread_create(&t->thread, NULL, thread_main, t);
    if (rc) {
        snprintf(errstr, errstr_size, "%s: cannot start the task thread: %s", t->conf.name,
                 strerror(rc));
        return SL_ERR_IO;
    }
    t->started = true;
    return SL_OK;
}

void sl_source_task_stop(struct sl_source_task *t)
{
    atomic_store(&t->stop, true);
}

bool sl_source_task_done(struct sl_source_task *t)
{
    return atomic_load(&t->done);
}

sl_err_t sl_source_task_join(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    if (!t->started)
        return SL_OK;
    pthread_join(t->thread, NULL);
    t->started = false;
    if (t->result)
        snprintf(errstr, errstr_size, "%s", t->errstr);
    return t->result;
}

void sl_source_task_free(struct sl_source_task *t)
{
    if (!t)
        return;
    sl_conv_free(t->conv);
    sl_filter_free(t->flt);
    sl_conv_out_fini(&t->out);
    sl_free(t->ring);
    for (size_t i = 0; i < t->ntopics_known; i++)
        sl_free(t->topics_known[i]);
    sl_free(t->topics_known);
    sl_free(t);
}
