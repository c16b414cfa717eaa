/* SPDX-License-Identifier: Apache-2.0 */
/* In-flight tracker: a bounded ring of sequence numbers handed out in send order and
 * acknowledged in any order, answering "every message up to sequence N has been acknowledged"
 * (the contiguous-ack watermark) so the source can store the offset of N. A full ring is
 * backpressure (SL_ERR_AGAIN). Not thread-safe: the owner serves acks on its own thread
 * (librdkafka delivery reports fire inside sl_producer_poll). */
#ifndef SL_BUS_INFLIGHT_H
#define SL_BUS_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sl_inflight;

/* capacity >= 1: how many messages may be unacknowledged at once. */
struct sl_inflight *sl_inflight_new(size_t capacity);
void sl_inflight_free(struct sl_inflight *inf);

/* The sequence the next sl_inflight_add will return (sequences start at 1). */
uint64_t sl_inflight_next(const struct sl_inflight *inf);
/* Reserves the next sequence number. SL_ERR_AGAIN when capacity messages are unacknowledged. */
sl_err_t sl_inflight_add(struct sl_inflight *inf, uint64_t *seq);
/* Takes back the newest sequence, which was never sent (e.g. the send was refused). */
void sl_inflight_cancel(struct sl_inflight *inf, uint64_t seq);
/* Marks seq acknowledged. SL_ERR_INVALID if seq was never handed out, is already below the
 * watermark, or was acknowledged before (a duplicate delivery report is a bug upstream). */
sl_err_t sl_inflight_ack(struct sl_inflight *inf, uint64_t seq);
/* Marks seq failed: the watermark never passes it. Same errors as sl_inflight_ack. */
sl_err_t sl_inflight_fail(struct sl_inflight *inf, uint64_t seq);
/* N such that every sequence 1..N is acknowledged (0 when none). */
uint64_t sl_inflight_acked(const struct sl_inflight *inf);
/* Messages handed out and not yet below the watermark. */
size_t sl_inflight_count(const struct sl_inflight *inf);
/* The lowest failed sequence, or 0 when nothing failed. */
uint64_t sl_inflight_failed(const struct sl_inflight *inf);

#endif
