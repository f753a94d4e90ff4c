/**
 * Kafka-style configuration entries: a name, a type, a default and a validator, and how a value
 * given as text is parsed, checked and written back. Topic configs (topic-defs.ts) and the Kafka
 * endpoint's broker configs use these, so that every protocol refuses a bad value with the same
 * words Kafka uses ("Invalid value x for configuration retention.ms: Not a number of type LONG")
 * and echoes a good one in Kafka's normal form (a list without blanks, a double as 0.5 or 1.0).
 */
import { HopperError } from '../errors.js';

/** Kafka's ConfigDef types; the numbers are DescribeConfigs' configType (v3+). */
export const configTypeIds = {
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;
export type ConfigType = keyof typeof configTypeIds;

/** A parsed value: numbers for INT/SHORT/DOUBLE, bigint for LONG, string[] for LIST. */
export type ConfigValue = boolean | string | number | bigint | readonly string[];

/** Throws (via fail) when a parsed value is out of range; `value` names the bad list element. */
export type Validator = (value: ConfigValue, fail: (why: string, value?: string) => never) => void;

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Kafka's default in its text form, or null where Kafka has none. */
  readonly defaultValue: string | null;
  readonly validate?: Validator;
  /** Shown by DescribeConfigs when documentation is asked for. */
  readonly doc: string;
}

export const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
/** Long.MAX_VALUE in Kafka's text form (several defaults). */
export const LONG_MAX_TEXT = String(LONG_MAX);

/** Kafka's ConfigException text, as a HopperError that every protocol maps to its invalid-config error. */
export function invalidValue(name: string, value: string, why: string): HopperError {
  return new HopperError('INVALID_CONFIG', `Invalid value ${value} for configuration ${name}: ${why}`);
}

const integerRe = /^[+-]?\d+$/;

function parseInteger(text: string, min: bigint, max: bigint): bigint | null {
  if (!integerRe.test(text)) return null;
  const n = BigInt(text);
  return n < min || n > max ? null : n;
}

// Java's Double.parseDouble, except hexadecimal forms: decimal and exponent notation, NaN, Infinity.
const doubleRe = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/;

/** Parses the text form of a value the way Kafka's ConfigDef.parseType does (values are trimmed). */
export function parseValue(def: ConfigDef, raw: string): ConfigValue {
  const text = raw.trim();
  const fail = (why: string, value = raw): never => {
    throw invalidValue(def.name, value, why);
  };
  let v: ConfigValue;
  switch (def.type) {
    case 'BOOLEAN':
      if (text.toLowerCase() === 'true') v = true;
      else if (text.toLowerCase() === 'false') v = false;
      else return fail('Expected value to be either true or false');
      break;
    case 'STRING':
    case 'PASSWORD':
    case 'CLASS':
      v = text;
      break;
    case 'INT':
    case 'SHORT': {
      const bits = def.type === 'INT' ? 31n : 15n;
      const n = parseInteger(text, -(1n << bits), (1n << bits) - 1n);
      if (n === null) return fail(`Not a number of type ${def.type}`);
      v = Number(n);
      break;
    }
    case 'LONG': {
      const n = parseInteger(text, LONG_MIN, LONG_MAX);
      if (n === null) return fail('Not a number of type LONG');
      v = n;
      break;
    }
    case 'DOUBLE':
      if (!doubleRe.test(text)) return fail('Not a number of type DOUBLE');
      v = Number(text.replace(/[fFdD]$/, ''));
      break;
    case 'LIST':
      v = text === '' ? [] : text.split(/\s*,\s*/);
      break;
  }
  def.validate?.(v, fail);
  return v;
}

/** Java's Double.toString for the values configs hold: 0.5, 1.0, 1.0E7. */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) {
    const [m, e] = n.toExponential().split('e');
    return `${m!.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** The text Kafka echoes for a parsed value (ConfigDef.convertToString). */
export function formatValue(type: ConfigType, v: ConfigValue): string {
  if (Array.isArray(v)) return v.join(',');
  if (type === 'DOUBLE') return javaDouble(v as number);
  return String(v);
}

/** Parses, validates and returns Kafka's normal text form of a value. */
export function normalizeValue(def: ConfigDef, raw: string): string {
  return formatValue(def.type, parseValue(def, raw));
}

// ---- validators (Kafka's ConfigDef.Range, ValidString, ValidList), with Kafka's messages ----

const asNumber = (v: ConfigValue): number | bigint => v as number | bigint;

export function atLeast(min: number): Validator {
  return (v, fail) => {
    if (asNumber(v) < min) fail(`Value must be at least ${min}`);
  };
}

export function between(min: number, max: number): Validator {
  return (v, fail) => {
    if (asNumber(v) < min) fail(`Value must be at least ${min}`);
    if (asNumber(v) > max) fail(`Value must be no more than ${max}`);
  };
}

export function oneOf(...allowed: string[]): Validator {
  return (v, fail) => {
    if (!allowed.includes(v as string)) fail(`String must be one of: ${allowed.join(', ')}`);
  };
}

/** Every element of a list must be one of these (an empty list passes, as in Kafka 3.9). */
export function listOf(...allowed: string[]): Validator {
  return (v, fail) => {
    for (const item of v as string[]) if (!allowed.includes(item)) fail(`String must be one of: ${allowed.join(', ')}`, item);
  };
}
