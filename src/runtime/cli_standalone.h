/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice standalone WORKER.properties CONNECTOR.properties...`: the Kafka Connect standalone
 * worker. Loads the worker file and every connector file (connector.class picks a built-in
 * connector), starts one thread per task, and runs until SIGTERM/SIGINT (graceful: drain,
 * store offsets, exit 0) or until a task fails (exit 1 with the reason logged). With
 * bootstrap.servers in the worker file sources produce to Kafka and sinks consume from it;
 * without it everything runs in-process over the local bus. */
#ifndef SL_RUNTIME_CLI_STANDALONE_H
#define SL_RUNTIME_CLI_STANDALONE_H

/* argv[0] is "standalone" (main calls it with argc - 1, argv + 1, like sl_cli_binlog).
 * Returns the process exit status: 0 after a clean shutdown, 1 on a configuration or task
 * failure (one line on stderr naming file, line and key for configuration errors), 2 for
 * bad usage. */
int sl_cli_standalone(int argc, char **argv);

#endif
