/**
 * Whole messages: request bodies in, response frames out (the broker's side), and the reverse
 * (for tests and for tools that act as a client). Frames carry their INT32 size prefix and come
 * back as chunk lists for writev, large record buffers included by reference.
 */
import {
  type ApiDef, isFlexible, type RequestInputOf, type RequestOf, requestHeaderVersion, type ResponseInputOf,
  type ResponseOf, responseHeaderVersion, supportsVersion,
} from './api-def.js';
import { compileStruct } from './compile.js';
import { readResponseHeader, type RequestHeader, skipHeaderTags, writeRequestHeader, writeResponseHeader } from './header.js';
import type { DecodeLimits } from './limits.js';
import { Reader } from './reader.js';
import { Writer, type WriterOptions } from './writer.js';

export type EncodeOptions = Pick<WriterOptions, 'initialBytes' | 'refMinBytes'>;

function checkVersion(api: ApiDef, version: number): void {
  // The framer reports unsupported versions before any body is decoded; reaching here is a bug.
  if (!supportsVersion(api, version)) throw new Error(`${api.name} v${version} is not supported`);
}

/**
 * Decodes a request body (the bytes after the header, as the framer yields them). Bytes after
 * the last field are ignored, as Kafka ignores them (librdkafka 2.0.2 sends ListGroups v4 with
 * one extra byte and OffsetFetch v7 with three); every field is still checked against the bytes
 * left. `strict` refuses them instead (tests that check an encoding byte for byte).
 */
export function decodeRequestBody<A extends ApiDef>(api: A, version: number, body: Buffer, limits?: DecodeLimits, strict = false): RequestOf<A> {
  checkVersion(api, version);
  const r = new Reader(body, 0, body.length, limits);
  const value = compileStruct(api.request, version, isFlexible(api, version)).decode(r);
  if (strict) r.expectEnd(`${api.name} v${version} request`);
  return value as RequestOf<A>;
}

/** Encodes a response frame: size, header (v0 or v1), body. */
export function encodeResponse<A extends ApiDef>(
  api: A,
  version: number,
  correlationId: number,
  body: ResponseInputOf<A>,
  opts: EncodeOptions = {},
): Buffer[] {
  checkVersion(api, version);
  const w = new Writer({ ...opts, sizePrefix: true });
  writeResponseHeader(w, correlationId, responseHeaderVersion(api, version));
  compileStruct(api.response, version, isFlexible(api, version)).encode(w, body);
  return w.finish();
}

/** Encodes a request frame: size, header (v1 or v2), body. */
export function encodeRequest<A extends ApiDef>(
  api: A,
  version: number,
  header: Pick<RequestHeader, 'correlationId' | 'clientId'>,
  body: RequestInputOf<A>,
  opts: EncodeOptions = {},
): Buffer[] {
  checkVersion(api, version);
  const w = new Writer({ ...opts, sizePrefix: true });
  writeRequestHeader(w, { apiKey: api.apiKey, apiVersion: version, ...header }, requestHeaderVersion(api, version));
  compileStruct(api.request, version, isFlexible(api, version)).encode(w, body);
  return w.finish();
}

/** Decodes a response frame (without its size prefix). */
export function decodeResponse<A extends ApiDef>(
  api: A,
  version: number,
  frame: Buffer,
  limits?: DecodeLimits,
): { correlationId: number; body: ResponseOf<A> } {
  checkVersion(api, version);
  const r = new Reader(frame, 0, frame.length, limits);
  const correlationId = readResponseHeader(r, responseHeaderVersion(api, version));
  const body = compileStruct(api.response, version, isFlexible(api, version)).decode(r);
  r.expectEnd(`${api.name} v${version} response`);
  return { correlationId, body: body as ResponseOf<A> };
}

/** Decodes a request frame (without its size prefix), header included: for tests and tools. */
export function decodeRequest<A extends ApiDef>(
  api: A,
  frame: Buffer,
  limits?: DecodeLimits,
): { header: RequestHeader; body: RequestOf<A> } {
  const r = new Reader(frame, 0, frame.length, limits);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (apiKey !== api.apiKey) throw new Error(`expected api key ${api.apiKey}, got ${apiKey}`);
  checkVersion(api, apiVersion);
  if (requestHeaderVersion(api, apiVersion) === 2) skipHeaderTags(r);
  const body = compileStruct(api.request, apiVersion, isFlexible(api, apiVersion)).decode(r);
  r.expectEnd(`${api.name} v${apiVersion} request`);
  return { header: { apiKey, apiVersion, correlationId, clientId }, body: body as RequestOf<A> };
}
