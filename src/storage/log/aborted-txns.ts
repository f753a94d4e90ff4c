/**
 * One segment's aborted transactions in memory: the entries of its .txnindex (TxnAbortedEntry
 * in layout.ts), in marker order, as one Float64Array of four columns (offsets and producer ids
 * are exact to 2^53). 32 bytes per aborted transaction still in the log, with no cap: forgetting
 * one would show its records to read_committed consumers.
 */
import { assert } from '../../core/errors.js';
import type { AbortedTxn } from '../types.js';

const STRIDE = 4;
const INITIAL_CAPACITY = 8;

export class AbortedTxns {
  private cols = new Float64Array(INITIAL_CAPACITY * STRIDE);
  count = 0;

  push(producerId: number, firstOffset: number, lastOffset: number, lastStableOffset: number): void {
    assert(this.count === 0 || lastOffset > this.lastOffset(this.count - 1), 'aborted transactions are kept in marker order');
    assert(firstOffset <= lastOffset, 'an aborted transaction starts before its marker');
    if ((this.count + 1) * STRIDE > this.cols.length) {
      const grown = new Float64Array(this.cols.length * 2);
      grown.set(this.cols);
      this.cols = grown;
    }
    const at = this.count * STRIDE;
    this.cols[at] = producerId;
    this.cols[at + 1] = firstOffset;
    this.cols[at + 2] = lastOffset;
    this.cols[at + 3] = lastStableOffset;
    this.count++;
  }

  producerId(i: number): number {
    return this.cols[i * STRIDE]!;
  }
  firstOffset(i: number): number {
    return this.cols[i * STRIDE + 1]!;
  }
  lastOffset(i: number): number {
    return this.cols[i * STRIDE + 2]!;
  }
  lastStableOffset(i: number): number {
    return this.cols[i * STRIDE + 3]!;
  }

  entry(i: number): AbortedTxn {
    return { producerId: this.producerId(i), firstOffset: this.firstOffset(i), lastOffset: this.lastOffset(i), lastStableOffset: this.lastStableOffset(i) };
  }
}
