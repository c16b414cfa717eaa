/* SPDX-License-Identifier: Apache-2.0 */
/* One sl_change in, the Kafka records of Debezium 1.9's MySQL connector out: topic, key
 * struct, before/after/source/op/ts_ms/transaction envelope, delete tombstones, and the
 * ExtractNewRecordState SMT, each serialised as JsonConverter (with or without schemas) or
 * StringConverter (Struct.toString) would (reference §6, §10, §11.6). */
#include "convert/conv_int.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

struct ctx {
    struct sl_conv *conv;
    const struct sl_change *chg;
    const struct sl_table *table;
    struct sl_conv_meta meta;
    struct sl_vctx vc;
    struct sl_cw cw;
    struct sl_conv_out *out;
    uint32_t key[SL_CONV_MAX_KEY_COLS];
    uint32_t nkey;
    struct sl_conv_span topic;
};

/* A field value reachable by add.fields / add.headers. */
struct fval {
    enum { FV_NULL, FV_STR, FV_I64 } t;
    struct sl_str s;
    int64_t n;
};

static const char *const snap_names[] = {"false", "true", "last", "incremental"};

/* ---- Small writers ---- */

static uint32_t mark(struct ctx *c)
{
    return (uint32_t)c->out->buf.len;
}

static struct sl_conv_span span_from(struct ctx *c, uint32_t start)
{
    return (struct sl_conv_span){start, (uint32_t)c->out->buf.len - start, false};
}

static const struct sl_conv_span null_span = {0, 0, true};

/* Debezium's avro schema name adjustment (1.9 default): invalid characters become '_'.
 * The name is written through JSON escaping when adjustment is off. */
static void schema_name(struct ctx *c, const char *suffix)
{
    struct sl_buf *tmp = &c->conv->scratch;
    struct sl_str parts[3] = {sl_str_c(c->conv->prefix), c->table->db, c->table->name};
    bool first = true;
    sl_buf_reset(tmp);
    struct sl_cw tw = {tmp, SL_OK};
    for (int k = 0; k < 3; k++) {
        if (k)
            sl_cw_ch(&tw, '.');
        for (size_t i = 0; i < parts[k].len; i++) {
            char ch = parts[k].ptr[i];
            bool ok = !c->conv->opts.schema_name_avro || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= 'a' && ch <= 'z') || ch == '_' ||
                      (!first && ((ch >= '0' && ch <= '9') || ch == '.'));
            sl_cw_ch(&tw, ok ? ch : '_');
            first = false;
        }
    }
    sl_cw_str(&tw, suffix);
    if (tw.err && !c->cw.err)
        c->cw.err = tw.err;
    sl_cw_jstr(&c->cw, tmp->data ? tmp->data : "", tmp->len);
}

sl_err_t sl_conv_topic(const struct sl_conv *conv, struct sl_str db, struct sl_str table,
                       struct sl_buf *buf)
{
    struct sl_str parts[3] = {sl_str_c(conv->prefix), db, table};
    char tmp[250];
    size_t n = 0;
    for (int k = 0; k < 3 && n < 249; k++) {
        if (k)
            tmp[n++] = '.';
        for (size_t i = 0; i < parts[k].len && n < 249; i++) {
            char ch = parts[k].ptr[i];
            bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
            tmp[n++] = ok ? ch : '_';
        }
    }
    return sl_buf_add(buf, tmp, n);
}

/* ---- Column kinds and key columns ---- */

static void resolve_cks(struct ctx *c)
{
    struct sl_conv *conv = c->conv;
    const struct sl_table *t = c->table;
    if (t->ncols > conv->cks_cap) {
        conv->cks = sl_xrealloc(conv->cks, t->ncols * sizeof(*conv->cks));
        conv->cks_cap = t->ncols;
    }
    for (uint32_t i = 0; i < t->ncols; i++)
        conv->cks[i] = sl_ck_of(&t->cols[i], &conv->opts);
}

/* Whether the cached field names are the current table's. */
static bool names_cached(const struct sl_conv *conv, const struct sl_table *t)
{
    if (!conv->names_built || conv->names_n != t->ncols)
        return false;
    for (uint32_t i = 0; i < t->ncols; i++) {
        struct sl_str n = t->cols[i].name;
        if (n.len != conv->raw_len[i] ||
            memcmp(conv->names_raw.data + conv->raw_off[i], n.ptr, n.len) != 0)
            return false;
    }
    return true;
}

/* Makes the cached field names the current table's; names_ok false when a column has no
 * name (written the slow way, as "@N") or a name does not fit. */
static void resolve_names(struct ctx *c)
{
    struct sl_conv *conv = c->conv;
    const struct sl_table *t = c->table;
    if (names_cached(conv, t))
        return;
    if (t->ncols > conv->names_cap) {
        conv->raw_off = sl_xrealloc(conv->raw_off, t->ncols * sizeof(uint32_t));
        conv->raw_len = sl_xrealloc(conv->raw_len, t->ncols * sizeof(uint32_t));
        conv->json_off = sl_xrealloc(conv->json_off, t->ncols * sizeof(uint32_t));
        conv->json_len = sl_xrealloc(conv->json_len, t->ncols * sizeof(uint32_t));
        conv->names_cap = t->ncols;
    }
    sl_buf_reset(&conv->names_raw);
    sl_buf_reset(&conv->names_json);
    conv->names_n = t->ncols;
    conv->names_built = true;
    conv->names_ok = true;
    for (uint32_t i = 0; i < t->ncols; i++) {
        struct sl_str n = t->cols[i].name;
        conv->raw_off[i] = (uint32_t)conv->names_raw.len;
        conv->raw_len[i] = (uint32_t)n.len;
        conv->json_off[i] = (uint32_t)conv->names_json.len;
        if (sl_buf_add(&conv->names_raw, n.ptr, n.len)) {
            conv->names_built = conv->names_ok = false; /* not cached at all */
            return;
        }
        conv->names_ok = conv->names_ok && n.len &&
                         sl_json_str(&conv->names_json, n.ptr, n.len) == SL_OK &&
                         sl_buf_addch(&conv->names_json, ':') == SL_OK;
        conv->json_len[i] = (uint32_t)conv->names_json.len - conv->json_off[i];
    }
}

static sl_err_t resolve_key(struct ctx *c)
{
    struct sl_conv *conv = c->conv;
    const struct sl_table *t = c->table;
    c->nkey = 0;
    if (conv->nkeyrules) {
        sl_buf_reset(&conv->fqn);
        if (sl_buf_add(&conv->fqn, t->db.ptr, t->db.len) || sl_buf_addch(&conv->fqn, '.') ||
            sl_buf_add(&conv->fqn, t->name.ptr, t->name.len))
            return SL_ERR_TOOBIG;
        for (uint32_t r = 0; r < conv->nkeyrules; r++) {
            if (regexec(&conv->keyrules[r].re, conv->fqn.data, 0, NULL, 0) != 0)
                continue;
            const char *p = conv->keyrules[r].cols;
            while (*p) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                while (len && *p == ' ') {
                    p++;
                    len--;
                }
                while (len && p[len - 1] == ' ')
                    len--;
                uint32_t i = 0;
                for (; i < t->ncols; i++) {
                    struct sl_str n = t->cols[i].name;
                    if (n.len == len && memcmp(n.ptr, p, len) == 0)
                        break;
                }
                if (len && i == t->ncols) {
                    snprintf(conv->errstr, sizeof(conv->errstr),
                             "message.key.columns: table %s has no column '%.*s'", conv->fqn.data,
                             (int)len, p);
                    return SL_ERR_INVALID;
                }
                if (len && c->nkey < SL_CONV_MAX_KEY_COLS)
                    c->key[c->nkey++] = i;
                if (!e)
                    break;
                p = e + 1;
            }
            return SL_OK;
        }
    }
    for (uint32_t k = 0; k < t->npk && c->nkey < SL_CONV_MAX_KEY_COLS; k++) {
        if (t->pk[k] < t->ncols)
            c->key[c->nkey++] = t->pk[k];
    }
    return SL_OK;
}

/* ---- Rows ---- */

/* Field schemas of the columns listed (all when idx is NULL), comma separated. */
static void cols_schema(struct ctx *c, const uint32_t *idx, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = idx ? idx[k] : k;
        const struct sl_column *col = &c->table->cols[i];
        if (k)
            sl_cw_ch(&c->cw, ',');
        sl_ck_schema(&c->cw, &c->vc, col, c->conv->cks[i], col->nullable);
        sl_cw_str(&c->cw, ",\"field\":");
        sl_col_name(&c->cw, c->table, i, true);
        sl_cw_ch(&c->cw, '}');
    }
}

/* The row's fields: "a":1,"b":null (JSON) or a=1,b=x with nulls skipped (text). Returns
 * whether anything was written (for the text separator). */
static sl_err_t row_fields(struct ctx *c, const struct sl_value *vals, const uint32_t *idx,
                           uint32_t n, bool text, bool *wrote)
{
    *wrote = false;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = idx ? idx[k] : k;
        const struct sl_column *col = &c->table->cols[i];
        sl_ck_t ck = c->conv->cks[i];
        if (text && sl_ck_is_null(col, ck, &vals[i]))
            continue;
        if (*wrote)
            sl_cw_ch(&c->cw, ',');
        *wrote = true;
        if (!text && c->conv->names_ok) {
            sl_cw_add(&c->cw, c->conv->names_json.data + c->conv->json_off[i],
                      c->conv->json_len[i]);
        } else {
            sl_col_name(&c->cw, c->table, i, !text);
            sl_cw_ch(&c->cw, text ? '=' : ':');
        }
        sl_err_t err = sl_ck_value(&c->cw, &c->vc, col, ck, &vals[i], text);
        if (err)
            return err;
    }
    return SL_OK;
}

static sl_err_t row_struct(struct ctx *c, const struct sl_value *vals, bool text)
{
    bool wrote;
    sl_cw_str(&c->cw, text ? "Struct{" : "{");
    sl_err_t err = row_fields(c, vals, NULL, c->table->ncols, text, &wrote);
    sl_cw_ch(&c->cw, '}');
    return err;
}

/* ---- Key ---- */

static sl_err_t write_key(struct ctx *c, const struct sl_value *vals, struct sl_conv_span *sp)
{
    if (c->nkey == 0) {
        *sp = null_span;
        return SL_OK;
    }
    uint32_t start = mark(c);
    const struct sl_conv_opts *o = &c->conv->opts;
    bool text = o->key_format == SL_CONV_FMT_STRING;
    c->vc.decimal_numeric = o->key_decimal_numeric;
    bool schemas = !text && o->key_schemas;
    if (schemas) {
        sl_cw_str(&c->cw, "{\"schema\":{\"type\":\"struct\",\"fields\":[");
        cols_schema(c, c->key, c->nkey);
        sl_cw_str(&c->cw, "],\"optional\":false,\"name\":");
        schema_name(c, ".Key");
        sl_cw_str(&c->cw, "},\"payload\":");
    }
    bool wrote;
    sl_cw_str(&c->cw, text ? "Struct{" : "{");
    sl_err_t err = row_fields(c, vals, c->key, c->nkey, text, &wrote);
    if (err)
        return err;
    sl_cw_ch(&c->cw, '}');
    if (schemas)
        sl_cw_ch(&c->cw, '}');
    *sp = span_from(c, start);
    return c->cw.err;
}

/* Whether the key columns hold the same values in both images. */
static bool same_key(const struct ctx *c)
{
    for (uint32_t k = 0; k < c->nkey; k++) {
        const struct sl_value *a = &c->chg->before[c->key[k]];
        const struct sl_value *b = &c->chg->after[c->key[k]];
        if (a->kind != b->kind)
            return false;
        switch (a->kind) {
        case SL_VAL_ABSENT:
        case SL_VAL_NULL:
            break;
        case SL_VAL_INT:
        case SL_VAL_UINT:
        case SL_VAL_ENUM:
        case SL_VAL_SET:
            if (a->v.u != b->v.u)
                return false;
            break;
        case SL_VAL_FLOAT:
            if (a->v.f != b->v.f)
                return false;
            break;
        case SL_VAL_DOUBLE:
            if (a->v.d != b->v.d)
                return false;
            break;
        case SL_VAL_DATE:
        case SL_VAL_TIME:
        case SL_VAL_DATETIME:
            if (a->v.tm.year != b->v.tm.year || a->v.tm.month != b->v.tm.month ||
                a->v.tm.day != b->v.tm.day || a->v.tm.hour != b->v.tm.hour ||
                a->v.tm.minute != b->v.tm.minute || a->v.tm.second != b->v.tm.second ||
                a->v.tm.usec != b->v.tm.usec || a->v.tm.neg != b->v.tm.neg)
                return false;
            break;
        case SL_VAL_TIMESTAMP:
            if (a->v.ts.sec != b->v.ts.sec || a->v.ts.usec != b->v.ts.usec)
                return false;
            break;
        default:
            if (!sl_str_eq(a->v.s, b->v.s))
                return false;
            break;
        }
    }
    return true;
}

/* ---- Source block and envelope ---- */

static const char source_schema[] =
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
    "\"parameters\":{\"allowed\":\"true,last,false,incremental\"},\"default\":\"false\","
    "\"field\":\"snapshot\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"table\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"server_id\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"gtid\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"file\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"pos\"},"
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"row\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"thread\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"query\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.mysql.Source\",\"field\":\"source\"}";

static const char txn_schema[] =
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],"
    "\"optional\":true,\"field\":\"transaction\"}";

static struct fval fv_str(struct sl_str s)
{
    return (struct fval){FV_STR, s, 0};
}

static struct fval fv_i64(int64_t n)
{
    return (struct fval){FV_I64, SL_STR_NULL, n};
}

static struct fval fv_opt_str(struct sl_str s)
{
    return s.len ? fv_str(s) : (struct fval){FV_NULL, SL_STR_NULL, 0};
}

static struct fval field_value(const struct ctx *c, sl_fld_t f, char op)
{
    static const char ops[] = "cudr";
    const struct sl_pos *pos = &c->chg->pos;
    const struct sl_conv_txn *txn = c->meta.txn;
    struct fval null = {FV_NULL, SL_STR_NULL, 0};
    switch (f) {
    case SL_FLD_OP:
        return fv_str((struct sl_str){strchr(ops, op), 1});
    case SL_FLD_TS_MS:
        return fv_i64(c->meta.ts_ms);
    case SL_FLD_TXN_ID:
        return txn ? fv_str(txn->id) : null;
    case SL_FLD_TXN_TOTAL:
        return txn ? fv_i64(txn->total_order) : null;
    case SL_FLD_TXN_DCO:
        return txn ? fv_i64(txn->data_collection_order) : null;
    case SL_FLD_SRC_VERSION:
        return fv_str(sl_str_c(c->conv->version));
    case SL_FLD_SRC_CONNECTOR:
        return fv_str(SL_STR("mysql"));
    case SL_FLD_SRC_NAME:
        return fv_str(sl_str_c(c->conv->prefix));
    case SL_FLD_SRC_TS_MS:
        return fv_i64(pos->ts_sec * 1000);
    case SL_FLD_SRC_SNAPSHOT:
        return fv_str(sl_str_c(snap_names[c->meta.snapshot]));
    case SL_FLD_SRC_DB:
        return fv_str(c->table->db);
    case SL_FLD_SRC_SEQUENCE:
        return null;
    case SL_FLD_SRC_TABLE:
        return fv_opt_str(c->table->name);
    case SL_FLD_SRC_SERVER_ID:
        return fv_i64(pos->server_id);
    case SL_FLD_SRC_GTID:
        return fv_opt_str(pos->gtid);
    case SL_FLD_SRC_FILE:
        return fv_str((struct sl_str){pos->file, strnlen(pos->file, sizeof(pos->file))});
    case SL_FLD_SRC_POS:
        return fv_i64((int64_t)pos->event_pos);
    case SL_FLD_SRC_ROW:
        return fv_i64(pos->row);
    case SL_FLD_SRC_THREAD:
        return c->chg->thread_id ? fv_i64((int64_t)c->chg->thread_id) : null;
    case SL_FLD_SRC_QUERY:
        return fv_opt_str(c->chg->query);
    }
    return null;
}

static const char *field_type(sl_fld_t f)
{
    switch (f) {
    case SL_FLD_TS_MS:
    case SL_FLD_TXN_TOTAL:
    case SL_FLD_TXN_DCO:
    case SL_FLD_SRC_TS_MS:
    case SL_FLD_SRC_SERVER_ID:
    case SL_FLD_SRC_POS:
    case SL_FLD_SRC_THREAD:
        return "int64";
    case SL_FLD_SRC_ROW:
        return "int32";
    default:
        return "string";
    }
}

static void fval_write(struct sl_cw *cw, struct fval v, bool text)
{
    if (v.t == FV_NULL)
        sl_cw_str(cw, "null");
    else if (v.t == FV_I64)
        sl_cw_i64(cw, v.n);
    else if (text)
        sl_cw_utf8(cw, v.s.ptr, v.s.len);
    else
        sl_cw_jstr(cw, v.s.ptr, v.s.len);
}

/* The source struct's fields in 1.9 order (§6.4). */
static const sl_fld_t source_fields[] = {
    SL_FLD_SRC_VERSION,   SL_FLD_SRC_CONNECTOR, SL_FLD_SRC_NAME,     SL_FLD_SRC_TS_MS,
    SL_FLD_SRC_SNAPSHOT,  SL_FLD_SRC_DB,        SL_FLD_SRC_SEQUENCE, SL_FLD_SRC_TABLE,
    SL_FLD_SRC_SERVER_ID, SL_FLD_SRC_GTID,      SL_FLD_SRC_FILE,     SL_FLD_SRC_POS,
    SL_FLD_SRC_ROW,       SL_FLD_SRC_THREAD,    SL_FLD_SRC_QUERY,
};
static const char *const source_names[] = {
    "version",   "connector", "name", "ts_ms", "snapshot", "db",     "sequence", "table",
    "server_id", "gtid",      "file", "pos",   "row",      "thread", "query",
};

static void source_struct(struct ctx *c, bool text)
{
    bool first = true;
    sl_cw_str(&c->cw, text ? "Struct{" : "{");
    for (size_t k = 0; k < sizeof(source_fields) / sizeof(source_fields[0]); k++) {
        struct fval v = field_value(c, source_fields[k], 'c');
        /* In the Struct, snapshot=false is an unset field shown through its default. */
        bool unset =
            v.t == FV_NULL || (source_fields[k] == SL_FLD_SRC_SNAPSHOT && c->meta.snapshot == 0);
        if (text && unset)
            continue;
        if (!first)
            sl_cw_ch(&c->cw, ',');
        first = false;
        if (text) {
            sl_cw_str(&c->cw, source_names[k]);
            sl_cw_ch(&c->cw, '=');
        } else {
            sl_cw_ch(&c->cw, '"');
            sl_cw_str(&c->cw, source_names[k]);
            sl_cw_str(&c->cw, "\":");
        }
        fval_write(&c->cw, v, text);
    }
    sl_cw_ch(&c->cw, '}');
}

static void value_schema(struct ctx *c, bool optional, const char *field)
{
    sl_cw_str(&c->cw, "{\"type\":\"struct\",\"fields\":[");
    cols_schema(c, NULL, c->table->ncols);
    sl_cw_str(&c->cw, "],\"optional\":");
    sl_cw_str(&c->cw, optional ? "true,\"name\":" : "false,\"name\":");
    schema_name(c, ".Value");
    if (field) {
        sl_cw_str(&c->cw, ",\"field\":\"");
        sl_cw_str(&c->cw, field);
        sl_cw_ch(&c->cw, '"');
    }
    sl_cw_ch(&c->cw, '}');
}

static sl_err_t envelope(struct ctx *c, char op, const struct sl_value *before,
                         const struct sl_value *after, struct sl_conv_span *sp)
{
    const struct sl_conv_opts *o = &c->conv->opts;
    bool text = o->value_format == SL_CONV_FMT_STRING;
    bool schemas = !text && o->value_schemas;
    uint32_t start = mark(c);
    struct sl_cw *cw = &c->cw;
    sl_err_t err;
    c->vc.decimal_numeric = o->value_decimal_numeric;
    if (schemas) {
        sl_cw_str(cw, "{\"schema\":{\"type\":\"struct\",\"fields\":[");
        value_schema(c, true, "before");
        sl_cw_ch(cw, ',');
        value_schema(c, true, "after");
        sl_cw_ch(cw, ',');
        sl_cw_str(cw, source_schema);
        sl_cw_str(cw, ",{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
                      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},");
        sl_cw_str(cw, txn_schema);
        sl_cw_str(cw, "],\"optional\":false,\"name\":");
        schema_name(c, ".Envelope");
        sl_cw_str(cw, "},\"payload\":");
    }
    if (text) {
        sl_cw_str(cw, "Struct{");
        if (before) {
            sl_cw_str(cw, "before=");
            err = row_struct(c, before, true);
            if (err)
                return err;
            sl_cw_ch(cw, ',');
        }
        if (after) {
            sl_cw_str(cw, "after=");
            err = row_struct(c, after, true);
            if (err)
                return err;
            sl_cw_ch(cw, ',');
        }
        sl_cw_str(cw, "source=");
        source_struct(c, true);
        sl_cw_str(cw, ",op=");
        sl_cw_ch(cw, op);
        sl_cw_str(cw, ",ts_ms=");
        sl_cw_i64(cw, c->meta.ts_ms);
    } else {
        sl_cw_str(cw, "{\"before\":");
        if (before) {
            err = row_struct(c, before, false);
            if (err)
                return err;
        } else {
            sl_cw_str(cw, "null");
        }
        sl_cw_str(cw, ",\"after\":");
        if (after) {
            err = row_struct(c, after, false);
            if (err)
                return err;
        } else {
            sl_cw_str(cw, "null");
        }
        sl_cw_str(cw, ",\"source\":");
        source_struct(c, false);
        sl_cw_str(cw, ",\"op\":\"");
        sl_cw_ch(cw, op);
        sl_cw_str(cw, "\",\"ts_ms\":");
        sl_cw_i64(cw, c->meta.ts_ms);
        sl_cw_str(cw, ",\"transaction\":");
    }
    const struct sl_conv_txn *txn = c->meta.txn;
    if (txn) {
        if (text) {
            sl_cw_str(cw, ",transaction=Struct{id=");
            sl_cw_utf8(cw, txn->id.ptr, txn->id.len);
            sl_cw_str(cw, ",total_order=");
        } else {
            sl_cw_str(cw, "{\"id\":");
            sl_cw_jstr(cw, txn->id.ptr, txn->id.len);
            sl_cw_str(cw, ",\"total_order\":");
        }
        sl_cw_i64(cw, txn->total_order);
        sl_cw_str(cw, text ? ",data_collection_order=" : ",\"data_collection_order\":");
        sl_cw_i64(cw, txn->data_collection_order);
        sl_cw_ch(cw, '}');
    } else if (!text) {
        sl_cw_str(cw, "null");
    }
    sl_cw_ch(cw, '}');
    if (schemas)
        sl_cw_ch(cw, '}');
    *sp = span_from(c, start);
    return cw->err;
}

/* ---- ExtractNewRecordState ---- */

/* The unwrapped row: image + add.fields (+ __deleted in rewrite mode). deleted < 0: none. */
static sl_err_t unwrapped(struct ctx *c, char op, const struct sl_value *vals, int deleted,
                          struct sl_conv_span *sp)
{
    struct sl_conv *conv = c->conv;
    const struct sl_conv_opts *o = &conv->opts;
    bool text = o->value_format == SL_CONV_FMT_STRING;
    bool schemas = !text && o->value_schemas;
    struct sl_cw *cw = &c->cw;
    uint32_t start = mark(c);
    c->vc.decimal_numeric = o->value_decimal_numeric;
    if (schemas) {
        /* With added fields the schema is rebuilt (SchemaUtil.copySchemaBasics), which
         * does not copy "optional"; without, it is the envelope's optional after schema. */
        bool changed = conv->naddf || deleted >= 0;
        sl_cw_str(cw, "{\"schema\":{\"type\":\"struct\",\"fields\":[");
        cols_schema(c, NULL, c->table->ncols);
        for (uint32_t k = 0; k < conv->naddf; k++) {
            if (c->table->ncols || k)
                sl_cw_ch(cw, ',');
            /* The source field's schema made optional (name and parameters kept). */
            sl_cw_str(cw, "{\"type\":\"");
            sl_cw_str(cw, field_type(conv->addf[k].fld));
            sl_cw_str(cw, "\",\"optional\":true,");
            if (conv->addf[k].fld == SL_FLD_SRC_SNAPSHOT)
                sl_cw_str(cw, "\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                              "\"parameters\":{\"allowed\":\"true,last,false,incremental\"},");
            sl_cw_str(cw, "\"field\":");
            sl_cw_jstr(cw, conv->addf[k].name, strlen(conv->addf[k].name));
            sl_cw_ch(cw, '}');
        }
        if (deleted >= 0) {
            if (c->table->ncols || conv->naddf)
                sl_cw_ch(cw, ',');
            sl_cw_str(cw, "{\"type\":\"string\",\"optional\":true,\"field\":");
            sl_cw_jstr(cw, conv->deleted_name, strlen(conv->deleted_name));
            sl_cw_ch(cw, '}');
        }
        sl_cw_str(cw, changed ? "],\"optional\":false,\"name\":" : "],\"optional\":true,\"name\":");
        schema_name(c, ".Value");
        sl_cw_str(cw, "},\"payload\":");
    }
    bool wrote;
    sl_cw_str(cw, text ? "Struct{" : "{");
    sl_err_t err = row_fields(c, vals, NULL, c->table->ncols, text, &wrote);
    if (err)
        return err;
    for (uint32_t k = 0; k < conv->naddf; k++) {
        struct fval v = field_value(c, conv->addf[k].fld, op);
        if (text && v.t == FV_NULL)
            continue;
        if (wrote)
            sl_cw_ch(cw, ',');
        wrote = true;
        if (text) {
            sl_cw_str(cw, conv->addf[k].name);
            sl_cw_ch(cw, '=');
        } else {
            sl_cw_jstr(cw, conv->addf[k].name, strlen(conv->addf[k].name));
            sl_cw_ch(cw, ':');
        }
        fval_write(cw, v, text);
    }
    if (deleted >= 0) {
        if (wrote)
            sl_cw_ch(cw, ',');
        if (text) {
            sl_cw_str(cw, conv->deleted_name);
            sl_cw_str(cw, deleted ? "=true" : "=false");
        } else {
            sl_cw_jstr(cw, conv->deleted_name, strlen(conv->deleted_name));
            sl_cw_str(cw, deleted ? ":\"true\"" : ":\"false\"");
        }
    }
    sl_cw_ch(cw, '}');
    if (schemas)
        sl_cw_ch(cw, '}');
    *sp = span_from(c, start);
    return cw->err;
}

/* add.headers values, as SimpleHeaderConverter writes them. tombstone: only op ("d"). */
static void add_headers(struct ctx *c, struct sl_conv_record *rec, char op, bool tombstone)
{
    struct sl_conv *conv = c->conv;
    for (uint32_t k = 0; k < conv->naddh; k++) {
        if (tombstone && conv->addh[k].fld != SL_FLD_OP)
            continue;
        struct sl_conv_header *h = &rec->headers[rec->nheaders++];
        uint32_t start = mark(c);
        sl_cw_str(&c->cw, conv->addh[k].name);
        h->name = span_from(c, start);
        struct fval v = field_value(c, conv->addh[k].fld, op);
        if (v.t == FV_NULL) {
            h->value = null_span;
            continue;
        }
        start = mark(c);
        fval_write(&c->cw, v, true);
        h->value = span_from(c, start);
    }
}

/* ---- Records ---- */

static struct sl_conv_record *new_rec(struct ctx *c, struct sl_conv_span key)
{
    struct sl_conv_record *rec = &c->out->rec[c->out->nrec++];
    /* Not memset: the header array is 400 bytes and only its first nheaders count. */
    rec->nheaders = 0;
    rec->topic = c->topic;
    rec->key = key;
    rec->value = null_span;
    return rec;
}

/* One envelope (before/after by op) plus, for deletes, its tombstone. */
static sl_err_t emit(struct ctx *c, char op, const struct sl_value *before,
                     const struct sl_value *after, struct sl_conv_span key, bool tombstone)
{
    const struct sl_conv_opts *o = &c->conv->opts;
    sl_err_t err;
    if (!o->unwrap) {
        struct sl_conv_record *rec = new_rec(c, key);
        err = envelope(c, op, before, after, &rec->value);
        if (err)
            return err;
    } else if (after) {
        struct sl_conv_record *rec = new_rec(c, key);
        int deleted = o->unwrap_delete_mode == SL_CONV_DELETE_REWRITE ? 0 : -1;
        err = unwrapped(c, op, after, deleted, &rec->value);
        if (err)
            return err;
        add_headers(c, rec, op, false);
    } else if (o->unwrap_delete_mode == SL_CONV_DELETE_REWRITE) {
        struct sl_conv_record *rec = new_rec(c, key);
        err = unwrapped(c, op, before, 1, &rec->value);
        if (err)
            return err;
        add_headers(c, rec, op, false);
    } else if (o->unwrap_delete_mode == SL_CONV_DELETE_NONE) {
        struct sl_conv_record *rec = new_rec(c, key);
        add_headers(c, rec, op, false);
    }
    if (tombstone && o->tombstones_on_delete && !(o->unwrap && o->unwrap_drop_tombstones)) {
        struct sl_conv_record *rec = new_rec(c, key);
        if (o->unwrap)
            add_headers(c, rec, 'd', true);
    }
    return c->cw.err;
}

/* Appends the table's topic name, from the cached one when the table is the last one's. */
static sl_err_t add_topic(struct sl_conv *conv, struct sl_str db, struct sl_str name,
                          struct sl_buf *out)
{
    struct sl_buf *of = &conv->topic_of;
    bool same = of->len == db.len + 1 + name.len && memcmp(of->data, db.ptr, db.len) == 0 &&
                memcmp(of->data + db.len + 1, name.ptr, name.len) == 0;
    if (!same) {
        sl_buf_reset(of);
        sl_buf_reset(&conv->topic);
        if (sl_buf_add(of, db.ptr, db.len) || sl_buf_addch(of, '\0') ||
            sl_buf_add(of, name.ptr, name.len) || sl_conv_topic(conv, db, name, &conv->topic)) {
            sl_buf_reset(of); /* not cached: built directly below */
            return sl_conv_topic(conv, db, name, out);
        }
    }
    return sl_buf_add(out, conv->topic.data, conv->topic.len);
}

static sl_err_t convert(struct ctx *c)
{
    const struct sl_change *chg = c->chg;
    sl_err_t err = resolve_key(c);
    if (err)
        return err;
    uint32_t start = mark(c);
    c->cw.err = add_topic(c->conv, c->table->db, c->table->name, &c->out->buf);
    if (c->cw.err)
        return c->cw.err;
    c->topic = span_from(c, start);
    struct sl_conv_span key;
    switch (chg->op) {
    case SL_OP_INSERT:
    case SL_OP_READ:
        if (!chg->after)
            goto missing;
        err = write_key(c, chg->after, &key);
        if (err)
            return err;
        return emit(c, chg->op == SL_OP_READ ? 'r' : 'c', NULL, chg->after, key, false);
    case SL_OP_DELETE:
        if (!chg->before)
            goto missing;
        err = write_key(c, chg->before, &key);
        if (err)
            return err;
        return emit(c, 'd', chg->before, NULL, key, true);
    case SL_OP_UPDATE:
        if (!chg->before || !chg->after)
            goto missing;
        if (same_key(c)) {
            err = write_key(c, chg->after, &key);
            if (err)
                return err;
            return emit(c, 'u', chg->before, chg->after, key, false);
        }
        /* Key change: delete + tombstone under the old key, create under the new (§6.5). */
        err = write_key(c, chg->before, &key);
        if (err)
            return err;
        err = emit(c, 'd', chg->before, NULL, key, true);
        if (err)
            return err;
        err = write_key(c, chg->after, &key);
        if (err)
            return err;
        return emit(c, 'c', NULL, chg->after, key, false);
    }
missing:
    snprintf(c->conv->errstr, sizeof(c->conv->errstr),
             "%.*s.%.*s: change op %d lacks its row image", SL_STR_FMT(c->table->db),
             SL_STR_FMT(c->table->name), (int)chg->op);
    return SL_ERR_INVALID;
}

static sl_err_t change(struct sl_conv *conv, const struct sl_change *chg,
                       const struct sl_conv_meta *meta, struct sl_conv_out *out, bool append)
{
    /* Field by field rather than a memset of the whole context: key[] is 256 bytes and
     * only its first nkey entries are ever read. */
    struct ctx c;
    c.conv = conv;
    c.chg = chg;
    c.table = chg->table;
    c.nkey = 0;
    c.topic = null_span;
    if (meta) {
        c.meta = *meta;
    } else {
        c.meta = (struct sl_conv_meta){
            .ts_ms = sl_time_now_ms(),
            .snapshot = chg->op == SL_OP_READ ? SL_CONV_SNAP_TRUE : SL_CONV_SNAP_FALSE,
        };
    }
    if ((unsigned)c.meta.snapshot > SL_CONV_SNAP_INCREMENTAL)
        c.meta.snapshot = SL_CONV_SNAP_FALSE;
    c.vc = (struct sl_vctx){&conv->scratch, conv->errstr, sizeof(conv->errstr), chg->table, false};
    c.cw = (struct sl_cw){&out->buf, SL_OK};
    c.out = out;
    conv->errstr[0] = '\0';
    size_t start = append ? out->buf.len : 0;
    if (append)
        out->nrec = 0;
    else
        sl_conv_out_reset(out);
    resolve_cks(&c);
    resolve_names(&c);
    sl_err_t err = convert(&c);
    if (!err)
        err = c.cw.err;
    if (err) {
        if (err == SL_ERR_TOOBIG && !conv->errstr[0])
            snprintf(conv->errstr, sizeof(conv->errstr),
                     "%.*s.%.*s: records of one change exceed %zu bytes",
                     SL_STR_FMT(chg->table->db), SL_STR_FMT(chg->table->name), out->buf.max);
        sl_buf_truncate(&out->buf, start);
        out->nrec = 0;
    }
    return err;
}

sl_err_t sl_conv_change(struct sl_conv *conv, const struct sl_change *chg,
                        const struct sl_conv_meta *meta, struct sl_conv_out *out)
{
    return change(conv, chg, meta, out, false);
}

sl_err_t sl_conv_change_append(struct sl_conv *conv, const struct sl_change *chg,
                               const struct sl_conv_meta *meta, struct sl_conv_out *out)
{
    return change(conv, chg, meta, out, true);
}
