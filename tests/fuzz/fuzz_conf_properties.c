/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the configuration front end: the input is a .properties file, parsed
 * with sl_props_parse and then applied to every built-in table (worker, mysql-source,
 * dynamodb-sink) with diagnostics collected, dumped, and freed. Checks: errors leave a
 * NUL-terminated errstr naming something, a parse never yields more entries than its bound,
 * every entry has a key, a successful apply can be dumped, and applying the same file a
 * second time on top gives the same verdict without leaking or double-freeing.
 * ${env:...} references resolve against the fuzzer's environment; ${file:...} may read
 * local files (bounded by 1 MiB). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/properties.h"
#include "core/buf.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errstr(const char *errstr, size_t size)
{
    if (memchr(errstr, '\0', size) == NULL || errstr[0] == '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sl_props props;
    char errstr[512];
    sl_props_init(&props);
    memset(errstr, 'x', sizeof(errstr));
    sl_err_t err =
        sl_props_parse(&props, "fuzz.properties", (const char *)data, size, errstr, sizeof(errstr));
    if (err) {
        check_errstr(errstr, sizeof(errstr));
        sl_props_fini(&props);
        return 0;
    }
    if (props.n > SL_PROPS_MAX_ENTRIES)
        abort();
    for (size_t i = 0; i < props.n; i++) {
        const struct sl_prop *p = &props.items[i];
        if (p->key == NULL || p->value == NULL)
            abort();
        /* The last value of a key is the one found. */
        if (sl_props_find(&props, p->key) != p)
            abort();
    }
    for (size_t t = 0; sl_conf_tables[t] != NULL; t++) {
        const struct sl_conf_table *table = sl_conf_tables[t];
        void *conf = calloc(1, table->size);
        struct sl_buf diag, dump;
        if (conf == NULL)
            abort();
        sl_buf_init(&diag, (size_t)1 << 20);
        sl_buf_init(&dump, (size_t)4 << 20);
        sl_conf_init(table, conf);
        memset(errstr, 'x', sizeof(errstr));
        err = sl_conf_apply(table, conf, &props, &diag, errstr, sizeof(errstr));
        if (err) {
            check_errstr(errstr, sizeof(errstr));
        } else {
            (void)sl_conf_dump(conf, &dump);
            /* Every option the file set is reported as set. */
            for (size_t i = 0; i < props.n; i++) {
                const struct sl_conf_origin *o = sl_conf_origin_of(conf, props.items[i].key);
                if (o != NULL && !o->set)
                    abort();
            }
        }
        /* Applying on top of an applied configuration (REST updates) replaces values: old
         * strings and lists must be freed once, not leaked or freed twice. */
        sl_buf_reset(&diag);
        memset(errstr, 'x', sizeof(errstr));
        if (sl_conf_apply(table, conf, &props, &diag, errstr, sizeof(errstr)) != err)
            abort();
        if (err)
            check_errstr(errstr, sizeof(errstr));
        sl_buf_fini(&dump);
        sl_buf_fini(&diag);
        sl_conf_fini(conf);
        free(conf);
    }
    sl_props_fini(&props);
    return 0;
}
