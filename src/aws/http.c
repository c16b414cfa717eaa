/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking HTTP for credential endpoints over libcurl's easy interface: short timeouts, one
 * optional retry, no proxy for link-local/loopback endpoints, bounded response body. */
#include "aws/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Thread: curl's, inside curl_easy_perform. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    struct sl_buf *resp = opaque;
    size_t n = size * nmemb;
    if (sl_buf_add(resp, ptr, n)) {
        return 0; /* too big: abort the transfer */
    }
    return n;
}

static sl_err_t perform_once(const struct sl_aws_http *req, long *status, struct sl_buf *resp,
                             char *why, size_t why_size)
{
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(why, why_size, "curl_easy_init failed");
        return SL_ERR_IO;
    }
    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        hdrs = curl_slist_append(hdrs, req->headers[i]);
    }
    /* curl adds "Expect: 100-continue" to large POSTs; endpoints do not need it. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : 1000;
    sl_buf_reset(resp);
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
    if (strncmp(req->url, "http://", 7) == 0) {
        /* Metadata and container endpoints are link-local or loopback: never proxied. */
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    }
    if (req->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else if (strcmp(req->method, "PUT") == 0 || strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    CURLcode rc = curl_easy_perform(curl);
    sl_err_t err = SL_OK;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        if (timeout % 1000 == 0) {
            snprintf(why, why_size, "timed out after %lds", timeout / 1000);
        } else {
            snprintf(why, why_size, "timed out after %ldms", timeout);
        }
        err = SL_ERR_IO;
    } else if (rc == CURLE_WRITE_ERROR) {
        snprintf(why, why_size, "response larger than %zu bytes", resp->max);
        err = SL_ERR_IO;
    } else if (rc != CURLE_OK) {
        snprintf(why, why_size, "%s", curl_easy_strerror(rc));
        err = SL_ERR_IO;
    } else {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    return err;
}

sl_err_t sl_aws_http_do(const struct sl_aws_http *req, long *status, struct sl_buf *resp, char *why,
                        size_t why_size)
{
    pthread_once(&curl_once, curl_init_once);
    sl_err_t err = SL_OK;
    for (int attempt = 0; attempt <= req->retries; attempt++) {
        if (attempt > 0) {
            usleep(100 * 1000);
        }
        *status = 0;
        err = perform_once(req, status, resp, why, why_size);
        if (!err && *status < 500) {
            break;
        }
    }
    return err;
}
