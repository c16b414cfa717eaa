/* SPDX-License-Identifier: Apache-2.0 */
/* AWS Signature Version 4 (aws-auth.md §1): canonical request, string to sign, signing key
 * (cached per credentials/date/region/service), Authorization header, and the presigned
 * query-string form. Proven against the official test vectors in fixtures/sigv4/.
 *
 * Typical DynamoDB use (one POST to "/"):
 *
 *     struct sl_sigv4_header hdrs[] = {
 *         {"Content-Type", "application/x-amz-json-1.0"},
 *         {"Host", "dynamodb.eu-west-1.amazonaws.com"},
 *         {"X-Amz-Target", "DynamoDB_20120810.BatchWriteItem"},
 *     };
 *     struct sl_sigv4_request req = {.method = "POST", .path = "/",
 *         .headers = hdrs, .n_headers = 3, .payload = body, .payload_len = len};
 *     struct sl_sigv4_params p = {.region = "eu-west-1", .service = "dynamodb",
 *         .time_s = time(NULL), .normalize_path = true};
 *     struct sl_sigv4_result res;
 *     sl_sigv4_result_init(&res);
 *     err = sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr));
 *     for (size_t i = 0; i < res.n_add; i++)  -> send "res.add[i].name: res.add[i].value.data"
 *     sl_sigv4_result_fini(&res);
 *
 * The headers given are exactly the headers signed: pass only headers whose value is sent
 * verbatim (not User-Agent or Content-Length unless you set them yourself). */
#ifndef SL_AWS_SIGV4_H
#define SL_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/creds.h"
#include "core/buf.h"
#include "core/err.h"

#define SL_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* A request header, borrowed. value may contain folded continuation lines ("a\n  b"). */
struct sl_sigv4_header {
    const char *name;
    const char *value;
};

/* The request to sign; every pointer is borrowed for the call. */
struct sl_sigv4_request {
    const char *method; /* "GET", "POST", ... as sent */
    const char *path;   /* raw (unencoded) absolute path, e.g. "/" or "/example space/" */
    const char *query;  /* raw query without '?', "a=1&b=%E1%88%B4"; NULL or "" = none */
    const struct sl_sigv4_header *headers; /* must contain Host */
    size_t n_headers;
    const void *payload;
    size_t payload_len;
    /* Optional precomputed payload hash ("UNSIGNED-PAYLOAD" or 64 hex digits); NULL means
     * SHA-256 of payload. */
    const char *payload_hash;
};

struct sl_sigv4_params {
    const char *region;  /* "us-east-1" */
    const char *service; /* "dynamodb", "kafka-cluster", "sts" */
    int64_t time_s;      /* signing time, Unix seconds (UTC) */
    /* URI normalisation (drop "." and empty segments, resolve ".."). true for every service
     * except S3. */
    bool normalize_path;
    /* Add and sign x-amz-content-sha256 (header form only). */
    bool sign_body;
    /* Add the session token after signing instead of signing it (rare; STS-style). */
    bool omit_session_token;
    /* Presigned form only: X-Amz-Expires in seconds (1..604800). */
    int64_t expires_s;
};

#define SL_SIGV4_MAX_ADD 4

/* Result of a signing call. Fields are readable; only sigv4.c writes them. */
struct sl_sigv4_result {
    struct sl_buf canonical_request; /* step 1, no trailing newline */
    struct sl_buf string_to_sign;    /* step 2 */
    char signature[65];              /* lower-case hex */
    char amz_date[17];               /* YYYYMMDDTHHMMSSZ */
    /* Header form: headers to add to the request, in this order (X-Amz-Security-Token,
     * X-Amz-Date, x-amz-content-sha256, Authorization; each only when applicable). */
    size_t n_add;
    struct {
        const char *name; /* static string */
        struct sl_buf value;
    } add[SL_SIGV4_MAX_ADD];
    /* Presigned form: the parameters to append to the request's query (after the caller's
     * own parameters and '&'), already encoded, ending with X-Amz-Signature, e.g.
     * "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Signature=<hex>". */
    struct sl_buf query;
};

void sl_sigv4_result_init(struct sl_sigv4_result *res);
/* Releases the buffers (the canonical request can carry the session token: it is zeroed). */
void sl_sigv4_result_fini(struct sl_sigv4_result *res);

/* Signs with the Authorization header. res must be initialised; it is reset first.
 * Errors: SL_ERR_INVALID (no Host header, bad header name, bad path, empty credentials),
 * SL_ERR_TOOBIG (a value exceeds the bounded buffers), with errstr naming the thing.
 * Thread: any (the signing-key cache has its own lock). */
sl_err_t sl_sigv4_sign(const struct sl_sigv4_request *req, const struct sl_sigv4_params *params,
                       const struct sl_aws_creds *creds, struct sl_sigv4_result *res, char *errstr,
                       size_t errstr_size);

/* Presigns (query form): fills res->query with the X-Amz-* parameters including the
 * signature; res->n_add is 0. Same errors as sl_sigv4_sign. Thread: any. */
sl_err_t sl_sigv4_presign(const struct sl_sigv4_request *req, const struct sl_sigv4_params *params,
                          const struct sl_aws_creds *creds, struct sl_sigv4_result *res,
                          char *errstr, size_t errstr_size);

/* ---- Building blocks (exposed for tests and the MSK token) ---- */

/* Lower-case hex SHA-256 of data into out[65]. */
void sl_sigv4_sha256_hex(const void *data, size_t len, char out[65]);
/* kSigning for the scope into out[32]; cached per (key id, secret, date, region, service).
 * date is "YYYYMMDD". */
void sl_sigv4_signing_key(const struct sl_aws_creds *creds, const char *date, const char *region,
                          const char *service, unsigned char out[32]);
/* Appends the RFC 3986 encoding of bytes (unreserved A-Z a-z 0-9 - _ . ~ kept, everything
 * else %XX upper-case); '/' is kept when keep_slash. */
sl_err_t sl_sigv4_uri_encode(struct sl_buf *buf, const char *s, size_t len, bool keep_slash);
/* Formats Unix seconds as "YYYYMMDDTHHMMSSZ" into out[17]. */
void sl_sigv4_amz_date(int64_t time_s, char out[17]);

#endif
