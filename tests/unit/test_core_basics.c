/* SPDX-License-Identifier: Apache-2.0 */
/* Core types: bounded buffer, cursor, arena, JSON writer, checked parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cur.h"
#include "core/err.h"
#include "core/json.h"
#include "core/parse.h"
#include "core/time.h"

static void test_buf_bounded(void **state)
{
    (void)state;
    struct sl_buf buf;
    sl_buf_init(&buf, 8);
    assert_int_equal(sl_buf_addstr(&buf, "abcd"), SL_OK);
    assert_int_equal(sl_buf_addf(&buf, "%d", 123), SL_OK);
    assert_string_equal(buf.data, "abcd123");
    /* Two more bytes would exceed max 8: refused, buffer unchanged. */
    assert_int_equal(sl_buf_addstr(&buf, "xy"), SL_ERR_TOOBIG);
    assert_string_equal(buf.data, "abcd123");
    assert_int_equal(sl_buf_addch(&buf, 'z'), SL_OK);
    assert_int_equal(buf.len, 8);
    assert_int_equal(sl_buf_addch(&buf, 'q'), SL_ERR_TOOBIG);
    size_t len;
    char *p = sl_buf_take(&buf, &len);
    assert_int_equal(len, 8);
    assert_string_equal(p, "abcd123z");
    assert_null(buf.data);
    free(p);
}

static void test_cur_overrun(void **state)
{
    (void)state;
    const uint8_t data[] = {0x01, 0x02, 0x03, 0xfc, 0x10, 0x00, 0xfe, 1};
    struct sl_cur cur;
    sl_cur_init(&cur, data, sizeof(data));
    uint16_t v16;
    assert_int_equal(sl_cur_u16le(&cur, &v16), SL_OK);
    assert_int_equal(v16, 0x0201);
    uint8_t v8;
    assert_int_equal(sl_cur_u8(&cur, &v8), SL_OK);
    uint64_t n;
    assert_int_equal(sl_cur_lenenc(&cur, &n), SL_OK);
    assert_int_equal(n, 16);
    assert_int_equal(sl_cur_off(&cur), 6);
    /* 0xfe wants 8 more bytes; only 1 left: error and no advance. */
    assert_int_equal(sl_cur_lenenc(&cur, &n), SL_ERR_PROTO);
    assert_int_equal(sl_cur_off(&cur), 6);
    uint32_t v32;
    assert_int_equal(sl_cur_u32le(&cur, &v32), SL_ERR_PROTO);
    uint64_t be;
    assert_int_equal(sl_cur_uNbe(&cur, 2, &be), SL_OK);
    assert_int_equal(be, 0xfe01);
    assert_int_equal(sl_cur_left(&cur), 0);
}

static void test_arena(void **state)
{
    (void)state;
    struct sl_arena arena;
    sl_arena_init(&arena, 1024);
    char *a = sl_arena_strndup(&arena, "hello", 5);
    void *big = sl_arena_alloc(&arena, 100000);
    memset(big, 0xab, 100000);
    char *b = sl_arena_strndup(&arena, "world", 5);
    assert_string_equal(a, "hello");
    assert_string_equal(b, "world");
    assert_true(arena.used >= 100010);
    sl_arena_reset(&arena);
    assert_int_equal(arena.used, 0);
    char *c = sl_arena_strndup(&arena, "again", 5);
    assert_string_equal(c, "again");
    /* Many blocks, a reset, and the same again: kept blocks are reused, contents intact. */
    for (int round = 0; round < 3; round++) {
        char *ptrs[200];
        for (int i = 0; i < 200; i++) {
            ptrs[i] = sl_arena_alloc(&arena, 200);
            memset(ptrs[i], i, 200);
        }
        for (int i = 0; i < 200; i++)
            assert_int_equal((unsigned char)ptrs[i][199], (unsigned char)i);
        sl_arena_reset(&arena);
    }
    sl_arena_fini(&arena);
}

static void test_json_escape(void **state)
{
    (void)state;
    struct sl_buf buf;
    sl_buf_init(&buf, 0);
    const char in[] = "a\"b\\c\n\x01\xc3\xa9\xff";
    assert_int_equal(sl_json_str(&buf, in, sizeof(in) - 1), SL_OK);
    assert_string_equal(buf.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\xef\xbf\xbd\"");
    sl_buf_reset(&buf);
    const char ctl[] = "\b\f\r\t\x1f\x7f";
    assert_int_equal(sl_json_str(&buf, ctl, sizeof(ctl) - 1), SL_OK);
    assert_string_equal(buf.data, "\"\\b\\f\\r\\t\\u001F\x7f\"");
    sl_buf_reset(&buf);
    sl_json_u64(&buf, UINT64_MAX);
    sl_buf_addch(&buf, ' ');
    sl_json_i64(&buf, INT64_MIN);
    sl_buf_addch(&buf, ' ');
    sl_json_double(&buf, 0.1);
    assert_string_equal(buf.data, "18446744073709551615 -9223372036854775808 0.1");
    sl_buf_reset(&buf);
    sl_base64_add(&buf, "foob", 4);
    assert_string_equal(buf.data, "Zm9vYg==");
    sl_buf_fini(&buf);
}

/* The hand-written integer writers against printf, around every digit-count boundary. */
static void test_json_ints(void **state)
{
    (void)state;
    struct sl_buf buf;
    sl_buf_init(&buf, 0);
    char want[32];
    uint64_t p = 1;
    for (int d = 0; d < 20; d++, p *= 10) {
        const uint64_t near[] = {p - 1, p, p + 1, p * 3 + 7};
        for (size_t k = 0; k < sizeof(near) / sizeof(near[0]); k++) {
            uint64_t u = near[k];
            sl_buf_reset(&buf);
            sl_json_u64(&buf, u);
            snprintf(want, sizeof(want), "%llu", (unsigned long long)u);
            assert_string_equal(buf.data, want);
            for (int sign = -1; sign <= 1; sign += 2) {
                /* Wrapping conversion (gcc, clang): no signed overflow. */
                int64_t i = (int64_t)(sign < 0 ? 0 - u : u);
                sl_buf_reset(&buf);
                sl_json_i64(&buf, i);
                snprintf(want, sizeof(want), "%lld", (long long)i);
                assert_string_equal(buf.data, want);
            }
        }
    }
    sl_buf_reset(&buf);
    sl_json_i64(&buf, INT64_MAX);
    assert_string_equal(buf.data, "9223372036854775807");
    sl_buf_fini(&buf);
    /* The bound holds whichever way the digits are written (in place or copied). */
    struct sl_buf small;
    sl_buf_init(&small, 8);
    assert_int_equal(sl_json_i64(&small, -12345), SL_OK);
    assert_int_equal(sl_json_u64(&small, 12), SL_OK);
    assert_int_equal(sl_json_u64(&small, 1), SL_ERR_TOOBIG);
    assert_string_equal(small.data, "-1234512");
    sl_buf_reset(&small);
    assert_int_equal(sl_json_u64(&small, 123456789), SL_ERR_TOOBIG);
    assert_int_equal(small.len, 0);
    sl_buf_fini(&small);
}

static void test_parse(void **state)
{
    (void)state;
    int64_t i;
    uint64_t u;
    bool b;
    assert_int_equal(sl_parse_i64("-42", &i), SL_OK);
    assert_int_equal(i, -42);
    assert_int_equal(sl_parse_i64("12x", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64("", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_u64("-1", &u), SL_ERR_INVALID);
    assert_int_equal(sl_parse_u64("18446744073709551615", &u), SL_OK);
    assert_int_equal(sl_parse_u64("18446744073709551616", &u), SL_ERR_INVALID);
    assert_int_equal(sl_parse_u64("+1", &u), SL_ERR_INVALID);
    assert_int_equal(sl_parse_u64(" 1", &u), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64("+7", &i), SL_OK);
    assert_int_equal(i, 7);
    assert_int_equal(sl_parse_i64("-9223372036854775808", &i), SL_OK);
    assert_true(i == INT64_MIN);
    assert_int_equal(sl_parse_i64("9223372036854775807", &i), SL_OK);
    assert_true(i == INT64_MAX);
    assert_int_equal(sl_parse_i64("9223372036854775808", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64("-9223372036854775809", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64("-", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64("--1", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64(" 1", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_i64("1 ", &i), SL_ERR_INVALID);
    assert_int_equal(sl_parse_bool("TRUE", &b), SL_OK);
    assert_true(b);
    assert_int_equal(sl_parse_bool("yes", &b), SL_ERR_INVALID);
    assert_string_equal(sl_err_name(SL_ERR_PROTO), "SL_ERR_PROTO");
    assert_true(sl_err_is_retriable(SL_ERR_THROTTLED));
    assert_int_equal(sl_time_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(sl_time_days_from_civil(2022, 6, 15), 19158);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_bounded), cmocka_unit_test(test_cur_overrun),
        cmocka_unit_test(test_arena),       cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_json_ints),   cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
