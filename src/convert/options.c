/* SPDX-License-Identifier: Apache-2.0 */
/* Converter construction: option defaults, message.key.columns rules and the add.fields /
 * add.headers lists of ExtractNewRecordState, validated once so the per-row path only
 * reads prepared tables. */
#include "convert/conv_int.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

void sl_conv_opts_init(struct sl_conv_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->key_format = SL_CONV_FMT_JSON;
    opts->key_schemas = true;
    opts->value_format = SL_CONV_FMT_JSON;
    opts->value_schemas = true;
    opts->schema_name_avro = true;
    opts->tombstones_on_delete = true;
    opts->unwrap_drop_tombstones = true;
    opts->unwrap_delete_mode = SL_CONV_DELETE_DROP;
}

/* Field names ExtractNewRecordState can reach, with the struct each belongs to
 * (FieldReference.determineStruct, §10.3). */
static const struct {
    const char *name;
    sl_fld_t fld;
    const char *owner; /* "" = envelope */
} fields[] = {
    {"op", SL_FLD_OP, ""},
    {"ts_ms", SL_FLD_TS_MS, ""},
    {"id", SL_FLD_TXN_ID, "transaction"},
    {"total_order", SL_FLD_TXN_TOTAL, "transaction"},
    {"data_collection_order", SL_FLD_TXN_DCO, "transaction"},
    {"version", SL_FLD_SRC_VERSION, "source"},
    {"connector", SL_FLD_SRC_CONNECTOR, "source"},
    {"name", SL_FLD_SRC_NAME, "source"},
    {"ts_ms", SL_FLD_SRC_TS_MS, "source"},
    {"snapshot", SL_FLD_SRC_SNAPSHOT, "source"},
    {"db", SL_FLD_SRC_DB, "source"},
    {"sequence", SL_FLD_SRC_SEQUENCE, "source"},
    {"table", SL_FLD_SRC_TABLE, "source"},
    {"server_id", SL_FLD_SRC_SERVER_ID, "source"},
    {"gtid", SL_FLD_SRC_GTID, "source"},
    {"file", SL_FLD_SRC_FILE, "source"},
    {"pos", SL_FLD_SRC_POS, "source"},
    {"row", SL_FLD_SRC_ROW, "source"},
    {"thread", SL_FLD_SRC_THREAD, "source"},
    {"query", SL_FLD_SRC_QUERY, "source"},
};

/* One add.fields item: "field", "struct.field", either with ":NEW". */
static int parse_field(const char *item, size_t len, const char *prefix, struct sl_addfld *af,
                       char *errstr, size_t errstr_size, const char *key)
{
    char buf[128];
    if (len == 0 || len >= sizeof(buf)) {
        snprintf(errstr, errstr_size, "%s: bad item '%.*s'", key, (int)len, item);
        return -1;
    }
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *rename = strchr(buf, ':');
    if (rename)
        *rename++ = '\0';
    char *field = buf;
    const char *owner = NULL;
    char *dot = strchr(buf, '.');
    if (dot) {
        *dot = '\0';
        owner = buf;
        field = dot + 1;
    }
    int found = -1;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].name, field) != 0)
            continue;
        if (owner ? strcmp(owner, fields[i].owner) == 0 : true) {
            found = (int)i;
            break;
        }
    }
    if (found < 0) {
        snprintf(errstr, errstr_size, "%s: Unexpected field name '%.*s'", key, (int)len, item);
        return -1;
    }
    af->fld = fields[found].fld;
    int w;
    if (rename && *rename)
        w = snprintf(af->name, sizeof(af->name), "%s%s", prefix, rename);
    else if (owner)
        w = snprintf(af->name, sizeof(af->name), "%s%s_%s", prefix, owner, field);
    else
        w = snprintf(af->name, sizeof(af->name), "%s%s", prefix, field);
    if (w < 0 || (size_t)w >= sizeof(af->name)) {
        snprintf(errstr, errstr_size, "%s: name too long for '%.*s'", key, (int)len, item);
        return -1;
    }
    return 0;
}

static int parse_fields(const char *list, const char *prefix, struct sl_addfld *out, uint32_t *n,
                        char *errstr, size_t errstr_size, const char *key)
{
    *n = 0;
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            if (*n >= SL_CONV_MAX_HEADERS) {
                snprintf(errstr, errstr_size, "%s: more than %d items", key, SL_CONV_MAX_HEADERS);
                return -1;
            }
            if (parse_field(p, len, prefix, &out[*n], errstr, errstr_size, key))
                return -1;
            (*n)++;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* message.key.columns: "<table regex>:<col>,<col>;..." */
static int parse_key_rules(struct sl_conv *conv, const char *spec, char *errstr, size_t errstr_size)
{
    const char *p = spec;
    while (*p) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        if (len) {
            const char *colon = memchr(p, ':', len);
            if (!colon || colon == p || colon + 1 == p + len) {
                snprintf(errstr, errstr_size,
                         "message.key.columns: '%.*s' is not <db>.<table>:<col>[,<col>]", (int)len,
                         p);
                return -1;
            }
            if (conv->nkeyrules >= SL_CONV_MAX_KEY_RULES) {
                snprintf(errstr, errstr_size, "message.key.columns: more than %d tables",
                         SL_CONV_MAX_KEY_RULES);
                return -1;
            }
            struct sl_keyrule *kr = &conv->keyrules[conv->nkeyrules];
            char *re = sl_xmalloc((size_t)(colon - p) + 3);
            snprintf(re, (size_t)(colon - p) + 3, "^%.*s$", (int)(colon - p), p);
            int rc = regcomp(&kr->re, re, REG_EXTENDED | REG_NOSUB);
            sl_free(re);
            if (rc) {
                snprintf(errstr, errstr_size, "message.key.columns: bad table regex '%.*s'",
                         (int)(colon - p), p);
                return -1;
            }
            conv->nkeyrules++;
            kr->cols = sl_xstrndup(colon + 1, (size_t)(p + len - colon - 1));
        }
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

struct sl_conv *sl_conv_new(const struct sl_conv_opts *opts, char *errstr, size_t errstr_size)
{
    if (!opts->topic_prefix || !*opts->topic_prefix) {
        snprintf(errstr, errstr_size, "topic.prefix (database.server.name) is required");
        return NULL;
    }
    struct sl_conv *conv = sl_xcalloc(1, sizeof(*conv));
    conv->opts = *opts;
    conv->prefix = sl_xstrdup(opts->topic_prefix);
    conv->opts.topic_prefix = conv->prefix;
    conv->version = sl_xstrdup(opts->version ? opts->version : SL_CONV_DEBEZIUM_VERSION);
    conv->opts.version = conv->version;
    if (opts->transaction_topic && *opts->transaction_topic) {
        conv->txn_topic = sl_xstrdup(opts->transaction_topic);
    } else {
        size_t n = strlen(conv->prefix) + sizeof(".transaction");
        conv->txn_topic = sl_xmalloc(n);
        snprintf(conv->txn_topic, n, "%s.transaction", conv->prefix);
    }
    conv->opts.transaction_topic = NULL;
    /* Clear borrowed strings we do not keep. */
    conv->opts.message_key_columns = NULL;
    conv->opts.unwrap_add_fields = NULL;
    conv->opts.unwrap_add_headers = NULL;
    conv->opts.unwrap_add_fields_prefix = NULL;
    conv->opts.unwrap_add_headers_prefix = NULL;
    sl_buf_init(&conv->scratch, SL_BUF_MAX_DEFAULT);
    sl_buf_init(&conv->fqn, 4096);
    sl_buf_init(&conv->topic_of, 4096);
    sl_buf_init(&conv->topic, 4096);
    sl_buf_init(&conv->names_raw, SL_BUF_MAX_DEFAULT);
    sl_buf_init(&conv->names_json, SL_BUF_MAX_DEFAULT);
    if (opts->message_key_columns &&
        parse_key_rules(conv, opts->message_key_columns, errstr, errstr_size))
        goto fail;
    const char *fp = opts->unwrap_add_fields_prefix ? opts->unwrap_add_fields_prefix : "__";
    const char *hp = opts->unwrap_add_headers_prefix ? opts->unwrap_add_headers_prefix : "__";
    if (parse_fields(opts->unwrap_add_fields, fp, conv->addf, &conv->naddf, errstr, errstr_size,
                     "add.fields") ||
        parse_fields(opts->unwrap_add_headers, hp, conv->addh, &conv->naddh, errstr, errstr_size,
                     "add.headers"))
        goto fail;
    if (snprintf(conv->deleted_name, sizeof(conv->deleted_name), "%sdeleted", fp) >=
        (int)sizeof(conv->deleted_name)) {
        snprintf(errstr, errstr_size, "add.fields.prefix: too long");
        goto fail;
    }
    return conv;
fail:
    sl_conv_free(conv);
    return NULL;
}

void sl_conv_free(struct sl_conv *conv)
{
    if (!conv)
        return;
    for (uint32_t i = 0; i < conv->nkeyrules; i++) {
        regfree(&conv->keyrules[i].re);
        sl_free(conv->keyrules[i].cols);
    }
    sl_buf_fini(&conv->scratch);
    sl_buf_fini(&conv->fqn);
    sl_buf_fini(&conv->topic_of);
    sl_buf_fini(&conv->topic);
    sl_buf_fini(&conv->names_raw);
    sl_buf_fini(&conv->names_json);
    sl_free(conv->raw_off);
    sl_free(conv->raw_len);
    sl_free(conv->json_off);
    sl_free(conv->json_len);
    sl_free(conv->cks);
    sl_free(conv->prefix);
    sl_free(conv->version);
    sl_free(conv->txn_topic);
    sl_free(conv);
}

const char *sl_conv_errstr(const struct sl_conv *conv)
{
    return conv->errstr;
}

const char *sl_conv_schema_topic(const struct sl_conv *conv)
{
    return conv->prefix;
}

const char *sl_conv_txn_topic(const struct sl_conv *conv)
{
    return conv->txn_topic;
}

void sl_conv_out_init(struct sl_conv_out *out, size_t max)
{
    memset(out, 0, sizeof(*out));
    sl_buf_init(&out->buf, max);
}

void sl_conv_out_reset(struct sl_conv_out *out)
{
    sl_buf_reset(&out->buf);
    out->nrec = 0;
}

void sl_conv_out_fini(struct sl_conv_out *out)
{
    sl_buf_fini(&out->buf);
    out->nrec = 0;
}

struct sl_str sl_conv_out_str(const struct sl_conv_out *out, struct sl_conv_span span)
{
    if (span.null)
        return SL_STR_NULL;
    return (struct sl_str){out->buf.data ? out->buf.data + span.off : "", span.len};
}
