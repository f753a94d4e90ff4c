/** CommandAssembler: content after its method, interleaved channels, 505 on anything else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AmqpCommand,
  type ChannelFrame,
  CommandAssembler,
  encodeMessage,
  encodeMethodFrame,
  FrameDecoder,
  isCodecError,
} from '../../../../src/protocol/amqp/codec/index.js';

function framesOf(...bufs: Buffer[]): ChannelFrame[] {
  const d = new FrameDecoder({ preTuneFrameMaxBytes: 131072 });
  d.push(Buffer.concat(bufs));
  const out: ChannelFrame[] = [];
  for (let f = d.next(); f !== null; f = d.next()) if (f.kind === 'method' || f.kind === 'header' || f.kind === 'body') out.push(f);
  return out;
}

const publish = (ch: number, body: Buffer, frameMax = 4096) => encodeMessage(ch, { method: 'basic.publish', routingKey: `q${ch}` }, { messageId: `m${ch}` }, body, frameMax);

test('methods without content pass straight through; content methods wait for header and body', () => {
  const a = new CommandAssembler();
  const cmds: AmqpCommand[] = [];
  const body1 = Buffer.alloc(10_000, 1);
  const body2 = Buffer.alloc(0);
  // Interleave two channels' frames: content is per channel.
  const f1 = framesOf(publish(1, body1));
  const f2 = framesOf(publish(2, body2));
  const ack = framesOf(encodeMethodFrame(3, { method: 'basic.ack', deliveryTag: 1 }));
  for (const f of [f1[0]!, f2[0]!, f1[1]!, ack[0]!, f2[1]!, ...f1.slice(2)]) {
    const c = a.accept(f);
    if (c) cmds.push(c);
  }
  assert.deepEqual(cmds.map((c) => [c.channel, c.method.method, c.content?.body.length ?? null]), [
    [3, 'basic.ack', null],
    [2, 'basic.publish', 0],
    [1, 'basic.publish', 10_000],
  ]);
  assert.deepEqual(cmds[2]!.content!.body, body1);
  assert.equal(cmds[2]!.content!.header.properties.messageId, 'm1');
});

test('a single body frame is passed through without a copy', () => {
  const a = new CommandAssembler();
  const frames = framesOf(publish(1, Buffer.alloc(100, 5)));
  let cmd: AmqpCommand | null = null;
  for (const f of frames) cmd = a.accept(f) ?? cmd;
  const body = frames[2]!;
  assert.ok(body.kind === 'body');
  assert.equal(cmd!.content!.body, body.payload);
});

test('frames out of order on a channel are UNEXPECTED_FRAME (505), overflow is FRAME_ERROR', () => {
  const [m, h, b] = framesOf(publish(1, Buffer.alloc(10, 1)));
  const [ack] = framesOf(encodeMethodFrame(1, { method: 'basic.ack', deliveryTag: 1 }));
  const sequences: [ChannelFrame[], string][] = [
    [[h!], 'unexpected-frame'],
    [[b!], 'unexpected-frame'],
    [[m!, b!], 'unexpected-frame'],
    [[m!, ack!], 'unexpected-frame'],
    [[m!, h!, ack!], 'unexpected-frame'],
    [[m!, h!, h!], 'unexpected-frame'],
    [[m!, h!, { kind: 'body', channel: 1, payload: Buffer.alloc(11) }], 'body-overflow'],
  ];
  for (const [seq, reason] of sequences) {
    const a = new CommandAssembler();
    assert.throws(() => seq.forEach((f) => a.accept(f)), (e) => isCodecError(e) && e.reason === reason && e.hard, `${seq.map((f) => f.kind)}`);
  }
  const a = new CommandAssembler();
  a.accept(m!);
  a.reset(1);
  assert.equal(a.accept(ack!)?.method.method, 'basic.ack');
});
