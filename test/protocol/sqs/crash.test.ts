/**
 * Durability across kill -9: a message whose SendMessage returned is never lost; one whose
 * DeleteMessage returned never comes back; queue attributes set survive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startHopper } from '../../helpers/hopper-process.js';
import { tempDir } from '../../helpers/tmp.js';

async function sqsPort(p: ReturnType<typeof startHopper>): Promise<number> {
  const m = await p.waitFor(/sqs\s+http:\/\/127\.0\.0\.1:(\d+)/);
  return Number(m[1]);
}

function client(port: number): SQSClient {
  return new SQSClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'guest', secretAccessKey: 'guest' }, maxAttempts: 1 });
}

test('kill -9: sent messages survive, deleted ones stay deleted, attributes stay set', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const first = startHopper(dir);
    let c = client(await sqsPort(first));
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '600' } }));
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `m${i * 10 + j}` })) }));
      assert.equal(r.Successful!.length, 10);
      sent.push(...Array.from({ length: 10 }, (_, j) => `m${i * 10 + j}`));
    }
    const deleted = new Set<string>();
    const received = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
    for (const m of received.slice(0, 5)) {
      await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      deleted.add(m.Body!);
    }
    await c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '0', VisibilityTimeout: '300' } }));
    first.child.kill('SIGKILL');
    await first.exited();
    c.destroy();

    const second = startHopper(dir);
    const port = await sqsPort(second);
    c = client(port);
    const url = `http://127.0.0.1:${port}/000000000000/durable`;
    const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }))).Attributes!;
    assert.equal(a['VisibilityTimeout'], '300');
    const bodies: string[] = [];
    for (;;) {
      const r = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      if (r.Messages === undefined) break;
      bodies.push(...r.Messages.map((m) => m.Body!));
    }
    assert.deepEqual(bodies.sort(), sent.filter((s) => !deleted.has(s)).sort());
    c.destroy();
    second.child.kill('SIGTERM');
    await second.exited();
  } finally {
    await cleanup();
  }
});
