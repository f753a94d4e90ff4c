/** FramePool on its own, and the framer's use of it: which frames are pooled, reuse, the idle cap. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FramePool } from '../../../src/protocol/kafka/codec/frame-pool.js';
import { RequestFramer } from '../../../src/protocol/kafka/codec/framer.js';

const KiB = 1024;

/** An ApiVersions v0 request frame padded to `size` bytes after the size prefix. */
function frame(size: number, correlationId: number): Buffer {
  const b = Buffer.alloc(4 + size);
  b.writeInt32BE(size, 0);
  b.writeInt16BE(18, 4); // ApiVersions
  b.writeInt16BE(0, 6);
  b.writeInt32BE(correlationId, 8);
  b.writeInt16BE(-1, 12); // null client id
  b.fill(correlationId & 0xff, 14);
  return b;
}

describe('FramePool', () => {
  const opts = { maxPooledBytes: 512 * KiB, minBufferBytes: 64 * KiB, maxBufferBytes: 256 * KiB };

  it('hands out exact-size views of power-of-two buffers, and reuses released ones', () => {
    const pool = new FramePool(opts);
    assert.equal(pool.pools(10 * KiB), false);
    assert.equal(pool.pools(300 * KiB), false);
    const a = pool.take(100 * KiB);
    assert.equal(a.length, 100 * KiB);
    assert.equal(a.buffer.byteLength, 128 * KiB);
    pool.release(a.subarray(10)); // any view of the frame gives the whole buffer back
    const b = pool.take(120 * KiB);
    assert.equal(b.buffer, a.buffer, 'same class: the released buffer comes back');
    const c = pool.take(120 * KiB);
    assert.notEqual(c.buffer, a.buffer, 'nothing idle: a new buffer');
    assert.deepEqual(pool.stats, { taken: 3, reused: 1, released: 1 });
  });

  it('keeps at most maxPooledBytes idle and ignores buffers it did not size', () => {
    const pool = new FramePool(opts);
    const frames = [1, 2, 3, 4, 5].map(() => pool.take(200 * KiB)); // 256 KiB each
    for (const f of frames) pool.release(f);
    assert.equal(pool.stats.released, 2, 'two of 256 KiB fill the 512 KiB cap');
    pool.release(Buffer.allocUnsafeSlow(100 * KiB));
    assert.equal(pool.stats.released, 2);
  });
});

describe('RequestFramer with a FramePool', () => {
  it('pools only large frames that span chunks; a reused buffer carries the new frame intact', () => {
    const pool = new FramePool({ maxPooledBytes: 1024 * KiB, minBufferBytes: 64 * KiB, maxBufferBytes: 1024 * KiB });
    const framer = new RequestFramer({ pool });
    const small = frame(100, 1);
    const big1 = frame(200 * KiB, 2);
    const big2 = frame(150 * KiB, 3);
    // The small frame and the start of big1 in one chunk; the rest of big1 in 40 KiB pieces.
    const stream = Buffer.concat([small, big1]);
    const out = [...framer.push(stream.subarray(0, 50 * KiB))];
    for (let p = 50 * KiB; p < stream.length; p += 40 * KiB) out.push(...framer.push(stream.subarray(p, p + 40 * KiB)));
    assert.deepEqual(out.map((f) => [f.correlationId, f.pooled]), [[1, false], [2, true]]);
    const first = out[1]!;
    assert.ok(first.body.every((x) => x === 2));
    pool.release(first.body);
    const again = [...framer.push(big2.subarray(0, 1000)), ...framer.push(big2.subarray(1000))];
    assert.equal(again.length, 1);
    assert.equal(again[0]!.pooled, true);
    assert.equal(again[0]!.body.buffer, first.body.buffer, 'the released buffer was reused');
    assert.equal(again[0]!.body.length, 150 * KiB - 10);
    assert.ok(again[0]!.body.every((x) => x === 3));
    // A large frame inside one chunk is a view of that chunk: not pooled.
    const inOne = framer.push(frame(100 * KiB, 4));
    assert.deepEqual(inOne.map((f) => f.pooled), [false]);
  });
});

describe('RequestFramer: large frames and per-API size caps', () => {
  const chunks = (b: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size));

  it('a frame over ASSEMBLE_AFTER_BYTES arriving in socket-sized chunks comes out whole, from one buffer of its own', () => {
    for (const [size, pooled] of [[3 * 1024 * KiB, true], [20 * 1024 * KiB, false]] as const) {
      const pool = new FramePool();
      const framer = new RequestFramer({ pool });
      const f = frame(size, 7);
      const out = chunks(f, 64 * KiB).flatMap((c) => framer.push(c));
      assert.equal(out.length, 1);
      assert.equal(out[0]!.pooled, pooled);
      assert.equal(out[0]!.correlationId, 7);
      assert.ok(out[0]!.body.equals(f.subarray(14)), 'every byte in place');
      assert.equal(framer.bufferedBytes, 0);
    }
  });

  it('discard() gives a half-assembled pooled frame back to the pool', () => {
    const pool = new FramePool();
    const framer = new RequestFramer({ pool });
    for (const c of chunks(frame(3 * 1024 * KiB, 1), 64 * KiB).slice(0, 24)) assert.deepEqual(framer.push(c), []);
    assert.equal(framer.bufferedBytes, 24 * 64 * KiB - 4, 'all but the size prefix');
    framer.discard();
    assert.equal(framer.bufferedBytes, 0);
    assert.equal(pool.stats.released, 1, 'the assembly buffer went back to the pool');
  });

  it('maxBytesForApi refuses a frame once its API key is in, before its body', () => {
    const framer = new RequestFramer({ maxBytesForApi: (apiKey) => (apiKey === 17 ? 1000 : 1 << 20) });
    const head = Buffer.alloc(6);
    head.writeInt32BE(1001, 0);
    head.writeInt16BE(17, 4);
    assert.deepEqual(framer.push(head.subarray(0, 5)), [], 'the key is not complete yet');
    assert.throws(() => framer.push(head.subarray(5)), /over 1000 for api 17/);
    const other = new RequestFramer({ maxBytesForApi: (apiKey) => (apiKey === 17 ? 1000 : 1 << 20) });
    head.writeInt16BE(18, 4);
    assert.deepEqual(other.push(head), [], 'another API may be larger: it waits for the rest');
  });
});
