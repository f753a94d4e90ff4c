/** Shared fixtures for queue tests: a queue over a chosen log backend, driven by ManualTime. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeMessage, type Message } from '../../../src/core/message.js';
import { openQueue, type OpenQueueInit, type QueueStorage } from '../../../src/core/queue/open.js';
import type { QueueOptions } from '../../../src/core/queue/options.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import { ManualTime } from '../../../src/core/queue/time.js';
import type { DeadLetterInfo, Delivery } from '../../../src/core/queue/types.js';
import { diskFs } from '../../../src/storage/fs/disk.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import type { StorageFs } from '../../../src/storage/fs/types.js';
import { openLog } from '../../../src/storage/log/index.js';
import type { Clock, FsyncPolicy, Log } from '../../../src/storage/types.js';
import { MemoryDisk } from './memory-log.js';

/** Where a test queue keeps its logs, and how that store loses power. */
export interface Backend {
  readonly name: string;
  storage(clock: Clock): QueueStorage;
  /** Power loss (sim, memory) or process death (disk): unsynced data may be gone. */
  crash(): void | Promise<void>;
  cleanup(): Promise<void>;
}

export function memoryBackend(disk = new MemoryDisk()): Backend & { disk: MemoryDisk } {
  return { name: 'memory', disk, storage: () => disk.storage('q'), crash: () => disk.crash(), cleanup: async () => undefined };
}

function fsStorage(fs: StorageFs, dir: string, clock: Clock, fsync: FsyncPolicy): QueueStorage {
  return { openLog: (kind, suggested) => openLog({ fs, dir: join(dir, kind), config: { ...suggested, fsync }, clock }) };
}

export function simBackend(seed = 1): Backend & { fs: SimFs } {
  const fs = new SimFs({ seed });
  return {
    name: 'sim',
    fs,
    storage: (clock) => fsStorage(fs, '/data/q', clock, { kind: 'always' }),
    crash: () => fs.crash({ torn: true }),
    cleanup: async () => undefined,
  };
}

export function diskBackend(fsync: FsyncPolicy = { kind: 'always' }): Backend & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hopper-queue-'));
  let open: Log[] = [];
  return {
    name: `disk (fsync ${fsync.kind})`,
    dir,
    storage: (clock) => {
      const s = fsStorage(diskFs, dir, clock, fsync);
      return { openLog: async (kind, suggested) => track(await s.openLog(kind, suggested)) };
    },
    // A process crash: what was written stays (the OS has it); the dead process's handles go.
    crash: async () => {
      const logs = open;
      open = [];
      await Promise.all(logs.map((l) => l.close().catch(() => undefined)));
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  function track(l: Log): Log {
    open.push(l);
    return l;
  }
}

export interface Harness {
  backend: Backend;
  disk: MemoryDisk;
  time: ManualTime;
  dead: { message: Message; info: DeadLetterInfo }[];
  open(options?: Partial<QueueOptions>, extra?: Partial<OpenQueueInit>): Promise<Queue>;
}

export function harness(backend: Backend = memoryBackend()): Harness {
  const time = new ManualTime();
  const dead: Harness['dead'] = [];
  return {
    backend,
    disk: (backend as { disk?: MemoryDisk }).disk ?? new MemoryDisk(),
    time,
    dead,
    open: (options = {}, extra = {}) =>
      openQueue({
        name: 'q',
        options,
        storage: backend.storage(time),
        clock: time,
        scheduler: time,
        deadLetter: async (message, info) => void dead.push({ message, info }),
        ...extra,
      }),
  };
}

export const msg = (text: string, properties: Message['properties'] = {}): Message => makeMessage(text, { properties, timestamp: 1 });

export const text = (d: Delivery): string => d.message.value?.toString() ?? '';

/** Lets appends, journal writes and setImmediate chains settle. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Waits until the queue has no dead-letter job or read in progress and its journal is durable. */
export async function quiesce(q: Queue): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await settle(2);
    const x = q.internals();
    if (x.deadLettering === 0 && !x.fetching && !x.awaitingDurable) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  await q.flush();
}

/**
 * Moves time forward by ms like `time.advance`, but in steps of at most 1 ms, waiting after each
 * step until the queue has no log read or dead-letter job in progress. A timer can start I/O
 * (a due delayed message, or a lease coming back, whose body is no longer cached after a restart
 * has to be read from the log). `time.advance` alone would run every later timer before that
 * read completes: a TTL sweep would then expire a message that a waiting consumer should
 * already have got. Real reads take microseconds, not the rest of a TTL. This helper makes
 * I/O take no time on the manual clock, which is what the reference model assumes. All the
 * tests' times are whole milliseconds, so 1 ms steps fire every timer at its own instant.
 */
export async function advanceSettled(time: ManualTime, q: Queue, ms: number): Promise<void> {
  const end = time.now() + ms;
  for (;;) {
    time.advance(Math.min(1, end - time.now()));
    const x = q.internals();
    if (x.fetching || x.awaitingDurable || x.deadLettering > 0) await quiesce(q);
    if (time.now() >= end) return;
  }
}
