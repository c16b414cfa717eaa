/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the REST API's request handling: the real server (libmicrohttpd
 * thread, our routes, JSON parsing, config checks, secret masking) runs once on 127.0.0.1
 * with a port the kernel picks, over the fake worker of the golden test. Each input is one
 * HTTP request sent over a fresh loopback connection:
 *   byte 0 even: a well-formed request built from the input: byte 1 picks the method, the
 *     bytes up to the first '\n' are the path and query (bytes that cannot stand in a
 *     request line are %-escaped), the rest is a JSON body with its Content-Length;
 *   byte 0 odd: the remaining bytes are sent as they are (request line, headers and body
 *     all fuzzed), then the write side is shut.
 * Checks: any reply starts with an HTTP status line, and no reply ever contains the secrets
 * of the connector the fake worker holds before each input (database.password,
 * aws.secret.access.key, a JAAS password) unless the request itself sent that string, as it is
 * or %-escaped or JSON-escaped (error messages quote bad values, names come back decoded). The
 * secrets start with 'Q', which no escape our replies write ends with: a '?' in a name comes
 * back as "%3F" in a Location header, and a secret starting with 'F' would then match across
 * the escape. The fake worker is reset after each input.
 * SL_FUZZ_REST_SHOW=1 prints each reply's start (to look at what a corpus file gets). */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/fake_worker.h"
#include "core/log.h"
#include "core/str.h"
#include "runtime/metrics.h"
#include "runtime/rest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DB_SECRET "Qz-db-pass-7731"
#define AWS_SECRET "Qz-aws-secret-2207"
#define JAAS_SECRET "Qz-jaas-secret-5519"
#define MAX_REPLY (4u << 20)

static struct fake fake;
static struct sl_rest *rest;
static int port;
static char *reply;

static void preload(void)
{
    struct sl_props cfg;
    sl_props_init(&cfg);
    sl_props_set(&cfg, "name", "seed", 0);
    sl_props_set(&cfg, "connector.class", "io.debezium.connector.mysql.MySqlConnector", 0);
    sl_props_set(&cfg, "database.password", DB_SECRET, 0);
    sl_props_set(&cfg, "aws.secret.access.key", AWS_SECRET, 0);
    sl_props_set(&cfg, "database.history.producer.sasl.jaas.config",
                 "org.apache.kafka.common.security.plain.PlainLoginModule required "
                 "username=\"u\" password=\"" JAAS_SECRET "\";",
                 0);
    bool created;
    char errstr[128];
    struct sl_worker_api api = fake_api(&fake);
    if (api.put_config("seed", &cfg, true, &created, errstr, sizeof(errstr), api.opaque))
        abort();
    sl_props_fini(&cfg);
}

static void start(void)
{
    sl_log_set_level(SL_LOG_ERROR);
    fake_init(&fake);
    struct sl_rest_conf conf = {
        .host = "127.0.0.1",
        .port = 0,
        .worker_id = "127.0.0.1:8083",
        .api = fake_api(&fake),
        .metrics = sl_metrics_new(16),
        .commit = "fuzz",
        .kafka_cluster_id = "fuzz",
        .max_body = 64 * 1024,
    };
    char errstr[512] = "";
    if (sl_rest_start(&conf, &rest, errstr, sizeof(errstr)) != SL_OK) {
        fprintf(stderr, "fuzz_runtime_rest: sl_rest_start: %s\n", errstr);
        abort();
    }
    port = sl_rest_port(rest);
    reply = malloc(MAX_REPLY + 1);
    if (!reply)
        abort();
}

static int connect_server(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* Thousands of connections a second use up loopback's ephemeral ports (TIME_WAIT) now and
     * then: wait for them; a server that stays unreachable for 10 s is a finding. */
    for (int tries = 0; tries < 1000; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            abort();
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
            return fd;
        int e = errno;
        close(fd);
        if (tries == 999) {
            fprintf(stderr, "fuzz_runtime_rest: connect: %s\n", strerror(e));
            abort();
        }
        usleep(10000);
    }
    return -1;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may close early (bad request line, body too large) */
        p += w;
        n -= (size_t)w;
    }
}

/* The input with %XX, \uXXXX (ASCII) and \X escapes decoded, as the server may decode a name
 * before echoing it; out holds at least n bytes. */
static size_t unescape(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '%' && i + 2 < n && sl_str_hexval(in[i + 1]) >= 0 &&
            sl_str_hexval(in[i + 2]) >= 0) {
            out[o++] = (uint8_t)(sl_str_hexval(in[i + 1]) * 16 + sl_str_hexval(in[i + 2]));
            i += 2;
        } else if (in[i] == '\\' && i + 5 < n && in[i + 1] == 'u' &&
                   sl_str_hexval(in[i + 2]) == 0 && sl_str_hexval(in[i + 3]) == 0 &&
                   sl_str_hexval(in[i + 4]) >= 0 && sl_str_hexval(in[i + 5]) >= 0) {
            out[o++] = (uint8_t)(sl_str_hexval(in[i + 4]) * 16 + sl_str_hexval(in[i + 5]));
            i += 5;
        } else if (in[i] == '\\' && i + 1 < n) {
            out[o++] = in[++i];
        } else {
            out[o++] = in[i];
        }
    }
    return o;
}

/* Builds "METHOD PATH HTTP/1.1" with headers and the body from the input. */
static size_t build_request(const uint8_t *data, size_t size, char *out, size_t cap)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};
    const char *method = methods[(size ? data[0] : 0) % 6];
    if (size)
        data++, size--;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = nl ? size - plen - 1 : 0;
    size_t n = (size_t)snprintf(out, cap, "%s ", method);
    if (plen == 0 || data[0] != '/')
        out[n++] = '/';
    for (size_t i = 0; i < plen && n + 4 < cap; i++) {
        uint8_t c = data[i];
        if (c <= 0x20 || c >= 0x7f)
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
        else
            out[n++] = (char)c;
    }
    n += (size_t)snprintf(out + n, cap - n,
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                          blen);
    if (n + blen > cap)
        blen = cap - n;
    memcpy(out + n, body, blen);
    return n + blen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rest)
        start();
    if (size < 1 || size > 128 * 1024)
        return 0;
    preload();
    int fd = connect_server();
    if (data[0] & 1) {
        send_all(fd, (const char *)data + 1, size - 1);
    } else {
        size_t cap = 3 * size + 512;
        char *req = malloc(cap);
        if (!req)
            abort();
        send_all(fd, req, build_request(data + 1, size - 1, req, cap));
        free(req);
    }
    shutdown(fd, SHUT_WR);
    size_t got = 0;
    for (;;) {
        ssize_t r = recv(fd, reply + got, MAX_REPLY - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == MAX_REPLY)
            abort(); /* no reply of ours is anywhere near this large */
    }
    close(fd);
    reply[got] = '\0';
    if (getenv("SL_FUZZ_REST_SHOW"))
        fprintf(stderr, "---- %zu bytes in %zu bytes out:\n%.300s\n", size, got, reply);
    if (got > 0 && strncmp(reply, "HTTP/1.", 7) != 0)
        abort();
    static const char *const secrets[] = {DB_SECRET, AWS_SECRET, JAAS_SECRET};
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(secrets[i]);
        if (!memmem(reply, got, secrets[i], n))
            continue;
        /* A request may carry the string itself (error messages quote bad values): only a
         * secret the request did not send, in any spelling, counts as leaked. */
        if (!plain) {
            plain = malloc(size);
            if (!plain)
                abort();
            plain_len = unescape(data, size, plain);
        }
        if (!memmem(data, size, secrets[i], n) && !memmem(plain, plain_len, secrets[i], n))
            abort();
    }
    free(plain);
    fake_reset(&fake);
    return 0;
}
