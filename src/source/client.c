/* SPDX-License-Identifier: Apache-2.0 */
/* Live replication client over libmariadb. We send COM_REGISTER_SLAVE and COM_BINLOG_DUMP
 * (or COM_BINLOG_DUMP_GTID for MySQL GTID sets) ourselves and read the raw packets, so the
 * event bytes go to our own decoder untouched; libmariadb's mariadb_rpl parser is not used
 * because it rejects events it does not know. Also the query connection (struct sl_server)
 * for positions and column names. libmariadb types stay in this file. */
#include "source/client.h"

#include <mysql.h>
#include <errmsg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/str.h"

#define EV_HEADER 19
#define EV_ROTATE 4
#define EV_XID 16
#define COM_DUMP_GTID 0x1e
#define BINLOG_THROUGH_GTID 0x04

struct sl_client {
    struct sl_client_conf conf; /* strings point into the owned copies below */
    char *host, *user, *password, *ssl_ca, *ssl_cert, *ssl_key, *file, *gtid;
    MYSQL *mysql;
    char where[300]; /* "host:port" for messages */
    sl_flavor_t flavor;
    bool checksum;
    char cur_file[256];
    uint64_t cur_pos; /* end of the last event received */
    bool have_resume;
    char resume_file[256];
    uint64_t resume_pos;
    char start_file[256]; /* SHOW MASTER STATUS at the first start */
    uint64_t start_pos;
    bool started;
};

struct sl_server {
    MYSQL *mysql;
    char where[300];
};

/* ---- Connection ---- */

static void set_where(char *where, size_t size, const struct sl_mysql_conf *db)
{
    snprintf(where, size, "%s:%u", db->host, db->port ? db->port : 3306);
}

static sl_err_t classify(unsigned no)
{
    if (no == 1045 || no == 1044 || no == 1698 || no == 1227)
        return SL_ERR_AUTH;
    if (no >= CR_MIN_ERROR)
        return SL_ERR_IO;
    return SL_ERR_UPSTREAM;
}

static sl_err_t db_connect(const struct sl_mysql_conf *db, const char *where,
                           unsigned read_timeout_s, MYSQL **out, char *errstr, size_t errstr_size)
{
    MYSQL *mysql = mysql_init(NULL);
    if (!mysql) {
        snprintf(errstr, errstr_size, "%s: cannot allocate a connection", where);
        return SL_ERR_IO;
    }
    unsigned ctmo = db->connect_timeout_s ? db->connect_timeout_s : 10;
    mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &ctmo);
    if (read_timeout_s)
        mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout_s);
    mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (db->ssl_mode != SL_SSL_DISABLED) {
        /* In connector-c 3.3, SSL_ENFORCE only asks for TLS (falling back to plain text when
         * the server has none, i.e. "preferred"); only certificate verification makes the
         * fallback an error, so "required" is checked after connecting. */
        mysql_ssl_set(mysql, db->ssl_key, db->ssl_cert, db->ssl_ca, NULL, NULL);
        my_bool on = 1;
        mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
        if (db->ssl_mode >= SL_SSL_VERIFY_CA)
            mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    } else {
        my_bool off = 0;
        mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &off);
    }
    if (!mysql_real_connect(mysql, db->host, db->user, db->password, NULL,
                            db->port ? db->port : 3306, NULL, 0)) {
        unsigned no = mysql_errno(mysql);
        snprintf(errstr, errstr_size, "cannot connect to %s as '%s': %s (error %u)", where,
                 db->user ? db->user : "", mysql_error(mysql), no);
        mysql_close(mysql);
        return classify(no);
    }
    if (db->ssl_mode >= SL_SSL_REQUIRED && !mysql_get_ssl_cipher(mysql)) {
        snprintf(errstr, errstr_size,
                 "cannot connect to %s: TLS is required (ssl mode %s) but the server does not "
                 "offer it",
                 where, db->ssl_mode == SL_SSL_REQUIRED ? "required" : "verify");
        mysql_close(mysql);
        return SL_ERR_IO;
    }
    *out = mysql;
    return SL_OK;
}

static sl_err_t query(MYSQL *mysql, const char *where, const char *sql, char *errstr,
                      size_t errstr_size)
{
    if (mysql_real_query(mysql, sql, (unsigned long)strlen(sql)) == 0)
        return SL_OK;
    unsigned no = mysql_errno(mysql);
    snprintf(errstr, errstr_size, "%s: query \"%.120s\" failed: %s (error %u)", where, sql,
             mysql_error(mysql), no);
    return classify(no);
}

/* Runs sql and returns its result set (NULL on error, errstr filled). */
static MYSQL_RES *query_res(MYSQL *mysql, const char *where, const char *sql, sl_err_t *err,
                            char *errstr, size_t errstr_size)
{
    *err = query(mysql, where, sql, errstr, errstr_size);
    if (*err)
        return NULL;
    MYSQL_RES *res = mysql_store_result(mysql);
    if (!res) {
        snprintf(errstr, errstr_size, "%s: query \"%.120s\" returned no result: %s", where, sql,
                 mysql_error(mysql));
        *err = SL_ERR_UPSTREAM;
    }
    return res;
}

static sl_err_t current_pos(MYSQL *mysql, const char *where, char *file, size_t file_size,
                            uint64_t *pos, char *errstr, size_t errstr_size)
{
    sl_err_t err;
    MYSQL_RES *res = query_res(mysql, where, "SHOW MASTER STATUS", &err, errstr, errstr_size);
    if (!res) {
        /* MySQL 8.4 removed SHOW MASTER STATUS. */
        res = query_res(mysql, where, "SHOW BINARY LOG STATUS", &err, errstr, errstr_size);
        if (!res)
            return err;
    }
    MYSQL_ROW row = mysql_fetch_row(res);
    if (!row || !row[0] || !row[1]) {
        mysql_free_result(res);
        snprintf(errstr, errstr_size,
                 "%s: binary logging is disabled (SHOW MASTER STATUS is empty); "
                 "start the server with log_bin",
                 where);
        return SL_ERR_UNSUPPORTED;
    }
    snprintf(file, file_size, "%s", row[0]);
    err = sl_parse_u64(row[1], pos);
    if (err)
        snprintf(errstr, errstr_size, "%s: bad position '%s' in SHOW MASTER STATUS", where, row[1]);
    mysql_free_result(res);
    return err;
}

/* ---- Client ---- */

static char *dup_opt(const char *s)
{
    return s ? sl_xstrdup(s) : NULL;
}

sl_err_t sl_client_new(const struct sl_client_conf *conf, struct sl_client **out, char *errstr,
                       size_t errstr_size)
{
    if (!conf->db.host || !*conf->db.host) {
        snprintf(errstr, errstr_size, "no host given");
        return SL_ERR_CONF;
    }
    if (!conf->db.user || !*conf->db.user) {
        snprintf(errstr, errstr_size, "no user given for %s", conf->db.host);
        return SL_ERR_CONF;
    }
    if (conf->from == SL_CLIENT_FROM_FILEPOS && (!conf->file || !*conf->file || conf->pos < 4)) {
        snprintf(errstr, errstr_size, "start position needs FILE:POS with POS >= 4");
        return SL_ERR_CONF;
    }
    if (conf->from == SL_CLIENT_FROM_FILEPOS && conf->pos > UINT32_MAX) {
        snprintf(errstr, errstr_size, "start position %llu is beyond 4 GiB; use a GTID set",
                 (unsigned long long)conf->pos);
        return SL_ERR_CONF;
    }
    if (conf->from == SL_CLIENT_FROM_GTID && (!conf->gtid || !*conf->gtid)) {
        snprintf(errstr, errstr_size, "empty GTID set");
        return SL_ERR_CONF;
    }
    struct sl_client *cl = sl_xcalloc(1, sizeof(*cl));
    cl->conf = *conf;
    cl->host = sl_xstrdup(conf->db.host);
    cl->user = sl_xstrdup(conf->db.user);
    cl->password = dup_opt(conf->db.password);
    cl->ssl_ca = dup_opt(conf->db.ssl_ca);
    cl->ssl_cert = dup_opt(conf->db.ssl_cert);
    cl->ssl_key = dup_opt(conf->db.ssl_key);
    cl->file = dup_opt(conf->file);
    cl->gtid = dup_opt(conf->gtid);
    cl->conf.db.host = cl->host;
    cl->conf.db.user = cl->user;
    cl->conf.db.password = cl->password;
    cl->conf.db.ssl_ca = cl->ssl_ca;
    cl->conf.db.ssl_cert = cl->ssl_cert;
    cl->conf.db.ssl_key = cl->ssl_key;
    cl->conf.file = cl->file;
    cl->conf.gtid = cl->gtid;
    if (!cl->conf.server_id)
        cl->conf.server_id = 65535u + (uint32_t)getpid();
    if (!cl->conf.heartbeat_ms)
        cl->conf.heartbeat_ms = 10000;
    if (!cl->conf.backoff_max_ms)
        cl->conf.backoff_max_ms = 30000;
    set_where(cl->where, sizeof(cl->where), &cl->conf.db);
    *out = cl;
    return SL_OK;
}

void sl_client_free(struct sl_client *cl)
{
    if (!cl)
        return;
    if (cl->mysql)
        mysql_close(cl->mysql);
    if (cl->password)
        memset(cl->password, 0, strlen(cl->password));
    sl_free(cl->host);
    sl_free(cl->user);
    sl_free(cl->password);
    sl_free(cl->ssl_ca);
    sl_free(cl->ssl_cert);
    sl_free(cl->ssl_key);
    sl_free(cl->file);
    sl_free(cl->gtid);
    sl_free(cl);
}

static void put_u16(struct sl_buf *buf, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    sl_buf_add(buf, b, 2);
}

static void put_u32(struct sl_buf *buf, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    sl_buf_add(buf, b, 4);
}

static void put_u64(struct sl_buf *buf, uint64_t v)
{
    put_u32(buf, (uint32_t)v);
    put_u32(buf, (uint32_t)(v >> 32));
}

/* Encodes a MySQL GTID set ("uuid:1-5:7,uuid2:3") as COM_BINLOG_DUMP_GTID wants it:
 * n_sids, then per sid the 16-byte uuid, n_intervals and [start, end) pairs. */
sl_err_t sl_client_gtid_encode(const char *set, struct sl_buf *out, char *errstr,
                               size_t errstr_size)
{
    struct sl_buf body;
    sl_buf_init(&body, 1 << 20);
    uint64_t nsids = 0;
    const char *p = set;
    sl_err_t err = SL_OK;
    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == ',')
            p++;
        if (!*p)
            break;
        uint8_t uuid[16];
        int nb = 0;
        while (*p && *p != ':') {
            if (*p == '-') {
                p++;
                continue;
            }
            int hi = sl_str_hexval(p[0]), lo = p[1] ? sl_str_hexval(p[1]) : -1;
            if (hi < 0 || lo < 0 || nb == 16)
                goto bad;
            uuid[nb++] = (uint8_t)(hi << 4 | lo);
            p += 2;
        }
        if (nb != 16 || *p != ':')
            goto bad;
        sl_buf_add(&body, uuid, 16);
        size_t nint_at = body.len;
        put_u64(&body, 0);
        uint64_t nint = 0;
        while (*p == ':') {
            p++;
            char *end;
            if (*p < '0' || *p > '9') {
                snprintf(errstr, errstr_size, "GTID set '%s': tagged GTIDs are not supported", set);
                err = SL_ERR_UNSUPPORTED;
                goto out;
            }
            unsigned long long a = strtoull(p, &end, 10), b = a;
            p = end;
            if (*p == '-') {
                p++;
                if (*p < '0' || *p > '9')
                    goto bad;
                b = strtoull(p, &end, 10);
                p = end;
            }
            if (a == 0 || b < a || b >= (uint64_t)INT64_MAX)
                goto bad;
            put_u64(&body, a);
            put_u64(&body, b + 1);
            nint++;
        }
        for (int i = 0; i < 8; i++)
            body.data[nint_at + (size_t)i] = (char)(nint >> (8 * i));
        nsids++;
        if (*p && *p != ',' && *p != ' ' && *p != '\n')
            goto bad;
    }
    put_u64(out, nsids);
    sl_buf_add(out, body.data, body.len);
    goto out;
bad:
    snprintf(errstr, errstr_size, "GTID set '%s' is malformed near offset %d", set, (int)(p - set));
    err = SL_ERR_CONF;
out:
    sl_buf_fini(&body);
    return err;
}

static bool mariadb_gtid_ok(const char *set)
{
    for (const char *p = set; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == ',' || *p == ' '))
            return false;
    return true;
}

static sl_err_t check_server(struct sl_client *cl, char *errstr, size_t errstr_size)
{
    sl_err_t err;
    MYSQL_RES *res = query_res(cl->mysql, cl->where,
                               "SELECT VERSION(), @@global.log_bin, @@global.binlog_format, "
                               "@@global.binlog_checksum",
                               &err, errstr, errstr_size);
    if (!res)
        return err;
    MYSQL_ROW row = mysql_fetch_row(res);
    if (!row) {
        mysql_free_result(res);
        snprintf(errstr, errstr_size, "%s: cannot read the binlog settings", cl->where);
        return SL_ERR_UPSTREAM;
    }
    cl->flavor = row[0] && strstr(row[0], "MariaDB") ? SL_FLAVOR_MARIADB : SL_FLAVOR_MYSQL;
    err = SL_OK;
    if (!row[1] || strcmp(row[1], "1") != 0) {
        snprintf(errstr, errstr_size,
                 "%s: binary logging is disabled (log_bin=OFF); start the server with "
                 "log_bin and binlog_format=ROW",
                 cl->where);
        err = SL_ERR_UNSUPPORTED;
    } else if (!row[2] || strcmp(row[2], "ROW") != 0) {
        snprintf(errstr, errstr_size, "%s: binlog_format is %s; sluice needs binlog_format=ROW",
                 cl->where, row[2] ? row[2] : "NULL");
        err = SL_ERR_UNSUPPORTED;
    }
    cl->checksum = row[3] && strcmp(row[3], "NONE") != 0;
    mysql_free_result(res);
    return err;
}

static sl_err_t send_command(struct sl_client *cl, int cmd, const struct sl_buf *buf, bool read_ok,
                             const char *what, char *errstr, size_t errstr_size)
{
    int rc = cl->mysql->methods->db_command(cl->mysql, (enum enum_server_command)cmd, buf->data,
                                            buf->len, read_ok ? 0 : 1, NULL);
    if (rc == 0)
        return SL_OK;
    unsigned no = mysql_errno(cl->mysql);
    snprintf(errstr, errstr_size, "%s: %s failed: %s (error %u)", cl->where, what,
             mysql_error(cl->mysql), no);
    return classify(no);
}

/* Connects and starts the dump at the resume position, or at conf's start the first time. */
static sl_err_t open_stream(struct sl_client *cl, char *errstr, size_t errstr_size)
{
    unsigned rto = cl->conf.heartbeat_ms / 1000 * 3 + 10;
    sl_err_t err = db_connect(&cl->conf.db, cl->where, rto, &cl->mysql, errstr, errstr_size);
    if (err)
        return err;
    err = check_server(cl, errstr, errstr_size);
    if (err)
        return err;
    if (!cl->started) {
        err = current_pos(cl->mysql, cl->where, cl->start_file, sizeof(cl->start_file),
                          &cl->start_pos, errstr, errstr_size);
        if (err)
            return err;
    }
    /* Both the old and the MySQL 8.0.26+ names: a server reads the ones it knows. */
    char sql[512];
    unsigned long long hb_ns = (unsigned long long)cl->conf.heartbeat_ms * 1000000ull;
    snprintf(sql, sizeof(sql),
             "SET @master_binlog_checksum = @@global.binlog_checksum, "
             "@source_binlog_checksum = @@global.binlog_checksum, "
             "@mariadb_slave_capability = 4, @master_heartbeat_period = %llu, "
             "@source_heartbeat_period = %llu",
             hb_ns, hb_ns);
    err = query(cl->mysql, cl->where, sql, errstr, errstr_size);
    if (err)
        return err;

    const char *file = "";
    uint64_t pos = 4;
    bool gtid = false;
    if (cl->have_resume) {
        file = cl->resume_file;
        pos = cl->resume_pos;
    } else if (cl->conf.from == SL_CLIENT_FROM_FILEPOS) {
        file = cl->conf.file;
        pos = cl->conf.pos;
    } else if (cl->conf.from == SL_CLIENT_FROM_CURRENT) {
        file = cl->start_file;
        pos = cl->start_pos;
    } else {
        gtid = true;
    }
    if (!gtid) {
        /* Until the first transaction completes, a reconnect resumes where we started. */
        if (!cl->have_resume) {
            snprintf(cl->resume_file, sizeof(cl->resume_file), "%s", file);
            cl->resume_pos = pos;
            cl->have_resume = true;
        }
        snprintf(cl->cur_file, sizeof(cl->cur_file), "%s", file);
        cl->cur_pos = pos;
    }
    if (gtid && cl->flavor == SL_FLAVOR_MARIADB) {
        if (!mariadb_gtid_ok(cl->conf.gtid)) {
            snprintf(errstr, errstr_size,
                     "GTID position '%s' is not a MariaDB GTID list "
                     "(domain-server-seq,...)",
                     cl->conf.gtid);
            return SL_ERR_CONF;
        }
        snprintf(sql, sizeof(sql),
                 "SET @slave_connect_state = '%s', @slave_gtid_strict_mode = 0, "
                 "@slave_gtid_ignore_duplicates = 0",
                 cl->conf.gtid);
        err = query(cl->mysql, cl->where, sql, errstr, errstr_size);
        if (err)
            return err;
    }

    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 20);
    put_u32(&buf, cl->conf.server_id);
    sl_buf_add(&buf, "\0\0\0", 3); /* hostname, user, password: empty */
    put_u16(&buf, 0);
    put_u32(&buf, 0);
    put_u32(&buf, 0);
    err = send_command(cl, COM_REGISTER_SLAVE, &buf, true, "registering as a replica", errstr,
                       errstr_size);
    if (err)
        goto out;

    sl_buf_reset(&buf);
    if (gtid && cl->flavor == SL_FLAVOR_MYSQL) {
        put_u16(&buf, BINLOG_THROUGH_GTID);
        put_u32(&buf, cl->conf.server_id);
        put_u32(&buf, 0);
        put_u64(&buf, 4);
        struct sl_buf set;
        sl_buf_init(&set, 1 << 20);
        err = sl_client_gtid_encode(cl->conf.gtid, &set, errstr, errstr_size);
        if (!err) {
            put_u32(&buf, (uint32_t)set.len);
            sl_buf_add(&buf, set.data, set.len);
        }
        sl_buf_fini(&set);
        if (err)
            goto out;
        err = send_command(cl, COM_DUMP_GTID, &buf, false, "COM_BINLOG_DUMP_GTID", errstr,
                           errstr_size);
    } else {
        put_u32(&buf, (uint32_t)pos);
        put_u16(&buf, 0);
        put_u32(&buf, cl->conf.server_id);
        sl_buf_addstr(&buf, file);
        err =
            send_command(cl, COM_BINLOG_DUMP, &buf, false, "COM_BINLOG_DUMP", errstr, errstr_size);
    }
    if (!err) {
        cl->started = true;
        if (gtid)
            sl_log(SL_LOG_INFO, "BINLOG", "%s: streaming from GTID %s", cl->where, cl->conf.gtid);
        else
            sl_log(SL_LOG_INFO, "BINLOG", "%s: streaming from %s:%llu", cl->where, file,
                   (unsigned long long)pos);
    }
out:
    sl_buf_fini(&buf);
    return err;
}

sl_err_t sl_client_start(struct sl_client *cl, char *errstr, size_t errstr_size)
{
    sl_err_t err = open_stream(cl, errstr, errstr_size);
    if (err && cl->mysql) {
        mysql_close(cl->mysql);
        cl->mysql = NULL;
    }
    return err;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static sl_err_t reconnect(struct sl_client *cl, const char *why, char *errstr, size_t errstr_size)
{
    unsigned delay = 250;
    sl_err_t err = SL_ERR_IO;
    for (unsigned attempt = 1; attempt <= cl->conf.max_retries; attempt++) {
        if (cl->mysql) {
            mysql_close(cl->mysql);
            cl->mysql = NULL;
        }
        sl_log(SL_LOG_WARN, "BINLOG", "%s: %s; reconnecting in %u ms (attempt %u of %u)", cl->where,
               why, delay, attempt, cl->conf.max_retries);
        sleep_ms(delay);
        delay = delay * 2 > cl->conf.backoff_max_ms ? cl->conf.backoff_max_ms : delay * 2;
        err = open_stream(cl, errstr, errstr_size);
        if (!err)
            return SL_ERR_AGAIN;
        if (err == SL_ERR_AUTH || err == SL_ERR_UNSUPPORTED || err == SL_ERR_CONF)
            break;
    }
    if (cl->mysql) {
        mysql_close(cl->mysql);
        cl->mysql = NULL;
    }
    return err;
}

/* Follows ROTATE (file name) and XID (end of a transaction) in the raw header. */
static void track(struct sl_client *cl, const uint8_t *ev, size_t len)
{
    uint8_t type = ev[4];
    uint32_t log_pos =
        (uint32_t)ev[13] | (uint32_t)ev[14] << 8 | (uint32_t)ev[15] << 16 | (uint32_t)ev[16] << 24;
    if (log_pos)
        cl->cur_pos = log_pos;
    if (type == EV_ROTATE && len >= EV_HEADER + 8) {
        size_t nlen = len - EV_HEADER - 8 - (cl->checksum ? 4 : 0);
        if (nlen > len - EV_HEADER - 8)
            return;
        if (nlen >= sizeof(cl->cur_file))
            nlen = sizeof(cl->cur_file) - 1;
        memcpy(cl->cur_file, ev + EV_HEADER + 8, nlen);
        cl->cur_file[nlen] = '\0';
        cl->cur_pos = (uint64_t)ev[19] | (uint64_t)ev[20] << 8 | (uint64_t)ev[21] << 16 |
                      (uint64_t)ev[22] << 24;
    } else if (type == EV_XID && log_pos) {
        sl_client_set_resume(cl, cl->cur_file, log_pos);
    }
}

sl_err_t sl_client_fetch(struct sl_client *cl, const uint8_t **data, size_t *len, char *errstr,
                         size_t errstr_size)
{
    if (!cl->mysql) {
        snprintf(errstr, errstr_size, "%s: not connected", cl->where);
        return SL_ERR_IO;
    }
    unsigned long n = mysql_net_read_packet(cl->mysql);
    if (n == packet_error || n == 0) {
        unsigned no = mysql_errno(cl->mysql);
        char at[300], why[600];
        if (cl->cur_file[0])
            snprintf(at, sizeof(at), "at %s:%llu", cl->cur_file, (unsigned long long)cl->cur_pos);
        else
            snprintf(at, sizeof(at), "at the start (GTID %s)", cl->conf.gtid ? cl->conf.gtid : "");
        snprintf(why, sizeof(why), "reading the binlog stream failed %s: %s (error %u)", at,
                 mysql_error(cl->mysql), no);
        snprintf(errstr, errstr_size, "%s: %s", cl->where, why);
        if (no >= CR_MIN_ERROR && cl->conf.max_retries)
            return reconnect(cl, why, errstr, errstr_size);
        return classify(no);
    }
    const uint8_t *p = cl->mysql->net.read_pos;
    if (p[0] == 0xfe && n < 8) {
        /* A blocking dump only ends when the server shuts down (or a DBA kills the dump
         * thread): with retries configured that is an outage to ride out like a lost
         * connection, resuming after the last complete transaction. */
        char why[400];
        snprintf(why, sizeof(why), "the server ended the binlog stream in %s", cl->cur_file);
        snprintf(errstr, errstr_size, "%s: %s", cl->where, why);
        if (cl->conf.max_retries)
            return reconnect(cl, why, errstr, errstr_size);
        return SL_ERR_EOF;
    }
    if (p[0] != 0x00 || n < 1 + EV_HEADER) {
        snprintf(errstr, errstr_size,
                 "%s: unexpected packet (first byte 0x%02x, %lu bytes) in the binlog stream "
                 "of %s",
                 cl->where, p[0], n, cl->cur_file);
        return SL_ERR_PROTO;
    }
    *data = p + 1;
    *len = n - 1;
    track(cl, p + 1, n - 1);
    return SL_OK;
}

bool sl_client_checksum(const struct sl_client *cl)
{
    return cl->checksum;
}

sl_flavor_t sl_client_flavor(const struct sl_client *cl)
{
    return cl->flavor;
}

void sl_client_start_current(const struct sl_client *cl, const char **file, uint64_t *pos)
{
    *file = cl->start_file;
    *pos = cl->start_pos;
}

const char *sl_client_file(const struct sl_client *cl)
{
    return cl->cur_file;
}

void sl_client_set_resume(struct sl_client *cl, const char *file, uint64_t pos)
{
    if (file != cl->resume_file)
        snprintf(cl->resume_file, sizeof(cl->resume_file), "%s", file);
    cl->resume_pos = pos;
    cl->have_resume = true;
}

/* ---- Query connection ---- */

sl_err_t sl_server_connect(const struct sl_mysql_conf *conf, struct sl_server **out, char *errstr,
                           size_t errstr_size)
{
    struct sl_server *srv = sl_xcalloc(1, sizeof(*srv));
    set_where(srv->where, sizeof(srv->where), conf);
    sl_err_t err = db_connect(conf, srv->where, 60, &srv->mysql, errstr, errstr_size);
    if (err) {
        sl_free(srv);
        return err;
    }
    *out = srv;
    return SL_OK;
}

void sl_server_free(struct sl_server *srv)
{
    if (!srv)
        return;
    mysql_close(srv->mysql);
    sl_free(srv);
}

sl_err_t sl_server_current(struct sl_server *srv, char *file, size_t file_size, uint64_t *pos,
                           char *errstr, size_t errstr_size)
{
    return current_pos(srv->mysql, srv->where, file, file_size, pos, errstr, errstr_size);
}

/* Labels of "enum('a','b''c')" or "set(...)"; NULL when type is neither. */
static char **parse_labels(const char *type, uint32_t *n)
{
    const char *p;
    *n = 0;
    if (strncmp(type, "enum(", 5) == 0)
        p = type + 5;
    else if (strncmp(type, "set(", 4) == 0)
        p = type + 4;
    else
        return NULL;
    size_t cap = 8;
    char **labels = sl_xcalloc(cap, sizeof(*labels));
    while (*p == '\'') {
        p++;
        struct sl_buf buf;
        sl_buf_init(&buf, 1 << 16);
        while (*p) {
            if (p[0] == '\'' && p[1] == '\'') {
                sl_buf_addch(&buf, '\'');
                p += 2;
            } else if (p[0] == '\'') {
                p++;
                break;
            } else {
                sl_buf_addch(&buf, *p++);
            }
        }
        if (*n == cap) {
            cap *= 2;
            labels = sl_xrealloc(labels, cap * sizeof(*labels));
        }
        size_t l;
        labels[(*n)++] = sl_buf_take(&buf, &l);
        if (*p == ',')
            p++;
    }
    return labels;
}

sl_err_t sl_server_columns(struct sl_server *srv, const char *db, const char *table,
                           struct sl_server_column **cols, uint32_t *ncols, char *errstr,
                           size_t errstr_size)
{
    size_t dl = strlen(db), tl = strlen(table);
    if (dl > 256 || tl > 256) {
        snprintf(errstr, errstr_size, "%s: table name too long", srv->where);
        return SL_ERR_INVALID;
    }
    char edb[520], etab[520], sql[1200];
    mysql_real_escape_string(srv->mysql, edb, db, (unsigned long)dl);
    mysql_real_escape_string(srv->mysql, etab, table, (unsigned long)tl);
    snprintf(sql, sizeof(sql),
             "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
             "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' ORDER BY ORDINAL_POSITION",
             edb, etab);
    sl_err_t err;
    MYSQL_RES *res = query_res(srv->mysql, srv->where, sql, &err, errstr, errstr_size);
    if (!res)
        return err;
    uint64_t n = mysql_num_rows(res);
    struct sl_server_column *out = sl_xcalloc(n ? n : 1, sizeof(*out));
    uint32_t i = 0;
    while (i < n) {
        MYSQL_ROW row = mysql_fetch_row(res);
        if (!row)
            break;
        out[i].name = sl_xstrdup(row[0] ? row[0] : "");
        const char *type = row[1] ? row[1] : "";
        out[i].is_unsigned = strstr(type, "unsigned") != NULL;
        out[i].labels = parse_labels(type, &out[i].n_labels);
        i++;
    }
    mysql_free_result(res);
    *cols = out;
    *ncols = i;
    return SL_OK;
}

void sl_server_columns_free(struct sl_server_column *cols, uint32_t ncols)
{
    if (!cols)
        return;
    for (uint32_t i = 0; i < ncols; i++) {
        sl_free(cols[i].name);
        for (uint32_t j = 0; j < cols[i].n_labels; j++)
            sl_free(cols[i].labels[j]);
        sl_free(cols[i].labels);
    }
    sl_free(cols);
}
