/* SPDX-License-Identifier: Apache-2.0 */
/* DynamoDB AWS JSON 1.0 client on libcurl multi: signs each request with SigV4, keeps
 * connections alive, bounds requests in flight and response sizes, and classifies every
 * outcome (throttling / transient / invalid data / auth / fatal) for the writer's policy. */
#include "sink/ddb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws/creds.h"
#include "aws/sigv4.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"

#define RESP_MAX ((size_t)32 << 20)

struct req {
    struct sl_ddb *ddb;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    size_t len;
    struct sl_buf resp;
    char errtype[128]; /* x-amzn-ErrorType header */
    char curlerr[CURL_ERROR_SIZE];
    sl_ddb_done_fn *done;
    void *opaque;
    struct req *prev, *next; /* list of requests in flight */
};

struct sl_ddb {
    CURLM *multi;
    char url[512];
    char host[300];
    char region[64];
    char proxy[512];
    char proxy_user[256];
    char proxy_password[256];
    struct sl_aws_provider *prov;
    struct sl_aws_creds creds;
    int max_inflight;
    long timeout_ms;
    int inflight;
    struct req *reqs;
    /* Easy handles of finished requests, kept for the next ones: setting a handle up costs
     * more than a small BatchWriteItem's own work on the sink thread. */
    CURL **idle;
    int n_idle;
};

static const struct {
    const char *type;
    sl_ddb_class_t cls;
} codes[] = {
    {"ProvisionedThroughputExceededException", SL_DDB_THROTTLED},
    {"ThrottlingException", SL_DDB_THROTTLED},
    {"Throttling", SL_DDB_THROTTLED},
    {"RequestLimitExceeded", SL_DDB_THROTTLED},
    {"LimitExceededException", SL_DDB_THROTTLED},
    {"TransactionInProgressException", SL_DDB_THROTTLED},
    {"TooManyRequestsException", SL_DDB_THROTTLED},
    {"InternalServerError", SL_DDB_TRANSIENT},
    {"InternalFailure", SL_DDB_TRANSIENT},
    {"ServiceUnavailable", SL_DDB_TRANSIENT},
    {"RequestTimeout", SL_DDB_TRANSIENT},
    {"RequestTimeoutException", SL_DDB_TRANSIENT},
    {"ValidationException", SL_DDB_INVALID},
    {"SerializationException", SL_DDB_INVALID},
    {"ItemCollectionSizeLimitExceededException", SL_DDB_INVALID},
    {"ResourceNotFoundException", SL_DDB_NOTFOUND},
    {"ResourceInUseException", SL_DDB_INUSE},
    {"ConditionalCheckFailedException", SL_DDB_CONDITION},
    {"UnrecognizedClientException", SL_DDB_AUTH},
    {"InvalidSignatureException", SL_DDB_AUTH},
    {"ExpiredTokenException", SL_DDB_AUTH},
    {"MissingAuthenticationTokenException", SL_DDB_AUTH},
    {"IncompleteSignatureException", SL_DDB_AUTH},
    {"AccessDeniedException", SL_DDB_AUTH},
};

sl_ddb_class_t sl_ddb_classify(long status, const char *type)
{
    if (status >= 200 && status < 300)
        return SL_DDB_OK;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(type, codes[i].type) == 0)
            return codes[i].cls;
    }
    if (status == 0 || status >= 500)
        return SL_DDB_TRANSIENT;
    if (status == 429)
        return SL_DDB_THROTTLED;
    if (status == 413)
        return SL_DDB_INVALID;
    return SL_DDB_FATAL;
}

const char *sl_ddb_class_name(sl_ddb_class_t cls)
{
    static const char *names[] = {"ok",    "throttled", "transient", "invalid", "notfound",
                                  "inuse", "condition", "auth",      "fatal"};
    return (unsigned)cls < sizeof(names) / sizeof(names[0]) ? names[cls] : "?";
}

long sl_ddb_backoff_ms(int attempt, long base_ms, long cap_ms)
{
    static _Thread_local uint64_t state; /* one sink thread per writer */
    if (state == 0)
        state = (uint64_t)sl_time_mono_us() | 1;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    long ceil = base_ms;
    for (int i = 0; i < attempt && ceil < cap_ms; i++)
        ceil *= 2;
    if (ceil > cap_ms)
        ceil = cap_ms;
    return ceil > 0 ? (long)(state % (uint64_t)ceil) : 0;
}

struct sl_ddb *sl_ddb_new(const struct sl_ddb_conf *conf, char *errstr, size_t errstr_size)
{
    if (!conf->region || !conf->region[0]) {
        snprintf(errstr, errstr_size, "DynamoDB region is not set (aws.dynamodb.region)");
        return NULL;
    }
    struct sl_ddb *ddb = sl_xcalloc(1, sizeof(*ddb));
    snprintf(ddb->region, sizeof(ddb->region), "%s", conf->region);
    if (conf->endpoint && conf->endpoint[0]) {
        const char *ep = conf->endpoint;
        bool has_scheme = strstr(ep, "://") != NULL;
        snprintf(ddb->url, sizeof(ddb->url), "%s%s", has_scheme ? "" : "https://", ep);
    } else {
        snprintf(ddb->url, sizeof(ddb->url), "https://dynamodb.%s.amazonaws.com/", conf->region);
    }
    /* Host header as curl sends it: host[:port], port only when not the scheme default. */
    const char *h = strstr(ddb->url, "://") + 3;
    size_t hl = strcspn(h, "/?#");
    if (hl == 0 || hl >= sizeof(ddb->host)) {
        snprintf(errstr, errstr_size, "DynamoDB endpoint '%s' has no host", ddb->url);
        sl_free(ddb);
        return NULL;
    }
    memcpy(ddb->host, h, hl);
    ddb->host[hl] = '\0';
    char *colon = strrchr(ddb->host, ':');
    if (colon && !strchr(colon, ']')) {
        bool https = strncmp(ddb->url, "https:", 6) == 0;
        if ((https && strcmp(colon, ":443") == 0) || (!https && strcmp(colon, ":80") == 0))
            *colon = '\0';
    }
    if (h[hl] == '\0' && strlen(ddb->url) + 1 < sizeof(ddb->url))
        strncat(ddb->url, "/", sizeof(ddb->url) - strlen(ddb->url) - 1);
    ddb->prov = conf->prov;
    if (conf->creds)
        ddb->creds = *conf->creds;
    if (conf->proxy_url)
        snprintf(ddb->proxy, sizeof(ddb->proxy), "%s", conf->proxy_url);
    if (conf->proxy_user)
        snprintf(ddb->proxy_user, sizeof(ddb->proxy_user), "%s", conf->proxy_user);
    if (conf->proxy_password)
        snprintf(ddb->proxy_password, sizeof(ddb->proxy_password), "%s", conf->proxy_password);
    ddb->max_inflight = conf->max_inflight > 0 ? conf->max_inflight : 8;
    ddb->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms : 30000;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ddb->multi = curl_multi_init();
    ddb->idle = sl_xcalloc((size_t)ddb->max_inflight, sizeof(*ddb->idle));
    curl_multi_setopt(ddb->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)ddb->max_inflight);
    curl_multi_setopt(ddb->multi, CURLMOPT_MAXCONNECTS, (long)ddb->max_inflight);
    return ddb;
}

static void req_free(struct req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else if (r->ddb->reqs == r)
        r->ddb->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    if (r->easy) {
        struct sl_ddb *ddb = r->ddb;
        curl_multi_remove_handle(ddb->multi, r->easy);
        if (ddb->n_idle < ddb->max_inflight)
            ddb->idle[ddb->n_idle++] = r->easy;
        else
            curl_easy_cleanup(r->easy);
    }
    curl_slist_free_all(r->hdrs);
    sl_free(r->body);
    sl_buf_fini(&r->resp);
    sl_free(r);
}

void sl_ddb_free(struct sl_ddb *ddb)
{
    if (!ddb)
        return;
    /* Requests still running are cancelled: their callbacks run once more so owners can
     * release what they attached (the documented "cancelled" outcome). */
    while (ddb->reqs) {
        struct req *r = ddb->reqs;
        struct sl_ddb_resp resp;
        memset(&resp, 0, sizeof(resp));
        resp.cls = SL_DDB_TRANSIENT;
        snprintf(resp.type, sizeof(resp.type), "cancelled");
        snprintf(resp.message, sizeof(resp.message), "client closed");
        resp.body = "";
        ddb->inflight--;
        if (r->done)
            r->done(&resp, r->opaque);
        req_free(r);
    }
    for (int i = 0; i < ddb->n_idle; i++)
        curl_easy_cleanup(ddb->idle[i]);
    sl_free(ddb->idle);
    curl_multi_cleanup(ddb->multi);
    sl_aws_creds_wipe(&ddb->creds);
    memset(ddb->proxy_password, 0, sizeof(ddb->proxy_password));
    sl_free(ddb);
}

/* Thread: libcurl callback on the sink thread. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct req *r = userdata;
    size_t n = size * nmemb;
    return sl_buf_add(&r->resp, ptr, n) == SL_OK ? n : 0;
}

/* Thread: libcurl callback on the sink thread. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct req *r = userdata;
    size_t n = size * nmemb;
    static const char name[] = "x-amzn-errortype:";
    if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
        const char *v = ptr + sizeof(name) - 1;
        size_t vl = n - (sizeof(name) - 1);
        while (vl > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vl--;
        }
        while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl >= sizeof(r->errtype))
            vl = sizeof(r->errtype) - 1;
        memcpy(r->errtype, v, vl);
        r->errtype[vl] = '\0';
    }
    return n;
}

static sl_err_t add_header(struct req *r, const char *name, const char *value)
{
    char line[9000];
    int n = snprintf(line, sizeof(line), "%s: %s", name, value);
    if (n < 0 || (size_t)n >= sizeof(line))
        return SL_ERR_TOOBIG;
    r->hdrs = curl_slist_append(r->hdrs, line);
    return SL_OK;
}

/* An easy handle with the options every request shares; the per-request ones are set in
 * sl_ddb_send (a reused handle keeps the shared ones). */
static CURL *new_easy(struct sl_ddb *ddb)
{
    CURL *easy = curl_easy_init();
    if (!easy) { /* only fails when out of memory: abort, like sl_xmalloc */
        sl_log(SL_LOG_ERROR, "DDB", "curl_easy_init: out of memory");
        abort();
    }
    curl_easy_setopt(easy, CURLOPT_URL, ddb->url);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, ddb->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "sluice/" SL_VERSION);
    if (ddb->proxy[0]) {
        curl_easy_setopt(easy, CURLOPT_PROXY, ddb->proxy);
        if (ddb->proxy_user[0])
            curl_easy_setopt(easy, CURLOPT_PROXYUSERNAME, ddb->proxy_user);
        if (ddb->proxy_password[0])
            curl_easy_setopt(easy, CURLOPT_PROXYPASSWORD, ddb->proxy_password);
    } else {
        /* Only aws.dynamodb.proxy.url decides; *_proxy environment variables do not. */
        curl_easy_setopt(easy, CURLOPT_PROXY, "");
    }
    return easy;
}

sl_err_t sl_ddb_send(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                     sl_ddb_done_fn *done, void *opaque, char *errstr, size_t errstr_size)
{
    if (ddb->inflight >= ddb->max_inflight)
        return SL_ERR_AGAIN;
    sl_err_t err;
    if (ddb->prov) {
        err = sl_aws_provider_get(ddb->prov, &ddb->creds, errstr, errstr_size);
        if (err)
            return SL_ERR_AUTH;
    }
    struct req *r = sl_xcalloc(1, sizeof(*r));
    r->ddb = ddb;
    r->body = sl_xmemdup(body, len + 1);
    r->body[len] = '\0';
    r->len = len;
    r->done = done;
    r->opaque = opaque;
    sl_buf_init(&r->resp, RESP_MAX);

    char target[96];
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", op);
    struct sl_sigv4_header hdrs[] = {
        {"Content-Type", "application/x-amz-json-1.0"},
        {"Host", ddb->host},
        {"X-Amz-Target", target},
    };
    struct sl_sigv4_request sreq = {.method = "POST",
                                    .path = "/",
                                    .headers = hdrs,
                                    .n_headers = 3,
                                    .payload = r->body,
                                    .payload_len = len};
    struct sl_sigv4_params p = {.region = ddb->region,
                                .service = "dynamodb",
                                .time_s = sl_time_now_ms() / 1000,
                                .normalize_path = true};
    struct sl_sigv4_result res;
    sl_sigv4_result_init(&res);
    err = sl_sigv4_sign(&sreq, &p, &ddb->creds, &res, errstr, errstr_size);
    if (err) {
        sl_sigv4_result_fini(&res);
        req_free(r);
        return err == SL_ERR_INVALID ? SL_ERR_AUTH : err;
    }
    for (size_t i = 0; i < 3 && !err; i++)
        err = add_header(r, hdrs[i].name, hdrs[i].value);
    for (size_t i = 0; i < res.n_add && !err; i++)
        err = add_header(r, res.add[i].name, sl_buf_cstr(&res.add[i].value));
    sl_sigv4_result_fini(&res);
    if (!err)
        err = add_header(r, "Accept-Encoding", "identity");
    r->hdrs = curl_slist_append(r->hdrs, "Expect:");
    if (err) {
        snprintf(errstr, errstr_size, "signed DynamoDB headers too long");
        req_free(r);
        return err;
    }

    CURL *easy = ddb->n_idle ? ddb->idle[--ddb->n_idle] : new_easy(ddb);
    r->easy = easy;
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->hdrs);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->curlerr);
    curl_multi_add_handle(ddb->multi, easy);
    r->next = ddb->reqs;
    if (ddb->reqs)
        ddb->reqs->prev = r;
    ddb->reqs = r;
    ddb->inflight++;
    return SL_OK;
}

int sl_ddb_inflight(const struct sl_ddb *ddb)
{
    return ddb->inflight;
}

bool sl_ddb_full(const struct sl_ddb *ddb)
{
    return ddb->inflight >= ddb->max_inflight;
}

/* Error code from x-amzn-ErrorType or the body's __type: after '#', before ':'. */
static void error_code(const char *raw, char *out, size_t out_size)
{
    const char *hash = strchr(raw, '#');
    const char *s = hash ? hash + 1 : raw;
    size_t n = strcspn(s, ":");
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static void finish(struct req *r, CURLcode rc)
{
    struct sl_ddb_resp resp;
    memset(&resp, 0, sizeof(resp));
    resp.body = sl_buf_cstr(&r->resp);
    resp.body_len = r->resp.len;
    if (rc != CURLE_OK) {
        snprintf(resp.type, sizeof(resp.type), "curl:%s", curl_easy_strerror(rc));
        snprintf(resp.message, sizeof(resp.message), "%s",
                 r->curlerr[0] ? r->curlerr : curl_easy_strerror(rc));
        resp.cls = SL_DDB_TRANSIENT;
    } else {
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
        if (resp.status < 200 || resp.status >= 300) {
            json_error_t jerr;
            json_t *root = r->resp.len ? json_loadb(resp.body, resp.body_len, 0, &jerr) : NULL;
            const char *type = r->errtype[0] ? r->errtype
                               : root        ? json_string_value(json_object_get(root, "__type"))
                                             : NULL;
            error_code(type ? type : "", resp.type, sizeof(resp.type));
            const char *msg = root ? json_string_value(json_object_get(root, "message")) : NULL;
            if (!msg && root)
                msg = json_string_value(json_object_get(root, "Message"));
            if (!msg && !root)
                msg = resp.body_len ? resp.body : "(empty body)";
            snprintf(resp.message, sizeof(resp.message), "%.500s", msg ? msg : "");
            json_decref(root);
        }
        resp.cls = sl_ddb_classify(resp.status, resp.type);
    }
    r->ddb->inflight--;
    sl_ddb_done_fn *done = r->done;
    void *opaque = r->opaque;
    if (done)
        done(&resp, opaque);
    req_free(r);
}

sl_err_t sl_ddb_poll(struct sl_ddb *ddb, int timeout_ms)
{
    int running = 0;
    curl_multi_perform(ddb->multi, &running);
    if (running > 0 && timeout_ms > 0)
        curl_multi_poll(ddb->multi, NULL, 0, timeout_ms, NULL);
    curl_multi_perform(ddb->multi, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(ddb->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct req *r = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        finish(r, msg->data.result);
    }
    return SL_OK;
}

struct sync_state {
    bool finished;
    struct sl_buf *out;
    struct sl_ddb_resp *resp;
};

static void on_sync(const struct sl_ddb_resp *resp, void *opaque)
{
    struct sync_state *st = opaque;
    *st->resp = *resp;
    st->resp->body = NULL;
    st->resp->body_len = 0;
    if (st->out) {
        sl_buf_reset(st->out);
        sl_buf_add(st->out, resp->body, resp->body_len);
    }
    st->finished = true;
}

sl_err_t sl_ddb_call(struct sl_ddb *ddb, const char *op, const char *body, size_t len,
                     struct sl_buf *out, struct sl_ddb_resp *resp, char *errstr, size_t errstr_size)
{
    struct sync_state st = {.out = out, .resp = resp};
    sl_err_t err = sl_ddb_send(ddb, op, body, len, on_sync, &st, errstr, errstr_size);
    while (err == SL_ERR_AGAIN) {
        sl_ddb_poll(ddb, 100);
        err = sl_ddb_send(ddb, op, body, len, on_sync, &st, errstr, errstr_size);
    }
    if (err)
        return err;
    while (!st.finished)
        sl_ddb_poll(ddb, 100);
    return SL_OK;
}
