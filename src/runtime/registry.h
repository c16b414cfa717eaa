/* SPDX-License-Identifier: Apache-2.0 */
/* The connector registry: maps a connector file's connector.class (fully qualified or the
 * simple class name, as Kafka Connect accepts both) to one of Sluice's built-in connectors,
 * and lists the known classes for the error shown when a class is unknown. */
#ifndef SL_RUNTIME_REGISTRY_H
#define SL_RUNTIME_REGISTRY_H

#include <stddef.h>

#include "conf/conf.h"

typedef enum {
    SL_CONNECTOR_NONE = 0,
    SL_CONNECTOR_MYSQL_SOURCE,
    SL_CONNECTOR_DDB_SINK,
} sl_connector_kind_t;

struct sl_connector_type {
    sl_connector_kind_t kind;
    const char *class_name; /* fully qualified Java class name */
    const char *simple;     /* simple class name */
    const struct sl_conf_table *table;
    const char *type; /* "source" or "sink" */
};

/* The built-in connector for a connector.class value, or NULL. */
const struct sl_connector_type *sl_registry_find(const char *connector_class);

/* Writes "A, B" (every known fully qualified class) into out (truncated to out_size). */
void sl_registry_known(char *out, size_t out_size);

#endif
