/**
 * amqplib's own codec (lib/defs.js, lib/frame.js, lib/codec.js), used only as a test oracle:
 * its encoder and decoder are generated from RabbitMQ's spec JSON, independently of ours.
 * The package does not export these files, so they are required by path.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TypedValue } from '../../../../src/core/message.js';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('amqplib'));

export interface AmqplibArg {
  name: string;
  type: string;
  default?: unknown;
}

export interface AmqplibDefs {
  constants: Record<string, number>;
  decode(id: number, buf: Buffer): Record<string, unknown>;
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(classId: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  info(id: number): { name: string; args: AmqplibArg[] };
  [name: string]: unknown;
}

export interface AmqplibFrame {
  type: number;
  channel: number;
  size: number;
  payload: Buffer;
  rest: Buffer;
}

export const defs = require(join(root, 'lib/defs.js')) as AmqplibDefs;
export const frame = require(join(root, 'lib/frame.js')) as {
  parseFrame(bin: Buffer, max: number): AmqplibFrame | false;
  decodeFrame(f: AmqplibFrame): { id?: number; channel: number; fields?: Record<string, unknown>; size?: number; content?: Buffer };
};
export const codec = require(join(root, 'lib/codec.js')) as {
  encodeTable(buf: Buffer, val: unknown, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
};

/** Every method id amqplib knows, with its class/method numbers. */
export function amqplibMethodIds(): { key: string; id: number }[] {
  const out: { key: string; id: number }[] = [];
  for (const [key, v] of Object.entries(defs)) {
    if (typeof v !== 'number' || !/^[A-Z][a-z]+[A-Z]/.test(key) || key === 'BasicProperties') continue;
    out.push({ key, id: v });
  }
  return out;
}

/** A table as amqplib's decoder returns it, given the TypedValues we encode. */
export function toAmqplibDecoded(v: TypedValue): unknown {
  switch (v.type) {
    case 'string':
    case 'number':
    case 'bool':
    case 'int':
    case 'float':
      return v.value;
    case 'long':
      return Number(v.value);
    case 'decimal':
      return { '!': 'decimal', value: { places: v.scale, digits: v.value } };
    case 'timestamp':
      return { '!': 'timestamp', value: Number(v.value) };
    case 'bytes':
      return v.value;
    case 'void':
      return null;
    case 'array':
      return v.value.map(toAmqplibDecoded);
    case 'table':
      return tableToAmqplib(v.value);
  }
}

export function tableToAmqplib(t: Record<string, TypedValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) out[k] = toAmqplibDecoded(v);
  return out;
}

/** Encodes a table with amqplib, returning it with its length prefix. */
export function amqplibTable(val: Record<string, unknown>): Buffer {
  const scratch = Buffer.alloc(65536);
  const n = codec.encodeTable(scratch, val, 0);
  return Buffer.from(scratch.subarray(0, n));
}

/** Splits a byte stream into frames with amqplib's parser. */
export function amqplibFrames(buf: Buffer): AmqplibFrame[] {
  const out: AmqplibFrame[] = [];
  let rest = buf;
  while (rest.length > 0) {
    const f = frame.parseFrame(rest, 0);
    if (f === false) throw new Error(`amqplib could not parse ${rest.length} trailing bytes`);
    out.push(f);
    rest = f.rest;
  }
  return out;
}
