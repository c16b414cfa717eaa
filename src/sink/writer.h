/* SPDX-License-Identifier: Apache-2.0 */
/* The DynamoDB writer the sink connector loop drives: put converted Kafka records, poll to
 * make progress, read the committable offset per topic-partition (never ahead of what
 * DynamoDB accepted), learn about records DynamoDB refused so they can go to the DLQ.
 *
 *     w = sl_ddb_writer_new(&conf, errstr, sizeof(errstr));
 *     for each consumed record:
 *         err = sl_ddb_writer_put(w, &rec, why, sizeof(why));
 *         while (err == SL_ERR_AGAIN) { sl_ddb_writer_poll(w, 100); err = put again; }
 *         if (err == SL_ERR_INVALID) dlq(rec, why);          (record counts as finished)
 *         else if (err) stop the task (table/key-schema/auth problem: errstr says)
 *     periodically: sl_ddb_writer_poll(w, 0); sl_ddb_writer_offsets(w, commit_cb, ...);
 *
 * Thread: one thread (the sink thread) owns a writer; callbacks run inside put/poll/flush. */
#ifndef SL_SINK_WRITER_H
#define SL_SINK_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "sink/batch.h"
#include "sink/ddb.h"
#include "sink/item.h"
#include "sink/table.h"

/* A record DynamoDB refused (ValidationException on its own PutItem/DeleteItem). All
 * pointers are valid during the callback only. */
struct sl_ddb_failure {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const char *table;
    const char *reason; /* "DynamoDB ValidationException: ..." */
    const char *item;   /* the DynamoDB JSON that was refused (item, or key for a delete) */
};

/* Called before the record's offset can become committable, so a DLQ write that happens
 * inside the callback is ordered before the commit. */
typedef void sl_ddb_fail_fn(const struct sl_ddb_failure *f, void *opaque);

struct sl_ddb_writer_conf {
    struct sl_sink_item_conf item;  /* conversion and key mapping */
    struct sl_ddb_conf ddb;         /* endpoint, region, credentials, HTTP concurrency */
    struct sl_ddb_table_opts table; /* auto-create, billing mode, wait */
    size_t batch_size;              /* requests per BatchWriteItem, 1..25; 0 = 25 */
    int max_inflight_batches;       /* full batches' worth of items in flight; 0 = 4 */
    size_t max_pending_items;       /* backpressure bound; 0 = 10000 */
    size_t max_pending_bytes;       /* backpressure bound; 0 = 64 MB */
    long max_retry_ms;              /* give up on a batch retried this long; 0 = 300000 */
    long backoff_base_ms;           /* 0 = 50 */
    long backoff_cap_ms;            /* 0 = 20000 */
    sl_ddb_fail_fn *on_fail;        /* may be NULL: failures are then only counted and logged */
    void *opaque;
};

struct sl_ddb_writer_stats {
    uint64_t puts, deletes, skipped, invalid; /* records by outcome of conversion */
    uint64_t requests, retries, throttled, unprocessed, rejected;
    size_t pending_items, pending_bytes;
};

struct sl_ddb_writer;

/* Creates a writer (no network yet). NULL with errstr on bad configuration. conf is copied;
 * the credential provider it points to is borrowed. */
struct sl_ddb_writer *sl_ddb_writer_new(const struct sl_ddb_writer_conf *conf, char *errstr,
                                        size_t errstr_size);
/* Drops whatever is pending (nothing more is committable). */
void sl_ddb_writer_free(struct sl_ddb_writer *w);

/* Takes one record (its bytes are copied as needed). Returns
 *  SL_OK          accepted (or deliberately skipped, e.g. an ignored tombstone);
 *  SL_ERR_AGAIN   bounds reached: not taken, poll and offer it again;
 *  SL_ERR_INVALID bad record: taken and finished, errstr is the reason for the DLQ;
 *  SL_ERR_CONF, SL_ERR_UPSTREAM, SL_ERR_AUTH: not taken; the table cannot be used or the
 *                 writer failed earlier (errstr says why); stop the task.
 * Records of one partition must be put in offset order. A first record for a new table
 * describes (and may create) the table, blocking up to the table wait time. */
sl_err_t sl_ddb_writer_put(struct sl_ddb_writer *w, const struct sl_sink_rec *rec, char *errstr,
                           size_t errstr_size);

/* Sends what can be sent, waits up to timeout_ms for responses, handles them (retries,
 * fallbacks, failure callbacks). SL_OK, or the writer's fatal error (a batch exhausted its
 * retry budget, or DynamoDB answered with a non-retriable error): see sl_ddb_writer_error. */
sl_err_t sl_ddb_writer_poll(struct sl_ddb_writer *w, int timeout_ms);

/* Polls until nothing is pending. SL_ERR_AGAIN when timeout_ms passed first. */
sl_err_t sl_ddb_writer_flush(struct sl_ddb_writer *w, int timeout_ms);

/* Next offset to commit for a partition: every record before it is written or finished.
 * SL_ERR_NOTFOUND when nothing of that partition finished yet. */
sl_err_t sl_ddb_writer_committable(const struct sl_ddb_writer *w, const char *topic,
                                   int32_t partition, int64_t *next_offset);
/* Calls fn for every partition with a committable offset. */
void sl_ddb_writer_offsets(const struct sl_ddb_writer *w, sl_sink_offset_fn *fn, void *opaque);

/* Forgets a partition's offset tracking (after its revocation, or before re-consuming it from
 * an earlier offset); its writes already queued still go to DynamoDB unless dropped with
 * sl_ddb_writer_drop. */
void sl_ddb_writer_forget(struct sl_ddb_writer *w, const char *topic, int32_t partition);

/* A topic-partition, for sl_ddb_writer_drop. */
struct sl_ddb_tp {
    const char *topic;
    int32_t partition;
};

/* Gives up the writes of partitions this writer no longer owns (revoked in a rebalance; call
 * after sl_ddb_writer_forget): their queued and retrying writes are dropped unsent, and the
 * call waits (at most the request timeout) for requests already on the wire, so that none of
 * their writes reaches DynamoDB after it returns and lands after the new owner's newer write
 * to the same item. The new owner rewrites them from the group's committed offset. SL_OK,
 * SL_ERR_AGAIN when a request was still unanswered at the timeout, or the writer's fatal
 * error. */
sl_err_t sl_ddb_writer_drop(struct sl_ddb_writer *w, const struct sl_ddb_tp *tps, size_t n);

/* Text of the fatal error, "" when none. */
const char *sl_ddb_writer_error(const struct sl_ddb_writer *w);
void sl_ddb_writer_stats(const struct sl_ddb_writer *w, struct sl_ddb_writer_stats *st);

#endif
