/* SPDX-License-Identifier: Apache-2.0 */
/* Table schemas from information_schema and row values from the text protocol, for the
 * snapshot (snapshot.h). Pure functions, no server access: the snapshot runs the queries and
 * hands the columns of each result row here, which keeps the type mapping unit-testable.
 *
 * The contract is agreement with the binlog decoder (decode.h): a column built by
 * sl_schema_column carries the same type, binlog_type, meta, length, fsp, precision/scale,
 * charset and labels as the TABLE_MAP of the same column (binlog_row_metadata=FULL), and
 * sl_schema_value yields the same struct sl_value the decoder yields for the same stored value,
 * provided the SELECT used sl_schema_select_expr and the session ran with time_zone='+00:00'
 * and character_set_results=NULL (raw bytes in the column's own charset). */
#ifndef SL_SOURCE_SCHEMA_H
#define SL_SOURCE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/change.h"
#include "core/err.h"

/* One row of information_schema.COLUMNS (strings borrowed; NULL where the server said NULL). */
struct sl_schema_coldef {
    const char *name;        /* COLUMN_NAME */
    const char *data_type;   /* DATA_TYPE, e.g. "varchar" */
    const char *column_type; /* COLUMN_TYPE, e.g. "int(10) unsigned", "enum('a','b')" */
    bool nullable;           /* IS_NULLABLE = 'YES' */
    uint32_t precision;      /* NUMERIC_PRECISION (DECIMAL digits, BIT width) */
    uint32_t scale;          /* NUMERIC_SCALE */
    uint32_t fsp;            /* DATETIME_PRECISION */
    uint64_t octet_length;   /* CHARACTER_OCTET_LENGTH */
    uint16_t collation_id;   /* information_schema.COLLATIONS.ID of COLLATION_NAME; 0 = none */
};

/* Fills col (zeroed first) from def; names and labels are carved from arena. MySQL JSON
 * (DATA_TYPE "json") maps to SL_MYSQL_TYPE_JSON; MariaDB's JSON is LONGTEXT and maps to a
 * text BLOB, as in its binlog. Errors: SL_ERR_UNSUPPORTED for a type this module does not
 * know, with errstr naming the column and type. */
sl_err_t sl_schema_column(const struct sl_schema_coldef *def, struct sl_arena *arena,
                          struct sl_column *col, char *errstr, size_t errstr_size);

/* Appends the SELECT expression that reads col so that sl_schema_value can rebuild the exact
 * binlog value: `c` quoted with backticks, except FLOAT (CAST(`c` AS DOUBLE): the text form of
 * a FLOAT keeps only 6 digits, the widened double prints round-trip exact) and ENUM/SET (`c`+0:
 * the index or bitmap itself). */
sl_err_t sl_schema_select_expr(const struct sl_column *col, struct sl_buf *out);

/* Appends `name` with backticks doubled. */
sl_err_t sl_schema_quote_ident(struct sl_buf *out, const char *name, size_t len);

/* Converts one text-protocol value (text[len], NUL-terminated at len; text NULL = SQL NULL)
 * of column col into val; strings are copied into arena. Accepts both the forms
 * sl_schema_select_expr asks for and the plain column text (FLOAT digits, ENUM/SET labels),
 * as a user's snapshot.select.statement.overrides query returns. BINARY(n) loses its trailing
 * 0x00 bytes, as the binlog does. Errors: SL_ERR_PROTO with errstr naming the column and the
 * value when the text does not parse. */
sl_err_t sl_schema_value(const struct sl_column *col, const char *text, size_t len,
                         struct sl_arena *arena, struct sl_value *val, char *errstr,
                         size_t errstr_size);

/* MySQL's JSON text (SELECT of a JSON column: `{"a": 1, "b": [1, 2]}`) to the compact form
 * the binlog path prints (`{"a":1,"b":[1,2]}`, see jsonb.h): whitespace outside strings is
 * dropped. Numbers, strings and key order are kept as MySQL printed them; MySQL's text differs
 * from jsonb.h's only for doubles in exponent form and for opaque values (DATETIME in JSON). */
sl_err_t sl_schema_json_compact(const char *text, size_t len, struct sl_buf *out);

#endif
