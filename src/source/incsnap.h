/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental snapshot while streaming, without locks: Debezium's signal table and the DBLog
 * watermark algorithm (debezium-compat.md §1.5, pain point P12). The streaming loop drives it.
 *
 * Signals. signal.data.collection names a captured table "db.table" whose first three columns
 * are, by position, id VARCHAR, type VARCHAR, data VARCHAR/TEXT (names do not matter). Every
 * streamed change of that table goes through sl_incsnap_on_change, which reports it as a
 * signal (never emitted downstream). An INSERT with
 *   type 'execute-snapshot', data {"data-collections":["db.t",...],"type":"incremental"}
 * queues those tables (literal "db.table" names, no regexes; "type" absent = incremental,
 * anything else is refused with a note); 'stop-snapshot' with the same data removes the listed
 * tables (no "data-collections" = stop everything), dropping the open chunk when its table is
 * listed. Unparseable signals are ignored with a note (sl_incsnap_note); they never stop the
 * stream.
 *
 * Chunks (one at a time). sl_incsnap_poll, called by the streaming thread between events:
 *   1. INSERT ('<id>-open', 'snapshot-window-open', NULL) into the signal table (autocommit);
 *   2. SELECT the next chunk_rows rows of the current table in primary-key order after the
 *      last key of the previous chunk; buffer them keyed by primary key;
 *   3. INSERT ('<id>-close', 'snapshot-window-close', NULL).
 * The stream later reaches the open row: the window opens; each streamed change of that table
 * whose key (before or after image) is buffered drops the buffered row (the streamed change
 * is newer and is emitted as usual). When the stream reaches the close row, on_change returns
 * the rows still buffered as op SL_OP_READ, in key order, to be emitted right there (after
 * the window's streamed changes); the chunk is complete and the next poll reads the next one.
 * When a table becomes current its largest key is read (Debezium's maximum key); chunks stop
 * there, so rows inserted later come only from the stream and the snapshot ends even while
 * the table grows. A chunk with fewer than chunk_rows rows ends the table; the next queued
 * table follows.
 * Watermark rows of other ids (an earlier process) are signals and are otherwise ignored.
 *
 * Emitted rows: table points at the incsnap's own copy of the schema (valid until
 * sl_incsnap_free; columns, types and primary key as schema.h builds them, so values have the
 * decoder's shapes), before NULL, after = table->ncols values deep-copied into the caller's
 * arena, pos = the close row's pos (row index kept), thread_id 0.
 * Keys compare the primary-key column values by position; an unsigned key read back as a
 * non-negative signed integer matches. Schema changes during a chunk are not supported.
 *
 * Use, in the streaming thread:
 *   struct sl_incsnap *inc = sl_incsnap_new(&opts, errstr, sizeof(errstr));
 *   err = sl_incsnap_resume(inc, stored_state_or_NULL, errstr, sizeof(errstr));
 *   for each decoded change chg (in binlog order, BEFORE any table filter: the signal table
 *   must reach it even when it is not otherwise captured):
 *       err = sl_incsnap_on_change(inc, chg, arena, &emit, &n_emit, &is_signal, errstr, ..);
 *       if (!is_signal) emit chg;  then emit emit[0..n_emit);
 *   whenever idle or after each transaction:
 *       err = sl_incsnap_poll(inc, errstr, sizeof(errstr));  (SL_OK: a chunk was read and
 *       its watermarks written, or nothing to do; errors as below; retry later on IO)
 *   with each offset checkpoint: sl_incsnap_state_json(inc, &buf) and store it alongside.
 * State JSON (one line): {"version":1,"tables":["db.t2"],"current":"db.t1",
 *   "last_pk":["3130"],"max_pk":["3230303030"],"chunk":7,"rows":7168} — tables still queued,
 * the table being read, the hex of its last key's text per key column (absent before the
 * first chunk) and of its largest key, chunks and rows emitted. It describes the last
 * COMPLETED chunk: resume re-reads the chunk that was open when the process stopped.
 * Emitted READ rows carry the close row's binlog position (server_id non-zero), which tells
 * them apart from initial-snapshot rows (server_id 0): source.snapshot "incremental".
 * Thread: one thread (the streaming thread) at a time. */
#ifndef SL_SOURCE_INCSNAP_H
#define SL_SOURCE_INCSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/change.h"
#include "conf/mysql_source.h"
#include "core/err.h"
#include "source/client.h"

/* The SQL side, replaceable for tests (NULL in opts = libmariadb on opts.db). Each function
 * returns SL_OK or an error with errstr filled. */
struct sl_incsnap_backend {
    /* Fills t (zeroed by the caller) with the columns and primary key of db.name as
     * sl_schema_column builds them (names, arrays carved from arena). SL_ERR_NOTFOUND when
     * the table does not exist. */
    sl_err_t (*table)(void *opaque, const char *db, const char *name, struct sl_arena *arena,
                      struct sl_table *t, char *errstr, size_t errstr_size);
    /* Inserts (id, type, NULL) into the signal table sig_db.sig_name and commits. */
    sl_err_t (*signal)(void *opaque, const char *sig_db, const char *sig_name, const char *id,
                       const char *type, char *errstr, size_t errstr_size);
    /* The largest key of t: *vals / *lens hold t->npk key column texts carved from arena;
     * *found false when the table is empty. */
    sl_err_t (*max_key)(void *opaque, const struct sl_table *t, struct sl_arena *arena,
                        const char ***vals, size_t **lens, bool *found, char *errstr,
                        size_t errstr_size);
    /* At most limit rows of t with a key after last[0..t->npk) (text of each key column,
     * last_len bytes; last NULL for the first chunk) and not after max (same form), in key
     * order, as the text protocol gives them for the SELECT built with
     * sl_schema_select_expr: *vals and *lens hold *n * t->ncols entries carved from arena
     * (vals entry NULL = SQL NULL). */
    sl_err_t (*chunk)(void *opaque, const struct sl_table *t, const char *const *last,
                      const size_t *last_len, const char *const *max, const size_t *max_len,
                      uint32_t limit, struct sl_arena *arena,
                      const char ***vals, size_t **lens, size_t *n, char *errstr,
                      size_t errstr_size);
};

struct sl_incsnap_opts {
    struct sl_mysql_conf db;        /* connection for the real backend (borrowed) */
    const char *signal_table;       /* signal.data.collection "db.table" (required) */
    uint32_t chunk_rows;            /* incremental.snapshot.chunk.size; 0 = 1024 */
    const struct sl_incsnap_backend *backend; /* NULL = libmariadb; tests pass a fake */
    void *backend_opaque;
};

/* Fills opts from the connector file: connection as sl_snapshot_opts_from_conf, signal table
 * from signal.data.collection (NULL when unset: then do not create an incsnap), chunk_rows 0
 * (1024; the conf has no incremental.snapshot.chunk.size key yet). opts keeps pointers into
 * conf. */
void sl_incsnap_opts_from_conf(struct sl_incsnap_opts *opts,
                               const struct sl_mysql_source_conf *conf);

struct sl_incsnap;

/* Validates opts (signal_table must be "db.table") and allocates; no network yet. NULL with
 * errstr naming the option otherwise. */
struct sl_incsnap *sl_incsnap_new(const struct sl_incsnap_opts *opts, char *errstr,
                                  size_t errstr_size);
/* Closes the connection and frees every table and buffer. NULL-safe. */
void sl_incsnap_free(struct sl_incsnap *inc);

/* Restores a state from sl_incsnap_state_json (NULL or "" = nothing pending). A document
 * that does not parse is SL_ERR_INVALID naming the offset or key; the state is then empty. */
sl_err_t sl_incsnap_resume(struct sl_incsnap *inc, const char *state_json, char *errstr,
                           size_t errstr_size);

/* Feeds one streamed change, in binlog order. *is_signal is true when chg belongs to the
 * signal table (do not emit it). *emit / *n_emit: rows to emit now, after chg (the chunk's
 * remaining rows when chg is the close watermark), carved from arena; *n_emit is 0 mostly.
 * Errors: only SL_ERR_PROTO for a buffered row that no longer converts (never for signals). */
sl_err_t sl_incsnap_on_change(struct sl_incsnap *inc, const struct sl_change *chg,
                              struct sl_arena *arena, struct sl_change **emit, size_t *n_emit,
                              bool *is_signal, char *errstr, size_t errstr_size);

/* Starts the next chunk when one is due (a table is queued and no chunk awaits its close
 * watermark): writes the watermarks and reads the chunk (see above). Connects on first use.
 * SL_OK also when there is nothing to do. Errors: SL_ERR_IO / SL_ERR_AUTH / SL_ERR_UPSTREAM
 * from the server (state unchanged: call again later), SL_ERR_PROTO for a value that does not
 * convert (errstr names table and column). A table that no longer exists, or has no primary
 * key, is skipped with a note. */
sl_err_t sl_incsnap_poll(struct sl_incsnap *inc, char *errstr, size_t errstr_size);

/* The libmariadb backend (incsnap_sql.c), what opts.backend = NULL uses: a query connection
 * on db (strings borrowed), opened on first use. Exposed for tools that drive it directly. */
struct sl_incsnap_sql;
struct sl_incsnap_sql *sl_incsnap_sql_new(const struct sl_mysql_conf *db);
void sl_incsnap_sql_free(struct sl_incsnap_sql *sql); /* NULL-safe */
const struct sl_incsnap_backend *sl_incsnap_sql_backend(void);

/* True while tables are queued or a chunk is open. */
bool sl_incsnap_active(const struct sl_incsnap *inc);

/* Appends the state document (see above). */
sl_err_t sl_incsnap_state_json(const struct sl_incsnap *inc, struct sl_buf *out);

struct sl_incsnap_stats {
    uint64_t chunks;       /* chunks completed */
    uint64_t rows;         /* rows emitted as READ */
    uint64_t dropped;      /* buffered rows superseded by a streamed change */
    uint64_t signals;      /* signal-table changes seen */
    uint32_t tables_queued;
};
void sl_incsnap_stats(const struct sl_incsnap *inc, struct sl_incsnap_stats *st);

/* Last thing ignored or skipped (bad signal, missing table), "" when none. */
const char *sl_incsnap_note(const struct sl_incsnap *inc);

#endif
