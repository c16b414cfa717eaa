/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka producer behind sl_producer; see producer.h. Each message carries its in-flight
 * sequence as msg_opaque, read back in the delivery report (rkmessage->_private). */
#include "bus/producer.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "bus/inflight.h"
#include "core/log.h"
#include "core/mem.h"

/* Topic handles kept for the producer's life. Naming the topic per message
 * (RD_KAFKA_V_TOPIC) makes librdkafka look it up under its handle lock and take and drop a
 * reference every time; a source writes to a handful of topics. Past the cap, further
 * topics are named per message as before. */
#define TOPICS_MAX 256
/* Messages per rd_kafka_produce_batch call (sl_producer_send_batch). */
#define BATCH_MAX 1024

struct sl_producer {
    struct sl_kconf_token token; /* first: librdkafka's opaque points here */
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkts[TOPICS_MAX];
    size_t nrkts;
    size_t last_rkt; /* index of the last topic used: records come in runs per table */
    struct sl_inflight *inf;
    rd_kafka_message_t batch[BATCH_MAX]; /* sl_producer_send_batch's argument array */
    struct sl_producer_stats st;
    sl_err_t err; /* first delivery failure or fatal error */
    char errstr[1024];
};

static void set_error(struct sl_producer *prod, const char *topic, int32_t partition,
                      const char *reason)
{
    if (prod->err)
        return;
    prod->err = SL_ERR_UPSTREAM;
    snprintf(prod->errstr, sizeof(prod->errstr), "delivery to %s [%d] failed: %s", topic,
             (int)partition, reason);
}

/* Thread: the thread calling sl_producer_poll / _flush. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    struct sl_producer *prod = opaque;
    uint64_t seq = (uint64_t)(uintptr_t)rkm->_private;
    if (rkm->err) {
        prod->st.failed++;
        set_error(prod, rd_kafka_topic_name(rkm->rkt), rkm->partition, rd_kafka_err2str(rkm->err));
        sl_inflight_fail(prod->inf, seq);
        return;
    }
    prod->st.acked++;
    sl_err_t err = sl_inflight_ack(prod->inf, seq);
    if (err)
        sl_log(SL_LOG_ERROR, "PRODUCE", "delivery report for unknown sequence %llu",
               (unsigned long long)seq);
}

/* Thread: librdkafka's internal threads may raise it; served inside rd_kafka_poll. */
static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    struct sl_producer *prod = opaque;
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
        char fatal[256];
        rd_kafka_resp_err_t ferr = rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
        if (!prod->err) {
            prod->err = SL_ERR_UPSTREAM;
            snprintf(prod->errstr, sizeof(prod->errstr), "fatal producer error: %s: %s",
                     rd_kafka_err2name(ferr), fatal);
        }
        return;
    }
    /* Transient (broker down, retries): librdkafka recovers; logged for the operator. */
    sl_log(SL_LOG_WARN, "KAFKA", "%s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)code), reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    sl_log_level_t lv = level <= 3   ? SL_LOG_ERROR
                        : level <= 4 ? SL_LOG_WARN
                        : level <= 6 ? SL_LOG_INFO
                                     : SL_LOG_DEBUG;
    sl_log(lv, "KAFKA", "%s: %s", fac, buf);
}

struct sl_producer *sl_producer_new(const struct sl_kconf *kc, size_t inflight_max,
                                    sl_bus_token_fn token_fn, void *token_opaque, char *errstr,
                                    size_t errstr_size)
{
    assert(kc->role == SL_KCONF_PRODUCER && inflight_max >= 1);
    struct sl_producer *prod = sl_xcalloc(1, sizeof(*prod));
    prod->token.fn = token_fn;
    prod->token.opaque = token_opaque;
    rd_kafka_conf_t *conf = sl_kconf_rd_new(kc, &prod->token, errstr, errstr_size);
    if (!conf) {
        sl_free(prod);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    char rderr[512];
    prod->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, rderr, sizeof(rderr));
    if (!prod->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "kafka producer: %s", rderr);
        sl_free(prod);
        return NULL;
    }
    if (sl_kconf_rd_started(kc, prod->rk, errstr, errstr_size)) {
        rd_kafka_destroy(prod->rk);
        sl_free(prod);
        return NULL;
    }
    prod->inf = sl_inflight_new(inflight_max);
    return prod;
}

void sl_producer_free(struct sl_producer *prod, int flush_ms)
{
    if (!prod)
        return;
    if (rd_kafka_flush(prod->rk, flush_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* Unacknowledged messages are dropped here; their sequences never reached the
         * watermark, so the source replays them after a restart. */
        rd_kafka_purge(prod->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(prod->rk, 0);
    }
    for (size_t i = 0; i < prod->nrkts; i++)
        rd_kafka_topic_destroy(prod->rkts[i]);
    rd_kafka_destroy(prod->rk);
    sl_inflight_free(prod->inf);
    sl_free(prod);
}

/* The kept handle of topic, created on first use; NULL past TOPICS_MAX. */
static rd_kafka_topic_t *topic_handle(struct sl_producer *prod, const char *topic)
{
    if (prod->nrkts && strcmp(rd_kafka_topic_name(prod->rkts[prod->last_rkt]), topic) == 0)
        return prod->rkts[prod->last_rkt];
    for (size_t i = 0; i < prod->nrkts; i++) {
        if (strcmp(rd_kafka_topic_name(prod->rkts[i]), topic) == 0) {
            prod->last_rkt = i;
            return prod->rkts[i];
        }
    }
    if (prod->nrkts == TOPICS_MAX)
        return NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(prod->rk, topic, NULL);
    if (!rkt)
        return NULL; /* invalid name: the caller reports it */
    prod->last_rkt = prod->nrkts;
    prod->rkts[prod->nrkts++] = rkt;
    return rkt;
}

sl_err_t sl_producer_send(struct sl_producer *prod, const struct sl_bus_msg *msg, uint64_t *seq,
                          char *errstr, size_t errstr_size)
{
    if (prod->err) {
        snprintf(errstr, errstr_size, "%s", prod->errstr);
        return prod->err;
    }
    if (sl_inflight_add(prod->inf, seq) == SL_ERR_AGAIN)
        return SL_ERR_AGAIN;
    rd_kafka_headers_t *hdrs = NULL;
    if (msg->header_cnt) {
        hdrs = rd_kafka_headers_new(msg->header_cnt);
        for (size_t i = 0; i < msg->header_cnt; i++)
            rd_kafka_header_add(hdrs, msg->headers[i].name, -1, msg->headers[i].value,
                                (ssize_t)msg->headers[i].value_len);
    }
    /* Past TOPICS_MAX kept handles a topic gets a handle for this message only. */
    rd_kafka_topic_t *rkt = topic_handle(prod, msg->topic), *once = NULL;
    if (!rkt)
        rkt = once = rd_kafka_topic_new(prod->rk, msg->topic, NULL);
    int32_t partition =
        msg->partition == SL_BUS_PARTITION_ANY ? RD_KAFKA_PARTITION_UA : msg->partition;
    /* rd_kafka_producev rather than rd_kafka_produceva: its 72-byte argument slots cost ~150
     * instructions per message to fill. */
    rd_kafka_resp_err_t rerr =
        !rkt ? RD_KAFKA_RESP_ERR__INVALID_ARG /* a topic name librdkafka refused */
             : rd_kafka_producev(prod->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_KEY((void *)msg->key, msg->key_len),
                                 RD_KAFKA_V_VALUE((void *)msg->value, msg->value_len),
                                 RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_TIMESTAMP(msg->timestamp_ms),
                                 RD_KAFKA_V_OPAQUE((void *)(uintptr_t)*seq), RD_KAFKA_V_END);
    if (once)
        rd_kafka_topic_destroy(once);
    if (rerr == RD_KAFKA_RESP_ERR_NO_ERROR) {
        prod->st.sent++;
        return SL_OK;
    }
    /* Not queued: give the sequence back (it is the newest, nothing after it exists). */
    sl_inflight_cancel(prod->inf, *seq);
    if (hdrs)
        rd_kafka_headers_destroy(hdrs);
    sl_err_t err;
    switch (rerr) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
        err = SL_ERR_AGAIN;
        break;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        err = SL_ERR_TOOBIG;
        break;
    case RD_KAFKA_RESP_ERR__FATAL:
        err = SL_ERR_UPSTREAM;
        break;
    default:
        err = SL_ERR_INVALID;
    }
    snprintf(errstr, errstr_size, "produce to %s [%d]: %s", msg->topic, (int)msg->partition,
             rd_kafka_err2str(rerr));
    return err;
}

/* Queues up to BATCH_MAX of msgs with one rd_kafka_produce_batch; *ok = how many, a prefix. */
static sl_err_t send_piece(struct sl_producer *prod, rd_kafka_topic_t *rkt,
                           const struct sl_bus_msg *msgs, size_t n, size_t *ok, uint64_t *last_seq,
                           char *errstr, size_t errstr_size)
{
    *ok = 0;
    size_t k = 0;
    uint64_t first = 0;
    for (; k < n && k < BATCH_MAX; k++) {
        uint64_t seq;
        if (sl_inflight_add(prod->inf, &seq) == SL_ERR_AGAIN)
            break;
        if (k == 0)
            first = seq;
        prod->batch[k] = (rd_kafka_message_t){.payload = (void *)msgs[k].value,
                                              .len = msgs[k].value_len,
                                              .key = (void *)msgs[k].key,
                                              .key_len = msgs[k].key_len,
                                              ._private = (void *)(uintptr_t)seq};
    }
    if (k == 0)
        return SL_ERR_AGAIN; /* the in-flight window is full */
    rd_kafka_produce_batch(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, prod->batch, (int)k);
    /* After a full queue librdkafka fails every later message too: the queued ones are a
     * prefix. Anything else would break the order. */
    size_t q = 0;
    while (q < k && prod->batch[q].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        q++;
    rd_kafka_resp_err_t rerr = q < k ? prod->batch[q].err : RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = q; i < k; i++) {
        if (prod->batch[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            prod->err = SL_ERR_UPSTREAM;
            snprintf(prod->errstr, sizeof(prod->errstr),
                     "produce to %s: messages were queued out of order (%s)", msgs[0].topic,
                     rd_kafka_err2str(rerr));
            snprintf(errstr, errstr_size, "%s", prod->errstr);
            return prod->err;
        }
    }
    for (size_t i = k; i > q; i--) /* give back the unqueued sequences, newest first */
        sl_inflight_cancel(prod->inf, first + i - 1);
    prod->st.sent += q;
    *ok = q;
    if (q)
        *last_seq = first + q - 1;
    if (q == k)
        return k == n || k == BATCH_MAX ? SL_OK : SL_ERR_AGAIN;
    switch (rerr) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
        return SL_ERR_AGAIN;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        snprintf(errstr, errstr_size, "produce to %s: %s", msgs[0].topic, rd_kafka_err2str(rerr));
        return SL_ERR_TOOBIG;
    case RD_KAFKA_RESP_ERR__FATAL:
        snprintf(errstr, errstr_size, "produce to %s: %s", msgs[0].topic, rd_kafka_err2str(rerr));
        return SL_ERR_UPSTREAM;
    default:
        snprintf(errstr, errstr_size, "produce to %s: %s", msgs[0].topic, rd_kafka_err2str(rerr));
        return SL_ERR_INVALID;
    }
}

sl_err_t sl_producer_send_batch(struct sl_producer *prod, const struct sl_bus_msg *msgs, size_t n,
                                size_t *sent, uint64_t *last_seq, char *errstr, size_t errstr_size)
{
    *sent = 0;
    if (prod->err) {
        snprintf(errstr, errstr_size, "%s", prod->errstr);
        return prod->err;
    }
    rd_kafka_topic_t *rkt = n ? topic_handle(prod, msgs[0].topic) : NULL;
    while (*sent < n) {
        size_t ok = 0;
        sl_err_t err =
            rkt ? send_piece(prod, rkt, msgs + *sent, n - *sent, &ok, last_seq, errstr, errstr_size)
                /* past TOPICS_MAX, or a name librdkafka refused: the one-message path */
                : sl_producer_send(prod, &msgs[*sent], last_seq, errstr, errstr_size);
        if (!rkt && !err)
            ok = 1;
        *sent += ok;
        if (err)
            return err;
    }
    return SL_OK;
}

int sl_producer_poll(struct sl_producer *prod, int timeout_ms)
{
    return rd_kafka_poll(prod->rk, timeout_ms);
}

sl_err_t sl_producer_flush(struct sl_producer *prod, int timeout_ms)
{
    rd_kafka_resp_err_t rerr = rd_kafka_flush(prod->rk, timeout_ms);
    return rerr == RD_KAFKA_RESP_ERR_NO_ERROR ? SL_OK : SL_ERR_AGAIN;
}

uint64_t sl_producer_acked(const struct sl_producer *prod)
{
    return sl_inflight_acked(prod->inf);
}

sl_err_t sl_producer_error(const struct sl_producer *prod, char *errstr, size_t errstr_size)
{
    if (prod->err)
        snprintf(errstr, errstr_size, "%s", prod->errstr);
    return prod->err;
}

void sl_producer_stats(const struct sl_producer *prod, struct sl_producer_stats *st)
{
    *st = prod->st;
    st->watermark = sl_inflight_acked(prod->inf);
    st->inflight = sl_inflight_count(prod->inf);
}

/* ---- Admin ---- */

sl_err_t sl_producer_topic_create(struct sl_producer *prod, const char *topic, int partitions,
                                  int replication, int timeout_ms, char *errstr, size_t errstr_size)
{
    char rderr[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, partitions, replication, rderr, sizeof(rderr));
    if (!nt) {
        snprintf(errstr, errstr_size, "create topic %s: %s", topic, rderr);
        return SL_ERR_INVALID;
    }
    rd_kafka_queue_t *rkqu = rd_kafka_queue_new(prod->rk);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(prod->rk, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, rderr, sizeof(rderr));
    rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, rderr, sizeof(rderr));
    rd_kafka_CreateTopics(prod->rk, &nt, 1, opts, rkqu);
    sl_err_t err = SL_OK;
    rd_kafka_event_t *ev = rd_kafka_queue_poll(rkqu, timeout_ms + 1000);
    if (!ev) {
        snprintf(errstr, errstr_size, "create topic %s: no answer within %d ms", topic, timeout_ms);
        err = SL_ERR_AGAIN;
        goto out;
    }
    if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errstr_size, "create topic %s: %s", topic,
                 rd_kafka_event_error_string(ev));
        err = SL_ERR_UPSTREAM;
        goto out;
    }
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t cnt = 0;
    const rd_kafka_topic_result_t **tres = rd_kafka_CreateTopics_result_topics(res, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_resp_err_t terr = rd_kafka_topic_result_error(tres[i]);
        if (terr == RD_KAFKA_RESP_ERR_NO_ERROR || terr == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            continue;
        const char *msg = rd_kafka_topic_result_error_string(tres[i]);
        snprintf(errstr, errstr_size, "create topic %s: %s", topic,
                 msg ? msg : rd_kafka_err2str(terr));
        err = SL_ERR_UPSTREAM;
    }
out:
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(rkqu);
    return err;
}

sl_err_t sl_producer_partitions(struct sl_producer *prod, const char *topic, int timeout_ms,
                                int *partitions, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(prod->rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    sl_err_t err = SL_OK;
    rd_kafka_resp_err_t rerr = rd_kafka_metadata(prod->rk, 0, rkt, &md, timeout_ms);
    if (rerr) {
        snprintf(errstr, errstr_size, "metadata for %s: %s", topic, rd_kafka_err2str(rerr));
        err = SL_ERR_UPSTREAM;
    } else if (md->topic_cnt != 1 || md->topics[0].err) {
        snprintf(errstr, errstr_size, "topic %s: %s", topic,
                 md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "not found");
        err = SL_ERR_NOTFOUND;
    } else {
        *partitions = md->topics[0].partition_cnt;
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return err;
}
