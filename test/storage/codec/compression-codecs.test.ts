/**
 * snappy, lz4 and zstd: round trips, decompression-bomb caps, refusal of garbage, and interop with
 * independent implementations: @platformatic/kafka's WASM snappy/lz4, kafkajs batches compressed by
 * its codec plugins (kafkajs-snappy; lz4js and zstd-wasm plugins shaped as kafkajs wants), and the
 * xerial framing Java clients write. Batches written by librdkafka (kcat) and @platformatic/kafka
 * over the wire are in test/protocol/kafka/endpoint/compression.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { decompress as fzstdDecompress } from 'fzstd';
import { lz4Compress, lz4Decompress, snappyCompress, snappyDecompress as platSnappyDecompress } from '@platformatic/wasm-utils';
import { codecByName, CompressionId, decompress, type CompressionName } from '../../../src/storage/codec/compression.js';
import { decodeRecords, encodeBatch, type RecordInput } from '../../../src/storage/codec/record-batch.js';
import { snappyCompressRaw, snappyCompressXerial, XERIAL_MAGIC } from '../../../src/storage/codec/snappy.js';
import { lz4CompressFrame } from '../../../src/storage/codec/lz4.js';
import { zstdCompress } from '../../../src/storage/codec/zstd.js';
import { kjsDecodeBatch, kjsEncodeBatch } from './kafkajs.js';
import { isCorrupt } from './util.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const { CompressionCodecs, CompressionTypes } = require('kafkajs') as { CompressionCodecs: Record<number, () => any>; CompressionTypes: Record<string, number> };
const SnappyCodec = require('kafkajs-snappy') as () => any;

const CODECS = ['snappy', 'lz4', 'zstd'] as const;
const text = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `line ${i % 977} of some text\n`).join('').slice(0, n));

const samples: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('x')],
  ['short text', Buffer.from('hello, hopper')],
  ['random 70 KiB', randomBytes(70 * 1024)],
  ['text 300 KiB', text(300 * 1024)],
  ['zeros 5 MiB (more than one lz4 block)', Buffer.alloc(5 * 1024 * 1024)],
];

for (const name of CODECS) {
  test(`${name}: round trips`, () => {
    const codec = codecByName(name);
    assert.equal(codec.id, CompressionId[name]);
    for (const [what, data] of samples) {
      const z = codec.compress(data);
      assert.deepEqual(decompress(codec.id, z), data, what);
      assert.deepEqual(decompress(codec.id, z, data.length), data, `${what} at exactly the cap`);
      if (data.length > 1000 && what.startsWith('text')) assert.ok(z.length < data.length / 2, `${what} compresses`);
    }
  });

  test(`${name}: the cap stops a bomb, garbage and truncation are CORRUPT_MESSAGE`, () => {
    const codec = codecByName(name);
    const bomb = codec.compress(Buffer.alloc(8 * 1024 * 1024));
    assert.ok(bomb.length < 512 * 1024, `${bomb.length} bytes`);
    assert.throws(() => decompress(codec.id, bomb, 1024 * 1024), (e) => isCorrupt(e) && /decompresses to more than 1048576 bytes/.test((e as Error).message));
    const small = codec.compress(text(10_000));
    assert.throws(() => decompress(codec.id, small, 9_999), /decompresses to more than 9999 bytes/);
    const junk64 = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
    for (const junk of [Buffer.from('definitely not compressed'), junk64, Buffer.alloc(0)]) {
      assert.throws(() => decompress(codec.id, junk), isCorrupt, `${name} junk ${junk.length}`);
    }
    assert.throws(() => decompress(codec.id, small.subarray(0, small.length - 7)), isCorrupt, 'truncated');
  });
}

test('snappy: xerial framing (Java clients), including several chunks', () => {
  const data = text(200 * 1024);
  const xerial = snappyCompressXerial(data);
  assert.ok(xerial.subarray(0, 8).equals(XERIAL_MAGIC));
  assert.equal(xerial.readInt32BE(8), 1);
  assert.deepEqual(decompress(2, xerial), data);
  assert.deepEqual(decompress(2, snappyCompressXerial(data, 1000)), data); // 205 chunks
  assert.deepEqual(decompress(2, snappyCompressXerial(Buffer.alloc(0))), Buffer.alloc(0));
  // The cap holds across chunks, and a chunk length that runs off the end is refused.
  assert.throws(() => decompress(2, xerial, data.length - 1), /decompresses to more than/);
  const broken = Buffer.from(xerial);
  broken.writeInt32BE(0x7fffffff, 16);
  assert.throws(() => decompress(2, broken), (e) => isCorrupt(e) && /runs past the payload/.test((e as Error).message));
  // The raw length varint is checked before allocating: a claim of 4 GiB in 6 bytes.
  assert.throws(() => decompress(2, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), /decompresses to more than/);
});

test('snappy interop: @platformatic/kafka WASM snappy both ways; encode is plain (every client reads it)', () => {
  const data = text(100 * 1024);
  assert.deepEqual(decompress(2, snappyCompress(data)), data);
  const ours = codecByName('snappy').compress(data);
  assert.ok(!ours.subarray(0, 8).equals(XERIAL_MAGIC));
  assert.deepEqual(platSnappyDecompress(ours), data);
  assert.deepEqual(ours, snappyCompressRaw(data));
});

test('snappy decoding is bounds-checked: hostile blocks fail fast, valid ones of every shape decode', () => {
  // Found by the record-batch fuzz test: snappyjs's decoder looped for ever on this payload (a
  // 4-byte literal length that goes negative). It must be refused, at once.
  const hang = Buffer.from('3600f4fce886abb10a000e88af5bfefcf71a06bb61d60202750468763600000202f810b04cc4f1d93c14ba0400046876086a297d42046876', 'hex');
  assert.throws(() => decompress(2, hang), /snappy/);
  // Output short of the declared length, a copy reaching before the output, a literal past the end.
  assert.throws(() => decompress(2, Buffer.from([10, 0x08, 0x61, 0x62, 0x63])), /decoded, 10 declared/);
  assert.throws(() => decompress(2, Buffer.from([8, 0x00, 0x61, 0x01, 0x05])), /copy offset 5/);
  assert.throws(() => decompress(2, Buffer.from([8, 0xf0, 0xff, 0xff, 0xff, 0x7f, 0x61])), /literal runs past/);
  // A copy with a 4-byte offset (encoders work in 64 KiB fragments and never write one): 'a' then
  // four more from 1 back.
  assert.deepEqual(decompress(2, Buffer.from([5, 0x00, 0x61, 0x0f, 1, 0, 0, 0])), Buffer.from('aaaaa'));
  // Independent encoders (snappyjs and @platformatic/kafka's WASM): literals of every length
  // encoding and copies with 1- and 2-byte offsets, overlapping ones included.
  for (const data of [Buffer.alloc(0), Buffer.from('a'), text(61), text(300), randomBytes(70_000), Buffer.alloc(100_000, 7)]) {
    assert.deepEqual(decompress(2, snappyCompressRaw(data)), data);
    assert.deepEqual(decompress(2, snappyCompress(data)), data);
  }
  // Random damage to a valid block: an exact result or an error, never a hang or a wrong length.
  const data = text(20_000);
  const good = snappyCompressRaw(data);
  for (let i = 0; i < 3000; i++) {
    const bad = Buffer.from(good);
    for (let k = 0; k < 3; k++) bad[1 + ((i * 7919 + k * 104_729) % (bad.length - 1))] = (i * 31 + k * 17) & 0xff;
    try {
      assert.equal(decompress(2, bad).length, data.length);
    } catch (e) {
      assert.match((e as Error).message, /snappy/);
    }
  }
});

test('lz4 interop: @platformatic/kafka WASM lz4 frames both ways; frame options we do not write', () => {
  for (const data of [text(100 * 1024), randomBytes(10_000), Buffer.alloc(3 * 1024 * 1024, 7)]) {
    assert.deepEqual(decompress(3, lz4Compress(data)), data);
    assert.deepEqual(lz4Decompress(codecByName('lz4').compress(data)), data);
  }
  // Hand-built frame: content size + block checksum + content checksum flags, a 64 KiB block max,
  // one uncompressed block, a skippable frame, then a second frame with a compressed block.
  const raw = Buffer.from('uncompressed block');
  const frame1 = Buffer.concat([
    Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x40 | 0x20 | 0x10 | 0x08 | 0x04, 0x40]),
    Buffer.alloc(8), // content size (ignored)
    Buffer.from([0x00]), // header checksum (not verified: the batch CRC covers it)
    u32le(0x80000000 | raw.length),
    raw,
    Buffer.alloc(4), // block checksum
    Buffer.alloc(4), // end mark
    Buffer.alloc(4), // content checksum
  ]);
  const skippable = Buffer.concat([u32le(0x184d2a53), u32le(3), Buffer.from('abc')]);
  const frame2 = lz4CompressFrame(Buffer.from('abcabcabcabcabcabcabcabc second'));
  assert.equal(decompress(3, Buffer.concat([frame1, skippable, frame2])).toString(), 'uncompressed blockabcabcabcabcabcabcabcabc second');
  // Bad magic, version, a match reaching before the output, a block bigger than the frame allows.
  assert.throws(() => decompress(3, Buffer.concat([u32le(0x184d2205), frame1.subarray(4)])), /bad frame magic/);
  const v2 = Buffer.from(frame1);
  v2[4] = 0x80;
  assert.throws(() => decompress(3, v2), /unsupported frame version/);
  const badOffset = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00]), u32le(4), Buffer.from([0x10, 0x61, 0x05, 0x00]), u32le(0)]);
  assert.throws(() => decompress(3, badOffset), /match offset 5 out of range/);
  const tooBig = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00]), u32le(0x80000000 | 0x10001), Buffer.alloc(0x10001), u32le(0)]);
  assert.throws(() => decompress(3, tooBig), /over the frame's maximum/);
});

test('zstd: fzstd reads what zstd-wasm writes; a declared content size or window over the cap fails before decoding', () => {
  const data = text(200 * 1024);
  const z = zstdCompress(data);
  assert.deepEqual(Buffer.from(fzstdDecompress(z)), data);
  // Two frames back to back, and a skippable frame between them.
  const two = Buffer.concat([zstdCompress(Buffer.from('first ')), Buffer.concat([u32le(0x184d2a50), u32le(2), Buffer.from('zz')]), zstdCompress(Buffer.from('second'))]);
  assert.equal(decompress(4, two).toString(), 'first second');
  // Single-segment frame claiming 2^40 bytes of content: refused from its header alone.
  const liar = Buffer.concat([u32le(0xfd2fb528), Buffer.from([0xe0]), Buffer.from([0, 0, 0, 0, 0, 1, 0, 0]), Buffer.from([0x01, 0x00, 0x00])]);
  assert.throws(() => decompress(4, liar), /decompresses to more than/);
  // A window of 2 GiB without a content size: fzstd would allocate it, so it is refused.
  const hugeWindow = Buffer.concat([u32le(0xfd2fb528), Buffer.from([0x00, 0xa8]), Buffer.from([0x01, 0x00, 0x00])]);
  assert.throws(() => decompress(4, hugeWindow), /decompresses to more than/);
});

// kafkajs codec plugins: kafkajs-snappy as published; lz4 and zstd in the shape kafkajs expects
// (the published kafkajs-lz4 and @kafkajs/zstd need native builds at install), over independent
// encoders: @platformatic's WASM lz4, and zstd-wasm with fzstd.
const plugin = (compress: (b: Buffer) => Buffer, decompressFn: (b: Buffer) => Buffer) => () => ({
  compress: async (encoder: { buffer: Buffer }) => compress(encoder.buffer),
  decompress: async (buffer: Buffer) => decompressFn(buffer),
});

test('batches compressed by kafkajs with each codec decode, and kafkajs decodes ours', async () => {
  const saved = { ...CompressionCodecs };
  CompressionCodecs[CompressionTypes.Snappy!] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4!] = plugin((b) => lz4Compress(b), (b) => lz4Decompress(b));
  CompressionCodecs[CompressionTypes.ZSTD!] = plugin((b) => zstdCompress(b), (b) => Buffer.from(fzstdDecompress(b)));
  try {
    const records: RecordInput[] = Array.from({ length: 30 }, (_, i) => ({
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: Buffer.from(`value ${i} ${'payload '.repeat(i)}`),
      headers: [{ key: 'h', value: Buffer.from(String(i)) }],
      timestamp: 1_700_000_000_000 + i,
    }));
    for (const name of CODECS) {
      const id = CompressionId[name];
      const theirs = await kjsEncodeBatch(
        records.map((r, i) => ({ key: r.key, value: r.value, headers: { h: String(i) }, timestampDelta: i })),
        { firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_029, compression: id },
      );
      assert.equal(theirs.readInt16BE(21) & 7, id, `${name} attributes`);
      const got = decodeRecords(theirs, 0, { verifyCrc: true });
      assert.equal(got.length, 30);
      got.forEach((r, i) => {
        assert.deepEqual(r.key, records[i]!.key, `${name} key ${i}`);
        assert.deepEqual(r.value, records[i]!.value, `${name} value ${i}`);
        assert.equal(r.headers[0]?.value?.toString(), String(i));
      });
      const ours = encodeBatch(records, { compression: name as CompressionName });
      assert.equal(ours.readInt16BE(21) & 7, id);
      const back = await kjsDecodeBatch(ours);
      assert.deepEqual(back.records.map((r) => r.value), records.map((r) => r.value), `kafkajs reads our ${name}`);
    }
    // kafkajs-snappy (as published) also reads the xerial framing, as Java clients write it.
    assert.deepEqual(await SnappyCodec().decompress(snappyCompressXerial(text(70_000))), text(70_000));
  } finally {
    Object.assign(CompressionCodecs, saved);
  }
});

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}
