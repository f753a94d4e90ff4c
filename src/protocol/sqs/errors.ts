/**
 * SQS errors as AWS sends them, for both wire protocols. Each has the name the JSON protocol
 * puts in `__type` (the Smithy shape name, prefixed `com.amazonaws.sqs#`), the code the query
 * protocol puts in `<Code>` (and the JSON protocol in the `x-amzn-query-error` header), and the
 * HTTP status. Facts from the SQS API reference and botocore's sqs service models (query and JSON).
 */
import { isHopperError } from '../../core/errors.js';

export interface SqsErrorKind {
  /** Shape name: JSON `__type` after the namespace. */
  readonly type: string;
  /** Query protocol code (`x-amzn-query-error` too). */
  readonly code: string;
  readonly status: number;
  /** true: the client's fault ("Sender"), false: the server's ("Receiver"). */
  readonly sender: boolean;
}

const k = (type: string, code: string, status: number, sender = true): SqsErrorKind => ({ type, code, status, sender });

export const SqsErrors = {
  QueueDoesNotExist: k('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400),
  QueueNameExists: k('QueueNameExists', 'QueueAlreadyExists', 400),
  QueueDeletedRecently: k('QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently', 400),
  InvalidParameterValue: k('InvalidParameterValue', 'InvalidParameterValue', 400),
  MissingParameter: k('MissingParameter', 'MissingParameter', 400),
  InvalidAttributeName: k('InvalidAttributeName', 'InvalidAttributeName', 400),
  InvalidAttributeValue: k('InvalidAttributeValue', 'InvalidAttributeValue', 400),
  InvalidMessageContents: k('InvalidMessageContents', 'InvalidMessageContents', 400),
  ReceiptHandleIsInvalid: k('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404),
  MessageNotInflight: k('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 400),
  BatchEntryIdsNotDistinct: k('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400),
  EmptyBatchRequest: k('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 400),
  TooManyEntriesInBatchRequest: k('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400),
  InvalidBatchEntryId: k('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', 400),
  BatchRequestTooLong: k('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong', 400),
  PurgeQueueInProgress: k('PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403),
  OverLimit: k('OverLimit', 'OverLimit', 403),
  UnsupportedOperation: k('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', 400),
  InvalidAction: k('InvalidAction', 'InvalidAction', 400),
  InvalidSecurity: k('InvalidSecurity', 'InvalidSecurity', 403),
  AccessDenied: k('AccessDenied', 'AccessDenied', 403),
  InvalidAddress: k('InvalidAddress', 'InvalidAddress', 404),
  ResourceNotFoundException: k('ResourceNotFoundException', 'ResourceNotFoundException', 404),
  RequestEntityTooLarge: k('RequestEntityTooLarge', 'RequestEntityTooLarge', 413),
  MalformedQueryString: k('MalformedQueryString', 'MalformedQueryString', 400),
  SerializationException: k('SerializationException', 'SerializationException', 400),
  ServiceUnavailable: k('ServiceUnavailable', 'ServiceUnavailable', 503, false),
  InternalError: k('InternalError', 'InternalError', 500, false),
} as const;

export type SqsErrorName = keyof typeof SqsErrors;

export class SqsError extends Error {
  readonly kind: SqsErrorKind;
  constructor(name: SqsErrorName | SqsErrorKind, message: string) {
    super(message);
    this.kind = typeof name === 'string' ? SqsErrors[name] : name;
    this.name = 'SqsError';
  }
}

export function sqsError(name: SqsErrorName, message: string): SqsError {
  return new SqsError(name, message);
}

/** AWS's wording for a bad parameter value. */
export function invalidValue(param: string, value: unknown, reason?: string): SqsError {
  const v = typeof value === 'string' ? value : JSON.stringify(value);
  return new SqsError('InvalidParameterValue', `Value ${v} for parameter ${param} is invalid.${reason ? ` Reason: ${reason}` : ''}`);
}

export function missing(param: string): SqsError {
  return new SqsError('MissingParameter', `The request must contain the parameter ${param}.`);
}

export function noQueue(): SqsError {
  return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
}

/** Any failure as an SqsError: core errors by their mapping, anything else as InternalError. */
export function toSqsError(e: unknown): SqsError {
  if (e instanceof SqsError) return e;
  if (isHopperError(e)) {
    switch (e.code) {
      case 'NOT_FOUND':
      case 'VHOST_NOT_FOUND':
        return noQueue();
      case 'MESSAGE_TOO_LARGE':
      case 'INVALID_ARGUMENT':
      case 'INVALID_NAME':
      case 'INVALID_CONFIG':
        return new SqsError('InvalidParameterValue', e.message);
      case 'QUEUE_FULL':
      case 'TOO_MANY_IN_FLIGHT':
      case 'RESOURCE_LIMIT':
        return new SqsError('OverLimit', e.message);
      case 'ACCESS_REFUSED':
      case 'VHOST_ACCESS_REFUSED':
        return new SqsError('AccessDenied', e.message);
      case 'CLOSED':
        return new SqsError('ServiceUnavailable', e.message);
      default:
        return new SqsError('InternalError', e.message);
    }
  }
  return new SqsError('InternalError', 'We encountered an internal error. Please try again.');
}
