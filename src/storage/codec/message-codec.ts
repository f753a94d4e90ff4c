/**
 * Maps the protocol-neutral Message onto one Kafka record and back (docs/message-model.md).
 * key, value, headers and timestamp map directly; each MessageProperties field travels as a
 * reserved `hopper.<name>` header with a UTF-8 text value; attributes follow an
 * ATTRIBUTES_HEADER marker, strings as plain text headers under their own names, other types
 * as `hopper.attr.<name>` headers in the binary form of typed-value.ts. All of it follows the
 * message's own headers, so a Kafka consumer sees the plain headers first and in order.
 *
 * Decoding is lenient about reserved headers, strict about bytes: a `hopper.` header that does
 * not parse (written by some Kafka producer, say) stays a plain header instead of failing the
 * read for every consumer of the log; a malformed batch is still CORRUPT_MESSAGE.
 */
import { HopperError } from '../../core/errors.js';
import type { Header, Message, MessageProperties } from '../../core/message.js';
import { type BatchHeader, isControl, lastOffsetOf, forEachBatch } from './batch-layout.js';
import { decodeBatchRecords, type DecodedRecord } from './record-decode.js';
import { type EncodeBatchOptions, encodeBatch, type RecordHeaderInput, type RecordInput } from './record-encode.js';
import { decodeTypedValue, encodeTypedValue, setEntry } from './typed-value.js';

export const RESERVED_HEADER_PREFIX = 'hopper.';
export const ATTRIBUTE_HEADER_PREFIX = 'hopper.attr.';

type TextProperty =
  | 'contentType'
  | 'contentEncoding'
  | 'correlationId'
  | 'replyTo'
  | 'messageId'
  | 'type'
  | 'userId'
  | 'appId'
  | 'groupId'
  | 'deduplicationId'
  | 'exchange'
  | 'routingKey'
  | 'amqpTimestamp';
type IntProperty = 'expirationMs' | 'priority' | 'deliveryMode';

export type PropertyMapping =
  | { readonly kind: 'text'; readonly property: TextProperty; readonly header: string }
  | { readonly kind: 'int'; readonly property: IntProperty; readonly header: string; readonly max: number };

/** The one table of property ↔ reserved header; docs/message-model.md mirrors it. */
export const PROPERTY_HEADERS: readonly PropertyMapping[] = [
  { kind: 'text', property: 'contentType', header: 'hopper.content-type' },
  { kind: 'text', property: 'contentEncoding', header: 'hopper.content-encoding' },
  { kind: 'text', property: 'correlationId', header: 'hopper.correlation-id' },
  { kind: 'text', property: 'replyTo', header: 'hopper.reply-to' },
  { kind: 'int', property: 'expirationMs', header: 'hopper.expiration-ms', max: Number.MAX_SAFE_INTEGER },
  { kind: 'text', property: 'messageId', header: 'hopper.message-id' },
  { kind: 'int', property: 'priority', header: 'hopper.priority', max: 255 },
  { kind: 'text', property: 'type', header: 'hopper.type' },
  { kind: 'text', property: 'userId', header: 'hopper.user-id' },
  { kind: 'text', property: 'appId', header: 'hopper.app-id' },
  { kind: 'int', property: 'deliveryMode', header: 'hopper.delivery-mode', max: 255 },
  { kind: 'text', property: 'groupId', header: 'hopper.group-id' },
  { kind: 'text', property: 'deduplicationId', header: 'hopper.dedup-id' },
  { kind: 'text', property: 'exchange', header: 'hopper.exchange' },
  { kind: 'text', property: 'routingKey', header: 'hopper.routing-key' },
  { kind: 'text', property: 'amqpTimestamp', header: 'hopper.amqp-timestamp' },
];

/**
 * Marks where the attributes start: its value is their count n in decimal, and the n headers
 * after it are the attributes in their order. A string attribute is a plain header under its
 * own name with its UTF-8 text as the value, as a Kafka consumer expects a text header to look;
 * any other (and a string whose name starts with `hopper.attr.`) is `hopper.attr.<name>` in the
 * typed binary form. Records written before the marker existed have only `hopper.attr.` headers.
 */
export const ATTRIBUTES_HEADER = 'hopper.attrs';

// Compile-time guard: a property added to MessageProperties must be added to the table above.
type Unmapped = Exclude<keyof MessageProperties, 'attributes' | TextProperty | IntProperty>;
const allPropertiesMapped: [Unmapped] extends [never] ? true : never = true;
void allPropertiesMapped;

const BY_PROPERTY = new Map<string, PropertyMapping>(PROPERTY_HEADERS.map((m) => [m.property, m]));
const BY_HEADER = new Map<string, PropertyMapping>(PROPERTY_HEADERS.map((m) => [m.header, m]));

function invalid(what: string): HopperError {
  return new HopperError('INVALID_ARGUMENT', what);
}

/**
 * The record for one message; shares the message's buffers and, without properties, its
 * headers. Record headers, in order: the message's own headers; if it has attributes, the
 * ATTRIBUTES_HEADER marker and the attributes; then the property headers.
 */
export function recordFromMessage(m: Message): RecordInput {
  const p = m.properties;
  let headers: RecordHeaderInput[] | null = null;
  const attrs = p.attributes;
  if (attrs != null) {
    const names = Object.keys(attrs);
    if (names.length > 0) {
      headers = m.headers.slice();
      headers.push({ key: ATTRIBUTES_HEADER, value: String(names.length) });
      for (const name of names) {
        const v = attrs[name]!;
        if (v.type === 'string' && !name.startsWith(ATTRIBUTE_HEADER_PREFIX)) headers.push({ key: name, value: v.value });
        else headers.push({ key: ATTRIBUTE_HEADER_PREFIX + name, value: encodeTypedValue(v) });
      }
    }
  }
  for (const name in p) {
    const v = p[name as keyof MessageProperties];
    if (v === undefined || v === null || name === 'attributes') continue;
    const map = BY_PROPERTY.get(name);
    if (map === undefined) throw invalid(`unknown message property ${name}`);
    headers ??= m.headers.slice();
    if (map.kind === 'text') {
      if (typeof v !== 'string') throw invalid(`property ${name} must be a string`);
      headers.push({ key: map.header, value: v });
    } else {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > map.max) {
        throw invalid(`property ${name} must be an integer in [0, ${map.max}], not ${String(v)}`);
      }
      headers.push({ key: map.header, value: String(v) });
    }
  }
  return { key: m.key, value: m.value, headers: headers ?? m.headers, timestamp: m.timestamp };
}

/** Encodes messages as one RecordBatch v2 (offset deltas 0..n-1). */
export function encodeMessages(messages: readonly Message[], opts?: EncodeBatchOptions): Buffer {
  const records = new Array<RecordInput>(messages.length);
  for (let i = 0; i < messages.length; i++) records[i] = recordFromMessage(messages[i]!);
  return encodeBatch(records, opts);
}

/** A decimal integer in [0, max] from header bytes, or -1. Digits only: no sign, no spaces. */
function parseDecimal(b: Buffer, max: number): number {
  if (b.length === 0 || b.length > 16) return -1;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= max ? n : -1;
}

/** Moves one reserved header into props; false if it is not a well-formed reserved header. */
function applyReserved(props: MessageProperties, h: Header): boolean {
  const v = h.value;
  if (v === null) return false;
  if (h.key.startsWith(ATTRIBUTE_HEADER_PREFIX)) {
    let tv;
    try {
      tv = decodeTypedValue(v);
    } catch {
      return false;
    }
    setEntry((props.attributes ??= {}), h.key.slice(ATTRIBUTE_HEADER_PREFIX.length), tv);
    return true;
  }
  const map = BY_HEADER.get(h.key);
  if (map === undefined) return false;
  if (map.kind === 'text') {
    props[map.property] = v.toString('utf8');
    return true;
  }
  const n = parseDecimal(v, map.max);
  if (n < 0) return false;
  props[map.property] = n;
  return true;
}

/**
 * The message a decoded record carries; reserved headers become properties (last one wins), and
 * the headers an ATTRIBUTES_HEADER marker announces become attributes.
 */
export function messageFromRecord(rec: DecodedRecord): Message {
  const hs = rec.headers;
  const properties: MessageProperties = {};
  // Copied lazily: most records from Kafka producers have no reserved headers.
  let plain: Header[] | null = null;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (h.key.startsWith(RESERVED_HEADER_PREFIX)) {
      const n = h.key === ATTRIBUTES_HEADER ? attributeCount(hs, i) : -1;
      if (n >= 0) {
        plain ??= hs.slice(0, i);
        const attrs = (properties.attributes ??= {});
        for (const end = i + n; i < end; ) {
          const a = hs[++i]!;
          if (!a.key.startsWith(ATTRIBUTE_HEADER_PREFIX)) setEntry(attrs, a.key, { type: 'string', value: a.value!.toString('utf8') });
          else if (!applyReserved(properties, a)) plain.push(a);
        }
        continue;
      }
      if (applyReserved(properties, h)) {
        plain ??= hs.slice(0, i);
        continue;
      }
    }
    if (plain !== null) plain.push(h);
  }
  return { key: rec.key, value: rec.value, headers: plain ?? hs, timestamp: rec.timestamp, properties };
}

/** The count a well-formed marker at `i` announces (that many non-null headers follow it), or -1. */
function attributeCount(hs: readonly Header[], i: number): number {
  const v = hs[i]!.value;
  const n = v === null ? -1 : parseDecimal(v, hs.length - i - 1);
  for (let k = 1; k <= n; k++) if (hs[i + k]!.value === null) return -1;
  return n;
}

export interface StoredMessage {
  offset: number;
  message: Message;
}

export interface DecodeMessagesOptions {
  maxDecompressedBytes?: number;
  /** Batches it returns true for are skipped, like control batches (read_committed readers: aborted records). */
  skipBatch?: (h: BatchHeader) => boolean;
}

/**
 * The messages in concatenated whole batches (a Log read), from fromOffset on. Checks each
 * batch's CRC, skips control batches (transaction markers), stops at a partial trailing batch.
 * Keys, values and header values are views into `bytes`.
 */
export function decodeMessages(bytes: Buffer, fromOffset = 0, opts: DecodeMessagesOptions = {}): StoredMessage[] {
  const out: StoredMessage[] = [];
  forEachBatch(bytes, (h, pos) => {
    if (isControl(h.attributes) || lastOffsetOf(h) < fromOffset || opts.skipBatch?.(h) === true) return;
    const records = decodeBatchRecords(bytes, pos, h, opts.maxDecompressedBytes);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.offset >= fromOffset) out.push({ offset: r.offset, message: messageFromRecord(r) });
    }
  });
  return out;
}
