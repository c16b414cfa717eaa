/* SPDX-License-Identifier: Apache-2.0 */
/* A table as the server describes it (information_schema), for the schema tracker
 * (source/schema_track.h) and the schema history / schema change records
 * (convert/schema_change.h): the binlog view of the table (struct sl_table) plus the column
 * facts no binlog event carries (declared type text, charset name, auto-increment, default,
 * comment). Value type, transparent; its strings live in whatever arena built it. */
#ifndef SL_CORE_TABLEDEF_H
#define SL_CORE_TABLEDEF_H

#include <stdbool.h>

#include "core/change.h"
#include "core/str.h"

struct sl_column_def {
    struct sl_str column_type;   /* COLUMN_TYPE, e.g. "int(10) unsigned", "enum('a','b')" */
    struct sl_str charset_name;  /* CHARACTER_SET_NAME; empty for non-character columns */
    struct sl_str comment;       /* COLUMN_COMMENT; empty when none */
    struct sl_str default_value; /* COLUMN_DEFAULT as text (valid when has_default) */
    bool has_default;
    bool auto_increment;         /* EXTRA has auto_increment */
    bool generated;              /* EXTRA has VIRTUAL/STORED/PERSISTENT GENERATED */
};

struct sl_table_def {
    struct sl_table table;           /* names, types, PK as sl_schema_column maps them */
    struct sl_column_def *defs;      /* table.ncols entries, or NULL when unknown */
    struct sl_str default_charset;   /* the table's default charset, e.g. "utf8mb4" */
};

/* One table's part in a DDL, as Debezium's tableChanges records it. */
typedef enum {
    SL_TABLE_CHANGE_CREATE = 0,
    SL_TABLE_CHANGE_ALTER,
    SL_TABLE_CHANGE_DROP,
} sl_table_change_t;

struct sl_table_change {
    sl_table_change_t type;
    struct sl_str db;
    struct sl_str name;
    struct sl_str prev_db;   /* rename: the previous id (history "previousId"); else empty */
    struct sl_str prev_name;
    const struct sl_table_def *def; /* the table after the change; NULL: no "table" */
};

#endif
