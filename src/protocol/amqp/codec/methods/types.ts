/**
 * A method is described once, as data: class id, method id, name and its ordered fields. The
 * generic codec (../method-codec.ts) reads and writes every method from that description, and
 * the TypeScript types of decoded methods are derived from the same description, so a field
 * can never be added to the wire format without the type following.
 */
import type { FieldTable } from '../field-table.js';

/** Spec domains after resolving to their wire types (amqp0-9-1.xml "domains"). */
export type FieldType = 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'bit' | 'table' | 'timestamp';

export interface FieldValues {
  octet: number;
  short: number;
  long: number;
  /** uint64 on the wire; values above 2^53 are rejected when decoding. */
  longlong: number;
  shortstr: string;
  /** Raw bytes: SASL responses are binary, so longstr is never decoded as text. */
  longstr: Buffer;
  bit: boolean;
  table: FieldTable;
  /** Seconds since the epoch, uint64 on the wire: a number up to 2^53, a bigint beyond. */
  timestamp: number | bigint;
}

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** The spec's default; a field with one may be left out when encoding. */
  readonly default?: unknown;
}

/** Wire type codes, so the generic loops switch on small integers. */
export const FieldCode = {
  octet: 0,
  short: 1,
  long: 2,
  longlong: 3,
  shortstr: 4,
  longstr: 5,
  bit: 6,
  table: 7,
  timestamp: 8,
} as const satisfies Record<FieldType, number>;

export interface MethodDescriptor<N extends string = string, F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  readonly classId: number;
  readonly methodId: number;
  /** `class.method`, as RabbitMQ names them: 'basic.deliver', 'exchange.unbind-ok'. */
  readonly name: N;
  readonly fields: F;
  /** Followed by a content header and body frames (publish, return, deliver, get-ok). */
  readonly content: boolean;
  /** Expects a reply method (the spec's "synchronous"). */
  readonly synchronous: boolean;
  /** `classId << 16 | methodId`, the first four payload octets. */
  readonly id: number;
  /** Field codes and names in order, precomputed for the generic codec. */
  readonly codes: Uint8Array;
  readonly names: readonly string[];
}

export interface MethodInit<N extends string, F extends readonly FieldSpec[]> {
  classId: number;
  methodId: number;
  name: N;
  fields: F;
  content?: boolean;
  synchronous?: boolean;
}

export function defineMethod<const N extends string, const F extends readonly FieldSpec[]>(init: MethodInit<N, F>): MethodDescriptor<N, F> {
  return Object.freeze({
    classId: init.classId,
    methodId: init.methodId,
    name: init.name,
    fields: init.fields,
    content: init.content ?? false,
    synchronous: init.synchronous ?? false,
    id: ((init.classId << 16) | init.methodId) >>> 0,
    codes: Uint8Array.from(init.fields, (f) => FieldCode[f.type]),
    names: init.fields.map((f) => f.name),
  });
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** All fields, as decoded. */
export type ArgsOf<F extends readonly FieldSpec[]> = { [S in F[number] as S['name']]: FieldValues[S['type']] };

/** Fields for encoding: those with a spec default may be omitted. */
export type InputArgsOf<F extends readonly FieldSpec[]> = {
  [S in F[number] as S extends { default: unknown } ? never : S['name']]: FieldValues[S['type']];
} & {
  [S in F[number] as S extends { default: unknown } ? S['name'] : never]?: FieldValues[S['type']];
};

/** A decoded method: `method` names it, the other keys are its fields. */
export type MethodOf<D> = D extends MethodDescriptor<infer N, infer F> ? Simplify<{ method: N } & ArgsOf<F>> : never;
export type MethodInputOf<D> = D extends MethodDescriptor<infer N, infer F> ? Simplify<{ method: N } & InputArgsOf<F>> : never;
