/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the binlog decoder over hand-built events: column type edges (decimals,
 * unsigned BIGINT, BIT(64), SET of 64, 2-byte ENUM, CHAR > 255, 2-byte VARCHAR, 1-4 byte
 * blob lengths, fsp 1..6), checksum mismatch, truncation at every length, skipping of
 * unknown and ignorable events, MariaDB zlib-compressed QUERY/rows events and the refusal
 * of rows events that cannot be decoded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "source/decode.h"

struct bb {
    uint8_t d[8192];
    size_t n;
};

static void put(struct bb *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->d));
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void put8(struct bb *b, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)(v >> (8 * i));
        put(b, &c, 1);
    }
}

static void putbe(struct bb *b, uint64_t v, size_t n)
{
    for (size_t i = n; i > 0; i--) {
        uint8_t c = (uint8_t)(v >> (8 * (i - 1)));
        put(b, &c, 1);
    }
}

/* Whole event: header + body (+ CRC32). */
static void event(struct bb *out, uint8_t type, uint16_t flags, const struct bb *body, bool crc)
{
    out->n = 0;
    uint32_t size = (uint32_t)(19 + body->n + (crc ? 4 : 0));
    put8(out, 1700000000, 4);
    put(out, &type, 1);
    put8(out, 7, 4);
    put8(out, size, 4);
    put8(out, 1000 + size, 4);
    put8(out, flags, 2);
    put(out, body->d, body->n);
    if (crc)
        put8(out, crc32(0L, out->d, (uInt)out->n), 4);
}

static void fde(struct bb *out, bool crc)
{
    struct bb b = {.n = 0};
    char ver[50] = "8.0.40";
    put8(&b, 4, 2);
    put(&b, ver, 50);
    put8(&b, 0, 4);
    put8(&b, 19, 1);
    uint8_t ph[42] = {0};
    ph[1] = 13; /* QUERY */
    ph[3] = 8;  /* ROTATE */
    ph[14] = 98;
    ph[18] = 8;  /* TABLE_MAP */
    ph[22] = ph[23] = ph[24] = 8;
    ph[29] = ph[30] = ph[31] = 10;
    ph[32] = ph[33] = 42;
    ph[38] = 10;
    put(&b, ph, sizeof(ph));
    put8(&b, crc ? 1 : 0, 1);
    event(out, SL_BINLOG_FORMAT_DESCRIPTION, 0, &b, true);
}

struct colspec {
    uint8_t type;
    uint8_t meta[2];
    uint8_t nmeta;
};

static void table_map(struct bb *out, const struct colspec *cols, size_t n, bool unsig)
{
    struct bb b = {.n = 0};
    put8(&b, 42, 6);
    put8(&b, 1, 2);
    put8(&b, 2, 1);
    put(&b, "db\0", 3);
    put8(&b, 1, 1);
    put(&b, "t\0", 2);
    put8(&b, n, 1);
    for (size_t i = 0; i < n; i++)
        put(&b, &cols[i].type, 1);
    size_t ml = 0;
    for (size_t i = 0; i < n; i++)
        ml += cols[i].nmeta;
    put8(&b, ml, 1);
    for (size_t i = 0; i < n; i++)
        put(&b, cols[i].meta, cols[i].nmeta);
    for (size_t i = 0; i < (n + 7) / 8; i++)
        put8(&b, 0xff, 1);
    if (unsig) {
        /* SIGNEDNESS: every numeric column unsigned. */
        put8(&b, 1, 1);
        put8(&b, 8, 1);
        put8(&b, UINT64_MAX, 8);
    }
    event(out, SL_BINLOG_TABLE_MAP, 0, &b, true);
}

/* WRITE_ROWS v2 with one row of n present, non-NULL columns whose bytes are vals. */
static void write_rows(struct bb *out, size_t n, const struct bb *vals)
{
    struct bb b = {.n = 0};
    put8(&b, 42, 6);
    put8(&b, 1, 2);
    put8(&b, 2, 2);
    put8(&b, n, 1);
    for (size_t i = 0; i < (n + 7) / 8; i++)
        put8(&b, 0xff, 1);
    for (size_t i = 0; i < (n + 7) / 8; i++)
        put8(&b, 0, 1);
    put(&b, vals->d, vals->n);
    event(out, SL_BINLOG_WRITE_ROWS, 0, &b, true);
}

struct fx {
    struct sl_decoder *dec;
    struct sl_arena arena;
    char err[512];
};

static int setup(void **state)
{
    static struct fx f;
    struct bb e;
    f.dec = sl_decoder_new();
    sl_decoder_set_file(f.dec, "bin.000001");
    sl_arena_init(&f.arena, 0);
    fde(&e, true);
    struct sl_event ev;
    assert_int_equal(sl_decoder_decode_one(f.dec, e.d, e.n, 4, &f.arena, &ev, f.err,
                                           sizeof(f.err)), SL_OK);
    assert_int_equal(ev.u.fde.checksum_alg, 1);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sl_decoder_free(f->dec);
    sl_arena_fini(&f->arena);
    return 0;
}

/* Maps cols, writes one row from vals, returns its after image. */
static const struct sl_value *row(struct fx *f, const struct colspec *cols, size_t n,
                                  bool unsig, const struct bb *vals)
{
    struct bb e;
    struct sl_event ev;
    table_map(&e, cols, n, unsig);
    if (sl_decoder_decode_one(f->dec, e.d, e.n, 100, &f->arena, &ev, f->err, sizeof(f->err)))
        fail_msg("%s", f->err);
    write_rows(&e, n, vals);
    sl_err_t err = sl_decoder_decode_one(f->dec, e.d, e.n, 200, &f->arena, &ev, f->err,
                                         sizeof(f->err));
    if (err)
        fail_msg("%s", f->err);
    assert_int_equal(ev.u.rows.nchanges, 1);
    return ev.u.rows.changes[0].after;
}

static void assert_s(const struct sl_value *v, uint8_t kind, const char *want, size_t n)
{
    assert_int_equal(v->kind, kind);
    assert_int_equal(v->v.s.len, n);
    assert_memory_equal(v->v.s.ptr, want, n);
}

/* DECIMAL(p,s) binary of a value given as digits: built by the MySQL rule. */
static void put_decimal(struct bb *b, bool neg, const char *intdigits, const char *fracdigits,
                        int prec, int scale)
{
    static const int d2b[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    uint8_t tmp[40];
    struct bb t = {.n = 0};
    int intg = prec - scale;
    char ip[80], fp[40];
    int pad = intg - (int)strlen(intdigits);
    memset(ip, '0', (size_t)pad);
    snprintf(ip + pad, sizeof(ip) - (size_t)pad, "%s", intdigits);
    snprintf(fp, sizeof(fp), "%s", fracdigits);
    int lead = intg % 9;
    const char *p = ip;
    if (lead) {
        char g[10] = {0};
        memcpy(g, p, (size_t)lead);
        putbe(&t, (uint64_t)strtoull(g, NULL, 10), (size_t)d2b[lead]);
        p += lead;
    }
    for (int k = 0; k < intg / 9; k++, p += 9) {
        char g[10] = {0};
        memcpy(g, p, 9);
        putbe(&t, strtoull(g, NULL, 10), 4);
    }
    p = fp;
    for (int k = 0; k < scale / 9; k++, p += 9) {
        char g[10] = {0};
        memcpy(g, p, 9);
        putbe(&t, strtoull(g, NULL, 10), 4);
    }
    if (scale % 9) {
        char g[10] = {0};
        memcpy(g, p, (size_t)(scale % 9));
        putbe(&t, strtoull(g, NULL, 10), (size_t)d2b[scale % 9]);
    }
    memcpy(tmp, t.d, t.n);
    tmp[0] ^= 0x80;
    if (neg) {
        for (size_t i = 0; i < t.n; i++)
            tmp[i] = (uint8_t)~tmp[i];
    }
    put(b, tmp, t.n);
}

static void test_decimals(void **state)
{
    struct fx *f = *state;
    const struct colspec cols[] = {{246, {10, 2}, 2}, {246, {65, 30}, 2}, {246, {5, 0}, 2},
                                   {246, {10, 4}, 2}, {246, {4, 2}, 2}};
    struct bb v = {.n = 0};
    put_decimal(&v, true, "1234", "50", 10, 2);
    put_decimal(&v, false, "12345678901234567890123456789012345",
                "123456789012345678901234567890", 65, 30);
    put_decimal(&v, true, "99999", "", 5, 0);
    put_decimal(&v, false, "0", "0001", 10, 4);
    put_decimal(&v, true, "0", "00", 4, 2);
    const struct sl_value *a = row(f, cols, 5, false, &v);
    assert_s(&a[0], SL_VAL_DECIMAL, "-1234.50", 8);
    const char *big = "12345678901234567890123456789012345.123456789012345678901234567890";
    assert_s(&a[1], SL_VAL_DECIMAL, big, strlen(big));
    assert_s(&a[2], SL_VAL_DECIMAL, "-99999", 6);
    assert_s(&a[3], SL_VAL_DECIMAL, "0.0001", 6);
    assert_s(&a[4], SL_VAL_DECIMAL, "0.00", 4);
}

static void test_integers(void **state)
{
    struct fx *f = *state;
    const struct colspec cols[] = {{8, {0}, 0}, {1, {0}, 0}, {9, {0}, 0}, {2, {0}, 0}};
    struct bb v = {.n = 0};
    put8(&v, UINT64_MAX, 8);
    put8(&v, 0xff, 1);
    put8(&v, 0xffffff, 3);
    put8(&v, 0x8000, 2);
    const struct sl_value *a = row(f, cols, 4, true, &v);
    assert_int_equal(a[0].kind, SL_VAL_UINT);
    assert_true(a[0].v.u == UINT64_MAX);
    assert_int_equal(a[1].v.u, 255);
    assert_int_equal(a[2].v.u, 0xffffff);
    assert_int_equal(a[3].v.u, 0x8000);
    a = row(f, cols, 4, false, &v); /* signed without SIGNEDNESS */
    assert_int_equal(a[0].kind, SL_VAL_INT);
    assert_int_equal(a[0].v.i, -1);
    assert_int_equal(a[1].v.i, -1);
    assert_int_equal(a[2].v.i, -1);
    assert_int_equal(a[3].v.i, -32768);
}

static void test_bit_set_enum_strings(void **state)
{
    struct fx *f = *state;
    const struct colspec cols[] = {
        {16, {0, 8}, 2},      /* BIT(64) */
        {254, {0xf8, 8}, 2},  /* SET of 64 */
        {254, {0xf7, 2}, 2},  /* 2-byte ENUM */
        {254, {0xde, 0x58}, 2}, /* CHAR, 600 bytes: 0x58 | (0x20 << 4) */
        {15, {0x2c, 0x01}, 2}, /* VARCHAR(300) */
        {252, {1}, 1}, {252, {2}, 1}, {252, {3}, 1}, {252, {4}, 1},
        {13, {0}, 0}, {13, {0}, 0},
    };
    struct bb v = {.n = 0};
    putbe(&v, 0x0123456789abcdefULL, 8);
    put8(&v, UINT64_MAX, 8);
    put8(&v, 300, 2);
    char big[600];
    memset(big, 'x', sizeof(big));
    put8(&v, 600, 2);
    put(&v, big, 600);
    put8(&v, 300, 2);
    put(&v, big, 300);
    put8(&v, 3, 1);
    put(&v, "abc", 3);
    put8(&v, 2, 2);
    put(&v, "de", 2);
    put8(&v, 1, 3);
    put(&v, "f", 1);
    put8(&v, 4, 4);
    put(&v, "ghij", 4);
    put8(&v, 124, 1);
    put8(&v, 0, 1);
    const struct sl_value *a = row(f, cols, 11, false, &v);
    assert_s(&a[0], SL_VAL_BIT, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    assert_int_equal(a[1].kind, SL_VAL_SET);
    assert_true(a[1].v.u == UINT64_MAX);
    assert_int_equal(a[2].kind, SL_VAL_ENUM);
    assert_int_equal(a[2].v.u, 300);
    assert_int_equal(a[3].kind, SL_VAL_STRING);
    assert_int_equal(a[3].v.s.len, 600);
    assert_int_equal(a[4].v.s.len, 300);
    assert_s(&a[5], SL_VAL_BYTES, "abc", 3); /* no charset known: bytes */
    assert_s(&a[6], SL_VAL_BYTES, "de", 2);
    assert_s(&a[7], SL_VAL_BYTES, "f", 1);
    assert_s(&a[8], SL_VAL_BYTES, "ghij", 4);
    assert_int_equal(a[9].v.i, 2024);
    assert_int_equal(a[10].v.i, 0);
}

static void test_temporal_fsp(void **state)
{
    struct fx *f = *state;
    for (unsigned fsp = 0; fsp <= 6; fsp++) {
        const struct colspec cols[] = {{19, {(uint8_t)fsp}, 1}, {18, {(uint8_t)fsp}, 1},
                                       {17, {(uint8_t)fsp}, 1}, {10, {0}, 0},
                                       {18, {(uint8_t)fsp}, 1}, {17, {(uint8_t)fsp}, 1}};
        static const uint32_t usec6 = 123456;
        uint32_t div = 1;
        for (unsigned k = fsp; k < 6; k++)
            div *= 10;
        uint32_t usec = fsp ? usec6 / div * div : 0;
        size_t nb = (fsp + 1) / 2;
        uint64_t fracv = nb == 1 ? usec / 10000 : nb == 2 ? usec / 100 : usec;
        struct bb v = {.n = 0};
        /* TIME2 -838:59:58.usec, negative: packed = -(int << 24 | usec). */
        int64_t hms = (838 << 12) | (59 << 6) | 58;
        int64_t packed = -((hms << 24) + usec);
        if (fsp == 0) {
            packed = -(hms << 24);
            putbe(&v, (uint64_t)((packed >> 24) + 0x800000), 3);
        } else if (fsp >= 5) {
            putbe(&v, (uint64_t)(packed + 0x800000000000LL), 6);
        } else {
            /* intpart rounds down, frac is the positive complement. */
            int64_t ip = -hms - (usec ? 1 : 0);
            int64_t unit = nb == 1 ? 10000 : 100;
            int64_t fr = usec ? (nb == 1 ? 0x100 : 0x10000) - usec / unit : 0;
            putbe(&v, (uint64_t)(ip + 0x800000), 3);
            putbe(&v, (uint64_t)fr, nb);
        }
        /* DATETIME2 2024-02-29 13:14:15.usec */
        uint64_t ym = 2024 * 13 + 2;
        uint64_t ip = ((ym << 5 | 29) << 17) | (13 << 12) | (14 << 6) | 15;
        putbe(&v, ip + 0x8000000000ULL, 5);
        putbe(&v, fracv, nb);
        putbe(&v, 1700000000, 4); /* TIMESTAMP2 */
        putbe(&v, fracv, nb);
        put8(&v, 0, 3); /* zero DATE */
        putbe(&v, 0x8000000000ULL, 5); /* zero DATETIME */
        putbe(&v, 0, nb);
        putbe(&v, 0, 4); /* zero TIMESTAMP */
        putbe(&v, 0, nb);
        const struct sl_value *a = row(f, cols, 6, false, &v);
        assert_int_equal(a[0].kind, SL_VAL_TIME);
        assert_true(a[0].v.tm.neg);
        assert_int_equal(a[0].v.tm.hour, 838);
        assert_int_equal(a[0].v.tm.minute, 59);
        assert_int_equal(a[0].v.tm.second, 58);
        assert_int_equal(a[0].v.tm.usec, usec);
        assert_int_equal(a[1].kind, SL_VAL_DATETIME);
        assert_int_equal(a[1].v.tm.year, 2024);
        assert_int_equal(a[1].v.tm.month, 2);
        assert_int_equal(a[1].v.tm.day, 29);
        assert_int_equal(a[1].v.tm.hour, 13);
        assert_int_equal(a[1].v.tm.second, 15);
        assert_int_equal(a[1].v.tm.usec, usec);
        assert_int_equal(a[2].v.ts.sec, 1700000000);
        assert_int_equal(a[2].v.ts.usec, usec);
        assert_int_equal(a[3].kind, SL_VAL_DATE);
        assert_int_equal(a[3].v.tm.year, 0);
        assert_int_equal(a[4].v.tm.year, 0);
        assert_int_equal(a[4].v.tm.month, 0);
        assert_int_equal(a[5].v.ts.sec, 0);
    }
}

static void test_checksum_mismatch(void **state)
{
    struct fx *f = *state;
    struct bb b = {.n = 0}, e;
    put8(&b, 99, 8);
    event(&e, SL_BINLOG_XID, 0, &b, true);
    e.d[20] ^= 1;
    struct sl_event ev;
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 777, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_CHECKSUM);
    assert_non_null(strstr(f->err, "bin.000001:777"));
    e.d[20] ^= 1;
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 777, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    assert_int_equal(ev.u.xid.xid, 99);
}

static void test_unknown_and_ignorable(void **state)
{
    struct fx *f = *state;
    struct bb b = {.n = 0}, e;
    put(&b, "aurora-padding", 14);
    struct sl_event ev;
    event(&e, 100, SL_BINLOG_F_IGNORABLE, &b, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 300, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    assert_int_equal(ev.kind, SL_EV_OTHER);
    assert_int_equal(ev.type, 100);
    event(&e, 77, 0, &b, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 300, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    assert_int_equal(ev.kind, SL_EV_OTHER);
}

/* MariaDB compressed body: header byte 0x80 | lenlen, length big-endian, zlib stream. */
static void put_maria_z(struct bb *b, const void *p, size_t n, uint8_t alg)
{
    uint8_t z[4096];
    uLongf zn = sizeof(z);
    assert_int_equal(compress(z, &zn, p, (uLong)n), Z_OK);
    put8(b, 0x80 | (uint8_t)(alg << 4) | 2, 1);
    putbe(b, n, 2);
    put(b, z, zn);
}

static void test_maria_compressed(void **state)
{
    struct fx *f = *state;
    const struct colspec cols[] = {{3, {0}, 0}, {15, {200, 0}, 2}};
    struct bb tm, e, b = {.n = 0}, rows = {.n = 0};
    struct sl_event ev;
    table_map(&tm, cols, 2, false);
    assert_int_equal(sl_decoder_decode_one(f->dec, tm.d, tm.n, 100, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    /* Two rows: (7, 'x' * 150) and (-1, NULL). */
    char text[150];
    memset(text, 'x', sizeof(text));
    put8(&rows, 0, 1);
    put8(&rows, 7, 4);
    put8(&rows, sizeof(text), 1);
    put(&rows, text, sizeof(text));
    put8(&rows, 2, 1);
    put8(&rows, 0xffffffff, 4);
    /* WRITE_ROWS_COMPRESSED_V1: table id, flags, ncols, bitmap, compressed rows. */
    put8(&b, 42, 6);
    put8(&b, 1, 2);
    put8(&b, 2, 1);
    put8(&b, 3, 1);
    size_t head = b.n;
    put_maria_z(&b, rows.d, rows.n, 0);
    event(&e, SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1, 0, &b, true);
    sl_err_t err = sl_decoder_decode_one(f->dec, e.d, e.n, 200, &f->arena, &ev, f->err,
                                         sizeof(f->err));
    if (err)
        fail_msg("%s", f->err);
    assert_int_equal(ev.kind, SL_EV_ROWS);
    assert_int_equal(ev.u.rows.op, SL_OP_INSERT);
    assert_int_equal(ev.u.rows.nchanges, 2);
    assert_int_equal(ev.u.rows.changes[0].after[0].v.i, 7);
    assert_int_equal(ev.u.rows.changes[0].after[1].v.s.len, 150);
    assert_memory_equal(ev.u.rows.changes[0].after[1].v.s.ptr, text, 150);
    assert_int_equal(ev.u.rows.changes[1].after[0].v.i, -1);
    assert_int_equal(ev.u.rows.changes[1].after[1].kind, SL_VAL_NULL);

    /* A flipped byte in the zlib stream (CRC recomputed): a clear error, no rows. */
    struct bb bad = b;
    bad.d[bad.n - 6] ^= 0x55;
    event(&e, SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1, 0, &bad, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 300, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_PROTO);
    assert_non_null(strstr(f->err, "bin.000001:300"));
    assert_non_null(strstr(f->err, "zlib"));
    /* A declared length the data cannot reach. */
    bad = b;
    bad.d[head + 1] = 0xff;
    event(&e, SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1, 0, &bad, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 300, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_PROTO);
    /* An algorithm other than zlib. */
    bad.n = head;
    put_maria_z(&bad, rows.d, rows.n, 1);
    event(&e, SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1, 0, &bad, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 300, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_UNSUPPORTED);
    assert_non_null(strstr(f->err, "MARIA_WRITE_ROWS_COMPRESSED_V1"));

    /* QUERY_COMPRESSED: post-header, no status vars, db "db", compressed text. */
    const char *sql = "CREATE TABLE db.t (a INT, b VARCHAR(200)) ENGINE=InnoDB";
    b.n = 0;
    put8(&b, 9, 4);
    put8(&b, 0, 4);
    put8(&b, 2, 1);
    put8(&b, 0, 2);
    put8(&b, 0, 2);
    put(&b, "db\0", 3);
    put_maria_z(&b, sql, strlen(sql), 0);
    event(&e, SL_BINLOG_MARIA_QUERY_COMPRESSED, 0, &b, true);
    err = sl_decoder_decode_one(f->dec, e.d, e.n, 400, &f->arena, &ev, f->err, sizeof(f->err));
    if (err)
        fail_msg("%s", f->err);
    assert_int_equal(ev.kind, SL_EV_QUERY);
    assert_int_equal(ev.u.query.sql.len, strlen(sql));
    assert_string_equal(ev.u.query.sql.ptr, sql);
    assert_string_equal(ev.u.query.db.ptr, "db");
}

/* MySQL serialization varlen: trailing one bits of the first byte count the extra bytes. */
static void put_varlen(struct bb *b, uint64_t v)
{
    size_t n = 1;
    while (n < 9 && v >= ((uint64_t)1 << (7 * n)))
        n++;
    if (n == 9) {
        put8(b, 0xff, 1);
        put8(b, v, 8);
        return;
    }
    put8(b, ((1u << (n - 1)) - 1) | (uint8_t)(v << n), 1);
    if (n > 1)
        put8(b, v >> (8 - n), n - 1);
}

/* GTID_TAGGED (MySQL 8.4): signed fields (gno, logical clocks) are zig-zag coded. */
static void test_gtid_tagged(void **state)
{
    struct fx *f = *state;
    struct bb fields = {.n = 0}, b = {.n = 0}, e;
    struct sl_event ev;
    put_varlen(&fields, 0);
    put_varlen(&fields, 1);
    put_varlen(&fields, 1);
    for (int i = 0; i < 16; i++)
        put_varlen(&fields, (uint64_t)(0xa0 + i));
    put_varlen(&fields, 2);
    put_varlen(&fields, 2 * 1234567);
    put_varlen(&fields, 3);
    put_varlen(&fields, 4);
    put(&fields, "blue", 4);
    put_varlen(&fields, 4);
    put_varlen(&fields, 2 * 7);
    put_varlen(&fields, 5);
    put_varlen(&fields, 2 * 8);
    put_varlen(&fields, 6);
    put_varlen(&fields, 1700000000000000ULL);
    put_varlen(&b, fields.n + 2);
    put_varlen(&b, 6);
    put(&b, fields.d, fields.n);
    event(&e, SL_BINLOG_GTID_TAGGED, 0, &b, true);
    sl_err_t err = sl_decoder_decode_one(f->dec, e.d, e.n, 600, &f->arena, &ev, f->err,
                                         sizeof(f->err));
    if (err)
        fail_msg("%s", f->err);
    assert_int_equal(ev.kind, SL_EV_GTID);
    assert_string_equal(ev.u.gtid.text.ptr,
                        "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf:blue:1234567");
    assert_int_equal(ev.u.gtid.flags, 1);
    assert_int_equal(ev.u.gtid.last_committed, 7);
    assert_int_equal(ev.u.gtid.sequence_number, 8);
    /* A negative gno (zig-zag odd) is refused. */
    b.n = 0;
    fields.n = 0;
    put_varlen(&fields, 1);
    for (int i = 0; i < 16; i++)
        put_varlen(&fields, 1);
    put_varlen(&fields, 2);
    put_varlen(&fields, 3);
    put_varlen(&b, fields.n + 2);
    put_varlen(&b, 6);
    put(&b, fields.d, fields.n);
    event(&e, SL_BINLOG_GTID_TAGGED, 0, &b, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 600, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_PROTO);
}

/* Rows events the decoder cannot read are errors naming position and type, never skipped. */
static void test_rows_v0_refused(void **state)
{
    struct fx *f = *state;
    struct bb b = {.n = 0}, e;
    struct sl_event ev;
    put8(&b, 42, 6);
    put8(&b, 1, 2);
    put8(&b, 1, 1);
    put8(&b, 1, 1);
    put8(&b, 0, 1);
    put8(&b, 5, 4);
    /* Old DECIMAL (type 0): refused, naming table, row and column. */
    const struct colspec cols[] = {{3, {0}, 0}, {0, {0}, 0}};
    struct bb tm, v = {.n = 0};
    table_map(&tm, cols, 2, false);
    assert_int_equal(sl_decoder_decode_one(f->dec, tm.d, tm.n, 100, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    put8(&v, 1, 4);
    put(&v, "   12.50", 8);
    write_rows(&e, 2, &v);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 200, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_UNSUPPORTED);
    assert_non_null(strstr(f->err, "db.t row 0 column 1"));
    assert_non_null(strstr(f->err, "old DECIMAL"));
    for (uint8_t t = SL_BINLOG_WRITE_ROWS_V0; t <= SL_BINLOG_DELETE_ROWS_V0; t++) {
        event(&e, t, 0, &b, true);
        assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 4242, &f->arena, &ev, f->err,
                                               sizeof(f->err)), SL_ERR_UNSUPPORTED);
        assert_non_null(strstr(f->err, "bin.000001:4242"));
        assert_non_null(strstr(f->err, "ROWS_V0"));
    }
}

/* Every truncation of valid events (with the size field fixed up and the CRC recomputed,
 * so the parser itself sees short bodies) gives a clean error or a valid decode. */
static void test_truncation_loop(void **state)
{
    struct fx *f = *state;
    const struct colspec cols[] = {{246, {10, 2}, 2}, {15, {0x2c, 0x01}, 2}, {252, {2}, 1},
                                   {19, {3}, 1}, {254, {0xf8, 8}, 2}, {16, {3, 1}, 2}};
    struct bb v = {.n = 0}, tm, wr;
    put_decimal(&v, true, "1234", "50", 10, 2);
    put8(&v, 3, 2);
    put(&v, "abc", 3);
    put8(&v, 2, 2);
    put(&v, "de", 2);
    putbe(&v, 0x800000 + 100, 3);
    putbe(&v, 5, 2);
    put8(&v, 7, 8);
    put8(&v, 0x0102, 2);
    table_map(&tm, cols, 6, false);
    write_rows(&wr, 6, &v);
    const struct bb *evs[] = {&tm, &wr};
    for (int k = 0; k < 2; k++) {
        const struct bb *e = evs[k];
        for (size_t len = 0; len < e->n; len++) {
            struct bb t = {.n = 0};
            struct sl_event ev;
            put(&t, e->d, len);
            if (len >= 19 + 4) {
                uint32_t size = (uint32_t)len;
                memcpy(t.d + 9, &size, 4); /* little-endian host */
                uint32_t c = (uint32_t)crc32(0L, t.d, (uInt)(len - 4));
                memcpy(t.d + len - 4, &c, 4);
            }
            if (k == 1) {
                /* Re-map the full table first so the rows event finds it. */
                assert_int_equal(sl_decoder_decode_one(f->dec, tm.d, tm.n, 100, &f->arena, &ev,
                                                       f->err, sizeof(f->err)), SL_OK);
            }
            sl_err_t err = sl_decoder_decode_one(f->dec, t.d, t.n, 500, &f->arena, &ev, f->err,
                                                 sizeof(f->err));
            if (err)
                assert_true(err == SL_ERR_PROTO || err == SL_ERR_CHECKSUM);
        }
    }
    /* The real thing still decodes. */
    struct sl_event ev;
    assert_int_equal(sl_decoder_decode_one(f->dec, tm.d, tm.n, 100, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    assert_int_equal(sl_decoder_decode_one(f->dec, wr.d, wr.n, 200, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    assert_int_equal(ev.u.rows.changes[0].after[3].v.tm.minute, 1);
}

/* Regression (found by fuzz_source_decode): a rows event whose columns-present bitmap is all
 * zeros makes every row image zero bytes long; the decoder looped forever over the same
 * remaining bytes and grew its arena until memory ran out. It must be a clean error. */
static void test_rows_empty_present_bitmap(void **state)
{
    struct fx *f = *state;
    const struct colspec cols[1] = {{.type = 3}};
    struct bb e, b = {.n = 0};
    struct sl_event ev;
    table_map(&e, cols, 1, false);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 100, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_OK);
    put8(&b, 42, 6);
    put8(&b, 1, 2);
    put8(&b, 2, 2);
    put8(&b, 1, 1); /* one column */
    put8(&b, 0, 1); /* ...but none present */
    put8(&b, 0x12345678, 4); /* leftover bytes that no row can consume */
    event(&e, SL_BINLOG_WRITE_ROWS, 0, &b, true);
    assert_int_equal(sl_decoder_decode_one(f->dec, e.d, e.n, 200, &f->arena, &ev, f->err,
                                           sizeof(f->err)), SL_ERR_PROTO);
    assert_non_null(strstr(f->err, "bin.000001:200"));
    assert_non_null(strstr(f->err, "no column present"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decimals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bit_set_enum_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_temporal_fsp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_ignorable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maria_compressed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_v0_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gtid_tagged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_empty_present_bitmap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
