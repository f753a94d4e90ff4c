/**
 * Mutations of recorded sessions for endpoint fuzzing. A session is cut into frames (by the
 * protocol's own framing), then changed at the frame level (dropped, repeated, swapped) and the
 * byte level (flipped bits, rewritten or nudged lengths, inserted bytes, truncation), and sent
 * in randomly sized pieces, so both the framers and the handlers behind them see hostile input.
 */
import fc from 'fast-check';

export const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff) }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0xff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff) }),
  fc.record({ kind: fc.constant('nudge' as const), at: fc.nat(), delta: fc.integer({ min: -9, max: 9 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
export type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer M> ? M : never;

export const frameMutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 5 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), changes: fc.array(byteMutation, { minLength: 1, maxLength: 3 }) }),
);
export type FrameMutation = typeof frameMutation extends fc.Arbitrary<infer M> ? M : never;

export function mutateBytes(src: Buffer, ms: readonly ByteMutation[]): Buffer {
  let buf = Buffer.from(src);
  for (const m of ms) {
    const at = buf.length === 0 ? 0 : m.at % buf.length;
    if (m.kind === 'flip' && buf.length > 0) buf[at] = buf[at]! ^ m.bits;
    else if (m.kind === 'set' && buf.length > 0) buf[at] = m.value;
    else if (m.kind === 'u32' && at + 4 <= buf.length) buf.writeUInt32BE(m.value >>> 0, at);
    else if (m.kind === 'nudge' && buf.length > 0) buf[at] = (buf[at]! + m.delta) & 0xff;
    else if (m.kind === 'insert') buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
    else if (m.kind === 'truncate') buf = buf.subarray(0, at);
  }
  return buf;
}

/** Applies frame-level mutations; `keep` frames at the start (e.g. a handshake) stay intact. */
export function mutateFrames(frames: readonly Buffer[], ms: readonly FrameMutation[], keep = 0): Buffer[] {
  const out = [...frames];
  for (const m of ms) {
    const n = out.length - keep;
    if (n <= 0) break;
    const at = keep + (m.at % n);
    if (m.kind === 'drop') out.splice(at, 1);
    else if (m.kind === 'repeat') out.splice(at, 0, ...Array<Buffer>(m.times - 1).fill(out[at]!));
    else if (m.kind === 'swap') {
      const other = keep + (m.with % n);
      [out[at], out[other]] = [out[other]!, out[at]!];
    } else out[at] = mutateBytes(out[at]!, m.changes);
  }
  return out;
}

/** Cuts `buf` at the given points (taken modulo its length). */
export function splitAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out.filter((b) => b.length > 0);
}

/** How many cases a fuzz test runs: HOPPER_FUZZ_RUNS overrides the suite's default. */
export function fuzzRuns(defaultRuns: number): number {
  const n = Number(process.env['HOPPER_FUZZ_RUNS']);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}
