/**
 * Argument tables (AMQP field tables) and the two equalities they need:
 *  - identity: a binding is (source, destination, routing key, arguments), so unbind must find
 *    the binding whose table is exactly the same, type tags included;
 *  - matching: the headers exchange compares a binding's value with a message's header by
 *    type class, as RabbitMQ does (an AMQP short 5 equals a long 5; a float 5 does not).
 */
import type { TypedValue } from '../message.js';

export type Arguments = Readonly<Record<string, TypedValue>>;

export const noArguments: Arguments = Object.freeze({});

/** Own-property lookup: tables may come from the wire with keys like "__proto__". */
export function getArgument(args: Arguments | undefined, key: string): TypedValue | undefined {
  return args !== undefined && Object.hasOwn(args, key) ? args[key] : undefined;
}

export function argumentsEqual(a: Arguments, b: Arguments): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const vb = getArgument(b, k);
    if (vb === undefined || !typedValueIdentical(a[k]!, vb)) return false;
  }
  return true;
}

/** Exact equality: same type tag and value. Object.is so that a NaN argument can be unbound. */
export function typedValueIdentical(a: TypedValue, b: TypedValue): boolean {
  switch (a.type) {
    case 'void':
      return b.type === 'void';
    case 'bytes':
      return b.type === 'bytes' && a.value.equals(b.value);
    case 'decimal':
      return b.type === 'decimal' && a.scale === b.scale && Object.is(a.value, b.value);
    case 'array':
      return b.type === 'array' && a.value.length === b.value.length && a.value.every((v, i) => typedValueIdentical(v, b.value[i]!));
    case 'table':
      return b.type === 'table' && argumentsEqual(a.value, b.value);
    default:
      return a.type === b.type && Object.is(a.value, (b as { value: unknown }).value);
  }
}

const integerTextRe = /^[+-]?\d+$/;

/** An integer-class value as a bigint, or undefined if the value is not an integer class. */
function asInteger(v: TypedValue): bigint | undefined {
  switch (v.type) {
    case 'int':
      return Number.isSafeInteger(v.value) ? BigInt(v.value) : undefined;
    case 'long':
      return v.value;
    case 'number':
      return integerTextRe.test(v.value) ? BigInt(v.value) : undefined;
    default:
      return undefined;
  }
}

/**
 * Header matching equality. Classes: integers (int, long, integral SQS Number), floats (float,
 * non-integral SQS Number), decimal, and every other type only with itself. Strings and bytes
 * are different classes, as AMQP longstr and byte-array are.
 */
export function typedValueMatches(binding: TypedValue, header: TypedValue): boolean {
  if (binding.type === 'int' && header.type === 'int') return binding.value === header.value; // the common case, no bigint
  const bi = asInteger(binding);
  if (bi !== undefined) {
    const hi = asInteger(header);
    return hi !== undefined && hi === bi;
  }
  switch (binding.type) {
    case 'float':
    case 'number': {
      const hf = asFloat(header);
      return hf !== undefined && hf === asFloat(binding);
    }
    case 'decimal':
      return header.type === 'decimal' && decimalEquals(binding, header);
    case 'array':
      return header.type === 'array' && binding.value.length === header.value.length &&
        binding.value.every((v, i) => typedValueMatches(v, header.value[i]!));
    case 'table': {
      if (header.type !== 'table') return false;
      const keys = Object.keys(binding.value);
      if (keys.length !== Object.keys(header.value).length) return false;
      return keys.every((k) => {
        const hv = getArgument(header.value, k);
        return hv !== undefined && typedValueMatches(binding.value[k]!, hv);
      });
    }
    default:
      return typedValueIdentical(binding, header);
  }
}

function asFloat(v: TypedValue): number | undefined {
  if (v.type === 'float') return v.value;
  if (v.type === 'number' && !integerTextRe.test(v.value)) {
    const n = Number(v.value);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

type Decimal = Extract<TypedValue, { type: 'decimal' }>;

/** 1.50 (scale 2, 150) equals 1.5 (scale 1, 15): compare value·10^(other scale) exactly. */
function decimalEquals(a: Decimal, b: Decimal): boolean {
  if (a.scale === b.scale) return a.value === b.value;
  if (!Number.isInteger(a.value) || !Number.isInteger(b.value)) return false;
  return BigInt(a.value) * 10n ** BigInt(b.scale) === BigInt(b.value) * 10n ** BigInt(a.scale);
}

/** A string-typed argument's value (AMQP sends x-match and alternate-exchange as longstr). */
export function stringArgument(args: Arguments | undefined, key: string): string | undefined {
  const v = getArgument(args, key);
  if (v === undefined) return undefined;
  if (v.type === 'string') return v.value;
  if (v.type === 'bytes') return v.value.toString('utf8');
  return undefined;
}
