/* SPDX-License-Identifier: Apache-2.0 */
/* Contiguous-ack watermark over a ring of per-sequence states; see inflight.h. The slot of
 * sequence s is s % capacity; the ring holds sequences (acked, next). */
#include "bus/inflight.h"

#include <assert.h>
#include <string.h>

#include "core/mem.h"

enum { ST_PENDING = 0, ST_ACKED = 1, ST_FAILED = 2 };

struct sl_inflight {
    size_t cap;
    uint64_t acked;  /* watermark: 1..acked are acknowledged */
    uint64_t next;   /* next sequence to hand out */
    uint64_t failed; /* lowest failed sequence, 0 if none */
    uint8_t *state;
};

struct sl_inflight *sl_inflight_new(size_t capacity)
{
    assert(capacity >= 1);
    struct sl_inflight *inf = sl_xcalloc(1, sizeof(*inf));
    inf->cap = capacity;
    inf->next = 1;
    inf->state = sl_xcalloc(capacity, 1);
    return inf;
}

void sl_inflight_free(struct sl_inflight *inf)
{
    if (!inf)
        return;
    sl_free(inf->state);
    sl_free(inf);
}

uint64_t sl_inflight_next(const struct sl_inflight *inf)
{
    return inf->next;
}

sl_err_t sl_inflight_add(struct sl_inflight *inf, uint64_t *seq)
{
    if (inf->next - 1 - inf->acked >= inf->cap)
        return SL_ERR_AGAIN;
    inf->state[inf->next % inf->cap] = ST_PENDING;
    *seq = inf->next++;
    return SL_OK;
}

void sl_inflight_cancel(struct sl_inflight *inf, uint64_t seq)
{
    assert(seq + 1 == inf->next && seq > inf->acked);
    (void)seq;
    inf->next--;
}

static sl_err_t mark(struct sl_inflight *inf, uint64_t seq, uint8_t st)
{
    if (seq <= inf->acked || seq >= inf->next)
        return SL_ERR_INVALID;
    uint8_t *slot = &inf->state[seq % inf->cap];
    if (*slot != ST_PENDING)
        return SL_ERR_INVALID;
    *slot = st;
    if (st == ST_FAILED) {
        if (!inf->failed || seq < inf->failed)
            inf->failed = seq;
        return SL_OK;
    }
    while (inf->acked + 1 < inf->next && inf->state[(inf->acked + 1) % inf->cap] == ST_ACKED) {
        inf->state[(inf->acked + 1) % inf->cap] = ST_PENDING;
        inf->acked++;
    }
    return SL_OK;
}

sl_err_t sl_inflight_ack(struct sl_inflight *inf, uint64_t seq)
{
    return mark(inf, seq, ST_ACKED);
}

sl_err_t sl_inflight_fail(struct sl_inflight *inf, uint64_t seq)
{
    return mark(inf, seq, ST_FAILED);
}

uint64_t sl_inflight_acked(const struct sl_inflight *inf)
{
    return inf->acked;
}

size_t sl_inflight_count(const struct sl_inflight *inf)
{
    return (size_t)(inf->next - 1 - inf->acked);
}

uint64_t sl_inflight_failed(const struct sl_inflight *inf)
{
    return inf->failed;
}
