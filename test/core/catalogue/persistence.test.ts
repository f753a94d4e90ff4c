import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogue } from '../../../src/core/catalogue/catalogue.js';
import { decodeCatalogue } from '../../../src/core/catalogue/codec.js';
import { nodeCatalogueFs, type CatalogueFs } from '../../../src/core/catalogue/file.js';
import type { ScryptParams } from '../../../src/core/auth/password.js';
import { isHopperError } from '../../../src/core/errors.js';

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

/** A file system that records the content durable at <path> and can be made to fail or stall. */
class TestFs implements CatalogueFs {
  writes = 0;
  durable: Buffer | null = null;
  failWrite: ((n: number) => Error | null) = () => null;
  crashBeforeRename = false;
  gate: Promise<void> | null = null;
  private pendingRename = new Map<string, Buffer>();

  readFile = nodeCatalogueFs.readFile;
  link = nodeCatalogueFs.link;
  copyFile = nodeCatalogueFs.copyFile;
  unlink = nodeCatalogueFs.unlink;

  async writeFileSynced(p: string, data: Buffer): Promise<void> {
    this.writes++;
    if (this.gate) await this.gate;
    const err = this.failWrite(this.writes);
    if (err) throw err;
    await nodeCatalogueFs.writeFileSynced(p, data);
    this.pendingRename.set(p, data);
  }
  async rename(from: string, to: string): Promise<void> {
    if (this.crashBeforeRename) throw Object.assign(new Error('simulated crash'), { code: 'EIO' });
    await nodeCatalogueFs.rename(from, to);
    this.durable = this.pendingRename.get(from) ?? null;
  }
  async fsyncDir(dir: string): Promise<void> {
    await nodeCatalogueFs.fsyncDir(dir);
  }
}

const durableQueues = (fs: TestFs) => decodeCatalogue(fs.durable!).snapshot.queues.map((q) => q.name);

test('concurrent mutations share saves, and each resolves only once a save holding it is durable', async (t) => {
  const path = await tempPath(t);
  const fs = new TestFs();
  const c = await Catalogue.open(path, { scrypt: fast, fs });
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

test('a failed save rejects its mutations and turns the catalogue read-only; disk keeps the last good version', async (t) => {
  const path = await tempPath(t);
  const fs = new TestFs();
  const c = await Catalogue.open(path, { scrypt: fast, fs });
  await c.putQueue(queue('good'));
  fs.failWrite = () => Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
  await assert.rejects(c.putQueue(queue('lost')), storageFailed);
  await assert.rejects(c.putQueue(queue('after')), storageFailed);
  assert.equal(c.queue('/', 'after'), undefined, 'refused before being applied');
  fs.failWrite = () => null;
  await assert.rejects(c.save(), storageFailed, 'no retry after a failure');
  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['good']);
});

test('a crash between writing the .tmp and the rename leaves the previous version intact', async (t) => {
  const path = await tempPath(t);
  const fs = new TestFs();
  const c = await Catalogue.open(path, { scrypt: fast, fs });
  await c.putQueue(queue('before'));
  fs.crashBeforeRename = true;
  await assert.rejects(c.putQueue(queue('during')), storageFailed);
  assert.equal(await exists(`${path}.tmp`), true, 'the complete new version sits in .tmp');
  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.equal(c2.recovery.strayTmpRemoved, true);
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['before']);
});

test('an in-memory catalogue resolves at once and writes nothing', async () => {
  const c = await Catalogue.inMemory({ scrypt: fast });
  assert.equal(c.path, null);
  await c.putQueue(queue('q'));
  assert.equal(c.generation, 0);
  await c.close();
  await assert.rejects(c.putQueue(queue('q2')), (e) => isHopperError(e, 'CLOSED'));
});
