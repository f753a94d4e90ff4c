/** The simulator's durability model and its deterministic faults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimFs } from '../../../src/storage/fs/sim.js';

describe('SimFs crash model', () => {
  it('crash keeps synced bytes and drops the rest', async () => {
    const sim = new SimFs();
    await sim.mkdirp('/d');
    const f = await sim.open('/d/f', 'create');
    await sim.syncDir('/d');
    await f.write(Buffer.from('durable'), 0);
    await f.datasync();
    await f.write(Buffer.from('-volatile'), 7);
    await f.write(Buffer.from('D'), 0); // an unsynced overwrite inside the synced prefix
    assert.equal(sim.fileBytes('/d/f').toString(), 'Durable-volatile');
    assert.equal(sim.durableBytes('/d/f').toString(), 'durable');
    sim.crash();
    assert.equal(sim.fileBytes('/d/f').toString(), 'durable');
    assert.equal(sim.stats.crashes, 1);
  });

  it('crash drops directory entries that were not synced: creates, renames and unlinks', async () => {
    const sim = new SimFs();
    await sim.mkdirp('/d');
    await sim.writeFileAtomic('/d/kept', Buffer.from('k')); // syncs the directory
    const a = await sim.open('/d/created', 'create');
    await a.write(Buffer.from('data'), 0);
    await a.datasync(); // the bytes are durable, the entry is not
    await sim.rename('/d/kept', '/d/renamed');
    sim.crash();
    assert.deepEqual(sim.list('/d'), ['kept']);
    await sim.unlink('/d/kept');
    sim.crash();
    assert.deepEqual(sim.list('/d'), ['kept'], 'an unsynced unlink comes back');
    await sim.unlink('/d/kept');
    await sim.syncDir('/d');
    sim.crash();
    assert.deepEqual(sim.list('/d'), []);
  });

  it('a hard link is an entry like any other: durable only after syncDir, sharing the inode', async () => {
    const sim = new SimFs();
    await sim.mkdirp('/d');
    await sim.writeFileAtomic('/d/f', Buffer.from('old'));
    await sim.link('/d/f', '/d/f.bak');
    sim.crash();
    assert.deepEqual(sim.list('/d'), ['f'], 'an unsynced link is lost');
    await sim.link('/d/f', '/d/f.bak');
    await sim.writeFileAtomic('/d/f', Buffer.from('new')); // its syncDir makes the link durable too
    sim.crash({ torn: true });
    assert.equal(sim.fileBytes('/d/f').toString(), 'new');
    assert.equal(sim.fileBytes('/d/f.bak').toString(), 'old');
    sim.failNext('link', 'EIO');
    await assert.rejects(sim.link('/d/f', '/d/g'), { code: 'EIO' });
  });

  it('a torn crash keeps a seeded part of an unsynced appended tail', async () => {
    const lengths = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new SimFs({ seed });
      await sim.mkdirp('/d');
      const f = await sim.open('/d/f', 'create');
      await sim.syncDir('/d');
      await f.write(Buffer.alloc(100, 1), 0);
      await f.datasync();
      await f.write(Buffer.alloc(100, 2), 100);
      sim.crash({ torn: true });
      const bytes = sim.fileBytes('/d/f');
      assert.ok(bytes.length >= 100 && bytes.length <= 200);
      assert.ok(bytes.subarray(0, 100).every((b) => b === 1) && bytes.subarray(100).every((b) => b === 2));
      lengths.add(bytes.length);
      const again = new SimFs({ seed });
      await again.mkdirp('/d');
      const g = await again.open('/d/f', 'create');
      await again.syncDir('/d');
      await g.write(Buffer.alloc(100, 1), 0);
      await g.datasync();
      await g.write(Buffer.alloc(100, 2), 100);
      again.crash({ torn: true });
      assert.equal(again.fileBytes('/d/f').length, bytes.length, 'same seed, same tear');
    }
    assert.ok(lengths.size > 5);
  });

  it('a mount dies at the crash: its handles and its path calls fail', async () => {
    const sim = new SimFs();
    const proc = sim.mount();
    await proc.mkdirp('/d');
    const f = await proc.open('/d/f', 'create');
    sim.crash();
    await assert.rejects(f.write(Buffer.from('x'), 0), { code: 'EBADF' });
    await assert.rejects(proc.open('/d/g', 'create'), { code: 'EBADF' });
    await assert.rejects(proc.rename('/d/f', '/d/h'), { code: 'EBADF' });
    const next = sim.mount();
    await next.writeFileAtomic('/d/g', Buffer.from('ok'));
    assert.equal((await next.readFile('/d/g')).toString(), 'ok');
  });

  it('tearTail, corrupt and putFile edit files durably', async () => {
    const sim = new SimFs();
    sim.putFile('/f', Buffer.from('abcdef'));
    sim.tearTail('/f', 2);
    sim.corrupt('/f', 0, 0x20);
    sim.crash();
    assert.equal(sim.fileBytes('/f').toString(), 'Abcd');
    sim.removeFile('/f');
    sim.crash();
    assert.deepEqual(sim.list('/'), []);
  });
});

describe('SimFs faults', () => {
  it('failNext fails the matching op once, with skip and path filters', async () => {
    const sim = new SimFs();
    await sim.mkdirp('/d');
    const a = await sim.open('/d/a', 'create');
    const b = await sim.open('/d/b', 'create');
    sim.failNext('fsync', 'EIO', { path: '/d/b', skip: 1 });
    await a.datasync();
    await b.datasync(); // skipped
    await assert.rejects(b.datasync(), { code: 'EIO' });
    await b.datasync(); // used up
    sim.failNext('write', 'ENOSPC');
    await assert.rejects(a.write(Buffer.alloc(1000, 9), 0), { code: 'ENOSPC' });
    assert.ok(sim.fileBytes('/d/a').length <= 1000, 'a failed write may land partly');
    sim.failNext('rename', 'EIO');
    await assert.rejects(sim.rename('/d/a', '/d/c'), { code: 'EIO' });
    assert.deepEqual(sim.list('/d'), ['a', 'b']);
  });

  it('fault rates are deterministic for a seed', async () => {
    const pattern = async (seed: number): Promise<string> => {
      const sim = new SimFs({ seed });
      await sim.mkdirp('/d');
      const f = await sim.open('/d/f', 'create');
      sim.setFaultRate('fsync', 0.3, 'EIO');
      let out = '';
      for (let i = 0; i < 40; i++) out += await f.datasync().then(() => '.', () => 'x');
      return out;
    };
    assert.equal(await pattern(7), await pattern(7));
    assert.notEqual(await pattern(7), await pattern(8));
    assert.match(await pattern(7), /x/);
  });
});
