/**
 * The embedded broker: `const broker = await Broker.open({ dataDir })`. It owns the catalogue,
 * access control and the vhosts; protocol endpoints and in-process users call it directly, or
 * through a Session (broker.login) that checks permissions first.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { silentLogger, type Logger } from '../../server/logger.js';
import { diskFs, type StorageFs } from '../../storage/fs/index.js';
import { formatFsyncPolicy, systemClock } from '../../storage/types.js';
import { AccessControl } from '../auth/access-control.js';
import { Catalogue } from '../catalogue/catalogue.js';
import type { BrokerConfigsDef } from '../catalogue/types.js';
import { dynamicTopicDefaults } from '../config/topic-defs.js';
import type { TopicConfigs } from '../topic/config.js';
import { restoreRouter } from '../catalogue/restore.js';
import { HopperError } from '../errors.js';
import { Router } from '../exchange/router.js';
import { validateVhostName } from '../names.js';
import { escapeName, paths } from '../paths.js';
import { Alarms } from './alarms.js';
import { BrokerContext, defaultTopicRetention, type TopicRetention } from './context.js';
import { type DamageReport, describeDamage } from './damage.js';
import { DataDirLock } from './data-lock.js';
import { NameLocks } from './name-locks.js';
import type { BrokerOptions } from './options.js';
import { Session, type LoginRequest } from './session.js';
import { Vhost } from './vhost.js';

const packageVersion: string = (() => {
  try {
    const url = new URL('../../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

function topicRetention(o: BrokerOptions): TopicRetention {
  const r = { logRetentionMs: o.logRetentionMs ?? defaultTopicRetention.logRetentionMs, logRetentionBytes: o.logRetentionBytes ?? defaultTopicRetention.logRetentionBytes };
  for (const [name, v] of Object.entries(r)) {
    if (!Number.isSafeInteger(v) || v < -1) throw new HopperError('INVALID_ARGUMENT', `${name} must be an integer >= -1, not ${v}`);
  }
  return r;
}

/** Topic config defaults from dynamic broker configs: this node's over the cluster-wide ones. */
function topicDefaultsOf(b: BrokerConfigsDef): TopicConfigs {
  const out: TopicConfigs = {};
  for (const level of [b.clusterDefault, b.perBroker]) {
    for (const [name, value] of Object.entries(level)) {
      const def = dynamicTopicDefaults.get(name);
      if (def) out[def.name] = value;
    }
  }
  return out;
}

export class Broker {
  readonly version = packageVersion;
  /** Memory and disk alarms: while one is raised, protocols block publishers. */
  readonly alarms = new Alarms();
  private readonly vhostMap = new Map<string, Vhost>();
  private readonly vhostLocks = new NameLocks();
  private retentionTimer: NodeJS.Timeout | null = null;
  private closed: Promise<void> | null = null;

  private constructor(
    readonly ctx: BrokerContext,
    readonly catalogue: Catalogue,
    readonly access: AccessControl,
    private readonly lock: DataDirLock | null,
  ) {}

  static async open(options: BrokerOptions): Promise<Broker> {
    const dataDir = resolve(options.dataDir);
    const fs = options.fs ?? diskFs;
    await fs.mkdirp(dataDir);
    const logger = options.logger ?? silentLogger;
    // Only a directory on the real disk can be shared with another process.
    const lock = options.lock ?? (fs === diskFs ? await DataDirLock.acquire(dataDir) : null);
    if (lock?.tookOverFrom && !options.lock) logger.warn(`took over the lock of ${dataDir} left by pid ${lock.tookOverFrom.pid} (started ${lock.tookOverFrom.startedAt}), which is no longer running`);
    try {
      return await Broker.openLocked(dataDir, fs, logger, lock, options);
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  private static async openLocked(dataDir: string, fs: StorageFs, logger: Logger, lock: DataDirLock | null, options: BrokerOptions): Promise<Broker> {
    const fsync = options.fsync ?? { kind: 'always' };
    const ctx = new BrokerContext(
      dataDir,
      fs,
      options.clock ?? systemClock,
      logger,
      fsync,
      options.maxMessageBytes ?? 16 * 1024 * 1024,
      options.segmentMaxBytes ?? 128 * 1024 * 1024,
      topicRetention(options),
      options.deadLetterLogIntervalMs,
      options.queueStateFsyncIntervalMs,
    );
    const catalogue = await Catalogue.open(paths.catalogue(dataDir), options.defaultUser === undefined ? { fs } : { fs, defaultUser: options.defaultUser });
    const broker = new Broker(ctx, catalogue, new AccessControl(catalogue, options.auth ?? {}), lock);
    ctx.topicDefaults = topicDefaultsOf(catalogue.brokerConfigs());
    try {
      for (const v of catalogue.vhosts()) {
        options.signal?.throwIfAborted();
        await broker.openVhost(v.name, restoreRouter(catalogue, v.name), options.signal);
      }
    } catch (e) {
      await broker.close().catch(() => undefined);
      throw e;
    }
    const interval = options.retentionCheckIntervalMs ?? 60_000;
    broker.retentionTimer = setInterval(() => void broker.enforceRetention(), interval);
    broker.retentionTimer.unref();
    logger.info(`broker open: ${broker.vhostMap.size} vhost(s), fsync ${formatFsyncPolicy(fsync)}`);
    return broker;
  }

  private async openVhost(name: string, router: Router, signal?: AbortSignal): Promise<Vhost> {
    await this.removeOrphans(name);
    const v = new Vhost(name, this.ctx, this.catalogue, router);
    this.vhostMap.set(name, v);
    await v.restore(signal);
    return v;
  }

  /**
   * Removes queue and topic folders the catalogue does not list: transient queues left by a
   * stop, or objects whose delete was interrupted after the catalogue change.
   */
  private async removeOrphans(vhost: string): Promise<void> {
    const fs = this.ctx.fs;
    const root = paths.vhost(this.ctx.dataDir, vhost);
    const keep = new Set<string>();
    for (const q of this.catalogue.queues(vhost)) keep.add(`queues/${escapeName(q.name)}.${q.id}`);
    for (const t of this.catalogue.topics(vhost)) keep.add(`topics/${escapeName(t.name)}.${t.id}`);
    for (const kind of ['queues', 'topics']) {
      const dir = `${root}/${kind}`;
      if (!(await fs.exists(dir))) continue;
      for (const entry of await fs.readdir(dir)) {
        if (!keep.has(`${kind}/${entry}`)) {
          this.ctx.logger.info(`removing ${kind.slice(0, -1)} files not in the catalogue: ${dir}/${entry}`);
          await fs.rmrf(`${dir}/${entry}`);
        }
      }
    }
  }

  get dataDir(): string {
    return this.ctx.dataDir;
  }

  /** A vhost by name (VHOST_NOT_FOUND if absent). */
  vhost(name = '/'): Vhost {
    const v = this.vhostMap.get(name);
    if (!v) throw new HopperError('VHOST_NOT_FOUND', `no vhost '${name}'`);
    return v;
  }

  vhostNames(): string[] {
    return [...this.vhostMap.keys()];
  }

  /**
   * Creates a vhost, or returns the existing one. Locked per name like queue declares: two
   * concurrent adds would otherwise each open a Vhost over the same folder.
   */
  async addVhost(name: string, description = ''): Promise<Vhost> {
    validateVhostName(name);
    return this.vhostLocks.run(name, async () => {
      const existing = this.vhostMap.get(name);
      if (existing) return existing;
      await this.catalogue.putVhost({ name, description });
      return this.openVhost(name, new Router(name));
    });
  }

  deleteVhost(name: string): Promise<void> {
    return this.vhostLocks.run(name, async () => {
      const v = this.vhost(name);
      this.vhostMap.delete(name);
      await v.close();
      await this.catalogue.deleteVhost(name);
      await this.ctx.fs.rmrf(paths.vhost(this.ctx.dataDir, name));
    });
  }

  /**
   * Authenticates a user for a vhost and returns a Session whose operations check that user's
   * permissions. `peerAddress` enforces loopback-only users (guest) the way RabbitMQ does.
   */
  login(req: LoginRequest): Promise<Session> {
    return Session.login(this, req);
  }

  /**
   * Replaces one level of Kafka's dynamic broker configs (validated by the caller), durably, and
   * applies those that set topic defaults (log.retention.ms and the like) to every topic.
   */
  async setBrokerConfigs(level: keyof BrokerConfigsDef, configs: Readonly<Record<string, string>>): Promise<void> {
    await this.catalogue.putBrokerConfigs(level, configs);
    this.ctx.topicDefaults = topicDefaultsOf(this.catalogue.brokerConfigs());
    for (const v of this.vhostMap.values()) v.refreshTopicConfigs();
  }

  /** Runs topic retention and compaction now (also runs on a timer). */
  async enforceRetention(): Promise<void> {
    for (const v of this.vhostMap.values()) {
      try {
        await v.enforceRetention();
      } catch (e) {
        this.ctx.logger.warn(`retention in vhost ${v.name}: ${(e as Error).message}`);
      }
    }
  }

  /**
   * ok: no log has failed (failures lists those that have: writes refused). degraded: storage
   * was found damaged (a log's tail cut at recovery, records missing or unreadable, messages
   * lost), one line per damaged log; the broker serves what is left.
   */
  health(): { ok: boolean; failures: string[]; degraded: string[] } {
    const failures: string[] = [];
    for (const v of this.vhostMap.values()) failures.push(...v.failures());
    return { ok: failures.length === 0, failures, degraded: this.damage().map(describeDamage) };
  }

  /** Damaged storage found since the broker opened, in every vhost (see damage.ts). */
  damage(): DamageReport[] {
    return [...this.vhostMap.values()].flatMap((v) => v.damage());
  }

  /** Finishes pending fsyncs and closes every log. Safe to call more than once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.retentionTimer) clearInterval(this.retentionTimer);
      this.access.close();
      const results = await Promise.allSettled([...this.vhostMap.values()].map((v) => v.close()));
      this.vhostMap.clear();
      await this.catalogue.close();
      await this.lock?.release();
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return this.closed;
  }
}
