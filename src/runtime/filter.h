/* SPDX-License-Identifier: Apache-2.0 */
/* Debezium's table filters for the MySQL source: database.include/exclude.list (database
 * name) and table.include/exclude.list ("db.table"), each item an anchored, case-insensitive
 * regular expression (POSIX extended syntax), plus table.ignore.builtin. */
#ifndef SL_RUNTIME_FILTER_H
#define SL_RUNTIME_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/mysql_source.h"
#include "core/err.h"
#include "core/str.h"

struct sl_filter;

/* Compiles the lists of conf. SL_ERR_CONF with errstr naming the key and the bad pattern. */
sl_err_t sl_filter_new(const struct sl_mysql_source_conf *conf, struct sl_filter **out,
                       char *errstr, size_t errstr_size);
void sl_filter_free(struct sl_filter *flt);

/* Whether changes of db.table are captured. */
bool sl_filter_table(const struct sl_filter *flt, struct sl_str db, struct sl_str table);

#endif
