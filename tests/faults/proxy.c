/* SPDX-License-Identifier: Apache-2.0 */
/* Fault-injecting loopback proxy in front of dynalite (see proxy.h). Minimal HTTP/1.1:
 * requests with Content-Length, responses with Content-Length, keep-alive per client
 * connection; the upstream leg uses libcurl easy. */
#include "proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/parse.h"

#define MAX_CONNS 64
#define REQ_MAX ((size_t)20 << 20)

struct conn {
    struct sl_fault_proxy *px;
    int fd;
    pthread_t th;
    bool used;
    atomic_bool finished;
    CURL *up; /* upstream handle, kept alive across this client's requests */
};

struct sl_fault_proxy {
    char upstream[256];
    int lfd;
    pthread_t acceptor;
    atomic_bool stop;
    pthread_mutex_t mu;
    struct sl_fault_rates rates;
    uint64_t rng;
    struct conn conns[MAX_CONNS];
    atomic_uint_fast64_t counts[SL_FAULT__COUNT];
};

static unsigned roll(struct sl_fault_proxy *px, unsigned mod)
{
    pthread_mutex_lock(&px->mu);
    px->rng ^= px->rng << 13;
    px->rng ^= px->rng >> 7;
    px->rng ^= px->rng << 17;
    unsigned v = (unsigned)(px->rng % mod);
    pthread_mutex_unlock(&px->mu);
    return v;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool reply(int fd, long status, const char *body, size_t len)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %ld X\r\nContent-Type: application/x-amz-json-1.0\r\n"
                     "x-amzn-RequestId: fault-proxy\r\nContent-Length: %zu\r\n\r\n",
                     status, len);
    return send_all(fd, head, (size_t)n) && send_all(fd, body, len);
}

static bool reply_error(int fd, long status, const char *type, const char *msg)
{
    char body[512];
    int n = snprintf(body, sizeof(body), "{\"__type\":\"%s\",\"message\":\"%s\"}", type, msg);
    return reply(fd, status, body, (size_t)n);
}

static size_t on_up_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    return sl_buf_add(userdata, ptr, size * nmemb) == SL_OK ? size * nmemb : 0;
}

/* Forwards to the upstream; false on transport failure. */
static bool forward(struct conn *c, const char *target, const char *auth, const char *date,
                    const char *body, size_t len, long *status, struct sl_buf *out)
{
    struct sl_fault_proxy *px = c->px;
    if (!c->up)
        c->up = curl_easy_init();
    CURL *easy = c->up;
    struct curl_slist *h = NULL;
    char line[2048];
    snprintf(line, sizeof(line), "X-Amz-Target: %s", target);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof(line), "Authorization: %s", auth);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof(line), "X-Amz-Date: %s", date);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.0");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(easy, CURLOPT_URL, px->upstream);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_up_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 60000L);
    CURLcode rc = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    if (rc == CURLE_OK)
        atomic_fetch_add(&px->counts[SL_FAULT_FORWARDED], 1);
    return rc == CURLE_OK;
}

/* Copies the value of header name from the header block into out. */
static void header(const char *hdrs, const char *name, char *out, size_t out_size)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = hdrs; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(eol - v);
            if (vl >= out_size)
                vl = out_size - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return;
        }
        p = eol + 2;
    }
}

/* BatchWriteItem: keeps a random part aside, forwards the rest, returns the aside part as
 * UnprocessedItems. */
static bool partial_batch(struct conn *c, int fd, const char *target, const char *auth,
                          const char *date, const char *body, size_t len)
{
    struct sl_fault_proxy *px = c->px;
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    json_t *items = json_object_get(root, "RequestItems");
    json_t *fwd = json_object(), *aside = json_object();
    const char *table;
    json_t *reqs;
    size_t n_aside = 0, n_fwd = 0;
    json_object_foreach(items, table, reqs)
    {
        json_t *f = json_array(), *a = json_array();
        size_t i;
        json_t *r;
        json_array_foreach(reqs, i, r)
        {
            if (roll(px, 2)) {
                json_array_append(a, r);
                n_aside++;
            } else {
                json_array_append(f, r);
                n_fwd++;
            }
        }
        if (json_array_size(f))
            json_object_set(fwd, table, f);
        if (json_array_size(a))
            json_object_set(aside, table, a);
        json_decref(f);
        json_decref(a);
    }
    bool ok = true;
    long status = 200;
    if (n_fwd > 0) {
        json_t *req = json_pack("{s:O}", "RequestItems", fwd);
        char *fbody = json_dumps(req, JSON_COMPACT);
        struct sl_buf out;
        sl_buf_init(&out, REQ_MAX);
        ok = forward(c, target, auth, date, fbody, strlen(fbody), &status, &out);
        free(fbody);
        json_decref(req);
        if (ok && status != 200) {
            /* Pass the upstream's error through unchanged. */
            ok = reply(fd, status, out.data ? out.data : "", out.len);
            sl_buf_fini(&out);
            goto out;
        }
        sl_buf_fini(&out);
    }
    if (ok) {
        json_t *resp = json_pack("{s:O}", "UnprocessedItems", aside);
        char *rbody = json_dumps(resp, JSON_COMPACT);
        ok = reply(fd, 200, rbody, strlen(rbody));
        free(rbody);
        json_decref(resp);
    }
out:
    json_decref(root);
    json_decref(fwd);
    json_decref(aside);
    return ok;
}

/* Thread: one per client connection. */
static void *serve(void *arg)
{
    struct conn *c = arg;
    struct sl_fault_proxy *px = c->px;
    struct sl_buf in;
    sl_buf_init(&in, REQ_MAX + 65536);
    while (!atomic_load(&px->stop)) {
        /* Read one request: headers then Content-Length bytes. */
        char *end = NULL;
        size_t need = 0;
        for (;;) {
            if (!end && in.data) {
                end = strstr(in.data, "\r\n\r\n");
                if (end) {
                    char cl[32];
                    uint64_t n = 0;
                    header(in.data, "Content-Length", cl, sizeof(cl));
                    if (cl[0] && sl_parse_u64(cl, &n) != SL_OK)
                        goto done;
                    need = (size_t)(end + 4 - in.data) + (size_t)n;
                }
            }
            if (end && in.len >= need)
                break;
            char tmp[65536];
            ssize_t r = recv(c->fd, tmp, sizeof(tmp), 0);
            if (r <= 0)
                goto done;
            if (sl_buf_add(&in, tmp, (size_t)r) != SL_OK)
                goto done;
        }
        size_t hlen = (size_t)(end + 4 - in.data);
        char target[128], auth[1024], date[64];
        end[2] = '\0'; /* header block ends with one CRLF for header() */
        header(in.data, "X-Amz-Target", target, sizeof(target));
        header(in.data, "Authorization", auth, sizeof(auth));
        header(in.data, "X-Amz-Date", date, sizeof(date));
        const char *body = in.data + hlen;
        size_t blen = need - hlen;

        struct sl_fault_rates r;
        pthread_mutex_lock(&px->mu);
        r = px->rates;
        pthread_mutex_unlock(&px->mu);
        unsigned x = roll(px, 1000);
        int acc = 0;
        bool ok = true, close_conn = false;
        bool batch = strstr(target, "BatchWriteItem") != NULL;
        if (x < (unsigned)(acc += r.throttle)) {
            atomic_fetch_add(&px->counts[SL_FAULT_THROTTLE], 1);
            ok = reply_error(c->fd, 400,
                             "com.amazonaws.dynamodb.v20120810#"
                             "ProvisionedThroughputExceededException",
                             "The level of configured provisioned throughput for the table was "
                             "exceeded.");
        } else if (x < (unsigned)(acc += r.err500)) {
            atomic_fetch_add(&px->counts[SL_FAULT_500], 1);
            ok = reply_error(c->fd, 500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
                             "Internal server error");
        } else if (x < (unsigned)(acc += r.err503)) {
            atomic_fetch_add(&px->counts[SL_FAULT_503], 1);
            ok = reply_error(c->fd, 503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable",
                             "Service unavailable");
        } else if (x < (unsigned)(acc += r.err500_after)) {
            struct sl_buf out;
            sl_buf_init(&out, REQ_MAX);
            long st = 0;
            forward(c, target, auth, date, body, blen, &st, &out);
            sl_buf_fini(&out);
            atomic_fetch_add(&px->counts[SL_FAULT_500_AFTER], 1);
            ok = reply_error(c->fd, 500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
                             "Internal server error");
        } else if (x < (unsigned)(acc += r.drop_before)) {
            atomic_fetch_add(&px->counts[SL_FAULT_DROP_BEFORE], 1);
            close_conn = true;
        } else if (x < (unsigned)(acc += r.drop_after)) {
            struct sl_buf out;
            sl_buf_init(&out, REQ_MAX);
            long st = 0;
            forward(c, target, auth, date, body, blen, &st, &out);
            sl_buf_fini(&out);
            atomic_fetch_add(&px->counts[SL_FAULT_DROP_AFTER], 1);
            close_conn = true;
        } else if (batch && x < (unsigned)(acc += r.unprocessed)) {
            atomic_fetch_add(&px->counts[SL_FAULT_UNPROCESSED], 1);
            ok = partial_batch(c, c->fd, target, auth, date, body, blen);
        } else {
            if (!batch)
                acc += r.unprocessed;
            if (x < (unsigned)(acc += r.slow)) {
                atomic_fetch_add(&px->counts[SL_FAULT_SLOW], 1);
                struct timespec ts = {r.slow_ms / 1000, (long)(r.slow_ms % 1000) * 1000000L};
                nanosleep(&ts, NULL);
            }
            struct sl_buf out;
            sl_buf_init(&out, REQ_MAX);
            long st = 0;
            if (forward(c, target, auth, date, body, blen, &st, &out))
                ok = reply(c->fd, st, out.data ? out.data : "", out.len);
            else
                close_conn = true;
            sl_buf_fini(&out);
        }
        if (!ok || close_conn)
            goto done;
        /* Keep bytes of a pipelined next request, if any. */
        size_t rest = in.len - need;
        memmove(in.data, in.data + need, rest);
        sl_buf_truncate(&in, rest);
    }
done:
    sl_buf_fini(&in);
    if (c->up)
        curl_easy_cleanup(c->up);
    c->up = NULL;
    shutdown(c->fd, SHUT_RDWR);
    atomic_store(&c->finished, true);
    return NULL;
}

/* Thread: acceptor. */
static void *accept_loop(void *arg)
{
    struct sl_fault_proxy *px = arg;
    while (!atomic_load(&px->stop)) {
        struct pollfd pfd = {.fd = px->lfd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int fd = accept(px->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        /* Head and body go in two writes: without this, Nagle + delayed ACK add 40 ms. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct conn *c = NULL;
        pthread_mutex_lock(&px->mu);
        for (int i = 0; i < MAX_CONNS && !c; i++) {
            if (!px->conns[i].used)
                c = &px->conns[i];
            else if (atomic_load(&px->conns[i].finished)) {
                pthread_join(px->conns[i].th, NULL);
                close(px->conns[i].fd);
                c = &px->conns[i];
            }
        }
        if (c) {
            c->used = true;
            atomic_store(&c->finished, false);
            c->fd = fd;
            c->px = px;
        }
        pthread_mutex_unlock(&px->mu);
        if (!c) {
            close(fd);
            continue;
        }
        pthread_create(&c->th, NULL, serve, c);
    }
    return NULL;
}

struct sl_fault_proxy *sl_fault_proxy_start(const char *upstream,
                                            const struct sl_fault_rates *rates, unsigned seed,
                                            int *port)
{
    struct sl_fault_proxy *px = sl_xcalloc(1, sizeof(*px));
    snprintf(px->upstream, sizeof(px->upstream), "%s/", upstream);
    px->rates = *rates;
    px->rng = seed ? seed : 1;
    pthread_mutex_init(&px->mu, NULL);
    px->lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(px->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    if (bind(px->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(px->lfd, 64) != 0 ||
        getsockname(px->lfd, (struct sockaddr *)&sa, &sl) != 0) {
        close(px->lfd);
        sl_free(px);
        return NULL;
    }
    *port = ntohs(sa.sin_port);
    pthread_create(&px->acceptor, NULL, accept_loop, px);
    return px;
}

void sl_fault_proxy_set_rates(struct sl_fault_proxy *px, const struct sl_fault_rates *rates)
{
    pthread_mutex_lock(&px->mu);
    px->rates = *rates;
    pthread_mutex_unlock(&px->mu);
}

uint64_t sl_fault_proxy_count(struct sl_fault_proxy *px, int fault)
{
    return atomic_load(&px->counts[fault]);
}

void sl_fault_proxy_stop(struct sl_fault_proxy *px)
{
    if (!px)
        return;
    atomic_store(&px->stop, true);
    pthread_join(px->acceptor, NULL);
    for (int i = 0; i < MAX_CONNS; i++) {
        if (!px->conns[i].used)
            continue;
        shutdown(px->conns[i].fd, SHUT_RDWR);
        pthread_join(px->conns[i].th, NULL);
        close(px->conns[i].fd);
    }
    close(px->lfd);
    pthread_mutex_destroy(&px->mu);
    sl_free(px);
}
