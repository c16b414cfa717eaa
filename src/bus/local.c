/* SPDX-License-Identifier: Apache-2.0 */
/* Local in-process bus: a mutex-protected set of per-partition FIFOs plus an in-flight ring for
 * the ack watermark; see local.h. One lock for the whole bus keeps it obviously correct; the
 * consumer takes and acknowledges records in groups so the lock and the wake-ups are paid per
 * group, not per record (the embedded mode moves hundreds of thousands of records a second). */
#include "bus/local.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "bus/inflight.h"
#include "bus/partition.h"
#include "core/mem.h"

struct part {
    struct sl_local_rec *head, *tail;
    int64_t next_offset;
};

struct topic {
    char *name;
    int32_t part_cnt;
    struct part *parts;
    struct topic *next;
};

struct sl_local {
    pthread_mutex_t lock;
    pthread_cond_t readable; /* a record was queued or the bus closed */
    pthread_cond_t acked;    /* the watermark moved */
    struct topic *topics;
    struct sl_inflight *inf;
    size_t max_bytes;
    size_t bytes; /* of records sent and not yet acknowledged or released */
    size_t queued;
    bool closed;
    struct topic *rr_topic; /* round-robin cursor */
    int32_t rr_part;
};

struct sl_local *sl_local_new(size_t max_msgs, size_t max_bytes)
{
    assert(max_msgs >= 1 && max_bytes >= 1);
    struct sl_local *l = sl_xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->readable, &ca);
    pthread_cond_init(&l->acked, &ca);
    pthread_condattr_destroy(&ca);
    l->inf = sl_inflight_new(max_msgs);
    l->max_bytes = max_bytes;
    return l;
}

void sl_local_free(struct sl_local *l)
{
    if (!l)
        return;
    struct topic *t = l->topics;
    while (t) {
        struct topic *tn = t->next;
        for (int32_t i = 0; i < t->part_cnt; i++) {
            struct sl_local_rec *rec = t->parts[i].head;
            while (rec) {
                struct sl_local_rec *rn = rec->next;
                sl_free(rec);
                rec = rn;
            }
        }
        sl_free(t->parts);
        sl_free(t->name);
        sl_free(t);
        t = tn;
    }
    sl_inflight_free(l->inf);
    pthread_cond_destroy(&l->readable);
    pthread_cond_destroy(&l->acked);
    pthread_mutex_destroy(&l->lock);
    sl_free(l);
}

static struct topic *find_topic(struct sl_local *l, const char *name)
{
    for (struct topic *t = l->topics; t; t = t->next) {
        if (strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

static struct topic *add_topic(struct sl_local *l, const char *name, int32_t partitions)
{
    struct topic *t = sl_xcalloc(1, sizeof(*t));
    t->name = sl_xstrdup(name);
    t->part_cnt = partitions;
    t->parts = sl_xcalloc((size_t)partitions, sizeof(*t->parts));
    t->next = l->topics;
    l->topics = t;
    return t;
}

sl_err_t sl_local_topic_create(struct sl_local *l, const char *topic, int32_t partitions)
{
    assert(partitions >= 1);
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&l->lock);
    struct topic *t = find_topic(l, topic);
    if (t && t->part_cnt != partitions)
        err = SL_ERR_INVALID;
    else if (!t)
        add_topic(l, topic, partitions);
    pthread_mutex_unlock(&l->lock);
    return err;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* One allocation: record, header array, then header names/values, key and value bytes. */
static struct sl_local_rec *copy_msg(const struct sl_bus_msg *msg, size_t *bytes)
{
    size_t n = align8(sizeof(struct sl_local_rec)) +
               align8(msg->header_cnt * sizeof(struct sl_bus_header));
    for (size_t i = 0; i < msg->header_cnt; i++)
        n += strlen(msg->headers[i].name) + 1 + msg->headers[i].value_len;
    n += msg->key_len + msg->value_len;
    struct sl_local_rec *rec = sl_xcalloc(1, n);
    char *p = (char *)rec + align8(sizeof(*rec));
    struct sl_bus_header *hdrs = (struct sl_bus_header *)(void *)p;
    p += align8(msg->header_cnt * sizeof(*hdrs));
    for (size_t i = 0; i < msg->header_cnt; i++) {
        size_t nl = strlen(msg->headers[i].name) + 1;
        memcpy(p, msg->headers[i].name, nl);
        hdrs[i].name = p;
        p += nl;
        hdrs[i].value = NULL;
        hdrs[i].value_len = msg->headers[i].value_len;
        if (msg->headers[i].value) {
            memcpy(p, msg->headers[i].value, msg->headers[i].value_len);
            hdrs[i].value = p;
            p += msg->headers[i].value_len;
        }
    }
    rec->msg.headers = msg->header_cnt ? hdrs : NULL;
    rec->msg.header_cnt = msg->header_cnt;
    if (msg->key) {
        memcpy(p, msg->key, msg->key_len);
        rec->msg.key = p;
        rec->msg.key_len = msg->key_len;
        p += msg->key_len;
    }
    if (msg->value) {
        memcpy(p, msg->value, msg->value_len);
        rec->msg.value = p;
        rec->msg.value_len = msg->value_len;
    }
    rec->msg.timestamp_ms = msg->timestamp_ms;
    *bytes = n;
    return rec;
}

sl_err_t sl_local_send(struct sl_local *l, const struct sl_bus_msg *msg, uint64_t *seq)
{
    size_t bytes;
    struct sl_local_rec *rec = copy_msg(msg, &bytes);
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&l->lock);
    struct topic *t = find_topic(l, msg->topic);
    int32_t part_cnt = t ? t->part_cnt : 1;
    int32_t part = msg->partition;
    if (l->closed) {
        err = SL_ERR_SHUTDOWN;
    } else if (bytes > l->max_bytes) {
        err = SL_ERR_TOOBIG;
    } else if (part != SL_BUS_PARTITION_ANY && (part < 0 || part >= part_cnt)) {
        err = SL_ERR_INVALID;
    } else if (l->bytes + bytes > l->max_bytes) {
        err = SL_ERR_AGAIN;
    } else {
        err = sl_inflight_add(l->inf, &rec->seq);
    }
    if (err) {
        pthread_mutex_unlock(&l->lock);
        sl_free(rec);
        return err;
    }
    if (!t)
        t = add_topic(l, msg->topic, 1);
    if (part == SL_BUS_PARTITION_ANY)
        part = msg->key ? sl_bus_partition_for_key(msg->key, msg->key_len, t->part_cnt) : 0;
    struct part *pt = &t->parts[part];
    rec->msg.topic = t->name;
    rec->msg.partition = part;
    rec->msg.offset = pt->next_offset++;
    rec->bytes = bytes;
    if (pt->tail)
        pt->tail->next = rec;
    else
        pt->head = rec;
    pt->tail = rec;
    l->bytes += bytes;
    l->queued++;
    *seq = rec->seq;
    pthread_cond_signal(&l->readable);
    pthread_mutex_unlock(&l->lock);
    return SL_OK;
}

/* Pops from the next non-empty partition after the round-robin cursor. Lock held. */
static struct sl_local_rec *pop_rr(struct sl_local *l)
{
    if (!l->queued)
        return NULL;
    struct topic *t = l->rr_topic ? l->rr_topic : l->topics;
    int32_t p = l->rr_topic ? l->rr_part + 1 : 0;
    for (;;) {
        for (; p < t->part_cnt; p++) {
            struct part *pt = &t->parts[p];
            if (!pt->head)
                continue;
            struct sl_local_rec *rec = pt->head;
            pt->head = rec->next;
            if (!pt->head)
                pt->tail = NULL;
            rec->next = NULL;
            l->queued--;
            l->rr_topic = t;
            l->rr_part = p;
            return rec;
        }
        t = t->next ? t->next : l->topics;
        p = 0;
    }
}

static void deadline_after(struct timespec *ts, int timeout_ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Pops up to max records round-robin. Lock held. */
static size_t pop_many(struct sl_local *l, struct sl_local_rec **recs, size_t max)
{
    size_t n = 0;
    while (n < max && l->queued)
        recs[n++] = pop_rr(l);
    return n;
}

sl_err_t sl_local_poll_many(struct sl_local *l, struct sl_local_rec **recs, size_t max, size_t *n,
                            int timeout_ms)
{
    assert(max >= 1);
    struct timespec deadline = {0, 0};
    if (timeout_ms > 0)
        deadline_after(&deadline, timeout_ms);
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&l->lock);
    for (;;) {
        *n = pop_many(l, recs, max);
        if (*n)
            break;
        if (l->closed) {
            err = SL_ERR_SHUTDOWN;
            break;
        }
        if (timeout_ms <= 0 ||
            pthread_cond_timedwait(&l->readable, &l->lock, &deadline) == ETIMEDOUT) {
            *n = pop_many(l, recs, max);
            err = *n ? SL_OK : SL_ERR_AGAIN;
            break;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return err;
}

sl_err_t sl_local_poll(struct sl_local *l, struct sl_local_rec **rec, int timeout_ms)
{
    size_t n;
    sl_err_t err = sl_local_poll_many(l, rec, 1, &n, timeout_ms);
    if (err)
        *rec = NULL;
    return err;
}

/* Settles n records under one lock; waiters on the watermark are woken only when it moved,
 * once per call, not once per record (a producer blocked on a full bus would otherwise be
 * woken, send one record and sleep again for every acknowledgement). */
static void finish(struct sl_local *l, struct sl_local_rec *const *recs, size_t n, bool ok)
{
    pthread_mutex_lock(&l->lock);
    uint64_t before = sl_inflight_acked(l->inf);
    for (size_t i = 0; i < n; i++) {
        sl_err_t err =
            ok ? sl_inflight_ack(l->inf, recs[i]->seq) : sl_inflight_fail(l->inf, recs[i]->seq);
        assert(err == SL_OK);
        (void)err;
        l->bytes -= recs[i]->bytes;
    }
    if (sl_inflight_acked(l->inf) != before)
        pthread_cond_broadcast(&l->acked);
    pthread_mutex_unlock(&l->lock);
    for (size_t i = 0; i < n; i++)
        sl_free(recs[i]);
}

void sl_local_ack(struct sl_local *l, struct sl_local_rec *rec)
{
    finish(l, &rec, 1, true);
}

void sl_local_ack_many(struct sl_local *l, struct sl_local_rec *const *recs, size_t n)
{
    finish(l, recs, n, true);
}

void sl_local_release(struct sl_local *l, struct sl_local_rec *rec)
{
    finish(l, &rec, 1, false);
}

uint64_t sl_local_acked(struct sl_local *l)
{
    pthread_mutex_lock(&l->lock);
    uint64_t n = sl_inflight_acked(l->inf);
    pthread_mutex_unlock(&l->lock);
    return n;
}

sl_err_t sl_local_wait_acked(struct sl_local *l, uint64_t seq, int timeout_ms)
{
    struct timespec deadline = {0, 0};
    if (timeout_ms > 0)
        deadline_after(&deadline, timeout_ms);
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&l->lock);
    while (sl_inflight_acked(l->inf) < seq) {
        if (timeout_ms <= 0 ||
            pthread_cond_timedwait(&l->acked, &l->lock, &deadline) == ETIMEDOUT) {
            err = sl_inflight_acked(l->inf) >= seq ? SL_OK : SL_ERR_AGAIN;
            break;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return err;
}

void sl_local_stats(struct sl_local *l, size_t *msgs, size_t *bytes)
{
    pthread_mutex_lock(&l->lock);
    *msgs = sl_inflight_count(l->inf);
    *bytes = l->bytes;
    pthread_mutex_unlock(&l->lock);
}

void sl_local_close(struct sl_local *l)
{
    pthread_mutex_lock(&l->lock);
    l->closed = true;
    pthread_cond_broadcast(&l->readable);
    pthread_mutex_unlock(&l->lock);
}
