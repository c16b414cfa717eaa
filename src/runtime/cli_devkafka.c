/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice dev-kafka` (cli_devkafka.h): librdkafka's mock cluster (bus/mock.h) as a throwaway
 * Kafka for development and demos. It keeps messages in memory only, has no security, and
 * auto-creates topics when they are produced to or asked for.
 *
 * Fixed ports: librdkafka 2.0.2 has no API to choose the listening port.
 * rd_kafka_mock_cluster_new(rk, n) creates n brokers, each binding a socket to 127.0.0.1 port
 * 0 (rdkafka_mock.c, rd_kafka_mock_broker_new), and rdkafka_mock.h exports nothing that sets
 * a port; so --port is refused with that reason instead of being silently ignored. The
 * address printed on stdout is the one to use. */
#include "runtime/cli_devkafka.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus/mock.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: sluice dev-kafka [--brokers N]\n"
                    "  Runs an in-memory mock Kafka cluster (development only: nothing is\n"
                    "  durable) and prints bootstrap.servers=HOST:PORT,... on stdout; stops on\n"
                    "  SIGINT/SIGTERM.\n");
    return 2;
}

int sl_cli_devkafka(int argc, char **argv)
{
    long brokers = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        }
        if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
            char *end = NULL;
            brokers = strtol(argv[++i], &end, 10);
            if (!end || *end || brokers < 1 || brokers > 16) {
                fprintf(stderr, "sluice dev-kafka: --brokers: '%s' is not a number in 1..16\n",
                        argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--port") == 0) {
            fprintf(stderr,
                    "sluice dev-kafka: --port: librdkafka's mock cluster (2.0.2) always listens "
                    "on ephemeral ports; use the bootstrap.servers line it prints\n");
            return 2;
        } else {
            fprintf(stderr, "sluice dev-kafka: unknown argument '%s'\n", argv[i]);
            return usage();
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char errstr[512];
    struct sl_mock *mock = sl_mock_new((int)brokers, errstr, sizeof(errstr));
    if (!mock) {
        fprintf(stderr, "sluice dev-kafka: %s\n", errstr);
        return 1;
    }
    printf("bootstrap.servers=%s\n", sl_mock_bootstraps(mock));
    fflush(stdout);
    fprintf(stderr,
            "sluice dev-kafka: %ld broker(s) in memory (development only, not durable); "
            "Ctrl-C to stop\n",
            brokers);
    while (!stop)
        usleep(100 * 1000);
    sl_mock_free(mock);
    return 0;
}
