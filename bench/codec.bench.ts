/**
 * Micro-benchmarks for the record codec's hot functions. Not run in CI; run by hand:
 *   npx tsc -p . && node dist/bench/codec.bench.js
 * Each case warms up, then runs for about a second; figures go to bench/RESULTS.md with a date.
 */
import { makeMessage } from '../src/core/message.js';
import { crc32c } from '../src/storage/codec/crc32c.js';
import { decodeMessages, encodeMessages } from '../src/storage/codec/message-codec.js';
import { checkBatch, decodeRecords, encodeBatch } from '../src/storage/codec/record-batch.js';
import { readVarlong, writeVarlong } from '../src/storage/codec/varint.js';
import { fmt, rate } from './lib/rate.js';


const rows: [string, string][] = [];
let sink = 0; // keeps results alive so V8 cannot drop the work

// The byte-at-a-time table loop slicing-by-8 replaced, for the speed-up it buys.
const T0 = new Int32Array(256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  T0[b] = c;
}
function crcBytewise(buf: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < buf.length; i++) c = (c >>> 8) ^ T0[(c ^ buf[i]!) & 0xff]!;
  return ~c >>> 0;
}

for (const size of [1024, 64 * 1024]) {
  const buf = Buffer.alloc(size, 0xa5);
  const mbs = (rate(() => (sink ^= crc32c(buf))) * size) / 1e6;
  rows.push([`crc32c ${size / 1024} KiB`, `${fmt(mbs)} MB/s`]);
  const bytewise = (rate(() => (sink ^= crcBytewise(buf))) * size) / 1e6;
  rows.push([`crc32c ${size / 1024} KiB, byte-at-a-time (reference)`, `${fmt(bytewise)} MB/s`]);
}

{
  const scratch = Buffer.alloc(10);
  const cur = { pos: 0 };
  const values = [0, 1, -1, 300, 1_700_000_000_000, -123456789];
  rows.push([
    'varlong write+read (6 values)',
    `${fmt(rate(() => {
      for (const v of values) {
        writeVarlong(scratch, 0, v);
        sink ^= readVarlong(scratch, 0, cur);
      }
    }))} /s`,
  ]);
}

const value = Buffer.alloc(1024, 0x61);
const message = makeMessage(value, {
  key: Buffer.from('user-42'),
  timestamp: 1_700_000_000_000,
  properties: { contentType: 'application/octet-stream', messageId: 'm-1', deliveryMode: 2 },
});
rows.push([
  'encodeMessages+decodeMessages, 1 msg, 1 KiB, 3 properties',
  `${fmt(rate(() => (sink ^= decodeMessages(encodeMessages([message])).length)))} batches/s`,
]);
const bare = makeMessage(value, { key: Buffer.from('user-42'), timestamp: 1_700_000_000_000 });
rows.push([
  'encodeMessages+decodeMessages, 1 msg, 1 KiB, no properties',
  `${fmt(rate(() => (sink ^= decodeMessages(encodeMessages([bare])).length)))} batches/s`,
]);
const record = [{ key: Buffer.from('user-42'), value, timestamp: 1_700_000_000_000 }];
rows.push(['encodeBatch, 1 record, 1 KiB', `${fmt(rate(() => (sink ^= encodeBatch(record).length)))} batches/s`]);
const encoded = encodeBatch(record);
rows.push(['checkBatch (CRC), 1 KiB batch', `${fmt(rate(() => (sink ^= checkBatch(encoded, 0, 1 << 20).crc)))} batches/s`]);
rows.push(['decodeRecords, 1 KiB batch', `${fmt(rate(() => (sink ^= decodeRecords(encoded).length)))} batches/s`]);
const hundred = Array.from({ length: 100 }, (_, i) => ({ key: null, value: Buffer.alloc(100, i), timestamp: 1_700_000_000_000 + i }));
const batch100 = encodeBatch(hundred);
rows.push(['encodeBatch, 100 records x 100 B', `${fmt(rate(() => (sink ^= encodeBatch(hundred).length)))} batches/s`]);
rows.push(['decodeRecords, 100 records x 100 B', `${fmt(rate(() => (sink ^= decodeRecords(batch100).length)))} batches/s`]);

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`codec micro-benchmarks (node ${process.version}, ${process.arch})`);
for (const [name, v] of rows) console.log(`  ${name.padEnd(width)}  ${v.padStart(18)}`);
if (sink === 0.5) console.log(''); // never true; uses sink
