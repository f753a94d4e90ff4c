/**
 * Every method against amqplib's generated codec: the registry lists exactly the methods
 * amqplib knows (0-9-1 plus RabbitMQ's extensions) with the same fields and types; our bytes
 * equal amqplib's; each side decodes the other's frames to the same values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allMethods,
  type AmqpMethodInput,
  decodeMethod,
  encodeMethodFrame,
  FRAME_HEADER_BYTES,
  isCodecError,
  methodById,
  methodByName,
} from '../../../../src/protocol/amqp/codec/index.js';
import { amqplibFrames, amqplibMethodIds, defs, frame, tableToAmqplib } from './amqplib.js';
import { type BitPattern, sampleArgs, sampleTable } from './samples.js';

const amqplibType: Record<string, string> = { bit: 'bit', octet: 'octet', short: 'short', long: 'long', longlong: 'longlong', shortstr: 'shortstr', longstr: 'longstr', table: 'table', timestamp: 'timestamp' };

test('the registry holds exactly the methods amqplib knows, with the same fields and types', () => {
  const ids = amqplibMethodIds();
  assert.equal(allMethods.length, ids.length);
  for (const { key, id } of ids) {
    const d = methodById(id >>> 16, id & 0xffff);
    assert.ok(d, `${key} (${id >>> 16}/${id & 0xffff}) missing`);
    const theirs = defs.info(id).args;
    assert.deepEqual(d.fields.map((f) => [f.name, amqplibType[f.type]]), theirs.map((a) => [a.name, a.type]), d.name);
  }
  assert.equal(methodByName('exchange.unbind-ok')?.methodId, 51);
  assert.equal(methodByName('basic.nack')?.methodId, 120);
});

/** What amqplib's decoder returns for our sample values. */
function asAmqplib(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === 'method') continue;
    out[k] = v === sampleTable ? tableToAmqplib(sampleTable) : v;
  }
  return out;
}

for (const bits of ['alternate', 'all-true', 'all-false'] as BitPattern[]) {
  test(`every method, bits ${bits}: our bytes equal amqplib's and each decodes the other's`, () => {
    for (const d of allMethods) {
      const args = sampleArgs(d, bits);
      const ours = encodeMethodFrame(3, args as AmqpMethodInput);
      const theirs = defs.encodeMethod(d.id, 3, asAmqplib(args));
      assert.deepEqual(ours, theirs, `${d.name} bytes`);

      const [f] = amqplibFrames(ours);
      const decoded = frame.decodeFrame(f!);
      assert.equal(decoded.id, d.id);
      assert.deepEqual(decoded.fields, asAmqplib(args), `${d.name} decoded by amqplib`);

      const mine = decodeMethod(theirs, FRAME_HEADER_BYTES, theirs.length - 1, 3);
      assert.deepEqual(mine, args, `${d.name} decoded by us`);
    }
  });
}

test('golden bytes: basic.deliver and basic.publish', () => {
  const deliver = encodeMethodFrame(1, { method: 'basic.deliver', consumerTag: 'c', deliveryTag: 258, redelivered: true, exchange: 'x', routingKey: 'rk' });
  assert.equal(
    deliver.toString('hex'),
    '01' + '0001' + '00000014' + '003c' + '003c' + '0163' + '0000000000000102' + '01' + '0178' + '02726b' + 'ce',
  );
  const publish = encodeMethodFrame(2, { method: 'basic.publish', exchange: '', routingKey: 'q', mandatory: true });
  assert.equal(publish.toString('hex'), '01' + '0002' + '0000000a' + '003c0028' + '0000' + '00' + '0171' + '01' + 'ce');
});

test('defaults fill omitted fields; missing or out-of-range values are refused before writing', () => {
  const f = encodeMethodFrame(0, { method: 'connection.tune-ok', frameMax: 131072 });
  assert.deepEqual(decodeMethod(f, 7, f.length - 1, 0), { method: 'connection.tune-ok', channelMax: 0, frameMax: 131072, heartbeat: 0 });
  const bad: unknown[] = [
    { method: 'basic.deliver', consumerTag: 'c', exchange: '', routingKey: '' }, // deliveryTag missing
    { method: 'basic.ack', deliveryTag: -1 },
    { method: 'basic.ack', deliveryTag: 2 ** 53 },
    { method: 'basic.qos', prefetchCount: 65536 },
    { method: 'queue.declare', queue: 'q'.repeat(256) },
    { method: 'connection.secure', challenge: 'not a buffer' },
    { method: 'no.such-method' },
  ];
  for (const m of bad) assert.throws(() => encodeMethodFrame(1, m as AmqpMethodInput), { name: 'HopperError', code: 'INVALID_ARGUMENT' }, JSON.stringify(m));
  assert.throws(() => encodeMethodFrame(65536, { method: 'channel.open' }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => encodeMethodFrame(0, { method: 'connection.start', serverProperties: {}, mechanisms: Buffer.alloc(5000), locales: Buffer.from('en_US') }, 4096), {
    code: 'MESSAGE_TOO_LARGE',
  });
});

test('decode errors: unknown class or method is 540, malformed fields are 502', () => {
  const ok = encodeMethodFrame(1, { method: 'basic.ack', deliveryTag: 9, multiple: true });
  const payload = ok.subarray(7, ok.length - 1);
  const err = (buf: Buffer) => () => decodeMethod(buf, 0, buf.length, 1);

  const unknown = Buffer.from(payload);
  unknown.writeUInt16BE(61, 2); // basic/61
  assert.throws(err(unknown), (e) => isCodecError(e, 'unknown-method') && e.replyCode === 540 && e.classId === 60 && e.methodId === 61);
  assert.throws(err(Buffer.from([0, 99, 0, 10])), (e) => isCodecError(e, 'unknown-method') && e.classId === 99);

  assert.throws(err(payload.subarray(0, 3)), (e) => isCodecError(e, 'syntax') && e.replyCode === 502);
  for (let len = 4; len < payload.length; len++) assert.throws(err(payload.subarray(0, len)), (e) => isCodecError(e, 'syntax'), `cut at ${len}`);
  assert.throws(err(Buffer.concat([payload, Buffer.of(0)])), (e) => isCodecError(e, 'syntax') && /trailing/.test(e.message));

  const huge = Buffer.from(payload);
  huge.writeUInt32BE(0x0020_0000, 4); // delivery tag 2^53
  assert.throws(err(huge), (e) => isCodecError(e, 'syntax') && /2\^53/.test(e.message));
});

test('decoded methods are a union that narrows on `method`; inputs may omit defaulted fields', () => {
  const f = encodeMethodFrame(1, { method: 'basic.deliver', consumerTag: 'c', deliveryTag: 1, exchange: '', routingKey: 'q' });
  const m = decodeMethod(f, 7, f.length - 1, 1);
  assert.equal(m.method, 'basic.deliver');
  if (m.method !== 'basic.deliver') return;
  const tag: number = m.deliveryTag;
  const redelivered: boolean = m.redelivered;
  // @ts-expect-error basic.deliver has no `mandatory` field
  assert.equal(m.mandatory, undefined);
  assert.equal(tag + Number(redelivered), 1);
  const publish: AmqpMethodInput = { method: 'basic.publish' }; // every field has a default
  // @ts-expect-error basic.deliver's consumerTag has no default
  const incomplete: AmqpMethodInput = { method: 'basic.deliver', deliveryTag: 1, exchange: '', routingKey: '' };
  assert.ok(publish && incomplete);
});
