/* SPDX-License-Identifier: Apache-2.0 */
/* The AWS credential provider chain against fake endpoints: a tiny HTTP server on 127.0.0.1
 * (socket + thread) plays STS AssumeRoleWithWebIdentity, the ECS container endpoint and EC2
 * IMDSv2. Also covers config keys, environment, shared files with profiles, refresh before
 * expiry, keeping valid credentials when a refresh fails, and the all-sources-failed error
 * (which must not contain a secret). Real 169.254.x addresses are never contacted: every test
 * sets AWS_EC2_METADATA_DISABLED or an endpoint override. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/creds.h"
#include "testlib.h"

/* ---- Minimal HTTP server ---- */

struct http_req {
    char method[16];
    char path[1024];
    char headers[8192]; /* raw header block */
    char body[16384];
};

struct srv;
typedef void (*handler_fn)(struct srv *srv, const struct http_req *req, int *status, char *body,
                           size_t body_size);

struct srv {
    int fd;
    int port;
    pthread_t th;
    volatile int stop;
    handler_fn handler;
    pthread_mutex_t lock;
    int hits;             /* requests served */
    int cred_hits;        /* credential documents served */
    int fail;             /* handler knob: answer 500 */
    int64_t exp_offset_s; /* Expiration = now + this */
    char last_auth[512];
    char last_body[16384];
    char last_token_hdr[256];
};

static void header_value(const char *headers, const char *name, char *out, size_t out_size)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = headers; p && *p;) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ') {
                v++;
            }
            size_t l = strcspn(v, "\r\n");
            snprintf(out, out_size, "%.*s", (int)l, v);
            return;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
}

static void serve_one(struct srv *srv, int c)
{
    static __thread char buf[65536];
    size_t len = 0;
    char *hend = NULL;
    while (len < sizeof(buf) - 1) {
        ssize_t r = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
        if (r <= 0) {
            return;
        }
        len += (size_t)r;
        buf[len] = '\0';
        hend = strstr(buf, "\r\n\r\n");
        if (hend) {
            break;
        }
    }
    if (!hend) {
        return;
    }
    struct http_req *req = calloc(1, sizeof(*req));
    sscanf(buf, "%15s %1023s", req->method, req->path);
    size_t hl = (size_t)(hend - buf);
    snprintf(req->headers, sizeof(req->headers), "%.*s", (int)hl, buf);
    char cl[32];
    header_value(req->headers, "Content-Length", cl, sizeof(cl));
    size_t want = cl[0] ? (size_t)strtoul(cl, NULL, 10) : 0;
    size_t have = len - hl - 4;
    while (have < want && len < sizeof(buf) - 1) {
        ssize_t r = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
        if (r <= 0) {
            break;
        }
        len += (size_t)r;
        have += (size_t)r;
    }
    buf[len] = '\0';
    snprintf(req->body, sizeof(req->body), "%s", hend + 4);
    int status = 200;
    char *body = calloc(1, 16384);
    pthread_mutex_lock(&srv->lock);
    srv->hits++;
    srv->handler(srv, req, &status, body, 16384);
    pthread_mutex_unlock(&srv->lock);
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, strlen(body));
    (void)!send(c, head, (size_t)n, MSG_NOSIGNAL);
    (void)!send(c, body, strlen(body), MSG_NOSIGNAL);
    free(body);
    free(req);
}

static void *srv_main(void *arg)
{
    struct srv *srv = arg;
    while (!srv->stop) {
        struct pollfd pfd = {.fd = srv->fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0) {
            continue;
        }
        int c = accept(srv->fd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        serve_one(srv, c);
        close(c);
    }
    return NULL;
}

static int listen_local(int *port, bool accept_connections)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, accept_connections ? 16 : 64), 0);
    socklen_t sl = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &sl);
    *port = ntohs(a.sin_port);
    return fd;
}

static struct srv *srv_start(handler_fn handler)
{
    struct srv *srv = calloc(1, sizeof(*srv));
    srv->handler = handler;
    srv->exp_offset_s = 3600;
    pthread_mutex_init(&srv->lock, NULL);
    srv->fd = listen_local(&srv->port, true);
    assert_int_equal(pthread_create(&srv->th, NULL, srv_main, srv), 0);
    return srv;
}

static void srv_stop(struct srv *srv)
{
    srv->stop = 1;
    pthread_join(srv->th, NULL);
    close(srv->fd);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

static void iso8601(int64_t t, char *out, size_t out_size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- Fake endpoints ---- */

static void cred_json(struct srv *srv, char *body, size_t body_size)
{
    char exp[64];
    iso8601(time(NULL) + srv->exp_offset_s, exp, sizeof(exp));
    srv->cred_hits++;
    snprintf(body, body_size,
             "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\","
             "\"AccessKeyId\":\"ASIAFAKE%d\",\"SecretAccessKey\":\"fakeSecret%d\","
             "\"Token\":\"fakeToken%d\",\"Expiration\":\"%s\"}",
             srv->cred_hits, srv->cred_hits, srv->cred_hits, exp);
}

static void ecs_handler(struct srv *srv, const struct http_req *req, int *status, char *body,
                        size_t body_size)
{
    header_value(req->headers, "Authorization", srv->last_auth, sizeof(srv->last_auth));
    if (srv->fail) {
        *status = 500;
        return;
    }
    if (strcmp(req->method, "GET") != 0 || strcmp(req->path, "/creds") != 0) {
        *status = 404;
        return;
    }
    cred_json(srv, body, body_size);
}

static void imds_handler(struct srv *srv, const struct http_req *req, int *status, char *body,
                         size_t body_size)
{
    char ttl[64], tok[256];
    header_value(req->headers, "X-aws-ec2-metadata-token-ttl-seconds", ttl, sizeof(ttl));
    header_value(req->headers, "X-aws-ec2-metadata-token", tok, sizeof(tok));
    if (strcmp(req->method, "PUT") == 0 && strcmp(req->path, "/latest/api/token") == 0) {
        if (strcmp(ttl, "21600") != 0) {
            *status = 400;
            return;
        }
        snprintf(body, body_size, "IMDSTOKEN-abc");
        return;
    }
    snprintf(srv->last_token_hdr, sizeof(srv->last_token_hdr), "%s", tok);
    if (strcmp(tok, "IMDSTOKEN-abc") != 0) {
        *status = 401;
        return;
    }
    if (strcmp(req->path, "/latest/meta-data/iam/security-credentials/") == 0) {
        snprintf(body, body_size, "my-role\n");
        return;
    }
    if (strcmp(req->path, "/latest/meta-data/iam/security-credentials/my-role") == 0) {
        cred_json(srv, body, body_size);
        return;
    }
    *status = 404;
}

static void sts_handler(struct srv *srv, const struct http_req *req, int *status, char *body,
                        size_t body_size)
{
    snprintf(srv->last_body, sizeof(srv->last_body), "%s", req->body);
    if (srv->fail) {
        *status = 400;
        snprintf(body, body_size,
                 "<ErrorResponse><Error><Type>Sender</Type>"
                 "<Code>InvalidIdentityToken</Code>"
                 "<Message>Token is expired &amp; invalid</Message></Error>"
                 "</ErrorResponse>");
        return;
    }
    char exp[64];
    iso8601(time(NULL) + srv->exp_offset_s, exp, sizeof(exp));
    srv->cred_hits++;
    snprintf(body, body_size,
             "<AssumeRoleWithWebIdentityResponse "
             "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
             "<AssumeRoleWithWebIdentityResult>\n"
             "<SubjectFromWebIdentityToken>sub</SubjectFromWebIdentityToken>\n"
             "<Credentials>\n"
             "<SessionToken>stsToken/+=</SessionToken>\n"
             "<SecretAccessKey>sts&amp;Secret</SecretAccessKey>\n"
             "<Expiration>%s</Expiration>\n"
             "<AccessKeyId>ASIASTS</AccessKeyId>\n"
             "</Credentials>\n"
             "</AssumeRoleWithWebIdentityResult>\n"
             "</AssumeRoleWithWebIdentityResponse>\n",
             exp);
}

/* ---- Environment ---- */

static const char *const aws_vars[] = {"AWS_ACCESS_KEY_ID",
                                       "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN",
                                       "AWS_PROFILE",
                                       "AWS_SHARED_CREDENTIALS_FILE",
                                       "AWS_CONFIG_FILE",
                                       "AWS_WEB_IDENTITY_TOKEN_FILE",
                                       "AWS_ROLE_ARN",
                                       "AWS_ROLE_SESSION_NAME",
                                       "AWS_ENDPOINT_URL_STS",
                                       "AWS_ENDPOINT_URL",
                                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                       "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                       "AWS_REGION",
                                       "AWS_DEFAULT_REGION",
                                       "http_proxy",
                                       "HTTP_PROXY",
                                       "https_proxy",
                                       "HTTPS_PROXY",
                                       "all_proxy",
                                       "ALL_PROXY"};

static char *home;

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++) {
        unsetenv(aws_vars[i]);
    }
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    home = sl_test_tmpdir("sl-aws-home");
    setenv("HOME", home, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sl_test_rmtree(home);
    free(home);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *home_path(const char *rel)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/%s", home, rel);
    return path;
}

static struct sl_aws_creds creds;
static char errstr[2048];

static sl_err_t get_once(const struct sl_aws_provider_opts *opts, const char **source)
{
    struct sl_aws_provider *prov = sl_aws_provider_new(opts);
    errstr[0] = '\0';
    sl_err_t err = sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr));
    static char src[32];
    snprintf(src, sizeof(src), "%s", sl_aws_provider_source(prov));
    if (source) {
        *source = src;
    }
    sl_aws_provider_free(prov);
    return err;
}

/* ---- Tests ---- */

static void test_config_then_env(void **state)
{
    (void)state;
    const char *src;
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envSecret", 1);
    setenv("AWS_SESSION_TOKEN", "envToken", 1);
    struct sl_aws_provider_opts opts = {.access_key_id = "AKIDCONF",
                                        .secret_access_key = "confSecret"};
    assert_int_equal(get_once(&opts, &src), SL_OK);
    assert_string_equal(src, "config");
    assert_string_equal(creds.access_key_id, "AKIDCONF");
    assert_string_equal(creds.secret_access_key, "confSecret");
    assert_string_equal(creds.session_token, "");

    assert_int_equal(get_once(NULL, &src), SL_OK);
    assert_string_equal(src, "environment");
    assert_string_equal(creds.access_key_id, "AKIDENV");
    assert_string_equal(creds.secret_access_key, "envSecret");
    assert_string_equal(creds.session_token, "envToken");
    assert_int_equal(creds.expiration_ms, 0);
}

static void test_shared_files(void **state)
{
    (void)state;
    const char *src;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/.aws", home);
    assert_int_equal(mkdir(dir, 0700), 0);
    write_file(home_path(".aws/credentials"),
               "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\n"
               "aws_secret_access_key=defaultSecret  \n\n"
               "[other]\r\naws_access_key_id=AKIDOTHER\r\n"
               "aws_secret_access_key = other/Secret+\r\n"
               "aws_session_token = otherToken\r\n");
    write_file(home_path(".aws/config"),
               "[default]\nregion = eu-west-1\n"
               "[profile cfgonly]\nregion=us-east-2\ns3 =\n"
               "  max_concurrent_requests = 10\n"
               "aws_access_key_id = AKIDCFG\naws_secret_access_key = cfgSecret\n"
               "[cfgonly]\naws_access_key_id = WRONG\n");
    assert_int_equal(get_once(NULL, &src), SL_OK);
    assert_string_equal(src, "shared-files");
    assert_string_equal(creds.access_key_id, "AKIDDEFAULT");
    assert_string_equal(creds.secret_access_key, "defaultSecret");

    setenv("AWS_PROFILE", "other", 1);
    assert_int_equal(get_once(NULL, &src), SL_OK);
    assert_string_equal(creds.access_key_id, "AKIDOTHER");
    assert_string_equal(creds.secret_access_key, "other/Secret+");
    assert_string_equal(creds.session_token, "otherToken");

    /* "[profile x]" in the config file; "[x]" there is not that profile. */
    struct sl_aws_provider_opts opts = {.profile = "cfgonly"};
    assert_int_equal(get_once(&opts, &src), SL_OK);
    assert_string_equal(creds.access_key_id, "AKIDCFG");
    char region[64];
    assert_int_equal(sl_aws_region_resolve("cfgonly", region, sizeof(region)), SL_OK);
    assert_string_equal(region, "us-east-2");
    setenv("AWS_REGION", "ap-south-1", 1);
    assert_int_equal(sl_aws_region_resolve("cfgonly", region, sizeof(region)), SL_OK);
    assert_string_equal(region, "ap-south-1");

    /* Unknown profile: the error names it and the files. */
    opts.profile = "nope";
    assert_int_equal(get_once(&opts, &src), SL_ERR_AUTH);
    assert_non_null(strstr(errstr, "profile nope not in"));

    /* Override path, and a malformed file names file and line. */
    char alt[1024];
    snprintf(alt, sizeof(alt), "%s/alt-creds", home);
    write_file(alt, "[default]\naws_access_key_id = AKIDALT\nbroken line\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", alt, 1);
    unsetenv("AWS_PROFILE");
    assert_int_equal(get_once(NULL, &src), SL_ERR_AUTH);
    char want[1200];
    snprintf(want, sizeof(want), "%s:3: expected key = value", alt);
    assert_non_null(strstr(errstr, want));
}

static void test_web_identity(void **state)
{
    (void)state;
    struct srv *srv = srv_start(sts_handler);
    char url[128], tokfile[1024];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv->port);
    snprintf(tokfile, sizeof(tokfile), "%s/web-token", home);
    write_file(tokfile, "eyJ.web+token/x=\n");
    setenv("AWS_ENDPOINT_URL_STS", url, 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tokfile, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r", 1);
    setenv("AWS_ROLE_SESSION_NAME", "sess1", 1);
    const char *src;
    assert_int_equal(get_once(NULL, &src), SL_OK);
    assert_string_equal(src, "web-identity");
    assert_string_equal(creds.access_key_id, "ASIASTS");
    assert_string_equal(creds.secret_access_key, "sts&Secret");
    assert_string_equal(creds.session_token, "stsToken/+=");
    int64_t now_ms = (int64_t)time(NULL) * 1000;
    assert_true(creds.expiration_ms > now_ms + 3500 * 1000);
    assert_true(creds.expiration_ms <= now_ms + 3601 * 1000);
    assert_non_null(strstr(srv->last_body, "Action=AssumeRoleWithWebIdentity"));
    assert_non_null(strstr(srv->last_body, "Version=2011-06-15"));
    assert_non_null(strstr(srv->last_body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr"));
    assert_non_null(strstr(srv->last_body, "RoleSessionName=sess1"));
    assert_non_null(strstr(srv->last_body, "WebIdentityToken=eyJ.web%2Btoken%2Fx%3D&") ||
                    strstr(srv->last_body, "WebIdentityToken=eyJ.web%2Btoken%2Fx%3D"));

    /* STS refusing: the error carries its code and message, and the chain goes on. */
    srv->fail = 1;
    assert_int_equal(get_once(NULL, &src), SL_ERR_AUTH);
    assert_non_null(strstr(errstr, "web identity: STS"));
    assert_non_null(strstr(errstr, "HTTP 400 InvalidIdentityToken: Token is "
                                   "expired & invalid"));
    assert_null(strstr(errstr, "eyJ.web"));
    srv_stop(srv);
}

static void test_ecs_and_refresh(void **state)
{
    (void)state;
    struct srv *srv = srv_start(ecs_handler);
    char url[128], authfile[1024];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/creds", srv->port);
    snprintf(authfile, sizeof(authfile), "%s/ecs-auth", home);
    write_file(authfile, "Bearer file-token\n");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", authfile, 1);

    /* Expiring in 2 minutes: inside the 5-minute window, so every get refreshes. */
    srv->exp_offset_s = 120;
    struct sl_aws_provider *prov = sl_aws_provider_new(NULL);
    assert_int_equal(sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(sl_aws_provider_source(prov), "ecs");
    assert_string_equal(creds.access_key_id, "ASIAFAKE1");
    assert_string_equal(creds.secret_access_key, "fakeSecret1");
    assert_string_equal(creds.session_token, "fakeToken1");
    assert_string_equal(srv->last_auth, "Bearer file-token");
    assert_int_equal(sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(creds.access_key_id, "ASIAFAKE2");
    assert_int_equal(srv->cred_hits, 2);

    /* The endpoint failing while the credential is still valid: keep it. */
    srv->fail = 1;
    assert_int_equal(sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(creds.access_key_id, "ASIAFAKE2");
    srv->fail = 0;

    /* A credential valid for an hour is served from the cache. */
    srv->exp_offset_s = 3600;
    assert_int_equal(sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(creds.access_key_id, "ASIAFAKE3");
    int hits = srv->hits;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr)), SL_OK);
    }
    assert_string_equal(creds.access_key_id, "ASIAFAKE3");
    assert_int_equal(srv->hits, hits);
    sl_aws_provider_invalidate(prov);
    assert_int_equal(sl_aws_provider_get(prov, &creds, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(creds.access_key_id, "ASIAFAKE4");
    sl_aws_provider_free(prov);

    /* Token from the environment when there is no file. */
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    assert_int_equal(get_once(NULL, NULL), SL_OK);
    assert_string_equal(srv->last_auth, "env-token");

    /* A plain-http full URI that is not loopback/ECS is refused without a request. */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
    hits = srv->hits;
    assert_int_equal(get_once(NULL, NULL), SL_ERR_AUTH);
    assert_non_null(strstr(errstr, "ECS: AWS_CONTAINER_CREDENTIALS_FULL_URI "
                                   "http://example.com/creds is neither"));
    assert_null(strstr(errstr, "env-token"));
    assert_int_equal(srv->hits, hits);
    srv_stop(srv);
}

static void *get_many(void *arg)
{
    struct sl_aws_provider *prov = arg;
    for (int i = 0; i < 50; i++) {
        struct sl_aws_creds c;
        char e[512];
        if (sl_aws_provider_get(prov, &c, e, sizeof(e)) != SL_OK ||
            strncmp(c.access_key_id, "ASIAFAKE", 8) != 0) {
            return (void *)1;
        }
    }
    return NULL;
}

/* Several threads sharing one provider: one fetch, everyone gets the same keys. */
static void test_concurrent_get(void **state)
{
    (void)state;
    struct srv *srv = srv_start(ecs_handler);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/creds", srv->port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    struct sl_aws_provider *prov = sl_aws_provider_new(NULL);
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, get_many, prov), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(th[i], &rc);
        assert_null(rc);
    }
    assert_int_equal(srv->cred_hits, 1);
    sl_aws_provider_free(prov);
    srv_stop(srv);
}

static void test_imds(void **state)
{
    (void)state;
    struct srv *srv = srv_start(imds_handler);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv->port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    const char *src;
    assert_int_equal(get_once(NULL, &src), SL_OK);
    assert_string_equal(src, "imds");
    assert_string_equal(creds.access_key_id, "ASIAFAKE1");
    assert_string_equal(creds.session_token, "fakeToken1");
    assert_string_equal(srv->last_token_hdr, "IMDSTOKEN-abc");
    assert_int_equal(srv->hits, 3); /* PUT token, GET role, GET credentials */

    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_int_equal(get_once(NULL, &src), SL_ERR_AUTH);
    assert_non_null(strstr(errstr, "IMDS: disabled by AWS_EC2_METADATA_DISABLED"));
    srv_stop(srv);
}

static void test_all_fail(void **state)
{
    (void)state;
    /* A listener that never answers: connect succeeds, the request times out. */
    int port;
    int fd = listen_local(&port, false);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_SECRET_ACCESS_KEY", "TopSecretValue", 1);
    setenv("AWS_SESSION_TOKEN", "TopSecretToken", 1);
    struct sl_aws_provider_opts opts = {.secret_access_key = "ConfSecretValue"};
    time_t t0 = time(NULL);
    assert_int_equal(get_once(&opts, NULL), SL_ERR_AUTH);
    time_t took = time(NULL) - t0;
    close(fd);
    print_message("error: %s\n", errstr);
    char want[2048];
    snprintf(want, sizeof(want),
             "no AWS credentials: config keys: aws.secret.access.key set "
             "without aws.access.key.id; environment: AWS_ACCESS_KEY_ID not "
             "set; shared files: %s/.aws/credentials not found; web identity: "
             "AWS_WEB_IDENTITY_TOKEN_FILE not set; ECS: not in a container "
             "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI not set); "
             "IMDS: %s timed out after 1s",
             home, url);
    assert_string_equal(errstr, want);
    assert_null(strstr(errstr, "TopSecret"));
    assert_null(strstr(errstr, "ConfSecret"));
    /* 1 s timeout, one retry. */
    assert_true(took >= 1 && took <= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_then_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_and_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_fail, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
