import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogue } from '../../../src/core/catalogue/catalogue.js';
import { decodeCatalogue } from '../../../src/core/catalogue/codec.js';
import type { ScryptParams } from '../../../src/core/auth/password.js';
import { isHopperError } from '../../../src/core/errors.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import type { OpenMode, StorageFile } from '../../../src/storage/fs/types.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };
const storageFailed = (e: unknown) => isHopperError(e, 'STORAGE_FAILED');

async function tempPath(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hopper-catalogue-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'catalogue.json');
}

const queue = (name: string) => ({ vhost: '/', name, durable: true, autoDelete: false, arguments: {} });

const exists = (p: string) => stat(p).then(() => true, () => false);

test('a stray .tmp from an interrupted save is discarded; the last saved version loads', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  await c.putQueue(queue('saved'));
  await c.close();
  await writeFile(`${path}.tmp`, '{"format":"hopper-catalogue","ver'); // torn write of a newer save
  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.equal(c2.recovery.strayTmpRemoved, true);
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['saved']);
  assert.equal(await exists(`${path}.tmp`), false);
});

test('a truncated or damaged file is refused, naming the backup; the backup restores the previous version', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  await c.putQueue(queue('q1'));
  await c.putQueue(queue('q2'));
  await c.close();
  const good = await readFile(path);
  const previous = decodeCatalogue(await readFile(`${path}.bak`));
  assert.equal(previous.generation, decodeCatalogue(good).generation - 1, '.bak is the previous save');

  await writeFile(path, good.subarray(0, good.length - 10));
  await assert.rejects(Catalogue.open(path), (e) => storageFailed(e) && /truncated/.test((e as Error).message) && (e as Error).message.includes(`${path}.bak`));

  const flipped = Buffer.from(good);
  flipped[flipped.length - 3]! ^= 0x01;
  await writeFile(path, flipped);
  await assert.rejects(Catalogue.open(path), (e) => storageFailed(e) && /checksum/.test((e as Error).message));

  await writeFile(path, 'not json at all\n{}');
  await assert.rejects(Catalogue.open(path), storageFailed);
  await writeFile(path, '');
  await assert.rejects(Catalogue.open(path), storageFailed);
  await writeFile(path, good.toString('utf8').replace('"version":1', '"version":99'));
  await assert.rejects(Catalogue.open(path), (e) => storageFailed(e) && /version 99/.test((e as Error).message));

  // The operator's recovery: copy the backup over the file.
  await copyFile(`${path}.bak`, path);
  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['q1']);
});

test('a missing file with a backup present is refused rather than started empty', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  await c.putQueue(queue('q'));
  await c.close();
  await rm(path);
  await assert.rejects(Catalogue.open(path), (e) => storageFailed(e) && /missing but its backup/.test((e as Error).message));
});

/** The simulator, with the catalogue's .tmp writes counted and, while `gate` is set, stalled. */
class GatedSim extends SimFs {
  writes = 0;
  gate: Promise<void> | null = null;

  override async open(path: string, mode: OpenMode): Promise<StorageFile> {
    if (path.endsWith('.tmp')) {
      this.writes++;
      if (this.gate) await this.gate;
    }
    return super.open(path, mode);
  }
}

const simPath = '/data/catalogue.json';

async function gatedSim(): Promise<GatedSim> {
  const fs = new GatedSim({ seed: 7 });
  await fs.mkdirp('/data');
  return fs;
}

/** Queue names in the version that would survive a crash now. */
const durableQueues = (fs: SimFs) => decodeCatalogue(fs.durableBytes(simPath)).snapshot.queues.map((q) => q.name);

test('concurrent mutations share saves, and each resolves only once a save holding it is durable', async () => {
  const fs = await gatedSim();
  const c = await Catalogue.open(simPath, { scrypt: fast, fs });
  const baseline = fs.writes;

  let release!: () => void;
  fs.gate = new Promise((r) => (release = r));
  const first = c.putQueue(queue('q0'));
  // These arrive while the first save is stalled: they must go into one following save.
  const rest = Array.from({ length: 99 }, (_, i) =>
    c.putQueue(queue(`q${i + 1}`)).then(() => assert.ok(durableQueues(fs).includes(`q${i + 1}`), `q${i + 1} durable when resolved`)),
  );
  assert.equal(c.queues('/').length, 100, 'visible in memory at once');
  const firstChecked = first.then(() => assert.ok(durableQueues(fs).includes('q0')));
  fs.gate = null;
  release();
  await Promise.all([firstChecked, ...rest]);
  assert.equal(fs.writes - baseline, 2, '100 mutations, 2 writes');
  assert.equal(durableQueues(fs).length, 100);

  // A no-op mutation waits for the save that is under way (its observation must be durable).
  let release2!: () => void;
  fs.gate = new Promise((r) => (release2 = r));
  const del = c.deleteQueue('/', 'q0');
  const noop = c.deleteQueue('/', 'q0').then(() => assert.ok(!durableQueues(fs).includes('q0'), 'no-op resolved after the delete was durable'));
  fs.gate = null;
  release2();
  await Promise.all([del, noop]);
  assert.equal(await c.flush(), undefined);
});

test('a failed save rejects its mutations and turns the catalogue read-only; disk keeps the last good version', async () => {
  const fs = await gatedSim();
  const c = await Catalogue.open(simPath, { scrypt: fast, fs });
  await c.putQueue(queue('good'));
  fs.failNext('write', 'EIO', { path: `${simPath}.tmp` });
  await assert.rejects(c.putQueue(queue('lost')), storageFailed);
  await assert.rejects(c.putQueue(queue('after')), storageFailed);
  assert.equal(c.queue('/', 'after'), undefined, 'refused before being applied');
  await assert.rejects(c.save(), storageFailed, 'no retry after a failure');
  const c2 = await Catalogue.open(simPath, { scrypt: fast, fs });
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['good']);
});

test('a crash between writing the .tmp and the rename leaves the previous version intact', async () => {
  const fs = await gatedSim();
  const c = await Catalogue.open(simPath, { scrypt: fast, fs });
  await c.putQueue(queue('before'));
  fs.failNext('rename', 'EIO', { path: `${simPath}.tmp` });
  await assert.rejects(c.putQueue(queue('during')), storageFailed);
  assert.equal(await fs.exists(`${simPath}.tmp`), true, 'the complete new version sits in .tmp');
  const c2 = await Catalogue.open(simPath, { scrypt: fast, fs });
  assert.equal(c2.recovery.strayTmpRemoved, true);
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['before']);
});

test('on the real disk the file and its backup are private to the broker (they hold password hashes)', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  await c.putQueue(queue('q'));
  await c.close();
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await stat(`${path}.bak`)).mode & 0o777, 0o600);
});

test('where hard links are refused, the backup is a copy of the previous version', async () => {
  const fs = await gatedSim();
  const c = await Catalogue.open(simPath, { scrypt: fast, fs });
  await c.putQueue(queue('q1'));
  const previous = fs.fileBytes(simPath);
  fs.link = () => Promise.reject(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }));
  await c.putQueue(queue('q2'));
  assert.deepEqual(fs.fileBytes(`${simPath}.bak`), previous);
  assert.deepEqual(durableQueues(fs), ['q1', 'q2']);
});

test('an in-memory catalogue resolves at once and writes nothing', async () => {
  const c = await Catalogue.inMemory({ scrypt: fast });
  assert.equal(c.path, null);
  await c.putQueue(queue('q'));
  assert.equal(c.generation, 0);
  await c.close();
  await assert.rejects(c.putQueue(queue('q2')), (e) => isHopperError(e, 'CLOSED'));
});
