/** Property tests of the compact structures against plain arrays and sets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DelayHeap } from '../../../src/core/queue/delay-heap.js';
import { HeldEvents, HeldKind, type HeldKindCode } from '../../../src/core/queue/held-events.js';
import { Lane } from '../../../src/core/queue/lane.js';
import { SettledSet } from '../../../src/core/queue/settled-set.js';
import { MessageCache } from '../../../src/core/queue/message-cache.js';
import { makeMessage } from '../../../src/core/message.js';

test('SettledSet matches a Set of offsets', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 5 })), { maxLength: 100 }), (ops) => {
      const s = new SettledSet(0);
      const ref = new Set<number>();
      for (const [o, len] of ops) {
        if (len === 1) s.add(o);
        else s.addRange(o, o + len);
        for (let i = o; i < o + len; i++) ref.add(i);
      }
      for (let i = 0; i < 210; i++) assert.equal(s.has(i), ref.has(i), `offset ${i}`);
      let floor = 0;
      while (ref.has(floor)) floor++;
      assert.equal(s.floor, floor);
      let prevEnd = -1;
      s.forEachInterval((a, b) => {
        assert.ok(a > s.floor && a > prevEnd && b > a, 'sorted, disjoint, non-adjacent, above the floor');
        prevEnd = b;
      });
    }),
  );
});

test('Lane matches an array deque (runs merge, sizes and bytes add up)', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('back' as const), size: fc.integer({ min: 0, max: 3 }), exp: fc.constantFrom(Infinity, 5) }),
    fc.record({ k: fc.constant('front' as const), size: fc.integer({ min: 0, max: 3 }), exp: fc.constantFrom(Infinity, 5) }),
    fc.record({ k: fc.constant('shift' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), fc.boolean(), (ops, contiguous) => {
      const lane = new Lane(1);
      const ref: [number, number, number][] = [];
      let next = 1000;
      let low = 999;
      for (const o of ops) {
        if (o.k === 'shift') {
          lane.shift();
          ref.shift();
        } else if (o.k === 'back') {
          const off = contiguous ? next++ : (next += 2);
          lane.pushBack(off, o.size, o.exp);
          ref.push([off, o.size, o.exp]);
        } else {
          const off = contiguous ? low-- : (low -= 2);
          lane.pushFront(off, o.size, o.exp);
          ref.unshift([off, o.size, o.exp]);
        }
        assert.equal(lane.length, ref.length);
        assert.equal(lane.bytes, ref.reduce((n, r) => n + r[1], 0));
        assert.equal(lane.headOffset(), ref[0]?.[0] ?? -1);
        if (ref[0]) assert.deepEqual([lane.headSize(), lane.headExpiresAt()], [ref[0][1], ref[0][2]]);
      }
      const flat: number[] = [];
      lane.forEachRun((s, c) => {
        for (let i = 0; i < c; i++) flat.push(s + i);
      });
      assert.deepEqual(flat, ref.map((r) => r[0]));
    }),
  );
});

test('a lane of one million contiguous same-sized messages is a single run', () => {
  const lane = new Lane();
  for (let i = 0; i < 1_000_000; i++) lane.pushBack(i, 1024, Infinity);
  assert.equal(lane.runCount, 1);
  assert.equal(lane.bytes, 1024 * 1_000_000);
});

test('DelayHeap pops in due order, ties by offset', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 1000 })), { maxLength: 200 }), (entries) => {
      const h = new DelayHeap();
      const uniq = new Map(entries.map(([d, o]) => [o, d]));
      for (const [o, d] of uniq) h.push(d, o, 1, Infinity, 0, o % 2 ? `g${o}` : null);
      const out: [number, number, string | null][] = [];
      while (h.pop()) out.push([h.top.dueAt, h.top.offset, h.top.groupId]);
      const want = [...uniq].map(([o, d]) => [d, o, o % 2 ? `g${o}` : null] as [number, number, string | null]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(out, want);
    }),
  );
});

test('MessageCache keeps a window bounded by slots and bytes', () => {
  const c = new MessageCache(4, 10);
  const m = makeMessage('x');
  for (let i = 0; i < 40; i++) c.put(i, m, 1);
  assert.equal(c.get(39), m);
  assert.equal(c.get(29), undefined, 'beyond 10 bytes');
  assert.ok(c.bytes <= 10);
  c.delete(39);
  assert.equal(c.get(39), undefined);
  const r = new MessageCache(4, 3);
  assert.equal(r.tryPut(5, m, 2), true);
  assert.equal(r.tryPut(6, m, 2), false, 'read-ahead keeps its low end');
  assert.equal(r.get(5), m);
});

test('MessageCache: an empty read-ahead keeps its first message even when it alone is over the byte budget', () => {
  const m = makeMessage('x');
  const r = new MessageCache(4, 3);
  assert.equal(r.tryPut(7, m, 10), true);
  assert.equal(r.get(7), m, 'the message a delivery waits for stays');
  assert.equal(r.tryPut(8, m, 1), false, 'nothing more while over budget');
  r.delete(7);
  assert.equal(r.bytes, 0, 'settling it frees it');
  // The cache of recent publishes (put) still never holds more than its budget, and a message
  // larger than all of it does not push the others out.
  const recent = new MessageCache(4, 3);
  recent.put(0, m, 1);
  recent.put(1, m, 10);
  assert.equal(recent.get(1), undefined);
  assert.equal(recent.get(0), m);
  assert.equal(recent.bytes, 1);
  recent.put(2, m, 1);
  assert.equal(recent.get(2), m);
});

test('HeldEvents releases exactly the events wholly below the durable end, each once, in order of their ends', () => {
  type Ev = [HeldKindCode, number, number, number];
  const evArb = fc.tuple(
    fc.constantFrom(HeldKind.settle, HeldKind.settleRange, HeldKind.delivered),
    fc.integer({ min: 0, max: 9 }),
    fc.integer({ min: 0, max: 300 }),
    fc.integer({ min: 1, max: 8 }),
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(evArb.map((e) => ({ hold: e })), fc.integer({ min: 0, max: 320 }).map((end) => ({ end })))), (ops) => {
      const h = new HeldEvents();
      let held: Ev[] = [];
      let durable = 0;
      for (const op of ops) {
        if ('hold' in op) {
          const [kind, reason, start, n] = op.hold;
          const count = kind === HeldKind.settleRange ? n : 1;
          h.hold(kind, reason, start, count);
          held.push([kind, reason, start, count]);
        } else {
          durable = Math.max(durable, op.end);
          const out: Ev[] = [];
          h.release(durable, (kind, reason, start, count) => out.push([kind, reason, start, count]));
          const want = held.filter((e) => e[2] + e[3] <= durable);
          held = held.filter((e) => e[2] + e[3] > durable);
          const ends = out.map((e) => e[2] + e[3]);
          assert.deepEqual(ends, [...ends].sort((a, b) => a - b), 'in order of their ends');
          const key = (e: Ev) => e.join(',');
          assert.deepEqual(out.map(key).sort(), want.map(key).sort());
        }
        assert.equal(h.length, held.length);
      }
    }),
  );
});
