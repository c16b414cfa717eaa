/* SPDX-License-Identifier: Apache-2.0 */
/* The MySQL GTID set encoding sent with COM_BINLOG_DUMP_GTID by `sluice binlog tail --gtid`:
 * byte-exact output for sets with several uuids and intervals, and clear errors for
 * malformed or tagged sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "source/client.h"
#include "testlib.h"

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_encode(void **state)
{
    (void)state;
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 16);
    char errstr[256];
    assert_int_equal(sl_client_gtid_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,\n"
                                           " 00000000-0000-0000-0000-00000000000a:3",
                                           &buf, errstr, sizeof(errstr)),
                     SL_OK);
    uint8_t want[8 + (16 + 8 + 32) + (16 + 8 + 16)];
    uint8_t *p = want;
    put64(p, 2);
    p += 8;
    const uint8_t u1[16] = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1,
                            0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};
    memcpy(p, u1, 16);
    p += 16;
    put64(p, 2);
    put64(p + 8, 1);
    put64(p + 16, 6);
    put64(p + 24, 7);
    put64(p + 32, 8);
    p += 40;
    memset(p, 0, 16);
    p[15] = 0x0a;
    p += 16;
    put64(p, 1);
    put64(p + 8, 3);
    put64(p + 16, 4);
    p += 24;
    assert_int_equal(buf.len, (size_t)(p - want));
    assert_memory_equal(buf.data, want, sizeof(want));
    sl_buf_fini(&buf);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *set;
        sl_err_t err;
    } cases[] = {
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562", SL_ERR_CONF},     /* no interval */
        {"3E11FA47-71CA-11E1-9E33-C80AA942956:1", SL_ERR_CONF},    /* short uuid */
        {"3E11FA47-71CA-11E1-9E33-C80AA94295XY:1", SL_ERR_CONF},   /* not hex */
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:0", SL_ERR_CONF},   /* gno 0 */
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:5-3", SL_ERR_CONF}, /* reversed */
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:1-", SL_ERR_CONF},  /* open range */
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:1x", SL_ERR_CONF},  /* junk */
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:99999999999999999999", SL_ERR_CONF},
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:tag:1", SL_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sl_buf buf;
        sl_buf_init(&buf, 1 << 16);
        char errstr[256] = "";
        sl_err_t err = sl_client_gtid_encode(cases[i].set, &buf, errstr, sizeof(errstr));
        if (err != cases[i].err)
            fail_msg("'%s': got %s, want %s", cases[i].set, sl_err_name(err),
                     sl_err_name(cases[i].err));
        assert_non_null(strstr(errstr, "GTID set"));
        assert_int_equal(buf.len, 0);
        sl_buf_fini(&buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
