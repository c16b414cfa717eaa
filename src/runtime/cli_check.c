/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice check` (cli_check.h): loads the worker file and each connector file the way
 * `sluice standalone` does, then asks every external system a cheap question and prints one
 * line per answer. MySQL questions live in source/checks.c. Kafka is asked through the public
 * bus API only: a producer with allow.auto.create.topics=false and one metadata request per
 * topic (a timeout means the cluster is unreachable; "unknown topic" means reachable). ACLs
 * are not probed: librdkafka reports a missing Describe/Write permission only when the topic
 * is used, and creating a probe topic is not cheap on a shared cluster. DynamoDB is asked
 * DescribeTable, through the sink's own client, with the sink's credential chain. */
#include "runtime/cli_check.h"

#include <stdio.h>
#include <string.h>

#include "aws/creds.h"
#include "bus/kconf.h"
#include "bus/offsets_file.h"
#include "bus/producer.h"
#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "conf/properties.h"
#include "conf/worker.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "runtime/registry.h"
#include "sink/ddb.h"
#include "sink/item.h"
#include "sink/sinkconf.h"
#include "sink/table.h"
#include "source/checks.h"

#define KAFKA_TIMEOUT_MS 5000

struct ctx {
    const char *worker_path;
    struct sl_worker_conf wconf;
    struct sl_props wprops;
    bool worker_ok;
    struct sl_check_report rep;
};

static void flush_report(struct ctx *cx, size_t *nfail)
{
    char line[1024];
    for (size_t i = 0; i < cx->rep.n; i++) {
        sl_check_item_format(&cx->rep.items[i], line, sizeof(line));
        printf("%s\n", line);
        *nfail += cx->rep.items[i].status == SL_CHECK_FAIL;
    }
    if (cx->rep.dropped)
        printf("WARN  check: %zu more result(s) not shown\n", cx->rep.dropped);
    fflush(stdout);
    sl_check_report_init(&cx->rep);
}

/* ---- Kafka ---- */

static sl_err_t kconf_for(struct ctx *cx, struct sl_kconf *kc, sl_kconf_role_t role,
                          const struct sl_conf_kvlist *overrides, char *why, size_t why_size)
{
    sl_kconf_init(kc, role);
    size_t n = cx->wprops.n;
    struct sl_kv *kvs = sl_xcalloc(n ? n : 1, sizeof(*kvs));
    for (size_t i = 0; i < n; i++) {
        kvs[i].key = cx->wprops.items[i].key;
        kvs[i].value = cx->wprops.items[i].value;
    }
    sl_err_t err = sl_kconf_from_worker(kc, kvs, n, why, why_size);
    sl_free(kvs);
    if (!err && overrides->n) {
        kvs = sl_xcalloc(overrides->n, sizeof(*kvs));
        for (size_t i = 0; i < overrides->n; i++) {
            kvs[i].key = overrides->items[i].key;
            kvs[i].value = overrides->items[i].value;
        }
        err = sl_kconf_add(kc, kvs, overrides->n, why, why_size);
        sl_free(kvs);
    }
    if (!err)
        err = sl_kconf_check(kc, why, why_size);
    return err;
}

/* Reachability plus, per topic, whether it exists. want_exist: a missing topic is a WARN
 * (sinks: nothing to read yet) rather than information (sources create theirs). */
static void check_kafka(struct ctx *cx, const char *who, const struct sl_conf_kvlist *overrides,
                        const char *const *topics, size_t ntopics, bool want_exist)
{
    char name[SL_CHECK_NAME_MAX];
    char why[768];
    snprintf(name, sizeof(name), "%s kafka", who);
    struct sl_kconf kc;
    sl_err_t err = kconf_for(cx, &kc, SL_KCONF_PRODUCER, overrides, why, sizeof(why));
    if (err) {
        sl_check_add(&cx->rep, name, SL_CHECK_FAIL, "fix the Kafka client settings", "%s", why);
        sl_kconf_fini(&kc);
        return;
    }
    if (kc.msk_iam) {
        sl_check_add(&cx->rep, name, SL_CHECK_WARN, NULL,
                     "sasl.mechanism=AWS_MSK_IAM: reachability is not checked by `sluice check` "
                     "yet");
        sl_kconf_fini(&kc);
        return;
    }
    sl_kconf_set(&kc, "allow.auto.create.topics", "false", "sluice check");
    sl_kconf_set(&kc, "log_level", "0", "sluice check");
    struct sl_producer *prod = sl_producer_new(&kc, 16, NULL, NULL, why, sizeof(why));
    sl_kconf_fini(&kc);
    if (!prod) {
        sl_check_add(&cx->rep, name, SL_CHECK_FAIL, "fix the Kafka client settings", "%s", why);
        return;
    }
    const char *probe = ntopics ? topics[0] : "__consumer_offsets";
    int parts = 0;
    err = sl_producer_partitions(prod, probe, KAFKA_TIMEOUT_MS, &parts, why, sizeof(why));
    if (err && err != SL_ERR_NOTFOUND) {
        sl_check_add(&cx->rep, name, SL_CHECK_FAIL,
                     "check bootstrap.servers, the listeners' security settings and the network",
                     "%s: no metadata within %d ms: %s", cx->wconf.bootstrap_servers,
                     KAFKA_TIMEOUT_MS, why);
        sl_producer_free(prod, 0);
        return;
    }
    sl_check_add(&cx->rep, name, SL_CHECK_PASS, NULL, "%s answers metadata requests",
                 cx->wconf.bootstrap_servers);
    for (size_t i = 0; i < ntopics; i++) {
        snprintf(name, sizeof(name), "%s topic", who);
        if (i > 0)
            err =
                sl_producer_partitions(prod, topics[i], KAFKA_TIMEOUT_MS, &parts, why, sizeof(why));
        if (!err)
            sl_check_add(&cx->rep, name, SL_CHECK_PASS, NULL, "%s exists (%d partition(s))",
                         topics[i], parts);
        else if (err == SL_ERR_NOTFOUND)
            sl_check_add(&cx->rep, name, want_exist ? SL_CHECK_WARN : SL_CHECK_PASS,
                         want_exist ? "start the source first, or create the topic" : NULL,
                         "%s does not exist yet%s", topics[i],
                         want_exist ? "" : " (created at start)");
        else
            sl_check_add(&cx->rep, name, SL_CHECK_FAIL, "check the principal's ACLs", "%s: %s",
                         topics[i], why);
    }
    sl_producer_free(prod, 0);
}

/* ---- MySQL source ---- */

/* The stored offset's binlog file for the connector, or "" (none, or no offsets file). */
static void stored_file(struct ctx *cx, const struct sl_mysql_source_conf *src, char *file,
                        size_t file_size)
{
    file[0] = '\0';
    const char *path = cx->wconf.offset_storage_file_filename;
    if (!path || !src->common.name || !src->topic_prefix)
        return;
    char why[512];
    struct sl_offsets_file *of = NULL;
    sl_err_t err = sl_offsets_file_open(path, &of, why, sizeof(why));
    if (err) {
        sl_check_add(&cx->rep, "offsets file", SL_CHECK_FAIL,
                     "repair or move the file (offset.storage.file.filename)", "%s", why);
        return;
    }
    struct sl_buf part, buf;
    sl_buf_init(&part, 1024);
    sl_buf_init(&buf, 1 << 20);
    err = sl_buf_addstr(&part, "{\"server\":");
    if (!err)
        err = sl_json_str(&part, src->topic_prefix, strlen(src->topic_prefix));
    if (!err)
        err = sl_buf_addch(&part, '}');
    if (!err)
        err = sl_offsets_file_get(of, src->common.name, sl_buf_cstr(&part), &buf);
    if (!err) {
        struct sl_source_offset off = {0};
        err = sl_source_offset_decode(buf.data, buf.len, &off, why, sizeof(why));
        if (err)
            sl_check_add(&cx->rep, "offsets file", SL_CHECK_FAIL, "repair or remove the entry",
                         "%s: offset of '%s': %s", path, src->common.name, why);
        else
            snprintf(file, file_size, "%s", off.file ? off.file : "");
        sl_source_offset_fini(&off);
    }
    sl_buf_fini(&part);
    sl_buf_fini(&buf);
    sl_offsets_file_free(of);
}

static void check_source(struct ctx *cx, const struct sl_mysql_source_conf *src)
{
    char file[256];
    stored_file(cx, src, file, sizeof(file));
    char errstr[512];
    (void)sl_source_checks_run(src, file[0] ? file : NULL, &cx->rep, errstr, sizeof(errstr));
    if (cx->wconf.bootstrap_servers) {
        /* the schema change topic (named by topic.prefix) and the history topic */
        const char *topics[2];
        size_t n = 0;
        if (src->topic_prefix)
            topics[n++] = src->topic_prefix;
        if (src->history_kafka_topic)
            topics[n++] = src->history_kafka_topic;
        check_kafka(cx, "source", &src->common.producer_override, topics, n, false);
    }
}

/* ---- DynamoDB sink ---- */

static void check_table(struct ctx *cx, struct sl_ddb *ddb, const struct sl_ddb_sink_conf *sc,
                        const struct sl_ddb_writer_conf *wc, const char *topic)
{
    char table[SL_SINK_NAME_MAX];
    char why[768];
    sl_err_t err =
        sl_sink_table_name(wc->item.table_format, topic, table, sizeof(table), why, sizeof(why));
    if (err) {
        sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_FAIL, "fix table.name.format",
                     "topic %s: %s", topic, why);
        return;
    }
    struct sl_ddb_keyschema ks;
    char status[32] = "";
    err = sl_ddb_table_describe(ddb, table, &ks, status, sizeof(status), why, sizeof(why));
    if (err == SL_ERR_NOTFOUND) {
        if (sc->table_auto_create)
            sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_PASS, NULL,
                         "%s does not exist; it will be created (HASH %s%s%s)", table,
                         wc->item.hash.name, wc->item.sort.name[0] ? ", RANGE " : "",
                         wc->item.sort.name);
        else
            sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_FAIL,
                         "create the table or set aws.dynamodb.table.auto.create=true",
                         "%s does not exist", table);
        return;
    }
    if (err) {
        sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_FAIL,
                     err == SL_ERR_AUTH ? "grant dynamodb:DescribeTable (and the write actions)"
                                        : "check aws.dynamodb.endpoint/region and the network",
                     "%s: %s", table, why);
        return;
    }
    const char *want_sort = wc->item.sort.name;
    bool same = strcmp(ks.hash, wc->item.hash.name) == 0 && strcmp(ks.sort, want_sort) == 0;
    char have[300];
    sl_ddb_keyschema_str(&ks, have, sizeof(have));
    if (same)
        sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_PASS, NULL, "%s %s, key %s", table,
                     status, have);
    else
        sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_FAIL,
                     "set aws.dynamodb.pk.hash/pk.sort to the table's key or use another table",
                     "%s has key %s but the sink writes HASH %s%s%s", table, have,
                     wc->item.hash.name, want_sort[0] ? ", RANGE " : "", want_sort);
}

static void check_sink(struct ctx *cx, const struct sl_ddb_sink_conf *sc)
{
    struct sl_aws_provider_opts popts = {
        .access_key_id = sc->access_key_id,
        .secret_access_key = sc->secret_access_key,
        .session_token = sc->session_token,
        .timeout_ms = 1000,
    };
    struct sl_aws_provider *prov = sl_aws_provider_new(&popts);
    struct sl_aws_creds *creds = sl_xcalloc(1, sizeof(*creds));
    char why[1024];
    sl_err_t err = sl_aws_provider_get(prov, creds, why, sizeof(why));
    bool have_creds = !err;
    if (err)
        sl_check_add(&cx->rep, "sink aws credentials", SL_CHECK_FAIL,
                     "set aws.access.key.id/aws.secret.access.key, AWS_* variables, a profile, or "
                     "a role",
                     "%s", why);
    else
        sl_check_add(&cx->rep, "sink aws credentials", SL_CHECK_PASS, NULL,
                     "from %s (key id %.4s..., %s)", sl_aws_provider_source(prov),
                     creds->access_key_id, creds->session_token[0] ? "temporary" : "long-term");
    sl_aws_creds_wipe(creds);
    sl_free(creds);

    struct sl_ddb_writer_conf wc;
    char region[64];
    err = sl_sink_conf_writer(sc, prov, &wc, region, sizeof(region), why, sizeof(why));
    if (err) {
        sl_check_add(&cx->rep, "sink configuration", SL_CHECK_FAIL, NULL, "%s", why);
        goto out;
    }
    if (have_creds) {
        wc.ddb.timeout_ms = 10000;
        struct sl_ddb *ddb = sl_ddb_new(&wc.ddb, why, sizeof(why));
        if (!ddb) {
            sl_check_add(&cx->rep, "sink dynamodb", SL_CHECK_FAIL, NULL, "%s", why);
        } else {
            for (size_t i = 0; i < sc->topics.n; i++)
                check_table(cx, ddb, sc, &wc, sc->topics.items[i]);
            if (!sc->topics.n)
                sl_check_add(&cx->rep, "sink dynamodb table", SL_CHECK_WARN, NULL,
                             "topics.regex: table names depend on the topics matched at run "
                             "time; not checked");
            sl_ddb_free(ddb);
        }
    }
    if (cx->wconf.bootstrap_servers)
        check_kafka(cx, "sink", &sc->common.consumer_override,
                    (const char *const *)sc->topics.items, sc->topics.n, true);
out:
    sl_aws_provider_free(prov);
}

/* ---- files ---- */

static void check_connector(struct ctx *cx, const char *path)
{
    struct sl_props props;
    sl_props_init(&props);
    char errstr[1024];
    void *conf = NULL;
    const struct sl_connector_type *type = NULL;
    sl_err_t err = sl_props_load(&props, path, errstr, sizeof(errstr));
    if (err) {
        sl_check_add(&cx->rep, "connector file", SL_CHECK_FAIL, NULL, "%s", errstr);
        goto out;
    }
    const struct sl_prop *cls = sl_props_find(&props, "connector.class");
    type = cls ? sl_registry_find(cls->value) : NULL;
    if (!type) {
        char known[512];
        sl_registry_known(known, sizeof(known));
        sl_check_add(&cx->rep, "connector file", SL_CHECK_FAIL, NULL,
                     "%s: connector.class: %s%s%s (known: %s)", path,
                     cls ? "unknown connector class '" : "missing", cls ? cls->value : "",
                     cls ? "'" : "", known);
        goto out;
    }
    conf = sl_xcalloc(1, type->table->size);
    err = sl_conf_load(type->table, conf, path, NULL, errstr, sizeof(errstr));
    if (err) {
        sl_check_add(&cx->rep, "connector file", SL_CHECK_FAIL, NULL, "%s", errstr);
        goto out;
    }
    sl_check_add(&cx->rep, "connector file", SL_CHECK_PASS, NULL, "%s: %s connector", path,
                 type->simple);
    if (type->kind == SL_CONNECTOR_MYSQL_SOURCE)
        check_source(cx, conf);
    else if (type->kind == SL_CONNECTOR_DDB_SINK)
        check_sink(cx, conf);
out:
    if (conf) {
        sl_conf_fini(conf);
        sl_free(conf);
    }
    sl_props_fini(&props);
}

static int usage(void)
{
    fprintf(stderr, "usage: sluice check WORKER.properties CONNECTOR.properties...\n"
                    "  Checks the database, Kafka and DynamoDB settings the files name; prints\n"
                    "  PASS|WARN|FAIL lines; exit 0 when nothing failed, 1 otherwise.\n");
    return 2;
}

int sl_cli_check(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        }
    if (argc < 3)
        return usage();
    struct ctx *cx = sl_xcalloc(1, sizeof(*cx));
    size_t nfail = 0;
    char errstr[1024];
    cx->worker_path = argv[1];
    sl_props_init(&cx->wprops);
    sl_log_set_level(SL_LOG_ERROR);
    sl_err_t err = sl_conf_worker_load(&cx->wconf, cx->worker_path, NULL, errstr, sizeof(errstr));
    if (!err)
        err = sl_props_load(&cx->wprops, cx->worker_path, errstr, sizeof(errstr));
    if (err) {
        sl_check_add(&cx->rep, "worker file", SL_CHECK_FAIL, NULL, "%s", errstr);
        flush_report(cx, &nfail);
        goto out;
    }
    sl_check_add(&cx->rep, "worker file", SL_CHECK_PASS, NULL, "%s: %s", cx->worker_path,
                 cx->wconf.bootstrap_servers ? "Kafka mode" : "local bus (no bootstrap.servers)");
    flush_report(cx, &nfail);
    for (int i = 2; i < argc; i++) {
        check_connector(cx, argv[i]);
        flush_report(cx, &nfail);
    }
out:
    sl_conf_fini(&cx->wconf);
    sl_props_fini(&cx->wprops);
    sl_free(cx);
    return nfail ? 1 : 0;
}
