/* SPDX-License-Identifier: Apache-2.0 */
/* Binary JSON and JSON diff decoding: hand-built documents covering every value type, both
 * container sizes and nesting, the documents and diff of the json.binlog.000001 fixture, and
 * malformed inputs that must fail with an offset instead of crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "source/jsonb.h"
#include "testlib.h"

/* ---- Helpers ---- */

static void expect_json(const uint8_t *doc, size_t len, const char *want)
{
    struct sl_buf buf;
    char errstr[256] = "";
    sl_buf_init(&buf, SL_BUF_MAX_DEFAULT);
    sl_err_t err = sl_jsonb_to_json(doc, len, &buf, errstr, sizeof(errstr));
    if (err)
        fail_msg("unexpected error %d: %s (want %s)", err, errstr, want);
    assert_string_equal(sl_buf_cstr(&buf), want);
    sl_buf_fini(&buf);
}

static void expect_diff(const uint8_t *diff, size_t len, const char *want)
{
    struct sl_buf buf;
    char errstr[256] = "";
    sl_buf_init(&buf, SL_BUF_MAX_DEFAULT);
    sl_err_t err = sl_jsonb_diff_to_json(diff, len, &buf, errstr, sizeof(errstr));
    if (err)
        fail_msg("unexpected error %d: %s (want %s)", err, errstr, want);
    assert_string_equal(sl_buf_cstr(&buf), want);
    sl_buf_fini(&buf);
}

/* Decoding must fail with SL_ERR_PROTO, name the byte offset (and want_sub if given) and leave
 * text appended earlier untouched. */
static void expect_bad(const uint8_t *doc, size_t len, bool diff, const char *want_sub)
{
    struct sl_buf buf;
    char errstr[256] = "";
    sl_buf_init(&buf, SL_BUF_MAX_DEFAULT);
    assert_int_equal(sl_buf_addstr(&buf, "keep"), SL_OK);
    sl_err_t err = diff ? sl_jsonb_diff_to_json(doc, len, &buf, errstr, sizeof(errstr))
                        : sl_jsonb_to_json(doc, len, &buf, errstr, sizeof(errstr));
    assert_int_equal(err, SL_ERR_PROTO);
    assert_string_equal(sl_buf_cstr(&buf), "keep");
    if (!strstr(errstr, "at byte "))
        fail_msg("no offset in error: %s", errstr);
    if (want_sub && !strstr(errstr, want_sub))
        fail_msg("error \"%s\" does not mention \"%s\"", errstr, want_sub);
    sl_buf_fini(&buf);
}

/* A top-level scalar: type byte then up to 8 little-endian bytes. */
static void expect_scalar(uint8_t type, uint64_t v, size_t n, const char *want)
{
    uint8_t doc[9] = {type};
    for (size_t i = 0; i < n; i++)
        doc[1 + i] = (uint8_t)(v >> (8 * i));
    expect_json(doc, 1 + n, want);
}

static void expect_double(double d, const char *want)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    expect_scalar(0x0b, bits, 8, want);
}

static uint64_t pack_datetime(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                              unsigned s, unsigned usec)
{
    uint64_t ymd = ((uint64_t)(y * 13 + mo) << 5) | d;
    uint64_t hms = ((uint64_t)h << 12) | (mi << 6) | s;
    return (((ymd << 17) | hms) << 24) + usec;
}

/* An opaque top-level value: 0x0f, MySQL type, 1-byte length, data. */
static void expect_opaque(uint8_t mtype, const uint8_t *data, uint8_t n, const char *want)
{
    uint8_t doc[64] = {0x0f, mtype, n};
    memcpy(doc + 3, data, n);
    expect_json(doc, 3u + n, want);
}

static void expect_temporal(uint8_t mtype, uint64_t packed, const char *want)
{
    uint8_t data[8];
    for (int i = 0; i < 8; i++)
        data[i] = (uint8_t)(packed >> (8 * i));
    expect_opaque(mtype, data, 8, want);
}

/* ---- Scalars ---- */

static void test_empty_is_null(void **state)
{
    (void)state;
    expect_json((const uint8_t *)"", 0, "null");
}

static void test_literals_and_integers(void **state)
{
    (void)state;
    expect_scalar(0x04, 0x00, 1, "null");
    expect_scalar(0x04, 0x01, 1, "true");
    expect_scalar(0x04, 0x02, 1, "false");
    expect_scalar(0x05, 0xfffb, 2, "-5");
    expect_scalar(0x06, 0xffff, 2, "65535");
    expect_scalar(0x07, (uint32_t)-70000, 4, "-70000");
    expect_scalar(0x08, 4000000000u, 4, "4000000000");
    expect_scalar(0x09, (uint64_t)INT64_MIN, 8, "-9223372036854775808");
    expect_scalar(0x0a, UINT64_MAX, 8, "18446744073709551615");
}

static void test_doubles_print_as_java(void **state)
{
    (void)state;
    expect_double(1.5, "1.5");
    expect_double(3.0, "3.0");
    expect_double(-0.0, "-0.0");
    expect_double(0.1, "0.1");
    expect_double(0.001, "0.001");
    expect_double(100.25, "100.25");
    expect_double(1234567.5, "1234567.5");
    expect_double(-2.5e-1, "-0.25");
    /* Outside [1e-3, 1e7) Double.toString uses an exponent and JsonStringFormatter prints
     * new BigDecimal(d).toPlainString(): the exact binary value. */
    expect_double(1e7, "10000000");
    expect_double(1e20, "100000000000000000000");
    expect_double(123456789.125, "123456789.125");
    expect_double(0.0005, "0.0005000000000000000104083408558608425664715468883514404296875");
    expect_double(-1e-5,
                  "-0.000010000000000000000818030539140313095458623138256371021270751953125");
}

static void test_strings(void **state)
{
    (void)state;
    const uint8_t esc[] = {0x0c, 11, 'a', '"', '\\', '\n', '\t', 0x01, 0x1f, 0xc3, 0xa9, 0xff, '/'};
    expect_json(esc, sizeof(esc), "\"a\\\"\\\\\\n\\t\\u0001\\u001F\xc3\xa9\xef\xbf\xbd/\"");
    /* 200 bytes need a two-byte length: 200 = 0x48 | 0x80, then 1. */
    uint8_t longs[3 + 200] = {0x0c, 0xc8, 0x01};
    char want[203] = "\"";
    memset(longs + 3, 'z', 200);
    memset(want + 1, 'z', 200);
    want[201] = '"';
    expect_json(longs, sizeof(longs), want);
}

/* ---- Opaque values ---- */

static void test_opaque_decimal(void **state)
{
    (void)state;
    /* DECIMAL(4,2) 12.34: one byte for the two integer digits, one for the fraction. */
    expect_opaque(246, (const uint8_t[]){4, 2, 0x8c, 0x22}, 4, "12.34");
    expect_opaque(246, (const uint8_t[]){4, 2, 0x73, 0xdd}, 4, "-12.34");
    /* DECIMAL(10,2) 1234567.89: four bytes for eight integer digits. */
    expect_opaque(246, (const uint8_t[]){10, 2, 0x80, 0x12, 0xd6, 0x87, 0x59}, 7, "1234567.89");
    /* DECIMAL(3,3) 0.500 and DECIMAL(5,0) 7. */
    expect_opaque(246, (const uint8_t[]){3, 3, 0x81, 0xf4}, 4, "0.500");
    expect_opaque(246, (const uint8_t[]){5, 0, 0x80, 0x00, 0x07}, 5, "7");
    /* DECIMAL(20,10) -1.5: 10 integer digits = 4+1 bytes, 10 fraction digits = 4+1 bytes. */
    const uint8_t neg[] = {20, 10, 0x80, 0, 0, 0, 1, 0x1d, 0xcd, 0x65, 0x00, 0x00};
    uint8_t negb[sizeof(neg)];
    memcpy(negb, neg, sizeof(neg));
    for (size_t i = 2; i < sizeof(negb); i++)
        negb[i] ^= 0xff;
    expect_opaque(246, neg, sizeof(neg), "1.5000000000");
    expect_opaque(246, negb, sizeof(negb), "-1.5000000000");
}

static void test_opaque_temporal(void **state)
{
    (void)state;
    expect_temporal(12, pack_datetime(2015, 1, 15, 23, 24, 25, 0), "\"2015-01-15 23:24:25\"");
    expect_temporal(12, pack_datetime(2015, 1, 15, 23, 24, 25, 120000),
                    "\"2015-01-15 23:24:25.12\"");
    expect_temporal(7, pack_datetime(1999, 12, 31, 0, 0, 1, 5), "\"1999-12-31 00:00:01.000005\"");
    expect_temporal(10, pack_datetime(2015, 1, 15, 0, 0, 0, 0), "\"2015-01-15\"");
    uint64_t t = ((uint64_t)((12u << 12) | (34u << 6) | 56u) << 24) + 500000;
    expect_temporal(11, t, "\"12:34:56.5\"");
    expect_temporal(11, (uint64_t)0 - t, "\"-12:34:56.5\"");
    expect_temporal(11, (uint64_t)((838u << 12) | (59u << 6) | 59u) << 24, "\"838:59:59\"");
}

static void test_opaque_other_is_base64(void **state)
{
    (void)state;
    expect_opaque(15, (const uint8_t[]){0xca, 0xfe}, 2, "\"yv4=\"");
    expect_opaque(252, (const uint8_t[]){'a', 'b', 'c'}, 3, "\"YWJj\"");
    expect_opaque(16, (const uint8_t[]){0}, 0, "\"\"");
}

/* ---- Containers ---- */

static void test_small_array_inlined_and_nested(void **state)
{
    (void)state;
    /* [true, -2, 65000, null, {"k": "v"}, "s", 70000] */
    /* clang-format off */
    const uint8_t doc[] = {
        0x02, 7, 0,  45, 0,                       /* count 7, size 45 */
        0x04, 0x01, 0x00, 0x05, 0xfe, 0xff,       /* true, -2 */
        0x06, 0xe8, 0xfd, 0x04, 0x00, 0x00,       /* 65000, null */
        0x00, 25, 0, 0x0c, 39, 0,                 /* object at 25, string at 39 */
        0x07, 41, 0,                              /* int32 at 41 (not inlined: small) */
        /* 25: object {"k":"v"} */
        1, 0, 14, 0, 11, 0, 1, 0, 0x0c, 12, 0, 'k', 1, 'v',
        /* 39: "s" */
        1, 's',
        /* 41: 70000 */
        0x70, 0x11, 0x01, 0x00,
    };
    /* clang-format on */
    expect_json(doc, sizeof(doc), "[true,-2,65000,null,{\"k\":\"v\"},\"s\",70000]");
}

static void test_large_containers(void **state)
{
    (void)state;
    /* Large object {"a": -3, "b": 4000000000, "c": [1]} with 4-byte offsets; the int32/uint32
     * values are inlined in large containers. */
    /* clang-format off */
    const uint8_t doc[] = {
        0x01, 3, 0, 0, 0, 57, 0, 0, 0,              /* count 3, size 57 */
        41, 0, 0, 0, 1, 0,                          /* key a at 41 */
        42, 0, 0, 0, 1, 0,                          /* key b at 42 */
        43, 0, 0, 0, 1, 0,                          /* key c at 43 */
        0x07, 0xfd, 0xff, 0xff, 0xff,               /* -3 inlined */
        0x08, 0x00, 0x28, 0x6b, 0xee,               /* 4000000000 inlined */
        0x03, 44, 0, 0, 0,                          /* large array at 44 */
        'a', 'b', 'c',
        /* 44: large array [1]: count 1, size 13, int16 inlined in a 4-byte slot */
        1, 0, 0, 0, 13, 0, 0, 0, 0x05, 1, 0, 0, 0,
    };
    /* clang-format on */
    expect_json(doc, sizeof(doc), "{\"a\":-3,\"b\":4000000000,\"c\":[1]}");
}

/* n nested single-element small arrays around an empty one: n + 1 containers. */
static size_t build_nested(uint8_t *doc, size_t cap, int n)
{
    size_t len = 4;
    uint8_t *v = doc + cap - 4;
    memcpy(v, (const uint8_t[]){0, 0, 4, 0}, 4);
    for (int i = 0; i < n; i++) {
        v -= 7;
        len += 7;
        const uint8_t hdr[7] = {1, 0, (uint8_t)len, (uint8_t)(len >> 8), 0x02, 7, 0};
        memcpy(v, hdr, 7);
    }
    *--v = 0x02;
    memmove(doc, v, len + 1);
    return len + 1;
}

static void test_nesting_limit(void **state)
{
    (void)state;
    static uint8_t doc[1024];
    char want[256];
    size_t len = build_nested(doc, sizeof(doc), 99);
    for (int i = 0; i < 100; i++) {
        want[i] = '[';
        want[100 + i] = ']';
    }
    want[200] = '\0';
    expect_json(doc, len, want);
    len = build_nested(doc, sizeof(doc), 100);
    expect_bad(doc, len, false, "nesting deeper than 100");
}

/* ---- The json.binlog.000001 fixture (MySQL 8.0.22) ---- */

static void test_fixture_documents(void **state)
{
    (void)state;
    size_t flen;
    char *file = sl_test_read_file(sl_test_fixture("binlog/json.binlog.000001"), &flen);
    assert_non_null(file);
    assert_int_equal(flen, 4011);
    const uint8_t *b = (const uint8_t *)file;
    /* First WRITE_ROWS event (row id 1): the JSON column's 4-byte length 52 at 0x447, the
     * document at 0x44b. */
    assert_memory_equal(b + 0x447, "\x34\x00\x00\x00", 4);
    expect_json(b + 0x44b, 52, "{\"age\":24,\"data\":\"xxxxxxxxxx\",\"name\":\"Joe\"}");
    /* PARTIAL_UPDATE_ROWS at 3750: the first row's 11-byte diff (length at 0xece). */
    assert_memory_equal(b + 0xece, "\x0b\x00\x00\x00", 4);
    expect_diff(b + 0xed2, 11, "[{\"op\":\"replace\",\"path\":\"$.age\",\"value\":26}]");
    assert_memory_equal(b + 0xeee, "\x0b\x00\x00\x00", 4);
    expect_diff(b + 0xef2, 11, "[{\"op\":\"replace\",\"path\":\"$.age\",\"value\":34}]");
    free(file);
}

/* ---- Diffs ---- */

static void test_diff_operations(void **state)
{
    (void)state;
    /* clang-format off */
    const uint8_t diff[] = {
        1, 6, '$', '.', 'x', '[', '0', ']', 2, 0x0c, 0,  /* insert "" */
        2, 3, '$', '.', 'y',                              /* remove */
        0, 3, '$', '.', 'z', 0,                           /* replace with empty = null */
    };
    /* clang-format on */
    expect_diff(diff, sizeof(diff),
                "[{\"op\":\"insert\",\"path\":\"$.x[0]\",\"value\":\"\"},"
                "{\"op\":\"remove\",\"path\":\"$.y\"},"
                "{\"op\":\"replace\",\"path\":\"$.z\",\"value\":null}]");
    expect_diff(diff, 0, "[]");
}

static void test_diff_malformed(void **state)
{
    (void)state;
    expect_bad((const uint8_t[]){3, 1, '$'}, 3, true, "operation 3");
    expect_bad((const uint8_t[]){0}, 1, true, "path length");
    expect_bad((const uint8_t[]){0, 5, '$'}, 3, true, "path of 5 bytes");
    expect_bad((const uint8_t[]){0, 1, 'x', 0}, 4, true, "'$'");
    expect_bad((const uint8_t[]){0, 1, '$'}, 3, true, "value length");
    expect_bad((const uint8_t[]){0, 1, '$', 4, 0x05}, 5, true, "value of 4 bytes");
    expect_bad((const uint8_t[]){0, 1, '$', 2, 0x05, 1}, 6, true, "at byte 5");
    expect_bad((const uint8_t[]){0, 1, '$', 0xfb}, 4, true, NULL);
}

/* ---- Malformed documents ---- */

static void test_malformed_documents(void **state)
{
    (void)state;
    expect_bad((const uint8_t[]){0x0e}, 1, false, "unknown value type 0x0e");
    expect_bad((const uint8_t[]){0x04, 0x03}, 2, false, "bad literal");
    expect_bad((const uint8_t[]){0x09, 1, 2, 3}, 4, false, "truncated");
    expect_bad((const uint8_t[]){0x0b, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f}, 9, false, "not finite");
    expect_bad((const uint8_t[]){0x0c, 5, 'a'}, 3, false, "string of 5 bytes");
    expect_bad((const uint8_t[]){0x0c, 0x80, 0x80}, 3, false, "truncated length");
    expect_bad((const uint8_t[]){0x0c, 0xff, 0xff, 0xff, 0xff, 0x7f}, 6, false, "too large");
    expect_bad((const uint8_t[]){0x00, 1, 0}, 3, false, "truncated object header");
    expect_bad((const uint8_t[]){0x02, 1, 0, 9, 0}, 5, false, "exceeds");
    expect_bad((const uint8_t[]){0x02, 2, 0, 7, 0, 0x04, 1, 0}, 8, false, "does not fit");
    /* Value offset past the array's size; key past the object's size. */
    expect_bad((const uint8_t[]){0x02, 1, 0, 7, 0, 0x0c, 7, 0}, 8, false, "value offset 7");
    expect_bad((const uint8_t[]){0x00, 1, 0, 11, 0, 10, 0, 2, 0, 0x04, 1, 0}, 12, false,
               "key at offset 10");
    /* Opaque values. */
    expect_bad((const uint8_t[]){0x0f, 12, 3, 1, 2, 3}, 6, false, "expected 8");
    expect_bad((const uint8_t[]){0x0f, 246, 2, 70, 2}, 5, false, "DECIMAL(70,2)");
    expect_bad((const uint8_t[]){0x0f, 246, 3, 4, 2, 0x8c}, 6, false, "needs 2 bytes");
    expect_bad((const uint8_t[]){0x0f, 246, 4, 4, 2, 0xff, 0x22}, 7, false, "digit group");
    expect_bad((const uint8_t[]){0x0f, 15, 9, 1}, 4, false, "overruns");
    /* Error offsets are from the start of the input: the bad literal inside an array. */
    expect_bad((const uint8_t[]){0x02, 1, 0, 7, 0, 0x04, 9, 0}, 8, false, "at byte 6");
}

static void test_output_limit(void **state)
{
    (void)state;
    struct sl_buf buf;
    char errstr[128];
    const uint8_t doc[] = {0x0c, 10, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'};
    sl_buf_init(&buf, 8);
    assert_int_equal(sl_jsonb_to_json(doc, sizeof(doc), &buf, errstr, sizeof(errstr)),
                     SL_ERR_TOOBIG);
    assert_int_equal(buf.len, 0);
    assert_non_null(strstr(errstr, "8-byte limit"));
    sl_buf_fini(&buf);
}

/* Two entries may point at the same bytes (MySQL never writes that, but nothing forbids it):
 * the value is printed twice; the output cap, not a rejection, bounds the blow-up. */
static void test_shared_offsets(void **state)
{
    (void)state;
    const uint8_t doc[] = {0x02, 2, 0, 12, 0, 0x0c, 10, 0, 0x0c, 10, 0, 1, 'q'};
    expect_json(doc, sizeof(doc), "[\"q\",\"q\"]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_null),
        cmocka_unit_test(test_literals_and_integers),
        cmocka_unit_test(test_doubles_print_as_java),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_opaque_decimal),
        cmocka_unit_test(test_opaque_temporal),
        cmocka_unit_test(test_opaque_other_is_base64),
        cmocka_unit_test(test_small_array_inlined_and_nested),
        cmocka_unit_test(test_large_containers),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_fixture_documents),
        cmocka_unit_test(test_diff_operations),
        cmocka_unit_test(test_diff_malformed),
        cmocka_unit_test(test_malformed_documents),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_shared_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
