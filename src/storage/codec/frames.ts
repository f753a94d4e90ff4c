/**
 * Skippable frames: LZ4 and zstd share this frame format (magic 0x184D2A50–0x184D2A5F, a
 * 4-byte little-endian length, then that many bytes to ignore), so both decoders walk past
 * them the same way.
 */

/** True when the 4 bytes at `at` are a skippable-frame magic. */
export function isSkippableFrame(src: Buffer, at: number): boolean {
  return (src.readUInt32LE(at) & 0xfffffff0) === 0x184d2a50;
}

/** The offset after the skippable frame at `at`; throws via `fail` if it runs past the payload. */
export function skipSkippableFrame(src: Buffer, at: number, fail: (message: string) => never): number {
  if (at + 8 > src.length) fail('truncated skippable frame');
  const end = at + 8 + src.readUInt32LE(at + 4);
  if (end > src.length) fail('skippable frame runs past the payload');
  return end;
}
