/* SPDX-License-Identifier: Apache-2.0 */
/* Source offset store for standalone/embedded mode: Debezium-style source offsets keyed by
 * connector name + source partition ({"server":"salesdb"}), kept in memory and written to one
 * file atomically (temp file, fsync, rename, fsync of the directory), so after a crash the file
 * holds either the previous or the new complete set, never a mix.
 *
 * Format (JSON lines, UTF-8): a first line {"format":"sluice-offsets","version":1}, then one
 * line per stored offset:
 *   {"key":["<connector>",{"server":"salesdb"}],"value":{"file":"mysql-bin.000003","pos":154,...}}
 * key/value are the same JSON Kafka Connect's JsonConverter writes to connect-offsets, so a
 * line can be replayed into an offset topic. Kafka Connect's own standalone file
 * (offset.storage.file.filename) is a Java-serialised HashMap<byte[],byte[]> (ObjectOutputStream);
 * Sluice does not read it: parsing the Java serialisation format safely is a lot of code for a
 * one-time import, and the same offsets can be carried over with `GET /connectors/x/offsets` or
 * by copying the connect-offsets record. A Kafka-topic store (distributed mode) is not written
 * yet; it will use the same key/value bytes. */
#ifndef SL_BUS_OFFSETS_FILE_H
#define SL_BUS_OFFSETS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* A MySQL source offset with Debezium's keys (debezium-compat.md §3.1). Strings are owned by
 * the struct (sl_source_offset_fini frees them); zero/absent fields are not written, as
 * Debezium omits them. */
struct sl_source_offset {
    char *file;    /* required */
    int64_t pos;   /* required */
    char *gtids;   /* NULL when not in GTID mode */
    int64_t event; /* 0 = absent */
    int64_t row;   /* 0 = absent */
    int64_t server_id;
    int64_t ts_sec; /* 0 = absent */
    bool snapshot;  /* true only while the snapshot runs */
    bool snapshot_completed;
};

void sl_source_offset_fini(struct sl_source_offset *off);
/* Appends the offset as a JSON object. */
sl_err_t sl_source_offset_encode(const struct sl_source_offset *off, struct sl_buf *buf);
/* Parses a JSON offset object (unknown keys such as transaction_id are ignored; snapshot may be
 * true, "true", or a 3.x string like "INITIAL"). SL_ERR_PROTO with errstr naming the key. */
sl_err_t sl_source_offset_decode(const char *json, size_t len, struct sl_source_offset *off,
                                 char *errstr, size_t errstr_size);

struct sl_offsets_file;

/* Opens the store at path, loading it if it exists (a missing file is an empty store; a
 * leftover "<path>.tmp" from a crash mid-write is ignored and removed). A malformed file is
 * SL_ERR_PROTO naming the file and line. */
sl_err_t sl_offsets_file_open(const char *path, struct sl_offsets_file **out, char *errstr,
                              size_t errstr_size);
/* NULL-safe; does not flush. */
void sl_offsets_file_free(struct sl_offsets_file *of);

/* Looks up the offset of connector/partition_json (a JSON object such as {"server":"x"}; the
 * comparison ignores insignificant whitespace). Appends the offset JSON to out.
 * SL_ERR_NOTFOUND when absent. */
sl_err_t sl_offsets_file_get(struct sl_offsets_file *of, const char *connector,
                             const char *partition_json, struct sl_buf *out);
/* Stores (in memory) the offset JSON object for connector/partition_json; offset_json NULL
 * erases it. SL_ERR_PROTO when either JSON text is not a JSON object. */
sl_err_t sl_offsets_file_put(struct sl_offsets_file *of, const char *connector,
                             const char *partition_json, const char *offset_json);
/* Writes every offset atomically if anything changed since the last write. */
sl_err_t sl_offsets_file_flush(struct sl_offsets_file *of, char *errstr, size_t errstr_size);
/* Flushes when interval_ms (offset.flush.interval.ms) has passed since the last write. */
sl_err_t sl_offsets_file_tick(struct sl_offsets_file *of, int64_t now_ms, int64_t interval_ms,
                              char *errstr, size_t errstr_size);
/* Number of stored offsets. */
size_t sl_offsets_file_count(const struct sl_offsets_file *of);

#endif
