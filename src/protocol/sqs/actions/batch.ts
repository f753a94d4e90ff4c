/** What the batch actions share: per-entry failures in AWS's BatchResultErrorEntry shape. */
import { toSqsError } from '../errors.js';

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export function failure(id: string, e: unknown): BatchFailure {
  const err = toSqsError(e);
  return { Id: id, SenderFault: err.kind.sender, Code: err.kind.code, Message: err.message };
}
