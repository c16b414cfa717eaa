/* SPDX-License-Identifier: Apache-2.0 */
/* The .properties parser against java.util.Properties.load rules: separators, comments,
 * escapes, continuations, line endings, BOM, duplicates and the bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/properties.h"

static struct sl_props parse_ok(const char *text)
{
    struct sl_props props;
    sl_props_init(&props);
    char errstr[256] = "";
    sl_err_t err =
        sl_props_parse(&props, "t.properties", text, strlen(text), errstr, sizeof(errstr));
    if (err)
        fail_msg("parse failed: %s", errstr);
    return props;
}

static void assert_prop(const struct sl_props *props, const char *key, const char *value,
                        unsigned line)
{
    const struct sl_prop *prop = sl_props_find(props, key);
    if (!prop)
        fail_msg("no key '%s'", key);
    assert_string_equal(prop->value, value);
    if (line)
        assert_int_equal(prop->line, line);
}

static void test_separators(void **state)
{
    (void)state;
    struct sl_props props = parse_ok("a=1\n"
                                     "b:2\n"
                                     "c 3\n"
                                     "d = 4\n"
                                     "e\t:\t5\n"
                                     "f\n"
                                     "g=\n"
                                     "   h  =  spaced value  \n"
                                     "i = = x\n"
                                     "j  :=y\n"
                                     "k=a=b:c d\n");
    assert_prop(&props, "a", "1", 1);
    assert_prop(&props, "b", "2", 2);
    assert_prop(&props, "c", "3", 3);
    assert_prop(&props, "d", "4", 4);
    assert_prop(&props, "e", "5", 5);
    assert_prop(&props, "f", "", 6);
    assert_prop(&props, "g", "", 7);
    /* Leading whitespace of the value is dropped; trailing whitespace is kept. */
    assert_prop(&props, "h", "spaced value  ", 8);
    /* Only the first separator is consumed. */
    assert_prop(&props, "i", "= x", 9);
    assert_prop(&props, "j", "=y", 10);
    assert_prop(&props, "k", "a=b:c d", 11);
    assert_int_equal(props.n, 11);
    assert_int_equal(props.nwarnings, 0);
    sl_props_fini(&props);
}

static void test_comments(void **state)
{
    (void)state;
    struct sl_props props = parse_ok("# hash comment\n"
                                     "! bang comment\n"
                                     "   \t# indented comment\n"
                                     "\n"
                                     "   \n"
                                     "a=b # not a comment\n"
                                     "# comment ending in a backslash \\\n"
                                     "c=d\n");
    assert_int_equal(props.n, 2);
    assert_prop(&props, "a", "b # not a comment", 6);
    /* A comment line never continues. */
    assert_prop(&props, "c", "d", 8);
    sl_props_fini(&props);
}

static void test_escapes(void **state)
{
    (void)state;
    struct sl_props props =
        parse_ok("k=\\t\\n\\r\\f\\\\ \\u0041\\u00e9\\u20AC\\uD83D\\uDE00\\q\\=\\:\\ \\#\n"
                 "a\\=b=c\n"
                 "x\\ y z\n"
                 "p\\:q:r\n"
                 "\\#notcomment=1\n"
                 "\\u006bey=v\n");
    assert_prop(&props, "k", "\t\n\r\f\\ A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80q=: #", 1);
    assert_prop(&props, "a=b", "c", 2);
    assert_prop(&props, "x y", "z", 3);
    assert_prop(&props, "p:q", "r", 4);
    assert_prop(&props, "#notcomment", "1", 5);
    assert_prop(&props, "key", "v", 6);
    sl_props_fini(&props);
}

static void test_continuations(void **state)
{
    (void)state;
    struct sl_props props = parse_ok("k=one \\\n"
                                     "     two \\\n"
                                     "\tthree\n"
                                     "even=a\\\\\n"
                                     "next=1\n"
                                     "list=a,\\\n"
                                     "  # not a comment here\n"
                                     "key\\\n"
                                     "  part=v\n"
                                     "blank=x\\\n"
                                     "\n"
                                     "after=2\n"
                                     "eof=z\\");
    assert_prop(&props, "k", "one two three", 1);
    /* An even number of backslashes is an escaped backslash, not a continuation. */
    assert_prop(&props, "even", "a\\", 4);
    assert_prop(&props, "next", "1", 5);
    assert_prop(&props, "list", "a,# not a comment here", 6);
    assert_prop(&props, "keypart", "v", 8);
    assert_prop(&props, "blank", "x", 10);
    assert_prop(&props, "after", "2", 12);
    /* A backslash at the very end of the file is dropped. */
    assert_prop(&props, "eof", "z", 13);
    sl_props_fini(&props);
}

static void test_line_endings_and_bom(void **state)
{
    (void)state;
    struct sl_props props = parse_ok("\xEF\xBB\xBF"
                                     "a=1\r\n"
                                     "b=2\r"
                                     "c=3\n"
                                     "d=x\\\r\n"
                                     "  y\r\n"
                                     "e=5");
    assert_prop(&props, "a", "1", 1);
    assert_prop(&props, "b", "2", 2);
    assert_prop(&props, "c", "3", 3);
    assert_prop(&props, "d", "xy", 4);
    assert_prop(&props, "e", "5", 6);
    assert_int_equal(props.n, 5);
    sl_props_fini(&props);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct sl_props props = parse_ok("a=1\nb=2\na=3\n");
    assert_int_equal(props.n, 2);
    /* Last wins; the entry keeps its first position but takes the later line. */
    assert_string_equal(props.items[0].key, "a");
    assert_prop(&props, "a", "3", 3);
    assert_int_equal(props.nwarnings, 1);
    assert_string_equal(
        props.warnings,
        "t.properties:3: duplicate key 'a' (first at line 1); the last value wins\n");
    sl_props_fini(&props);
}

static void expect_error(const char *text, size_t len, sl_err_t want, const char *msg)
{
    struct sl_props props;
    sl_props_init(&props);
    char errstr[256] = "";
    sl_err_t err = sl_props_parse(&props, "bad.properties", text, len, errstr, sizeof(errstr));
    assert_int_equal(err, want);
    assert_string_equal(errstr, msg);
    sl_props_fini(&props);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("a=1\nb=\\u12G4\n", 12, SL_ERR_PROTO,
                 "bad.properties:2: b: malformed \\uXXXX escape (expected 4 hex digits)");
    expect_error("a=1\n\nc=\\u12", 11, SL_ERR_PROTO,
                 "bad.properties:3: c: malformed \\uXXXX escape (expected 4 hex digits)");
    expect_error("x=\\uD800z\n", 10, SL_ERR_PROTO,
                 "bad.properties:1: x: \\u escape is a lone UTF-16 high surrogate");
    expect_error("\\uZZZZ=1\n", 9, SL_ERR_PROTO,
                 "bad.properties:1: key: malformed \\uXXXX escape (expected 4 hex digits)");
    expect_error("a=1\nb=2\0\n", 8, SL_ERR_PROTO,
                 "bad.properties:2: NUL byte in file (not a text file?)");

    size_t big = SL_PROPS_MAX_FILE + 1;
    char *text = malloc(big);
    memset(text, 'x', big);
    expect_error(text, big, SL_ERR_TOOBIG,
                 "bad.properties: file is 1048577 bytes, more than the 1048576 byte limit");
    memset(text, '\n', SL_PROPS_MAX_LINES + 1);
    expect_error(text, SL_PROPS_MAX_LINES + 1, SL_ERR_TOOBIG,
                 "bad.properties:100001: more than 100000 lines");
    free(text);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    struct sl_props props;
    sl_props_init(&props);
    char errstr[256];
    assert_int_equal(sl_props_load(&props, "/nonexistent/w.properties", errstr, sizeof(errstr)),
                     SL_ERR_IO);
    assert_string_equal(errstr,
                        "/nonexistent/w.properties: cannot open: No such file or directory");
    sl_props_fini(&props);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_continuations),
        cmocka_unit_test(test_line_endings_and_bom),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
