/**
 * Damaged storage, as the broker reports it (Broker.damage, /health "degraded", the future
 * operator API): per queue or topic partition, what its log found cut, missing or unreadable
 * (LogDamage), and for queues how many unsettled messages were lost with it (QueueDamage).
 * Reports last for the life of the process; the error log has them too, when they are found.
 */
import type { QueueDamage } from '../queue/types.js';
import type { LogDamage } from '../../storage/types.js';

export interface DamageReport {
  vhost: string;
  kind: 'queue' | 'topic';
  /** The queue or topic. */
  name: string;
  /** Topics: the partition. */
  partition?: number;
  /** Queues: which of its logs, or 'messages lost' for the queue's own count of lost messages. */
  log?: 'messages' | 'state';
  /** When it was found (broker clock, ms). */
  atMs: number;
  /** Bytes of stored batches cut off or found unreadable (0 when not known). */
  droppedBytes: number;
  /** Offsets [fromOffset, toOffset) of the records lost or unreadable. */
  fromOffset: number;
  toOffset: number;
  /** Queues: unsettled messages dropped because their records were lost (absent for log reports). */
  lostMessages?: number;
  reason: string;
}

export function fromLogDamage(base: Pick<DamageReport, 'vhost' | 'kind' | 'name' | 'partition' | 'log'>, d: LogDamage): DamageReport {
  return { ...base, atMs: d.atMs, droppedBytes: d.droppedBytes, fromOffset: d.fromOffset, toOffset: d.toOffset, reason: d.reason };
}

export function fromQueueDamage(vhost: string, name: string, d: QueueDamage): DamageReport {
  return { vhost, kind: 'queue', name, atMs: d.atMs, droppedBytes: 0, fromOffset: d.fromOffset, toOffset: d.toOffset, lostMessages: d.messages, reason: d.reason };
}

/** One line naming the log, for /health and the error log. */
export function describeDamage(r: DamageReport): string {
  const where =
    r.kind === 'topic'
      ? `topic '${r.name}' partition ${r.partition} in vhost '${r.vhost}'`
      : `queue '${r.name}' in vhost '${r.vhost}'${r.log === undefined ? '' : ` (${r.log} log)`}`;
  return `${where}: ${r.reason}`;
}
