/* SPDX-License-Identifier: Apache-2.0 */
/* String views; see str.h. */
#include "core/str.h"

#include <string.h>
#include <strings.h>

struct sl_str sl_str_c(const char *cstr)
{
    return (struct sl_str){cstr, cstr ? strlen(cstr) : 0};
}

bool sl_str_eq(struct sl_str a, struct sl_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool sl_str_eq_c(struct sl_str a, const char *cstr)
{
    return sl_str_eq(a, sl_str_c(cstr));
}

bool sl_str_caseeq(struct sl_str a, struct sl_str b)
{
    return a.len == b.len && (a.len == 0 || strncasecmp(a.ptr, b.ptr, a.len) == 0);
}

bool sl_str_startswith(struct sl_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

int sl_str_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
