/* SPDX-License-Identifier: Apache-2.0 */
/* Checked parsing; see parse.h. */
#include "core/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

sl_err_t sl_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return SL_ERR_INVALID;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return SL_ERR_INVALID;
    *out = v;
    return SL_OK;
}

sl_err_t sl_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s))
        return SL_ERR_INVALID;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return SL_ERR_INVALID;
    *out = v;
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
