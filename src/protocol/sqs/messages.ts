/**
 * SQS messages ↔ core messages, and the send, receive and settle steps the single and batch
 * actions share (docs/sqs.md, "One queue, every protocol"):
 *
 *   MessageBody                 value (UTF-8)
 *   MessageAttributes           properties.attributes (message-attributes.ts)
 *   MessageGroupId              properties.groupId
 *   MessageDeduplicationId      properties.deduplicationId (with DeduplicationScope messageGroup,
 *                               prefixed by the group id and a NUL, so the window is per group)
 *   AWSTraceHeader              plain header `AWSTraceHeader`
 *   SenderId                    properties.userId (the sender's Hopper user)
 *   SentTimestamp               timestamp
 *   MessageId                   derived from the queue and the message's offset (so a
 *                               deduplicated send answers with the original's id, and a message
 *                               from another protocol has one too)
 *   SequenceNumber (FIFO)       the offset, as 20 digits
 */
import { createHash } from 'node:crypto';
import type { QueueEntry } from '../../core/broker/vhost.js';
import type { Header, Message } from '../../core/message.js';
import type { Delivery } from '../../core/queue/types.js';
import { invalidValue, missing, SqsError, toSqsError } from './errors.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import { attributesFromCore, attributesToCore, hasInvalidCharacters, selectAttributes, validateAttributes, type SqsAttributeValue } from './message-attributes.js';
import { metaOf } from './queue-attributes.js';
import { encodeReceipt } from './receipt.js';
import type { SqsIdentity } from './server/authenticate.js';

export const TRACE_HEADER = 'AWSTraceHeader';
const FIFO_ID_RE = /^[\x21-\x7e]{1,128}$/;

export function messageIdOf(queueId: string, offset: number): string {
  const h = createHash('md5').update(`${queueId}:${offset}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function sequenceNumberOf(offset: number): string {
  return String(offset).padStart(20, '0');
}

export interface SendParams {
  body: string | undefined;
  delaySeconds: number | undefined;
  attributes: Record<string, SqsAttributeValue> | undefined;
  systemAttributes: Record<string, SqsAttributeValue> | undefined;
  groupId: string | undefined;
  deduplicationId: string | undefined;
}

/** Checks a send against the queue; returns the message to publish and the digests to answer with. */
export function prepareSend(entry: QueueEntry, id: SqsIdentity, p: SendParams, now: number): { message: Message; delayMs: number | undefined; reply: Record<string, unknown> } {
  const o = entry.queue.options;
  const body = p.body;
  if (body === undefined || body === '') throw missing('MessageBody');
  if (hasInvalidCharacters(body)) {
    throw new SqsError('InvalidMessageContents', 'Invalid binary character was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
  }
  const attrs = p.attributes ?? {};
  const sys = p.systemAttributes ?? {};
  const value = Buffer.from(body, 'utf8');
  const size = value.length + validateAttributes(attrs, 'message') + validateAttributes(sys, 'system');
  const max = o.maxMessageBytes;
  if (size > max) throw new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  if (p.delaySeconds !== undefined && o.fifo) throw invalidValue('DelaySeconds', String(p.delaySeconds), 'The request include parameter that is not valid for this queue type.');
  const meta = metaOf(entry);
  let dedup = p.deduplicationId;
  if (o.fifo) {
    if (p.groupId === undefined) throw missing('MessageGroupId');
    if (!FIFO_ID_RE.test(p.groupId)) throw invalidValue('MessageGroupId', p.groupId);
    if (dedup === undefined) {
      if (meta.attributes['ContentBasedDeduplication'] !== 'true') {
        throw new SqsError('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      dedup = createHash('sha256').update(value).digest('hex');
    } else if (!FIFO_ID_RE.test(dedup)) throw invalidValue('MessageDeduplicationId', dedup);
  } else if (dedup !== undefined) {
    throw invalidValue('MessageDeduplicationId', dedup, 'The request include parameter that is not valid for this queue type');
  } else if (p.groupId !== undefined && !FIFO_ID_RE.test(p.groupId)) throw invalidValue('MessageGroupId', p.groupId);

  const { attributes, typesHeader } = attributesToCore(attrs);
  const headers: Header[] = [];
  if (typesHeader !== null) headers.push(typesHeader);
  const trace = sys[TRACE_HEADER]?.StringValue;
  if (trace !== undefined) headers.push({ key: TRACE_HEADER, value: Buffer.from(trace, 'utf8') });
  const properties: Message['properties'] = { exchange: '', routingKey: entry.name, userId: id.user };
  if (Object.keys(attributes).length > 0) properties.attributes = attributes;
  if (p.groupId !== undefined) properties.groupId = p.groupId;
  if (dedup !== undefined) properties.deduplicationId = meta.attributes['DeduplicationScope'] === 'messageGroup' ? `${p.groupId}\u0000${dedup}` : dedup;
  const reply: Record<string, unknown> = { MD5OfMessageBody: md5Hex(value) };
  if (Object.keys(attrs).length > 0) reply['MD5OfMessageAttributes'] = md5OfAttributes(attrs);
  if (Object.keys(sys).length > 0) reply['MD5OfMessageSystemAttributes'] = md5OfAttributes(sys);
  const message: Message = { key: null, value, headers, timestamp: now, properties };
  return { message, delayMs: p.delaySeconds === undefined ? undefined : p.delaySeconds * 1000, reply };
}

/** Publishes a prepared send; resolves once it is durable, with the full reply. */
export async function publishPrepared(entry: QueueEntry, prepared: ReturnType<typeof prepareSend>): Promise<Record<string, unknown>> {
  const out = await entry.queue.publish(prepared.message, prepared.delayMs === undefined ? {} : { delayMs: prepared.delayMs });
  const reply: Record<string, unknown> = { MessageId: messageIdOf(entry.id, out.offset), ...prepared.reply };
  if (entry.queue.options.fifo) reply['SequenceNumber'] = sequenceNumberOf(out.offset);
  return reply;
}

export function sendParams(input: Readonly<Record<string, unknown>>, delay: number | undefined, attributes: Record<string, SqsAttributeValue> | undefined, systemAttributes: Record<string, SqsAttributeValue> | undefined): SendParams {
  const s = (n: string): string | undefined => {
    const v = input[n];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalidValue(n, v);
    return v;
  };
  return { body: s('MessageBody'), delaySeconds: delay, attributes, systemAttributes, groupId: s('MessageGroupId'), deduplicationId: s('MessageDeduplicationId') };
}

const SYSTEM_NAMES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SequenceNumber', 'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn'];

/** One received message in SQS's shape, with only the attributes asked for. */
export function receivedMessage(
  entry: QueueEntry,
  d: Delivery,
  ctx: { identity: SqsIdentity; arnOf: (name: string) => string; firstReceivedMs: number },
  systemNames: ReadonlySet<string>,
  attributeNames: readonly string[] | undefined,
): Record<string, unknown> {
  const m = d.message;
  const body = m.value === null ? '' : m.value.toString('utf8');
  const out: Record<string, unknown> = {
    MessageId: messageIdOf(entry.id, d.offset),
    ReceiptHandle: encodeReceipt(entry.id, d.offset, d.leaseId),
    MD5OfBody: md5Hex(body),
    Body: body,
  };
  if (systemNames.size > 0) {
    const all = systemNames.has('All');
    const want = (n: string): boolean => all || systemNames.has(n);
    const a: Record<string, string> = {};
    const p = m.properties;
    if (want('SenderId')) a['SenderId'] = p.userId ?? ctx.identity.accountId;
    if (want('SentTimestamp')) a['SentTimestamp'] = String(m.timestamp);
    if (want('ApproximateReceiveCount')) a['ApproximateReceiveCount'] = String(d.deliveryCount);
    if (want('ApproximateFirstReceiveTimestamp')) a['ApproximateFirstReceiveTimestamp'] = String(ctx.firstReceivedMs);
    if (entry.queue.options.fifo) {
      if (want('SequenceNumber')) a['SequenceNumber'] = sequenceNumberOf(d.offset);
      if (want('MessageGroupId') && p.groupId !== undefined) a['MessageGroupId'] = p.groupId;
      if (want('MessageDeduplicationId') && p.deduplicationId !== undefined) {
        const nul = p.deduplicationId.indexOf('\u0000');
        a['MessageDeduplicationId'] = nul >= 0 ? p.deduplicationId.slice(nul + 1) : p.deduplicationId;
      }
    }
    if (want('AWSTraceHeader')) {
      const h = m.headers.find((x) => x.key === TRACE_HEADER);
      if (h?.value) a['AWSTraceHeader'] = h.value.toString('utf8');
    }
    const source = p.attributes?.['x-last-death-queue'];
    if (want('DeadLetterQueueSourceArn') && source?.type === 'string') a['DeadLetterQueueSourceArn'] = ctx.arnOf(source.value);
    out['Attributes'] = a;
  }
  const selected = selectAttributes(attributesFromCore(m), attributeNames);
  if (selected !== null) {
    out['MessageAttributes'] = selected;
    out['MD5OfMessageAttributes'] = md5OfAttributes(selected);
  }
  return out;
}

/** AttributeNames (older) and MessageSystemAttributeNames together; unknown names are an error. */
export function systemAttributeNames(a: readonly string[] | undefined, b: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const n of [...(a ?? []), ...(b ?? [])]) {
    if (n !== 'All' && !SYSTEM_NAMES.includes(n)) {
      // AWS takes queue attribute names here too (legacy), and ignores them.
      continue;
    }
    out.add(n);
  }
  return out;
}

export { toSqsError };
