/** Deterministic sample values for every method, shared by the golden, fuzz and bench code. */
import type { TypedValue } from '../../../../src/core/message.js';
import type { AmqpMethod } from '../../../../src/protocol/amqp/codec/index.js';
import type { MethodDescriptor } from '../../../../src/protocol/amqp/codec/methods/types.js';

/** Strings, bools and nested tables only: amqplib encodes those with the same letters we do. */
export const sampleTable: Record<string, TypedValue> = {
  product: { type: 'string', value: 'Hopper ü' },
  durable: { type: 'bool', value: true },
  capabilities: {
    type: 'table',
    value: { publisher_confirms: { type: 'bool', value: true }, 'consumer_cancel_notify': { type: 'bool', value: false } },
  },
  list: { type: 'array', value: [{ type: 'string', value: 'a' }, { type: 'table', value: {} }] },
};

export type BitPattern = 'alternate' | 'all-true' | 'all-false';

/** Field values that differ from the spec defaults, so a dropped field cannot go unnoticed. */
export function sampleArgs(d: MethodDescriptor, bits: BitPattern = 'alternate'): AmqpMethod {
  const out: Record<string, unknown> = { method: d.name };
  let bitIndex = 0;
  d.fields.forEach((f, i) => {
    switch (f.type) {
      case 'octet':
        out[f.name] = 7 + i;
        break;
      case 'short':
        out[f.name] = 300 + i;
        break;
      case 'long':
        out[f.name] = 70_000 + i;
        break;
      case 'longlong':
      case 'timestamp':
        out[f.name] = 2 ** 40 + i;
        break;
      case 'shortstr':
        out[f.name] = `${f.name}-value`;
        break;
      case 'longstr':
        out[f.name] = Buffer.from(`\0${f.name}\0\xffbytes`, 'latin1');
        break;
      case 'bit':
        out[f.name] = bits === 'all-true' ? true : bits === 'all-false' ? false : bitIndex % 2 === 0;
        bitIndex++;
        break;
      case 'table':
        out[f.name] = sampleTable;
        break;
    }
  });
  return out as AmqpMethod;
}

const typed = (type: string, value: unknown) => ({ '!': type, value });

/** amqplib input with an explicit letter per key: every type RabbitMQ's tables use. */
export const everyLetterInput: Record<string, unknown> = {
  t: true,
  b: typed('int8', -5),
  B: typed('uint8', 250),
  s: typed('int16', -30000),
  u: typed('uint16', 65000),
  I: typed('int32', -2_000_000_000),
  i: typed('uint32', 4_000_000_000),
  l: typed('int64', -(2 ** 40)),
  f: typed('float', 1.5),
  d: typed('double', 0.1),
  D: typed('decimal', { places: 2, digits: 12345 }),
  S: 'héllo',
  A: ['x', true, typed('int32', 1)],
  T: typed('timestamp', 1_700_000_000),
  F: { inner: 'v' },
  V: null,
  x: Buffer.from([0, 1, 0xff]),
};
