/**
 * Micro-benchmarks for the Kafka protocol codec's hot paths. Not run in CI; run by hand:
 *   npx tsc -p . && node dist/bench/kafka-codec.bench.js
 *
 * - Produce v9 request, one 16 KiB batch: framing plus body decode (the records stay a view).
 * - Fetch v12 response, 1 MiB of batches: encode to a chunk list; batches go by reference, so
 *   the bytes copied per response are reported next to the rate. The same response flattened
 *   into one buffer is measured for comparison: that is the copy writev saves.
 */
import { Fetch } from '../src/protocol/kafka/api/fetch.js';
import { Produce } from '../src/protocol/kafka/api/produce.js';
import { RequestFramer } from '../src/protocol/kafka/codec/framer.js';
import { decodeRequestBody, encodeRequest, encodeResponse } from '../src/protocol/kafka/codec/message.js';
import { ZERO_UUID } from '../src/protocol/kafka/codec/schema.js';
import { encodeBatch } from '../src/storage/codec/record-batch.js';
import { fmt, rate } from './lib/rate.js';


const rows: [string, string][] = [];
let sink = 0;

// ---- Produce v9, one 16 KiB batch ----
const TS = 1_700_000_000_000;
const batch16k = encodeBatch(
  Array.from({ length: 16 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(1000, i), timestamp: TS + i })),
  { producerId: 1, producerEpoch: 0, baseSequence: 0 },
);
const produceFrame = Buffer.concat(
  encodeRequest(Produce, 9, { correlationId: 1, clientId: 'bench' }, {
    transactionalId: null, acks: -1, timeoutMs: 30000,
    topicData: [{ name: 'orders', partitionData: [{ index: 0, records: batch16k }] }],
  }),
);
{
  const framer = new RequestFramer();
  const r = rate(() => {
    const [f] = framer.push(produceFrame);
    sink ^= decodeRequestBody(Produce, 9, f!.body).topicData[0]!.partitionData[0]!.records!.length;
  });
  rows.push([`Produce v9 request, 1 batch of ${(batch16k.length / 1024).toFixed(1)} KiB: frame + decode`, `${fmt(r)} req/s  ${fmt((r * produceFrame.length) / 1e6)} MB/s`]);
  const body = framer.push(produceFrame)[0]!.body;
  rows.push(['Produce v9 request body decode only', `${fmt(rate(() => (sink ^= decodeRequestBody(Produce, 9, body).acks)))} req/s`]);
}

// ---- Fetch v12 response, 1 MiB of batches (64 × 16 KiB over 8 partitions) ----
const batches = Array.from({ length: 64 }, () => Buffer.from(batch16k));
const fetchBody = {
  throttleTimeMs: 0, errorCode: 0, sessionId: 0,
  responses: [{
    topic: 'orders', topicId: ZERO_UUID,
    partitions: Array.from({ length: 8 }, (_, p) => ({
      partitionIndex: p, errorCode: 0, highWatermark: 1_000_000, lastStableOffset: 1_000_000, logStartOffset: 0,
      abortedTransactions: null, preferredReadReplica: -1, records: batches.slice(p * 8, p * 8 + 8),
    })),
  }],
};
{
  const chunks = encodeResponse(Fetch, 12, 1, fetchBody);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const byRef = new Set<Buffer>(batches);
  const copied = chunks.filter((c) => !byRef.has(c)).reduce((n, c) => n + c.length, 0);
  const r = rate(() => (sink ^= encodeResponse(Fetch, 12, 1, fetchBody).length));
  rows.push([`Fetch v12 response, ${(total / 1048576).toFixed(2)} MiB in ${chunks.length} chunks (${copied} B copied)`, `${fmt(r)} resp/s  ${fmt((r * total) / 1e9)} GB/s`]);
  const flat = rate(() => (sink ^= Buffer.concat(encodeResponse(Fetch, 12, 1, fetchBody)).length), 500);
  rows.push(['  same, flattened into one buffer (reference: the copy writev avoids)', `${fmt(flat)} resp/s  ${fmt((flat * total) / 1e9)} GB/s`]);
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`kafka codec micro-benchmarks (node ${process.version}, ${process.arch})`);
for (const [name, v] of rows) console.log(`  ${name.padEnd(width)}  ${v.padStart(30)}`);
if (sink === 0.5) console.log(''); // never true; uses sink
