/* SPDX-License-Identifier: Apache-2.0 */
/* Golden cases for record -> item conversion: tests/golden/data/sink/<case>.in holds the
 * settings and the record ("name: value" lines), <case>.out the expected operation, table,
 * key and item in DynamoDB JSON, or "error: <reason>". Expected files are written by hand. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/parse.h"
#include "sink/item.h"
#include "testlib.h"

#define DATA_DIR SL_SOURCE_DIR "/tests/golden/data/sink"

/* Value of "name: value" in text (a copy in out); false when absent. */
static bool field(const char *text, const char *name, char *out, size_t out_size)
{
    size_t nl = strlen(name);
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        if (p[0] != '#' && ll > nl && memcmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(p + ll - v);
            if (vl >= out_size)
                fail_msg("%s: value too long", name);
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p += ll + (eol ? 1 : 0);
    }
    return false;
}

static bool yes(const char *text, const char *name)
{
    char v[16];
    bool b = false;
    return field(text, name, v, sizeof(v)) && sl_parse_bool(v, &b) == SL_OK && b;
}

static void run_case(const char *name, const char *in, struct sl_buf *out)
{
    struct sl_sink_item_conf conf;
    sl_sink_item_conf_defaults(&conf);
    static char v[1 << 16];
    char err[512];
    if (field(in, "pk.hash", v, sizeof(v)))
        assert_int_equal(sl_sink_pk_parse(v, &conf.hash, err, sizeof(err)), SL_OK);
    if (field(in, "pk.sort", v, sizeof(v)))
        assert_int_equal(sl_sink_pk_parse(v, &conf.sort, err, sizeof(err)), SL_OK);
    if (field(in, "table.name.format", conf.table_format, sizeof(conf.table_format)))
        assert_true(conf.table_format[0]);
    if (field(in, "key.converter", v, sizeof(v)) && strcmp(v, "string") == 0)
        conf.key_conv.type = SL_SINK_CONV_STRING;
    if (field(in, "value.converter", v, sizeof(v)) && strcmp(v, "string") == 0)
        conf.value_conv.type = SL_SINK_CONV_STRING;
    if (field(in, "key.schemas.enable", v, sizeof(v)))
        conf.key_conv.schemas_enable = yes(in, "key.schemas.enable");
    if (field(in, "value.schemas.enable", v, sizeof(v)))
        conf.value_conv.schemas_enable = yes(in, "value.schemas.enable");
    conf.delete_enabled = yes(in, "delete.enabled");

    static char topic[256], key[1 << 16], value[1 << 16];
    if (!field(in, "topic", topic, sizeof(topic)))
        fail_msg("%s: no topic", name);
    struct sl_sink_rec rec = {.topic = topic};
    int64_t n;
    if (field(in, "partition", v, sizeof(v)) && sl_parse_i64(v, &n) == SL_OK)
        rec.partition = (int32_t)n;
    if (field(in, "offset", v, sizeof(v)) && sl_parse_i64(v, &n) == SL_OK)
        rec.offset = n;
    if (!yes(in, "key.null") && field(in, "key", key, sizeof(key))) {
        rec.key = key;
        rec.key_len = strlen(key);
    }
    if (!yes(in, "value.null") && field(in, "value", value, sizeof(value))) {
        rec.value = value;
        rec.value_len = strlen(value);
    }
    struct sl_sink_item item;
    sl_sink_item_init(&item);
    if (sl_sink_item_convert(&conf, &rec, &item, err, sizeof(err)) != SL_OK) {
        sl_buf_addf(out, "error: %s\n", err);
    } else if (item.op == SL_SINK_OP_SKIP) {
        sl_buf_addstr(out, "op: SKIP\n");
    } else {
        sl_buf_addf(out, "op: %s\ntable: %s\nkey: %s\n",
                    item.op == SL_SINK_OP_PUT ? "PUT" : "DELETE", item.table,
                    sl_buf_cstr(&item.key));
        if (item.op == SL_SINK_OP_PUT)
            sl_buf_addf(out, "item: %s\n", sl_buf_cstr(&item.item));
    }
    sl_sink_item_fini(&item);
}

static void test_golden(void **state)
{
    (void)state;
    DIR *d = opendir(DATA_DIR);
    assert_non_null(d);
    int cases = 0, failed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 4 || strcmp(de->d_name + nl - 3, ".in") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", DATA_DIR, de->d_name);
        char *in = sl_test_read_file(path, NULL);
        assert_non_null(in);
        snprintf(path + strlen(path) - 3, 8, ".out");
        char *want = sl_test_read_file(path, NULL);
        if (!want)
            fail_msg("missing %s", path);
        struct sl_buf got;
        sl_buf_init(&got, 1 << 20);
        run_case(de->d_name, in, &got);
        if (strcmp(sl_buf_cstr(&got), want) != 0) {
            fprintf(stderr, "golden %s differs\n--- want\n%s--- got\n%s", de->d_name, want,
                    sl_buf_cstr(&got));
            failed++;
        }
        cases++;
        sl_buf_fini(&got);
        free(in);
        free(want);
    }
    closedir(d);
    fprintf(stderr, "%d golden cases, %d failed\n", cases, failed);
    assert_true(cases >= 9);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
