/**
 * Incremental, sans-IO framing of Kafka requests: feed it socket chunks split anywhere, get
 * back whole requests with their header parsed and their body as a Buffer.
 *
 *   frame = size INT32 | request header | body       (size counts header and body)
 *
 * The size is checked against maxRequestBytes (socket.request.max.bytes in Kafka, 100 MiB by
 * default) as soon as its 4 bytes are in, before anything of the frame is kept, and a frame is
 * assembled only once all of its bytes have arrived, so a peer that announces 100 MiB and sends
 * nothing costs nothing. A frame that arrived inside one chunk is a view of that chunk (no copy);
 * one that spans chunks is copied once, into memory from the FramePool when one is given (the
 * frame is then `pooled`, and its owner may give it back). Views keep their chunk alive while
 * referenced.
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
import { Reader } from './reader.js';
import { type ApiRegistry, kafkaApis } from '../api/registry.js';

export const DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export interface FramerOptions {
  /** Largest frame accepted (size prefix value). */
  maxRequestBytes?: number;
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
  private failure: KafkaCodecError | null = null;

  constructor(opts: FramerOptions = {}) {
    this.maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.registry = opts.registry ?? kafkaApis;
    this.pool = opts.pool ?? null;
  }

  /** The error that stopped this framer, if any; once set, every push throws it. */
  get error(): KafkaCodecError | null {
    return this.failure;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk; returns every request it completed, in order. */
  push(chunk: Buffer): Frame[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: Frame[] = [];
    try {
      for (;;) {
        if (this.need < 0) {
          if (this.buffered < 4) break;
          const size = this.take(4, false).readInt32BE(0);
          if (size < MIN_REQUEST_HEADER_BYTES || size > this.maxRequestBytes) {
            throw new KafkaCodecError('bad_frame_size', `request size ${size} is outside [${MIN_REQUEST_HEADER_BYTES}, ${this.maxRequestBytes}]`);
          }
          this.need = size;
        }
        if (this.buffered < this.need) break;
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
