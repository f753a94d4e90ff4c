/**
 * The share partitions of one vhost (Kafka's __share_group_state, kept as files): each is a
 * follower queue whose state log lives in
 *
 *   <dataDir>/vhosts/<vhost>/share-groups/<group>/<topic>.<id>/<partition>/state/
 *
 * beside a `floor` file written when it is created (the offset it starts at: the log end under
 * share.auto.offset.reset=latest, the log start under earliest, or the offset an
 * AlterShareGroupOffsets set). Opened on first use and kept open until the endpoint closes.
 */
import { basename, join } from 'node:path';
import type { BrokerContext } from '../broker/context.js';
import { type DamageReport, describeDamage, fromLogDamage, fromQueueDamage } from '../broker/damage.js';
import type { Vhost } from '../broker/vhost.js';
import { HopperError } from '../errors.js';
import { escapeName, paths } from '../paths.js';
import { openQueue } from '../queue/open.js';
import type { QueueOptions } from '../queue/options.js';
import type { Queue } from '../queue/queue.js';
import type { DeadLetterInfo } from '../queue/types.js';
import type { Message } from '../message.js';
import { FollowedLog } from './followed-log.js';
import { SharePartition } from './share-partition.js';

/** A share group's settings that shape its partitions (Kafka's group configs and broker defaults). */
export interface SharePartitionSettings {
  autoOffsetReset: 'latest' | 'earliest';
  readCommitted: boolean;
  /** group.share.delivery.count.limit: the delivery after which a released record is archived. */
  deliveryCountLimit: number;
  /** group.share.partition.max.record.locks. */
  maxRecordLocks: number;
  /** Beyond Kafka: where rejected and over-limit records go (null: archived only). */
  deadLetterTopic: string | null;
}

const FLOOR_FILE = 'floor';
/** Damage reports kept for /health; the error log has every one. */
const MAX_DAMAGE_REPORTS = 1000;

export class ShareStates {
  private readonly open = new Map<string, Promise<SharePartition>>();
  private closed = false;
  private readonly unsubscribe: () => void;
  /** Damage found in share partitions' state (Broker.damage, /health "degraded"); bounded. */
  private readonly damages: DamageReport[] = [];
  private readonly removeDamageSource: () => void;

  constructor(
    private readonly vhost: Vhost,
    private readonly ctx: BrokerContext,
  ) {
    // A deleted topic takes its share partitions with it (their queues stop reading its logs at once).
    this.removeDamageSource = vhost.addDamageSource(() => this.damages);
    this.unsubscribe = vhost.onTopicDeleted((t) => {
      void this.topicDeleted(t.name, t.dir).catch((e: unknown) => ctx.logger.error(`share state of deleted topic '${t.name}': ${(e as Error).message}`));
    });
  }

  private async topicDeleted(topic: string, topicDir: string): Promise<void> {
    const gone: Promise<SharePartition>[] = [];
    for (const [key, p] of [...this.open]) {
      if (key.split('\u0000')[1] !== topic) continue;
      this.open.delete(key);
      gone.push(p);
    }
    await Promise.all(gone.map(async (p) => (await p).queue.delete()));
    for (const group of await this.groupsOnDiskEscaped()) await this.ctx.fs.rmrf(join(this.root, group, basename(topicDir)));
  }

  private async groupsOnDiskEscaped(): Promise<string[]> {
    return (await this.ctx.fs.exists(this.root)) ? this.ctx.fs.readdir(this.root) : [];
  }

  private get root(): string {
    return join(paths.vhost(this.ctx.dataDir, this.vhost.name), 'share-groups');
  }

  private dir(group: string, topicDir: string, partition: number): string {
    return join(this.root, escapeName(group), basename(topicDir), String(partition));
  }

  private static key(group: string, topic: string, partition: number): string {
    return `${group}\u0000${topic}\u0000${partition}`;
  }

  /** The share partition, opened (and created per settings.autoOffsetReset) on first use. */
  partition(group: string, topic: string, partition: number, settings: SharePartitionSettings): Promise<SharePartition> {
    if (this.closed) return Promise.reject(new HopperError('CLOSED', 'share groups are closed'));
    const key = ShareStates.key(group, topic, partition);
    let p = this.open.get(key);
    if (p === undefined) {
      p = this.openPartition(group, topic, partition, settings, null);
      this.open.set(key, p);
      p.catch(() => this.open.delete(key));
    } else void p.then((sp) => this.apply(sp, settings), () => undefined);
    return p;
  }

  /** Whether the share partition has state (it is open, or has files). */
  async has(group: string, topic: string, partition: number): Promise<boolean> {
    if (this.open.has(ShareStates.key(group, topic, partition))) return true;
    if (!this.vhost.hasTopic(topic)) return false;
    return this.ctx.fs.exists(join(this.dir(group, this.vhost.topic(topic).dir, partition), FLOOR_FILE));
  }

  /** The open partition if it is open (no I/O). */
  async ifOpen(group: string, topic: string, partition: number): Promise<SharePartition | undefined> {
    return this.open.get(ShareStates.key(group, topic, partition));
  }

  private apply(sp: SharePartition, s: SharePartitionSettings): void {
    sp.view.readCommitted = s.readCommitted;
    const o = sp.queue.options;
    const dl = s.deadLetterTopic === null ? null : { exchange: s.deadLetterTopic, routingKey: null };
    if (o.maxDeliveries !== s.deliveryCountLimit || o.deadLetterTarget?.exchange !== dl?.exchange) {
      sp.queue.reconfigure({ maxDeliveries: s.deliveryCountLimit, deadLetterTarget: dl });
    }
  }

  private async openPartition(group: string, topicName: string, partition: number, s: SharePartitionSettings, startAt: number | null): Promise<SharePartition> {
    const topic = this.vhost.topic(topicName);
    const log = topic.partition(partition);
    const dir = this.dir(group, topic.dir, partition);
    const fs = this.ctx.fs;
    const floorPath = join(dir, FLOOR_FILE);
    let floor: number;
    if (startAt === null && (await fs.exists(floorPath))) floor = Number((await fs.readFile(floorPath)).toString('utf8'));
    else {
      floor = startAt ?? (s.autoOffsetReset === 'earliest' ? log.logStartOffset : s.readCommitted ? Math.min(log.ackedOffset, log.transactions?.lastStableOffset() ?? Infinity) : log.ackedOffset);
      await fs.mkdirp(dir);
      await fs.writeFileAtomic(floorPath, Buffer.from(String(floor)));
    }
    if (!Number.isSafeInteger(floor) || floor < 0) throw new HopperError('CORRUPT_MESSAGE', `share partition ${dir}: bad floor file`);
    const view = new FollowedLog(log, floor, s.readCommitted);
    const options: Partial<QueueOptions> = {
      maxDeliveries: s.deliveryCountLimit,
      maxInFlight: s.maxRecordLocks,
      deadLetterTarget: s.deadLetterTopic === null ? null : { exchange: s.deadLetterTopic, routingKey: null },
    };
    const name = `share-group ${group} ${topicName}-${partition}`;
    const q: Queue = await openQueue({
      name,
      options,
      follower: true,
      clock: this.ctx.clock,
      storage: {
        openLog: async (kind, suggested) => (kind === 'messages' ? view : this.ctx.openQueueLog(dir, 'state', suggested, true)),
        destroy: () => fs.rmrf(dir),
      },
      deadLetter: (m, info) => this.deadLetter(m, info),
      onDamage: (d) => this.noteDamage(fromQueueDamage(this.vhost.name, name, d)),
    });
    for (const { log, damage } of q.logDamage()) this.noteDamage(fromLogDamage({ vhost: this.vhost.name, kind: 'queue', name, log }, damage));
    return new SharePartition(q, view, s.maxRecordLocks);
  }

  private noteDamage(r: DamageReport): void {
    this.ctx.logger.error(describeDamage(r));
    if (this.damages.length < MAX_DAMAGE_REPORTS) this.damages.push(r);
  }

  /** Beyond Kafka: a dead letter of a share group goes to its dead-letter topic, keyed as it was. */
  private async deadLetter(m: Message, info: DeadLetterInfo): Promise<void> {
    if (info.exchange === undefined) return;
    const topic = await this.vhost.ensureTopic(info.exchange);
    await topic.appendMessage(m);
  }

  /** Groups with share state on disk (a restart forgets members, not groups). */
  async groupsOnDisk(): Promise<string[]> {
    const fs = this.ctx.fs;
    if (!(await fs.exists(this.root))) return [];
    return (await fs.readdir(this.root)).map(unescapeName);
  }

  /**
   * The group's share partitions on disk, with their start offsets: open ones from memory,
   * others from their floor file or by opening them.
   */
  async partitionsOf(group: string, s: SharePartitionSettings): Promise<{ topic: string; partition: number; sp: SharePartition }[]> {
    const fs = this.ctx.fs;
    const gdir = join(this.root, escapeName(group));
    if (!(await fs.exists(gdir))) return [];
    const out: { topic: string; partition: number; sp: SharePartition }[] = [];
    for (const tdir of await fs.readdir(gdir)) {
      const topic = this.vhost.topicNames().find((t) => basename(this.vhost.topic(t).dir) === tdir);
      if (topic === undefined) continue;
      for (const p of await fs.readdir(join(gdir, tdir))) {
        const partition = Number(p);
        if (!Number.isSafeInteger(partition) || partition >= this.vhost.topic(topic).partitionCount) continue;
        out.push({ topic, partition, sp: await this.partition(group, topic, partition, s) });
      }
    }
    return out;
  }

  /** Sets a share partition's start offset (AlterShareGroupOffsets): its state starts over there. */
  async alter(group: string, topic: string, partition: number, offset: number, s: SharePartitionSettings): Promise<void> {
    await this.drop(group, topic, partition);
    const key = ShareStates.key(group, topic, partition);
    const p = this.openPartition(group, topic, partition, s, offset);
    this.open.set(key, p);
    p.catch(() => this.open.delete(key));
    await p;
  }

  /** Deletes a share partition's state (DeleteShareGroupOffsets); the next use starts it afresh. */
  async drop(group: string, topic: string, partition: number): Promise<void> {
    const key = ShareStates.key(group, topic, partition);
    const p = this.open.get(key);
    this.open.delete(key);
    if (p !== undefined) await (await p).queue.delete();
    else if (this.vhost.hasTopic(topic)) await this.ctx.fs.rmrf(this.dir(group, this.vhost.topic(topic).dir, partition));
  }

  /** Deletes everything of a group (DeleteGroups). */
  async dropGroup(group: string): Promise<void> {
    for (const [key, p] of [...this.open]) {
      if (!key.startsWith(group + '\u0000')) continue;
      this.open.delete(key);
      await (await p).queue.delete().catch(() => undefined);
    }
    await this.ctx.fs.rmrf(join(this.root, escapeName(group)));
  }

  /** Closes every open share partition with a clean checkpoint. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.removeDamageSource();
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (p) => (await p).queue.close()));
  }
}

function unescapeName(folder: string): string {
  if (folder === '%') return '';
  const bytes: number[] = [];
  for (let i = 0; i < folder.length; i++) {
    if (folder[i] === '%' && i + 2 < folder.length + 0) {
      bytes.push(parseInt(folder.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(folder.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}
