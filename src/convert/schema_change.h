/* SPDX-License-Identifier: Apache-2.0 */
/* Debezium 1.9 DDL records (reference §4.2, §4.3), as pure functions appending JSON to a
 * struct sl_buf:
 *   - the schema history record (database.history.kafka.topic /
 *     schema.history.internal.kafka.topic; JSON string value, null key):
 *       {"source":{"server":S},"position":{offset map},"databaseName":D,"ddl":SQL,
 *        "tableChanges":[{"type":"CREATE","id":"\"db\".\"t\"","table":{...}}]}
 *     columns as JsonTableChangeSerializer writes them: name, jdbcType, typeName,
 *     typeExpression, charsetName, length?, scale?, position, optional, autoIncremented,
 *     generated, comment, hasDefaultValue, defaultValueExpression?, enumValues;
 *   - the schema change topic record (topic = <topic.prefix>): key {"databaseName":D}, value
 *     {"source":{source block},"databaseName":D,"schemaName":null,"ddl":SQL,
 *      "tableChanges":[...]} with ConnectTableChangeSerializer's fields (every field present,
 *     null when unset: name, jdbcType, nativeType, typeName, typeExpression, charsetName,
 *     length, scale, position, optional, autoIncremented, generated, comment), as the
 *     JsonConverter prints it (schemas.enable=false, or true with the schema wrapper).
 *
 * How a DDL maps to tableChanges (the caller's job; source/ddl.h gives kind and tables,
 * source/schema_track.h's sl_schema_track_describe the definitions after the change):
 *   CREATE TABLE -> CREATE; ALTER TABLE -> ALTER (ALTER ... RENAME TO: ALTER of the new name
 *   with prev_db/prev_name); RENAME TABLE a TO b -> one ALTER per pair with the previous id;
 *   DROP TABLE -> DROP per table (def NULL: no "table" object); CREATE/DROP DATABASE, other
 *   DDL -> no table changes, ddl text only; TRUNCATE -> nothing in 1.9 (op "t" records are
 *   2.x and skipped by default: skipped.operations=t). */
#ifndef SL_CONVERT_SCHEMA_CHANGE_H
#define SL_CONVERT_SCHEMA_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "core/tabledef.h"

/* Where the DDL sits. The history "position" is the offset map (§3.1): restart file/pos,
 * completed GTID set, server_id, ts_sec, snapshot flag. The schema change topic's source
 * block uses the event's own file/pos and its GTID. */
struct sl_schema_change_pos {
    const char *server;     /* database.server.name / topic.prefix (required) */
    const char *version;    /* source.version; NULL: SL_CONV_DEBEZIUM_VERSION */
    int64_t ts_sec;         /* event timestamp */
    const char *file;       /* restart position: binlog file */
    uint64_t pos;           /* restart position: offset */
    const char *gtids;      /* completed GTID set; NULL or "": key omitted */
    uint32_t server_id;     /* 0: key omitted from the position */
    bool snapshot;          /* DDL recorded by the snapshot: "snapshot":true / "true" */
    const char *event_file; /* source.file; NULL: file */
    uint64_t event_pos;     /* source.pos */
    const char *gtid;       /* source.gtid; NULL: null */
};

/* struct sl_table_change and sl_table_change_t are in core/tabledef.h. */

/* Schema history record. database is the statement's database ("" allowed). */
sl_err_t sl_schema_history_record(struct sl_buf *out, const struct sl_schema_change_pos *pos,
                                  struct sl_str database, struct sl_str ddl,
                                  const struct sl_table_change *changes, uint32_t nchanges);

/* Schema change topic key: {"databaseName":"..."}; with schemas (key.converter
 * schemas.enable=true) wrapped as {"schema":{...SchemaChangeKey},"payload":{...}}. */
sl_err_t sl_schema_change_key(struct sl_buf *out, struct sl_str database, bool schemas);

/* Schema change topic value. source.table is the affected table names joined with ","
 * (null when none); source.db is database. With schemas (value.converter
 * schemas.enable=true) wrapped as {"schema":{...SchemaChangeValue},"payload":{...}}. A DROP
 * without def carries an empty table (the Connect schema's table is not optional). */
sl_err_t sl_schema_change_value(struct sl_buf *out, const struct sl_schema_change_pos *pos,
                                struct sl_str database, struct sl_str ddl,
                                const struct sl_table_change *changes, uint32_t nchanges,
                                bool schemas);

/* java.sql.Types code Debezium's MySQL DDL parser assigns to a MySQL type name (case
 * insensitive base name, e.g. "varchar", "int"): VARCHAR 12 for every text type, BLOB 2004
 * for the blob family, SMALLINT 5 for TINYINT, TIMESTAMP_WITH_TIMEZONE 2014 for TIMESTAMP,
 * OTHER 1111 for JSON and spatial types. */
int sl_schema_change_jdbc_type(const char *type_name, size_t len);

#endif
