/**
 * kafka-python against the broker on an ephemeral port: kafka-python-check.py runs the admin
 * client (create, list, describe topics and configs, consumer group offsets), a producer with
 * acks='all', keys, headers, explicit timestamps and gzip, a consumer group that consumes and
 * commits, a second member that resumes from the committed offsets, and offsets_for_times / seek
 * on an assigned consumer; this file checks its JSON report against what was produced and what
 * the broker stored.
 *
 * Skipped when python3 cannot import kafka (.ci/run installs Debian's `python3-kafka`, 2.0.2). That
 * package does not pull in lz4, snappy or zstandard; the script produces and consumes those codecs
 * too when their modules are installed (python3-lz4, python3-snappy, python3-zstandard).
 *
 * kafka-python 2.0.2 infers the broker's version from ApiVersions (Produce v8 listed: "2.4") and
 * then uses fixed, older versions for most requests: Metadata v0/v1, Produce v7, Fetch v4,
 * ListOffsets v1, FindCoordinator v0, JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1,
 * OffsetCommit v2, OffsetFetch v1; its admin client picks the highest shared version (Metadata v5,
 * CreateTopics v3, DescribeConfigs v2, ListGroups v2, OffsetFetch v3).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { findPython } from '../../../helpers/python.js';
import { partitionForKey } from '../../../../src/core/topic/partitioner.js';
import { readStored, startHarness, type Harness } from './harness.js';

const script = fileURLToPath(new URL('../../../../../test/protocol/kafka/endpoint/kafka-python-check.py', import.meta.url));

const python = findPython('kafka');
const SKIP = python === null ? 'kafka-python is not installed (apt-get install python3-kafka; .ci/run does)' : false;

const N = 30;
const TOPIC = 'kp-events';
const BASE_TS = 1_700_000_000_000;
const HALF_TS = BASE_TS + Math.floor(N / 2) * 1000;

interface Rec {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string;
  headers: [string, string][];
}

interface Report {
  version: string;
  api_version: number[];
  create_again: string;
  topics: string[];
  describe: { topic: string; error_code: number; partitions: number[] }[];
  configs: Record<string, string>;
  cluster: { brokers: number };
  produced: { partition: number; offset: number }[];
  codecs: Record<string, string[]>;
  consumed: Rec[];
  committed: Record<string, number>;
  second_initial: Rec[];
  second_new: Rec[];
  group_offsets: Record<string, number>;
  groups: string[];
  offsets_for_times: Record<string, [number, number] | null>;
  offsets_for_future: Record<string, null>;
  offsets_for_empty: Record<string, [number, number] | null>;
  beginning: Record<string, number>;
  end: Record<string, number>;
  from_time: Rec[];
  position_beginning: number;
  position_end: number;
}


const byPosition = (a: Rec, b: Rec) => a.partition - b.partition || a.offset - b.offset;

describe('kafka endpoint with kafka-python', { skip: SKIP }, () => {
  let h: Harness;
  let r: Report;
  /** Every record the script produced to TOPIC, where the producer said it went. */
  let expected: Rec[];

  before(async () => {
    h = await startHarness();
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(python!, [script, h.bootstrap, String(N)], { timeout: 90_000 }, (e, out, err) =>
        e ? reject(new Error(`kafka-python-check.py failed: ${e.message}\n${err}${out}`)) : resolve(out),
      ),
    );
    r = JSON.parse(stdout) as Report;
    const value = (i: number) => `value ${i} ${'lorem ipsum '.repeat(4)}`;
    expected = r.produced.map((md, i) => ({
      ...md,
      timestamp: BASE_TS + i * 1000,
      key: `key-${i}`,
      value: value(i),
      headers: [['seq', String(i)], ['origin', 'kafka-python']],
    }));
    // The two records the script sends after the group committed, found by key in what the second member read.
    for (const i of [0, 1]) {
      const got = r.second_new.find((x) => x.key === `late-${i}`);
      if (got) expected.push({ ...got, timestamp: BASE_TS + (N + i) * 1000, value: `late ${i}`, headers: [] });
    }
    expected.sort(byPosition);
  });
  after(async () => {
    await h?.close();
  });

  const countIn = (recs: Rec[], p: number) => recs.filter((x) => x.partition === p).length;

  it('admin: creates a 3-partition topic (a second create is TopicAlreadyExists), lists and describes it', () => {
    assert.ok(r.api_version[0]! > 0 || r.api_version[1]! >= 11, `kafka-python inferred broker ${r.api_version.join('.')}; headers need 0.11`);
    assert.equal(r.create_again, 'TopicAlreadyExistsError');
    assert.ok(r.topics.includes(TOPIC), r.topics.join(','));
    assert.deepEqual(r.describe, [{ topic: TOPIC, error_code: 0, partitions: [0, 1, 2] }]);
    assert.equal(h.broker.vhost('/').topic(TOPIC).partitionCount, 3);
    assert.equal(r.configs['cleanup.policy'], 'delete');
    assert.ok('retention.ms' in r.configs);
    assert.equal(r.cluster.brokers, 1);
  });

  it("producer (acks='all', keys, headers, gzip): offsets in send order per partition, stored gzip", async () => {
    assert.equal(r.produced.length, N);
    for (const p of [0, 1, 2]) {
      const offsets = r.produced.filter((x) => x.partition === p).map((x) => x.offset);
      assert.ok(offsets.length > 0, `nothing went to partition ${p}`);
      assert.deepEqual(offsets, offsets.map((_, i) => i), `partition ${p}`);
    }
    // kafka-python's default partitioner is Kafka's murmur2, as Hopper's (AMQP publishes to a topic use it).
    assert.deepEqual(r.produced.map((x) => x.partition), r.produced.map((_, i) => partitionForKey(Buffer.from(`key-${i}`), 3)));
    // What the broker stored, read back without Kafka: same records, gzip batches (the two late
    // records come from an uncompressed producer).
    const stored: Rec[] = [];
    const codecs = new Set<number>();
    for (const p of [0, 1, 2]) {
      const part = await readStored(h.broker, TOPIC, p);
      part.codecs.forEach((c) => codecs.add(c));
      for (const { offset, message: m } of part.messages) {
        stored.push({
          partition: p,
          offset,
          timestamp: m.timestamp,
          key: m.key?.toString() ?? null,
          value: m.value!.toString(),
          headers: m.headers.map((x) => [x.key, x.value!.toString()]),
        });
      }
    }
    assert.deepEqual(stored, expected);
    assert.deepEqual([...codecs].sort(), [0, 1]);
  });

  it('consumer group: consumes all N records with keys, headers and timestamps, and commits', () => {
    assert.equal(r.consumed.length, N);
    assert.deepEqual([...r.consumed].sort(byPosition), expected.filter((x) => x.key!.startsWith('key-')));
    assert.deepEqual(r.committed, Object.fromEntries([0, 1, 2].map((p) => [String(p), countIn(r.consumed, p)])));
  });

  it('a second member of the group starts at the committed offsets: nothing old, then only the new records', () => {
    assert.deepEqual(r.second_initial, []);
    assert.equal(r.second_new.length, 2);
    assert.deepEqual(r.second_new.map((x) => x.key).sort(), ['late-0', 'late-1']);
    for (const p of [0, 1, 2]) {
      const offsets = r.second_new.filter((x) => x.partition === p).map((x) => x.offset).sort((a, b) => a - b);
      assert.deepEqual(offsets, offsets.map((_, i) => r.committed[String(p)]! + i), `partition ${p}`);
    }
    assert.deepEqual(r.group_offsets, r.end);
    assert.ok(r.groups.includes('kp-group'));
  });

  it('offsets_for_times, beginning/end offsets, seek', () => {
    const ends = Object.fromEntries([0, 1, 2].map((p) => [String(p), countIn(expected, p)]));
    assert.deepEqual(r.end, ends);
    assert.deepEqual(r.beginning, { 0: 0, 1: 0, 2: 0 });
    const firstAtOrAfter = (p: number) => expected.find((x) => x.partition === p && x.timestamp >= HALF_TS);
    assert.deepEqual(
      r.offsets_for_times,
      Object.fromEntries([0, 1, 2].map((p) => {
        const x = firstAtOrAfter(p);
        return [String(p), x ? [x.offset, x.timestamp] : null];
      })),
    );
    assert.deepEqual(r.offsets_for_future, { 0: null, 1: null, 2: null });
    assert.deepEqual(r.offsets_for_empty, { 0: null, 1: null }, 'an empty partition has no offset for a time');
    // Seeking each partition to its offsets_for_times answer reads exactly the records from that time on.
    assert.deepEqual([...r.from_time].sort(byPosition), expected.filter((x) => x.offset >= (firstAtOrAfter(x.partition)?.offset ?? Infinity)));
    assert.equal(r.position_beginning, 0);
    assert.equal(r.position_end, ends['0']);
  });

  it('lz4, snappy and zstd round-trip when their Python modules are installed', async (t) => {
    const ids: Record<string, number> = { snappy: 2, lz4: 3, zstd: 4 };
    const missing = Object.keys(ids).filter((c) => !(c in r.codecs));
    if (missing.length > 0) t.diagnostic(`not tried (Python module missing): ${missing.join(', ')}`);
    for (const [codec, values] of Object.entries(r.codecs)) {
      const want = Array.from({ length: 10 }, (_, i) => `${codec} ${i} ${'abc'.repeat(20)}`);
      assert.deepEqual(values, want, codec);
      const stored = await readStored(h.broker, `kp-${codec}`, 0);
      assert.deepEqual(stored.messages.map((m) => m.message.value!.toString()), want, codec);
      assert.ok(stored.codecs.length > 0 && stored.codecs.every((c) => c === ids[codec]), `${codec}: stored codecs ${stored.codecs.join(',')}`);
    }
  });
});
