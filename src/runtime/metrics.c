/* SPDX-License-Identifier: Apache-2.0 */
/* The metrics registry behind GET /metrics: a fixed table of metric definitions, a bounded
 * array of series (metric + connector + task) whose values are C11 atomics updated by the
 * stages, and the Prometheus text renderer. Creation and rendering take one mutex; updates
 * never lock. */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "runtime/metrics.h"

struct sl_metric {
    _Atomic int64_t value;
    sl_metric_id_t id;
    int task;
    char connector[SL_METRICS_MAX_LABEL];
};

struct sl_metrics {
    pthread_mutex_t mu;
    struct sl_metric *series; /* max slots; never moves, so handed-out pointers stay valid */
    size_t n, max;
    struct sl_metric overflow; /* returned past the bound; not rendered */
    _Atomic int64_t dropped;
};

struct metric_def {
    const char *name;
    const char *type; /* "counter" or "gauge" */
    const char *help;
};

static const struct metric_def defs[SL_M__COUNT] = {
    [SL_M_SOURCE_EVENTS_SEEN] = {"sluice_source_events_seen_total", "counter",
                                 "Binlog row events read (Debezium TotalNumberOfEventsSeen)."},
    [SL_M_SOURCE_EVENTS_FILTERED] = {"sluice_source_events_filtered_total", "counter",
                                     "Row events dropped by table filters."},
    [SL_M_SOURCE_RECORDS_WRITTEN] = {"sluice_source_records_written_total", "counter",
                                     "Change records acknowledged by Kafka or the local bus."},
    [SL_M_SOURCE_TRANSACTIONS] = {"sluice_source_transactions_committed_total", "counter",
                                  "Source transactions committed."},
    [SL_M_SOURCE_MS_BEHIND] = {"sluice_source_milliseconds_behind_source", "gauge",
                               "Milliseconds between the last event's timestamp and now "
                               "(Debezium MilliSecondsBehindSource)."},
    [SL_M_SOURCE_CONNECTED] = {"sluice_source_connected", "gauge",
                               "1 while the source is connected to the database."},
    [SL_M_BINLOG_FILE_INDEX] = {"sluice_source_binlog_file_index", "gauge",
                                "Numeric suffix of the binlog file being read."},
    [SL_M_BINLOG_POSITION] = {"sluice_source_binlog_position", "gauge",
                              "Position in the binlog file being read."},
    [SL_M_SNAPSHOT_RUNNING] = {"sluice_snapshot_running", "gauge",
                               "1 while an initial snapshot runs."},
    [SL_M_SNAPSHOT_ROWS_SCANNED] = {"sluice_snapshot_rows_scanned", "gauge",
                                    "Rows read by the snapshot so far."},
    [SL_M_SNAPSHOT_ROWS_TOTAL] = {"sluice_snapshot_rows_total", "gauge",
                                  "Estimated rows the snapshot will read."},
    [SL_M_KAFKA_PRODUCED_RECORDS] = {"sluice_kafka_produced_records_total", "counter",
                                     "Records delivered to Kafka."},
    [SL_M_KAFKA_PRODUCED_BYTES] = {"sluice_kafka_produced_bytes_total", "counter",
                                   "Key and value bytes delivered to Kafka."},
    [SL_M_KAFKA_CONSUMED_RECORDS] = {"sluice_kafka_consumed_records_total", "counter",
                                     "Records consumed from Kafka."},
    [SL_M_KAFKA_CONSUMED_BYTES] = {"sluice_kafka_consumed_bytes_total", "counter",
                                   "Key and value bytes consumed from Kafka."},
    [SL_M_DDB_WRITE_REQUESTS] = {"sluice_dynamodb_write_requests_total", "counter",
                                 "DynamoDB write requests sent."},
    [SL_M_DDB_ITEMS_WRITTEN] = {"sluice_dynamodb_items_written_total", "counter",
                                "DynamoDB items written or deleted."},
    [SL_M_RETRIES] = {"sluice_retries_total", "counter", "Requests retried after a failure."},
    [SL_M_THROTTLES] = {"sluice_throttles_total", "counter",
                        "Throttling replies received (Kafka or DynamoDB)."},
    [SL_M_RECORD_ERRORS] = {"sluice_record_errors_total", "counter",
                            "Records that failed conversion or writing."},
    [SL_M_DLQ_RECORDS] = {"sluice_dlq_records_total", "counter",
                          "Records sent to the dead letter queue."},
    [SL_M_QUEUE_DEPTH] = {"sluice_queue_depth", "gauge", "Items waiting in the task's queue."},
    [SL_M_QUEUE_CAPACITY] = {"sluice_queue_capacity", "gauge", "Capacity of the task's queue."},
};

struct sl_metrics *sl_metrics_new(size_t max_series)
{
    struct sl_metrics *m = sl_xcalloc(1, sizeof(*m));
    m->max = max_series ? max_series : SL_METRICS_MAX_SERIES_DEFAULT;
    m->series = sl_xcalloc(m->max, sizeof(*m->series));
    pthread_mutex_init(&m->mu, NULL);
    m->overflow.task = -1;
    return m;
}

void sl_metrics_free(struct sl_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    sl_free(m->series);
    sl_free(m);
}

/* Copies at most SL_METRICS_MAX_LABEL - 1 bytes, cutting before a UTF-8 continuation byte
 * so a truncated label stays valid UTF-8. */
static void copy_label(char *dst, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= SL_METRICS_MAX_LABEL) {
        len = SL_METRICS_MAX_LABEL - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

struct sl_metric *sl_metrics_series(struct sl_metrics *m, sl_metric_id_t id, const char *connector,
                                    int task)
{
    char label[SL_METRICS_MAX_LABEL];
    if ((unsigned)id >= SL_M__COUNT)
        return &m->overflow;
    copy_label(label, connector);
    if (task < 0)
        task = -1;
    struct sl_metric *s = NULL;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n; i++) {
        struct sl_metric *c = &m->series[i];
        if (c->id == id && c->task == task && strcmp(c->connector, label) == 0) {
            s = c;
            break;
        }
    }
    if (!s && m->n < m->max) {
        s = &m->series[m->n];
        s->id = id;
        s->task = task;
        memcpy(s->connector, label, sizeof(label));
        atomic_store(&s->value, 0);
        m->n++;
    }
    pthread_mutex_unlock(&m->mu);
    if (!s) {
        atomic_fetch_add(&m->dropped, 1);
        return &m->overflow;
    }
    return s;
}

void sl_metric_add(struct sl_metric *s, int64_t n)
{
    atomic_fetch_add_explicit(&s->value, n, memory_order_relaxed);
}

void sl_metric_set(struct sl_metric *s, int64_t v)
{
    atomic_store_explicit(&s->value, v, memory_order_relaxed);
}

int64_t sl_metric_get(const struct sl_metric *s)
{
    return atomic_load_explicit(&((struct sl_metric *)s)->value, memory_order_relaxed);
}

const char *sl_metrics_name(sl_metric_id_t id)
{
    return (unsigned)id < SL_M__COUNT ? defs[id].name : "sluice_unknown";
}

uint64_t sl_metrics_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long size = 0, resident = 0;
    int got = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    if (got != 2 || page <= 0)
        return 0;
    return (uint64_t)resident * (uint64_t)page;
}

/* Prometheus label value escaping: backslash, double quote and newline. */
static sl_err_t add_label_value(struct sl_buf *out, const char *v)
{
    sl_err_t err = SL_OK;
    for (; *v && !err; v++) {
        if (*v == '\\')
            err = sl_buf_addstr(out, "\\\\");
        else if (*v == '"')
            err = sl_buf_addstr(out, "\\\"");
        else if (*v == '\n')
            err = sl_buf_addstr(out, "\\n");
        else
            err = sl_buf_addch(out, *v);
    }
    return err;
}

static sl_err_t add_series(struct sl_buf *out, const struct sl_metric *s)
{
    sl_err_t err = sl_buf_addstr(out, defs[s->id].name);
    if (!err && (s->connector[0] || s->task >= 0)) {
        err = sl_buf_addch(out, '{');
        if (!err && s->connector[0]) {
            err = sl_buf_addstr(out, "connector=\"");
            if (!err)
                err = add_label_value(out, s->connector);
            if (!err)
                err = sl_buf_addch(out, '"');
        }
        if (!err && s->task >= 0)
            err = sl_buf_addf(out, "%stask=\"%d\"", s->connector[0] ? "," : "", s->task);
        if (!err)
            err = sl_buf_addch(out, '}');
    }
    if (!err)
        err = sl_buf_addf(out, " %" PRId64 "\n", sl_metric_get(s));
    return err;
}

static sl_err_t add_header(struct sl_buf *out, const char *name, const char *type, const char *help)
{
    return sl_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

sl_err_t sl_metrics_render(struct sl_metrics *m, struct sl_buf *out)
{
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&m->mu);
    for (int id = 0; id < SL_M__COUNT && !err; id++) {
        bool any = false;
        for (size_t i = 0; i < m->n && !err; i++) {
            const struct sl_metric *s = &m->series[i];
            if ((int)s->id != id)
                continue;
            if (!any)
                err = add_header(out, defs[id].name, defs[id].type, defs[id].help);
            any = true;
            if (!err)
                err = add_series(out, s);
        }
    }
    pthread_mutex_unlock(&m->mu);
    if (!err)
        err = add_header(out, "sluice_process_resident_memory_bytes", "gauge",
                         "Resident set size of the sluice process in bytes.");
    if (!err)
        err = sl_buf_addf(out, "sluice_process_resident_memory_bytes %" PRIu64 "\n",
                          sl_metrics_rss_bytes());
    if (!err)
        err = add_header(out, "sluice_metrics_series_dropped_total", "counter",
                         "Series lookups refused because the series bound was reached.");
    if (!err)
        err = sl_buf_addf(out, "sluice_metrics_series_dropped_total %" PRId64 "\n",
                          atomic_load(&m->dropped));
    return err;
}
