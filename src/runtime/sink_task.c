/* SPDX-License-Identifier: Apache-2.0 */
/* The DynamoDB sink task. Kafka mode: tasks.max threads, each a member of the consumer group
 * connect-<name> with its own DynamoDB writer; records go to the writer in partition order
 * and a partition's offset is marked (then committed every offset.flush.interval.ms, on a
 * revoke and on shutdown) only up to the writer's committable offset, i.e. after DynamoDB
 * accepted every earlier record. Embedded mode: one thread takes records from the local bus
 * (several would reorder a partition) and acknowledges each one only once the writer's
 * committable offset of its partition has passed it, which is what lets the source store its
 * binlog offset. Bad records (put refuses them, or DynamoDB rejects them later through the
 * writer's failure callback) fail the task under errors.tolerance=none and are logged and
 * dead-lettered under errors.tolerance=all; the DLQ write completes before the record counts
 * as finished, so before its offset is committed. */
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/creds.h"
#include "bus/consumer.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "runtime/dlq.h"
#include "runtime/sink_task.h"
#include "sink/sinkconf.h"
#include "sink/writer.h"

#define FAC "sink"
#define POLL_MS 200
/* Longest wait on DynamoDB's sockets while records may be arriving on the bus. */
#define BUSY_WAIT_MS 2
/* Records taken from the local bus at once (as max.poll.records' default). */
#define LOCAL_BATCH 500
#define MAX_THREADS 64

struct sink_thread {
    struct sl_sink_task *task;
    int id;
    pthread_t thread;
    bool started;
    atomic_bool done;
    sl_err_t result;
    char errstr[1024];
    struct sl_ddb_writer *w;
    struct sl_consumer *cons;
    /* Embedded mode: records taken from the local bus and not yet acknowledged (FIFO). */
    struct sl_local_rec **pend;
    size_t pend_cap, pend_head, pend_n;
    uint64_t nput, ninvalid;
    struct sl_ddb_writer_conf wconf;
    struct sl_dlq *dlq;
    bool rec_failed; /* tolerance none: a record failed; errstr says which */
    struct sl_ddb_writer_stats last;
    struct sl_metric *m_consumed, *m_consumed_bytes, *m_requests, *m_items, *m_retries,
        *m_throttles, *m_errors, *m_dlq, *m_depth, *m_behind;
};

struct sl_sink_task {
    struct sl_sink_task_conf conf;
    struct sl_aws_provider *prov;
    struct sl_ddb_writer_conf wconf;
    char region[64];
    regex_t topics_re;
    bool have_re;
    char group[300];
    atomic_bool stop;
    atomic_bool paused;
    atomic_int leaving; /* threads done with their final commit */
    struct sink_thread *threads;
    int nthreads;
};

static bool wanted(const struct sl_sink_task *t, const char *topic)
{
    if (sl_conf_strlist_has(&t->conf.sink->topics, topic))
        return true;
    return t->have_re && regexec(&t->topics_re, topic, 0, NULL, 0) == 0;
}

static void mark_cb(const char *topic, int32_t partition, int64_t next_offset, void *opaque)
{
    sl_consumer_mark(opaque, topic, partition, next_offset);
}

static void madd(struct sl_metric *s, int64_t n)
{
    if (s && n)
        sl_metric_add(s, n);
}

/* Copies the writer's counters into the metrics (as deltas since the last call). */
static void update_metrics(struct sink_thread *th)
{
    if (!th->task->conf.metrics || !th->w)
        return;
    struct sl_ddb_writer_stats st;
    sl_ddb_writer_stats(th->w, &st);
    madd(th->m_requests, (int64_t)(st.requests - th->last.requests));
    madd(th->m_items, (int64_t)((st.puts + st.deletes) - (th->last.puts + th->last.deletes)));
    madd(th->m_retries, (int64_t)(st.retries - th->last.retries));
    madd(th->m_throttles, (int64_t)(st.throttled - th->last.throttled));
    sl_metric_set(th->m_depth, (int64_t)st.pending_items);
    th->last = st;
}

/* One bad record under errors.tolerance: none fails the task (SL_ERR_INVALID, errstr names
 * the record); all logs it when asked and writes it to the dead letter queue (failing the
 * task only when that write fails). */
static sl_err_t record_error(struct sink_thread *th, const struct sl_bus_msg *m, const char *stage,
                             const char *exclass, const char *why)
{
    struct sl_sink_task *t = th->task;
    const struct sl_connector_conf *cc = &t->conf.sink->common;
    th->ninvalid++;
    madd(th->m_errors, 1);
    if (cc->errors_tolerance != SL_ERRORS_TOLERANCE_ALL) {
        snprintf(th->errstr, sizeof(th->errstr),
                 "Tolerance exceeded in error handler: %s [%d] offset %lld: %s", m->topic,
                 (int)m->partition, (long long)m->offset, why);
        th->rec_failed = true;
        return SL_ERR_INVALID;
    }
    if (cc->errors_log_enable) {
        if (cc->errors_log_include_messages)
            sl_log(SL_LOG_ERROR, FAC,
                   "%s-%d: error in stage %s (%s): %s; record topic=%s partition=%d "
                   "offset=%lld value=%.*s",
                   t->conf.name, th->id, stage, exclass, why, m->topic, (int)m->partition,
                   (long long)m->offset,
                   m->value ? (int)(m->value_len > 2048 ? 2048 : m->value_len) : 4,
                   m->value ? (const char *)m->value : "null");
        else
            sl_log(SL_LOG_ERROR, FAC,
                   "%s-%d: error in stage %s (%s): %s; record topic=%s partition=%d offset=%lld",
                   t->conf.name, th->id, stage, exclass, why, m->topic, (int)m->partition,
                   (long long)m->offset);
    }
    if (!th->dlq)
        return SL_OK;
    struct sl_dlq_error e = {th->id, stage, exclass, why};
    char derr[512];
    sl_err_t err = sl_dlq_send(th->dlq, m, &e, derr, sizeof(derr));
    if (err) {
        snprintf(th->errstr, sizeof(th->errstr),
                 "%s [%d] offset %lld: cannot write to the dead letter queue: %s", m->topic,
                 (int)m->partition, (long long)m->offset, derr);
        th->rec_failed = true;
        return err;
    }
    madd(th->m_dlq, 1);
    return SL_OK;
}

/* DynamoDB refused a record the writer had accepted (called inside put/poll/flush, before
 * the record's offset becomes committable). The original bytes are gone by now, so the DLQ
 * copy carries the refused DynamoDB item as its value. */
static void on_fail(const struct sl_ddb_failure *f, void *opaque)
{
    struct sink_thread *th = opaque;
    if (th->rec_failed)
        return;
    char why[1024];
    snprintf(why, sizeof(why), "table %s refused the record: %s", f->table, f->reason);
    struct sl_bus_msg m = {.topic = f->topic,
                           .partition = f->partition,
                           .offset = f->offset,
                           .value = f->item,
                           .value_len = f->item ? strlen(f->item) : 0};
    record_error(th, &m, "TASK_PUT",
                 "com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException", why);
}

/* Puts one record, waiting (bounded by the stop flag) while the writer is full. */
static sl_err_t put(struct sink_thread *th, const struct sl_bus_msg *m)
{
    char why[768];
    struct sl_sink_rec rec = {m->topic,   m->partition, m->offset,   m->key,
                              m->key_len, m->value,     m->value_len};
    madd(th->m_consumed, 1);
    madd(th->m_consumed_bytes, (int64_t)(m->key_len + m->value_len));
    if (th->m_behind && m->timestamp_ms > 0)
        sl_metric_set(th->m_behind, sl_time_now_ms() - m->timestamp_ms);
    for (;;) {
        sl_err_t err = sl_ddb_writer_put(th->w, &rec, why, sizeof(why));
        if (th->rec_failed)
            return SL_ERR_INVALID;
        if (err == SL_OK) {
            th->nput++;
            return SL_OK;
        }
        if (err == SL_ERR_INVALID)
            return record_error(th, m, "TASK_PUT", "org.apache.kafka.connect.errors.DataException",
                                why);
        if (err != SL_ERR_AGAIN) {
            snprintf(th->errstr, sizeof(th->errstr), "%s [%d] offset %lld: %s", m->topic,
                     (int)m->partition, (long long)m->offset, why);
            return err;
        }
        err = sl_ddb_writer_poll(th->w, 100);
        if (th->rec_failed)
            return SL_ERR_INVALID;
        if (err) {
            snprintf(th->errstr, sizeof(th->errstr), "%s", sl_ddb_writer_error(th->w));
            return err;
        }
    }
}

/* Polls the writer; a record failure reported inside the poll counts as the task's error. */
static sl_err_t writer_poll(struct sink_thread *th, int timeout_ms)
{
    sl_err_t err = sl_ddb_writer_poll(th->w, timeout_ms);
    if (th->rec_failed)
        return SL_ERR_INVALID;
    if (err)
        snprintf(th->errstr, sizeof(th->errstr), "%s", sl_ddb_writer_error(th->w));
    update_metrics(th);
    return err;
}

/* ---- Kafka mode ---- */

static void on_rebalance(bool assigned, const struct sl_bus_tp *tps, size_t n, void *opaque)
{
    struct sink_thread *th = opaque;
    if (assigned || !th->w || th->rec_failed)
        return;
    /* Give DynamoDB a moment to finish what the revoked partitions have in flight, so the
     * new owner does not repeat it; what is not done is simply repeated (idempotent puts).
     * Not when the partitions are lost: another member may be writing them already. */
    bool lost = sl_consumer_assignment_lost(th->cons);
    if (!lost)
        sl_ddb_writer_flush(th->w, (int)th->task->conf.worker->task_shutdown_graceful_timeout_ms);
    sl_ddb_writer_offsets(th->w, mark_cb, th->cons);
    /* The new owner, maybe us again after the rejoin, starts from the group's committed
     * offset: these offsets are not ours to mark again (a commit of a partition we no longer
     * hold is refused, and librdkafka then restarts the member's join). */
    for (size_t i = 0; i < n; i++)
        sl_ddb_writer_forget(th->w, tps[i].topic, tps[i].partition);
    /* What is still unfinished for them is dropped, and what is on the wire is waited for:
     * the new owner cannot fetch before this callback returns (the group waits for our
     * rejoin), so none of our older writes can land after its newer ones. */
    struct sl_ddb_tp *drop = sl_xcalloc(n ? n : 1, sizeof(*drop));
    for (size_t i = 0; i < n; i++)
        drop[i] = (struct sl_ddb_tp){tps[i].topic, tps[i].partition};
    sl_ddb_writer_drop(th->w, drop, n);
    sl_free(drop);
    sl_log(SL_LOG_INFO, FAC, "%s-%d: %zu partition(s) %s", th->task->conf.name, th->id, n,
           lost ? "lost (the group moved on during a session timeout)" : "revoked");
}

static sl_err_t run_kafka(struct sink_thread *th)
{
    struct sl_sink_task *t = th->task;
    const struct sl_ddb_sink_conf *sc = t->conf.sink;
    th->cons = sl_consumer_new(t->conf.kc, t->group, on_rebalance, th, t->conf.token_fn,
                               t->conf.token_opaque, th->errstr, sizeof(th->errstr));
    if (!th->cons)
        return SL_ERR_CONF;
    const char *topics[256];
    size_t n = 0;
    for (size_t i = 0; i < sc->topics.n && n < 255; i++)
        topics[n++] = sc->topics.items[i];
    char re[1024];
    if (sc->topics_regex && n < 256) {
        snprintf(re, sizeof(re), "%s%s", sc->topics_regex[0] == '^' ? "" : "^", sc->topics_regex);
        topics[n++] = re;
    }
    sl_err_t err = sl_consumer_subscribe(th->cons, topics, n, th->errstr, sizeof(th->errstr));
    if (err)
        return err;
    struct sl_consumer_batch batch = {0};
    int64_t last_commit = sl_time_mono_ms();
    while (!atomic_load(&t->stop)) {
        /* Paused: no new records, but DynamoDB's in-flight writes finish and get committed;
         * librdkafka's heartbeats keep the membership (until max.poll.interval.ms). */
        struct sl_ddb_writer_stats wst;
        sl_ddb_writer_stats(th->w, &wst);
        bool busy = wst.pending_items > 0;
        err = sl_consumer_poll(th->cons, &batch, 500, busy ? 0 : POLL_MS, th->errstr,
                               sizeof(th->errstr));
        if (err)
            break;
        while (atomic_load(&t->paused) && !atomic_load(&t->stop) && !err) {
            err = writer_poll(th, POLL_MS); /* the batch waits for the resume */
            sl_ddb_writer_offsets(th->w, mark_cb, th->cons);
        }
        if (err)
            break;
        if (atomic_load(&t->stop))
            break; /* unprocessed records are read again after a restart */
        for (size_t i = 0; i < batch.cnt && !err; i++)
            err = put(th, &batch.msgs[i]);
        if (err)
            break;
        /* As in embedded mode: while writes are in flight, wait on their sockets rather than
         * in the consumer, so completions are seen at once. */
        err = writer_poll(th, busy && batch.cnt == 0 ? BUSY_WAIT_MS : 0);
        if (err)
            break;
        int64_t now = sl_time_mono_ms();
        if (now - last_commit >= t->conf.worker->offset_flush_interval_ms) {
            last_commit = now;
            sl_ddb_writer_offsets(th->w, mark_cb, th->cons);
            char why[512];
            if (sl_consumer_commit(th->cons, why, sizeof(why)))
                sl_log(SL_LOG_WARN, FAC, "%s-%d: offset commit failed (retried later): %s",
                       t->conf.name, th->id, why);
        }
    }
    sl_consumer_batch_fini(&batch);
    if (th->rec_failed) {
        /* Nothing past the failed record may be committed: leave without a final commit
         * (the periodic ones covered only records before it). */
        sl_consumer_free(th->cons);
        th->cons = NULL;
        return SL_ERR_INVALID;
    }
    /* Drain: everything DynamoDB accepts in time is committed; the rest is read again. */
    if (sl_ddb_writer_flush(th->w, (int)t->conf.worker->task_shutdown_graceful_timeout_ms))
        sl_log(SL_LOG_WARN, FAC,
               "%s-%d: stopped with writes pending; they are read again "
               "after a restart",
               t->conf.name, th->id);
    if (th->rec_failed) {
        sl_consumer_free(th->cons);
        th->cons = NULL;
        return SL_ERR_INVALID;
    }
    sl_ddb_writer_offsets(th->w, mark_cb, th->cons);
    char why[512];
    sl_err_t cerr = sl_consumer_commit(th->cons, why, sizeof(why));
    if (cerr)
        sl_log(SL_LOG_WARN, FAC, "%s-%d: final offset commit failed: %s", t->conf.name, th->id,
               why);
    /* Leave the group together: a member leaving first starts a rebalance that makes the
     * others' final commits fail ("rebalance in progress"). */
    atomic_fetch_add(&t->leaving, 1);
    int64_t until = sl_time_mono_ms() + t->conf.worker->task_shutdown_graceful_timeout_ms;
    while (atomic_load(&t->leaving) < t->nthreads && sl_time_mono_ms() < until) {
        bool others_done = true;
        for (int i = 0; i < t->nthreads; i++)
            if (&t->threads[i] != th && !atomic_load(&t->threads[i].done) && t->threads[i].started)
                others_done = false;
        if (others_done)
            break;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    sl_consumer_free(th->cons);
    th->cons = NULL;
    return err;
}

/* ---- Embedded mode ---- */

static void pend_push(struct sink_thread *th, struct sl_local_rec *rec)
{
    if (th->pend_n == th->pend_cap) {
        size_t cap = th->pend_cap ? th->pend_cap * 2 : 256;
        struct sl_local_rec **p = sl_xcalloc(cap, sizeof(*p));
        for (size_t i = 0; i < th->pend_n; i++)
            p[i] = th->pend[(th->pend_head + i) % th->pend_cap];
        sl_free(th->pend);
        th->pend = p;
        th->pend_cap = cap;
        th->pend_head = 0;
    }
    th->pend[(th->pend_head + th->pend_n) % th->pend_cap] = rec;
    th->pend_n++;
}

/* Acknowledges, in order, the records DynamoDB has accepted; in groups, so the bus lock and
 * the source's wake-up are paid per group rather than per record. */
static void ack_done(struct sink_thread *th)
{
    struct sl_local *l = th->task->conf.local;
    struct sl_local_rec *done[LOCAL_BATCH];
    size_t n = 0;
    while (th->pend_n) {
        struct sl_local_rec *rec = th->pend[th->pend_head];
        int64_t next;
        if (sl_ddb_writer_committable(th->w, rec->msg.topic, rec->msg.partition, &next) ||
            rec->msg.offset >= next)
            break;
        done[n++] = rec;
        th->pend_head = (th->pend_head + 1) % th->pend_cap;
        th->pend_n--;
        if (n == LOCAL_BATCH) {
            sl_local_ack_many(l, done, n);
            n = 0;
        }
    }
    if (n)
        sl_local_ack_many(l, done, n);
}

/* Hands one record from the bus to the writer (or acknowledges it at once when it is not
 * ours). On error the record is released: the source replays it after a restart. */
static sl_err_t take_rec(struct sink_thread *th, struct sl_local_rec *rec)
{
    struct sl_local *l = th->task->conf.local;
    if (!wanted(th->task, rec->msg.topic)) {
        sl_local_ack(l, rec); /* not ours: nothing to write */
        return SL_OK;
    }
    sl_err_t err = put(th, &rec->msg);
    if (err) {
        sl_local_release(l, rec);
        return err;
    }
    pend_push(th, rec);
    return SL_OK;
}

static sl_err_t run_local(struct sink_thread *th)
{
    struct sl_sink_task *t = th->task;
    struct sl_local *l = t->conf.local;
    sl_err_t err = SL_OK;
    struct sl_local_rec *recs[LOCAL_BATCH];
    for (;;) {
        size_t n = 0;
        sl_err_t perr = SL_ERR_AGAIN;
        if (atomic_load(&t->paused) && !atomic_load(&t->stop))
            sl_ddb_writer_poll(th->w, POLL_MS / 2);
        else
            perr = sl_local_poll_many(l, recs, LOCAL_BATCH, &n, th->pend_n ? 0 : POLL_MS);
        if (perr == SL_ERR_SHUTDOWN)
            break;
        /* Like a Kafka poll: take what the bus already holds before the writer sends. A
         * transaction's rows arrive within a fraction of a millisecond and then leave as full
         * batches, not one record per request with the rest waiting for it. */
        for (size_t i = 0; i < n; i++) {
            if (err)
                sl_local_release(l, recs[i]); /* not taken: the source replays it */
            else
                err = take_rec(th, recs[i]);
        }
        if (err)
            break;
        /* Writes in flight and no record waiting: wait on DynamoDB's sockets (so a finished
         * request frees its keys and the next batch goes out at once), a record arriving
         * meanwhile waits at most BUSY_WAIT_MS. */
        err = writer_poll(th, perr == SL_ERR_AGAIN && th->pend_n ? BUSY_WAIT_MS : 0);
        if (err)
            break;
        ack_done(th);
        if (atomic_load(&t->stop) && perr == SL_ERR_AGAIN)
            break;
    }
    if (!th->rec_failed) {
        sl_ddb_writer_flush(th->w, (int)t->conf.worker->task_shutdown_graceful_timeout_ms);
        if (!th->rec_failed)
            ack_done(th);
    }
    while (th->pend_n) { /* never acknowledged: the source replays them after a restart */
        sl_local_release(l, th->pend[th->pend_head]);
        th->pend_head = (th->pend_head + 1) % th->pend_cap;
        th->pend_n--;
    }
    return err;
}

static void *thread_main(void *arg)
{
    struct sink_thread *th = arg;
    struct sl_sink_task *t = th->task;
    const struct sl_ddb_sink_conf *sc = t->conf.sink;
    th->wconf = t->wconf;
    th->wconf.opaque = th;
    struct sl_metrics *mx = t->conf.metrics;
    if (mx) {
        const char *n = t->conf.name;
        th->m_consumed = sl_metrics_series(mx, SL_M_KAFKA_CONSUMED_RECORDS, n, th->id);
        th->m_consumed_bytes = sl_metrics_series(mx, SL_M_KAFKA_CONSUMED_BYTES, n, th->id);
        th->m_requests = sl_metrics_series(mx, SL_M_DDB_WRITE_REQUESTS, n, th->id);
        th->m_items = sl_metrics_series(mx, SL_M_DDB_ITEMS_WRITTEN, n, th->id);
        th->m_retries = sl_metrics_series(mx, SL_M_RETRIES, n, th->id);
        th->m_throttles = sl_metrics_series(mx, SL_M_THROTTLES, n, th->id);
        th->m_errors = sl_metrics_series(mx, SL_M_RECORD_ERRORS, n, th->id);
        th->m_dlq = sl_metrics_series(mx, SL_M_DLQ_RECORDS, n, th->id);
        th->m_depth = sl_metrics_series(mx, SL_M_QUEUE_DEPTH, n, th->id);
        th->m_behind = sl_metrics_series(mx, SL_M_SOURCE_MS_BEHIND, n, th->id);
    }
    if (sc->common.errors_tolerance == SL_ERRORS_TOLERANCE_ALL && sc->dlq_topic_name &&
        *sc->dlq_topic_name) {
        struct sl_dlq_conf dc = {
            .connector = t->conf.name,
            .topic = sc->dlq_topic_name,
            .replication = (int)sc->dlq_topic_replication_factor,
            .context_headers = sc->dlq_context_headers_enable,
            .kc = t->conf.kc ? t->conf.dlq_kc : NULL,
            .token_fn = t->conf.token_fn,
            .token_opaque = t->conf.token_opaque,
            .dir = t->conf.dlq_dir,
            .timeout_ms = (int)t->conf.worker->offset_flush_timeout_ms,
        };
        th->dlq = sl_dlq_new(&dc, th->errstr, sizeof(th->errstr));
        if (!th->dlq) {
            th->result = SL_ERR_CONF;
            goto out;
        }
    }
    th->w = sl_ddb_writer_new(&th->wconf, th->errstr, sizeof(th->errstr));
    if (!th->w)
        th->result = SL_ERR_CONF;
    else
        th->result = t->conf.kc ? run_kafka(th) : run_local(th);
    struct sl_ddb_writer_stats st = {0};
    if (th->w) {
        update_metrics(th);
        sl_ddb_writer_stats(th->w, &st);
    }
    sl_ddb_writer_free(th->w);
    th->w = NULL;
out:
    sl_dlq_free(th->dlq);
    th->dlq = NULL;
    /* The request counts tell how full the batches were and how hard DynamoDB pushed back. */
    sl_log(SL_LOG_INFO, FAC,
           "%s-%d: stopped after %llu records (%llu refused); %llu requests, %llu retried, "
           "%llu throttled, %llu items unprocessed",
           t->conf.name, th->id, (unsigned long long)th->nput, (unsigned long long)th->ninvalid,
           (unsigned long long)st.requests, (unsigned long long)st.retries,
           (unsigned long long)st.throttled, (unsigned long long)st.unprocessed);
    atomic_store(&th->done, true);
    return NULL;
}

sl_err_t sl_sink_task_new(const struct sl_sink_task_conf *conf, struct sl_sink_task **out,
                          char *errstr, size_t errstr_size)
{
    const struct sl_ddb_sink_conf *sc = conf->sink;
    struct sl_sink_task *t = sl_xcalloc(1, sizeof(*t));
    t->conf = *conf;
    atomic_init(&t->stop, false);
    atomic_init(&t->paused, false);
    atomic_init(&t->leaving, 0);
    snprintf(t->group, sizeof(t->group), "connect-%s", conf->name);
    sl_err_t err = SL_OK;
    if (sc->topics_regex) {
        char pat[1100];
        snprintf(pat, sizeof(pat), "^(%s)$", sc->topics_regex);
        int rc = regcomp(&t->topics_re, pat, REG_EXTENDED | REG_NOSUB);
        if (rc) {
            snprintf(errstr, errstr_size, "topics.regex: bad regular expression '%s'",
                     sc->topics_regex);
            err = SL_ERR_CONF;
            goto fail;
        }
        t->have_re = true;
    }
    struct sl_aws_provider_opts popts = {
        .access_key_id = sc->access_key_id,
        .secret_access_key = sc->secret_access_key,
        .session_token = sc->session_token,
    };
    t->prov = sl_aws_provider_new(&popts);
    err = sl_sink_conf_writer(sc, t->prov, &t->wconf, t->region, sizeof(t->region), errstr,
                              errstr_size);
    if (err)
        goto fail;
    t->wconf.on_fail = on_fail;
    t->nthreads = conf->kc ? (int)sc->common.tasks_max : 1;
    if (t->nthreads < 1)
        t->nthreads = 1;
    if (t->nthreads > MAX_THREADS)
        t->nthreads = MAX_THREADS;
    if (!conf->kc && sc->common.tasks_max > 1)
        sl_log(SL_LOG_INFO, FAC,
               "%s: tasks.max=%u: the local bus is consumed by one task so "
               "that each partition stays in order",
               conf->name, sc->common.tasks_max);
    t->threads = sl_xcalloc((size_t)t->nthreads, sizeof(*t->threads));
    for (int i = 0; i < t->nthreads; i++) {
        t->threads[i].task = t;
        t->threads[i].id = i;
        atomic_init(&t->threads[i].done, false);
    }
    *out = t;
    return SL_OK;
fail:
    sl_sink_task_free(t);
    return err;
}

sl_err_t sl_sink_task_start(struct sl_sink_task *t, char *errstr, size_t errstr_size)
{
    for (int i = 0; i < t->nthreads; i++) {
        int rc = pthread_create(&t->threads[i].thread, NULL, thread_main, &t->threads[i]);
        if (rc) {
            snprintf(errstr, errstr_size, "%s: cannot start a task thread: %s", t->conf.name,
                     strerror(rc));
            return SL_ERR_IO;
        }
        t->threads[i].started = true;
    }
    return SL_OK;
}

void sl_sink_task_stop(struct sl_sink_task *t)
{
    atomic_store(&t->stop, true);
}

void sl_sink_task_pause(struct sl_sink_task *t, bool paused)
{
    atomic_store(&t->paused, paused);
}

bool sl_sink_task_done(struct sl_sink_task *t)
{
    for (int i = 0; i < t->nthreads; i++)
        if (t->threads[i].started && atomic_load(&t->threads[i].done))
            return true;
    return false;
}

sl_err_t sl_sink_task_join(struct sl_sink_task *t, char *errstr, size_t errstr_size)
{
    sl_err_t first = SL_OK;
    for (int i = 0; i < t->nthreads; i++) {
        struct sink_thread *th = &t->threads[i];
        if (!th->started)
            continue;
        pthread_join(th->thread, NULL);
        th->started = false;
        if (th->result && !first) {
            first = th->result;
            snprintf(errstr, errstr_size, "task %d: %s", i, th->errstr);
        }
    }
    return first;
}

void sl_sink_task_free(struct sl_sink_task *t)
{
    if (!t)
        return;
    if (t->threads)
        for (int i = 0; i < t->nthreads; i++)
            sl_free(t->threads[i].pend);
    sl_free(t->threads);
    if (t->have_re)
        regfree(&t->topics_re);
    sl_aws_provider_free(t->prov);
    sl_free(t);
}
