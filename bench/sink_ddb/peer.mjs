// SPDX-License-Identifier: Apache-2.0
// Peer for bench/sink_ddb: the AWS SDK v3 (@aws-sdk/client-dynamodb) writing N seed-shaped
// SALES_ORDER items with BatchWriteItem (25 items per call) from CONCURRENCY parallel loops,
// retrying UnprocessedItems, against ENDPOINT. Items are generated in memory (no Kafka read),
// which favours the peer. Prints "items seconds peak_rss_kb".
// Usage: node peer.mjs ENDPOINT TABLE N CONCURRENCY
import { DynamoDBClient, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';

const [endpoint, table, nArg, concArg] = process.argv.slice(2);
const n = Number(nArg), conc = Number(concArg);
const modes = ['STANDARD', 'ONE-DAY', 'TWO-DAY'];
const client = new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 10 });
let next = 1;

function item(i) {
  return { PutRequest: { Item: {
    ORDER_ID: { N: String(i) }, SITE_ID: { N: String(1000 + i % 3000) },
    ORDER_DATE: { N: String(1655279536000 + i * 60000) }, SHIP_MODE: { S: modes[i % 3] } } } };
}

async function loop() {
  while (next <= n) {
    const reqs = [];
    while (reqs.length < 25 && next <= n) reqs.push(item(next++));
    let pending = { [table]: reqs };
    while (pending && Object.keys(pending).length) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: pending }));
      pending = out.UnprocessedItems;
    }
  }
}

const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: conc }, loop));
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1];
console.log(`${n} ${s.toFixed(2)} ${hwm}`);
