/**
 * What one Kafka API is to the codec: its key, the versions Hopper serves, the first flexible
 * version, and its request and response schemas. Each file in ../api/ exports one ApiDef;
 * ../api/registry.ts lists them all, and ApiVersions answers are read off that list.
 */
import type { Input, StructType, ValueOf } from './schema.js';

export interface ApiDef<Req extends StructType = StructType, Res extends StructType = StructType> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The first flexible version (compact encodings, tagged fields, header v2/v1), or null. */
  readonly flexibleFrom: number | null;
  /**
   * The minimum that ApiVersions reports; usually minVersion. Produce reports 0 while serving 3+
   * because librdkafka infers its message-format features from Produce's minimum (KAFKA-18659).
   */
  readonly advertisedMinVersion: number;
  readonly request: Req;
  readonly response: Res;
}

export interface ApiSpec<Req extends StructType, Res extends StructType> {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  flexibleFrom: number | null;
  advertisedMinVersion?: number;
  request: Req;
  response: Res;
}

export function defineApi<Req extends StructType, Res extends StructType>(spec: ApiSpec<Req, Res>): ApiDef<Req, Res> {
  if (!(spec.minVersion >= 0 && spec.minVersion <= spec.maxVersion)) throw new Error(`${spec.name}: bad version range`);
  return Object.freeze({ ...spec, advertisedMinVersion: spec.advertisedMinVersion ?? spec.minVersion });
}

export function supportsVersion(api: ApiDef, version: number): boolean {
  return version >= api.minVersion && version <= api.maxVersion;
}

export function isFlexible(api: ApiDef, version: number): boolean {
  return api.flexibleFrom !== null && version >= api.flexibleFrom;
}

/** Request header v2 (with tagged fields) in flexible versions, else v1. */
export function requestHeaderVersion(api: ApiDef, version: number): 1 | 2 {
  return isFlexible(api, version) ? 2 : 1;
}

/**
 * Response header v1 (with tagged fields) in flexible versions, else v0. ApiVersions always
 * answers with v0: a client reads the answer before it knows which versions the broker speaks.
 */
export function responseHeaderVersion(api: ApiDef, version: number): 0 | 1 {
  return api.apiKey !== API_VERSIONS_KEY && isFlexible(api, version) ? 1 : 0;
}

export const API_VERSIONS_KEY = 18;

/** Decoded request and response types of an API. */
export type RequestOf<A> = A extends ApiDef<infer Q, StructType> ? ValueOf<Q> : never;
export type ResponseOf<A> = A extends ApiDef<StructType, infer S> ? ValueOf<S> : never;
/** Encoder inputs of an API (defaulted and tagged fields optional, records by reference). */
export type RequestInputOf<A> = A extends ApiDef<StructType<infer F>, StructType> ? Input<F> : never;
export type ResponseInputOf<A> = A extends ApiDef<StructType, StructType<infer F>> ? Input<F> : never;
