/** One queue, every protocol: what SQS sends AMQP consumers read, and the reverse. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import amqp from 'amqplib';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startSqsBroker } from './helpers.js';

test('an SQS queue is an AMQP queue in vhost / (attributes ↔ headers, body ↔ body)', async () => {
  const b = await startSqsBroker({ 'amqp.port': '0' });
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.server.amqpPort}`);
  try {
    const c = b.client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'bridge' }));
    const ch = await conn.createChannel();
    // AMQP consumers find it with a passive declare (its settings are SQS's: see docs/sqs.md).
    await ch.checkQueue('bridge');

    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from sqs', MessageAttributes: { s: { DataType: 'String', StringValue: 'v' }, n: { DataType: 'Number', StringValue: '12' }, b: { DataType: 'Binary', BinaryValue: Buffer.from('xy') } } }));
    const got = await new Promise<amqp.ConsumeMessage>((resolve) => void ch.consume('bridge', (m) => m && resolve(m)));
    assert.equal(got.content.toString(), 'from sqs');
    assert.equal(got.properties.headers?.['s'], 'v');
    assert.equal(String(got.properties.headers?.['n']), '12');
    assert.deepEqual(Buffer.from(got.properties.headers?.['b'] as Buffer), Buffer.from('xy'));
    assert.equal(got.fields.routingKey, 'bridge');
    ch.ack(got);
    await ch.cancel(got.fields.consumerTag);

    ch.publish('', 'bridge', Buffer.from('from amqp'), { headers: { who: 'amqp', count: 3, ok: true }, persistent: true });
    await ch.close();
    const r = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    const m = r.Messages![0]!;
    assert.equal(m.Body, 'from amqp');
    assert.deepEqual(m.MessageAttributes, {
      who: { DataType: 'String', StringValue: 'amqp' },
      count: { DataType: 'Number', StringValue: '3' },
      ok: { DataType: 'String', StringValue: 'true' },
    });
    assert.match(m.MessageId!, /^[0-9a-f-]{36}$/);
    await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  } finally {
    await conn.close();
    await b.close();
  }
});
