/** The SQS listener's settings (docs/configuration.md, `sqs.*`). */
import type { Authenticator } from './authenticate.js';

export interface SqsListenerOptions {
  host: string;
  /** 0: an ephemeral port. */
  port: number;
  /** Largest request body: SQS's 1 MiB payload plus room for the encoding (base64, form escapes, JSON). */
  maxRequestBytes: number;
  /** Most request headers (AWS requests carry about a dozen). */
  maxHeaders: number;
  /** Largest header section (node's maxHeaderSize). */
  maxHeaderBytes: number;
  /** From accept to the end of the headers; a slower client is closed. */
  headersTimeoutMs: number;
  /** To receive the whole request (headers and body); a slower client gets 408 and is closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  idleTimeoutMs: number;
  /** Open connections at most; further ones are closed at once (0: no limit). */
  maxConnections: number;
  /** Checks each request's signature and says who sent it (authenticate.ts). */
  authenticate: Authenticator;
}

export const defaultSqsLimits = {
  maxRequestBytes: 1_048_576 + 512 * 1024,
  maxHeaders: 100,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxConnections: 10_000,
} as const;
