/* SPDX-License-Identifier: Apache-2.0 */
/* Binlog file reader: maps a binlog file read-only, checks the magic and yields one event's
 * bytes at a time with its file offset, ready for sl_decoder_put. Works on files of any size
 * without copying (mmap). A file that ends inside an event header or body gives a clean
 * SL_ERR_PROTO naming the offset.
 *
 *   struct sl_binlog_file *bf;
 *   err = sl_binlog_file_open(path, &bf, errstr, sizeof(errstr));
 *   sl_decoder_set_file(dec, sl_binlog_file_name(bf));
 *   while ((err = sl_binlog_file_feed(bf, dec, errstr, sizeof(errstr))) == SL_OK)
 *       while ((err = sl_decoder_next(dec, arena, &ev, errstr, sizeof(errstr))) == SL_OK)
 *           handle(&ev);
 *       (stop unless err == SL_ERR_EOF)
 *
 * Thread: one thread at a time per reader. */
#ifndef SL_SOURCE_BINLOG_FILE_H
#define SL_SOURCE_BINLOG_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "source/decode.h"

struct sl_binlog_file;

/* Opens and maps path, checks the 4-byte magic FE 62 69 6E, positions the reader at offset
 * 4. Errors: SL_ERR_IO (cannot open/map), SL_ERR_PROTO (not a binlog file), with errstr. */
sl_err_t sl_binlog_file_open(const char *path, struct sl_binlog_file **out, char *errstr,
                             size_t errstr_size);
/* Unmaps and frees. NULL-safe. */
void sl_binlog_file_free(struct sl_binlog_file *bf);

/* The file's base name (e.g. "binlog.000042"), for sl_decoder_set_file. */
const char *sl_binlog_file_name(const struct sl_binlog_file *bf);
/* Total size in bytes. */
uint64_t sl_binlog_file_size(const struct sl_binlog_file *bf);

/* Moves the reader to offset (an event start, >= 4). SL_ERR_PROTO when out of range. */
sl_err_t sl_binlog_file_seek(struct sl_binlog_file *bf, uint64_t offset, char *errstr,
                             size_t errstr_size);

/* Next event: data and len cover the whole event (header, body, checksum), borrowed until
 * sl_binlog_file_free; *offset is its start. SL_ERR_EOF at a clean end of file;
 * SL_ERR_PROTO when the header is truncated, the event size is below 19 or runs past the
 * end of the file (errstr names the offset). */
sl_err_t sl_binlog_file_next(struct sl_binlog_file *bf, const uint8_t **data, size_t *len,
                             uint64_t *offset, char *errstr, size_t errstr_size);

/* sl_binlog_file_next + sl_decoder_put: hands the next event to dec. Same returns. */
sl_err_t sl_binlog_file_feed(struct sl_binlog_file *bf, struct sl_decoder *dec, char *errstr,
                             size_t errstr_size);

#endif
