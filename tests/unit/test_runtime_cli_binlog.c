/* SPDX-License-Identifier: Apache-2.0 */
/* The row-JSON writer of `sluice binlog`: every value kind renders exactly as documented in
 * cli_binlog.h, whole lines have the documented shape, and the fast path keeps up (the
 * measured rate is printed; >= 3 M rows/s is the goal for a 4-column table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/change.h"
#include "runtime/cli_binlog.h"
#include "testlib.h"

static void check_value(const struct sl_column *col, struct sl_value val, const char *want)
{
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    assert_int_equal(sl_rowjson_value(&buf, col, &val), SL_OK);
    if (strcmp(sl_buf_cstr(&buf), want) != 0)
        fail_msg("type %u kind %u: got %s, want %s", col->type, val.kind, sl_buf_cstr(&buf), want);
    sl_buf_fini(&buf);
}

static struct sl_value vi(int64_t i)
{
    struct sl_value v = {.kind = SL_VAL_INT};
    v.v.i = i;
    return v;
}

static struct sl_value vu(uint8_t kind, uint64_t u)
{
    struct sl_value v = {.kind = kind};
    v.v.u = u;
    return v;
}

static struct sl_value vs(uint8_t kind, const char *s, size_t len)
{
    struct sl_value v = {.kind = kind};
    v.v.s.ptr = s;
    v.v.s.len = len;
    return v;
}

static struct sl_value vtm(uint8_t kind, int y, int mo, int d, unsigned h, int mi, int s,
                           uint32_t us, bool neg)
{
    struct sl_value v = {.kind = kind};
    v.v.tm.year = y;
    v.v.tm.month = (uint8_t)mo;
    v.v.tm.day = (uint8_t)d;
    v.v.tm.hour = h;
    v.v.tm.minute = (uint8_t)mi;
    v.v.tm.second = (uint8_t)s;
    v.v.tm.usec = us;
    v.v.tm.neg = neg;
    return v;
}

static void test_numbers(void **state)
{
    (void)state;
    struct sl_column col = {.type = SL_MYSQL_TYPE_LONGLONG};
    check_value(&col, vi(0), "0");
    check_value(&col, vi(INT64_MIN), "-9223372036854775808");
    check_value(&col, vi(INT64_MAX), "9223372036854775807");
    check_value(&col, vu(SL_VAL_UINT, UINT64_MAX), "18446744073709551615");
    struct sl_value f = {.kind = SL_VAL_FLOAT};
    f.v.f = 1.1f;
    check_value(&col, f, "1.1");
    f.v.f = -3.4028235e38f;
    check_value(&col, f, "-3.4028235e+38");
    struct sl_value d = {.kind = SL_VAL_DOUBLE};
    d.v.d = 0.1;
    check_value(&col, d, "0.1");
    d.v.d = -1.7976931348623157e308;
    check_value(&col, d, "-1.7976931348623157e+308");
    const char *dec = "-12345678901234567890.123456789012345678901234567890";
    check_value(&col, vs(SL_VAL_DECIMAL, dec, strlen(dec)),
                "\"-12345678901234567890.123456789012345678901234567890\"");
    struct sl_column bit = {.type = SL_MYSQL_TYPE_BIT, .length = 64};
    check_value(&bit, vs(SL_VAL_BIT, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
                "18446744073709551615");
    check_value(&bit, vs(SL_VAL_BIT, "\x01", 1), "1");
    /* Unsigned column seen through a binlog without signedness metadata. */
    struct sl_column tiny = {.type = SL_MYSQL_TYPE_TINY, .is_unsigned = true};
    check_value(&tiny, vi(-1), "-1"); /* sl_rowjson_value itself does not reinterpret */
}

static void test_temporal(void **state)
{
    (void)state;
    struct sl_column c0 = {.type = SL_MYSQL_TYPE_DATETIME2, .fsp = 0};
    struct sl_column c3 = {.type = SL_MYSQL_TYPE_DATETIME2, .fsp = 3};
    struct sl_column c6 = {.type = SL_MYSQL_TYPE_TIME2, .fsp = 6};
    check_value(&c0, vtm(SL_VAL_DATE, 2022, 6, 15, 0, 0, 0, 0, false), "\"2022-06-15\"");
    check_value(&c0, vtm(SL_VAL_DATE, 0, 0, 0, 0, 0, 0, 0, false), "\"0000-00-00\"");
    check_value(&c3, vtm(SL_VAL_DATETIME, 9999, 12, 31, 23, 59, 59, 999000, false),
                "\"9999-12-31T23:59:59.999\"");
    check_value(&c0, vtm(SL_VAL_DATETIME, 0, 0, 0, 0, 0, 0, 0, false), "\"0000-00-00T00:00:00\"");
    check_value(&c6, vtm(SL_VAL_TIME, 0, 0, 0, 838, 59, 59, 0, true), "\"-838:59:59.000000\"");
    check_value(&c6, vtm(SL_VAL_TIME, 0, 0, 0, 1, 2, 3, 45, false), "\"01:02:03.000045\"");
    struct sl_value ts = {.kind = SL_VAL_TIMESTAMP};
    ts.v.ts.sec = 1655279536;
    ts.v.ts.usec = 120000;
    check_value(&c3, ts, "\"2022-06-15T07:52:16.120Z\"");
    ts.v.ts.sec = 2147483647;
    ts.v.ts.usec = 0;
    check_value(&c0, ts, "\"2038-01-19T03:14:07Z\"");
    ts.v.ts.sec = 0;
    check_value(&c0, ts, "\"0000-00-00T00:00:00Z\"");
}

static void test_strings(void **state)
{
    (void)state;
    struct sl_column utf8 = {.type = SL_MYSQL_TYPE_VARCHAR, .charset = 45};
    struct sl_column latin1 = {.type = SL_MYSQL_TYPE_VARCHAR, .charset = 8};
    struct sl_column bin = {.type = SL_MYSQL_TYPE_VARCHAR, .charset = SL_CHARSET_BINARY};
    check_value(&utf8, vs(SL_VAL_STRING, "a\"\\\n\xf0\x9f\x98\x80", 8),
                "\"a\\\"\\\\\\n\xf0\x9f\x98\x80\"");
    check_value(&latin1, vs(SL_VAL_STRING, "caf\xe9 \x80", 6), "\"caf\xc3\xa9 \xe2\x82\xac\"");
    check_value(&bin, vs(SL_VAL_STRING, "\x00\x01\xff", 3), "\"AAH/\"");
    check_value(&utf8, vs(SL_VAL_BYTES, "hello", 5), "\"aGVsbG8=\"");
    /* BINARY(4): trailing zero bytes dropped by the binlog come back. */
    struct sl_column binary4 = {
        .type = SL_MYSQL_TYPE_STRING, .charset = SL_CHARSET_BINARY, .length = 4};
    check_value(&binary4, vs(SL_VAL_BYTES, "", 0), "\"AAAAAA==\"");
    check_value(&binary4, vs(SL_VAL_STRING, "ab", 2), "\"YWIAAA==\"");
    check_value(&utf8, vs(SL_VAL_JSON, "{\"a\":[1,2]}", 11), "{\"a\":[1,2]}");
    check_value(&utf8, vs(SL_VAL_JSON, "", 0), "null");
    check_value(&utf8, vs(SL_VAL_GEOMETRY, "\0\0\0\0\x01\x02", 6), "\"AQI=\"");
    float fl[2] = {1.5f, -0.25f};
    check_value(&utf8, vs(SL_VAL_VECTOR, (const char *)fl, 8), "[1.5,-0.25]");
}

static void test_enum_set(void **state)
{
    (void)state;
    struct sl_str labels[3] = {SL_STR("red"), SL_STR("gre\"en"), SL_STR("blue")};
    struct sl_column known = {.type = SL_MYSQL_TYPE_ENUM, .n_labels = 3, .labels = labels};
    struct sl_column unknown = {.type = SL_MYSQL_TYPE_ENUM};
    check_value(&known, vu(SL_VAL_ENUM, 2), "\"gre\\\"en\"");
    check_value(&known, vu(SL_VAL_ENUM, 0), "\"\"");
    check_value(&unknown, vu(SL_VAL_ENUM, 2), "2");
    check_value(&known, vu(SL_VAL_SET, 5), "\"red,blue\"");
    check_value(&known, vu(SL_VAL_SET, 0), "\"\"");
    check_value(&unknown, vu(SL_VAL_SET, 5), "5");
}

static struct sl_column cols4[4] = {
    {.name = SL_STR("ORDER_ID"), .type = SL_MYSQL_TYPE_LONG},
    {.name = SL_STR("AMOUNT"), .type = SL_MYSQL_TYPE_LONGLONG},
    {.name = SL_STR("NOTE"), .type = SL_MYSQL_TYPE_VARCHAR, .charset = 45},
    {.name = SL_STR("QTY"), .type = SL_MYSQL_TYPE_LONG},
};

static void test_line(void **state)
{
    (void)state;
    struct sl_table table = {.db = SL_STR("salesdb"),
                             .name = SL_STR("SALES_ORDER"),
                             .ncols = 4,
                             .cols = cols4,
                             .has_names = true};
    struct sl_value after[4] = {
        vi(29001), vi(-5), vs(SL_VAL_STRING, "x", 1), {.kind = SL_VAL_NULL}};
    struct sl_value before[4] = {
        vi(29001), {.kind = SL_VAL_ABSENT}, {.kind = SL_VAL_ABSENT}, {.kind = SL_VAL_ABSENT}};
    struct sl_change chg = {.op = SL_OP_UPDATE, .table = &table, .before = before, .after = after};
    snprintf(chg.pos.file, sizeof(chg.pos.file), "binlog.000002");
    chg.pos.event_pos = 1234;
    chg.pos.ts_sec = 1655279536;
    chg.pos.gtid = SL_STR("0-1-5");
    struct sl_rowjson *rj = sl_rowjson_new(NULL, NULL);
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    assert_int_equal(sl_rowjson_write(rj, &chg, &buf), SL_OK);
    assert_string_equal(sl_buf_cstr(&buf),
                        "{\"pos\":\"binlog.000002:1234\",\"gtid\":\"0-1-5\",\"ts\":1655279536,"
                        "\"db\":\"salesdb\",\"table\":\"SALES_ORDER\",\"op\":\"update\","
                        "\"before\":{\"ORDER_ID\":29001},\"after\":{\"ORDER_ID\":29001,"
                        "\"AMOUNT\":-5,\"NOTE\":\"x\",\"QTY\":null}}\n");
    /* Unnamed columns are positional; a delete has no after image. */
    struct sl_column anon[1] = {{.type = SL_MYSQL_TYPE_LONG}};
    struct sl_table t2 = {.db = SL_STR("d"), .name = SL_STR("t"), .ncols = 1, .cols = anon};
    struct sl_change del = {.op = SL_OP_DELETE, .table = &t2, .before = after};
    snprintf(del.pos.file, sizeof(del.pos.file), "b.1");
    sl_buf_reset(&buf);
    assert_int_equal(sl_rowjson_write(rj, &del, &buf), SL_OK);
    assert_string_equal(sl_buf_cstr(&buf),
                        "{\"pos\":\"b.1:0\",\"gtid\":null,\"ts\":0,\"db\":\"d\",\"table\":\"t\","
                        "\"op\":\"delete\",\"before\":{\"@1\":29001},\"after\":null}\n");
    /* A full buffer is an error that leaves the buffer unchanged. */
    struct sl_buf small;
    sl_buf_init(&small, 16);
    assert_int_equal(sl_rowjson_write(rj, &chg, &small), SL_ERR_TOOBIG);
    assert_int_equal(small.len, 0);
    sl_buf_fini(&small);
    sl_buf_fini(&buf);
    sl_rowjson_free(rj);
}

static void test_speed(void **state)
{
    (void)state;
    struct sl_table table = {.db = SL_STR("salesdb"),
                             .name = SL_STR("SALES_ORDER"),
                             .ncols = 4,
                             .cols = cols4,
                             .has_names = true};
    struct sl_value after[4] = {vi(29001), vi(123456789), vs(SL_VAL_STRING, "shipped", 7), vi(3)};
    struct sl_change chg = {.op = SL_OP_INSERT, .table = &table, .after = after};
    snprintf(chg.pos.file, sizeof(chg.pos.file), "binlog.000002");
    chg.pos.ts_sec = 1655279536;
    struct sl_rowjson *rj = sl_rowjson_new(NULL, NULL);
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 24);
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    const int n = 2000000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        chg.pos.event_pos = 4 + (uint64_t)i * 40;
        after[0].v.i = i;
        assert_int_equal(sl_rowjson_write(rj, &chg, &buf), SL_OK);
        if (buf.len >= (1 << 20)) {
            fwrite(buf.data, 1, buf.len, devnull);
            sl_buf_reset(&buf);
        }
    }
    fwrite(buf.data, 1, buf.len, devnull);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("row JSON writer: %.2f M rows/s (4 columns, to /dev/null)\n", n / s / 1e6);
    fclose(devnull);
    sl_buf_fini(&buf);
    sl_rowjson_free(rj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers), cmocka_unit_test(test_temporal),
        cmocka_unit_test(test_strings), cmocka_unit_test(test_enum_set),
        cmocka_unit_test(test_line),    cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
