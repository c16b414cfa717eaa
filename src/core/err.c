/* SPDX-License-Identifier: Apache-2.0 */
/* Error names, messages and retry policy, as one table (curl's strerror, rd_kafka_err2str). */
#include "core/err.h"

#include <stddef.h>

static const struct {
    const char *name;
    const char *msg;
    bool retriable;
} errtab[SL_ERR__COUNT] = {
    [SL_OK] = {"SL_OK", "success", false},
    [SL_ERR_TOOBIG] = {"SL_ERR_TOOBIG", "data exceeds a size limit", false},
    [SL_ERR_IO] = {"SL_ERR_IO", "input/output error", true},
    [SL_ERR_PROTO] = {"SL_ERR_PROTO", "malformed data", false},
    [SL_ERR_CONF] = {"SL_ERR_CONF", "invalid configuration", false},
    [SL_ERR_AGAIN] = {"SL_ERR_AGAIN", "resource busy, try again", true},
    [SL_ERR_UPSTREAM] = {"SL_ERR_UPSTREAM", "upstream server error", true},
    [SL_ERR_THROTTLED] = {"SL_ERR_THROTTLED", "throttled by upstream", true},
    [SL_ERR_SHUTDOWN] = {"SL_ERR_SHUTDOWN", "shutting down", false},
    [SL_ERR_EOF] = {"SL_ERR_EOF", "end of stream", false},
    [SL_ERR_NOTFOUND] = {"SL_ERR_NOTFOUND", "not found", false},
    [SL_ERR_CHECKSUM] = {"SL_ERR_CHECKSUM", "checksum mismatch", false},
    [SL_ERR_UNSUPPORTED] = {"SL_ERR_UNSUPPORTED", "not supported", false},
    [SL_ERR_AUTH] = {"SL_ERR_AUTH", "authentication failed", false},
    [SL_ERR_INVALID] = {"SL_ERR_INVALID", "invalid value", false},
};

const char *sl_err_name(sl_err_t err)
{
    if ((unsigned)err >= SL_ERR__COUNT)
        return "SL_ERR_UNKNOWN";
    return errtab[err].name;
}

const char *sl_err_str(sl_err_t err)
{
    if ((unsigned)err >= SL_ERR__COUNT)
        return "unknown error";
    return errtab[err].msg;
}

bool sl_err_is_retriable(sl_err_t err)
{
    if ((unsigned)err >= SL_ERR__COUNT)
        return false;
    return errtab[err].retriable;
}
