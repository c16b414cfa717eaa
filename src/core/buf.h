/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded, growable byte buffer (curl dynbuf). Always NUL-terminated after len so data can go
 * to C APIs. Appending past max returns SL_ERR_TOOBIG and leaves the buffer unchanged.
 * Fields are readable by anyone; only buf.c writes them. */
#ifndef SL_CORE_BUF_H
#define SL_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "core/err.h"

struct sl_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* hard limit on len */
};

#define SL_BUF_MAX_DEFAULT ((size_t)64 << 20)

void sl_buf_init(struct sl_buf *buf, size_t max);
/* Ensures room for n more bytes (plus the NUL). */
sl_err_t sl_buf_reserve(struct sl_buf *buf, size_t n);
/* Appends through sl_buf_reserve; sl_buf_add and sl_buf_addch below only take this path
 * when the allocation must grow (or the bound is hit). */
sl_err_t sl_buf_add_grow(struct sl_buf *buf, const void *mem, size_t len);

/* Inline because the converter appends a few bytes at a time, several dozen times per
 * record: the calls cost more than the copies (bench/source_kafka profile). */
static inline sl_err_t sl_buf_add(struct sl_buf *buf, const void *mem, size_t len)
{
    /* Room for len bytes and the NUL: len + 1 <= cap - len_used (cap <= max + 1). */
    if (len < buf->cap - buf->len) {
        if (len)
            memcpy(buf->data + buf->len, mem, len);
        buf->len += len;
        buf->data[buf->len] = '\0';
        return SL_OK;
    }
    return sl_buf_add_grow(buf, mem, len);
}

static inline sl_err_t sl_buf_addch(struct sl_buf *buf, char ch)
{
    if (buf->len + 1 < buf->cap) {
        buf->data[buf->len++] = ch;
        buf->data[buf->len] = '\0';
        return SL_OK;
    }
    return sl_buf_add_grow(buf, &ch, 1);
}

sl_err_t sl_buf_addstr(struct sl_buf *buf, const char *s);
sl_err_t sl_buf_addf(struct sl_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
sl_err_t sl_buf_vaddf(struct sl_buf *buf, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Empties the buffer, keeping its allocation. */
void sl_buf_reset(struct sl_buf *buf);
/* Shortens the buffer to len bytes (len <= buf->len). */
void sl_buf_truncate(struct sl_buf *buf, size_t len);
/* Releases the allocation; the buffer can be reused after sl_buf_init. */
void sl_buf_fini(struct sl_buf *buf);
/* Detaches and returns the allocation (NUL-terminated, never NULL); the buffer is empty after. */
char *sl_buf_take(struct sl_buf *buf, size_t *len);
/* The contents as a C string ("" when empty). */
const char *sl_buf_cstr(const struct sl_buf *buf);

#endif
