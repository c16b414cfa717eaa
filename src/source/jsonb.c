/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the binary JSON decoder lands: reports the format as unsupported so callers
 * fail clearly instead of printing wrong text. */
#include "source/jsonb.h"

#include <stdio.h>

sl_err_t sl_jsonb_to_json(const uint8_t *data, size_t len, struct sl_buf *out, char *errstr,
                          size_t errstr_size)
{
    (void)data;
    (void)len;
    (void)out;
    snprintf(errstr, errstr_size, "binary JSON decoding is not implemented yet");
    return SL_ERR_UNSUPPORTED;
}

sl_err_t sl_jsonb_diff_to_json(const uint8_t *data, size_t len, struct sl_buf *out,
                               char *errstr, size_t errstr_size)
{
    (void)data;
    (void)len;
    (void)out;
    snprintf(errstr, errstr_size, "JSON diff decoding is not implemented yet");
    return SL_ERR_UNSUPPORTED;
}
