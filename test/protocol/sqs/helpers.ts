/** A broker with its SQS listener on an ephemeral port, and an @aws-sdk/client-sqs client for it. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../src/server/config.js';
import { silentLogger } from '../../../src/server/logger.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { tempDir } from '../../helpers/tmp.js';

export interface SqsBroker {
  server: RunningServer;
  port: number;
  endpoint: string;
  client(region?: string): SQSClient;
  close(): Promise<void>;
}

export async function startSqsBroker(flags: Record<string, string> = {}): Promise<SqsBroker> {
  const tmp = await tempDir();
  const cfg = loadConfig({ flags: { dataDir: tmp.dir, 'http.port': '-1', 'amqp.port': '-1', 'kafka.port': '-1', 'sqs.port': '0', ...flags } });
  const server = await startServer(cfg, silentLogger);
  const port = server.sqsPort!;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: SQSClient[] = [];
  return {
    server,
    port,
    endpoint,
    client(region = 'us-east-1') {
      const c = new SQSClient({ endpoint, region, credentials: { accessKeyId: 'guest', secretAccessKey: 'guest' }, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await server.close();
      await tmp.cleanup();
    },
  };
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { Code?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { Code?: string };
  }
  throw new Error('expected a rejection');
}
