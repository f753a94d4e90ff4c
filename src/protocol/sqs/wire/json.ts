/**
 * AWS JSON 1.0, what @aws-sdk/client-sqs v3 (and botocore since 1.31) sends: POST with
 * `X-Amz-Target: AmazonSQS.<Action>` and a JSON object body; answers with JSON (blobs in
 * base64). Errors: `{"__type": "com.amazonaws.sqs#<Shape>", "message": ...}` and, because SQS is
 * "awsQueryCompatible", the query code in `x-amzn-query-error: <Code>;Sender|Receiver`, which
 * the SDKs use as the error's Code.
 */
import { SqsError } from '../errors.js';
import type { Input, Output } from '../actions/types.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';

export interface WireReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The action named by X-Amz-Target, or null if the header is not SQS's. */
export function jsonAction(target: string): string | null {
  return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : null;
}

export function parseJsonInput(body: Buffer): Input {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SqsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SqsError('SerializationException', 'The request body must be a JSON object.');
  return v as Input;
}

export function jsonReply(output: Output, requestId: string): WireReply {
  const body = JSON.stringify(output, (_k, v: unknown) => (isBufferJson(v) ? Buffer.from(v.data).toString('base64') : v));
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
}

export function jsonError(e: SqsError, requestId: string): WireReply {
  const k = e.kind;
  return {
    status: k.status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-query-error': `${k.code};${k.sender ? 'Sender' : 'Receiver'}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${k.type}`, message: e.message }),
  };
}

/** JSON.stringify hands a Buffer's toJSON() form to the replacer. */
function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}
