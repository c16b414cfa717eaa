/* SPDX-License-Identifier: Apache-2.0 */
/* MySQL binary JSON (the JSON column's storage format) to JSON text, and the JSON diffs of
 * PARTIAL_UPDATE_ROWS events to a JSON description. Pure functions: bytes in, text out. */
#ifndef SL_SOURCE_JSONB_H
#define SL_SOURCE_JSONB_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Appends the JSON text of a MySQL binary JSON document (a JSON column value without its length
 * prefix) to out, formatted as Debezium's binlog path prints it (mysql-binlog-connector-java
 * JsonStringFormatter), which is NOT MySQL's own text form:
 *   - compact: {"age":24,"name":"Joe"} (no space after ':' or ','), keys in stored order;
 *   - doubles as Java's Double.toString for 1e-3 <= |d| < 1e7 ("3.0", "0.25"), otherwise the
 *     exact decimal value of the double (BigDecimal.toPlainString: 1e20 -> 100000000000000000000);
 *   - opaque DECIMAL as its plain number with the column scale (12.30); DATE "2015-01-15";
 *     DATETIME/TIMESTAMP "2015-01-15 23:24:25" with the fraction's trailing zeros trimmed and no
 *     fraction when it is zero; TIME "-12:34:56.5"; any other opaque type as base64 of its
 *     bytes ("yv4=");
 *   - strings escaped like JsonStringFormatter (\uXXXX upper-case hex for control characters),
 *     invalid UTF-8 replaced by U+FFFD.
 * An empty input (len 0) is the JSON null MySQL writes for '' and yields "null". Nesting deeper
 * than 100 containers (MySQL's limit) is rejected. On malformed input returns SL_ERR_PROTO and
 * fills errstr with what and where (byte offset from data); output past out->max gives
 * SL_ERR_TOOBIG. On any error out's length is unchanged. Pure; any thread. */
sl_err_t sl_jsonb_to_json(const uint8_t *data, size_t len, struct sl_buf *out, char *errstr,
                          size_t errstr_size);

/* Appends a JSON array describing the diff list of one PARTIAL_UPDATE_ROWS JSON column, given
 * without the column's 4-byte length prefix (sql/json_diff.cc: per diff an operation byte, a
 * packed-length path, and for non-remove operations a packed-length binary JSON value):
 * [{"op":"replace","path":"$.age","value":26},{"op":"remove","path":"$.x"}] (ops replace,
 * insert, remove; values formatted as sl_jsonb_to_json). An empty list gives []. Errors as
 * sl_jsonb_to_json, offsets counted from data. */
sl_err_t sl_jsonb_diff_to_json(const uint8_t *data, size_t len, struct sl_buf *out, char *errstr,
                               size_t errstr_size);

#endif
