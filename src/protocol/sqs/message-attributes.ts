/**
 * SQS message attributes: validation as AWS does it, and their mapping onto the core message's
 * typed attributes (docs/sqs.md, "One queue, every protocol"):
 *
 *   String[.x]  ↔ string        Number[.x] ↔ number (its decimal text)    Binary[.x] ↔ bytes
 *
 * A custom type suffix (`Number.int`, `Binary.png`) is kept in the plain header
 * `hopper.sqs.types` (name=type lines), present only when some attribute has one. Outbound, the
 * attributes of messages from other protocols are shown as SQS would carry them: AMQP integers,
 * floats and decimals as Number, booleans as String, timestamps as Number (seconds); tables,
 * arrays and void values (and RabbitMQ's death records) have no SQS form and are left out.
 */
import type { Header, Message, TypedValue } from '../../core/message.js';
import { invalidValue, SqsError } from './errors.js';

export interface SqsAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export const MAX_MESSAGE_ATTRIBUTES = 10;
export const TYPES_HEADER = 'hopper.sqs.types';
const NAME_RE = /^[A-Za-z0-9_.-]{1,256}$/;
const TYPE_RE = /^(String|Number|Binary)(\.[\x21-\x7e]+)?$/;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Characters SQS accepts in bodies and string values (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF). */
const BAD_CHARS_RE = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const SKIPPED_OUT = /^x-(death|first-death-|last-death-|delivery-count)/;

export function hasInvalidCharacters(s: string): boolean {
  return BAD_CHARS_RE.test(s);
}

/** Checks names, types and values as AWS does; returns the bytes they count toward the message size. */
export function validateAttributes(attrs: Readonly<Record<string, SqsAttributeValue>>, what: 'message' | 'system'): number {
  const names = Object.keys(attrs);
  if (what === 'message' && names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw new SqsError('InvalidParameterValue', `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  let size = 0;
  for (const name of names) {
    const a = attrs[name]!;
    if (what === 'system') {
      if (name !== 'AWSTraceHeader') throw new SqsError('InvalidParameterValue', `Message system attribute name '${name}' is invalid.`);
      if (a.DataType !== 'String' || a.StringValue === undefined) throw new SqsError('InvalidParameterValue', `Message system attribute '${name}' must be of type 'String'.`);
    } else if (!NAME_RE.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
      throw new SqsError('InvalidParameterValue', `Message (user) attribute name '${name}' is invalid.`);
    }
    const type = a.DataType;
    if (typeof type !== 'string' || type === '') throw new SqsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute type.`);
    const m = TYPE_RE.exec(type);
    if (m === null || type.length > 256) throw new SqsError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    const base = m[1]!;
    if (base === 'Binary') {
      if (a.BinaryValue === undefined || a.BinaryValue.length === 0) throw new SqsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
      if (a.StringValue !== undefined) throw new SqsError('InvalidParameterValue', `Message (user) attribute '${name}' must have exactly one value.`);
      size += a.BinaryValue.length;
    } else {
      const v = a.StringValue;
      if (v === undefined || v === '') throw new SqsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
      if (a.BinaryValue !== undefined) throw new SqsError('InvalidParameterValue', `Message (user) attribute '${name}' must have exactly one value.`);
      if (hasInvalidCharacters(v)) throw new SqsError('InvalidParameterValue', `Message (user) attribute '${name}' contains invalid characters.`);
      if (base === 'Number' && !validNumber(v)) throw invalidValue(`MessageAttributes.${name}`, v, `Can't parse value as number.`);
      size += Buffer.byteLength(v, 'utf8');
    }
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(type, 'utf8');
  }
  return size;
}

/** AWS: up to 38 significant digits, between 10^-128 and 10^+126. */
function validNumber(v: string): boolean {
  if (!NUMBER_RE.test(v.trim())) return false;
  const digits = v.replace(/[eE].*$/, '').replace(/[^0-9]/g, '').replace(/^0+/, '');
  if (digits.replace(/0+$/, '').length > 38) return false;
  const n = Number(v);
  return Number.isFinite(n) && Math.abs(n) < 1e126;
}

/** Message attributes → the core message's typed attributes and, if custom types are used, the types header. */
export function attributesToCore(attrs: Readonly<Record<string, SqsAttributeValue>>): { attributes: Record<string, TypedValue>; typesHeader: Header | null } {
  const out: Record<string, TypedValue> = {};
  let custom = '';
  for (const [name, a] of Object.entries(attrs)) {
    const dot = a.DataType.indexOf('.');
    const base = dot < 0 ? a.DataType : a.DataType.slice(0, dot);
    if (dot >= 0) custom += `${name}=${a.DataType}\n`;
    if (base === 'Binary') out[name] = { type: 'bytes', value: a.BinaryValue! };
    else if (base === 'Number') out[name] = { type: 'number', value: a.StringValue! };
    else out[name] = { type: 'string', value: a.StringValue! };
  }
  return { attributes: out, typesHeader: custom === '' ? null : { key: TYPES_HEADER, value: Buffer.from(custom, 'utf8') } };
}

/** The SQS view of a stored message's attributes (see the header comment). */
export function attributesFromCore(m: Message): Record<string, SqsAttributeValue> {
  const out: Record<string, SqsAttributeValue> = {};
  const attrs = m.properties.attributes;
  if (attrs === undefined) return out;
  let types: Map<string, string> | null = null;
  for (const h of m.headers) {
    if (h.key === TYPES_HEADER && h.value !== null) {
      types = new Map();
      for (const line of h.value.toString('utf8').split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) types.set(line.slice(0, eq), line.slice(eq + 1));
      }
    }
  }
  for (const [name, v] of Object.entries(attrs)) {
    if (SKIPPED_OUT.test(name)) continue;
    const a = fromTyped(v);
    if (a === null) continue;
    const t = types?.get(name);
    if (t !== undefined && t.startsWith(a.DataType)) a.DataType = t;
    out[name] = a;
  }
  return out;
}

function fromTyped(v: TypedValue): SqsAttributeValue | null {
  switch (v.type) {
    case 'string': return { DataType: 'String', StringValue: v.value };
    case 'number': return { DataType: 'Number', StringValue: v.value };
    case 'bytes': return { DataType: 'Binary', BinaryValue: v.value };
    case 'int': case 'float': return { DataType: 'Number', StringValue: String(v.value) };
    case 'long': return { DataType: 'Number', StringValue: v.value.toString() };
    case 'decimal': return { DataType: 'Number', StringValue: (v.value / 10 ** v.scale).toString() };
    case 'bool': return { DataType: 'String', StringValue: v.value ? 'true' : 'false' };
    case 'timestamp': return { DataType: 'Number', StringValue: String(v.value) };
    default: return null;
  }
}

/**
 * The attributes a receive asked for (MessageAttributeNames): `All` or `.*`, exact names, and
 * prefixes written `name.*`.
 */
export function selectAttributes(all: Record<string, SqsAttributeValue>, wanted: readonly string[] | undefined): Record<string, SqsAttributeValue> | null {
  if (wanted === undefined || wanted.length === 0) return null;
  if (wanted.includes('All') || wanted.includes('.*')) return Object.keys(all).length > 0 ? all : null;
  const out: Record<string, SqsAttributeValue> = {};
  let n = 0;
  for (const [name, a] of Object.entries(all)) {
    for (const w of wanted) {
      if (w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1)))) {
        out[name] = a;
        n++;
        break;
      }
    }
  }
  return n > 0 ? out : null;
}
