/** The sans-IO AMQP 0-9-1 codec: bytes in, typed frames out, and back. */
export * from './command-assembler.js';
export * from './content-header.js';
export * from './encode.js';
export * from './errors.js';
export { defaultFieldTableLimits, type FieldTable, type FieldTableLimits } from './field-table.js';
export * from './field-table-read.js';
export * from './field-table-write.js';
export * from './frame.js';
export * from './frame-decoder.js';
export { decodeMethod, descriptorOf, methodPayloadSize, writeMethodPayload } from './method-codec.js';
export * from './methods/registry.js';
export type { ArgsOf, FieldSpec, FieldType, FieldValues, MethodDescriptor, MethodOf, MethodInputOf } from './methods/types.js';
export { Reader } from './reader.js';
export * from './reply-codes.js';
