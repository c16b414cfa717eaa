/* SPDX-License-Identifier: Apache-2.0 */
/* Java Kafka client settings to librdkafka properties, driven by one table of rules: pass a name
 * through, rename it, translate it with a function, note that it has no effect, or reject it
 * with the reason and what to do instead. Secrets are masked in every message. */
#include "bus/kconf.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <librdkafka/rdkafka.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"

#define P SL_KCONF_PRODUCER
#define C SL_KCONF_CONSUMER
#define A SL_KCONF_ADMIN
#define ALL (P | C | A)

typedef enum {
    ACT_PASS,   /* same name in librdkafka */
    ACT_RENAME, /* different name, same meaning and unit */
    ACT_FN,     /* translated by a function */
    ACT_NOTE,   /* accepted, has no effect here; the reason is recorded as a note */
    ACT_REJECT, /* refused: the reason says what to do */
} act_t;

struct rule;
typedef sl_err_t (*rule_fn)(struct sl_kconf *kc, const struct rule *r, const char *from,
                            const char *value, char *errstr, size_t errstr_size);

struct rule {
    const char *key;
    unsigned roles;
    act_t act;
    const char *target; /* ACT_RENAME: librdkafka name */
    rule_fn fn;
    const char *why; /* ACT_NOTE / ACT_REJECT */
    bool secret;
};

/* ---- Helpers ---- */

static bool is_secret_key(const char *key)
{
    return strstr(key, "password") || strstr(key, "jaas") || strstr(key, "secret") ||
           strstr(key, "ssl.keystore.key") || strstr(key, "ssl.key.pem");
}

void sl_kconf_set(struct sl_kconf *kc, const char *name, const char *value, const char *from)
{
    assert(kc->prop_cnt < SL_KCONF_MAX_PROPS);
    struct sl_kconf_prop *prop = &kc->props[kc->prop_cnt++];
    prop->name = sl_xstrdup(name);
    prop->value = sl_xstrdup(value);
    prop->from = sl_xstrdup(from ? from : name);
    prop->secret = is_secret_key(name) || is_secret_key(prop->from);
}

static sl_err_t set_checked(struct sl_kconf *kc, const char *name, const char *value,
                            const char *from, char *errstr, size_t errstr_size)
{
    if (kc->prop_cnt >= SL_KCONF_MAX_PROPS) {
        snprintf(errstr, errstr_size, "%s: too many Kafka client settings (max %d)", from,
                 SL_KCONF_MAX_PROPS);
        return SL_ERR_CONF;
    }
    sl_kconf_set(kc, name, value, from);
    return SL_OK;
}

static void add_note(struct sl_kconf *kc, const char *from, const char *why)
{
    if (kc->note_cnt >= SL_KCONF_MAX_NOTES)
        return;
    char line[512];
    snprintf(line, sizeof(line), "%s: %s", from, why);
    kc->notes[kc->note_cnt++] = sl_xstrdup(line);
}

const char *sl_kconf_get(const struct sl_kconf *kc, const char *name)
{
    for (size_t i = kc->prop_cnt; i > 0; i--) {
        if (strcmp(kc->props[i - 1].name, name) == 0)
            return kc->props[i - 1].value;
    }
    return NULL;
}

static const char *role_name(sl_kconf_role_t role)
{
    return role == P ? "producer" : role == C ? "consumer" : "admin";
}

void sl_kconf_init(struct sl_kconf *kc, sl_kconf_role_t role)
{
    memset(kc, 0, sizeof(*kc));
    kc->role = role;
    kc->max_poll_records = 500;
    if (role == P) {
        /* No loss, order per key, and keys in the partitions the Java client would pick. */
        sl_kconf_set(kc, "enable.idempotence", "true", "(sluice default)");
        sl_kconf_set(kc, "acks", "all", "(sluice default)");
        sl_kconf_set(kc, "partitioner", "murmur2_random", "(sluice default)");
        /* Kafka Connect sets delivery.timeout.ms to Integer.MAX_VALUE: retry forever. */
        sl_kconf_set(kc, "message.timeout.ms", "0", "(sluice default)");
    } else if (role == C) {
        sl_kconf_set(kc, "enable.auto.commit", "false", "(sluice default)");
        sl_kconf_set(kc, "enable.auto.offset.store", "false", "(sluice default)");
        sl_kconf_set(kc, "auto.offset.reset", "earliest", "(sluice default)");
        sl_kconf_set(kc, "enable.partition.eof", "false", "(sluice default)");
    }
}

void sl_kconf_fini(struct sl_kconf *kc)
{
    for (size_t i = 0; i < kc->prop_cnt; i++) {
        sl_free(kc->props[i].name);
        sl_free(kc->props[i].value);
        sl_free(kc->props[i].from);
    }
    for (size_t i = 0; i < kc->note_cnt; i++)
        sl_free(kc->notes[i]);
    sl_free(kc->iam_profile);
    sl_free(kc->iam_role_arn);
    sl_free(kc->iam_role_session);
    sl_free(kc->iam_sts_region);
    memset(kc, 0, sizeof(*kc));
}

/* ---- Translations ---- */

/* Java "" means no hostname verification; librdkafka says "none". */
static sl_err_t fn_endpoint(struct sl_kconf *kc, const struct rule *r, const char *from,
                            const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    const char *v = value[0] == '\0' ? "none" : value;
    if (strcasecmp(v, "none") != 0 && strcasecmp(v, "https") != 0) {
        snprintf(errstr, errstr_size, "%s: unknown value \"%s\" (use https or empty)", from, value);
        return SL_ERR_CONF;
    }
    return set_checked(kc, "ssl.endpoint.identification.algorithm", v, from, errstr, errstr_size);
}

static sl_err_t fn_offset_reset(struct sl_kconf *kc, const struct rule *r, const char *from,
                                const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    const char *v = strcmp(value, "none") == 0 ? "error" : value;
    return set_checked(kc, "auto.offset.reset", v, from, errstr, errstr_size);
}

static sl_err_t fn_buffer_memory(struct sl_kconf *kc, const struct rule *r, const char *from,
                                 const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    int64_t bytes;
    if (sl_parse_i64(value, &bytes) || bytes < 1024) {
        snprintf(errstr, errstr_size, "%s: expected a byte count >= 1024, got \"%s\"", from, value);
        return SL_ERR_CONF;
    }
    char kb[32];
    snprintf(kb, sizeof(kb), "%lld", (long long)(bytes / 1024));
    return set_checked(kc, "queue.buffering.max.kbytes", kb, from, errstr, errstr_size);
}

/* Java -1 = OS default; librdkafka 0 = OS default. */
static sl_err_t fn_sockbuf(struct sl_kconf *kc, const struct rule *r, const char *from,
                           const char *value, char *errstr, size_t errstr_size)
{
    const char *v = strcmp(value, "-1") == 0 ? "0" : value;
    return set_checked(kc, r->target, v, from, errstr, errstr_size);
}

static sl_err_t fn_acks(struct sl_kconf *kc, const struct rule *r, const char *from,
                        const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    if (strcmp(value, "all") != 0 && strcmp(value, "-1") != 0) {
        snprintf(errstr, errstr_size,
                 "%s: \"%s\" can lose acknowledged changes; Sluice requires acks=all "
                 "(the idempotent producer needs it)",
                 from, value);
        return SL_ERR_CONF;
    }
    return set_checked(kc, "acks", "all", from, errstr, errstr_size);
}

static sl_err_t fn_must_true(struct sl_kconf *kc, const struct rule *r, const char *from,
                             const char *value, char *errstr, size_t errstr_size)
{
    bool b;
    if (sl_parse_bool(value, &b)) {
        snprintf(errstr, errstr_size, "%s: expected true or false, got \"%s\"", from, value);
        return SL_ERR_CONF;
    }
    if (!b) {
        snprintf(errstr, errstr_size, "%s: %s", from, r->why);
        return SL_ERR_CONF;
    }
    return set_checked(kc, r->key, "true", from, errstr, errstr_size);
}

static sl_err_t fn_must_false(struct sl_kconf *kc, const struct rule *r, const char *from,
                              const char *value, char *errstr, size_t errstr_size)
{
    bool b;
    if (sl_parse_bool(value, &b)) {
        snprintf(errstr, errstr_size, "%s: expected true or false, got \"%s\"", from, value);
        return SL_ERR_CONF;
    }
    if (b) {
        snprintf(errstr, errstr_size, "%s: %s", from, r->why);
        return SL_ERR_CONF;
    }
    (void)kc;
    return SL_OK;
}

static sl_err_t fn_max_poll(struct sl_kconf *kc, const struct rule *r, const char *from,
                            const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    int64_t n;
    if (sl_parse_i64(value, &n) || n < 1 || n > 1000000) {
        snprintf(errstr, errstr_size, "%s: expected 1..1000000, got \"%s\"", from, value);
        return SL_ERR_CONF;
    }
    kc->max_poll_records = n;
    return SL_OK;
}

static sl_err_t fn_mechanism(struct sl_kconf *kc, const struct rule *r, const char *from,
                             const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    if (strcmp(value, "AWS_MSK_IAM") == 0) {
        /* librdkafka has no AWS_MSK_IAM; MSK accepts an AWS-signed OAUTHBEARER token. */
        kc->msk_iam = true;
        return set_checked(kc, "sasl.mechanisms", "OAUTHBEARER", from, errstr, errstr_size);
    }
    return set_checked(kc, "sasl.mechanisms", value, from, errstr, errstr_size);
}

static sl_err_t fn_assignor(struct sl_kconf *kc, const struct rule *r, const char *from,
                            const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    static const struct {
        const char *java, *rd;
    } map[] = {
        {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
        {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
        {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "cooperative-sticky"},
        {"range", "range"},
        {"roundrobin", "roundrobin"},
        {"cooperative-sticky", "cooperative-sticky"},
    };
    char out[256] = "";
    size_t used = 0;
    const char *p = value;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        const char *rd = NULL;
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
            if (strlen(map[i].java) == len && strncmp(map[i].java, p, len) == 0)
                rd = map[i].rd;
        }
        if (!rd) {
            snprintf(errstr, errstr_size,
                     "%s: assignor \"%.*s\" has no librdkafka equivalent (use RangeAssignor, "
                     "RoundRobinAssignor or CooperativeStickyAssignor)",
                     from, (int)len, p);
            return SL_ERR_CONF;
        }
        int w = snprintf(out + used, sizeof(out) - used, "%s%s", used ? "," : "", rd);
        if (w < 0 || (size_t)w >= sizeof(out) - used) {
            snprintf(errstr, errstr_size, "%s: too many assignors", from);
            return SL_ERR_CONF;
        }
        used += (size_t)w;
        p = comma ? comma + 1 : p + len;
    }
    return set_checked(kc, "partition.assignment.strategy", out, from, errstr, errstr_size);
}

/* Store types: librdkafka reads PEM files and PKCS#12 keystores, never JKS. The type rules only
 * check; the location rules look the type up in the same input (see store_type()). */
static sl_err_t fn_store_type(struct sl_kconf *kc, const struct rule *r, const char *from,
                              const char *value, char *errstr, size_t errstr_size)
{
    (void)kc;
    bool trust = strstr(r->key, "truststore") != NULL;
    if (strcasecmp(value, "PEM") == 0 || (!trust && strcasecmp(value, "PKCS12") == 0))
        return SL_OK;
    if (strcasecmp(value, "JKS") == 0) {
        snprintf(errstr, errstr_size,
                 "%s: librdkafka cannot read JKS; convert to PEM (keytool -exportcert -rfc / "
                 "openssl) and set %s",
                 from,
                 trust ? "ssl.truststore.type=PEM or ssl.ca.location"
                       : "ssl.keystore.type=PKCS12 or PEM");
        return SL_ERR_CONF;
    }
    snprintf(errstr, errstr_size, "%s: store type \"%s\" is not supported by librdkafka (%s)", from,
             value, trust ? "use PEM" : "use PKCS12 or PEM");
    return SL_ERR_CONF;
}

/* ---- JAAS ---- */

struct jaas {
    char module[160];
    char opt_key[8][48];
    char *opt_val[8];
    size_t opt_cnt;
};

static void jaas_fini(struct jaas *j)
{
    for (size_t i = 0; i < j->opt_cnt; i++)
        sl_free(j->opt_val[i]);
}

static const char *jaas_opt(const struct jaas *j, const char *key)
{
    for (size_t i = 0; i < j->opt_cnt; i++) {
        if (strcmp(j->opt_key[i], key) == 0)
            return j->opt_val[i];
    }
    return NULL;
}

/* Parses `Module flag key="value" key2=value2;` (one login module, as Kafka allows). Error
 * messages describe positions, never values. */
static sl_err_t jaas_parse(const char *s, struct jaas *j, const char *from, char *errstr,
                           size_t errstr_size)
{
    memset(j, 0, sizeof(*j));
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    size_t n = strcspn(p, " \t\r\n;");
    if (n == 0 || n >= sizeof(j->module)) {
        snprintf(errstr, errstr_size, "%s: expected a login module class name", from);
        return SL_ERR_CONF;
    }
    memcpy(j->module, p, n);
    p += n;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    static const char *const flags[] = {"required", "requisite", "sufficient", "optional"};
    bool flag_ok = false;
    for (size_t i = 0; i < 4; i++) {
        size_t fl = strlen(flags[i]);
        if (strncmp(p, flags[i], fl) == 0 && strchr(" \t\r\n;", p[fl])) {
            p += fl;
            flag_ok = true;
        }
    }
    if (!flag_ok) {
        snprintf(errstr, errstr_size,
                 "%s: expected a control flag (required, requisite, sufficient, optional) "
                 "after the login module name",
                 from);
        return SL_ERR_CONF;
    }
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == ';')
            break;
        if (*p == '\0') {
            snprintf(errstr, errstr_size, "%s: missing ';' at the end of the JAAS entry", from);
            return SL_ERR_CONF;
        }
        size_t kl = strcspn(p, "= \t\r\n;");
        if (kl == 0 || kl >= sizeof(j->opt_key[0]) || p[kl] != '=' ||
            j->opt_cnt >= sizeof(j->opt_val) / sizeof(j->opt_val[0])) {
            snprintf(errstr, errstr_size,
                     "%s: malformed option %zu of the JAAS entry (expected "
                     "key=\"value\")",
                     from, j->opt_cnt + 1);
            return SL_ERR_CONF;
        }
        memcpy(j->opt_key[j->opt_cnt], p, kl);
        j->opt_key[j->opt_cnt][kl] = '\0';
        p += kl + 1;
        struct sl_buf val;
        sl_buf_init(&val, 4096);
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                if (sl_buf_addch(&val, *p)) {
                    sl_buf_fini(&val);
                    snprintf(errstr, errstr_size, "%s: JAAS option '%s' is too long", from,
                             j->opt_key[j->opt_cnt]);
                    return SL_ERR_CONF;
                }
                p++;
            }
            if (*p != '"') {
                sl_buf_fini(&val);
                snprintf(errstr, errstr_size, "%s: unterminated quote in JAAS option '%s'", from,
                         j->opt_key[j->opt_cnt]);
                return SL_ERR_CONF;
            }
            p++;
        } else {
            size_t vl = strcspn(p, " \t\r\n;");
            if (sl_buf_add(&val, p, vl)) {
                sl_buf_fini(&val);
                snprintf(errstr, errstr_size, "%s: JAAS option '%s' is too long", from,
                         j->opt_key[j->opt_cnt]);
                return SL_ERR_CONF;
            }
            p += vl;
        }
        j->opt_val[j->opt_cnt++] = sl_buf_take(&val, NULL);
    }
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p) {
        snprintf(errstr, errstr_size,
                 "%s: only one login module is supported; text follows the first ';'", from);
        return SL_ERR_CONF;
    }
    return SL_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static sl_err_t fn_jaas(struct sl_kconf *kc, const struct rule *r, const char *from,
                        const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    struct jaas j;
    sl_err_t err = jaas_parse(value, &j, from, errstr, errstr_size);
    if (err)
        goto out;
    if (ends_with(j.module, ".PlainLoginModule") || ends_with(j.module, ".ScramLoginModule")) {
        const char *user = jaas_opt(&j, "username");
        const char *pass = jaas_opt(&j, "password");
        if (!user || !pass) {
            snprintf(errstr, errstr_size, "%s: %s needs username=\"...\" and password=\"...\"",
                     from, j.module);
            err = SL_ERR_CONF;
            goto out;
        }
        err = set_checked(kc, "sasl.username", user, from, errstr, errstr_size);
        if (!err)
            err = set_checked(kc, "sasl.password", pass, from, errstr, errstr_size);
    } else if (ends_with(j.module, ".IAMLoginModule")) {
        kc->msk_iam = true;
        const char *v;
        v = jaas_opt(&j, "awsProfileName");
        if (v)
            kc->iam_profile = sl_xstrdup(v);
        v = jaas_opt(&j, "awsRoleArn");
        if (v)
            kc->iam_role_arn = sl_xstrdup(v);
        v = jaas_opt(&j, "awsRoleSessionName");
        if (v)
            kc->iam_role_session = sl_xstrdup(v);
        v = jaas_opt(&j, "awsStsRegion");
        if (v)
            kc->iam_sts_region = sl_xstrdup(v);
    } else {
        snprintf(errstr, errstr_size,
                 "%s: login module %s is not supported (PlainLoginModule, ScramLoginModule "
                 "and IAMLoginModule are)",
                 from, j.module);
        err = SL_ERR_CONF;
    }
out:
    jaas_fini(&j);
    return err;
}

static sl_err_t fn_callback_handler(struct sl_kconf *kc, const struct rule *r, const char *from,
                                    const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    (void)kc;
    if (strcmp(value, "software.amazon.msk.auth.iam.IAMClientCallbackHandler") == 0)
        return SL_OK; /* implied by AWS_MSK_IAM; Sluice signs the token itself */
    snprintf(errstr, errstr_size,
             "%s: Java callback class \"%s\" cannot run in Sluice (only "
             "the MSK IAMClientCallbackHandler is understood)",
             from, value);
    return SL_ERR_CONF;
}

static sl_err_t fn_serde(struct sl_kconf *kc, const struct rule *r, const char *from,
                         const char *value, char *errstr, size_t errstr_size)
{
    (void)r;
    if (ends_with(value, ".ByteArraySerializer") || ends_with(value, ".ByteArrayDeserializer")) {
        add_note(kc, from, "Sluice always moves raw bytes (converters do the formatting)");
        return SL_OK;
    }
    snprintf(errstr, errstr_size,
             "%s: \"%s\" is not supported; Kafka Connect clients use "
             "ByteArray (de)serializers and converters do the formatting",
             from, value);
    return SL_ERR_CONF;
}

/* ---- The table ---- */

static const struct rule rules[] = {
    /* Same name in librdkafka. */
    {"bootstrap.servers", ALL, ACT_PASS},
    {"client.id", ALL, ACT_PASS},
    {"client.rack", C, ACT_PASS},
    {"security.protocol", ALL, ACT_PASS},
    {"sasl.kerberos.service.name", ALL, ACT_PASS},
    {"ssl.keystore.location", ALL, ACT_PASS},
    {"ssl.keystore.password", ALL, ACT_PASS, .secret = true},
    {"ssl.key.password", ALL, ACT_PASS, .secret = true},
    {"linger.ms", P, ACT_PASS},
    {"batch.size", P, ACT_PASS},
    {"compression.type", P, ACT_PASS},
    {"request.timeout.ms", P, ACT_PASS},
    {"delivery.timeout.ms", P, ACT_PASS},
    {"retries", P, ACT_PASS},
    {"retry.backoff.ms", ALL, ACT_PASS},
    {"reconnect.backoff.ms", ALL, ACT_PASS},
    {"reconnect.backoff.max.ms", ALL, ACT_PASS},
    {"metadata.max.age.ms", ALL, ACT_PASS},
    {"connections.max.idle.ms", ALL, ACT_PASS},
    {"socket.connection.setup.timeout.ms", ALL, ACT_PASS},
    {"max.in.flight.requests.per.connection", P, ACT_PASS},
    {"group.id", C, ACT_PASS},
    {"group.instance.id", C, ACT_PASS},
    {"session.timeout.ms", C, ACT_PASS},
    {"heartbeat.interval.ms", C, ACT_PASS},
    {"max.poll.interval.ms", C, ACT_PASS},
    {"fetch.max.bytes", C, ACT_PASS},
    {"fetch.min.bytes", C, ACT_PASS},
    {"max.partition.fetch.bytes", C, ACT_PASS},
    {"isolation.level", C, ACT_PASS},
    {"allow.auto.create.topics", C, ACT_PASS},
    {"check.crcs", C, ACT_PASS},
    /* Renamed. */
    {"max.request.size", P, ACT_RENAME, "message.max.bytes"},
    {"fetch.max.wait.ms", C, ACT_RENAME, "fetch.wait.max.ms"},
    {"ssl.truststore.location", ALL, ACT_RENAME, "ssl.ca.location"},
    {"ssl.truststore.certificates", ALL, ACT_RENAME, "ssl.ca.pem"},
    {"ssl.keystore.certificate.chain", ALL, ACT_RENAME, "ssl.certificate.pem"},
    {"ssl.keystore.key", ALL, ACT_RENAME, "ssl.key.pem", .secret = true},
    /* Translated. */
    {"sasl.mechanism", ALL, ACT_FN, .fn = fn_mechanism},
    {"sasl.jaas.config", ALL, ACT_FN, .fn = fn_jaas, .secret = true},
    {"sasl.client.callback.handler.class", ALL, ACT_FN, .fn = fn_callback_handler},
    {"ssl.endpoint.identification.algorithm", ALL, ACT_FN, .fn = fn_endpoint},
    {"ssl.truststore.type", ALL, ACT_FN, .fn = fn_store_type},
    {"ssl.keystore.type", ALL, ACT_FN, .fn = fn_store_type},
    {"auto.offset.reset", C, ACT_FN, .fn = fn_offset_reset},
    {"buffer.memory", P, ACT_FN, .fn = fn_buffer_memory},
    {"send.buffer.bytes", ALL, ACT_FN, "socket.send.buffer.bytes", .fn = fn_sockbuf},
    {"receive.buffer.bytes", ALL, ACT_FN, "socket.receive.buffer.bytes", .fn = fn_sockbuf},
    {"acks", P, ACT_FN, .fn = fn_acks},
    {"enable.idempotence", P, ACT_FN, .fn = fn_must_true,
     .why = "Sluice requires the idempotent producer (no duplicates or reordering on retry)"},
    {"enable.auto.commit", C, ACT_FN, .fn = fn_must_false,
     .why = "Sluice commits offsets itself, only after the sink wrote the records; remove it"},
    {"max.poll.records", C, ACT_FN, .fn = fn_max_poll},
    {"partition.assignment.strategy", C, ACT_FN, .fn = fn_assignor},
    {"key.serializer", P, ACT_FN, .fn = fn_serde},
    {"value.serializer", P, ACT_FN, .fn = fn_serde},
    {"key.deserializer", C, ACT_FN, .fn = fn_serde},
    {"value.deserializer", C, ACT_FN, .fn = fn_serde},
    /* No effect here. */
    {"ssl.truststore.password", ALL, ACT_NOTE, .why = "a PEM truststore has no password",
     .secret = true},
    {"ssl.protocol", ALL, ACT_NOTE,
     .why = "OpenSSL negotiates the highest TLS version both sides support"},
    {"ssl.enabled.protocols", ALL, ACT_NOTE,
     .why = "OpenSSL negotiates the highest TLS version both sides support"},
    {"ssl.keymanager.algorithm", ALL, ACT_NOTE, .why = "a JVM setting"},
    {"ssl.trustmanager.algorithm", ALL, ACT_NOTE, .why = "a JVM setting"},
    {"ssl.secure.random.implementation", ALL, ACT_NOTE, .why = "a JVM setting"},
    {"max.block.ms", P, ACT_NOTE,
     .why = "Sluice never blocks in produce; a full queue is backpressure"},
    {"auto.commit.interval.ms", C, ACT_NOTE, .why = "auto commit is off in Sluice"},
    {"metric.reporters", ALL, ACT_NOTE, .why = "Sluice exposes metrics over its REST API"},
    {"metrics.sample.window.ms", ALL, ACT_NOTE, .why = "JMX metrics do not exist in Sluice"},
    {"metrics.num.samples", ALL, ACT_NOTE, .why = "JMX metrics do not exist in Sluice"},
    {"metrics.recording.level", ALL, ACT_NOTE, .why = "JMX metrics do not exist in Sluice"},
    {"sasl.login.refresh.buffer.seconds", ALL, ACT_NOTE,
     .why = "librdkafka refreshes tokens at 80% of their lifetime"},
    {"ssl.client.auth", ALL, ACT_NOTE,
     .why = "a setting of Kafka Connect's HTTPS REST listener, not of Kafka clients"},
    {"sasl.login.refresh.window.factor", ALL, ACT_NOTE,
     .why = "librdkafka refreshes tokens at 80% of their lifetime"},
    {"sasl.login.refresh.window.jitter", ALL, ACT_NOTE,
     .why = "librdkafka refreshes tokens at 80% of their lifetime"},
    {"sasl.login.refresh.min.period.seconds", ALL, ACT_NOTE,
     .why = "librdkafka refreshes tokens at 80% of their lifetime"},
    /* Refused. */
    {"ssl.cipher.suites", ALL, ACT_REJECT,
     .why = "Java cipher suite names differ from OpenSSL's; set kafka.ssl.cipher.suites in "
            "OpenSSL syntax instead"},
    {"ssl.provider", ALL, ACT_REJECT, .why = "a JVM security provider cannot be loaded"},
    {"security.providers", ALL, ACT_REJECT, .why = "JVM security providers cannot be loaded"},
    {"ssl.engine.factory.class", ALL, ACT_REJECT, .why = "Java classes cannot be loaded"},
    {"sasl.login.callback.handler.class", ALL, ACT_REJECT, .why = "Java classes cannot be loaded"},
    {"sasl.login.class", ALL, ACT_REJECT, .why = "Java classes cannot be loaded"},
    {"interceptor.classes", ALL, ACT_REJECT, .why = "Java classes cannot be loaded"},
    {"partitioner.class", P, ACT_REJECT,
     .why = "Sluice always uses the Java default partitioner (murmur2 of the key)"},
    {"transactional.id", P, ACT_REJECT,
     .why = "transactions (exactly-once source) are not supported; delivery is at-least-once"},
    {NULL},
};

static const struct rule *find_rule(const char *key)
{
    for (const struct rule *r = rules; r->key; r++) {
        if (strcmp(r->key, key) == 0)
            return r;
    }
    return NULL;
}

/* ---- Mapping ---- */

static sl_err_t add_one(struct sl_kconf *kc, const char *key, const char *from, const char *value,
                        char *errstr, size_t errstr_size)
{
    if (strncmp(key, "kafka.", 6) == 0)
        return set_checked(kc, key + 6, value, from, errstr, errstr_size);
    const struct rule *r = find_rule(key);
    if (!r) {
        /* Unknown to the table: librdkafka may still know it (checked when applied). */
        return set_checked(kc, key, value, from, errstr, errstr_size);
    }
    if (!(r->roles & kc->role)) {
        add_note(kc, from,
                 kc->role == P   ? "not a producer setting"
                 : kc->role == C ? "not a consumer setting"
                                 : "not an admin client setting");
        return SL_OK;
    }
    switch (r->act) {
    case ACT_PASS:
        return set_checked(kc, key, value, from, errstr, errstr_size);
    case ACT_RENAME:
        return set_checked(kc, r->target, value, from, errstr, errstr_size);
    case ACT_FN:
        return r->fn(kc, r, from, value, errstr, errstr_size);
    case ACT_NOTE:
        add_note(kc, from, r->why);
        return SL_OK;
    case ACT_REJECT:
        break;
    }
    snprintf(errstr, errstr_size, "%s: not supported: %s", from, r->why);
    return SL_ERR_CONF;
}

/* Cross-key checks once every key is in: store types, MSK IAM consistency. */
static sl_err_t finish(struct sl_kconf *kc, const struct sl_kv *kvs, size_t n, char *errstr,
                       size_t errstr_size)
{
    const char *ttype = NULL, *tloc = NULL, *ktype = NULL, *mech = NULL, *jaas = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *k = kvs[i].key;
        if (ends_with(k, "ssl.truststore.type"))
            ttype = kvs[i].value;
        else if (ends_with(k, "ssl.truststore.location"))
            tloc = k;
        else if (ends_with(k, "ssl.keystore.type"))
            ktype = kvs[i].value;
        else if (ends_with(k, "sasl.mechanism"))
            mech = kvs[i].value;
        else if (ends_with(k, "sasl.jaas.config"))
            jaas = kvs[i].value;
    }
    if (tloc && (!ttype || strcasecmp(ttype, "PEM") != 0)) {
        /* Java's default truststore type is JKS. */
        snprintf(errstr, errstr_size,
                 "%s: librdkafka cannot read JKS; convert to PEM and set ssl.ca.location "
                 "(or ssl.truststore.type=PEM with a PEM file)",
                 tloc);
        return SL_ERR_CONF;
    }
    if (ktype && strcasecmp(ktype, "PEM") == 0 && sl_kconf_get(kc, "ssl.keystore.location")) {
        snprintf(errstr, errstr_size,
                 "ssl.keystore.location: a PEM keystore is given as ssl.keystore.key and "
                 "ssl.keystore.certificate.chain (or kafka.ssl.key.location and "
                 "kafka.ssl.certificate.location)");
        return SL_ERR_CONF;
    }
    if (kc->msk_iam) {
        bool mech_iam = mech && strcmp(mech, "AWS_MSK_IAM") == 0;
        bool jaas_iam = jaas && strstr(jaas, "IAMLoginModule");
        if (!mech_iam || !jaas_iam) {
            snprintf(errstr, errstr_size,
                     "sasl.mechanism: MSK IAM needs both sasl.mechanism=AWS_MSK_IAM and "
                     "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;");
            return SL_ERR_CONF;
        }
        const char *proto = sl_kconf_get(kc, "security.protocol");
        if (proto && strcasecmp(proto, "SASL_SSL") != 0) {
            snprintf(errstr, errstr_size, "security.protocol: MSK IAM needs SASL_SSL, not %s",
                     proto);
            return SL_ERR_CONF;
        }
        if (!proto)
            sl_kconf_set(kc, "security.protocol", "SASL_SSL", "sasl.mechanism");
    }
    return SL_OK;
}

sl_err_t sl_kconf_add(struct sl_kconf *kc, const struct sl_kv *kvs, size_t n, char *errstr,
                      size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        sl_err_t err = add_one(kc, kvs[i].key, kvs[i].key, kvs[i].value, errstr, errstr_size);
        if (err)
            return err;
    }
    return finish(kc, kvs, n, errstr, errstr_size);
}

/* Top-level worker keys that look like client settings but are not in the table are refused
 * rather than dropped, so a typo or an unsupported Java option is seen. */
static bool looks_like_client_key(const char *key)
{
    return strncmp(key, "ssl.", 4) == 0 || strncmp(key, "sasl.", 5) == 0 ||
           strncmp(key, "security.", 9) == 0;
}

sl_err_t sl_kconf_from_worker(struct sl_kconf *kc, const struct sl_kv *kvs, size_t n, char *errstr,
                              size_t errstr_size)
{
    const char *prefix = kc->role == P ? "producer." : kc->role == C ? "consumer." : "admin.";
    size_t plen = strlen(prefix);
    struct sl_kv *seen = sl_xcalloc(n ? n : 1, sizeof(*seen));
    size_t seen_cnt = 0;
    sl_err_t err = SL_OK;
    /* Pass 1: top-level client keys. */
    for (size_t i = 0; i < n && !err; i++) {
        const char *k = kvs[i].key;
        const struct rule *r = find_rule(k);
        if (strcmp(k, "group.id") == 0)
            continue; /* the Connect cluster's group, not a sink's consumer group */
        if (!r && !looks_like_client_key(k))
            continue; /* a worker setting, not ours */
        if (r && !(r->roles & kc->role))
            continue; /* meant for the other client */
        err = add_one(kc, k, k, kvs[i].value, errstr, errstr_size);
        seen[seen_cnt++] = kvs[i];
    }
    /* Pass 2: the role's own prefix, on top. */
    for (size_t i = 0; i < n && !err; i++) {
        const char *k = kvs[i].key;
        if (strncmp(k, prefix, plen) != 0)
            continue;
        err = add_one(kc, k + plen, k, kvs[i].value, errstr, errstr_size);
        seen[seen_cnt] = kvs[i];
        seen[seen_cnt++].key = k + plen;
    }
    if (!err)
        err = finish(kc, seen, seen_cnt, errstr, errstr_size);
    sl_free(seen);
    return err;
}

/* ---- Applying to librdkafka ---- */

/* Copies src to dst replacing every occurrence of secret by "***". */
static void scrub(char *dst, size_t dst_size, const char *src, const char *secret)
{
    size_t sl = strlen(secret), o = 0;
    for (const char *p = src; *p && o + 1 < dst_size;) {
        if (sl > 0 && strncmp(p, secret, sl) == 0) {
            for (const char *m = "***"; *m && o + 1 < dst_size; m++)
                dst[o++] = *m;
            p += sl;
        } else {
            dst[o++] = *p++;
        }
    }
    dst[o] = '\0';
}

static sl_err_t apply(const struct sl_kconf *kc, rd_kafka_conf_t *conf, char *errstr,
                      size_t errstr_size)
{
    for (size_t i = 0; i < kc->prop_cnt; i++) {
        const struct sl_kconf_prop *prop = &kc->props[i];
        char rderr[512];
        if (rd_kafka_conf_set(conf, prop->name, prop->value, rderr, sizeof(rderr)) ==
            RD_KAFKA_CONF_OK)
            continue;
        char clean[512];
        if (prop->secret)
            scrub(clean, sizeof(clean), rderr, prop->value);
        else
            snprintf(clean, sizeof(clean), "%s", rderr);
        if (ends_with(prop->from, prop->name))
            snprintf(errstr, errstr_size, "%s: %s", prop->from, clean);
        else
            snprintf(errstr, errstr_size, "%s (librdkafka %s): %s", prop->from, prop->name, clean);
        return SL_ERR_CONF;
    }
    return SL_OK;
}

sl_err_t sl_kconf_check(const struct sl_kconf *kc, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    sl_err_t err = apply(kc, conf, errstr, errstr_size);
    rd_kafka_conf_destroy(conf);
    return err;
}

/* Thread: librdkafka's SASL background thread (sl_kconf_rd_started) or the polling thread. */
static void on_token_refresh(rd_kafka_t *rk, const char *oauthbearer_config, void *opaque)
{
    (void)oauthbearer_config;
    struct sl_kconf_token *tok = opaque;
    /* Session-token credentials make long tokens; the AWS builder's bound is 16 KiB. */
    char *token = sl_xmalloc(SL_KCONF_TOKEN_MAX);
    char errstr[512] = "";
    int64_t expiry_ms = 0;
    sl_err_t err =
        tok->fn(token, SL_KCONF_TOKEN_MAX, &expiry_ms, errstr, sizeof(errstr), tok->opaque);
    if (err) {
        sl_log(SL_LOG_WARN, "KAFKA", "MSK IAM token: %s (%s)", errstr, sl_err_name(err));
        rd_kafka_oauthbearer_set_token_failure(rk, errstr[0] ? errstr : sl_err_str(err));
        sl_free(token);
        return;
    }
    char rderr[512];
    /* MSK derives the identity from the signature; the principal name is informative. */
    if (rd_kafka_oauthbearer_set_token(rk, token, expiry_ms, "sluice", NULL, 0, rderr,
                                       sizeof(rderr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        sl_log(SL_LOG_WARN, "KAFKA", "MSK IAM token refused by librdkafka: %s", rderr);
        rd_kafka_oauthbearer_set_token_failure(rk, rderr);
    }
    sl_free(token);
}

void *sl_kconf_rd_new(const struct sl_kconf *kc, struct sl_kconf_token *tok, char *errstr,
                      size_t errstr_size)
{
    if (kc->msk_iam && !tok->fn) {
        snprintf(errstr, errstr_size,
                 "sasl.mechanism: AWS_MSK_IAM needs an MSK IAM token provider, none was given");
        return NULL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (apply(kc, conf, errstr, errstr_size)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, tok);
    if (kc->msk_iam) {
        rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, on_token_refresh);
        rd_kafka_conf_enable_sasl_queue(conf, 1);
    }
    return conf;
}

sl_err_t sl_kconf_rd_started(const struct sl_kconf *kc, void *rk, char *errstr, size_t errstr_size)
{
    if (!kc->msk_iam)
        return SL_OK;
    rd_kafka_error_t *error = rd_kafka_sasl_background_callbacks_enable(rk);
    if (!error)
        return SL_OK;
    snprintf(errstr, errstr_size, "%s: cannot start MSK IAM token refresh: %s", role_name(kc->role),
             rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return SL_ERR_CONF;
}

sl_err_t sl_kconf_msk_region(const struct sl_kconf *kc, char *region, size_t region_size)
{
    const char *servers = sl_kconf_get(kc, "bootstrap.servers");
    if (!servers)
        return SL_ERR_NOTFOUND;
    static const char *const marks[] = {".kafka.", ".kafka-serverless."};
    for (size_t i = 0; i < 2; i++) {
        const char *at = strstr(servers, marks[i]);
        if (!at)
            continue;
        at += strlen(marks[i]);
        const char *dot = strchr(at, '.');
        if (!dot || strncmp(dot, ".amazonaws.com", 14) != 0 || dot == at)
            continue;
        size_t n = (size_t)(dot - at);
        if (n >= region_size)
            return SL_ERR_TOOBIG;
        memcpy(region, at, n);
        region[n] = '\0';
        return SL_OK;
    }
    return SL_ERR_NOTFOUND;
}
