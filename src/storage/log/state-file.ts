/**
 * What the segment state files (.txnindex, .snapshot) share: the envelope of StateFileHeader
 * and a trailing CRC-32C (layout.ts), whole-file atomic writes, and reads where a missing file
 * is an answer, not an error. The files are hints: one that is missing, fails its CRC or does
 * not fit its segment is rebuilt from the .log (segment-replay.ts).
 */
import { readInt64, writeInt64 } from '../codec/batch-layout.js';
import { crc32c } from '../codec/crc32c.js';
import type { StorageFs } from '../fs/types.js';
import { STATE_FILE_CRC_BYTES, StateFileHeader, type SegmentFileKind } from './layout.js';
import type { Segment } from './segment.js';

/**
 * A zeroed state file with version and offset set: `contentBytes` (the kind's header, envelope
 * included, and its entries) and room for the CRC after them.
 */
export function newStateFile(version: number, offset: number, contentBytes: number): Buffer {
  const out = Buffer.alloc(contentBytes + STATE_FILE_CRC_BYTES);
  out.writeUInt16BE(version, StateFileHeader.version);
  writeInt64(out, StateFileHeader.offset, offset);
  return out;
}

/** Writes the CRC over everything before it; returns `file`. */
export function sealStateFile(file: Buffer): Buffer {
  const body = file.length - STATE_FILE_CRC_BYTES;
  file.writeUInt32BE(crc32c(file, 0, body), body);
  return file;
}

/**
 * The offset a state file is as of, or null unless it has room for `headerBytes` (the kind's
 * whole header, envelope included), its CRC matches and its version is `version`. The caller
 * checks its own sizes and entries against the bytes before the CRC (`bodyEnd`).
 */
export function openStateFile(bytes: Buffer, version: number, headerBytes: number): { offset: number; bodyEnd: number } | null {
  if (bytes.length < headerBytes + STATE_FILE_CRC_BYTES) return null;
  const bodyEnd = bytes.length - STATE_FILE_CRC_BYTES;
  if (crc32c(bytes, 0, bodyEnd) !== bytes.readUInt32BE(bodyEnd)) return null;
  if (bytes.readUInt16BE(StateFileHeader.version) !== version) return null;
  const offset = readInt64(bytes, StateFileHeader.offset);
  return offsetLike(offset) ? { offset, bodyEnd } : null;
}

/** Offsets and producer ids in state files: non-negative and exact as a JS number. */
export const offsetLike = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** The file's bytes, or null when it does not exist. */
export async function readIfPresent(fs: StorageFs, path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function readSegmentFile(fs: StorageFs, seg: Segment, kind: SegmentFileKind): Promise<Buffer | null> {
  return readIfPresent(fs, seg.path(kind));
}

export function writeSegmentFile(fs: StorageFs, seg: Segment, kind: SegmentFileKind, bytes: Buffer): Promise<void> {
  return fs.writeFileAtomic(seg.path(kind), bytes);
}
