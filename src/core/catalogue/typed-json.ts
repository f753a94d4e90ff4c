/**
 * TypedValue tables in JSON. JSON has no bigint, bytes, NaN or -0, so those travel as strings:
 *   long      {"type":"long","value":"9007199254740993"}
 *   bytes     {"type":"bytes","value":"<base64>"}
 *   float     a number, or "NaN" / "Infinity" / "-Infinity" / "-0"
 *   timestamp a number, or the decimal string of one beyond 2^53
 * An int's AMQP width and a float's single precision are kept ("width": "int8", "single": true),
 * absent when not set (and in files written before they were kept).
 * Decoding checks every field and builds objects with CreateDataProperty semantics
 * (Object.fromEntries), so a "__proto__" key stays a plain key.
 */
import type { IntWidth, TypedValue } from '../message.js';

const INT_WIDTHS: readonly IntWidth[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64'];
import type { Arguments } from '../exchange/arguments.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Thrown on a malformed value; the catalogue turns it into "file is corrupt". */
export class ShapeError extends Error {
  constructor(path: string, what: string) {
    super(`${path}: ${what}`);
    this.name = 'ShapeError';
  }
}

function encodeFloat(n: number): JsonValue {
  if (Number.isFinite(n) && !Object.is(n, -0)) return n;
  return Object.is(n, -0) ? '-0' : String(n);
}

function decodeFloat(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  throw new ShapeError(path, 'not a float');
}

export function encodeTypedValue(v: TypedValue): JsonValue {
  switch (v.type) {
    case 'void':
      return { type: 'void' };
    case 'long':
      return { type: 'long', value: v.value.toString() };
    case 'bytes':
      return { type: 'bytes', value: v.value.toString('base64') };
    case 'int':
      return v.width === undefined ? { type: 'int', value: v.value } : { type: 'int', value: v.value, width: v.width };
    case 'float':
      return v.single === true ? { type: 'float', value: encodeFloat(v.value), single: true } : { type: 'float', value: encodeFloat(v.value) };
    case 'timestamp':
      return { type: 'timestamp', value: typeof v.value === 'bigint' ? v.value.toString() : v.value };
    case 'decimal':
      return { type: 'decimal', scale: v.scale, value: v.value };
    case 'array':
      return { type: 'array', value: v.value.map(encodeTypedValue) };
    case 'table':
      return { type: 'table', value: encodeArguments(v.value) };
    default:
      return { type: v.type, value: v.value };
  }
}

export function encodeArguments(args: Arguments): { [k: string]: JsonValue } {
  // Sorted, so equal tables encode equally (the catalogue uses this as a binding identity).
  return Object.fromEntries(Object.keys(args).sort().map((k) => [k, encodeTypedValue(args[k]!)]));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown, path: string, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new ShapeError(path, integer ? 'not an integer' : 'not a number');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ShapeError(path, 'not a string');
  return v;
}

export function decodeTypedValue(v: unknown, path: string, depth = 0): TypedValue {
  // Nesting is bounded, so a hostile file cannot overflow the stack.
  if (depth > 64) throw new ShapeError(path, 'nested too deeply');
  if (!isRecord(v)) throw new ShapeError(path, 'not a typed value');
  const p = `${path}.value`;
  switch (v.type) {
    case 'void':
      return { type: 'void' };
    case 'string':
      return { type: 'string', value: str(v.value, p) };
    case 'bool':
      if (typeof v.value !== 'boolean') throw new ShapeError(p, 'not a boolean');
      return { type: 'bool', value: v.value };
    case 'int': {
      const value = num(v.value, p, true);
      if (v.width === undefined) return { type: 'int', value };
      if (typeof v.width !== 'string' || !INT_WIDTHS.includes(v.width as IntWidth)) throw new ShapeError(`${path}.width`, 'not an integer width');
      return { type: 'int', value, width: v.width as IntWidth };
    }
    case 'long': {
      const s = str(v.value, p);
      if (!/^-?\d{1,20}$/.test(s)) throw new ShapeError(p, 'not a 64-bit integer');
      return { type: 'long', value: BigInt(s) };
    }
    case 'float': {
      const value = decodeFloat(v.value, p);
      if (v.single === undefined) return { type: 'float', value };
      if (v.single !== true) throw new ShapeError(`${path}.single`, 'not true');
      return { type: 'float', value, single: true };
    }
    case 'decimal':
      return { type: 'decimal', scale: num(v.scale, `${path}.scale`, true), value: num(v.value, p, false) };
    case 'number':
      return { type: 'number', value: str(v.value, p) };
    case 'timestamp':
      if (typeof v.value === 'string') {
        if (!/^\d{1,20}$/.test(v.value)) throw new ShapeError(p, 'not a 64-bit timestamp');
        return { type: 'timestamp', value: BigInt(v.value) };
      }
      return { type: 'timestamp', value: num(v.value, p, false) };
    case 'bytes':
      return { type: 'bytes', value: Buffer.from(str(v.value, p), 'base64') };
    case 'array':
      if (!Array.isArray(v.value)) throw new ShapeError(p, 'not an array');
      return { type: 'array', value: v.value.map((x, i) => decodeTypedValue(x, `${p}[${i}]`, depth + 1)) };
    case 'table':
      return { type: 'table', value: decodeArguments(v.value, p, depth + 1) };
    default:
      throw new ShapeError(`${path}.type`, `unknown type ${JSON.stringify(v.type)}`);
  }
}

export function decodeArguments(v: unknown, path: string, depth = 0): Record<string, TypedValue> {
  if (!isRecord(v)) throw new ShapeError(path, 'not a table');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeTypedValue(x, `${path}[${JSON.stringify(k)}]`, depth)]));
}
