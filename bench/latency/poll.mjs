// SPDX-License-Identifier: Apache-2.0
// Latency poller for bench/latency: follows every STEP-th row (ORDER_ID = STEP, 2*STEP, ...)
// with GetItem (ConsistentRead) over one keep-alive connection until it is readable, then
// prints now - INSERT_MS (ms) per line. One process and one connection, so the poller's own
// cost per check is a request round trip (~1-3 ms), not a curl + jq process start (the
// earlier shell poller's ~100 ms per check fell behind at 10 samples/s and measured its own
// lag). Signed with SigV4 from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
// Usage: node poll.mjs ENDPOINT TABLE TOTAL STEP DEADLINE_MS(epoch)
import http from 'node:http';
import crypto from 'node:crypto';

const [endpoint, table, totalS, stepS, deadlineS] = process.argv.slice(2);
const total = Number(totalS), step = Number(stepS), deadline = Number(deadlineS);
const url = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const akid = process.env.AWS_ACCESS_KEY_ID || 'x', secret = process.env.AWS_SECRET_ACCESS_KEY || 'x';
const region = 'us-east-1';

const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();
const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');

function getItem(body) {
    const amz = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const day = amz.slice(0, 8);
    const host = url.host;
    const target = 'DynamoDB_20120810.GetItem';
    const signed = 'content-type;host;x-amz-date;x-amz-target';
    const canon = ['POST', '/', '', 'content-type:application/x-amz-json-1.0', `host:${host}`,
        `x-amz-date:${amz}`, `x-amz-target:${target}`, '', signed, sha(body)].join('\n');
    const scope = `${day}/${region}/dynamodb/aws4_request`;
    const sts = ['AWS4-HMAC-SHA256', amz, scope, sha(canon)].join('\n');
    let k = hmac('AWS4' + secret, day);
    k = hmac(hmac(hmac(k, region), 'dynamodb'), 'aws4_request');
    const sig = crypto.createHmac('sha256', k).update(sts).digest('hex');
    return new Promise((resolve, reject) => {
        const req = http.request({
            host: url.hostname, port: url.port, path: '/', method: 'POST', agent,
            headers: {
                'content-type': 'application/x-amz-json-1.0', 'x-amz-date': amz,
                'x-amz-target': target, 'content-length': Buffer.byteLength(body),
                authorization: `AWS4-HMAC-SHA256 Credential=${akid}/${scope}, ` +
                    `SignedHeaders=${signed}, Signature=${sig}`,
            },
        }, (res) => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (c) => { data += c; });
            res.on('end', () => resolve(data));
        });
        req.on('error', reject);
        req.end(body);
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let s = step; s <= total && Date.now() < deadline;) {
    const key = 1000 + (s % 3000);
    const body = JSON.stringify({
        TableName: table, ConsistentRead: true,
        Key: { ORDER_ID: { N: String(s) }, SITE_ID: { N: String(key) } },
    });
    let out = '';
    try { out = await getItem(body); } catch { out = ''; }
    let ts = null;
    try { ts = JSON.parse(out)?.Item?.INSERT_MS?.N ?? null; } catch { ts = null; }
    if (ts !== null) {
        process.stdout.write(`${Date.now() - Number(ts)}\n`);
        s += step;
    } else {
        await sleep(2);
    }
}
agent.destroy();
