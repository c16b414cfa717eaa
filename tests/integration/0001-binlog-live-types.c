/* SPDX-License-Identifier: Apache-2.0 */
/* Every column type through a real MariaDB binlog: a table with all types gets extreme,
 * zero, NULL and ordinary values (multi-row statements, updates, deletes) plus a
 * 10,000-row transaction; `sluice binlog tail --until-current` and `sluice binlog dump` on
 * the binlog file must print after-images equal, column by column, to what SELECT returns
 * (rendered here in the same JSON format from the text protocol). */
#include <mysql.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "testlib.h"

/* Stops the servers and removes the temporary directory on every exit path. */
static char cleanup_cmd[4096];
static char *cleanup_dir;

static void cleanup(void)
{
    if (cleanup_cmd[0])
        sl_test_run(cleanup_cmd, NULL);
    if (cleanup_dir)
        sl_test_rmtree(cleanup_dir);
}

enum kind { K_INT, K_YEAR, K_FLOAT, K_DOUBLE, K_DEC, K_STR, K_BIN, K_DATE, K_TIME, K_DT, K_TS };

struct colspec {
    const char *name;
    const char *decl;
    enum kind kind;
    const char *sel; /* SELECT expression with %s for the column; NULL = the column */
    const char *vals[4]; /* rows 1..4: min, max, zero, typical (row 5 is all NULL) */
};

#define NONE NULL
static const struct colspec cols[] = {
    {"c_tiny", "TINYINT", K_INT, NONE, {"-128", "127", "0", "42"}},
    {"c_tiny_u", "TINYINT UNSIGNED", K_INT, NONE, {"0", "255", "0", "200"}},
    {"c_small", "SMALLINT", K_INT, NONE, {"-32768", "32767", "0", "-1234"}},
    {"c_small_u", "SMALLINT UNSIGNED", K_INT, NONE, {"0", "65535", "0", "40000"}},
    {"c_med", "MEDIUMINT", K_INT, NONE, {"-8388608", "8388607", "0", "-99999"}},
    {"c_med_u", "MEDIUMINT UNSIGNED", K_INT, NONE, {"0", "16777215", "0", "9000000"}},
    {"c_int", "INT", K_INT, NONE, {"-2147483648", "2147483647", "0", "29001"}},
    {"c_int_u", "INT UNSIGNED", K_INT, NONE, {"0", "4294967295", "0", "3000000000"}},
    {"c_big", "BIGINT", K_INT, NONE,
     {"-9223372036854775808", "9223372036854775807", "0", "-1234567890123"}},
    {"c_big_u", "BIGINT UNSIGNED", K_INT, NONE,
     {"0", "18446744073709551615", "0", "12345678901234567890"}},
    {"c_float", "FLOAT", K_FLOAT, NONE, {"-3.40282e38", "3.40282e38", "0", "1.5"}},
    {"c_double", "DOUBLE", K_DOUBLE, NONE,
     {"-1.7976931348623157e308", "1.7976931348623157e308", "0", "0.1"}},
    {"c_dec65", "DECIMAL(65,30)", K_DEC, NONE,
     {"-99999999999999999999999999999999999.999999999999999999999999999999",
      "99999999999999999999999999999999999.999999999999999999999999999999", "0",
      "12345.000000000000000000000000000001"}},
    {"c_dec52", "DECIMAL(5,2)", K_DEC, NONE, {"-999.99", "999.99", "0", "-0.5"}},
    {"c_dec10", "DECIMAL(10,0)", K_DEC, NONE, {"-9999999999", "9999999999", "0", "7"}},
    {"c_dec18", "DECIMAL(18,9) UNSIGNED", K_DEC, NONE,
     {"0", "999999999.999999999", "0", "1.000000001"}},
    {"c_bit1", "BIT(1)", K_INT, "%s+0", {"b'0'", "b'1'", "b'0'", "b'1'"}},
    {"c_bit64", "BIT(64)", K_INT, "%s+0",
     {"0", "18446744073709551615", "0", "1234567890123"}},
    {"c_year", "YEAR", K_YEAR, NONE, {"1901", "2155", "0", "2022"}},
    {"c_date", "DATE", K_DATE, NONE,
     {"'1000-01-01'", "'9999-12-31'", "'0000-00-00'", "'2022-06-15'"}},
#define TIMEC(n)                                                                           \
    {"c_time" #n, "TIME(" #n ")", K_TIME, NONE,                                            \
     {"'-838:59:59'", "'838:59:59'", "'00:00:00'", "'-12:34:56.123456'"}}
    TIMEC(0), TIMEC(1), TIMEC(2), TIMEC(3), TIMEC(4), TIMEC(5), TIMEC(6),
#define DTC(n)                                                                             \
    {"c_dt" #n, "DATETIME(" #n ")", K_DT, NONE,                                            \
     {"'1000-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'0000-00-00 00:00:00'",  \
      "'2022-06-15 07:52:16.654321'"}}
    DTC(0), DTC(1), DTC(2), DTC(3), DTC(4), DTC(5), DTC(6),
#define TSC(n)                                                                             \
    {"c_ts" #n, "TIMESTAMP(" #n ") NULL DEFAULT NULL", K_TS, NONE,                         \
     {"'1970-01-01 00:00:01'", "'2038-01-19 03:14:07.999999'", "'0000-00-00 00:00:00'",  \
      "'2022-06-15 07:52:16.654321'"}}
    TSC(0), TSC(1), TSC(2), TSC(3), TSC(4), TSC(5), TSC(6),
    {"c_char", "CHAR(10) CHARACTER SET utf8mb4", K_STR, NONE,
     {"'a'", "'\xf0\x9f\x98\x80\xf0\x9f\x98\x83\xc3\xa9\xe2\x82\xac'", "''", "'ab c'"}},
    {"c_vchar", "VARCHAR(100) CHARACTER SET utf8mb4", K_STR, NONE,
     {"' lead and trail  '", "'quote \" back \\\\ tab \\t nl \\n \xf0\x9f\x98\x80'", "''",
      "'h\xc3\xa9llo w\xc3\xb6rld'"}},
    {"c_text", "TEXT CHARACTER SET utf8mb4", K_STR, NONE,
     {"'x'", "REPEAT('\xe6\x97\xa5\xe6\x9c\xac', 2000)", "''", "'text \xe2\x9c\x93'"}},
    {"c_char_l", "CHAR(10) CHARACTER SET latin1", K_STR, NONE,
     {"'caf\xc3\xa9'", "'\xe2\x82\xac\xc3\xbf\xc3\xa0'", "''", "'abc'"}},
    {"c_vchar_l", "VARCHAR(100) CHARACTER SET latin1", K_STR, NONE,
     {"'\xc3\x80\xc3\x89\xc3\x8e'", "'\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x84\xa2'", "''",
      "'plain'"}},
    {"c_text_l", "TEXT CHARACTER SET latin1", K_STR, NONE,
     {"'\xc3\x9f'", "REPEAT('\xc3\xa5', 3000)", "''", "'latin1 text'"}},
    {"c_bin", "BINARY(4)", K_BIN, NONE, {"X'00FF7F80'", "X'FFFFFFFF'", "X'00000000'",
                                         "'abcd'"}},
    {"c_vbin", "VARBINARY(100)", K_BIN, NONE, {"X'00'", "X'FF00FF'", "''", "'bytes'"}},
    {"c_blob", "BLOB", K_BIN, NONE, {"X'00'", "REPEAT('b', 65535)", "''", "X'DEADBEEF'"}},
    {"c_mblob", "MEDIUMBLOB", K_BIN, NONE,
     {"X'01'", "REPEAT(X'00FF', 32768)", "''", "REPEAT('0123456789abcdef', 4096)"}},
    {"c_enum", "ENUM('a','b','c')", K_STR, NONE, {"'a'", "'c'", "''", "'b'"}},
    {"c_set", "SET('x','y','z')", K_STR, NONE, {"'x'", "'x,y,z'", "''", "'y,z'"}},
    /* MariaDB's JSON is LONGTEXT with a check: the binlog carries text, printed as a string. */
    {"c_json", "JSON", K_STR, NONE,
     {"'{}'", "'{\"a\":[1,2,{\"b\":null}],\"e\":\"\xf0\x9f\x98\x80\"}'", "'[]'",
      "'\"str\"'"}},
    {"c_geom", "GEOMETRY", K_BIN, "ST_AsBinary(%s)",
     {"ST_GeomFromText('POINT(1 2)')", "ST_GeomFromText('LINESTRING(0 0,1 1,2 2)')",
      "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')", "ST_GeomFromText('POINT(-1.5 3.25)')"}},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static int failures;

static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (failures < 60) {
        fprintf(stderr, "FAIL: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
    }
    va_end(ap);
    failures++;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void sql(MYSQL *m, const char *q)
{
    if (mysql_real_query(m, q, (unsigned long)strlen(q)))
        die("query failed: %s: %.300s", mysql_error(m), q);
}

/* ---- Parsing sluice's output ---- */

static const char *skip_value(const char *p)
{
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            p++;
        }
        return *p ? p + 1 : p;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p) {
            if (*p == '"') {
                p = skip_value(p);
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            if (*p == '}' || *p == ']') {
                depth--;
                if (depth == 0)
                    return p + 1;
            }
            p++;
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']')
        p++;
    return p;
}

struct image {
    int n;
    char *names[128];
    char *vals[128];
};

static void image_free(struct image *im)
{
    for (int i = 0; i < im->n; i++) {
        free(im->names[i]);
        free(im->vals[i]);
    }
    im->n = 0;
}

/* Parses {"k":v,...} at p into im. */
static void parse_image(const char *p, struct image *im)
{
    im->n = 0;
    if (*p != '{')
        return;
    p++;
    while (*p == '"' && im->n < 128) {
        const char *kend = strchr(p + 1, '"');
        if (!kend)
            return;
        im->names[im->n] = strndup(p + 1, (size_t)(kend - p - 1));
        const char *v = kend + 2; /* skip ": */
        const char *vend = skip_value(v);
        im->vals[im->n] = strndup(v, (size_t)(vend - v));
        im->n++;
        p = vend;
        if (*p == ',')
            p++;
    }
}

static const char *image_get(const struct image *im, const char *name)
{
    for (int i = 0; i < im->n; i++)
        if (strcmp(im->names[i], name) == 0)
            return im->vals[i];
    return NULL;
}

/* Text of the field "key": in a line (a simple string or number). */
static char *field(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    const char *e = skip_value(p);
    return strndup(p, (size_t)(e - p));
}

#define MAXID 20001
struct state {
    struct image last[MAXID]; /* last after image per id */
    bool present[MAXID];
    int inserts, updates, deletes, big_inserts;
    bool deleted_seen[MAXID];
};

static void consume(const char *out, const char *table, struct state *st)
{
    const char *line = out;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = strndup(line, len);
        char *tab = field(l, "table");
        char *op = field(l, "op");
        char *pos = field(l, "pos");
        if (!tab || !op || !pos || pos[0] != '"' || !strchr(pos, ':'))
            failf("malformed output line: %.200s", l);
        else if (strcmp(tab, table) == 0) {
            const char *after = strstr(l, "\"after\":");
            const char *before = strstr(l, "\"before\":");
            struct image im = {0};
            if (strcmp(op, "\"delete\"") == 0) {
                parse_image(before + 9, &im);
                const char *id = image_get(&im, "id");
                int n = id ? (int)strtol(id, NULL, 10) : -1;
                if (n <= 0 || n >= MAXID)
                    failf("delete without id: %.200s", l);
                else {
                    st->present[n] = false;
                    st->deleted_seen[n] = true;
                }
                if (strncmp(after + 8, "null", 4) != 0)
                    failf("delete with an after image: %.200s", l);
                st->deletes++;
                image_free(&im);
            } else {
                if (strcmp(op, "\"insert\"") == 0) {
                    st->inserts++;
                    if (strncmp(before + 9, "null", 4) != 0)
                        failf("insert with a before image: %.200s", l);
                } else {
                    st->updates++;
                    if (before[9] != '{')
                        failf("update without a before image: %.200s", l);
                }
                parse_image(after + 8, &im);
                const char *id = image_get(&im, "id");
                int n = id ? (int)strtol(id, NULL, 10) : -1;
                if (n <= 0 || n >= MAXID) {
                    failf("row without id: %.200s", l);
                    image_free(&im);
                } else {
                    image_free(&st->last[n]);
                    st->last[n] = im;
                    st->present[n] = true;
                }
            }
        }
        free(tab);
        free(op);
        free(pos);
        free(l);
        line += len;
        if (*line == '\n')
            line++;
    }
}

/* ---- Expected values from SELECT ---- */

static void expected(enum kind k, const char *txt, unsigned long len, struct sl_buf *buf)
{
    sl_buf_reset(buf);
    if (!txt) {
        sl_buf_addstr(buf, "null");
        return;
    }
    switch (k) {
    case K_INT:
    case K_FLOAT:
    case K_DOUBLE:
        sl_buf_add(buf, txt, len);
        break;
    case K_YEAR:
        sl_buf_addf(buf, "%ld", strtol(txt, NULL, 10));
        break;
    case K_STR:
        sl_json_str(buf, txt, len);
        break;
    case K_BIN:
        sl_buf_addch(buf, '"');
        sl_base64_add(buf, txt, len);
        sl_buf_addch(buf, '"');
        break;
    case K_DEC:
    case K_DATE:
    case K_TIME:
    case K_DT:
    case K_TS:
        sl_buf_addch(buf, '"');
        for (unsigned long i = 0; i < len; i++)
            sl_buf_addch(buf, (k >= K_DT && txt[i] == ' ') ? 'T' : txt[i]);
        if (k == K_TS)
            sl_buf_addch(buf, 'Z');
        sl_buf_addch(buf, '"');
        break;
    }
}

static bool same(enum kind k, const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return true;
    if (k == K_FLOAT && strcmp(got, "null") && strcmp(want, "null"))
        return strtof(got, NULL) == strtof(want, NULL);
    if (k == K_DOUBLE && strcmp(got, "null") && strcmp(want, "null"))
        return strtod(got, NULL) == strtod(want, NULL);
    return false;
}

static void compare_types(MYSQL *m, struct state *st, const char *what)
{
    struct sl_buf q;
    sl_buf_init(&q, 1 << 20);
    sl_buf_addstr(&q, "SELECT id");
    for (size_t c = 0; c < NCOLS; c++) {
        sl_buf_addstr(&q, ", ");
        if (cols[c].sel) {
            const char *at = strstr(cols[c].sel, "%s");
            sl_buf_add(&q, cols[c].sel, (size_t)(at - cols[c].sel));
            sl_buf_addstr(&q, cols[c].name);
            sl_buf_addstr(&q, at + 2);
        } else
            sl_buf_addstr(&q, cols[c].name);
    }
    sl_buf_addstr(&q, " FROM it.types ORDER BY id");
    sql(m, q.data);
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    struct sl_buf want;
    sl_buf_init(&want, 1 << 24);
    int nrows = 0;
    bool in_table[MAXID] = {false};
    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(res);
        int id = (int)strtol(row[0], NULL, 10);
        in_table[id] = true;
        nrows++;
        if (!st->present[id]) {
            failf("%s: row id=%d is in the table but not in the output", what, id);
            continue;
        }
        for (size_t c = 0; c < NCOLS; c++) {
            expected(cols[c].kind, row[c + 1], lens[c + 1], &want);
            const char *got = image_get(&st->last[id], cols[c].name);
            if (!got)
                failf("%s: id=%d column %s (%s) missing from the output", what, id,
                      cols[c].name, cols[c].decl);
            else if (!same(cols[c].kind, got, want.data))
                failf("%s: id=%d column %s (%s): sluice printed %.160s%s but SELECT gives "
                      "%.160s%s", what, id, cols[c].name, cols[c].decl, got,
                      strlen(got) > 160 ? "..." : "", want.data, want.len > 160 ? "..." : "");
        }
    }
    mysql_free_result(res);
    for (int id = 1; id < MAXID; id++)
        if (st->present[id] && !in_table[id])
            failf("%s: id=%d is in the output but was deleted", what, id);
    if (nrows != 6)
        failf("%s: expected 6 rows in it.types, SELECT found %d", what, nrows);
    sl_buf_fini(&want);
    sl_buf_fini(&q);
}

static void compare_big(MYSQL *m, struct state *st, const char *what)
{
    sql(m, "SELECT id, a, b, c FROM it.big ORDER BY id");
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    struct sl_buf want;
    sl_buf_init(&want, 1 << 20);
    int n = 0;
    static const char *names[] = {"id", "a", "b", "c"};
    static const enum kind kinds[] = {K_INT, K_INT, K_STR, K_DOUBLE};
    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(res);
        int id = (int)strtol(row[0], NULL, 10);
        n++;
        if (id <= 0 || id >= MAXID || !st->present[id]) {
            failf("%s: big id=%d not in the output", what, id);
            continue;
        }
        for (int c = 0; c < 4; c++) {
            expected(kinds[c], row[c], lens[c], &want);
            const char *got = image_get(&st->last[id], names[c]);
            if (!got || !same(kinds[c], got, want.data))
                failf("%s: big id=%d column %s: sluice printed %s but SELECT gives %s", what,
                      id, names[c], got ? got : "(missing)", want.data);
        }
    }
    mysql_free_result(res);
    if (n != 10000 || st->inserts != 10000)
        failf("%s: big: %d rows in table, %d inserts in the output (want 10000)", what, n,
              st->inserts);
    sl_buf_fini(&want);
}

static void check_output(MYSQL *m, const char *out, const char *what)
{
    struct state *st = calloc(1, sizeof(*st));
    consume(out, "\"types\"", st);
    /* 6 rows inserted in 4 statements + 3 multi-row, 2 updates of 2 rows, 1 more update,
     * 2 deletes. */
    if (st->inserts != 8 || st->updates != 5 || st->deletes != 2)
        failf("%s: it.types: %d inserts, %d updates, %d deletes (want 8, 5, 2)", what,
              st->inserts, st->updates, st->deletes);
    if (!st->deleted_seen[7] || !st->deleted_seen[8])
        failf("%s: deletes of id 7 and 8 missing", what);
    compare_types(m, st, what);
    for (int i = 0; i < MAXID; i++)
        image_free(&st->last[i]);
    memset(st, 0, sizeof(*st));
    consume(out, "\"big\"", st);
    compare_big(m, st, what);
    for (int i = 0; i < MAXID; i++)
        image_free(&st->last[i]);
    free(st);
}

/* ---- Workload ---- */

static void insert_row(MYSQL *m, struct sl_buf *q, int id, int which)
{
    sl_buf_addf(q, "(%d", id);
    for (size_t c = 0; c < NCOLS; c++)
        sl_buf_addf(q, ", %s", which < 0 ? "NULL" : cols[c].vals[which]);
    sl_buf_addch(q, ')');
    (void)m;
}

static void workload(MYSQL *m)
{
    sql(m, "SET SESSION sql_mode = ''");
    sql(m, "SET SESSION time_zone = '+00:00'");
    sql(m, "CREATE DATABASE it");
    struct sl_buf q;
    sl_buf_init(&q, 64 << 20);
    sl_buf_addstr(&q, "CREATE TABLE it.types (id INT PRIMARY KEY");
    for (size_t c = 0; c < NCOLS; c++)
        sl_buf_addf(&q, ", %s %s", cols[c].name, cols[c].decl);
    sl_buf_addstr(&q, ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    sql(m, q.data);
    /* Rows 1 and 2 in one statement (min, max), then zero, typical and all-NULL alone. */
    sl_buf_reset(&q);
    sl_buf_addstr(&q, "INSERT INTO it.types VALUES ");
    insert_row(m, &q, 1, 0);
    sl_buf_addch(&q, ',');
    insert_row(m, &q, 2, 1);
    sql(m, q.data);
    int which[] = {2, 3, -1};
    for (int i = 0; i < 3; i++) {
        sl_buf_reset(&q);
        sl_buf_addstr(&q, "INSERT INTO it.types VALUES ");
        insert_row(m, &q, 3 + i, which[i]);
        sql(m, q.data);
    }
    sql(m, "INSERT INTO it.types (id, c_int, c_vchar, c_mblob) VALUES "
           "(6, 1, 'six', REPEAT('6', 70000)), (7, 2, 'seven', NULL), (8, 3, 'eight', '')");
    sql(m, "UPDATE it.types SET c_int = c_int + 1, c_vchar = CONCAT(c_vchar, '!'), "
           "c_dt6 = '2001-02-03 04:05:06.7', c_tiny_u = 255 WHERE id IN (4, 6)");
    sql(m, "BEGIN");
    sql(m, "UPDATE it.types SET c_json = '{\"k\":\"v\"}', c_ts3 = '2020-02-29 12:00:00.5', "
           "c_enum = 'c', c_set = 'x,z' WHERE id IN (2, 6)");
    sql(m, "DELETE FROM it.types WHERE id IN (7, 8)");
    sql(m, "COMMIT");
    sql(m, "UPDATE it.types SET c_bit64 = 1, c_date = '0000-00-00', c_time6 = '-00:00:00.5' "
           "WHERE id = 3");

    sql(m, "CREATE TABLE it.big (id INT PRIMARY KEY, a BIGINT, b VARCHAR(32), c DOUBLE)");
    sql(m, "BEGIN");
    for (int chunk = 0; chunk < 10; chunk++) {
        sl_buf_reset(&q);
        sl_buf_addstr(&q, "INSERT INTO it.big VALUES ");
        for (int i = 0; i < 1000; i++) {
            int id = chunk * 1000 + i + 1;
            sl_buf_addf(&q, "%s(%d, %lld, 'row-%d-\xc3\xa9', %d.25)", i ? "," : "", id,
                        (long long)id * -1000003LL, id, id);
        }
        sql(m, q.data);
    }
    sql(m, "COMMIT");
    sl_buf_fini(&q);
}

int main(void)
{
    const char *bin = getenv("SLUICE_BIN");
    if (!bin)
        die("SLUICE_BIN is not set (run through ctest)");
    char *dir = sl_test_tmpdir("sl-it-0001");
    cleanup_dir = dir;
    {
        const char *stop_lib = sl_test_src("tests/lib/mariadb.sh");
        snprintf(cleanup_cmd, sizeof(cleanup_cmd), "bash %s stop %s/db", stop_lib, dir);
    }
    atexit(cleanup);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "bash %s start %s/db", sl_test_src("tests/lib/mariadb.sh"), dir);
    if (sl_test_run(cmd, NULL) != 0)
        die("could not start MariaDB (is mariadb-server installed?): %s", cmd);
    char envpath[1024];
    snprintf(envpath, sizeof(envpath), "%s/db/env", dir);
    char *env = sl_test_read_file(envpath, NULL);
    if (!env)
        die("no %s", envpath);
    char port[16] = "", sock[1024] = "", pw[256] = "", datadir[1024] = "";
    for (char *line = env, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "MARIADB_PORT=", 13))
            snprintf(port, sizeof(port), "%s", line + 13);
        if (!strncmp(line, "MARIADB_SOCKET=", 15))
            snprintf(sock, sizeof(sock), "%s", line + 15);
        if (!strncmp(line, "MARIADB_PASSWORD=", 17))
            snprintf(pw, sizeof(pw), "%s", line + 17);
        if (!strncmp(line, "MARIADB_DATADIR=", 16))
            snprintf(datadir, sizeof(datadir), "%s", line + 16);
    }
    free(env);

    MYSQL *m = mysql_init(NULL);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock, 0))
        die("connect as root: %s", mysql_error(m));
    workload(m);
    sql(m, "SET SESSION time_zone = '+00:00'");

    char *out = NULL;
    snprintf(cmd, sizeof(cmd),
             "SLUICE_MYSQL_PASSWORD='%s' timeout 120 %s binlog tail --host 127.0.0.1 --port %s "
             "--user sluice --from binlog.000001:4 --server-id 4242 --until-current",
             pw, bin, port);
    int rc = sl_test_run(cmd, &out);
    if (rc != 0)
        failf("binlog tail exited with %d", rc);
    else
        check_output(m, out, "tail");
    free(out);

    snprintf(cmd, sizeof(cmd), "timeout 120 %s binlog dump %s/binlog.000001", bin, datadir);
    rc = sl_test_run(cmd, &out);
    if (rc != 0)
        failf("binlog dump exited with %d", rc);
    else
        check_output(m, out, "dump");
    free(out);

    mysql_close(m);
    if (failures) {
        fprintf(stderr, "%d mismatches\n", failures);
        return 1;
    }
    printf("all columns of every row match SELECT (tail and dump)\n");
    return 0;
}
