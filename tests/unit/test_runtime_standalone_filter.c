/* SPDX-License-Identifier: Apache-2.0 */
/* The standalone worker's pieces that need no server: Debezium table filters (anchored,
 * case-insensitive regexes; include/exclude; built-in databases) and the connector registry
 * (fully qualified and simple class names, the list of known classes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "conf/mysql_source.h"
#include "runtime/filter.h"
#include "runtime/registry.h"

static struct sl_conf_strlist list(char **items, size_t n)
{
    struct sl_conf_strlist l = {items, n};
    return l;
}

static bool match(const struct sl_filter *flt, const char *db, const char *table)
{
    return sl_filter_table(flt, sl_str_c(db), sl_str_c(table));
}

static void test_include_lists(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    memset(&conf, 0, sizeof(conf));
    char *dbs[] = {"salesdb", "inv.*"};
    char *tbls[] = {"salesdb\\.sales_order", "inv[a-z]*\\.items"};
    conf.database_include = list(dbs, 2);
    conf.table_include = list(tbls, 2);
    conf.table_ignore_builtin = true;
    struct sl_filter *flt = NULL;
    char errstr[256];
    assert_int_equal(sl_filter_new(&conf, &flt, errstr, sizeof(errstr)), SL_OK);
    assert_true(match(flt, "salesdb", "SALES_ORDER")); /* case-insensitive */
    assert_true(match(flt, "SalesDB", "sales_order"));
    assert_false(match(flt, "salesdb", "SALES_ORDER2")); /* anchored at the end */
    assert_false(match(flt, "xsalesdb", "SALES_ORDER")); /* anchored at the start */
    assert_false(match(flt, "salesdb", "OTHER"));
    assert_true(match(flt, "inventory", "items"));
    assert_false(match(flt, "inventory", "items_old"));
    assert_false(match(flt, "otherdb", "sales_order"));
    sl_filter_free(flt);
}

static void test_exclude_and_builtin(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    memset(&conf, 0, sizeof(conf));
    char *dbs[] = {"tmp_.*"};
    char *tbls[] = {".*\\.audit_log"};
    conf.database_exclude = list(dbs, 1);
    conf.table_exclude = list(tbls, 1);
    conf.table_ignore_builtin = true;
    struct sl_filter *flt = NULL;
    char errstr[256];
    assert_int_equal(sl_filter_new(&conf, &flt, errstr, sizeof(errstr)), SL_OK);
    assert_true(match(flt, "salesdb", "SALES_ORDER"));
    assert_false(match(flt, "TMP_x", "t"));
    assert_false(match(flt, "salesdb", "AUDIT_LOG"));
    assert_true(match(flt, "salesdb", "audit_log2"));
    assert_false(match(flt, "mysql", "user"));
    assert_false(match(flt, "Performance_Schema", "threads"));
    sl_filter_free(flt);

    conf.table_ignore_builtin = false;
    assert_int_equal(sl_filter_new(&conf, &flt, errstr, sizeof(errstr)), SL_OK);
    assert_true(match(flt, "mysql", "user"));
    sl_filter_free(flt);
}

static void test_bad_regex(void **state)
{
    (void)state;
    struct sl_mysql_source_conf conf;
    memset(&conf, 0, sizeof(conf));
    char *tbls[] = {"salesdb\\.(orders"};
    conf.table_include = list(tbls, 1);
    struct sl_filter *flt = NULL;
    char errstr[256];
    assert_int_equal(sl_filter_new(&conf, &flt, errstr, sizeof(errstr)), SL_ERR_CONF);
    assert_null(flt);
    assert_non_null(strstr(errstr, "table.include.list"));
    assert_non_null(strstr(errstr, "salesdb\\.(orders"));
}

static void test_registry(void **state)
{
    (void)state;
    const struct sl_connector_type *t =
        sl_registry_find("io.debezium.connector.mysql.MySqlConnector");
    assert_non_null(t);
    assert_int_equal(t->kind, SL_CONNECTOR_MYSQL_SOURCE);
    assert_ptr_equal(sl_registry_find("MySqlConnector"), t);
    t = sl_registry_find("io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector");
    assert_non_null(t);
    assert_int_equal(t->kind, SL_CONNECTOR_DDB_SINK);
    assert_string_equal(t->type, "sink");
    assert_ptr_equal(sl_registry_find("DynamoDbSinkConnector"), t);
    assert_null(sl_registry_find("mysqlconnector"));
    assert_null(sl_registry_find("io.debezium.connector.postgresql.PostgresConnector"));
    char known[256];
    sl_registry_known(known, sizeof(known));
    assert_string_equal(known, "io.debezium.connector.mysql.MySqlConnector, "
                               "io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector");
    char small[10];
    sl_registry_known(small, sizeof(small));
    assert_int_equal(strlen(small), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_include_lists),
        cmocka_unit_test(test_exclude_and_builtin),
        cmocka_unit_test(test_bad_regex),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
