/* SPDX-License-Identifier: Apache-2.0 */
/* The credentials value type: bounded copies of the key id, secret and session token, and
 * wiping them when done. The provider chain that fills it lives in provider.c. */
#include "aws/creds.h"

#include <openssl/crypto.h>
#include <string.h>

static sl_err_t copy_field(char *dst, size_t cap, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= cap) {
        return SL_ERR_TOOBIG;
    }
    if (len) {
        memcpy(dst, src, len);
    }
    dst[len] = '\0';
    return SL_OK;
}

sl_err_t sl_aws_creds_set(struct sl_aws_creds *creds, const char *akid, const char *secret,
                          const char *token, int64_t expiration_ms)
{
    if (!akid || !akid[0] || !secret || !secret[0]) {
        return SL_ERR_INVALID;
    }
    struct sl_aws_creds tmp;
    tmp.expiration_ms = expiration_ms;
    sl_err_t err = copy_field(tmp.access_key_id, sizeof(tmp.access_key_id), akid);
    if (!err) {
        err = copy_field(tmp.secret_access_key, sizeof(tmp.secret_access_key), secret);
    }
    if (!err) {
        err = copy_field(tmp.session_token, sizeof(tmp.session_token), token);
    }
    if (!err) {
        memcpy(creds, &tmp, sizeof(tmp));
    }
    sl_aws_creds_wipe(&tmp);
    return err;
}

void sl_aws_creds_wipe(struct sl_aws_creds *creds)
{
    OPENSSL_cleanse(creds->secret_access_key, sizeof(creds->secret_access_key));
    OPENSSL_cleanse(creds->session_token, sizeof(creds->session_token));
}
