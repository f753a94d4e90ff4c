/** The AMQP listener in `hopper start`: its settings and its place in startServer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import amqp from 'amqplib';
import { loadConfig } from '../../../../src/server/config.js';
import { silentLogger } from '../../../../src/server/logger.js';
import { startServer } from '../../../../src/server/server.js';
import { tempDir } from '../../../helpers/tmp.js';

test('amqp settings: default localhost:5672, env HOPPER_AMQP_PORT/HOST, flag amqp.port', () => {
  const d = loadConfig();
  assert.deepEqual([d.amqp.host, d.amqp.port], ['localhost', 5672]);
  const e = loadConfig({ env: { HOPPER_AMQP_PORT: '5673', HOPPER_AMQP_HOST: '0.0.0.0' } });
  assert.deepEqual([e.amqp.host, e.amqp.port], ['0.0.0.0', 5673]);
  assert.equal(loadConfig({ env: { HOPPER_AMQP_PORT: '5673' }, flags: { 'amqp.port': '-1' } }).amqp.port, -1);
  assert.throws(() => loadConfig({ env: { HOPPER_AMQP_PORT: 'x' } }), /amqp\.port must be an integer/);
});

test('startServer runs the AMQP listener and closes it before the broker', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cfg = loadConfig({ flags: { dataDir: dir, 'http.port': '-1', 'amqp.port': '0', 'kafka.port': '-1', 'sqs.port': '-1' } });
    const server = await startServer(cfg, silentLogger);
    assert.ok(server.amqpPort !== null && server.amqpPort > 0);
    assert.match(server.banner(), /amqp:\/\/127\.0\.0\.1:\d+/);
    const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.amqpPort}`);
    const closed = new Promise<{ code?: number } | undefined>((r) => c.once('close', r));
    const ch = await c.createChannel();
    await ch.assertQueue('wired', { durable: true });
    await server.close();
    assert.equal((await closed)?.code, 320);
  } finally {
    await cleanup();
  }
});
