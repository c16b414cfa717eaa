/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka's murmur2 hash and default partitioner; see partition.h. Written from the algorithm in
 * Apache Kafka's Utils.murmur2 (MurmurHash2, 32-bit, little-endian 4-byte blocks). */
#include "bus/partition.h"

#include <assert.h>

int32_t sl_bus_murmur2(const void *key, size_t len)
{
    const uint8_t *data = key;
    const uint32_t m = 0x5bd1e995;
    const int r = 24;
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t n4 = len / 4;
    for (size_t i = 0; i < n4; i++) {
        const uint8_t *b = data + i * 4;
        uint32_t k =
            (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const uint8_t *tail = data + n4 * 4;
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        h ^= (uint32_t)tail[0];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t sl_bus_partition_for_key(const void *key, size_t len, int32_t partition_cnt)
{
    assert(partition_cnt >= 1);
    uint32_t positive = (uint32_t)sl_bus_murmur2(key, len) & 0x7fffffffu;
    return (int32_t)(positive % (uint32_t)partition_cnt);
}
