/* SPDX-License-Identifier: Apache-2.0 */
/* Java .properties files, parsed exactly as java.util.Properties.load() reads them, so users
 * can hand Sluice their Kafka Connect worker and connector files unchanged. Each entry
 * remembers the file and line it came from so errors can name them. */
#ifndef SL_CONF_PROPERTIES_H
#define SL_CONF_PROPERTIES_H

#include <stddef.h>

#include "core/err.h"

#define SL_PROPS_MAX_FILE ((size_t)1 << 20) /* 1 MiB */
#define SL_PROPS_MAX_LINES 100000u
#define SL_PROPS_MAX_ENTRIES 10000u

/* One key=value entry. key and value are owned, NUL-terminated UTF-8 (\uXXXX escapes are
 * encoded as UTF-8). file points at the owning sl_props' file name. line is the line where
 * the logical line starts (1-based); 0 for entries that did not come from a file. */
struct sl_prop {
    char *key;
    char *value;
    const char *file;
    unsigned line;
};

/* Entries in first-appearance order; a duplicate key replaces the value and line of the
 * first entry (last wins, as Properties.load). Fields are readable; only properties.c
 * writes them. */
struct sl_props {
    struct sl_prop *items;
    size_t n;
    size_t cap;
    char *file;     /* owned copy of the name given to parse/load */
    char *warnings; /* owned, one message per line ("file:line: ..."), NULL if none */
    unsigned nwarnings;
};

void sl_props_init(struct sl_props *props);
void sl_props_fini(struct sl_props *props);

/* Parses text (len bytes, need not be NUL-terminated) named file in messages. A UTF-8 BOM at
 * the start is skipped; CR, LF and CRLF all end lines. Duplicate keys add a warning to
 * props->warnings. Errors (SL_ERR_TOOBIG over the bounds above, SL_ERR_PROTO for a NUL byte
 * or a malformed \uXXXX) fill errstr with "file:line: reason". props must be freshly
 * initialised. */
sl_err_t sl_props_parse(struct sl_props *props, const char *file, const char *text, size_t len,
                        char *errstr, size_t errstr_size);

/* Reads path (at most SL_PROPS_MAX_FILE bytes) and parses it; SL_ERR_IO names the path and
 * the errno text. */
sl_err_t sl_props_load(struct sl_props *props, const char *path, char *errstr, size_t errstr_size);

/* Adds or replaces one entry (used for JSON/REST bodies); file may be NULL. */
void sl_props_set(struct sl_props *props, const char *key, const char *value, unsigned line);

/* The entry for key, or NULL. Borrowed. */
const struct sl_prop *sl_props_find(const struct sl_props *props, const char *key);
/* The value for key, or NULL. Borrowed. */
const char *sl_props_get(const struct sl_props *props, const char *key);

#endif
