/* SPDX-License-Identifier: Apache-2.0 */
/* Connector file -> writer configuration: converters, key references, table naming,
 * deletes, table creation, retry budget and endpoint, with errors naming the key. */
#include "sink/sinkconf.h"

#include <stdio.h>
#include <string.h>

#include "aws/creds.h"

static sl_err_t converter(const char *key, const char *cls, bool schemas, struct sl_sink_conv *conv,
                          char *errstr, size_t errstr_size)
{
    conv->schemas_enable = schemas;
    if (!cls || strcmp(cls, "org.apache.kafka.connect.json.JsonConverter") == 0) {
        conv->type = SL_SINK_CONV_JSON;
        return SL_OK;
    }
    if (strcmp(cls, "org.apache.kafka.connect.storage.StringConverter") == 0) {
        conv->type = SL_SINK_CONV_STRING;
        return SL_OK;
    }
    snprintf(errstr, errstr_size,
             "%s=%s is not supported by the DynamoDB sink (use "
             "org.apache.kafka.connect.json.JsonConverter or "
             "org.apache.kafka.connect.storage.StringConverter)",
             key, cls);
    return SL_ERR_CONF;
}

sl_err_t sl_sink_conf_writer(const struct sl_ddb_sink_conf *conf, struct sl_aws_provider *prov,
                             struct sl_ddb_writer_conf *out, char *region_buf, size_t region_size,
                             char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    struct sl_sink_item_conf *ic = &out->item;
    sl_sink_item_conf_defaults(ic);
    char why[512];
    const char *hash = conf->pk_hash ? conf->pk_hash : "partition";
    const char *sort = conf->pk_sort ? conf->pk_sort : "offset";
    if (sl_sink_pk_parse(hash, &ic->hash, why, sizeof(why)) || !hash[0]) {
        snprintf(errstr, errstr_size, "aws.dynamodb.pk.hash: %s",
                 hash[0] ? why : "must not be empty");
        return SL_ERR_CONF;
    }
    if (sl_sink_pk_parse(sort, &ic->sort, why, sizeof(why))) {
        snprintf(errstr, errstr_size, "aws.dynamodb.pk.sort: %s", why);
        return SL_ERR_CONF;
    }
    if (ic->sort.kind && strcmp(ic->sort.name, ic->hash.name) == 0) {
        snprintf(errstr, errstr_size,
                 "aws.dynamodb.pk.hash and aws.dynamodb.pk.sort both name attribute '%s'",
                 ic->hash.name);
        return SL_ERR_CONF;
    }
    const char *fmt = conf->table_name_format ? conf->table_name_format : "${topic}";
    if (strlen(fmt) >= sizeof(ic->table_format)) {
        snprintf(errstr, errstr_size, "table.name.format is longer than 255 characters");
        return SL_ERR_CONF;
    }
    snprintf(ic->table_format, sizeof(ic->table_format), "%s", fmt);
    sl_err_t err =
        converter("key.converter", conf->common.key_converter,
                  conf->common.key_converter_schemas_enable, &ic->key_conv, errstr, errstr_size);
    if (err)
        return err;
    err = converter("value.converter", conf->common.value_converter,
                    conf->common.value_converter_schemas_enable, &ic->value_conv, errstr,
                    errstr_size);
    if (err)
        return err;
    ic->delete_enabled = sl_ddb_sink_conf_deletes(conf);
    ic->null_fail = conf->behavior_on_null_values == SL_NULL_VALUES_FAIL;

    const char *region = conf->region;
    if (!region || !region[0]) {
        if (sl_aws_region_resolve(NULL, region_buf, region_size) != SL_OK)
            snprintf(region_buf, region_size, "us-east-1");
        region = region_buf;
    }
    out->ddb.endpoint = conf->endpoint;
    out->ddb.region = region;
    out->ddb.prov = prov;
    out->ddb.proxy_url = conf->proxy_url && conf->proxy_url[0] ? conf->proxy_url : NULL;
    out->ddb.proxy_user = conf->proxy_user;
    out->ddb.proxy_password = conf->proxy_password;
    out->table.create = conf->table_auto_create;
    out->table.pay_per_request = conf->billing_mode == SL_BILLING_PAY_PER_REQUEST;
    out->table.read_capacity = (long)conf->read_capacity;
    out->table.write_capacity = (long)conf->write_capacity;
    out->batch_size = conf->batch_size;
    out->max_retry_ms = conf->max_retry_time_s > 0 ? (long)conf->max_retry_time_s * 1000 : 0;
    if (conf->retry_backoff_ms > 0)
        out->backoff_base_ms = (long)conf->retry_backoff_ms;
    return SL_OK;
}
