import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { isHopperError } from '../../../src/core/errors.js';
import {
  codecByName,
  codecFor,
  CompressionId,
  decompress,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  registerCodec,
} from '../../../src/storage/codec/compression.js';
import { decodeRecords, encodeBatch } from '../../../src/storage/codec/record-batch.js';
import { isCorrupt } from './util.js';

test('compression: ids are Kafka codec ids', () => {
  assert.deepEqual(CompressionId, { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 });
  assert.equal(codecFor(0).name, 'none');
  assert.equal(codecFor(1).name, 'gzip');
  assert.equal(DEFAULT_MAX_DECOMPRESSED_BYTES, 64 * 1024 * 1024);
});

test('gzip: round trip, cap enforced, garbage refused', () => {
  const data = Buffer.from('hello '.repeat(1000));
  const z = codecByName('gzip').compress(data);
  assert.ok(z.length < data.length);
  assert.deepEqual(decompress(1, z), data);
  assert.deepEqual(decompress(1, gzipSync(data)), data);
  assert.deepEqual(decompress(1, z, data.length), data);
  assert.throws(() => decompress(1, z, data.length - 1), /decompresses to more than 5999 bytes/);
  assert.throws(() => decompress(1, Buffer.from('nope')), /gzip payload does not decompress/);
  assert.throws(() => decompress(1, z.subarray(0, z.length - 5)), isCorrupt);
  assert.throws(() => decompress(0, data, 10), /none payload decompresses to more than 10/);
});

test('unknown codecs: CORRUPT_MESSAGE on decode; every Kafka codec is available (compression-codecs.test.ts)', () => {
  assert.throws(() => codecFor(6), (e) => isCorrupt(e) && /unknown compression codec 6/.test((e as Error).message));
  for (const name of ['snappy', 'lz4', 'zstd'] as const) {
    assert.equal(codecByName(name).id, CompressionId[name]);
    assert.equal(codecFor(CompressionId[name]).name, name);
  }
  assert.throws(() => codecByName('brotli' as never), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
});

test('registerCodec: a codec plugs in by id for both encode and decode, and can be removed', () => {
  const real = codecFor(2);
  // A toy "snappy" that reverses bytes: enough to prove the seam.
  const restore = registerCodec({
    id: CompressionId.snappy,
    name: 'snappy',
    compress: (b) => Buffer.from(b).reverse(),
    decompress: (b, max) => {
      if (b.length > max) throw new RangeError('too big');
      return Buffer.from(b).reverse();
    },
  });
  try {
    const batch = encodeBatch([{ key: null, value: Buffer.from('abc'), timestamp: 1 }], { compression: 'snappy' });
    assert.equal(decodeRecords(batch, 0, { verifyCrc: true })[0]!.value!.toString(), 'abc');
    assert.throws(() => decodeRecords(batch, 0, { maxDecompressedBytes: 3 }), /snappy payload decompresses to more than 3/);
  } finally {
    restore();
  }
  assert.equal(codecFor(2), real); // the real snappy is back
});
