import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { rejection, startSqsBroker } from './helpers.js';

test('smoke: create, send, receive, delete', async () => {
  const b = await startSqsBroker();
  try {
    const c = b.client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'smoke' }));
    assert.equal(QueueUrl, `http://127.0.0.1:${b.port}/000000000000/smoke`);
    const sent = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello', MessageAttributes: { a: { DataType: 'String', StringValue: 'x' }, n: { DataType: 'Number.int', StringValue: '42' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) } } }));
    assert.ok(sent.MessageId);
    const r = await c.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    assert.equal(r.Messages?.[0]?.Body, 'hello');
    assert.equal(r.Messages?.[0]?.MessageAttributes?.['n']?.DataType, 'Number.int');
    await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: r.Messages![0]!.ReceiptHandle! }));
    const e = await rejection(c.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    console.log(e.name, (e as any).Code, e.message, e.$metadata?.httpStatusCode);
  } finally {
    await b.close();
  }
});
