/**
 * Headers exchange, with RabbitMQ's semantics: the binding's `x-match` is `all` (the default),
 * `any`, `all-with-x` or `any-with-x`; binding arguments whose names start with `x-` take part
 * only in the -with-x modes (`x-match` itself never does). A binding argument of type void
 * matches any message that has the header, whatever its value; other values match by type
 * class (see typedValueMatches). `all` with nothing to compare matches every message; `any`
 * with nothing to compare matches none.
 *
 * A message's headers are its typed attributes (AMQP headers table, SQS message attributes)
 * and, for names absent there, its plain Kafka-style headers, compared as UTF-8 strings
 * (a repeated plain header matches if any occurrence does).
 */
import { HopperError } from '../errors.js';
import type { Header, Message, TypedValue } from '../message.js';
import { getArgument, stringArgument, typedValueMatches, type Arguments } from './arguments.js';
import type { BindingIndex, ExchangeType } from './exchange-type.js';
import type { DestNode, RouteSink } from './destination.js';

export type XMatch = 'all' | 'any' | 'all-with-x' | 'any-with-x';
const xMatchModes: readonly string[] = ['all', 'any', 'all-with-x', 'any-with-x'];

interface Condition {
  readonly name: string;
  readonly value: TypedValue;
  /** The value's bytes when a plain header could equal it (string or bytes), else null. */
  readonly plain: Buffer | null;
}

interface CompiledBinding {
  readonly dest: DestNode;
  readonly all: boolean;
  readonly conditions: readonly Condition[];
}

export function parseXMatch(args: Arguments): XMatch {
  const v = getArgument(args, 'x-match');
  if (v === undefined) return 'all';
  const s = stringArgument(args, 'x-match');
  if (s === undefined || !xMatchModes.includes(s)) {
    throw new HopperError('INVALID_ARGUMENT', `invalid x-match field value ${JSON.stringify(s ?? v.type)}; expected one of ${xMatchModes.join(', ')}`);
  }
  return s as XMatch;
}

function compile(args: Arguments, dest: DestNode): CompiledBinding {
  const mode = parseXMatch(args);
  const withX = mode.endsWith('-with-x');
  const conditions: Condition[] = [];
  for (const name of Object.keys(args)) {
    if (name === 'x-match' || (!withX && name.startsWith('x-'))) continue;
    const value = args[name]!;
    const plain = value.type === 'string' ? Buffer.from(value.value, 'utf8') : value.type === 'bytes' ? value.value : null;
    conditions.push({ name, value, plain });
  }
  return { dest, all: mode === 'all' || mode === 'all-with-x', conditions };
}

function plainMatches(headers: readonly Header[], c: Condition): boolean {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h.key !== c.name) continue;
    if (c.value.type === 'void') return true;
    if (c.plain !== null && h.value !== null && h.value.equals(c.plain)) return true;
  }
  return false;
}

function conditionHolds(m: Message, c: Condition): boolean {
  const attrs = m.properties.attributes;
  const typed = attrs === undefined ? undefined : getArgument(attrs, c.name);
  if (typed !== undefined) return c.value.type === 'void' || typedValueMatches(c.value, typed);
  return m.headers.length > 0 && plainMatches(m.headers, c);
}

function bindingMatches(b: CompiledBinding, m: Message): boolean {
  const cs = b.conditions;
  if (b.all) {
    for (let i = 0; i < cs.length; i++) if (!conditionHolds(m, cs[i]!)) return false;
    return true;
  }
  for (let i = 0; i < cs.length; i++) if (conditionHolds(m, cs[i]!)) return true;
  return false;
}

class HeadersIndex implements BindingIndex<CompiledBinding> {
  // Matching depends on each binding's whole table, so there is nothing to index by: every
  // message is tested against every binding, as RabbitMQ does.
  private readonly bindings: CompiledBinding[] = [];

  add(_key: string, args: Arguments, dest: DestNode): CompiledBinding {
    const b = compile(args, dest);
    this.bindings.push(b);
    return b;
  }

  remove(b: CompiledBinding): void {
    const i = this.bindings.indexOf(b);
    if (i >= 0) this.bindings.splice(i, 1);
  }

  route(_key: string, message: Message, sink: RouteSink): void {
    const bs = this.bindings;
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i]!;
      if (bindingMatches(b, message)) sink.add(b.dest);
    }
  }
}

export const headersExchange: ExchangeType = {
  name: 'headers',
  validateBinding(_key, args) {
    parseXMatch(args);
  },
  createIndex: () => new HeadersIndex(),
};
