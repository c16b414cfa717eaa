/* SPDX-License-Identifier: Apache-2.0 */
/* Maps a loaded DynamoDB sink connector file (conf/ddb_sink.h) onto the writer's
 * configuration, so the connector loop does not repeat the Confluent defaults and names. */
#ifndef SL_SINK_SINKCONF_H
#define SL_SINK_SINKCONF_H

#include <stddef.h>

#include "conf/ddb_sink.h"
#include "core/err.h"
#include "sink/writer.h"

struct sl_aws_provider;

/* Fills out from conf. Strings of conf are borrowed by out (conf must outlive the writer);
 * region_buf (>= 64 bytes) receives the region when it comes from the environment
 * (aws.dynamodb.region unset: AWS_REGION, AWS_DEFAULT_REGION, profile, else us-east-1).
 * prov (borrowed, may be NULL) supplies credentials. SL_ERR_CONF with errstr naming the key
 * for an unusable setting (unknown converter, bad pk reference, bad table.name.format). */
sl_err_t sl_sink_conf_writer(const struct sl_ddb_sink_conf *conf, struct sl_aws_provider *prov,
                             struct sl_ddb_writer_conf *out, char *region_buf, size_t region_size,
                             char *errstr, size_t errstr_size);

#endif
