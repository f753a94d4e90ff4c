/** Restarting the broker: durable messages survive; unacked ones come back redelivered. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDir } from '../../../helpers/tmp.js';
import { collect, startBroker, waitFor } from './helpers.js';

test('durable topology and confirmed messages survive a restart; unacked ones are redelivered', async () => {
  const { dir, cleanup } = await tempDir('hopper-amqp-restart-');
  try {
    const first = await startBroker({ dataDir: dir });
    const c = await first.connect();
    const ch = await c.createConfirmChannel();
    await ch.assertExchange('rs.x', 'direct', { durable: true });
    await ch.assertQueue('rs.q', { durable: true });
    await ch.bindQueue('rs.q', 'rs.x', 'k');
    for (let i = 0; i < 10; i++) ch.publish('rs.x', 'k', Buffer.from(`m${i}`), { persistent: true });
    await ch.waitForConfirms();
    // Take three, ack one, leave two unacked when the broker stops.
    const cch = await c.createChannel();
    await cch.prefetch(3);
    const { msgs } = await collect(cch, 'rs.q');
    await waitFor(() => msgs.length === 3);
    cch.ack(msgs[0]!);
    await waitFor(() => first.broker.vhost().queue('rs.q').stats().acked === 1);
    await first.broker.vhost().queue('rs.q').flush();
    await first.stopKeepingData();

    const second = await startBroker({ dataDir: dir });
    try {
      const c2 = await second.connect();
      const ch2 = await c2.createChannel();
      const ok = await ch2.checkQueue('rs.q');
      assert.equal(ok.messageCount, 9);
      await ch2.checkExchange('rs.x');
      const got = await collect(ch2, 'rs.q', { noAck: true });
      await waitFor(() => got.msgs.length === 9);
      const seen = got.msgs.map((m) => [m.content.toString(), m.fields.redelivered] as const);
      assert.deepEqual(
        seen.map(([s]) => s).sort(),
        ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'],
      );
      for (const [s, redelivered] of seen) if (s === 'm1' || s === 'm2') assert.equal(redelivered, true, `${s} was delivered before the restart`);
      // The routing survived too.
      ch2.publish('rs.x', 'k', Buffer.from('after'));
      await waitFor(() => got.msgs.length === 10);
    } finally {
      await second.stopKeepingData();
    }
  } finally {
    await cleanup();
  }
});
