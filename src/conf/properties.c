/* SPDX-License-Identifier: Apache-2.0 */
/* Java .properties reader following java.util.Properties.load (its LineReader and
 * loadConvert): natural lines, comment lines, backslash continuations, key/value separators
 * and escapes. Bytes are taken as UTF-8 rather than ISO-8859-1, and a UTF-8 BOM is skipped. */
#include "conf/properties.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"

void sl_props_init(struct sl_props *props)
{
    memset(props, 0, sizeof(*props));
}

void sl_props_fini(struct sl_props *props)
{
    for (size_t i = 0; i < props->n; i++) {
        sl_free(props->items[i].key);
        sl_free(props->items[i].value);
    }
    sl_free(props->items);
    sl_free(props->file);
    sl_free(props->warnings);
    memset(props, 0, sizeof(*props));
}

const struct sl_prop *sl_props_find(const struct sl_props *props, const char *key)
{
    for (size_t i = 0; i < props->n; i++)
        if (strcmp(props->items[i].key, key) == 0)
            return &props->items[i];
    return NULL;
}

const char *sl_props_get(const struct sl_props *props, const char *key)
{
    const struct sl_prop *prop = sl_props_find(props, key);
    return prop ? prop->value : NULL;
}

static void add_warning(struct sl_props *props, const char *msg)
{
    size_t old = props->warnings ? strlen(props->warnings) : 0;
    size_t add = strlen(msg);
    props->warnings = sl_xrealloc(props->warnings, old + add + 2);
    memcpy(props->warnings + old, msg, add);
    props->warnings[old + add] = '\n';
    props->warnings[old + add + 1] = '\0';
    props->nwarnings++;
}

/* Takes ownership of key and value. */
static void put(struct sl_props *props, char *key, char *value, unsigned line)
{
    for (size_t i = 0; i < props->n; i++) {
        struct sl_prop *prop = &props->items[i];
        if (strcmp(prop->key, key) != 0)
            continue;
        if (prop->line && line) {
            char msg[512];
            snprintf(msg, sizeof(msg),
                     "%s:%u: duplicate key '%.200s' (first at line %u); the last value wins",
                     props->file ? props->file : "-", line, key, prop->line);
            add_warning(props, msg);
        }
        sl_free(prop->value);
        sl_free(key);
        prop->value = value;
        prop->line = line;
        return;
    }
    if (props->n == props->cap) {
        props->cap = props->cap ? props->cap * 2 : 16;
        props->items = sl_xrealloc(props->items, props->cap * sizeof(*props->items));
    }
    props->items[props->n++] = (struct sl_prop){key, value, props->file, line};
}

void sl_props_set(struct sl_props *props, const char *key, const char *value, unsigned line)
{
    put(props, sl_xstrdup(key), sl_xstrdup(value), line);
}

/* ---- loadConvert: escapes ---- */

static void put_utf8(struct sl_buf *buf, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    (void)sl_buf_add(buf, u, n); /* bounded by the file size limit */
}

/* Reads 4 hex digits at s[i..] (i < len). Returns -1 when malformed. */
static int32_t read_u4(const char *s, size_t len, size_t i)
{
    if (len - i < 4)
        return -1;
    int32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = sl_str_hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Decodes escapes of s[0..len) into a new string. Returns NULL with why filled on a
 * malformed \uXXXX or a lone UTF-16 surrogate (Java keeps lone surrogates; UTF-8 cannot). */
static char *unescape(const char *s, size_t len, const char **why)
{
    struct sl_buf buf;
    sl_buf_init(&buf, SL_PROPS_MAX_FILE * 2);
    (void)sl_buf_reserve(&buf, len);
    size_t i = 0;
    while (i < len) {
        char c = s[i++];
        if (c != '\\') {
            (void)sl_buf_addch(&buf, c);
            continue;
        }
        if (i == len)
            break; /* a final lone backslash is dropped, as Java does */
        c = s[i++];
        switch (c) {
        case 't':
            (void)sl_buf_addch(&buf, '\t');
            break;
        case 'n':
            (void)sl_buf_addch(&buf, '\n');
            break;
        case 'r':
            (void)sl_buf_addch(&buf, '\r');
            break;
        case 'f':
            (void)sl_buf_addch(&buf, '\f');
            break;
        case 'u': {
            int32_t cp = read_u4(s, len, i);
            if (cp < 0) {
                *why = "malformed \\uXXXX escape (expected 4 hex digits)";
                goto fail;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int32_t lo = -1;
                if (len - i >= 6 && s[i] == '\\' && s[i + 1] == 'u')
                    lo = read_u4(s, len, i + 2);
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    *why = "\\u escape is a lone UTF-16 high surrogate";
                    goto fail;
                }
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                *why = "\\u escape is a lone UTF-16 low surrogate";
                goto fail;
            } else if (cp == 0) {
                *why = "\\u0000 (NUL) is not allowed";
                goto fail;
            }
            put_utf8(&buf, (uint32_t)cp);
            break;
        }
        default:
            (void)sl_buf_addch(&buf, c);
            break;
        }
    }
    if (buf.len == 0) {
        sl_buf_fini(&buf);
        return sl_xstrdup("");
    }
    return sl_buf_take(&buf, NULL);
fail:
    sl_buf_fini(&buf);
    return NULL;
}

/* ---- LineReader ---- */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* Splits one logical line (continuations already joined, escapes intact) into key and
 * value, as Properties.load0. */
static sl_err_t split_line(struct sl_props *props, const char *line, size_t len, unsigned lineno,
                           char *errstr, size_t errstr_size)
{
    size_t key_len = 0, value_start = len;
    bool has_sep = false, backslash = false;
    while (key_len < len) {
        char c = line[key_len];
        if ((c == '=' || c == ':') && !backslash) {
            value_start = key_len + 1;
            has_sep = true;
            break;
        }
        if (is_ws(c) && !backslash) {
            value_start = key_len + 1;
            break;
        }
        backslash = c == '\\' ? !backslash : false;
        key_len++;
    }
    while (value_start < len) {
        char c = line[value_start];
        if (!is_ws(c)) {
            if (!has_sep && (c == '=' || c == ':'))
                has_sep = true;
            else
                break;
        }
        value_start++;
    }
    const char *why = NULL;
    char *key = unescape(line, key_len, &why);
    if (!key) {
        snprintf(errstr, errstr_size, "%s:%u: key: %s", props->file, lineno, why);
        return SL_ERR_PROTO;
    }
    char *value = unescape(line + value_start, len - value_start, &why);
    if (!value) {
        snprintf(errstr, errstr_size, "%s:%u: %.200s: %s", props->file, lineno, key, why);
        sl_free(key);
        return SL_ERR_PROTO;
    }
    if (props->n >= SL_PROPS_MAX_ENTRIES && !sl_props_find(props, key)) {
        snprintf(errstr, errstr_size, "%s:%u: more than %u keys", props->file, lineno,
                 SL_PROPS_MAX_ENTRIES);
        sl_free(key);
        sl_free(value);
        return SL_ERR_TOOBIG;
    }
    put(props, key, value, lineno);
    return SL_OK;
}

sl_err_t sl_props_parse(struct sl_props *props, const char *file, const char *text, size_t len,
                        char *errstr, size_t errstr_size)
{
    sl_free(props->file);
    props->file = sl_xstrdup(file ? file : "-");
    if (len > SL_PROPS_MAX_FILE) {
        snprintf(errstr, errstr_size, "%s: file is %zu bytes, more than the %zu byte limit",
                 props->file, len, SL_PROPS_MAX_FILE);
        return SL_ERR_TOOBIG;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        unsigned ln = 1;
        for (const char *p = text; p < nul; p++)
            ln += *p == '\n' || (*p == '\r' && (p + 1 == nul || p[1] != '\n'));
        snprintf(errstr, errstr_size, "%s:%u: NUL byte in file (not a text file?)", props->file,
                 ln);
        return SL_ERR_PROTO;
    }
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;

    struct sl_buf logical;
    sl_buf_init(&logical, SL_PROPS_MAX_FILE);
    unsigned lineno = 0, start_line = 0;
    bool in_logical = false; /* the previous natural line ended in a continuation */
    sl_err_t err = SL_OK;
    while (pos < len) {
        /* One natural line: [pos, end), then its terminator (LF, CR or CRLF). */
        size_t end = pos;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        size_t next = end;
        if (next < len)
            next += (text[next] == '\r' && next + 1 < len && text[next + 1] == '\n') ? 2 : 1;
        lineno++;
        if (lineno > SL_PROPS_MAX_LINES) {
            snprintf(errstr, errstr_size, "%s:%u: more than %u lines", props->file, lineno,
                     SL_PROPS_MAX_LINES);
            err = SL_ERR_TOOBIG;
            goto out;
        }
        size_t s = pos;
        while (s < end && is_ws(text[s]))
            s++;
        pos = next;
        if (!in_logical) {
            /* Blank and comment lines; a comment line never continues. */
            if (s == end || text[s] == '#' || text[s] == '!')
                continue;
            start_line = lineno;
        }
        size_t nbs = 0;
        while (nbs < end - s && text[end - 1 - nbs] == '\\')
            nbs++;
        bool cont = nbs % 2 == 1;
        (void)sl_buf_add(&logical, text + s, end - s - (cont ? 1 : 0));
        in_logical = cont;
        if (cont && pos < len)
            continue;
        in_logical = false;
        if (logical.len > 0)
            err = split_line(props, logical.data, logical.len, start_line, errstr, errstr_size);
        sl_buf_reset(&logical);
        if (err)
            goto out;
    }
out:
    sl_buf_fini(&logical);
    return err;
}

sl_err_t sl_props_load(struct sl_props *props, const char *path, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(errstr, errstr_size, "%s: cannot open: %s", path, strerror(errno));
        return SL_ERR_IO;
    }
    char *data = sl_xmalloc(SL_PROPS_MAX_FILE + 1);
    size_t len = fread(data, 1, SL_PROPS_MAX_FILE + 1, fp);
    sl_err_t err = SL_OK;
    if (ferror(fp)) {
        snprintf(errstr, errstr_size, "%s: read error: %s", path, strerror(errno));
        err = SL_ERR_IO;
    }
    fclose(fp);
    if (!err)
        err = sl_props_parse(props, path, data, len, errstr, errstr_size);
    sl_free(data);
    return err;
}
