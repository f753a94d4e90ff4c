/**
 * Field tables: every RabbitMQ type letter decoded from amqplib's bytes, every TypedValue
 * encoded and decoded by amqplib, hand-checked golden bytes, and the caps on hostile input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypedValue } from '../../../../src/core/message.js';
import { encodeTable, type FieldTable, isCodecError, readTable } from '../../../../src/protocol/amqp/codec/index.js';
import { Reader } from '../../../../src/protocol/amqp/codec/reader.js';
import { amqplibTable, codec, tableToAmqplib } from './amqplib.js';

const decode = (buf: Buffer, limits?: { depthMax: number; tableBytesMax: number }): FieldTable => {
  const r = new Reader(buf, 0, buf.length);
  const t = readTable(r, limits);
  r.done('table');
  return t;
};
const typed = (type: string, value: unknown) => ({ '!': type, value });

/** amqplib input (explicit letters) → the TypedValue we must decode it to. */
const everyLetter: [string, unknown, TypedValue][] = [
  ['t', true, { type: 'bool', value: true }],
  ['b', typed('int8', -5), { type: 'int', value: -5, width: 'int8' }],
  ['B', typed('uint8', 250), { type: 'int', value: 250, width: 'uint8' }],
  ['s', typed('int16', -30000), { type: 'int', value: -30000, width: 'int16' }],
  ['u', typed('uint16', 65000), { type: 'int', value: 65000, width: 'uint16' }],
  ['I', typed('int32', -2_000_000_000), { type: 'int', value: -2_000_000_000, width: 'int32' }],
  ['i', typed('uint32', 4_000_000_000), { type: 'int', value: 4_000_000_000, width: 'uint32' }],
  ['l', typed('int64', -(2 ** 40)), { type: 'int', value: -(2 ** 40), width: 'int64' }],
  ['l big', typed('int64', -(2n ** 62n)), { type: 'long', value: -(2n ** 62n) }],
  ['f', typed('float', 1.5), { type: 'float', value: 1.5, single: true }],
  ['d', typed('double', 0.1), { type: 'float', value: 0.1 }],
  ['D', typed('decimal', { places: 2, digits: 12345 }), { type: 'decimal', scale: 2, value: 12345 }],
  ['S', 'héllo', { type: 'string', value: 'héllo' }],
  ['A', ['x', true, typed('int32', 1)], { type: 'array', value: [{ type: 'string', value: 'x' }, { type: 'bool', value: true }, { type: 'int', value: 1, width: 'int32' }] }],
  ['T', typed('timestamp', 1_700_000_000), { type: 'timestamp', value: 1_700_000_000 }],
  ['T big', typed('timestamp', 2n ** 64n - 1n), { type: 'timestamp', value: 2n ** 64n - 1n }],
  ['F', { inner: 'v' }, { type: 'table', value: { inner: { type: 'string', value: 'v' } } }],
  ['V', null, { type: 'void' }],
  ['x', Buffer.from([0, 1, 0xff]), { type: 'bytes', value: Buffer.from([0, 1, 0xff]) }],
];

test('every type letter amqplib writes decodes to the matching TypedValue', () => {
  const input: Record<string, unknown> = {};
  const expected: FieldTable = {};
  for (const [k, v, want] of everyLetter) {
    input[k] = v;
    expected[k] = want;
    assert.deepEqual(decode(amqplibTable({ [k]: v })), { [k]: want }, k);
  }
  assert.deepEqual(decode(amqplibTable(input)), expected);
});

test('every type letter round-trips byte for byte: bytes → TypedValue → the same bytes', () => {
  for (const [k, v] of everyLetter) {
    const bytes = amqplibTable({ [k]: v });
    assert.equal(encodeTable(decode(bytes)).toString('hex'), bytes.toString('hex'), k);
  }
  const all = amqplibTable(Object.fromEntries(everyLetter.map(([k, v]) => [k, v])));
  assert.equal(encodeTable(decode(all)).toString('hex'), all.toString('hex'));
  // Edge values of every width and a float that is not a double's rounding.
  const edges = amqplibTable({
    b: [typed('int8', -128), typed('int8', 127)],
    B: [typed('uint8', 0), typed('uint8', 255)],
    s: [typed('int16', -32768), typed('int16', 32767)],
    u: [typed('uint16', 0), typed('uint16', 65535)],
    I: [typed('int32', -(2 ** 31)), typed('int32', 2 ** 31 - 1)],
    i: [typed('uint32', 0), typed('uint32', 2 ** 32 - 1)],
    l: [typed('int64', -(2n ** 63n)), typed('int64', 2n ** 63n - 1n), typed('int64', 0)],
    f: [typed('float', 0.1), typed('float', -3.4e38), typed('float', NaN)],
    T: [typed('timestamp', 0), typed('timestamp', 2 ** 53), typed('timestamp', 2n ** 53n + 1n)],
  });
  assert.equal(encodeTable(decode(edges)).toString('hex'), edges.toString('hex'));
});

test('every TypedValue we write decodes in amqplib to the same value', () => {
  const table: FieldTable = {
    string: { type: 'string', value: 'ü' },
    bool: { type: 'bool', value: false },
    int: { type: 'int', value: -7, width: 'int32' },
    int8: { type: 'int', value: -7, width: 'int8' },
    uint16: { type: 'int', value: 65535, width: 'uint16' },
    single: { type: 'float', value: 0.5, single: true },
    int64: { type: 'int', value: 2 ** 50, width: 'int64' },
    long: { type: 'long', value: -(2n ** 60n) },
    float: { type: 'float', value: -2.25 },
    decimal: { type: 'decimal', scale: 3, value: 4_000_000_000 },
    timestamp: { type: 'timestamp', value: 2 ** 40 },
    bytes: { type: 'bytes', value: Buffer.from('raw') },
    void: { type: 'void' },
    array: { type: 'array', value: [{ type: 'void' }, { type: 'table', value: { a: { type: 'int', value: 1, width: 'int32' } } }] },
    table: { type: 'table', value: { nested: { type: 'array', value: [] } } },
  };
  const bytes = encodeTable(table);
  assert.equal(bytes.readUInt32BE(0), bytes.length - 4);
  assert.deepEqual(codec.decodeFields(bytes.subarray(4)), tableToAmqplib(table));
  assert.deepEqual(decode(bytes), table);
});

test('golden bytes: letters and lengths as RabbitMQ writes them', () => {
  const bytes = encodeTable({ a: { type: 'int', value: 1 }, b: { type: 'long', value: 1n }, c: { type: 'string', value: 'x' }, d: { type: 'bool', value: true } });
  assert.equal(bytes.toString('hex'), '0000001e' + '0161' + '49' + '00000001' + '0162' + '6c' + '0000000000000001' + '0163' + '53' + '00000001' + '78' + '0164' + '74' + '01');
});

test('ints without a width go out as I (int32) or l; values without an exact wire form degrade; SQS numbers stay text', () => {
  assert.deepEqual(decode(encodeTable({ small: { type: 'int', value: 5 }, big: { type: 'int', value: 2 ** 40 }, over: { type: 'int', value: 300, width: 'int8' } })), {
    small: { type: 'int', value: 5, width: 'int32' },
    big: { type: 'int', value: 2 ** 40, width: 'int64' },
    over: { type: 'int', value: 300, width: 'int32' },
  });
  const t = decode(encodeTable({
    frac: { type: 'int', value: 1.5 },
    huge: { type: 'long', value: 2n ** 70n },
    dec: { type: 'decimal', scale: 2, value: -150 },
    ts: { type: 'timestamp', value: -1 },
    num: { type: 'number', value: '12.50' },
  }));
  assert.deepEqual(t, {
    frac: { type: 'float', value: 1.5 },
    huge: { type: 'float', value: 2 ** 70 },
    dec: { type: 'float', value: -1.5 },
    ts: { type: 'float', value: -1 },
    num: { type: 'string', value: '12.50' },
  });
});

test('a field named __proto__ stays an own field and never becomes the prototype', () => {
  const fromAmqplib = amqplibTable({ ['__proto__']: 'x' });
  const raw = Buffer.concat([Buffer.alloc(4), Buffer.from([9]), Buffer.from('__proto__'), Buffer.from('S'), Buffer.from([0, 0, 0, 1]), Buffer.from('x')]);
  raw.writeUInt32BE(raw.length - 4, 0);
  assert.deepEqual(fromAmqplib, raw);
  const t = decode(raw);
  assert.equal(Object.getPrototypeOf(t), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(t, '__proto__')?.value, { type: 'string', value: 'x' });
  assert.deepEqual(encodeTable(t), raw);
});

test('hostile tables: truncation, lengths past the end, unknown letters, depth and size caps', () => {
  const good = amqplibTable({ s: 'abc', n: { x: typed('int64', 5) }, a: [1, 2] });
  for (let len = 0; len < good.length; len++) {
    const cut = Buffer.from(good.subarray(0, len));
    assert.throws(() => decode(cut), (e) => isCodecError(e, 'syntax'), `cut at ${len}`);
  }
  // A nested length that reaches past its parent table is caught even if bytes follow.
  const nested = amqplibTable({ n: { x: 'v' } });
  const bad = Buffer.concat([nested, Buffer.alloc(16)]);
  bad.writeUInt32BE(bad.readUInt32BE(7) + 8, 7); // 'F' length at 4 + 1 + 1 + 1
  assert.throws(() => decode(bad), (e) => isCodecError(e, 'syntax'));
  const unknown = Buffer.from([0, 0, 0, 3, 1, 0x6b, 0x5a]);
  assert.throws(() => decode(unknown), (e) => isCodecError(e, 'syntax') && /unknown field type 0x5a/.test(e.message));

  let deep: TypedValue = { type: 'void' };
  for (let i = 0; i < 40; i++) deep = { type: i % 2 ? 'table' : 'array', value: i % 2 ? { k: deep } : [deep] } as TypedValue;
  const deepBytes = encodeTable({ k: deep });
  assert.throws(() => decode(deepBytes, { depthMax: 32, tableBytesMax: 1 << 20 }), (e) => isCodecError(e, 'syntax') && /deeper/.test(e.message));
  assert.doesNotThrow(() => decode(deepBytes, { depthMax: 41, tableBytesMax: 1 << 20 }));
  assert.throws(() => decode(good, { depthMax: 32, tableBytesMax: good.length - 5 }), (e) => isCodecError(e, 'syntax') && /exceeds/.test(e.message));
});

test('encode refuses field names longer than a shortstr', () => {
  assert.throws(() => encodeTable({ ['k'.repeat(256)]: { type: 'void' } }), { code: 'INVALID_ARGUMENT' });
});
