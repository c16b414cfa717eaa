/* SPDX-License-Identifier: Apache-2.0 */
/* Option table of the Kafka Connect standalone worker file, as WorkerConfig and
 * StandaloneConfig define it, plus Sluice's log settings. */
#include "conf/worker.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define OFF(f) offsetof(struct sl_worker_conf, f)

static const char *const security_names[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL",
                                             NULL};
static const char *const log_level_names[] = {"error", "warn", "info", "debug", NULL};

static sl_err_t check_listeners(const void *field, char *why, size_t why_size)
{
    const struct sl_conf_strlist *list = field;
    for (size_t i = 0; i < list->n; i++) {
        if (strncmp(list->items[i], "http://", 7) != 0 &&
            strncmp(list->items[i], "https://", 8) != 0) {
            snprintf(why, why_size, "'%.100s' must start with http:// or https://", list->items[i]);
            return SL_ERR_CONF;
        }
    }
    return SL_OK;
}

static const struct sl_option worker_options[] = {
    {"bootstrap.servers", NULL, SL_T_STR, OFF(bootstrap_servers),
     .doc = "Kafka brokers (host:port,...); unset runs source and sink through the in-process "
            "bus."},
    {"client.id", NULL, SL_T_STR, OFF(client_id), .doc = "Kafka client id prefix."},
    {"group.id", NULL, SL_T_STR, OFF(group_id),
     .doc = "Distributed-mode worker group; recorded, sink consumer groups are connect-<name>."},
    {"key.converter", NULL, SL_T_STR, OFF(key_converter),
     "org.apache.kafka.connect.json.JsonConverter", .flags = SL_OPT_JAVA,
     .doc = "Default key converter: JsonConverter or StringConverter."},
    {"value.converter", NULL, SL_T_STR, OFF(value_converter),
     "org.apache.kafka.connect.json.JsonConverter", .flags = SL_OPT_JAVA,
     .doc = "Default value converter: JsonConverter or StringConverter."},
    {"header.converter", NULL, SL_T_STR, OFF(header_converter),
     "org.apache.kafka.connect.storage.SimpleHeaderConverter", .flags = SL_OPT_JAVA,
     .doc = "Default header converter."},
    {"key.converter.schemas.enable", NULL, SL_T_BOOL, OFF(key_converter_schemas_enable), "true",
     .doc = "JsonConverter keys carry a {schema, payload} wrapper."},
    {"value.converter.schemas.enable", NULL, SL_T_BOOL, OFF(value_converter_schemas_enable), "true",
     .doc = "JsonConverter values carry a {schema, payload} wrapper."},
    {"offset.storage.file.filename", NULL, SL_T_STR, OFF(offset_storage_file_filename),
     .doc = "File holding source offsets (Sluice writes JSON, not Java serialisation)."},
    {"offset.flush.interval.ms", NULL, SL_T_DURATION_MS, OFF(offset_flush_interval_ms), "60000",
     .flags = SL_OPT_RELOADABLE,
     .doc = "How often source offsets are committed; bounds the replay after a crash."},
    {"offset.flush.timeout.ms", NULL, SL_T_DURATION_MS, OFF(offset_flush_timeout_ms), "5000",
     .doc = "How long an offset commit may wait for outstanding records."},
    {"task.shutdown.graceful.timeout.ms", NULL, SL_T_DURATION_MS,
     OFF(task_shutdown_graceful_timeout_ms), "5000",
     .doc = "How long tasks may take to stop before shutdown proceeds."},
    {"offset.storage.topic", NULL, SL_T_STR, OFF(offset_storage_topic),
     .doc = "Distributed-mode offsets topic; recorded."},
    {"config.storage.topic", NULL, SL_T_STR, OFF(config_storage_topic),
     .doc = "Distributed-mode config topic; recorded."},
    {"status.storage.topic", NULL, SL_T_STR, OFF(status_storage_topic),
     .doc = "Distributed-mode status topic; recorded."},
    {"plugin.path", NULL, SL_T_STR, OFF(plugin_path), .flags = SL_OPT_IGNORED,
     .doc = "Java plugin directories; ignored because connectors are built in."},
    {"listeners", NULL, SL_T_LIST, OFF(listeners), "http://:8083", .validate = check_listeners,
     .doc = "REST API listeners, e.g. http://127.0.0.1:8083; empty disables the API."},
    {"rest.port", NULL, SL_T_U32, OFF(rest_port), .min = 0, .max = 65535,
     .doc = "Deprecated REST port; used only when listeners is not set."},
    {"rest.host.name", NULL, SL_T_STR, OFF(rest_host_name),
     .doc = "Deprecated REST host; used only when listeners is not set."},
    {"rest.advertised.host.name", NULL, SL_T_STR, OFF(rest_advertised_host_name),
     .doc = "Host name reported as worker_id in status replies."},
    {"rest.advertised.port", NULL, SL_T_U32, OFF(rest_advertised_port), .min = 0, .max = 65535,
     .doc = "Port reported as worker_id in status replies."},
    {"rest.advertised.listener", NULL, SL_T_STR, OFF(rest_advertised_listener),
     .doc = "Listener protocol reported to other workers (http or https)."},
    {"security.protocol", NULL, SL_T_ENUM, OFF(security_protocol), "PLAINTEXT",
     .enums = security_names, .doc = "Protocol used to talk to the Kafka brokers."},
    {"sasl.mechanism", NULL, SL_T_STR, OFF(sasl_mechanism), "GSSAPI",
     .doc = "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM "
            "(MSK IAM, mapped to OAUTHBEARER with a SigV4 token)."},
    {"sasl.jaas.config", NULL, SL_T_PASSWORD, OFF(sasl_jaas_config), .flags = SL_OPT_SECRET,
     .doc = "JAAS login line; username/password are taken from it for PLAIN and SCRAM."},
    {"sasl.client.callback.handler.class", NULL, SL_T_STR, OFF(sasl_client_callback_handler_class),
     .flags = SL_OPT_JAVA,
     .doc = "Java SASL callback class; IAMClientCallbackHandler is mapped, others refused."},
    {"sasl.login.callback.handler.class", NULL, SL_T_STR, OFF(sasl_login_callback_handler_class),
     .flags = SL_OPT_JAVA, .doc = "Java SASL login callback class; recorded for the Kafka stage."},
    {"ssl.truststore.location", NULL, SL_T_STR, OFF(ssl_truststore_location),
     .doc = "CA certificates for the brokers (PEM file; JKS is not readable without Java)."},
    {"ssl.truststore.password", NULL, SL_T_PASSWORD, OFF(ssl_truststore_password),
     .flags = SL_OPT_SECRET, .doc = "Trust store password."},
    {"ssl.truststore.type", NULL, SL_T_STR, OFF(ssl_truststore_type),
     .doc = "Trust store format (PEM, JKS, PKCS12)."},
    {"ssl.keystore.location", NULL, SL_T_STR, OFF(ssl_keystore_location),
     .doc = "Client certificate and key for TLS client authentication."},
    {"ssl.keystore.password", NULL, SL_T_PASSWORD, OFF(ssl_keystore_password),
     .flags = SL_OPT_SECRET, .doc = "Key store password."},
    {"ssl.keystore.type", NULL, SL_T_STR, OFF(ssl_keystore_type),
     .doc = "Key store format (PEM, JKS, PKCS12)."},
    {"ssl.key.password", NULL, SL_T_PASSWORD, OFF(ssl_key_password), .flags = SL_OPT_SECRET,
     .doc = "Password of the private key."},
    {"ssl.endpoint.identification.algorithm", NULL, SL_T_STR,
     OFF(ssl_endpoint_identification_algorithm), "https",
     .doc = "https verifies the broker host name; empty disables the check."},
    {"connector.client.config.override.policy", NULL, SL_T_STR,
     OFF(connector_client_config_override_policy), "All",
     .doc = "Which client overrides connectors may set (All or None)."},
    {"topic.creation.enable", NULL, SL_T_BOOL, OFF(topic_creation_enable), "true",
     .doc = "Let source connectors create topics from topic.creation.* settings."},
    {"config.providers", NULL, SL_T_LIST, OFF(config_providers),
     .doc = "Config provider names; env and file references are always resolved."},
    {"log.level", NULL, SL_T_ENUM, OFF(log_level), "info", .enums = log_level_names,
     .flags = SL_OPT_RELOADABLE, .doc = "Sluice log level."},
    {"log.debug", NULL, SL_T_LIST, OFF(log_debug), .flags = SL_OPT_RELOADABLE,
     .doc = "Debug contexts to enable: source, bus, sink, api."},
    {NULL},
};

static const struct sl_passthrough worker_passthrough[] = {
    {"key.converter.", NULL, SL_PT_LIST, OFF(key_converter_props),
     .doc = "Key converter settings."},
    {"value.converter.", NULL, SL_PT_LIST, OFF(value_converter_props),
     .doc = "Value converter settings."},
    {"header.converter.", NULL, SL_PT_LIST, OFF(header_converter_props),
     .doc = "Header converter settings."},
    {"producer.", NULL, SL_PT_LIST, OFF(producer),
     .doc = "Kafka producer settings for source connectors."},
    {"consumer.", NULL, SL_PT_LIST, OFF(consumer),
     .doc = "Kafka consumer settings for sink connectors."},
    {"admin.", NULL, SL_PT_LIST, OFF(admin), .doc = "Kafka admin client settings."},
    {"ssl.", NULL, SL_PT_LIST, OFF(ssl_other), .doc = "Other TLS settings for the brokers."},
    {"sasl.", NULL, SL_PT_LIST, OFF(sasl_other), .doc = "Other SASL settings for the brokers."},
    {"config.providers.", NULL, SL_PT_GROUP, OFF(config_provider_props),
     .names_from = "config.providers", .doc = "Config provider classes and their settings."},
    {NULL},
};

const struct sl_conf_table sl_worker_table = {
    .name = "worker",
    .title = "Worker (connect-standalone.properties)",
    .doc = "The first file of `sluice standalone worker.properties connector.properties...`: "
           "where Kafka is, how records are converted, where source offsets are kept, and the "
           "REST listener.",
    .sections = {{worker_options, worker_passthrough, 0}},
    .size = sizeof(struct sl_worker_conf),
};

sl_err_t sl_conf_worker_load(struct sl_worker_conf *conf, const char *path, struct sl_buf *diag,
                             char *errstr, size_t errstr_size)
{
    return sl_conf_load(&sl_worker_table, conf, path, diag, errstr, errstr_size);
}
