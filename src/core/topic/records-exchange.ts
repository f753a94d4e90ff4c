/**
 * How queues receive a topic's records. Each topic has a companion exchange, internal and of
 * type `topic`, named `amq.kafka.<topic>`: bind a queue to it (routing pattern over the record
 * key, `#` for all) and every record appended to the topic, by a Kafka producer or routed in by
 * an exchange, is also stored in that queue, with the record key as the routing key. So an AMQP
 * or SQS consumer can work through a Kafka topic.
 *
 * Records go to queues only, never on to topics, so no chain of bindings can loop.
 */
export const recordsExchangePrefix = 'amq.kafka.';

/** Exchange names are capped at 255 bytes; a topic name too long for the prefix gets none. */
export function recordsExchangeName(topic: string): string | null {
  const name = recordsExchangePrefix + topic;
  return Buffer.byteLength(name) <= 255 ? name : null;
}

export function topicOfRecordsExchange(exchange: string): string | null {
  return exchange.startsWith(recordsExchangePrefix) ? exchange.slice(recordsExchangePrefix.length) : null;
}
