import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32c, crc32cIsNative, crc32cUpdate } from '../../../src/storage/codec/crc32c.js';
import { kjsCrc32c } from './kafkajs.js';

test('crc32c: standard check value and RFC 3720 (iSCSI) vectors', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
  assert.equal(crc32c(Buffer.alloc(32, 0x00)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
  assert.equal(crc32c(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x22620404);
});

test('crc32c: result is unsigned', () => {
  const v = crc32c(Buffer.from('123456789'));
  assert.ok(v > 0x7fffffff);
});

test('crc32c: start/end select a range', () => {
  const b = Buffer.from('xx123456789yy');
  assert.equal(crc32c(b, 2, 11), 0xe3069283);
  assert.equal(crc32c(b, 5, 5), 0);
  assert.throws(() => crc32c(b, 0, 99), /invariant/);
  assert.throws(() => crc32c(b, 3, 2), /invariant/);
});

test('crc32c: agrees with kafkajs on random buffers of every length mod 8', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const b = Buffer.from(bytes);
      assert.equal(crc32c(b), kjsCrc32c(b));
    }),
    { numRuns: 500 },
  );
});

test('crc32cUpdate: chaining equals one pass over the concatenation', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
      const whole = Buffer.concat([a, b]);
      assert.equal(crc32cUpdate(crc32cUpdate(0, a), b), crc32c(whole));
      assert.equal(crc32c(whole, a.length), crc32c(b));
    }),
  );
});

test('the native path (when loaded) and the tables agree on any buffer and range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const buf = Buffer.from(bytes);
      const start = bytes.length === 0 ? 0 : a % bytes.length;
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
      assert.equal(crc32c(buf, start, end), crc32cUpdate(0, buf, start, end));
    }),
    { numRuns: 500 },
  );
  // On this platform the binary package is installed: make sure the fast path is really taken.
  if (process.platform === 'linux' && process.arch === 'x64') assert.equal(crc32cIsNative, true);
});
