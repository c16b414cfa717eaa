/* SPDX-License-Identifier: Apache-2.0 */
/* The Debezium MySQL source connector file (Debezium 1.9 names, 2.x renames accepted as
 * well: topic.prefix <- database.server.name, schema.history.internal.* <- database.history.*,
 * driver.* <- database.* JDBC pass-through). Enum fields hold the C enums below. */
#ifndef SL_CONF_MYSQL_SOURCE_H
#define SL_CONF_MYSQL_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/connector.h"

typedef enum {
    SL_SNAPSHOT_INITIAL = 0,
    SL_SNAPSHOT_INITIAL_ONLY,
    SL_SNAPSHOT_WHEN_NEEDED,
    SL_SNAPSHOT_NEVER,
    SL_SNAPSHOT_SCHEMA_ONLY,
    SL_SNAPSHOT_SCHEMA_ONLY_RECOVERY,
    SL_SNAPSHOT_ALWAYS,   /* 2.6+ */
    SL_SNAPSHOT_NO_DATA,  /* 2.6+ name of schema_only */
    SL_SNAPSHOT_RECOVERY, /* 2.6+ name of schema_only_recovery */
} sl_snapshot_mode_t;

typedef enum {
    SL_SNAPSHOT_LOCK_MINIMAL = 0,
    SL_SNAPSHOT_LOCK_MINIMAL_PERCONA,
    SL_SNAPSHOT_LOCK_MINIMAL_PERCONA_NO_TABLE_LOCKS,
    SL_SNAPSHOT_LOCK_EXTENDED,
    SL_SNAPSHOT_LOCK_NONE,
} sl_snapshot_locking_mode_t;

typedef enum {
    SL_TIME_PRECISION_ADAPTIVE_TIME_MICROSECONDS = 0,
    SL_TIME_PRECISION_ADAPTIVE,
    SL_TIME_PRECISION_CONNECT,
} sl_time_precision_mode_t;

typedef enum {
    SL_DECIMAL_PRECISE = 0,
    SL_DECIMAL_DOUBLE,
    SL_DECIMAL_STRING,
} sl_decimal_handling_mode_t;

typedef enum {
    SL_BIGINT_UNSIGNED_LONG = 0,
    SL_BIGINT_UNSIGNED_PRECISE,
} sl_bigint_unsigned_handling_mode_t;

typedef enum {
    SL_BINARY_BYTES = 0,
    SL_BINARY_BASE64,
    SL_BINARY_HEX,
    SL_BINARY_BASE64_URL_SAFE, /* 2.x */
} sl_binary_handling_mode_t;

typedef enum {
    SL_SSL_MODE_DISABLED = 0,
    SL_SSL_MODE_PREFERRED,
    SL_SSL_MODE_REQUIRED,
    SL_SSL_MODE_VERIFY_CA,
    SL_SSL_MODE_VERIFY_IDENTITY,
} sl_db_ssl_mode_t;

typedef enum {
    SL_FAILURE_FAIL = 0,
    SL_FAILURE_WARN,
    SL_FAILURE_SKIP, /* "skip", or 1.9 "ignore" */
} sl_failure_mode_t;

typedef enum {
    SL_SCHEMA_NAME_ADJUST_AVRO = 0,
    SL_SCHEMA_NAME_ADJUST_NONE,
} sl_schema_name_adjustment_t;

struct sl_mysql_source_conf {
    struct sl_conf_meta meta; /* engine bookkeeping; must stay first */
    struct sl_connector_conf common;

    /* Connection */
    char *hostname;     /* database.hostname (REQUIRED) */
    uint32_t port;      /* database.port */
    char *user;         /* database.user (REQUIRED) */
    char *password;     /* database.password (SECRET) */
    uint32_t server_id; /* database.server.id; 0 = pick one in [5400, 6400) */
    char *topic_prefix; /* topic.prefix <- database.server.name (REQUIRED) */
    int ssl_mode;       /* database.ssl.mode: sl_db_ssl_mode_t */
    char *ssl_keystore;
    char *ssl_keystore_password; /* SECRET */
    char *ssl_truststore;
    char *ssl_truststore_password; /* SECRET */
    char *initial_statements;      /* database.initial.statements */
    int64_t connect_timeout_ms;
    bool connect_keep_alive;
    int64_t connect_keep_alive_interval_ms;
    struct sl_conf_kvlist driver; /* driver.* <- other database.* (JDBC pass-through) */

    /* Filters */
    struct sl_conf_strlist database_include; /* database.include.list */
    struct sl_conf_strlist database_exclude;
    struct sl_conf_strlist table_include; /* table.include.list */
    struct sl_conf_strlist table_exclude;
    struct sl_conf_strlist column_include; /* column.include.list */
    struct sl_conf_strlist column_exclude;
    bool table_ignore_builtin;
    char *message_key_columns;                 /* message.key.columns */
    struct sl_conf_strlist skipped_operations; /* skipped.operations (c,u,d,t) */
    struct sl_conf_strlist gtid_source_includes;
    struct sl_conf_strlist gtid_source_excludes;
    bool gtid_source_filter_dml_events;
    struct sl_conf_kvlist column_other; /* column.truncate.to.* / column.mask.* etc. */

    /* Schema history */
    char *history_class;       /* schema.history.internal <- database.history */
    char *history_kafka_topic; /* schema.history.internal.kafka.topic */
    char *history_kafka_bootstrap_servers;
    int64_t history_kafka_recovery_poll_interval_ms;
    uint32_t history_kafka_recovery_attempts;
    int64_t history_kafka_query_timeout_ms;
    int64_t history_kafka_create_timeout_ms;
    char *history_file_filename; /* schema.history.internal.file.filename */
    bool history_skip_unparseable_ddl;
    bool history_store_only_captured_tables_ddl;
    struct sl_conf_kvlist history_producer; /* schema.history.internal.producer.* */
    struct sl_conf_kvlist history_consumer; /* schema.history.internal.consumer.* */
    bool include_schema_changes;
    bool include_schema_comments;
    bool include_query;

    /* Snapshot */
    int snapshot_mode;            /* sl_snapshot_mode_t */
    int snapshot_locking_mode;    /* sl_snapshot_locking_mode_t */
    uint32_t snapshot_fetch_size; /* 0 = stream row by row */
    int64_t min_row_count_to_stream_results;
    struct sl_conf_strlist snapshot_select_statement_overrides;
    struct sl_conf_kvlist snapshot_select_overrides; /* ...overrides.<db>.<table> = SELECT */
    struct sl_conf_strlist snapshot_include_collection_list;
    int64_t snapshot_delay_ms;
    int64_t snapshot_lock_timeout_ms;
    uint32_t snapshot_max_threads;

    /* Types */
    int time_precision_mode;   /* sl_time_precision_mode_t */
    int decimal_handling_mode; /* sl_decimal_handling_mode_t */
    int bigint_unsigned_handling_mode;
    int binary_handling_mode; /* sl_binary_handling_mode_t */
    bool enable_time_adjuster;
    int schema_name_adjustment_mode;          /* sl_schema_name_adjustment_t */
    struct sl_conf_strlist converters;        /* converters=<name>,... */
    struct sl_conf_grouplist converter_props; /* <name>.type, <name>.<param> */

    /* Events and topics */
    bool tombstones_on_delete;
    bool provide_transaction_metadata;
    char *transaction_topic; /* 1.9 transaction.topic (full name; NULL = <prefix>.transaction) */
    char *topic_transaction; /* 2.x topic.transaction (suffix) */
    int64_t heartbeat_interval_ms;
    char *heartbeat_topics_prefix; /* topic.heartbeat.prefix <- heartbeat.topics.prefix */
    char *heartbeat_action_query;
    char *signal_data_collection;
    uint32_t incremental_snapshot_chunk_size; /* incremental.snapshot.chunk.size */
    int event_processing_failure_handling_mode; /* sl_failure_mode_t */
    int inconsistent_schema_handling_mode;      /* sl_failure_mode_t */
    struct sl_conf_kvlist topic_creation;       /* topic.creation.* */

    /* Queues */
    uint32_t max_batch_size;
    uint32_t max_queue_size;
    uint64_t max_queue_size_in_bytes;
    int64_t poll_interval_ms;
    uint32_t binlog_buffer_size;
    int64_t errors_max_retries; /* errors.max.retries (-1 = unlimited) */
};

extern const struct sl_conf_table sl_mysql_source_table;

/* sl_conf_load for the MySQL source table. conf needs sl_conf_fini afterwards, also on
 * error. */
sl_err_t sl_conf_mysql_source_load(struct sl_mysql_source_conf *conf, const char *path,
                                   struct sl_buf *diag, char *errstr, size_t errstr_size);

#endif
