/* SPDX-License-Identifier: Apache-2.0 */
/* Private to decode*.c: the decoder's state and the functions shared between decode.c
 * (framing, control events, payloads) and decode_rows.c (TABLE_MAP, rows, values). */
#ifndef SL_SOURCE_DECODE_INT_H
#define SL_SOURCE_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cur.h"
#include "source/decode.h"

#define SL_DEC_HEADER_LEN 19
#define SL_DEC_NBUCKETS 1024

/* One cached TABLE_MAP. Each version lives in its own arena so it can be freed alone. */
struct sl_dec_table {
    struct sl_dec_table *next; /* bucket chain, or retired list */
    struct sl_arena arena;
    struct sl_table table;
    uint8_t *raw;              /* TABLE_MAP body after the table id, to spot re-maps */
    size_t raw_len;
    uint32_t row_bytes;        /* bytes per row in this table's last rows event (0 = none) */
};

struct sl_decoder {
    char file[128];
    sl_decoder_checksum_t checksum_mode;
    bool json_raw;

    /* From the FDE. */
    bool have_fde;
    uint8_t checksum_alg;      /* 0 none, 1 CRC32, 255 undefined */
    uint8_t post_header[256];  /* by type code; 0 = not given */
    bool mariadb;

    /* The event put and not yet returned. */
    const uint8_t *ev_data;
    size_t ev_len;
    uint64_t ev_pos;
    bool ev_pending;
    uint64_t next_pos;         /* running position for SL_DECODER_POS_AUTO */

    /* Inner events of a TRANSACTION_PAYLOAD being iterated. */
    uint8_t *payload;          /* owned, decompressed bytes */
    size_t payload_cap;
    size_t payload_len;
    size_t payload_off;        /* next inner event */
    bool in_payload;
    struct sl_event outer;     /* header fields of the TRANSACTION_PAYLOAD */

    /* Transaction state. */
    uint64_t txn_pos;
    bool txn_started;
    char gtid[128];
    size_t gtid_len;
    uint64_t thread_id;
    struct sl_buf rows_query;
    bool have_rows_query;

    /* Tables. */
    struct sl_dec_table *buckets[SL_DEC_NBUCKETS];
    size_t ntables;
    struct sl_dec_table *retired;
    struct sl_dec_table *last;  /* lookup cache */

    /* Scratch. */
    uint8_t *zbuf;              /* MariaDB compressed event bodies, decompressed */
    size_t zbuf_cap;
    struct sl_buf json;         /* JSON text conversion */
};

/* Decodes a TABLE_MAP body (post-header included) into the cache. */
sl_err_t sl_dec_table_map(struct sl_decoder *dec, struct sl_cur *body, uint8_t ph_len,
                          const struct sl_event *ev, const struct sl_table **out,
                          char *errstr, size_t errstr_size);
/* Decodes a rows event body into ev->u.rows (changes carved from arena). */
sl_err_t sl_dec_rows(struct sl_decoder *dec, struct sl_cur *body, uint8_t ph_len,
                     struct sl_arena *arena, struct sl_event *ev, char *errstr,
                     size_t errstr_size);
void sl_dec_tables_free(struct sl_decoder *dec);
/* Decodes one non-NULL value of col at cur into val (strings copied into arena). diff: the
 * value is a PARTIAL_UPDATE_ROWS JSON diff. On error fills *why (static text) or errstr
 * (JSON conversion) and returns the error. */
sl_err_t sl_dec_value(struct sl_decoder *dec, const struct sl_column *col, struct sl_cur *cur,
                      bool diff, struct sl_arena *arena, struct sl_value *val, const char **why,
                      char *errstr, size_t errstr_size);
/* MariaDB compressed QUERY/rows events (log_bin_compress): p[0] is a header byte (bit 7 set,
 * bits 4-6 the algorithm, 0 = zlib, bits 0-2 the size of the length, 1..4), then the
 * uncompressed length big-endian, then a zlib stream. Decompresses the n bytes at p into
 * the decoder's scratch buffer (valid until the next call). Errors fill errstr. */
sl_err_t sl_dec_maria_uncompress(struct sl_decoder *dec, const struct sl_event *ev,
                                 const uint8_t *p, size_t n, const uint8_t **out,
                                 size_t *out_len, char *errstr, size_t errstr_size);
/* Fills errstr with "file:pos: type: " + the message. */
void sl_dec_errf(const struct sl_decoder *dec, const struct sl_event *ev, char *errstr,
                 size_t errstr_size, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
