/* SPDX-License-Identifier: Apache-2.0 */
/* Column names for binlogs written with binlog_row_metadata=MINIMAL (the MySQL and Aurora
 * default): TABLE_MAP then carries types only, so names, signedness and ENUM/SET labels are
 * read from the server's information_schema once per table version and the source converts
 * with a named copy of the table. Primary key columns are not known this way (see the
 * report in source_task.c): such tables get the key the TABLE_MAP describes, if any. */
#ifndef SL_RUNTIME_NAMES_H
#define SL_RUNTIME_NAMES_H

#include "core/change.h"
#include "source/client.h"

struct sl_names;

/* db (copied; its strings are borrowed and must outlive the resolver). No connection yet. */
struct sl_names *sl_names_new(const struct sl_mysql_conf *db);
void sl_names_free(struct sl_names *nm);

/* tbl itself when it has every name; else a named copy (cached by tbl's address, valid until
 * sl_names_free), or tbl when the server cannot say (logged once per table version). */
const struct sl_table *sl_names_resolve(struct sl_names *nm, const struct sl_table *tbl);

#endif
