/* SPDX-License-Identifier: Apache-2.0 */
/* A small metrics registry rendered as Prometheus text (GET /metrics). Metrics are a fixed
 * table (sl_metric_id_t: name, type, help); a series is one metric with a connector and an
 * optional task label. Stages look a series up once (sl_metrics_series, which locks) and then
 * update it lock-free with atomics from any thread. The number of series is bounded: past the
 * bound a shared, unrendered series is returned and sluice_metrics_series_dropped_total
 * counts the misses, so callers never check for NULL. Series live as long as the registry. */
#ifndef SL_RUNTIME_METRICS_H
#define SL_RUNTIME_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum {
    SL_M_SOURCE_EVENTS_SEEN = 0, /* counter: binlog row events read */
    SL_M_SOURCE_EVENTS_FILTERED, /* counter: row events dropped by table filters */
    SL_M_SOURCE_RECORDS_WRITTEN, /* counter: change records acknowledged downstream */
    SL_M_SOURCE_TRANSACTIONS,    /* counter: transactions committed */
    SL_M_SOURCE_MS_BEHIND,       /* gauge: now - last event timestamp, ms */
    SL_M_SOURCE_CONNECTED,       /* gauge: 1 while connected to MySQL */
    SL_M_BINLOG_FILE_INDEX,      /* gauge: numeric suffix of the current binlog file */
    SL_M_BINLOG_POSITION,        /* gauge: position in the current binlog file */
    SL_M_SNAPSHOT_RUNNING,       /* gauge: 1 while a snapshot runs */
    SL_M_SNAPSHOT_ROWS_SCANNED,  /* gauge: rows read by the snapshot so far */
    SL_M_SNAPSHOT_ROWS_TOTAL,    /* gauge: estimated rows to snapshot */
    SL_M_KAFKA_PRODUCED_RECORDS, /* counter */
    SL_M_KAFKA_PRODUCED_BYTES,   /* counter */
    SL_M_KAFKA_CONSUMED_RECORDS, /* counter */
    SL_M_KAFKA_CONSUMED_BYTES,   /* counter */
    SL_M_DDB_WRITE_REQUESTS,     /* counter: BatchWriteItem/PutItem/DeleteItem calls */
    SL_M_DDB_ITEMS_WRITTEN,      /* counter: items written or deleted */
    SL_M_RETRIES,                /* counter: retried requests (any stage) */
    SL_M_THROTTLES,              /* counter: throttling replies */
    SL_M_RECORD_ERRORS,          /* counter: records that failed conversion or writing */
    SL_M_DLQ_RECORDS,            /* counter: records sent to the dead letter queue */
    SL_M_QUEUE_DEPTH,            /* gauge: items waiting in the task's queue */
    SL_M_QUEUE_CAPACITY,         /* gauge: capacity of that queue */
    SL_M__COUNT
} sl_metric_id_t;

#define SL_METRICS_MAX_SERIES_DEFAULT 1024
#define SL_METRICS_MAX_LABEL 128 /* longer connector names are truncated in labels */

struct sl_metrics;
struct sl_metric;

/* A registry holding at most max_series series (0: SL_METRICS_MAX_SERIES_DEFAULT). */
struct sl_metrics *sl_metrics_new(size_t max_series);
/* Frees the registry and every series; no stage may still hold a series. NULL-safe. */
void sl_metrics_free(struct sl_metrics *m);

/* The series of metric id for connector (NULL or "": no connector label) and task (< 0: no
 * task label), created at zero on first use. Never NULL; stable until sl_metrics_free.
 * Thread: any (takes the registry lock; call once per task, not per event). */
struct sl_metric *sl_metrics_series(struct sl_metrics *m, sl_metric_id_t id, const char *connector,
                                    int task);

/* Adds n to a counter (or gauge). Thread: any, lock-free. */
void sl_metric_add(struct sl_metric *s, int64_t n);
/* Sets a gauge. Thread: any, lock-free. */
void sl_metric_set(struct sl_metric *s, int64_t v);
/* The current value. Thread: any. */
int64_t sl_metric_get(const struct sl_metric *s);

/* Prometheus name of id, e.g. "sluice_source_events_seen_total". */
const char *sl_metrics_name(sl_metric_id_t id);

/* Appends the Prometheus text exposition (format 0.0.4) of every series, grouped per metric
 * with # HELP and # TYPE lines, plus sluice_process_resident_memory_bytes (from
 * /proc/self/statm) and sluice_metrics_series_dropped_total. SL_ERR_TOOBIG if out's bound
 * is hit. Thread: any (takes the registry lock). */
sl_err_t sl_metrics_render(struct sl_metrics *m, struct sl_buf *out);

/* Resident set size of this process in bytes, or 0 when /proc is unavailable. */
uint64_t sl_metrics_rss_bytes(void);

#endif
