/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of the incremental snapshot (incsnap.c, incsnap_json.c): the bounded JSON reader
 * for signal data and the state document. Not for other modules. */
#ifndef SL_SOURCE_INCSNAP_INT_H
#define SL_SOURCE_INCSNAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define SL_JP_DEPTH 32

/* Cursor over s[0..n); err holds the first failure ("what at offset N"). */
struct sl_jp {
    const char *s;
    size_t n, i;
    char err[160];
};

/* Records what failed at the current offset (first failure wins); returns false. */
bool sl_jp_fail(struct sl_jp *p, const char *what);
void sl_jp_ws(struct sl_jp *p);
/* Skips white space; consumes ch when it comes next. */
bool sl_jp_lit(struct sl_jp *p, char ch);
/* A string into out (reset first; bounded by out's maximum). \uXXXX becomes UTF-8. */
bool sl_jp_str(struct sl_jp *p, struct sl_buf *out);
/* Any value, nesting at most SL_JP_DEPTH. */
bool sl_jp_skip(struct sl_jp *p, int depth);
bool sl_jp_u64(struct sl_jp *p, uint64_t *out);
/* An array of strings, each appended as an owned copy to *items / *n (at most max). */
bool sl_jp_strarr(struct sl_jp *p, char ***items, size_t *n, size_t max, struct sl_buf *tmp);

#endif
