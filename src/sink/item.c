/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka record -> DynamoDB item in DynamoDB JSON, following the Confluent 1.2 ItemConverter
 * (dynamodb-sink.md §1.5): key attributes from the pk references first, then every field of a
 * struct/map value, else one attribute "value". Numbers keep their exact digits (canonical
 * DynamoDB form, never a double); Connect logical types are honoured with schemas. */
#include "sink/item.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/time.h"
#include "sink/jtree.h"

#define MAX_ITEM_DEPTH 32 /* DynamoDB nesting limit */

/* One side (key or value) of the record, parsed. */
struct side {
    const char *what; /* "key" / "value" for messages */
    bool null;
    bool is_string; /* StringConverter: raw is the string */
    const char *raw;
    size_t raw_len;
    struct sl_jtree *jt;           /* the item's scratch tree */
    const struct sl_jnode *schema; /* NULL when schemaless */
    const struct sl_jnode *payload;
};

/* A resolved key reference: a JSON node (with schema) or a literal text. */
struct refval {
    const struct sl_jtree *jt;
    const struct sl_jnode *node;
    const struct sl_jnode *schema;
    char type; /* for literal text: 'N' or 'S' */
    const char *text;
    size_t len;
};

struct ctx {
    const struct sl_sink_item_conf *conf;
    char *errstr;
    size_t errstr_size;
    /* Scratch buffers of the item (struct sl_sink_scratch), not owned. */
    struct sl_buf *tmp;
    struct sl_buf *name; /* a field name of the row */
    struct sl_buf *kval; /* a key attribute's value */
};

/* Buffers and parse trees kept in an item between conversions, so converting a record does
 * not allocate once it has seen records of that size (their capacity is bounded by the
 * record limits). */
struct sl_sink_scratch {
    struct sl_jtree key_jt, val_jt;
    struct sl_buf tmp, name, kval;
};

/* ---- Configuration ---- */

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

sl_err_t sl_sink_pk_parse(const char *text, struct sl_sink_pk *pk, char *errstr, size_t errstr_size)
{
    memset(pk, 0, sizeof(*pk));
    if (text[0] == '\0')
        return SL_OK;
    const char *colon = strchr(text, ':');
    size_t ref_len = colon ? (size_t)(colon - text) : strlen(text);
    static const struct {
        const char *word;
        sl_sink_pk_t kind;
        bool path;
    } refs[] = {
        {"partition", SL_SINK_PK_PARTITION, false},
        {"offset", SL_SINK_PK_OFFSET, false},
        {"key", SL_SINK_PK_KEY, true},
        {"value", SL_SINK_PK_VALUE, true},
    };
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        size_t wl = strlen(refs[i].word);
        if (ref_len < wl || memcmp(text, refs[i].word, wl) != 0)
            continue;
        const char *rest = text + wl;
        size_t rest_len = ref_len - wl;
        if (rest_len > 0 && (!refs[i].path || rest[0] != '.'))
            continue;
        if (rest_len > 0) {
            rest++;
            rest_len--;
            if (rest_len == 0 || rest_len >= SL_SINK_NAME_MAX)
                goto bad;
            for (size_t k = 0; k < rest_len; k++) {
                if (!name_char(rest[k]))
                    goto bad;
                if (rest[k] == '.' && (k == 0 || k + 1 == rest_len || rest[k + 1] == '.'))
                    goto bad;
            }
            memcpy(pk->path, rest, rest_len);
        }
        pk->kind = refs[i].kind;
        const char *last = strrchr(pk->path, '.');
        snprintf(pk->name, sizeof(pk->name), "%s",
                 pk->path[0] ? (last ? last + 1 : pk->path) : refs[i].word);
        if (colon) {
            size_t al = strlen(colon + 1);
            if (al == 0 || al >= SL_SINK_NAME_MAX)
                goto bad;
            for (size_t k = 0; k < al; k++) {
                if (!name_char(colon[1 + k]))
                    goto bad;
            }
            snprintf(pk->name, sizeof(pk->name), "%s", colon + 1);
        }
        return SL_OK;
    }
bad:
    memset(pk, 0, sizeof(*pk));
    snprintf(errstr, errstr_size,
             "invalid key reference '%s': expected partition, offset, key[.path] or "
             "value[.path], optionally ':alias' (names of [A-Za-z0-9_.-])",
             text);
    return SL_ERR_CONF;
}

void sl_sink_item_conf_defaults(struct sl_sink_item_conf *conf)
{
    memset(conf, 0, sizeof(*conf));
    char err[8];
    sl_sink_pk_parse("partition", &conf->hash, err, sizeof(err));
    sl_sink_pk_parse("offset", &conf->sort, err, sizeof(err));
    snprintf(conf->table_format, sizeof(conf->table_format), "${topic}");
    conf->key_conv.schemas_enable = true;
    conf->value_conv.schemas_enable = true;
    conf->unwrap_envelope = true;
    conf->empty_string_null = true;
}

sl_err_t sl_sink_table_name(const char *format, const char *topic, char *out, size_t out_size,
                            char *errstr, size_t errstr_size)
{
    /* On the stack: this runs for every record. */
    char name[SL_SINK_NAME_MAX];
    size_t len = 0, tlen = strlen(topic);
    bool ok = true;
    for (const char *p = format; *p && ok;) {
        if (strncmp(p, "${topic}", 8) == 0) {
            ok = len + tlen < sizeof(name);
            if (ok)
                memcpy(name + len, topic, tlen);
            len += ok ? tlen : 0;
            p += 8;
        } else {
            ok = len + 1 < sizeof(name);
            if (ok)
                name[len++] = *p++;
        }
    }
    name[len] = '\0';
    ok = ok && len >= 3;
    for (size_t i = 0; ok && i < len; i++)
        ok = name_char(name[i]);
    if (!ok) {
        snprintf(errstr, errstr_size,
                 "table name '%.300s' from table.name.format '%s' and topic '%s' is not a "
                 "valid DynamoDB table name (3-255 of [A-Za-z0-9_.-])",
                 name, format, topic);
        return SL_ERR_INVALID;
    }
    snprintf(out, out_size, "%s", name);
    return SL_OK;
}

/* ---- Small helpers ---- */

static sl_err_t bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static sl_err_t bad(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errstr, c->errstr_size, fmt, ap);
    va_end(ap);
    return SL_ERR_INVALID;
}

#define SCH_STR_MAX 128

/* Copies schema member (a short unescaped string such as "type" or "name") into out; "" when
 * absent or not such a string. Returns out. */
static const char *sch_str(const struct sl_jtree *jt, const struct sl_jnode *sch,
                           const char *member, char out[SCH_STR_MAX])
{
    out[0] = '\0';
    if (!sch || sch->type != SL_JT_OBJ)
        return out;
    const struct sl_jnode *n = sl_jtree_get(jt, sch, member, strlen(member));
    if (!n || n->type != SL_JT_STR || n->esc || n->len >= SCH_STR_MAX)
        return out;
    memcpy(out, n->str, n->len);
    out[n->len] = '\0';
    return out;
}

/* Schema of struct field name (or of a map's values). */
static const struct sl_jnode *sch_field(const struct sl_jtree *jt, const struct sl_jnode *sch,
                                        const char *name, size_t len)
{
    if (!sch)
        return NULL;
    char type[SCH_STR_MAX];
    if (strcmp(sch_str(jt, sch, "type", type), "map") == 0)
        return sl_jtree_get(jt, sch, "values", 6);
    const struct sl_jnode *fields = sl_jtree_get(jt, sch, "fields", 6);
    if (!fields || fields->type != SL_JT_ARR)
        return NULL;
    for (const struct sl_jnode *f = sl_jtree_kid(jt, fields); f; f = sl_jtree_next(jt, f)) {
        const struct sl_jnode *fname = sl_jtree_get(jt, f, "field", 5);
        if (!fname || fname->type != SL_JT_STR)
            continue;
        if (!fname->esc) { /* the usual case: compare in place, no copy */
            if (fname->len == len && memcmp(fname->str, name, len) == 0)
                return f;
            continue;
        }
        struct sl_buf nb;
        sl_buf_init(&nb, 1 << 16);
        bool eq = sl_jtree_unescape(&nb, fname->str, fname->len, fname->esc) == SL_OK &&
                  nb.len == len && memcmp(sl_buf_cstr(&nb), name, len) == 0;
        sl_buf_fini(&nb);
        if (eq)
            return f;
    }
    return NULL;
}

/* Connect Decimal: base64 of the unscaled value, scale from the schema. */
static sl_err_t decimal_text(struct ctx *c, const struct sl_jnode *node, long scale,
                             struct sl_buf *out)
{
    struct sl_buf raw;
    sl_buf_init(&raw, SL_SINK_DECIMAL_MAX);
    sl_err_t err = SL_OK;
    if (sl_jtree_unescape(c->tmp, node->str, node->len, node->esc) ||
        sl_sink_b64_decode(&raw, sl_buf_cstr(c->tmp), c->tmp->len)) {
        err = bad(c, "Decimal value is not base64 of at most %d bytes", SL_SINK_DECIMAL_MAX);
        goto out;
    }
    err =
        sl_sink_decimal(out, (unsigned char *)raw.data, raw.len, scale, c->errstr, c->errstr_size);
out:
    sl_buf_reset(c->tmp);
    sl_buf_fini(&raw);
    return err;
}

/* ---- Value conversion ---- */

static sl_err_t emit_value(struct ctx *c, struct sl_buf *out, const struct sl_jtree *jt,
                           const struct sl_jnode *sch, const struct sl_jnode *node, int depth,
                           size_t *size);

static sl_err_t emit_string(struct ctx *c, struct sl_buf *out, const char *s, size_t len, bool esc,
                            size_t *size)
{
    sl_buf_reset(c->tmp);
    sl_err_t err = sl_jtree_unescape(c->tmp, s, len, esc);
    if (err)
        return bad(c, "item is larger than DynamoDB's 400 KB limit (a string of %zu bytes)", len);
    *size += c->tmp->len;
    if (c->tmp->len == 0 && c->conf->empty_string_null)
        return sl_buf_addstr(out, "{\"NULL\":true}");
    err = sl_buf_addstr(out, "{\"S\":");
    err = err ? err : sl_json_str(out, c->tmp->data ? c->tmp->data : "", c->tmp->len);
    return err ? err : sl_buf_addch(out, '}');
}

static sl_err_t emit_members(struct ctx *c, struct sl_buf *out, const struct sl_jtree *jt,
                             const struct sl_jnode *sch, const struct sl_jnode *obj, int depth,
                             size_t *size, bool map_schema)
{
    sl_err_t err = sl_buf_addch(out, '{');
    bool first = true;
    for (const struct sl_jnode *k = sl_jtree_kid(jt, obj); k && !err; k = sl_jtree_next(jt, k)) {
        sl_buf_reset(c->tmp);
        if (sl_jtree_unescape(c->tmp, k->key, k->key_len, k->key_esc))
            return bad(c, "field name too long");
        *size += c->tmp->len + 1;
        const struct sl_jnode *fs = NULL;
        if (sch) {
            fs = map_schema ? sl_jtree_get(jt, sch, "values", 6)
                            : sch_field(jt, sch, sl_buf_cstr(c->tmp), c->tmp->len);
        }
        err = first ? SL_OK : sl_buf_addch(out, ',');
        err = err ? err : sl_json_str(out, sl_buf_cstr(c->tmp), c->tmp->len);
        err = err ? err : sl_buf_addch(out, ':');
        err = err ? err : emit_value(c, out, jt, fs, k, depth + 1, size);
        first = false;
    }
    return err ? err : sl_buf_addch(out, '}');
}

static sl_err_t emit_value(struct ctx *c, struct sl_buf *out, const struct sl_jtree *jt,
                           const struct sl_jnode *sch, const struct sl_jnode *node, int depth,
                           size_t *size)
{
    if (depth > MAX_ITEM_DEPTH)
        return bad(c, "value nested deeper than DynamoDB's 32 levels");
    char type[SCH_STR_MAX], lname[SCH_STR_MAX];
    sch_str(jt, sch, "type", type);
    sch_str(jt, sch, "name", lname);
    sl_err_t err;
    *size += 1;
    if (node->type == SL_JT_NULL && sch) {
        const struct sl_jnode *def = sl_jtree_get(jt, sch, "default", 7);
        if (def && def->type != SL_JT_NULL)
            node = def;
    }
    switch (node->type) {
    case SL_JT_NULL:
        return sl_buf_addstr(out, "{\"NULL\":true}");
    case SL_JT_TRUE:
    case SL_JT_FALSE:
        return sl_buf_addstr(out,
                             node->type == SL_JT_TRUE ? "{\"BOOL\":true}" : "{\"BOOL\":false}");
    case SL_JT_NUM:
        if (strcmp(lname, "org.apache.kafka.connect.data.Date") == 0 ||
            strcmp(lname, "org.apache.kafka.connect.data.Time") == 0 ||
            strcmp(lname, "org.apache.kafka.connect.data.Timestamp") == 0) {
            char t[32];
            size_t tl = node->len < sizeof(t) ? node->len : sizeof(t) - 1;
            memcpy(t, node->str, tl);
            t[tl] = '\0';
            int64_t v;
            if (sl_parse_i64(t, &v))
                return bad(c, "%s value %s is not an integer", lname, t);
            if (strstr(lname, "Date") && (v > 3000000 || v < -3000000))
                return bad(c, "Date value %s out of range", t);
            if (strstr(lname, "Date"))
                v *= 86400000;
            err = sl_buf_addstr(out, "{\"S\":\"");
            size_t before = out->len;
            err = err ? err : sl_sink_instant(out, v);
            *size += out->len - before;
            return err ? err : sl_buf_addstr(out, "\"}");
        }
        err = sl_buf_addstr(out, "{\"N\":\"");
        {
            size_t before = out->len;
            err = err ? err : sl_sink_number(out, node->str, node->len, c->errstr, c->errstr_size);
            *size += (out->len - before + 1) / 2 + 1;
        }
        return err ? err : sl_buf_addstr(out, "\"}");
    case SL_JT_STR:
        if (strcmp(lname, "org.apache.kafka.connect.data.Decimal") == 0) {
            const struct sl_jnode *params = sl_jtree_get(jt, sch, "parameters", 10);
            char sc[SCH_STR_MAX];
            sch_str(jt, params, "scale", sc);
            int64_t scale = 0;
            if (sc[0] && (sl_parse_i64(sc, &scale) || scale < -1000 || scale > 1000))
                return bad(c, "Decimal scale '%s' is not a small integer", sc);
            err = sl_buf_addstr(out, "{\"N\":\"");
            size_t before = out->len;
            err = err ? err : decimal_text(c, node, (long)scale, out);
            *size += (out->len - before + 1) / 2 + 1;
            return err ? err : sl_buf_addstr(out, "\"}");
        }
        if (strcmp(type, "bytes") == 0) {
            struct sl_buf raw;
            sl_buf_init(&raw, SL_SINK_ITEM_MAX);
            sl_buf_reset(c->tmp);
            err = sl_jtree_unescape(c->tmp, node->str, node->len, node->esc);
            if (err || sl_sink_b64_decode(&raw, sl_buf_cstr(c->tmp), c->tmp->len)) {
                sl_buf_fini(&raw);
                return bad(c, "bytes value is not base64 or too large");
            }
            *size += raw.len;
            err = sl_buf_addstr(out, "{\"B\":\"");
            err = err ? err : sl_base64_add(out, raw.data ? raw.data : "", raw.len);
            sl_buf_fini(&raw);
            return err ? err : sl_buf_addstr(out, "\"}");
        }
        return emit_string(c, out, node->str, node->len, node->esc, size);
    case SL_JT_ARR: {
        const struct sl_jnode *items = sch ? sl_jtree_get(jt, sch, "items", 5) : NULL;
        bool map_pairs = strcmp(type, "map") == 0;
        if (map_pairs) { /* Connect map with non-string keys: [[k,v],...] */
            err = sl_buf_addstr(out, "{\"M\":{");
            bool first = true;
            const struct sl_jnode *vs = sl_jtree_get(jt, sch, "values", 6);
            for (const struct sl_jnode *p = sl_jtree_kid(jt, node); p && !err;
                 p = sl_jtree_next(jt, p)) {
                const struct sl_jnode *k = sl_jtree_kid(jt, p);
                const struct sl_jnode *v = k ? sl_jtree_next(jt, k) : NULL;
                if (p->type != SL_JT_ARR || !v || (k->type != SL_JT_NUM && k->type != SL_JT_STR))
                    return bad(c, "map entry is not a [key, value] pair");
                err = first ? SL_OK : sl_buf_addch(out, ',');
                sl_buf_reset(c->tmp);
                err = err ? err : sl_jtree_unescape(c->tmp, k->str, k->len, k->esc);
                *size += c->tmp->len + 1;
                err = err ? err : sl_json_str(out, sl_buf_cstr(c->tmp), c->tmp->len);
                err = err ? err : sl_buf_addch(out, ':');
                err = err ? err : emit_value(c, out, jt, vs, v, depth + 1, size);
                first = false;
            }
            return err ? err : sl_buf_addstr(out, "}}");
        }
        err = sl_buf_addstr(out, "{\"L\":[");
        bool first = true;
        for (const struct sl_jnode *k = sl_jtree_kid(jt, node); k && !err;
             k = sl_jtree_next(jt, k)) {
            err = first ? SL_OK : sl_buf_addch(out, ',');
            err = err ? err : emit_value(c, out, jt, items, k, depth + 1, size);
            first = false;
        }
        *size += 2;
        return err ? err : sl_buf_addstr(out, "]}");
    }
    case SL_JT_OBJ:
        err = sl_buf_addstr(out, "{\"M\":");
        *size += 2;
        err =
            err ? err : emit_members(c, out, jt, sch, node, depth, size, strcmp(type, "map") == 0);
        return err ? err : sl_buf_addch(out, '}');
    }
    return bad(c, "unsupported value");
}

/* ---- Record sides ---- */

static sl_err_t side_load(struct ctx *c, struct side *s, const struct sl_sink_conv *conv,
                          const void *data, size_t len)
{
    s->null = data == NULL;
    s->raw = data;
    s->raw_len = len;
    if (s->null)
        return SL_OK;
    if (conv->type == SL_SINK_CONV_STRING) {
        s->is_string = true;
        return SL_OK;
    }
    char why[160];
    if (sl_jtree_parse(s->jt, data, len, why, sizeof(why)))
        return bad(c, "%s is not valid JSON %s", s->what, why);
    s->payload = &s->jt->nodes[0];
    if (conv->schemas_enable) {
        const struct sl_jnode *root = s->payload;
        const struct sl_jnode *sch = sl_jtree_get(s->jt, root, "schema", 6);
        const struct sl_jnode *pay = sl_jtree_get(s->jt, root, "payload", 7);
        if (root->type != SL_JT_OBJ || !sch || !pay || root->n_kids != 2)
            return bad(c,
                       "%s has no {\"schema\":..,\"payload\":..} envelope but the "
                       "converter has schemas.enable=true",
                       s->what);
        s->schema = sch->type == SL_JT_OBJ ? sch : NULL;
        s->payload = pay;
    }
    /* JsonConverter reads JSON null as a null value. */
    if (s->payload->type == SL_JT_NULL)
        s->null = true;
    return SL_OK;
}

/* Looks up field name in a Connect Struct.toString() text: Struct{A=1,B=x}. */
static bool struct_string_get(const char *s, size_t len, const char *name, const char **val,
                              size_t *vlen)
{
    if (len < 8 || memcmp(s, "Struct{", 7) != 0 || s[len - 1] != '}')
        return false;
    size_t nl = strlen(name);
    size_t i = 7, end = len - 1;
    while (i < end) {
        size_t j = i;
        while (j < end && s[j] != ',')
            j++;
        const char *eq = memchr(s + i, '=', j - i);
        if (eq && (size_t)(eq - (s + i)) == nl && memcmp(s + i, name, nl) == 0) {
            *val = eq + 1;
            *vlen = (size_t)(s + j - (eq + 1));
            return true;
        }
        i = j + 1;
    }
    return false;
}

static sl_err_t resolve(struct ctx *c, const struct sl_sink_pk *pk, struct side *s,
                        const struct sl_jnode *row, const struct sl_jnode *row_sch,
                        struct refval *rv)
{
    memset(rv, 0, sizeof(*rv));
    if (s->null)
        return bad(c, "%s is null", s->what);
    if (s->is_string) {
        if (!pk->path[0]) {
            rv->type = 'S';
            rv->text = s->raw;
            rv->len = s->raw_len;
            return SL_OK;
        }
        if (strchr(pk->path, '.') ||
            !struct_string_get(s->raw, s->raw_len, pk->path, &rv->text, &rv->len))
            return bad(c, "%s.%s not found in string %s", s->what, pk->path, s->what);
        char tmp[8];
        struct sl_buf nb;
        sl_buf_init(&nb, 64);
        rv->type = sl_sink_number(&nb, rv->text, rv->len, tmp, sizeof(tmp)) ? 'S' : 'N';
        sl_buf_fini(&nb);
        return SL_OK;
    }
    rv->jt = s->jt;
    rv->node = row;
    rv->schema = row_sch;
    const char *p = pk->path;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t sl = dot ? (size_t)(dot - p) : strlen(p);
        if (rv->node->type != SL_JT_OBJ)
            return bad(c, "%s.%s not found: %.*s is not reached through an object", s->what,
                       pk->path, (int)sl, p);
        const struct sl_jnode *next = sl_jtree_get(s->jt, rv->node, p, sl);
        if (!next)
            return bad(c, "%s.%s not found", s->what, pk->path);
        rv->schema = sch_field(s->jt, rv->schema, p, sl);
        rv->node = next;
        p += sl + (dot ? 1 : 0);
    }
    return SL_OK;
}

/* Appends "name":{"T":"v"} for a key attribute; checks scalar, non-empty, size. */
static sl_err_t emit_key(struct ctx *c, struct sl_buf *out, const char *role,
                         const struct sl_sink_pk *pk, const struct refval *rv, size_t max,
                         char *type, size_t *size)
{
    struct sl_buf *val = c->kval;
    sl_buf_reset(val);
    sl_err_t err = SL_OK;
    if (rv->text) {
        *type = rv->type;
        if (rv->type == 'N') {
            err = sl_buf_addstr(val, "{\"N\":\"");
            err = err ? err : sl_sink_number(val, rv->text, rv->len, c->errstr, c->errstr_size);
            err = err ? err : sl_buf_addstr(val, "\"}");
        } else {
            if (rv->len == 0) {
                err = bad(c, "%s key attribute %s is an empty string", role, pk->name);
                goto out;
            }
            err = sl_buf_addstr(val, "{\"S\":");
            err = err ? err : sl_json_str(val, rv->text, rv->len);
            err = err ? err : sl_buf_addch(val, '}');
        }
        *size += rv->len;
    } else {
        const struct sl_jnode *n = rv->node;
        if (n->type == SL_JT_NULL) {
            err = bad(c, "%s key attribute %s is null", role, pk->name);
            goto out;
        }
        if (n->type != SL_JT_NUM && n->type != SL_JT_STR) {
            err = bad(c, "%s key attribute %s is not a scalar (string, number or bytes)", role,
                      pk->name);
            goto out;
        }
        size_t vsize = 0;
        err = emit_value(c, val, rv->jt, rv->schema, n, 0, &vsize);
        if (err)
            goto out;
        *size += vsize;
        *type = val->data[2];
        if (strstr(val->data, "\"NULL\"") || strcmp(val->data, "{\"S\":\"\"}") == 0 ||
            strcmp(val->data, "{\"B\":\"\"}") == 0) {
            err = bad(c, "%s key attribute %s is an empty string", role, pk->name);
            goto out;
        }
        if (vsize - 1 > max) {
            err = bad(c, "%s key attribute %s is %zu bytes, over DynamoDB's %zu", role, pk->name,
                      vsize - 1, max);
            goto out;
        }
    }
    err = sl_json_str(out, pk->name, strlen(pk->name));
    err = err ? err : sl_buf_addch(out, ':');
    err = err ? err : sl_buf_add(out, val->data, val->len);
    *size += strlen(pk->name);
out:
    return err;
}

static sl_err_t key_attr(struct ctx *c, const struct sl_sink_rec *rec, const struct sl_sink_pk *pk,
                         const char *role, struct side *key, struct side *val,
                         const struct sl_jnode *row, const struct sl_jnode *row_sch, bool tombstone,
                         struct sl_buf *out, char *type, size_t *size)
{
    struct refval rv;
    char num[32];
    size_t max = strcmp(role, "hash") == 0 ? SL_SINK_HASH_KEY_MAX : SL_SINK_SORT_KEY_MAX;
    sl_err_t err;
    switch (pk->kind) {
    case SL_SINK_PK_PARTITION:
    case SL_SINK_PK_OFFSET:
        memset(&rv, 0, sizeof(rv));
        rv.type = 'N';
        rv.len = (size_t)snprintf(num, sizeof(num), "%lld",
                                  pk->kind == SL_SINK_PK_PARTITION ? (long long)rec->partition
                                                                   : (long long)rec->offset);
        rv.text = num;
        break;
    case SL_SINK_PK_KEY:
        err = resolve(c, pk, key, key->payload, key->schema, &rv);
        if (err)
            goto fail;
        break;
    case SL_SINK_PK_VALUE:
        /* A tombstone names its row only through the record key (Debezium keys hold the
         * primary-key columns). */
        if (tombstone)
            err = resolve(c, pk, key, key->payload, key->schema, &rv);
        else
            err = resolve(c, pk, val, row, row_sch, &rv);
        if (err)
            goto fail;
        break;
    default:
        return SL_OK;
    }
    return emit_key(c, out, role, pk, &rv, max, type, size);
fail : {
    char why[200];
    snprintf(why, sizeof(why), "%s", c->errstr);
    return bad(c, "%s key attribute %s: %s", role, pk->name, why);
}
}

/* ---- Conversion ---- */

/* Key of the before image of an update into item->old_key when it differs from item->key.
 * A before image that does not name a key (columns missing from a minimal row image) leaves
 * old_key empty: nothing to delete that can be named. */
static sl_err_t old_key(struct ctx *c, const struct sl_sink_rec *rec, struct side *key,
                        struct side *val, const struct sl_jnode *before,
                        const struct sl_jnode *before_sch, struct sl_sink_item *item)
{
    const struct sl_sink_item_conf *conf = c->conf;
    struct sl_buf *ob = &item->old_key;
    char htype = 0, stype = 0;
    size_t size = 0;
    char saved[512];
    snprintf(saved, sizeof(saved), "%s", c->errstr);
    sl_err_t err = sl_buf_addch(ob, '{');
    err = err ? err
              : key_attr(c, rec, &conf->hash, "hash", key, val, before, before_sch, false, ob,
                         &htype, &size);
    if (!err && conf->sort.kind) {
        err = sl_buf_addch(ob, ',');
        err = err ? err
                  : key_attr(c, rec, &conf->sort, "sort", key, val, before, before_sch, false, ob,
                             &stype, &size);
    }
    err = err ? err : sl_buf_addch(ob, '}');
    if (!err && ob->len == item->key.len && memcmp(ob->data, item->key.data, ob->len) == 0)
        err = SL_ERR_NOTFOUND; /* same item: the put replaces it */
    if (!err && (htype != item->hash_type || stype != item->sort_type))
        err = SL_ERR_NOTFOUND; /* another key type cannot name an item of this table */
    if (err) {
        sl_buf_reset(ob);
        snprintf(c->errstr, c->errstr_size, "%s", saved);
        return SL_OK;
    }
    item->old_size = size;
    return SL_OK;
}

void sl_sink_item_init(struct sl_sink_item *item)
{
    memset(item, 0, sizeof(*item));
    sl_buf_init(&item->key, 8192);
    sl_buf_init(&item->old_key, 8192);
    sl_buf_init(&item->item, 2 * SL_SINK_ITEM_MAX + 65536);
}

void sl_sink_item_fini(struct sl_sink_item *item)
{
    sl_buf_fini(&item->key);
    sl_buf_fini(&item->old_key);
    sl_buf_fini(&item->item);
    struct sl_sink_scratch *sc = item->scratch;
    if (sc) {
        sl_jtree_fini(&sc->key_jt);
        sl_jtree_fini(&sc->val_jt);
        sl_buf_fini(&sc->tmp);
        sl_buf_fini(&sc->name);
        sl_buf_fini(&sc->kval);
        sl_free(sc);
        item->scratch = NULL;
    }
}

static bool is_key_name(const struct sl_sink_item_conf *conf, const char *name, size_t len)
{
    return (conf->hash.kind && strlen(conf->hash.name) == len &&
            memcmp(conf->hash.name, name, len) == 0) ||
           (conf->sort.kind && strlen(conf->sort.name) == len &&
            memcmp(conf->sort.name, name, len) == 0);
}

sl_err_t sl_sink_item_convert(const struct sl_sink_item_conf *conf, const struct sl_sink_rec *rec,
                              struct sl_sink_item *item, char *errstr, size_t errstr_size)
{
    if (!item->scratch) {
        struct sl_sink_scratch *sc = sl_xcalloc(1, sizeof(*sc));
        sl_jtree_init(&sc->key_jt);
        sl_jtree_init(&sc->val_jt);
        sl_buf_init(&sc->tmp, SL_SINK_ITEM_MAX * 2);
        sl_buf_init(&sc->name, 65535);
        sl_buf_init(&sc->kval, SL_SINK_ITEM_MAX);
        item->scratch = sc;
    }
    struct sl_sink_scratch *sc = item->scratch;
    struct ctx c = {.conf = conf,
                    .errstr = errstr,
                    .errstr_size = errstr_size,
                    .tmp = &sc->tmp,
                    .name = &sc->name,
                    .kval = &sc->kval};
    struct side key = {.what = "key", .jt = &sc->key_jt},
                val = {.what = "value", .jt = &sc->val_jt};
    item->op = SL_SINK_OP_SKIP;
    item->size = 0;
    item->hash_type = item->sort_type = 0;
    sl_buf_reset(&item->key);
    sl_buf_reset(&item->old_key);
    item->old_size = 0;
    sl_buf_reset(&item->item);
    errstr[0] = '\0';

    sl_err_t err = sl_sink_table_name(conf->table_format, rec->topic, item->table,
                                      sizeof(item->table), errstr, errstr_size);
    if (err)
        goto out;
    err = side_load(&c, &key, &conf->key_conv, rec->key, rec->key_len);
    if (err)
        goto out;
    err = side_load(&c, &val, &conf->value_conv, rec->value, rec->value_len);
    if (err)
        goto out;

    /* Decide the operation and the row whose fields form the item. */
    const struct sl_jnode *row = val.payload, *row_sch = val.schema;
    const struct sl_jnode *before = NULL, *before_sch = NULL;
    bool tombstone = val.null;
    sl_sink_op_t op = SL_SINK_OP_PUT;
    if (tombstone) {
        if (conf->null_fail) {
            err = bad(&c, "tombstone (null value) with behavior.on.null.values=fail");
            goto out;
        }
        if (!conf->delete_enabled)
            goto out; /* skip, as behavior.on.null.values=ignore */
        op = SL_SINK_OP_DELETE;
    } else if (!val.is_string && row->type == SL_JT_OBJ && conf->unwrap_envelope) {
        const struct sl_jnode *opn = sl_jtree_get(val.jt, row, "op", 2);
        const struct sl_jnode *after = sl_jtree_get(val.jt, row, "after", 5);
        const struct sl_jnode *source = sl_jtree_get(val.jt, row, "source", 6);
        if (opn && opn->type == SL_JT_STR && after && source) {
            bool del = sl_jtree_str_eq(opn, "d");
            if (del && !conf->delete_enabled)
                goto out;
            const char *which = del ? "before" : "after";
            row = sl_jtree_get(val.jt, row, which, strlen(which));
            row_sch = sch_field(val.jt, row_sch, which, strlen(which));
            if (!row || row->type != SL_JT_OBJ) {
                err = bad(&c, "Debezium envelope with op '%.*s' has no '%s' row", (int)opn->len,
                          opn->str, which);
                goto out;
            }
            op = del ? SL_SINK_OP_DELETE : SL_SINK_OP_PUT;
            if (!del && conf->delete_enabled && sl_jtree_str_eq(opn, "u")) {
                const struct sl_jnode *env = val.payload;
                before = sl_jtree_get(val.jt, env, "before", 6);
                before_sch = sch_field(val.jt, val.schema, "before", 6);
                if (before && before->type != SL_JT_OBJ)
                    before = NULL;
            }
        }
    }
    if (op == SL_SINK_OP_PUT && conf->delete_enabled && !val.is_string && row->type == SL_JT_OBJ &&
        sl_jtree_str_eq(sl_jtree_get(val.jt, row, "__deleted", 9), "true"))
        op = SL_SINK_OP_DELETE;

    /* Key attributes. */
    size_t size = 0;
    struct sl_buf *kb = &item->key;
    err = sl_buf_addch(kb, '{');
    err = err ? err
              : key_attr(&c, rec, &conf->hash, "hash", &key, &val, row, row_sch, tombstone, kb,
                         &item->hash_type, &size);
    if (!err && conf->sort.kind) {
        err = sl_buf_addch(kb, ',');
        err = err ? err
                  : key_attr(&c, rec, &conf->sort, "sort", &key, &val, row, row_sch, tombstone, kb,
                             &item->sort_type, &size);
    }
    err = err ? err : sl_buf_addch(kb, '}');
    if (err) {
        if (err == SL_ERR_TOOBIG)
            err = bad(&c, "key is too large");
        goto out;
    }
    if (op == SL_SINK_OP_DELETE) {
        item->size = size;
        item->op = op;
        goto out;
    }
    if (before) {
        err = old_key(&c, rec, &key, &val, before, before_sch, item);
        if (err)
            goto out;
    }

    /* The item: key attributes, then the fields of a struct/map value, else "value". */
    struct sl_buf *ib = &item->item;
    err = sl_buf_add(ib, kb->data, kb->len - 1);
    if (val.is_string) {
        err = err ? err : sl_buf_addstr(ib, ",\"value\":");
        err = err ? err : emit_string(&c, ib, val.raw, val.raw_len, false, &size);
        size += 5;
    } else if (row->type == SL_JT_OBJ) {
        char rtype[SCH_STR_MAX];
        bool map_schema = strcmp(sch_str(val.jt, row_sch, "type", rtype), "map") == 0;
        for (const struct sl_jnode *k = sl_jtree_kid(val.jt, row); k && !err;
             k = sl_jtree_next(val.jt, k)) {
            struct sl_buf *name = c.name;
            sl_buf_reset(name);
            err = sl_jtree_unescape(name, k->key, k->key_len, k->key_esc);
            if (err || name->len == 0) {
                err = bad(&c, "value has a field with an empty or too long name");
                break;
            }
            if (!is_key_name(conf, name->data, name->len)) {
                const struct sl_jnode *fs = map_schema
                                                ? sl_jtree_get(val.jt, row_sch, "values", 6)
                                                : sch_field(val.jt, row_sch, name->data, name->len);
                size += name->len;
                err = sl_buf_addch(ib, ',');
                err = err ? err : sl_json_str(ib, name->data, name->len);
                err = err ? err : sl_buf_addch(ib, ':');
                err = err ? err : emit_value(&c, ib, val.jt, fs, k, 1, &size);
            }
        }
    } else {
        err = sl_buf_addstr(ib, ",\"value\":");
        err = err ? err : emit_value(&c, ib, val.jt, row_sch, row, 1, &size);
        size += 5;
    }
    err = err ? err : sl_buf_addch(ib, '}');
    if (err == SL_ERR_TOOBIG || (!err && size > SL_SINK_ITEM_MAX)) {
        err = bad(&c, "item is larger than DynamoDB's 400 KB limit (%zu bytes or more)", size);
    }
    if (err)
        goto out;
    item->size = size;
    item->op = SL_SINK_OP_PUT;
out:
    if (err) {
        item->op = SL_SINK_OP_SKIP;
        if (err != SL_ERR_INVALID) {
            if (!errstr[0])
                snprintf(errstr, errstr_size, "%s", sl_err_str(err));
            err = SL_ERR_INVALID;
        }
    }
    return err;
}
