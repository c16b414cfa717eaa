/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in connector table: one row per connector class Sluice implements. Lookup accepts the
 * fully qualified class name or the simple name, exactly (Java class names are
 * case-sensitive). */
#include <stdio.h>
#include <string.h>

#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "runtime/registry.h"

static const struct sl_connector_type types[] = {
    {SL_CONNECTOR_MYSQL_SOURCE, "io.debezium.connector.mysql.MySqlConnector", "MySqlConnector",
     &sl_mysql_source_table, "source"},
    {SL_CONNECTOR_DDB_SINK, "io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector",
     "DynamoDbSinkConnector", &sl_ddb_sink_table, "sink"},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const struct sl_connector_type *sl_registry_find(const char *connector_class)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(connector_class, types[i].class_name) == 0 ||
            strcmp(connector_class, types[i].simple) == 0)
            return &types[i];
    return NULL;
}

void sl_registry_known(char *out, size_t out_size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NTYPES && len < out_size; i++) {
        int n = snprintf(out + len, out_size - len, "%s%s", i ? ", " : "", types[i].class_name);
        if (n < 0)
            break;
        len += (size_t)n;
    }
}
