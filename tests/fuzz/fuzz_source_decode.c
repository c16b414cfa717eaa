/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the binlog decoder. An input that starts with the binlog magic is a whole
 * file image, read through the file reader as `sluice binlog dump` would; any other input is a
 * run of events (each framed by its header's size field) fed after a valid MySQL 8.0 FDE without
 * checksums. Every event is drained, including the inner events of TRANSACTION_PAYLOAD. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "source/binlog_file.h"
#include "source/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Post-header lengths of a MySQL 8.0.22 FDE (json.binlog.000001). */
static const uint8_t post_header[40] = {
    0x00, 0x0d, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00,
    0x61, 0x00, 0x04, 0x1a, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x0a, 0x0a, 0x0a, 0x2a, 0x2a, 0x00, 0x12, 0x34, 0x00, 0x0a, 0x28,
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* FDE: header, version 4, server version, create time, header length 19, post-header lengths,
 * checksum algorithm 0 (none) and the 4-byte checksum field the FDE always has. */
static size_t build_fde(uint8_t *fde)
{
    size_t len = 19 + 2 + 50 + 4 + 1 + sizeof(post_header) + 1 + 4;
    memset(fde, 0, len);
    fde[4] = 15;
    put32(fde + 5, 1);
    put32(fde + 9, (uint32_t)len);
    put32(fde + 13, (uint32_t)(4 + len));
    fde[19] = 4;
    memcpy(fde + 21, "8.0.22", 6);
    fde[75] = 19;
    memcpy(fde + 76, post_header, sizeof(post_header));
    return len;
}

/* Reads every byte of every string a change carries, so sanitizers see a view that points
 * outside its arena or past the event. */
static uint32_t touch_values(const struct sl_value *vals, uint32_t ncols)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; vals && i < ncols; i++) {
        switch (vals[i].kind) {
        case SL_VAL_DECIMAL:
        case SL_VAL_STRING:
        case SL_VAL_BYTES:
        case SL_VAL_BIT:
        case SL_VAL_JSON:
        case SL_VAL_JSON_DIFF:
        case SL_VAL_GEOMETRY:
        case SL_VAL_VECTOR:
            for (size_t k = 0; k < vals[i].v.s.len; k++)
                sum += (uint8_t)vals[i].v.s.ptr[k];
            break;
        default:
            sum += vals[i].kind;
        }
    }
    return sum;
}

static void drain(struct sl_decoder *dec, struct sl_arena *arena)
{
    struct sl_event ev;
    char errstr[256];
    /* The bound only guards against a decoder that never says EOF. */
    for (int i = 0; i < 1000000; i++) {
        sl_err_t err = sl_decoder_next(dec, arena, &ev, errstr, sizeof(errstr));
        if (err)
            return;
        if (ev.kind == SL_EV_ROWS) {
            volatile uint32_t sum = 0;
            for (uint32_t c = 0; c < ev.u.rows.nchanges; c++) {
                const struct sl_change *chg = &ev.u.rows.changes[c];
                sum += touch_values(chg->before, chg->table->ncols);
                sum += touch_values(chg->after, chg->table->ncols);
            }
            (void)sum;
        }
    }
    abort();
}

static void fuzz_file(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/fuzz_source_decode.%ld.bin", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    char errstr[256];
    struct sl_binlog_file *bf = NULL;
    sl_err_t err = sl_binlog_file_open(path, &bf, errstr, sizeof(errstr));
    unlink(path);
    if (err)
        return;
    struct sl_decoder *dec = sl_decoder_new();
    struct sl_arena arena;
    sl_arena_init(&arena, 4096);
    sl_decoder_set_file(dec, sl_binlog_file_name(bf));
    while (sl_binlog_file_feed(bf, dec, errstr, sizeof(errstr)) == SL_OK) {
        drain(dec, &arena);
        sl_arena_reset(&arena);
    }
    sl_arena_fini(&arena);
    sl_decoder_free(dec);
    sl_binlog_file_free(bf);
}

static void fuzz_events(const uint8_t *data, size_t size)
{
    uint8_t fde[160];
    size_t fde_len = build_fde(fde);
    struct sl_decoder *dec = sl_decoder_new();
    struct sl_arena arena;
    char errstr[256];
    sl_arena_init(&arena, 4096);
    sl_decoder_set_file(dec, "binlog.000001");
    if (sl_decoder_put(dec, fde, fde_len, 4, errstr, sizeof(errstr)))
        abort();
    drain(dec, &arena);
    uint64_t pos = 4 + fde_len;
    size_t off = 0;
    while (off < size) {
        size_t left = size - off;
        size_t n = left;
        if (left >= 13) {
            uint32_t evsize = (uint32_t)data[off + 9] | (uint32_t)data[off + 10] << 8 |
                              (uint32_t)data[off + 11] << 16 | (uint32_t)data[off + 12] << 24;
            if (evsize >= 19 && evsize <= left)
                n = evsize;
        }
        if (sl_decoder_put(dec, data + off, n, pos, errstr, sizeof(errstr)) == SL_OK)
            drain(dec, &arena);
        sl_arena_reset(&arena);
        off += n;
        pos += n;
    }
    sl_arena_fini(&arena);
    sl_decoder_free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
    if (size >= 4 && memcmp(data, magic, 4) == 0)
        fuzz_file(data, size);
    else
        fuzz_events(data, size);
    return 0;
}
