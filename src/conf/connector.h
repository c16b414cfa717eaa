/* SPDX-License-Identifier: Apache-2.0 */
/* Settings every Kafka Connect connector file may carry (name, connector.class, tasks.max,
 * converters, transforms, predicates, errors.*, client overrides), shared by the MySQL source
 * and the DynamoDB sink tables. Embedded as `common` in both connector structs. */
#ifndef SL_CONF_CONNECTOR_H
#define SL_CONF_CONNECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"

typedef enum {
    SL_ERRORS_TOLERANCE_NONE = 0, /* "none": the first bad record fails the task */
    SL_ERRORS_TOLERANCE_ALL,      /* "all": skip (and log / dead-letter) bad records */
} sl_errors_tolerance_t;

struct sl_connector_conf {
    char *name;            /* name */
    char *connector_class; /* connector.class (REQUIRED) */
    uint32_t tasks_max;    /* tasks.max */

    char *key_converter;   /* key.converter (NULL: worker's) */
    char *value_converter; /* value.converter (NULL: worker's) */
    char *header_converter;
    bool key_converter_schemas_enable;   /* key.converter.schemas.enable */
    bool value_converter_schemas_enable; /* value.converter.schemas.enable */
    /* (sl_conf_is_set(conf, "key.converter.schemas.enable") tells whether the connector
     * file set it; if not, the worker's value applies, as in Kafka Connect.) */
    struct sl_conf_kvlist key_converter_props;    /* other key.converter.* */
    struct sl_conf_kvlist value_converter_props;  /* other value.converter.* */
    struct sl_conf_kvlist header_converter_props; /* header.converter.* */

    struct sl_conf_strlist transforms;        /* transforms=unwrap,route */
    struct sl_conf_grouplist transform_props; /* transforms.<name>.<key> */
    struct sl_conf_strlist predicates;
    struct sl_conf_grouplist predicate_props; /* predicates.<name>.<key> */

    int errors_tolerance;              /* sl_errors_tolerance_t */
    int64_t errors_retry_timeout_ms;   /* errors.retry.timeout (-1 = forever) */
    int64_t errors_retry_delay_max_ms; /* errors.retry.delay.max.ms */
    bool errors_log_enable;            /* errors.log.enable */
    bool errors_log_include_messages;  /* errors.log.include.messages */

    struct sl_conf_kvlist producer_override; /* producer.override.* */
    struct sl_conf_kvlist consumer_override; /* consumer.override.* */
    struct sl_conf_kvlist admin_override;    /* admin.override.* */
};

/* Rows and pass-through prefixes of struct sl_connector_conf (offsets relative to it). */
extern const struct sl_option sl_connector_options[];
extern const struct sl_passthrough sl_connector_passthrough[];

#endif
