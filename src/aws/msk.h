/* SPDX-License-Identifier: Apache-2.0 */
/* MSK IAM authentication token for librdkafka's SASL OAUTHBEARER (aws-auth.md §4.3), built
 * as the aws-msk-iam-sasl-signer libraries do: a SigV4-presigned GET of
 * https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect (service
 * kafka-cluster, X-Amz-Expires=900, session token signed), a User-Agent parameter added after
 * signing, the whole URL base64url-encoded without padding.
 *
 * Wiring (Kafka stage): in the oauthbearer token refresh callback, get credentials with
 * sl_aws_provider_get, call sl_msk_iam_token, then
 * rd_kafka_oauthbearer_set_token(rk, token, expiry_ms, principal, NULL, 0, ...) where
 * expiry_ms is absolute and principal any non-NULL string (MSK derives the identity from the
 * signature); on error, rd_kafka_oauthbearer_set_token_failure(rk, errstr). */
#ifndef SL_AWS_MSK_H
#define SL_AWS_MSK_H

#include <stddef.h>
#include <stdint.h>

#include "aws/creds.h"
#include "core/err.h"

/* Large enough for any token built from credentials that fit struct sl_aws_creds. */
#define SL_MSK_IAM_TOKEN_MAX 16384
/* Lifetime of a token (X-Amz-Expires). */
#define SL_MSK_IAM_EXPIRES_S 900

/* Builds the token for the cluster's region into out (NUL-terminated) and sets *expiry_ms to
 * the absolute expiry (signing time + 900 s, ms since the epoch). now_ms is the signing time
 * (wall clock, ms since the epoch). Errors: SL_ERR_INVALID (bad region, empty credentials),
 * SL_ERR_TOOBIG (out_size too small; SL_MSK_IAM_TOKEN_MAX always suffices), with errstr set.
 * The token embeds the session token: never log it. Thread: any. */
sl_err_t sl_msk_iam_token(const char *region, const struct sl_aws_creds *creds, int64_t now_ms,
                          char *out, size_t out_size, int64_t *expiry_ms, char *errstr,
                          size_t errstr_size);

/* The unencoded signed URL behind a token (for tests and debugging; it contains the session
 * token). Same arguments and errors as sl_msk_iam_token. */
sl_err_t sl_msk_iam_url(const char *region, const struct sl_aws_creds *creds, int64_t now_ms,
                        char *out, size_t out_size, int64_t *expiry_ms, char *errstr,
                        size_t errstr_size);

#endif
