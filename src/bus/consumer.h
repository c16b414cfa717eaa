/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka group consumer for sinks: subscribes to topics (names, or regexes starting with ^),
 * returns bounded batches of records, and commits only the offsets the caller marks as safe
 * ("next offset to read" per topic-partition, after the sink wrote the records). On a
 * rebalance, revoked partitions get their safe offsets committed first; a callback lets the
 * sink flush and mark records of earlier batches before that (records of the batch being filled
 * that belong to revoked partitions are dropped, so the new owner reads them instead). Auto commit
 * is always off. Not thread-safe: one thread polls, marks and commits; the rebalance callback runs
 * inside sl_consumer_poll on that thread. */
#ifndef SL_BUS_CONSUMER_H
#define SL_BUS_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/kconf.h"
#include "bus/msg.h"
#include "core/err.h"

struct sl_consumer;

struct sl_bus_tp {
    const char *topic;
    int32_t partition;
};

/* Told about assignment changes. On revoke (assigned=false) the callee may flush pending writes
 * and call sl_consumer_mark for the revoked partitions; the consumer then commits them.
 * Thread: the polling thread, inside sl_consumer_poll. */
typedef void (*sl_consumer_rebalance_fn)(bool assigned, const struct sl_bus_tp *tps, size_t n,
                                         void *opaque);

/* Records of one poll. msgs[i] views stay valid until sl_consumer_batch_release. Fields are
 * readable; only consumer.c writes them. */
struct sl_consumer_batch {
    struct sl_bus_msg *msgs;
    size_t cnt;
    size_t cap;                 /* private */
    void **rkms;                /* private: the librdkafka messages backing msgs */
    struct sl_bus_header *hdrs; /* private */
    size_t hdr_cap;             /* private */
};

/* Creates a consumer in group_id (Kafka Connect names a sink's group "connect-<name>"; NULL
 * keeps group.id from kc). kc->role must be SL_KCONF_CONSUMER; kc is only read during the call.
 * rebalance_fn may be NULL. token_fn is needed when kc->msk_iam. NULL with errstr. */
struct sl_consumer *sl_consumer_new(const struct sl_kconf *kc, const char *group_id,
                                    sl_consumer_rebalance_fn rebalance_fn, void *rebalance_opaque,
                                    sl_bus_token_fn token_fn, void *token_opaque, char *errstr,
                                    size_t errstr_size);
/* Commits marked offsets (synchronously), leaves the group and destroys. NULL-safe. */
void sl_consumer_free(struct sl_consumer *cons);

/* Subscribes to topics (a name starting with ^ is a regex, as Kafka Connect's topics.regex). */
sl_err_t sl_consumer_subscribe(struct sl_consumer *cons, const char *const *topics, size_t n,
                               char *errstr, size_t errstr_size);

/* Fills batch with up to max records (capped by max.poll.records), waiting up to timeout_ms for
 * the first. Releases the previous contents of batch first. SL_OK with cnt == 0 on timeout.
 * An error record (e.g. topic authorization failed) is SL_ERR_UPSTREAM naming topic and
 * partition. */
sl_err_t sl_consumer_poll(struct sl_consumer *cons, struct sl_consumer_batch *batch, size_t max,
                          int timeout_ms, char *errstr, size_t errstr_size);
void sl_consumer_batch_release(struct sl_consumer_batch *batch);
/* Releases the batch's arrays too (the batch may be reused after). */
void sl_consumer_batch_fini(struct sl_consumer_batch *batch);

/* Records that every record of topic/partition below next_offset is durably handled. Offsets
 * only move forward (a lower value is ignored). */
void sl_consumer_mark(struct sl_consumer *cons, const char *topic, int32_t partition,
                      int64_t next_offset);
/* Commits the marked offsets that changed since the last commit, of assigned partitions only:
 * marks of partitions this member no longer holds, or of all of them when the assignment is
 * lost (session expired), are dropped instead, since committing them would also restart
 * librdkafka's join in progress. SL_ERR_UPSTREAM with reason. */
sl_err_t sl_consumer_commit(struct sl_consumer *cons, char *errstr, size_t errstr_size);
/* The committed offset of topic/partition for this group (-1 when none), asking the broker. */
sl_err_t sl_consumer_committed(struct sl_consumer *cons, const char *topic, int32_t partition,
                               int timeout_ms, int64_t *offset, char *errstr, size_t errstr_size);
/* Number of partitions currently assigned. */
size_t sl_consumer_assigned(struct sl_consumer *cons);
/* Inside a revoke: whether the group already gave the partitions to others (our session
 * expired), so nothing more may be written for them. */
bool sl_consumer_assignment_lost(struct sl_consumer *cons);

#endif
