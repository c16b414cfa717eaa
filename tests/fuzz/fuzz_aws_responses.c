/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for everything in src/aws/ that parses what a network peer or a file
 * hands us: the shared credentials/config INI files, the ECS container and EC2 IMDS JSON
 * credential documents, the STS AssumeRoleWithWebIdentity XML reply (and its error reply),
 * IMDS token and role-name replies, ECS full-URI host checks and ISO 8601 expirations.
 * The parsers are static, so this file includes provider.c and profile.c (HOUSE_STYLE §12)
 * and replaces sl_aws_http_do with a stub that answers from the fuzz input; the real sources
 * (src_ecs, src_imds, src_web_identity) then run end to end without a network.
 * Input: byte 0 = mode, byte 1 = HTTP status selector, the rest = NUL-separated segments
 * (one per HTTP reply, in request order; or the file text / URL for the other modes). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/aws/profile.c"
#include "../../src/aws/provider.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_SEGS 4

static struct {
    const char *seg[MAX_SEGS];
    size_t len[MAX_SEGS];
    size_t n;
    size_t next;
    long status;
} stub;

/* Answers requests in order from the input's segments; past the last one it is a transport
 * failure, like an endpoint that went away. */
sl_err_t sl_aws_http_do(const struct sl_aws_http *req, long *status, struct sl_buf *resp, char *why,
                        size_t why_size)
{
    (void)req;
    sl_buf_reset(resp);
    if (stub.next >= stub.n) {
        snprintf(why, why_size, "connection refused");
        return SL_ERR_IO;
    }
    size_t i = stub.next++;
    if (sl_buf_add(resp, stub.seg[i], stub.len[i])) {
        snprintf(why, why_size, "response larger than %zu bytes", resp->max);
        return SL_ERR_TOOBIG;
    }
    *status = stub.status;
    return SL_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char token_path[] = "/tmp/sl-fuzz-aws-token-XXXXXX";
    int fd = mkstemp(token_path);
    if (fd < 0 || write(fd, "eyJhbGciOi.token.sig\n", 21) != 21)
        abort();
    close(fd);
    /* Keep the user's own AWS files and endpoints out of the run. */
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sl-fuzz/credentials", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/sl-fuzz/config", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/fuzz", 1);
    setenv("AWS_ROLE_SESSION_NAME", "fuzz", 1);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    unsetenv("AWS_PROFILE");
    sl_log_set_level(SL_LOG_ERROR);
    return 0;
}

static void check_why(const char *why, size_t size)
{
    if (memchr(why, '\0', size) == NULL || why[0] == '\0')
        abort();
}

static void check_creds(const struct sl_aws_creds *c)
{
    if (memchr(c->access_key_id, '\0', sizeof(c->access_key_id)) == NULL ||
        memchr(c->secret_access_key, '\0', sizeof(c->secret_access_key)) == NULL ||
        memchr(c->session_token, '\0', sizeof(c->session_token)) == NULL)
        abort();
    if (c->access_key_id[0] == '\0' || c->secret_access_key[0] == '\0')
        abort();
}

static void check_cstr(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL)
        abort();
}

static void check_profile(const struct sl_aws_profile *pf)
{
    check_cstr(pf->akid, sizeof(pf->akid));
    check_cstr(pf->secret, sizeof(pf->secret));
    check_cstr(pf->token, sizeof(pf->token));
    check_cstr(pf->region, sizeof(pf->region));
    check_cstr(pf->role_arn, sizeof(pf->role_arn));
    check_cstr(pf->web_identity_token_file, sizeof(pf->web_identity_token_file));
    check_cstr(pf->role_session_name, sizeof(pf->role_session_name));
    check_cstr(pf->source_profile, sizeof(pf->source_profile));
    check_cstr(pf->credential_process, sizeof(pf->credential_process));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[8] = {200, 200, 200, 400, 403, 404, 500, 200};
    if (size < 2 || size > SL_AWS_HTTP_RESP_MAX)
        return 0;
    int mode = data[0] % 7;
    const char *body = (const char *)data + 2;
    size_t body_len = size - 2;

    memset(&stub, 0, sizeof(stub));
    stub.status = statuses[data[1] & 7];
    const char *p = body, *end = body + body_len;
    while (stub.n < MAX_SEGS && p <= end) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        stub.seg[stub.n] = p;
        stub.len[stub.n] = nul ? (size_t)(nul - p) : (size_t)(end - p);
        stub.n++;
        if (!nul)
            break;
        p = nul + 1;
    }

    char why[512];
    memset(why, 'x', sizeof(why));
    struct sl_aws_creds *creds = sl_xcalloc(1, sizeof(*creds));
    struct sl_aws_provider *prov = sl_aws_provider_new(NULL);
    sl_err_t err = SL_OK;
    switch (mode) {
    case 0:
    case 1: {
        /* The files are read into a NUL-terminated buffer; so is this copy. */
        struct sl_aws_profile *pf = sl_xcalloc(1, sizeof(*pf));
        char *text = sl_xmalloc(body_len + 1);
        memcpy(text, body, body_len);
        text[body_len] = '\0';
        const char *name = (data[1] & 8) ? "dev" : "default";
        err = parse_ini("fuzz/credentials", text, body_len, name, mode == 1, pf, why, sizeof(why));
        if (err)
            check_why(why, sizeof(why));
        check_profile(pf);
        sl_free(text);
        sl_free(pf);
        break;
    }
    case 2:
        setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/fuzz", 1);
        err = src_ecs(prov, creds, why, sizeof(why));
        unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        break;
    case 3:
        err = src_web_identity(prov, creds, why, sizeof(why));
        break;
    case 4:
        err = src_imds(prov, creds, why, sizeof(why));
        break;
    case 5: {
        /* First segment: AWS_CONTAINER_CREDENTIALS_FULL_URI; the next: the reply. */
        char url[1024];
        size_t n = stub.len[0] < sizeof(url) - 1 ? stub.len[0] : sizeof(url) - 1;
        memcpy(url, stub.seg[0], n);
        url[n] = '\0';
        stub.next = 1;
        if (url[0] == '\0') {
            mode = -1; /* nothing ran: no result to check */
            break;
        }
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
        err = src_ecs(prov, creds, why, sizeof(why));
        unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        break;
    }
    case 6: {
        char text[128];
        int64_t ms = 0;
        size_t n = body_len < sizeof(text) - 1 ? body_len : sizeof(text) - 1;
        memcpy(text, body, n);
        text[n] = '\0';
        (void)parse_iso8601(text, &ms);
        char out[256];
        memset(out, 'x', sizeof(out)); /* xml_text must leave a string even when it fails */
        (void)xml_text(text, "Code", out, sizeof(out));
        check_cstr(out, sizeof(out));
        break;
    }
    }
    if (mode >= 2 && mode <= 5) {
        if (err)
            check_why(why, sizeof(why));
        else
            check_creds(creds);
    }
    sl_aws_provider_free(prov);
    sl_aws_creds_wipe(creds);
    sl_free(creds);
    return 0;
}
