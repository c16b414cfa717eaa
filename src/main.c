/* SPDX-License-Identifier: Apache-2.0 */
/* The sluice command line: parses the sub-command and hands off to the stage that does the
 * work. No business logic lives here. */
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "runtime/cli_binlog.h"
#include "runtime/cli_check.h"
#include "runtime/cli_devkafka.h"
#include "runtime/cli_standalone.h"

#ifdef SL_JEMALLOC
/* Read by jemalloc at start-up. One arena: Sluice has a handful of threads, and the default
 * of four per core doubled the peak RSS of bench/snapshot (108 MB against 49 MB). Freed pages
 * go back to the system within 200 ms. */
extern const char *malloc_conf;
const char *malloc_conf = "narenas:1,dirty_decay_ms:200,muzzy_decay_ms:0";
#endif

static int usage(FILE *out)
{
    fprintf(
        out,
        "usage: sluice <command> [args]\n"
        "\n"
        "commands:\n"
        "  binlog dump FILE...        print every row change in binlog files as JSON\n"
        "  binlog tail --host H ...   stream row changes from a live server as JSON\n"
        "  standalone WORKER CONNECTOR...\n"
        "                             run connectors (Kafka Connect standalone shape)\n"
        "  check WORKER CONNECTOR...  check everything a run needs, one line per check\n"
        "  dev-kafka [--brokers N]    a local non-durable Kafka for trying Sluice (development)\n"
        "  config-doc [FILE]          write docs/CONFIGURATION.md from the option tables\n"
        "  version                    print the version\n");
    return out == stderr ? 2 : 0;
}

/* `sluice config-doc [FILE]`: the option tables as Markdown (default docs/CONFIGURATION.md). */
static int cmd_config_doc(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "docs/CONFIGURATION.md";
    char err[512];
    if (sl_conf_doc_write(path, err, sizeof(err))) {
        fprintf(stderr, "sluice config-doc: %s\n", err);
        return 1;
    }
    return 0;
}

/* Sub-commands: each gets argv from its own name on and returns the exit status. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"binlog", sl_cli_binlog},      {"standalone", sl_cli_standalone}, {"check", sl_cli_check},
    {"dev-kafka", sl_cli_devkafka}, {"config-doc", cmd_config_doc},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("sluice %s\n", SL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
        return usage(stdout);
    fprintf(stderr, "sluice: unknown command '%s'; run 'sluice help' for the list\n", argv[1]);
    return 2;
}
