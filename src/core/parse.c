/* SPDX-License-Identifier: Apache-2.0 */
/* Checked parsing; see parse.h. */
#include "core/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

/* Digits only, at least one, to the end of the string; false on overflow. Hand-written
 * rather than strtoull: the snapshot parses every integer column of every row with it, and
 * strtoull's locale and base handling cost more than the rest of the value parsing. */
static bool digits_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (p == s || *p)
        return false;
    *out = v;
    return true;
}

sl_err_t sl_parse_i64(const char *s, int64_t *out)
{
    if (!s)
        return SL_ERR_INVALID;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    uint64_t u;
    if (!digits_u64(s, &u) || u > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return SL_ERR_INVALID;
    /* 0 - u wraps to the two's complement value; INT64_MIN included. */
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return SL_OK;
}

sl_err_t sl_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !digits_u64(s, out))
        return SL_ERR_INVALID;
    return SL_OK;
}

sl_err_t sl_parse_double(const char *s, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return SL_ERR_INVALID;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end)
        return SL_ERR_INVALID;
    *out = v;
    return SL_OK;
}

sl_err_t sl_parse_bool(const char *s, bool *out)
{
    if (s && strcasecmp(s, "true") == 0) {
        *out = true;
        return SL_OK;
    }
    if (s && strcasecmp(s, "false") == 0) {
        *out = false;
        return SL_OK;
    }
    return SL_ERR_INVALID;
}
