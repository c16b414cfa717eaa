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
 * the start of the first transaction not fully acknowledged.
 *
 * Initial snapshot (snapshot.mode, debezium-compat.md §1.1): initial / initial_only /
 * when_needed / always copy the tables with source/snapshot.h when there is no stored offset
 * (when_needed also when SHOW BINARY LOGS no longer lists the stored file; always on every
 * start); never / schema_only / no_data / recovery stream from the current position. Rows go
 * out as op "r" with source.snapshot "true" ("last" on the final row). Each chunk pushes a
 * checkpoint whose offset is the snapshot's binlog position with snapshot:true and, under the
 * Sluice key "snapshot_progress", the snapshot's resumable progress; it is stored by the same
 * acknowledged-watermark rule. The end of the snapshot pushes the position with
 * snapshot_completed:true and no progress (one write, P14); streaming starts at exactly that
 * position. A stored snapshot:true offset makes the next start continue the snapshot after
 * its last stored chunk; a Debezium-written one (no progress) restarts it from zero.
 *
 * GTIDs: on MariaDB the offset carries "gtids", the domain-server-seq list after each
 * complete transaction (seeded from the snapshot, the stored offset or BINLOG_GTID_POS of the
 * start position), and a restart resumes by GTID (file:pos when that fails). On MySQL the
 * executed set is not tracked (it would need interval arithmetic over the PREVIOUS_GTIDS
 * set); offsets carry file:pos only.
 *
 * Names and primary keys of binlog tables come from the schema tracker
 * (source/schema_track.h): TABLE_MAP metadata when binlog_row_metadata=FULL, else the
 * server's information_schema (columns, PK, signedness, labels), validated against each
 * TABLE_MAP. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mysql.h>

#include "bus/producer.h"
#include "convert/convert.h"
#include "convert/schema_change.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/time.h"
#include "runtime/filter.h"
#include "runtime/source_task.h"
#include "source/checks.h"
#include "source/client.h"
#include "source/ddl.h"
#include "source/decode.h"
#include "source/incsnap.h"
#include "source/schema_track.h"
#include "source/snapshot.h"

/* How long a restarted source waits for an unreachable database before failing. */
#define RESTART_WAIT_MS 120000u
#define FAC "source"
#define INFLIGHT_MAX 65536
#define CONV_OUT_MAX ((size_t)64 << 20)
#define HEARTBEAT_MS 1000
#define SNAP_KEY "snapshot_progress"   /* Sluice key: resumable snapshot checkpoint */
#define INC_KEY "incremental_snapshot" /* Sluice key: incremental snapshot state */
#define INC_RETRY_MS 5000
#define PROGRESS_MS 5000

struct ckpt {
    uint64_t seq; /* last record sequence the checkpoint depends on */
    char file[128];
    uint64_t pos;
    int64_t ts_sec;
    uint32_t server_id;
    char *gtids;         /* owned; NULL when not tracked */
    char *snap;          /* owned snapshot progress JSON while the snapshot runs, else NULL */
    bool snap_completed; /* the snapshot's end marker (written once, with its position) */
    char *inc;           /* owned incremental snapshot state JSON while one runs, else NULL */
};

#define GTID_DOMAINS_MAX 64

/* MariaDB GTID position: the last GTID of each replication domain. */
struct gtid_pos {
    bool known; /* seeded from a complete position (offset, snapshot, BINLOG_GTID_POS) */
    uint32_t n;
    struct {
        uint32_t domain, server;
        uint64_t seq;
    } d[GTID_DOMAINS_MAX];
};

/* Snapshot rows converted on the snapshot's reader thread (sl_snapshot_opts.on_chunk), one
 * set per read-ahead slot: the reader converts the next chunk while this thread hands the
 * previous one to Kafka, so conversion and producing run on two cores (bench/snapshot). */
struct pre_rec {
    struct sl_conv_span topic, key, value;
    uint32_t h0, nh; /* headers hdr[h0 .. h0+nh) */
};

struct pre_chunk {
    struct sl_conv_out out; /* the bytes of every record of the chunk (out.rec unused) */
    struct pre_rec *rec;
    size_t nrec, cap_rec;
    struct sl_conv_header *hdr;
    size_t nhdr, cap_hdr;
    uint32_t *first; /* row i's records: rec[first[i] .. first[i+1]) */
    size_t cap_first;
    size_t nrows; /* rows converted: a prefix of the chunk; the rest is converted at send */
};

struct sl_source_task {
    struct sl_source_task_conf conf;
    struct sl_conv *conv;
    struct sl_conv *snap_conv; /* the reader thread's, for pre[] */
    struct pre_chunk pre[2];
    struct sl_bus_msg *bmsgs; /* send_pre_rows' batch */
    size_t cap_bmsgs;
    struct sl_filter *flt;
    char partition[512]; /* {"server":"<topic.prefix>"} */
    bool skip_c, skip_u, skip_d;
    bool key_schemas, value_schemas; /* JSON converters' schemas.enable (schema change topic) */
    bool history_noted;              /* the embedded-mode history note was logged */
    /* topic.creation.default.*: create topics before the first record (Kafka mode). */
    bool create_topics;
    int tc_partitions, tc_replication;
    char **topics_known; /* topics created or found, so each is created once */
    size_t ntopics_known;

    pthread_t thread;
    bool started;
    atomic_bool stop;
    atomic_bool done;
    atomic_bool finished; /* initial_only: done on purpose */
    sl_err_t result;
    char errstr[1024];

    /* Thread state. */
    struct sl_producer *prod;
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

    /* Snapshot and GTID tracking. */
    struct sl_snapshot *snap;
    bool snapshotting;
    struct gtid_pos gtid;
    char gtid_pending[96]; /* GTID of the open transaction, "" when none */
    MYSQL *sql;            /* query connection (purge check, GTID, schemas) */
    bool mariadb;
    struct sl_schema_track *trk;
    struct sl_incsnap *inc; /* signal.data.collection set: incremental snapshots */
    int64_t inc_retry_at;   /* after a server error: next poll time (mono ms) */
    struct sl_arena *arena; /* the streaming loop's arena (incsnap rows) */

    /* Metrics (series of a private registry when the worker gives none). */
    struct sl_metrics *own_metrics;
    struct sl_metric *m_seen, *m_filtered, *m_written, *m_tx, *m_behind, *m_connected, *m_file_idx,
        *m_pos, *m_snap_running, *m_snap_rows, *m_snap_total, *m_prod_rec, *m_prod_bytes;
    uint64_t m_acked; /* acknowledged watermark already counted in m_written */
    /* Produced records and bytes not yet added to m_prod_rec / m_prod_bytes: added in tick,
     * not per record (two atomic additions per record were ~2 % of the source thread). */
    int64_t prod_rec, prod_bytes;
};

static void ckpt_clear(struct ckpt *c)
{
    sl_free(c->gtids);
    sl_free(c->snap);
    sl_free(c->inc);
    memset(c, 0, sizeof(*c));
}

/* Sets c (releasing what it held); gtids and snap are copied. */
static void ckpt_set(struct ckpt *c, uint64_t seq, const char *file, uint64_t pos, int64_t ts_sec,
                     uint32_t server_id, const char *gtids, const char *snap, bool snap_completed)
{
    ckpt_clear(c);
    c->seq = seq;
    snprintf(c->file, sizeof(c->file), "%s", file);
    c->pos = pos;
    c->ts_sec = ts_sec;
    c->server_id = server_id;
    c->gtids = gtids && *gtids ? sl_xstrdup(gtids) : NULL;
    c->snap = snap ? sl_xstrdup(snap) : NULL;
    c->snap_completed = snap_completed;
}

/* Moves *from into *to (to's old strings are released, from is left empty). */
static void ckpt_move(struct ckpt *to, struct ckpt *from)
{
    ckpt_clear(to);
    *to = *from;
    memset(from, 0, sizeof(*from));
}

static void gtid_str(const struct gtid_pos *g, char *out, size_t out_size)
{
    size_t at = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < g->n && at < out_size; i++) {
        int w = snprintf(out + at, out_size - at, "%s%u-%u-%llu", i ? "," : "", g->d[i].domain,
                         g->d[i].server, (unsigned long long)g->d[i].seq);
        if (w < 0 || (size_t)w >= out_size - at) {
            out[0] = '\0'; /* does not fit: better none than a truncated set */
            return;
        }
        at += (size_t)w;
    }
}

/* Applies one MariaDB GTID "d-s-n" to g. False when text is not one. */
static bool gtid_apply(struct gtid_pos *g, const char *text)
{
    unsigned long long d, sv, n;
    char tail;
    if (sscanf(text, "%llu-%llu-%llu%c", &d, &sv, &n, &tail) != 3 || d > UINT32_MAX ||
        sv > UINT32_MAX)
        return false;
    for (uint32_t i = 0; i < g->n; i++) {
        if (g->d[i].domain == d) {
            g->d[i].server = (uint32_t)sv;
            g->d[i].seq = n;
            return true;
        }
    }
    if (g->n == GTID_DOMAINS_MAX)
        return false;
    g->d[g->n].domain = (uint32_t)d;
    g->d[g->n].server = (uint32_t)sv;
    g->d[g->n].seq = n;
    g->n++;
    return true;
}

/* Seeds g from a MariaDB GTID list "0-1-5,1-2-7" ("" is a valid empty position). */
static bool gtid_seed(struct gtid_pos *g, const char *list)
{
    memset(g, 0, sizeof(*g));
    char item[96];
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\n')) {
            p++;
            len--;
        }
        if (len == 0 || len >= sizeof(item))
            return (memset(g, 0, sizeof(*g)), false);
        memcpy(item, p, len);
        item[len] = '\0';
        if (!gtid_apply(g, item))
            return (memset(g, 0, sizeof(*g)), false);
        p += len;
        if (*p == ',')
            p++;
    }
    g->known = true;
    return true;
}

static void ckpt_push_full(struct sl_source_task *t, const char *file, uint64_t pos, int64_t ts_sec,
                           uint32_t server_id, const char *gtids, const char *snap,
                           bool snap_completed)
{
    if (t->ring_n) {
        struct ckpt *tail = &t->ring[(t->ring_head + t->ring_n - 1) % t->ring_cap];
        if (tail->seq == t->last_seq) {
            ckpt_set(tail, t->last_seq, file, pos, ts_sec, server_id, gtids, snap, snap_completed);
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
    struct ckpt *c = &t->ring[(t->ring_head + t->ring_n) % t->ring_cap];
    memset(c, 0, sizeof(*c));
    ckpt_set(c, t->last_seq, file, pos, ts_sec, server_id, gtids, snap, snap_completed);
    t->ring_n++;
}

/* A streaming checkpoint: the end of a complete transaction (applies its GTID). */
static void ckpt_push(struct sl_source_task *t, const char *file, uint64_t pos, int64_t ts_sec,
                      uint32_t server_id)
{
    char gtids[2048] = "";
    if (t->gtid_pending[0]) {
        if (t->gtid.known && !gtid_apply(&t->gtid, t->gtid_pending))
            t->gtid.known = false;
        t->gtid_pending[0] = '\0';
    }
    if (t->gtid.known)
        gtid_str(&t->gtid, gtids, sizeof(gtids));
    ckpt_push_full(t, file, pos, ts_sec, server_id, gtids, NULL, false);
    if (t->inc && sl_incsnap_active(t->inc)) {
        struct ckpt *tail = &t->ring[(t->ring_head + t->ring_n - 1) % t->ring_cap];
        struct sl_buf b;
        sl_buf_init(&b, 1 << 20);
        if (sl_incsnap_state_json(t->inc, &b) == SL_OK)
            tail->inc = sl_xstrdup(sl_buf_cstr(&b));
        sl_buf_fini(&b);
    }
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
    off.gtids = t->safe.gtids;
    off.snapshot = t->safe.snap != NULL;
    off.snapshot_completed = t->safe.snap_completed;
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 24);
    sl_err_t err = sl_source_offset_encode(&off, &buf);
    if (!err && t->safe.snap && buf.len && buf.data[buf.len - 1] == '}') {
        /* The resumable snapshot checkpoint rides in the same record (one atomic write). */
        buf.len--;
        err = sl_buf_addstr(&buf, ",\"" SNAP_KEY "\":");
        if (!err)
            err = sl_buf_addstr(&buf, t->safe.snap);
        if (!err)
            err = sl_buf_addch(&buf, '}');
    }
    if (!err && t->safe.inc && buf.len && buf.data[buf.len - 1] == '}') {
        /* The incremental snapshot's state: a restart resumes it (sl_incsnap_resume). */
        buf.len--;
        err = sl_buf_addstr(&buf, ",\"" INC_KEY "\":");
        if (!err)
            err = sl_buf_addstr(&buf, t->safe.inc);
        if (!err)
            err = sl_buf_addch(&buf, '}');
    }
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
        sl_log(SL_LOG_DEBUG, FAC, "%s: stored offset %s:%llu%s%s", t->conf.name, t->safe.file,
               (unsigned long long)t->safe.pos, t->safe.snap ? " (snapshot running)" : "",
               t->safe.snap_completed ? " (snapshot completed)" : "");
        t->safe_dirty = false;
    }
    sl_buf_fini(&buf);
    return err;
}

/* Advances the safe offset over acknowledged checkpoints; stores it when due (or force). */
static sl_err_t tick(struct sl_source_task *t, bool force, char *errstr, size_t errstr_size)
{
    if (t->prod_rec) {
        sl_metric_add(t->m_prod_rec, t->prod_rec);
        sl_metric_add(t->m_prod_bytes, t->prod_bytes);
        t->prod_rec = t->prod_bytes = 0;
    }
    if (t->prod) {
        sl_producer_poll(t->prod, 0);
        sl_err_t err = sl_producer_error(t->prod, errstr, errstr_size);
        if (err)
            return err;
    }
    uint64_t wm = acked(t);
    if (wm > t->m_acked) {
        sl_metric_add(t->m_written, (int64_t)(wm - t->m_acked));
        t->m_acked = wm;
    }
    while (t->ring_n && t->ring[t->ring_head].seq <= wm) {
        ckpt_move(&t->safe, &t->ring[t->ring_head]);
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

/* Counts n records handed to the bus, the last with sequence last_seq. */
static void count_sent(struct sl_source_task *t, const struct sl_bus_msg *msgs, size_t n,
                       uint64_t last_seq)
{
    t->last_seq = last_seq;
    t->nsent += n;
    if (t->prod) {
        t->prod_rec += (int64_t)n;
        for (size_t i = 0; i < n; i++)
            t->prod_bytes += (int64_t)(msgs[i].key_len + msgs[i].value_len);
    }
}

/* The bus is full: waits up to 100 ms for room (acknowledgements), keeping the task's
 * periodic work going. */
static sl_err_t wait_for_room(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    if (atomic_load(&t->stop)) {
        snprintf(errstr, errstr_size, "stopping");
        return SL_ERR_SHUTDOWN;
    }
    if (t->prod)
        sl_producer_poll(t->prod, 100);
    else
        sl_local_wait_acked(t->conf.local, sl_local_acked(t->conf.local) + 1, 100);
    return tick(t, false, errstr, errstr_size);
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
            count_sent(t, msg, 1, seq);
            return SL_OK;
        }
        if (err != SL_ERR_AGAIN)
            return err;
        err = wait_for_room(t, errstr, errstr_size);
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

/* s as a C string in out (truncated like snprintf): snprintf("%.*s") cost more than the
 * rest of a record's bookkeeping, once per record. */
static void str_copy(char *out, size_t out_size, struct sl_str s)
{
    size_t n = s.len < out_size - 1 ? s.len : out_size - 1;
    if (n)
        memcpy(out, s.ptr, n);
    out[n] = '\0';
}

/* Sends one converted record whose spans index out's buffer. ts_ms: the Kafka timestamp
 * (0 = the producer's clock at send). */
static sl_err_t send_record(struct sl_source_task *t, const struct sl_conv_out *out,
                            struct sl_conv_span topic_sp, struct sl_conv_span key,
                            struct sl_conv_span value, const struct sl_conv_header *headers,
                            uint32_t nheaders, int64_t ts_ms, char *errstr, size_t errstr_size)
{
    char topic[256];
    char names[SL_CONV_MAX_HEADERS][128];
    struct sl_bus_header hdrs[SL_CONV_MAX_HEADERS];
    struct sl_str s = sl_conv_out_str(out, topic_sp);
    str_copy(topic, sizeof(topic), s);
    struct sl_bus_msg msg = {
        .topic = topic, .partition = SL_BUS_PARTITION_ANY, .offset = -1, .timestamp_ms = ts_ms};
    s = sl_conv_out_str(out, key);
    msg.key = s.ptr;
    msg.key_len = s.len;
    s = sl_conv_out_str(out, value);
    msg.value = s.ptr;
    msg.value_len = s.len;
    for (uint32_t h = 0; h < nheaders && h < SL_CONV_MAX_HEADERS; h++) {
        s = sl_conv_out_str(out, headers[h].name);
        str_copy(names[h], sizeof(names[h]), s);
        hdrs[h].name = names[h];
        s = sl_conv_out_str(out, headers[h].value);
        hdrs[h].value = s.ptr;
        hdrs[h].value_len = s.len;
    }
    msg.headers = hdrs;
    msg.header_cnt = nheaders;
    return send_msg(t, &msg, errstr, errstr_size);
}

static sl_err_t emit(struct sl_source_task *t, const struct sl_change *chg,
                     const struct sl_conv_meta *meta, char *errstr, size_t errstr_size)
{
    if ((chg->op == SL_OP_INSERT && t->skip_c) || (chg->op == SL_OP_UPDATE && t->skip_u) ||
        (chg->op == SL_OP_DELETE && t->skip_d))
        return SL_OK;
    sl_err_t err = sl_conv_change(t->conv, chg, meta, &t->out);
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
        err = send_record(t, &t->out, rec->topic, rec->key, rec->value, rec->headers, rec->nheaders,
                          meta ? meta->ts_ms : 0, errstr, errstr_size);
        if (err)
            return err;
    }
    return SL_OK;
}

/* The changes of one rows event: through the incremental snapshot first (signal rows are
 * never emitted; a closing watermark releases the chunk's rows, emitted right after it as op
 * "r" with source.snapshot "incremental"), then emitted when the table is captured. */
static sl_err_t rows(struct sl_source_task *t, const struct sl_event *ev, bool is_captured,
                     char *errstr, size_t errstr_size)
{
    for (uint32_t i = 0; i < ev->u.rows.nchanges; i++) {
        struct sl_change chg = ev->u.rows.changes[i];
        chg.table = ev->u.rows.table;
        struct sl_change *more = NULL;
        size_t nmore = 0;
        bool is_signal = false;
        sl_err_t err;
        if (t->inc) {
            err = sl_incsnap_on_change(t->inc, &chg, t->arena, &more, &nmore, &is_signal, errstr,
                                       errstr_size);
            if (err)
                return err;
            const char *note = sl_incsnap_note(t->inc);
            if (note[0] && is_signal)
                sl_log(SL_LOG_INFO, FAC, "%s: incremental snapshot: %s", t->conf.name, note);
        }
        if (is_captured && !is_signal) {
            err = emit(t, &chg, NULL, errstr, errstr_size);
            if (err)
                return err;
        }
        if (nmore) {
            struct sl_conv_meta meta = {.ts_ms = sl_time_now_ms(),
                                        .snapshot = SL_CONV_SNAP_INCREMENTAL};
            for (size_t r = 0; r < nmore; r++) {
                if (!captured(t, more[r].table))
                    continue;
                err = emit(t, &more[r], &meta, errstr, errstr_size);
                if (err)
                    return err;
            }
            sl_metric_add(t->m_snap_rows, (int64_t)nmore);
            struct sl_incsnap_stats st;
            sl_incsnap_stats(t->inc, &st);
            sl_log(SL_LOG_INFO, FAC,
                   "%s: incremental snapshot: chunk %llu done, %zu rows (%llu in total)%s",
                   t->conf.name, (unsigned long long)st.chunks, nmore, (unsigned long long)st.rows,
                   sl_incsnap_active(t->inc) ? "" : "; no table left");
        }
    }
    return SL_OK;
}

/* Starts the next incremental snapshot chunk when one is due. Server errors are retried
 * later; a value that does not convert fails the task. */
static sl_err_t inc_poll(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    if (!t->inc || !sl_incsnap_active(t->inc) || sl_time_mono_ms() < t->inc_retry_at)
        return SL_OK;
    char why[768];
    sl_err_t err = sl_incsnap_poll(t->inc, why, sizeof(why));
    if (err == SL_ERR_IO || err == SL_ERR_AUTH || err == SL_ERR_UPSTREAM) {
        sl_log(SL_LOG_WARN, FAC, "%s: incremental snapshot: %s; retrying in %d s", t->conf.name,
               why, INC_RETRY_MS / 1000);
        t->inc_retry_at = sl_time_mono_ms() + INC_RETRY_MS;
        return SL_OK;
    }
    if (err) {
        snprintf(errstr, errstr_size, "incremental snapshot: %s", why);
        return err;
    }
    return SL_OK;
}

/* Appends one line to the embedded-mode schema history file. */
static sl_err_t history_file_append(struct sl_source_task *t, const char *path,
                                    const struct sl_buf *rec, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        snprintf(errstr, errstr_size, "schema.history.internal.file.filename: cannot open %s: %s",
                 path, strerror(errno));
        return SL_ERR_IO;
    }
    bool ok = fwrite(rec->data, 1, rec->len, f) == rec->len && fputc('\n', f) != EOF;
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        snprintf(errstr, errstr_size, "schema.history.internal.file.filename: cannot write %s",
                 path);
        return SL_ERR_IO;
    }
    (void)t;
    return SL_OK;
}

/* A DDL statement (QUERY event the tracker classified): the schema history record
 * (database.history.kafka.topic / schema.history.internal.kafka.topic in Kafka mode, one
 * line of schema.history.internal.file.filename in embedded mode) and, with
 * include.schema.changes=true, the schema change record on the <topic.prefix> topic. Sent
 * before the statement's checkpoint, so its offset waits for their acknowledgement. */
static sl_err_t record_ddl(struct sl_source_task *t, struct sl_decoder *dec,
                           const struct sl_event *ev, const struct sl_ddl *ddl,
                           struct sl_arena *arena, char *errstr, size_t errstr_size)
{
    const struct sl_mysql_source_conf *src = t->conf.src;
    bool any = false;
    for (uint32_t i = 0; i < ddl->ntables && !any; i++)
        any = sl_filter_table(t->flt, ddl->tables[i].db, ddl->tables[i].name) ||
              (ddl->tables[i].new_name.len &&
               sl_filter_table(t->flt, ddl->tables[i].new_db, ddl->tables[i].new_name));
    bool to_history = !src->history_store_only_captured_tables_ddl || any;
    bool to_topic = src->include_schema_changes && any;
    const char *hfile = src->history_file_filename;
    const char *htopic = src->history_kafka_topic;
    bool have_history = t->prod ? htopic && *htopic : hfile && *hfile;
    if (!t->prod && !have_history && !t->history_noted) {
        t->history_noted = true;
        sl_log(SL_LOG_INFO, FAC,
               "%s: embedded mode without schema.history.internal.file.filename: DDL is not "
               "recorded in a schema history",
               t->conf.name);
    }
    if (!(to_history && have_history) && !to_topic)
        return SL_OK;
    struct sl_table_change *chg = NULL;
    uint32_t n = 0;
    sl_err_t err = SL_OK;
    if (any) {
        err = sl_schema_track_ddl_changes(t->trk, ddl, arena, &chg, &n, errstr, errstr_size);
        if (err)
            return err;
    }
    char gtids[2048] = "";
    if (t->gtid.known)
        gtid_str(&t->gtid, gtids, sizeof(gtids));
    struct sl_schema_change_pos pos = {
        .server = src->topic_prefix,
        .ts_sec = ev->timestamp,
        .file = sl_decoder_file(dec),
        .pos = ev->end_pos,
        .gtids = gtids,
        .server_id = ev->server_id,
        .event_file = sl_decoder_file(dec),
        .event_pos = ev->pos,
        .gtid = t->gtid_pending[0] ? t->gtid_pending : NULL,
    };
    struct sl_str sql = ev->u.query.sql;
    struct sl_buf key, val;
    sl_buf_init(&key, 1 << 16);
    sl_buf_init(&val, CONV_OUT_MAX);
    if (to_history && have_history) {
        err = sl_schema_history_record(&val, &pos, ddl->database, sql, chg, n);
        if (err) {
            snprintf(errstr, errstr_size,
                     "schema history record of the DDL at %s:%llu does not "
                     "fit",
                     pos.file, (unsigned long long)ev->pos);
        } else if (t->prod) {
            struct sl_bus_msg msg = {.topic = htopic, .partition = 0, .offset = -1};
            msg.value = val.data;
            msg.value_len = val.len;
            err = send_msg(t, &msg, errstr, errstr_size);
        } else {
            err = history_file_append(t, hfile, &val, errstr, errstr_size);
        }
    }
    if (!err && to_topic) {
        sl_buf_reset(&val);
        err = sl_schema_change_key(&key, ddl->database, t->key_schemas);
        if (!err)
            err = sl_schema_change_value(&val, &pos, ddl->database, sql, chg, n, t->value_schemas);
        if (err) {
            snprintf(errstr, errstr_size,
                     "schema change record of the DDL at %s:%llu does not "
                     "fit",
                     pos.file, (unsigned long long)ev->pos);
        } else {
            struct sl_bus_msg msg = {
                .topic = src->topic_prefix, .partition = SL_BUS_PARTITION_ANY, .offset = -1};
            msg.key = key.data;
            msg.key_len = key.len;
            msg.value = val.data;
            msg.value_len = val.len;
            err = send_msg(t, &msg, errstr, errstr_size);
        }
    }
    sl_buf_fini(&key);
    sl_buf_fini(&val);
    return err;
}

static bool is_begin(const struct sl_event *ev)
{
    return ev->u.query.sql.len == 5 && strncasecmp(ev->u.query.sql.ptr, "BEGIN", 5) == 0;
}

static sl_err_t handle(struct sl_source_task *t, struct sl_client *cl, struct sl_decoder *dec,
                       const struct sl_event *ev, char *errstr, size_t errstr_size)
{
    switch (ev->kind) {
    case SL_EV_ROWS: /* only captured tables get here (see run) */
        return rows(t, ev, true, errstr, errstr_size);
    case SL_EV_GTID:
        if (t->mariadb && ev->u.gtid.text.len && ev->u.gtid.text.len < sizeof(t->gtid_pending))
            snprintf(t->gtid_pending, sizeof(t->gtid_pending), "%.*s", (int)ev->u.gtid.text.len,
                     ev->u.gtid.text.ptr);
        return SL_OK;
    case SL_EV_XID:
        sl_metric_add(t->m_tx, 1);
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
             "offsets file) to restart from the current position, or set "
             "snapshot.mode=when_needed to copy the tables again",
             file, (unsigned long long)pos, t->conf.name,
             t->conf.worker->offset_storage_file_filename, why);
}

/* Loads the stored offset; *progress gets the snapshot checkpoint it carries (owned, NULL
 * when none). */
/* The object under key in the offset record text, as compact JSON (owned), or NULL. */
static char *offset_key(const char *text, size_t len, const char *key)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    json_t *p = root ? json_object_get(root, key) : NULL;
    char *out = NULL;
    if (p && json_is_object(p)) {
        size_t need = json_dumpb(p, NULL, 0, JSON_COMPACT);
        if (need) {
            out = sl_xmalloc(need + 1);
            json_dumpb(p, out, need, JSON_COMPACT);
            out[need] = '\0';
        }
    }
    json_decref(root);
    return out;
}

static sl_err_t load_offset(struct sl_source_task *t, struct sl_source_offset *off, bool *found,
                            char **progress, char **inc_state, char *errstr, size_t errstr_size)
{
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 24);
    *progress = NULL;
    *inc_state = NULL;
    pthread_mutex_lock(t->conf.offsets_mu);
    sl_err_t err = sl_offsets_file_get(t->conf.offsets, t->conf.name, t->partition, &buf);
    pthread_mutex_unlock(t->conf.offsets_mu);
    *found = err == SL_OK;
    if (err == SL_ERR_NOTFOUND) {
        err = SL_OK;
    } else if (!err) {
        char why[512];
        err = sl_source_offset_decode(buf.data, buf.len, off, why, sizeof(why));
        if (err) {
            snprintf(errstr, errstr_size, "offsets file %s: offset of connector '%s': %s",
                     t->conf.worker->offset_storage_file_filename, t->conf.name, why);
        } else {
            if (off->snapshot)
                *progress = offset_key(buf.data, buf.len, SNAP_KEY);
            *inc_state = offset_key(buf.data, buf.len, INC_KEY);
        }
    }
    sl_buf_fini(&buf);
    return err;
}

/* ---- Query connection (purge check, GTID position, schemas for the tracker) ---- */

static sl_err_t sql_connect(struct sl_source_task *t, const struct sl_mysql_conf *db, char *errstr,
                            size_t errstr_size)
{
    MYSQL *m = mysql_init(NULL);
    if (!m) {
        snprintf(errstr, errstr_size, "cannot allocate a MySQL connection");
        return SL_ERR_IO;
    }
    unsigned ctmo = db->connect_timeout_s ? db->connect_timeout_s : 10;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ctmo);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool on = 1, off = 0;
    if (db->ssl_mode != SL_SSL_DISABLED) {
        mysql_ssl_set(m, db->ssl_key, db->ssl_cert, db->ssl_ca, NULL, NULL);
        if (db->ssl_mode >= SL_SSL_REQUIRED)
            mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        if (db->ssl_mode >= SL_SSL_VERIFY_CA)
            mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    } else {
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &off);
    }
    mysql_optionsv(m, MYSQL_OPT_RECONNECT, &on);
    if (!mysql_real_connect(m, db->host, db->user, db->password, NULL, db->port ? db->port : 3306,
                            NULL, 0)) {
        unsigned no = mysql_errno(m);
        snprintf(errstr, errstr_size, "cannot connect to %s:%u as '%s': %s (error %u)",
                 db->host ? db->host : "localhost", db->port ? db->port : 3306,
                 db->user ? db->user : "", mysql_error(m), no);
        mysql_close(m);
        return no == 1045 || no == 1044 ? SL_ERR_AUTH : SL_ERR_IO;
    }
    t->sql = m;
    t->mariadb = strstr(mysql_get_server_info(m), "MariaDB") != NULL;
    return SL_OK;
}

/* First column of the first row of stmt into out ("" when NULL or no row). */
static sl_err_t sql_value(struct sl_source_task *t, const char *stmt, char *out, size_t out_size,
                          char *errstr, size_t errstr_size)
{
    MYSQL *m = t->sql;
    out[0] = '\0';
    if (mysql_real_query(m, stmt, strlen(stmt))) {
        snprintf(errstr, errstr_size, "%s: %s (error %u)", stmt, mysql_error(m), mysql_errno(m));
        return SL_ERR_UPSTREAM;
    }
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (row && row[0])
        snprintf(out, out_size, "%s", row[0]);
    if (res)
        mysql_free_result(res);
    return SL_OK;
}

/* Whether SHOW BINARY LOGS still lists file. */
static sl_err_t binlog_listed(struct sl_source_task *t, const char *file, bool *listed,
                              char *errstr, size_t errstr_size)
{
    MYSQL *m = t->sql;
    *listed = false;
    if (mysql_real_query(m, "SHOW BINARY LOGS", 16)) {
        snprintf(errstr, errstr_size, "SHOW BINARY LOGS: %s (error %u)", mysql_error(m),
                 mysql_errno(m));
        return SL_ERR_UPSTREAM;
    }
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    while (res && (row = mysql_fetch_row(res)) != NULL)
        if (row[0] && strcmp(row[0], file) == 0)
            *listed = true;
    if (res)
        mysql_free_result(res);
    return SL_OK;
}

/* MariaDB: the exact GTID position of file:pos (BINLOG_GTID_POS), to seed the tracking. */
static void gtid_seed_at(struct sl_source_task *t, const char *file, uint64_t pos)
{
    if (!t->mariadb || t->gtid.known)
        return;
    char stmt[512], val[2048], why[512];
    char esc[300];
    mysql_real_escape_string(t->sql, esc, file, (unsigned long)strnlen(file, 140));
    snprintf(stmt, sizeof(stmt), "SELECT BINLOG_GTID_POS('%s', %llu)", esc,
             (unsigned long long)pos);
    if (sql_value(t, stmt, val, sizeof(val), why, sizeof(why)) == SL_OK && gtid_seed(&t->gtid, val))
        sl_log(SL_LOG_DEBUG, FAC, "%s: GTID position at %s:%llu is '%s'", t->conf.name, file,
               (unsigned long long)pos, val);
    else
        sl_log(SL_LOG_WARN, FAC, "%s: GTID position of %s:%llu unknown; offsets carry no gtids",
               t->conf.name, file, (unsigned long long)pos);
}

static sl_err_t schema_load(struct sl_str db, struct sl_str name, struct sl_arena *arena,
                            struct sl_table_def *def, char *errstr, size_t errstr_size,
                            void *opaque)
{
    return sl_schema_track_load_mysql(db, name, arena, def, errstr, errstr_size, opaque);
}

/* ---- Initial snapshot ---- */

static bool snap_filter(const char *db, const char *table, void *opaque)
{
    struct sl_source_task *t = opaque;
    return sl_filter_table(t->flt, sl_str_c(db), sl_str_c(table));
}

static void fmt_secs(double s, char *out, size_t out_size)
{
    if (s < 0 || s > 1e9)
        snprintf(out, out_size, "?");
    else if (s >= 3600)
        snprintf(out, out_size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60)
        snprintf(out, out_size, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(out, out_size, "%ds", (int)s);
}

/* Bytes of converted records held per read-ahead slot; rows past it are converted at send. */
#define PRE_CHUNK_MAX ((size_t)8 << 20)

/* Thread: the snapshot's reader thread (sl_snapshot_opts.on_chunk). Converts a prefix of the
 * chunk into pre[slot]; stops at the first row that fails or does not fit, which the main
 * thread then converts itself (emit reports the failure the usual way). */
static void pre_convert(void *opaque, unsigned slot, const struct sl_change *chg, size_t n)
{
    struct sl_source_task *t = opaque;
    struct pre_chunk *pc = &t->pre[slot];
    sl_conv_out_reset(&pc->out);
    pc->nrec = pc->nhdr = pc->nrows = 0;
    if (n + 1 > pc->cap_first) {
        pc->cap_first = n + 1;
        pc->first = sl_xrealloc(pc->first, pc->cap_first * sizeof(*pc->first));
    }
    struct sl_conv_meta meta = {.ts_ms = sl_time_now_ms(), .snapshot = SL_CONV_SNAP_TRUE};
    for (size_t i = 0; i < n; i++) {
        if (sl_conv_change_append(t->snap_conv, &chg[i], &meta, &pc->out))
            break;
        pc->first[i] = (uint32_t)pc->nrec;
        const struct sl_conv_out *o = &pc->out;
        if (pc->nrec + o->nrec > pc->cap_rec) {
            pc->cap_rec = pc->cap_rec ? pc->cap_rec * 2 : 1024;
            pc->rec = sl_xrealloc(pc->rec, pc->cap_rec * sizeof(*pc->rec));
        }
        for (uint32_t r = 0; r < o->nrec; r++) {
            const struct sl_conv_record *cr = &o->rec[r];
            if (pc->nhdr + cr->nheaders > pc->cap_hdr) {
                pc->cap_hdr = (pc->nhdr + cr->nheaders) * 2;
                pc->hdr = sl_xrealloc(pc->hdr, pc->cap_hdr * sizeof(*pc->hdr));
            }
            if (cr->nheaders)
                memcpy(pc->hdr + pc->nhdr, cr->headers, cr->nheaders * sizeof(*pc->hdr));
            pc->rec[pc->nrec++] =
                (struct pre_rec){cr->topic, cr->key, cr->value, (uint32_t)pc->nhdr, cr->nheaders};
            pc->nhdr += cr->nheaders;
        }
        pc->nrows = i + 1;
    }
    pc->first[pc->nrows] = (uint32_t)pc->nrec;
}

/* Sends row i of the chunk in pre-converted form. */
static sl_err_t send_pre(struct sl_source_task *t, const struct pre_chunk *pc, size_t i,
                         int64_t ts_ms, char *errstr, size_t errstr_size)
{
    for (uint32_t r = pc->first[i]; r < pc->first[i + 1]; r++) {
        const struct pre_rec *pr = &pc->rec[r];
        sl_err_t err = send_record(t, &pc->out, pr->topic, pr->key, pr->value, pc->hdr + pr->h0,
                                   pr->nh, ts_ms, errstr, errstr_size);
        if (err)
            return err;
    }
    return SL_OK;
}

/* Sends the pre-converted rows [from, to) of pc. Runs of rows that are one record without
 * headers of one topic (the usual snapshot row) go to Kafka through
 * sl_producer_send_batch; anything else row by row. */
static sl_err_t send_pre_rows(struct sl_source_task *t, const struct pre_chunk *pc, size_t from,
                              size_t to, int64_t ts_ms, char *errstr, size_t errstr_size)
{
    if (to - from > t->cap_bmsgs) {
        t->cap_bmsgs = to - from;
        t->bmsgs = sl_xrealloc(t->bmsgs, t->cap_bmsgs * sizeof(*t->bmsgs));
    }
    size_t i = from;
    while (i < to) {
        const struct pre_rec *r0 = &pc->rec[pc->first[i]];
        struct sl_str topic0 = sl_conv_out_str(&pc->out, r0->topic);
        char topic[256];
        str_copy(topic, sizeof(topic), topic0);
        size_t n = 0;
        while (t->prod && i + n < to) {
            size_t row = i + n;
            const struct pre_rec *r = &pc->rec[pc->first[row]];
            struct sl_str tp = sl_conv_out_str(&pc->out, r->topic);
            if (pc->first[row + 1] - pc->first[row] != 1 || r->nh || tp.len != topic0.len ||
                memcmp(tp.ptr, topic0.ptr, tp.len) != 0)
                break;
            struct sl_str k = sl_conv_out_str(&pc->out, r->key);
            struct sl_str v = sl_conv_out_str(&pc->out, r->value);
            t->bmsgs[n++] = (struct sl_bus_msg){.topic = topic,
                                                .partition = SL_BUS_PARTITION_ANY,
                                                .offset = -1,
                                                .key = k.ptr,
                                                .key_len = k.len,
                                                .value = v.ptr,
                                                .value_len = v.len};
        }
        sl_err_t err = SL_OK;
        if (n == 0) {
            err = send_pre(t, pc, i, ts_ms, errstr, errstr_size);
            if (err)
                return err;
            i++;
            continue;
        }
        if (t->create_topics) {
            err = ensure_topic(t, topic, errstr, errstr_size);
            if (err)
                return err;
        }
        for (size_t off = 0; off < n;) {
            size_t sent = 0;
            uint64_t last = 0;
            err = sl_producer_send_batch(t->prod, t->bmsgs + off, n - off, &sent, &last, errstr,
                                         errstr_size);
            if (sent)
                count_sent(t, t->bmsgs + off, sent, last);
            off += sent;
            if (!err)
                continue;
            if (err != SL_ERR_AGAIN)
                return err;
            err = wait_for_room(t, errstr, errstr_size);
            if (err)
                return err;
        }
        i += n;
    }
    return SL_OK;
}

/* Runs the snapshot (fresh, or continuing resume_json); on success file/pos/gtids hold the
 * position streaming must start from, and the ring holds the completion checkpoint. */
static sl_err_t snapshot(struct sl_source_task *t, const char *resume_json, char *file,
                         size_t file_size, uint64_t *pos, char *gtids, size_t gtids_size,
                         char *errstr, size_t errstr_size)
{
    struct sl_snapshot_opts opts;
    sl_snapshot_opts_from_conf(&opts, t->conf.src);
    opts.filter = snap_filter;
    opts.filter_opaque = t;
    if (t->snap_conv) {
        opts.on_chunk = pre_convert;
        opts.on_chunk_opaque = t;
    }
    t->snap = sl_snapshot_new(&opts, errstr, errstr_size);
    if (!t->snap)
        return SL_ERR_CONF;
    sl_err_t err = sl_snapshot_begin(t->snap, resume_json, errstr, errstr_size);
    if (err)
        return err;
    const char *note = sl_snapshot_resume_note(t->snap);
    if (note[0])
        sl_log(SL_LOG_WARN, FAC, "%s: %s", t->conf.name, note);
    const char *sf, *sg;
    sl_snapshot_position(t->snap, &sf, pos, &sg);
    snprintf(file, file_size, "%s", sf);
    snprintf(gtids, gtids_size, "%s", t->mariadb ? sg : "");
    struct sl_snapshot_stats st;
    sl_snapshot_stats(t->snap, &st);
    sl_log(SL_LOG_INFO, FAC,
           "%s: snapshot %s (method %s) at %s:%llu%s%s: %u tables, about %llu rows "
           "(%llu already copied)",
           t->conf.name, resume_json && !note[0] ? "resumed" : "started",
           sl_snapshot_method(t->snap), file, (unsigned long long)*pos, gtids[0] ? " gtids " : "",
           gtids, st.tables, (unsigned long long)st.rows_estimated,
           (unsigned long long)st.rows_total);

    struct sl_buf prog;
    sl_buf_init(&prog, 1 << 24);
    err = sl_snapshot_progress_json(t->snap, &prog);
    if (err) {
        snprintf(errstr, errstr_size, "snapshot checkpoint does not fit");
        goto out;
    }
    /* Pin the position at once: a restart continues this snapshot. */
    ckpt_set(&t->safe, 0, file, *pos, sl_time_now_ms() / 1000, 0, gtids, sl_buf_cstr(&prog), false);
    t->safe_dirty = true;
    t->snapshotting = true;
    sl_metric_set(t->m_snap_running, 1);
    sl_metric_set(t->m_snap_total, (int64_t)st.rows_estimated);
    sl_metric_set(t->m_snap_rows, (int64_t)st.rows_total);
    int64_t t0 = sl_time_mono_ms(), last_log = t0;
    const struct sl_table *cur = NULL;
    uint64_t cur_rows = 0;
    bool live = isatty(2) != 0;
    for (;;) {
        if (atomic_load(&t->stop)) {
            err = SL_ERR_SHUTDOWN;
            snprintf(errstr, errstr_size, "stopping");
            goto out;
        }
        struct sl_change *ch = NULL;
        size_t n = 0;
        bool last = false;
        err = sl_snapshot_next(t->snap, &ch, &n, &last, errstr, errstr_size);
        if (err == SL_ERR_EOF)
            break;
        if (err)
            goto out;
        if (n && ch[0].table != cur) {
            if (cur)
                sl_log(SL_LOG_INFO, FAC, "%s: snapshot of %.*s.%.*s done: %llu rows", t->conf.name,
                       (int)cur->db.len, cur->db.ptr, (int)cur->name.len, cur->name.ptr,
                       (unsigned long long)cur_rows);
            cur = ch[0].table;
            cur_rows = 0;
        }
        struct sl_conv_meta meta = {.ts_ms = sl_time_now_ms(), .snapshot = SL_CONV_SNAP_TRUE};
        const struct pre_chunk *pc = t->snap_conv ? &t->pre[sl_snapshot_slot(t->snap)] : NULL;
        size_t npre = pc ? pc->nrows : 0;
        if (last && npre == n)
            npre--; /* the final row says snapshot "last": converted here */
        err = npre ? send_pre_rows(t, pc, 0, npre, meta.ts_ms, errstr, errstr_size) : SL_OK;
        if (err)
            goto out;
        for (size_t i = npre; i < n; i++) {
            if (last && i + 1 == n)
                meta.snapshot = SL_CONV_SNAP_LAST;
            err = emit(t, &ch[i], &meta, errstr, errstr_size);
            if (err)
                goto out;
        }
        cur_rows += n;
        sl_metric_add(t->m_snap_rows, (int64_t)n);
        sl_buf_reset(&prog);
        err = sl_snapshot_progress_json(t->snap, &prog);
        if (err) {
            snprintf(errstr, errstr_size, "snapshot checkpoint does not fit");
            goto out;
        }
        ckpt_push_full(t, file, *pos, sl_time_now_ms() / 1000, 0, gtids, sl_buf_cstr(&prog), false);
        err = tick(t, false, errstr, errstr_size);
        if (err)
            goto out;
        int64_t now = sl_time_mono_ms();
        if (now - last_log >= PROGRESS_MS && cur) {
            last_log = now;
            sl_snapshot_stats(t->snap, &st);
            char eta[32];
            double left =
                st.rows_estimated > st.rows_total ? (double)(st.rows_estimated - st.rows_total) : 0;
            fmt_secs(st.rows_per_sec > 0 ? left / st.rows_per_sec : -1, eta, sizeof(eta));
            sl_log(SL_LOG_INFO, FAC,
                   "%s: snapshot %.*s.%.*s: %llu rows; total %llu of about %llu rows, "
                   "%u/%u tables, %.0f rows/s, ETA %s",
                   t->conf.name, (int)cur->db.len, cur->db.ptr, (int)cur->name.len, cur->name.ptr,
                   (unsigned long long)cur_rows, (unsigned long long)st.rows_total,
                   (unsigned long long)st.rows_estimated, st.tables_done, st.tables,
                   st.rows_per_sec, eta);
        } else if (live && cur) {
            sl_snapshot_stats(t->snap, &st);
            fprintf(stderr, "\r  snapshot: %llu of ~%llu rows, %.0f rows/s   ",
                    (unsigned long long)st.rows_total, (unsigned long long)st.rows_estimated,
                    st.rows_per_sec);
        }
    }
    if (live)
        fprintf(stderr, "\r\n");
    if (cur)
        sl_log(SL_LOG_INFO, FAC, "%s: snapshot of %.*s.%.*s done: %llu rows", t->conf.name,
               (int)cur->db.len, cur->db.ptr, (int)cur->name.len, cur->name.ptr,
               (unsigned long long)cur_rows);
    /* The end marker and the streaming position in one record, once every row is acked. */
    ckpt_push_full(t, file, *pos, sl_time_now_ms() / 1000, 0, gtids, NULL, true);
    t->snapshotting = false;
    sl_metric_set(t->m_snap_running, 0);
    sl_snapshot_stats(t->snap, &st);
    char took[32];
    fmt_secs((double)(sl_time_mono_ms() - t0) / 1000.0, took, sizeof(took));
    sl_log(SL_LOG_INFO, FAC,
           "%s: snapshot completed: %llu rows copied by this run (%llu in total) from %u "
           "tables in %s, %.0f rows/s; streaming from %s:%llu",
           t->conf.name, (unsigned long long)st.rows, (unsigned long long)st.rows_total, st.tables,
           took, st.rows_per_sec, file, (unsigned long long)*pos);
    err = SL_OK;
out:
    sl_buf_fini(&prog);
    sl_snapshot_free(t->snap);
    t->snap = NULL;
    return err;
}

static bool mode_has_data(int mode)
{
    return mode == SL_SNAPSHOT_INITIAL || mode == SL_SNAPSHOT_INITIAL_ONLY ||
           mode == SL_SNAPSHOT_WHEN_NEEDED || mode == SL_SNAPSHOT_ALWAYS;
}

/* Start-up checks (source/checks.h) before anything is read: a FAIL fails the task with that
 * check's line (the setting and the fix); WARN lines are logged. stored_file is the stored
 * offset's binlog file when it must still be on the server (NULL when a snapshot would be
 * taken anyway). A server id "in use" by a connected replica is only a warning here: it is
 * usually this connector's own previous connection, which the server drops on reconnect. */
static sl_err_t startup_checks(struct sl_source_task *t, const char *stored_file,
                               uint64_t stored_pos, char *errstr, size_t errstr_size)
{
    struct sl_check_report *rep = sl_xcalloc(1, sizeof(*rep));
    sl_check_report_init(rep);
    char why[1024];
    (void)sl_source_checks_run(t->conf.src, stored_file, rep, why, sizeof(why));
    sl_err_t err = SL_OK;
    char line[SL_CHECK_NAME_MAX + SL_CHECK_MSG_MAX + SL_CHECK_FIX_MAX + 32];
    for (size_t i = 0; i < rep->n; i++) {
        const struct sl_check_item *it = &rep->items[i];
        sl_check_item_format(it, line, sizeof(line));
        bool own_id = it->status == SL_CHECK_FAIL &&
                      strcmp(it->name, "mysql database.server.id") == 0 &&
                      strstr(it->message, "connected replica") != NULL;
        if (it->status == SL_CHECK_FAIL && !own_id && !err) {
            snprintf(errstr, errstr_size, "start-up check failed: %s", line);
            if (strcmp(it->name, "mysql connection") == 0)
                err = strstr(it->message, "log in") ? SL_ERR_AUTH : SL_ERR_IO;
            else if (strcmp(it->name, "mysql grants") == 0 ||
                     strcmp(it->name, "mysql snapshot locking") == 0)
                err = SL_ERR_AUTH;
            else if (strcmp(it->name, "mysql stored offset") == 0) {
                err = SL_ERR_NOTFOUND;
                snprintf(errstr, errstr_size,
                         "the stored offset %s:%llu of connector '%s' (offsets file %s) is no "
                         "longer available on the server, probably purged (%s); remove that "
                         "entry (or the offsets file) to restart from the current position, or "
                         "set snapshot.mode=when_needed to copy the tables again",
                         stored_file, (unsigned long long)stored_pos, t->conf.name,
                         t->conf.worker->offset_storage_file_filename, it->message);
            } else if (strcmp(it->name, "mysql database.server.id") == 0)
                err = SL_ERR_CONF;
            else
                err = SL_ERR_UNSUPPORTED;
        } else if (it->status == SL_CHECK_WARN || own_id) {
            sl_log(SL_LOG_WARN, FAC, "%s: %s", t->conf.name, line);
        } else {
            sl_log(SL_LOG_DEBUG, FAC, "%s: %s", t->conf.name, line);
        }
    }
    sl_free(rep);
    return err;
}

/* Binlog file index (numeric suffix of the file name) and position gauges. */
static void binlog_gauges(struct sl_source_task *t, const char *file, uint64_t pos)
{
    const char *dot = file ? strrchr(file, '.') : NULL;
    int64_t idx = 0;
    if (dot && dot[1] && sl_parse_i64(dot + 1, &idx) == SL_OK)
        sl_metric_set(t->m_file_idx, idx);
    sl_metric_set(t->m_pos, (int64_t)pos);
}

static sl_err_t run(struct sl_source_task *t, char *errstr, size_t errstr_size)
{
    const struct sl_mysql_source_conf *src = t->conf.src;
    struct sl_source_offset off = {0};
    bool found = false;
    char *progress = NULL, *inc_state = NULL;
    struct sl_client *cl = NULL;
    struct sl_decoder *dec = NULL;
    struct sl_arena arena;
    sl_arena_init(&arena, 1 << 20);
    char sfile[256] = "", sgtids[4096] = "";
    uint64_t spos = 0;
    const int mode = src->snapshot_mode;

    t->arena = &arena;
    sl_err_t err = load_offset(t, &off, &found, &progress, &inc_state, errstr, errstr_size);
    if (err)
        goto out;
    if (src->signal_data_collection && *src->signal_data_collection) {
        struct sl_incsnap_opts io;
        sl_incsnap_opts_from_conf(&io, src);
        t->inc = sl_incsnap_new(&io, errstr, errstr_size);
        if (!t->inc) {
            err = SL_ERR_CONF;
            goto out;
        }
        err = sl_incsnap_resume(t->inc, inc_state, errstr, errstr_size);
        if (err) {
            char why[768];
            snprintf(why, sizeof(why), "%s", errstr);
            snprintf(errstr, errstr_size, "offsets file %s: connector '%s': %s: %s",
                     t->conf.worker->offset_storage_file_filename, t->conf.name, INC_KEY, why);
            goto out;
        }
        if (sl_incsnap_active(t->inc))
            sl_log(SL_LOG_INFO, FAC, "%s: resuming the incremental snapshot %s", t->conf.name,
                   inc_state);
    }

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

    const char *check_file = found && !(off.snapshot && !off.snapshot_completed) &&
                                     mode != SL_SNAPSHOT_WHEN_NEEDED && mode != SL_SNAPSHOT_ALWAYS
                                 ? off.file
                                 : NULL;
    err = startup_checks(t, check_file, (uint64_t)off.pos, errstr, errstr_size);
    /* A restart (there is a stored offset) rides out a database that is briefly down, e.g.
     * restarting at the same time as Sluice; a first start with an unreachable server still
     * fails at once, as Debezium's does, so a wrong host is reported without delay. */
    for (unsigned wait_ms = 500, waited = 0;
         err == SL_ERR_IO && found && waited < RESTART_WAIT_MS && !atomic_load(&t->stop);
         waited += wait_ms, wait_ms = wait_ms * 2 > 8000 ? 8000 : wait_ms * 2) {
        sl_log(SL_LOG_WARN, FAC, "%s: %s; retrying in %u ms", t->conf.name, errstr, wait_ms);
        struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        err = startup_checks(t, check_file, (uint64_t)off.pos, errstr, errstr_size);
    }
    if (err)
        goto out;
    err = sql_connect(t, &cc.db, errstr, errstr_size);
    if (err)
        goto out;
    t->trk = sl_schema_track_new(schema_load, t->sql);

    /* Whether to copy the tables first (debezium-compat.md §1.1). */
    bool do_snap = false;
    const char *resume = NULL;
    if (found && off.snapshot && !off.snapshot_completed) {
        if (!mode_has_data(mode)) {
            snprintf(errstr, errstr_size,
                     "The connector previously stopped while taking a snapshot, but now the "
                     "connector is configured to never allow snapshots (snapshot.mode of "
                     "connector '%s'); remove its entry from the offsets file %s to stream "
                     "from the current position, or use snapshot.mode=initial to finish the "
                     "snapshot",
                     t->conf.name, t->conf.worker->offset_storage_file_filename);
            err = SL_ERR_CONF;
            goto out;
        }
        do_snap = true;
        resume = progress;
        if (!resume)
            sl_log(SL_LOG_WARN, FAC,
                   "%s: the stored offset was taken during a snapshot but carries no %s; "
                   "the snapshot starts again from the beginning",
                   t->conf.name, SNAP_KEY);
    } else if (!found) {
        do_snap = mode_has_data(mode);
        if (!do_snap)
            sl_log(SL_LOG_INFO, FAC,
                   "%s: no stored offset and snapshot.mode copies no data; streaming from "
                   "the current binlog position",
                   t->conf.name);
    } else if (mode == SL_SNAPSHOT_ALWAYS) {
        do_snap = true;
    } else if (mode == SL_SNAPSHOT_WHEN_NEEDED) {
        bool listed = false;
        err = binlog_listed(t, off.file, &listed, errstr, errstr_size);
        if (err)
            goto out;
        if (!listed) {
            sl_log(SL_LOG_WARN, FAC,
                   "%s: the stored offset %s:%lld is no longer available on the server "
                   "(purged); snapshot.mode=when_needed: copying the tables again",
                   t->conf.name, off.file, (long long)off.pos);
            do_snap = true;
        }
    } else if (mode == SL_SNAPSHOT_INITIAL_ONLY) {
        sl_log(SL_LOG_INFO, FAC,
               "%s: the snapshot is complete and snapshot.mode=initial_only never streams; "
               "the task stops",
               t->conf.name);
        atomic_store(&t->finished, true);
        goto out;
    }

    if (do_snap) {
        err = snapshot(t, resume, sfile, sizeof(sfile), &spos, sgtids, sizeof(sgtids), errstr,
                       errstr_size);
        if (err == SL_ERR_SHUTDOWN) {
            err = SL_OK;
            goto out;
        }
        if (err)
            goto out;
        if (mode == SL_SNAPSHOT_INITIAL_ONLY) {
            sl_log(SL_LOG_INFO, FAC,
                   "%s: snapshot.mode=initial_only: the snapshot is done, the task stops",
                   t->conf.name);
            atomic_store(&t->finished, true);
            goto out;
        }
        cc.from = SL_CLIENT_FROM_FILEPOS;
        cc.file = sfile;
        cc.pos = spos;
        if (sgtids[0])
            gtid_seed(&t->gtid, sgtids);
    } else if (found) {
        cc.from = SL_CLIENT_FROM_FILEPOS;
        cc.file = off.file;
        cc.pos = (uint64_t)off.pos;
        if (off.gtids && off.gtids[0] && t->mariadb && !strchr(off.gtids, ':') &&
            gtid_seed(&t->gtid, off.gtids)) {
            cc.from = SL_CLIENT_FROM_GTID;
            cc.gtid = off.gtids;
        }
        sl_log(SL_LOG_INFO, FAC, "%s: resuming from the stored offset %s:%lld%s%s", t->conf.name,
               off.file, (long long)off.pos, cc.from == SL_CLIENT_FROM_GTID ? " gtids " : "",
               cc.from == SL_CLIENT_FROM_GTID ? off.gtids : "");
    } else {
        cc.from = SL_CLIENT_FROM_CURRENT;
    }

    err = sl_client_new(&cc, &cl, errstr, errstr_size);
    if (!err)
        err = sl_client_start(cl, errstr, errstr_size);
    if (err && cc.from == SL_CLIENT_FROM_GTID) {
        sl_log(SL_LOG_WARN, FAC, "%s: cannot resume by GTID (%s); using %s:%lld", t->conf.name,
               errstr, off.file, (long long)off.pos);
        sl_client_free(cl);
        cl = NULL;
        cc.from = SL_CLIENT_FROM_FILEPOS;
        cc.gtid = NULL;
        err = sl_client_new(&cc, &cl, errstr, errstr_size);
        if (!err)
            err = sl_client_start(cl, errstr, errstr_size);
    }
    if (err) {
        if (found && !do_snap)
            purged_hint(t, off.file, (uint64_t)off.pos, errstr, errstr_size);
        goto out;
    }
    if (do_snap) {
        /* t->safe / the ring already hold the snapshot's completion checkpoint. */
    } else if (found) {
        ckpt_set(&t->safe, 0, off.file, (uint64_t)off.pos, off.ts_sec, (uint32_t)off.server_id,
                 t->gtid.known ? off.gtids : NULL, NULL, false);
        gtid_seed_at(t, off.file, (uint64_t)off.pos);
    } else {
        const char *file;
        uint64_t pos;
        sl_client_start_current(cl, &file, &pos);
        gtid_seed_at(t, file, pos);
        char g[2048] = "";
        if (t->gtid.known)
            gtid_str(&t->gtid, g, sizeof(g));
        ckpt_set(&t->safe, 0, file, pos, sl_time_now_ms() / 1000, 0, g, NULL, false);
        t->safe_dirty = true; /* remember where we started even if nothing happens */
    }
    t->last_flush_ms = sl_time_mono_ms();
    sl_metric_set(t->m_connected, 1);

    dec = sl_decoder_new();
    sl_decoder_set_checksum(dec, sl_client_checksum(cl) ? SL_DECODER_CHECKSUM_CRC32
                                                        : SL_DECODER_CHECKSUM_NONE);
    if (cc.from == SL_CLIENT_FROM_CURRENT || do_snap || cc.from == SL_CLIENT_FROM_FILEPOS)
        sl_log(SL_LOG_INFO, FAC, "%s: streaming from %s:%llu", t->conf.name,
               do_snap ? sfile : t->safe.file, (unsigned long long)(do_snap ? spos : t->safe.pos));
    else
        sl_log(SL_LOG_INFO, FAC, "%s: streaming from gtids %s", t->conf.name, cc.gtid);

    bool first = true;
    uint64_t last_end = 0;
    while (!atomic_load(&t->stop)) {
        const uint8_t *data;
        size_t len;
        err = sl_client_fetch(cl, &data, &len, errstr, errstr_size);
        if (err == SL_ERR_AGAIN) {
            sl_log(SL_LOG_WARN, FAC,
                   "%s: reconnected to the server; the open transaction is "
                   "replayed",
                   t->conf.name);
            t->gtid_pending[0] = '\0';
            err = SL_OK;
            continue;
        }
        if (err) {
            if (first && found && !do_snap)
                purged_hint(t, off.file, (uint64_t)off.pos, errstr, errstr_size);
            goto out;
        }
        first = false;
        err = sl_decoder_put(dec, data, len, SL_DECODER_POS_AUTO, errstr, errstr_size);
        if (err)
            goto out;
        struct sl_event ev;
        while ((err = sl_decoder_next(dec, &arena, &ev, errstr, errstr_size)) == SL_OK) {
            /* Tables that are not captured never reach the tracker: no schema queries for
             * them, and their schema changes cannot stop the task. */
            if (!ev.inner && ev.end_pos)
                last_end = ev.end_pos;
            if (ev.timestamp > 0)
                sl_metric_set(t->m_behind, sl_time_now_ms() - (int64_t)ev.timestamp * 1000);
            if (ev.kind == SL_EV_ROWS)
                sl_metric_add(t->m_seen, 1);
            if ((ev.kind == SL_EV_TABLE_MAP && !captured(t, ev.u.table_map.table)) ||
                (ev.kind == SL_EV_ROWS && !captured(t, ev.u.rows.table))) {
                if (ev.kind == SL_EV_ROWS) {
                    sl_metric_add(t->m_filtered, 1);
                    if (t->inc) {
                        err = rows(t, &ev, false, errstr, errstr_size);
                        if (err)
                            break;
                    }
                }
                continue;
            }
            struct sl_ddl ddl;
            memset(&ddl, 0, sizeof(ddl));
            err = sl_schema_track_event(t->trk, sl_decoder_file(dec), &ev, &ddl, &arena, errstr,
                                        errstr_size);
            if (!err && ev.kind == SL_EV_QUERY && ddl.kind >= SL_DDL_OTHER &&
                ddl.kind != SL_DDL_TRUNCATE_TABLE)
                err = record_ddl(t, dec, &ev, &ddl, &arena, errstr, errstr_size);
            if (!err)
                err = handle(t, cl, dec, &ev, errstr, errstr_size);
            if (err)
                break;
        }
        sl_arena_reset(&arena);
        binlog_gauges(t, sl_decoder_file(dec), last_end);
        if (err == SL_ERR_SHUTDOWN)
            break;
        if (err != SL_ERR_EOF)
            goto out;
        sl_schema_track_drop_retired(t->trk);
        err = tick(t, false, errstr, errstr_size);
        if (!err)
            err = inc_poll(t, errstr, errstr_size);
        if (err)
            goto out;
    }
    err = SL_OK;

out:
    sl_metric_set(t->m_connected, 0);
    sl_metric_set(t->m_snap_running, 0);
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
                   "offset %s:%llu%s replays them on restart",
                   t->conf.name, t->safe.file, (unsigned long long)t->safe.pos,
                   t->safe.snap ? " (snapshot checkpoint)" : "");
    }
    sl_schema_track_free(t->trk);
    t->trk = NULL;
    if (t->sql)
        mysql_close(t->sql);
    t->sql = NULL;
    sl_decoder_free(dec);
    sl_client_free(cl);
    sl_arena_fini(&arena);
    sl_source_offset_fini(&off);
    sl_free(progress);
    sl_free(inc_state);
    sl_incsnap_free(t->inc);
    t->inc = NULL;
    t->arena = NULL;
    return err;
}

static void *thread_main(void *arg)
{
    struct sl_source_task *t = arg;
    if (t->conf.kc) {
        if (t->conf.kc->msk_iam && !t->conf.token_fn) {
            snprintf(t->errstr, sizeof(t->errstr),
                     "sasl.mechanism=AWS_MSK_IAM needs a token source (none was given)");
            t->result = SL_ERR_CONF;
            atomic_store(&t->done, true);
            return NULL;
        }
        t->prod =
            sl_producer_new(t->conf.kc, INFLIGHT_MAX, t->conf.kc->msk_iam ? t->conf.token_fn : NULL,
                            t->conf.token_opaque, t->errstr, sizeof(t->errstr));
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
    atomic_init(&t->finished, false);
    sl_conv_out_init(&t->out, CONV_OUT_MAX);
    struct sl_metrics *mx = conf->metrics;
    if (!mx)
        mx = t->own_metrics = sl_metrics_new(32);
    const char *n = conf->name;
    t->m_seen = sl_metrics_series(mx, SL_M_SOURCE_EVENTS_SEEN, n, -1);
    t->m_filtered = sl_metrics_series(mx, SL_M_SOURCE_EVENTS_FILTERED, n, -1);
    t->m_written = sl_metrics_series(mx, SL_M_SOURCE_RECORDS_WRITTEN, n, -1);
    t->m_tx = sl_metrics_series(mx, SL_M_SOURCE_TRANSACTIONS, n, -1);
    t->m_behind = sl_metrics_series(mx, SL_M_SOURCE_MS_BEHIND, n, -1);
    t->m_connected = sl_metrics_series(mx, SL_M_SOURCE_CONNECTED, n, -1);
    t->m_file_idx = sl_metrics_series(mx, SL_M_BINLOG_FILE_INDEX, n, -1);
    t->m_pos = sl_metrics_series(mx, SL_M_BINLOG_POSITION, n, -1);
    t->m_snap_running = sl_metrics_series(mx, SL_M_SNAPSHOT_RUNNING, n, -1);
    t->m_snap_rows = sl_metrics_series(mx, SL_M_SNAPSHOT_ROWS_SCANNED, n, -1);
    t->m_snap_total = sl_metrics_series(mx, SL_M_SNAPSHOT_ROWS_TOTAL, n, -1);
    t->m_prod_rec = sl_metrics_series(mx, SL_M_KAFKA_PRODUCED_RECORDS, n, -1);
    t->m_prod_bytes = sl_metrics_series(mx, SL_M_KAFKA_PRODUCED_BYTES, n, -1);
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
    t->key_schemas = opts.key_schemas;
    t->value_schemas = opts.value_schemas;
    t->conv = sl_conv_new(&opts, errstr, errstr_size);
    t->snap_conv = t->conv ? sl_conv_new(&opts, errstr, errstr_size) : NULL;
    if (!t->conv || !t->snap_conv) {
        err = SL_ERR_CONF;
        goto fail;
    }
    for (int i = 0; i < 2; i++)
        sl_conv_out_init(&t->pre[i].out, PRE_CHUNK_MAX);
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

bool sl_source_task_finished(struct sl_source_task *t)
{
    return atomic_load(&t->done) && atomic_load(&t->finished);
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
    sl_conv_free(t->snap_conv);
    for (int i = 0; i < 2; i++) {
        sl_conv_out_fini(&t->pre[i].out);
        sl_free(t->pre[i].rec);
        sl_free(t->pre[i].hdr);
        sl_free(t->pre[i].first);
    }
    sl_free(t->bmsgs);
    sl_filter_free(t->flt);
    sl_conv_out_fini(&t->out);
    for (size_t i = 0; i < t->ring_n; i++)
        ckpt_clear(&t->ring[(t->ring_head + i) % t->ring_cap]);
    sl_free(t->ring);
    ckpt_clear(&t->safe);
    for (size_t i = 0; i < t->ntopics_known; i++)
        sl_free(t->topics_known[i]);
    sl_free(t->topics_known);
    sl_metrics_free(t->own_metrics);
    sl_free(t);
}
