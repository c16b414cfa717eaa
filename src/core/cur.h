/* SPDX-License-Identifier: Apache-2.0 */
/* Bounds-checked decoding cursor (curl strparse). Every reader returns SL_OK or SL_ERR_PROTO on
 * overrun and advances only on success, so parsers chain:
 *   if (sl_cur_u8(&cur, &t) || sl_cur_lenenc(&cur, &n)) return SL_ERR_PROTO;
 * start is kept so errors can name the offset of the failing byte. */
#ifndef SL_CORE_CUR_H
#define SL_CORE_CUR_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sl_cur {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
};

static inline void sl_cur_init(struct sl_cur *cur, const void *data, size_t len)
{
    cur->start = data;
    cur->p = data;
    cur->end = cur->p + len;
}

static inline size_t sl_cur_left(const struct sl_cur *cur)
{
    return (size_t)(cur->end - cur->p);
}

/* Offset of the cursor from start. */
static inline size_t sl_cur_off(const struct sl_cur *cur)
{
    return (size_t)(cur->p - cur->start);
}

sl_err_t sl_cur_u8(struct sl_cur *cur, uint8_t *out);
sl_err_t sl_cur_u16le(struct sl_cur *cur, uint16_t *out);
sl_err_t sl_cur_u24le(struct sl_cur *cur, uint32_t *out);
sl_err_t sl_cur_u32le(struct sl_cur *cur, uint32_t *out);
sl_err_t sl_cur_u48le(struct sl_cur *cur, uint64_t *out);
sl_err_t sl_cur_u64le(struct sl_cur *cur, uint64_t *out);
/* Unsigned big-endian integer of n bytes (1..8). */
sl_err_t sl_cur_uNbe(struct sl_cur *cur, size_t n, uint64_t *out);
/* Unsigned little-endian integer of n bytes (1..8). */
sl_err_t sl_cur_uNle(struct sl_cur *cur, size_t n, uint64_t *out);
/* MySQL packed integer (length-encoded): 1, 3, 4 or 9 bytes. 0xFB (NULL) is an error here. */
sl_err_t sl_cur_lenenc(struct sl_cur *cur, uint64_t *out);
/* Borrows n bytes: *out points into the cursor's memory. */
sl_err_t sl_cur_bytes(struct sl_cur *cur, size_t n, const uint8_t **out);
sl_err_t sl_cur_skip(struct sl_cur *cur, size_t n);
/* Splits off the next n bytes as a sub-cursor (start = its own first byte). */
sl_err_t sl_cur_sub(struct sl_cur *cur, size_t n, struct sl_cur *sub);

#endif
