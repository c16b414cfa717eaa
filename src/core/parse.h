/* SPDX-License-Identifier: Apache-2.0 */
/* Checked number and boolean parsing: the whole string must be the number, in range. Used
 * instead of atoi/strtol so that "12x" or "" is an error the caller can name. */
#ifndef SL_CORE_PARSE_H
#define SL_CORE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

sl_err_t sl_parse_i64(const char *s, int64_t *out);
sl_err_t sl_parse_u64(const char *s, uint64_t *out);
sl_err_t sl_parse_double(const char *s, double *out);
/* true/false, case-insensitive (as Kafka's ConfigDef). */
sl_err_t sl_parse_bool(const char *s, bool *out);

#endif
