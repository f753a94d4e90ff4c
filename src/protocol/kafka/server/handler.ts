/**
 * The shape of one API handler: a decoded request in, a response body out (or null for no
 * response, as Produce with acks=0). Handlers live one per file in ../handlers/ and are listed
 * in ../handlers/index.ts.
 */
import type { ScramServer } from '../../../core/auth/scram.js';
import type { Session } from '../../../core/broker/session.js';
import type { ApiDef, RequestOf, ResponseInputOf } from '../codec/api-def.js';
import type { KafkaContext } from './context.js';
import type { KafkaListenerInfo } from './listener-info.js';

/** Per-connection state handlers may read or change (SASL). */
export interface ConnectionState {
  readonly id: number;
  readonly remoteAddress: string;
  /** The listener the connection came in on: its SASL setting and the address advertised to it. */
  readonly listener: KafkaListenerInfo;
  /** Set by SASL authentication; null while unauthenticated. */
  session: Session | null;
  /** The mechanism chosen by SaslHandshake, awaiting SaslAuthenticate. */
  saslMechanism: string | null;
  /** A SCRAM exchange between its first and final SaslAuthenticate round trips. */
  scram: ScramServer | null;
  /** Set by a handler whose answer must be the connection's last (a failed authentication). */
  closeAfterResponse: boolean;
}

export interface RequestContext {
  readonly kafka: KafkaContext;
  readonly conn: ConnectionState;
  readonly version: number;
  readonly clientId: string | null;
}

export type Handler<A extends ApiDef> = (
  req: RequestOf<A>,
  rc: RequestContext,
) => Promise<ResponseInputOf<A> | null> | ResponseInputOf<A> | null;

export interface HandlerEntry {
  readonly api: ApiDef;
  readonly handle: (req: unknown, rc: RequestContext) => Promise<unknown> | unknown;
  /**
   * The handler keeps no reference to the request's bytes once its promise has resolved, so
   * the connection may give a pooled request frame back for reuse (../codec/frame-pool.ts).
   */
  readonly releasesRequest: boolean;
  /**
   * The most bytes the answer can hold, where the request says (Fetch's maxBytes): reserved
   * against the connection's maxInFlightBytes while the request runs, so pipelined requests
   * cannot make the broker hold many large answers at once.
   */
  readonly responseBytes: ((req: unknown, kafka: KafkaContext) => number) | null;
}

export function defineHandler<A extends ApiDef>(
  api: A,
  handle: Handler<A>,
  opts: { releasesRequest?: boolean; responseBytes?: (req: RequestOf<A>, kafka: KafkaContext) => number } = {},
): HandlerEntry {
  return {
    api,
    handle: handle as HandlerEntry['handle'],
    releasesRequest: opts.releasesRequest ?? false,
    responseBytes: (opts.responseBytes as HandlerEntry['responseBytes']) ?? null,
  };
}
