/**
 * The queue's state log: a second Log beside the message log, holding small state changes
 * (events) and, periodically, a checkpoint (a snapshot of the whole consumption state). Each
 * append is one RecordBatch with one record whose value is:
 *
 *   kind u8 = 1 (events)      | firstSeq float64 | count u32 | events...
 *   kind u8 = 2 (checkpoint)  | seq float64 | partIndex u32 | partCount u32 | snapshot bytes...
 *
 * Events (numbered firstSeq, firstSeq + 1, ... in order; the numbering continues across
 * restarts):
 *
 *   1 SETTLE        reason u8 | offset float64
 *   2 SETTLE_RANGE  reason u8 | start float64 | count u32
 *   3 DELIVERED     offset float64              (delivery count + 1)
 *   4 OPENED                                    (the queue opened: a later crash is unclean)
 *   5 UNDELIVERED   offset float64              (delivery count - 1: a delivery given back unseen)
 *
 * Recovery takes the last checkpoint whose parts are all present and applies the events with
 * seq > its seq (events before the checkpoint's parts all have seq <= it; some after it may
 * too, and are skipped). Offsets are float64 because JS offsets are numbers (exact to 2^53).
 */

export const RecordKind = { events: 1, checkpoint: 2 } as const;

export const EventType = { settle: 1, settleRange: 2, delivered: 3, opened: 4, undelivered: 5 } as const;

/** Why a message left the queue; kept in SETTLE events for stats and debugging. */
export const SettleReason = {
  ack: 1,
  rejected: 2,
  expired: 3,
  maxlen: 4,
  deliveryLimit: 5,
  purged: 6,
  dropped: 7,
  missing: 8,
} as const;
export type SettleReasonCode = (typeof SettleReason)[keyof typeof SettleReason];

export const EVENTS_HEADER_BYTES = 1 + 8 + 4;
export const CHECKPOINT_HEADER_BYTES = 1 + 8 + 4 + 4;

export const EVENT_BYTES = {
  [EventType.settle]: 1 + 1 + 8,
  [EventType.settleRange]: 1 + 1 + 8 + 4,
  [EventType.delivered]: 1 + 8,
  [EventType.opened]: 1,
  [EventType.undelivered]: 1 + 8,
} as const;

/** What a replay does with each event; offsets are the message log's. */
export interface EventSink {
  settle(offset: number, reason: number): void;
  settleRange(start: number, count: number, reason: number): void;
  delivered(offset: number): void;
  opened(): void;
  undelivered(offset: number): void;
}

/**
 * Applies the events of one events record whose seq is > afterSeq. Returns the last seq in the
 * record. Throws on a malformed record (the log's CRC makes this a bug, not a torn write).
 */
export function replayEvents(value: Buffer, afterSeq: number, sink: EventSink): number {
  let seq = value.readDoubleBE(1);
  const count = value.readUInt32BE(9);
  let p = EVENTS_HEADER_BYTES;
  for (let i = 0; i < count; i++, seq++) {
    const type = value[p];
    const apply = seq > afterSeq;
    switch (type) {
      case EventType.settle:
        if (apply) sink.settle(value.readDoubleBE(p + 2), value[p + 1]!);
        p += EVENT_BYTES[EventType.settle];
        break;
      case EventType.settleRange:
        if (apply) sink.settleRange(value.readDoubleBE(p + 2), value.readUInt32BE(p + 10), value[p + 1]!);
        p += EVENT_BYTES[EventType.settleRange];
        break;
      case EventType.delivered:
        if (apply) sink.delivered(value.readDoubleBE(p + 1));
        p += EVENT_BYTES[EventType.delivered];
        break;
      case EventType.undelivered:
        if (apply) sink.undelivered(value.readDoubleBE(p + 1));
        p += EVENT_BYTES[EventType.undelivered];
        break;
      case EventType.opened:
        if (apply) sink.opened();
        p += EVENT_BYTES[EventType.opened];
        break;
      default:
        throw new Error(`queue state log: unknown event type ${String(type)} at byte ${p}`);
    }
  }
  return seq - 1;
}
