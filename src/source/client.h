/* SPDX-License-Identifier: Apache-2.0 */
/* Live replication client: connects to MySQL or MariaDB as a replica (COM_REGISTER_SLAVE),
 * negotiates checksums and heartbeats, asks for the binlog from FILE:POS, a GTID set or the
 * current position, and yields the RAW bytes of each event for the decoder (decode.h). On a
 * lost connection it reconnects with capped exponential backoff and resumes after the last
 * complete transaction. Also answers the SQL questions the source needs from the server
 * (current position, binlog settings, column names).
 *
 *   struct sl_client *cl;
 *   err = sl_client_new(&conf, &cl, errstr, sizeof(errstr));
 *   err = sl_client_start(cl, errstr, sizeof(errstr));
 *   sl_decoder_set_checksum(dec, sl_client_checksum(cl) ? CRC32 : NONE);
 *   while ((err = sl_client_fetch(cl, &data, &len, errstr, sizeof(errstr))) == SL_OK
 *          || err == SL_ERR_AGAIN)
 *       if (err == SL_OK) feed data/len to the decoder; else drop the open transaction;
 *
 * Errors name host:port and what failed; the password never appears in them.
 * Thread: a client is used by one thread at a time. */
#ifndef SL_SOURCE_CLIENT_H
#define SL_SOURCE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum {
    SL_SSL_DISABLED = 0,
    SL_SSL_PREFERRED,
    SL_SSL_REQUIRED,
    SL_SSL_VERIFY_CA,      /* connector-c verifies chain and host name together, so this */
    SL_SSL_VERIFY_IDENTITY /* and VERIFY_IDENTITY behave alike */
} sl_ssl_mode_t;

typedef enum {
    SL_CLIENT_FROM_CURRENT = 0, /* the server's current position (SHOW MASTER STATUS) */
    SL_CLIENT_FROM_FILEPOS,     /* file + pos */
    SL_CLIENT_FROM_GTID,        /* gtid set: MySQL "uuid:1-5,..." or MariaDB "0-1-100,..." */
} sl_client_from_t;

/* Connection settings; strings are borrowed for the lifetime of the client. */
struct sl_mysql_conf {
    const char *host;
    unsigned port; /* 0 means 3306 */
    const char *user;
    const char *password; /* may be NULL */
    sl_ssl_mode_t ssl_mode;
    const char *ssl_ca; /* optional file paths */
    const char *ssl_cert;
    const char *ssl_key;
    unsigned connect_timeout_s; /* 0 means 10 */
};

struct sl_client_conf {
    struct sl_mysql_conf db;
    uint32_t server_id;    /* replica id, unique in the topology; 0 means 65535 + pid */
    uint32_t heartbeat_ms; /* 0 means 10000 */
    sl_client_from_t from;
    const char *file; /* SL_CLIENT_FROM_FILEPOS */
    uint64_t pos;
    const char *gtid;        /* SL_CLIENT_FROM_GTID */
    unsigned max_retries;    /* reconnect attempts per outage; 0 means no reconnect */
    unsigned backoff_max_ms; /* cap of the exponential backoff; 0 means 30000 */
};

/* Names the server flavour. */
typedef enum {
    SL_FLAVOR_MYSQL = 0,
    SL_FLAVOR_MARIADB,
} sl_flavor_t;

struct sl_client;

/* Validates conf and allocates a client (no network yet). Errors: SL_ERR_CONF. */
sl_err_t sl_client_new(const struct sl_client_conf *conf, struct sl_client **out, char *errstr,
                       size_t errstr_size);
void sl_client_free(struct sl_client *cl);

/* Connects, checks that the server writes row-based binlogs (binlog_format=ROW), resolves
 * the start position, registers as a replica and starts the dump. Errors: SL_ERR_AUTH
 * (credentials rejected), SL_ERR_IO (cannot reach the server), SL_ERR_UNSUPPORTED (binlog
 * disabled or not ROW), SL_ERR_UPSTREAM (the server refused a command). */
sl_err_t sl_client_start(struct sl_client *cl, char *errstr, size_t errstr_size);

/* Next event: *data and *len cover the whole event (19-byte header, body, CRC32 trailer when
 * sl_client_checksum), borrowed until the next call. Heartbeats are returned too. When the
 * connection was lost and re-established, returns SL_ERR_AGAIN once: the stream restarts at
 * the last complete transaction, so the caller must drop any transaction still open.
 * SL_ERR_EOF when the server ended the stream; other errors are final. */
sl_err_t sl_client_fetch(struct sl_client *cl, const uint8_t **data, size_t *len, char *errstr,
                         size_t errstr_size);

/* Whether events carry a CRC32 trailer (negotiated at start). */
bool sl_client_checksum(const struct sl_client *cl);
sl_flavor_t sl_client_flavor(const struct sl_client *cl);
/* The position current when sl_client_start ran (file "" when unknown). */
void sl_client_start_current(const struct sl_client *cl, const char **file, uint64_t *pos);
/* Binlog file the stream is in (follows ROTATE events). */
const char *sl_client_file(const struct sl_client *cl);

/* Tells the client that everything before file:pos is a complete transaction (e.g. after a
 * QUERY "COMMIT" event the client does not parse); XID events are tracked by the client
 * itself. A reconnect resumes here. */
void sl_client_set_resume(struct sl_client *cl, const char *file, uint64_t pos);

/* Encodes a MySQL GTID set ("uuid:1-5:7,uuid2:3") the way COM_BINLOG_DUMP_GTID carries it
 * (n_sids, then per uuid its 16 bytes, n_intervals and [start, end) pairs, all little-endian)
 * and appends it to out. SL_ERR_CONF naming the offset when malformed, SL_ERR_UNSUPPORTED for
 * tagged GTIDs (MySQL 8.3+). */
sl_err_t sl_client_gtid_encode(const char *set, struct sl_buf *out, char *errstr,
                               size_t errstr_size);

/* ---- SQL side: a separate query connection ---- */

struct sl_server;

/* Opens a query connection. Errors as sl_client_start. */
sl_err_t sl_server_connect(const struct sl_mysql_conf *conf, struct sl_server **out, char *errstr,
                           size_t errstr_size);
void sl_server_free(struct sl_server *srv);

/* Current binlog position (SHOW MASTER STATUS, or SHOW BINARY LOG STATUS on MySQL 8.4).
 * SL_ERR_UNSUPPORTED when binary logging is off. */
sl_err_t sl_server_current(struct sl_server *srv, char *file, size_t file_size, uint64_t *pos,
                           char *errstr, size_t errstr_size);

/* One column as information_schema.COLUMNS describes it. */
struct sl_server_column {
    char *name;
    bool is_unsigned;
    uint32_t n_labels; /* ENUM/SET */
    char **labels;
};

/* Columns of db.table in ordinal order; *cols is owned by the caller (sl_server_columns_free).
 * *ncols is 0 when the table does not exist (any more). */
sl_err_t sl_server_columns(struct sl_server *srv, const char *db, const char *table,
                           struct sl_server_column **cols, uint32_t *ncols, char *errstr,
                           size_t errstr_size);
void sl_server_columns_free(struct sl_server_column *cols, uint32_t ncols);

#endif
