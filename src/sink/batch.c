/* SPDX-License-Identifier: Apache-2.0 */
/* BatchWriteItem batches (≤ 25 requests, ≤ 16 MB, one request per item, in-place merge of
 * later changes) and the per-partition offset tracker behind the committable offset. */
#include "sink/batch.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

/* ---- Offset tracker ---- */

struct tp {
    char *topic;
    int32_t partition;
    int64_t *offs; /* ring of registered offsets, oldest at head */
    bool *done;
    size_t head, len, cap;
    uint64_t head_seq; /* sequence number of the ring's head */
    int64_t next;      /* committable next offset; -1 = none yet */
};

struct sl_sink_tracker {
    struct tp *tps;
    size_t n, cap;
    size_t pending;
};

struct sl_sink_tracker *sl_sink_tracker_new(void)
{
    return sl_xcalloc(1, sizeof(struct sl_sink_tracker));
}

void sl_sink_tracker_free(struct sl_sink_tracker *trk)
{
    if (!trk)
        return;
    for (size_t i = 0; i < trk->n; i++) {
        sl_free(trk->tps[i].topic);
        sl_free(trk->tps[i].offs);
        sl_free(trk->tps[i].done);
    }
    sl_free(trk->tps);
    sl_free(trk);
}

static struct tp *tp_find(const struct sl_sink_tracker *trk, const char *topic, int32_t partition,
                          uint32_t *idx)
{
    for (size_t i = 0; i < trk->n; i++) {
        if (trk->tps[i].partition == partition && strcmp(trk->tps[i].topic, topic) == 0) {
            if (idx)
                *idx = (uint32_t)i;
            return &trk->tps[i];
        }
    }
    return NULL;
}

struct sl_sink_ticket sl_sink_tracker_add(struct sl_sink_tracker *trk, const char *topic,
                                          int32_t partition, int64_t offset)
{
    uint32_t idx;
    struct tp *tp = tp_find(trk, topic, partition, &idx);
    if (!tp) {
        if (trk->n == trk->cap) {
            trk->cap = trk->cap ? trk->cap * 2 : 8;
            trk->tps = sl_xrealloc(trk->tps, trk->cap * sizeof(*trk->tps));
        }
        idx = (uint32_t)trk->n++;
        tp = &trk->tps[idx];
        memset(tp, 0, sizeof(*tp));
        tp->topic = sl_xstrdup(topic);
        tp->partition = partition;
        tp->next = -1;
    }
    if (tp->len == tp->cap) {
        size_t ncap = tp->cap ? tp->cap * 2 : 64;
        int64_t *offs = sl_xmalloc(ncap * sizeof(*offs));
        bool *done = sl_xmalloc(ncap * sizeof(*done));
        for (size_t i = 0; i < tp->len; i++) {
            offs[i] = tp->offs[(tp->head + i) % tp->cap];
            done[i] = tp->done[(tp->head + i) % tp->cap];
        }
        sl_free(tp->offs);
        sl_free(tp->done);
        tp->offs = offs;
        tp->done = done;
        tp->cap = ncap;
        tp->head = 0;
    }
    size_t pos = (tp->head + tp->len) % tp->cap;
    tp->offs[pos] = offset;
    tp->done[pos] = false;
    struct sl_sink_ticket t = {.tp = idx, .seq = tp->head_seq + tp->len};
    tp->len++;
    trk->pending++;
    return t;
}

void sl_sink_tracker_done(struct sl_sink_tracker *trk, struct sl_sink_ticket t)
{
    struct tp *tp = &trk->tps[t.tp];
    uint64_t rel = t.seq - tp->head_seq;
    if (t.seq < tp->head_seq || rel >= tp->len)
        return; /* already finished and popped: a bug upstream, harmless here */
    size_t pos = (tp->head + rel) % tp->cap;
    if (tp->done[pos])
        return;
    tp->done[pos] = true;
    trk->pending--;
    while (tp->len > 0 && tp->done[tp->head]) {
        tp->next = tp->offs[tp->head] + 1;
        tp->head = (tp->head + 1) % tp->cap;
        tp->len--;
        tp->head_seq++;
    }
}

sl_err_t sl_sink_tracker_committable(const struct sl_sink_tracker *trk, const char *topic,
                                     int32_t partition, int64_t *next_offset)
{
    const struct tp *tp = tp_find(trk, topic, partition, NULL);
    if (!tp || tp->next < 0)
        return SL_ERR_NOTFOUND;
    *next_offset = tp->next;
    return SL_OK;
}

void sl_sink_tracker_foreach(const struct sl_sink_tracker *trk, sl_sink_offset_fn *fn, void *opaque)
{
    for (size_t i = 0; i < trk->n; i++) {
        if (trk->tps[i].next >= 0)
            fn(trk->tps[i].topic, trk->tps[i].partition, trk->tps[i].next, opaque);
    }
}

void sl_sink_tracker_forget(struct sl_sink_tracker *trk, const char *topic, int32_t partition)
{
    struct tp *tp = tp_find(trk, topic, partition, NULL);
    if (!tp)
        return;
    for (size_t i = 0; i < tp->len; i++) {
        if (!tp->done[(tp->head + i) % tp->cap])
            trk->pending--;
    }
    /* Sequence numbers keep growing, so older tickets fall below head_seq and are ignored. */
    tp->head_seq += tp->len;
    tp->head = 0;
    tp->len = 0;
    tp->next = -1;
}

size_t sl_sink_tracker_pending(const struct sl_sink_tracker *trk)
{
    return trk->pending;
}

/* ---- Batches ---- */

struct sl_sink_batcher {
    size_t max_items;
    struct sl_sink_batch *open;
    struct sl_sink_batch *sealed_head, *sealed_tail;
    size_t n_sealed;
    struct sl_sink_batch **inflight;
    size_t n_inflight, cap_inflight;
    size_t items, bytes;
};

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

struct sl_sink_batcher *sl_sink_batcher_new(size_t max_items)
{
    struct sl_sink_batcher *bat = sl_xcalloc(1, sizeof(*bat));
    bat->max_items =
        max_items && max_items < SL_SINK_BATCH_MAX_ITEMS ? max_items : SL_SINK_BATCH_MAX_ITEMS;
    return bat;
}

static void entry_fini(struct sl_sink_entry *e)
{
    sl_free(e->table); /* with key */
    sl_free(e->req);   /* with item and topic */
    sl_free(e->tickets);
    memset(e, 0, sizeof(*e));
}

static void batch_free(struct sl_sink_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        entry_fini(&b->ent[i]);
    sl_free(b);
}

void sl_sink_batcher_free(struct sl_sink_batcher *bat)
{
    if (!bat)
        return;
    batch_free(bat->open);
    for (struct sl_sink_batch *b = bat->sealed_head, *nx; b; b = nx) {
        nx = b->next;
        batch_free(b);
    }
    for (size_t i = 0; i < bat->n_inflight; i++)
        batch_free(bat->inflight[i]);
    sl_free(bat->inflight);
    sl_free(bat);
}

void sl_sink_batcher_seal(struct sl_sink_batcher *bat)
{
    struct sl_sink_batch *b = bat->open;
    if (!b || b->n == 0)
        return;
    bat->open = NULL;
    if (bat->sealed_tail)
        bat->sealed_tail->next = b;
    else
        bat->sealed_head = b;
    bat->sealed_tail = b;
    bat->n_sealed++;
}

/* Fills e's content from item (replacing what was there) and appends the ticket. The
 * request, the PUT item and the topic share one allocation, owned by e->req: this runs for
 * every record. */
static void entry_set(struct sl_sink_entry *e, const struct sl_sink_item *item,
                      const struct sl_sink_rec *rec, struct sl_sink_ticket t)
{
    sl_free(e->req);
    e->op = item->op;
    bool put = item->op == SL_SINK_OP_PUT;
    const char *pre = put ? "{\"PutRequest\":{\"Item\":" : "{\"DeleteRequest\":{\"Key\":";
    const struct sl_buf *body = put ? &item->item : &item->key;
    size_t pl = strlen(pre), rl = pl + body->len + 2, tl = strlen(rec->topic);
    char *p = sl_xmalloc(rl + 1 + (put ? item->item.len + 1 : 0) + tl + 1);
    e->req = p;
    e->req_len = rl;
    memcpy(p, pre, pl);
    memcpy(p + pl, body->data, body->len);
    memcpy(p + pl + body->len, "}}", 3);
    p += rl + 1;
    e->item = NULL;
    if (put) {
        memcpy(p, item->item.data, item->item.len);
        p[item->item.len] = '\0';
        e->item = p;
        p += item->item.len + 1;
    }
    memcpy(p, rec->topic, tl + 1);
    e->topic = p;
    e->size = item->size;
    e->partition = rec->partition;
    e->offset = rec->offset;
    e->tickets = sl_xrealloc(e->tickets, (e->n_tickets + 1) * sizeof(*e->tickets));
    e->tickets[e->n_tickets++] = t;
}

void sl_sink_batcher_add(struct sl_sink_batcher *bat, const struct sl_sink_item *item,
                         const struct sl_sink_rec *rec, struct sl_sink_ticket t)
{
    uint64_t h = fnv1a(14695981039346656037ULL, item->table, strlen(item->table) + 1);
    h = fnv1a(h, item->key.data, item->key.len);
    struct sl_sink_batch *b = bat->open;
    /* Request JSON plus the table name and framing must fit the 16 MB call. */
    size_t need = item->item.len + item->key.len + strlen(item->table) + 64;
    if (b) {
        for (size_t i = 0; i < b->n; i++) {
            struct sl_sink_entry *e = &b->ent[i];
            if (e->hash == h && strcmp(e->table, item->table) == 0 &&
                strcmp(e->key, item->key.data) == 0) {
                if (b->bytes - e->req_len + need > SL_SINK_BATCH_MAX_BYTES - 4096) {
                    /* Too big to merge: the change goes to the next batch, which waits
                     * for this one (same item), so order still holds. */
                    sl_sink_batcher_seal(bat);
                    b = NULL;
                    break;
                }
                size_t old = e->req_len;
                entry_set(e, item, rec, t);
                b->bytes = b->bytes - old + e->req_len;
                bat->bytes = bat->bytes - old + e->req_len;
                return;
            }
        }
    }
    if (b && (b->n >= bat->max_items || b->bytes + need > SL_SINK_BATCH_MAX_BYTES - 4096)) {
        sl_sink_batcher_seal(bat);
        b = NULL;
    }
    if (!b) {
        b = sl_xcalloc(1, sizeof(*b));
        bat->open = b;
    }
    struct sl_sink_entry *e = &b->ent[b->n++];
    memset(e, 0, sizeof(*e));
    size_t tl = strlen(item->table);
    e->table = sl_xmalloc(tl + 1 + item->key.len + 1); /* one allocation for both */
    memcpy(e->table, item->table, tl + 1);
    e->key = e->table + tl + 1;
    memcpy(e->key, item->key.data, item->key.len);
    e->key[item->key.len] = '\0';
    e->hash = h;
    entry_set(e, item, rec, t);
    b->bytes += e->req_len + strlen(e->table) + 8;
    bat->bytes += e->req_len;
    bat->items++;
}

static bool conflicts(const struct sl_sink_batcher *bat, const struct sl_sink_batch *b)
{
    for (size_t k = 0; k < bat->n_inflight; k++) {
        const struct sl_sink_batch *f = bat->inflight[k];
        for (size_t i = 0; i < b->n; i++) {
            for (size_t j = 0; j < f->n; j++) {
                if (b->ent[i].hash == f->ent[j].hash && strcmp(b->ent[i].key, f->ent[j].key) == 0 &&
                    strcmp(b->ent[i].table, f->ent[j].table) == 0)
                    return true;
            }
        }
    }
    return false;
}

struct sl_sink_batch *sl_sink_batcher_take(struct sl_sink_batcher *bat)
{
    struct sl_sink_batch *b = bat->sealed_head;
    if (!b || conflicts(bat, b))
        return NULL;
    bat->sealed_head = b->next;
    if (!bat->sealed_head)
        bat->sealed_tail = NULL;
    b->next = NULL;
    bat->n_sealed--;
    if (bat->n_inflight == bat->cap_inflight) {
        bat->cap_inflight = bat->cap_inflight ? bat->cap_inflight * 2 : 8;
        bat->inflight = sl_xrealloc(bat->inflight, bat->cap_inflight * sizeof(*bat->inflight));
    }
    bat->inflight[bat->n_inflight++] = b;
    return b;
}

void sl_sink_batcher_finish(struct sl_sink_batcher *bat, struct sl_sink_batch *batch)
{
    for (size_t i = 0; i < bat->n_inflight; i++) {
        if (bat->inflight[i] != batch)
            continue;
        memmove(&bat->inflight[i], &bat->inflight[i + 1],
                (bat->n_inflight - i - 1) * sizeof(*bat->inflight));
        bat->n_inflight--;
        for (size_t k = 0; k < batch->n; k++) {
            bat->bytes -= batch->ent[k].req_len;
            bat->items--;
        }
        batch_free(batch);
        return;
    }
}

size_t sl_sink_batcher_drop(struct sl_sink_batcher *bat, const char *topic, int32_t partition,
                            void (*fn)(struct sl_sink_entry *e, void *opaque), void *opaque)
{
    sl_sink_batcher_seal(bat);
    size_t dropped = 0;
    struct sl_sink_batch *prev = NULL;
    for (struct sl_sink_batch *b = bat->sealed_head, *nx; b; b = nx) {
        nx = b->next;
        bool left = false;
        for (size_t i = 0; i < b->n; i++) {
            struct sl_sink_entry *e = &b->ent[i];
            if (!e->done && e->partition == partition && strcmp(e->topic, topic) == 0) {
                fn(e, opaque);
                e->done = true;
                dropped++;
            }
            left = left || !e->done;
        }
        if (left) {
            prev = b;
            continue;
        }
        if (prev)
            prev->next = nx;
        else
            bat->sealed_head = nx;
        if (bat->sealed_tail == b)
            bat->sealed_tail = prev;
        bat->n_sealed--;
        for (size_t k = 0; k < b->n; k++) {
            bat->bytes -= b->ent[k].req_len;
            bat->items--;
        }
        batch_free(b);
    }
    return dropped;
}

size_t sl_sink_batcher_items(const struct sl_sink_batcher *bat)
{
    return bat->items;
}

size_t sl_sink_batcher_bytes(const struct sl_sink_batcher *bat)
{
    return bat->bytes;
}

size_t sl_sink_batcher_open_items(const struct sl_sink_batcher *bat)
{
    return bat->open ? bat->open->n : 0;
}

size_t sl_sink_batcher_sealed(const struct sl_sink_batcher *bat)
{
    return bat->n_sealed;
}

size_t sl_sink_batcher_inflight(const struct sl_sink_batcher *bat)
{
    return bat->n_inflight;
}
