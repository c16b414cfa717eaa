/* SPDX-License-Identifier: Apache-2.0 */
/* Non-owning string view (ngx_str_t). Binlog strings are length-prefixed, not NUL-terminated,
 * so views are what the decoder produces. A view never outlives the memory it points into. */
#ifndef SL_CORE_STR_H
#define SL_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>

struct sl_str {
    const char *ptr;
    size_t len;
};

#define SL_STR(lit) ((struct sl_str){(lit), sizeof(lit) - 1})
#define SL_STR_NULL ((struct sl_str){NULL, 0})
/* printf("%.*s", SL_STR_FMT(s)) */
#define SL_STR_FMT(s) (int)(s).len, (s).ptr

struct sl_str sl_str_c(const char *cstr);
bool sl_str_eq(struct sl_str a, struct sl_str b);
bool sl_str_eq_c(struct sl_str a, const char *cstr);
/* ASCII case-insensitive equality. */
bool sl_str_caseeq(struct sl_str a, struct sl_str b);
bool sl_str_startswith(struct sl_str s, const char *prefix);
/* Value of one hexadecimal digit (either case), -1 for any other byte. */
int sl_str_hexval(int c);

#endif
