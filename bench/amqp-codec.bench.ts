/**
 * AMQP 0-9-1 codec micro-benchmarks, in messages per second. Not run in CI; run by hand:
 *   npx tsc -p . && node dist/bench/amqp-codec.bench.js
 *
 * decode: a stream of basic.publish + content header + 1 KiB body, cut into 64 KiB chunks as a
 *   socket would deliver them (so some frames straddle chunks), through FrameDecoder alone and
 *   then with the CommandAssembler.
 * encode: basic.deliver + content header + 1 KiB body into one buffer, reusing one method
 *   object as a consumer's delivery loop would.
 * amqplib's own codec runs the same work as a reference point (its frame parser and generated
 * encoders), so the figures can be read side by side.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type AmqpMethodInput,
  type BasicProperties,
  CommandAssembler,
  encodeMessage,
  FrameDecoder,
} from '../src/protocol/amqp/codec/index.js';
import { fmt, rate as rateOf } from './lib/rate.js';

const FRAME_MAX = 131072;
const CHUNK = 64 * 1024;
const MESSAGES = 1000;
const body = Buffer.alloc(1024, 0x61);
const props: BasicProperties = { contentType: 'application/json', deliveryMode: 2, messageId: 'msg-0001', timestamp: 1_700_000_000 };
const propsWithHeaders: BasicProperties = {
  ...props,
  headers: { 'x-tenant': { type: 'string', value: 'acme' }, 'x-retries': { type: 'int', value: 3 }, 'x-flag': { type: 'bool', value: true } },
};


const rate = (fn: () => void): number => rateOf(fn, 1500, 200, 4);
const rows: [string, string][] = [];
let sink = 0;

// ---------------------------------------------------------------- decode
const publish: AmqpMethodInput = { method: 'basic.publish', exchange: 'orders', routingKey: 'eu.created' };
const stream = Buffer.concat(Array.from({ length: MESSAGES }, () => encodeMessage(1, publish, props, body, FRAME_MAX)));
const chunks: Buffer[] = [];
for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));

function decodeStream(assemble: boolean): void {
  const d = new FrameDecoder({ preTuneFrameMaxBytes: FRAME_MAX });
  const a = new CommandAssembler();
  let n = 0;
  for (const c of chunks) {
    d.push(c);
    for (let f = d.next(); f !== null; f = d.next()) {
      if (!assemble) n++;
      else if (f.kind === 'method' || f.kind === 'header' || f.kind === 'body') {
        if (a.accept(f) !== null) n++;
      }
    }
  }
  sink ^= n;
}

const perStream = (r: number) => `${fmt(r * MESSAGES)} msg/s  ${fmt((r * stream.length) / 1e6)} MB/s`;
rows.push(['decode publish+header+1 KiB: FrameDecoder', perStream(rate(() => decodeStream(false)))]);
rows.push(['decode publish+header+1 KiB: FrameDecoder + CommandAssembler', perStream(rate(() => decodeStream(true)))]);

// ---------------------------------------------------------------- encode
const deliver = { method: 'basic.deliver', consumerTag: 'amq.ctag-hopper-1', deliveryTag: 0, redelivered: false, exchange: 'orders', routingKey: 'eu.created' } as Extract<
  AmqpMethodInput,
  { method: 'basic.deliver' }
>;
const encodeRate = (p: BasicProperties) =>
  rate(() => {
    for (let i = 0; i < MESSAGES; i++) {
      deliver.deliveryTag++;
      sink ^= encodeMessage(1, deliver, p, body, FRAME_MAX).length;
    }
  }) * MESSAGES;
rows.push(['encode deliver+header+1 KiB, 4 properties', `${fmt(encodeRate(props))} msg/s`]);
rows.push(['encode deliver+header+1 KiB, 4 properties + 3 headers', `${fmt(encodeRate(propsWithHeaders))} msg/s`]);

// ---------------------------------------------------------------- amqplib reference
const require = createRequire(import.meta.url);
const root = dirname(require.resolve('amqplib'));
const defs = require(join(root, 'lib/defs.js'));
const frame = require(join(root, 'lib/frame.js'));
{
  const libProps = { contentType: 'application/json', deliveryMode: 2, messageId: 'msg-0001', timestamp: 1_700_000_000 };
  const fields = { consumerTag: 'amq.ctag-hopper-1', deliveryTag: 0, redelivered: false, exchange: 'orders', routingKey: 'eu.created' };
  const r = rate(() => {
    for (let i = 0; i < MESSAGES; i++) {
      fields.deliveryTag++;
      const out = Buffer.concat([defs.encodeMethod(defs.BasicDeliver, 1, fields), defs.encodeProperties(60, 1, body.length, libProps), frame.makeBodyFrame(1, body)]);
      sink ^= out.length;
    }
  });
  rows.push(['amqplib encode deliver+header+1 KiB (reference)', `${fmt(r * MESSAGES)} msg/s`]);
  const r2 = rate(() => {
    let rest: Buffer = Buffer.alloc(0);
    let n = 0;
    for (const c of chunks) {
      rest = rest.length === 0 ? c : Buffer.concat([rest, c]);
      for (let f = frame.parseFrame(rest, FRAME_MAX); f !== false; f = frame.parseFrame(rest, FRAME_MAX)) {
        frame.decodeFrame(f);
        rest = f.rest;
        n++;
      }
    }
    sink ^= n;
  });
  rows.push(['amqplib parse+decode publish+header+1 KiB (reference)', perStream(r2)]);
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`AMQP codec micro-benchmarks (node ${process.version}, ${process.arch}), ${MESSAGES} messages per round`);
for (const [name, v] of rows) console.log(`  ${name.padEnd(width)}  ${v.padStart(32)}`);
if (sink === 0.5) console.log('');
