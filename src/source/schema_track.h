/* SPDX-License-Identifier: Apache-2.0 */
/* Schema tracker: gives every binlog row change a table with the right column names,
 * signedness, charsets, ENUM/SET labels and primary key, or stops with an error; it never
 * emits a row under wrong names (reference §12 P6/P7).
 *
 * For each TABLE_MAP the tracker builds a "merged" table:
 *   - with full optional metadata (binlog_row_metadata=FULL: names present), the TABLE_MAP
 *     itself is authoritative, PK from SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX;
 *   - otherwise the binlog layout (types, metadata, nullability) is taken from the TABLE_MAP
 *     and names, labels, PK, signedness and charsets from a cached server schema, used only
 *     while it matches the TABLE_MAP column for column (count, type class and, where the
 *     schema knows it exactly, the type metadata: VARCHAR length, DECIMAL precision,
 *     fractional seconds, ENUM/SET size, BIT width). On a mismatch the schema is reloaded
 *     from the server once; if it still does not match, SL_ERR_INVALID with errstr naming
 *     `db`.`table`, the binlog file:position and both column lists.
 * DDL in QUERY events (ddl.h) makes the tracker forget the tables it names (both sides of a
 * RENAME; every table of the database for DROP/CREATE DATABASE; every table when the
 * classifier could not read a name), so the next TABLE_MAP reloads them.
 *
 * Usage in a source task, for each decoded event ev of binlog file `file`:
 *
 *   err = sl_schema_track_event(trk, file, &ev, &ddl, arena, errstr, sizeof(errstr));
 *   if (err) stop(err, errstr);          -- TABLE_MAP that cannot be matched, load failure
 *   if (ev.kind == SL_EV_ROWS) ...       -- every change's table now is the merged table
 *   if (ev.kind == SL_EV_QUERY && ddl.kind >= SL_DDL_OTHER) {     -- DDL to record
 *       err = sl_schema_track_ddl_changes(trk, &ddl, arena, &chg, &n, errstr, sizeof(errstr));
 *       sl_schema_history_record(buf, &pos, ddl.database, ev.u.query.sql, chg, n);
 *       sl_schema_change_key(key, ddl.database);                   -- convert/schema_change.h
 *       sl_schema_change_value(val, &pos, ddl.database, ev.u.query.sql, chg, n);
 *   }
 *   (SL_DDL_TRUNCATE_TABLE: nothing is recorded or emitted in 1.9.)
 *
 * The tracker keeps no history of its own: on restart it starts empty and reloads each table
 * from the server at its first TABLE_MAP, which is exact when the restart position is after
 * the last DDL of that table and otherwise refused with the mismatch error (never wrong
 * names); with binlog_row_metadata=FULL no server schema is needed at all.
 *
 * Ownership: merged tables are owned by the tracker and stay valid until
 * sl_schema_track_free, even after a DDL or a remap replaced them ("retired" versions, as in
 * decode.h); sl_schema_track_drop_retired frees the retired ones once no change produced
 * before the call is referenced any more. Thread: one thread at a time per tracker. */
#ifndef SL_SOURCE_SCHEMA_TRACK_H
#define SL_SOURCE_SCHEMA_TRACK_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/change.h"
#include "core/err.h"
#include "core/str.h"
#include "core/tabledef.h"
#include "source/ddl.h"
#include "source/decode.h"

/* Loads the server's current definition of `db`.`name` into *def (zeroed by the caller),
 * carving every string from arena. Returns SL_OK, SL_ERR_NOTFOUND when the table does not
 * exist (errstr may stay empty), or another error with errstr filled (the tracker returns it
 * unchanged, prefixed with the table name). def->table.has_names must be true. */
typedef sl_err_t (*sl_schema_load_fn)(struct sl_str db, struct sl_str name,
                                      struct sl_arena *arena, struct sl_table_def *def,
                                      char *errstr, size_t errstr_size, void *opaque);

struct sl_schema_track;

/* New tracker that asks load(…, opaque) for server schemas. Never NULL. */
struct sl_schema_track *sl_schema_track_new(sl_schema_load_fn load, void *opaque);
/* Frees the tracker and every table it handed out. NULL-safe. */
void sl_schema_track_free(struct sl_schema_track *trk);

/* Handles one decoded event:
 *   SL_EV_TABLE_MAP: resolves the merged table (see above); errors as described there.
 *   SL_EV_ROWS: points ev->u.rows.table and every change's table at the merged table of the
 *       preceding TABLE_MAP (SL_ERR_PROTO when there was none for that table id). Integer
 *       values the decoder read as signed because the TABLE_MAP had no SIGNEDNESS metadata
 *       become SL_VAL_UINT when the schema says UNSIGNED.
 *   SL_EV_QUERY: classifies the text into *ddl (when ddl is not NULL; names carved from
 *       arena) and forgets the affected tables.
 *   SL_EV_ROTATE: forgets the table-id mapping (ids are per binlog file).
 * Other events are ignored. file names the binlog file in error messages. */
sl_err_t sl_schema_track_event(struct sl_schema_track *trk, const char *file,
                               struct sl_event *ev, struct sl_ddl *ddl, struct sl_arena *arena,
                               char *errstr, size_t errstr_size);

/* The TABLE_MAP step alone: *out is the merged table for tm (owned by the tracker). */
sl_err_t sl_schema_track_table_map(struct sl_schema_track *trk, const struct sl_table *tm,
                                   const char *file, uint64_t pos,
                                   const struct sl_table **out, char *errstr,
                                   size_t errstr_size);

/* The merged table last resolved for a TABLE_MAP id, or NULL. */
const struct sl_table *sl_schema_track_by_id(const struct sl_schema_track *trk,
                                             uint64_t table_id);

/* Forgets what is cached for `db`.`name` (name empty: every table of db). */
void sl_schema_track_invalidate(struct sl_schema_track *trk, struct sl_str db,
                                struct sl_str name);

/* The server's current definition of `db`.`name` (reloaded when a DDL invalidated it, else
 * the cached one), for schema history and schema change records after a DDL. *out is owned
 * by the tracker and valid until the next call that touches this table. SL_ERR_NOTFOUND when
 * the table does not exist (after DROP, or RENAME's old name). */
sl_err_t sl_schema_track_describe(struct sl_schema_track *trk, struct sl_str db,
                                  struct sl_str name, const struct sl_table_def **out,
                                  char *errstr, size_t errstr_size);

/* The tableChanges of a classified DDL (after sl_schema_track_event handled its QUERY
 * event), for convert/schema_change.h: CREATE TABLE -> CREATE, ALTER TABLE -> ALTER (with the
 * previous id when it renames), RENAME TABLE -> one ALTER per pair with the previous id,
 * DROP TABLE -> DROP (def NULL); database, TRUNCATE and other DDL -> none (*n = 0); temporary
 * tables are skipped. def comes from sl_schema_track_describe (server state now: exact in
 * streaming order); a table the server no longer has gets def NULL. The array is carved from
 * arena; defs are owned by the tracker and valid until the next call touching that table.
 * Errors: those of the loader (not NOTFOUND). */
sl_err_t sl_schema_track_ddl_changes(struct sl_schema_track *trk, const struct sl_ddl *ddl,
                                     struct sl_arena *arena, struct sl_table_change **changes,
                                     uint32_t *n, char *errstr, size_t errstr_size);

/* Frees retired merged tables (see above). */
void sl_schema_track_drop_retired(struct sl_schema_track *trk);

/* Adapter: a loader over a live connection. opaque is a MYSQL handle (kept opaque here so
 * no libmariadb type crosses this header) of a query connection, not the one streaming the
 * binlog (a dump connection cannot run queries); the session must use
 * character_set_results=NULL or utf8mb4. Called only while the tracker handles an event,
 * from the tracker's thread. Reads information_schema.COLUMNS (+ COLLATIONS,
 * STATISTICS for the PK, TABLES for the default charset) and maps each column with
 * sl_schema_column (schema.h). SL_ERR_UPSTREAM when a query fails. */
sl_err_t sl_schema_track_load_mysql(struct sl_str db, struct sl_str name,
                                    struct sl_arena *arena, struct sl_table_def *def,
                                    char *errstr, size_t errstr_size, void *opaque);

/* Appends a human-readable column list, "(id INT, name VARCHAR(40))" (names omitted when
 * unknown), used in mismatch errors. */
sl_err_t sl_schema_track_columns_str(const struct sl_table *t, struct sl_buf *buf);

#endif
