/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the binary JSON decoder: the first byte picks a document (even) or a
 * PARTIAL_UPDATE_ROWS diff list (odd), the rest is the input. Output is capped at 1 MiB so
 * documents that reuse one sub-value many times stay cheap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "source/jsonb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct sl_buf buf;
    char errstr[256];
    sl_buf_init(&buf, (size_t)1 << 20);
    sl_err_t err = (data[0] & 1)
                       ? sl_jsonb_diff_to_json(data + 1, size - 1, &buf, errstr, sizeof(errstr))
                       : sl_jsonb_to_json(data + 1, size - 1, &buf, errstr, sizeof(errstr));
    /* Failure must leave the buffer as it was; success must produce some text. */
    if (err && buf.len != 0)
        abort();
    if (!err && buf.len == 0)
        abort();
    if (err && memchr(errstr, '\0', sizeof(errstr)) == NULL)
        abort();
    sl_buf_fini(&buf);
    return 0;
}
