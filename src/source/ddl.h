/* SPDX-License-Identifier: Apache-2.0 */
/* A tolerant classifier for the SQL text of binlog QUERY events. It does not parse DDL: it
 * reads just enough tokens to say what kind of statement this is and which tables it
 * touches, so the schema tracker (schema_track.h) can reload those tables from the server
 * and the schema history can record the statement. Anything it does not recognise is
 * SL_DDL_OTHER (DDL that changes no table: views, routines, users, ...) or SL_DDL_NONE
 * (transaction control and DML), never an error: an unknown statement must not stop the
 * stream (Debezium's parser failures, reference P6).
 *
 * Lexing: whitespace, / * * / comments, "-- " and "#" comments are skipped; MySQL executable
 * comments (/ *!50100 ... * /, MariaDB / *M!100100 ... * /) are read as if their text were
 * plain SQL, as the server does. Identifiers may be `back`-quoted (`` for a backtick) or
 * "double"-quoted; the text may hold invalid UTF-8 (bytes >= 0x80 are identifier bytes). */
#ifndef SL_SOURCE_DDL_H
#define SL_SOURCE_DDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

typedef enum {
    SL_DDL_NONE = 0,        /* not DDL: BEGIN, COMMIT, XA, SAVEPOINT, DML, SET, FLUSH, GRANT,
                             * CREATE/ALTER/DROP USER, ANALYZE, ... (nothing to record) */
    SL_DDL_OTHER,           /* DDL that changes no table's columns: views, routines, triggers,
                             * events, ALTER DATABASE, ... (history only) */
    SL_DDL_CREATE_TABLE,    /* CREATE [OR REPLACE] [TEMPORARY] TABLE (also ... LIKE / AS) */
    SL_DDL_ALTER_TABLE,     /* ALTER [ONLINE] [IGNORE] TABLE; CREATE/DROP INDEX ... ON t */
    SL_DDL_DROP_TABLE,      /* DROP [TEMPORARY] TABLE[S] a, b ... */
    SL_DDL_RENAME_TABLE,    /* RENAME TABLE[S] a TO b, c TO d */
    SL_DDL_TRUNCATE_TABLE,  /* TRUNCATE [TABLE] t */
    SL_DDL_CREATE_DATABASE, /* CREATE DATABASE|SCHEMA */
    SL_DDL_DROP_DATABASE,   /* DROP DATABASE|SCHEMA */
} sl_ddl_kind_t;

/* One affected table. For RENAME (and ALTER TABLE ... RENAME TO) new_db/new_name hold the
 * target; otherwise they are empty. Names are unquoted copies carved from the arena. db is the
 * statement's qualifier or, when unqualified, the event's default database (may be empty). */
struct sl_ddl_table {
    struct sl_str db;
    struct sl_str name;
    struct sl_str new_db;
    struct sl_str new_name;
};

#define SL_DDL_MAX_TABLES 256

struct sl_ddl {
    sl_ddl_kind_t kind;
    bool temporary;          /* CREATE/DROP TEMPORARY TABLE */
    bool if_exists;          /* IF EXISTS / IF NOT EXISTS present */
    bool incomplete;         /* a table name was expected but not found (tracker then
                              * forgets every table of `database`) */
    struct sl_str database;  /* CREATE/DROP DATABASE: its name; table DDL: the first
                              * table's database (Debezium's databaseName); otherwise the
                              * event's default db */
    uint32_t ntables;
    struct sl_ddl_table *tables;
};

/* Classifies sql[len] (raw bytes of a QUERY event; not NUL-terminated) with default_db the
 * event's current database. Fills *ddl; strings are carved from arena. Never fails on odd
 * input: at most SL_DDL_MAX_TABLES tables are reported (more set incomplete). */
void sl_ddl_classify(const char *sql, size_t len, struct sl_str default_db,
                     struct sl_arena *arena, struct sl_ddl *ddl);

/* "CREATE_TABLE", "NONE", ...: static text, never NULL. */
const char *sl_ddl_kind_name(sl_ddl_kind_t kind);

/* True for kinds that change table columns (CREATE/ALTER/DROP/RENAME TABLE, DROP DATABASE):
 * the tracker must forget the affected tables. */
bool sl_ddl_changes_tables(sl_ddl_kind_t kind);

#endif
