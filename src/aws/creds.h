/* SPDX-License-Identifier: Apache-2.0 */
/* AWS credentials and the standard credential provider chain (aws-auth.md §3): explicit
 * configuration, environment, shared credentials/config files, web identity (STS
 * AssumeRoleWithWebIdentity), ECS/EKS container endpoint, EC2 IMDSv2. Temporary credentials
 * are cached and refreshed before they expire. Secrets never appear in logs or errors. */
#ifndef SL_AWS_CREDS_H
#define SL_AWS_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SL_AWS_AKID_MAX 128
#define SL_AWS_SECRET_MAX 128
#define SL_AWS_TOKEN_MAX 8192

/* One set of credentials, a plain value (copy it freely; wipe it with sl_aws_creds_wipe when
 * done if it sat on a long-lived stack). session_token is "" when there is none. */
struct sl_aws_creds {
    char access_key_id[SL_AWS_AKID_MAX];
    char secret_access_key[SL_AWS_SECRET_MAX];
    char session_token[SL_AWS_TOKEN_MAX];
    int64_t expiration_ms; /* wall-clock ms since the epoch; 0 = does not expire */
};

/* Fills creds from strings; token may be NULL or "". SL_ERR_TOOBIG when a value is longer than
 * its field, SL_ERR_INVALID when the key id or secret is empty. */
sl_err_t sl_aws_creds_set(struct sl_aws_creds *creds, const char *akid, const char *secret,
                          const char *token, int64_t expiration_ms);
/* Overwrites the secret parts with zeros. */
void sl_aws_creds_wipe(struct sl_aws_creds *creds);

/* ---- Provider chain ---- */

struct sl_aws_provider;

struct sl_aws_provider_opts {
    /* Explicit keys (config aws.access.key.id / aws.secret.access.key /
     * aws.session.token); used first when both id and secret are set. May be NULL. */
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
    /* Profile name; NULL means $AWS_PROFILE, then "default". */
    const char *profile;
    /* Per-HTTP-request timeout for STS, ECS and IMDS; 0 means 1000 ms. */
    long timeout_ms;
    /* Refresh temporary credentials this long before Expiration; 0 means 5 minutes. */
    int64_t refresh_before_ms;
};

/* Creates a provider; nothing is fetched until the first sl_aws_provider_get. opts may be
 * NULL (all defaults); its strings are copied. Never NULL. */
struct sl_aws_provider *sl_aws_provider_new(const struct sl_aws_provider_opts *opts);
void sl_aws_provider_free(struct sl_aws_provider *prov);

/* Copies current credentials into *out, resolving the chain on first use and again when the
 * cached credentials are within refresh_before_ms of their expiration. When no source works,
 * returns SL_ERR_AUTH and errstr lists every source tried and why it failed, e.g.
 * "no AWS credentials: config keys: not set; environment: AWS_ACCESS_KEY_ID not set; ...".
 * When a cached credential cannot be refreshed but is still valid, it is returned (SL_OK).
 * Thread: any (a mutex inside the provider serialises resolution). */
sl_err_t sl_aws_provider_get(struct sl_aws_provider *prov, struct sl_aws_creds *out, char *errstr,
                             size_t errstr_size);

/* Name of the source of the cached credentials ("config", "environment",
 * "shared-files", "web-identity", "ecs", "imds"), or "" before the first success.
 * Thread: any. */
const char *sl_aws_provider_source(struct sl_aws_provider *prov);

/* Forgets the cached credentials so the next get resolves the chain again (e.g. after an
 * authentication failure upstream). Thread: any. */
void sl_aws_provider_invalidate(struct sl_aws_provider *prov);

/* Region resolution: AWS_REGION, AWS_DEFAULT_REGION, then the profile's "region" in the
 * config file (profile NULL = $AWS_PROFILE or "default"). SL_ERR_NOTFOUND when none is set.
 * (IMDS placement/region is not queried.) */
sl_err_t sl_aws_region_resolve(const char *profile, char *out, size_t out_size);

#endif
