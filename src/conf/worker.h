/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka Connect standalone worker file (connect-standalone.properties): Kafka connection
 * and security, converters, offset storage, REST listener, plus Sluice's own log settings.
 * Java-only keys (callback handler classes, plugin.path) are recorded, never dropped. */
#ifndef SL_CONF_WORKER_H
#define SL_CONF_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"

typedef enum {
    SL_SECURITY_PLAINTEXT = 0,
    SL_SECURITY_SSL,
    SL_SECURITY_SASL_PLAINTEXT,
    SL_SECURITY_SASL_SSL,
} sl_security_protocol_t;

struct sl_worker_conf {
    struct sl_conf_meta meta; /* engine bookkeeping; must stay first */

    char *bootstrap_servers; /* bootstrap.servers; NULL = no Kafka, use the local bus */
    char *client_id;         /* client.id */
    char *group_id;          /* group.id (distributed mode; recorded) */

    char *key_converter;    /* key.converter */
    char *value_converter;  /* value.converter */
    char *header_converter; /* header.converter */
    bool key_converter_schemas_enable;
    bool value_converter_schemas_enable;
    struct sl_conf_kvlist key_converter_props;   /* other key.converter.* */
    struct sl_conf_kvlist value_converter_props; /* other value.converter.* */
    struct sl_conf_kvlist header_converter_props;

    char *offset_storage_file_filename; /* offset.storage.file.filename */
    int64_t offset_flush_interval_ms;   /* offset.flush.interval.ms */
    int64_t offset_flush_timeout_ms;    /* offset.flush.timeout.ms */
    int64_t task_shutdown_graceful_timeout_ms;
    char *offset_storage_topic; /* offset.storage.topic (distributed; recorded) */
    char *config_storage_topic;
    char *status_storage_topic;
    char *plugin_path; /* plugin.path: accepted, ignored (connectors are built in) */

    struct sl_conf_strlist listeners; /* listeners, e.g. http://:8083 */
    uint32_t rest_port;               /* rest.port (deprecated; 0 = from listeners) */
    char *rest_host_name;             /* rest.host.name */
    char *rest_advertised_host_name;
    uint32_t rest_advertised_port;
    char *rest_advertised_listener;

    int security_protocol;  /* sl_security_protocol_t */
    char *sasl_mechanism;   /* sasl.mechanism, e.g. AWS_MSK_IAM, PLAIN, SCRAM-SHA-512 */
    char *sasl_jaas_config; /* SECRET */
    char *sasl_client_callback_handler_class; /* Java class: recorded for the Kafka stage */
    char *sasl_login_callback_handler_class;
    char *ssl_truststore_location;
    char *ssl_truststore_password; /* SECRET */
    char *ssl_truststore_type;
    char *ssl_keystore_location;
    char *ssl_keystore_password; /* SECRET */
    char *ssl_keystore_type;
    char *ssl_key_password; /* SECRET */
    char *ssl_endpoint_identification_algorithm;
    struct sl_conf_kvlist ssl_other;  /* other ssl.* (key without "ssl.") */
    struct sl_conf_kvlist sasl_other; /* other sasl.* (key without "sasl.") */

    char *connector_client_config_override_policy;
    bool topic_creation_enable;
    struct sl_conf_strlist config_providers;        /* config.providers */
    struct sl_conf_grouplist config_provider_props; /* config.providers.<name>.* */

    struct sl_conf_kvlist producer; /* producer.* */
    struct sl_conf_kvlist consumer; /* consumer.* */
    struct sl_conf_kvlist admin;    /* admin.* */

    int log_level;                    /* log.level: sl_log_level_t */
    struct sl_conf_strlist log_debug; /* log.debug contexts */
};

extern const struct sl_conf_table sl_worker_table;

/* sl_conf_load for the worker table. conf needs sl_conf_fini afterwards, also on error. */
sl_err_t sl_conf_worker_load(struct sl_worker_conf *conf, const char *path, struct sl_buf *diag,
                             char *errstr, size_t errstr_size);

#endif
