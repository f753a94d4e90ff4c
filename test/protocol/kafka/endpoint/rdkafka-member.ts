/**
 * One librdkafka consumer (node-rdkafka) in a child process, for the KIP-848 tests: librdkafka's
 * blocking calls (close waits for the broker's answers) must not stall the event loop of the
 * broker under test, which runs in the parent. Started with fork(this file, [json config]);
 * reports each record's value with process.send({ value }), and closes on { close: true }. `extra`
 * settings override the defaults (group.protocol=classic for a classic member).
 */
import { createRequire } from 'node:module';

/** The little of node-rdkafka's API used here (it is not a dependency: .ci/run installs it when it builds). */
interface RdConsumer {
  on(event: 'data', f: (m: { value: Buffer | null }) => void): void;
  on(event: 'event.error', f: (e: Error) => void): void;
  connect(opts: object, cb: (err: Error | null) => void): void;
  subscribe(topics: string[]): void;
  consume(): void;
  disconnect(cb: () => void): void;
}
type RdConsumerClass = new (global: Record<string, unknown>, topic: Record<string, unknown>) => RdConsumer;
const { KafkaConsumer } = createRequire(import.meta.url)('node-rdkafka') as { KafkaConsumer: RdConsumerClass };

const { bootstrap, groupId, clientId, topics, extra } = JSON.parse(process.argv[2]!) as {
  bootstrap: string; groupId: string; clientId: string; topics: string[]; extra?: Record<string, unknown>;
};
const consumer = new KafkaConsumer({
  'bootstrap.servers': bootstrap, 'group.id': groupId, 'client.id': clientId, 'group.protocol': 'consumer',
  'enable.auto.commit': true, 'auto.commit.interval.ms': 100, 'fetch.wait.max.ms': 100, ...extra,
}, { 'auto.offset.reset': 'earliest' });
consumer.on('data', (m) => process.send!({ value: m.value!.toString() }));
consumer.on('event.error', (e) => process.send!({ error: e.message }));
consumer.connect({}, (err) => {
  if (err) {
    process.send!({ error: err.message });
    return;
  }
  consumer.subscribe(topics);
  consumer.consume();
  process.send!({ ready: true });
});
process.on('message', (m: { close?: boolean }) => {
  if (m.close) consumer.disconnect(() => process.send!({ closed: true }, () => process.exit(0)));
});
