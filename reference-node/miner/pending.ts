/** What a miner takes transactions from (the txpool implements it). */
import type { Transaction } from '../wire/tx/types.js';

export interface PendingTxSource {
  /** Executable transactions in a valid order: each sender's in nonce order, starting at its current nonce. */
  pending(): Transaction[];
}
