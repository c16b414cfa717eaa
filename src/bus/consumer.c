/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka group consumer behind sl_consumer; see consumer.h. Safe offsets live in a
 * topic-partition list whose entries carry a dirty flag; commits send only dirty entries. */
#include "bus/consumer.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "core/log.h"
#include "core/mem.h"

#define DIRTY ((void *)1)

struct sl_consumer {
    struct sl_kconf_token token; /* first: librdkafka's opaque points here */
    rd_kafka_t *rk;
    rd_kafka_topic_partition_list_t *marks;
    sl_consumer_rebalance_fn rebalance_fn;
    void *rebalance_opaque;
    size_t assigned;
    size_t max_poll;
    struct sl_consumer_batch *filling; /* the batch sl_consumer_poll is filling, or NULL */
};

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    sl_log_level_t lv = level <= 3   ? SL_LOG_ERROR
                        : level <= 4 ? SL_LOG_WARN
                        : level <= 6 ? SL_LOG_INFO
                                     : SL_LOG_DEBUG;
    sl_log(lv, "KAFKA", "%s: %s", fac, buf);
}

static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    (void)rk;
    (void)opaque;
    sl_log(SL_LOG_WARN, "KAFKA", "%s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)code), reason);
}

/* Forgets the marks of partitions this member does not hold: all of them when librdkafka
 * says the assignment is lost (the group moved on while our session was expired). Such a
 * commit is not merely refused: librdkafka 2.0.2 answers UNKNOWN_MEMBER_ID or
 * ILLEGAL_GENERATION on a commit by resetting the member id and rejoining, which throws away
 * the join in progress, so a member committing stale offsets every offset.flush.interval.ms
 * never completes a rebalance again, and cuts short the other members' too. */
static void drop_unassigned(struct sl_consumer *cons)
{
    rd_kafka_topic_partition_list_t *asg = NULL;
    if (rd_kafka_assignment_lost(cons->rk) || rd_kafka_assignment(cons->rk, &asg)) {
        if (asg)
            rd_kafka_topic_partition_list_destroy(asg);
        asg = NULL;
    }
    for (int i = cons->marks->cnt - 1; i >= 0; i--) {
        rd_kafka_topic_partition_t *m = &cons->marks->elems[i];
        if (!asg || !rd_kafka_topic_partition_list_find(asg, m->topic, m->partition))
            rd_kafka_topic_partition_list_del_by_idx(cons->marks, i);
    }
    if (asg)
        rd_kafka_topic_partition_list_destroy(asg);
}

/* Commits the dirty marks of assigned partitions; with only != NULL, just those of the
 * partitions in only. */
static sl_err_t commit_marks(struct sl_consumer *cons, const rd_kafka_topic_partition_list_t *only,
                             char *errstr, size_t errstr_size)
{
    drop_unassigned(cons);
    rd_kafka_topic_partition_list_t *todo = rd_kafka_topic_partition_list_new(4);
    for (int i = 0; i < cons->marks->cnt; i++) {
        rd_kafka_topic_partition_t *m = &cons->marks->elems[i];
        if (m->opaque != DIRTY)
            continue;
        if (only && !rd_kafka_topic_partition_list_find(only, m->topic, m->partition))
            continue;
        rd_kafka_topic_partition_list_add(todo, m->topic, m->partition)->offset = m->offset;
    }
    sl_err_t err = SL_OK;
    if (todo->cnt == 0)
        goto out;
    rd_kafka_resp_err_t rerr = rd_kafka_commit(cons->rk, todo, 0);
    if (rerr) {
        snprintf(errstr, errstr_size, "commit of %d partition(s): %s", todo->cnt,
                 rd_kafka_err2str(rerr));
        err = SL_ERR_UPSTREAM;
        goto out;
    }
    for (int i = 0; i < todo->cnt; i++) {
        rd_kafka_topic_partition_t *t = &todo->elems[i];
        if (t->err) {
            snprintf(errstr, errstr_size, "commit of %s [%d] offset %lld: %s", t->topic,
                     (int)t->partition, (long long)t->offset, rd_kafka_err2str(t->err));
            err = SL_ERR_UPSTREAM;
            continue;
        }
        rd_kafka_topic_partition_t *m =
            rd_kafka_topic_partition_list_find(cons->marks, t->topic, t->partition);
        if (m && m->offset == t->offset)
            m->opaque = NULL;
    }
out:
    rd_kafka_topic_partition_list_destroy(todo);
    return err;
}

static void notify(struct sl_consumer *cons, bool assigned,
                   const rd_kafka_topic_partition_list_t *parts)
{
    if (!cons->rebalance_fn || parts->cnt == 0)
        return;
    struct sl_bus_tp *tps = sl_xcalloc((size_t)parts->cnt, sizeof(*tps));
    for (int i = 0; i < parts->cnt; i++) {
        tps[i].topic = parts->elems[i].topic;
        tps[i].partition = parts->elems[i].partition;
    }
    cons->rebalance_fn(assigned, tps, (size_t)parts->cnt, cons->rebalance_opaque);
    sl_free(tps);
}

/* Thread: the polling thread, inside rd_kafka_consumer_poll. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t rerr,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct sl_consumer *cons = opaque;
    bool coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (rerr == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        sl_log(SL_LOG_INFO, "CONSUME", "assigned %d partition(s)", parts->cnt);
        if (coop) {
            rd_kafka_error_t *error = rd_kafka_incremental_assign(rk, parts);
            if (error)
                rd_kafka_error_destroy(error);
            cons->assigned += (size_t)parts->cnt;
        } else {
            rd_kafka_assign(rk, parts);
            cons->assigned = (size_t)parts->cnt;
        }
        notify(cons, true, parts);
        return;
    }
    /* Revoke (or an error): let the sink flush and mark, then commit what is safe, unless the
     * partitions are already lost to another member (a commit would be rejected or stale). */
    notify(cons, false, parts);
    /* Records of revoked partitions still in the batch being filled were never seen by the
     * caller: drop them so the new owner reads them instead of both of us. */
    struct sl_consumer_batch *batch = cons->filling;
    if (batch) {
        size_t keep = 0;
        for (size_t i = 0; i < batch->cnt; i++) {
            rd_kafka_message_t *rkm = batch->rkms[i];
            if (rd_kafka_topic_partition_list_find(parts, rd_kafka_topic_name(rkm->rkt),
                                                   rkm->partition)) {
                rd_kafka_message_destroy(rkm);
                continue;
            }
            batch->rkms[keep] = rkm;
            batch->msgs[keep++] = batch->msgs[i];
        }
        batch->cnt = keep;
    }
    if (!rd_kafka_assignment_lost(rk)) {
        char errstr[512];
        if (commit_marks(cons, parts, errstr, sizeof(errstr)))
            sl_log(SL_LOG_WARN, "CONSUME", "on revoke: %s", errstr);
    }
    for (int i = 0; i < parts->cnt; i++)
        rd_kafka_topic_partition_list_del(cons->marks, parts->elems[i].topic,
                                          parts->elems[i].partition);
    if (coop) {
        rd_kafka_error_t *error = rd_kafka_incremental_unassign(rk, parts);
        if (error)
            rd_kafka_error_destroy(error);
        cons->assigned -=
            cons->assigned >= (size_t)parts->cnt ? (size_t)parts->cnt : cons->assigned;
    } else {
        rd_kafka_assign(rk, NULL);
        cons->assigned = 0;
    }
    sl_log(SL_LOG_INFO, "CONSUME", "revoked %d partition(s)", parts->cnt);
}

struct sl_consumer *sl_consumer_new(const struct sl_kconf *kc, const char *group_id,
                                    sl_consumer_rebalance_fn rebalance_fn, void *rebalance_opaque,
                                    sl_bus_token_fn token_fn, void *token_opaque, char *errstr,
                                    size_t errstr_size)
{
    assert(kc->role == SL_KCONF_CONSUMER);
    struct sl_consumer *cons = sl_xcalloc(1, sizeof(*cons));
    cons->token.fn = token_fn;
    cons->token.opaque = token_opaque;
    cons->rebalance_fn = rebalance_fn;
    cons->rebalance_opaque = rebalance_opaque;
    cons->max_poll = (size_t)kc->max_poll_records;
    rd_kafka_conf_t *conf = sl_kconf_rd_new(kc, &cons->token, errstr, errstr_size);
    if (!conf) {
        sl_free(cons);
        return NULL;
    }
    char rderr[512];
    if (group_id &&
        rd_kafka_conf_set(conf, "group.id", group_id, rderr, sizeof(rderr)) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errstr_size, "group.id: %s", rderr);
        goto fail;
    }
    /* Sluice's no-loss rule does not bend: these are set last so nothing overrides them. */
    if (rd_kafka_conf_set(conf, "enable.auto.commit", "false", rderr, sizeof(rderr)) ||
        rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", rderr, sizeof(rderr))) {
        snprintf(errstr, errstr_size, "kafka consumer: %s", rderr);
        goto fail;
    }
    size_t gl = sizeof(rderr);
    if (rd_kafka_conf_get(conf, "group.id", rderr, &gl) != RD_KAFKA_CONF_OK || gl <= 1) {
        snprintf(errstr, errstr_size, "group.id: a consumer group id is required");
        goto fail;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    cons->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, rderr, sizeof(rderr));
    if (!cons->rk) {
        snprintf(errstr, errstr_size, "kafka consumer: %s", rderr);
        goto fail;
    }
    if (sl_kconf_rd_started(kc, cons->rk, errstr, errstr_size)) {
        rd_kafka_destroy(cons->rk);
        sl_free(cons);
        return NULL;
    }
    rd_kafka_poll_set_consumer(cons->rk);
    cons->marks = rd_kafka_topic_partition_list_new(16);
    return cons;
fail:
    rd_kafka_conf_destroy(conf);
    sl_free(cons);
    return NULL;
}

void sl_consumer_free(struct sl_consumer *cons)
{
    if (!cons)
        return;
    char errstr[512];
    if (commit_marks(cons, NULL, errstr, sizeof(errstr)))
        sl_log(SL_LOG_WARN, "CONSUME", "on close: %s", errstr);
    rd_kafka_consumer_close(cons->rk);
    rd_kafka_destroy(cons->rk);
    rd_kafka_topic_partition_list_destroy(cons->marks);
    sl_free(cons);
}

sl_err_t sl_consumer_subscribe(struct sl_consumer *cons, const char *const *topics, size_t n,
                               char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(subs, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t rerr = rd_kafka_subscribe(cons->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (rerr) {
        snprintf(errstr, errstr_size, "subscribe to %zu topic(s) (first %s): %s", n,
                 n ? topics[0] : "-", rd_kafka_err2str(rerr));
        return rerr == RD_KAFKA_RESP_ERR__INVALID_ARG ? SL_ERR_INVALID : SL_ERR_UPSTREAM;
    }
    return SL_OK;
}

void sl_consumer_batch_release(struct sl_consumer_batch *batch)
{
    for (size_t i = 0; i < batch->cnt; i++)
        rd_kafka_message_destroy(batch->rkms[i]);
    batch->cnt = 0;
}

void sl_consumer_batch_fini(struct sl_consumer_batch *batch)
{
    sl_consumer_batch_release(batch);
    sl_free(batch->msgs);
    sl_free(batch->rkms);
    sl_free(batch->hdrs);
    memset(batch, 0, sizeof(*batch));
}

/* Errors librdkafka recovers from by itself; reported, not fatal to the batch. */
static bool transient(rd_kafka_resp_err_t rerr)
{
    return rerr == RD_KAFKA_RESP_ERR__PARTITION_EOF || rerr == RD_KAFKA_RESP_ERR__TRANSPORT ||
           rerr == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
           rerr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
           rerr == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || rerr == RD_KAFKA_RESP_ERR__TIMED_OUT;
}

static void fill_headers(struct sl_consumer_batch *batch)
{
    size_t total = 0;
    for (size_t i = 0; i < batch->cnt; i++) {
        rd_kafka_headers_t *hdrs;
        if (rd_kafka_message_headers(batch->rkms[i], &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR)
            total += rd_kafka_header_cnt(hdrs);
    }
    if (total > batch->hdr_cap) {
        batch->hdrs = sl_xrealloc(batch->hdrs, total * sizeof(*batch->hdrs));
        batch->hdr_cap = total;
    }
    size_t at = 0;
    for (size_t i = 0; i < batch->cnt; i++) {
        rd_kafka_headers_t *hdrs;
        batch->msgs[i].headers = NULL;
        batch->msgs[i].header_cnt = 0;
        if (rd_kafka_message_headers(batch->rkms[i], &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
            continue;
        batch->msgs[i].headers = &batch->hdrs[at];
        size_t cnt = rd_kafka_header_cnt(hdrs);
        for (size_t h = 0; h < cnt; h++, at++) {
            const char *name;
            const void *val;
            size_t size;
            rd_kafka_header_get_all(hdrs, h, &name, &val, &size);
            batch->hdrs[at].name = name;
            batch->hdrs[at].value = val;
            batch->hdrs[at].value_len = size;
        }
        batch->msgs[i].header_cnt = cnt;
    }
}

sl_err_t sl_consumer_poll(struct sl_consumer *cons, struct sl_consumer_batch *batch, size_t max,
                          int timeout_ms, char *errstr, size_t errstr_size)
{
    sl_consumer_batch_release(batch);
    if (max > cons->max_poll)
        max = cons->max_poll;
    if (max > batch->cap) {
        batch->msgs = sl_xrealloc(batch->msgs, max * sizeof(*batch->msgs));
        batch->rkms = sl_xrealloc(batch->rkms, max * sizeof(*batch->rkms));
        batch->cap = max;
    }
    sl_err_t err = SL_OK;
    int wait = timeout_ms;
    cons->filling = batch;
    while (batch->cnt < max) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(cons->rk, wait);
        wait = 0;
        if (!rkm)
            break;
        if (rkm->err) {
            const char *topic = rkm->rkt ? rd_kafka_topic_name(rkm->rkt) : "-";
            if (transient(rkm->err)) {
                sl_log(SL_LOG_WARN, "CONSUME", "%s [%d]: %s", topic, (int)rkm->partition,
                       rd_kafka_message_errstr(rkm));
                rd_kafka_message_destroy(rkm);
                continue;
            }
            snprintf(errstr, errstr_size, "consume %s [%d] at offset %lld: %s", topic,
                     (int)rkm->partition, (long long)rkm->offset, rd_kafka_message_errstr(rkm));
            rd_kafka_message_destroy(rkm);
            err = SL_ERR_UPSTREAM;
            break;
        }
        struct sl_bus_msg *msg = &batch->msgs[batch->cnt];
        batch->rkms[batch->cnt++] = rkm;
        memset(msg, 0, sizeof(*msg));
        msg->topic = rd_kafka_topic_name(rkm->rkt);
        msg->partition = rkm->partition;
        msg->offset = rkm->offset;
        msg->key = rkm->key;
        msg->key_len = rkm->key_len;
        msg->value = rkm->payload;
        msg->value_len = rkm->len;
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(rkm, &tstype);
        msg->timestamp_ms = ts >= 0 ? ts : 0;
    }
    cons->filling = NULL;
    fill_headers(batch);
    return err;
}

void sl_consumer_mark(struct sl_consumer *cons, const char *topic, int32_t partition,
                      int64_t next_offset)
{
    rd_kafka_topic_partition_t *m =
        rd_kafka_topic_partition_list_find(cons->marks, topic, partition);
    if (!m) {
        m = rd_kafka_topic_partition_list_add(cons->marks, topic, partition);
        m->offset = next_offset;
        m->opaque = DIRTY;
        return;
    }
    if (next_offset > m->offset) {
        m->offset = next_offset;
        m->opaque = DIRTY;
    }
}

sl_err_t sl_consumer_commit(struct sl_consumer *cons, char *errstr, size_t errstr_size)
{
    return commit_marks(cons, NULL, errstr, errstr_size);
}

sl_err_t sl_consumer_committed(struct sl_consumer *cons, const char *topic, int32_t partition,
                               int timeout_ms, int64_t *offset, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(q, topic, partition);
    rd_kafka_resp_err_t rerr = rd_kafka_committed(cons->rk, q, timeout_ms);
    if (!rerr)
        rerr = q->elems[0].err;
    sl_err_t err = SL_OK;
    if (rerr) {
        snprintf(errstr, errstr_size, "committed offset of %s [%d]: %s", topic, (int)partition,
                 rd_kafka_err2str(rerr));
        err = SL_ERR_UPSTREAM;
    } else {
        *offset = q->elems[0].offset < 0 ? -1 : q->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(q);
    return err;
}

size_t sl_consumer_assigned(struct sl_consumer *cons)
{
    return cons->assigned;
}

bool sl_consumer_assignment_lost(struct sl_consumer *cons)
{
    return rd_kafka_assignment_lost(cons->rk) != 0;
}
