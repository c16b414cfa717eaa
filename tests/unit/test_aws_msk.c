/* SPDX-License-Identifier: Apache-2.0 */
/* MSK IAM token: shape (base64url without padding, URL, parameter order, expiry) and the
 * signature, recomputed here independently from the canonical request written out literally
 * and the SigV4 key derivation done with OpenSSL directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/msk.h"
#include "testlib.h"

/* 2015-08-30T12:36:00Z plus 789 ms (sub-second part is dropped by the signer). */
#define NOW_MS (1440938160LL * 1000 + 789)
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "AQoD/tok+en=="

static void hmac_sha256(const void *key, size_t keylen, const char *data, unsigned char out[32])
{
    unsigned int n = 32;
    assert_non_null(
        HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, strlen(data), out, &n));
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(out + 2 * i, 3, "%02x", in[i]);
    }
}

static void expected_signature(const char *creq, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 32;
    assert_true(EVP_Digest(creq, strlen(creq), md, &mdlen, EVP_sha256(), NULL));
    char creq_hex[65];
    hex(md, 32, creq_hex);
    char sts[512];
    snprintf(sts, sizeof(sts),
             "AWS4-HMAC-SHA256\n20150830T123600Z\n"
             "20150830/us-west-2/kafka-cluster/aws4_request\n%s",
             creq_hex);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac_sha256("AWS4" SECRET, strlen("AWS4" SECRET), "20150830", k1);
    hmac_sha256(k1, 32, "us-west-2", k2);
    hmac_sha256(k2, 32, "kafka-cluster", k3);
    hmac_sha256(k3, 32, "aws4_request", k4);
    hmac_sha256(k4, 32, sts, sig);
    hex(sig, 32, out);
}

/* Decodes base64url without padding; fails the test on any other character. */
static char *b64url_decode(const char *s)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t len = strlen(s);
    assert_int_not_equal(len % 4, 1);
    char *out = calloc(1, len + 1);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(alpha, s[i]);
        if (!p || s[i] == '\0') {
            fail_msg("token character %zu (0x%02x) is not base64url", i, (unsigned char)s[i]);
        }
        acc = (acc << 6) | (uint32_t)(p - alpha);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    return out;
}

static void check_token(const char *token_value, const char *creq_query)
{
    struct sl_aws_creds creds;
    assert_int_equal(sl_aws_creds_set(&creds, "AKIDEXAMPLE", SECRET, token_value, 0), SL_OK);
    char *tok = malloc(SL_MSK_IAM_TOKEN_MAX);
    int64_t expiry = 0;
    char errstr[256] = "";
    sl_err_t err = sl_msk_iam_token("us-west-2", &creds, NOW_MS, tok, SL_MSK_IAM_TOKEN_MAX, &expiry,
                                    errstr, sizeof(errstr));
    if (err) {
        fail_msg("sl_msk_iam_token: %s", errstr);
    }
    assert_int_equal(expiry, 1440938160LL * 1000 + 900 * 1000);
    assert_null(strchr(tok, '='));
    char *url = b64url_decode(tok);

    /* The canonical request the signer must have signed, written out literally. */
    char creq[2048];
    snprintf(creq, sizeof(creq),
             "GET\n/\n%s\nhost:kafka.us-west-2.amazonaws.com\n\nhost\n"
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             creq_query);
    char sig[65];
    expected_signature(creq, sig);

    char want[4096];
    const char *tokparam = strstr(creq_query, "&X-Amz-Security-Token=");
    char tokpart[1024] = "";
    if (tokparam) {
        const char *e = strstr(tokparam, "&X-Amz-SignedHeaders");
        snprintf(tokpart, sizeof(tokpart), "%.*s", (int)(e - tokparam), tokparam);
    }
    snprintf(want, sizeof(want),
             "https://kafka.us-west-2.amazonaws.com/"
             "?Action=kafka-cluster%%3AConnect"
             "&User-Agent=sluice%%2F" SL_VERSION "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
             "&X-Amz-Credential=AKIDEXAMPLE%%2F20150830%%2Fus-west-2%%2F"
             "kafka-cluster%%2Faws4_request"
             "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900%s"
             "&X-Amz-Signature=%s&X-Amz-SignedHeaders=host",
             tokpart, sig);
    assert_string_equal(url, want);

    /* The URL form agrees with the token. */
    char *url2 = malloc(SL_MSK_IAM_TOKEN_MAX);
    assert_int_equal(sl_msk_iam_url("us-west-2", &creds, NOW_MS, url2, SL_MSK_IAM_TOKEN_MAX,
                                    &expiry, errstr, sizeof(errstr)),
                     SL_OK);
    assert_string_equal(url2, url);
    free(url2);
    free(url);
    free(tok);
}

static void test_token_with_session_token(void **state)
{
    (void)state;
    check_token(TOKEN, "Action=kafka-cluster%3AConnect"
                       "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                       "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-west-2%2F"
                       "kafka-cluster%2Faws4_request"
                       "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900"
                       "&X-Amz-Security-Token=AQoD%2Ftok%2Ben%3D%3D"
                       "&X-Amz-SignedHeaders=host");
}

static void test_token_without_session_token(void **state)
{
    (void)state;
    check_token(NULL, "Action=kafka-cluster%3AConnect"
                      "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                      "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-west-2%2F"
                      "kafka-cluster%2Faws4_request"
                      "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900"
                      "&X-Amz-SignedHeaders=host");
}

static void test_token_errors(void **state)
{
    (void)state;
    struct sl_aws_creds creds;
    assert_int_equal(sl_aws_creds_set(&creds, "AKIDEXAMPLE", SECRET, TOKEN, 0), SL_OK);
    char tok[64];
    int64_t expiry;
    char errstr[256];
    assert_int_equal(sl_msk_iam_token("us-west-2", &creds, NOW_MS, tok, sizeof(tok), &expiry,
                                      errstr, sizeof(errstr)),
                     SL_ERR_TOOBIG);
    assert_non_null(strstr(errstr, "bytes"));
    /* A region that would change the host name is refused. */
    char big[1024];
    assert_int_equal(sl_msk_iam_token("evil.com/x", &creds, NOW_MS, big, sizeof(big), &expiry,
                                      errstr, sizeof(errstr)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "region"));
    /* Errors never carry the secret or the session token. */
    assert_null(strstr(errstr, SECRET));
    assert_null(strstr(errstr, "tok+en"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_with_session_token),
        cmocka_unit_test(test_token_without_session_token),
        cmocka_unit_test(test_token_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
