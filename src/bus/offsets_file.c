/* SPDX-License-Identifier: Apache-2.0 */
/* File-backed source offset store and the Debezium offset codec; see offsets_file.h. The JSON
 * here is small and flat, so a strict little reader (validate, compact, decode strings) is
 * enough and keeps this stage free of a JSON library. */
#include "bus/offsets_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/str.h"
#include "core/time.h"

#define LINE_MAX_BYTES ((size_t)1 << 20)
#define FILE_MAX_BYTES ((size_t)64 << 20)
#define DEPTH_MAX 32

/* ---- A strict JSON reader ---- */

struct rd {
    const char *p, *end;
};

static void ws(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool lit(struct rd *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static bool hex4(struct rd *r, uint32_t *cp)
{
    if (r->end - r->p < 4)
        return false;
    *cp = 0;
    for (int i = 0; i < 4; i++) {
        int v = sl_str_hexval(r->p[i]);
        if (v < 0)
            return false;
        *cp = *cp << 4 | (uint32_t)v;
    }
    r->p += 4;
    return true;
}

static sl_err_t add_utf8(struct sl_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return sl_buf_add(out, b, n);
}

/* Reads a string at r->p ('"'). With dec, appends the decoded bytes; with raw, the source text
 * including quotes. */
static sl_err_t str(struct rd *r, struct sl_buf *dec, struct sl_buf *raw)
{
    const char *start = r->p;
    if (r->p >= r->end || *r->p != '"')
        return SL_ERR_PROTO;
    r->p++;
    for (;;) {
        if (r->p >= r->end)
            return SL_ERR_PROTO;
        unsigned char c = (unsigned char)*r->p;
        if (c == '"')
            break;
        if (c < 0x20)
            return SL_ERR_PROTO;
        if (c != '\\') {
            if (dec && sl_buf_addch(dec, (char)c))
                return SL_ERR_TOOBIG;
            r->p++;
            continue;
        }
        r->p++;
        if (r->p >= r->end)
            return SL_ERR_PROTO;
        char e = *r->p++;
        uint32_t cp;
        switch (e) {
        case '"':
            cp = '"';
            break;
        case '\\':
            cp = '\\';
            break;
        case '/':
            cp = '/';
            break;
        case 'b':
            cp = '\b';
            break;
        case 'f':
            cp = '\f';
            break;
        case 'n':
            cp = '\n';
            break;
        case 'r':
            cp = '\r';
            break;
        case 't':
            cp = '\t';
            break;
        case 'u':
            if (!hex4(r, &cp))
                return SL_ERR_PROTO;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo;
                if (!lit(r, "\\u") || !hex4(r, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return SL_ERR_PROTO;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return SL_ERR_PROTO;
            }
            break;
        default:
            return SL_ERR_PROTO;
        }
        if (dec && add_utf8(dec, cp))
            return SL_ERR_TOOBIG;
    }
    r->p++;
    if (raw && sl_buf_add(raw, start, (size_t)(r->p - start)))
        return SL_ERR_TOOBIG;
    return SL_OK;
}

static sl_err_t number(struct rd *r, struct sl_buf *raw)
{
    const char *start = r->p;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9')
        return SL_ERR_PROTO;
    if (*r->p == '0')
        r->p++;
    else
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return SL_ERR_PROTO;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return SL_ERR_PROTO;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    return raw ? sl_buf_add(raw, start, (size_t)(r->p - start)) : SL_OK;
}

/* Validates one value and appends it to raw without insignificant whitespace. */
static sl_err_t value(struct rd *r, struct sl_buf *raw, int depth)
{
    if (depth > DEPTH_MAX)
        return SL_ERR_PROTO;
    ws(r);
    if (r->p >= r->end)
        return SL_ERR_PROTO;
    char c = *r->p;
    if (c == '"')
        return str(r, NULL, raw);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->p++;
        sl_err_t err = sl_buf_addch(raw, c);
        if (err)
            return err;
        ws(r);
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return sl_buf_addch(raw, close);
        }
        for (;;) {
            ws(r);
            if (c == '{') {
                err = str(r, NULL, raw);
                if (err)
                    return err;
                ws(r);
                if (r->p >= r->end || *r->p != ':')
                    return SL_ERR_PROTO;
                r->p++;
                err = sl_buf_addch(raw, ':');
                if (err)
                    return err;
            }
            err = value(r, raw, depth + 1);
            if (err)
                return err;
            ws(r);
            if (r->p >= r->end)
                return SL_ERR_PROTO;
            if (*r->p == ',') {
                r->p++;
                err = sl_buf_addch(raw, ',');
                if (err)
                    return err;
                continue;
            }
            if (*r->p != close)
                return SL_ERR_PROTO;
            r->p++;
            return sl_buf_addch(raw, close);
        }
    }
    const char *start = r->p;
    if (lit(r, "true") || lit(r, "false") || lit(r, "null"))
        return sl_buf_add(raw, start, (size_t)(r->p - start));
    return number(r, raw);
}

/* The whole text must be one JSON object; appends its compact form. */
static sl_err_t compact_object(const char *s, size_t len, struct sl_buf *out)
{
    struct rd r = {s, s + len};
    ws(&r);
    if (r.p >= r.end || *r.p != '{')
        return SL_ERR_PROTO;
    sl_err_t err = value(&r, out, 0);
    if (err)
        return err;
    ws(&r);
    return r.p == r.end ? SL_OK : SL_ERR_PROTO;
}

/* ---- Debezium offset codec ---- */

void sl_source_offset_fini(struct sl_source_offset *off)
{
    sl_free(off->file);
    sl_free(off->gtids);
    memset(off, 0, sizeof(*off));
}

sl_err_t sl_source_offset_encode(const struct sl_source_offset *off, struct sl_buf *buf)
{
    sl_err_t err = sl_buf_addstr(buf, "{\"file\":");
    if (!err)
        err = sl_json_str(buf, off->file ? off->file : "", off->file ? strlen(off->file) : 0);
    if (!err)
        err = sl_buf_addf(buf, ",\"pos\":%lld", (long long)off->pos);
    if (!err && off->gtids) {
        err = sl_buf_addstr(buf, ",\"gtids\":");
        if (!err)
            err = sl_json_str(buf, off->gtids, strlen(off->gtids));
    }
    if (!err && off->event)
        err = sl_buf_addf(buf, ",\"event\":%lld", (long long)off->event);
    if (!err && off->row)
        err = sl_buf_addf(buf, ",\"row\":%lld", (long long)off->row);
    if (!err && off->server_id)
        err = sl_buf_addf(buf, ",\"server_id\":%lld", (long long)off->server_id);
    if (!err && off->ts_sec)
        err = sl_buf_addf(buf, ",\"ts_sec\":%lld", (long long)off->ts_sec);
    if (!err && off->snapshot)
        err = sl_buf_addstr(buf, ",\"snapshot\":true");
    if (!err && off->snapshot_completed)
        err = sl_buf_addstr(buf, ",\"snapshot_completed\":true");
    if (!err)
        err = sl_buf_addch(buf, '}');
    return err;
}

static sl_err_t want_int(const char *key, const struct sl_buf *raw, bool is_str, int64_t *out,
                         char *errstr, size_t errstr_size)
{
    if (is_str || sl_parse_i64(sl_buf_cstr(raw), out)) {
        snprintf(errstr, errstr_size, "offset key \"%s\": expected an integer", key);
        return SL_ERR_PROTO;
    }
    return SL_OK;
}

sl_err_t sl_source_offset_decode(const char *json, size_t len, struct sl_source_offset *off,
                                 char *errstr, size_t errstr_size)
{
    memset(off, 0, sizeof(*off));
    struct rd r = {json, json + len};
    struct sl_buf key, val;
    sl_buf_init(&key, 4096);
    sl_buf_init(&val, LINE_MAX_BYTES);
    sl_err_t err = SL_ERR_PROTO;
    bool have_pos = false;
    ws(&r);
    if (r.p >= r.end || *r.p != '{') {
        snprintf(errstr, errstr_size, "offset: expected a JSON object");
        goto out;
    }
    r.p++;
    ws(&r);
    if (r.p < r.end && *r.p == '}') {
        r.p++;
        goto done;
    }
    for (;;) {
        ws(&r);
        sl_buf_reset(&key);
        sl_buf_reset(&val);
        if (str(&r, &key, NULL)) {
            snprintf(errstr, errstr_size, "offset: malformed key at byte %zu",
                     (size_t)(r.p - json));
            goto out;
        }
        ws(&r);
        if (r.p >= r.end || *r.p != ':') {
            snprintf(errstr, errstr_size, "offset key \"%s\": expected ':'", key.data);
            goto out;
        }
        r.p++;
        ws(&r);
        bool is_str = r.p < r.end && *r.p == '"';
        err = is_str ? str(&r, &val, NULL) : value(&r, &val, 0);
        if (err) {
            snprintf(errstr, errstr_size, "offset key \"%s\": malformed value", key.data);
            err = SL_ERR_PROTO;
            goto out;
        }
        err = SL_ERR_PROTO;
        const char *k = sl_buf_cstr(&key);
        const char *v = sl_buf_cstr(&val);
        if (strcmp(k, "file") == 0) {
            if (!is_str) {
                snprintf(errstr, errstr_size, "offset key \"file\": expected a string");
                goto out;
            }
            sl_free(off->file);
            off->file = sl_xstrdup(v);
        } else if (strcmp(k, "gtids") == 0) {
            if (is_str) {
                sl_free(off->gtids);
                off->gtids = sl_xstrdup(v);
            } else if (strcmp(v, "null") != 0) {
                snprintf(errstr, errstr_size, "offset key \"gtids\": expected a string");
                goto out;
            }
        } else if (strcmp(k, "pos") == 0) {
            if (want_int(k, &val, is_str, &off->pos, errstr, errstr_size))
                goto out;
            have_pos = true;
        } else if (strcmp(k, "event") == 0) {
            if (want_int(k, &val, is_str, &off->event, errstr, errstr_size))
                goto out;
        } else if (strcmp(k, "row") == 0) {
            if (want_int(k, &val, is_str, &off->row, errstr, errstr_size))
                goto out;
        } else if (strcmp(k, "server_id") == 0) {
            if (want_int(k, &val, is_str, &off->server_id, errstr, errstr_size))
                goto out;
        } else if (strcmp(k, "ts_sec") == 0) {
            if (want_int(k, &val, is_str, &off->ts_sec, errstr, errstr_size))
                goto out;
        } else if (strcmp(k, "snapshot") == 0 || strcmp(k, "snapshot_completed") == 0) {
            /* 1.9 writes true; 3.x a string enum (INITIAL, BLOCKING, ...); "false"/false/null
             * mean not running. */
            bool on = is_str ? (strcmp(v, "false") != 0 && v[0] != '\0') : strcmp(v, "true") == 0;
            if (!is_str && strcmp(v, "true") != 0 && strcmp(v, "false") != 0 &&
                strcmp(v, "null") != 0) {
                snprintf(errstr, errstr_size, "offset key \"%s\": expected a boolean", k);
                goto out;
            }
            if (k[8] == '\0')
                off->snapshot = on;
            else
                off->snapshot_completed = on;
        }
        ws(&r);
        if (r.p < r.end && *r.p == ',') {
            r.p++;
            continue;
        }
        if (r.p < r.end && *r.p == '}') {
            r.p++;
            break;
        }
        snprintf(errstr, errstr_size, "offset: expected ',' or '}' after key \"%s\"", k);
        goto out;
    }
done:
    ws(&r);
    if (r.p != r.end) {
        snprintf(errstr, errstr_size, "offset: text after the JSON object");
        goto out;
    }
    if (!off->file || !have_pos) {
        snprintf(errstr, errstr_size, "offset: \"%s\" is required", !off->file ? "file" : "pos");
        goto out;
    }
    err = SL_OK;
out:
    if (err)
        sl_source_offset_fini(off);
    sl_buf_fini(&key);
    sl_buf_fini(&val);
    return err;
}

/* ---- The store ---- */

struct entry {
    char *connector;
    char *partition; /* compact JSON object */
    char *offset;    /* compact JSON object */
};

struct sl_offsets_file {
    char *path;
    struct entry *entries;
    size_t cnt, cap;
    bool dirty;
    int64_t last_flush_ms;
};

static struct entry *find(struct sl_offsets_file *of, const char *connector, const char *partition)
{
    for (size_t i = 0; i < of->cnt; i++) {
        if (strcmp(of->entries[i].connector, connector) == 0 &&
            strcmp(of->entries[i].partition, partition) == 0)
            return &of->entries[i];
    }
    return NULL;
}

static void set_entry(struct sl_offsets_file *of, const char *connector, const char *partition,
                      const char *offset)
{
    struct entry *e = find(of, connector, partition);
    if (e) {
        if (!offset) {
            sl_free(e->connector);
            sl_free(e->partition);
            sl_free(e->offset);
            *e = of->entries[--of->cnt];
            return;
        }
        sl_free(e->offset);
        e->offset = sl_xstrdup(offset);
        return;
    }
    if (!offset)
        return;
    if (of->cnt == of->cap) {
        of->cap = of->cap ? of->cap * 2 : 8;
        of->entries = sl_xrealloc(of->entries, of->cap * sizeof(*of->entries));
    }
    e = &of->entries[of->cnt++];
    e->connector = sl_xstrdup(connector);
    e->partition = sl_xstrdup(partition);
    e->offset = sl_xstrdup(offset);
}

/* Parses one record line: {"key":["<connector>",{...}],"value":{...}} (any key order). */
static sl_err_t parse_line(struct sl_offsets_file *of, const char *line, size_t len)
{
    struct rd r = {line, line + len};
    struct sl_buf name, conn, part, off;
    sl_buf_init(&name, 64);
    sl_buf_init(&conn, 4096);
    sl_buf_init(&part, LINE_MAX_BYTES);
    sl_buf_init(&off, LINE_MAX_BYTES);
    sl_err_t err = SL_ERR_PROTO;
    bool have_key = false, have_value = false;
    ws(&r);
    if (r.p >= r.end || *r.p++ != '{')
        goto out;
    for (;;) {
        ws(&r);
        sl_buf_reset(&name);
        if (str(&r, &name, NULL))
            goto out;
        ws(&r);
        if (r.p >= r.end || *r.p++ != ':')
            goto out;
        ws(&r);
        if (strcmp(sl_buf_cstr(&name), "key") == 0 && !have_key) {
            if (r.p >= r.end || *r.p++ != '[')
                goto out;
            ws(&r);
            if (str(&r, &conn, NULL))
                goto out;
            ws(&r);
            if (r.p >= r.end || *r.p++ != ',')
                goto out;
            ws(&r);
            if (r.p >= r.end || *r.p != '{' || value(&r, &part, 0))
                goto out;
            ws(&r);
            if (r.p >= r.end || *r.p++ != ']')
                goto out;
            have_key = true;
        } else if (strcmp(sl_buf_cstr(&name), "value") == 0 && !have_value) {
            if (r.p >= r.end || *r.p != '{' || value(&r, &off, 0))
                goto out;
            have_value = true;
        } else {
            goto out;
        }
        ws(&r);
        if (r.p < r.end && *r.p == ',') {
            r.p++;
            continue;
        }
        if (r.p < r.end && *r.p == '}') {
            r.p++;
            break;
        }
        goto out;
    }
    ws(&r);
    if (r.p != r.end || !have_key || !have_value)
        goto out;
    set_entry(of, sl_buf_cstr(&conn), sl_buf_cstr(&part), sl_buf_cstr(&off));
    err = SL_OK;
out:
    sl_buf_fini(&name);
    sl_buf_fini(&conn);
    sl_buf_fini(&part);
    sl_buf_fini(&off);
    return err;
}

static const char header[] = "{\"format\":\"sluice-offsets\",\"version\":1}";

static sl_err_t load(struct sl_offsets_file *of, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(of->path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return SL_OK;
        snprintf(errstr, errstr_size, "offsets file %s: %s", of->path, strerror(errno));
        return SL_ERR_IO;
    }
    sl_err_t err = SL_OK;
    char *line = NULL;
    size_t line_cap = 0, total = 0;
    ssize_t n;
    size_t lineno = 0;
    while ((n = getline(&line, &line_cap, f)) >= 0) {
        lineno++;
        total += (size_t)n;
        if ((size_t)n > LINE_MAX_BYTES || total > FILE_MAX_BYTES) {
            snprintf(errstr, errstr_size, "offsets file %s line %zu: too large", of->path, lineno);
            err = SL_ERR_TOOBIG;
            break;
        }
        size_t len = (size_t)n;
        if (len == 0 || line[len - 1] != '\n') {
            /* Every line we write ends in \n; a line without one is a torn write. */
            snprintf(errstr, errstr_size, "offsets file %s line %zu: truncated (no newline)",
                     of->path, lineno);
            err = SL_ERR_PROTO;
            break;
        }
        len--;
        if (lineno == 1) {
            if (len != sizeof(header) - 1 || memcmp(line, header, len) != 0) {
                snprintf(errstr, errstr_size,
                         "offsets file %s line 1: not a Sluice offsets file (expected %s)",
                         of->path, header);
                err = SL_ERR_PROTO;
                break;
            }
            continue;
        }
        if (parse_line(of, line, len)) {
            snprintf(errstr, errstr_size,
                     "offsets file %s line %zu: expected {\"key\":[\"<connector>\",{...}],"
                     "\"value\":{...}}",
                     of->path, lineno);
            err = SL_ERR_PROTO;
            break;
        }
    }
    if (!err && ferror(f)) {
        snprintf(errstr, errstr_size, "offsets file %s: read error", of->path);
        err = SL_ERR_IO;
    }
    if (!err && lineno == 0) {
        snprintf(errstr, errstr_size, "offsets file %s: empty (expected the header line)",
                 of->path);
        err = SL_ERR_PROTO;
    }
    /* getline allocates with malloc; sl_free is free underneath. */
    sl_free(line);
    fclose(f);
    return err;
}

sl_err_t sl_offsets_file_open(const char *path, struct sl_offsets_file **out, char *errstr,
                              size_t errstr_size)
{
    struct sl_offsets_file *of = sl_xcalloc(1, sizeof(*of));
    of->path = sl_xstrdup(path);
    of->last_flush_ms = sl_time_mono_ms();
    struct sl_buf tmp;
    sl_buf_init(&tmp, 8192);
    if (sl_buf_addf(&tmp, "%s.tmp", path) == SL_OK)
        unlink(tmp.data); /* a crash mid-write leaves it; the real file is intact */
    sl_buf_fini(&tmp);
    sl_err_t err = load(of, errstr, errstr_size);
    if (err) {
        sl_offsets_file_free(of);
        return err;
    }
    *out = of;
    return SL_OK;
}

void sl_offsets_file_free(struct sl_offsets_file *of)
{
    if (!of)
        return;
    for (size_t i = 0; i < of->cnt; i++) {
        sl_free(of->entries[i].connector);
        sl_free(of->entries[i].partition);
        sl_free(of->entries[i].offset);
    }
    sl_free(of->entries);
    sl_free(of->path);
    sl_free(of);
}

sl_err_t sl_offsets_file_get(struct sl_offsets_file *of, const char *connector,
                             const char *partition_json, struct sl_buf *out)
{
    struct sl_buf part;
    sl_buf_init(&part, LINE_MAX_BYTES);
    sl_err_t err = compact_object(partition_json, strlen(partition_json), &part);
    if (!err) {
        struct entry *e = find(of, connector, sl_buf_cstr(&part));
        err = e ? sl_buf_addstr(out, e->offset) : SL_ERR_NOTFOUND;
    }
    sl_buf_fini(&part);
    return err;
}

sl_err_t sl_offsets_file_put(struct sl_offsets_file *of, const char *connector,
                             const char *partition_json, const char *offset_json)
{
    struct sl_buf part, off;
    sl_buf_init(&part, LINE_MAX_BYTES);
    sl_buf_init(&off, LINE_MAX_BYTES);
    sl_err_t err = compact_object(partition_json, strlen(partition_json), &part);
    if (!err && offset_json)
        err = compact_object(offset_json, strlen(offset_json), &off);
    if (!err) {
        set_entry(of, connector, sl_buf_cstr(&part), offset_json ? sl_buf_cstr(&off) : NULL);
        of->dirty = true;
    }
    sl_buf_fini(&part);
    sl_buf_fini(&off);
    return err == SL_ERR_TOOBIG ? SL_ERR_TOOBIG : err ? SL_ERR_PROTO : SL_OK;
}

static sl_err_t write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return SL_ERR_IO;
        p += w;
        n -= (size_t)w;
    }
    return SL_OK;
}

sl_err_t sl_offsets_file_flush(struct sl_offsets_file *of, char *errstr, size_t errstr_size)
{
    if (!of->dirty)
        return SL_OK;
    struct sl_buf text, tmp;
    sl_buf_init(&text, FILE_MAX_BYTES);
    sl_buf_init(&tmp, 8192);
    sl_err_t err = sl_buf_addf(&tmp, "%s.tmp", of->path);
    if (!err)
        err = sl_buf_addf(&text, "%s\n", header);
    for (size_t i = 0; i < of->cnt && !err; i++) {
        const struct entry *e = &of->entries[i];
        err = sl_buf_addstr(&text, "{\"key\":[");
        if (!err)
            err = sl_json_str(&text, e->connector, strlen(e->connector));
        if (!err)
            err = sl_buf_addf(&text, ",%s],\"value\":%s}\n", e->partition, e->offset);
    }
    if (err) {
        snprintf(errstr, errstr_size, "offsets file %s: too large", of->path);
        goto out;
    }
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "offsets file %s: %s", tmp.data, strerror(errno));
        err = SL_ERR_IO;
        goto out;
    }
    err = write_all(fd, text.data, text.len);
    if (!err && fsync(fd) != 0)
        err = SL_ERR_IO;
    int saved = errno;
    if (close(fd) != 0 && !err) {
        saved = errno;
        err = SL_ERR_IO;
    }
    if (!err && rename(tmp.data, of->path) != 0) {
        saved = errno;
        err = SL_ERR_IO;
    }
    if (err) {
        snprintf(errstr, errstr_size, "offsets file %s: %s", tmp.data, strerror(saved));
        unlink(tmp.data);
        goto out;
    }
    /* The rename is durable only once the directory entry is. */
    char *slash = strrchr(of->path, '/');
    struct sl_buf dir;
    sl_buf_init(&dir, 8192);
    if (slash ? sl_buf_add(&dir, of->path, (size_t)(slash - of->path) + 1) == SL_OK
              : sl_buf_addstr(&dir, ".") == SL_OK) {
        int dfd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    sl_buf_fini(&dir);
    of->dirty = false;
    of->last_flush_ms = sl_time_mono_ms();
out:
    sl_buf_fini(&text);
    sl_buf_fini(&tmp);
    return err;
}

sl_err_t sl_offsets_file_tick(struct sl_offsets_file *of, int64_t now_ms, int64_t interval_ms,
                              char *errstr, size_t errstr_size)
{
    if (now_ms - of->last_flush_ms < interval_ms)
        return SL_OK;
    sl_err_t err = sl_offsets_file_flush(of, errstr, errstr_size);
    of->last_flush_ms = now_ms;
    return err;
}

size_t sl_offsets_file_count(const struct sl_offsets_file *of)
{
    return of->cnt;
}
