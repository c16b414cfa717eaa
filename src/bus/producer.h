/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka producer: idempotent (acks=all), keyed messages partitioned like the Java client
 * (murmur2_random), payload copied at send time, each message tracked by a sequence in an
 * in-flight ring so the source can ask "is everything up to sequence N acknowledged?". A
 * delivery failure is kept with its topic, partition and librdkafka's reason. Not thread-safe:
 * one thread sends and polls (delivery reports run inside sl_producer_poll / _flush). */
#ifndef SL_BUS_PRODUCER_H
#define SL_BUS_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "bus/kconf.h"
#include "bus/msg.h"
#include "core/err.h"

struct sl_producer;

struct sl_producer_stats {
    uint64_t sent;   /* accepted by sl_producer_send */
    uint64_t acked;  /* delivery reports with success */
    uint64_t failed; /* delivery reports with an error */
    uint64_t watermark;
    size_t inflight;
};

/* Creates a producer from a mapped configuration (kc->role must be SL_KCONF_PRODUCER; kc is
 * only read during the call). inflight_max bounds unacknowledged messages. token_fn (may be
 * NULL unless kc->msk_iam) and token_opaque must outlive the producer. NULL with errstr. */
struct sl_producer *sl_producer_new(const struct sl_kconf *kc, size_t inflight_max,
                                    sl_bus_token_fn token_fn, void *token_opaque, char *errstr,
                                    size_t errstr_size);
/* Flushes for up to flush_ms and destroys. NULL-safe. */
void sl_producer_free(struct sl_producer *prod, int flush_ms);

/* Queues a copy of msg (partition SL_BUS_PARTITION_ANY = by key) and returns its sequence.
 * SL_ERR_AGAIN when the in-flight ring or librdkafka's queue is full (poll, then retry),
 * SL_ERR_UPSTREAM after a delivery failure or a fatal producer error (see sl_producer_error),
 * SL_ERR_TOOBIG / SL_ERR_INVALID for a message or topic librdkafka refuses (errstr says). */
sl_err_t sl_producer_send(struct sl_producer *prod, const struct sl_bus_msg *msg, uint64_t *seq,
                          char *errstr, size_t errstr_size);
/* Sends msgs[0..n) in order, all to one topic, any partition (the key decides), without
 * headers (the caller checks), with one call into librdkafka per 1024 messages: the
 * per-message produce call read the clock and took the topic lock for every message. *sent
 * counts the messages queued, a prefix; *last_seq is the sequence of the last of them. SL_OK
 * when all were queued, SL_ERR_AGAIN when the queue or the in-flight window filled first
 * (poll, then send the rest), other errors as sl_producer_send. */
sl_err_t sl_producer_send_batch(struct sl_producer *prod, const struct sl_bus_msg *msgs, size_t n,
                                size_t *sent, uint64_t *last_seq, char *errstr, size_t errstr_size);
/* Serves delivery reports, waiting up to timeout_ms for the first. Returns how many. */
int sl_producer_poll(struct sl_producer *prod, int timeout_ms);
/* Waits up to timeout_ms for every queued message; SL_ERR_AGAIN if some remain. */
sl_err_t sl_producer_flush(struct sl_producer *prod, int timeout_ms);
/* N such that messages with sequence 1..N are all acknowledged by Kafka. */
uint64_t sl_producer_acked(const struct sl_producer *prod);
/* SL_OK, or the first delivery failure / fatal error with "topic [partition]: reason". */
sl_err_t sl_producer_error(const struct sl_producer *prod, char *errstr, size_t errstr_size);
void sl_producer_stats(const struct sl_producer *prod, struct sl_producer_stats *st);

/* Creates a topic with the given partitions and replication factor through the admin API on
 * the producer's connection, waiting up to timeout_ms. An existing topic is SL_OK. Brokers
 * auto-create topics on first produce only with auto.create.topics.enable=true (MSK's default
 * is false; librdkafka's mock cluster auto-creates with its default partition count), so
 * sources create theirs. */
sl_err_t sl_producer_topic_create(struct sl_producer *prod, const char *topic, int partitions,
                                  int replication, int timeout_ms, char *errstr,
                                  size_t errstr_size);
/* Number of partitions of topic (from metadata), waiting up to timeout_ms. SL_ERR_NOTFOUND if
 * the topic does not exist. */
sl_err_t sl_producer_partitions(struct sl_producer *prod, const char *topic, int timeout_ms,
                                int *partitions, char *errstr, size_t errstr_size);

#endif
