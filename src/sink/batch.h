/* SPDX-License-Identifier: Apache-2.0 */
/* BatchWriteItem batching and offset tracking for the DynamoDB writer. Pure data structures,
 * no I/O, so ordering rules are unit-tested directly:
 *  - a batch holds at most 25 requests and 16 MB;
 *  - two changes to one item never share a batch: the later replaces the earlier in place;
 *  - batches leave in arrival order, and a batch touching an item that an unfinished batch
 *    also touches waits for it, so writes to one item are never reordered in flight;
 *  - per topic-partition, the committable offset only passes records DynamoDB accepted.
 * Thread: all functions run on the sink thread. */
#ifndef SL_SINK_BATCH_H
#define SL_SINK_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "sink/item.h"

#define SL_SINK_BATCH_MAX_ITEMS 25
#define SL_SINK_BATCH_MAX_BYTES ((size_t)16 << 20)

/* ---- Offset tracker ---- */

/* Identifies one registered record: partition slot and sequence within it. */
struct sl_sink_ticket {
    uint32_t tp;
    uint64_t seq;
};

struct sl_sink_tracker;

struct sl_sink_tracker *sl_sink_tracker_new(void);
void sl_sink_tracker_free(struct sl_sink_tracker *trk);

/* Registers a consumed record (records of one partition in offset order) and returns its
 * ticket. Topic is copied. */
struct sl_sink_ticket sl_sink_tracker_add(struct sl_sink_tracker *trk, const char *topic,
                                          int32_t partition, int64_t offset);
/* Marks a record finished (written, deliberately skipped, or handed to the DLQ). */
void sl_sink_tracker_done(struct sl_sink_tracker *trk, struct sl_sink_ticket t);
/* Next offset to commit for a partition (last contiguous finished offset + 1).
 * SL_ERR_NOTFOUND until some record of the partition finished. */
sl_err_t sl_sink_tracker_committable(const struct sl_sink_tracker *trk, const char *topic,
                                     int32_t partition, int64_t *next_offset);

typedef void sl_sink_offset_fn(const char *topic, int32_t partition, int64_t next_offset,
                               void *opaque);
/* Calls fn for each partition with a committable offset. */
void sl_sink_tracker_foreach(const struct sl_sink_tracker *trk, sl_sink_offset_fn *fn,
                             void *opaque);
/* Forgets a partition (revoked in a rebalance, or seeking back): records still in flight for
 * it finish silently and nothing is committable for it until new records finish. */
void sl_sink_tracker_forget(struct sl_sink_tracker *trk, const char *topic, int32_t partition);
/* Records registered and not yet finished. */
size_t sl_sink_tracker_pending(const struct sl_sink_tracker *trk);

/* ---- Batches ---- */

/* One write request inside a batch. Fields readable by the writer. */
struct sl_sink_entry {
    sl_sink_op_t op;
    char *table; /* owned (one allocation with key) */
    char *key;   /* DynamoDB JSON of the key */
    char *req;   /* owned (one allocation with item and topic): {"PutRequest":{"Item":..}}
                  * or {"DeleteRequest":{"Key":..}} */
    size_t req_len;
    char *item;    /* PUT item JSON (for PutItem fallback); NULL for deletes */
    uint64_t hash; /* of table + key */
    size_t size;   /* DynamoDB bytes */
    bool done;     /* writer bookkeeping: accepted or reported */
    bool busy;     /* writer bookkeeping: a single-item request is in flight */
    /* The record whose content this entry carries (the latest one merged in). */
    char *topic; /* with req */
    int32_t partition;
    int64_t offset;
    struct sl_sink_ticket *tickets; /* owned; every record merged into this entry */
    size_t n_tickets;
};

struct sl_sink_batch {
    struct sl_sink_entry ent[SL_SINK_BATCH_MAX_ITEMS];
    size_t n;
    size_t bytes; /* sum of request JSON lengths */
    /* Writer bookkeeping. */
    int attempt;
    int64_t first_ms;
    int64_t next_ms;
    bool single; /* fell back to one PutItem/DeleteItem per entry */
    int outstanding;
    struct sl_sink_batch *next; /* queue link (private to batch.c while queued) */
};

struct sl_sink_batcher;

struct sl_sink_batcher *sl_sink_batcher_new(size_t max_items);
/* Frees every batch still held (open, sealed or in flight). */
void sl_sink_batcher_free(struct sl_sink_batcher *bat);

/* Adds a converted PUT or DELETE with the record's ticket; merges into the open batch's
 * entry for the same table+key in place, else appends (sealing the open batch first when it
 * is full or the 16 MB would be exceeded). */
void sl_sink_batcher_add(struct sl_sink_batcher *bat, const struct sl_sink_item *item,
                         const struct sl_sink_rec *rec, struct sl_sink_ticket t);
/* Seals the open batch (if non-empty) so it can be sent. */
void sl_sink_batcher_seal(struct sl_sink_batcher *bat);
/* The oldest sealed batch, moved to the in-flight set, if none of its items is touched by a
 * batch still in flight; else NULL (it waits). */
struct sl_sink_batch *sl_sink_batcher_take(struct sl_sink_batcher *bat);
/* A batch taken is finished (all entries written or reported); frees it. */
void sl_sink_batcher_finish(struct sl_sink_batcher *bat, struct sl_sink_batch *batch);

/* Gives up the queued writes (open and sealed batches, not in flight) whose record is of
 * topic/partition: fn is called on each such unfinished entry, which is then marked done and
 * never sent. The open batch is sealed first, so no later change merges into a dropped entry;
 * a sealed batch left with nothing to send is freed. Returns the entries dropped. */
size_t sl_sink_batcher_drop(struct sl_sink_batcher *bat, const char *topic, int32_t partition,
                            void (*fn)(struct sl_sink_entry *e, void *opaque), void *opaque);

/* Entries not yet finished (open + sealed + in flight) and their request bytes. */
size_t sl_sink_batcher_items(const struct sl_sink_batcher *bat);
size_t sl_sink_batcher_bytes(const struct sl_sink_batcher *bat);
size_t sl_sink_batcher_open_items(const struct sl_sink_batcher *bat);
size_t sl_sink_batcher_sealed(const struct sl_sink_batcher *bat);
size_t sl_sink_batcher_inflight(const struct sl_sink_batcher *bat);

#endif
