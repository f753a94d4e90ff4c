/**
 * kcat (librdkafka) against the broker on an ephemeral port: metadata (-L), produce (-P) with a key
 * and each compression codec, consume (-C ... -e), and a consumer group (-G) that commits and
 * resumes from its committed offset on a second run. The README's "Try it with kcat" does the same.
 *
 * Skipped when kcat is not installed (.ci/run installs it from Debian's `kcat` package).
 *
 * Two librdkafka 2.0.2 (Debian's kcat) needs are covered here: an empty partition is answered
 * with an empty record set (not null), so -e sees the end of the partition; and FindCoordinator
 * v0 is served, without which this librdkafka disables consumer groups and lz4.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readStored, startHarness, type Harness } from './harness.js';

const KCAT = process.env.HOPPER_KCAT ?? '/usr/bin/kcat';
const HAVE_KCAT = existsSync(KCAT);
const SKIP = HAVE_KCAT ? false : `kcat not found at ${KCAT} (apt-get install kcat; .ci/run does)`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kcat with args, stdin, and a hard timeout (kcat is killed past it, and the test fails). */
function kcat(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // kcat may exit before reading all of stdin on a failure
    child.stdin.end(opts.input ?? '');
  });
}

async function ok(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string> {
  const r = await kcat(args, opts);
  assert.equal(r.code, 0, `kcat ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}`);
  return r.stdout;
}


// A working group joins in seconds; this bounds a broken run.
const GROUP_TIMEOUT_MS = 20_000;

const lines = (out: string): string[] => out.split('\n').filter((l) => l !== '');

describe('kafka endpoint with kcat (librdkafka)', { skip: SKIP }, () => {
  let h: Harness;
  let b: string[];
  before(async () => {
    h = await startHarness();
    b = ['-b', h.bootstrap];
  });
  after(async () => {
    await h?.close();
  });

  it('-L lists the broker and topics (plain and JSON)', async () => {
    await h.broker.vhost('/').createTopic('kc-meta', { partitions: 3 });
    const text = await ok([...b, '-L']);
    assert.match(text, /1 brokers:/);
    assert.match(text, /topic "kc-meta" with 3 partitions:/);
    const md = JSON.parse(await ok([...b, '-L', '-J', '-t', 'kc-meta'])) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    assert.equal(md.brokers.length, 1);
    assert.equal(md.brokers[0]!.name, `${h.bootstrap.split(':')[0]}:${h.listener.port}`);
    const t = md.topics.find((x) => x.topic === 'kc-meta');
    assert.deepEqual(t?.partitions.map((p) => p.partition).sort(), [0, 1, 2]);
    assert.ok(t?.partitions.every((p) => p.leader === md.brokers[0]!.id));
  });

  it('-P with a key (auto-creating the topic), then -C -o beginning reads it back', async () => {
    const values = ['first', 'second', 'third', 'fourth'];
    await ok([...b, '-P', '-t', 'kc-plain', '-k', 'the-key'], { input: values.join('\n') + '\n' });
    const out = await ok([...b, '-C', '-t', 'kc-plain', '-o', 'beginning', '-c', '4', '-u', '-q', '-f', '%k=%s@%o\n']);
    assert.deepEqual(lines(out), values.map((v, i) => `the-key=${v}@${i}`));
    const stored = await readStored(h.broker, 'kc-plain');
    assert.deepEqual(stored.messages.map((m) => [m.message.key?.toString(), m.message.value?.toString()]), values.map((v) => ['the-key', v]));
  });

  for (const [codec, id] of [['gzip', 1], ['snappy', 2], ['lz4', 3], ['zstd', 4]] as const) {
    it(`-P -X compression.codec=${codec}: consumed by kcat and read by decodeMessages`, async () => {
      const topic = `kc-${codec}`;
      await h.broker.vhost('/').createTopic(topic, { partitions: 1 });
      // Compressible, so librdkafka keeps the compressed batch (it sends plain when that is smaller).
      const values = Array.from({ length: 50 }, (_, i) => `${codec} message ${i} ${'lorem ipsum '.repeat(8)}`);
      // One batch: a long linger so all of stdin goes in one compressed batch.
      await ok([...b, '-P', '-t', topic, '-k', `key-${codec}`, '-X', `compression.codec=${codec}`, '-X', 'linger.ms=200'], { input: values.join('\n') + '\n' });
      const stored = await readStored(h.broker, topic);
      assert.ok(stored.codecs.length >= 1 && stored.codecs.every((c) => c === id), `codecs ${stored.codecs.join(',')}`);
      assert.deepEqual(stored.messages.map((m) => m.message.value?.toString()), values);
      assert.ok(stored.messages.every((m) => m.message.key?.toString() === `key-${codec}`));
      const out = await ok([...b, '-C', '-t', topic, '-o', 'beginning', '-c', String(values.length), '-u', '-q', '-f', '%s\n']);
      assert.deepEqual(lines(out), values);
    });
  }

  it('-X compression.codec=lz4 is stored as lz4', async () => {
    await ok([...b, '-P', '-t', 'kc-lz4-only', '-X', 'compression.codec=lz4'], { input: 'b'.repeat(200) + '\n' });
    assert.deepEqual((await readStored(h.broker, 'kc-lz4-only')).codecs, [3]);
  });

  it('-z (the short form) works too', async () => {
    await h.broker.vhost('/').createTopic('kc-z', { partitions: 1 });
    await ok([...b, '-P', '-t', 'kc-z', '-z', 'snappy'], { input: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n' });
    assert.deepEqual((await readStored(h.broker, 'kc-z')).codecs, [2]);
    assert.deepEqual(lines(await ok([...b, '-C', '-t', 'kc-z', '-o', 'beginning', '-c', '1', '-u', '-q'])), ['a'.repeat(82)]);
  });

  it('-G group: a run reads and commits; a second run resumes from the committed offset', async () => {
    const topic = 'kc-group';
    await h.broker.vhost('/').createTopic(topic, { partitions: 1 });
    const group = ['-G', 'kc-g', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', '-u', '-q', '-f', '%s@%o\n'];
    await ok([...b, '-P', '-t', topic], { input: 'g0\ng1\ng2\n' });
    const first = await ok([...b, ...group, '-c', '3', topic], { timeoutMs: GROUP_TIMEOUT_MS });
    assert.deepEqual(lines(first), ['g0@0', 'g1@1', 'g2@2']);

    // kcat commits (auto-commit) when it closes: the group's committed offset is the next one to read.
    const admin = h.kafka().admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'kc-g', topics: [topic] });
    await admin.disconnect();
    assert.equal(committed[0]?.partitions[0]?.offset, '3');

    await ok([...b, '-P', '-t', topic], { input: 'g3\ng4\n' });
    // From the beginning this would be g0, g1: it starts at the committed offset instead.
    const second = await ok([...b, ...group, '-c', '2', topic], { timeoutMs: GROUP_TIMEOUT_MS });
    assert.deepEqual(lines(second), ['g3@3', 'g4@4']);
  });

  it('-C -e exits at the end of the partition', async () => {
    await ok([...b, '-P', '-t', 'kc-eof'], { input: 'x\ny\n' });
    const out = await ok([...b, '-C', '-t', 'kc-eof', '-o', 'beginning', '-e', '-u', '-q'], { timeoutMs: 8_000 });
    assert.deepEqual(lines(out), ['x', 'y']);
  });

  it('-C with fetch.max.bytes below the data of three partitions gets answers within it (librdkafka 0082)', async () => {
    // librdkafka refuses a response larger than receive.message.max.bytes ("Invalid response
    // size") and fetches again, for ever: the answers must keep within fetch.max.bytes.
    const topic = 'kc-fetch-max';
    await h.broker.vhost('/').createTopic(topic, { partitions: 3 });
    const producer = h.kafka().producer();
    await producer.connect();
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 2; i++) await producer.send({ topic, messages: [{ partition: p, value: Buffer.alloc(400_000, 97 + p) }] });
    }
    await producer.disconnect();
    const limits = ['-X', 'fetch.max.bytes=1000000', '-X', 'receive.message.max.bytes=1000512', '-X', 'max.partition.fetch.bytes=20000000'];
    const out = await ok([...b, ...limits, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %S\n'], { timeoutMs: 20_000 });
    assert.deepEqual(lines(out).sort(), ['0 0 400000', '0 1 400000', '1 0 400000', '1 1 400000', '2 0 400000', '2 1 400000']);
  });
});

// librdkafka 2.0.2 enables SASL only when SaslHandshake v0 is advertised, and before 2.6.1 it
// repeats its nonce in the SCRAM client-final message; both are accommodated (see sasl-handshake.ts, scram.ts).
describe('kcat with SASL (saslRequired)', { skip: SKIP }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ saslRequired: true });
    await h.broker.access.addUser('kc-user', 'kc-secret');
    await h.broker.access.setPermissions('kc-user', '/', { configure: '.*', write: '.*', read: '.*' });
  });
  after(async () => {
    await h?.close();
  });
  const sasl = (mechanism: string, password = 'kc-secret') => [
    '-b', h.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${mechanism}`,
    '-X', 'sasl.username=kc-user', '-X', `sasl.password=${password}`,
  ];

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    it(`${mechanism}: produces and consumes; a wrong password fails`, async () => {
      const topic = `kc-sasl-${mechanism.toLowerCase()}`;
      await ok([...sasl(mechanism), '-P', '-t', topic], { input: 'a\nb\n' });
      const out = await ok([...sasl(mechanism), '-C', '-t', topic, '-o', 'beginning', '-e', '-u', '-q'], { timeoutMs: 10_000 });
      assert.deepEqual(lines(out), ['a', 'b']);
      const bad = await kcat([...sasl(mechanism, 'wrong'), '-L', '-m', '3'], { timeoutMs: 15_000 });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /Authentication failure|authentication failed|invalid credentials/i);
    });
  }
});
