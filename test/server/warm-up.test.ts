/** The start-up warm-up drives a real AMQP session end to end on a throwaway, in-memory broker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { warmUpAmqp } from '../../src/server/warm-up.js';

test('warmUpAmqp publishes, delivers and acks every message, touching no disk', async () => {
  assert.equal(await warmUpAmqp(1_200), 1_200, 'more than two windows of 500');
  assert.equal(existsSync('/warm-up'), false, 'the broker lived on a SimFs');
});
