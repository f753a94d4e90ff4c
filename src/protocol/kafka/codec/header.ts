/**
 * Request and response headers (protocol guide, "Headers").
 *
 *   request v1:  api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING
 *   request v2:  v1 + TAG_BUFFER (client_id stays a non-compact string, for compatibility)
 *   response v0: correlation_id INT32
 *   response v1: v0 + TAG_BUFFER
 *
 * Request header v0 (no client_id) only ever served ControlledShutdown v0, which Hopper does not.
 */
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** api_key, api_version, correlation_id and client_id's length: the fewest bytes of any header. */
export const MIN_REQUEST_HEADER_BYTES = 10;

export function writeRequestHeader(w: Writer, h: RequestHeader, headerVersion: 1 | 2): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  w.nullableString(h.clientId);
  if (headerVersion === 2) w.unsignedVarint(0);
}

/** Skips a header's tagged fields: no request header tag is defined yet. */
export function skipHeaderTags(r: Reader): void {
  r.taggedFields(() => false);
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: 0 | 1): void {
  w.int32(correlationId);
  if (headerVersion === 1) w.unsignedVarint(0);
}

export function readResponseHeader(r: Reader, headerVersion: 0 | 1): number {
  const correlationId = r.int32();
  if (headerVersion === 1) r.taggedFields(() => false);
  return correlationId;
}
