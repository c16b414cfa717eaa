/* SPDX-License-Identifier: Apache-2.0 */
/* Bounds-checked little/big-endian readers; see cur.h. */
#include "core/cur.h"

sl_err_t sl_cur_uNle(struct sl_cur *cur, size_t n, uint64_t *out)
{
    if (n == 0 || n > 8 || sl_cur_left(cur) < n)
        return SL_ERR_PROTO;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)cur->p[i] << (8 * i);
    cur->p += n;
    *out = v;
    return SL_OK;
}

sl_err_t sl_cur_uNbe(struct sl_cur *cur, size_t n, uint64_t *out)
{
    if (n == 0 || n > 8 || sl_cur_left(cur) < n)
        return SL_ERR_PROTO;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | cur->p[i];
    cur->p += n;
    *out = v;
    return SL_OK;
}

sl_err_t sl_cur_u8(struct sl_cur *cur, uint8_t *out)
{
    if (cur->p >= cur->end)
        return SL_ERR_PROTO;
    *out = *cur->p++;
    return SL_OK;
}

sl_err_t sl_cur_u16le(struct sl_cur *cur, uint16_t *out)
{
    uint64_t v;
    sl_err_t err = sl_cur_uNle(cur, 2, &v);
    if (err)
        return err;
    *out = (uint16_t)v;
    return SL_OK;
}

sl_err_t sl_cur_u24le(struct sl_cur *cur, uint32_t *out)
{
    uint64_t v;
    sl_err_t err = sl_cur_uNle(cur, 3, &v);
    if (err)
        return err;
    *out = (uint32_t)v;
    return SL_OK;
}

sl_err_t sl_cur_u32le(struct sl_cur *cur, uint32_t *out)
{
    uint64_t v;
    sl_err_t err = sl_cur_uNle(cur, 4, &v);
    if (err)
        return err;
    *out = (uint32_t)v;
    return SL_OK;
}

sl_err_t sl_cur_u48le(struct sl_cur *cur, uint64_t *out)
{
    return sl_cur_uNle(cur, 6, out);
}

sl_err_t sl_cur_u64le(struct sl_cur *cur, uint64_t *out)
{
    return sl_cur_uNle(cur, 8, out);
}

sl_err_t sl_cur_lenenc(struct sl_cur *cur, uint64_t *out)
{
    if (cur->p >= cur->end)
        return SL_ERR_PROTO;
    uint8_t b = cur->p[0];
    size_t n;
    if (b < 0xfb) {
        cur->p++;
        *out = b;
        return SL_OK;
    }
    if (b == 0xfc)
        n = 2;
    else if (b == 0xfd)
        n = 3;
    else if (b == 0xfe)
        n = 8;
    else
        return SL_ERR_PROTO;
    if (sl_cur_left(cur) < 1 + n)
        return SL_ERR_PROTO;
    cur->p++;
    return sl_cur_uNle(cur, n, out);
}

sl_err_t sl_cur_bytes(struct sl_cur *cur, size_t n, const uint8_t **out)
{
    if (sl_cur_left(cur) < n)
        return SL_ERR_PROTO;
    *out = cur->p;
    cur->p += n;
    return SL_OK;
}

sl_err_t sl_cur_skip(struct sl_cur *cur, size_t n)
{
    if (sl_cur_left(cur) < n)
        return SL_ERR_PROTO;
    cur->p += n;
    return SL_OK;
}

sl_err_t sl_cur_sub(struct sl_cur *cur, size_t n, struct sl_cur *sub)
{
    if (sl_cur_left(cur) < n)
        return SL_ERR_PROTO;
    sl_cur_init(sub, cur->p, n);
    cur->p += n;
    return SL_OK;
}
