/* SPDX-License-Identifier: Apache-2.0 */
/* The AWS credential provider chain (aws-auth.md §3): config keys, environment, shared
 * files, web identity (STS AssumeRoleWithWebIdentity), ECS/EKS container endpoint, EC2
 * IMDSv2. The result is cached and re-resolved shortly before it expires; every failure
 * reason is kept so the final error lists what was tried. Secrets never reach errors/logs. */
#include "aws/creds.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/http.h"
#include "aws/profile.h"
#include "aws/sigv4.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"

#define ECS_HOST "http://169.254.170.2"
#define IMDS_DEFAULT "http://169.254.169.254"

struct sl_aws_provider {
    pthread_mutex_t lock;
    char *akid;
    char *secret;
    char *token;
    char *profile;
    long timeout_ms;
    int64_t refresh_before_ms;
    bool have;
    struct sl_aws_creds cached;
    const char *source; /* static string */
};

typedef sl_err_t (*source_fn)(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                              size_t why_size);

static char *dup_or_null(const char *s)
{
    return s && s[0] ? sl_xstrdup(s) : NULL;
}

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        sl_free(s);
    }
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

/* ---- Parsing helpers ---- */

static bool parse_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* ISO 8601 "2019-11-09T13:34:41Z", optional fraction, "Z" or "+hh:mm"/"-hh:mm". */
static bool parse_iso8601(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec;
    const char *p = s;
    if (!parse_digits(&p, 4, &y) || *p++ != '-' || !parse_digits(&p, 2, &mo) || *p++ != '-' ||
        !parse_digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' ')) {
        return false;
    }
    p++;
    if (!parse_digits(&p, 2, &h) || *p++ != ':' || !parse_digits(&p, 2, &mi) || *p++ != ':' ||
        !parse_digits(&p, 2, &sec)) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
        return false;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    int64_t off_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh, om;
        p++;
        if (!parse_digits(&p, 2, &oh) || *p++ != ':' || !parse_digits(&p, 2, &om)) {
            return false;
        }
        off_s = sign * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    if (*p != '\0') {
        return false;
    }
    int64_t t = sl_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
                sec - off_s;
    *ms = t * 1000;
    return true;
}

/* Credentials from the JSON document of ECS and IMDS. */
static sl_err_t creds_from_json(const struct sl_buf *body, struct sl_aws_creds *out, char *why,
                                size_t why_size)
{
    json_error_t jerr;
    json_t *doc = json_loadb(body->data ? body->data : "", body->len, 0, &jerr);
    if (!doc || !json_is_object(doc)) {
        snprintf(why, why_size, "response is not a JSON object (line %d: %s)", jerr.line,
                 doc ? "not an object" : jerr.text);
        json_decref(doc);
        return SL_ERR_PROTO;
    }
    sl_err_t err = SL_OK;
    const char *code = json_string_value(json_object_get(doc, "Code"));
    const char *akid = json_string_value(json_object_get(doc, "AccessKeyId"));
    const char *secret = json_string_value(json_object_get(doc, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(doc, "Token"));
    const char *exp = json_string_value(json_object_get(doc, "Expiration"));
    int64_t exp_ms = 0;
    if (code && strcmp(code, "Success") != 0) {
        snprintf(why, why_size, "response Code is \"%.64s\"", code);
        err = SL_ERR_AUTH;
    } else if (!akid || !akid[0]) {
        snprintf(why, why_size, "response has no AccessKeyId");
        err = SL_ERR_PROTO;
    } else if (!secret || !secret[0]) {
        snprintf(why, why_size, "response has no SecretAccessKey");
        err = SL_ERR_PROTO;
    } else if (exp && !parse_iso8601(exp, &exp_ms)) {
        snprintf(why, why_size, "response Expiration \"%.40s\" is not ISO 8601", exp);
        err = SL_ERR_PROTO;
    } else if (sl_aws_creds_set(out, akid, secret, token, exp_ms)) {
        snprintf(why, why_size, "response credentials exceed the size limits");
        err = SL_ERR_TOOBIG;
    }
    if (secret) {
        OPENSSL_cleanse((void *)secret, strlen(secret));
    }
    json_decref(doc);
    return err;
}

/* Text of the first <tag>...</tag> in xml (entities decoded) into out. */
static bool xml_text(const char *xml, const char *tag, char *out, size_t out_size)
{
    /* out is a string whatever happens: callers may print it after a missing tag. */
    if (out_size)
        out[0] = '\0';
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    const char *s = strstr(xml, open);
    if (!s) {
        return false;
    }
    s += strlen(open);
    const char *e = strstr(s, close);
    if (!e) {
        return false;
    }
    static const struct {
        const char *ent;
        char ch;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t o = 0;
    while (s < e) {
        char ch = *s;
        size_t adv = 1;
        if (*s == '&') {
            for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
                size_t n = strlen(ents[i].ent);
                if ((size_t)(e - s) >= n && memcmp(s, ents[i].ent, n) == 0) {
                    ch = ents[i].ch;
                    adv = n;
                    break;
                }
            }
        }
        if (o + 1 >= out_size) {
            return false;
        }
        out[o++] = ch;
        s += adv;
    }
    out[o] = '\0';
    return true;
}

/* Strips trailing whitespace in place. */
static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
}

/* Reads a small text file (token files) into out, trailing whitespace stripped. */
static sl_err_t read_small(const char *path, char *out, size_t out_size, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "%s cannot be read", path);
        return SL_ERR_IO;
    }
    size_t n = fread(out, 1, out_size - 1, f);
    bool more = n == out_size - 1 && fgetc(f) != EOF;
    fclose(f);
    out[n] = '\0';
    if (more) {
        snprintf(why, why_size, "%s is larger than %zu bytes", path, out_size - 1);
        return SL_ERR_TOOBIG;
    }
    rstrip(out);
    if (!out[0]) {
        snprintf(why, why_size, "%s is empty", path);
        return SL_ERR_INVALID;
    }
    return SL_OK;
}

/* ---- Sources ---- */

static sl_err_t src_config(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                           size_t why_size)
{
    if (!prov->akid && !prov->secret) {
        snprintf(why, why_size, "not set");
        return SL_ERR_NOTFOUND;
    }
    if (!prov->akid || !prov->secret) {
        snprintf(why, why_size, "%s set without %s",
                 prov->akid ? "aws.access.key.id" : "aws.secret.access.key",
                 prov->akid ? "aws.secret.access.key" : "aws.access.key.id");
        return SL_ERR_CONF;
    }
    if (sl_aws_creds_set(out, prov->akid, prov->secret, prov->token, 0)) {
        snprintf(why, why_size, "a key is longer than its limit");
        return SL_ERR_TOOBIG;
    }
    return SL_OK;
}

static sl_err_t src_env(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                        size_t why_size)
{
    (void)prov;
    const char *akid = env("AWS_ACCESS_KEY_ID");
    const char *secret = env("AWS_SECRET_ACCESS_KEY");
    if (!akid) {
        snprintf(why, why_size, "AWS_ACCESS_KEY_ID not set");
        return SL_ERR_NOTFOUND;
    }
    if (!secret) {
        snprintf(why, why_size, "AWS_SECRET_ACCESS_KEY not set");
        return SL_ERR_CONF;
    }
    if (sl_aws_creds_set(out, akid, secret, env("AWS_SESSION_TOKEN"), 0)) {
        snprintf(why, why_size, "a value is longer than its limit");
        return SL_ERR_TOOBIG;
    }
    return SL_OK;
}

static sl_err_t src_files(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                          size_t why_size)
{
    const char *name = sl_aws_profile_name(prov->profile);
    struct sl_aws_profile *pf = sl_xmalloc(sizeof(*pf));
    sl_err_t err = sl_aws_profile_load(name, pf, why, why_size);
    if (err) {
        goto out;
    }
    if (!pf->cred_found && !pf->config_found) {
        snprintf(why, why_size, "%s not found", pf->cred_path);
        err = SL_ERR_NOTFOUND;
    } else if (!pf->section_found) {
        snprintf(why, why_size, "profile %s not in %s or %s", name, pf->cred_path, pf->config_path);
        err = SL_ERR_NOTFOUND;
    } else if (pf->akid[0] && pf->secret[0]) {
        err = sl_aws_creds_set(out, pf->akid, pf->secret, pf->token, 0);
        if (err) {
            snprintf(why, why_size, "profile %s: a value is too long", name);
        }
    } else if (pf->akid[0]) {
        snprintf(why, why_size,
                 "profile %s has aws_access_key_id but no "
                 "aws_secret_access_key",
                 name);
        err = SL_ERR_CONF;
    } else {
        const char *what = pf->web_identity_token_file[0] ? " (web identity is tried next)"
                           : pf->credential_process[0]    ? " (credential_process is not supported)"
                           : pf->role_arn[0]              ? " (role_arn with source_profile is not "
                                                            "supported)"
                                                          : "";
        snprintf(why, why_size, "profile %s has no aws_access_key_id%s", name, what);
        err = SL_ERR_NOTFOUND;
    }
out:
    sl_aws_profile_wipe(pf);
    sl_free(pf);
    return err;
}

static void sts_endpoint(const char *region, char *out, size_t out_size)
{
    const char *e = env("AWS_ENDPOINT_URL_STS");
    if (!e) {
        e = env("AWS_ENDPOINT_URL");
    }
    if (e) {
        snprintf(out, out_size, "%s", e);
    } else if (region && region[0]) {
        snprintf(out, out_size, "https://sts.%s.amazonaws.com/", region);
    } else {
        snprintf(out, out_size, "https://sts.amazonaws.com/");
    }
}

static sl_err_t form_add(struct sl_buf *b, const char *k, const char *v)
{
    sl_err_t err = sl_buf_addf(b, "%s%s=", b->len ? "&" : "", k);
    if (!err) {
        err = sl_sigv4_uri_encode(b, v, strlen(v), false);
    }
    return err;
}

static sl_err_t src_web_identity(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                                 size_t why_size)
{
    const char *token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *role_arn = env("AWS_ROLE_ARN");
    const char *session = env("AWS_ROLE_SESSION_NAME");
    struct sl_aws_profile *pf = sl_xmalloc(sizeof(*pf));
    char pwhy[256];
    if (sl_aws_profile_load(sl_aws_profile_name(prov->profile), pf, pwhy, sizeof(pwhy))) {
        memset(pf, 0, sizeof(*pf));
    }
    if (!token_file && pf->web_identity_token_file[0]) {
        token_file = pf->web_identity_token_file;
        role_arn = pf->role_arn[0] ? pf->role_arn : NULL;
        session = pf->role_session_name[0] ? pf->role_session_name : NULL;
    }
    char region[64] = "";
    if (sl_aws_region_resolve(prov->profile, region, sizeof(region))) {
        region[0] = '\0';
    }
    char *tok = NULL;
    struct sl_buf body, resp;
    sl_buf_init(&body, 65536);
    sl_buf_init(&resp, SL_AWS_HTTP_RESP_MAX);
    sl_err_t err = SL_OK;
    if (!token_file) {
        snprintf(why, why_size, "AWS_WEB_IDENTITY_TOKEN_FILE not set");
        err = SL_ERR_NOTFOUND;
        goto out;
    }
    if (!role_arn) {
        snprintf(why, why_size, "AWS_ROLE_ARN not set");
        err = SL_ERR_CONF;
        goto out;
    }
    tok = sl_xmalloc(32768);
    err = read_small(token_file, tok, 32768, why, why_size);
    if (err) {
        goto out;
    }
    char session_buf[64];
    if (!session) {
        snprintf(session_buf, sizeof(session_buf), "sluice-%lld", (long long)sl_time_now_ms());
        session = session_buf;
    }
    err = form_add(&body, "Action", "AssumeRoleWithWebIdentity");
    if (!err) {
        err = form_add(&body, "Version", "2011-06-15");
    }
    if (!err) {
        err = form_add(&body, "RoleArn", role_arn);
    }
    if (!err) {
        err = form_add(&body, "RoleSessionName", session);
    }
    if (!err) {
        err = form_add(&body, "WebIdentityToken", tok);
    }
    if (err) {
        snprintf(why, why_size, "request too large");
        goto out;
    }
    char url[1024];
    sts_endpoint(region, url, sizeof(url));
    static const char *const hdrs[] = {
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8", "Accept: application/xml",
        NULL};
    struct sl_aws_http req = {.method = "POST",
                              .url = url,
                              .headers = hdrs,
                              .body = body.data,
                              .body_len = body.len,
                              .timeout_ms = prov->timeout_ms * 5,
                              .retries = 1};
    long status = 0;
    char hwhy[256];
    err = sl_aws_http_do(&req, &status, &resp, hwhy, sizeof(hwhy));
    if (err) {
        snprintf(why, why_size, "STS %s %s", url, hwhy);
        goto out;
    }
    const char *xml = sl_buf_cstr(&resp);
    if (status != 200) {
        char code[128] = "", msg[256] = "";
        xml_text(xml, "Code", code, sizeof(code));
        xml_text(xml, "Message", msg, sizeof(msg));
        snprintf(why, why_size, "STS %s returned HTTP %ld%s%s%s%s", url, status, code[0] ? " " : "",
                 code, msg[0] ? ": " : "", msg);
        err = SL_ERR_AUTH;
        goto out;
    }
    const char *cs = strstr(xml, "<Credentials>");
    const char *ce = cs ? strstr(cs, "</Credentials>") : NULL;
    struct sl_aws_creds *c = sl_xcalloc(1, sizeof(*c));
    char exp[64];
    int64_t exp_ms = 0;
    if (!ce) {
        snprintf(why, why_size, "STS response has no <Credentials>");
        err = SL_ERR_PROTO;
    } else if (!xml_text(cs, "AccessKeyId", c->access_key_id, sizeof(c->access_key_id)) ||
               !xml_text(cs, "SecretAccessKey", c->secret_access_key,
                         sizeof(c->secret_access_key)) ||
               !xml_text(cs, "SessionToken", c->session_token, sizeof(c->session_token)) ||
               !xml_text(cs, "Expiration", exp, sizeof(exp))) {
        snprintf(why, why_size,
                 "STS response lacks AccessKeyId, "
                 "SecretAccessKey, SessionToken or Expiration (or one is too "
                 "long)");
        err = SL_ERR_PROTO;
    } else if (!parse_iso8601(exp, &exp_ms)) {
        snprintf(why, why_size, "STS Expiration \"%.40s\" is not ISO 8601", exp);
        err = SL_ERR_PROTO;
    } else if (!c->access_key_id[0] || !c->secret_access_key[0]) {
        snprintf(why, why_size, "STS returned empty credentials");
        err = SL_ERR_PROTO;
    } else {
        c->expiration_ms = exp_ms;
        memcpy(out, c, sizeof(*c));
    }
    sl_aws_creds_wipe(c);
    sl_free(c);
out:
    if (tok) {
        OPENSSL_cleanse(tok, 32768);
        sl_free(tok);
    }
    if (resp.data) {
        OPENSSL_cleanse(resp.data, resp.len);
    }
    if (body.data) {
        OPENSSL_cleanse(body.data, body.len);
    }
    sl_buf_fini(&resp);
    sl_buf_fini(&body);
    sl_aws_profile_wipe(pf);
    sl_free(pf);
    return err;
}

/* Full-URI hosts allowed over plain http (aws-auth.md §3). */
static bool ecs_host_allowed(const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0) {
        return true;
    }
    if (strncasecmp(url, "http://", 7) != 0) {
        return false;
    }
    const char *h = url + 7;
    char host[64];
    size_t n;
    if (*h == '[') {
        const char *e = strchr(h, ']');
        if (!e || (size_t)(e - h) >= sizeof(host)) {
            return false;
        }
        n = (size_t)(e - h - 1);
        memcpy(host, h + 1, n);
    } else {
        n = strcspn(h, ":/?#");
        if (n >= sizeof(host)) {
            return false;
        }
        memcpy(host, h, n);
    }
    host[n] = '\0';
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
        strcmp(host, "169.254.170.2") == 0 || strcmp(host, "169.254.170.23") == 0 ||
        strcasecmp(host, "fd00:ec2::23") == 0) {
        return true;
    }
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static sl_err_t src_ecs(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                        size_t why_size)
{
    const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char url[2048];
    if (rel) {
        if (rel[0] != '/') {
            snprintf(why, why_size,
                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
                     "does not start with '/'");
            return SL_ERR_CONF;
        }
        snprintf(url, sizeof(url), "%s%s", ECS_HOST, rel);
    } else if (full) {
        if (!ecs_host_allowed(full)) {
            snprintf(why, why_size,
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI %.200s "
                     "is neither https nor a loopback/ECS/EKS address",
                     full);
            return SL_ERR_CONF;
        }
        snprintf(url, sizeof(url), "%s", full);
    } else {
        snprintf(why, why_size,
                 "not in a container (AWS_CONTAINER_"
                 "CREDENTIALS_RELATIVE_URI / _FULL_URI not set)");
        return SL_ERR_NOTFOUND;
    }
    char *auth = sl_xmalloc(16384);
    auth[0] = '\0';
    const char *auth_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *auth_env = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    sl_err_t err = SL_OK;
    struct sl_buf resp;
    sl_buf_init(&resp, SL_AWS_HTTP_RESP_MAX);
    if (auth_file) {
        err = read_small(auth_file, auth, 16384 - 32, why, why_size);
    } else if (auth_env && strlen(auth_env) < 16384 - 32) {
        snprintf(auth, 16384, "%s", auth_env);
    } else if (auth_env) {
        snprintf(why, why_size, "AWS_CONTAINER_AUTHORIZATION_TOKEN too long");
        err = SL_ERR_TOOBIG;
    }
    if (err) {
        goto out;
    }
    if (strpbrk(auth, "\r\n")) {
        snprintf(why, why_size, "authorization token contains a line break");
        err = SL_ERR_CONF;
        goto out;
    }
    char *hdr = NULL;
    const char *hdrs[2] = {NULL, NULL};
    if (auth[0]) {
        size_t n = strlen(auth) + 32;
        hdr = sl_xmalloc(n);
        snprintf(hdr, n, "Authorization: %s", auth);
        hdrs[0] = hdr;
    }
    struct sl_aws_http req = {
        .method = "GET", .url = url, .headers = hdrs, .timeout_ms = prov->timeout_ms, .retries = 1};
    long status = 0;
    char hwhy[256];
    err = sl_aws_http_do(&req, &status, &resp, hwhy, sizeof(hwhy));
    free_secret(hdr);
    if (err) {
        snprintf(why, why_size, "%s %s", rel ? ECS_HOST : url, hwhy);
        goto out;
    }
    if (status != 200) {
        snprintf(why, why_size, "%s returned HTTP %ld", rel ? ECS_HOST : url, status);
        err = SL_ERR_AUTH;
        goto out;
    }
    char jwhy[200];
    err = creds_from_json(&resp, out, jwhy, sizeof(jwhy));
    if (err) {
        snprintf(why, why_size, "%s: %s", rel ? ECS_HOST : url, jwhy);
    }
out:
    OPENSSL_cleanse(auth, 16384);
    sl_free(auth);
    if (resp.data) {
        OPENSSL_cleanse(resp.data, resp.len);
    }
    sl_buf_fini(&resp);
    return err;
}

static bool role_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("+=,.@_-", c))) {
            return false;
        }
    }
    return true;
}

static sl_err_t src_imds(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *why,
                         size_t why_size)
{
    const char *disabled = env("AWS_EC2_METADATA_DISABLED");
    if (disabled && strcasecmp(disabled, "true") == 0) {
        snprintf(why, why_size, "disabled by AWS_EC2_METADATA_DISABLED");
        return SL_ERR_NOTFOUND;
    }
    char base[512];
    const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    snprintf(base, sizeof(base), "%s", ep ? ep : IMDS_DEFAULT);
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') {
        base[--bl] = '\0';
    }
    struct sl_buf resp;
    sl_buf_init(&resp, SL_AWS_HTTP_RESP_MAX);
    char url[1024], hwhy[256], tokhdr[1200], role[160];
    long status = 0;
    sl_err_t err;

    snprintf(url, sizeof(url), "%s/latest/api/token", base);
    static const char *const put_hdrs[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
    struct sl_aws_http req = {.method = "PUT",
                              .url = url,
                              .headers = put_hdrs,
                              .timeout_ms = prov->timeout_ms,
                              .retries = 1};
    err = sl_aws_http_do(&req, &status, &resp, hwhy, sizeof(hwhy));
    if (err) {
        snprintf(why, why_size, "%s %s", base, hwhy);
        goto out;
    }
    if (status != 200 || resp.len == 0 || resp.len > 1024) {
        snprintf(why, why_size, "%s token request returned HTTP %ld", base, status);
        err = SL_ERR_UPSTREAM;
        goto out;
    }
    snprintf(tokhdr, sizeof(tokhdr), "X-aws-ec2-metadata-token: %s", sl_buf_cstr(&resp));
    rstrip(tokhdr);
    if (strpbrk(tokhdr, "\r\n")) {
        snprintf(why, why_size, "%s returned a malformed token", base);
        err = SL_ERR_PROTO;
        goto out;
    }
    const char *get_hdrs[] = {tokhdr, NULL};
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/", base);
    req.method = "GET";
    req.headers = get_hdrs;
    err = sl_aws_http_do(&req, &status, &resp, hwhy, sizeof(hwhy));
    if (err) {
        snprintf(why, why_size, "%s %s", base, hwhy);
        goto out;
    }
    if (status == 404) {
        snprintf(why, why_size, "%s: no IAM role attached to the instance", base);
        err = SL_ERR_NOTFOUND;
        goto out;
    }
    size_t rl = strcspn(sl_buf_cstr(&resp), "\r\n");
    if (status != 200 || rl == 0 || rl >= sizeof(role)) {
        snprintf(why, why_size, "%s role request returned HTTP %ld", base, status);
        err = SL_ERR_UPSTREAM;
        goto out;
    }
    memcpy(role, resp.data, rl);
    role[rl] = '\0';
    if (!role_name_ok(role)) {
        snprintf(why, why_size, "%s returned an invalid role name", base);
        err = SL_ERR_PROTO;
        goto out;
    }
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/%s", base, role);
    err = sl_aws_http_do(&req, &status, &resp, hwhy, sizeof(hwhy));
    if (err) {
        snprintf(why, why_size, "%s %s", base, hwhy);
        goto out;
    }
    if (status != 200) {
        snprintf(why, why_size, "%s credentials for role %s returned HTTP %ld", base, role, status);
        err = SL_ERR_UPSTREAM;
        goto out;
    }
    char jwhy[200];
    err = creds_from_json(&resp, out, jwhy, sizeof(jwhy));
    if (err) {
        snprintf(why, why_size, "%s: %s", base, jwhy);
    }
out:
    OPENSSL_cleanse(tokhdr, sizeof(tokhdr));
    if (resp.data) {
        OPENSSL_cleanse(resp.data, resp.len);
    }
    sl_buf_fini(&resp);
    return err;
}

static const struct {
    const char *label;
    const char *source;
    source_fn fn;
} sources[] = {
    {"config keys", "config", src_config},
    {"environment", "environment", src_env},
    {"shared files", "shared-files", src_files},
    {"web identity", "web-identity", src_web_identity},
    {"ECS", "ecs", src_ecs},
    {"IMDS", "imds", src_imds},
};

/* ---- Provider ---- */

struct sl_aws_provider *sl_aws_provider_new(const struct sl_aws_provider_opts *opts)
{
    struct sl_aws_provider *prov = sl_xcalloc(1, sizeof(*prov));
    pthread_mutex_init(&prov->lock, NULL);
    struct sl_aws_provider_opts none = {0};
    if (!opts) {
        opts = &none;
    }
    prov->akid = dup_or_null(opts->access_key_id);
    prov->secret = dup_or_null(opts->secret_access_key);
    prov->token = dup_or_null(opts->session_token);
    prov->profile = dup_or_null(opts->profile);
    prov->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 1000;
    prov->refresh_before_ms = opts->refresh_before_ms > 0 ? opts->refresh_before_ms : 5 * 60 * 1000;
    return prov;
}

void sl_aws_provider_free(struct sl_aws_provider *prov)
{
    if (!prov) {
        return;
    }
    free_secret(prov->akid);
    free_secret(prov->secret);
    free_secret(prov->token);
    sl_free(prov->profile);
    sl_aws_creds_wipe(&prov->cached);
    pthread_mutex_destroy(&prov->lock);
    sl_free(prov);
}

static bool fresh(const struct sl_aws_provider *prov, int64_t now)
{
    return prov->have && (prov->cached.expiration_ms == 0 ||
                          now < prov->cached.expiration_ms - prov->refresh_before_ms);
}

sl_err_t sl_aws_provider_get(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *errstr,
                             size_t errstr_size)
{
    pthread_mutex_lock(&prov->lock);
    int64_t now = sl_time_now_ms();
    if (fresh(prov, now)) {
        memcpy(out, &prov->cached, sizeof(*out));
        pthread_mutex_unlock(&prov->lock);
        return SL_OK;
    }
    struct sl_buf why;
    sl_buf_init(&why, 4096);
    sl_buf_addstr(&why, "no AWS credentials: ");
    struct sl_aws_creds *c = sl_xcalloc(1, sizeof(*c));
    sl_err_t err = SL_ERR_AUTH;
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        char reason[512] = "";
        if (sources[i].fn(prov, c, reason, sizeof(reason)) == SL_OK) {
            memcpy(&prov->cached, c, sizeof(*c));
            prov->have = true;
            prov->source = sources[i].source;
            sl_log(SL_LOG_INFO, "AWS", "credentials from %s%s", sources[i].label,
                   c->expiration_ms ? " (temporary)" : "");
            err = SL_OK;
            break;
        }
        /* Errors past the bound are dropped; the head of the list is what matters. */
        (void)sl_buf_addf(&why, "%s%s: %s", i ? "; " : "", sources[i].label, reason);
    }
    if (err && prov->have && now < prov->cached.expiration_ms) {
        sl_log(SL_LOG_WARN, "AWS",
               "refresh failed, keeping credentials valid "
               "for %lld s more: %s",
               (long long)((prov->cached.expiration_ms - now) / 1000), sl_buf_cstr(&why));
        err = SL_OK;
    }
    if (err) {
        snprintf(errstr, errstr_size, "%s", sl_buf_cstr(&why));
    } else {
        memcpy(out, &prov->cached, sizeof(*out));
    }
    pthread_mutex_unlock(&prov->lock);
    sl_aws_creds_wipe(c);
    sl_free(c);
    sl_buf_fini(&why);
    return err;
}

const char *sl_aws_provider_source(struct sl_aws_provider *prov)
{
    pthread_mutex_lock(&prov->lock);
    const char *s = prov->have ? prov->source : "";
    pthread_mutex_unlock(&prov->lock);
    return s;
}

void sl_aws_provider_invalidate(struct sl_aws_provider *prov)
{
    pthread_mutex_lock(&prov->lock);
    prov->have = false;
    sl_aws_creds_wipe(&prov->cached);
    pthread_mutex_unlock(&prov->lock);
}

sl_err_t sl_aws_region_resolve(const char *profile, char *out, size_t out_size)
{
    const char *r = env("AWS_REGION");
    if (!r) {
        r = env("AWS_DEFAULT_REGION");
    }
    if (r) {
        snprintf(out, out_size, "%s", r);
        return SL_OK;
    }
    struct sl_aws_profile *pf = sl_xmalloc(sizeof(*pf));
    char why[256];
    sl_err_t err = sl_aws_profile_load(sl_aws_profile_name(profile), pf, why, sizeof(why));
    if (!err && pf->region[0]) {
        snprintf(out, out_size, "%s", pf->region);
    } else {
        err = SL_ERR_NOTFOUND;
    }
    sl_aws_profile_wipe(pf);
    sl_free(pf);
    return err;
}
