/* SPDX-License-Identifier: Apache-2.0 */
/* Shared AWS credentials/config file reader (INI): finds one profile's section in each file
 * and copies the keys the provider chain uses. Bounded: files over 1 MiB are refused. */
#include "aws/profile.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

#define FILE_MAX ((size_t)1 << 20)

const char *sl_aws_profile_name(const char *name)
{
    if (name && name[0]) {
        return name;
    }
    const char *env = getenv("AWS_PROFILE");
    return env && env[0] ? env : "default";
}

static void default_path(char *out, size_t out_size, const char *env, const char *leaf)
{
    const char *p = getenv(env);
    if (p && p[0]) {
        snprintf(out, out_size, "%s", p);
        return;
    }
    const char *home = getenv("HOME");
    snprintf(out, out_size, "%s/.aws/%s", home && home[0] ? home : "", leaf);
}

/* Reads path into buf. *found is false (and SL_OK) when the file does not exist. */
static sl_err_t read_file(const char *path, struct sl_buf *buf, bool *found, char *why,
                          size_t why_size)
{
    *found = false;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return SL_OK;
        }
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return SL_ERR_IO;
    }
    *found = true;
    char chunk[4096];
    sl_err_t err = SL_OK;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        if (n > 0 && sl_buf_add(buf, chunk, n)) {
            snprintf(why, why_size, "%s: larger than %zu bytes", path, FILE_MAX);
            err = SL_ERR_IO;
            break;
        }
        if (n < sizeof(chunk)) {
            if (ferror(f)) {
                snprintf(why, why_size, "%s: read error", path);
                err = SL_ERR_IO;
            }
            break;
        }
    }
    OPENSSL_cleanse(chunk, sizeof(chunk));
    fclose(f);
    return err;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s)) {
        (*s)++;
    }
    while (*e > *s && is_space((*e)[-1])) {
        (*e)--;
    }
}

struct field {
    const char *key;
    size_t off;
    size_t size;
};

#define F(k, m)                                                                                    \
    {                                                                                              \
        k, offsetof(struct sl_aws_profile, m), sizeof(((struct sl_aws_profile *)0)->m)             \
    }

static const struct field fields[] = {
    F("aws_access_key_id", akid),
    F("aws_secret_access_key", secret),
    F("aws_session_token", token),
    F("region", region),
    F("role_arn", role_arn),
    F("web_identity_token_file", web_identity_token_file),
    F("role_session_name", role_session_name),
    F("source_profile", source_profile),
    F("credential_process", credential_process),
};

/* Is the section header text [s, e) the wanted profile? */
static bool section_matches(const char *s, const char *e, const char *name, bool config_style)
{
    size_t nlen = strlen(name);
    if (config_style) {
        if ((size_t)(e - s) > 7 && strncmp(s, "profile", 7) == 0 && is_space(s[7])) {
            s += 7;
            trim(&s, &e);
        } else if (strcmp(name, "default") != 0) {
            return false;
        }
    }
    return (size_t)(e - s) == nlen && memcmp(s, name, nlen) == 0;
}

static sl_err_t parse_ini(const char *path, const char *text, size_t len, const char *name,
                          bool config_style, struct sl_aws_profile *pf, char *why, size_t why_size)
{
    const char *p = text;
    const char *end = text + len;
    bool in_section = false;
    bool in_subsection = false;
    unsigned lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s = p;
        const char *e = le;
        p = nl ? nl + 1 : end;
        lineno++;
        bool indented = s < e && is_space(*s);
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';') {
            continue;
        }
        if (*s == '[') {
            in_subsection = false;
            if (e[-1] != ']') {
                snprintf(why, why_size, "%s:%u: section header without ']'", path, lineno);
                return SL_ERR_PROTO;
            }
            const char *ns = s + 1;
            const char *ne = e - 1;
            trim(&ns, &ne);
            in_section = section_matches(ns, ne, name, config_style);
            if (in_section) {
                pf->section_found = true;
            }
            continue;
        }
        if (!in_section || (indented && in_subsection)) {
            continue;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq) {
            snprintf(why, why_size, "%s:%u: expected key = value", path, lineno);
            return SL_ERR_PROTO;
        }
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        /* "s3 =" followed by indented lines opens a nested block we skip. */
        in_subsection = vs == ve;
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            const struct field *f = &fields[i];
            if (strlen(f->key) != (size_t)(ke - ks) ||
                strncasecmp(f->key, ks, (size_t)(ke - ks)) != 0) {
                continue;
            }
            char *dst = (char *)pf + f->off;
            if (dst[0]) {
                break; /* an earlier file (credentials) wins */
            }
            if ((size_t)(ve - vs) >= f->size) {
                snprintf(why, why_size,
                         "%s:%u: value of %s longer than %zu "
                         "bytes",
                         path, lineno, f->key, f->size - 1);
                return SL_ERR_TOOBIG;
            }
            memcpy(dst, vs, (size_t)(ve - vs));
            dst[ve - vs] = '\0';
            break;
        }
    }
    return SL_OK;
}

sl_err_t sl_aws_profile_load(const char *name, struct sl_aws_profile *pf, char *why,
                             size_t why_size)
{
    memset(pf, 0, sizeof(*pf));
    default_path(pf->cred_path, sizeof(pf->cred_path), "AWS_SHARED_CREDENTIALS_FILE",
                 "credentials");
    default_path(pf->config_path, sizeof(pf->config_path), "AWS_CONFIG_FILE", "config");
    struct sl_buf buf;
    sl_buf_init(&buf, FILE_MAX);
    sl_err_t err = read_file(pf->cred_path, &buf, &pf->cred_found, why, why_size);
    if (!err && pf->cred_found) {
        err = parse_ini(pf->cred_path, sl_buf_cstr(&buf), buf.len, name, false, pf, why, why_size);
    }
    if (buf.data) {
        OPENSSL_cleanse(buf.data, buf.len);
    }
    sl_buf_reset(&buf);
    if (!err) {
        err = read_file(pf->config_path, &buf, &pf->config_found, why, why_size);
    }
    if (!err && pf->config_found) {
        err = parse_ini(pf->config_path, sl_buf_cstr(&buf), buf.len, name, true, pf, why, why_size);
    }
    if (buf.data) {
        OPENSSL_cleanse(buf.data, buf.len);
    }
    sl_buf_fini(&buf);
    return err;
}

void sl_aws_profile_wipe(struct sl_aws_profile *pf)
{
    OPENSSL_cleanse(pf->secret, sizeof(pf->secret));
    OPENSSL_cleanse(pf->token, sizeof(pf->token));
}
