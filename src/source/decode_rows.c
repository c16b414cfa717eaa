/* SPDX-License-Identifier: Apache-2.0 */
/* Binlog event decoder, rows half: TABLE_MAP (column types, metadata and every optional
 * metadata field) into decoder-owned tables, and WRITE/UPDATE/DELETE/PARTIAL_UPDATE rows
 * events into struct sl_change arrays with typed values carved from the caller's arena.
 * Values are decoded straight from the event bytes: no per-value malloc, no lookups. */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "source/decode_int.h"
#include "source/jsonb.h"

/* ---- Table cache ---- */

static void table_free(struct sl_dec_table *t)
{
    sl_arena_fini(&t->arena);
    sl_free(t);
}

void sl_dec_tables_free(struct sl_decoder *dec)
{
    for (size_t b = 0; b < SL_DEC_NBUCKETS; b++) {
        struct sl_dec_table *t = dec->buckets[b];
        while (t) {
            struct sl_dec_table *next = t->next;
            table_free(t);
            t = next;
        }
        dec->buckets[b] = NULL;
    }
    sl_decoder_drop_retired(dec);
    dec->ntables = 0;
    dec->last = NULL;
}

void sl_decoder_drop_retired(struct sl_decoder *dec)
{
    struct sl_dec_table *t = dec->retired;
    while (t) {
        struct sl_dec_table *next = t->next;
        table_free(t);
        t = next;
    }
    dec->retired = NULL;
}

static struct sl_dec_table *table_find(const struct sl_decoder *dec, uint64_t id)
{
    if (dec->last && dec->last->table.table_id == id)
        return dec->last;
    for (struct sl_dec_table *t = dec->buckets[id % SL_DEC_NBUCKETS]; t; t = t->next) {
        if (t->table.table_id == id)
            return t;
    }
    return NULL;
}

const struct sl_table *sl_decoder_table(const struct sl_decoder *dec, uint64_t table_id)
{
    struct sl_dec_table *t = table_find(dec, table_id);
    return t ? &t->table : NULL;
}

/* Moves the entry for id (if any) to the retired list. */
static void table_retire(struct sl_decoder *dec, uint64_t id)
{
    struct sl_dec_table **pp = &dec->buckets[id % SL_DEC_NBUCKETS];
    while (*pp) {
        struct sl_dec_table *t = *pp;
        if (t->table.table_id == id) {
            *pp = t->next;
            t->next = dec->retired;
            dec->retired = t;
            dec->ntables--;
            if (dec->last == t)
                dec->last = NULL;
            return;
        }
        pp = &t->next;
    }
}

/* ---- TABLE_MAP ---- */

enum {
    OM_SIGNEDNESS = 1,
    OM_DEFAULT_CHARSET = 2,
    OM_COLUMN_CHARSET = 3,
    OM_COLUMN_NAME = 4,
    OM_SET_STR_VALUE = 5,
    OM_ENUM_STR_VALUE = 6,
    OM_GEOMETRY_TYPE = 7,
    OM_SIMPLE_PRIMARY_KEY = 8,
    OM_PRIMARY_KEY_WITH_PREFIX = 9,
    OM_ENUM_AND_SET_DEFAULT_CHARSET = 10,
    OM_ENUM_AND_SET_COLUMN_CHARSET = 11,
    OM_COLUMN_VISIBILITY = 12,
    OM_VECTOR_DIMENSIONALITY = 13,
};

static bool is_numeric(const struct sl_column *col)
{
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY:
    case SL_MYSQL_TYPE_SHORT:
    case SL_MYSQL_TYPE_INT24:
    case SL_MYSQL_TYPE_LONG:
    case SL_MYSQL_TYPE_LONGLONG:
    case SL_MYSQL_TYPE_NEWDECIMAL:
    case SL_MYSQL_TYPE_FLOAT:
    case SL_MYSQL_TYPE_DOUBLE:
        return true;
    default:
        return false;
    }
}

static bool is_character(const struct sl_column *col)
{
    switch (col->type) {
    case SL_MYSQL_TYPE_STRING:
    case SL_MYSQL_TYPE_VAR_STRING:
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_BLOB:
    case SL_MYSQL_TYPE_TINY_BLOB:
    case SL_MYSQL_TYPE_MEDIUM_BLOB:
    case SL_MYSQL_TYPE_LONG_BLOB:
        return true;
    default:
        return false;
    }
}

static bool is_enum_set(const struct sl_column *col)
{
    return col->type == SL_MYSQL_TYPE_ENUM || col->type == SL_MYSQL_TYPE_SET;
}

/* Reads one column's TABLE_MAP metadata and fills the derived fields. */
static sl_err_t column_meta(struct sl_column *col, struct sl_cur *meta, const char **why)
{
    uint8_t b0 = 0, b1 = 0;
    col->type = col->binlog_type;
    col->visible = true;
    switch (col->binlog_type) {
    case SL_MYSQL_TYPE_FLOAT:
    case SL_MYSQL_TYPE_DOUBLE:
        if (sl_cur_u8(meta, &b0))
            goto short_meta;
        col->meta = b0;
        col->length = b0;
        return SL_OK;
    case SL_MYSQL_TYPE_BLOB:
    case SL_MYSQL_TYPE_TINY_BLOB:
    case SL_MYSQL_TYPE_MEDIUM_BLOB:
    case SL_MYSQL_TYPE_LONG_BLOB:
    case SL_MYSQL_TYPE_GEOMETRY:
    case SL_MYSQL_TYPE_JSON:
    case SL_MYSQL_TYPE_VECTOR:
        if (sl_cur_u8(meta, &b0))
            goto short_meta;
        col->meta = b0;
        col->length = b0;
        if (b0 < 1 || b0 > 4) {
            *why = "length-prefix size outside 1..4";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_TIME2:
    case SL_MYSQL_TYPE_DATETIME2:
    case SL_MYSQL_TYPE_TIMESTAMP2:
        if (sl_cur_u8(meta, &b0))
            goto short_meta;
        col->meta = b0;
        col->fsp = b0;
        if (b0 > 6) {
            *why = "fractional seconds precision over 6";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_VAR_STRING:
        if (sl_cur_u8(meta, &b0) || sl_cur_u8(meta, &b1))
            goto short_meta;
        col->meta = (uint16_t)(b0 | b1 << 8);
        col->length = col->meta;
        return SL_OK;
    case SL_MYSQL_TYPE_BIT:
        if (sl_cur_u8(meta, &b0) || sl_cur_u8(meta, &b1))
            goto short_meta;
        col->meta = (uint16_t)(b1 << 8 | b0);
        if (b0 > 7) {
            *why = "BIT metadata with more than 7 extra bits";
            return SL_ERR_PROTO;
        }
        col->length = (uint32_t)b1 * 8 + b0;
        if (col->length == 0 || col->length > 64) {
            *why = "BIT width outside 1..64";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_NEWDECIMAL:
        if (sl_cur_u8(meta, &b0) || sl_cur_u8(meta, &b1))
            goto short_meta;
        col->meta = (uint16_t)(b0 << 8 | b1);
        col->precision = b0;
        col->scale = b1;
        if (b0 < 1 || b0 > 65 || b1 > 30 || b1 > b0) {
            *why = "DECIMAL precision/scale out of range";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_STRING:
    case SL_MYSQL_TYPE_ENUM:
    case SL_MYSQL_TYPE_SET:
        if (sl_cur_u8(meta, &b0) || sl_cur_u8(meta, &b1))
            goto short_meta;
        col->meta = (uint16_t)(b0 << 8 | b1);
        if ((b0 & 0x30) != 0x30) {
            /* CHAR longer than 255 bytes: bits 4-5 of byte 0 (inverted) are length bits. */
            col->length = b1 | (uint32_t)((b0 & 0x30) ^ 0x30) << 4;
            col->type = b0 | 0x30;
        } else {
            col->length = b1;
            col->type = b0;
        }
        if (col->type == SL_MYSQL_TYPE_ENUM) {
            if (col->length != 1 && col->length != 2) {
                *why = "ENUM pack length not 1 or 2";
                return SL_ERR_PROTO;
            }
        } else if (col->type == SL_MYSQL_TYPE_SET) {
            if (col->length < 1 || col->length > 8) {
                *why = "SET pack length outside 1..8";
                return SL_ERR_PROTO;
            }
        } else if (col->type != SL_MYSQL_TYPE_STRING) {
            *why = "unknown real type in STRING metadata";
            return SL_ERR_PROTO;
        }
        return SL_OK;
    case SL_MYSQL_TYPE_DECIMAL:
    case SL_MYSQL_TYPE_TINY:
    case SL_MYSQL_TYPE_SHORT:
    case SL_MYSQL_TYPE_LONG:
    case SL_MYSQL_TYPE_NULL:
    case SL_MYSQL_TYPE_TIMESTAMP:
    case SL_MYSQL_TYPE_LONGLONG:
    case SL_MYSQL_TYPE_INT24:
    case SL_MYSQL_TYPE_DATE:
    case SL_MYSQL_TYPE_TIME:
    case SL_MYSQL_TYPE_DATETIME:
    case SL_MYSQL_TYPE_YEAR:
    case SL_MYSQL_TYPE_NEWDATE:
        return SL_OK;
    default:
        *why = "unsupported column type";
        return SL_ERR_UNSUPPORTED;
    }
short_meta:
    *why = "metadata block too short";
    return SL_ERR_PROTO;
}

/* Bit i (MSB first) of an optional-metadata bitmap. */
static bool om_bit(const uint8_t *bits, size_t i)
{
    return (bits[i / 8] >> (7 - i % 8)) & 1;
}

static sl_err_t om_str(struct sl_cur *f, struct sl_arena *arena, struct sl_str *out)
{
    uint64_t n;
    const uint8_t *p;
    if (sl_cur_lenenc(f, &n) || n > sl_cur_left(f) || sl_cur_bytes(f, (size_t)n, &p))
        return SL_ERR_PROTO;
    out->ptr = sl_arena_strndup(arena, (const char *)p, (size_t)n);
    out->len = (size_t)n;
    return SL_OK;
}

/* Applies DEFAULT_CHARSET-style (default + overrides) or COLUMN_CHARSET-style (one per
 * column) fields to the columns selected by want(). */
static sl_err_t om_charsets(struct sl_table *tbl, struct sl_cur *f, bool with_default,
                            bool (*want)(const struct sl_column *))
{
    uint64_t v, idx;
    if (with_default) {
        if (sl_cur_lenenc(f, &v))
            return SL_ERR_PROTO;
        for (uint32_t i = 0; i < tbl->ncols; i++) {
            if (want(&tbl->cols[i]))
                tbl->cols[i].charset = (uint16_t)v;
        }
        while (sl_cur_left(f) > 0) {
            if (sl_cur_lenenc(f, &idx) || sl_cur_lenenc(f, &v))
                return SL_ERR_PROTO;
            uint64_t k = 0;
            for (uint32_t i = 0; i < tbl->ncols; i++) {
                if (!want(&tbl->cols[i]))
                    continue;
                if (k++ == idx) {
                    tbl->cols[i].charset = (uint16_t)v;
                    break;
                }
            }
        }
        return SL_OK;
    }
    for (uint32_t i = 0; i < tbl->ncols; i++) {
        if (!want(&tbl->cols[i]))
            continue;
        if (sl_cur_lenenc(f, &v))
            return SL_ERR_PROTO;
        tbl->cols[i].charset = (uint16_t)v;
    }
    return SL_OK;
}

static bool want_set(const struct sl_column *col)
{
    return col->type == SL_MYSQL_TYPE_SET;
}

static bool want_enum(const struct sl_column *col)
{
    return col->type == SL_MYSQL_TYPE_ENUM;
}

static bool want_char(const struct sl_column *col)
{
    return is_character(col);
}

static sl_err_t om_labels(struct sl_table *tbl, struct sl_cur *f, struct sl_arena *arena,
                          bool (*want)(const struct sl_column *))
{
    for (uint32_t i = 0; i < tbl->ncols; i++) {
        struct sl_column *col = &tbl->cols[i];
        if (!want(col))
            continue;
        uint64_t n;
        if (sl_cur_lenenc(f, &n) || n > sl_cur_left(f))
            return SL_ERR_PROTO;
        col->n_labels = (uint32_t)n;
        col->labels = sl_arena_calloc(arena, (size_t)n ? (size_t)n : 1, sizeof(struct sl_str));
        for (uint64_t k = 0; k < n; k++) {
            if (om_str(f, arena, &col->labels[k]))
                return SL_ERR_PROTO;
        }
    }
    return SL_OK;
}

static sl_err_t om_pk(struct sl_table *tbl, struct sl_cur *f, struct sl_arena *arena,
                      bool with_prefix)
{
    size_t cap = sl_cur_left(f);
    tbl->pk = sl_arena_alloc(arena, (cap ? cap : 1) * sizeof(uint32_t));
    tbl->npk = 0;
    while (sl_cur_left(f) > 0) {
        uint64_t idx, prefix;
        if (sl_cur_lenenc(f, &idx) || idx >= tbl->ncols ||
            (with_prefix && sl_cur_lenenc(f, &prefix)))
            return SL_ERR_PROTO;
        tbl->pk[tbl->npk++] = (uint32_t)idx;
        tbl->cols[idx].is_pk = true;
    }
    return SL_OK;
}

static sl_err_t optional_meta(struct sl_table *tbl, struct sl_cur *om, struct sl_arena *arena,
                              uint8_t *bad_field)
{
    size_t nnum = 0, nnames = 0;
    for (uint32_t i = 0; i < tbl->ncols; i++)
        nnum += is_numeric(&tbl->cols[i]);
    while (sl_cur_left(om) > 0) {
        uint8_t type;
        uint64_t len;
        struct sl_cur f;
        if (sl_cur_u8(om, &type) || sl_cur_lenenc(om, &len) || len > sl_cur_left(om) ||
            sl_cur_sub(om, (size_t)len, &f)) {
            *bad_field = 0;
            return SL_ERR_PROTO;
        }
        *bad_field = type;
        sl_err_t err = SL_OK;
        switch (type) {
        case OM_SIGNEDNESS: {
            if (len < (nnum + 7) / 8)
                return SL_ERR_PROTO;
            size_t k = 0;
            for (uint32_t i = 0; i < tbl->ncols; i++) {
                if (is_numeric(&tbl->cols[i]))
                    tbl->cols[i].is_unsigned = om_bit(f.p, k++);
            }
            break;
        }
        case OM_DEFAULT_CHARSET:
            err = om_charsets(tbl, &f, true, want_char);
            break;
        case OM_COLUMN_CHARSET:
            err = om_charsets(tbl, &f, false, want_char);
            break;
        case OM_ENUM_AND_SET_DEFAULT_CHARSET:
            err = om_charsets(tbl, &f, true, is_enum_set);
            break;
        case OM_ENUM_AND_SET_COLUMN_CHARSET:
            err = om_charsets(tbl, &f, false, is_enum_set);
            break;
        case OM_COLUMN_NAME:
            for (uint32_t i = 0; i < tbl->ncols && !err; i++)
                err = om_str(&f, arena, &tbl->cols[i].name);
            nnames = tbl->ncols;
            break;
        case OM_SET_STR_VALUE:
            err = om_labels(tbl, &f, arena, want_set);
            break;
        case OM_ENUM_STR_VALUE:
            err = om_labels(tbl, &f, arena, want_enum);
            break;
        case OM_GEOMETRY_TYPE:
            for (uint32_t i = 0; i < tbl->ncols && !err; i++) {
                uint64_t v;
                if (tbl->cols[i].type != SL_MYSQL_TYPE_GEOMETRY)
                    continue;
                err = sl_cur_lenenc(&f, &v);
                tbl->cols[i].geometry_type = (uint8_t)v;
            }
            break;
        case OM_SIMPLE_PRIMARY_KEY:
        case OM_PRIMARY_KEY_WITH_PREFIX:
            err = om_pk(tbl, &f, arena, type == OM_PRIMARY_KEY_WITH_PREFIX);
            break;
        case OM_COLUMN_VISIBILITY:
            if (len < (tbl->ncols + 7) / 8)
                return SL_ERR_PROTO;
            for (uint32_t i = 0; i < tbl->ncols; i++)
                tbl->cols[i].visible = om_bit(f.p, i);
            break;
        case OM_VECTOR_DIMENSIONALITY:
            for (uint32_t i = 0; i < tbl->ncols && !err; i++) {
                uint64_t v;
                if (tbl->cols[i].type != SL_MYSQL_TYPE_VECTOR)
                    continue;
                err = sl_cur_lenenc(&f, &v);
                tbl->cols[i].vector_dim = (uint32_t)v;
            }
            break;
        default:
            break; /* unknown field: skipped by length */
        }
        if (err)
            return SL_ERR_PROTO;
    }
    tbl->has_names = nnames == tbl->ncols && tbl->ncols > 0;
    return SL_OK;
}

sl_err_t sl_dec_table_map(struct sl_decoder *dec, struct sl_cur *body, uint8_t ph_len,
                          const struct sl_event *ev, const struct sl_table **out,
                          char *errstr, size_t errstr_size)
{
    uint64_t id;
    size_t idlen = ph_len == 6 ? 4 : 6;
    if (sl_cur_uNle(body, idlen, &id)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "body too short for the table id");
        return SL_ERR_PROTO;
    }
    const uint8_t *raw = body->p;
    size_t raw_len = sl_cur_left(body);
    struct sl_dec_table *old = table_find(dec, id);
    if (old && old->raw_len == raw_len && memcmp(old->raw, raw, raw_len) == 0) {
        dec->last = old;
        *out = &old->table;
        return SL_OK;
    }
    struct sl_dec_table *t = sl_xcalloc(1, sizeof(*t));
    sl_arena_init(&t->arena, 1024 + raw_len * 2);
    struct sl_arena *arena = &t->arena;
    struct sl_table *tbl = &t->table;
    const char *why = NULL;
    sl_err_t err = SL_ERR_PROTO;
    uint16_t flags;
    uint8_t dblen, namelen, bad_field = 0;
    const uint8_t *db, *name, *types, *nullbits;
    uint64_t ncols, metalen;
    struct sl_cur meta;
    tbl->table_id = id;
    if (sl_cur_u16le(body, &flags) || sl_cur_skip(body, ph_len > 8 ? ph_len - 8u : 0) ||
        sl_cur_u8(body, &dblen) || sl_cur_bytes(body, dblen, &db) || sl_cur_skip(body, 1) ||
        sl_cur_u8(body, &namelen) || sl_cur_bytes(body, namelen, &name) ||
        sl_cur_skip(body, 1)) {
        why = "truncated database or table name";
        goto out;
    }
    if (sl_cur_lenenc(body, &ncols) || ncols == 0 || ncols > sl_cur_left(body) ||
        ncols > 4096 || sl_cur_bytes(body, (size_t)ncols, &types)) {
        why = "bad column count or truncated column types";
        goto out;
    }
    if (sl_cur_lenenc(body, &metalen) || metalen > sl_cur_left(body) ||
        sl_cur_sub(body, (size_t)metalen, &meta) ||
        sl_cur_bytes(body, ((size_t)ncols + 7) / 8, &nullbits)) {
        why = "truncated metadata block or null bitmap";
        goto out;
    }
    tbl->db = sl_arena_str(arena, (struct sl_str){(const char *)db, dblen});
    tbl->name = sl_arena_str(arena, (struct sl_str){(const char *)name, namelen});
    tbl->ncols = (uint32_t)ncols;
    tbl->cols = sl_arena_calloc(arena, (size_t)ncols, sizeof(struct sl_column));
    for (uint32_t i = 0; i < tbl->ncols; i++) {
        struct sl_column *col = &tbl->cols[i];
        col->binlog_type = types[i];
        col->nullable = (nullbits[i / 8] >> (i % 8)) & 1;
        col->name = (struct sl_str){"", 0};
        err = column_meta(col, &meta, &why);
        if (err) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "table %llu column %u (type %u): %s",
                        (unsigned long long)id, i, types[i], why);
            goto fail;
        }
    }
    err = optional_meta(tbl, body, arena, &bad_field);
    if (err) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "table %llu: malformed optional metadata field %u", (unsigned long long)id,
                    bad_field);
        goto fail;
    }
    t->raw = sl_arena_alloc(arena, raw_len ? raw_len : 1);
    memcpy(t->raw, raw, raw_len);
    t->raw_len = raw_len;
    if (old)
        table_retire(dec, id);
    if (dec->ntables >= 4 * SL_DEC_NBUCKETS) {
        /* Bound the live map: forget every mapping (the server re-sends TABLE_MAP in each
         * transaction), keeping the versions alive as retired ones. */
        for (size_t b = 0; b < SL_DEC_NBUCKETS; b++) {
            while (dec->buckets[b])
                table_retire(dec, dec->buckets[b]->table.table_id);
        }
    }
    t->next = dec->buckets[id % SL_DEC_NBUCKETS];
    dec->buckets[id % SL_DEC_NBUCKETS] = t;
    dec->ntables++;
    dec->last = t;
    *out = tbl;
    return SL_OK;
out:
    sl_dec_errf(dec, ev, errstr, errstr_size, "%s", why);
    err = SL_ERR_PROTO;
fail:
    table_free(t);
    return err;
}

/* ---- Rows events ---- */

static unsigned popcount_bits(const uint8_t *bits, uint32_t n)
{
    unsigned c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += (bits[i / 8] >> (i % 8)) & 1;
    return c;
}

/* One row image: null bitmap over the present columns, then their values. */
static sl_err_t decode_image(struct sl_decoder *dec, const struct sl_table *tbl,
                             const uint8_t *present, unsigned npresent, struct sl_cur *cur,
                             bool after_partial,
                             struct sl_arena *arena, struct sl_value *vals, bool *partial_image,
                             const struct sl_event *ev, uint32_t row, char *errstr,
                             size_t errstr_size)
{
    const uint8_t *partial_bits = NULL;
    if (after_partial) {
        uint64_t opts;
        /* MySQL accepts only PARTIAL_JSON_UPDATES (1); the partial bits that follow have
         * one bit per JSON column of the table, present in this image or not (rpl_record.cc
         * pack_row / start_partial_bit_reader). */
        if (sl_cur_lenenc(cur, &opts) || opts > 1) {
            sl_dec_errf(dec, ev, errstr, errstr_size,
                        "row %u: truncated or unknown value_options", row);
            return SL_ERR_PROTO;
        }
        if (opts & 1) {
            uint32_t njson = 0;
            for (uint32_t i = 0; i < tbl->ncols; i++)
                njson += tbl->cols[i].type == SL_MYSQL_TYPE_JSON;
            if (sl_cur_bytes(cur, (njson + 7) / 8, &partial_bits)) {
                sl_dec_errf(dec, ev, errstr, errstr_size, "row %u: truncated partial bits",
                            row);
                return SL_ERR_PROTO;
            }
        }
    }
    const uint8_t *nulls = cur->p;
    size_t nnull = (npresent + 7) / 8;
    if ((size_t)(cur->end - cur->p) < nnull) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "row %u: truncated null bitmap", row);
        return SL_ERR_PROTO;
    }
    cur->p += nnull;
    unsigned k = 0, kjson = 0;
    for (uint32_t i = 0; i < tbl->ncols; i++) {
        const struct sl_column *col = &tbl->cols[i];
        bool diff = false;
        if (col->type == SL_MYSQL_TYPE_JSON) {
            diff = partial_bits && ((partial_bits[kjson / 8] >> (kjson % 8)) & 1);
            kjson++;
        }
        if (!((present[i / 8] >> (i % 8)) & 1)) {
            vals[i].kind = SL_VAL_ABSENT;
            *partial_image = true;
            continue;
        }
        bool isnull = (nulls[k / 8] >> (k % 8)) & 1;
        k++;
        if (isnull) {
            vals[i].kind = SL_VAL_NULL;
            continue;
        }
        const char *why;
        size_t off = sl_cur_off(cur);
        char jerr[256]; /* filled only by a failing JSON conversion: no per-value memset */
        jerr[0] = '\0';
        sl_err_t err = sl_dec_value(dec, col, cur, diff, arena, &vals[i], &why, jerr,
                                    sizeof(jerr));
        if (err) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "%.*s.%.*s row %u column %u (%.*s%s"
                        "type %u) at body offset %zu: %s", SL_STR_FMT(tbl->db),
                        SL_STR_FMT(tbl->name), row, i, SL_STR_FMT(col->name),
                        col->name.len ? ", " : "", col->type, off, why ? why : jerr);
            return err;
        }
    }
    return SL_OK;
}

sl_err_t sl_dec_rows(struct sl_decoder *dec, struct sl_cur *body, uint8_t ph_len,
                     struct sl_arena *arena, struct sl_event *ev, char *errstr,
                     size_t errstr_size)
{
    uint8_t t = ev->type;
    uint64_t id, ncols;
    uint16_t flags, extra_len;
    size_t idlen = ph_len == 6 ? 4 : 6;
    bool compressed = t >= SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED &&
                      t <= SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED_V1;
    /* The plain type this event stands for; MariaDB decides v1/v2 of a compressed event by
     * its post-header length, as for the plain ones. */
    uint8_t plain = t;
    if (t >= SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1)
        plain = (uint8_t)(SL_BINLOG_WRITE_ROWS_V1 + (t - SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1));
    else if (compressed)
        plain = (uint8_t)(SL_BINLOG_WRITE_ROWS + (t - SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED));
    bool v2 = plain >= SL_BINLOG_WRITE_ROWS;
    bool two = plain == SL_BINLOG_UPDATE_ROWS_V1 || plain == SL_BINLOG_UPDATE_ROWS ||
               plain == SL_BINLOG_PARTIAL_UPDATE_ROWS;
    sl_op_t op = (plain == SL_BINLOG_WRITE_ROWS_V1 || plain == SL_BINLOG_WRITE_ROWS)
                     ? SL_OP_INSERT
                 : (plain == SL_BINLOG_DELETE_ROWS_V1 || plain == SL_BINLOG_DELETE_ROWS)
                     ? SL_OP_DELETE
                     : SL_OP_UPDATE;
    const uint8_t *present1, *present2;
    memset(&ev->u.rows, 0, sizeof(ev->u.rows));
    ev->u.rows.op = op;
    ev->u.rows.partial_json = t == SL_BINLOG_PARTIAL_UPDATE_ROWS;
    if (sl_cur_uNle(body, idlen, &id) || sl_cur_u16le(body, &flags)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "truncated post-header");
        return SL_ERR_PROTO;
    }
    if ((v2 || compressed) && ph_len >= 10) {
        if (sl_cur_u16le(body, &extra_len) || extra_len < 2 ||
            sl_cur_skip(body, extra_len - 2u)) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "bad extra data length");
            return SL_ERR_PROTO;
        }
    }
    if (sl_cur_lenenc(body, &ncols) || ncols > 4096 ||
        sl_cur_bytes(body, ((size_t)ncols + 7) / 8, &present1) ||
        (two && sl_cur_bytes(body, ((size_t)ncols + 7) / 8, &present2))) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "truncated column count or bitmaps");
        return SL_ERR_PROTO;
    }
    if (!two)
        present2 = present1;
    struct sl_cur unz;
    if (compressed) {
        const uint8_t *rows;
        size_t rows_len;
        sl_err_t err = sl_dec_maria_uncompress(dec, ev, body->p, sl_cur_left(body), &rows,
                                               &rows_len, errstr, errstr_size);
        if (err)
            return err;
        sl_cur_init(&unz, rows, rows_len);
        body = &unz;
    }
    struct sl_dec_table *dt = table_find(dec, id);
    if (!dt) {
        if (sl_cur_left(body) == 0) {
            ev->u.rows.changes = NULL;
            return SL_OK; /* a dummy end-of-statement event without rows */
        }
        sl_dec_errf(dec, ev, errstr, errstr_size, "no TABLE_MAP for table id %llu",
                    (unsigned long long)id);
        return SL_ERR_PROTO;
    }
    const struct sl_table *tbl = &dt->table;
    ev->u.rows.table = tbl;
    if (ncols != tbl->ncols) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "%.*s.%.*s: rows event has %llu columns, TABLE_MAP %u",
                    SL_STR_FMT(tbl->db), SL_STR_FMT(tbl->name), (unsigned long long)ncols,
                    tbl->ncols);
        return SL_ERR_PROTO;
    }
    /* Per-event context, copied once into the arena and shared by the rows. */
    struct sl_str gtid = sl_arena_str(arena, (struct sl_str){dec->gtid, dec->gtid_len});
    struct sl_str query = SL_STR_NULL;
    if (dec->have_rows_query)
        query = sl_arena_str(arena,
                             (struct sl_str){sl_buf_cstr(&dec->rows_query), dec->rows_query.len});
    struct sl_change proto;
    memset(&proto, 0, sizeof(proto));
    proto.op = op;
    proto.table = tbl;
    memcpy(proto.pos.file, dec->file, sizeof(proto.pos.file));
    proto.pos.pos = dec->txn_pos;
    proto.pos.event_pos = ev->pos;
    proto.pos.server_id = ev->server_id;
    proto.pos.ts_sec = ev->timestamp;
    proto.pos.gtid = gtid;
    proto.thread_id = dec->thread_id;
    proto.query = query;

    /* The changes array is carved from the arena at a size guessed from this table's
     * previous events (bytes per row), and regrown in the arena on a wrong guess, so a row
     * is written once and nothing is malloc'd per event. */
    unsigned npresent1 = popcount_bits(present1, tbl->ncols);
    unsigned npresent2 = two ? popcount_bits(present2, tbl->ncols) : npresent1;
    size_t rows_bytes = sl_cur_left(body);
    size_t cap = dt->row_bytes ? rows_bytes / dt->row_bytes + 4 : 64;
    size_t min_row = (npresent1 + 7) / 8 + (two ? (npresent2 + 7) / 8 : 0);
    if (min_row && cap > rows_bytes / min_row + 1)
        cap = rows_bytes / min_row + 1; /* each row takes at least its null bitmaps */
    struct sl_change *chgs = sl_arena_alloc(arena, cap * sizeof(*chgs));
    size_t nvals = (size_t)ncols * (two ? 2 : 1);
    uint32_t nrows = 0;
    while (sl_cur_left(body) > 0) {
        if (nrows == cap) {
            size_t ncap = cap * 2;
            struct sl_change *grown = sl_arena_alloc(arena, ncap * sizeof(*grown));
            memcpy(grown, chgs, cap * sizeof(*chgs));
            chgs = grown;
            cap = ncap;
        }
        struct sl_change *chg = &chgs[nrows];
        *chg = proto;
        chg->pos.row = nrows;
        struct sl_value *vals = sl_arena_alloc(arena, nvals * sizeof(*vals));
        size_t left_before = sl_cur_left(body);
        sl_err_t err = decode_image(dec, tbl, present1, npresent1, body, false, arena, vals,
                                    &ev->u.rows.partial_image, ev, nrows, errstr,
                                    errstr_size);
        if (err)
            return err;
        if (two) {
            err = decode_image(dec, tbl, present2, npresent2, body,
                               t == SL_BINLOG_PARTIAL_UPDATE_ROWS, arena, vals + ncols,
                               &ev->u.rows.partial_image, ev, nrows, errstr, errstr_size);
            if (err)
                return err;
            chg->before = vals;
            chg->after = vals + ncols;
        } else if (op == SL_OP_INSERT) {
            chg->after = vals;
        } else {
            chg->before = vals;
        }
        /* A row that consumed no bytes (all-zero columns-present bitmaps) would repeat
         * forever over the same remaining bytes: that is corrupt input, not a row. */
        if (sl_cur_left(body) == left_before) {
            sl_dec_errf(dec, ev, errstr, errstr_size,
                        "rows event for table %llu: row %u is empty (no column present) "
                        "but %zu bytes remain",
                        (unsigned long long)tbl->table_id, nrows, left_before);
            return SL_ERR_PROTO;
        }
        nrows++;
    }
    if (nrows)
        dt->row_bytes = (uint32_t)(rows_bytes / nrows > 1 ? rows_bytes / nrows : 1);
    ev->u.rows.nchanges = nrows;
    ev->u.rows.changes = chgs;
    return SL_OK;
}
