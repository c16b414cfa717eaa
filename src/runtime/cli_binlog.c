/* SPDX-License-Identifier: Apache-2.0 */
/* The `sluice binlog` commands: `dump` reads binlog files, `tail` streams from a live server
 * as a replica; both print each row change as one JSON line (cli_binlog_json.c). Output is
 * gathered in a large buffer and written at transaction boundaries, so a reconnect can drop
 * the rows of a transaction that did not complete. */
#include "runtime/cli_binlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "source/binlog_file.h"
#include "source/client.h"
#include "source/decode.h"

#define FLUSH_AT ((size_t)1 << 20)
/* tail keeps a transaction's rows until its commit (so a reconnect can drop them) up to
 * this size; a bigger transaction is written as it comes. */
#define TXN_HOLD_MAX ((size_t)16 << 20)
#define OUT_MAX ((size_t)1 << 30)

struct out {
    struct sl_buf buf;
    size_t committed; /* bytes of complete transactions */
    bool failed;
};

static void out_flush(struct out *out, bool all)
{
    size_t n = all ? out->buf.len : out->committed;
    if (n && fwrite(out->buf.data, 1, n, stdout) != n)
        out->failed = true;
    if (n == out->buf.len) {
        sl_buf_reset(&out->buf);
    } else {
        memmove(out->buf.data, out->buf.data + n, out->buf.len - n);
        sl_buf_truncate(&out->buf, out->buf.len - n);
    }
    out->committed = 0;
}

static void out_commit(struct out *out, bool live)
{
    out->committed = out->buf.len;
    if (live || out->buf.len >= FLUSH_AT) {
        out_flush(out, false);
        if (live)
            fflush(stdout);
    }
}

/* Rows events carry no state later events need, so their memory is released right after
 * they are printed; everything else lives until the end of the transaction. */
static bool is_rows_type(uint8_t type)
{
    return (type >= SL_BINLOG_WRITE_ROWS_V1 && type <= SL_BINLOG_DELETE_ROWS_V1) ||
           (type >= SL_BINLOG_WRITE_ROWS && type <= SL_BINLOG_DELETE_ROWS) ||
           type == SL_BINLOG_PARTIAL_UPDATE_ROWS || (type >= 166 && type <= 171);
}

/* Writes the changes of one rows event. */
static sl_err_t put_rows(struct sl_rowjson *rj, const struct sl_event *ev, struct out *out,
                         bool live)
{
    if (out->buf.len >= (live ? TXN_HOLD_MAX : FLUSH_AT))
        out_flush(out, true);
    for (uint32_t i = 0; i < ev->u.rows.nchanges; i++) {
        sl_err_t err = sl_rowjson_write(rj, &ev->u.rows.changes[i], &out->buf);
        if (err == SL_ERR_TOOBIG && out->buf.len) {
            /* A transaction larger than the buffer is written as it comes. */
            out_flush(out, true);
            err = sl_rowjson_write(rj, &ev->u.rows.changes[i], &out->buf);
        }
        if (err)
            return err;
    }
    return SL_OK;
}

static bool ends_txn(const struct sl_event *ev)
{
    if (ev->kind == SL_EV_XID)
        return true;
    if (ev->kind != SL_EV_QUERY)
        return false;
    /* BEGIN opens a transaction; COMMIT, ROLLBACK and DDL end one. */
    return !sl_str_eq_c(ev->u.query.sql, "BEGIN");
}

/* ---- dump ---- */

/* One error line that names the file once. */
static void report(const char *path, const char *errstr)
{
    if (strstr(errstr, path))
        fprintf(stderr, "sluice: %s\n", errstr);
    else
        fprintf(stderr, "sluice: %s: %s\n", path, errstr);
}

static int cmd_dump(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: sluice binlog dump FILE...\n");
        return 2;
    }
    struct out out = {0};
    sl_buf_init(&out.buf, OUT_MAX);
    struct sl_rowjson *rj = sl_rowjson_new(NULL, NULL);
    struct sl_arena arena, rows_arena;
    sl_arena_init(&arena, 1 << 20);
    sl_arena_init(&rows_arena, 1 << 20);
    char errstr[512];
    int rc = 0;
    for (int f = 0; f < argc && rc == 0; f++) {
        struct sl_binlog_file *bf = NULL;
        struct sl_decoder *dec = NULL;
        sl_err_t err = sl_binlog_file_open(argv[f], &bf, errstr, sizeof(errstr));
        if (err) {
            report(argv[f], errstr);
            rc = 1;
            break;
        }
        dec = sl_decoder_new();
        sl_decoder_set_file(dec, sl_binlog_file_name(bf));
        for (;;) {
            const uint8_t *data;
            size_t len;
            uint64_t offset;
            err = sl_binlog_file_next(bf, &data, &len, &offset, errstr, sizeof(errstr));
            if (!err)
                err = sl_decoder_put(dec, data, len, offset, errstr, sizeof(errstr));
            if (err)
                break;
            bool rows = is_rows_type(data[4]);
            struct sl_event ev;
            for (;;) {
                err =
                    sl_decoder_next(dec, rows ? &rows_arena : &arena, &ev, errstr, sizeof(errstr));
                if (err)
                    break;
                if (ev.kind == SL_EV_ROWS)
                    err = put_rows(rj, &ev, &out, false);
                if (err) {
                    snprintf(errstr, sizeof(errstr), "at %s:%llu: %s", sl_decoder_file(dec),
                             (unsigned long long)ev.pos, sl_err_str(err));
                    break;
                }
                if (ends_txn(&ev)) {
                    out_commit(&out, false);
                    sl_arena_reset(&arena);
                }
            }
            if (rows)
                sl_arena_reset(&rows_arena);
            if (err != SL_ERR_EOF)
                break;
        }
        if (err != SL_ERR_EOF) {
            report(argv[f], errstr);
            rc = 1;
        }
        out_flush(&out, true);
        sl_decoder_free(dec);
        sl_binlog_file_free(bf);
        sl_arena_reset(&arena);
    }
    out_flush(&out, true);
    if (fflush(stdout) != 0 || out.failed) {
        fprintf(stderr, "sluice: writing to stdout failed\n");
        rc = 1;
    }
    sl_arena_fini(&arena);
    sl_arena_fini(&rows_arena);
    sl_rowjson_free(rj);
    sl_buf_fini(&out.buf);
    return rc;
}

/* ---- tail ---- */

struct names {
    const struct sl_mysql_conf *db;
    struct sl_server *srv;
    bool srv_failed;
    struct sl_server_column **lists; /* kept alive for the writer */
    uint32_t *counts;
    size_t n;
    struct sl_arena arena;
};

/* Fills column names (and signedness, ENUM/SET labels) from information_schema when the
 * binlog has no names (binlog_row_metadata=MINIMAL). Columns stay positional when the
 * server's column count disagrees with the TABLE_MAP (the table changed since). */
static void resolve_names(const struct sl_table *table, struct sl_column *cols, void *opaque)
{
    struct names *nm = opaque;
    char errstr[512];
    if (!nm->srv && !nm->srv_failed) {
        if (sl_server_connect(nm->db, &nm->srv, errstr, sizeof(errstr))) {
            sl_log(SL_LOG_WARN, "BINLOG", "column names unavailable: %s", errstr);
            nm->srv_failed = true;
        }
    }
    if (!nm->srv)
        return;
    char *db = sl_xstrndup(table->db.ptr ? table->db.ptr : "", table->db.len);
    char *name = sl_xstrndup(table->name.ptr ? table->name.ptr : "", table->name.len);
    struct sl_server_column *sc = NULL;
    uint32_t nsc = 0;
    sl_err_t err = sl_server_columns(nm->srv, db, name, &sc, &nsc, errstr, sizeof(errstr));
    if (err) {
        sl_log(SL_LOG_WARN, "BINLOG", "column names of %s.%s unavailable: %s", db, name, errstr);
    } else if (nsc != table->ncols) {
        sl_log(SL_LOG_WARN, "BINLOG",
               "%s.%s has %u columns on the server but %u in the binlog; names are "
               "positional",
               db, name, nsc, table->ncols);
    } else {
        for (uint32_t i = 0; i < nsc; i++) {
            cols[i].name = sl_str_c(sc[i].name);
            if (sc[i].is_unsigned)
                cols[i].is_unsigned = true;
            if (!cols[i].n_labels && sc[i].n_labels) {
                cols[i].labels =
                    sl_arena_calloc(&nm->arena, sc[i].n_labels, sizeof(*cols[i].labels));
                for (uint32_t j = 0; j < sc[i].n_labels; j++)
                    cols[i].labels[j] = sl_str_c(sc[i].labels[j]);
                cols[i].n_labels = sc[i].n_labels;
            }
        }
    }
    nm->lists = sl_xrealloc(nm->lists, (nm->n + 1) * sizeof(*nm->lists));
    nm->counts = sl_xrealloc(nm->counts, (nm->n + 1) * sizeof(*nm->counts));
    nm->lists[nm->n] = sc;
    nm->counts[nm->n] = nsc;
    nm->n++;
    sl_free(db);
    sl_free(name);
}

static const char *tail_usage =
    "usage: sluice binlog tail --host H [--port P] --user U\n"
    "           [--from FILE:POS | --gtid SET | --from-current] [--server-id N]\n"
    "           [--until-current] [--heartbeat-ms N] [--retries N] [--verbose]\n"
    "           [--ssl-mode disabled|preferred|required|verify_ca|verify_identity]\n"
    "           [--ssl-ca FILE] [--ssl-cert FILE] [--ssl-key FILE]\n"
    "The password is read from SLUICE_MYSQL_PASSWORD (or MYSQL_PWD), or asked on a tty.\n";

static char *read_password(const char *user, const char *where)
{
    const char *env = getenv("SLUICE_MYSQL_PASSWORD");
    if (!env)
        env = getenv("MYSQL_PWD");
    if (env)
        return sl_xstrdup(env);
    if (!isatty(STDIN_FILENO))
        return NULL;
    fprintf(stderr, "Password for %s@%s: ", user, where);
    fflush(stderr);
    struct termios old, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char line[512];
    char *got = fgets(line, sizeof(line), stdin);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fprintf(stderr, "\n");
    if (!got)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    char *pw = sl_xstrdup(line);
    memset(line, 0, sizeof(line));
    return pw;
}

static int parse_u32(const char *opt, const char *v, uint32_t max, uint32_t *out)
{
    uint64_t u;
    if (!v || sl_parse_u64(v, &u) || u > max) {
        fprintf(stderr, "sluice: %s needs a number up to %u, got '%s'\n", opt, max, v ? v : "");
        return 2;
    }
    *out = (uint32_t)u;
    return 0;
}

static const char *const ssl_modes[] = {"disabled", "preferred", "required", "verify_ca",
                                        "verify_identity"};

/* Past the stop position? Binlog names of one server sort in order. */
static bool reached(const char *file, uint64_t pos, const char *stop_file, uint64_t stop_pos)
{
    int c = strcmp(file, stop_file);
    return c > 0 || (c == 0 && pos >= stop_pos);
}

static int parse_tail(int argc, char **argv, struct sl_client_conf *conf, bool *until)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint32_t u;
        if (strcmp(a, "--until-current") == 0) {
            *until = true;
            continue;
        }
        if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            sl_log_set_level(SL_LOG_INFO);
            continue;
        }
        if (strcmp(a, "--from-current") == 0) {
            conf->from = SL_CLIENT_FROM_CURRENT;
            continue;
        }
        if (strcmp(a, "--password") == 0 || strncmp(a, "--password=", 11) == 0 ||
            strcmp(a, "-p") == 0) {
            fprintf(stderr, "sluice: passwords are not accepted on the command line; set "
                            "SLUICE_MYSQL_PASSWORD\n");
            return 2;
        }
        if (!v) {
            fprintf(stderr, "sluice: unknown option or missing value: %s\n%s", a, tail_usage);
            return 2;
        }
        i++;
        if (strcmp(a, "--host") == 0) {
            conf->db.host = v;
        } else if (strcmp(a, "--port") == 0) {
            if (parse_u32(a, v, 65535, &u))
                return 2;
            conf->db.port = u;
        } else if (strcmp(a, "--user") == 0) {
            conf->db.user = v;
        } else if (strcmp(a, "--server-id") == 0) {
            if (parse_u32(a, v, UINT32_MAX, &conf->server_id))
                return 2;
        } else if (strcmp(a, "--heartbeat-ms") == 0) {
            if (parse_u32(a, v, 3600000, &conf->heartbeat_ms))
                return 2;
        } else if (strcmp(a, "--retries") == 0) {
            if (parse_u32(a, v, 1000000, &u))
                return 2;
            conf->max_retries = u;
        } else if (strcmp(a, "--gtid") == 0) {
            conf->from = SL_CLIENT_FROM_GTID;
            conf->gtid = v;
        } else if (strcmp(a, "--from") == 0) {
            const char *colon = strrchr(v, ':');
            static char file[256];
            if (!colon || (size_t)(colon - v) >= sizeof(file) ||
                sl_parse_u64(colon + 1, &conf->pos)) {
                fprintf(stderr, "sluice: --from needs FILE:POS, got '%s'\n", v);
                return 2;
            }
            memcpy(file, v, (size_t)(colon - v));
            file[colon - v] = '\0';
            conf->file = file;
            conf->from = SL_CLIENT_FROM_FILEPOS;
        } else if (strcmp(a, "--ssl-mode") == 0) {
            size_t k = 0;
            while (k < 5 && strcmp(v, ssl_modes[k]) != 0)
                k++;
            if (k == 5) {
                fprintf(stderr,
                        "sluice: --ssl-mode must be one of disabled, preferred, "
                        "required, verify_ca, verify_identity; got '%s'\n",
                        v);
                return 2;
            }
            conf->db.ssl_mode = (sl_ssl_mode_t)k;
        } else if (strcmp(a, "--ssl-ca") == 0) {
            conf->db.ssl_ca = v;
        } else if (strcmp(a, "--ssl-cert") == 0) {
            conf->db.ssl_cert = v;
        } else if (strcmp(a, "--ssl-key") == 0) {
            conf->db.ssl_key = v;
        } else {
            fprintf(stderr, "sluice: unknown option %s\n%s", a, tail_usage);
            return 2;
        }
    }
    if (!conf->db.host || !conf->db.user) {
        fprintf(stderr, "sluice: --host and --user are required\n%s", tail_usage);
        return 2;
    }
    return 0;
}

static int cmd_tail(int argc, char **argv)
{
    struct sl_client_conf conf = {.from = SL_CLIENT_FROM_CURRENT, .max_retries = 5};
    bool until = false;
    int rc = parse_tail(argc, argv, &conf, &until);
    if (rc)
        return rc;
    char where[300];
    snprintf(where, sizeof(where), "%s:%u", conf.db.host, conf.db.port ? conf.db.port : 3306);
    char *password = read_password(conf.db.user, where);
    conf.db.password = password;

    char errstr[768];
    struct sl_client *cl = NULL;
    struct sl_decoder *dec = NULL;
    struct sl_rowjson *rj = NULL;
    struct names nm = {.db = &conf.db};
    sl_arena_init(&nm.arena, 1 << 16);
    struct sl_arena arena, rows_arena;
    sl_arena_init(&arena, 1 << 20);
    sl_arena_init(&rows_arena, 1 << 20);
    struct out out = {0};
    sl_buf_init(&out.buf, OUT_MAX);

    sl_err_t err = sl_client_new(&conf, &cl, errstr, sizeof(errstr));
    if (!err)
        err = sl_client_start(cl, errstr, sizeof(errstr));
    if (err) {
        fprintf(stderr, "sluice: %s\n", errstr);
        rc = 1;
        goto out;
    }
    const char *stop_file;
    uint64_t stop_pos;
    sl_client_start_current(cl, &stop_file, &stop_pos);
    if (until && conf.from == SL_CLIENT_FROM_CURRENT)
        goto out;
    if (until && conf.from == SL_CLIENT_FROM_FILEPOS &&
        reached(conf.file, conf.pos, stop_file, stop_pos)) {
        if (strcmp(conf.file, stop_file) != 0 || conf.pos != stop_pos) {
            fprintf(stderr,
                    "sluice: %s: start position %s:%llu is past the server's current "
                    "position %s:%llu\n",
                    where, conf.file, (unsigned long long)conf.pos, stop_file,
                    (unsigned long long)stop_pos);
            rc = 1;
        }
        goto out;
    }

    dec = sl_decoder_new();
    sl_decoder_set_checksum(dec, sl_client_checksum(cl) ? SL_DECODER_CHECKSUM_CRC32
                                                        : SL_DECODER_CHECKSUM_NONE);
    rj = sl_rowjson_new(resolve_names, &nm);
    bool done = false;
    while (!done) {
        const uint8_t *data;
        size_t len;
        err = sl_client_fetch(cl, &data, &len, errstr, sizeof(errstr));
        if (err == SL_ERR_AGAIN) {
            /* Reconnected: the stream restarts after the last complete transaction. */
            sl_buf_truncate(&out.buf, out.committed);
            sl_arena_reset(&arena);
            continue;
        }
        if (!err)
            err = sl_decoder_put(dec, data, len, SL_DECODER_POS_AUTO, errstr, sizeof(errstr));
        if (err)
            break;
        bool rows = is_rows_type(data[4]);
        struct sl_event ev;
        for (;;) {
            err = sl_decoder_next(dec, rows ? &rows_arena : &arena, &ev, errstr, sizeof(errstr));
            if (err)
                break;
            if (ev.kind == SL_EV_ROWS) {
                err = put_rows(rj, &ev, &out, true);
                if (err) {
                    snprintf(errstr, sizeof(errstr), "%s: at %s:%llu: %s", where,
                             sl_decoder_file(dec), (unsigned long long)ev.pos, sl_err_str(err));
                    break;
                }
            }
            if (ends_txn(&ev)) {
                if (ev.kind == SL_EV_QUERY && !ev.inner)
                    sl_client_set_resume(cl, sl_decoder_file(dec), ev.end_pos);
                out_commit(&out, true);
                sl_arena_reset(&arena);
            }
            if (ev.kind == SL_EV_HEARTBEAT) {
                out_flush(&out, false);
                /* Nothing more to come when the server is where we wanted to stop. */
                if (until && ev.u.heartbeat.file.len &&
                    reached(ev.u.heartbeat.file.ptr, ev.u.heartbeat.pos, stop_file, stop_pos) &&
                    reached(sl_decoder_file(dec), ev.u.heartbeat.pos, stop_file, stop_pos))
                    done = true;
            }
            if (until && ev.log_pos && ev.kind != SL_EV_HEARTBEAT && !ev.inner &&
                ev.kind != SL_EV_ROTATE && ev.kind != SL_EV_FDE &&
                reached(sl_decoder_file(dec), ev.end_pos, stop_file, stop_pos))
                done = true;
        }
        if (rows)
            sl_arena_reset(&rows_arena);
        if (err != SL_ERR_EOF) {
            if (!strstr(errstr, where)) {
                char tmp[sizeof(errstr) + sizeof(where) + 4];
                snprintf(tmp, sizeof(tmp), "%s: %s", where, errstr);
                size_t tl = strnlen(tmp, sizeof(errstr) - 1);
                memcpy(errstr, tmp, tl);
                errstr[tl] = '\0';
            }
            break;
        }
        err = SL_OK;
    }
    if (err) {
        fprintf(stderr, "sluice: %s\n", errstr);
        rc = 1;
    }
out:
    out_flush(&out, true);
    if (fflush(stdout) != 0 || out.failed) {
        fprintf(stderr, "sluice: writing to stdout failed\n");
        rc = 1;
    }
    sl_rowjson_free(rj);
    sl_decoder_free(dec);
    sl_client_free(cl);
    sl_server_free(nm.srv);
    for (size_t i = 0; i < nm.n; i++)
        sl_server_columns_free(nm.lists[i], nm.counts[i]);
    sl_free(nm.lists);
    sl_free(nm.counts);
    sl_arena_fini(&nm.arena);
    sl_arena_fini(&arena);
    sl_arena_fini(&rows_arena);
    sl_buf_fini(&out.buf);
    if (password) {
        memset(password, 0, strlen(password));
        sl_free(password);
    }
    return rc;
}

int sl_cli_binlog(int argc, char **argv)
{
    /* A command-line tool: stderr carries warnings and errors only, unless --verbose. */
    sl_log_set_level(SL_LOG_WARN);
    if (argc >= 2 && strcmp(argv[1], "dump") == 0)
        return cmd_dump(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "tail") == 0)
        return cmd_tail(argc - 2, argv + 2);
    fprintf(stderr, "usage: sluice binlog dump FILE...\n%s", tail_usage);
    return 2;
}
