/* SPDX-License-Identifier: Apache-2.0 */
/* The local in-process bus of the embedded mode (no Kafka): topics with partitions holding
 * copies of messages in the same shape as Kafka's, bounded by count and bytes (a full bus is
 * SL_ERR_AGAIN), with an ack path: the consumer acknowledges a record once it is durably
 * handled (written to DynamoDB) and the producer reads the contiguous watermark of sequences
 * acknowledged so far, to advance source offsets only then. Keys are partitioned like Kafka's
 * default partitioner. Thread-safe: one producer thread and one consumer thread (or more). */
#ifndef SL_BUS_LOCAL_H
#define SL_BUS_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "bus/msg.h"
#include "core/err.h"

struct sl_local;

/* A consumed record. msg's views point into the record itself; fields other than msg are
 * private to local.c. */
struct sl_local_rec {
    struct sl_bus_msg msg;
    uint64_t seq; /* the sequence sl_local_send returned for it */
    size_t bytes;
    struct sl_local_rec *next;
};

/* max_msgs >= 1 and max_bytes >= 1 bound the messages sent and not yet acknowledged. */
struct sl_local *sl_local_new(size_t max_msgs, size_t max_bytes);
/* Frees the bus and every record still queued; records held by a consumer must be acked or
 * released first. NULL-safe. */
void sl_local_free(struct sl_local *l);

/* Creates a topic with partitions >= 1. SL_ERR_INVALID if it exists with another count.
 * Topics are created with 1 partition on first send otherwise. */
sl_err_t sl_local_topic_create(struct sl_local *l, const char *topic, int32_t partitions);

/* Copies msg into the bus (partition by key when msg->partition is SL_BUS_PARTITION_ANY, else
 * that partition) and returns its sequence. SL_ERR_AGAIN when the bus is full (count or bytes),
 * SL_ERR_TOOBIG when msg alone exceeds max_bytes, SL_ERR_INVALID for a partition out of range,
 * SL_ERR_SHUTDOWN after sl_local_close. Thread: any (the producer). */
sl_err_t sl_local_send(struct sl_local *l, const struct sl_bus_msg *msg, uint64_t *seq);

/* Takes the next record (FIFO per partition, partitions served round-robin), waiting up to
 * timeout_ms (0 = no wait). SL_ERR_AGAIN on timeout, SL_ERR_SHUTDOWN once closed and drained.
 * The caller owns *rec until sl_local_ack / sl_local_release. Thread: any (the consumer). */
sl_err_t sl_local_poll(struct sl_local *l, struct sl_local_rec **rec, int timeout_ms);

/* As sl_local_poll, but takes up to max (>= 1) records under one lock; *n is how many (>= 1
 * with SL_OK). */
sl_err_t sl_local_poll_many(struct sl_local *l, struct sl_local_rec **recs, size_t max, size_t *n,
                            int timeout_ms);

/* Acknowledges rec as durably handled and frees it (takes ownership). Thread: any. */
void sl_local_ack(struct sl_local *l, struct sl_local_rec *rec);
/* Acknowledges n records at once (one lock, at most one wake-up of the waiters). */
void sl_local_ack_many(struct sl_local *l, struct sl_local_rec *const *recs, size_t n);
/* Frees rec without acknowledging it: its sequence stays below the watermark forever, so the
 * source never stores an offset past it (a restart replays it). Thread: any. */
void sl_local_release(struct sl_local *l, struct sl_local_rec *rec);

/* N such that every sequence 1..N has been acknowledged. Thread: any. */
uint64_t sl_local_acked(struct sl_local *l);
/* Waits up to timeout_ms until sl_local_acked() >= seq. SL_ERR_AGAIN on timeout. */
sl_err_t sl_local_wait_acked(struct sl_local *l, uint64_t seq, int timeout_ms);
/* Messages sent and not yet acknowledged, and their bytes. Thread: any. */
void sl_local_stats(struct sl_local *l, size_t *msgs, size_t *bytes);
/* Refuses further sends and wakes waiting consumers, who drain what is queued. */
void sl_local_close(struct sl_local *l);

#endif
