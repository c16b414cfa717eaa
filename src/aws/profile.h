/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to src/aws/: reading one profile from the shared credentials and config files
 * (INI; "[name]" in the credentials file, "[profile name]" or "[default]" in the config
 * file; the credentials file wins for keys present in both). */
#ifndef SL_AWS_PROFILE_H
#define SL_AWS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/creds.h"
#include "core/err.h"

struct sl_aws_profile {
    char akid[SL_AWS_AKID_MAX];
    char secret[SL_AWS_SECRET_MAX];
    char token[SL_AWS_TOKEN_MAX];
    char region[64];
    char role_arn[512];
    char web_identity_token_file[1024];
    char role_session_name[128];
    char source_profile[128];
    char credential_process[1024];
    /* Resolved file paths and whether each exists. */
    char cred_path[1024];
    char config_path[1024];
    bool cred_found;
    bool config_found;
    bool section_found; /* the profile appears in at least one file */
};

/* Profile name to use: name if non-NULL and non-empty, else $AWS_PROFILE, else "default". */
const char *sl_aws_profile_name(const char *name);

/* Loads profile name from $AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) and
 * $AWS_CONFIG_FILE (default ~/.aws/config). Missing files are not an error (see the *_found
 * flags). SL_ERR_IO when a file exists but cannot be read or exceeds 1 MiB, SL_ERR_TOOBIG when
 * a value does not fit its field; why names the file and line. Never puts values in why. */
sl_err_t sl_aws_profile_load(const char *name, struct sl_aws_profile *pf, char *why,
                             size_t why_size);

/* Wipes secrets in pf. */
void sl_aws_profile_wipe(struct sl_aws_profile *pf);

#endif
