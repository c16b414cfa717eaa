/* SPDX-License-Identifier: Apache-2.0 */
/* MSK IAM OAUTHBEARER token: SigV4-presigned kafka-cluster:Connect URL, base64url without
 * padding, in the parameter order of aws-msk-iam-sasl-signer-go (Go's url.Values.Encode
 * sorts every parameter by name after the User-Agent is added). */
#include "aws/msk.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/buf.h"
#include "core/json.h"

#ifndef SL_VERSION
#define SL_VERSION "0"
#endif

#define MSK_USER_AGENT "sluice/" SL_VERSION

static void seterr(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    if (!errstr || errstr_size == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

static bool region_ok(const char *region)
{
    size_t len = strlen(region);
    if (len == 0 || len > 32) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = region[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return false;
        }
    }
    return true;
}

static sl_err_t build_url(struct sl_buf *url, const char *region, const struct sl_aws_creds *creds,
                          int64_t now_ms, int64_t *expiry_ms, char *errstr, size_t errstr_size)
{
    if (!region || !region_ok(region)) {
        seterr(errstr, errstr_size, "msk iam: invalid region \"%.40s\"", region ? region : "");
        return SL_ERR_INVALID;
    }
    char host[64];
    snprintf(host, sizeof(host), "kafka.%s.amazonaws.com", region);
    struct sl_sigv4_header hdrs[] = {{"host", host}};
    struct sl_sigv4_request req = {
        .method = "GET",
        .path = "/",
        .query = "Action=kafka-cluster%3AConnect",
        .headers = hdrs,
        .n_headers = 1,
    };
    int64_t time_s = now_ms / 1000;
    struct sl_sigv4_params params = {
        .region = region,
        .service = "kafka-cluster",
        .time_s = time_s,
        .normalize_path = true,
        .expires_s = SL_MSK_IAM_EXPIRES_S,
    };
    struct sl_sigv4_result res;
    sl_sigv4_result_init(&res);
    sl_err_t err = sl_sigv4_presign(&req, &params, creds, &res, errstr, errstr_size);
    if (err) {
        goto out;
    }

    char scope[256];
    snprintf(scope, sizeof(scope), "%s/%.8s/%s/kafka-cluster/aws4_request", creds->access_key_id,
             res.amz_date, region);
    err = sl_buf_addf(url,
                      "https://%s/?Action=kafka-cluster%%3AConnect"
                      "&User-Agent=",
                      host);
    if (!err) {
        err = sl_sigv4_uri_encode(url, MSK_USER_AGENT, strlen(MSK_USER_AGENT), false);
    }
    if (!err) {
        err = sl_buf_addstr(url, "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                                 "&X-Amz-Credential=");
    }
    if (!err) {
        err = sl_sigv4_uri_encode(url, scope, strlen(scope), false);
    }
    if (!err) {
        err =
            sl_buf_addf(url, "&X-Amz-Date=%s&X-Amz-Expires=%d", res.amz_date, SL_MSK_IAM_EXPIRES_S);
    }
    if (!err && creds->session_token[0]) {
        err = sl_buf_addstr(url, "&X-Amz-Security-Token=");
        if (!err) {
            err =
                sl_sigv4_uri_encode(url, creds->session_token, strlen(creds->session_token), false);
        }
    }
    if (!err) {
        err = sl_buf_addf(url, "&X-Amz-Signature=%s&X-Amz-SignedHeaders=host", res.signature);
    }
    if (err) {
        seterr(errstr, errstr_size, "msk iam: token longer than %zu bytes", url->max);
        goto out;
    }
    *expiry_ms = time_s * 1000 + (int64_t)SL_MSK_IAM_EXPIRES_S * 1000;
out:
    sl_sigv4_result_fini(&res);
    return err;
}

static sl_err_t copy_out(const struct sl_buf *src, char *out, size_t out_size, char *errstr,
                         size_t errstr_size)
{
    if (src->len + 1 > out_size) {
        seterr(errstr, errstr_size,
               "msk iam: token needs %zu bytes, the "
               "buffer has %zu",
               src->len + 1, out_size);
        return SL_ERR_TOOBIG;
    }
    memcpy(out, sl_buf_cstr(src), src->len + 1);
    return SL_OK;
}

static void wipe(struct sl_buf *buf)
{
    if (buf->data) {
        OPENSSL_cleanse(buf->data, buf->len);
    }
    sl_buf_fini(buf);
}

sl_err_t sl_msk_iam_url(const char *region, const struct sl_aws_creds *creds, int64_t now_ms,
                        char *out, size_t out_size, int64_t *expiry_ms, char *errstr,
                        size_t errstr_size)
{
    struct sl_buf url;
    sl_buf_init(&url, SL_MSK_IAM_TOKEN_MAX);
    sl_err_t err = build_url(&url, region, creds, now_ms, expiry_ms, errstr, errstr_size);
    if (!err) {
        err = copy_out(&url, out, out_size, errstr, errstr_size);
    }
    wipe(&url);
    return err;
}

sl_err_t sl_msk_iam_token(const char *region, const struct sl_aws_creds *creds, int64_t now_ms,
                          char *out, size_t out_size, int64_t *expiry_ms, char *errstr,
                          size_t errstr_size)
{
    struct sl_buf url, b64;
    sl_buf_init(&url, SL_MSK_IAM_TOKEN_MAX);
    sl_buf_init(&b64, SL_MSK_IAM_TOKEN_MAX * 2);
    sl_err_t err = build_url(&url, region, creds, now_ms, expiry_ms, errstr, errstr_size);
    if (err) {
        goto out;
    }
    err = sl_base64_add(&b64, url.data, url.len);
    if (err) {
        seterr(errstr, errstr_size, "msk iam: token too long");
        goto out;
    }
    /* Standard base64 to base64url (RFC 4648 §5), padding dropped. */
    size_t len = b64.len;
    while (len > 0 && b64.data[len - 1] == '=') {
        len--;
    }
    sl_buf_truncate(&b64, len);
    for (size_t i = 0; i < b64.len; i++) {
        if (b64.data[i] == '+') {
            b64.data[i] = '-';
        } else if (b64.data[i] == '/') {
            b64.data[i] = '_';
        }
    }
    err = copy_out(&b64, out, out_size, errstr, errstr_size);
out:
    wipe(&url);
    wipe(&b64);
    return err;
}
