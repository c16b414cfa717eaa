/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka Connect compatible REST API over libmicrohttpd: listener selection, request
 * bodies (bounded), a route table, the JSON replies Kafka Connect gives (built with jansson,
 * secrets masked as "[hidden]") and GET /metrics. All worker access goes through the
 * struct sl_worker_api callbacks, called on the single server thread. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "runtime/rest.h"

#define MAX_SEGS 8
#define NAME_MAX_LEN 255

struct sl_rest {
    struct sl_rest_conf conf;
    struct MHD_Daemon *mhd;
    int port;
    size_t max_body;
    char worker_id[320];
};

/* Per-request state kept by libmicrohttpd between the calls of one request. */
struct req {
    struct sl_buf body;
    bool too_big;
};

/* One request being answered. */
struct ctx {
    struct sl_rest *rest;
    struct MHD_Connection *conn;
    const char *method;
    char path[1024];
    const char *seg[MAX_SEGS];
    size_t nseg;
    const char *body;
    size_t body_len;
    /* reply */
    unsigned status;
    json_t *out;        /* owned JSON body, or NULL */
    struct sl_buf text; /* non-JSON body (metrics) when ctype is set */
    const char *ctype;
    char location[600];
};

/* ---- Worker API helpers (declared in worker_api.h) ---- */

static const char *const state_names[] = {"UNASSIGNED", "RUNNING",    "PAUSED",
                                          "FAILED",     "RESTARTING", "STOPPED"};

const char *sl_worker_state_name(sl_worker_state_t state)
{
    if ((unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
        return "UNASSIGNED";
    return state_names[state];
}

const char *sl_worker_type_name(sl_worker_type_t type)
{
    return type == SL_WTYPE_SOURCE ? "source" : type == SL_WTYPE_SINK ? "sink" : "unknown";
}

sl_err_t sl_worker_names_add(struct sl_worker_names *names, const char *name)
{
    if (names->n >= SL_WORKER_MAX_CONNECTORS)
        return SL_ERR_TOOBIG;
    names->items[names->n++] = sl_xstrdup(name);
    return SL_OK;
}

static void names_fini(struct sl_worker_names *names)
{
    for (size_t i = 0; i < names->n; i++)
        sl_free(names->items[i]);
    names->n = 0;
}

void sl_worker_status_fini(struct sl_worker_status *st)
{
    sl_free(st->trace);
    for (size_t i = 0; i < st->ntasks && i < SL_WORKER_MAX_TASKS; i++)
        sl_free(st->tasks[i].trace);
    memset(st, 0, sizeof(*st));
}

/* ---- Listener ---- */

static sl_err_t parse_listener(const char *l, char *host, size_t host_size, int *port, char *errstr,
                               size_t errstr_size)
{
    if (strncmp(l, "https://", 8) == 0) {
        snprintf(errstr, errstr_size,
                 "listeners: '%s': https is not supported; use http:// behind a TLS proxy", l);
        return SL_ERR_UNSUPPORTED;
    }
    if (strncmp(l, "http://", 7) != 0) {
        snprintf(errstr, errstr_size, "listeners: '%s' must start with http://", l);
        return SL_ERR_CONF;
    }
    const char *p = l + 7;
    size_t len = strcspn(p, "/");
    const char *hs = p, *he, *colon;
    if (*p == '[') {
        hs = p + 1;
        he = memchr(hs, ']', len - 1 < len ? len - 1 : 0);
        if (!he) {
            snprintf(errstr, errstr_size, "listeners: '%s': missing ']' after IPv6 address", l);
            return SL_ERR_CONF;
        }
        colon = he + 1 < p + len && he[1] == ':' ? he + 1 : NULL;
    } else {
        colon = NULL;
        for (const char *q = p; q < p + len; q++)
            if (*q == ':')
                colon = q;
        he = colon ? colon : p + len;
    }
    if (!colon || colon + 1 >= p + len) {
        snprintf(errstr, errstr_size, "listeners: '%s' has no port (write http://host:port)", l);
        return SL_ERR_CONF;
    }
    char num[16];
    size_t nlen = (size_t)(p + len - colon - 1);
    int64_t v = -1;
    if (nlen < sizeof(num)) {
        memcpy(num, colon + 1, nlen);
        num[nlen] = '\0';
        if (sl_parse_i64(num, &v))
            v = -1;
    }
    if (v < 0 || v > 65535) {
        snprintf(errstr, errstr_size, "listeners: '%s': port must be a number from 0 to 65535", l);
        return SL_ERR_CONF;
    }
    size_t hlen = (size_t)(he - hs);
    if (hlen == 0) {
        hs = "127.0.0.1";
        hlen = strlen(hs);
    }
    if (hlen >= host_size) {
        snprintf(errstr, errstr_size, "listeners: '%s': host name too long", l);
        return SL_ERR_CONF;
    }
    memcpy(host, hs, hlen);
    host[hlen] = '\0';
    *port = (int)v;
    return SL_OK;
}

sl_err_t sl_rest_listen_addr(const struct sl_worker_conf *worker, char *host, size_t host_size,
                             int *port, bool *enabled, char *errstr, size_t errstr_size)
{
    *enabled = true;
    *port = SL_REST_DEFAULT_PORT;
    snprintf(host, host_size, "127.0.0.1");
    if (!worker)
        return SL_OK;
    if (sl_conf_is_set(worker, "listeners")) {
        if (worker->listeners.n == 0) {
            *enabled = false;
            return SL_OK;
        }
        if (worker->listeners.n > 1)
            sl_log(SL_LOG_WARN, "HTTP", "listeners: only the first listener (%s) is used",
                   worker->listeners.items[0]);
        return parse_listener(worker->listeners.items[0], host, host_size, port, errstr,
                              errstr_size);
    }
    if (worker->rest_host_name && *worker->rest_host_name) {
        if (strlen(worker->rest_host_name) >= host_size) {
            snprintf(errstr, errstr_size, "rest.host.name: host name too long");
            return SL_ERR_CONF;
        }
        snprintf(host, host_size, "%s", worker->rest_host_name);
    }
    if (sl_conf_is_set(worker, "rest.port"))
        *port = (int)worker->rest_port;
    return SL_OK;
}

/* ---- Replies ---- */

/* A JSON string for s; bytes that are not valid UTF-8 become '?'. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j)
        return j;
    char *copy = sl_xstrdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    sl_free(copy);
    return j;
}

static void reply_json(struct ctx *ctx, unsigned status, json_t *out)
{
    json_decref(ctx->out);
    ctx->status = status;
    ctx->out = out;
}

static void reply_error(struct ctx *ctx, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reply_error(struct ctx *ctx, unsigned status, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    json_object_set_new(o, "error_code", json_integer(status));
    json_object_set_new(o, "message", jstr(msg));
    reply_json(ctx, status, o);
}

/* Maps a worker error to Kafka Connect's status; errstr wins over the default message. */
static void reply_worker_err(struct ctx *ctx, sl_err_t err, const char *errstr, const char *dflt)
{
    unsigned status;
    switch (err) {
    case SL_ERR_NOTFOUND:
        status = 404;
        break;
    case SL_ERR_CONF:
    case SL_ERR_INVALID:
    case SL_ERR_PROTO:
    case SL_ERR_UNSUPPORTED:
        status = 400;
        break;
    case SL_ERR_AGAIN:
        status = 409;
        break;
    case SL_ERR_SHUTDOWN:
        status = 503;
        break;
    default:
        status = 500;
        break;
    }
    if (errstr && *errstr)
        reply_error(ctx, status, "%s", errstr);
    else if (status == 404 || status == 409)
        reply_error(ctx, status, "%s", dflt);
    else
        reply_error(ctx, status, "%s", sl_err_str(err));
}

static void reply_empty(struct ctx *ctx, unsigned status)
{
    reply_json(ctx, status, NULL);
}

/* ---- Secrets and JSON shapes ---- */

static bool table_says_secret(const struct sl_conf_table *table, const char *key)
{
    if (!table)
        return false;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++)
        for (const struct sl_option *opt = table->sections[s].options; opt->name; opt++)
            if (strcmp(opt->name, key) == 0 || (opt->alias && strcmp(opt->alias, key) == 0))
                return (opt->flags & SL_OPT_SECRET) || opt->type == SL_T_PASSWORD;
    return false;
}

static bool key_is_secret(const struct sl_conf_table *table, const char *key)
{
    return sl_conf_key_is_secret(key) || table_says_secret(table, key);
}

static json_t *config_json(const struct sl_props *config)
{
    const char *cls = sl_props_get(config, "connector.class");
    const struct sl_conf_table *table = cls ? sl_conf_table_for_class(cls) : NULL;
    json_t *o = json_object();
    for (size_t i = 0; i < config->n; i++) {
        const struct sl_prop *p = &config->items[i];
        bool secret = key_is_secret(table, p->key);
        json_object_set_new(o, p->key, jstr(secret ? SL_CONF_HIDDEN_TEXT : p->value));
    }
    return o;
}

static json_t *info_json(const char *name, struct sl_worker_info *info)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(name));
    json_object_set_new(o, "config", config_json(&info->config));
    json_t *tasks = json_array();
    for (size_t i = 0; i < info->ntasks && i < SL_WORKER_MAX_TASKS; i++) {
        json_t *t = json_object();
        json_object_set_new(t, "connector", jstr(name));
        json_object_set_new(t, "task", json_integer((json_int_t)i));
        json_array_append_new(tasks, t);
    }
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "type", json_string(sl_worker_type_name(info->type)));
    return o;
}

static json_t *task_state_json(struct sl_rest *rest, const struct sl_worker_task_status *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "state", json_string(sl_worker_state_name(t->state)));
    json_object_set_new(o, "worker_id", jstr(rest->worker_id));
    if (t->trace && *t->trace)
        json_object_set_new(o, "trace", jstr(t->trace));
    return o;
}

static json_t *status_json(struct sl_rest *rest, const char *name,
                           const struct sl_worker_status *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(name));
    json_t *c = json_object();
    json_object_set_new(c, "state", json_string(sl_worker_state_name(st->state)));
    json_object_set_new(c, "worker_id", jstr(rest->worker_id));
    if (st->trace && *st->trace)
        json_object_set_new(c, "trace", jstr(st->trace));
    json_object_set_new(o, "connector", c);
    json_t *tasks = json_array();
    for (size_t i = 0; i < st->ntasks && i < SL_WORKER_MAX_TASKS; i++)
        json_array_append_new(tasks, task_state_json(rest, &st->tasks[i]));
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "type", json_string(sl_worker_type_name(st->type)));
    return o;
}

/* Fetches info; on failure writes the reply and returns the error. */
static sl_err_t get_info(struct ctx *ctx, const char *name, struct sl_worker_info *info)
{
    struct sl_worker_api *api = &ctx->rest->conf.api;
    memset(info, 0, sizeof(*info));
    sl_props_init(&info->config);
    sl_err_t err = api->info ? api->info(name, info, api->opaque) : SL_ERR_UNSUPPORTED;
    if (err) {
        char msg[400];
        snprintf(msg, sizeof(msg), "Connector %s not found", name);
        reply_worker_err(ctx, err, NULL, msg);
    }
    return err;
}

static sl_err_t get_status(struct ctx *ctx, const char *name, struct sl_worker_status *st)
{
    struct sl_worker_api *api = &ctx->rest->conf.api;
    memset(st, 0, sizeof(*st));
    sl_err_t err = api->status ? api->status(name, st, api->opaque) : SL_ERR_UNSUPPORTED;
    if (err) {
        char msg[400];
        snprintf(msg, sizeof(msg), "No status found for connector %s", name);
        reply_worker_err(ctx, err, NULL, msg);
    }
    return err;
}

/* ---- Request bodies and config checks ---- */

static json_t *parse_body(struct ctx *ctx)
{
    if (ctx->body_len == 0) {
        reply_error(ctx, 400, "Request body is empty; expected a JSON object");
        return NULL;
    }
    json_error_t jerr;
    json_t *j = json_loadb(ctx->body, ctx->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        reply_error(ctx, 400, "Malformed JSON at line %d, column %d (byte %d): %s", jerr.line,
                    jerr.column, jerr.position, jerr.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(ctx, 400, "Request body must be a JSON object");
        return NULL;
    }
    return j;
}

static const char *jtype_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_NULL:
        return "null";
    default:
        return "a scalar";
    }
}

/* Copies a JSON config object into props. Values must be strings; numbers and booleans are
 * taken as their text, as Kafka Connect's JSON mapper does. */
static bool config_from_json(struct ctx *ctx, json_t *obj, struct sl_props *props)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char num[64];
        const char *text = num;
        if (json_is_string(v)) {
            text = json_string_value(v);
            if (strlen(text) != json_string_length(v)) {
                reply_error(ctx, 400, "Config value of '%s' contains a NUL character", key);
                return false;
            }
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        } else if (json_is_real(v)) {
            snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        } else if (json_is_boolean(v)) {
            text = json_is_true(v) ? "true" : "false";
        } else {
            reply_error(ctx, 400, "Config value of '%s' must be a string, not %s", key,
                        jtype_name(v));
            return false;
        }
        if (*key == '\0') {
            reply_error(ctx, 400, "Config keys must not be empty");
            return false;
        }
        /* ${env:..} and ${file:..} would let any API client read the worker's environment
         * and files (Kafka Connect resolves them only when the worker configures
         * config.providers). They stay a feature of the files given on the command line. */
        if (strstr(text, "${env:") || strstr(text, "${file:")) {
            reply_error(ctx, 400,
                        "Config value of '%s' uses a ${env:...} or ${file:...} reference; "
                        "references are resolved only in files given on the command line, "
                        "not in REST requests",
                        key);
            return false;
        }
        sl_props_set(props, key, text, 0);
    }
    return true;
}

static bool check_name(struct ctx *ctx, const char *name)
{
    size_t len = strlen(name);
    if (len == 0) {
        reply_error(ctx, 400, "Connector name must not be empty");
        return false;
    }
    if (len > NAME_MAX_LEN) {
        reply_error(ctx, 400, "Connector name is %zu bytes long; at most %d are allowed", len,
                    NAME_MAX_LEN);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (iscntrl((unsigned char)name[i]) || name[i] == '/') {
            reply_error(ctx, 400,
                        "Connector name must not contain '/' or control characters "
                        "(byte %zu)",
                        i);
            return false;
        }
    }
    return true;
}

/* Kafka Connect's checkAndPutConnectorConfigName. */
static bool put_name(struct ctx *ctx, const char *name, struct sl_props *props)
{
    const char *included = sl_props_get(props, "name");
    if (included && strcmp(included, name) != 0) {
        reply_error(ctx, 400,
                    "Connector name configuration (%s) doesn't match connector name in the URL "
                    "(%s)",
                    included, name);
        return false;
    }
    if (!included)
        sl_props_set(props, "name", name, 0);
    return true;
}

static void plugin_list(struct sl_rest *rest, const struct sl_worker_plugin **plugins, size_t *n)
{
    struct sl_worker_api *api = &rest->conf.api;
    *plugins = NULL;
    *n = 0;
    if (api->plugins && api->plugins(plugins, n, api->opaque) != SL_OK) {
        *plugins = NULL;
        *n = 0;
    }
}

/* Error lines of a conf engine diagnostic, without "error: " and the "(config):0: " that
 * JSON entries (no file, no line) get. */
static size_t diag_errors(const struct sl_buf *diag, struct sl_buf *out)
{
    size_t count = 0;
    const char *p = sl_buf_cstr(diag);
    while (*p) {
        size_t len = strcspn(p, "\n");
        if (len > 7 && strncmp(p, "error: ", 7) == 0) {
            const char *s = p + 7;
            size_t slen = len - 7;
            static const char *const prefixes[] = {"(config):0: ", "(config): "};
            for (size_t i = 0; i < 2; i++) {
                size_t pl = strlen(prefixes[i]);
                if (slen >= pl && strncmp(s, prefixes[i], pl) == 0) {
                    s += pl;
                    slen -= pl;
                    break;
                }
            }
            if (count)
                (void)sl_buf_addch(out, '\n');
            (void)sl_buf_add(out, s, slen);
            count++;
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    return count;
}

/* Validates props against the built-in table of its connector.class. Returns the number of
 * errors (lines in errors); -1 when the class is missing or unknown (reply written). */
static int validate_config(struct ctx *ctx, const struct sl_props *props, struct sl_buf *errors)
{
    const char *cls = sl_props_get(props, "connector.class");
    if (!cls || !*cls) {
        reply_error(ctx, 400,
                    "Connector config contains no connector type: 'connector.class' is required");
        return -1;
    }
    const struct sl_conf_table *table = sl_conf_table_for_class(cls);
    if (!table) {
        const struct sl_worker_plugin *plugins;
        size_t n;
        char known[1024] = "";
        size_t used = 0;
        plugin_list(ctx->rest, &plugins, &n);
        for (size_t i = 0; i < n && used < sizeof(known); i++) {
            int w = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
                             plugins[i].class_name);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        reply_error(ctx, 400,
                    "connector.class: Failed to find any class that implements Connector and "
                    "which name matches %s, available connectors are: %s",
                    cls, known);
        return -1;
    }
    struct sl_buf diag;
    char errstr[512] = "";
    sl_buf_init(&diag, (size_t)256 << 10);
    void *conf = sl_xcalloc(1, table->size);
    sl_conf_init(table, conf);
    sl_err_t err = sl_conf_apply(table, conf, props, &diag, errstr, sizeof(errstr));
    sl_conf_fini(conf);
    sl_free(conf);
    size_t n = diag_errors(&diag, errors);
    sl_buf_fini(&diag);
    if (err && n == 0) {
        (void)sl_buf_addstr(errors, errstr);
        n = 1;
    }
    return (int)n;
}

/* Validates and answers 400 with Kafka Connect's message when the config is invalid. */
static bool check_config(struct ctx *ctx, const struct sl_props *props)
{
    struct sl_buf errors;
    sl_buf_init(&errors, (size_t)64 << 10);
    int n = validate_config(ctx, props, &errors);
    if (n > 0)
        reply_error(ctx, 400,
                    "Connector configuration is invalid and contains the following %d "
                    "error(s):\n%s\nYou can also find the above list of errors at the endpoint "
                    "`/connector-plugins/{connectorType}/config/validate`",
                    n, sl_buf_cstr(&errors));
    sl_buf_fini(&errors);
    return n == 0;
}

/* ---- Query parameters ---- */

static bool query_true(struct ctx *ctx, const char *key)
{
    const char *v = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, key);
    return v && strcasecmp(v, "true") == 0;
}

struct expand {
    char order[2]; /* 's' status, 'i' info, in the order asked */
    size_t n;
};

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    struct expand *ex = cls;
    (void)kind;
    if (strcmp(key, "expand") != 0 || !value)
        return MHD_YES;
    char c = strcmp(value, "status") == 0 ? 's' : strcmp(value, "info") == 0 ? 'i' : 0;
    if (c && ex->n < 2 && (ex->n == 0 || ex->order[0] != c))
        ex->order[ex->n++] = c;
    return MHD_YES;
}

/* ---- Route handlers ---- */

static void h_root(struct ctx *ctx)
{
    const struct sl_rest_conf *c = &ctx->rest->conf;
    json_t *o = json_object();
    json_object_set_new(o, "version", json_string(SL_VERSION));
    json_object_set_new(o, "commit", jstr(c->commit ? c->commit : "unknown"));
    json_object_set_new(o, "kafka_cluster_id",
                        jstr(c->kafka_cluster_id ? c->kafka_cluster_id : ""));
    reply_json(ctx, 200, o);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void h_list(struct ctx *ctx)
{
    struct sl_worker_api *api = &ctx->rest->conf.api;
    struct sl_worker_names *names = sl_xcalloc(1, sizeof(*names));
    sl_err_t err = api->list ? api->list(names, api->opaque) : SL_OK;
    if (err) {
        reply_worker_err(ctx, err, NULL, "");
        goto out;
    }
    qsort(names->items, names->n, sizeof(names->items[0]), cmp_names);
    struct expand ex = {.n = 0};
    MHD_get_connection_values(ctx->conn, MHD_GET_ARGUMENT_KIND, on_arg, &ex);
    if (!MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "expand")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < names->n; i++)
            json_array_append_new(arr, jstr(names->items[i]));
        reply_json(ctx, 200, arr);
        goto out;
    }
    json_t *map = json_object();
    for (size_t i = 0; i < names->n; i++) {
        const char *name = names->items[i];
        json_t *one = json_object();
        bool gone = false;
        for (size_t k = 0; k < ex.n && !gone; k++) {
            if (ex.order[k] == 's') {
                struct sl_worker_status st;
                memset(&st, 0, sizeof(st));
                gone = api->status(name, &st, api->opaque) != SL_OK;
                if (!gone)
                    json_object_set_new(one, "status", status_json(ctx->rest, name, &st));
                sl_worker_status_fini(&st);
            } else {
                struct sl_worker_info info;
                memset(&info, 0, sizeof(info));
                sl_props_init(&info.config);
                gone = api->info(name, &info, api->opaque) != SL_OK;
                if (!gone)
                    json_object_set_new(one, "info", info_json(name, &info));
                sl_props_fini(&info.config);
            }
        }
        /* Removed while we looked: left out, as Kafka Connect does. */
        if (gone)
            json_decref(one);
        else
            json_object_set_new(map, name, one);
    }
    reply_json(ctx, 200, map);
out:
    names_fini(names);
    sl_free(names);
}

static void location_for(struct ctx *ctx, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = (size_t)snprintf(ctx->location, sizeof(ctx->location), "/connectors/");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (n + 4 >= sizeof(ctx->location))
            break;
        if (isalnum(*p) || strchr("-._~", *p)) {
            ctx->location[n++] = (char)*p;
        } else {
            ctx->location[n++] = '%';
            ctx->location[n++] = hex[*p >> 4];
            ctx->location[n++] = hex[*p & 15];
        }
    }
    ctx->location[n] = '\0';
}

/* put_config and the ConnectorInfo reply shared by POST /connectors and PUT .../config. */
static void put_and_reply(struct ctx *ctx, const char *name, struct sl_props *props,
                          bool allow_update, const char *initial_state)
{
    struct sl_worker_api *api = &ctx->rest->conf.api;
    if (!check_name(ctx, name) || !put_name(ctx, name, props) || !check_config(ctx, props))
        return;
    char errstr[1024] = "";
    bool created = false;
    sl_err_t err = api->put_config ? api->put_config(name, props, allow_update, &created, errstr,
                                                     sizeof(errstr), api->opaque)
                                   : SL_ERR_UNSUPPORTED;
    if (err) {
        char msg[400];
        snprintf(msg, sizeof(msg), "Connector %s already exists", name);
        reply_worker_err(ctx, err, errstr, msg);
        return;
    }
    if (initial_state && strcmp(initial_state, "PAUSED") == 0 && api->pause)
        err = api->pause(name, errstr, sizeof(errstr), api->opaque);
    else if (initial_state && strcmp(initial_state, "STOPPED") == 0 && api->stop)
        err = api->stop(name, errstr, sizeof(errstr), api->opaque);
    if (err)
        sl_log(SL_LOG_WARN, "HTTP", "connector %s: initial_state %s: %s", name, initial_state,
               errstr[0] ? errstr : sl_err_str(err));
    struct sl_worker_info info;
    if (get_info(ctx, name, &info) == SL_OK) {
        reply_json(ctx, created ? 201 : 200, info_json(name, &info));
        if (created)
            location_for(ctx, name);
    }
    sl_props_fini(&info.config);
}

static void h_create(struct ctx *ctx)
{
    json_t *body = parse_body(ctx);
    if (!body)
        return;
    struct sl_props props;
    sl_props_init(&props);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "name") != 0 && strcmp(key, "config") != 0 &&
            strcmp(key, "initial_state") != 0) {
            reply_error(ctx, 400, "Unrecognized field \"%s\" in the request body", key);
            goto out;
        }
    }
    json_t *jname = json_object_get(body, "name");
    json_t *jconf = json_object_get(body, "config");
    json_t *jstate = json_object_get(body, "initial_state");
    if (!json_is_string(jname)) {
        reply_error(ctx, 400, "Field \"name\" is required and must be a string");
        goto out;
    }
    if (!json_is_object(jconf)) {
        reply_error(ctx, 400, "Field \"config\" is required and must be a JSON object");
        goto out;
    }
    const char *state = NULL;
    if (jstate && !json_is_null(jstate)) {
        state = json_string_value(jstate);
        if (!state || (strcmp(state, "RUNNING") != 0 && strcmp(state, "PAUSED") != 0 &&
                       strcmp(state, "STOPPED") != 0)) {
            reply_error(ctx, 400,
                        "Field \"initial_state\" must be one of RUNNING, PAUSED, STOPPED");
            goto out;
        }
    }
    /* Kafka Connect trims the name. */
    const char *raw = json_string_value(jname);
    size_t len = strlen(raw);
    while (len && isspace((unsigned char)raw[len - 1]))
        len--;
    while (len && isspace((unsigned char)*raw)) {
        raw++;
        len--;
    }
    char *name = sl_xstrndup(raw, len);
    if (config_from_json(ctx, jconf, &props))
        put_and_reply(ctx, name, &props, false, state);
    sl_free(name);
out:
    sl_props_fini(&props);
    json_decref(body);
}

static void h_put_config(struct ctx *ctx)
{
    json_t *body = parse_body(ctx);
    if (!body)
        return;
    struct sl_props props;
    sl_props_init(&props);
    if (config_from_json(ctx, body, &props))
        put_and_reply(ctx, ctx->seg[1], &props, true, NULL);
    sl_props_fini(&props);
    json_decref(body);
}

static void h_info(struct ctx *ctx)
{
    struct sl_worker_info info;
    if (get_info(ctx, ctx->seg[1], &info) == SL_OK)
        reply_json(ctx, 200, info_json(ctx->seg[1], &info));
    sl_props_fini(&info.config);
}

static void h_get_config(struct ctx *ctx)
{
    struct sl_worker_info info;
    if (get_info(ctx, ctx->seg[1], &info) == SL_OK)
        reply_json(ctx, 200, config_json(&info.config));
    sl_props_fini(&info.config);
}

static void h_tasks(struct ctx *ctx)
{
    const char *name = ctx->seg[1];
    struct sl_worker_info info;
    if (get_info(ctx, name, &info) == SL_OK) {
        json_t *arr = json_array();
        for (size_t i = 0; i < info.ntasks && i < SL_WORKER_MAX_TASKS; i++) {
            json_t *t = json_object();
            json_t *id = json_object();
            json_object_set_new(id, "connector", jstr(name));
            json_object_set_new(id, "task", json_integer((json_int_t)i));
            json_object_set_new(t, "id", id);
            json_object_set_new(t, "config", config_json(&info.config));
            json_array_append_new(arr, t);
        }
        reply_json(ctx, 200, arr);
    }
    sl_props_fini(&info.config);
}

static void h_status(struct ctx *ctx)
{
    struct sl_worker_status st;
    if (get_status(ctx, ctx->seg[1], &st) == SL_OK)
        reply_json(ctx, 200, status_json(ctx->rest, ctx->seg[1], &st));
    sl_worker_status_fini(&st);
}

/* The task id of segment 3; answers 404 like Jersey when it is not a number. */
static bool task_id(struct ctx *ctx, int *id)
{
    int64_t v;
    if (sl_parse_i64(ctx->seg[3], &v) != SL_OK || v < 0 || v > 1000000) {
        reply_error(ctx, 404, "HTTP 404 Not Found");
        return false;
    }
    *id = (int)v;
    return true;
}

static void h_task_status(struct ctx *ctx)
{
    const char *name = ctx->seg[1];
    int id;
    if (!task_id(ctx, &id))
        return;
    struct sl_worker_status st;
    if (get_status(ctx, name, &st) == SL_OK) {
        size_t i = 0;
        while (i < st.ntasks && i < SL_WORKER_MAX_TASKS && st.tasks[i].id != id)
            i++;
        if (i < st.ntasks && i < SL_WORKER_MAX_TASKS)
            reply_json(ctx, 200, task_state_json(ctx->rest, &st.tasks[i]));
        else
            reply_error(ctx, 404, "No status found for task %s-%d", name, id);
    }
    sl_worker_status_fini(&st);
}

typedef sl_err_t (*state_fn)(const char *name, char *errstr, size_t errstr_size, void *opaque);

static void change_state(struct ctx *ctx, state_fn fn, unsigned status)
{
    struct sl_worker_api *api = &ctx->rest->conf.api;
    char errstr[1024] = "";
    char msg[400];
    sl_err_t err = fn ? fn(ctx->seg[1], errstr, sizeof(errstr), api->opaque) : SL_ERR_UNSUPPORTED;
    snprintf(msg, sizeof(msg), "Connector %s not found", ctx->seg[1]);
    if (err)
        reply_worker_err(ctx, err, errstr, msg);
    else
        reply_empty(ctx, status);
}

static void h_pause(struct ctx *ctx)
{
    change_state(ctx, ctx->rest->conf.api.pause, 202);
}

static void h_resume(struct ctx *ctx)
{
    change_state(ctx, ctx->rest->conf.api.resume, 202);
}

static void h_stop(struct ctx *ctx)
{
    change_state(ctx, ctx->rest->conf.api.stop, 202);
}

static void h_delete(struct ctx *ctx)
{
    change_state(ctx, ctx->rest->conf.api.remove, 204);
}

static void do_restart(struct ctx *ctx, const struct sl_worker_restart *req)
{
    struct sl_worker_api *api = &ctx->rest->conf.api;
    const char *name = ctx->seg[1];
    char errstr[1024] = "";
    char msg[400];
    sl_err_t err = api->restart ? api->restart(name, req, errstr, sizeof(errstr), api->opaque)
                                : SL_ERR_UNSUPPORTED;
    if (req->task >= 0)
        snprintf(msg, sizeof(msg), "Task %s-%d not found", name, req->task);
    else
        snprintf(msg, sizeof(msg), "Connector %s not found", name);
    if (err) {
        reply_worker_err(ctx, err, errstr, msg);
        return;
    }
    if (req->task >= 0 || (!req->include_tasks && !req->only_failed)) {
        reply_empty(ctx, 204);
        return;
    }
    struct sl_worker_status st;
    if (get_status(ctx, name, &st) == SL_OK)
        reply_json(ctx, 202, status_json(ctx->rest, name, &st));
    sl_worker_status_fini(&st);
}

static void h_restart(struct ctx *ctx)
{
    struct sl_worker_restart req = {.task = -1,
                                    .include_tasks = query_true(ctx, "includeTasks"),
                                    .only_failed = query_true(ctx, "onlyFailed")};
    do_restart(ctx, &req);
}

static void h_task_restart(struct ctx *ctx)
{
    struct sl_worker_restart req = {.task = -1};
    if (task_id(ctx, &req.task))
        do_restart(ctx, &req);
}

static void h_plugins(struct ctx *ctx)
{
    const struct sl_worker_plugin *plugins;
    size_t n;
    plugin_list(ctx->rest, &plugins, &n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "class", jstr(plugins[i].class_name));
        json_object_set_new(o, "type", json_string(sl_worker_type_name(plugins[i].type)));
        json_object_set_new(o, "version", jstr(plugins[i].version));
        json_array_append_new(arr, o);
    }
    reply_json(ctx, 200, arr);
}

/* The errors of lines that start with "key: ". */
static json_t *errors_for(const char *errors, const char *key)
{
    json_t *arr = json_array();
    size_t klen = strlen(key);
    for (const char *p = errors; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > klen + 1 && strncmp(p, key, klen) == 0 && p[klen] == ':') {
            char *line = sl_xstrndup(p, len);
            json_array_append_new(arr, jstr(line));
            sl_free(line);
        }
        p += len;
        if (*p)
            p++;
    }
    return arr;
}

static void h_validate(struct ctx *ctx)
{
    json_t *body = parse_body(ctx);
    if (!body)
        return;
    struct sl_props props;
    struct sl_buf errors;
    sl_props_init(&props);
    sl_buf_init(&errors, (size_t)64 << 10);
    if (!config_from_json(ctx, body, &props))
        goto out;
    const char *plugin = ctx->seg[1];
    const char *cls = sl_props_get(&props, "connector.class");
    if (!cls) {
        sl_props_set(&props, "connector.class", plugin, 0);
        cls = plugin;
    }
    if (sl_conf_table_for_class(cls) != sl_conf_table_for_class(plugin)) {
        reply_error(ctx, 400, "Included connector type %s does not match request type %s", cls,
                    plugin);
        goto out;
    }
    int n = validate_config(ctx, &props, &errors);
    if (n < 0)
        goto out;
    const char *cls_name = cls;
    const char *all = sl_buf_cstr(&errors);
    json_t *configs = json_array();
    const struct sl_conf_table *table = sl_conf_table_for_class(cls);
    size_t attributed = 0;
    for (size_t i = 0; i < props.n; i++) {
        const struct sl_prop *p = &props.items[i];
        json_t *value = json_object();
        json_t *errs = errors_for(all, p->key);
        attributed += json_array_size(errs);
        json_object_set_new(value, "name", jstr(p->key));
        json_object_set_new(value, "value",
                            jstr(key_is_secret(table, p->key) ? SL_CONF_HIDDEN_TEXT : p->value));
        json_object_set_new(value, "recommended_values", json_array());
        json_object_set_new(value, "errors", errs);
        json_object_set_new(value, "visible", json_true());
        json_t *def = json_object();
        json_object_set_new(def, "name", jstr(p->key));
        json_t *entry = json_object();
        json_object_set_new(entry, "definition", def);
        json_object_set_new(entry, "value", value);
        json_array_append_new(configs, entry);
    }
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(cls_name));
    json_object_set_new(o, "error_count", json_integer(n));
    json_object_set_new(o, "groups", json_array());
    json_object_set_new(o, "configs", configs);
    /* Errors about keys not in the body (missing required keys) are listed apart. */
    if ((size_t)n > attributed) {
        json_t *other = json_array();
        for (const char *p = all; *p;) {
            size_t len = strcspn(p, "\n");
            char *line = sl_xstrndup(p, len);
            const char *colon = strstr(line, ": ");
            bool mine = false;
            if (colon) {
                char *key = sl_xstrndup(line, (size_t)(colon - line));
                mine = sl_props_get(&props, key) != NULL;
                sl_free(key);
            }
            if (!mine)
                json_array_append_new(other, jstr(line));
            sl_free(line);
            p += len;
            if (*p)
                p++;
        }
        json_object_set_new(o, "errors", other);
    }
    reply_json(ctx, 200, o);
out:
    sl_buf_fini(&errors);
    sl_props_fini(&props);
    json_decref(body);
}

static void h_metrics(struct ctx *ctx)
{
    struct sl_metrics *m = ctx->rest->conf.metrics;
    if (!m) {
        reply_error(ctx, 404, "HTTP 404 Not Found");
        return;
    }
    sl_err_t err = sl_metrics_render(m, &ctx->text);
    if (err) {
        reply_error(ctx, 500, "metrics: %s", sl_err_str(err));
        return;
    }
    ctx->status = 200;
    ctx->ctype = "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- Routing ---- */

struct route {
    const char *method;
    const char *pattern; /* segments; "*" matches any one segment */
    void (*fn)(struct ctx *ctx);
};

static const struct route routes[] = {
    {"GET", "", h_root},
    {"GET", "connectors", h_list},
    {"POST", "connectors", h_create},
    {"GET", "connectors/*", h_info},
    {"DELETE", "connectors/*", h_delete},
    {"GET", "connectors/*/config", h_get_config},
    {"PUT", "connectors/*/config", h_put_config},
    {"GET", "connectors/*/status", h_status},
    {"GET", "connectors/*/tasks", h_tasks},
    {"GET", "connectors/*/tasks/*/status", h_task_status},
    {"POST", "connectors/*/tasks/*/restart", h_task_restart},
    {"PUT", "connectors/*/pause", h_pause},
    {"PUT", "connectors/*/resume", h_resume},
    {"PUT", "connectors/*/stop", h_stop},
    {"POST", "connectors/*/restart", h_restart},
    {"GET", "connector-plugins", h_plugins},
    {"PUT", "connector-plugins/*/config/validate", h_validate},
    {"GET", "metrics", h_metrics},
};

static bool pattern_matches(const char *pattern, const struct ctx *ctx)
{
    size_t i = 0;
    const char *p = pattern;
    while (*p) {
        size_t len = strcspn(p, "/");
        if (i >= ctx->nseg)
            return false;
        if (!(len == 1 && *p == '*') &&
            (strlen(ctx->seg[i]) != len || strncmp(ctx->seg[i], p, len) != 0))
            return false;
        i++;
        p += len;
        if (*p == '/')
            p++;
    }
    return i == ctx->nseg;
}

static void dispatch(struct ctx *ctx, const char *url)
{
    size_t len = strlen(url);
    if (len >= sizeof(ctx->path)) {
        reply_error(ctx, 404, "HTTP 404 Not Found");
        return;
    }
    memcpy(ctx->path, url, len + 1);
    for (char *p = ctx->path; *p;) {
        while (*p == '/')
            *p++ = '\0';
        if (!*p)
            break;
        if (ctx->nseg == MAX_SEGS) {
            reply_error(ctx, 404, "HTTP 404 Not Found");
            return;
        }
        ctx->seg[ctx->nseg++] = p;
        p += strcspn(p, "/");
    }
    bool path_known = false;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!pattern_matches(routes[i].pattern, ctx))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, ctx->method) == 0) {
            routes[i].fn(ctx);
            return;
        }
    }
    if (path_known)
        reply_error(ctx, 405, "HTTP 405 Method Not Allowed");
    else
        reply_error(ctx, 404, "HTTP 404 Not Found");
}

/* ---- libmicrohttpd glue ---- */

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct ctx *ctx)
{
    char *data = NULL;
    size_t len = 0;
    const char *ctype = NULL;
    if (ctx->ctype) {
        data = ctx->text.data;
        len = ctx->text.len;
        ctype = ctx->ctype;
    } else if (ctx->out) {
        len = json_dumpb(ctx->out, NULL, 0, JSON_COMPACT);
        data = sl_xmalloc(len + 1);
        len = json_dumpb(ctx->out, data, len, JSON_COMPACT);
        ctype = "application/json";
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, data ? data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!ctx->ctype)
        sl_free(data);
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (ctx->location[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, ctx->location);
    enum MHD_Result ret = MHD_queue_response(conn, ctx->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void ctx_init(struct ctx *ctx, struct sl_rest *rest, struct MHD_Connection *conn,
                     const char *method)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->rest = rest;
    ctx->conn = conn;
    ctx->method = method;
    sl_buf_init(&ctx->text, (size_t)16 << 20);
}

static void ctx_fini(struct ctx *ctx)
{
    json_decref(ctx->out);
    sl_buf_fini(&ctx->text);
}

static enum MHD_Result reject_too_big(struct sl_rest *rest, struct MHD_Connection *conn,
                                      const char *method)
{
    struct ctx ctx;
    ctx_init(&ctx, rest, conn, method);
    reply_error(&ctx, 400, "Request body is larger than %zu bytes", rest->max_body);
    enum MHD_Result ret = send_reply(conn, &ctx);
    ctx_fini(&ctx);
    return ret;
}

/* Thread: REST server (libmicrohttpd polling thread). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct sl_rest *rest = cls;
    struct req *rq = *con_cls;
    (void)version;
    if (!rq) {
        rq = sl_xcalloc(1, sizeof(*rq));
        sl_buf_init(&rq->body, rest->max_body);
        *con_cls = rq;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        uint64_t n;
        if (cl && sl_parse_u64(cl, &n) == SL_OK && n > rest->max_body) {
            /* Answer before reading: no 100 Continue is sent and the body is not read. */
            rq->too_big = true;
            return reject_too_big(rest, conn, method);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rq->too_big && sl_buf_add(&rq->body, upload_data, *upload_data_size) != SL_OK)
            rq->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->too_big)
        return reject_too_big(rest, conn, method);
    struct ctx ctx;
    ctx_init(&ctx, rest, conn, method);
    ctx.body = sl_buf_cstr(&rq->body);
    ctx.body_len = rq->body.len;
    dispatch(&ctx, url);
    sl_log(SL_LOG_DEBUG, "HTTP", "%s %s -> %u", method, url, ctx.status);
    enum MHD_Result ret = send_reply(conn, &ctx);
    ctx_fini(&ctx);
    return ret;
}

/* Thread: REST server. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *rq = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!rq)
        return;
    sl_buf_fini(&rq->body);
    sl_free(rq);
    *con_cls = NULL;
}

/* ---- Lifecycle ---- */

static int bind_listener(const char *host, int port, int *family, int *bound, char *errstr,
                         size_t errstr_size)
{
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "REST listener %s:%d: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        snprintf(errstr, errstr_size, "REST listener %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    *family = res->ai_family;
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    *bound = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            *bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            *bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

static void make_worker_id(struct sl_rest *rest, const char *host)
{
    const struct sl_rest_conf *c = &rest->conf;
    const struct sl_worker_conf *w = c->worker;
    if (c->worker_id) {
        snprintf(rest->worker_id, sizeof(rest->worker_id), "%s", c->worker_id);
        return;
    }
    char hostname[256];
    const char *h = host;
    if (w && w->rest_advertised_host_name && *w->rest_advertised_host_name) {
        h = w->rest_advertised_host_name;
    } else if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0) {
        if (gethostname(hostname, sizeof(hostname)) == 0) {
            hostname[sizeof(hostname) - 1] = '\0';
            h = hostname;
        }
    }
    int port = w && w->rest_advertised_port ? (int)w->rest_advertised_port : rest->port;
    snprintf(rest->worker_id, sizeof(rest->worker_id), "%s:%d", h, port);
}

sl_err_t sl_rest_start(const struct sl_rest_conf *conf, struct sl_rest **out, char *errstr,
                       size_t errstr_size)
{
    char host[256];
    int port;
    bool enabled = true;
    *out = NULL;
    if (conf->host) {
        snprintf(host, sizeof(host), "%s", conf->host);
        port = conf->port;
    } else {
        sl_err_t err = sl_rest_listen_addr(conf->worker, host, sizeof(host), &port, &enabled,
                                           errstr, errstr_size);
        if (err)
            return err;
        if (!enabled) {
            snprintf(errstr, errstr_size, "listeners is empty: the REST API is disabled");
            return SL_ERR_CONF;
        }
    }
    int family = AF_INET, bound = port;
    int fd = bind_listener(host, port, &family, &bound, errstr, errstr_size);
    if (fd < 0)
        return SL_ERR_IO;
    struct sl_rest *rest = sl_xcalloc(1, sizeof(*rest));
    rest->conf = *conf;
    rest->port = bound;
    rest->max_body = conf->max_body ? conf->max_body : SL_REST_MAX_BODY_DEFAULT;
    make_worker_id(rest, host);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    rest->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, rest, MHD_OPTION_LISTEN_SOCKET,
                                 fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, rest,
                                 MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT,
                                 30u, MHD_OPTION_END);
    if (!rest->mhd) {
        snprintf(errstr, errstr_size, "REST listener %s:%d: libmicrohttpd failed to start", host,
                 bound);
        close(fd);
        sl_free(rest);
        return SL_ERR_IO;
    }
    sl_log(SL_LOG_INFO, "HTTP", "REST API listening on http://%s%s%s:%d",
           family == AF_INET6 ? "[" : "", host, family == AF_INET6 ? "]" : "", bound);
    *out = rest;
    return SL_OK;
}

int sl_rest_port(const struct sl_rest *rest)
{
    return rest->port;
}

void sl_rest_free(struct sl_rest *rest)
{
    if (!rest)
        return;
    if (rest->mhd)
        MHD_stop_daemon(rest->mhd);
    sl_free(rest);
}
