/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to src/aws/: one blocking HTTP request over libcurl's easy interface with short
 * timeouts and a bounded response, for the credential endpoints (STS, ECS, IMDS). Not for
 * bulk traffic: the DynamoDB sink has its own curl multi loop. */
#ifndef SL_AWS_HTTP_H
#define SL_AWS_HTTP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_AWS_HTTP_RESP_MAX ((size_t)256 << 10)

struct sl_aws_http {
    const char *method; /* "GET", "PUT", "POST" */
    const char *url;
    const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
    const char *body;           /* may be NULL */
    size_t body_len;
    long timeout_ms;
    int retries; /* extra attempts after a transport error or 5xx */
};

/* Performs the request; on a completed exchange returns SL_OK with *status and the body in
 * resp (which must be initialised; it is reset). On a transport failure returns SL_ERR_IO
 * and writes a short reason into why ("timed out after 1s", "connection refused"), never
 * including headers or body. Thread: any. */
sl_err_t sl_aws_http_do(const struct sl_aws_http *req, long *status, struct sl_buf *resp, char *why,
                        size_t why_size);

#endif
