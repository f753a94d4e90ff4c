import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { rangeAssignor } from '../../../../src/protocol/kafka/groups/consumer/assignors/range.js';
import type { AssignorMember, TopicPartitions } from '../../../../src/protocol/kafka/groups/consumer/assignors/types.js';
import { uniformAssignor } from '../../../../src/protocol/kafka/groups/consumer/assignors/uniform.js';

const sizes: Record<string, number> = { a: 6, b: 3, c: 1, d: 8 };
const partitions = (t: string) => sizes[t] ?? 0;

function member(memberId: string, topics: string[], previous: TopicPartitions = new Map(), instanceId: string | null = null): AssignorMember {
  return { memberId, instanceId, topics: new Set(topics), previous };
}

const count = (tps: TopicPartitions | undefined) => [...(tps ?? new Map()).values()].reduce((n, s) => n + s.size, 0);

/** Every subscribed partition is assigned exactly once, and only to a subscriber. */
function assertComplete(members: AssignorMember[], result: Map<string, Map<string, Set<number>>>): void {
  const owner = new Map<string, string>();
  for (const [id, tps] of result) {
    const m = members.find((x) => x.memberId === id)!;
    for (const [t, ps] of tps) {
      assert.ok(m.topics.has(t), `${id} got ${t} it does not subscribe to`);
      for (const p of ps) {
        assert.ok(p >= 0 && p < partitions(t));
        assert.equal(owner.get(`${t}-${p}`), undefined, `${t}-${p} assigned twice`);
        owner.set(`${t}-${p}`, id);
      }
    }
  }
  const topics = new Set(members.flatMap((m) => [...m.topics]));
  assert.equal(owner.size, [...topics].reduce((n, t) => n + partitions(t), 0), 'every partition assigned');
}

describe('server-side assignors', () => {
  it('uniform: balanced within one partition, and sticky when a member joins', () => {
    const first = uniformAssignor.assign({ members: [member('m1', ['a', 'b']), member('m2', ['a', 'b'])], partitions });
    assert.deepEqual([count(first.get('m1')), count(first.get('m2'))].sort(), [4, 5]);
    const members = [member('m1', ['a', 'b'], first.get('m1')), member('m2', ['a', 'b'], first.get('m2')), member('m3', ['a', 'b'])];
    const second = uniformAssignor.assign({ members, partitions });
    assertComplete(members, second);
    assert.deepEqual(members.map((m) => count(second.get(m.memberId))).sort(), [3, 3, 3]);
    // Only what m3 needed moved: m1 and m2 kept 3 of their previous partitions each.
    for (const id of ['m1', 'm2']) {
      let kept = 0;
      for (const [t, ps] of second.get(id)!) for (const p of ps) if (first.get(id)!.get(t)?.has(p)) kept++;
      assert.equal(kept, 3);
    }
  });

  it('uniform: heterogeneous subscriptions stay complete and as balanced as the subscriptions allow', () => {
    fc.assert(fc.property(
      fc.array(fc.subarray(['a', 'b', 'c', 'd'], { minLength: 1 }), { minLength: 1, maxLength: 6 }),
      (subs) => {
        const members = subs.map((topics, i) => member(`m${i}`, topics));
        const result = uniformAssignor.assign({ members, partitions });
        assertComplete(members, result);
        // Two members with the same subscription differ by at most one partition.
        for (const x of members) for (const y of members) {
          if ([...x.topics].sort().join() === [...y.topics].sort().join()) {
            assert.ok(Math.abs(count(result.get(x.memberId)) - count(result.get(y.memberId))) <= 1);
          }
        }
      },
    ), { numRuns: 200, seed: 42 });
  });

  it('range: contiguous ranges per topic, co-partitioned, static members first by instance id', () => {
    const members = [member('z-dyn', ['a', 'd']), member('b-static', ['a', 'd'], new Map(), 'i2'), member('a-static', ['a', 'd'], new Map(), 'i1')];
    const r = rangeAssignor.assign({ members, partitions });
    assertComplete(members, r);
    const list = (id: string, t: string) => [...(r.get(id)!.get(t) ?? [])].sort((x, y) => x - y);
    assert.deepEqual(list('a-static', 'a'), [0, 1]);
    assert.deepEqual(list('b-static', 'a'), [2, 3]);
    assert.deepEqual(list('z-dyn', 'a'), [4, 5]);
    assert.deepEqual(list('a-static', 'd'), [0, 1, 2]);
    assert.deepEqual(list('b-static', 'd'), [3, 4, 5]);
    assert.deepEqual(list('z-dyn', 'd'), [6, 7]);
  });
});
