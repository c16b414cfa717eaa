/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded byte buffer; see buf.h. */
#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

void sl_buf_init(struct sl_buf *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max ? max : SL_BUF_MAX_DEFAULT;
}

sl_err_t sl_buf_reserve(struct sl_buf *buf, size_t n)
{
    if (n > buf->max - buf->len)
        return SL_ERR_TOOBIG;
    size_t need = buf->len + n + 1;
    if (need <= buf->cap)
        return SL_OK;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > buf->max + 1)
        cap = buf->max + 1;
    buf->data = sl_xrealloc(buf->data, cap);
    buf->cap = cap;
    return SL_OK;
}

sl_err_t sl_buf_add_grow(struct sl_buf *buf, const void *mem, size_t len)
{
    sl_err_t err = sl_buf_reserve(buf, len);
    if (err)
        return err;
    if (len)
        memcpy(buf->data + buf->len, mem, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return SL_OK;
}

sl_err_t sl_buf_addstr(struct sl_buf *buf, const char *s)
{
    return sl_buf_add(buf, s, strlen(s));
}

sl_err_t sl_buf_vaddf(struct sl_buf *buf, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return SL_ERR_INVALID;
    if ((size_t)n < sizeof(small))
        return sl_buf_add(buf, small, (size_t)n);
    sl_err_t err = sl_buf_reserve(buf, (size_t)n);
    if (err)
        return err;
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    buf->len += (size_t)n;
    return SL_OK;
}

sl_err_t sl_buf_addf(struct sl_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_err_t err = sl_buf_vaddf(buf, fmt, ap);
    va_end(ap);
    return err;
}

void sl_buf_reset(struct sl_buf *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

void sl_buf_truncate(struct sl_buf *buf, size_t len)
{
    if (len < buf->len) {
        buf->len = len;
        buf->data[len] = '\0';
    }
}

void sl_buf_fini(struct sl_buf *buf)
{
    sl_free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

char *sl_buf_take(struct sl_buf *buf, size_t *len)
{
    char *p = buf->data ? buf->data : sl_xcalloc(1, 1);
    if (len)
        *len = buf->len;
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return p;
}

const char *sl_buf_cstr(const struct sl_buf *buf)
{
    return buf->data ? buf->data : "";
}
