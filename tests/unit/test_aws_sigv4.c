/* SPDX-License-Identifier: Apache-2.0 */
/* Runs every case folder of the official SigV4 test suite in fixtures/sigv4/ (discovered at
 * run time) through sl_sigv4_sign and sl_sigv4_presign, comparing the canonical request,
 * string to sign, signature and signed request of both variants with the expected files.
 * Also checks the signing-key known answers of aws-auth.md §1.3 and input validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>

#include "aws/sigv4.h"
#include "core/buf.h"
#include "core/time.h"
#include "testlib.h"

#define MAX_HDRS 32

struct parsed_req {
    char *raw; /* owns all strings below */
    char *method;
    char *target; /* path?query as written */
    char *path;
    char *query; /* NULL when none */
    struct sl_sigv4_header hdrs[MAX_HDRS];
    size_t n_hdrs;
    const char *body;
    size_t body_len;
    bool has_body_sep;
};

/* Parses request.txt: "METHOD target HTTP/1.1", "Name:value" lines with folded continuation
 * lines (leading whitespace), then an optional blank line and body. */
static void parse_request(const char *text, size_t len, struct parsed_req *pr)
{
    memset(pr, 0, sizeof(*pr));
    pr->raw = malloc(len + 1);
    memcpy(pr->raw, text, len + 1);
    char *p = pr->raw;
    char *end = pr->raw + len;
    char *nl = strchr(p, '\n');
    assert_non_null(nl);
    *nl = '\0';
    char *sp = strchr(p, ' ');
    char *http = strstr(p, " HTTP/1.1");
    assert_non_null(sp);
    assert_non_null(http);
    *sp = '\0';
    *http = '\0';
    pr->method = p;
    pr->target = sp + 1;
    pr->path = strdup(pr->target);
    char *q = strchr(pr->path, '?');
    if (q) {
        *q = '\0';
        pr->query = q + 1;
    }
    p = nl + 1;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        if (le == p) {
            pr->has_body_sep = true;
            p = le + 1;
            break;
        }
        if (*p == ' ' || *p == '\t') {
            /* Continuation: the previous value runs on, newline included. */
            assert_true(pr->n_hdrs > 0);
            if (nl) {
                *nl = '\0';
            }
            p = le + 1;
            continue;
        }
        char *colon = memchr(p, ':', (size_t)(le - p));
        assert_non_null(colon);
        *colon = '\0';
        /* Values are terminated lazily: find the end of this header including
         * continuation lines. */
        char *vend = le;
        while (vend < end && vend + 1 < end && (vend[1] == ' ' || vend[1] == '\t')) {
            char *n2 = memchr(vend + 1, '\n', (size_t)(end - vend - 1));
            vend = n2 ? n2 : end;
        }
        assert_true(pr->n_hdrs < MAX_HDRS);
        pr->hdrs[pr->n_hdrs].name = p;
        pr->hdrs[pr->n_hdrs].value = colon + 1;
        pr->n_hdrs++;
        if (vend < end) {
            *vend = '\0';
        }
        p = vend + 1;
    }
    pr->body = p < end ? p : "";
    pr->body_len = p < end ? (size_t)(end - p) : 0;
}

static void free_request(struct parsed_req *pr)
{
    free(pr->path);
    free(pr->raw);
}

static char *case_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *s = sl_test_read_file(path, NULL);
    if (!s) {
        fail_msg("cannot read %s", path);
    }
    return s;
}

static int64_t parse_timestamp(const char *ts)
{
    int y, mo, d, h, mi, s;
    assert_int_equal(sscanf(ts, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s), 6);
    return sl_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
}

static void expect_equal(const char *casename, const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        print_error("%s: %s differs\n--- got\n%s\n--- want\n%s\n", casename, what, got, want);
        fail();
    }
}

/* Re-serialises the original header lines (continuations verbatim). */
static void add_orig_headers(struct sl_buf *b, const struct parsed_req *pr)
{
    for (size_t i = 0; i < pr->n_hdrs; i++) {
        assert_int_equal(sl_buf_addf(b, "%s:%s\n", pr->hdrs[i].name, pr->hdrs[i].value), SL_OK);
    }
}

static void run_case(void **state)
{
    const char *dir = *state;
    const char *casename = strrchr(dir, '/') + 1;
    size_t reqlen;
    char reqpath[4096];
    snprintf(reqpath, sizeof(reqpath), "%s/request.txt", dir);
    char *reqtxt = sl_test_read_file(reqpath, &reqlen);
    assert_non_null(reqtxt);
    struct parsed_req pr;
    parse_request(reqtxt, reqlen, &pr);

    char ctxpath[4096];
    snprintf(ctxpath, sizeof(ctxpath), "%s/context.json", dir);
    json_error_t jerr;
    json_t *ctx = json_load_file(ctxpath, 0, &jerr);
    assert_non_null(ctx);
    json_t *jc = json_object_get(ctx, "credentials");
    const char *token = json_string_value(json_object_get(jc, "token"));
    struct sl_aws_creds creds;
    assert_int_equal(
        sl_aws_creds_set(&creds, json_string_value(json_object_get(jc, "access_key_id")),
                         json_string_value(json_object_get(jc, "secret_access_key")), token, 0),
        SL_OK);

    struct sl_sigv4_params params = {
        .region = json_string_value(json_object_get(ctx, "region")),
        .service = json_string_value(json_object_get(ctx, "service")),
        .time_s = parse_timestamp(json_string_value(json_object_get(ctx, "timestamp"))),
        .normalize_path = json_is_true(json_object_get(ctx, "normalize")),
        .sign_body = json_is_true(json_object_get(ctx, "sign_body")),
        .omit_session_token = json_is_true(json_object_get(ctx, "omit_session_token")),
        .expires_s = json_integer_value(json_object_get(ctx, "expiration_in_seconds")),
    };
    struct sl_sigv4_request req = {
        .method = pr.method,
        .path = pr.path,
        .query = pr.query,
        .headers = pr.hdrs,
        .n_headers = pr.n_hdrs,
        .payload = pr.body,
        .payload_len = pr.body_len,
    };

    char errstr[256] = "";
    struct sl_sigv4_result res;
    sl_sigv4_result_init(&res);

    /* Header variant. */
    sl_err_t err = sl_sigv4_sign(&req, &params, &creds, &res, errstr, sizeof(errstr));
    if (err) {
        fail_msg("%s: sign: %s", casename, errstr);
    }
    char *want = case_file(dir, "header-canonical-request.txt");
    expect_equal(casename, "header canonical request", sl_buf_cstr(&res.canonical_request), want);
    free(want);
    want = case_file(dir, "header-string-to-sign.txt");
    expect_equal(casename, "header string to sign", sl_buf_cstr(&res.string_to_sign), want);
    free(want);
    want = case_file(dir, "header-signature.txt");
    expect_equal(casename, "header signature", res.signature, want);
    free(want);

    struct sl_buf sreq;
    sl_buf_init(&sreq, 1 << 20);
    assert_int_equal(sl_buf_addf(&sreq, "%s %s HTTP/1.1\n", pr.method, pr.target), SL_OK);
    add_orig_headers(&sreq, &pr);
    for (size_t i = 0; i < res.n_add; i++) {
        assert_int_equal(
            sl_buf_addf(&sreq, "%s:%s\n", res.add[i].name, sl_buf_cstr(&res.add[i].value)), SL_OK);
    }
    assert_int_equal(sl_buf_addch(&sreq, '\n'), SL_OK);
    assert_int_equal(sl_buf_add(&sreq, pr.body, pr.body_len), SL_OK);
    want = case_file(dir, "header-signed-request.txt");
    expect_equal(casename, "header signed request", sl_buf_cstr(&sreq), want);
    free(want);

    /* Query (presigned) variant. */
    err = sl_sigv4_presign(&req, &params, &creds, &res, errstr, sizeof(errstr));
    if (err) {
        fail_msg("%s: presign: %s", casename, errstr);
    }
    assert_int_equal(res.n_add, 0);
    want = case_file(dir, "query-canonical-request.txt");
    expect_equal(casename, "query canonical request", sl_buf_cstr(&res.canonical_request), want);
    free(want);
    want = case_file(dir, "query-string-to-sign.txt");
    expect_equal(casename, "query string to sign", sl_buf_cstr(&res.string_to_sign), want);
    free(want);
    want = case_file(dir, "query-signature.txt");
    expect_equal(casename, "query signature", res.signature, want);
    free(want);

    sl_buf_reset(&sreq);
    assert_int_equal(sl_buf_addf(&sreq, "%s %s?%s%s%s HTTP/1.1\n", pr.method, pr.path,
                                 pr.query ? pr.query : "", pr.query ? "&" : "",
                                 sl_buf_cstr(&res.query)),
                     SL_OK);
    add_orig_headers(&sreq, &pr);
    assert_int_equal(sl_buf_addch(&sreq, '\n'), SL_OK);
    assert_int_equal(sl_buf_add(&sreq, pr.body, pr.body_len), SL_OK);
    want = case_file(dir, "query-signed-request.txt");
    expect_equal(casename, "query signed request", sl_buf_cstr(&sreq), want);
    free(want);

    sl_buf_fini(&sreq);
    sl_sigv4_result_fini(&res);
    json_decref(ctx);
    free_request(&pr);
    free(reqtxt);
}

static void test_signing_key_known_answers(void **state)
{
    (void)state;
    struct sl_aws_creds creds;
    assert_int_equal(sl_aws_creds_set(&creds, "AKIDEXAMPLE",
                                      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL, 0),
                     SL_OK);
    static const struct {
        const char *service;
        const char *hex;
    } kat[] = {
        {"service", "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75"},
        {"iam", "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"},
    };
    /* Twice each: the second round comes from the cache. */
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < 2; i++) {
            unsigned char key[32];
            sl_sigv4_signing_key(&creds, "20150830", "us-east-1", kat[i].service, key);
            char hex[65];
            for (size_t j = 0; j < 32; j++) {
                snprintf(hex + 2 * j, 3, "%02x", key[j]);
            }
            assert_string_equal(hex, kat[i].hex);
        }
    }
    /* A different secret with the same key id must not hit the cached key. */
    assert_int_equal(sl_aws_creds_set(&creds, "AKIDEXAMPLE", "other", NULL, 0), SL_OK);
    unsigned char key[32];
    sl_sigv4_signing_key(&creds, "20150830", "us-east-1", "service", key);
    assert_int_not_equal(key[0], 0x93);
}

static void test_rejects_bad_input(void **state)
{
    (void)state;
    struct sl_aws_creds creds;
    assert_int_equal(sl_aws_creds_set(&creds, "AKID", "secret", NULL, 0), SL_OK);
    struct sl_sigv4_header nohost[] = {{"Content-Type", "x"}};
    struct sl_sigv4_request req = {.method = "GET", .path = "/", .headers = nohost, .n_headers = 1};
    struct sl_sigv4_params p = {.region = "r", .service = "s", .time_s = 0};
    struct sl_sigv4_result res;
    sl_sigv4_result_init(&res);
    char errstr[256];
    assert_int_equal(sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr)), SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "Host"));

    struct sl_sigv4_header badname[] = {{"Host", "h"}, {"Bad Name", "x"}};
    req.headers = badname;
    req.n_headers = 2;
    assert_int_equal(sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr)), SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "Bad Name"));

    struct sl_sigv4_header dated[] = {{"Host", "h"}, {"X-Amz-Date", "x"}};
    req.headers = dated;
    assert_int_equal(sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr)), SL_ERR_INVALID);

    req.n_headers = 1;
    req.path = "relative";
    assert_int_equal(sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr)), SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "relative"));

    req.path = "/";
    p.expires_s = 0;
    assert_int_equal(sl_sigv4_presign(&req, &p, &creds, &res, errstr, sizeof(errstr)),
                     SL_ERR_INVALID);
    assert_non_null(strstr(errstr, "X-Amz-Expires"));

    /* A lone '%' in the query is kept literally and encoded as %25. */
    req.query = "a=%&b=%4";
    assert_int_equal(sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr)), SL_OK);
    assert_non_null(strstr(res.canonical_request.data, "\na=%25&b=%254\n"));

    /* Normalisation keeps the trailing slash and never climbs above the root. */
    req.query = NULL;
    req.path = "/a/../../b/./c/";
    p.normalize_path = true;
    assert_int_equal(sl_sigv4_sign(&req, &p, &creds, &res, errstr, sizeof(errstr)), SL_OK);
    assert_memory_equal(res.canonical_request.data, "GET\n/b/c/\n", 10);
    sl_sigv4_result_fini(&res);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    const char *root = sl_test_fixture("sigv4");
    char rootcopy[4096];
    snprintf(rootcopy, sizeof(rootcopy), "%s", root);
    DIR *d = opendir(rootcopy);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", rootcopy);
        return 1;
    }
    size_t n = 0, cap = 64, entries = 0;
    char **dirs = malloc(cap * sizeof(*dirs));
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        entries++;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", rootcopy, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            continue;
        }
        if (n == cap) {
            cap *= 2;
            dirs = realloc(dirs, cap * sizeof(*dirs));
        }
        dirs[n++] = strdup(path);
    }
    closedir(d);
    qsort(dirs, n, sizeof(*dirs), cmp_str);
    /* Every entry of the folder is a case folder and every case is run: none skipped. */
    if (n == 0 || n != entries) {
        fprintf(stderr, "sigv4: %zu case folders among %zu entries in %s\n", n, entries, rootcopy);
        return 1;
    }
    fprintf(stderr, "sigv4: running %zu cases from %s\n", n, rootcopy);

    struct CMUnitTest *tests = calloc(n + 2, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        tests[i].name = strrchr(dirs[i], '/') + 1;
        tests[i].test_func = run_case;
        tests[i].initial_state = dirs[i];
    }
    tests[n].name = "signing_key_known_answers";
    tests[n].test_func = test_signing_key_known_answers;
    tests[n + 1].name = "rejects_bad_input";
    tests[n + 1].test_func = test_rejects_bad_input;
    int rc = _cmocka_run_group_tests("sigv4", tests, n + 2, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(dirs[i]);
    }
    free(dirs);
    free(tests);
    return rc;
}
