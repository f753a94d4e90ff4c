/**
 * Incremental, sans-IO framing of Kafka requests: feed it socket chunks split anywhere, get
 * back whole requests with their header parsed and their body as a Buffer.
 *
 *   frame = size INT32 | request header | body       (size counts header and body)
 *
 * The size is checked against maxRequestBytes (socket.request.max.bytes in Kafka, 100 MiB by
 * default) as soon as its 4 bytes are in, before anything of the frame is kept, and against
 * maxBytesForApi once its API key is (two bytes later: SASL requests, and every request before
 * authentication, have a much smaller cap, as in Kafka). A frame that arrived inside one chunk
 * is a view of that chunk (no copy); one that spans chunks is copied once, into memory from the
 * FramePool when one is given (the frame is then `pooled`, and its owner may give it back).
 * Views keep their chunk alive while referenced. A frame's memory is allocated only once
 * ASSEMBLE_AFTER_BYTES of it (or all of it) have arrived, so a peer that announces 100 MiB and
 * sends nothing costs nothing; from then on each chunk is copied in as it arrives and dropped,
 * so a large frame never holds its socket chunks (many small allocations, which the allocator
 * does not give back to the system when a peer disconnects half-way) and its memory is one
 * allocation, freed whole.
 *
 * Each request is classified against the registry, so the handler can answer distinctly:
 * 'request' (decode the body with decodeRequestBody); 'unsupported_version' of ApiVersions
 * (answer with encodeApiVersionsFallback, so the client retries with an older version);
 * 'unknown_api' or 'unsupported_version' of any other API (no layout exists to answer in:
 * Kafka closes the connection, and so should the handler). A bad size or header is a KafkaCodecError after which
 * the connection must be closed: push throws it, unless the same chunk completed valid requests
 * before it, which are returned first; then `error` is set and the next push throws.
 */
import type { ApiDef } from './api-def.js';
import { requestHeaderVersion, supportsVersion } from './api-def.js';
import { KafkaCodecError } from './errors.js';
import { MIN_REQUEST_HEADER_BYTES, skipHeaderTags } from './header.js';
import type { FramePool } from './frame-pool.js';
import { freeNow } from './free-now.js';
import { Reader } from './reader.js';
import { type ApiRegistry, kafkaApis } from '../api/registry.js';

export const DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;

/** Bytes of a frame held as socket chunks before its own memory is allocated and they are copied in. */
export const ASSEMBLE_AFTER_BYTES = 1024 * 1024;

export interface FramerOptions {
  /** Largest frame accepted (size prefix value). */
  maxRequestBytes?: number;
  /** Largest frame accepted for an API key, checked once the key has arrived (within maxRequestBytes). */
  maxBytesForApi?: (apiKey: number) => number;
  registry?: ApiRegistry;
  /** Where frames that span chunks are assembled; without it each gets a new allocation. */
  pool?: FramePool;
}

interface FrameHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** The bytes after the header (after its tagged fields when the header is v2). */
  readonly body: Buffer;
  /** The frame's memory came from the FramePool: release body once nothing refers to it. */
  readonly pooled: boolean;
}

export type Frame =
  | (FrameHeader & { readonly kind: 'request'; readonly api: ApiDef })
  | (FrameHeader & { readonly kind: 'unsupported_version'; readonly api: ApiDef })
  | (FrameHeader & { readonly kind: 'unknown_api' });

export class RequestFramer {
  private readonly maxRequestBytes: number;
  private readonly registry: ApiRegistry;
  private readonly pool: FramePool | null;
  private readonly chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private head = 0;
  private buffered = 0;
  /** Size of the frame being gathered, or -1 while its size prefix is still incomplete. */
  private need = -1;
  /** The frame being gathered has passed maxBytesForApi. */
  private keyChecked = false;
  /** The frame being gathered, once ASSEMBLE_AFTER_BYTES of it are in: filled up to `filled`. */
  private partial: Buffer | null = null;
  private partialPooled = false;
  private filled = 0;
  private failure: KafkaCodecError | null = null;
  private readonly maxBytesForApi: ((apiKey: number) => number) | null;

  constructor(opts: FramerOptions = {}) {
    this.maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.maxBytesForApi = opts.maxBytesForApi ?? null;
    this.registry = opts.registry ?? kafkaApis;
    this.pool = opts.pool ?? null;
  }

  /** The error that stopped this framer, if any; once set, every push throws it. */
  get error(): KafkaCodecError | null {
    return this.failure;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered + this.filled;
  }

  /** Adds a chunk; returns every request it completed, in order. */
  push(chunk: Buffer): Frame[] {
    if (this.failure) throw this.failure;
    const out: Frame[] = [];
    try {
      let rest = chunk;
      if (this.partial !== null) {
        // A frame under assembly: copy straight in, keep nothing of the chunk.
        const n = Math.min(rest.length, this.need - this.filled);
        rest.copy(this.partial, this.filled, 0, n);
        this.filled += n;
        rest = rest.subarray(n);
        if (this.filled < this.need) return out;
        const frame = this.partial;
        const pooled = this.partialPooled;
        this.partial = null;
        this.filled = 0;
        this.need = -1;
        out.push(this.classify(frame, pooled));
      }
      if (rest.length > 0) {
        this.chunks.push(rest);
        this.buffered += rest.length;
      }
      for (;;) {
        if (this.need < 0) {
          if (this.buffered < 4) break;
          const size = this.take(4, false).readInt32BE(0);
          if (size < MIN_REQUEST_HEADER_BYTES || size > this.maxRequestBytes) {
            throw new KafkaCodecError('bad_frame_size', `request size ${size} is outside [${MIN_REQUEST_HEADER_BYTES}, ${this.maxRequestBytes}]`);
          }
          this.need = size;
          this.keyChecked = this.maxBytesForApi === null;
        }
        if (!this.keyChecked) {
          if (this.buffered < 2) break;
          const apiKey = ((this.peek(0) << 8) | this.peek(1)) << 16 >> 16;
          const max = this.maxBytesForApi!(apiKey);
          if (this.need > max) throw new KafkaCodecError('bad_frame_size', `request size ${this.need} is over ${max} for api ${apiKey}`);
          this.keyChecked = true;
        }
        if (this.buffered < this.need) {
          if (this.buffered >= ASSEMBLE_AFTER_BYTES) this.startAssembly();
          break;
        }
        const pooled = this.pool !== null && !this.inFirstChunk(this.need) && this.pool.pools(this.need);
        const frame = this.take(this.need, pooled);
        this.need = -1;
        out.push(this.classify(frame, pooled));
      }
    } catch (e) {
      if (!(e instanceof KafkaCodecError)) throw e;
      this.failure = e;
      // The requests before the bad frame are whole and valid: hand them over first (as Kafka
      // would serve them); the error is thrown by the next push, or now if there are none.
      if (out.length === 0) throw e;
    }
    return out;
  }

  /**
   * The connection is gone: drops what was buffered and gives the memory of a frame under
   * assembly back at once (to the pool, or to the system), so a peer that disconnects half-way
   * through a large request leaves nothing behind.
   */
  discard(): void {
    const frame = this.partial;
    this.partial = null;
    this.filled = 0;
    this.chunks.length = 0;
    this.head = 0;
    this.buffered = 0;
    this.need = -1;
    if (frame === null) return;
    if (this.partialPooled) this.pool!.release(frame);
    else freeNow(frame);
  }

  /** Byte i of what is buffered, without consuming it (i < buffered). */
  private peek(i: number): number {
    let at = this.head + i;
    for (const c of this.chunks) {
      if (at < c.length) return c[at]!;
      at -= c.length;
    }
    throw new Error('peek past the buffered bytes');
  }

  /** Gives the incomplete frame its memory and moves every buffered byte (all of it this frame's) there. */
  private startAssembly(): void {
    const pooled = this.pool !== null && this.pool.pools(this.need);
    const frame = pooled ? this.pool!.take(this.need) : Buffer.allocUnsafeSlow(this.need);
    const n = this.buffered;
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const m = c.length - this.head;
      c.copy(frame, filled, this.head);
      filled += m;
      this.dropFirst();
    }
    this.buffered = 0;
    this.partial = frame;
    this.partialPooled = pooled;
    this.filled = filled;
  }

  private inFirstChunk(n: number): boolean {
    return this.chunks[0]!.length - this.head >= n;
  }

  /** Removes n buffered bytes (n <= buffered): a view when they lie in one chunk, else a copy. */
  private take(n: number, pooled: boolean): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (this.inFirstChunk(n)) {
      out = first.subarray(this.head, this.head + n);
      this.head += n;
    } else {
      out = pooled ? this.pool!.take(n) : Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const m = Math.min(n - filled, c.length - this.head);
        c.copy(out, filled, this.head, this.head + m);
        filled += m;
        this.head += m;
        if (this.head === c.length) this.dropFirst();
      }
    }
    if (this.chunks.length > 0 && this.head === this.chunks[0]!.length) this.dropFirst();
    this.buffered -= n;
    return out;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.head = 0;
  }

  private classify(frame: Buffer, pooled: boolean): Frame {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString();
    const api = this.registry.get(apiKey);
    if (!api) return { kind: 'unknown_api', apiKey, apiVersion, correlationId, clientId, body: frame.subarray(r.pos), pooled };
    if (!supportsVersion(api, apiVersion)) {
      return { kind: 'unsupported_version', api, apiKey, apiVersion, correlationId, clientId, body: frame.subarray(r.pos), pooled };
    }
    if (requestHeaderVersion(api, apiVersion) === 2) skipHeaderTags(r);
    return { kind: 'request', api, apiKey, apiVersion, correlationId, clientId, body: frame.subarray(r.pos), pooled };
  }
}
