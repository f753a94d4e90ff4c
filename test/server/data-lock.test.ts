/**
 * One broker per data directory: a second process (or an embedded Broker.open) on a directory
 * in use refuses to start, naming the directory and the holder's pid; a lock left by a killed
 * process does not block a restart, whether its pid is gone or reused by another process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../../src/core/broker/broker.js';
import { LOCK_FILE_PREFIX, processStartTicks } from '../../src/core/broker/data-lock.js';
import { isHopperError } from '../../src/core/errors.js';
import { bannerPorts, startHopper, stopHopper } from '../helpers/hopper-process.js';
import { tempDir } from '../helpers/tmp.js';

/** The lock files present, and the content of the newest. */
async function lockState(dir: string): Promise<{ files: string[]; newest: string }> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(LOCK_FILE_PREFIX)).sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)));
  return { files, newest: files.length === 0 ? '' : await readFile(join(dir, files.at(-1)!), 'utf8') };
}

/** Plants a lock file of generation 1 (the only one) with `content`. */
async function plantLock(dir: string, content: string): Promise<void> {
  for (const f of (await lockState(dir)).files) await unlink(join(dir, f));
  await writeFile(join(dir, `${LOCK_FILE_PREFIX}1`), content);
}

const inUse = (dir: string, pid: number) => (e: unknown) => isHopperError(e, 'DATA_DIR_IN_USE') && e.message.includes(dir) && e.message.includes(`pid ${pid}`);

test('a second hopper process and an embedded broker refuse a directory in use; kill -9 leaves a lock that does not block a restart', async () => {
  const { dir, cleanup } = await tempDir();
  const data = join(dir, 'data');
  try {
    const first = startHopper(data);
    await bannerPorts(first);
    const firstPid = first.child.pid!;

    const second = startHopper(data);
    const { code } = await second.exited();
    assert.equal(code, 1);
    assert.match(second.stderr(), new RegExp(`data directory ${data} is in use by another Hopper process \\(pid ${firstPid}\\b`));
    assert.equal(first.child.exitCode, null, 'the first one still runs');

    await assert.rejects(Broker.open({ dataDir: data }), inUse(data, firstPid));

    first.child.kill('SIGKILL');
    await first.exited();
    assert.equal(JSON.parse((await lockState(data)).newest).pid, firstPid, 'kill -9 left its lock behind');

    const third = startHopper(data);
    await bannerPorts(third);
    assert.match(third.stderr(), new RegExp(`took over the lock of ${data} left by pid ${firstPid}`));
    assert.equal((await stopHopper(third)).code, 0);
    const after = await lockState(data);
    assert.equal(after.newest, 'released\n', 'a clean stop releases the lock');
    assert.equal(after.files.length, 1, 'older generations are deleted');
  } finally {
    await cleanup();
  }
});

test('an embedded broker holds its directory until closed; a second open in the same process is refused too', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const b = await Broker.open({ dataDir: dir });
    await assert.rejects(Broker.open({ dataDir: dir }), inUse(dir, process.pid));
    const child = startHopper(dir);
    assert.equal((await child.exited()).code, 1);
    assert.match(child.stderr(), new RegExp(`pid ${process.pid}\\b`));
    await b.close();
    await (await Broker.open({ dataDir: dir })).close();
  } finally {
    await cleanup();
  }
});

test('a lock naming a live pid is stale if that pid started at another time (reused); held if it is the same process', async () => {
  const { dir, cleanup } = await tempDir();
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    await new Promise((r) => sleeper.once('spawn', r));
    const pid = sleeper.pid!;
    const ticks = processStartTicks(pid);
    assert.notEqual(ticks, null, 'this test needs /proc');
    const lock = (startTicks: string | null) => JSON.stringify({ pid, startTicks, host: hostname(), startedAt: 'earlier', nonce: 'n' });

    await plantLock(dir, lock(ticks));
    await assert.rejects(Broker.open({ dataDir: dir }), inUse(dir, pid));

    await plantLock(dir, lock(String(Number(ticks) - 1)));
    const b = await Broker.open({ dataDir: dir });
    assert.equal(JSON.parse((await lockState(dir)).newest).pid, process.pid, 'ours now');
    await b.close();
  } finally {
    sleeper.kill();
    await cleanup();
  }
});

test('a lock from another host is not taken over; an old unreadable one is', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await plantLock(dir, JSON.stringify({ pid: 1, startTicks: '1', host: 'elsewhere.example', startedAt: 'earlier', nonce: 'n' }));
    await assert.rejects(Broker.open({ dataDir: dir }), (e) => isHopperError(e, 'DATA_DIR_IN_USE') && /pid 1 on elsewhere\.example/.test(e.message) && e.message.includes(`delete ${join(dir, `${LOCK_FILE_PREFIX}1`)}`));

    await plantLock(dir, '');
    await utimes(join(dir, `${LOCK_FILE_PREFIX}1`), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const b = await Broker.open({ dataDir: dir });
    await b.close();
  } finally {
    await cleanup();
  }
});

test('several brokers taking over one stale lock at once: exactly one gets the directory', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (let round = 0; round < 5; round++) {
      // pid 2^22 + round is above Linux's pid_max default: not running.
      await plantLock(dir, JSON.stringify({ pid: 4_194_304 + round, startTicks: '1', host: hostname(), startedAt: 'earlier', nonce: `n${round}` }));
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => Broker.open({ dataDir: dir })));
      const opened = results.filter((r): r is PromiseFulfilledResult<Broker> => r.status === 'fulfilled');
      assert.equal(opened.length, 1, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))));
      for (const r of results) if (r.status === 'rejected') assert.ok(isHopperError(r.reason, 'DATA_DIR_IN_USE'), String(r.reason));
      await opened[0]!.value.close();
    }
  } finally {
    await cleanup();
  }
});
