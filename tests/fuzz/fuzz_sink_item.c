/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the Kafka record -> DynamoDB item conversion (src/sink/item.h).
 * Input layout: byte 0 = converter flags (bit 0 key StringConverter, 1 key schemas.enable,
 * 2 value StringConverter, 3 value schemas.enable, 4 delete.enabled, 5 null fail, 6 unwrap
 * envelopes, 7 empty string as NULL); byte 1 = record flags (bit 0 null key, bit 1 null
 * value, bits 2-7 partition); then three lines: pk.hash reference, pk.sort reference,
 * table.name.format; then the key bytes up to the first NUL, then the value bytes.
 * Checks: errors leave a NUL-terminated, non-empty errstr; a PUT item and every key are valid
 * DynamoDB JSON (one type per attribute value, numbers in canonical form) within the size
 * limit; key types are S, N or B. */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sink/item.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errstr(const char *errstr, size_t size)
{
    if (memchr(errstr, '\0', size) == NULL || errstr[0] == '\0')
        abort();
}

/* Takes the text up to the next '\n' (or the end) as a NUL-terminated string in out. */
static void take_line(const uint8_t **p, const uint8_t *end, char *out, size_t out_size)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    const uint8_t *le = nl ? nl : end;
    size_t n = (size_t)(le - *p);
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = nl ? nl + 1 : end;
}

static void check_number(const char *text)
{
    struct sl_buf canon;
    char errstr[256];
    sl_buf_init(&canon, 1024);
    /* A number the converter wrote must already be canonical. */
    if (sl_sink_number(&canon, text, strlen(text), errstr, sizeof(errstr)) != 0)
        abort();
    if (strcmp(canon.data, text) != 0)
        abort();
    sl_buf_fini(&canon);
}

static void check_av(json_t *av, int depth);

static void check_map(json_t *obj, int depth)
{
    const char *name;
    json_t *av;
    if (!json_is_object(obj) || depth > 40)
        abort();
    json_object_foreach(obj, name, av)
    {
        check_av(av, depth + 1);
    }
}

/* One DynamoDB AttributeValue: an object with exactly one type key. */
static void check_av(json_t *av, int depth)
{
    const char *type;
    json_t *v;
    size_t i;
    json_t *el;
    if (!json_is_object(av) || json_object_size(av) != 1)
        abort();
    json_object_foreach(av, type, v)
    {
        if (strcmp(type, "S") == 0 || strcmp(type, "B") == 0) {
            if (!json_is_string(v))
                abort();
        } else if (strcmp(type, "N") == 0) {
            if (!json_is_string(v))
                abort();
            check_number(json_string_value(v));
        } else if (strcmp(type, "BOOL") == 0) {
            if (!json_is_boolean(v))
                abort();
        } else if (strcmp(type, "NULL") == 0) {
            if (!json_is_true(v))
                abort();
        } else if (strcmp(type, "M") == 0) {
            check_map(v, depth);
        } else if (strcmp(type, "L") == 0) {
            if (!json_is_array(v))
                abort();
            json_array_foreach(v, i, el)
            {
                check_av(el, depth + 1);
            }
        } else if (strcmp(type, "SS") == 0 || strcmp(type, "NS") == 0 || strcmp(type, "BS") == 0) {
            if (!json_is_array(v) || json_array_size(v) == 0)
                abort();
        } else {
            abort();
        }
    }
}

static void check_item_json(const struct sl_buf *buf)
{
    json_error_t jerr;
    /* jansson refuses "\u0000" inside object keys, though it is valid JSON (and a valid
     * DynamoDB attribute name): such items are not checked. */
    if (memmem(buf->data, buf->len, "\\u0000", 6) != NULL)
        return;
    json_t *root = json_loadb(buf->data, buf->len, JSON_ALLOW_NUL, &jerr);
    if (root == NULL) {
        fprintf(stderr, "invalid DynamoDB JSON (%s at byte %d): %.*s\n", jerr.text,
                jerr.position, (int)(buf->len < 2000 ? buf->len : 2000), buf->data);
        abort();
    }
    check_map(root, 0);
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 600000)
        return 0;
    uint8_t cf = data[0], rf = data[1];
    const uint8_t *p = data + 2, *end = data + size;
    char hash[300], sort[300], format[SL_SINK_NAME_MAX], errstr[512];
    take_line(&p, end, hash, sizeof(hash));
    take_line(&p, end, sort, sizeof(sort));
    take_line(&p, end, format, sizeof(format));
    const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
    const uint8_t *key = p;
    size_t key_len = nul ? (size_t)(nul - p) : (size_t)(end - p);
    const uint8_t *value = nul ? nul + 1 : end;
    size_t value_len = (size_t)(end - value);

    struct sl_sink_item_conf conf;
    sl_sink_item_conf_defaults(&conf);
    memset(errstr, 'x', sizeof(errstr));
    if (sl_sink_pk_parse(hash, &conf.hash, errstr, sizeof(errstr))) {
        check_errstr(errstr, sizeof(errstr));
        return 0;
    }
    memset(errstr, 'x', sizeof(errstr));
    if (sl_sink_pk_parse(sort, &conf.sort, errstr, sizeof(errstr))) {
        check_errstr(errstr, sizeof(errstr));
        return 0;
    }
    if (conf.hash.kind == SL_SINK_PK_NONE)
        return 0; /* the caller refuses an empty hash key */
    if (format[0])
        memcpy(conf.table_format, format, strlen(format) + 1);
    conf.key_conv.type = (cf & 1) ? SL_SINK_CONV_STRING : SL_SINK_CONV_JSON;
    conf.key_conv.schemas_enable = (cf & 2) != 0;
    conf.value_conv.type = (cf & 4) ? SL_SINK_CONV_STRING : SL_SINK_CONV_JSON;
    conf.value_conv.schemas_enable = (cf & 8) != 0;
    conf.delete_enabled = (cf & 16) != 0;
    conf.null_fail = (cf & 32) != 0;
    conf.unwrap_envelope = (cf & 64) != 0;
    conf.empty_string_null = (cf & 128) != 0;

    struct sl_sink_rec rec = {
        .topic = "salesdb.salesdb.SALES_ORDER",
        .partition = rf >> 2,
        .offset = (int64_t)size * 1000003,
        .key = (rf & 1) ? NULL : key,
        .key_len = (rf & 1) ? 0 : key_len,
        .value = (rf & 2) ? NULL : value,
        .value_len = (rf & 2) ? 0 : value_len,
    };
    struct sl_sink_item item;
    sl_sink_item_init(&item);
    memset(errstr, 'x', sizeof(errstr));
    sl_err_t err = sl_sink_item_convert(&conf, &rec, &item, errstr, sizeof(errstr));
    if (err) {
        check_errstr(errstr, sizeof(errstr));
    } else if (item.op != SL_SINK_OP_SKIP) {
        if (item.hash_type != 'S' && item.hash_type != 'N' && item.hash_type != 'B')
            abort();
        if (conf.sort.kind == SL_SINK_PK_NONE) {
            if (item.sort_type != 0)
                abort();
        } else if (item.sort_type != 'S' && item.sort_type != 'N' && item.sort_type != 'B') {
            abort();
        }
        if (item.table[0] == '\0' || memchr(item.table, '\0', sizeof(item.table)) == NULL)
            abort();
        check_item_json(&item.key);
        if (item.op == SL_SINK_OP_PUT) {
            check_item_json(&item.item);
            if (item.size > SL_SINK_ITEM_MAX)
                abort();
        } else if (item.op != SL_SINK_OP_DELETE) {
            abort();
        }
    }
    sl_sink_item_fini(&item);
    return 0;
}
