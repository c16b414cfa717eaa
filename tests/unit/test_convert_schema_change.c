/* SPDX-License-Identifier: Apache-2.0 */
/* Debezium 1.9 DDL records as golden strings: the schema history record (CREATE with a full
 * table description, a RENAME with previousId, a DROP without a table, GTIDs and the snapshot
 * flag in the position), the schema change topic key and value, a column known only from the
 * binlog (no information_schema facts), JDBC type mapping, and the buffer bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "convert/schema_change.h"

static struct sl_str labels[] = {{"red", 3}, {"green", 5}};

static struct sl_column cols[] = {
    {.name = {"id", 2}, .type = SL_MYSQL_TYPE_LONG, .binlog_type = SL_MYSQL_TYPE_LONG,
     .nullable = false, .is_pk = true, .visible = true},
    {.name = {"name", 4}, .type = SL_MYSQL_TYPE_VARCHAR, .binlog_type = SL_MYSQL_TYPE_VARCHAR,
     .meta = 1020, .length = 1020, .charset = 45, .nullable = false, .visible = true},
    {.name = {"price", 5}, .type = SL_MYSQL_TYPE_NEWDECIMAL,
     .binlog_type = SL_MYSQL_TYPE_NEWDECIMAL, .meta = 10 << 8 | 2, .precision = 10, .scale = 2,
     .nullable = true, .visible = true},
    {.name = {"color", 5}, .type = SL_MYSQL_TYPE_ENUM, .binlog_type = SL_MYSQL_TYPE_STRING,
     .charset = 45, .nullable = true, .visible = true, .n_labels = 2, .labels = labels},
    {.name = {"n", 1}, .type = SL_MYSQL_TYPE_LONGLONG, .binlog_type = SL_MYSQL_TYPE_LONGLONG,
     .is_unsigned = true, .nullable = true, .visible = true},
};

static uint32_t pk[] = {0};

static struct sl_column_def defs[] = {
    {.column_type = {"int(11)", 7}, .auto_increment = true},
    {.column_type = {"varchar(255)", 12}, .charset_name = {"utf8mb4", 7},
     .comment = {"the \"name\"", 10}},
    {.column_type = {"decimal(10,2)", 13}, .has_default = true,
     .default_value = {"0.00", 4}},
    {.column_type = {"enum('red','green')", 19}, .charset_name = {"utf8mb4", 7},
     .has_default = true, .default_value = {"NULL", 4}},
    {.column_type = {"bigint(20) unsigned", 19}, .has_default = true,
     .default_value = {"'7'", 3}},
};

static const struct sl_table_def customers = {
    .table = {.table_id = 1, .db = {"inventory", 9}, .name = {"customers", 9}, .ncols = 5,
              .cols = cols, .npk = 1, .pk = pk, .has_names = true},
    .defs = defs,
    .default_charset = {"utf8mb4", 7},
};

static const char history_cols[] =
    "\"columns\":["
    "{\"name\":\"id\",\"jdbcType\":4,\"typeName\":\"INT\",\"typeExpression\":\"INT\","
    "\"charsetName\":null,\"length\":11,\"position\":1,\"optional\":false,"
    "\"autoIncremented\":true,\"generated\":true,\"comment\":null,\"hasDefaultValue\":false,"
    "\"enumValues\":[]},"
    "{\"name\":\"name\",\"jdbcType\":12,\"typeName\":\"VARCHAR\",\"typeExpression\":\"VARCHAR\","
    "\"charsetName\":\"utf8mb4\",\"length\":255,\"position\":2,\"optional\":false,"
    "\"autoIncremented\":false,\"generated\":false,\"comment\":\"the \\\"name\\\"\","
    "\"hasDefaultValue\":false,\"enumValues\":[]},"
    "{\"name\":\"price\",\"jdbcType\":3,\"typeName\":\"DECIMAL\",\"typeExpression\":\"DECIMAL\","
    "\"charsetName\":null,\"length\":10,\"scale\":2,\"position\":3,\"optional\":true,"
    "\"autoIncremented\":false,\"generated\":false,\"comment\":null,\"hasDefaultValue\":true,"
    "\"defaultValueExpression\":\"0.00\",\"enumValues\":[]},"
    "{\"name\":\"color\",\"jdbcType\":1,\"typeName\":\"ENUM\","
    "\"typeExpression\":\"ENUM('red','green')\",\"charsetName\":\"utf8mb4\",\"length\":1,"
    "\"position\":4,\"optional\":true,\"autoIncremented\":false,\"generated\":false,"
    "\"comment\":null,\"hasDefaultValue\":true,\"enumValues\":[\"red\",\"green\"]},"
    "{\"name\":\"n\",\"jdbcType\":-5,\"typeName\":\"BIGINT UNSIGNED\","
    "\"typeExpression\":\"BIGINT UNSIGNED\",\"charsetName\":null,\"length\":20,\"position\":5,"
    "\"optional\":true,\"autoIncremented\":false,\"generated\":false,\"comment\":null,"
    "\"hasDefaultValue\":true,\"defaultValueExpression\":\"7\",\"enumValues\":[]}]";

static void test_history_create(void **state)
{
    (void)state;
    struct sl_schema_change_pos pos = {.server = "dbserver1", .ts_sec = 1670000000,
                                       .file = "mysql-bin.000003", .pos = 154,
                                       .gtids = "0-1-5", .server_id = 223344,
                                       .snapshot = true};
    struct sl_table_change chg = {SL_TABLE_CHANGE_CREATE, {"inventory", 9}, {"customers", 9},
                                  SL_STR_NULL, SL_STR_NULL, &customers};
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    const char *ddl = "CREATE TABLE `customers` (id INT)";
    assert_int_equal(sl_schema_history_record(&buf, &pos, SL_STR("inventory"), sl_str_c(ddl),
                                              &chg, 1),
                     SL_OK);
    char want[8192];
    snprintf(want, sizeof(want),
             "{\"source\":{\"server\":\"dbserver1\"},\"position\":{\"ts_sec\":1670000000,"
             "\"file\":\"mysql-bin.000003\",\"pos\":154,\"gtids\":\"0-1-5\","
             "\"server_id\":223344,\"snapshot\":true},\"databaseName\":\"inventory\","
             "\"ddl\":\"CREATE TABLE `customers` (id INT)\",\"tableChanges\":[{\"type\":"
             "\"CREATE\",\"id\":\"\\\"inventory\\\".\\\"customers\\\"\",\"table\":{"
             "\"defaultCharsetName\":\"utf8mb4\",\"primaryKeyColumnNames\":[\"id\"],%s,"
             "\"comment\":null}}]}",
             history_cols);
    assert_string_equal(sl_buf_cstr(&buf), want);
    sl_buf_fini(&buf);
}

static void test_history_rename_drop(void **state)
{
    (void)state;
    struct sl_schema_change_pos pos = {.server = "s", .ts_sec = 5, .file = "b.1", .pos = 9};
    struct sl_table_def small = customers;
    small.table.ncols = 1;
    struct sl_table_change chg[2] = {
        {SL_TABLE_CHANGE_ALTER, {"inventory", 9}, {"c2", 2}, {"inventory", 9}, {"customers", 9},
         &small},
        {SL_TABLE_CHANGE_DROP, {"inventory", 9}, {"old", 3}, SL_STR_NULL, SL_STR_NULL, NULL},
    };
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    assert_int_equal(sl_schema_history_record(&buf, &pos, SL_STR("inventory"),
                                              SL_STR("RENAME TABLE customers TO c2; DROP"), chg,
                                              2),
                     SL_OK);
    assert_string_equal(
        sl_buf_cstr(&buf),
        "{\"source\":{\"server\":\"s\"},\"position\":{\"ts_sec\":5,\"file\":\"b.1\",\"pos\":9},"
        "\"databaseName\":\"inventory\",\"ddl\":\"RENAME TABLE customers TO c2; DROP\","
        "\"tableChanges\":[{\"type\":\"ALTER\",\"id\":\"\\\"inventory\\\".\\\"c2\\\"\","
        "\"previousId\":\"\\\"inventory\\\".\\\"customers\\\"\",\"table\":{"
        "\"defaultCharsetName\":\"utf8mb4\",\"primaryKeyColumnNames\":[\"id\"],\"columns\":["
        "{\"name\":\"id\",\"jdbcType\":4,\"typeName\":\"INT\",\"typeExpression\":\"INT\","
        "\"charsetName\":null,\"length\":11,\"position\":1,\"optional\":false,"
        "\"autoIncremented\":true,\"generated\":true,\"comment\":null,"
        "\"hasDefaultValue\":false,\"enumValues\":[]}],\"comment\":null}},"
        "{\"type\":\"DROP\",\"id\":\"\\\"inventory\\\".\\\"old\\\"\"}]}");
    sl_buf_fini(&buf);
}

static void test_change_topic(void **state)
{
    (void)state;
    struct sl_schema_change_pos pos = {.server = "salesdb", .ts_sec = 1700000001,
                                       .file = "mysql-bin.000003", .pos = 100,
                                       .server_id = 1, .event_file = "mysql-bin.000003",
                                       .event_pos = 154, .gtid = "0-1-6"};
    struct sl_table_def small = customers;
    small.table.ncols = 3;
    small.table.cols = cols + 1; /* name, price, color: no key among them */
    small.defs = defs + 1;
    small.table.npk = 0;
    struct sl_table_change chg = {SL_TABLE_CHANGE_ALTER, {"salesdb", 7}, {"orders", 6},
                                  SL_STR_NULL, SL_STR_NULL, &small};
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    assert_int_equal(sl_schema_change_key(&buf, SL_STR("salesdb"), false), SL_OK);
    assert_string_equal(sl_buf_cstr(&buf), "{\"databaseName\":\"salesdb\"}");
    sl_buf_reset(&buf);
    assert_int_equal(sl_schema_change_value(&buf, &pos, SL_STR("salesdb"),
                                            SL_STR("ALTER TABLE orders ADD x INT"), &chg, 1,
                                            false),
                     SL_OK);
    assert_string_equal(
        sl_buf_cstr(&buf),
        "{\"source\":{\"version\":\"1.9.7.Final\",\"connector\":\"mysql\",\"name\":\"salesdb\","
        "\"ts_ms\":1700000001000,\"snapshot\":\"false\",\"db\":\"salesdb\",\"sequence\":null,"
        "\"table\":\"orders\",\"server_id\":1,\"gtid\":\"0-1-6\",\"file\":\"mysql-bin.000003\","
        "\"pos\":154,\"row\":0,\"thread\":null,\"query\":null},\"databaseName\":\"salesdb\","
        "\"schemaName\":null,\"ddl\":\"ALTER TABLE orders ADD x INT\",\"tableChanges\":[{"
        "\"type\":\"ALTER\",\"id\":\"\\\"salesdb\\\".\\\"orders\\\"\",\"table\":{"
        "\"defaultCharsetName\":\"utf8mb4\",\"primaryKeyColumnNames\":[],\"columns\":["
        "{\"name\":\"name\",\"jdbcType\":12,\"nativeType\":null,\"typeName\":\"VARCHAR\","
        "\"typeExpression\":\"VARCHAR\",\"charsetName\":\"utf8mb4\",\"length\":255,"
        "\"scale\":null,\"position\":1,\"optional\":false,\"autoIncremented\":false,"
        "\"generated\":false,\"comment\":\"the \\\"name\\\"\"},"
        "{\"name\":\"price\",\"jdbcType\":3,\"nativeType\":null,\"typeName\":\"DECIMAL\","
        "\"typeExpression\":\"DECIMAL\",\"charsetName\":null,\"length\":10,\"scale\":2,"
        "\"position\":2,\"optional\":true,\"autoIncremented\":false,\"generated\":false,"
        "\"comment\":null},"
        "{\"name\":\"color\",\"jdbcType\":1,\"nativeType\":null,\"typeName\":\"ENUM\","
        "\"typeExpression\":\"ENUM('red','green')\",\"charsetName\":\"utf8mb4\",\"length\":1,"
        "\"scale\":null,\"position\":3,\"optional\":true,\"autoIncremented\":false,"
        "\"generated\":false,\"comment\":null}],\"comment\":null}}]}");
    /* Database DDL: no table changes, source.table null. */
    sl_buf_reset(&buf);
    pos.gtid = NULL;
    assert_int_equal(sl_schema_change_value(&buf, &pos, SL_STR("salesdb"),
                                            SL_STR("CREATE DATABASE salesdb"), NULL, 0, false),
                     SL_OK);
    assert_non_null(strstr(sl_buf_cstr(&buf), "\"sequence\":null,\"table\":null,"));
    assert_non_null(strstr(sl_buf_cstr(&buf), "\"gtid\":null,"));
    assert_non_null(strstr(sl_buf_cstr(&buf), "\"tableChanges\":[]}"));
    /* schemas.enable=true: the same payload inside the JsonConverter envelope; the schema
     * is checked where it is easy to get wrong. */
    sl_buf_reset(&buf);
    assert_int_equal(sl_schema_change_key(&buf, SL_STR("salesdb"), true), SL_OK);
    assert_string_equal(sl_buf_cstr(&buf),
                        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\","
                        "\"optional\":false,\"field\":\"databaseName\"}],\"optional\":false,"
                        "\"name\":\"io.debezium.connector.mysql.SchemaChangeKey\"},"
                        "\"payload\":{\"databaseName\":\"salesdb\"}}");
    sl_buf_reset(&buf);
    struct sl_table_change drop = {SL_TABLE_CHANGE_DROP, {"salesdb", 7}, {"old", 3},
                                   SL_STR_NULL, SL_STR_NULL, NULL};
    assert_int_equal(sl_schema_change_value(&buf, &pos, SL_STR("salesdb"),
                                            SL_STR("DROP TABLE old"), &drop, 1, true),
                     SL_OK);
    const char *v = sl_buf_cstr(&buf);
    assert_true(strncmp(v, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\"",
                        40) == 0);
    assert_non_null(strstr(v, "\"optional\":false,\"name\":\"io.debezium.connector.mysql."
                              "SchemaChangeValue\"},\"payload\":{\"source\":{"));
    assert_non_null(strstr(v, "\"name\":\"io.debezium.connector.schema.Column\"},"
                              "\"optional\":false,\"field\":\"columns\"}"));
    assert_non_null(strstr(v, "\"tableChanges\":[{\"type\":\"DROP\",\"id\":"
                              "\"\\\"salesdb\\\".\\\"old\\\"\",\"table\":{"
                              "\"defaultCharsetName\":null,\"primaryKeyColumnNames\":[],"
                              "\"columns\":[],\"comment\":null}}]}}"));
    sl_buf_fini(&buf);
}

static void test_binlog_only_and_limits(void **state)
{
    (void)state;
    /* No information_schema facts: the description comes from the binlog column. */
    struct sl_table_def bare = customers;
    bare.defs = NULL;
    bare.default_charset = SL_STR_NULL;
    bare.table.ncols = 3;
    struct sl_table_change chg = {SL_TABLE_CHANGE_CREATE, {"d", 1}, {"t", 1}, SL_STR_NULL,
                                  SL_STR_NULL, &bare};
    struct sl_schema_change_pos pos = {.server = "s", .file = "f", .pos = 4};
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    assert_int_equal(sl_schema_history_record(&buf, &pos, SL_STR("d"), SL_STR("x"), &chg, 1),
                     SL_OK);
    assert_non_null(strstr(sl_buf_cstr(&buf), "\"defaultCharsetName\":null"));
    assert_non_null(strstr(sl_buf_cstr(&buf),
                           "{\"name\":\"price\",\"jdbcType\":3,\"typeName\":\"DECIMAL\","
                           "\"typeExpression\":\"DECIMAL\",\"charsetName\":null,\"length\":10,"
                           "\"scale\":2,"));
    assert_non_null(strstr(sl_buf_cstr(&buf), "{\"name\":\"name\",\"jdbcType\":12,"
                                              "\"typeName\":\"VARCHAR\""));
    sl_buf_fini(&buf);
    /* A bounded buffer reports TOOBIG instead of growing past its limit. */
    sl_buf_init(&buf, 64);
    assert_int_equal(sl_schema_history_record(&buf, &pos, SL_STR("d"), SL_STR("x"), &chg, 1),
                     SL_ERR_TOOBIG);
    sl_buf_fini(&buf);
    assert_int_equal(sl_schema_change_jdbc_type("VARCHAR", 7), 12);
    assert_int_equal(sl_schema_change_jdbc_type("tinyint", 7), 5);
    assert_int_equal(sl_schema_change_jdbc_type("timestamp", 9), 2014);
    assert_int_equal(sl_schema_change_jdbc_type("longblob", 8), 2004);
    assert_int_equal(sl_schema_change_jdbc_type("inet6", 5), 1111);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_create),
        cmocka_unit_test(test_history_rename_drop),
        cmocka_unit_test(test_change_topic),
        cmocka_unit_test(test_binlog_only_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
