/**
 * The SQS endpoint's state and the mapping of SQS's accounts, regions and queue URLs onto
 * Hopper's vhosts and queues (docs/sqs.md, "Accounts, regions and vhosts"):
 *
 * - An SQS queue is a Hopper queue. The default account (000000000000) in the default region
 *   (us-east-1) keeps its queues in vhost `/`, where AMQP clients find them; any other account
 *   and region pair in vhost `sqs/<account>/<region>`, created on its first CreateQueue. So
 *   queues are kept per account and region, as in AWS.
 * - Queue URLs are `http://<Host header>/<account>/<queue>`: they lead back to this listener
 *   under whatever name the client used. A request names its queue by URL (the v3 SDK also
 *   sends the request to it); only the path is read.
 */
import type { Broker } from '../../core/broker/broker.js';
import type { QueueEntry, Vhost } from '../../core/broker/vhost.js';
import type { Logger } from '../../server/logger.js';
import { noQueue, SqsError } from './errors.js';
import type { SqsIdentity } from './server/authenticate.js';

export const DEFAULT_ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';
/** AWS: a deleted queue's name cannot be used again for 60 s; a queue is purged at most once a minute. */
export const QUEUE_NAME_REUSE_MS = 60_000;
export const PURGE_INTERVAL_MS = 60_000;

const FIRST_RECEIVES_MAX = 100_000;
const ACCOUNT_RE = /^\d{12}$/;

export class SqsEndpoint {
  private readonly deletedAt = new Map<string, number>();
  private readonly purgedAt = new Map<string, number>();
  /** First receive times of messages received more than once (ApproximateFirstReceiveTimestamp); bounded, oldest forgotten first. */
  private readonly firstReceives = new Map<string, number>();

  constructor(
    readonly broker: Broker,
    readonly log: Logger,
    readonly now: () => number = Date.now,
  ) {}

  vhostName(accountId: string, region: string): string {
    return accountId === DEFAULT_ACCOUNT_ID && region === DEFAULT_REGION ? '/' : `sqs/${accountId}/${region}`;
  }

  /** The identity's vhost, or null when it has none yet. */
  vhostOf(id: SqsIdentity): Vhost | null {
    const name = this.vhostName(id.accountId, id.region);
    return this.broker.vhostNames().includes(name) ? this.broker.vhost(name) : null;
  }

  /** The identity's vhost, created if needed (CreateQueue). */
  async ensureVhost(id: SqsIdentity): Promise<Vhost> {
    const existing = this.vhostOf(id);
    if (existing !== null) return existing;
    const vhost = await this.broker.addVhost(this.vhostName(id.accountId, id.region), `SQS account ${id.accountId} in ${id.region}`);
    // The account's user who opens a region owns it, as an account's principal owns its queues.
    await this.broker.access.setPermissions(id.user, vhost.name, { configure: '.*', write: '.*', read: '.*' });
    return vhost;
  }

  queueUrl(host: string, accountId: string, name: string): string {
    return `http://${host}/${accountId}/${name}`;
  }

  arn(id: SqsIdentity, name: string, accountId = id.accountId): string {
    return `arn:aws:sqs:${id.region}:${accountId}:${name}`;
  }

  /** A queue ARN's name, if it is one of this identity's region and account. */
  nameFromArn(id: SqsIdentity, arn: string): string | null {
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || parts[3] !== id.region || parts[4] !== id.accountId) return null;
    return parts[5]!;
  }

  /** Account and queue name from a queue URL (or a request path). Throws InvalidAddress. */
  parseQueueUrl(url: string): { accountId: string; name: string } {
    let path = url;
    if (/^https?:\/\//i.test(url)) {
      try {
        path = new URL(url).pathname;
      } catch {
        throw invalidAddress(url);
      }
    }
    const parts = path.split('/').filter((p) => p !== '');
    if (parts.length !== 2 || !ACCOUNT_RE.test(parts[0]!)) throw invalidAddress(url);
    return { accountId: parts[0]!, name: decodeURIComponent(parts[1]!) };
  }

  /** The queue a URL names, for this identity. Throws QueueDoesNotExist, InvalidAddress, AccessDenied. */
  resolve(id: SqsIdentity, url: string): { vhost: Vhost; entry: QueueEntry; name: string } {
    const { accountId, name } = this.parseQueueUrl(url);
    if (accountId !== id.accountId) throw new SqsError('AccessDenied', `Access to the resource ${url} is denied.`);
    const vhost = this.vhostOf(id);
    if (vhost === null || !vhost.hasQueue(name)) throw noQueue();
    const entry = vhost.queueEntry(name);
    // Exclusive (AMQP connection-owned) and transient queues are not SQS queues.
    if (entry.exclusiveOwner !== null) throw noQueue();
    return { vhost, entry, name };
  }

  /** When a message was first received (remembered in memory, at most FIRST_RECEIVES_MAX messages). */
  firstReceived(queueId: string, offset: number, deliveryCount: number, now: number): number {
    const key = `${queueId}:${offset}`;
    if (deliveryCount <= 1) {
      this.firstReceives.delete(key);
      if (this.firstReceives.size >= FIRST_RECEIVES_MAX) this.firstReceives.delete(this.firstReceives.keys().next().value!);
      this.firstReceives.set(key, now);
      return now;
    }
    return this.firstReceives.get(key) ?? now;
  }

  forgetReceive(queueId: string, offset: number): void {
    this.firstReceives.delete(`${queueId}:${offset}`);
  }

  noteDeleted(vhost: string, name: string): void {
    const now = this.now();
    for (const [k, t] of this.deletedAt) if (now - t >= QUEUE_NAME_REUSE_MS) this.deletedAt.delete(k);
    this.deletedAt.set(`${vhost}\u0000${name}`, now);
  }

  deletedRecently(vhost: string, name: string): boolean {
    const t = this.deletedAt.get(`${vhost}\u0000${name}`);
    return t !== undefined && this.now() - t < QUEUE_NAME_REUSE_MS;
  }

  /** Starts a purge, or throws PurgeQueueInProgress if the queue was purged less than 60 s ago. */
  startPurge(entry: QueueEntry, url: string): void {
    const now = this.now();
    for (const [k, t] of this.purgedAt) if (now - t >= PURGE_INTERVAL_MS) this.purgedAt.delete(k);
    const last = this.purgedAt.get(entry.id);
    if (last !== undefined && now - last < PURGE_INTERVAL_MS) {
      throw new SqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${entry.name} is allowed every 60 seconds.`);
    }
    void url;
    this.purgedAt.set(entry.id, now);
  }
}

function invalidAddress(url: string): SqsError {
  return new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
}
