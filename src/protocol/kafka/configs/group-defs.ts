/**
 * Kafka's group configs (a GROUP config resource, KIP-848/KIP-932) that Hopper applies: the share
 * group ones, whose defaults are the broker's `kafka.groupShare.*` settings, plus Hopper's own
 * dead-letter topic. Consumer and streams group configs are refused (INVALID_CONFIG) rather than
 * stored unapplied.
 */
import { validateTopicName } from '../../../core/names.js';
import type { ShareGroupOptions } from '../server/options.js';

export interface GroupConfigDef {
  name: string;
  type: 'STRING' | 'INT';
  /** The value without a group setting, from the broker's settings (null: none). */
  defaultOf(o: ShareGroupOptions): string | null;
  /** Why the value is refused, or null. */
  check(value: string): string | null;
  doc: string;
}

function intIn(min: number, max: number): (v: string) => string | null {
  return (v) => (/^-?\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? null : `must be an integer in [${min}, ${max}]`);
}

function oneOf(...allowed: string[]): (v: string) => string | null {
  return (v) => (allowed.includes(v.trim().toLowerCase()) ? null : `must be one of ${allowed.join(', ')}`);
}

export const groupConfigDefs: readonly GroupConfigDef[] = [
  {
    name: 'share.auto.offset.reset', type: 'STRING', defaultOf: (o) => o.autoOffsetReset, check: oneOf('latest', 'earliest'),
    doc: 'Where a share group starts consuming a partition it has no state for: latest or earliest.',
  },
  {
    name: 'share.isolation.level', type: 'STRING', defaultOf: (o) => o.isolationLevel, check: oneOf('read_uncommitted', 'read_committed'),
    doc: 'read_committed: records of transactions are acquired once committed, never when aborted.',
  },
  {
    name: 'share.record.lock.duration.ms', type: 'INT', defaultOf: (o) => String(o.recordLockDurationMs), check: intIn(1000, 3_600_000),
    doc: 'How long a record acquired by a share group member stays locked to it.',
  },
  {
    name: 'share.delivery.count.limit', type: 'INT', defaultOf: (o) => String(o.deliveryCountLimit), check: intIn(2, 10),
    doc: 'Deliveries of a record after which a release or lock expiry archives it.',
  },
  {
    name: 'hopper.share.dead.letter.topic', type: 'STRING', defaultOf: (o) => o.deadLetterTopic,
    check: (v) => {
      try {
        validateTopicName(v.replaceAll('{group}', 'g'));
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
    doc: 'Hopper: the topic that records the group rejects, or that reach the delivery limit, are appended to before they are archived ({group}: the group id).',
  },
];

export const groupConfigDefsByName: ReadonlyMap<string, GroupConfigDef> = new Map(groupConfigDefs.map((d) => [d.name, d]));

/** The share group options of one group: its configs over the broker's settings. */
export function shareOptionsFor(base: ShareGroupOptions, configs: Readonly<Record<string, string>>): ShareGroupOptions {
  const o = { ...base };
  const v = (n: string): string | undefined => configs[n]?.trim();
  if (v('share.auto.offset.reset') !== undefined) o.autoOffsetReset = v('share.auto.offset.reset')!.toLowerCase() as ShareGroupOptions['autoOffsetReset'];
  if (v('share.isolation.level') !== undefined) o.isolationLevel = v('share.isolation.level')!.toLowerCase() as ShareGroupOptions['isolationLevel'];
  if (v('share.record.lock.duration.ms') !== undefined) o.recordLockDurationMs = Number(v('share.record.lock.duration.ms'));
  if (v('share.delivery.count.limit') !== undefined) o.deliveryCountLimit = Number(v('share.delivery.count.limit'));
  if (v('hopper.share.dead.letter.topic') !== undefined) o.deadLetterTopic = v('hopper.share.dead.letter.topic')!;
  return o;
}
