/* SPDX-License-Identifier: Apache-2.0 */
/* Option table of the Debezium MySQL source connector (1.9 defaults), with the 2.x names as
 * the primary spelling where Debezium renamed a key and the 1.9 name as its alias. */
#include "conf/mysql_source.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define OFF(f) offsetof(struct sl_mysql_source_conf, f)

static const char *const snapshot_mode_names[] = {
    "initial", "initial_only", "when_needed", "never", "schema_only", "schema_only_recovery",
    "always",  "no_data",      "recovery",    NULL};
static const char *const locking_names[] = {
    "minimal", "minimal_percona", "minimal_percona_no_table_locks", "extended", "none", NULL};
static const char *const time_precision_names[] = {"adaptive_time_microseconds", "adaptive",
                                                   "connect", NULL};
static const char *const decimal_names[] = {"precise", "double", "string", NULL};
static const char *const bigint_names[] = {"long", "precise", NULL};
static const char *const binary_names[] = {"bytes", "base64", "hex", "base64-url-safe", NULL};
static const char *const ssl_mode_names[] = {"disabled",  "preferred",       "required",
                                             "verify_ca", "verify_identity", NULL};
/* "ignore" is the 1.9 spelling of "skip" (event.deserialization.failure.handling.mode). */
static const char *const failure_names[] = {"fail", "warn", "skip", "ignore", NULL};
static const char *const adjustment_names[] = {"avro", "none", NULL};

static sl_err_t check_topic_prefix(const void *field, char *why, size_t why_size)
{
    const char *s = *(char *const *)field;
    if (!s || !*s) {
        snprintf(why, why_size, "must not be empty");
        return SL_ERR_CONF;
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') {
            snprintf(why, why_size, "may contain only letters, digits, '.', '_' and '-'");
            return SL_ERR_CONF;
        }
    }
    return SL_OK;
}

static sl_err_t check_skipped_ops(const void *field, char *why, size_t why_size)
{
    const struct sl_conf_strlist *list = field;
    for (size_t i = 0; i < list->n; i++) {
        const char *op = list->items[i];
        if (strcmp(op, "c") && strcmp(op, "u") && strcmp(op, "d") && strcmp(op, "t") &&
            strcmp(op, "none")) {
            snprintf(why, why_size, "'%.40s' is not one of c, u, d, t, none", op);
            return SL_ERR_CONF;
        }
    }
    return SL_OK;
}

/* <db.table regex>:<col>[,<col>...][;<db.table regex>:<col>...] */
static sl_err_t check_key_columns(const void *field, char *why, size_t why_size)
{
    const char *s = *(char *const *)field;
    if (!s || !*s)
        return SL_OK;
    const char *p = s;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        const char *colon = memchr(p, ':', n);
        if (!colon || colon == p || colon == p + n - 1) {
            snprintf(why, why_size,
                     "expected <db.table regex>:<column>[,<column>] separated by ';'");
            return SL_ERR_CONF;
        }
        p += n;
        if (*p == ';')
            p++;
    }
    return SL_OK;
}

static const struct sl_option mysql_options[] = {
    /* Connection */
    {"database.hostname", NULL, SL_T_STR, OFF(hostname), .flags = SL_OPT_REQUIRED,
     .doc = "MySQL or MariaDB host to replicate from."},
    {"database.port", NULL, SL_T_U32, OFF(port), "3306", .min = 1, .max = 65535,
     .doc = "MySQL port."},
    {"database.user", NULL, SL_T_STR, OFF(user), .flags = SL_OPT_REQUIRED,
     .doc = "User with SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT."},
    {"database.password", NULL, SL_T_PASSWORD, OFF(password), .flags = SL_OPT_SECRET,
     .doc = "Password of database.user."},
    {"database.server.id", NULL, SL_T_U32, OFF(server_id), .min = 1, .max = UINT32_MAX,
     .doc = "Replica server id, unique in the replication topology; unset picks one in "
            "[5400, 6400)."},
    {"topic.prefix", "database.server.name", SL_T_STR, OFF(topic_prefix), .flags = SL_OPT_REQUIRED,
     .validate = check_topic_prefix,
     .doc = "Logical server name: prefix of every topic and key of the stored offsets."},
    {"database.ssl.mode", NULL, SL_T_ENUM, OFF(ssl_mode), "disabled", .enums = ssl_mode_names,
     .doc = "TLS to MySQL (1.9 default disabled; 2.x default preferred)."},
    {"database.ssl.keystore", NULL, SL_T_STR, OFF(ssl_keystore),
     .doc = "Client certificate and key for TLS to MySQL."},
    {"database.ssl.keystore.password", NULL, SL_T_PASSWORD, OFF(ssl_keystore_password),
     .flags = SL_OPT_SECRET, .doc = "Key store password."},
    {"database.ssl.truststore", NULL, SL_T_STR, OFF(ssl_truststore),
     .doc = "CA certificates for verifying the MySQL server."},
    {"database.ssl.truststore.password", NULL, SL_T_PASSWORD, OFF(ssl_truststore_password),
     .flags = SL_OPT_SECRET, .doc = "Trust store password."},
    {"database.initial.statements", NULL, SL_T_STR, OFF(initial_statements),
     .doc = "SQL run on every new connection, ';'-separated (';;' for a literal ';')."},
    {"connect.timeout.ms", NULL, SL_T_DURATION_MS, OFF(connect_timeout_ms), "30000",
     .doc = "Time to wait for a connection to MySQL."},
    {"connect.keep.alive", NULL, SL_T_BOOL, OFF(connect_keep_alive), "true",
     .doc = "Reconnect the binlog client when the connection drops."},
    {"connect.keep.alive.interval.ms", NULL, SL_T_DURATION_MS, OFF(connect_keep_alive_interval_ms),
     "60000", .doc = "How often the binlog connection is checked."},

    /* Filters */
    {"database.include.list", "database.whitelist", SL_T_LIST, OFF(database_include),
     .doc = "Regexes (full match, case-insensitive) of databases to capture."},
    {"database.exclude.list", "database.blacklist", SL_T_LIST, OFF(database_exclude),
     .doc = "Regexes of databases not to capture; exclusive with database.include.list."},
    {"table.include.list", "table.whitelist", SL_T_LIST, OFF(table_include),
     .doc = "Regexes of db.table names to capture."},
    {"table.exclude.list", "table.blacklist", SL_T_LIST, OFF(table_exclude),
     .doc = "Regexes of db.table names not to capture; exclusive with table.include.list."},
    {"column.include.list", "column.whitelist", SL_T_LIST, OFF(column_include),
     .doc = "Regexes of db.table.column names to keep in values (keys are never filtered)."},
    {"column.exclude.list", "column.blacklist", SL_T_LIST, OFF(column_exclude),
     .doc = "Regexes of db.table.column names to drop from values."},
    {"table.ignore.builtin", NULL, SL_T_BOOL, OFF(table_ignore_builtin), "true",
     .doc = "Skip the mysql, performance_schema, sys and information_schema databases."},
    {"message.key.columns", NULL, SL_T_STR, OFF(message_key_columns), .validate = check_key_columns,
     .doc = "Custom keys: <db.table regex>:<col>,<col>;... (also gives keys to tables without "
            "a primary key)."},
    {"skipped.operations", NULL, SL_T_LIST, OFF(skipped_operations), .validate = check_skipped_ops,
     .doc = "Operations not to emit: c, u, d, t (1.9 default: none)."},
    {"gtid.source.includes", NULL, SL_T_LIST, OFF(gtid_source_includes),
     .doc = "Regexes of server UUIDs whose GTIDs are used to find the restart position."},
    {"gtid.source.excludes", NULL, SL_T_LIST, OFF(gtid_source_excludes),
     .doc = "Regexes of server UUIDs whose GTIDs are ignored; exclusive with includes."},
    {"gtid.source.filter.dml.events", NULL, SL_T_BOOL, OFF(gtid_source_filter_dml_events), "true",
     .doc = "Also skip row events from GTIDs filtered out by gtid.source.*."},

    /* Schema history */
    {"schema.history.internal", "database.history", SL_T_STR, OFF(history_class),
     "io.debezium.relational.history.KafkaDatabaseHistory", .flags = SL_OPT_JAVA,
     .doc = "Where the DDL history is kept: the Kafka or File history class."},
    {"schema.history.internal.kafka.topic", "database.history.kafka.topic", SL_T_STR,
     OFF(history_kafka_topic),
     .doc = "History topic (1 partition, infinite retention); required with Kafka history."},
    {"schema.history.internal.kafka.bootstrap.servers", "database.history.kafka.bootstrap.servers",
     SL_T_STR, OFF(history_kafka_bootstrap_servers),
     .doc = "Brokers of the history topic; required with Kafka history."},
    {"schema.history.internal.kafka.recovery.poll.interval.ms",
     "database.history.kafka.recovery.poll.interval.ms", SL_T_DURATION_MS,
     OFF(history_kafka_recovery_poll_interval_ms), "100",
     .doc = "Poll timeout while reading the history back."},
    {"schema.history.internal.kafka.recovery.attempts", "database.history.kafka.recovery.attempts",
     SL_T_U32, OFF(history_kafka_recovery_attempts), "4", .min = 1, .max = 100000,
     .doc = "Empty polls tolerated before history recovery gives up."},
    {"schema.history.internal.kafka.query.timeout.ms", "database.history.kafka.query.timeout.ms",
     SL_T_DURATION_MS, OFF(history_kafka_query_timeout_ms), "3000",
     .doc = "Timeout of admin queries about the history topic."},
    {"schema.history.internal.kafka.create.timeout.ms", NULL, SL_T_DURATION_MS,
     OFF(history_kafka_create_timeout_ms), "30000",
     .doc = "Timeout for creating the history topic."},
    {"schema.history.internal.file.filename", "database.history.file.filename", SL_T_STR,
     OFF(history_file_filename), .doc = "History file, with the File history class."},
    {"schema.history.internal.skip.unparseable.ddl", "database.history.skip.unparseable.ddl",
     SL_T_BOOL, OFF(history_skip_unparseable_ddl), "false",
     .doc = "Log and skip DDL that cannot be parsed instead of stopping."},
    {"schema.history.internal.store.only.captured.tables.ddl",
     "database.history.store.only.captured.tables.ddl", SL_T_BOOL,
     OFF(history_store_only_captured_tables_ddl), "false",
     .doc = "Record DDL of captured tables only (smaller history; adding tables later is "
            "manual)."},
    {"include.schema.changes", NULL, SL_T_BOOL, OFF(include_schema_changes), "true",
     .doc = "Emit DDL to the topic named like topic.prefix."},
    {"include.schema.comments", NULL, SL_T_BOOL, OFF(include_schema_comments), "false",
     .doc = "Keep table and column comments in schemas."},
    {"include.query", NULL, SL_T_BOOL, OFF(include_query), "false",
     .doc = "Fill source.query (needs binlog_rows_query_log_events=ON)."},

    /* Snapshot */
    {"snapshot.mode", NULL, SL_T_ENUM, OFF(snapshot_mode), "initial", .enums = snapshot_mode_names,
     .doc = "When to snapshot existing rows before streaming."},
    {"snapshot.locking.mode", NULL, SL_T_ENUM, OFF(snapshot_locking_mode), "minimal",
     .enums = locking_names, .doc = "Locks taken while the snapshot position is read."},
    {"snapshot.fetch.size", NULL, SL_T_U32, OFF(snapshot_fetch_size),
     .doc = "Rows fetched per round trip during the snapshot; unset streams row by row."},
    {"min.row.count.to.stream.results", NULL, SL_T_I64, OFF(min_row_count_to_stream_results),
     "1000", .min = 0, .max = INT64_MAX,
     .doc = "Tables estimated smaller than this are read in one result set; 0 always streams."},
    {"snapshot.select.statement.overrides", NULL, SL_T_LIST,
     OFF(snapshot_select_statement_overrides),
     .doc = "db.table names whose snapshot SELECT is given by "
            "snapshot.select.statement.overrides.<db>.<table>."},
    {"snapshot.include.collection.list", NULL, SL_T_LIST, OFF(snapshot_include_collection_list),
     .doc = "Regexes of captured tables to snapshot (default: all captured)."},
    {"snapshot.delay.ms", NULL, SL_T_DURATION_MS, OFF(snapshot_delay_ms), "0",
     .doc = "Wait before the snapshot starts."},
    {"snapshot.lock.timeout.ms", NULL, SL_T_DURATION_MS, OFF(snapshot_lock_timeout_ms), "10000",
     .doc = "Longest wait for the snapshot locks."},
    {"snapshot.max.threads", NULL, SL_T_U32, OFF(snapshot_max_threads), "1", .min = 1, .max = 64,
     .doc = "Tables snapshotted in parallel."},

    /* Types */
    {"time.precision.mode", NULL, SL_T_ENUM, OFF(time_precision_mode), "adaptive_time_microseconds",
     .enums = time_precision_names, .doc = "How temporal columns are represented."},
    {"decimal.handling.mode", NULL, SL_T_ENUM, OFF(decimal_handling_mode), "precise",
     .enums = decimal_names,
     .doc = "DECIMAL as base64 bytes (precise), a JSON number (double) or a string."},
    {"bigint.unsigned.handling.mode", NULL, SL_T_ENUM, OFF(bigint_unsigned_handling_mode), "long",
     .enums = bigint_names,
     .doc = "BIGINT UNSIGNED as int64 (long; wraps above 2^63-1) or Decimal (precise)."},
    {"binary.handling.mode", NULL, SL_T_ENUM, OFF(binary_handling_mode), "bytes",
     .enums = binary_names, .doc = "BINARY/BLOB as bytes (base64 in JSON), base64 or hex text."},
    {"enable.time.adjuster", NULL, SL_T_BOOL, OFF(enable_time_adjuster), "true",
     .doc = "Map two-digit years to 1970-2069."},
    {"schema.name.adjustment.mode", NULL, SL_T_ENUM, OFF(schema_name_adjustment_mode), "avro",
     .enums = adjustment_names, .doc = "Make schema names Avro-safe (1.9 default avro)."},
    {"converters", NULL, SL_T_LIST, OFF(converters),
     .doc = "Custom converter names; each is configured by <name>.type and <name>.<param>."},

    /* Events and topics */
    {"tombstones.on.delete", NULL, SL_T_BOOL, OFF(tombstones_on_delete), "true",
     .doc = "Follow each delete event with a null-value tombstone for log compaction."},
    {"provide.transaction.metadata", NULL, SL_T_BOOL, OFF(provide_transaction_metadata), "false",
     .doc = "Emit BEGIN/END records and a transaction block in every event."},
    {"transaction.topic", NULL, SL_T_STR, OFF(transaction_topic),
     .doc = "1.9 transaction topic name (default <topic.prefix>.transaction)."},
    {"topic.transaction", NULL, SL_T_STR, OFF(topic_transaction),
     .doc = "2.x transaction topic suffix, giving <topic.prefix>.<suffix>."},
    {"heartbeat.interval.ms", NULL, SL_T_DURATION_MS, OFF(heartbeat_interval_ms), "0",
     .doc = "Emit a heartbeat carrying the offset this often; 0 disables."},
    {"topic.heartbeat.prefix", "heartbeat.topics.prefix", SL_T_STR, OFF(heartbeat_topics_prefix),
     "__debezium-heartbeat", .doc = "Heartbeat topic is <prefix>.<topic.prefix>."},
    {"heartbeat.action.query", NULL, SL_T_STR, OFF(heartbeat_action_query),
     .doc = "SQL run on every heartbeat."},
    {"signal.data.collection", NULL, SL_T_STR, OFF(signal_data_collection),
     .doc = "db.table used to send signals (e.g. ad hoc snapshots) to the connector."},
    {"incremental.snapshot.chunk.size", NULL, SL_T_U32, OFF(incremental_snapshot_chunk_size),
     "1024", .min = 1, .max = 1000000,
     .doc = "Rows per chunk of an incremental snapshot (signal execute-snapshot)."},
    {"event.processing.failure.handling.mode", "event.deserialization.failure.handling.mode",
     SL_T_ENUM, OFF(event_processing_failure_handling_mode), "fail", .enums = failure_names,
     .doc = "What to do with a binlog event that cannot be decoded: fail, warn or skip."},
    {"inconsistent.schema.handling.mode", NULL, SL_T_ENUM, OFF(inconsistent_schema_handling_mode),
     "fail", .enums = failure_names,
     .doc = "What to do with a row event for a table missing from the schema."},

    /* Queues */
    {"max.batch.size", NULL, SL_T_U32, OFF(max_batch_size), "2048", .min = 1, .max = 1000000,
     .doc = "Largest batch of events handed on at once."},
    {"max.queue.size", NULL, SL_T_U32, OFF(max_queue_size), "8192", .min = 1, .max = 10000000,
     .doc = "Events buffered between the binlog reader and the producer; must exceed "
            "max.batch.size."},
    {"max.queue.size.in.bytes", NULL, SL_T_SIZE, OFF(max_queue_size_in_bytes), "0",
     .doc = "Byte bound of that queue; 0 = count bound only."},
    {"poll.interval.ms", NULL, SL_T_DURATION_MS, OFF(poll_interval_ms), "500",
     .doc = "Wait for new events when the queue is empty."},
    {"binlog.buffer.size", NULL, SL_T_U32, OFF(binlog_buffer_size), "0",
     .doc = "Look-ahead buffer to detect ROLLBACK; 0 disables."},
    {"errors.max.retries", NULL, SL_T_I64, OFF(errors_max_retries), "-1", .min = -1,
     .max = INT32_MAX, .doc = "Retries of retriable database errors; -1 = unlimited."},
    {NULL},
};

static const struct sl_passthrough mysql_passthrough[] = {
    {"schema.history.internal.producer.", "database.history.producer.", SL_PT_LIST,
     OFF(history_producer),
     .doc = "Kafka producer settings of the history writer; security is not inherited from "
            "the worker."},
    {"schema.history.internal.consumer.", "database.history.consumer.", SL_PT_LIST,
     OFF(history_consumer), .doc = "Kafka consumer settings of the history reader."},
    {"snapshot.select.statement.overrides.", NULL, SL_PT_LIST, OFF(snapshot_select_overrides),
     .doc = "Per-table snapshot SELECT, keyed <db>.<table>."},
    {"column.", NULL, SL_PT_LIST, OFF(column_other), .catch_all = true,
     .doc = "Column value transforms: column.truncate.to.<N>.chars, column.mask.with.<N>.chars, "
            "column.mask.hash.*, column.propagate.source.type."},
    {"topic.creation.", NULL, SL_PT_LIST, OFF(topic_creation),
     .doc = "Topic creation settings (KIP-158)."},
    {"", NULL, SL_PT_NAMED, OFF(converter_props), .names_from = "converters",
     .doc = "Custom converter settings, e.g. boolean.type."},
    {"driver.", "database.", SL_PT_LIST, OFF(driver), .catch_all = true,
     .doc = "Other connection settings (1.9 JDBC pass-through database.*)."},
    {NULL},
};

static sl_err_t check_mysql(const struct sl_conf_table *table, void *vconf, struct sl_buf *diag)
{
    struct sl_mysql_source_conf *conf = vconf;
    const struct sl_conf_origin *o = sl_conf_origin_of(conf, "connector.class");
    const char *file = o && o->file ? o->file : "(config)";
    static const char *const exclusive[][2] = {
        {"database.include.list", "database.exclude.list"},
        {"table.include.list", "table.exclude.list"},
        {"column.include.list", "column.exclude.list"},
        {"gtid.source.includes", "gtid.source.excludes"},
    };
    sl_err_t err = SL_OK;
    for (size_t i = 0; i < sizeof(exclusive) / sizeof(exclusive[0]); i++) {
        if (sl_conf_is_set(conf, exclusive[i][0]) && sl_conf_is_set(conf, exclusive[i][1])) {
            sl_conf_diag_error(diag, "%s: %s and %s are mutually exclusive; keep one", file,
                               exclusive[i][0], exclusive[i][1]);
            err = SL_ERR_CONF;
        }
    }
    if (conf->max_queue_size <= conf->max_batch_size) {
        sl_conf_diag_error(diag, "%s: max.queue.size (%u) must be larger than max.batch.size (%u)",
                           file, conf->max_queue_size, conf->max_batch_size);
        err = SL_ERR_CONF;
    }
    if (sl_conf_table_for_class(conf->common.connector_class) != table) {
        sl_conf_diag_error(diag,
                           "%s: connector.class '%s' is not the MySQL source connector "
                           "(io.debezium.connector.mysql.MySqlConnector)",
                           file, conf->common.connector_class);
        err = SL_ERR_CONF;
    }
    return err;
}

const struct sl_conf_table sl_mysql_source_table = {
    .name = "mysql-source",
    .title = "MySQL source (io.debezium.connector.mysql.MySqlConnector)",
    .doc = "A Debezium 1.9 MySQL connector file, read unchanged. Where Debezium 2.x renamed a "
           "key the 2.x name is listed with the 1.9 name as its alias; both are accepted.",
    .sections = {{mysql_options, mysql_passthrough, 0},
                 {sl_connector_options, sl_connector_passthrough, OFF(common)}},
    .size = sizeof(struct sl_mysql_source_conf),
    .check = check_mysql,
};

sl_err_t sl_conf_mysql_source_load(struct sl_mysql_source_conf *conf, const char *path,
                                   struct sl_buf *diag, char *errstr, size_t errstr_size)
{
    return sl_conf_load(&sl_mysql_source_table, conf, path, diag, errstr, errstr_size);
}
