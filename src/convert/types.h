/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to convert/: the MySQL column -> Kafka Connect type mapping of Debezium 1.9
 * (reference §7.1), resolved once per column from its metadata and the handling modes, then
 * used to write the field schema, the JSON value and the Struct.toString text. */
#ifndef SL_CONVERT_TYPES_H
#define SL_CONVERT_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "convert/convert.h"
#include "convert/jfmt.h"
#include "core/change.h"

/* Connect schema + semantic name of a column. */
typedef enum {
    SL_CK_BOOL = 0,
    SL_CK_INT16,
    SL_CK_INT32,
    SL_CK_INT64,
    SL_CK_DOUBLE,
    SL_CK_DECIMAL,  /* Connect Decimal (bytes) */
    SL_CK_UDECIMAL, /* BIGINT UNSIGNED precise: Decimal scale 0 */
    SL_CK_DEC_DOUBLE,
    SL_CK_DEC_STRING,
    SL_CK_STRING,
    SL_CK_BYTES,
    SL_CK_BYTES_B64,    /* binary.handling.mode=base64: string */
    SL_CK_BYTES_HEX,    /* binary.handling.mode=hex: string */
    SL_CK_BYTES_B64URL, /* binary.handling.mode=base64-url-safe: string */
    SL_CK_BITS,
    SL_CK_ENUM,
    SL_CK_SET,
    SL_CK_JSON,
    SL_CK_YEAR,
    SL_CK_DATE,  /* io.debezium.time.Date */
    SL_CK_CDATE, /* org.apache.kafka.connect.data.Date */
    SL_CK_MICROTIME,
    SL_CK_TIME_MS, /* io.debezium.time.Time (adaptive, fsp <= 3) */
    SL_CK_CTIME,   /* org.apache.kafka.connect.data.Time */
    SL_CK_TS_MS,   /* io.debezium.time.Timestamp */
    SL_CK_MICROTS,
    SL_CK_CTS, /* org.apache.kafka.connect.data.Timestamp */
    SL_CK_ZONED,
    SL_CK_GEOMETRY,
    SL_CK_POINT,
    SL_CK_VECTOR,
} sl_ck_t;

/* Per-call context of value writers: scratch space for charset conversion and the error. */
struct sl_vctx {
    struct sl_buf *scratch;
    char *errstr;
    size_t errstr_size;
    const struct sl_table *table;
    bool decimal_numeric; /* JsonConverter decimal.format=NUMERIC */
};

sl_ck_t sl_ck_of(const struct sl_column *col, const struct sl_conv_opts *opts);
/* Writes the field schema object without its closing brace (the caller appends "field"). */
void sl_ck_schema(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col, sl_ck_t ck,
                  bool optional);
/* Whether the value is written as null (SQL NULL, absent, or a zero date in a nullable
 * column). */
bool sl_ck_is_null(const struct sl_column *col, sl_ck_t ck, const struct sl_value *val);
/* Writes the value as JsonConverter (text false) or Struct.toString (text true) does.
 * SL_ERR_INVALID with vc->errstr filled when the value cannot be represented. */
sl_err_t sl_ck_value(struct sl_cw *cw, struct sl_vctx *vc, const struct sl_column *col, sl_ck_t ck,
                     const struct sl_value *val, bool text);
/* The column's name for output ("@<n>" when unknown) written as a JSON string or raw. */
void sl_col_name(struct sl_cw *cw, const struct sl_table *table, uint32_t i, bool json);
/* Raw UTF-8 text with invalid sequences replaced by U+FFFD (for Struct.toString). */
void sl_cw_utf8(struct sl_cw *cw, const char *s, size_t len);

#endif
