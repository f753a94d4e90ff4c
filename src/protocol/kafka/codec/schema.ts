/**
 * Message schemas as data. Each API file declares its request and response once, field by field
 * with the version ranges of Kafka's message definitions (versions, nullableVersions, tagged
 * fields); compile.ts derives the codec for each version from that, and the TypeScript types of
 * decoded messages and encoder inputs are inferred from the same declaration, so nothing is
 * written twice.
 *
 * Field names are Kafka's in camelCase. A struct's fields encode in declaration order (object
 * key order), except tagged fields, which go to the struct's tagged-field section in flexible
 * versions.
 */

export type Primitive =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'uuid'
  | 'bytes'
  /** Record batches: opaque bytes at this layer (see src/storage/codec for their contents). */
  | 'records';

export interface StructType<F extends Fields = Fields> {
  readonly kind: 'struct';
  readonly fields: F;
}

export interface ArrayType<E extends ElementType = ElementType> {
  readonly kind: 'array';
  readonly of: E;
}

export type ElementType = Primitive | StructType;
export type FieldType = ElementType | ArrayType;
export type DefaultValue = number | boolean | string | null;

export interface FieldOptions {
  /** nullableVersions: where null is encodable (-1 or 0 length). */
  readonly nullable?: string;
  /** A tagged field: its tag, and taggedVersions (defaults to the field's versions). */
  readonly tag?: number;
  readonly taggedVersions?: string;
  /** The value where the field is absent (other versions, or an omitted tagged field). */
  readonly default?: DefaultValue;
}

export interface Field<T extends FieldType = FieldType, O extends FieldOptions = FieldOptions> {
  readonly type: T;
  readonly versions: string;
  readonly opts: O;
}

export type Fields = { readonly [name: string]: Field };

export function field<const T extends FieldType, const O extends FieldOptions = {}>(
  type: T,
  versions: string,
  opts?: O,
): Field<T, O> {
  return { type, versions, opts: (opts ?? {}) as O };
}

export function struct<const F extends Fields>(fields: F): StructType<F> {
  return { kind: 'struct', fields };
}

export function array<const E extends ElementType>(of: E): ArrayType<E> {
  return { kind: 'array', of };
}

/** Kafka's all-zero UUID (Uuid.ZERO_UUID), the default of every uuid field. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

// ---- Types inferred from a schema ----

type PrimitiveValue<P> = P extends 'bool'
  ? boolean
  : P extends 'string' | 'uuid'
    ? string
    : P extends 'bytes' | 'records'
      ? Buffer
      : number;

type Nullable<O> = O extends { nullable: string } ? null : never;

/** The decoded value of a type: every field present, absent ones holding their defaults. */
export type ValueOf<T> =
  T extends StructType<infer F> ? Decoded<F> : T extends ArrayType<infer E> ? ValueOf<E>[] : PrimitiveValue<T>;

export type Decoded<F extends Fields> = {
  [K in keyof F]: F[K] extends Field<infer T, infer O> ? ValueOf<T> | Nullable<O> : never;
};

/** What an encoder takes: records may be a list of buffers (sent by reference, not copied). */
export type InputOf<T> =
  T extends StructType<infer F>
    ? Input<F>
    : T extends ArrayType<infer E>
      ? readonly InputOf<E>[]
      : T extends 'records'
        ? Buffer | readonly Buffer[]
        : PrimitiveValue<T>;

type FieldInput<X> = X extends Field<infer T, infer O> ? InputOf<T> | Nullable<O> : never;

/** Fields with a default, and tagged fields, may be left out of an encoder's input. */
type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K]['opts'] extends { default: DefaultValue } | { tag: number } ? K : never;
}[keyof F];

export type Input<F extends Fields> = { readonly [K in Exclude<keyof F, OptionalKeys<F>>]: FieldInput<F[K]> } & {
  readonly [K in OptionalKeys<F>]?: FieldInput<F[K]>;
};
