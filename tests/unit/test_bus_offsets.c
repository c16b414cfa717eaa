/* SPDX-License-Identifier: Apache-2.0 */
/* File offset store and Debezium offset codec: round trips, the documented format, atomic
 * rewrite (no temp file left, a crash's truncated temp ignored), malformed files named by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/offsets_file.h"
#include "core/time.h"
#include "testlib.h"

static char errstr[1024];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_codec(void **state)
{
    (void)state;
    struct sl_source_offset off = {0};
    off.file = strdup("mysql-bin.000003");
    off.pos = 154;
    off.gtids = strdup("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
    off.event = 2;
    off.row = 1;
    off.server_id = 223344;
    off.ts_sec = 1670000123;
    struct sl_buf buf;
    sl_buf_init(&buf, 4096);
    assert_int_equal(sl_source_offset_encode(&off, &buf), SL_OK);
    assert_string_equal(buf.data,
                        "{\"file\":\"mysql-bin.000003\",\"pos\":154,\"gtids\":"
                        "\"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5\",\"event\":2,\"row\":1,"
                        "\"server_id\":223344,\"ts_sec\":1670000123}");
    struct sl_source_offset back;
    assert_int_equal(sl_source_offset_decode(buf.data, buf.len, &back, errstr, sizeof(errstr)),
                     SL_OK);
    assert_string_equal(back.file, off.file);
    assert_string_equal(back.gtids, off.gtids);
    assert_int_equal(back.pos, 154);
    assert_int_equal(back.event, 2);
    assert_int_equal(back.row, 1);
    assert_int_equal(back.server_id, 223344);
    assert_int_equal(back.ts_sec, 1670000123);
    assert_false(back.snapshot);
    sl_source_offset_fini(&back);
    sl_source_offset_fini(&off);

    /* What Debezium 1.9 writes to connect-offsets (debezium-compat.md §3.1). */
    const char *dbz = "{\"transaction_id\":null,\"ts_sec\":1670000123,\"file\":"
                      "\"mysql-bin.000003\",\"pos\":154,\"gtids\":\"a:1-5\",\"row\":1,"
                      "\"server_id\":223344,\"event\":2}";
    assert_int_equal(sl_source_offset_decode(dbz, strlen(dbz), &back, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_equal(back.pos, 154);
    assert_string_equal(back.gtids, "a:1-5");
    sl_source_offset_fini(&back);
    const char *snap = " { \"ts_sec\" : 1, \"file\" : \"b.1\", \"pos\" : 4, \"snapshot\" : true } ";
    assert_int_equal(sl_source_offset_decode(snap, strlen(snap), &back, errstr, sizeof(errstr)),
                     SL_OK);
    assert_true(back.snapshot);
    sl_source_offset_fini(&back);
    const char *snap3 = "{\"file\":\"b.1\",\"pos\":4,\"snapshot\":\"INITIAL\"}";
    assert_int_equal(sl_source_offset_decode(snap3, strlen(snap3), &back, errstr, sizeof(errstr)),
                     SL_OK);
    assert_true(back.snapshot);
    sl_source_offset_fini(&back);

    static const struct {
        const char *json, *needle;
    } bad[] = {
        {"{\"file\":\"b.1\",\"pos\":\"4\"}", "\"pos\""},
        {"{\"file\":\"b.1\"}", "\"pos\" is required"},
        {"{\"pos\":4}", "\"file\" is required"},
        {"{\"file\":7,\"pos\":4}", "\"file\""},
        {"{\"file\":\"b.1\",\"pos\":4,\"row\":1.5}", "\"row\""},
        {"{\"file\":\"b.1\",\"pos\":4", "after key \"pos\""},
        {"[1]", "JSON object"},
        {"{\"file\":\"b.1\",\"pos\":4} x", "text after"},
        {"{\"file\":\"b\\q\",\"pos\":4}", "\"file\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sl_source_offset_decode(bad[i].json, strlen(bad[i].json), &back, errstr,
                                                 sizeof(errstr)),
                         SL_ERR_PROTO);
        if (!strstr(errstr, bad[i].needle))
            fail_msg("%s: error \"%s\" lacks %s", bad[i].json, errstr, bad[i].needle);
    }
    sl_buf_fini(&buf);
}

static void test_store_roundtrip(void **state)
{
    (void)state;
    char *dir = sl_test_tmpdir("sl-offsets");
    char path[512], tmp[600];
    snprintf(path, sizeof(path), "%s/offsets.jsonl", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    struct sl_offsets_file *of;
    assert_int_equal(sl_offsets_file_open(path, &of, errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(sl_offsets_file_count(of), 0);
    struct sl_buf out;
    sl_buf_init(&out, 4096);
    assert_int_equal(sl_offsets_file_get(of, "inv", "{\"server\":\"salesdb\"}", &out),
                     SL_ERR_NOTFOUND);
    assert_int_equal(sl_offsets_file_put(of, "inv", "{\"server\": \"salesdb\"}",
                                         "{\"file\":\"mysql-bin.000003\", \"pos\":154}"),
                     SL_OK);
    assert_int_equal(sl_offsets_file_put(of, "other \"q\"", "{\"server\":\"hr\"}",
                                         "{\"file\":\"b.9\",\"pos\":4,\"snapshot\":true}"),
                     SL_OK);
    assert_int_equal(sl_offsets_file_put(of, "inv", "{\"server\":\"salesdb\"}",
                                         "{\"file\":\"mysql-bin.000003\",\"pos\":999}"),
                     SL_OK);
    assert_int_equal(sl_offsets_file_put(of, "inv", "{\"server\":", "{}"), SL_ERR_PROTO);
    assert_int_equal(sl_offsets_file_put(of, "inv", "{\"server\":\"x\"}", "[]"), SL_ERR_PROTO);
    /* Nothing on disk until flushed (offset.flush.interval.ms). */
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(sl_offsets_file_tick(of, sl_time_mono_ms(), 60000, errstr, sizeof(errstr)),
                     SL_OK);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(sl_offsets_file_flush(of, errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(access(tmp, F_OK), -1); /* renamed away */
    char *text = sl_test_read_file(path, NULL);
    assert_string_equal(text, "{\"format\":\"sluice-offsets\",\"version\":1}\n"
                              "{\"key\":[\"inv\",{\"server\":\"salesdb\"}],\"value\":"
                              "{\"file\":\"mysql-bin.000003\",\"pos\":999}}\n"
                              "{\"key\":[\"other \\\"q\\\"\",{\"server\":\"hr\"}],\"value\":"
                              "{\"file\":\"b.9\",\"pos\":4,\"snapshot\":true}}\n");
    free(text);
    sl_offsets_file_free(of);

    /* A crash mid-write leaves a torn temp file: ignored, removed, old file intact. */
    write_file(tmp, "{\"format\":\"sluice-offsets\",\"version\":1}\n{\"key\":[\"inv\",{\"ser");
    assert_int_equal(sl_offsets_file_open(path, &of, errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(sl_offsets_file_count(of), 2);
    assert_int_equal(sl_offsets_file_get(of, "inv", " { \"server\" : \"salesdb\" } ", &out), SL_OK);
    assert_string_equal(out.data, "{\"file\":\"mysql-bin.000003\",\"pos\":999}");
    sl_buf_reset(&out);
    assert_int_equal(sl_offsets_file_get(of, "other \"q\"", "{\"server\":\"hr\"}", &out), SL_OK);
    struct sl_source_offset off;
    assert_int_equal(sl_source_offset_decode(out.data, out.len, &off, errstr, sizeof(errstr)),
                     SL_OK);
    assert_true(off.snapshot);
    assert_string_equal(off.file, "b.9");
    sl_source_offset_fini(&off);
    /* Erase one, flush, reopen. */
    assert_int_equal(sl_offsets_file_put(of, "other \"q\"", "{\"server\":\"hr\"}", NULL), SL_OK);
    assert_int_equal(sl_offsets_file_tick(of, INT64_MAX / 2, 1000, errstr, sizeof(errstr)), SL_OK);
    sl_offsets_file_free(of);
    assert_int_equal(sl_offsets_file_open(path, &of, errstr, sizeof(errstr)), SL_OK);
    assert_int_equal(sl_offsets_file_count(of), 1);
    sl_offsets_file_free(of);
    sl_buf_fini(&out);
    sl_test_rmtree(dir);
    free(dir);
}

static void test_store_malformed(void **state)
{
    (void)state;
    char *dir = sl_test_tmpdir("sl-offsets");
    char path[512];
    snprintf(path, sizeof(path), "%s/o.jsonl", dir);
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"", "empty"},
        {"hello\n", "line 1: not a Sluice offsets file"},
        {"{\"format\":\"sluice-offsets\",\"version\":1}\n{\"key\":[\"a\",{}],\"value\":{}",
         "line 2: truncated"},
        {"{\"format\":\"sluice-offsets\",\"version\":1}\n{\"key\":[\"a\",{}],\"value\":{}}\n"
         "{\"key\":[\"a\"],\"value\":{}}\n",
         "line 3: expected"},
        {"{\"format\":\"sluice-offsets\",\"version\":1}\n{\"key\":[\"a\",{}],\"value\":[]}\n",
         "line 2"},
        {"{\"format\":\"sluice-offsets\",\"version\":1}\n{\"key\":[\"a\",{}],\"value\":{},"
         "\"x\":1}\n",
         "line 2"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(path, bad[i].text);
        struct sl_offsets_file *of = NULL;
        assert_int_equal(sl_offsets_file_open(path, &of, errstr, sizeof(errstr)), SL_ERR_PROTO);
        assert_null(of);
        if (!strstr(errstr, bad[i].needle) || !strstr(errstr, path))
            fail_msg("case %zu: error \"%s\" lacks \"%s\" or the path", i, errstr, bad[i].needle);
    }
    sl_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec),
        cmocka_unit_test(test_store_roundtrip),
        cmocka_unit_test(test_store_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
