/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up check pieces that need no server: the report (bounds, counting, first failure,
 * line format with and without a fix) and an unreachable server, which must give one FAIL
 * line naming host:port and the setting to fix, with SL_ERR_IO, and never the password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "source/checks.h"
#include "testlib.h"

static void test_report(void **state)
{
    (void)state;
    struct sl_check_report rep;
    sl_check_report_init(&rep);
    sl_check_add(&rep, "mysql log_bin", SL_CHECK_PASS, "ignored for PASS", "binary logging is %s",
                 "on");
    sl_check_add(&rep, "mysql binlog_format", SL_CHECK_FAIL, "SET GLOBAL binlog_format=ROW",
                 "binlog_format=%s", "STATEMENT");
    sl_check_add(&rep, "mysql retention", SL_CHECK_WARN, NULL, "short");
    assert_int_equal(rep.n, 3);
    assert_int_equal(sl_check_count(&rep, SL_CHECK_PASS), 1);
    assert_int_equal(sl_check_count(&rep, SL_CHECK_WARN), 1);
    assert_int_equal(sl_check_count(&rep, SL_CHECK_FAIL), 1);
    const struct sl_check_item *f = sl_check_first_fail(&rep);
    assert_non_null(f);
    assert_string_equal(f->name, "mysql binlog_format");

    char line[512];
    sl_check_item_format(&rep.items[0], line, sizeof(line));
    assert_string_equal(line, "PASS  mysql log_bin: binary logging is on");
    sl_check_item_format(&rep.items[1], line, sizeof(line));
    assert_string_equal(line, "FAIL  mysql binlog_format: binlog_format=STATEMENT \xe2\x80\x94 "
                              "fix: SET GLOBAL binlog_format=ROW");
    sl_check_item_format(&rep.items[2], line, sizeof(line));
    assert_string_equal(line, "WARN  mysql retention: short");
    /* a short output buffer truncates, never overflows */
    char tiny[8];
    sl_check_item_format(&rep.items[1], tiny, sizeof(tiny));
    assert_string_equal(tiny, "FAIL  m");
}

static void test_report_bounds(void **state)
{
    (void)state;
    struct sl_check_report rep;
    sl_check_report_init(&rep);
    char longmsg[2000];
    memset(longmsg, 'x', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    for (int i = 0; i < SL_CHECK_MAX + 5; i++)
        sl_check_add(&rep, longmsg, SL_CHECK_WARN, longmsg, "%s", longmsg);
    assert_int_equal(rep.n, SL_CHECK_MAX);
    assert_int_equal(rep.dropped, 5);
    assert_int_equal(strlen(rep.items[0].name), SL_CHECK_NAME_MAX - 1);
    assert_int_equal(strlen(rep.items[0].message), SL_CHECK_MSG_MAX - 1);
    assert_int_equal(strlen(rep.items[0].fix), SL_CHECK_FIX_MAX - 1);
    assert_null(sl_check_first_fail(&rep));
}

static void test_unreachable(void **state)
{
    (void)state;
    int port = sl_test_free_port();
    struct sl_mysql_source_conf conf;
    memset(&conf, 0, sizeof(conf));
    char host[] = "127.0.0.1", user[] = "sluice", pw[] = "s3cr3t-Pw-do-not-print";
    conf.hostname = host;
    conf.port = (uint32_t)port;
    conf.user = user;
    conf.password = pw;
    conf.connect_timeout_ms = 2000;
    struct sl_check_report rep;
    sl_check_report_init(&rep);
    char errstr[512] = "";
    sl_err_t err = sl_source_checks_run(&conf, NULL, &rep, errstr, sizeof(errstr));
    assert_int_equal(err, SL_ERR_IO);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].status, SL_CHECK_FAIL);
    assert_string_equal(rep.items[0].name, "mysql connection");
    char where[64];
    snprintf(where, sizeof(where), "127.0.0.1:%d", port);
    assert_non_null(strstr(rep.items[0].message, where));
    assert_non_null(strstr(rep.items[0].fix, "database.hostname"));
    assert_non_null(strstr(errstr, "FAIL  mysql connection: "));
    assert_null(strstr(errstr, pw));
    assert_null(strstr(rep.items[0].message, pw));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_report_bounds),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
