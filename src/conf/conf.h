/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration engine (HOUSE_STYLE §8): every option of every configuration file is a
 * row in a declarative table (name, alias, type, offsetof, default, bounds, choices, flags,
 * doc) and this one engine applies defaults, .properties entries, ${env:VAR} and
 * ${file:path:key} references, validation, dumps and Markdown docs from the tables.
 * Kafka client settings, converter sub-keys and transforms.<name>.* are not re-declared:
 * they are collected as ordered key/value lists ("pass-through") for the stage that owns
 * them. A loaded configuration is immutable; stages read it, never write it. */
#ifndef SL_CONF_CONF_H
#define SL_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/properties.h"
#include "core/buf.h"
#include "core/err.h"

/* ---- Value types stored in configuration structs ---- */

/* SL_T_LIST: comma separated, items trimmed, empty items dropped. Owned strings. */
struct sl_conf_strlist {
    char **items;
    size_t n;
};

/* One pass-through entry: key with the prefix removed, value after ${...} resolution, and
 * where it came from (file NULL when not from a file). */
struct sl_conf_kv {
    char *key;
    char *value;
    const char *file;
    unsigned line;
};

/* Ordered pass-through entries, in file order. */
struct sl_conf_kvlist {
    struct sl_conf_kv *items;
    size_t n;
};

/* Named groups, e.g. transforms.unwrap.type -> {name "unwrap", props {"type": ...}}. */
struct sl_conf_group {
    char *name;
    struct sl_conf_kvlist props;
};

struct sl_conf_grouplist {
    struct sl_conf_group *items;
    size_t n;
};

/* The value of key in list, or NULL. Borrowed. */
const char *sl_conf_kvlist_get(const struct sl_conf_kvlist *list, const char *key);
/* The group named name, or NULL. Borrowed. */
const struct sl_conf_group *sl_conf_grouplist_get(const struct sl_conf_grouplist *list,
                                                  const char *name);
/* Whether s is one of the list items (exact). */
bool sl_conf_strlist_has(const struct sl_conf_strlist *list, const char *s);

/* ---- Tables ---- */

typedef enum {
    SL_T_STR,         /* char *, NULL when unset and no default */
    SL_T_PASSWORD,    /* char *, always treated as SL_OPT_SECRET */
    SL_T_BOOL,        /* bool; true/false, case-insensitive */
    SL_T_I64,         /* int64_t */
    SL_T_U32,         /* uint32_t */
    SL_T_DURATION_MS, /* int64_t milliseconds (plain whole number, as Kafka) */
    SL_T_SIZE,        /* uint64_t bytes (plain whole number) */
    SL_T_ENUM,        /* int: index into .enums (matched case-insensitively) */
    SL_T_LIST,        /* struct sl_conf_strlist */
} sl_opt_type_t;

enum {
    SL_OPT_SECRET = 1u << 0,     /* value shown as "[hidden]" in dumps and errors */
    SL_OPT_REQUIRED = 1u << 1,   /* missing -> error naming key and file */
    SL_OPT_RELOADABLE = 1u << 2, /* the REST API may change it at run time */
    SL_OPT_HIDDEN = 1u << 3,     /* accepted, left out of docs */
    SL_OPT_IGNORED = 1u << 4,    /* accepted for compatibility, has no effect (note logged) */
    SL_OPT_JAVA = 1u << 5,       /* names a Java class: recorded for the stage to map or refuse */
};

#define SL_CONF_HIDDEN_TEXT "[hidden]"

/* Extra check on an already-parsed value; field points at the struct member. On failure
 * writes a short reason ("must contain ${topic}") into why and returns SL_ERR_CONF. */
typedef sl_err_t (*sl_opt_validate_fn)(const void *field, char *why, size_t why_size);

struct sl_option {
    const char *name;  /* the name users write (Debezium 2.x name where renamed) */
    const char *alias; /* older spelling accepted too (Debezium 1.9 name), or NULL */
    sl_opt_type_t type;
    size_t off;               /* offsetof into the section's struct */
    const char *def;          /* default, as text parsed like a file value; NULL = unset */
    int64_t min, max;         /* numeric bounds (inclusive); both 0 = type's natural range */
    const char *const *enums; /* SL_T_ENUM choices, NULL-terminated */
    sl_opt_validate_fn validate;
    unsigned flags;
    const char *doc; /* one sentence */
};

typedef enum {
    SL_PT_LIST,  /* prefix + rest -> kvlist entry (key = rest) */
    SL_PT_GROUP, /* prefix + name + "." + rest -> grouplist[name] entry (key = rest) */
    SL_PT_NAMED, /* <name> "." rest, for each name in the LIST option .names_from */
} sl_pt_kind_t;

struct sl_passthrough {
    const char *prefix; /* e.g. "schema.history.internal.producer." */
    const char *alias;  /* older prefix, e.g. "database.history.producer.", or NULL */
    sl_pt_kind_t kind;
    size_t off;             /* offsetof a struct sl_conf_kvlist (LIST) or grouplist */
    const char *names_from; /* SL_PT_NAMED: the LIST option naming the groups */
    bool catch_all;         /* matched last; near-misses of known keys still warn */
    const char *doc;
};

/* A part of a table whose offsets are relative to base inside the top-level struct (so
 * common connector rows can be shared by the source and sink tables). */
struct sl_conf_section {
    const struct sl_option *options;          /* { NULL }-terminated */
    const struct sl_passthrough *passthrough; /* { NULL }-terminated, may be NULL */
    size_t base;
};

#define SL_CONF_MAX_SECTIONS 4

struct sl_conf_table {
    const char *name;  /* "worker", "mysql-source", "dynamodb-sink" */
    const char *title; /* heading in CONFIGURATION.md */
    const char *doc;   /* paragraph in CONFIGURATION.md */
    struct sl_conf_section sections[SL_CONF_MAX_SECTIONS]; /* unused sections have NULL */
    size_t size;                                           /* sizeof the top-level struct */
    /* Cross-field checks after all values are in, or NULL. Appends errors with
     * sl_conf_diag_error and returns SL_ERR_CONF if any. */
    sl_err_t (*check)(const struct sl_conf_table *table, void *conf, struct sl_buf *diag);
};

/* Where an option's value came from: file NULL = default (or set by a JSON body with no
 * line); spelled = the key as written (the name or its alias). */
struct sl_conf_origin {
    const char *file;
    unsigned line;
    const char *spelled;
    bool set;
};

/* First member of every top-level configuration struct. Private to conf.c. */
struct sl_conf_meta {
    const struct sl_conf_table *table;
    struct sl_conf_origin *origins; /* one per option, in table order */
    size_t norigins;
    char **files; /* owned file names the origins point at */
    size_t nfiles;
};

/* ---- Engine ---- */

/* Diagnostics: messages are appended to diag, one per line, as
 * "warning: file:line: key: text" / "error: file:line: key: text" / "note: ...". diag may be
 * NULL, then warnings and notes go to sl_log (facility CONF) and errors only to errstr. */

/* Zeroes conf (table->size bytes) and applies every default. */
void sl_conf_init(const struct sl_conf_table *table, void *conf);

/* Applies props on top of conf: exact names and aliases first, then pass-through prefixes;
 * resolves ${env:VAR} and ${file:/path:key}; validates types and bounds; then checks
 * REQUIRED options and table->check. Unknown keys are warnings (with a "did you mean" for a
 * known key within edit distance 2). Returns SL_ERR_CONF if any error was found, with the
 * first error in errstr (plus "(and N more errors)"). */
sl_err_t sl_conf_apply(const struct sl_conf_table *table, void *conf, const struct sl_props *props,
                       struct sl_buf *diag, char *errstr, size_t errstr_size);

/* sl_conf_init + sl_props_load(path) + sl_conf_apply. On error conf still needs
 * sl_conf_fini. */
sl_err_t sl_conf_load(const struct sl_conf_table *table, void *conf, const char *path,
                      struct sl_buf *diag, char *errstr, size_t errstr_size);

/* Frees everything the engine allocated inside conf; conf may then be re-initialised. */
void sl_conf_fini(void *conf);

/* The origin of the option called name (or alias) in conf, or NULL if no such option. */
const struct sl_conf_origin *sl_conf_origin_of(const void *conf, const char *name);
/* Whether the option was given explicitly (file or JSON), not left at its default. */
bool sl_conf_is_set(const void *conf, const char *name);

/* Writes "key=value\n" for every option (secrets as [hidden]) then every pass-through entry
 * with its full key (secret-looking keys such as *password*, *jaas.config*, *secret* are
 * masked too), in table order. Used by `sluice --dump-config` and GET /config. */
sl_err_t sl_conf_dump(const void *conf, struct sl_buf *out);

/* Markdown documentation of one table into out. */
sl_err_t sl_conf_doc_table(const struct sl_conf_table *table, struct sl_buf *out);

/* Markdown documentation of every table (docs/CONFIGURATION.md), deterministic. */
sl_err_t sl_conf_doc(struct sl_buf *out);
/* Writes sl_conf_doc() to path (`sluice config-doc FILE`). */
sl_err_t sl_conf_doc_write(const char *path, char *errstr, size_t errstr_size);

/* All built-in tables, NULL-terminated (worker, mysql-source, dynamodb-sink). */
extern const struct sl_conf_table *const sl_conf_tables[];

/* The built-in connector table for a connector.class value (FQCN or simple class name), or
 * NULL if none. */
const struct sl_conf_table *sl_conf_table_for_class(const char *connector_class);

/* Whether a pass-through or free-form key looks like it holds a secret. */
bool sl_conf_key_is_secret(const char *key);

/* Appends "error: <fmt>\n" to diag and counts it (used by table->check functions). */
void sl_conf_diag_error(struct sl_buf *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
