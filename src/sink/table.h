/* SPDX-License-Identifier: Apache-2.0 */
/* DynamoDB table administration for the sink: DescribeTable, CreateTable (provisioned 10/10
 * as Confluent, or PAY_PER_REQUEST) and waiting until ACTIVE, with a clear error when an
 * existing table's key schema differs from the one the sink writes.
 * Thread: the sink thread (blocking calls on the client). */
#ifndef SL_SINK_TABLE_H
#define SL_SINK_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "sink/ddb.h"
#include "sink/item.h"

struct sl_ddb_keyschema {
    char hash[SL_SINK_NAME_MAX];
    char hash_type;              /* 'S', 'N', 'B' */
    char sort[SL_SINK_NAME_MAX]; /* "" = none */
    char sort_type;
};

/* "HASH ORDER_ID (N), RANGE SITE_ID (N)" into out. */
void sl_ddb_keyschema_str(const struct sl_ddb_keyschema *ks, char *out, size_t out_size);

/* DescribeTable: fills ks and status ("ACTIVE", "CREATING", ...). SL_ERR_NOTFOUND when the
 * table does not exist; SL_ERR_UPSTREAM / SL_ERR_AUTH with errstr otherwise. */
sl_err_t sl_ddb_table_describe(struct sl_ddb *ddb, const char *table, struct sl_ddb_keyschema *ks,
                               char *status, size_t status_size, char *errstr, size_t errstr_size);

struct sl_ddb_table_opts {
    bool create;          /* create when missing */
    bool pay_per_request; /* BillingMode PAY_PER_REQUEST, else PROVISIONED */
    long read_capacity;   /* 0 = 10 */
    long write_capacity;  /* 0 = 10 */
    long wait_ms;         /* how long to wait for ACTIVE; 0 = 60000 */
};

/* Makes sure table exists with key schema want and is ACTIVE. SL_ERR_CONF when it exists with
 * another key schema (errstr names the table and both schemas) or is missing and create is
 * off; SL_ERR_AGAIN when it did not become ACTIVE in time; SL_ERR_UPSTREAM/SL_ERR_AUTH. */
sl_err_t sl_ddb_table_ensure(struct sl_ddb *ddb, const char *table,
                             const struct sl_ddb_keyschema *want,
                             const struct sl_ddb_table_opts *opts, char *errstr,
                             size_t errstr_size);

#endif
