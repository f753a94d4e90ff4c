/**
 * Readiness and liveness of `hopper start`, and signals during start-up. The catalogue file is
 * replaced by a named pipe, so recovery blocks reading it until the test writes the catalogue:
 * the test decides when recovery ends, with no timing involved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Broker } from '../../src/core/broker/broker.js';
import { LOCK_FILE_PREFIX } from '../../src/core/broker/data-lock.js';
import { makeMessage } from '../../src/core/message.js';
import { bannerPorts, startHopper, stopHopper, type HopperProcess } from '../helpers/hopper-process.js';
import { tempDir } from '../helpers/tmp.js';

/** A data directory holding queue 'kept' with 3 messages, whose catalogue is a pipe; returns the catalogue's bytes. */
async function blockedDataDir(data: string): Promise<Buffer> {
  const b = await Broker.open({ dataDir: data });
  await b.vhost('/').declareQueue('kept');
  for (const v of ['a', 'b', 'c']) await b.vhost('/').publish('', 'kept', makeMessage(v));
  await b.close();
  const catalogue = join(data, 'catalogue.json');
  const bytes = await readFile(catalogue);
  await rm(catalogue);
  execFileSync('mkfifo', [catalogue]);
  return bytes;
}

/**
 * Resolves once the broker is blocked reading the catalogue (it has the pipe open), with a
 * function that hands it the catalogue and so lets recovery go on.
 */
async function recoveryBlocked(data: string, bytes: Buffer): Promise<() => Promise<void>> {
  for (;;) {
    try {
      // Non-blocking: ENXIO while nobody reads, instead of hanging if the broker never does.
      const fh = await open(join(data, 'catalogue.json'), constants.O_WRONLY | constants.O_NONBLOCK);
      return async () => {
        await fh.write(bytes);
        await fh.close();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function get(port: number, path: string): Promise<{ status: number; body: { status: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as { status: string } };
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

async function httpPortWhileStarting(h: HopperProcess): Promise<number> {
  return Number((await h.waitFor(/http listening on [^:]+:(\d+)/))[1]);
}

test('/health is 503 while recovery runs and 200 once every listener accepts; liveness is 200 throughout', async () => {
  const { dir, cleanup } = await tempDir();
  const data = join(dir, 'data');
  let h: HopperProcess | null = null;
  try {
    const catalogue = await blockedDataDir(data);
    h = startHopper(data);
    const port = await httpPortWhileStarting(h);
    const unblock = await recoveryBlocked(data, catalogue);
    for (const path of ['/health', '/health/ready', '/readyz']) assert.deepEqual(await get(port, path).then((r) => [r.status, r.body.status]), [503, 'starting'], path);
    for (const path of ['/health/live', '/livez', '/healthz']) assert.deepEqual(await get(port, path).then((r) => [r.status, r.body.status]), [200, 'starting'], path);

    await unblock();
    let ready = await get(port, '/health');
    while (ready.status !== 200) {
      assert.equal(ready.status, 503);
      await new Promise((r) => setTimeout(r, 10));
      ready = await get(port, '/health');
    }
    assert.equal(ready.body.status, 'ok');
    // Ready means every listener accepts, so the ports the banner will name accept already.
    const ports = await bannerPorts(h);
    assert.equal(await accepts(ports.amqp), true);
    assert.equal(await accepts(ports.kafka), true);
    assert.equal((await get(port, '/health/live')).status, 200);
    assert.equal((await stopHopper(h)).code, 0);
  } finally {
    if (h) await stopHopper(h, 'SIGKILL');
    await cleanup();
  }
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} during recovery stops start-up cleanly: exit 0, lock released, data intact`, async () => {
    const { dir, cleanup } = await tempDir();
    const data = join(dir, 'data');
    let h: HopperProcess | null = null;
    try {
      const catalogue = await blockedDataDir(data);
      h = startHopper(data);
      const unblock = await recoveryBlocked(data, catalogue);
      h.child.kill(signal);
      await h.waitFor(new RegExp(`${signal} received, stopping start-up`));
      await unblock();
      const { code } = await h.exited();
      assert.equal(code, 0, h.stderr());
      assert.match(h.stderr(), /stopped during start-up/);
      assert.doesNotMatch(h.stdout(), /started/, 'no banner: it never served');
      const locks = (await readdir(data)).filter((f) => f.startsWith(LOCK_FILE_PREFIX));
      assert.equal(await readFile(join(data, locks.at(-1)!), 'utf8'), 'released\n');

      // Start-up stopped before any save: the catalogue is still the pipe.
      await rm(join(data, 'catalogue.json'));
      await writeFile(join(data, 'catalogue.json'), catalogue);
      const b = await Broker.open({ dataDir: data });
      try {
        assert.equal(b.vhost('/').queue('kept').stats().ready, 3);
      } finally {
        await b.close();
      }
    } finally {
      if (h) await stopHopper(h, 'SIGKILL');
      await cleanup();
    }
  });
}

test('a signal right after start-up (before the banner) still stops the broker with exit 0', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const h = startHopper(join(dir, 'data'));
    await h.waitFor(/kafka listening/);
    h.child.kill('SIGTERM');
    assert.equal((await h.exited()).code, 0, h.stderr());
  } finally {
    await cleanup();
  }
});
