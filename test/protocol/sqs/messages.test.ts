/** Message actions through @aws-sdk/client-sqs v3, which verifies every MD5 it is sent. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand,
  GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient,
} from '@aws-sdk/client-sqs';
import { md5OfAttributes } from '../../../src/protocol/sqs/md5.js';
import { rejection, startSqsBroker, type SqsBroker } from './helpers.js';

let b: SqsBroker;
let c: SQSClient;
before(async () => {
  b = await startSqsBroker();
  c = b.client();
});
after(() => b.close());

const queue = async (name: string, Attributes: Record<string, string> = {}): Promise<string> => (await c.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;

async function expectError(p: Promise<unknown>, name: string, status: number): Promise<void> {
  const e = await rejection(p);
  assert.equal(e.name, name, e.message);
  assert.equal(e.$metadata?.httpStatusCode, status);
}

test('MD5s: body, message attributes (custom types, binary) and system attributes, as the SDK checks them', async () => {
  const QueueUrl = await queue('md5');
  const MessageAttributes = {
    s: { DataType: 'String', StringValue: 'héllo' },
    n: { DataType: 'Number.int', StringValue: '-12.5e3' },
    b: { DataType: 'Binary.png', BinaryValue: Buffer.from([0, 255, 7]) },
  };
  const sent = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'body ✓', MessageAttributes, MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } } }));
  assert.equal(sent.MD5OfMessageBody, createHash('md5').update('body ✓').digest('hex'));
  assert.ok(sent.MD5OfMessageAttributes && sent.MD5OfMessageSystemAttributes);
  // AWS's documented example encoding of one String attribute, by hand.
  const one = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('s'), Buffer.from([0, 0, 0, 6]), Buffer.from('String'), Buffer.from([1]), Buffer.from([0, 0, 0, 2]), Buffer.from('hi')]);
  assert.equal(md5OfAttributes({ s: { DataType: 'String', StringValue: 'hi' } }), createHash('md5').update(one).digest('hex'));
  const r = await c.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
  const m = r.Messages![0]!;
  assert.equal(m.Body, 'body ✓');
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(m.MessageAttributes!['b'], { DataType: 'Binary.png', BinaryValue: Uint8Array.from([0, 255, 7]) });
  assert.equal(m.MessageAttributes!['n']!.DataType, 'Number.int');
  assert.equal(m.Attributes!['AWSTraceHeader'], 'Root=1-5759e988-bd862e3fe1be46a994272793');
  assert.equal(m.Attributes!['ApproximateReceiveCount'], '1');
  assert.equal(m.Attributes!['SenderId'], 'guest');
  assert.ok(Math.abs(Number(m.Attributes!['SentTimestamp']) - Date.now()) < 60_000);
});

test('attribute selection: none unless asked, names, prefixes (name.*) and All', async () => {
  const QueueUrl = await queue('select');
  const attrs = { 'color.r': { DataType: 'String', StringValue: 'r' }, 'color.g': { DataType: 'String', StringValue: 'g' }, size: { DataType: 'Number', StringValue: '3' } };
  for (let i = 0; i < 3; i++) await c.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}`, MessageAttributes: attrs }));
  const none = (await c.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
  assert.equal(none.MessageAttributes, undefined);
  assert.equal(none.Attributes, undefined);
  const some = (await c.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['color.*'], MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages![0]!;
  assert.deepEqual(Object.keys(some.MessageAttributes!).sort(), ['color.g', 'color.r']);
  assert.deepEqual(some.Attributes, { ApproximateReceiveCount: '1' });
  const named = (await c.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['size'], AttributeNames: ['SentTimestamp' as never] }))).Messages![0]!;
  assert.deepEqual(Object.keys(named.MessageAttributes!), ['size']);
  assert.deepEqual(Object.keys(named.Attributes!), ['SentTimestamp']);
});

test('message validation: attributes, body characters, size, parameters out of range', async () => {
  const QueueUrl = await queue('validate', { MaximumMessageSize: '1024' });
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bad \u0001 char' })), 'InvalidMessageContents', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1000), MessageAttributes: { big: { DataType: 'String', StringValue: 'y'.repeat(100) } } })), 'InvalidParameterValue', 400);
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: eleven })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Text', StringValue: 'v' } } })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'ten' } } })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'InvalidParameterValue', 400);
  await expectError(c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })), 'InvalidParameterValue', 400);
  await expectError(c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })), 'InvalidParameterValue', 400);
  await expectError(c.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 43201 })), 'InvalidParameterValue', 400);
});

test('receive takes 1-10 messages; every receive gets new receipt handles; a stale handle deletes nothing', async () => {
  const QueueUrl = await queue('handles');
  await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` })) }));
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm10' }));
  const first = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.equal(first.length, 10);
  const one = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.deepEqual(one.map((m) => m.Body), ['m10']);
  const h1 = one[0]!.ReceiptHandle!;
  await c.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: h1, VisibilityTimeout: 0 }));
  const again = (await c.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages![0]!;
  assert.equal(again.Body, 'm10');
  assert.notEqual(again.ReceiptHandle, h1);
  assert.equal(again.Attributes!['ApproximateReceiveCount'], '2');
  await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: h1 })); // stale: succeeds, deletes nothing
  await expectError(c.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: h1, VisibilityTimeout: 10 })), 'MessageNotInflight', 400);
  await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle! }));
  await expectError(c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'not-a-handle' })), 'ReceiptHandleIsInvalid', 404);
  const other = await queue('handles-other');
  await expectError(c.send(new DeleteMessageCommand({ QueueUrl: other, ReceiptHandle: first[0]!.ReceiptHandle! })), 'ReceiptHandleIsInvalid', 404);
});

test('visibility timeout: a message not deleted comes back after it, counted', async () => {
  const QueueUrl = await queue('expiry');
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
  const r1 = (await c.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1, MessageSystemAttributeNames: ['All'] }))).Messages!;
  assert.equal(r1.length, 1);
  assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  const r2 = (await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MessageSystemAttributeNames: ['All'] }))).Messages!;
  assert.equal(r2[0]!.Body, 'again');
  assert.equal(r2[0]!.Attributes!['ApproximateReceiveCount'], '2');
  assert.equal(r2[0]!.Attributes!['ApproximateFirstReceiveTimestamp'], r1[0]!.Attributes!['ApproximateFirstReceiveTimestamp']);
  assert.notEqual(r2[0]!.ReceiptHandle, r1[0]!.ReceiptHandle);
});

test('long polling returns as soon as a message is sent, and empty at WaitTimeSeconds', async () => {
  const QueueUrl = await queue('long-poll');
  const t0 = Date.now();
  const empty = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.equal(empty.Messages, undefined);
  assert.ok(Date.now() - t0 >= 900);
  const waiting = c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await new Promise((r) => setTimeout(r, 200));
  const sentAt = Date.now();
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake' }));
  const got = await waiting;
  assert.equal(got.Messages![0]!.Body, 'wake');
  assert.ok(Date.now() - sentAt < 15_000, 'the receive did not wait out its 20 s');
});

test('delays: per queue and per message; ApproximateNumberOfMessagesDelayed', async () => {
  const QueueUrl = await queue('delayed', { DelaySeconds: '1' });
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'queue-delay' }));
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'no-delay', DelaySeconds: 0 }));
  const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessages'] }))).Attributes!;
  assert.deepEqual(a, { ApproximateNumberOfMessagesDelayed: '1', ApproximateNumberOfMessages: '1' });
  assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!.map((m) => m.Body).join(), 'no-delay');
  const later = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  assert.equal(later.Messages![0]!.Body, 'queue-delay');
});

test('SendMessageBatch: partial failures, and the batch-level errors', async () => {
  const QueueUrl = await queue('batch');
  const r = await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
    { Id: 'ok1', MessageBody: 'one', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
    { Id: 'bad', MessageBody: 'nul \u0000' },
    { Id: 'ok2', MessageBody: 'two', DelaySeconds: 0 },
  ] }));
  assert.deepEqual(r.Successful!.map((s) => s.Id), ['ok1', 'ok2']);
  assert.ok(r.Successful![0]!.MD5OfMessageAttributes);
  assert.deepEqual(r.Failed, [{ Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents', Message: r.Failed![0]!.Message }]);
  await expectError(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })), 'EmptyBatchRequest', 400);
  await expectError(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })) })), 'TooManyEntriesInBatchRequest', 400);
  await expectError(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })), 'BatchEntryIdsNotDistinct', 400);
  await expectError(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'no spaces', MessageBody: 'x' }] })), 'InvalidBatchEntryId', 400);
  await expectError(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x'.repeat(250_000) })) })), 'BatchRequestTooLong', 400);
});

test('DeleteMessageBatch and ChangeMessageVisibilityBatch: each entry on its own', async () => {
  const QueueUrl = await queue('batch-settle');
  await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [0, 1, 2].map((i) => ({ Id: `e${i}`, MessageBody: `m${i}` })) }));
  const ms = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3 }))).Messages!;
  assert.equal(ms.length, 3);
  const cv = await c.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [
    { Id: 'a', ReceiptHandle: ms[0]!.ReceiptHandle!, VisibilityTimeout: 0 },
    { Id: 'b', ReceiptHandle: 'garbage', VisibilityTimeout: 5 },
  ] }));
  assert.deepEqual(cv.Successful, [{ Id: 'a' }]);
  assert.equal(cv.Failed![0]!.Code, 'ReceiptHandleIsInvalid');
  const d = await c.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [
    { Id: 'x', ReceiptHandle: ms[1]!.ReceiptHandle! },
    { Id: 'y', ReceiptHandle: ms[2]!.ReceiptHandle! },
    { Id: 'z', ReceiptHandle: 'garbage' },
  ] }));
  assert.deepEqual(d.Successful!.map((s) => s.Id).sort(), ['x', 'y']);
  assert.deepEqual(d.Failed!.map((f) => [f.Id, f.Code, f.SenderFault]), [['z', 'ReceiptHandleIsInvalid', true]]);
  const left = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.deepEqual(left.map((m) => m.Body), ['m0']);
});

test('redrive: after maxReceiveCount receives the message moves to the dead-letter queue', async () => {
  const dlq = await queue('redrive-dlq');
  const src = await queue('redrive-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:redrive-dlq', maxReceiveCount: 2 }), VisibilityTimeout: '1' });
  await c.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
  for (let i = 1; i <= 2; i++) {
    const m = (await c.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages!;
    assert.equal(m[0]!.Attributes!['ApproximateReceiveCount'], String(i));
  }
  const dead = (await c.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }))).Messages!;
  assert.equal(dead[0]!.Body, 'poison');
  assert.deepEqual(Object.keys(dead[0]!.MessageAttributes!), ['k']);
  assert.equal(dead[0]!.Attributes!['DeadLetterQueueSourceArn'], 'arn:aws:sqs:us-east-1:000000000000:redrive-src');
  assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages, undefined);
});

test('FIFO: order within a group, one message of a group in flight, deduplication by id and by content, sequence numbers', async () => {
  const QueueUrl = await queue('orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const seqs: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: `a${i}`, MessageGroupId: 'A', MessageDeduplicationId: `a${i}` }));
    seqs.push(r.SequenceNumber!);
  }
  assert.ok(seqs.every((s) => /^\d{20}$/.test(s)));
  assert.deepEqual([...seqs].sort(), seqs);
  const dup = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a0 again', MessageGroupId: 'A', MessageDeduplicationId: 'a0' }));
  const b1 = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b-content', MessageGroupId: 'B' }));
  const b2 = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b-content', MessageGroupId: 'B' }));
  assert.equal(b2.MessageId, b1.MessageId);
  assert.equal(b2.SequenceNumber, b1.SequenceNumber);
  assert.ok(dup.MessageId);
  const first = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 30, MessageSystemAttributeNames: ['All'] }))).Messages!;
  assert.deepEqual(first.map((m) => m.Body), ['a0', 'a1']);
  assert.equal(first[0]!.Attributes!['MessageGroupId'], 'A');
  assert.equal(first[0]!.Attributes!['MessageDeduplicationId'], 'a0');
  assert.equal(first[0]!.Attributes!['SequenceNumber'], seqs[0]);
  // Group A has messages in flight: only group B is available.
  const next = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.deepEqual(next.map((m) => m.Body), ['b-content']);
  assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages, undefined);
  for (const m of first) await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  const rest = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
  assert.deepEqual(rest.map((m) => m.Body), ['a2', 'a3']);
});

test('FIFO: group id required, dedup id or content-based required, per-message delay refused; stale handle is invalid', async () => {
  const QueueUrl = await queue('strict.fifo', { FifoQueue: 'true' });
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'MissingParameter', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' })), 'InvalidParameterValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })), 'InvalidParameterValue', 400);
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
  const m = (await c.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
  await c.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
  await expectError(c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! })), 'ReceiptHandleIsInvalid', 404);
});

test('DeduplicationScope messageGroup: the same id in two groups is two messages', async () => {
  const QueueUrl = await queue('scoped.fifo', { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  const x = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g1', MessageDeduplicationId: 'same' }));
  const y = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'y', MessageGroupId: 'g2', MessageDeduplicationId: 'same' }));
  assert.notEqual(x.MessageId, y.MessageId);
  const ms = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageDeduplicationId'] }))).Messages!;
  assert.deepEqual(ms.map((m) => [m.Body, m.Attributes!['MessageDeduplicationId']]).sort(), [['x', 'same'], ['y', 'same']]);
  const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
  assert.deepEqual([a['FifoQueue'], a['ContentBasedDeduplication'], a['DeduplicationScope'], a['FifoThroughputLimit']], ['true', 'false', 'messageGroup', 'perMessageGroupId']);
});
