/**
 * The consumer protocol embedded in classic JoinGroup/SyncGroup bytes (ConsumerProtocolSubscription
 * and ConsumerProtocolAssignment, protocol type "consumer"): an int16 version, then a struct.
 * The coordinator reads it only where Kafka does, for classic members of a KIP-848 group and to
 * convert a classic group to a consumer group: their subscriptions and owned partitions in, their
 * assignments out. Versions above the newest known (3) are read as 3 and their extra bytes
 * ignored, as Kafka's ConsumerProtocol does.
 */
import { compileStruct } from '../../codec/compile.js';
import { Reader } from '../../codec/reader.js';
import { array, field, struct, type ValueOf } from '../../codec/schema.js';
import { Writer } from '../../codec/writer.js';

const NEWEST = 3;

const TopicPartitions = struct({
  topic: field('string', '0+'),
  partitions: field(array('int32'), '0+'),
});

const Subscription = struct({
  topics: field(array('string'), '0+'),
  userData: field('bytes', '0+', { nullable: '0+', default: null }),
  ownedPartitions: field(array(TopicPartitions), '1+'),
  generationId: field('int32', '2+', { default: -1 }),
  rackId: field('string', '3+', { nullable: '3+', default: null }),
});

const Assignment = struct({
  assignedPartitions: field(array(TopicPartitions), '0+'),
  userData: field('bytes', '0+', { nullable: '0+', default: null }),
});

export type ConsumerSubscription = ValueOf<typeof Subscription> & { version: number };
export type ConsumerAssignment = ValueOf<typeof Assignment> & { version: number };

/** The version an embedded message declares (its first two bytes); throws if there are none. */
export function embeddedVersion(bytes: Buffer): number {
  const version = new Reader(bytes).int16();
  if (version < 0) throw new Error(`embedded consumer protocol version ${version}`);
  return version;
}

function decode<T>(bytes: Buffer, type: typeof Subscription | typeof Assignment): T {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0) throw new Error(`embedded consumer protocol version ${version}`);
  const value = compileStruct(type, Math.min(version, NEWEST), false).decode(r) as object;
  return { ...value, version } as T;
}

/** A classic member's subscription; throws (a codec error) on malformed bytes. */
export function decodeSubscription(bytes: Buffer): ConsumerSubscription {
  return decode(bytes, Subscription);
}

/** A classic assignment; throws (a codec error) on malformed bytes. */
export function decodeAssignment(bytes: Buffer): ConsumerAssignment {
  return decode(bytes, Assignment);
}

/** An assignment for a classic member, in the version of its subscription (at most 3). */
export function encodeAssignment(version: number, partitions: ReadonlyMap<string, readonly number[]>): Buffer {
  const v = Math.max(0, Math.min(version, NEWEST));
  const w = new Writer({ refMinBytes: Infinity });
  w.int16(v);
  const assignedPartitions = [...partitions].map(([topic, ps]) => ({ topic, partitions: ps }));
  compileStruct(Assignment, v, false).encode(w, { assignedPartitions, userData: null });
  return w.finishBuffer();
}

/** A subscription (tests, and the classic group a consumer group is converted back to). */
export function encodeSubscription(version: number, s: Omit<ConsumerSubscription, 'version'>): Buffer {
  const v = Math.max(0, Math.min(version, NEWEST));
  const w = new Writer({ refMinBytes: Infinity });
  w.int16(v);
  compileStruct(Subscription, v, false).encode(w, s);
  return w.finishBuffer();
}
