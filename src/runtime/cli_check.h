/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice check WORKER.properties CONNECTOR.properties...`: checks, before a start, that what
 * the files point at is usable. Per MySQL source connector: the server checks of
 * source/checks.h (login, binlog settings, server id, grants, GTIDs, retention, the stored
 * offset's binlog file). With bootstrap.servers: the Kafka cluster answers a metadata request
 * and the topics a connector reads or records its history in exist. Per DynamoDB sink: which
 * AWS credential source works (never the secret), and whether each table exists with the key
 * schema aws.dynamodb.pk.hash/pk.sort name (or will be created). One line per check:
 *   PASS|WARN|FAIL  <name>: <message>[ — fix: ...] */
#ifndef SL_RUNTIME_CLI_CHECK_H
#define SL_RUNTIME_CLI_CHECK_H

/* argv[0] is "check" (main calls it with argc - 1, argv + 1). Returns 0 when no check failed,
 * 1 when one did (or a file cannot be loaded: reported as a FAIL line), 2 for bad usage. */
int sl_cli_check(int argc, char **argv);

#endif
