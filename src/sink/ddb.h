/* SPDX-License-Identifier: Apache-2.0 */
/* DynamoDB client over the libcurl multi interface: AWS JSON 1.0 requests (POST /,
 * X-Amz-Target DynamoDB_20120810.<Op>), SigV4-signed, several in flight on kept-alive
 * connections, each response classified by retry policy (dynamodb-sink.md §3.5).
 * Thread: one thread owns a client (the sink thread). */
#ifndef SL_SINK_DDB_H
#define SL_SINK_DDB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct sl_aws_provider;
struct sl_aws_creds;

/* What the caller should do with a finished request. */
typedef enum {
    SL_DDB_OK = 0,
    SL_DDB_THROTTLED, /* throttling codes, HTTP 429: back off and retry */
    SL_DDB_TRANSIENT, /* HTTP 5xx, transport errors, timeouts: back off and retry */
    SL_DDB_INVALID,   /* ValidationException, SerializationException, 413: the data */
    SL_DDB_NOTFOUND,  /* ResourceNotFoundException */
    SL_DDB_INUSE,     /* ResourceInUseException */
    SL_DDB_CONDITION, /* ConditionalCheckFailedException */
    SL_DDB_AUTH,      /* rejected or missing credentials / signature */
    SL_DDB_FATAL,     /* anything else: do not retry */
} sl_ddb_class_t;

/* A finished request, valid during the completion callback (body borrowed). */
struct sl_ddb_resp {
    sl_ddb_class_t cls;
    long status;       /* HTTP status; 0 when no response arrived */
    char type[128];    /* error code ("ValidationException") or transport error name */
    char message[512]; /* server message or transport error text */
    const char *body;
    size_t body_len;
};

struct sl_ddb_conf {
    const char
        *endpoint;      /* aws.dynamodb.endpoint; NULL = https://dynamodb.<region>.amazonaws.com */
    const char *region; /* signing region (required) */
    struct sl_aws_provider *prov;     /* borrowed; NULL = use creds */
    const struct sl_aws_creds *creds; /* static credentials when prov is NULL (copied) */
    const char *proxy_url;            /* aws.dynamodb.proxy.url; may be NULL */
    const char *proxy_user;           /* may be NULL */
    const char *proxy_password;       /* may be NULL; never logged */
    int max_inflight;                 /* concurrent HTTP requests; 0 = 8 */
    long timeout_ms;                  /* per request; 0 = 30000 */
};

struct sl_ddb;

/* Creates a client (no connection yet). NULL with errstr on a bad endpoint/region. */
struct sl_ddb *sl_ddb_new(const struct sl_ddb_conf *conf, char *errstr, size_t errstr_size);
/* Cancels requests still running (each done callback runs with type "cancelled") and frees
 * the client. */
void sl_ddb_free(struct sl_ddb *ddb);

typedef void sl_ddb_done_fn(const struct sl_ddb_resp *resp, void *opaque);

/* Starts op (e.g. "BatchWriteItem") with a JSON body (copied). done runs later from
 * sl_ddb_poll or sl_ddb_call. SL_ERR_AGAIN when max_inflight requests are running;
 * SL_ERR_AUTH when no credentials can be had (errstr says why). */
sl_err_t sl_ddb_send(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                     sl_ddb_done_fn *done, void *opaque, char *errstr, size_t errstr_size);
int sl_ddb_inflight(const struct sl_ddb *ddb);
bool sl_ddb_full(const struct sl_ddb *ddb);

/* Waits up to timeout_ms for network activity and runs the callbacks of finished requests. */
sl_err_t sl_ddb_poll(struct sl_ddb *ddb, int timeout_ms);

/* Blocking call: sends and polls until this request finishes (other requests' callbacks may
 * run meanwhile). The body goes to out (reset first), the classification to *resp.
 * Returns SL_OK when a response was classified (check resp->cls), else the send error. */
sl_err_t sl_ddb_call(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                     struct sl_buf *out, struct sl_ddb_resp *resp, char *errstr,
                     size_t errstr_size);

/* Classification of a response by HTTP status and error code (exposed for tests). */
sl_ddb_class_t sl_ddb_classify(long status, const char *type);
const char *sl_ddb_class_name(sl_ddb_class_t cls);

/* Full-jitter backoff: uniform in [0, min(cap_ms, base_ms * 2^attempt)). */
long sl_ddb_backoff_ms(int attempt, long base_ms, long cap_ms);

#endif
