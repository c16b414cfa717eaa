/* SPDX-License-Identifier: Apache-2.0 */
/* Maps the loaded worker and MySQL source connector files (conf/) onto the converter's
 * options: converters, type handling modes and the ExtractNewRecordState transform, with
 * errors that name the key for anything this converter does not implement. */
#include <stdio.h>
#include <string.h>

#include "conf/mysql_source.h"
#include "conf/worker.h"
#include "convert/convert.h"
#include "core/parse.h"

/* conf/'s enums and ours list the modes in the same order. */
_Static_assert((int)SL_DECIMAL_STRING == (int)SL_CONV_DECIMAL_STRING, "decimal modes");
_Static_assert((int)SL_BIGINT_UNSIGNED_PRECISE == (int)SL_CONV_BIGINT_PRECISE, "bigint modes");
_Static_assert((int)SL_TIME_PRECISION_CONNECT == (int)SL_CONV_TIME_CONNECT, "time modes");
_Static_assert((int)SL_BINARY_BASE64_URL_SAFE == (int)SL_CONV_BINARY_BASE64_URL_SAFE,
               "binary modes");

static const char json_converter[] = "org.apache.kafka.connect.json.JsonConverter";
static const char string_converter[] = "org.apache.kafka.connect.storage.StringConverter";
static const char unwrap_type[] = "io.debezium.transforms.ExtractNewRecordState";

static sl_err_t converter(const char *cls, const char *key, sl_conv_fmt_t *fmt, char *errstr,
                          size_t errstr_size)
{
    if (!cls)
        return SL_OK;
    if (strcmp(cls, json_converter) == 0) {
        *fmt = SL_CONV_FMT_JSON;
        return SL_OK;
    }
    if (strcmp(cls, string_converter) == 0) {
        *fmt = SL_CONV_FMT_STRING;
        return SL_OK;
    }
    snprintf(errstr, errstr_size, "%s=%s: only %s and %s are built in", key, cls, json_converter,
             string_converter);
    return SL_ERR_UNSUPPORTED;
}

static sl_err_t decimal_format(const struct sl_conf_kvlist *props, const char *key, bool *numeric,
                               char *errstr, size_t errstr_size)
{
    const char *v = sl_conf_kvlist_get(props, "decimal.format");
    if (!v)
        return SL_OK;
    if (strcmp(v, "NUMERIC") == 0 || strcmp(v, "numeric") == 0) {
        *numeric = true;
    } else if (strcmp(v, "BASE64") == 0 || strcmp(v, "base64") == 0) {
        *numeric = false;
    } else {
        snprintf(errstr, errstr_size, "%s.decimal.format=%s: expected BASE64 or NUMERIC", key, v);
        return SL_ERR_CONF;
    }
    return SL_OK;
}

/* transforms.<name>.* of an ExtractNewRecordState entry (§10.1, 1.9 options). */
static sl_err_t unwrap_opts(struct sl_conv_opts *opts, const struct sl_conf_group *g, char *errstr,
                            size_t errstr_size)
{
    opts->unwrap = true;
    for (size_t i = 0; i < g->props.n; i++) {
        const char *k = g->props.items[i].key;
        const char *v = g->props.items[i].value;
        bool ok = true;
        if (strcmp(k, "type") == 0 || strcmp(k, "predicate") == 0 || strcmp(k, "negate") == 0)
            continue;
        if (strcmp(k, "drop.tombstones") == 0) {
            ok = sl_parse_bool(v, &opts->unwrap_drop_tombstones) == SL_OK;
        } else if (strcmp(k, "delete.handling.mode") == 0) {
            if (strcmp(v, "drop") == 0)
                opts->unwrap_delete_mode = SL_CONV_DELETE_DROP;
            else if (strcmp(v, "rewrite") == 0)
                opts->unwrap_delete_mode = SL_CONV_DELETE_REWRITE;
            else if (strcmp(v, "none") == 0)
                opts->unwrap_delete_mode = SL_CONV_DELETE_NONE;
            else
                ok = false;
        } else if (strcmp(k, "add.fields") == 0) {
            opts->unwrap_add_fields = v;
        } else if (strcmp(k, "add.fields.prefix") == 0) {
            opts->unwrap_add_fields_prefix = v;
        } else if (strcmp(k, "add.headers") == 0) {
            opts->unwrap_add_headers = v;
        } else if (strcmp(k, "add.headers.prefix") == 0) {
            opts->unwrap_add_headers_prefix = v;
        } else {
            snprintf(errstr, errstr_size, "transforms.%s.%s: not supported by Sluice's %s", g->name,
                     k, unwrap_type);
            return SL_ERR_UNSUPPORTED;
        }
        if (!ok) {
            snprintf(errstr, errstr_size, "transforms.%s.%s=%s: invalid value", g->name, k, v);
            return SL_ERR_CONF;
        }
    }
    return SL_OK;
}

sl_err_t sl_conv_opts_from_conf(struct sl_conv_opts *opts, const struct sl_worker_conf *worker,
                                const struct sl_mysql_source_conf *src, char *errstr,
                                size_t errstr_size)
{
    sl_err_t err;
    sl_conv_opts_init(opts);
    if (worker) {
        err = converter(worker->key_converter, "key.converter", &opts->key_format, errstr,
                        errstr_size);
        if (err)
            return err;
        err = converter(worker->value_converter, "value.converter", &opts->value_format, errstr,
                        errstr_size);
        if (err)
            return err;
        opts->key_schemas = worker->key_converter_schemas_enable;
        opts->value_schemas = worker->value_converter_schemas_enable;
        err = decimal_format(&worker->key_converter_props, "key.converter",
                             &opts->key_decimal_numeric, errstr, errstr_size);
        if (err)
            return err;
        err = decimal_format(&worker->value_converter_props, "value.converter",
                             &opts->value_decimal_numeric, errstr, errstr_size);
        if (err)
            return err;
    }
    const struct sl_connector_conf *cc = &src->common;
    err = converter(cc->key_converter, "key.converter", &opts->key_format, errstr, errstr_size);
    if (err)
        return err;
    err =
        converter(cc->value_converter, "value.converter", &opts->value_format, errstr, errstr_size);
    if (err)
        return err;
    if (!worker || sl_conf_is_set(src, "key.converter.schemas.enable"))
        opts->key_schemas = cc->key_converter_schemas_enable;
    if (!worker || sl_conf_is_set(src, "value.converter.schemas.enable"))
        opts->value_schemas = cc->value_converter_schemas_enable;
    err = decimal_format(&cc->key_converter_props, "key.converter", &opts->key_decimal_numeric,
                         errstr, errstr_size);
    if (err)
        return err;
    err = decimal_format(&cc->value_converter_props, "value.converter",
                         &opts->value_decimal_numeric, errstr, errstr_size);
    if (err)
        return err;

    opts->topic_prefix = src->topic_prefix;
    opts->decimal_mode = (sl_conv_decimal_t)src->decimal_handling_mode;
    opts->bigint_mode = (sl_conv_bigint_t)src->bigint_unsigned_handling_mode;
    opts->time_mode = (sl_conv_time_t)src->time_precision_mode;
    opts->binary_mode = (sl_conv_binary_t)src->binary_handling_mode;
    opts->schema_name_avro = src->schema_name_adjustment_mode == SL_SCHEMA_NAME_ADJUST_AVRO;
    opts->tombstones_on_delete = src->tombstones_on_delete;
    opts->message_key_columns = src->message_key_columns;
    opts->transaction_topic = src->transaction_topic;

    for (size_t i = 0; i < cc->transforms.n; i++) {
        const char *name = cc->transforms.items[i];
        const struct sl_conf_group *g = sl_conf_grouplist_get(&cc->transform_props, name);
        const char *type = g ? sl_conf_kvlist_get(&g->props, "type") : NULL;
        if (!type) {
            snprintf(errstr, errstr_size, "transforms.%s.type: missing", name);
            return SL_ERR_CONF;
        }
        if (strcmp(type, unwrap_type) != 0)
            continue; /* other SMTs are the caller's */
        if (opts->unwrap) {
            snprintf(errstr, errstr_size, "transforms.%s: a second %s is not supported", name,
                     unwrap_type);
            return SL_ERR_UNSUPPORTED;
        }
        err = unwrap_opts(opts, g, errstr, errstr_size);
        if (err)
            return err;
    }
    return SL_OK;
}
