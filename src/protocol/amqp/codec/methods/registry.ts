/**
 * The one registry of AMQP methods: every descriptor, looked up by (class id, method id) when
 * decoding and by name when encoding. Dispatch in the session layer switches on the decoded
 * method's `method` name, whose union type is derived from this list.
 */
import { accessMethods } from './access.js';
import { basicMethods } from './basic.js';
import { channelMethods } from './channel.js';
import { confirmMethods } from './confirm.js';
import { connectionMethods } from './connection.js';
import { exchangeMethods } from './exchange.js';
import { queueMethods } from './queue.js';
import { txMethods } from './tx.js';
import type { MethodDescriptor, MethodInputOf, MethodOf } from './types.js';

export const allMethods = [
  ...connectionMethods,
  ...channelMethods,
  ...accessMethods,
  ...exchangeMethods,
  ...queueMethods,
  ...basicMethods,
  ...confirmMethods,
  ...txMethods,
] as const;

export type AnyMethodDescriptor = (typeof allMethods)[number];
/** A decoded method: a discriminated union on `method`. */
export type AmqpMethod = MethodOf<AnyMethodDescriptor>;
/** A method to encode: fields with a spec default may be omitted. */
export type AmqpMethodInput = MethodInputOf<AnyMethodDescriptor>;
export type MethodName = AmqpMethod['method'];
export type MethodByName<N extends MethodName> = Extract<AmqpMethod, { method: N }>;
export type MethodInputByName<N extends MethodName> = Extract<AmqpMethodInput, { method: N }>;

export const classNames: Readonly<Record<number, string>> = Object.freeze({
  10: 'connection',
  20: 'channel',
  30: 'access',
  40: 'exchange',
  50: 'queue',
  60: 'basic',
  85: 'confirm',
  90: 'tx',
});

const byId = new Map<number, MethodDescriptor>();
const byName = new Map<string, MethodDescriptor>();
for (const d of allMethods) {
  if (byId.has(d.id) || byName.has(d.name)) throw new Error(`duplicate AMQP method ${d.name} (${d.classId}, ${d.methodId})`);
  byId.set(d.id, d);
  byName.set(d.name, d);
}

export function methodById(classId: number, methodId: number): MethodDescriptor | undefined {
  return byId.get(((classId << 16) | methodId) >>> 0);
}

export function methodByName(name: string): MethodDescriptor | undefined {
  return byName.get(name);
}
