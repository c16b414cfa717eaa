/* SPDX-License-Identifier: Apache-2.0 */
/* Exact value helpers behind item conversion (numbers, Connect Decimal, base64, instants).
 * Pure; no foreign types. */
#ifndef SL_SINK_VALUE_H
#define SL_SINK_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_SINK_DECIMAL_MAX 4096 /* bytes of a Connect Decimal's unscaled value */

/* Canonical DynamoDB form of a JSON number text (exact, no double): leading/trailing zeros
 * dropped, e.g. "1.50" -> "1.5", "1e3" -> "1000". SL_ERR_INVALID (reason in errstr) when it
 * is not a number, has more than 38 significant digits, or lies outside 1E-130..<1E126. */
sl_err_t sl_sink_number(struct sl_buf *out, const char *text, size_t len, char *errstr,
                        size_t errstr_size);

/* Decodes base64 (standard or URL alphabet, padding optional) and appends the bytes.
 * SL_ERR_INVALID on a bad character or length, SL_ERR_TOOBIG past out's bound. */
sl_err_t sl_sink_b64_decode(struct sl_buf *out, const char *s, size_t len);

/* Appends Java Instant.toString() of epoch milliseconds: 2022-06-15T07:52:16Z, with ".mmm"
 * only when the milliseconds are not zero. */
sl_err_t sl_sink_instant(struct sl_buf *out, int64_t ms);

/* Appends the canonical number of a Connect Decimal: b[0..n) is the big-endian two's
 * complement unscaled value (overwritten: used as scratch), scale the power of ten to divide
 * by. Errors as sl_sink_number. */
sl_err_t sl_sink_decimal(struct sl_buf *out, unsigned char *b, size_t n, long scale, char *errstr,
                         size_t errstr_size);

#endif
