/* SPDX-License-Identifier: Apache-2.0 */
/* MySQL binary JSON (the JSON column's storage format) to JSON text, and the JSON diffs of
 * PARTIAL_UPDATE_ROWS events to a JSON description. Pure functions: bytes in, text out. */
#ifndef SL_SOURCE_JSONB_H
#define SL_SOURCE_JSONB_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Appends the JSON text of a MySQL binary JSON document to out. An empty input (len 0) is the
 * JSON null MySQL writes for '' and yields "null". On malformed input returns SL_ERR_PROTO,
 * fills errstr with what and where (byte offset), and leaves out's length unchanged. */
sl_err_t sl_jsonb_to_json(const uint8_t *data, size_t len, struct sl_buf *out, char *errstr,
                          size_t errstr_size);

/* Appends a JSON array describing the diff list of one PARTIAL_UPDATE_ROWS JSON column:
 * [{"op":"replace","path":"$.age","value":26}, ...] (ops replace, insert, remove). Errors as
 * sl_jsonb_to_json. */
sl_err_t sl_jsonb_diff_to_json(const uint8_t *data, size_t len, struct sl_buf *out,
                               char *errstr, size_t errstr_size);

#endif
