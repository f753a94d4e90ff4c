/** A broker on a temp dir with a Kafka listener on an ephemeral port, for tests with real clients. */
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import type { KafkaEndpointOptions } from '../../../../src/protocol/kafka/server/options.js';
import type { Logger } from '../../../../src/server/logger.js';
import { decodeMessages, type StoredMessage } from '../../../../src/storage/codec/message-codec.js';
import { forEachBatch } from '../../../../src/storage/codec/record-batch.js';
import { tempDir } from '../../../helpers/tmp.js';

export interface Harness {
  broker: Broker;
  listener: KafkaListener;
  bootstrap: string;
  kafka(extra?: Partial<KafkaConfig>): Kafka;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<KafkaEndpointOptions> = {}, logger?: Logger): Promise<Harness> {
  const tmp = await tempDir('hopper-kafka-');
  const broker = await Broker.open({ dataDir: tmp.dir });
  // No initial rebalance delay (3 s by default, as Kafka's) unless a test asks for one: only
  // group-rebalance-delay.test.ts is about it, and every other group would wait it out.
  const listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0, ...opts }, logger);
  const bootstrap = `127.0.0.1:${listener.port}`;
  return {
    broker,
    listener,
    bootstrap,
    kafka: (extra = {}) =>
      new Kafka({
        clientId: 'hopper-test',
        brokers: [bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
        connectionTimeout: 2000,
        ...extra,
      }),
    async close() {
      await listener.close();
      await broker.close();
      await tmp.cleanup();
    },
  };
}

/** Polls until cond() holds or the time runs out. */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Every record of one partition as the other protocols read it (decodeMessages), and the codec
 * id of each stored batch, to check that batches are kept as the client sent them.
 */
export async function readStored(broker: Broker, topic: string, partition = 0): Promise<{ messages: StoredMessage[]; codecs: number[] }> {
  const log = broker.vhost('/').topic(topic).partition(partition);
  const messages: StoredMessage[] = [];
  const codecs: number[] = [];
  let offset = 0;
  while (offset < log.nextOffset) {
    const r = await log.read(offset, 1 << 20);
    forEachBatch(r.bytes, (h) => void codecs.push(h.attributes & 7));
    const got = decodeMessages(r.bytes, offset);
    if (got.length === 0) break;
    messages.push(...got);
    offset = got[got.length - 1]!.offset + 1;
  }
  return { messages, codecs };
}
