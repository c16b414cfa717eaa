/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up checks of a MySQL/MariaDB server for the binlog source: can we log in, does the
 * server write the binlog we can decode (log_bin, binlog_format=ROW, binlog_row_image=FULL,
 * binlog_row_value_options), is our replica server id free, does the user hold the grants
 * streaming and snapshots need, is GTID mode usable, how long binlogs are kept, and is the
 * stored offset's binlog file still on the server. Each check adds one line to a report:
 * its name, PASS/WARN/FAIL, what was found and, when not PASS, the setting to change.
 *
 *   struct sl_check_report rep;
 *   sl_check_report_init(&rep);
 *   err = sl_source_checks_run(conf, stored_file, &rep, errstr, sizeof(errstr));
 *   for (size_t i = 0; i < rep.n; i++) { sl_check_item_format(&rep.items[i], line, ...); }
 *
 * The password never appears in a report or an error. Thread: any (one connection per run). */
#ifndef SL_SOURCE_CHECKS_H
#define SL_SOURCE_CHECKS_H

#include <stdarg.h>
#include <stddef.h>

#include "conf/mysql_source.h"
#include "core/err.h"

typedef enum {
    SL_CHECK_PASS = 0,
    SL_CHECK_WARN,
    SL_CHECK_FAIL,
} sl_check_status_t;

#define SL_CHECK_MAX 48
#define SL_CHECK_NAME_MAX 48
#define SL_CHECK_MSG_MAX 384
#define SL_CHECK_FIX_MAX 256

struct sl_check_item {
    char name[SL_CHECK_NAME_MAX]; /* e.g. "mysql binlog_format" */
    sl_check_status_t status;
    char message[SL_CHECK_MSG_MAX]; /* what was found */
    char fix[SL_CHECK_FIX_MAX];     /* what to do; "" for PASS */
};

/* A list of check results (bounded: items past SL_CHECK_MAX are counted in dropped). */
struct sl_check_report {
    struct sl_check_item items[SL_CHECK_MAX];
    size_t n;
    size_t dropped;
};

void sl_check_report_init(struct sl_check_report *rep);
/* Appends one result; fix may be NULL. The message is printf-formatted and truncated. */
void sl_check_add(struct sl_check_report *rep, const char *name, sl_check_status_t status,
                  const char *fix, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* How many results have status st. */
size_t sl_check_count(const struct sl_check_report *rep, sl_check_status_t st);
/* The first FAIL, or NULL. */
const struct sl_check_item *sl_check_first_fail(const struct sl_check_report *rep);
/* "PASS", "WARN" or "FAIL". */
const char *sl_check_status_name(sl_check_status_t st);
/* "FAIL  mysql binlog_format: STATEMENT — fix: SET GLOBAL binlog_format=ROW ..." */
void sl_check_item_format(const struct sl_check_item *item, char *out, size_t out_size);

/* Connects with conf's database.* settings and runs every check, appending to report (which
 * the caller initialised). stored_file (may be NULL) is the binlog file of a stored offset;
 * it must still be listed by SHOW BINARY LOGS. GTID mode is required (FAIL when off) only
 * when conf uses GTID filters (gtid.source.includes/excludes); otherwise it is reported.
 * Returns SL_OK when no check failed; otherwise the error of the first failure (SL_ERR_IO
 * unreachable, SL_ERR_AUTH login or grants, SL_ERR_UNSUPPORTED binlog settings, SL_ERR_CONF
 * server id, SL_ERR_NOTFOUND purged binlog) with errstr set to that failure's line. */
sl_err_t sl_source_checks_run(const struct sl_mysql_source_conf *conf, const char *stored_file,
                              struct sl_check_report *report, char *errstr, size_t errstr_size);

#endif
