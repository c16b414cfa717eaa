/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka's default partitioner for keyed records (Java DefaultPartitioner, librdkafka
 * murmur2_random): toPositive(murmur2(key)) % partition_cnt. Used by the local bus so keys land
 * in the partitions Kafka Connect would pick, and by tests to check the producer. */
#ifndef SL_BUS_PARTITION_H
#define SL_BUS_PARTITION_H

#include <stddef.h>
#include <stdint.h>

/* Kafka's murmur2 (seed 0x9747b28c) of the bytes, as Java's Utils.murmur2 returns it. */
int32_t sl_bus_murmur2(const void *key, size_t len);
/* The partition of a non-null key among partition_cnt >= 1 partitions. */
int32_t sl_bus_partition_for_key(const void *key, size_t len, int32_t partition_cnt);

#endif
