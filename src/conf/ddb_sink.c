/* SPDX-License-Identifier: Apache-2.0 */
/* Option table of the Confluent DynamoDB sink connector (1.2.0 keys and defaults, 1.5.x
 * additions) and the Sluice additions for deletes, retries and table creation. */
#include "conf/ddb_sink.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define OFF(f) offsetof(struct sl_ddb_sink_conf, f)

static const char *const null_values_names[] = {"ignore", "delete", "fail", NULL};
static const char *const billing_names[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};

static bool is_seg_char(char c)
{
    /* Confluent's regex has [a-zA-Z1-9_\-.]; '0' is accepted here (their class is a bug). */
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* partition | offset | key(.path)* | value(.path)*, optionally ":alias". */
static sl_err_t check_pk_ref(const char *s, bool allow_empty, char *why, size_t why_size)
{
    if (!s || !*s) {
        if (allow_empty)
            return SL_OK;
        snprintf(why, why_size,
                 "must not be empty (expected partition, offset, key[.field] or "
                 "value[.field])");
        return SL_ERR_CONF;
    }
    size_t n = strcspn(s, ":");
    bool ok =
        (n == 9 && strncmp(s, "partition", 9) == 0) || (n == 6 && strncmp(s, "offset", 6) == 0);
    size_t head = 0;
    if (n >= 3 && strncmp(s, "key", 3) == 0 && (n == 3 || s[3] == '.'))
        head = 3;
    else if (n >= 5 && strncmp(s, "value", 5) == 0 && (n == 5 || s[5] == '.'))
        head = 5;
    if (head) {
        ok = true;
        for (size_t i = head; i < n; i++)
            ok &= is_seg_char(s[i]);
        ok &= s[n - 1] != '.';
    }
    if (ok && s[n] == ':') {
        const char *alias = s + n + 1;
        ok = *alias != '\0';
        for (const char *p = alias; *p; p++)
            ok &= is_seg_char(*p);
    }
    if (!ok) {
        snprintf(why, why_size,
                 "expected partition, offset, key[.field...] or value[.field...], "
                 "optionally followed by :alias");
        return SL_ERR_CONF;
    }
    return SL_OK;
}

static sl_err_t check_pk_hash(const void *field, char *why, size_t why_size)
{
    return check_pk_ref(*(char *const *)field, false, why, why_size);
}

static sl_err_t check_pk_sort(const void *field, char *why, size_t why_size)
{
    return check_pk_ref(*(char *const *)field, true, why, why_size);
}

/* The table name after ${topic} substitution must be a DynamoDB name: [a-zA-Z0-9_.-]. */
static sl_err_t check_table_format(const void *field, char *why, size_t why_size)
{
    const char *s = *(char *const *)field;
    if (!s || !*s) {
        snprintf(why, why_size, "must not be empty (default ${topic})");
        return SL_ERR_CONF;
    }
    for (const char *p = s; *p; p++) {
        if (strncmp(p, "${topic}", 8) == 0) {
            p += 7;
            continue;
        }
        if (!is_seg_char(*p)) {
            snprintf(why, why_size,
                     "'%c' cannot appear in a DynamoDB table name "
                     "(letters, digits, '_', '-', '.' and ${topic})",
                     *p);
            return SL_ERR_CONF;
        }
    }
    return SL_OK;
}

static const struct sl_option ddb_options[] = {
    {"topics", NULL, SL_T_LIST, OFF(topics),
     .doc = "Topics to consume; this or topics.regex is required."},
    {"topics.regex", NULL, SL_T_STR, OFF(topics_regex),
     .doc = "Regex of topics to consume, instead of topics."},
    {"aws.dynamodb.region", NULL, SL_T_STR, OFF(region),
     .doc = "AWS region; unset uses AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1."},
    {"aws.dynamodb.endpoint", NULL, SL_T_STR, OFF(endpoint),
     .doc = "Endpoint URL, e.g. http://127.0.0.1:8000 for a local DynamoDB; unset uses "
            "https://dynamodb.<region>.amazonaws.com."},
    {"aws.dynamodb.pk.hash", NULL, SL_T_STR, OFF(pk_hash), "partition", .validate = check_pk_hash,
     .doc = "Partition key reference: partition, offset, key[.field], value[.field], "
            "optionally :alias."},
    {"aws.dynamodb.pk.sort", NULL, SL_T_STR, OFF(pk_sort), "offset", .validate = check_pk_sort,
     .doc = "Sort key reference, same grammar; empty for a table without a sort key."},
    {"table.name.format", NULL, SL_T_STR, OFF(table_name_format), "${topic}",
     .validate = check_table_format,
     .doc = "Table name; ${topic} is replaced by the record's topic."},
    {"max.pk.depth", NULL, SL_T_I64, OFF(max_pk_depth), "-1", .min = -1, .max = 64,
     .doc = "Deepest key path segment accepted; -1 = no limit."},
    {"aws.access.key.id", NULL, SL_T_STR, OFF(access_key_id),
     .doc = "Static access key id; unset uses the default credential chain."},
    {"aws.secret.access.key", NULL, SL_T_PASSWORD, OFF(secret_access_key), .flags = SL_OPT_SECRET,
     .doc = "Static secret access key."},
    {"aws.session.token", NULL, SL_T_PASSWORD, OFF(session_token), .flags = SL_OPT_SECRET,
     .doc = "Session token for temporary static credentials (Sluice addition)."},
    {"aws.dynamodb.credentials.provider.class", NULL, SL_T_STR, OFF(credentials_provider_class),
     .flags = SL_OPT_JAVA,
     .doc = "Java credentials provider class; the default chain and AwsAssumeRoleCredentials"
            "Provider are mapped, others refused."},
    {"aws.dynamodb.proxy.url", NULL, SL_T_STR, OFF(proxy_url), .doc = "HTTP proxy URL."},
    {"aws.dynamodb.proxy.user", NULL, SL_T_STR, OFF(proxy_user), .doc = "HTTP proxy user."},
    {"aws.dynamodb.proxy.password", NULL, SL_T_PASSWORD, OFF(proxy_password),
     .flags = SL_OPT_SECRET, .doc = "HTTP proxy password."},
    {"aws.dynamodb.max.retry.time.seconds", NULL, SL_T_I64, OFF(max_retry_time_s), "5", .min = 0,
     .max = 86400, .doc = "Total time to retry throttled or failed writes before the task fails."},
    {"max.retries", NULL, SL_T_U32, OFF(max_retries), "10", .min = 0, .max = 1000,
     .doc = "Retries of one batch (Sluice; community dynamok name)."},
    {"retry.backoff.ms", NULL, SL_T_DURATION_MS, OFF(retry_backoff_ms), "100",
     .doc = "Base of the exponential backoff between retries."},
    {"batch.size", NULL, SL_T_U32, OFF(batch_size), "25", .min = 1, .max = 25,
     .doc = "Items per BatchWriteItem call."},
    {"delete.enabled", NULL, SL_T_BOOL, OFF(delete_enabled), "false",
     .doc = "Delete the item when a tombstone (null value) arrives (JDBC sink name)."},
    {"behavior.on.null.values", NULL, SL_T_ENUM, OFF(behavior_on_null_values), "ignore",
     .enums = null_values_names, .doc = "What a tombstone does: ignore, delete or fail."},
    {"aws.dynamodb.billing.mode", NULL, SL_T_ENUM, OFF(billing_mode), "PROVISIONED",
     .enums = billing_names, .doc = "Capacity mode of tables the sink creates (Sluice addition)."},
    {"aws.dynamodb.provisioned.read.capacity", NULL, SL_T_U32, OFF(read_capacity), "10", .min = 1,
     .max = 40000, .doc = "RCU of tables created in PROVISIONED mode."},
    {"aws.dynamodb.provisioned.write.capacity", NULL, SL_T_U32, OFF(write_capacity), "10", .min = 1,
     .max = 40000, .doc = "WCU of tables created in PROVISIONED mode."},
    {"aws.dynamodb.table.auto.create", NULL, SL_T_BOOL, OFF(table_auto_create), "true",
     .doc = "Create a missing table, key types taken from the first record."},
    {"errors.deadletterqueue.topic.name", NULL, SL_T_STR, OFF(dlq_topic_name),
     .doc = "Topic for records that cannot be written; empty disables the dead letter queue."},
    {"errors.deadletterqueue.topic.replication.factor", NULL, SL_T_I64,
     OFF(dlq_topic_replication_factor), "3", .min = -1, .max = 32767,
     .doc = "Replication factor of a created dead letter topic; -1 = broker default."},
    {"errors.deadletterqueue.context.headers.enable", NULL, SL_T_BOOL,
     OFF(dlq_context_headers_enable), "false",
     .doc = "Add __connect.errors.* headers describing the failure."},
    {"confluent.license", NULL, SL_T_PASSWORD, OFF(confluent_license), .flags = SL_OPT_IGNORED,
     .doc = "Confluent licence key; accepted and unused."},
    {"confluent.topic", NULL, SL_T_STR, OFF(confluent_topic), "_confluent-command",
     .flags = SL_OPT_IGNORED, .doc = "Confluent licence topic; accepted and unused."},
    {NULL},
};

static const struct sl_passthrough ddb_passthrough[] = {
    {"confluent.topic.", NULL, SL_PT_LIST, OFF(confluent_topic_props),
     .doc = "Licence-topic Kafka client settings (bootstrap.servers, security); Sluice uses them "
            "as the sink's Kafka settings when the worker has none."},
    {"aws.dynamodb.credentials.provider.", NULL, SL_PT_LIST, OFF(credentials_provider_props),
     .doc = "Settings of the credentials provider, e.g. sts.role.arn."},
    {NULL},
};

static sl_err_t check_ddb(const struct sl_conf_table *table, void *vconf, struct sl_buf *diag)
{
    struct sl_ddb_sink_conf *conf = vconf;
    const struct sl_conf_origin *o = sl_conf_origin_of(conf, "connector.class");
    const char *file = o && o->file ? o->file : "(config)";
    sl_err_t err = SL_OK;
    bool has_topics = conf->topics.n > 0;
    bool has_regex = conf->topics_regex && *conf->topics_regex;
    if (has_topics == has_regex) {
        sl_conf_diag_error(diag, "%s: exactly one of 'topics' and 'topics.regex' must be set",
                           file);
        err = SL_ERR_CONF;
    }
    if (conf->delete_enabled && sl_conf_is_set(conf, "behavior.on.null.values") &&
        conf->behavior_on_null_values != SL_NULL_VALUES_DELETE) {
        sl_conf_diag_error(
            diag,
            "%s: delete.enabled=true conflicts with behavior.on.null.values=%s; "
            "keep one",
            file, conf->behavior_on_null_values == SL_NULL_VALUES_FAIL ? "fail" : "ignore");
        err = SL_ERR_CONF;
    }
    if (sl_conf_table_for_class(conf->common.connector_class) != table) {
        sl_conf_diag_error(diag,
                           "%s: connector.class '%s' is not the DynamoDB sink connector "
                           "(io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector)",
                           file, conf->common.connector_class);
        err = SL_ERR_CONF;
    }
    return err;
}

const struct sl_conf_table sl_ddb_sink_table = {
    .name = "dynamodb-sink",
    .title = "DynamoDB sink (io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector)",
    .doc = "A Confluent DynamoDB sink connector file, read unchanged, plus Sluice additions for "
           "deletes, retries and table creation.",
    .sections = {{ddb_options, ddb_passthrough, 0},
                 {sl_connector_options, sl_connector_passthrough, OFF(common)}},
    .size = sizeof(struct sl_ddb_sink_conf),
    .check = check_ddb,
};

bool sl_ddb_sink_conf_deletes(const struct sl_ddb_sink_conf *conf)
{
    return conf->delete_enabled || conf->behavior_on_null_values == SL_NULL_VALUES_DELETE;
}

sl_err_t sl_conf_ddb_sink_load(struct sl_ddb_sink_conf *conf, const char *path, struct sl_buf *diag,
                               char *errstr, size_t errstr_size)
{
    return sl_conf_load(&sl_ddb_sink_table, conf, path, diag, errstr, errstr_size);
}
