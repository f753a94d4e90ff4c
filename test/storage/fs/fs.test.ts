/** The StorageFs contract, run against the real disk and the simulator. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diskFs } from '../../../src/storage/fs/disk.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import { readFully, type StorageFs } from '../../../src/storage/fs/types.js';

interface Place {
  fs: StorageFs;
  root: string;
  done(): Promise<void>;
}

function fsContract(name: string, make: () => Place): void {
  describe(`StorageFs contract: ${name}`, () => {
    const withFs = async (fn: (fs: StorageFs, root: string) => Promise<void>): Promise<void> => {
      const p = make();
      try {
        await p.fs.mkdirp(p.root);
        await fn(p.fs, p.root);
      } finally {
        await p.done();
      }
    };

    it('positional write, writev, read, size, truncate', () =>
      withFs(async (fs, root) => {
        const f = await fs.open(join(root, 'a'), 'create');
        await f.write(Buffer.from('hello'), 0);
        await f.writev([Buffer.from(' big'), Buffer.from(' world')], 5);
        await f.write(Buffer.from('J'), 0);
        assert.equal(await f.size(), 15);
        const buf = Buffer.alloc(20);
        assert.equal(await readFully(f, buf, 0, 20, 0), 15);
        assert.equal(buf.subarray(0, 15).toString(), 'Jello big world');
        assert.equal(await f.read(buf, 0, 5, 100), 0, 'past the end reads 0');
        await f.truncate(5);
        assert.equal(await f.size(), 5);
        await f.datasync();
        await f.close();
        assert.equal((await fs.readFile(join(root, 'a'))).toString(), 'Jello');
      }));

    it('open modes: read and write need the file, create does not truncate', () =>
      withFs(async (fs, root) => {
        await assert.rejects(fs.open(join(root, 'missing'), 'read'), { code: 'ENOENT' });
        await assert.rejects(fs.open(join(root, 'missing'), 'write'), { code: 'ENOENT' });
        const f = await fs.open(join(root, 'b'), 'create');
        await f.write(Buffer.from('keep'), 0);
        await f.close();
        const g = await fs.open(join(root, 'b'), 'create');
        assert.equal(await g.size(), 4);
        await g.close();
        const r = await fs.open(join(root, 'b'), 'read');
        await assert.rejects(r.write(Buffer.from('x'), 0));
        await r.close();
      }));

    it('rename replaces, unlink keeps open handles readable, readdir and exists', () =>
      withFs(async (fs, root) => {
        await fs.writeFileAtomic(join(root, 'x'), Buffer.from('new'));
        await fs.writeFileAtomic(join(root, 'y'), Buffer.from('old'));
        const h = await fs.open(join(root, 'y'), 'read');
        await fs.rename(join(root, 'x'), join(root, 'y'));
        assert.equal((await fs.readFile(join(root, 'y'))).toString(), 'new');
        assert.equal(await fs.exists(join(root, 'x')), false);
        await fs.unlink(join(root, 'y'));
        const b = Buffer.alloc(3);
        assert.equal(await readFully(h, b, 0, 3, 0), 3);
        assert.equal(b.toString(), 'old', 'the replaced file stays readable through its handle');
        await h.close();
        await fs.mkdirp(join(root, 'sub', 'deeper'));
        await fs.writeFileAtomic(join(root, 'sub', 'f'), Buffer.from('1'));
        assert.deepEqual((await fs.readdir(join(root, 'sub'))).sort(), ['deeper', 'f']);
        await fs.syncDir(join(root, 'sub'));
        await fs.rmrf(join(root, 'sub'));
        assert.equal(await fs.exists(join(root, 'sub')), false);
        await assert.rejects(fs.unlink(join(root, 'nothing')), { code: 'ENOENT' });
        assert.deepEqual(await fs.readdir(root), []);
      }));

    it('link: a second name for the same bytes, kept when the first name is replaced', () =>
      withFs(async (fs, root) => {
        await fs.writeFileAtomic(join(root, 'cur'), Buffer.from('v1'));
        await fs.link(join(root, 'cur'), join(root, 'prev'));
        const f = await fs.open(join(root, 'cur'), 'write');
        await f.write(Buffer.from('V'), 0);
        await f.close();
        assert.equal((await fs.readFile(join(root, 'prev'))).toString(), 'V1', 'one file, two names');
        await fs.writeFileAtomic(join(root, 'cur'), Buffer.from('v2'));
        assert.equal((await fs.readFile(join(root, 'prev'))).toString(), 'V1');
        assert.equal((await fs.readFile(join(root, 'cur'))).toString(), 'v2');
        await assert.rejects(fs.link(join(root, 'cur'), join(root, 'prev')), { code: 'EEXIST' });
        await assert.rejects(fs.link(join(root, 'missing'), join(root, 'other')), { code: 'ENOENT' });
      }));
  });
}

fsContract('disk', () => {
  const root = mkdtempSync('/tmp/hopper-fs-test-');
  return { fs: diskFs, root: join(root, 'r'), done: () => rm(root, { recursive: true, force: true }) };
});
fsContract('sim', () => ({ fs: new SimFs({ seed: 1 }), root: '/r', done: async () => undefined }));
fsContract('sim mount', () => ({ fs: new SimFs({ seed: 1 }).mount(), root: '/r', done: async () => undefined }));
