/* SPDX-License-Identifier: Apache-2.0 */
/* Output generated from the option tables: `--dump-config` (key=value, secrets masked) and
 * docs/CONFIGURATION.md (Markdown, deterministic so CI can compare it byte for byte), plus
 * the registry of built-in tables. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "conf/worker.h"

#define DOC_MAX ((size_t)4 << 20)

const struct sl_conf_table *const sl_conf_tables[] = {
    &sl_worker_table,
    &sl_mysql_source_table,
    &sl_ddb_sink_table,
    NULL,
};

const struct sl_conf_table *sl_conf_table_for_class(const char *connector_class)
{
    static const struct {
        const char *cls;
        const struct sl_conf_table *table;
    } classes[] = {
        {"io.debezium.connector.mysql.MySqlConnector", &sl_mysql_source_table},
        {"MySqlConnector", &sl_mysql_source_table},
        {"io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector", &sl_ddb_sink_table},
        {"DynamoDbSinkConnector", &sl_ddb_sink_table},
    };
    if (!connector_class)
        return NULL;
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strcmp(classes[i].cls, connector_class) == 0)
            return classes[i].table;
    return NULL;
}

static const void *cfield(const void *conf, const struct sl_conf_section *sec, size_t off)
{
    return (const char *)conf + sec->base + off;
}

/* Appends the value of a field as text (the form a .properties file would hold). */
static sl_err_t add_value(struct sl_buf *out, const struct sl_option *opt, const void *field)
{
    switch (opt->type) {
    case SL_T_STR:
    case SL_T_PASSWORD: {
        const char *s = *(char *const *)field;
        return sl_buf_addstr(out, s ? s : "");
    }
    case SL_T_BOOL:
        return sl_buf_addstr(out, *(const bool *)field ? "true" : "false");
    case SL_T_I64:
    case SL_T_DURATION_MS:
        return sl_buf_addf(out, "%" PRId64, *(const int64_t *)field);
    case SL_T_U32:
        return sl_buf_addf(out, "%" PRIu32, *(const uint32_t *)field);
    case SL_T_SIZE:
        return sl_buf_addf(out, "%" PRIu64, *(const uint64_t *)field);
    case SL_T_ENUM:
        return sl_buf_addstr(out, opt->enums[*(const int *)field]);
    case SL_T_LIST: {
        const struct sl_conf_strlist *list = field;
        for (size_t i = 0; i < list->n; i++) {
            sl_err_t err = sl_buf_addf(out, "%s%s", i ? "," : "", list->items[i]);
            if (err)
                return err;
        }
        return SL_OK;
    }
    }
    return SL_OK;
}

static bool field_empty(const struct sl_option *opt, const void *field)
{
    if (opt->type == SL_T_STR || opt->type == SL_T_PASSWORD)
        return *(char *const *)field == NULL || **(char *const *)field == '\0';
    return false;
}

static sl_err_t dump_kvlist(struct sl_buf *out, const char *prefix, const char *group,
                            const struct sl_conf_kvlist *list)
{
    for (size_t i = 0; i < list->n; i++) {
        const struct sl_conf_kv *kv = &list->items[i];
        sl_err_t err =
            sl_buf_addf(out, "%s%s%s%s=%s\n", prefix, group ? group : "", group ? "." : "", kv->key,
                        sl_conf_key_is_secret(kv->key) ? SL_CONF_HIDDEN_TEXT : kv->value);
        if (err)
            return err;
    }
    return SL_OK;
}

sl_err_t sl_conf_dump(const void *conf, struct sl_buf *out)
{
    const struct sl_conf_meta *meta = conf;
    const struct sl_conf_table *table = meta->table;
    sl_err_t err = SL_OK;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options && !err; s++) {
        const struct sl_conf_section *sec = &table->sections[s];
        for (const struct sl_option *opt = sec->options; opt->name && !err; opt++) {
            const void *field = cfield(conf, sec, opt->off);
            bool secret = (opt->flags & SL_OPT_SECRET) || opt->type == SL_T_PASSWORD;
            err = sl_buf_addf(out, "%s=", opt->name);
            if (!err && secret && !field_empty(opt, field))
                err = sl_buf_addstr(out, SL_CONF_HIDDEN_TEXT);
            else if (!err)
                err = add_value(out, opt, field);
            if (!err)
                err = sl_buf_addch(out, '\n');
        }
    }
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options && !err; s++) {
        const struct sl_conf_section *sec = &table->sections[s];
        for (const struct sl_passthrough *pt = sec->passthrough; pt && pt->prefix && !err; pt++) {
            const void *field = cfield(conf, sec, pt->off);
            if (pt->kind == SL_PT_LIST) {
                err = dump_kvlist(out, pt->prefix, NULL, field);
                continue;
            }
            const struct sl_conf_grouplist *groups = field;
            for (size_t i = 0; i < groups->n && !err; i++)
                err = dump_kvlist(out, pt->kind == SL_PT_GROUP ? pt->prefix : "",
                                  groups->items[i].name, &groups->items[i].props);
        }
    }
    return err;
}

/* ---- Markdown ---- */

static const char *type_name(sl_opt_type_t type)
{
    switch (type) {
    case SL_T_STR:
        return "string";
    case SL_T_PASSWORD:
        return "password";
    case SL_T_BOOL:
        return "boolean";
    case SL_T_I64:
        return "integer";
    case SL_T_U32:
        return "integer";
    case SL_T_DURATION_MS:
        return "milliseconds";
    case SL_T_SIZE:
        return "bytes";
    case SL_T_ENUM:
        return "enum";
    case SL_T_LIST:
        return "list";
    }
    return "?";
}

/* Markdown table cell text: '|' escaped, newlines flattened. */
static void add_cell(struct sl_buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            (void)sl_buf_addstr(out, "\\|");
        else if (*s == '\n')
            (void)sl_buf_addch(out, ' ');
        else
            (void)sl_buf_addch(out, *s);
    }
}

static void add_code_cell(struct sl_buf *out, const char *s)
{
    (void)sl_buf_addch(out, '`');
    add_cell(out, s);
    (void)sl_buf_addch(out, '`');
}

static void add_range(struct sl_buf *out, const struct sl_option *opt)
{
    switch (opt->type) {
    case SL_T_ENUM:
        for (size_t i = 0; opt->enums[i]; i++) {
            (void)sl_buf_addstr(out, i ? ", " : "");
            add_code_cell(out, opt->enums[i]);
        }
        break;
    case SL_T_U32:
    case SL_T_I64:
    case SL_T_DURATION_MS:
    case SL_T_SIZE: {
        int64_t min = opt->min, max = opt->max;
        if (min == 0 && max == 0) {
            max = opt->type == SL_T_U32           ? (int64_t)UINT32_MAX
                  : opt->type == SL_T_DURATION_MS ? (int64_t)INT32_MAX
                                                  : INT64_MAX;
            min = opt->type == SL_T_I64 ? INT64_MIN : 0;
        }
        (void)sl_buf_addf(out, "%" PRId64 " .. %" PRId64, min, max);
        break;
    }
    default:
        break;
    }
}

static void add_flags(struct sl_buf *out, unsigned flags, sl_opt_type_t type)
{
    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {
        {SL_OPT_REQUIRED, "required"},     {SL_OPT_SECRET, "secret"},
        {SL_OPT_RELOADABLE, "reloadable"}, {SL_OPT_IGNORED, "ignored"},
        {SL_OPT_JAVA, "java-class"},
    };
    bool first = true;
    if (type == SL_T_PASSWORD)
        flags |= SL_OPT_SECRET;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(flags & names[i].flag))
            continue;
        (void)sl_buf_addstr(out, first ? "" : ", ");
        (void)sl_buf_addstr(out, names[i].name);
        first = false;
    }
}

sl_err_t sl_conf_doc_table(const struct sl_conf_table *table, struct sl_buf *out)
{
    (void)sl_buf_addf(out, "## %s\n\n%s\n\n", table->title, table->doc);
    (void)sl_buf_addstr(out, "| Key | Type | Default | Range / choices | Flags | Description |\n"
                             "|---|---|---|---|---|---|\n");
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        for (const struct sl_option *opt = table->sections[s].options; opt->name; opt++) {
            if (opt->flags & SL_OPT_HIDDEN)
                continue;
            (void)sl_buf_addstr(out, "| ");
            add_code_cell(out, opt->name);
            if (opt->alias) {
                (void)sl_buf_addstr(out, "<br>alias ");
                add_code_cell(out, opt->alias);
            }
            (void)sl_buf_addf(out, " | %s | ", type_name(opt->type));
            if (opt->def && *opt->def)
                add_code_cell(out, opt->def);
            else if (opt->def)
                (void)sl_buf_addstr(out, "\"\"");
            (void)sl_buf_addstr(out, " | ");
            add_range(out, opt);
            (void)sl_buf_addstr(out, " | ");
            add_flags(out, opt->flags, opt->type);
            (void)sl_buf_addstr(out, " | ");
            add_cell(out, opt->doc);
            (void)sl_buf_addstr(out, " |\n");
        }
    }
    bool any = false;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++)
        any |= table->sections[s].passthrough && table->sections[s].passthrough->prefix;
    if (any) {
        (void)sl_buf_addstr(out, "\nPass-through keys (collected in file order for the stage "
                                 "that owns them):\n\n"
                                 "| Prefix | Alias | Collected as | Description |\n"
                                 "|---|---|---|---|\n");
        for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
            const struct sl_passthrough *pt = table->sections[s].passthrough;
            for (; pt && pt->prefix; pt++) {
                (void)sl_buf_addstr(out, "| ");
                if (pt->kind == SL_PT_NAMED) {
                    (void)sl_buf_addstr(out, "`<name>.*` (names from ");
                    add_code_cell(out, pt->names_from);
                    (void)sl_buf_addstr(out, ")");
                } else {
                    (void)sl_buf_addf(out, "`%s%s*`", pt->prefix,
                                      pt->kind == SL_PT_GROUP ? "<name>." : "");
                }
                (void)sl_buf_addstr(out, " | ");
                if (pt->alias)
                    (void)sl_buf_addf(out, "`%s%s*`", pt->alias,
                                      pt->kind == SL_PT_GROUP ? "<name>." : "");
                (void)sl_buf_addf(out, " | %s | ",
                                  pt->kind == SL_PT_LIST ? "key/value list"
                                                         : "key/value list per name");
                add_cell(out, pt->doc);
                (void)sl_buf_addstr(out, " |\n");
            }
        }
    }
    return sl_buf_addch(out, '\n');
}

sl_err_t sl_conf_doc(struct sl_buf *out)
{
    (void)sl_buf_addstr(
        out,
        "<!-- Generated by `sluice config-doc docs/CONFIGURATION.md` from the option tables in "
        "src/conf/. Do not edit. -->\n"
        "# Sluice configuration\n\n"
        "Sluice reads the files Kafka Connect users already have: the standalone worker file "
        "and one `.properties` file per connector, in `java.util.Properties` syntax (`key=value`, "
        "`key:value` or `key value`; `#`/`!` comments; `\\` line continuations; `\\uXXXX` "
        "escapes). Bytes are read as UTF-8 and a UTF-8 byte-order mark is skipped. Typed values "
        "are trimmed as Kafka's ConfigDef does; pass-through values are kept verbatim.\n\n"
        "- Values may reference `${env:VAR}` (environment) and `${file:/path:key}` (a key of "
        "another properties file), as Kafka's config providers do; other `${...}` text such as "
        "`${topic}` is left alone.\n"
        "- An unknown key is a warning naming the file and line (with the closest known key when "
        "one is within two edits). A bad value is an error naming file, line, key, value and "
        "what was expected; secrets are shown as `[hidden]`.\n"
        "- Debezium 2.x names and their 1.9 spellings (alias column) are both accepted; giving "
        "both with different values is an error.\n"
        "- Flags: *required* (missing is an error), *secret* (masked in dumps and errors), "
        "*reloadable* (may change at run time), *ignored* (accepted, no effect), *java-class* "
        "(names a Java class; recorded so the stage can map it or refuse it with a reason).\n\n");
    for (size_t i = 0; sl_conf_tables[i]; i++) {
        sl_err_t err = sl_conf_doc_table(sl_conf_tables[i], out);
        if (err)
            return err;
    }
    /* One trailing newline, not two. */
    if (out->len >= 2 && out->data[out->len - 1] == '\n' && out->data[out->len - 2] == '\n')
        sl_buf_truncate(out, out->len - 1);
    return SL_OK;
}

sl_err_t sl_conf_doc_write(const char *path, char *errstr, size_t errstr_size)
{
    struct sl_buf out;
    sl_buf_init(&out, DOC_MAX);
    sl_err_t err = sl_conf_doc(&out);
    if (err) {
        snprintf(errstr, errstr_size, "configuration docs exceed %zu bytes", DOC_MAX);
        goto out;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        snprintf(errstr, errstr_size, "%s: cannot create: %s", path, strerror(errno));
        err = SL_ERR_IO;
        goto out;
    }
    size_t n = fwrite(out.data, 1, out.len, fp);
    if (fclose(fp) != 0 || n != out.len) {
        snprintf(errstr, errstr_size, "%s: write failed: %s", path, strerror(errno));
        err = SL_ERR_IO;
    }
out:
    sl_buf_fini(&out);
    return err;
}
