/** Round trips over generated values: tables, every method, properties, whole messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type AmqpCommand,
  type AmqpMethodInput,
  CommandAssembler,
  decodeContentHeader,
  decodeMethod,
  encodeContentHeaderFrame,
  encodeMessage,
  encodeMethodFrame,
  encodeTable,
  FrameDecoder,
  readTable,
} from '../../../../src/protocol/amqp/codec/index.js';
import { Reader } from '../../../../src/protocol/amqp/codec/reader.js';
import { codec } from './amqplib.js';
import { anyMethod, fieldTable, properties } from './arbitraries.js';

test('field tables: decode(encode(t)) = t, and amqplib parses every table we write', () => {
  fc.assert(
    fc.property(fieldTable, (t) => {
      const bytes = encodeTable(t);
      const r = new Reader(bytes, 0, bytes.length);
      assert.deepEqual(readTable(r), t);
      assert.equal(r.pos, bytes.length);
      codec.decodeFields(bytes.subarray(4));
    }),
    { numRuns: 500 },
  );
});

test('every method: decode(encode(m)) = m', () => {
  fc.assert(
    fc.property(anyMethod, fc.integer({ min: 0, max: 0xffff }), (m, channel) => {
      const f = encodeMethodFrame(channel, m as AmqpMethodInput);
      assert.equal(f.readUInt16BE(1), channel);
      assert.deepEqual(decodeMethod(f, 7, f.length - 1, channel), m);
    }),
    { numRuns: 2000 },
  );
});

test('content headers: decode(encode(p)) = p', () => {
  fc.assert(
    fc.property(properties, fc.integer({ min: 0, max: 2 ** 27 }), (p, size) => {
      const f = encodeContentHeaderFrame(1, size, p);
      assert.deepEqual(decodeContentHeader(f, 7, f.length - 1, 1), { classId: 60, weight: 0, bodySize: size, properties: p });
    }),
    { numRuns: 500 },
  );
});

test('whole messages through FrameDecoder and CommandAssembler, at any frame-max', () => {
  fc.assert(
    fc.property(properties, fc.uint8Array({ maxLength: 30_000 }), fc.integer({ min: 4096, max: 20_000 }), (p, bytes, frameMax) => {
      const body = Buffer.from(bytes);
      const method = { method: 'basic.deliver', consumerTag: 'c', deliveryTag: 7, redelivered: true, exchange: 'e', routingKey: 'k' } as const;
      const wire = encodeMessage(5, method, p, body, frameMax);
      const d = new FrameDecoder({ preTuneFrameMaxBytes: frameMax });
      const a = new CommandAssembler();
      d.push(wire);
      const cmds: AmqpCommand[] = [];
      for (let f = d.next(); f !== null; f = d.next()) {
        assert.ok(f.kind === 'method' || f.kind === 'header' || f.kind === 'body');
        const c = a.accept(f);
        if (c) cmds.push(c);
      }
      assert.equal(cmds.length, 1);
      assert.deepEqual(cmds[0]!.method, method);
      assert.deepEqual(cmds[0]!.content!.header.properties, p);
      assert.deepEqual(cmds[0]!.content!.body, body);
    }),
    { numRuns: 200 },
  );
});
