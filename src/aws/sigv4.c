/* SPDX-License-Identifier: Apache-2.0 */
/* AWS Signature Version 4 signer (header and presigned forms) over OpenSSL 3, following
 * aws-auth.md §1 and checked against the official vectors in fixtures/sigv4/. The signing key
 * is cached per (key id, secret fingerprint, date, region, service) in a small locked table. */
#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/mem.h"

#define BUF_MAX ((size_t)4 << 20)
#define PATH_MAX_LEN ((size_t)16384)
#define QUERY_MAX_LEN ((size_t)65536)
#define MAX_PARAMS 512
#define MAX_HEADERS 128

static void seterr(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    if (!errstr || errstr_size == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

/* ---- Primitives ---- */

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int outlen = 32;
    if (!EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL)) {
        abort(); /* only fails on allocation failure inside OpenSSL */
    }
}

void sl_sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    sha256(data, len, md);
    hex_encode(md, 32, out);
}

static void hmac(const void *key, size_t keylen, const void *data, size_t len,
                 unsigned char out[32])
{
    unsigned int outlen = 32;
    if (!HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &outlen)) {
        abort();
    }
}

void sl_sigv4_amz_date(int64_t time_s, char out[17])
{
    time_t t = (time_t)time_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

sl_err_t sl_sigv4_uri_encode(struct sl_buf *buf, const char *s, size_t len, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    sl_err_t err = SL_OK;
    for (size_t i = 0; i < len && !err; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            err = sl_buf_addch(buf, (char)c);
        } else {
            char esc[3] = {'%', digits[c >> 4], digits[c & 0xf]};
            err = sl_buf_add(buf, esc, 3);
        }
    }
    return err;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Percent-decodes s[0..len) into out (NUL-terminated, malloc'd). A '%' not followed by two
 * hex digits is kept literally, so it is re-encoded as %25. */
static char *pct_decode(const char *s, size_t len, size_t *outlen)
{
    char *out = sl_xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* ---- Signing key cache ---- */

#define KEY_CACHE_SLOTS 8

struct key_slot {
    bool used;
    uint64_t stamp;
    char akid[SL_AWS_AKID_MAX];
    unsigned char secret_fp[32];
    char date[9];
    char region[64];
    char service[64];
    unsigned char key[32];
};

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static struct key_slot key_cache[KEY_CACHE_SLOTS];
static uint64_t key_clock;

static void derive_key(const char *secret, const char *date, const char *region,
                       const char *service, unsigned char out[32])
{
    char k0[4 + SL_AWS_SECRET_MAX];
    size_t slen = strlen(secret);
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, slen);
    unsigned char k1[32], k2[32], k3[32];
    hmac(k0, 4 + slen, date, strlen(date), k1);
    hmac(k1, 32, region, strlen(region), k2);
    hmac(k2, 32, service, strlen(service), k3);
    hmac(k3, 32, "aws4_request", 12, out);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(k1, 32);
    OPENSSL_cleanse(k2, 32);
    OPENSSL_cleanse(k3, 32);
}

void sl_sigv4_signing_key(const struct sl_aws_creds *creds, const char *date, const char *region,
                          const char *service, unsigned char out[32])
{
    size_t slen = strnlen(creds->secret_access_key, SL_AWS_SECRET_MAX);
    bool cacheable = strlen(date) == 8 && strlen(region) < 64 && strlen(service) < 64 &&
                     slen < SL_AWS_SECRET_MAX;
    if (!cacheable) {
        derive_key(creds->secret_access_key, date, region, service, out);
        return;
    }
    unsigned char fp[32];
    sha256(creds->secret_access_key, slen, fp);

    pthread_mutex_lock(&key_lock);
    struct key_slot *victim = &key_cache[0];
    for (size_t i = 0; i < KEY_CACHE_SLOTS; i++) {
        struct key_slot *s = &key_cache[i];
        if (s->used && strcmp(s->akid, creds->access_key_id) == 0 &&
            memcmp(s->secret_fp, fp, 32) == 0 && strcmp(s->date, date) == 0 &&
            strcmp(s->region, region) == 0 && strcmp(s->service, service) == 0) {
            s->stamp = ++key_clock;
            memcpy(out, s->key, 32);
            pthread_mutex_unlock(&key_lock);
            return;
        }
        if (!s->used || s->stamp < victim->stamp) {
            victim = s;
        }
    }
    derive_key(creds->secret_access_key, date, region, service, out);
    victim->used = true;
    victim->stamp = ++key_clock;
    snprintf(victim->akid, sizeof(victim->akid), "%s", creds->access_key_id);
    memcpy(victim->secret_fp, fp, 32);
    snprintf(victim->date, sizeof(victim->date), "%s", date);
    snprintf(victim->region, sizeof(victim->region), "%s", region);
    snprintf(victim->service, sizeof(victim->service), "%s", service);
    memcpy(victim->key, out, 32);
    pthread_mutex_unlock(&key_lock);
}

/* ---- Canonical URI ---- */

struct seg {
    const char *p;
    size_t len;
};

static sl_err_t canonical_uri(struct sl_buf *out, const char *path, bool normalize, char *errstr,
                              size_t errstr_size)
{
    size_t plen = path ? strlen(path) : 0;
    if (plen == 0) {
        return sl_buf_addch(out, '/');
    }
    if (path[0] != '/') {
        seterr(errstr, errstr_size, "sigv4: path \"%.64s\" is not absolute", path);
        return SL_ERR_INVALID;
    }
    if (plen > PATH_MAX_LEN) {
        seterr(errstr, errstr_size, "sigv4: path longer than %zu bytes", PATH_MAX_LEN);
        return SL_ERR_TOOBIG;
    }
    if (!normalize) {
        return sl_sigv4_uri_encode(out, path, plen, true);
    }

    struct seg *segs = sl_xmalloc(sizeof(*segs) * (plen + 1));
    size_t n = 0;
    bool trailing = false;
    const char *p = path;
    const char *end = path + plen;
    while (p < end) {
        while (p < end && *p == '/') {
            p++;
        }
        const char *s = p;
        while (p < end && *p != '/') {
            p++;
        }
        size_t len = (size_t)(p - s);
        /* A path ending in "/", "/." or "/.." names a directory: keep the slash. */
        trailing = (p == end) ? (len == 0 || (len == 1 && s[0] == '.') ||
                                 (len == 2 && s[0] == '.' && s[1] == '.'))
                              : trailing;
        if (len == 0 || (len == 1 && s[0] == '.')) {
            continue;
        }
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (n > 0) {
                n--;
            }
            continue;
        }
        segs[n].p = s;
        segs[n].len = len;
        n++;
    }
    sl_err_t err = SL_OK;
    for (size_t i = 0; i < n && !err; i++) {
        err = sl_buf_addch(out, '/');
        if (!err) {
            err = sl_sigv4_uri_encode(out, segs[i].p, segs[i].len, false);
        }
    }
    if (!err && (n == 0 || trailing)) {
        err = sl_buf_addch(out, '/');
    }
    sl_free(segs);
    return err;
}

/* ---- Canonical query ---- */

struct param {
    char *name;  /* encoded */
    char *value; /* encoded */
};

struct params {
    struct param v[MAX_PARAMS];
    size_t n;
};

static void params_free(struct params *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        sl_free(ps->v[i].name);
        OPENSSL_cleanse(ps->v[i].value, strlen(ps->v[i].value));
        sl_free(ps->v[i].value);
    }
    ps->n = 0;
}

static char *encode_dup(const char *s, size_t len)
{
    struct sl_buf b;
    sl_buf_init(&b, len * 3 + 1);
    if (sl_sigv4_uri_encode(&b, s, len, false)) {
        abort(); /* max is sized for the worst case */
    }
    size_t n;
    return sl_buf_take(&b, &n);
}

static sl_err_t params_add_raw(struct params *ps, const char *name, size_t nlen, const char *value,
                               size_t vlen, char *errstr, size_t errstr_size)
{
    if (ps->n >= MAX_PARAMS) {
        seterr(errstr, errstr_size, "sigv4: more than %d query parameters", MAX_PARAMS);
        return SL_ERR_TOOBIG;
    }
    ps->v[ps->n].name = encode_dup(name, nlen);
    ps->v[ps->n].value = encode_dup(value, vlen);
    ps->n++;
    return SL_OK;
}

static sl_err_t params_parse(struct params *ps, const char *query, char *errstr, size_t errstr_size)
{
    if (!query) {
        return SL_OK;
    }
    size_t qlen = strlen(query);
    if (qlen > QUERY_MAX_LEN) {
        seterr(errstr, errstr_size, "sigv4: query longer than %zu bytes", QUERY_MAX_LEN);
        return SL_ERR_TOOBIG;
    }
    const char *p = query;
    const char *end = query + qlen;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        if (pe > p) {
            const char *eq = memchr(p, '=', (size_t)(pe - p));
            const char *ne = eq ? eq : pe;
            const char *vs = eq ? eq + 1 : pe;
            size_t dn, dv;
            char *dname = pct_decode(p, (size_t)(ne - p), &dn);
            char *dval = pct_decode(vs, (size_t)(pe - vs), &dv);
            sl_err_t err = params_add_raw(ps, dname, dn, dval, dv, errstr, errstr_size);
            sl_free(dname);
            sl_free(dval);
            if (err) {
                return err;
            }
        }
        p = amp ? amp + 1 : end;
    }
    return SL_OK;
}

static int param_cmp(const void *a, const void *b)
{
    const struct param *x = a;
    const struct param *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static sl_err_t params_emit(struct params *ps, struct sl_buf *out)
{
    qsort(ps->v, ps->n, sizeof(ps->v[0]), param_cmp);
    sl_err_t err = SL_OK;
    for (size_t i = 0; i < ps->n && !err; i++) {
        err = sl_buf_addf(out, "%s%s=%s", i ? "&" : "", ps->v[i].name, ps->v[i].value);
    }
    return err;
}

/* ---- Canonical headers ---- */

struct hdr {
    char *name;  /* lower-case */
    char *value; /* trimmed, whitespace collapsed */
    size_t order;
};

struct hdrs {
    struct hdr v[MAX_HEADERS];
    size_t n;
};

static void hdrs_free(struct hdrs *hs)
{
    for (size_t i = 0; i < hs->n; i++) {
        sl_free(hs->v[i].name);
        OPENSSL_cleanse(hs->v[i].value, strlen(hs->v[i].value));
        sl_free(hs->v[i].value);
    }
    hs->n = 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_tchar(unsigned char c)
{
    return c > 32 && c < 127 && c != ':' && c != '(' && c != ')' && c != ',' && c != '/' &&
           c != ';' && c != '<' && c != '=' && c != '>' && c != '?' && c != '@' && c != '[' &&
           c != '\\' && c != ']' && c != '{' && c != '}' && c != '"';
}

static sl_err_t hdrs_add(struct hdrs *hs, const char *name, const char *value, char *errstr,
                         size_t errstr_size)
{
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > 256) {
        seterr(errstr, errstr_size,
               "sigv4: header name \"%.64s\" is empty "
               "or too long",
               name);
        return SL_ERR_INVALID;
    }
    for (size_t i = 0; i < nlen; i++) {
        if (!is_tchar((unsigned char)name[i])) {
            seterr(errstr, errstr_size,
                   "sigv4: header name \"%.64s\" has an "
                   "invalid character at offset %zu",
                   name, i);
            return SL_ERR_INVALID;
        }
    }
    if (hs->n >= MAX_HEADERS) {
        seterr(errstr, errstr_size, "sigv4: more than %d headers", MAX_HEADERS);
        return SL_ERR_TOOBIG;
    }
    char *lname = sl_xstrdup(name);
    for (size_t i = 0; i < nlen; i++) {
        if (lname[i] >= 'A' && lname[i] <= 'Z') {
            lname[i] = (char)(lname[i] - 'A' + 'a');
        }
    }
    size_t vlen = strlen(value);
    char *v = sl_xmalloc(vlen + 1);
    size_t o = 0;
    bool pending_space = false;
    for (size_t i = 0; i < vlen; i++) {
        if (is_ws(value[i])) {
            pending_space = o > 0;
            continue;
        }
        if (pending_space) {
            v[o++] = ' ';
            pending_space = false;
        }
        v[o++] = value[i];
    }
    v[o] = '\0';
    hs->v[hs->n].name = lname;
    hs->v[hs->n].value = v;
    hs->v[hs->n].order = hs->n;
    hs->n++;
    return SL_OK;
}

static int hdr_cmp(const void *a, const void *b)
{
    const struct hdr *x = a;
    const struct hdr *y = b;
    int c = strcmp(x->name, y->name);
    if (c) {
        return c;
    }
    return x->order < y->order ? -1 : (x->order > y->order);
}

/* Sorts, then writes "name:v1,v2\n" lines into canon and "a;b" into signed_list. */
static sl_err_t hdrs_emit(struct hdrs *hs, struct sl_buf *canon, struct sl_buf *signed_list)
{
    qsort(hs->v, hs->n, sizeof(hs->v[0]), hdr_cmp);
    sl_err_t err = SL_OK;
    for (size_t i = 0; i < hs->n && !err; i++) {
        bool same = i > 0 && strcmp(hs->v[i].name, hs->v[i - 1].name) == 0;
        if (same) {
            err = sl_buf_addf(canon, ",%s", hs->v[i].value);
            continue;
        }
        if (i > 0) {
            err = sl_buf_addch(canon, '\n');
        }
        if (!err) {
            err = sl_buf_addf(canon, "%s:%s", hs->v[i].name, hs->v[i].value);
        }
        if (!err) {
            err = sl_buf_addf(signed_list, "%s%s", signed_list->len ? ";" : "", hs->v[i].name);
        }
    }
    if (!err && hs->n > 0) {
        err = sl_buf_addch(canon, '\n');
    }
    return err;
}

/* ---- Signing ---- */

void sl_sigv4_result_init(struct sl_sigv4_result *res)
{
    memset(res, 0, sizeof(*res));
    sl_buf_init(&res->canonical_request, BUF_MAX);
    sl_buf_init(&res->string_to_sign, BUF_MAX);
    sl_buf_init(&res->query, BUF_MAX);
    for (size_t i = 0; i < SL_SIGV4_MAX_ADD; i++) {
        sl_buf_init(&res->add[i].value, BUF_MAX);
    }
}

static void wipe_buf(struct sl_buf *buf)
{
    if (buf->data) {
        OPENSSL_cleanse(buf->data, buf->len);
    }
    sl_buf_reset(buf);
}

static void result_reset(struct sl_sigv4_result *res)
{
    wipe_buf(&res->canonical_request);
    wipe_buf(&res->string_to_sign);
    wipe_buf(&res->query);
    for (size_t i = 0; i < SL_SIGV4_MAX_ADD; i++) {
        wipe_buf(&res->add[i].value);
        res->add[i].name = NULL;
    }
    res->n_add = 0;
    res->signature[0] = '\0';
    res->amz_date[0] = '\0';
}

void sl_sigv4_result_fini(struct sl_sigv4_result *res)
{
    result_reset(res);
    sl_buf_fini(&res->canonical_request);
    sl_buf_fini(&res->string_to_sign);
    sl_buf_fini(&res->query);
    for (size_t i = 0; i < SL_SIGV4_MAX_ADD; i++) {
        sl_buf_fini(&res->add[i].value);
    }
}

static sl_err_t add_header(struct sl_sigv4_result *res, const char *name, const char *value)
{
    assert(res->n_add < SL_SIGV4_MAX_ADD);
    res->add[res->n_add].name = name;
    sl_err_t err = sl_buf_addstr(&res->add[res->n_add].value, value);
    res->n_add++;
    return err;
}

static bool reserved_header(const char *name, bool presign)
{
    static const char *const names[] = {"authorization", "x-amz-date", "x-amz-security-token"};
    if (presign) {
        return false;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(name, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

static sl_err_t check_inputs(const struct sl_sigv4_request *req,
                             const struct sl_sigv4_params *params, const struct sl_aws_creds *creds,
                             bool presign, char *errstr, size_t errstr_size)
{
    if (creds->access_key_id[0] == '\0' || creds->secret_access_key[0] == '\0') {
        seterr(errstr, errstr_size, "sigv4: credentials are empty");
        return SL_ERR_INVALID;
    }
    if (!params->region || !params->region[0] || !params->service || !params->service[0]) {
        seterr(errstr, errstr_size, "sigv4: region and service are required");
        return SL_ERR_INVALID;
    }
    if (!req->method || !req->method[0]) {
        seterr(errstr, errstr_size, "sigv4: method is required");
        return SL_ERR_INVALID;
    }
    bool host = false;
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, "host") == 0) {
            host = true;
        }
        if (reserved_header(req->headers[i].name, presign)) {
            seterr(errstr, errstr_size,
                   "sigv4: header %s is added by the "
                   "signer and must not be passed in",
                   req->headers[i].name);
            return SL_ERR_INVALID;
        }
    }
    if (!host) {
        seterr(errstr, errstr_size, "sigv4: the request has no Host header");
        return SL_ERR_INVALID;
    }
    if (presign && (params->expires_s < 1 || params->expires_s > 604800)) {
        seterr(errstr, errstr_size,
               "sigv4: X-Amz-Expires %lld is outside "
               "1..604800",
               (long long)params->expires_s);
        return SL_ERR_INVALID;
    }
    if (req->payload_hash && strcmp(req->payload_hash, "UNSIGNED-PAYLOAD") &&
        strlen(req->payload_hash) != 64) {
        seterr(errstr, errstr_size,
               "sigv4: payload_hash must be 64 hex "
               "digits or UNSIGNED-PAYLOAD");
        return SL_ERR_INVALID;
    }
    return SL_OK;
}

static sl_err_t sign(const struct sl_sigv4_request *req, const struct sl_sigv4_params *params,
                     const struct sl_aws_creds *creds, bool presign, struct sl_sigv4_result *res,
                     char *errstr, size_t errstr_size)
{
    result_reset(res);
    sl_err_t err = check_inputs(req, params, creds, presign, errstr, errstr_size);
    if (err) {
        return err;
    }

    struct params *ps = sl_xcalloc(1, sizeof(*ps));
    struct hdrs *hs = sl_xcalloc(1, sizeof(*hs));
    struct sl_buf canon_hdrs, signed_list, cred, buf;
    sl_buf_init(&canon_hdrs, BUF_MAX);
    sl_buf_init(&signed_list, 65536);
    sl_buf_init(&cred, 1024);
    sl_buf_init(&buf, BUF_MAX);

    const char *token = creds->session_token;
    bool has_token = token[0] != '\0';
    bool sign_token = has_token && !params->omit_session_token;

    char date[9];
    sl_sigv4_amz_date(params->time_s, res->amz_date);
    memcpy(date, res->amz_date, 8);
    date[8] = '\0';
    err = sl_buf_addf(&cred, "%s/%s/%s/%s/aws4_request", creds->access_key_id, date, params->region,
                      params->service);
    if (err) {
        goto out;
    }

    char payload_hex[65];
    if (req->payload_hash) {
        snprintf(payload_hex, sizeof(payload_hex), "%s", req->payload_hash);
    } else {
        sl_sigv4_sha256_hex(req->payload ? req->payload : "", req->payload_len, payload_hex);
    }

    for (size_t i = 0; i < req->n_headers && !err; i++) {
        err = hdrs_add(hs, req->headers[i].name, req->headers[i].value, errstr, errstr_size);
    }
    if (err) {
        goto out;
    }
    if (!presign) {
        err = hdrs_add(hs, "x-amz-date", res->amz_date, errstr, errstr_size);
        if (!err && sign_token) {
            err = hdrs_add(hs, "x-amz-security-token", token, errstr, errstr_size);
        }
        if (!err && params->sign_body) {
            err = hdrs_add(hs, "x-amz-content-sha256", payload_hex, errstr, errstr_size);
        }
        if (err) {
            goto out;
        }
    }
    err = hdrs_emit(hs, &canon_hdrs, &signed_list);
    if (err) {
        goto toobig;
    }

    err = params_parse(ps, req->query, errstr, errstr_size);
    if (err) {
        goto out;
    }
    char expires[24];
    snprintf(expires, sizeof(expires), "%lld", (long long)params->expires_s);
    if (presign) {
        static const char alg[] = "AWS4-HMAC-SHA256";
        err = params_add_raw(ps, "X-Amz-Algorithm", 15, alg, sizeof(alg) - 1, errstr, errstr_size);
        if (!err) {
            err = params_add_raw(ps, "X-Amz-Credential", 16, cred.data, cred.len, errstr,
                                 errstr_size);
        }
        if (!err) {
            err = params_add_raw(ps, "X-Amz-Date", 10, res->amz_date, 16, errstr, errstr_size);
        }
        if (!err) {
            err = params_add_raw(ps, "X-Amz-SignedHeaders", 19, signed_list.data, signed_list.len,
                                 errstr, errstr_size);
        }
        if (!err) {
            err = params_add_raw(ps, "X-Amz-Expires", 13, expires, strlen(expires), errstr,
                                 errstr_size);
        }
        if (!err && sign_token) {
            err = params_add_raw(ps, "X-Amz-Security-Token", 20, token, strlen(token), errstr,
                                 errstr_size);
        }
        if (err) {
            goto out;
        }
    }

    /* Step 1: canonical request. */
    struct sl_buf *creq = &res->canonical_request;
    err = sl_buf_addf(creq, "%s\n", req->method);
    if (!err) {
        err = canonical_uri(creq, req->path, params->normalize_path, errstr, errstr_size);
        if (err) {
            goto out;
        }
    }
    if (!err) {
        err = sl_buf_addch(creq, '\n');
    }
    if (!err) {
        err = params_emit(ps, creq);
    }
    if (!err) {
        err = sl_buf_addch(creq, '\n');
    }
    if (!err) {
        err = sl_buf_add(creq, canon_hdrs.data ? canon_hdrs.data : "", canon_hdrs.len);
    }
    if (!err) {
        err = sl_buf_addf(creq, "\n%s\n%s", sl_buf_cstr(&signed_list), payload_hex);
    }
    if (err) {
        goto toobig;
    }

    /* Step 2: string to sign. */
    char creq_hex[65];
    sl_sigv4_sha256_hex(creq->data, creq->len, creq_hex);
    err = sl_buf_addf(&res->string_to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
                      res->amz_date, date, params->region, params->service, creq_hex);
    if (err) {
        goto toobig;
    }

    /* Steps 3 and 4: key and signature. */
    unsigned char key[32], sig[32];
    sl_sigv4_signing_key(creds, date, params->region, params->service, key);
    hmac(key, 32, res->string_to_sign.data, res->string_to_sign.len, sig);
    OPENSSL_cleanse(key, sizeof(key));
    hex_encode(sig, 32, res->signature);

    if (presign) {
        /* Parameter order as the AWS CRT signer emits it (the vectors' signed requests). */
        struct sl_buf *q = &res->query;
        err = sl_buf_addstr(q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&"
                               "X-Amz-Credential=");
        if (!err) {
            err = sl_sigv4_uri_encode(q, cred.data, cred.len, false);
        }
        if (!err) {
            err = sl_buf_addf(q, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", res->amz_date);
        }
        if (!err) {
            err = sl_sigv4_uri_encode(q, signed_list.data, signed_list.len, false);
        }
        if (!err) {
            err = sl_buf_addf(q, "&X-Amz-Expires=%s", expires);
        }
        if (!err && has_token) {
            err = sl_buf_addstr(q, "&X-Amz-Security-Token=");
            if (!err) {
                err = sl_sigv4_uri_encode(q, token, strlen(token), false);
            }
        }
        if (!err) {
            err = sl_buf_addf(q, "&X-Amz-Signature=%s", res->signature);
        }
    } else {
        if (has_token) {
            err = add_header(res, "X-Amz-Security-Token", token);
        }
        if (!err) {
            err = add_header(res, "X-Amz-Date", res->amz_date);
        }
        if (!err && params->sign_body) {
            err = add_header(res, "x-amz-content-sha256", payload_hex);
        }
        if (!err) {
            err = sl_buf_addf(&buf,
                              "AWS4-HMAC-SHA256 Credential=%s, "
                              "SignedHeaders=%s, Signature=%s",
                              cred.data, sl_buf_cstr(&signed_list), res->signature);
        }
        if (!err) {
            err = add_header(res, "Authorization", buf.data);
        }
    }
    if (err) {
        goto toobig;
    }
    goto out;

toobig:
    seterr(errstr, errstr_size,
           "sigv4: request exceeds the %zu-byte signing "
           "buffers",
           BUF_MAX);
out:
    params_free(ps);
    hdrs_free(hs);
    sl_free(ps);
    sl_free(hs);
    wipe_buf(&canon_hdrs);
    sl_buf_fini(&canon_hdrs);
    sl_buf_fini(&signed_list);
    sl_buf_fini(&cred);
    sl_buf_fini(&buf);
    if (err) {
        result_reset(res);
    }
    return err;
}

sl_err_t sl_sigv4_sign(const struct sl_sigv4_request *req, const struct sl_sigv4_params *params,
                       const struct sl_aws_creds *creds, struct sl_sigv4_result *res, char *errstr,
                       size_t errstr_size)
{
    return sign(req, params, creds, false, res, errstr, errstr_size);
}

sl_err_t sl_sigv4_presign(const struct sl_sigv4_request *req, const struct sl_sigv4_params *params,
                          const struct sl_aws_creds *creds, struct sl_sigv4_result *res,
                          char *errstr, size_t errstr_size)
{
    return sign(req, params, creds, true, res, errstr, errstr_size);
}
