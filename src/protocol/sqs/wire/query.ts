/**
 * The query protocol, what awscli v1/v2 before the JSON switch (Debian's 2.9) and boto3 1.26
 * send: form-encoded parameters (POST body or query string) with `Action=<Action>`; answers in
 * XML in the 2012-11-05 namespace, `<ActionResponse><ActionResult>…` plus ResponseMetadata;
 * errors as `<ErrorResponse><Error><Type/><Code/><Message/>…`.
 *
 * Parameters are turned into the JSON protocol's input shape (botocore's sqs query model gives
 * the names: flattened lists and maps named by their members' locationName):
 *
 *   AttributeName.N                            AttributeNames[N-1]
 *   Attribute.N.Name / .Value                  Attributes{Name: Value}
 *   Tag.N.Key / .Value                         Tags (and CreateQueue's tags)
 *   MessageAttribute.N.Name / .Value.DataType|StringValue|BinaryValue   MessageAttributes
 *   <Action>RequestEntry.N.<member>            Entries[N-1]
 */
import { SqsError } from '../errors.js';
import type { Input, Output } from '../actions/types.js';
import type { WireReply } from './json.js';
import { element, escapeXml } from './xml.js';

export const XML_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';
/** Most parameters one request may carry (10 entries × 10 attributes × 4 fields is far below). */
export const QUERY_PARAMS_MAX = 2000;

const LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  TagKey: 'TagKeys',
  AWSAccountId: 'AWSAccountIds',
  ActionName: 'Actions',
};
const MAPS: Record<string, [string, string, string]> = {
  Attribute: ['Attributes', 'Name', 'Value'],
  Tag: ['Tags', 'Key', 'Value'],
};
const ATTRIBUTE_MAPS: Record<string, string> = { MessageAttribute: 'MessageAttributes', MessageSystemAttribute: 'MessageSystemAttributes' };
const ENTRY_LISTS = new Set(['SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry', 'ChangeMessageVisibilityBatchRequestEntry']);

export function parseForm(text: string): Map<string, string> {
  const params = new URLSearchParams(text);
  const out = new Map<string, string>();
  let n = 0;
  for (const [k, v] of params) {
    if (++n > QUERY_PARAMS_MAX) throw new SqsError('MalformedQueryString', `More than ${QUERY_PARAMS_MAX} parameters.`);
    out.set(k, v);
  }
  return out;
}

/** Parameters (without Action and Version) → input in the JSON shape. */
export function queryInput(params: ReadonlyMap<string, string>): Input {
  return build(params, '');
}

function build(params: ReadonlyMap<string, string>, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const groups = new Map<string, Map<number, Map<string, string>>>();
  for (const [full, v] of params) {
    if (!full.startsWith(prefix)) continue;
    const k = full.slice(prefix.length);
    const dot = k.indexOf('.');
    if (dot < 0) {
      if (prefix === '' && (k === 'Action' || k === 'Version')) continue;
      out[k] = v;
      continue;
    }
    const head = k.slice(0, dot);
    const rest = k.slice(dot + 1);
    const dot2 = rest.indexOf('.');
    const idxText = dot2 < 0 ? rest : rest.slice(0, dot2);
    if (!/^[1-9]\d{0,3}$/.test(idxText)) continue;
    let g = groups.get(head);
    if (g === undefined) groups.set(head, (g = new Map()));
    let item = g.get(Number(idxText));
    if (item === undefined) g.set(Number(idxText), (item = new Map()));
    item.set(dot2 < 0 ? '' : rest.slice(dot2 + 1), v);
  }
  for (const [head, g] of groups) {
    const items = [...g.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    const list = LISTS[head];
    if (list !== undefined) {
      out[list] = items.map((m) => m.get('') ?? '');
      continue;
    }
    const map = MAPS[head];
    if (map !== undefined) {
      const [name, key, value] = map;
      const o: Record<string, string> = {};
      for (const m of items) {
        const kk = m.get(key);
        if (kk !== undefined) o[kk] = m.get(value) ?? '';
      }
      out[name] = o;
      continue;
    }
    const attrs = ATTRIBUTE_MAPS[head];
    if (attrs !== undefined) {
      const o: Record<string, unknown> = {};
      for (const m of items) {
        const name = m.get('Name');
        if (name === undefined) continue;
        const a: Record<string, unknown> = {};
        const t = m.get('Value.DataType');
        if (t !== undefined) a['DataType'] = t;
        const s = m.get('Value.StringValue');
        if (s !== undefined) a['StringValue'] = s;
        const b = m.get('Value.BinaryValue');
        if (b !== undefined) a['BinaryValue'] = Buffer.from(b, 'base64');
        o[name] = a;
      }
      out[attrs] = o;
      continue;
    }
    if (ENTRY_LISTS.has(head)) {
      out['Entries'] = items.map((m) => build(new Map([...m].map(([k, v]) => [k, v])), ''));
    }
  }
  return out;
}

const LIST_ELEMENTS: Record<string, string> = { QueueUrls: 'QueueUrl', queueUrls: 'QueueUrl', Messages: 'Message', Failed: 'BatchResultErrorEntry' };
const MAP_ELEMENTS: Record<string, [string, string, string]> = {
  Attributes: ['Attribute', 'Name', 'Value'],
  Tags: ['Tag', 'Key', 'Value'],
  MessageAttributes: ['MessageAttribute', 'Name', 'Value'],
};

export function queryReply(action: string, output: Output, requestId: string): WireReply {
  const result = fields(output, action);
  const meta = element('ResponseMetadata', element('RequestId', requestId));
  const inner = (result === '' && isEmptyResult(action) ? '' : element(`${action}Result`, result)) + meta;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: `<?xml version="1.0"?><${action}Response xmlns="${XML_NS}">${inner}</${action}Response>` };
}

/** Actions whose response has no Result element (their output shape is empty). */
function isEmptyResult(action: string): boolean {
  return ['DeleteQueue', 'SetQueueAttributes', 'PurgeQueue', 'DeleteMessage', 'ChangeMessageVisibility', 'TagQueue', 'UntagQueue', 'AddPermission', 'RemovePermission'].includes(action);
}

function fields(o: Record<string, unknown>, action: string): string {
  let s = '';
  for (const [k, v] of Object.entries(o)) s += field(k, v, action);
  return s;
}

function field(k: string, v: unknown, action: string): string {
  if (v === undefined || v === null) return '';
  if (Buffer.isBuffer(v)) return element(k, v.toString('base64'));
  if (Array.isArray(v)) {
    const name = k === 'Successful' ? `${action}ResultEntry` : (LIST_ELEMENTS[k] ?? k);
    return v.map((x) => (x !== null && typeof x === 'object' ? element(name, fields(x as Record<string, unknown>, action)) : element(name, escapeXml(String(x))))).join('');
  }
  if (typeof v === 'object') {
    const m = MAP_ELEMENTS[k];
    if (m === undefined) return element(k, fields(v as Record<string, unknown>, action));
    const [entry, key, value] = m;
    let s = '';
    for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
      const inner = mv !== null && typeof mv === 'object' && !Buffer.isBuffer(mv) ? fields(mv as Record<string, unknown>, action) : escapeXml(String(mv));
      s += element(entry, element(key, escapeXml(mk)) + element(value, inner));
    }
    return s;
  }
  return element(k, escapeXml(String(v)));
}

export function queryError(e: SqsError, requestId: string): WireReply {
  const k = e.kind;
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${XML_NS}">` +
    element('Error', element('Type', k.sender ? 'Sender' : 'Receiver') + element('Code', escapeXml(k.code)) + element('Message', escapeXml(e.message)) + '<Detail/>') +
    element('RequestId', requestId) +
    '</ErrorResponse>';
  return { status: k.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}
