/**
 * The default host 'localhost' binds both loopback addresses: clients that connect to [::1]
 * (amqplib's own suite does; so does any client whose resolver puts ::1 first) reach the broker,
 * as they reach RabbitMQ. Skipped where the machine has no IPv6 loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import amqp from 'amqplib';
import { once } from 'node:events';
import { ApiVersions } from '../../src/protocol/kafka/api/api-versions.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/kafka/codec/message.js';
import { loadConfig } from '../../src/server/config.js';
import { silentLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/server.js';
import { tempDir } from '../helpers/tmp.js';

async function hasIpv6Loopback(): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

async function apiVersions(host: string, port: number) {
  const socket = connect(port, host);
  await once(socket, 'connect');
  const req = encodeRequest(ApiVersions, 3, { correlationId: 1, clientId: 'loopback-test' }, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  for (const b of Array.isArray(req) ? req : [req]) socket.write(b);
  let buf = Buffer.alloc(0);
  while (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) buf = Buffer.concat([buf, (await once(socket, 'data'))[0] as Buffer]);
  socket.destroy();
  return decodeResponse(ApiVersions, 3, buf.subarray(4, 4 + buf.readInt32BE(0)));
}

test('every listener answers on 127.0.0.1 and on [::1] by default', { skip: !(await hasIpv6Loopback()) && 'no IPv6 loopback here' }, async () => {
  const { dir, cleanup } = await tempDir();
  const config = loadConfig({ flags: { dataDir: dir, 'http.port': '0', 'amqp.port': '0', 'kafka.port': '0', 'sqs.port': '-1' } });
  const server = await startServer(config, silentLogger);
  try {
    for (const host of ['127.0.0.1', '[::1]']) {
      const health = await fetch(`http://${host}:${server.httpPort}/health`);
      assert.equal(health.status, 200, `http on ${host}`);
      const c = await amqp.connect(`amqp://guest:guest@${host}:${server.amqpPort}`);
      const ch = await c.createChannel();
      assert.equal((await ch.checkQueue((await ch.assertQueue('', { exclusive: true })).queue)).messageCount, 0);
      await c.close();
      // kafkajs cannot parse a bracketed address: ApiVersions over a plain socket instead.
      const answer = await apiVersions(host.replace(/[[\]]/g, ''), server.kafkaPort!);
      assert.equal(answer.body.errorCode, 0, `kafka on ${host}`);
    }
  } finally {
    await server.close();
    await cleanup();
  }
});
