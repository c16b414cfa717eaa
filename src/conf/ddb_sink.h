/* SPDX-License-Identifier: Apache-2.0 */
/* The Confluent DynamoDB sink connector file (io.confluent.connect.aws.dynamodb
 * .DynamoDbSinkConnector), plus Sluice additions named like the keys users know from other
 * Confluent sinks (delete.enabled from the JDBC sink, aws.dynamodb.billing.mode). */
#ifndef SL_CONF_DDB_SINK_H
#define SL_CONF_DDB_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/connector.h"

typedef enum {
    SL_NULL_VALUES_IGNORE = 0, /* skip tombstones */
    SL_NULL_VALUES_DELETE,     /* tombstone -> DeleteRequest for the record key */
    SL_NULL_VALUES_FAIL,       /* tombstone fails the task */
} sl_null_values_t;

typedef enum {
    SL_BILLING_PROVISIONED = 0,
    SL_BILLING_PAY_PER_REQUEST,
} sl_billing_mode_t;

struct sl_ddb_sink_conf {
    struct sl_conf_meta meta; /* engine bookkeeping; must stay first */
    struct sl_connector_conf common;

    struct sl_conf_strlist topics; /* topics (this or topics.regex is required) */
    char *topics_regex;            /* topics.regex */

    char *region;   /* aws.dynamodb.region; NULL = AWS_REGION / AWS_DEFAULT_REGION */
    char *endpoint; /* aws.dynamodb.endpoint; NULL = https://dynamodb.<region>.amazonaws.com */
    char *pk_hash;  /* aws.dynamodb.pk.hash (default "partition") */
    char *pk_sort;  /* aws.dynamodb.pk.sort (default "offset"; "" = no sort key) */
    char *table_name_format; /* table.name.format (default "${topic}") */
    int64_t max_pk_depth;    /* max.pk.depth */

    char *access_key_id;              /* aws.access.key.id */
    char *secret_access_key;          /* aws.secret.access.key (SECRET) */
    char *session_token;              /* aws.session.token (SECRET, Sluice addition) */
    char *credentials_provider_class; /* Java class: recorded; the stage maps or refuses it */
    struct sl_conf_kvlist credentials_provider_props; /* aws.dynamodb.credentials.provider.* */
    char *proxy_url;
    char *proxy_user;
    char *proxy_password; /* SECRET */

    int64_t max_retry_time_s; /* aws.dynamodb.max.retry.time.seconds */
    uint32_t max_retries;     /* max.retries */
    int64_t retry_backoff_ms; /* retry.backoff.ms */
    uint32_t batch_size;      /* batch.size (1..25 items per BatchWriteItem) */

    bool delete_enabled;         /* delete.enabled: tombstone -> delete (JDBC sink name) */
    int behavior_on_null_values; /* sl_null_values_t */
    int billing_mode;            /* aws.dynamodb.billing.mode: sl_billing_mode_t */
    uint32_t read_capacity;      /* aws.dynamodb.provisioned.read.capacity (auto-create) */
    uint32_t write_capacity;     /* aws.dynamodb.provisioned.write.capacity */
    bool table_auto_create;      /* aws.dynamodb.table.auto.create */

    char *dlq_topic_name; /* errors.deadletterqueue.topic.name */
    int64_t dlq_topic_replication_factor;
    bool dlq_context_headers_enable;

    char *confluent_license;                     /* confluent.license (recorded, unused) */
    char *confluent_topic;                       /* confluent.topic */
    struct sl_conf_kvlist confluent_topic_props; /* confluent.topic.* (bootstrap, security) */
};

extern const struct sl_conf_table sl_ddb_sink_table;

/* Whether a tombstone should become a delete: delete.enabled=true or
 * behavior.on.null.values=delete. */
bool sl_ddb_sink_conf_deletes(const struct sl_ddb_sink_conf *conf);

/* sl_conf_load for the DynamoDB sink table. conf needs sl_conf_fini afterwards, also on
 * error. */
sl_err_t sl_conf_ddb_sink_load(struct sl_ddb_sink_conf *conf, const char *path, struct sl_buf *diag,
                               char *errstr, size_t errstr_size);

#endif
