/* SPDX-License-Identifier: Apache-2.0 */
/* Binlog event decoder, framing half: common header, checksums, the format description,
 * control events (ROTATE, QUERY, XID, GTIDs, heartbeats, MariaDB events) and
 * TRANSACTION_PAYLOAD decompression and iteration. TABLE_MAP and rows events are in
 * decode_rows.c. Every read goes through struct sl_cur, so malformed input gives an error
 * naming the position, never an out-of-bounds read. */
#include "source/decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/mem.h"
#include "source/decode_int.h"

/* ---- Names and defaults ---- */

static const char *const type_names[256] = {
    [0] = "UNKNOWN", [1] = "START_V3", [2] = "QUERY", [3] = "STOP", [4] = "ROTATE",
    [5] = "INTVAR", [6] = "LOAD", [7] = "SLAVE", [8] = "CREATE_FILE", [9] = "APPEND_BLOCK",
    [10] = "EXEC_LOAD", [11] = "DELETE_FILE", [12] = "NEW_LOAD", [13] = "RAND",
    [14] = "USER_VAR", [15] = "FORMAT_DESCRIPTION", [16] = "XID",
    [17] = "BEGIN_LOAD_QUERY", [18] = "EXECUTE_LOAD_QUERY", [19] = "TABLE_MAP",
    [20] = "WRITE_ROWS_V0", [21] = "UPDATE_ROWS_V0", [22] = "DELETE_ROWS_V0",
    [23] = "WRITE_ROWS_V1", [24] = "UPDATE_ROWS_V1", [25] = "DELETE_ROWS_V1",
    [26] = "INCIDENT", [27] = "HEARTBEAT", [28] = "IGNORABLE", [29] = "ROWS_QUERY",
    [30] = "WRITE_ROWS", [31] = "UPDATE_ROWS", [32] = "DELETE_ROWS", [33] = "GTID",
    [34] = "ANONYMOUS_GTID", [35] = "PREVIOUS_GTIDS", [36] = "TRANSACTION_CONTEXT",
    [37] = "VIEW_CHANGE", [38] = "XA_PREPARE", [39] = "PARTIAL_UPDATE_ROWS",
    [40] = "TRANSACTION_PAYLOAD", [41] = "HEARTBEAT_V2", [42] = "GTID_TAGGED",
    [160] = "MARIA_ANNOTATE_ROWS", [161] = "MARIA_BINLOG_CHECKPOINT", [162] = "MARIA_GTID",
    [163] = "MARIA_GTID_LIST", [164] = "MARIA_START_ENCRYPTION",
    [165] = "MARIA_QUERY_COMPRESSED", [166] = "MARIA_WRITE_ROWS_COMPRESSED",
    [167] = "MARIA_UPDATE_ROWS_COMPRESSED", [168] = "MARIA_DELETE_ROWS_COMPRESSED",
    [169] = "MARIA_WRITE_ROWS_COMPRESSED_V1", [170] = "MARIA_UPDATE_ROWS_COMPRESSED_V1",
    [171] = "MARIA_DELETE_ROWS_COMPRESSED_V1",
};

const char *sl_binlog_type_name(uint8_t type)
{
    return type_names[type] ? type_names[type] : "UNKNOWN";
}

/* MySQL 8.0 post-header lengths, used until an FDE says otherwise (live streams may start
 * with a fake ROTATE before the FDE). */
static void default_post_headers(struct sl_decoder *dec)
{
    memset(dec->post_header, 0, sizeof(dec->post_header));
    dec->post_header[SL_BINLOG_QUERY] = 13;
    dec->post_header[SL_BINLOG_ROTATE] = 8;
    dec->post_header[SL_BINLOG_FORMAT_DESCRIPTION] = 84;
    dec->post_header[SL_BINLOG_TABLE_MAP] = 8;
    for (int t = SL_BINLOG_WRITE_ROWS_V1; t <= SL_BINLOG_DELETE_ROWS_V1; t++)
        dec->post_header[t] = 8;
    for (int t = SL_BINLOG_WRITE_ROWS; t <= SL_BINLOG_DELETE_ROWS; t++)
        dec->post_header[t] = 10;
    dec->post_header[SL_BINLOG_PARTIAL_UPDATE_ROWS] = 10;
    dec->post_header[SL_BINLOG_GTID] = 42;
    dec->post_header[SL_BINLOG_ANONYMOUS_GTID] = 42;
    dec->post_header[SL_BINLOG_MARIA_BINLOG_CHECKPOINT] = 4;
    dec->post_header[SL_BINLOG_MARIA_GTID] = 19;
    dec->post_header[SL_BINLOG_MARIA_GTID_LIST] = 4;
    dec->post_header[SL_BINLOG_MARIA_QUERY_COMPRESSED] = 13;
    for (int t = SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED;
         t <= SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED; t++)
        dec->post_header[t] = 10;
    for (int t = SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1;
         t <= SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED_V1; t++)
        dec->post_header[t] = 8;
}

void sl_dec_errf(const struct sl_decoder *dec, const struct sl_event *ev, char *errstr,
                 size_t errstr_size, const char *fmt, ...)
{
    if (!errstr || errstr_size == 0)
        return;
    int n = snprintf(errstr, errstr_size, "%s:%llu: %s%s: ", dec->file[0] ? dec->file : "binlog",
                     (unsigned long long)ev->pos, ev->inner ? "inner " : "",
                     sl_binlog_type_name(ev->type));
    if (n < 0 || (size_t)n >= errstr_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr + n, errstr_size - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ---- Lifecycle ---- */

struct sl_decoder *sl_decoder_new(void)
{
    struct sl_decoder *dec = sl_xcalloc(1, sizeof(*dec));
    dec->checksum_alg = 255;
    default_post_headers(dec);
    sl_buf_init(&dec->rows_query, (size_t)16 << 20);
    sl_buf_init(&dec->json, (size_t)1 << 30);
    dec->next_pos = 4;
    return dec;
}

void sl_decoder_free(struct sl_decoder *dec)
{
    if (!dec)
        return;
    sl_dec_tables_free(dec);
    sl_buf_fini(&dec->rows_query);
    sl_buf_fini(&dec->json);
    sl_free(dec->payload);
    sl_free(dec->zbuf);
    sl_free(dec);
}

void sl_decoder_set_file(struct sl_decoder *dec, const char *file)
{
    snprintf(dec->file, sizeof(dec->file), "%s", file);
}

const char *sl_decoder_file(const struct sl_decoder *dec)
{
    return dec->file;
}

void sl_decoder_set_checksum(struct sl_decoder *dec, sl_decoder_checksum_t mode)
{
    dec->checksum_mode = mode;
}

void sl_decoder_set_json_raw(struct sl_decoder *dec, bool raw)
{
    dec->json_raw = raw;
}

/* ---- Helpers ---- */

static struct sl_str arena_copy(struct sl_arena *arena, const uint8_t *p, size_t n)
{
    char *s = sl_arena_strndup(arena, (const char *)p, n);
    return (struct sl_str){s, n};
}

static void hex_uuid(char *out, const uint8_t *u)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[u[i] >> 4];
        out[k++] = hex[u[i] & 15];
    }
    out[k] = '\0';
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Server version "5.7.21-log" -> 50721; 0 when unparsable. */
static unsigned version_num(const char *v)
{
    unsigned part[3] = {0, 0, 0};
    int i = 0;
    for (const char *p = v; *p && i < 3; p++) {
        if (*p >= '0' && *p <= '9') {
            if (part[i] < 1000)
                part[i] = part[i] * 10 + (unsigned)(*p - '0');
        } else if (*p == '.') {
            i++;
        } else {
            break;
        }
    }
    return part[0] * 10000 + part[1] * 100 + part[2];
}

/* ---- Control events ---- */

static sl_err_t decode_fde(struct sl_decoder *dec, struct sl_cur *body, struct sl_arena *arena,
                           struct sl_event *ev, char *errstr, size_t errstr_size)
{
    uint16_t version;
    const uint8_t *sv;
    uint32_t create_ts;
    uint8_t hdr_len;
    if (sl_cur_u16le(body, &version) || sl_cur_bytes(body, 50, &sv) ||
        sl_cur_u32le(body, &create_ts) || sl_cur_u8(body, &hdr_len)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "body too short (%zu bytes)",
                    (size_t)(body->end - body->start));
        return SL_ERR_PROTO;
    }
    if (version != 4 || hdr_len != SL_DEC_HEADER_LEN) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "unsupported binlog version %u / header length %u (need 4 / 19)", version,
                    hdr_len);
        return SL_ERR_UNSUPPORTED;
    }
    size_t svlen = strnlen((const char *)sv, 50);
    char vbuf[51];
    memcpy(vbuf, sv, svlen);
    vbuf[svlen] = '\0';
    /* The FDE carries its own checksum description since 5.6.1 (and all MariaDB 10.x). */
    size_t ntypes = sl_cur_left(body);
    uint8_t alg = 255;
    if (version_num(vbuf) >= 50601) {
        /* check_crc already removed the 4-byte checksum field that follows it. */
        if (ntypes < 1) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "missing checksum algorithm byte");
            return SL_ERR_PROTO;
        }
        alg = body->p[ntypes - 1];
        ntypes -= 1;
    }
    if (alg != 0 && alg != 1 && alg != 255) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "unknown checksum algorithm %u", alg);
        return SL_ERR_PROTO;
    }
    memset(dec->post_header, 0, sizeof(dec->post_header));
    for (size_t i = 0; i < ntypes && i < 255; i++)
        dec->post_header[i + 1] = body->p[i];
    /* Older MariaDB FDEs stop before the compressed types: use their plain layouts. */
    if (!dec->post_header[SL_BINLOG_MARIA_QUERY_COMPRESSED])
        dec->post_header[SL_BINLOG_MARIA_QUERY_COMPRESSED] = dec->post_header[SL_BINLOG_QUERY];
    for (int t = SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED;
         t <= SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED_V1; t++) {
        if (!dec->post_header[t])
            dec->post_header[t] = t >= SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED_V1 ? 8 : 10;
    }
    dec->checksum_alg = alg;
    dec->have_fde = true;
    dec->mariadb = strstr(vbuf, "MariaDB") != NULL;
    ev->kind = SL_EV_FDE;
    ev->u.fde.binlog_version = version;
    ev->u.fde.server_version = arena_copy(arena, (const uint8_t *)vbuf, svlen);
    ev->u.fde.create_ts = create_ts;
    ev->u.fde.checksum_alg = alg;
    return SL_OK;
}

static bool is_begin(const uint8_t *sql, size_t n)
{
    return n == 5 && memcmp(sql, "BEGIN", 5) == 0;
}

static sl_err_t decode_query(struct sl_decoder *dec, struct sl_cur *body, struct sl_arena *arena,
                             struct sl_event *ev, char *errstr, size_t errstr_size)
{
    uint8_t ph = dec->post_header[ev->type];
    uint32_t thread_id, exec_time;
    uint8_t db_len;
    uint16_t error_code, status_len = 0;
    const uint8_t *db, *sql;
    if (ph < 11 || sl_cur_u32le(body, &thread_id) || sl_cur_u32le(body, &exec_time) ||
        sl_cur_u8(body, &db_len) || sl_cur_u16le(body, &error_code) ||
        (ph >= 13 && sl_cur_u16le(body, &status_len)) ||
        sl_cur_skip(body, ph > 13 ? (size_t)ph - 13 : 0) || sl_cur_skip(body, status_len) ||
        sl_cur_bytes(body, db_len, &db) || sl_cur_skip(body, 1)) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "truncated post-header, status variables or database name");
        return SL_ERR_PROTO;
    }
    size_t sql_len = sl_cur_left(body);
    (void)sl_cur_bytes(body, sql_len, &sql);
    if (ev->type == SL_BINLOG_MARIA_QUERY_COMPRESSED) {
        sl_err_t err = sl_dec_maria_uncompress(dec, ev, sql, sql_len, &sql, &sql_len, errstr,
                                               errstr_size);
        if (err)
            return err;
    }
    ev->kind = SL_EV_QUERY;
    ev->u.query.thread_id = thread_id;
    ev->u.query.exec_time = exec_time;
    ev->u.query.error_code = error_code;
    ev->u.query.db = arena_copy(arena, db, db_len);
    ev->u.query.sql = arena_copy(arena, sql, sql_len);
    dec->thread_id = thread_id;
    if (is_begin(sql, sql_len)) {
        if (!dec->txn_started) {
            dec->txn_pos = ev->pos;
            dec->txn_started = true;
        }
    } else {
        /* DDL or COMMIT: a transaction of its own, or the end of one. */
        dec->txn_started = false;
        dec->have_rows_query = false;
    }
    return SL_OK;
}

static void set_gtid(struct sl_decoder *dec, const struct sl_event *ev, const char *text)
{
    snprintf(dec->gtid, sizeof(dec->gtid), "%s", text);
    dec->gtid_len = strlen(dec->gtid);
    dec->txn_pos = ev->pos;
    dec->txn_started = true;
    dec->have_rows_query = false;
    dec->thread_id = 0;
}

static sl_err_t decode_gtid(struct sl_decoder *dec, struct sl_cur *body, struct sl_arena *arena,
                            struct sl_event *ev, char *errstr, size_t errstr_size)
{
    uint8_t flags;
    const uint8_t *sid;
    uint64_t gno;
    if (sl_cur_u8(body, &flags) || sl_cur_bytes(body, 16, &sid) || sl_cur_u64le(body, &gno)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "body too short for flags, uuid and gno");
        return SL_ERR_PROTO;
    }
    ev->kind = SL_EV_GTID;
    ev->u.gtid.flags = flags;
    ev->u.gtid.last_committed = -1;
    ev->u.gtid.sequence_number = -1;
    uint8_t lt_type;
    uint64_t lc, sn;
    if (sl_cur_u8(body, &lt_type) == SL_OK && lt_type == 2 && sl_cur_u64le(body, &lc) == SL_OK &&
        sl_cur_u64le(body, &sn) == SL_OK) {
        ev->u.gtid.last_committed = (int64_t)lc;
        ev->u.gtid.sequence_number = (int64_t)sn;
    }
    char text[64] = "";
    if (ev->type == SL_BINLOG_ANONYMOUS_GTID) {
        ev->u.gtid.anonymous = true;
    } else {
        if (gno == 0 || gno >= ((uint64_t)1 << 63)) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "invalid gno %llu", (unsigned long long)gno);
            return SL_ERR_PROTO;
        }
        char uuid[40];
        hex_uuid(uuid, sid);
        snprintf(text, sizeof(text), "%s:%llu", uuid, (unsigned long long)gno);
    }
    ev->u.gtid.text = arena_copy(arena, (const uint8_t *)text, strlen(text));
    set_gtid(dec, ev, text);
    return SL_OK;
}

/* MySQL 8.3+ serialization framework: variable-length unsigned integer. The number of
 * trailing one bits of the first byte is the number of extra bytes (8 means 8 extra). */
static sl_err_t read_varlen(struct sl_cur *cur, uint64_t *out)
{
    uint8_t first;
    if (sl_cur_u8(cur, &first))
        return SL_ERR_PROTO;
    unsigned extra = 0;
    while (extra < 8 && (first >> extra) & 1)
        extra++;
    if (extra == 0) {
        *out = first >> 1;
        return SL_OK;
    }
    uint64_t rest;
    if (sl_cur_uNle(cur, extra, &rest))
        return SL_ERR_PROTO;
    uint64_t v = extra < 8 ? (uint64_t)(first >> (extra + 1)) : 0;
    *out = extra < 8 ? v | rest << (7 - extra) : rest;
    return SL_OK;
}

/* Signed integers of the serialization framework are zig-zag coded: the low bit is the
 * sign, so 5 is written as 10 and -1 as 1 (read_varlen_bytes_signed). */
static sl_err_t read_varlen_signed(struct sl_cur *cur, int64_t *out)
{
    uint64_t u;
    if (read_varlen(cur, &u))
        return SL_ERR_PROTO;
    *out = (int64_t)((u >> 1) ^ ((uint64_t)0 - (u & 1)));
    return SL_OK;
}

/* GTID_TAGGED (MySQL 8.4+): a serialized message (libs/mysql/serialization): varlen size and
 * last non-ignorable field id, then (field id, value) pairs in id order, optional ones left
 * out: 0 gtid_flags, 1 uuid (16 varlen bytes), 2 gno (int64, zig-zag), 3 tag (varlen length
 * + bytes), 4 last_committed and 5 sequence_number (int64, zig-zag); the rest (timestamps,
 * sizes, versions) are not needed and not read. */
static sl_err_t decode_gtid_tagged(struct sl_decoder *dec, struct sl_cur *body,
                                   struct sl_arena *arena, struct sl_event *ev, char *errstr,
                                   size_t errstr_size)
{
    uint64_t msg_len, last_field, field, flags = 0;
    int64_t gno = 0, lc = -1, sn = -1;
    const uint8_t *tag = NULL;
    uint8_t u[16];
    bool have_sid = false;
    uint64_t tag_len = 0;
    if (read_varlen(body, &msg_len) || read_varlen(body, &last_field))
        goto bad;
    while (sl_cur_left(body) > 0) {
        if (read_varlen(body, &field))
            goto bad;
        if (field == 0) {
            if (read_varlen(body, &flags))
                goto bad;
        } else if (field == 1) {
            for (int i = 0; i < 16; i++) {
                uint64_t b;
                if (read_varlen(body, &b) || b > 255)
                    goto bad;
                u[i] = (uint8_t)b;
            }
            have_sid = true;
        } else if (field == 2) {
            if (read_varlen_signed(body, &gno))
                goto bad;
        } else if (field == 3) {
            if (read_varlen(body, &tag_len) || tag_len > 32 ||
                sl_cur_bytes(body, (size_t)tag_len, &tag))
                goto bad;
        } else if (field == 4) {
            if (read_varlen_signed(body, &lc))
                goto bad;
        } else if (field == 5) {
            if (read_varlen_signed(body, &sn))
                goto bad;
            break;
        } else {
            break;
        }
    }
    if (!have_sid || gno <= 0) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "missing uuid or gno (gno %lld)",
                    (long long)gno);
        return SL_ERR_PROTO;
    }
    char uuid[40], text[128];
    hex_uuid(uuid, u);
    if (tag_len)
        snprintf(text, sizeof(text), "%s:%.*s:%llu", uuid, (int)tag_len, (const char *)tag,
                 (unsigned long long)gno);
    else
        snprintf(text, sizeof(text), "%s:%llu", uuid, (unsigned long long)gno);
    ev->kind = SL_EV_GTID;
    ev->u.gtid.flags = (uint8_t)flags;
    ev->u.gtid.last_committed = lc;
    ev->u.gtid.sequence_number = sn;
    ev->u.gtid.text = arena_copy(arena, (const uint8_t *)text, strlen(text));
    set_gtid(dec, ev, text);
    return SL_OK;
bad:
    sl_dec_errf(dec, ev, errstr, errstr_size, "malformed serialized GTID at body offset %zu",
                sl_cur_off(body));
    return SL_ERR_PROTO;
}

static sl_err_t decode_previous_gtids(struct sl_decoder *dec, struct sl_cur *body,
                                      struct sl_arena *arena, struct sl_event *ev,
                                      char *errstr, size_t errstr_size)
{
    uint64_t nsids;
    struct sl_buf out;
    sl_err_t err = SL_OK;
    if (sl_cur_u64le(body, &nsids)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "body too short for the uuid count");
        return SL_ERR_PROTO;
    }
    if (nsids >> 56) {
        /* Tagged GTID set format (MySQL 8.3+): not rendered; the set is informational. */
        ev->kind = SL_EV_GTID_SET;
        ev->u.gtid_set.text = arena_copy(arena, (const uint8_t *)"", 0);
        return SL_OK;
    }
    if (nsids > sl_cur_left(body) / 24) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "%llu uuids do not fit in %zu bytes",
                    (unsigned long long)nsids, sl_cur_left(body));
        return SL_ERR_PROTO;
    }
    sl_buf_init(&out, sl_cur_left(body) * 4 + 64);
    for (uint64_t i = 0; i < nsids && !err; i++) {
        const uint8_t *sid;
        uint64_t nint;
        if (sl_cur_bytes(body, 16, &sid) || sl_cur_u64le(body, &nint) ||
            nint > sl_cur_left(body) / 16) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "truncated uuid %llu",
                        (unsigned long long)i);
            err = SL_ERR_PROTO;
            break;
        }
        char uuid[40];
        hex_uuid(uuid, sid);
        err = sl_buf_addf(&out, "%s%s", i ? "," : "", uuid);
        for (uint64_t k = 0; k < nint && !err; k++) {
            uint64_t start, end;
            (void)sl_cur_u64le(body, &start);
            (void)sl_cur_u64le(body, &end);
            if (end <= start) {
                sl_dec_errf(dec, ev, errstr, errstr_size, "empty interval %llu-%llu",
                            (unsigned long long)start, (unsigned long long)end);
                err = SL_ERR_PROTO;
            } else if (end - 1 == start) {
                err = sl_buf_addf(&out, ":%llu", (unsigned long long)start);
            } else {
                err = sl_buf_addf(&out, ":%llu-%llu", (unsigned long long)start,
                                  (unsigned long long)(end - 1));
            }
        }
    }
    if (err == SL_ERR_TOOBIG) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "GTID set text too long");
        err = SL_ERR_PROTO;
    }
    if (!err) {
        ev->kind = SL_EV_GTID_SET;
        ev->u.gtid_set.text = arena_copy(arena, (const uint8_t *)sl_buf_cstr(&out), out.len);
    }
    sl_buf_fini(&out);
    return err;
}

static sl_err_t decode_maria_gtid(struct sl_decoder *dec, struct sl_cur *body,
                                  struct sl_arena *arena, struct sl_event *ev, char *errstr,
                                  size_t errstr_size)
{
    uint64_t seq, commit_id = 0;
    uint32_t domain;
    uint8_t flags2;
    if (sl_cur_u64le(body, &seq) || sl_cur_u32le(body, &domain) || sl_cur_u8(body, &flags2) ||
        ((flags2 & 2) && sl_cur_u64le(body, &commit_id))) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "body too short");
        return SL_ERR_PROTO;
    }
    char text[64];
    snprintf(text, sizeof(text), "%u-%u-%llu", domain, ev->server_id, (unsigned long long)seq);
    ev->kind = SL_EV_GTID;
    ev->u.gtid.text = arena_copy(arena, (const uint8_t *)text, strlen(text));
    ev->u.gtid.flags = flags2;
    ev->u.gtid.last_committed = -1;
    ev->u.gtid.sequence_number = -1;
    ev->u.gtid.commit_id = commit_id;
    set_gtid(dec, ev, text);
    return SL_OK;
}

static sl_err_t decode_maria_gtid_list(struct sl_decoder *dec, struct sl_cur *body,
                                       struct sl_arena *arena, struct sl_event *ev,
                                       char *errstr, size_t errstr_size)
{
    uint32_t count;
    if (sl_cur_u32le(body, &count)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "body too short for the count");
        return SL_ERR_PROTO;
    }
    count &= 0x0fffffff; /* the top 4 bits are flags */
    if (count > sl_cur_left(body) / 16) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "%u GTIDs do not fit in %zu bytes", count,
                    sl_cur_left(body));
        return SL_ERR_PROTO;
    }
    struct sl_buf out;
    sl_buf_init(&out, (size_t)count * 48 + 16);
    sl_err_t err = SL_OK;
    for (uint32_t i = 0; i < count && !err; i++) {
        uint32_t domain, server;
        uint64_t seq;
        (void)sl_cur_u32le(body, &domain);
        (void)sl_cur_u32le(body, &server);
        (void)sl_cur_u64le(body, &seq);
        err = sl_buf_addf(&out, "%s%u-%u-%llu", i ? "," : "", domain, server,
                          (unsigned long long)seq);
    }
    ev->kind = SL_EV_GTID_SET;
    ev->u.gtid_set.text = arena_copy(arena, (const uint8_t *)sl_buf_cstr(&out), out.len);
    sl_buf_fini(&out);
    return err;
}

static void set_rows_query(struct sl_decoder *dec, const uint8_t *p, size_t n)
{
    sl_buf_reset(&dec->rows_query);
    if (n > dec->rows_query.max)
        n = dec->rows_query.max;
    dec->have_rows_query = sl_buf_add(&dec->rows_query, p, n) == SL_OK;
}

static sl_err_t decode_heartbeat_v2(struct sl_decoder *dec, struct sl_cur *body,
                                    struct sl_arena *arena, struct sl_event *ev, char *errstr,
                                    size_t errstr_size)
{
    ev->kind = SL_EV_HEARTBEAT;
    ev->u.heartbeat.file = arena_copy(arena, (const uint8_t *)"", 0);
    ev->u.heartbeat.pos = ev->log_pos;
    while (sl_cur_left(body) > 0) {
        uint64_t type, len;
        struct sl_cur val;
        if (sl_cur_lenenc(body, &type))
            goto bad;
        if (type == 0) /* end mark */
            break;
        if (sl_cur_lenenc(body, &len) || len > sl_cur_left(body) ||
            sl_cur_sub(body, (size_t)len, &val))
            goto bad;
        if (type == 1) {
            ev->u.heartbeat.file = arena_copy(arena, val.p, sl_cur_left(&val));
        } else if (type == 2) {
            uint64_t pos;
            if (sl_cur_lenenc(&val, &pos))
                goto bad;
            ev->u.heartbeat.pos = pos;
        }
    }
    return SL_OK;
bad:
    sl_dec_errf(dec, ev, errstr, errstr_size, "malformed field at body offset %zu",
                sl_cur_off(body));
    return SL_ERR_PROTO;
}

/* ---- TRANSACTION_PAYLOAD ---- */

static sl_err_t payload_grow(struct sl_decoder *dec, size_t need)
{
    if (need <= dec->payload_cap)
        return SL_OK;
    size_t cap = dec->payload_cap ? dec->payload_cap : 64 * 1024;
    while (cap < need)
        cap *= 2;
    dec->payload = sl_xrealloc(dec->payload, cap);
    dec->payload_cap = cap;
    return SL_OK;
}

/* zlib's deflate expands at most 1032:1, so a declared size beyond that is a lie. */
#define ZLIB_MAX_RATIO 1032

sl_err_t sl_dec_maria_uncompress(struct sl_decoder *dec, const struct sl_event *ev,
                                 const uint8_t *p, size_t n, const uint8_t **out,
                                 size_t *out_len, char *errstr, size_t errstr_size)
{
    if (n < 1 || (p[0] & 0x80) == 0) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "compressed body lacks its header byte");
        return SL_ERR_PROTO;
    }
    unsigned alg = (p[0] >> 4) & 7, lenlen = p[0] & 7;
    if (alg != 0) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "unknown compression algorithm %u (only 0, zlib, exists)", alg);
        return SL_ERR_UNSUPPORTED;
    }
    if (lenlen < 1 || lenlen > 4 || n < 1 + (size_t)lenlen) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "bad compressed length size %u in %zu bytes",
                    lenlen, n);
        return SL_ERR_PROTO;
    }
    uint64_t usize = 0;
    for (unsigned i = 0; i < lenlen; i++)
        usize = usize << 8 | p[1 + i];
    size_t clen = n - 1 - lenlen;
    if (usize == 0 || usize > (uint64_t)clen * ZLIB_MAX_RATIO) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "declared uncompressed size %llu impossible for %zu compressed bytes",
                    (unsigned long long)usize, clen);
        return SL_ERR_PROTO;
    }
    if (usize > SL_DECODER_PAYLOAD_MAX) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "uncompressed size %llu is over the %llu-byte limit",
                    (unsigned long long)usize, (unsigned long long)SL_DECODER_PAYLOAD_MAX);
        return SL_ERR_TOOBIG;
    }
    if (usize > dec->zbuf_cap) {
        size_t cap = dec->zbuf_cap ? dec->zbuf_cap : 64 * 1024;
        while (cap < usize)
            cap *= 2;
        sl_free(dec->zbuf);
        dec->zbuf = sl_xmalloc(cap);
        dec->zbuf_cap = cap;
    }
    uLongf got = (uLongf)usize;
    int zret = uncompress(dec->zbuf, &got, p + 1 + lenlen, (uLong)clen);
    if (zret != Z_OK || got != usize) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "zlib: %s (declared %llu bytes, got %lu)",
                    zret == Z_OK ? "short output" : zError(zret), (unsigned long long)usize,
                    (unsigned long)got);
        return SL_ERR_PROTO;
    }
    *out = dec->zbuf;
    *out_len = (size_t)usize;
    return SL_OK;
}

static sl_err_t decode_payload(struct sl_decoder *dec, struct sl_cur *body, struct sl_event *ev,
                               char *errstr, size_t errstr_size)
{
    uint64_t compression = 255, usize = 0, psize = 0;
    bool have_psize = false, have_usize = false;
    for (;;) {
        uint64_t type, len, val;
        struct sl_cur field;
        if (sl_cur_lenenc(body, &type))
            goto bad;
        if (type == 0)
            break;
        if (sl_cur_lenenc(body, &len) || sl_cur_sub(body, (size_t)len, &field))
            goto bad;
        if (type > 3)
            continue; /* unknown field: skipped by length */
        if (sl_cur_lenenc(&field, &val))
            goto bad;
        if (type == 1) {
            psize = val;
            have_psize = true;
        } else if (type == 2) {
            compression = val;
        } else {
            usize = val;
            have_usize = true;
        }
    }
    if (!have_psize)
        psize = sl_cur_left(body);
    if (psize != sl_cur_left(body)) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "payload size %llu but %zu bytes follow",
                    (unsigned long long)psize, sl_cur_left(body));
        return SL_ERR_PROTO;
    }
    ev->kind = SL_EV_PAYLOAD;
    ev->u.payload.compression = compression;
    ev->u.payload.payload_size = psize;
    ev->u.payload.uncompressed_size = usize;
    if (compression == 255) {
        usize = psize;
    } else if (compression != 0) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "unknown compression type %llu",
                    (unsigned long long)compression);
        return SL_ERR_UNSUPPORTED;
    } else if (!have_usize) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "no uncompressed size field");
        return SL_ERR_PROTO;
    }
    if (usize > SL_DECODER_PAYLOAD_MAX) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "uncompressed size %llu is over the %llu-byte limit",
                    (unsigned long long)usize, (unsigned long long)SL_DECODER_PAYLOAD_MAX);
        return SL_ERR_TOOBIG;
    }
    dec->payload_len = 0;
    dec->payload_off = 0;
    if (compression == 255) {
        payload_grow(dec, (size_t)usize);
        if (usize)
            memcpy(dec->payload, body->p, (size_t)usize);
        dec->payload_len = (size_t)usize;
    } else {
        /* Stream into a buffer that grows with the output actually produced, so a lying
         * size field cannot make us allocate more than the data needs. */
        ZSTD_DStream *zs = ZSTD_createDStream();
        if (!zs)
            sl_xmalloc(SIZE_MAX);
        ZSTD_initDStream(zs);
        ZSTD_inBuffer in = {body->p, sl_cur_left(body), 0};
        size_t ret = 1;
        sl_err_t err = SL_OK;
        while (ret != 0) {
            size_t want = dec->payload_len + 64 * 1024;
            if (want > usize + 1)
                want = (size_t)usize + 1; /* one spare byte detects overruns */
            payload_grow(dec, want);
            ZSTD_outBuffer out = {dec->payload, want, dec->payload_len};
            ret = ZSTD_decompressStream(zs, &out, &in);
            dec->payload_len = out.pos;
            if (ZSTD_isError(ret)) {
                sl_dec_errf(dec, ev, errstr, errstr_size, "zstd: %s", ZSTD_getErrorName(ret));
                err = SL_ERR_PROTO;
                break;
            }
            if (dec->payload_len > usize) {
                sl_dec_errf(dec, ev, errstr, errstr_size,
                            "decompresses to more than the declared %llu bytes",
                            (unsigned long long)usize);
                err = SL_ERR_PROTO;
                break;
            }
            if (ret != 0 && in.pos == in.size && out.pos < out.size) {
                sl_dec_errf(dec, ev, errstr, errstr_size, "zstd frame is truncated");
                err = SL_ERR_PROTO;
                break;
            }
        }
        ZSTD_freeDStream(zs);
        if (err)
            return err;
        if (in.pos != in.size || dec->payload_len != usize) {
            sl_dec_errf(dec, ev, errstr, errstr_size,
                        "decompressed %zu bytes (declared %llu), %zu input bytes left over",
                        dec->payload_len, (unsigned long long)usize, in.size - in.pos);
            return SL_ERR_PROTO;
        }
    }
    dec->in_payload = true;
    dec->outer = *ev;
    return SL_OK;
bad:
    sl_dec_errf(dec, ev, errstr, errstr_size, "malformed header field at body offset %zu",
                sl_cur_off(body));
    return SL_ERR_PROTO;
}

/* ---- Event dispatch ---- */

static bool is_rows_type(uint8_t t)
{
    return (t >= SL_BINLOG_WRITE_ROWS_V1 && t <= SL_BINLOG_DELETE_ROWS_V1) ||
           (t >= SL_BINLOG_WRITE_ROWS && t <= SL_BINLOG_DELETE_ROWS) ||
           t == SL_BINLOG_PARTIAL_UPDATE_ROWS ||
           (t >= SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED &&
            t <= SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED_V1);
}

/* Decodes one event whose header fields are already in ev and whose body (checksum
 * stripped) is body. */
static sl_err_t decode_body(struct sl_decoder *dec, struct sl_cur *body, struct sl_arena *arena,
                            struct sl_event *ev, char *errstr, size_t errstr_size)
{
    uint8_t t = ev->type;
    uint8_t ph = dec->post_header[t];
    switch (t) {
    case SL_BINLOG_FORMAT_DESCRIPTION:
        return decode_fde(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_ROTATE: {
        uint64_t pos = 4;
        if (ph >= 8 && sl_cur_u64le(body, &pos)) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "body too short for the position");
            return SL_ERR_PROTO;
        }
        if (ph > 8)
            (void)sl_cur_skip(body, ph - 8u);
        size_t n = sl_cur_left(body);
        ev->kind = SL_EV_ROTATE;
        ev->u.rotate.pos = pos;
        ev->u.rotate.file = arena_copy(arena, body->p, n);
        if (n > 0 && n < sizeof(dec->file)) {
            memcpy(dec->file, body->p, n);
            dec->file[n] = '\0';
        }
        return SL_OK;
    }
    case SL_BINLOG_QUERY:
    case SL_BINLOG_MARIA_QUERY_COMPRESSED:
        return decode_query(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_WRITE_ROWS_V0:
    case SL_BINLOG_UPDATE_ROWS_V0:
    case SL_BINLOG_DELETE_ROWS_V0:
        /* Never skip row changes silently: refuse what cannot be decoded. */
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "pre-GA rows event (MySQL 5.1.0-5.1.15 format) cannot be decoded; "
                    "its row changes would be lost");
        return SL_ERR_UNSUPPORTED;
    case SL_BINLOG_XID:
        if (sl_cur_u64le(body, &ev->u.xid.xid)) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "body too short for the xid");
            return SL_ERR_PROTO;
        }
        ev->kind = SL_EV_XID;
        dec->txn_started = false;
        dec->have_rows_query = false;
        return SL_OK;
    case SL_BINLOG_GTID:
    case SL_BINLOG_ANONYMOUS_GTID:
        return decode_gtid(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_GTID_TAGGED:
        return decode_gtid_tagged(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_PREVIOUS_GTIDS:
        return decode_previous_gtids(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_MARIA_GTID:
        return decode_maria_gtid(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_MARIA_GTID_LIST:
        return decode_maria_gtid_list(dec, body, arena, ev, errstr, errstr_size);
    case SL_BINLOG_MARIA_BINLOG_CHECKPOINT: {
        uint32_t n;
        const uint8_t *name;
        if (sl_cur_u32le(body, &n) || sl_cur_bytes(body, n, &name)) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "file name runs past the event");
            return SL_ERR_PROTO;
        }
        ev->kind = SL_EV_CHECKPOINT;
        ev->u.text.text = arena_copy(arena, name, n);
        return SL_OK;
    }
    case SL_BINLOG_ROWS_QUERY:
        /* The 1-byte length is the text length modulo 256: the text is the rest. */
        if (sl_cur_skip(body, 1)) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "empty body");
            return SL_ERR_PROTO;
        }
        /* fallthrough */
    case SL_BINLOG_MARIA_ANNOTATE_ROWS:
        ev->kind = SL_EV_ROWS_QUERY;
        ev->u.text.text = arena_copy(arena, body->p, sl_cur_left(body));
        set_rows_query(dec, body->p, sl_cur_left(body));
        return SL_OK;
    case SL_BINLOG_TABLE_MAP:
        ev->kind = SL_EV_TABLE_MAP;
        return sl_dec_table_map(dec, body, ph, ev, &ev->u.table_map.table, errstr, errstr_size);
    case SL_BINLOG_TRANSACTION_PAYLOAD:
        if (ev->inner) {
            sl_dec_errf(dec, ev, errstr, errstr_size, "nested transaction payload");
            return SL_ERR_PROTO;
        }
        return decode_payload(dec, body, ev, errstr, errstr_size);
    case SL_BINLOG_HEARTBEAT:
        ev->kind = SL_EV_HEARTBEAT;
        ev->u.heartbeat.file = arena_copy(arena, body->p, sl_cur_left(body));
        ev->u.heartbeat.pos = ev->log_pos;
        return SL_OK;
    case SL_BINLOG_HEARTBEAT_V2:
        return decode_heartbeat_v2(dec, body, arena, ev, errstr, errstr_size);
    default:
        break;
    }
    if (is_rows_type(t)) {
        ev->kind = SL_EV_ROWS;
        if (!dec->txn_started) {
            dec->txn_pos = ev->pos;
            dec->txn_started = true;
        }
        return sl_dec_rows(dec, body, ph, arena, ev, errstr, errstr_size);
    }
    ev->kind = SL_EV_OTHER; /* unknown, ignorable or not needed: skipped by length */
    return SL_OK;
}

static sl_err_t parse_header(const uint8_t *p, size_t len, struct sl_event *ev)
{
    if (len < SL_DEC_HEADER_LEN)
        return SL_ERR_PROTO;
    memset(ev, 0, sizeof(*ev));
    ev->timestamp = rd32(p);
    ev->type = p[4];
    ev->server_id = rd32(p + 5);
    ev->size = rd32(p + 9);
    ev->log_pos = rd32(p + 13);
    ev->flags = (uint16_t)(p[17] | p[18] << 8);
    return SL_OK;
}

sl_err_t sl_decoder_put(struct sl_decoder *dec, const void *data, size_t len, uint64_t pos,
                        char *errstr, size_t errstr_size)
{
    struct sl_event ev;
    dec->ev_pending = false;
    dec->in_payload = false;
    bool autopos = pos == SL_DECODER_POS_AUTO;
    if (autopos)
        pos = dec->next_pos;
    if (parse_header(data, len, &ev)) {
        snprintf(errstr, errstr_size, "%s:%llu: truncated event header (%zu of %d bytes)",
                 dec->file[0] ? dec->file : "binlog", (unsigned long long)pos, len,
                 SL_DEC_HEADER_LEN);
        return SL_ERR_PROTO;
    }
    /* Live streams: the header's end position is authoritative when present. */
    if (autopos && ev.log_pos >= ev.size && ev.log_pos != 0 &&
        ev.type != SL_BINLOG_HEARTBEAT && ev.type != SL_BINLOG_HEARTBEAT_V2)
        pos = ev.log_pos - ev.size;
    ev.pos = pos;
    if (ev.size != len) {
        sl_dec_errf(dec, &ev, errstr, errstr_size, "event size %u but %zu bytes given",
                    ev.size, len);
        return SL_ERR_PROTO;
    }
    dec->ev_data = data;
    dec->ev_len = len;
    dec->ev_pos = pos;
    dec->ev_pending = true;
    return SL_OK;
}

/* Whether this event carries a CRC32 trailer, and strips it after checking. */
static sl_err_t check_crc(struct sl_decoder *dec, const uint8_t *p, size_t *len,
                          struct sl_event *ev, char *errstr, size_t errstr_size)
{
    bool crc;
    if (ev->type == SL_BINLOG_FORMAT_DESCRIPTION) {
        /* The FDE describes its own trailer; decode_fde reads the algorithm byte. */
        size_t blen = *len - SL_DEC_HEADER_LEN;
        const uint8_t *b = p + SL_DEC_HEADER_LEN;
        if (blen < 57 + 5)
            return SL_OK; /* decode_fde reports the short body */
        char v[51];
        memcpy(v, b + 2, 50);
        v[50] = '\0';
        if (version_num(v) < 50601)
            return SL_OK;
        if (b[blen - 5] == 1) {
            /* The FDE's checksum is computed with LOG_EVENT_BINLOG_IN_USE_F clear. */
            uint8_t flags0 = p[17] & (uint8_t)~SL_BINLOG_F_IN_USE;
            uLong c = crc32(0L, p, 17);
            c = crc32(c, &flags0, 1);
            c = crc32(c, p + 18, (uInt)(*len - 4 - 18));
            if ((uint32_t)c != rd32(p + *len - 4)) {
                sl_dec_errf(dec, ev, errstr, errstr_size,
                            "checksum mismatch (event says %08x, bytes give %08x)",
                            rd32(p + *len - 4), (uint32_t)c);
                return SL_ERR_CHECKSUM;
            }
        }
        *len -= 4;
        return SL_OK;
    } else if (dec->checksum_mode == SL_DECODER_CHECKSUM_CRC32) {
        crc = true;
    } else if (dec->checksum_mode == SL_DECODER_CHECKSUM_NONE) {
        crc = false;
    } else if (dec->have_fde) {
        crc = dec->checksum_alg == 1;
    } else {
        /* Before the FDE (a live stream's fake ROTATE): a trailer that matches is one. */
        crc = *len >= SL_DEC_HEADER_LEN + 4 &&
              crc32(0L, p, (uInt)(*len - 4)) == rd32(p + *len - 4);
    }
    if (ev->type == SL_BINLOG_HEARTBEAT && crc &&
        crc32(0L, p, (uInt)(*len - 4)) != rd32(p + *len - 4))
        crc = false; /* some servers send heartbeats without a trailer */
    if (!crc)
        return SL_OK;
    if (*len < SL_DEC_HEADER_LEN + 4) {
        sl_dec_errf(dec, ev, errstr, errstr_size, "event too short for its checksum");
        return SL_ERR_PROTO;
    }
    uint32_t want = rd32(p + *len - 4);
    uint32_t got = (uint32_t)crc32(0L, p, (uInt)(*len - 4));
    if (want != got) {
        sl_dec_errf(dec, ev, errstr, errstr_size,
                    "checksum mismatch (event says %08x, bytes give %08x)", want, got);
        return SL_ERR_CHECKSUM;
    }
    *len -= 4;
    return SL_OK;
}

static sl_err_t next_inner(struct sl_decoder *dec, struct sl_arena *arena, struct sl_event *ev,
                           char *errstr, size_t errstr_size)
{
    size_t left = dec->payload_len - dec->payload_off;
    if (left == 0) {
        dec->in_payload = false;
        return SL_ERR_EOF;
    }
    const uint8_t *p = dec->payload + dec->payload_off;
    struct sl_event tmp;
    if (parse_header(p, left, &tmp) || tmp.size < SL_DEC_HEADER_LEN || tmp.size > left) {
        dec->in_payload = false;
        struct sl_event *o = &dec->outer;
        sl_dec_errf(dec, o, errstr, errstr_size,
                    "inner event at payload offset %zu is truncated (%zu bytes left)",
                    dec->payload_off, left);
        return SL_ERR_PROTO;
    }
    dec->payload_off += tmp.size;
    *ev = tmp;
    ev->inner = true;
    ev->pos = dec->outer.pos;
    ev->end_pos = dec->outer.end_pos;
    struct sl_cur body;
    sl_cur_init(&body, p + SL_DEC_HEADER_LEN, tmp.size - SL_DEC_HEADER_LEN);
    sl_err_t err = decode_body(dec, &body, arena, ev, errstr, errstr_size);
    if (err)
        dec->in_payload = false;
    return err;
}

sl_err_t sl_decoder_next(struct sl_decoder *dec, struct sl_arena *arena, struct sl_event *ev,
                         char *errstr, size_t errstr_size)
{
    if (dec->in_payload)
        return next_inner(dec, arena, ev, errstr, errstr_size);
    if (!dec->ev_pending)
        return SL_ERR_EOF;
    dec->ev_pending = false;
    const uint8_t *p = dec->ev_data;
    size_t len = dec->ev_len;
    (void)parse_header(p, len, ev);
    ev->pos = dec->ev_pos;
    ev->end_pos = dec->ev_pos + len;
    /* Heartbeats and artificial events (log_pos 0) are not in the file. */
    if (ev->type != SL_BINLOG_HEARTBEAT && ev->type != SL_BINLOG_HEARTBEAT_V2 &&
        ev->log_pos != 0)
        dec->next_pos = ev->end_pos;
    sl_err_t err = check_crc(dec, p, &len, ev, errstr, errstr_size);
    if (err)
        return err;
    struct sl_cur body;
    sl_cur_init(&body, p + SL_DEC_HEADER_LEN, len - SL_DEC_HEADER_LEN);
    err = decode_body(dec, &body, arena, ev, errstr, errstr_size);
    if (!err && ev->kind == SL_EV_ROTATE)
        dec->next_pos = ev->u.rotate.pos;
    return err;
}

sl_err_t sl_decoder_decode_one(struct sl_decoder *dec, const void *data, size_t len,
                               uint64_t pos, struct sl_arena *arena, struct sl_event *ev,
                               char *errstr, size_t errstr_size)
{
    sl_err_t err = sl_decoder_put(dec, data, len, pos, errstr, errstr_size);
    if (err)
        return err;
    err = sl_decoder_next(dec, arena, ev, errstr, errstr_size);
    if (err)
        return err;
    struct sl_event inner;
    while ((err = sl_decoder_next(dec, arena, &inner, errstr, errstr_size)) == SL_OK)
        ;
    return err == SL_ERR_EOF ? SL_OK : err;
}
