/* SPDX-License-Identifier: Apache-2.0 */
/* The CONVERT stage: turns one sl_change into the Kafka records Debezium 1.9's MySQL
 * connector would produce (topic, key, value, headers), as serialised by Kafka Connect's
 * JsonConverter or StringConverter, optionally after the ExtractNewRecordState SMT.
 * Pure and allocation-free per row: every byte is appended to one reusable sl_buf.
 * The source.version written into events is SL_CONV_DEBEZIUM_VERSION unless configured.
 *
 * Choices where Debezium/Kafka give no single answer (reference section in brackets):
 * - TIME outside 00:00..24:00 [§7.1]: kept as a signed Duration (-01:00:00 -> -3600000000
 *   µs, 25:00:00 -> 90000000000); ms modes truncate toward zero like Duration.toMillis.
 * - Zero/invalid dates [§7.4]: null in nullable columns, the epoch in NOT NULL ones;
 *   TIMESTAMP 0 is MySQL's zero timestamp.
 * - Struct.toString of bytes [§6.2]: Java prints "[B@<identity hash>", which is random; we
 *   print "[B@<FNV-1a of the bytes in hex>" so equal keys give equal Kafka keys.
 * - Doubles [§7.1]: Java Double.toString with shortest round-trip digits (JDK 19+ rules).
 * - Charsets [§7.6]: latin1 collations are Windows-1252 (as Connector/J), ascii maps high
 *   bytes to U+FFFD, everything else is taken as UTF-8; invalid UTF-8 bytes become U+FFFD.
 * - Column DEFAULTs are not known here, so schemas carry no "default" and a NULL is never
 *   replaced by a default (KIP-581 off) [§7.7].
 * - An update that changes the key gives d + tombstone + c [§6.5] without the
 *   __debezium.newkey/oldkey headers. */
#ifndef SL_CONVERT_CONVERT_H
#define SL_CONVERT_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/change.h"
#include "core/err.h"
#include "core/str.h"

/* The Debezium release we emulate (the reference's own example value, §6.6). */
#define SL_CONV_DEBEZIUM_VERSION "1.9.7.Final"

/* key.converter / value.converter. */
typedef enum {
    SL_CONV_FMT_JSON = 0, /* org.apache.kafka.connect.json.JsonConverter */
    SL_CONV_FMT_STRING,   /* org.apache.kafka.connect.storage.StringConverter */
} sl_conv_fmt_t;

typedef enum {
    SL_CONV_DECIMAL_PRECISE = 0, /* Connect Decimal: base64 unscaled bytes in JSON */
    SL_CONV_DECIMAL_DOUBLE,
    SL_CONV_DECIMAL_STRING,
} sl_conv_decimal_t;

typedef enum {
    SL_CONV_BIGINT_LONG = 0, /* values above 2^63-1 wrap negative, as Debezium's */
    SL_CONV_BIGINT_PRECISE,  /* Decimal(scale 0) */
} sl_conv_bigint_t;

typedef enum {
    SL_CONV_TIME_ADAPTIVE_MICROS = 0, /* adaptive_time_microseconds (default) */
    SL_CONV_TIME_ADAPTIVE,            /* adaptive (deprecated in 1.9) */
    SL_CONV_TIME_CONNECT,             /* connect */
} sl_conv_time_t;

typedef enum {
    SL_CONV_BINARY_BYTES = 0,
    SL_CONV_BINARY_BASE64,
    SL_CONV_BINARY_HEX,
    SL_CONV_BINARY_BASE64_URL_SAFE, /* 2.x */
} sl_conv_binary_t;

/* ExtractNewRecordState delete.handling.mode. */
typedef enum {
    SL_CONV_DELETE_DROP = 0,
    SL_CONV_DELETE_REWRITE,
    SL_CONV_DELETE_NONE,
} sl_conv_delete_t;

/* Everything the converter needs, in Debezium / Kafka Connect terms. Strings are borrowed
 * for the duration of sl_conv_new only (it copies what it keeps). */
struct sl_conv_opts {
    const char *topic_prefix;        /* topic.prefix / database.server.name (required) */
    const char *version;             /* source.version; NULL: SL_CONV_DEBEZIUM_VERSION */
    sl_conv_fmt_t key_format;        /* key.converter */
    bool key_schemas;                /* key.converter.schemas.enable (JSON only) */
    sl_conv_fmt_t value_format;      /* value.converter */
    bool value_schemas;              /* value.converter.schemas.enable (JSON only) */
    sl_conv_decimal_t decimal_mode;  /* decimal.handling.mode */
    sl_conv_bigint_t bigint_mode;    /* bigint.unsigned.handling.mode */
    sl_conv_time_t time_mode;        /* time.precision.mode */
    sl_conv_binary_t binary_mode;    /* binary.handling.mode */
    bool key_decimal_numeric;        /* key.converter.decimal.format=NUMERIC */
    bool value_decimal_numeric;      /* value.converter.decimal.format=NUMERIC */
    bool schema_name_avro;           /* schema.name.adjustment.mode=avro (1.9 default) */
    const char *transaction_topic;   /* transaction.topic; NULL: <prefix>.transaction */
    bool tombstones_on_delete;       /* tombstones.on.delete */
    const char *message_key_columns; /* "db.tbl:c1,c2;db2.t2:c" (table part is a regex) */
    /* transforms=unwrap, type=io.debezium.transforms.ExtractNewRecordState */
    bool unwrap;
    bool unwrap_drop_tombstones;           /* drop.tombstones */
    sl_conv_delete_t unwrap_delete_mode;   /* delete.handling.mode */
    const char *unwrap_add_fields;         /* add.fields, e.g. "op,table,source.ts_ms" */
    const char *unwrap_add_fields_prefix;  /* add.fields.prefix; NULL: "__" */
    const char *unwrap_add_headers;        /* add.headers */
    const char *unwrap_add_headers_prefix; /* add.headers.prefix; NULL: "__" */
};

/* Fills opts with the Debezium 1.9 / Kafka Connect defaults (JsonConverter with schemas for
 * both key and value, tombstones on, no unwrap). topic_prefix stays NULL. */
void sl_conv_opts_init(struct sl_conv_opts *opts);

struct sl_worker_conf;
struct sl_mysql_source_conf;

/* Fills opts from loaded configuration files: defaults, then the worker's converters
 * (worker may be NULL), then the connector's (key/value.converter[.schemas.enable,
 * .decimal.format]), its type modes, tombstones.on.delete, message.key.columns and an
 * io.debezium.transforms.ExtractNewRecordState entry of transforms=. Other transforms are
 * left to the caller. Strings in opts borrow from the confs. SL_ERR_CONF / SL_ERR_UNSUPPORTED
 * with errstr naming the key for converters or SMT options we do not implement. */
sl_err_t sl_conv_opts_from_conf(struct sl_conv_opts *opts, const struct sl_worker_conf *worker,
                                const struct sl_mysql_source_conf *src, char *errstr,
                                size_t errstr_size);

/* Value of source.snapshot. */
typedef enum {
    SL_CONV_SNAP_FALSE = 0,
    SL_CONV_SNAP_TRUE,
    SL_CONV_SNAP_LAST,
    SL_CONV_SNAP_INCREMENTAL,
} sl_conv_snap_t;

/* The envelope's transaction block (provide.transaction.metadata). */
struct sl_conv_txn {
    struct sl_str id; /* "uuid:n" or "file=...,pos=..." */
    int64_t total_order;
    int64_t data_collection_order;
};

/* Per-event facts that are not in the binlog change. */
struct sl_conv_meta {
    int64_t ts_ms;                 /* envelope ts_ms: processing time */
    sl_conv_snap_t snapshot;       /* source.snapshot */
    const struct sl_conv_txn *txn; /* NULL: "transaction":null */
};

/* ---- Output ---- */

#define SL_CONV_MAX_RECORDS 3 /* an update that changes the key: d, tombstone, c */
#define SL_CONV_MAX_HEADERS 16

/* Offsets into sl_conv_out.buf; a field with null set has no bytes. */
struct sl_conv_span {
    uint32_t off;
    uint32_t len;
    bool null;
};

struct sl_conv_header {
    struct sl_conv_span name;
    struct sl_conv_span value; /* SimpleHeaderConverter text; null for a null field */
};

struct sl_conv_record {
    struct sl_conv_span topic;
    struct sl_conv_span key;   /* null: Kafka null key (table without key) */
    struct sl_conv_span value; /* null: tombstone or unwrapped delete (mode none) */
    uint32_t nheaders;
    struct sl_conv_header headers[SL_CONV_MAX_HEADERS];
};

/* The records of one change. Caller-allocated; reused from row to row. */
struct sl_conv_out {
    struct sl_buf buf;
    uint32_t nrec;
    struct sl_conv_record rec[SL_CONV_MAX_RECORDS];
};

/* max bounds the bytes of all records of one change (SL_ERR_TOOBIG beyond). */
void sl_conv_out_init(struct sl_conv_out *out, size_t max);
void sl_conv_out_reset(struct sl_conv_out *out);
void sl_conv_out_fini(struct sl_conv_out *out);
/* A view of a span of out (SL_STR_NULL when the span is null). Valid until out changes. */
struct sl_str sl_conv_out_str(const struct sl_conv_out *out, struct sl_conv_span span);

/* ---- Converter ---- */

struct sl_conv;

/* Validates opts (prefix present, message.key.columns and add.fields/add.headers syntax,
 * field names known) and returns a converter, or NULL with errstr filled. */
struct sl_conv *sl_conv_new(const struct sl_conv_opts *opts, char *errstr, size_t errstr_size);
void sl_conv_free(struct sl_conv *conv);

/* Replaces out's contents with the 0..3 records of chg (0 when the unwrap SMT drops it).
 * meta may be NULL (ts_ms = now, snapshot "true" for reads, no transaction).
 * Errors: SL_ERR_INVALID for a value that cannot be represented (bad decimal text, ENUM
 * index without label, ...) and SL_ERR_TOOBIG when out's bound is hit; out is then empty and
 * sl_conv_errstr() names the table and column. Thread: any; a converter is used by one
 * thread at a time (it keeps a scratch buffer and a small key-column cache). */
sl_err_t sl_conv_change(struct sl_conv *conv, const struct sl_change *chg,
                        const struct sl_conv_meta *meta, struct sl_conv_out *out);

/* As sl_conv_change, but the records go after what out->buf already holds: their spans index
 * the whole buffer and out->nrec counts this change's records only. out->buf.max then bounds
 * all the changes together (SL_ERR_TOOBIG when this one does not fit any more). On error the
 * buffer is as before the call. For converting many changes into one buffer. */
sl_err_t sl_conv_change_append(struct sl_conv *conv, const struct sl_change *chg,
                               const struct sl_conv_meta *meta, struct sl_conv_out *out);

/* Message of the last error of sl_conv_change ("" when none). Borrowed. */
const char *sl_conv_errstr(const struct sl_conv *conv);

/* ---- Transaction metadata (provide.transaction.metadata, reference §5.3) ---- */

struct sl_conv_txn_count {
    struct sl_str data_collection; /* "db.table" */
    int64_t event_count;
};

struct sl_conv_txn_event {
    bool end;                               /* false: BEGIN, true: END */
    struct sl_str id;                       /* same text as sl_conv_txn.id */
    int64_t event_count;                    /* END only */
    const struct sl_conv_txn_count *counts; /* END only, ncounts entries */
    uint32_t ncounts;
};

/* Replaces out's contents with the one BEGIN/END record for the transaction topic, keyed
 * {"id":...}, serialised with the configured converters. SL_ERR_TOOBIG when out's bound is
 * hit (out empty). */
sl_err_t sl_conv_txn_event(struct sl_conv *conv, const struct sl_conv_txn_event *ev,
                           struct sl_conv_out *out);

/* Appends <prefix>.<db>.<table> sanitised as Debezium's TopicSelector does (characters
 * outside [A-Za-z0-9._-] become '_', at most 249 characters). */
sl_err_t sl_conv_topic(const struct sl_conv *conv, struct sl_str db, struct sl_str table,
                       struct sl_buf *buf);
/* The schema change topic (<prefix>) and the transaction topic (<prefix>.transaction).
 * Borrowed, NUL-terminated. */
const char *sl_conv_schema_topic(const struct sl_conv *conv);
const char *sl_conv_txn_topic(const struct sl_conv *conv);

#endif
