/* SPDX-License-Identifier: Apache-2.0 */
/* Pure binlog event decoder: bytes of one event in, typed events out. Serves both the file
 * reader (binlog_file.h) and the live replication client, for MySQL 5.7/8.x (Aurora too) and
 * MariaDB 10.x. The decoder keeps the state that spans events: the format description
 * (checksum algorithm, post-header lengths), the table-map cache, the current binlog file
 * name, GTID, BEGIN thread id and ROWS_QUERY/ANNOTATE_ROWS text.
 *
 * Usage, for each event's bytes (header included, checksum trailer included when the stream
 * carries one):
 *
 *   err = sl_decoder_put(dec, data, len, SL_DECODER_POS_AUTO, errstr, sizeof(errstr));
 *   while (!err && (err = sl_decoder_next(dec, arena, &ev, errstr, sizeof(errstr))) == SL_OK)
 *       handle(&ev);
 *   if (err != SL_ERR_EOF) fail(err, errstr);
 *
 * sl_decoder_next yields the event itself and, for a TRANSACTION_PAYLOAD, then each inner
 * event one by one; SL_ERR_EOF means "put the next event".
 * Thread: a decoder is used by one thread at a time; distinct decoders are independent. */
#ifndef SL_SOURCE_DECODE_H
#define SL_SOURCE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/change.h"
#include "core/err.h"
#include "core/str.h"

/* Binlog event type codes (MySQL Log_event_type, MariaDB additions from 160). */
enum sl_binlog_type {
    SL_BINLOG_UNKNOWN = 0,
    SL_BINLOG_START_V3 = 1,
    SL_BINLOG_QUERY = 2,
    SL_BINLOG_STOP = 3,
    SL_BINLOG_ROTATE = 4,
    SL_BINLOG_INTVAR = 5,
    SL_BINLOG_RAND = 13,
    SL_BINLOG_USER_VAR = 14,
    SL_BINLOG_FORMAT_DESCRIPTION = 15,
    SL_BINLOG_XID = 16,
    SL_BINLOG_TABLE_MAP = 19,
    SL_BINLOG_WRITE_ROWS_V0 = 20, /* MySQL 5.1 pre-GA: refused (SL_ERR_UNSUPPORTED) */
    SL_BINLOG_UPDATE_ROWS_V0 = 21,
    SL_BINLOG_DELETE_ROWS_V0 = 22,
    SL_BINLOG_WRITE_ROWS_V1 = 23,
    SL_BINLOG_UPDATE_ROWS_V1 = 24,
    SL_BINLOG_DELETE_ROWS_V1 = 25,
    SL_BINLOG_INCIDENT = 26,
    SL_BINLOG_HEARTBEAT = 27,
    SL_BINLOG_IGNORABLE = 28,
    SL_BINLOG_ROWS_QUERY = 29,
    SL_BINLOG_WRITE_ROWS = 30,
    SL_BINLOG_UPDATE_ROWS = 31,
    SL_BINLOG_DELETE_ROWS = 32,
    SL_BINLOG_GTID = 33,
    SL_BINLOG_ANONYMOUS_GTID = 34,
    SL_BINLOG_PREVIOUS_GTIDS = 35,
    SL_BINLOG_TRANSACTION_CONTEXT = 36,
    SL_BINLOG_VIEW_CHANGE = 37,
    SL_BINLOG_XA_PREPARE = 38,
    SL_BINLOG_PARTIAL_UPDATE_ROWS = 39,
    SL_BINLOG_TRANSACTION_PAYLOAD = 40,
    SL_BINLOG_HEARTBEAT_V2 = 41,
    SL_BINLOG_GTID_TAGGED = 42,
    SL_BINLOG_MARIA_ANNOTATE_ROWS = 160,
    SL_BINLOG_MARIA_BINLOG_CHECKPOINT = 161,
    SL_BINLOG_MARIA_GTID = 162,
    SL_BINLOG_MARIA_GTID_LIST = 163,
    SL_BINLOG_MARIA_START_ENCRYPTION = 164,
    /* MariaDB log_bin_compress=ON: zlib-compressed query text / row data. Decoded like
     * their plain counterparts (QUERY, WRITE/UPDATE/DELETE_ROWS v2 and v1). */
    SL_BINLOG_MARIA_QUERY_COMPRESSED = 165,
    SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED = 166,
    SL_BINLOG_MARIA_UPDATE_ROWS_COMPRESSED = 167,
    SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED = 168,
    SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1 = 169,
    SL_BINLOG_MARIA_UPDATE_ROWS_COMPRESSED_V1 = 170,
    SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED_V1 = 171,
};

/* Header flag: an event a reader may skip without understanding it (Aurora's type 100). */
#define SL_BINLOG_F_IGNORABLE 0x80
/* FDE flag: the file was being written when copied (may end mid-event). */
#define SL_BINLOG_F_IN_USE 0x01

/* What sl_decoder_next produced; selects the member of sl_event.u that is valid. */
typedef enum {
    SL_EV_OTHER = 0,  /* understood or skipped by length; no payload (unknown, ignorable,
                       * INTVAR, STOP, ...) */
    SL_EV_FDE,        /* u.fde */
    SL_EV_ROTATE,     /* u.rotate */
    SL_EV_QUERY,      /* u.query (QUERY or MariaDB QUERY_COMPRESSED) */
    SL_EV_XID,        /* u.xid: transaction commit */
    SL_EV_GTID,       /* u.gtid: MySQL GTID/ANONYMOUS_GTID/GTID_TAGGED, MariaDB GTID */
    SL_EV_GTID_SET,   /* u.gtid_set: PREVIOUS_GTIDS, MariaDB GTID_LIST */
    SL_EV_ROWS_QUERY, /* u.text: ROWS_QUERY or MariaDB ANNOTATE_ROWS */
    SL_EV_CHECKPOINT, /* u.text: MariaDB BINLOG_CHECKPOINT file name */
    SL_EV_TABLE_MAP,  /* u.table_map */
    SL_EV_ROWS,       /* u.rows: WRITE/UPDATE/DELETE v1/v2, PARTIAL_UPDATE_ROWS, MariaDB
                       * compressed rows */
    SL_EV_PAYLOAD,    /* u.payload: TRANSACTION_PAYLOAD header; inner events follow */
    SL_EV_HEARTBEAT,  /* u.heartbeat */
} sl_event_kind_t;

/* One decoded event. Every view and pointer in it is carved from the arena passed to
 * sl_decoder_next (strings are NUL-terminated copies), except rows.table / table_map.table,
 * which the decoder owns (see sl_decoder_drop_retired). */
struct sl_event {
    sl_event_kind_t kind;
    /* Common header. */
    uint8_t type;        /* enum sl_binlog_type (raw byte; unknown codes kept) */
    uint32_t timestamp;  /* seconds since the epoch */
    uint32_t server_id;
    uint32_t size;       /* event size from the header, checksum included */
    uint32_t log_pos;    /* header's end position (0 inside TRANSACTION_PAYLOAD) */
    uint16_t flags;
    /* Positions in the binlog file. For inner events of a TRANSACTION_PAYLOAD both are
     * those of the outer event: a resume position must never point inside a payload. */
    uint64_t pos;        /* start of the event */
    uint64_t end_pos;    /* start of the next event */
    bool inner;          /* comes from inside a TRANSACTION_PAYLOAD */
    union {
        struct {
            uint16_t binlog_version;
            struct sl_str server_version;
            uint32_t create_ts;
            uint8_t checksum_alg; /* 0 none, 1 CRC32, 255 undefined (pre-5.6.1) */
        } fde;
        struct {
            struct sl_str file; /* next binlog file name */
            uint64_t pos;       /* position in it */
        } rotate;
        struct {
            uint32_t thread_id;
            uint32_t exec_time;
            uint16_t error_code;
            struct sl_str db;
            struct sl_str sql; /* raw bytes: may be invalid UTF-8 */
        } query;
        struct {
            uint64_t xid;
        } xid;
        struct {
            struct sl_str text;   /* "uuid:gno", "uuid:tag:gno" or MariaDB "d-s-n";
                                   * empty for ANONYMOUS_GTID */
            bool anonymous;
            uint8_t flags;        /* MySQL: commit flag; MariaDB: FL_* flags */
            int64_t last_committed;  /* MySQL logical clock, -1 when absent */
            int64_t sequence_number; /* MySQL logical clock, -1 when absent */
            uint64_t commit_id;      /* MariaDB group commit id, 0 when absent */
        } gtid;
        struct {
            struct sl_str text; /* "uuid:1-10:12,uuid2:1-3" or MariaDB "0-1-5,1-2-7" */
        } gtid_set;
        struct {
            struct sl_str text;
        } text;
        struct {
            const struct sl_table *table;
        } table_map;
        struct {
            const struct sl_table *table;
            sl_op_t op;
            bool partial_json;      /* PARTIAL_UPDATE_ROWS with JSON diffs */
            bool partial_image;     /* some row image lacks a column (SL_VAL_ABSENT) */
            uint32_t nchanges;
            struct sl_change *changes;
        } rows;
        struct {
            uint64_t compression;       /* 0 ZSTD, 255 NONE */
            uint64_t uncompressed_size;
            uint64_t payload_size;
        } payload;
        struct {
            struct sl_str file; /* binlog file the server is at */
            uint64_t pos;       /* its position (header log_pos or v2 field) */
        } heartbeat;
    } u;
};

/* How checksums are handled on incoming events. */
typedef enum {
    SL_DECODER_CHECKSUM_AUTO = 0, /* from the FDE; before any FDE, a trailing CRC32 that
                                   * matches is recognised and stripped */
    SL_DECODER_CHECKSUM_NONE,     /* events carry no trailer (live stream, not negotiated) */
    SL_DECODER_CHECKSUM_CRC32,    /* every event carries a CRC32 trailer */
} sl_decoder_checksum_t;

/* Largest uncompressed TRANSACTION_PAYLOAD accepted: 1 GiB. Bigger ones are refused with
 * SL_ERR_TOOBIG (the server's own limit is binlog_transaction_compression's 1 GiB chunk). */
#define SL_DECODER_PAYLOAD_MAX ((uint64_t)1 << 30)

/* sl_decoder_put's pos argument: derive the event's start position from the header
 * (log_pos - size; live streams), or the decoder's running position when log_pos is 0. */
#define SL_DECODER_POS_AUTO UINT64_MAX

struct sl_decoder;

/* New decoder with no FDE seen yet (binlog v4, MySQL 8.0 post-header lengths assumed until
 * an FDE arrives). Never NULL. */
struct sl_decoder *sl_decoder_new(void);
/* Frees the decoder and every table it owns. NULL-safe. */
void sl_decoder_free(struct sl_decoder *dec);

/* Sets the binlog file name used in positions (ROTATE events change it too). Names longer
 * than sizeof(sl_pos.file) - 1 are truncated. */
void sl_decoder_set_file(struct sl_decoder *dec, const char *file);
const char *sl_decoder_file(const struct sl_decoder *dec);
void sl_decoder_set_checksum(struct sl_decoder *dec, sl_decoder_checksum_t mode);
/* When raw is true, JSON columns are returned as SL_VAL_BYTES holding MySQL's binary JSON
 * (and PARTIAL_UPDATE_ROWS diffs as SL_VAL_BYTES of the raw diff) instead of being converted
 * with sl_jsonb_*; for tools and tests. Default false: conversion errors fail the event. */
void sl_decoder_set_json_raw(struct sl_decoder *dec, bool raw);

/* Gives the decoder one whole event: header (19 bytes), body and, when the stream carries
 * one, the 4-byte checksum. pos is the event's start offset in its binlog file, or
 * SL_DECODER_POS_AUTO. The bytes are borrowed until sl_decoder_next returns SL_ERR_EOF or
 * an error, or until the next put (which drops anything not yet returned). Checks only
 * the header size fields; returns SL_ERR_PROTO with errstr naming the position when the
 * length disagrees with the header. */
sl_err_t sl_decoder_put(struct sl_decoder *dec, const void *data, size_t len, uint64_t pos,
                        char *errstr, size_t errstr_size);

/* Decodes the next event from what was put: first the event itself, then (for a
 * TRANSACTION_PAYLOAD) each inner event. Returns SL_OK and fills *ev; SL_ERR_EOF when
 * nothing is left; SL_ERR_CHECKSUM on a CRC32 mismatch; SL_ERR_PROTO on malformed bytes;
 * SL_ERR_TOOBIG for an oversized payload or compressed event; SL_ERR_UNSUPPORTED / SL_ERR_PROTO
 * from JSON conversion, and SL_ERR_UNSUPPORTED for a rows event this decoder cannot read
 * (pre-GA v0 rows, an unknown compression algorithm): row changes are never skipped
 * silently. Errors fill errstr with the binlog file:position and what was wrong, and
 * abandon the rest of the put event. Decoded data is carved from arena (borrowed; never
 * reset by the decoder), so a caller keeping one arena per transaction may reset it once
 * the transaction is done. No allocation is proportional to a length field before that
 * length was checked against the bytes present. */
sl_err_t sl_decoder_next(struct sl_decoder *dec, struct sl_arena *arena, struct sl_event *ev,
                         char *errstr, size_t errstr_size);

/* Convenience for single-event callers (fuzzers, tests): put, then expect exactly one
 * event (inner events of a payload are decoded and dropped, errors reported). */
sl_err_t sl_decoder_decode_one(struct sl_decoder *dec, const void *data, size_t len,
                               uint64_t pos, struct sl_arena *arena, struct sl_event *ev,
                               char *errstr, size_t errstr_size);

/* Tables: the decoder owns every struct sl_table it hands out; they stay valid until
 * sl_decoder_free, even when a later TABLE_MAP remaps the id (the old version is
 * "retired", not freed), so changes queued downstream keep valid table pointers.
 * sl_decoder_drop_retired frees retired versions: call it only when no change produced
 * before the call is still referenced (e.g. the pipeline drained). */
const struct sl_table *sl_decoder_table(const struct sl_decoder *dec, uint64_t table_id);
void sl_decoder_drop_retired(struct sl_decoder *dec);

/* Name of an event type code ("WRITE_ROWS", "MARIA_GTID"); "UNKNOWN" for codes this
 * decoder does not know. Static text, never NULL. */
const char *sl_binlog_type_name(uint8_t type);

#endif
