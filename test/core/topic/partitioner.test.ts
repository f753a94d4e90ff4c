import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { murmur2, partitionForKey } from '../../../src/core/topic/partitioner.js';
import { kjsMurmur2, kjsPartition } from '../../storage/codec/kafkajs.js';

test('murmur2: Kafka UtilsTest vectors', () => {
  const cases: [string | Buffer, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    [Buffer.from([0x61, 0x62, 0x63]), 479470107],
  ];
  for (const [key, want] of cases) assert.equal(murmur2(Buffer.from(key)), want, String(key));
});

test('murmur2: agrees with kafkajs on random keys of every tail length', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (u) => {
      const key = Buffer.from(u);
      assert.equal(murmur2(key), kjsMurmur2(key));
    }),
    { numRuns: 5000 },
  );
});

test('partitionForKey: same partition as the kafkajs default partitioner', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (u, n) => {
      const key = Buffer.from(u);
      const p = partitionForKey(key, n);
      assert.ok(p >= 0 && p < n);
      assert.equal(p, kjsPartition(key, n));
    }),
    { numRuns: 3000 },
  );
});

test('partitionForKey: masks the sign bit rather than taking the absolute value', () => {
  // murmur2('21') is negative: toPositive gives h & 0x7fffffff, not -h.
  const h = murmur2(Buffer.from('21'));
  assert.equal(partitionForKey(Buffer.from('21'), 1000), (h & 0x7fffffff) % 1000);
  assert.notEqual(partitionForKey(Buffer.from('21'), 1000), Math.abs(h) % 1000);
  assert.equal(partitionForKey(Buffer.alloc(0), 1), 0);
  assert.throws(() => partitionForKey(Buffer.from('a'), 0), /invariant/);
});
