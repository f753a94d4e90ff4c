/**
 * Typed access to kafkajs internals (CommonJS, untyped) used as an independent reference:
 * its RecordBatch encoder/decoder, CRC-32C, varints and murmur2.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (o: any) => Promise<any> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: any) => any;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: any) => Promise<any>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => any;
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => any;
const crc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const murmur = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer) => number;
const defaultPartitioner = require('kafkajs/src/producer/partitioners/default/index.js') as () => (a: any) => number;

export const kjsCrc32c = crc;
export const kjsMurmur2 = murmur;

export function kjsPartition(key: Buffer, numPartitions: number): number {
  const partitionMetadata = Array.from({ length: numPartitions }, (_, i) => ({ partitionId: i, leader: 0 }));
  return defaultPartitioner()({ topic: 't', partitionMetadata, message: { key } });
}

export interface KjsRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** kafkajs takes headers as an object; arrays give repeated keys. */
  headers?: Record<string, Buffer | string | (Buffer | string)[]>;
  timestampDelta: number;
}

export interface KjsBatchOptions {
  firstTimestamp: number;
  maxTimestamp: number;
  compression?: number; // 0 none, 1 gzip
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
  transactional?: boolean;
}

/** A whole RecordBatch v2 as kafkajs's producer would send it. */
export async function kjsEncodeBatch(records: KjsRecord[], o: KjsBatchOptions): Promise<Buffer> {
  const encoded = records.map((r, i) =>
    Record({ offsetDelta: i, timestampDelta: r.timestampDelta, key: r.key, value: r.value, headers: r.headers ?? {} }),
  );
  const batch = await RecordBatch({
    compression: o.compression ?? 0,
    firstTimestamp: o.firstTimestamp,
    maxTimestamp: o.maxTimestamp,
    producerId: o.producerId ?? -1,
    producerEpoch: o.producerEpoch ?? 0,
    firstSequence: o.firstSequence ?? 0,
    transactional: o.transactional ?? false,
    lastOffsetDelta: records.length - 1,
    records: encoded,
  });
  return Buffer.from(batch.buffer);
}

export interface KjsDecoded {
  firstOffset: string;
  records: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, unknown> }[];
}

export async function kjsDecodeBatch(buf: Buffer): Promise<KjsDecoded> {
  return (await decodeBatch(new Decoder(buf))) as KjsDecoded;
}

export function kjsVarint(n: number): Buffer {
  return Buffer.from(new Encoder().writeVarInt(n).buffer);
}
export function kjsVarlong(n: number): Buffer {
  return Buffer.from(new Encoder().writeVarLong(n).buffer);
}
