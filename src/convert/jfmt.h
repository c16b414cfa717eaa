/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to convert/: a sticky-error writer over sl_buf, and the Java text forms that
 * Kafka Connect puts on the wire (Double.toString, Float.toString, BigDecimal.toString and
 * toPlainString, BigInteger.toByteArray for Connect Decimals). Not for other stages. */
#ifndef SL_CONVERT_JFMT_H
#define SL_CONVERT_JFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/str.h"

/* Appends stop at the first error, which stays in err: callers check once at the end. */
struct sl_cw {
    struct sl_buf *buf;
    sl_err_t err;
};

/* Inline: called a few dozen times per record (see sl_buf_add). */
static inline void sl_cw_add(struct sl_cw *cw, const void *mem, size_t len)
{
    if (!cw->err)
        cw->err = sl_buf_add(cw->buf, mem, len);
}

static inline void sl_cw_str(struct sl_cw *cw, const char *s)
{
    sl_cw_add(cw, s, strlen(s));
}

static inline void sl_cw_ch(struct sl_cw *cw, char ch)
{
    if (!cw->err)
        cw->err = sl_buf_addch(cw->buf, ch);
}

void sl_cw_i64(struct sl_cw *cw, int64_t v);
void sl_cw_u64(struct sl_cw *cw, uint64_t v);
/* A JSON string literal of UTF-8 bytes (invalid bytes become U+FFFD). */
void sl_cw_jstr(struct sl_cw *cw, const char *s, size_t len);
void sl_cw_b64(struct sl_cw *cw, const void *mem, size_t len);

/* Java Double.toString (shortest round-trip digits): 1.0, 0.001, 1.0E7, 1.0E-4. */
void sl_jfmt_double(struct sl_cw *cw, double v);
/* Java Float.toString. */
void sl_jfmt_float(struct sl_cw *cw, float v);

/* A parsed exact decimal: sign, digits without leading zeros ("0" for zero) and scale
 * (number of those digits after the point). digits points into the caller's storage. */
#define SL_DEC_MAX_DIGITS 80
struct sl_dec {
    bool neg;
    uint32_t ndigits;
    int32_t scale;
    char digits[SL_DEC_MAX_DIGITS + 1];
};

/* Parses "[-+]ddd[.ddd]" and rescales to `scale` fraction digits (padding with zeros; more
 * digits than scale are kept, as BigDecimal would). SL_ERR_INVALID on anything else. */
sl_err_t sl_dec_parse(struct sl_str text, int32_t scale, struct sl_dec *dec);
/* From an unsigned 64-bit integer, scale 0. */
void sl_dec_from_u64(uint64_t u, struct sl_dec *dec);
/* BigDecimal.unscaledValue().toByteArray(): big-endian two's complement, minimal length.
 * out must hold 40 bytes; returns the length. */
size_t sl_dec_bytes(const struct sl_dec *dec, uint8_t *out);
/* BigDecimal.toString() (scientific notation when the adjusted exponent is below -6). */
void sl_dec_tostring(struct sl_cw *cw, const struct sl_dec *dec);
/* BigDecimal.toPlainString(). */
void sl_dec_plain(struct sl_cw *cw, const struct sl_dec *dec);
/* BigDecimal.doubleValue(). */
double sl_dec_double(const struct sl_dec *dec);

#endif
