/**
 * Producer ids, for idempotent and transactional producers alike. Ids start from the clock (in
 * units of 2^10 per ms) so a restarted broker does not reissue an id still in use; transactional
 * ids keep theirs across restarts through the transaction state log.
 */
let nextProducerId = 0;

export function allocateProducerId(nowMs: number): number {
  nextProducerId = Math.max(nextProducerId + 1, nowMs * 1024);
  return nextProducerId;
}
