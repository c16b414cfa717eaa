/* SPDX-License-Identifier: Apache-2.0 */
/* Transaction metadata records (BEGIN / END on <prefix>.transaction) as Debezium 1.9's
 * TransactionMonitor builds them: key TransactionMetadataKey {id}, value
 * TransactionMetadataValue {status, id, event_count, data_collections}. */
#include <string.h>

#include "convert/conv_int.h"

static const char key_schema[] =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.common.TransactionMetadataKey\"}";

static const char value_schema[] =
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"status\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"event_count\"},"
    "{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"data_collection\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"event_count\"}],\"optional\":false},"
    "\"optional\":true,\"field\":\"data_collections\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.common.TransactionMetadataValue\"}";

static void str_field(struct sl_cw *cw, struct sl_str s, bool text)
{
    if (text)
        sl_cw_utf8(cw, s.ptr, s.len);
    else
        sl_cw_jstr(cw, s.ptr, s.len);
}

static void txn_value(struct sl_cw *cw, const struct sl_conv_txn_event *ev, bool text)
{
    const char *status = ev->end ? "END" : "BEGIN";
    if (text) {
        sl_cw_str(cw, "Struct{status=");
        sl_cw_str(cw, status);
        sl_cw_str(cw, ",id=");
    } else {
        sl_cw_str(cw, "{\"status\":\"");
        sl_cw_str(cw, status);
        sl_cw_str(cw, "\",\"id\":");
    }
    str_field(cw, ev->id, text);
    if (!ev->end) {
        if (!text)
            sl_cw_str(cw, ",\"event_count\":null,\"data_collections\":null");
        sl_cw_ch(cw, '}');
        return;
    }
    sl_cw_str(cw, text ? ",event_count=" : ",\"event_count\":");
    sl_cw_i64(cw, ev->event_count);
    /* Java's List.toString separates with ", ". */
    sl_cw_str(cw, text ? ",data_collections=[" : ",\"data_collections\":[");
    for (uint32_t i = 0; i < ev->ncounts; i++) {
        if (i)
            sl_cw_str(cw, text ? ", " : ",");
        sl_cw_str(cw, text ? "Struct{data_collection=" : "{\"data_collection\":");
        str_field(cw, ev->counts[i].data_collection, text);
        sl_cw_str(cw, text ? ",event_count=" : ",\"event_count\":");
        sl_cw_i64(cw, ev->counts[i].event_count);
        sl_cw_ch(cw, '}');
    }
    sl_cw_str(cw, "]}");
}

sl_err_t sl_conv_txn_event(struct sl_conv *conv, const struct sl_conv_txn_event *ev,
                           struct sl_conv_out *out)
{
    const struct sl_conv_opts *o = &conv->opts;
    struct sl_cw cw = {&out->buf, SL_OK};
    sl_conv_out_reset(out);
    struct sl_conv_record *rec = &out->rec[0];
    memset(rec, 0, sizeof(*rec));

    uint32_t start = (uint32_t)out->buf.len;
    sl_cw_str(&cw, conv->txn_topic);
    rec->topic = (struct sl_conv_span){start, (uint32_t)out->buf.len - start, false};

    start = (uint32_t)out->buf.len;
    bool text = o->key_format == SL_CONV_FMT_STRING;
    bool schemas = !text && o->key_schemas;
    if (schemas) {
        sl_cw_str(&cw, "{\"schema\":");
        sl_cw_str(&cw, key_schema);
        sl_cw_str(&cw, ",\"payload\":");
    }
    sl_cw_str(&cw, text ? "Struct{id=" : "{\"id\":");
    str_field(&cw, ev->id, text);
    sl_cw_ch(&cw, '}');
    if (schemas)
        sl_cw_ch(&cw, '}');
    rec->key = (struct sl_conv_span){start, (uint32_t)out->buf.len - start, false};

    start = (uint32_t)out->buf.len;
    text = o->value_format == SL_CONV_FMT_STRING;
    schemas = !text && o->value_schemas;
    if (schemas) {
        sl_cw_str(&cw, "{\"schema\":");
        sl_cw_str(&cw, value_schema);
        sl_cw_str(&cw, ",\"payload\":");
    }
    txn_value(&cw, ev, text);
    if (schemas)
        sl_cw_ch(&cw, '}');
    rec->value = (struct sl_conv_span){start, (uint32_t)out->buf.len - start, false};
    if (cw.err) {
        sl_conv_out_reset(out);
        return cw.err;
    }
    out->nrec = 1;
    return SL_OK;
}
