/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal JSON writer helpers for the hot paths (row JSON, Debezium envelopes), appending to an
 * sl_buf. Escapes as Jackson/JsonConverter does for control characters and quotes; invalid
 * UTF-8 bytes are replaced by U+FFFD so the output is always valid JSON. Parsing JSON is
 * jansson's job, in the stages that need it. */
#ifndef SL_CORE_JSON_H
#define SL_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Length (1..4) of the valid UTF-8 sequence at s, which has left (>= 1) bytes; 0 when the
 * bytes there are not valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * included). */
size_t sl_utf8_len(const unsigned char *s, size_t left);
/* Appends "..." with the bytes escaped. */
sl_err_t sl_json_str(struct sl_buf *buf, const char *s, size_t len);
sl_err_t sl_json_i64(struct sl_buf *buf, int64_t v);
sl_err_t sl_json_u64(struct sl_buf *buf, uint64_t v);
/* Shortest text that reads back to the same double; non-finite values become null. */
sl_err_t sl_json_double(struct sl_buf *buf, double v);
/* Standard base64 (RFC 4648, with padding) of the bytes, unquoted. */
sl_err_t sl_base64_add(struct sl_buf *buf, const void *data, size_t len);

#endif
