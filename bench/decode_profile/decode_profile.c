/* SPDX-License-Identifier: Apache-2.0 */
/* Decoder-only throughput: maps a binlog file and runs every event through sl_decoder
 * (checksums, TABLE_MAP cache, typed row values) without any output, resetting the arena at
 * each transaction end as a pipeline would. Prints the best of N passes in rows/s, so the
 * decoder's cost can be told apart from the JSON writer's in `sluice binlog dump`.
 *
 *   bench/decode_profile/build.sh BUILD_DIR && BUILD_DIR/decode_profile FILE [N] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/arena.h"
#include "source/binlog_file.h"
#include "source/decode.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s BINLOG_FILE [passes]\n", argv[0]);
        return 2;
    }
    int passes = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    double best = 0;
    unsigned long long rows = 0, events = 0, bytes = 0;
    for (int p = 0; p < passes; p++) {
        char errstr[512];
        struct sl_binlog_file *bf;
        if (sl_binlog_file_open(argv[1], &bf, errstr, sizeof(errstr))) {
            fprintf(stderr, "%s\n", errstr);
            return 1;
        }
        struct sl_decoder *dec = sl_decoder_new();
        sl_decoder_set_file(dec, sl_binlog_file_name(bf));
        struct sl_arena arena;
        sl_arena_init(&arena, 0);
        rows = events = 0;
        bytes = sl_binlog_file_size(bf);
        double t0 = now();
        sl_err_t err;
        while ((err = sl_binlog_file_feed(bf, dec, errstr, sizeof(errstr))) == SL_OK) {
            struct sl_event ev;
            while ((err = sl_decoder_next(dec, &arena, &ev, errstr, sizeof(errstr))) ==
                   SL_OK) {
                events++;
                if (ev.kind == SL_EV_ROWS)
                    rows += ev.u.rows.nchanges;
                else if (ev.kind == SL_EV_XID)
                    sl_arena_reset(&arena);
            }
            if (err != SL_ERR_EOF)
                break;
        }
        double t = now() - t0;
        if (err != SL_ERR_EOF) {
            fprintf(stderr, "%s\n", errstr);
            return 1;
        }
        if (best == 0 || t < best)
            best = t;
        sl_decoder_free(dec);
        sl_arena_fini(&arena);
        sl_binlog_file_free(bf);
    }
    printf("events %llu rows %llu best %.3f s  %.2f M rows/s  %.1f MB/s\n", events, rows,
           best, (double)rows / best / 1e6, (double)bytes / best / 1e6);
    return 0;
}
