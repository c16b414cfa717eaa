/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice dev-kafka [--brokers N]`: runs librdkafka's in-process mock Kafka cluster for
 * development (non-durable: everything is lost on exit, no security, no persistence), prints
 * "bootstrap.servers=127.0.0.1:PORT,..." on stdout and runs until SIGINT/SIGTERM.
 * --port P is refused: librdkafka 2.0.2's rd_kafka_mock_cluster_new binds every broker to an
 * ephemeral port on 127.0.0.1 and offers no way to choose it (see the .c file). */
#ifndef SL_RUNTIME_CLI_DEVKAFKA_H
#define SL_RUNTIME_CLI_DEVKAFKA_H

/* argv[0] is "dev-kafka" (main calls it with argc - 1, argv + 1). Returns 0 after
 * SIGINT/SIGTERM, 1 when the cluster cannot start, 2 for bad usage. */
int sl_cli_devkafka(int argc, char **argv);

#endif
