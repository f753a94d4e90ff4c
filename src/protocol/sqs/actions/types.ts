/** What every action gets and returns, whichever wire protocol carried the request. */
import type { SqsEndpoint } from '../endpoint.js';
import type { SqsIdentity } from '../server/authenticate.js';

export interface ActionContext {
  readonly endpoint: SqsEndpoint;
  readonly identity: SqsIdentity;
  /** The request's Host header (queue URLs are built from it). */
  readonly host: string;
  /** The HTTP request ended (client gone): a long poll may stop waiting. */
  readonly signal: AbortSignal;
}

/**
 * Input and output in the JSON protocol's shape (member names as in the SQS API reference;
 * blobs as Buffers; numbers as numbers or, from the query protocol, decimal strings).
 */
export type Input = Readonly<Record<string, unknown>>;
export type Output = Record<string, unknown>;

export type Action = (ctx: ActionContext, input: Input) => Promise<Output>;
