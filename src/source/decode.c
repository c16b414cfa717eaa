/* SPDX-License-Identifier: Apache-2.0 */
/* Binlog event decoder (placeholder while the implementation lands): the API of decode.h,
 * reporting every event as unsupported. */
#include "source/decode.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

struct sl_decoder {
    char file[128];
    const void *data;
    size_t len;
};

struct sl_decoder *sl_decoder_new(void)
{
    return sl_xcalloc(1, sizeof(struct sl_decoder));
}

void sl_decoder_free(struct sl_decoder *dec)
{
    sl_free(dec);
}

void sl_decoder_set_file(struct sl_decoder *dec, const char *file)
{
    snprintf(dec->file, sizeof(dec->file), "%s", file);
}

const char *sl_decoder_file(const struct sl_decoder *dec)
{
    return dec->file;
}

void sl_decoder_set_checksum(struct sl_decoder *dec, sl_decoder_checksum_t mode)
{
    (void)dec;
    (void)mode;
}

void sl_decoder_set_json_raw(struct sl_decoder *dec, bool raw)
{
    (void)dec;
    (void)raw;
}

sl_err_t sl_decoder_put(struct sl_decoder *dec, const void *data, size_t len, uint64_t pos,
                        char *errstr, size_t errstr_size)
{
    (void)pos;
    (void)errstr;
    (void)errstr_size;
    dec->data = data;
    dec->len = len;
    return SL_OK;
}

sl_err_t sl_decoder_next(struct sl_decoder *dec, struct sl_arena *arena, struct sl_event *ev,
                         char *errstr, size_t errstr_size)
{
    (void)arena;
    (void)ev;
    if (!dec->data)
        return SL_ERR_EOF;
    dec->data = NULL;
    snprintf(errstr, errstr_size, "binlog decoding is not implemented yet");
    return SL_ERR_UNSUPPORTED;
}

sl_err_t sl_decoder_decode_one(struct sl_decoder *dec, const void *data, size_t len,
                               uint64_t pos, struct sl_arena *arena, struct sl_event *ev,
                               char *errstr, size_t errstr_size)
{
    sl_err_t err = sl_decoder_put(dec, data, len, pos, errstr, errstr_size);
    if (err)
        return err;
    return sl_decoder_next(dec, arena, ev, errstr, errstr_size);
}

const struct sl_table *sl_decoder_table(const struct sl_decoder *dec, uint64_t table_id)
{
    (void)dec;
    (void)table_id;
    return NULL;
}

void sl_decoder_drop_retired(struct sl_decoder *dec)
{
    (void)dec;
}

const char *sl_binlog_type_name(uint8_t type)
{
    (void)type;
    return "UNKNOWN";
}
