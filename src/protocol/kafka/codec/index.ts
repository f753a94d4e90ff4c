/**
 * The Kafka protocol codec, sans IO: bytes in, typed messages out, and back. Handlers need:
 * RequestFramer (socket chunks → classified requests), decodeRequestBody (body → typed request),
 * encodeResponse (typed response → chunks for writev), and the API definitions in ../api/.
 */
export {
  API_VERSIONS_KEY, type ApiDef, type ApiSpec, defineApi, isFlexible, type RequestInputOf, type RequestOf,
  requestHeaderVersion, type ResponseInputOf, type ResponseOf, responseHeaderVersion, supportsVersion,
} from './api-def.js';
export { isRetriable, KafkaError, type KafkaErrorName, kafkaErrorName } from './error-codes.js';
export { isKafkaCodecError, KafkaCodecError, type KafkaCodecErrorReason } from './errors.js';
export { DEFAULT_MAX_REQUEST_BYTES, type Frame, type FramerOptions, RequestFramer } from './framer.js';
export { MIN_REQUEST_HEADER_BYTES, type RequestHeader } from './header.js';
export { DEFAULT_DECODE_LIMITS, type DecodeLimits, decodeLimits } from './limits.js';
export {
  decodeRequest, decodeRequestBody, decodeResponse, type EncodeOptions, encodeRequest, encodeResponse,
} from './message.js';
export { Reader } from './reader.js';
export {
  array, type ArrayType, type Decoded, type DefaultValue, type ElementType, field, type Field, type FieldOptions,
  type Fields, type FieldType, type Input, type InputOf, type Primitive, struct, type StructType, type ValueOf, ZERO_UUID,
} from './schema.js';
export { Writer, type WriterOptions } from './writer.js';
