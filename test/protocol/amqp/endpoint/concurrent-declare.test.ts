/**
 * Several clients declaring one new durable queue at once must get one queue: before the fix
 * each connection got its own object over the same files, every publish was confirmed, and
 * after a restart part of the messages were gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from './helpers.js';

const CONNECTIONS = 6;
const PER_CONNECTION = 50;

test('amqplib connections declaring the same new queue at once: every confirmed message survives a restart', async () => {
  let tb = await startBroker();
  const { dataDir } = tb;
  try {
    const channels = await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => (await tb.connect()).createConfirmChannel()),
    );
    // Every declare goes out before any answer comes back; each client publishes as soon as
    // its own declare-ok arrives, as an application would.
    await Promise.all(
      channels.map(async (ch, c) => {
        assert.equal((await ch.assertQueue('shared-new', { durable: true })).queue, 'shared-new');
        for (let i = 0; i < PER_CONNECTION; i++) ch.sendToQueue('shared-new', Buffer.from(`${c}-${i}`), { persistent: true });
        await ch.waitForConfirms();
      }),
    );
    await tb.stopKeepingData();

    tb = await startBroker({ dataDir });
    const ch = await (await tb.connect()).createChannel();
    const { messageCount } = await ch.checkQueue('shared-new');
    assert.equal(messageCount, CONNECTIONS * PER_CONNECTION);
    const seen = new Set<string>();
    for (let m = await ch.get('shared-new', { noAck: true }); m !== false; m = await ch.get('shared-new', { noAck: true })) seen.add(m.content.toString());
    assert.equal(seen.size, CONNECTIONS * PER_CONNECTION, 'each message once');
  } finally {
    await tb.stop();
  }
});
