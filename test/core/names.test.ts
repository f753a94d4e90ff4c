import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkNotReserved, isFifoQueueName, topicCollisionKey, validateExchangeName, validateQueueName, validateSqsQueueName,
  validateTopicName, validateUserName, validateVhostName,
} from '../../src/core/names.js';
import { isHopperError } from '../../src/core/errors.js';

const invalid = (e: unknown) => isHopperError(e, 'INVALID_NAME');

test('AMQP names: up to 255 bytes of UTF-8, any characters but controls', () => {
  validateQueueName('orders/eu west:1 #*');
  validateQueueName('x'.repeat(255));
  validateQueueName('é'.repeat(127)); // 254 bytes
  assert.throws(() => validateQueueName('é'.repeat(128)), invalid); // 256 bytes, 128 chars
  assert.throws(() => validateQueueName('x'.repeat(256)), invalid);
  validateQueueName('😀'.repeat(63)); // 252 bytes
  assert.throws(() => validateQueueName('😀'.repeat(64)), invalid);
  assert.throws(() => validateQueueName(''), invalid);
  assert.throws(() => validateQueueName('a\nb'), invalid);
  assert.throws(() => validateQueueName('a\u0000b'), invalid);
  assert.throws(() => validateQueueName('a\ud800b'), invalid, 'unpaired surrogate');
  validateExchangeName(''); // the default exchange
  assert.throws(() => validateExchangeName('a\rb'), invalid);
  validateVhostName('/');
  assert.throws(() => validateVhostName(''), invalid);
  validateUserName('alice@example.com');
  assert.throws(() => validateUserName(''), invalid);
});

test('Kafka topic names', () => {
  validateTopicName('orders.v1_eu-west');
  validateTopicName('a'.repeat(249));
  for (const bad of ['', '.', '..', 'a'.repeat(250), 'with space', 'slash/', 'é']) {
    assert.throws(() => validateTopicName(bad), invalid, JSON.stringify(bad));
  }
  assert.equal(topicCollisionKey('a.b'), topicCollisionKey('a_b'));
});

test('SQS queue names', () => {
  validateSqsQueueName('orders-1_A');
  validateSqsQueueName('x'.repeat(80));
  validateSqsQueueName(`${'x'.repeat(75)}.fifo`);
  assert.equal(isFifoQueueName('q.fifo'), true);
  for (const bad of ['', 'x'.repeat(81), `${'x'.repeat(76)}.fifo`, 'a.b', 'a b', '.fifo', 'é']) {
    assert.throws(() => validateSqsQueueName(bad), invalid, JSON.stringify(bad));
  }
  assert.throws(() => validateSqsQueueName('plain', true), invalid, 'a FIFO queue must end in .fifo');
  assert.throws(() => validateSqsQueueName('q.fifo', false), invalid, 'a standard queue must not');
});

test('amq. is reserved for the broker: NOT_ALLOWED (AMQP 403)', () => {
  assert.throws(() => checkNotReserved('exchange', 'amq.custom'), (e) => isHopperError(e, 'NOT_ALLOWED') && e.mapping.amqp === 403);
  assert.throws(() => checkNotReserved('queue', 'amq.gen-1'), (e) => isHopperError(e, 'NOT_ALLOWED'));
  checkNotReserved('queue', 'amqp.q');
  checkNotReserved('queue', 'AMQ.q');
});
