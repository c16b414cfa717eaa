/* SPDX-License-Identifier: Apache-2.0 */
/* Option rows shared by every connector file: identity, converters, transforms, predicates,
 * errors.* (KIP-298) and per-connector client overrides. */
#include "conf/connector.h"

#include <stddef.h>

#define OFF(f) offsetof(struct sl_connector_conf, f)

static const char *const tolerance_names[] = {"none", "all", NULL};

const struct sl_option sl_connector_options[] = {
    {"name", NULL, SL_T_STR, OFF(name),
     .doc = "Connector name; keys the stored offsets, so keep it stable across restarts."},
    {"connector.class", NULL, SL_T_STR, OFF(connector_class), .flags = SL_OPT_REQUIRED,
     .doc = "Connector class (fully qualified or simple name); selects the built-in connector."},
    {"tasks.max", NULL, SL_T_U32, OFF(tasks_max), "1", .min = 1, .max = 256,
     .doc = "Maximum number of tasks; the MySQL source always runs exactly one."},
    {"key.converter", NULL, SL_T_STR, OFF(key_converter), .flags = SL_OPT_JAVA,
     .doc = "Key converter class; overrides the worker's (JsonConverter or StringConverter)."},
    {"value.converter", NULL, SL_T_STR, OFF(value_converter), .flags = SL_OPT_JAVA,
     .doc = "Value converter class; overrides the worker's (JsonConverter or StringConverter)."},
    {"header.converter", NULL, SL_T_STR, OFF(header_converter), .flags = SL_OPT_JAVA,
     .doc = "Header converter class; overrides the worker's."},
    {"key.converter.schemas.enable", NULL, SL_T_BOOL, OFF(key_converter_schemas_enable), "true",
     .doc = "JsonConverter keys carry a {schema, payload} wrapper; unset inherits the worker's."},
    {"value.converter.schemas.enable", NULL, SL_T_BOOL, OFF(value_converter_schemas_enable), "true",
     .doc = "JsonConverter values carry a {schema, payload} wrapper; unset inherits the worker's."},
    {"transforms", NULL, SL_T_LIST, OFF(transforms),
     .doc = "Names of the single message transforms to apply, in order."},
    {"predicates", NULL, SL_T_LIST, OFF(predicates),
     .doc = "Names of the predicates transforms may refer to."},
    {"errors.tolerance", NULL, SL_T_ENUM, OFF(errors_tolerance), "none", .enums = tolerance_names,
     .doc = "none: a record that fails conversion or transformation fails the task; all: skip it."},
    {"errors.retry.timeout", NULL, SL_T_I64, OFF(errors_retry_timeout_ms), "0", .min = -1,
     .max = INT64_MAX,
     .doc = "Milliseconds to retry a failed operation; 0 = no retry, -1 = forever."},
    {"errors.retry.delay.max.ms", NULL, SL_T_DURATION_MS, OFF(errors_retry_delay_max_ms), "60000",
     .doc = "Longest delay between consecutive retries."},
    {"errors.log.enable", NULL, SL_T_BOOL, OFF(errors_log_enable), "false",
     .doc = "Log every tolerated error."},
    {"errors.log.include.messages", NULL, SL_T_BOOL, OFF(errors_log_include_messages), "false",
     .doc = "Include the record (topic, partition, offset, key, value) in error logs."},
    {NULL},
};

const struct sl_passthrough sl_connector_passthrough[] = {
    {"key.converter.", NULL, SL_PT_LIST, OFF(key_converter_props),
     .doc = "Key converter settings, e.g. `key.converter.decimal.format`."},
    {"value.converter.", NULL, SL_PT_LIST, OFF(value_converter_props),
     .doc = "Value converter settings, e.g. `value.converter.decimal.format`."},
    {"header.converter.", NULL, SL_PT_LIST, OFF(header_converter_props),
     .doc = "Header converter settings."},
    {"transforms.", NULL, SL_PT_GROUP, OFF(transform_props), .names_from = "transforms",
     .doc = "Transform settings: `transforms.<name>.type` and its options."},
    {"predicates.", NULL, SL_PT_GROUP, OFF(predicate_props), .names_from = "predicates",
     .doc = "Predicate settings: `predicates.<name>.type` and its options."},
    {"producer.override.", NULL, SL_PT_LIST, OFF(producer_override),
     .doc = "Kafka producer settings for this connector only."},
    {"consumer.override.", NULL, SL_PT_LIST, OFF(consumer_override),
     .doc = "Kafka consumer settings for this connector only."},
    {"admin.override.", NULL, SL_PT_LIST, OFF(admin_override),
     .doc = "Kafka admin client settings for this connector only."},
    {NULL},
};
