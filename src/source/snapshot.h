/* SPDX-License-Identifier: Apache-2.0 */
/* Initial snapshot: reads every captured table inside one consistent InnoDB transaction and
 * yields its rows as struct sl_change with op SL_OP_READ, in primary-key ordered chunks that
 * are resumable after a restart. Values equal what the binlog decoder (decode.h) produces for
 * the same rows (see schema.h), so snapshot and stream agree.
 *
 *   struct sl_snapshot_opts opts;
 *   sl_snapshot_opts_from_conf(&opts, conf);           (or fill opts by hand)
 *   struct sl_snapshot *snap = sl_snapshot_new(&opts, errstr, sizeof(errstr));
 *   err = sl_snapshot_begin(snap, checkpoint_json_or_NULL, errstr, sizeof(errstr));
 *   sl_snapshot_position(snap) -> where streaming must start once the snapshot is done
 *   while ((err = sl_snapshot_next(snap, &changes, &n, &last, errstr, ...)) == SL_OK) {
 *       hand changes[0..n) downstream (last: changes[n-1] is the final snapshot row);
 *       once they are durable, store sl_snapshot_progress_json(snap, &buf) as checkpoint;
 *       (the chunk stays valid until the next sl_snapshot_next or sl_snapshot_free)
 *   }
 *   err == SL_ERR_EOF: done; store the position + "snapshot completed" atomically (P14);
 *   sl_snapshot_free(snap);
 *
 * Consistency (debezium-compat.md §1.2, pain points P3/P4). A dedicated connection runs with
 * time_zone='+00:00' (TIMESTAMP text is UTC, as the binlog), character_set_results=NULL (raw
 * bytes in each column's charset, as the binlog) and REPEATABLE READ. The binlog position
 * paired with the transaction is obtained by one of these methods (sl_snapshot_method):
 *   - "mariadb": MariaDB. START TRANSACTION WITH CONSISTENT SNAPSHOT, then
 *     SHOW STATUS LIKE 'binlog_snapshot_%' gives the exact binlog file/position of that
 *     snapshot (MariaDB orders binlog and engine commits for this), so no lock is needed at
 *     all, with or without RELOAD. The GTID position is read while checking that no commit
 *     happened meanwhile (else left empty: file/pos are authoritative).
 *   - "global": FLUSH TABLES WITH READ LOCK (needs RELOAD), START TRANSACTION WITH
 *     CONSISTENT SNAPSHOT, SHOW MASTER STATUS + GTID set, schemas, UNLOCK TABLES (minimal;
 *     extended keeps the lock until the end). Exact.
 *   - "table": no RELOAD (RDS/Aurora). LOCK TABLES <captured> READ waits until every writer
 *     of those tables has finished committing and blocks new ones; the position is read under
 *     it; START TRANSACTION WITH CONSISTENT SNAPSHOT then releases the table locks (an implicit
 *     UNLOCK) and opens the read view. Every commit to a captured table before the position is
 *     in the view. A commit in the instant between the unlock and the view may appear in both
 *     the snapshot and the stream (a duplicate upsert of the same row state, never a loss);
 *     the position is read again after the view opens and the sequence is retried up to 3
 *     times until both reads agree, so this only happens on a server committing constantly.
 *     Unlike Debezium, table locks are never held during the data scan.
 *   - "none": snapshot.locking.mode=none on MySQL: position read before the transaction; a
 *     commit racing the start may be lost (Debezium's documented risk of this mode).
 * Schemas are read from information_schema inside the transaction (types mapped to the binlog
 * type codes, see schema.h) before any data is read.
 *
 * Scan. Each table is read by one streaming query (mysql_use_result: memory bounded by two
 * chunks whatever the table size), in primary-key order when it has one:
 *   SELECT cols FROM t [WHERE (pk) > (last)] ORDER BY pk
 * and handed out chunk_rows rows at a time; the key of the last row of every chunk handed out
 * is remembered, so each chunk is a resume point. Stopping mid-table shuts the connection's
 * socket down rather than reading the rest of the result. Tables without a primary key, and tables
 * with a snapshot.select.statement.overrides statement, are read the same way without the order and
 * cannot resume mid-table.
 *
 * Resume (Debezium restarts a snapshot from zero; P5). sl_snapshot_progress_json gives, after
 * each chunk, the snapshot's binlog position + GTID set and per table its state, rows copied
 * and the last primary key read (hex). Passed to sl_snapshot_begin after a restart, the
 * snapshot keeps the ORIGINAL position, skips finished tables and continues each table after
 * its stored key, so rows already copied are not read again. The new transaction sees a newer
 * state than the old one, so the union is not a point-in-time image; but streaming starts at
 * the original position and replays every change committed after it, in order, on top of
 * both parts, so the end state converges to the source (rows deleted after the position get
 * their delete, rows changed get their update; a row may be emitted twice). This needs the
 * original binlog file to still exist: when SHOW BINARY LOGS no longer lists it, the
 * checkpoint is discarded, a fresh snapshot starts, and sl_snapshot_resume_note says why.
 *
 * Thread: one thread at a time per snapshot. Inside, each table's query is read by a thread of
 * its own one chunk ahead of the caller (two chunks in memory). */
#ifndef SL_SOURCE_SNAPSHOT_H
#define SL_SOURCE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/mysql_source.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/change.h"
#include "core/err.h"
#include "source/client.h"

/* Extra table filter: return true to capture db.table. */
typedef bool (*sl_snapshot_filter_fn)(const char *db, const char *table, void *opaque);

/* Snapshot settings; every pointer is borrowed for the life of the snapshot. */
struct sl_snapshot_opts {
    struct sl_mysql_conf db; /* connection (host, port, user, password, TLS) */
    int locking_mode;        /* sl_snapshot_locking_mode_t (conf/mysql_source.h) */
    uint32_t chunk_rows;     /* rows per chunk and per sl_snapshot_next; 0 = 10000 */
    int64_t lock_timeout_ms; /* lock_wait_timeout for the locks; 0 = 10000 */
    /* Anchored, case-insensitive POSIX extended regexes (Debezium's *.include.list): databases
     * match the database name, tables match "db.table". NULL or empty = no restriction.
     * Built-in schemas (mysql, sys, information_schema, performance_schema) never match. */
    const struct sl_conf_strlist *database_include;
    const struct sl_conf_strlist *database_exclude;
    const struct sl_conf_strlist *table_include;
    const struct sl_conf_strlist *table_exclude;
    /* snapshot.select.statement.overrides: the "db.table" names, and the per-table SELECTs
     * keyed "db.table" (the kvlist of snapshot.select.statement.overrides.<db>.<table>). The
     * SELECT must return the table's columns in table order. */
    const struct sl_conf_strlist *override_tables;
    const struct sl_conf_kvlist *override_selects;
    sl_snapshot_filter_fn filter; /* optional, applied after the lists */
    void *filter_opaque;
    /* Optional: called on the snapshot's reader thread with each chunk before
     * sl_snapshot_next hands it out; slot (0 or 1) is the read-ahead buffer that holds it,
     * sl_snapshot_slot's answer while the caller holds the chunk. The caller may prepare
     * per-slot output here (e.g. convert the rows) while the main thread sends the previous
     * chunk; the reader does not reuse a slot the caller still holds. */
    void (*on_chunk)(void *opaque, unsigned slot, const struct sl_change *changes, size_t n);
    void *on_chunk_opaque;
    bool no_mariadb_snapshot_status; /* force the lock methods on MariaDB (tests) */
};

/* Fills opts from the connector file (connection, locking mode, fetch size, lock timeout,
 * filters, overrides). opts keeps pointers into conf. */
void sl_snapshot_opts_from_conf(struct sl_snapshot_opts *opts,
                                const struct sl_mysql_source_conf *conf);

struct sl_snapshot;

/* Validates opts (compiles the regexes) and allocates; no network yet. NULL with errstr on a
 * bad regex (naming it). */
struct sl_snapshot *sl_snapshot_new(const struct sl_snapshot_opts *opts, char *errstr,
                                    size_t errstr_size);
/* Ends the transaction, closes the connection, frees tables. NULL-safe. */
void sl_snapshot_free(struct sl_snapshot *snap);

/* Connects, picks the tables, establishes the consistent transaction and its binlog position
 * (see the methods above), loads the schemas and prepares the scan; with resume_json (a string
 * from sl_snapshot_progress_json) continues that snapshot instead. A resume_json that does not
 * parse is SL_ERR_INVALID (naming the offset). Errors: SL_ERR_AUTH, SL_ERR_IO,
 * SL_ERR_UPSTREAM (a statement failed, e.g. no LOCK TABLES privilege), SL_ERR_UNSUPPORTED
 * (binlog off, column type unknown). */
sl_err_t sl_snapshot_begin(struct sl_snapshot *snap, const char *resume_json, char *errstr,
                           size_t errstr_size);

/* Next chunk: *changes points at *n changes (1..chunk_rows), all of one table, held in the
 * snapshot's read-ahead buffers until the next call or sl_snapshot_free, op SL_OP_READ, before
 * NULL, after = table->ncols values, pos = the snapshot position (file, pos; row = 0, server_id =
 * 0, ts_sec = start of the table's scan). The tables they point to are owned by the snapshot and
 * live until sl_snapshot_free. *last is true when changes[*n - 1] is the final row of the whole
 * snapshot (source.snapshot "last"). SL_ERR_EOF when every table is done (the transaction is then
 * committed). Errors as begin, SL_ERR_PROTO for a value that does not parse (errstr names table and
 * column). */
sl_err_t sl_snapshot_next(struct sl_snapshot *snap, struct sl_change **changes, size_t *n,
                          bool *last, char *errstr, size_t errstr_size);

/* The read-ahead slot (0 or 1) of the chunk the last sl_snapshot_next handed out. */
unsigned sl_snapshot_slot(const struct sl_snapshot *snap);

/* The snapshot's binlog position: file, pos and the GTID set ("" when not known: MySQL with
 * gtid_mode OFF, or MariaDB's set could not be tied to the position). Valid after begin. */
void sl_snapshot_position(const struct sl_snapshot *snap, const char **file, uint64_t *pos,
                          const char **gtids);

/* How the position was made consistent: "mariadb", "global", "table", "none" (or "resume"). */
const char *sl_snapshot_method(const struct sl_snapshot *snap);

/* Why a checkpoint given to begin was not used ("" when it was used or none was given). */
const char *sl_snapshot_resume_note(const struct sl_snapshot *snap);

/* Per-table and total progress. */
struct sl_snapshot_stats {
    uint32_t tables; /* captured tables */
    uint32_t tables_done;
    uint64_t rows;           /* rows emitted by this process (resumed rows excluded) */
    uint64_t rows_total;     /* rows copied, including those of the resumed checkpoint */
    uint64_t rows_estimated; /* sum of information_schema.TABLES.TABLE_ROWS */
    double rows_per_sec;     /* since begin */
    uint32_t chunks;         /* chunks emitted by this process */
};
void sl_snapshot_stats(const struct sl_snapshot *snap, struct sl_snapshot_stats *st);

/* Appends the checkpoint / progress document (one line of JSON):
 * {"version":1,"file":"binlog.000001","pos":328,"gtids":"0-1-5","method":"mariadb",
 *  "rows":120000,"rows_per_sec":51234.5,"tables":[{"db":"inv","table":"orders",
 *  "state":"running"|"done"|"pending","rows":20000,"estimated":29000,
 *  "last_pk":["3230303030"]},...]}
 * last_pk holds the hex of each primary-key column's text, in key order. Store it after the
 * chunk it describes is durable downstream. */
sl_err_t sl_snapshot_progress_json(const struct sl_snapshot *snap, struct sl_buf *out);

#endif
