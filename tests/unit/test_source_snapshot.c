/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshot pieces that need no server: information_schema column mapping to the TABLE_MAP
 * view, text-protocol values to struct sl_value, MySQL JSON text compaction, and the
 * checkpoint document (round trip, bad input naming the offset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem.h"
#include "source/schema.h"
#include "source/snapshot_int.h"

static struct sl_column mkcol(const char *dt, const char *ct, uint32_t prec, uint32_t scale,
                              uint32_t fsp, uint64_t octets, uint16_t coll, struct sl_arena *a)
{
    struct sl_schema_coldef def = {"c", dt, ct, true, prec, scale, fsp, octets, coll};
    struct sl_column col;
    char errstr[200];
    assert_int_equal(sl_schema_column(&def, a, &col, errstr, sizeof(errstr)), SL_OK);
    return col;
}

static void test_columns(void **state)
{
    (void)state;
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    struct sl_column c = mkcol("char", "char(255)", 0, 0, 0, 1020, 45, &a);
    assert_int_equal(c.binlog_type, SL_MYSQL_TYPE_STRING);
    assert_int_equal(c.length, 1020);
    /* decode_rows.c's reading of the same metadata gives back the length */
    uint8_t b0 = (uint8_t)(c.meta >> 8), b1 = (uint8_t)c.meta;
    assert_int_equal(b1 | (uint32_t)((b0 & 0x30) ^ 0x30) << 4, 1020);
    c = mkcol("enum", "enum('a','b''c','d,e')", 0, 0, 0, 0, 45, &a);
    assert_int_equal(c.type, SL_MYSQL_TYPE_ENUM);
    assert_int_equal(c.n_labels, 3);
    assert_true(sl_str_eq_c(c.labels[1], "b'c"));
    assert_true(sl_str_eq_c(c.labels[2], "d,e"));
    c = mkcol("set", "set('a','b','c','d','e','f','g','h','i')", 0, 0, 0, 0, 45, &a);
    assert_int_equal(c.length, 2);
    c = mkcol("bit", "bit(10)", 10, 0, 0, 0, 0, &a);
    assert_int_equal(c.length, 10);
    assert_int_equal(c.meta, 1 << 8 | 2);
    c = mkcol("int", "int(10) unsigned", 10, 0, 0, 0, 0, &a);
    assert_true(c.is_unsigned);
    c = mkcol("mediumblob", "mediumblob", 0, 0, 0, 0, 0, &a);
    assert_int_equal(c.length, 3);
    assert_int_equal(c.charset, SL_CHARSET_BINARY);
    struct sl_schema_coldef bad = {"x", "frobnicate", "frobnicate", true, 0, 0, 0, 0, 0};
    char errstr[200];
    assert_int_equal(sl_schema_column(&bad, &a, &c, errstr, sizeof(errstr)), SL_ERR_UNSUPPORTED);
    assert_non_null(strstr(errstr, "`x`"));
    sl_arena_fini(&a);
}

static struct sl_value val(const struct sl_column *col, const char *text, size_t len,
                           struct sl_arena *a)
{
    struct sl_value v;
    char errstr[200];
    assert_int_equal(sl_schema_value(col, text, len, a, &v, errstr, sizeof(errstr)), SL_OK);
    return v;
}

static void test_values(void **state)
{
    (void)state;
    struct sl_arena a;
    sl_arena_init(&a, 4096);
    struct sl_column c = mkcol("bigint", "bigint(20) unsigned", 20, 0, 0, 0, 0, &a);
    struct sl_value v = val(&c, "18446744073709551615", 20, &a);
    assert_int_equal(v.kind, SL_VAL_UINT);
    assert_true(v.v.u == UINT64_MAX);
    c = mkcol("float", "float", 12, 0, 0, 0, 0, &a);
    v = val(&c, "3.1415927410125732", 18, &a);
    assert_true(v.v.f == 3.1415927f);
    c = mkcol("timestamp", "timestamp(6)", 0, 0, 6, 0, 0, &a);
    v = val(&c, "2038-01-19 03:14:07.999999", 26, &a);
    assert_int_equal(v.kind, SL_VAL_TIMESTAMP);
    assert_int_equal(v.v.ts.sec, 2147483647);
    assert_int_equal(v.v.ts.usec, 999999);
    v = val(&c, "0000-00-00 00:00:00.000000", 26, &a);
    assert_int_equal(v.v.ts.sec, 0);
    c = mkcol("time", "time(3)", 0, 0, 3, 0, 0, &a);
    v = val(&c, "-838:59:59.500", 14, &a);
    assert_true(v.v.tm.neg);
    assert_int_equal(v.v.tm.hour, 838);
    assert_int_equal(v.v.tm.usec, 500000);
    c = mkcol("binary", "binary(4)", 0, 0, 0, 4, 0, &a);
    v = val(&c, "ab\0\0", 4, &a);
    assert_int_equal(v.kind, SL_VAL_BYTES);
    assert_int_equal(v.v.s.len, 4); /* the column's full value, as the decoder gives it */
    assert_memory_equal(v.v.s.ptr, "ab\0\0", 4);
    c = mkcol("set", "set('x','y','z')", 0, 0, 0, 0, 45, &a);
    assert_int_equal(val(&c, "6", 1, &a).v.u, 6);
    assert_int_equal(val(&c, "y,z", 3, &a).v.u, 6); /* label form (override SELECTs) */
    c = mkcol("enum", "enum('a','b')", 0, 0, 0, 0, 45, &a);
    assert_int_equal(val(&c, "b", 1, &a).v.u, 2);
    assert_int_equal(val(&c, NULL, 0, &a).kind, SL_VAL_NULL);
    c = mkcol("json", "json", 0, 0, 0, 0, 0, &a);
    v = val(&c, "{\"a\": [1, 2], \"s\": \"x y\"}", 26, &a);
    assert_string_equal(v.v.s.ptr, "{\"a\":[1,2],\"s\":\"x y\"}");
    /* bad text names the column */
    c = mkcol("int", "int(11)", 10, 0, 0, 0, 0, &a);
    char errstr[200];
    assert_int_equal(sl_schema_value(&c, "12x", 3, &a, &v, errstr, sizeof(errstr)), SL_ERR_PROTO);
    assert_non_null(strstr(errstr, "`c`"));
    c = mkcol("date", "date", 0, 0, 0, 0, 0, &a);
    assert_int_equal(sl_schema_value(&c, "2020-13-01", 10, &a, &v, errstr, sizeof(errstr)),
                     SL_ERR_PROTO);
    sl_arena_fini(&a);
}

static void test_checkpoint(void **state)
{
    (void)state;
    struct sl_snap_table st;
    memset(&st, 0, sizeof(st));
    uint32_t pk[2] = {0, 1};
    st.t.npk = 2;
    st.t.pk = pk;
    st.db = sl_xstrdup("d\"b");
    st.name = sl_xstrdup("t");
    st.state = SL_SNAP_RUNNING;
    st.rows = 7;
    const char *vals[2] = {"12", "a\0b"};
    size_t lens[2] = {2, 3};
    sl_snap_table_set_last_key(&st, vals, lens);
    struct sl_buf out;
    sl_buf_init(&out, 1 << 16);
    assert_int_equal(
        sl_snap_ckpt_write(&out, "binlog.000002", 99, "0-1-5", "mariadb", 7, 1.0, &st, 1), SL_OK);
    struct sl_snap_ckpt ck;
    sl_snap_ckpt_init(&ck);
    char errstr[200];
    assert_int_equal(sl_snap_ckpt_parse(out.data, &ck, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(ck.file, "binlog.000002");
    assert_int_equal(ck.pos, 99);
    assert_string_equal(ck.gtids, "0-1-5");
    assert_int_equal(ck.ntabs, 1);
    assert_string_equal(ck.tabs[0].db, "d\"b");
    assert_int_equal(ck.tabs[0].nlast, 2);
    assert_int_equal(ck.tabs[0].last_len[1], 3);
    assert_memory_equal(ck.tabs[0].last[1], "a\0b", 3);

    struct sl_snap_table fresh;
    memset(&fresh, 0, sizeof(fresh));
    fresh.t.npk = 2;
    fresh.t.pk = pk;
    fresh.db = sl_xstrdup("d\"b");
    fresh.name = sl_xstrdup("t");
    uint64_t resumed = 0;
    sl_snap_ckpt_apply(&ck, &fresh, &resumed);
    assert_int_equal(resumed, 7);
    assert_true(fresh.has_last);
    assert_int_equal(fresh.state, SL_SNAP_RUNNING);
    sl_snap_ckpt_fini(&ck);
    sl_snap_table_fini(&fresh);
    sl_snap_table_fini(&st);
    sl_buf_fini(&out);

    static const char *const bad[] = {
        "",
        "{",
        "{\"file\":\"x\",\"pos\":}",
        "{\"pos\":1}",
        "{\"file\":\"x\"} junk",
        "{\"file\":\"x\",\"tables\":[{\"db\":\"a\"}]}",
        "{\"file\":\"x\",\"tables\":[{\"db\":\"a\",\"table\":\"b\",\"last_pk\":[\"zz\"]}]}",
        "{\"file\":\"x\",\"tables\":[{\"db\":\"a\",\"table\":\"b\",\"state\":\"odd\"}]}",
        "{\"file\":\"\\q\"}",
        "{\"file\":\"x\",\"pos\":99999999999999999999999}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sl_snap_ckpt_init(&ck);
        errstr[0] = '\0';
        assert_int_equal(sl_snap_ckpt_parse(bad[i], &ck, errstr, sizeof(errstr)), SL_ERR_INVALID);
        assert_non_null(strstr(errstr, "snapshot checkpoint"));
        sl_snap_ckpt_fini(&ck);
    }
    /* unknown keys are skipped */
    sl_snap_ckpt_init(&ck);
    assert_int_equal(sl_snap_ckpt_parse("{\"x\":[1,{\"y\":true}],\"file\":\"f\",\"z\":null}", &ck,
                                        errstr, sizeof(errstr)),
                     SL_OK);
    sl_snap_ckpt_fini(&ck);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_checkpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
