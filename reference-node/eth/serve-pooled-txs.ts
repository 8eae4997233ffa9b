/**
 * Answering GetPooledTransactions: the pool's transactions in request order,
 * unknown hashes skipped (eth.md allows gaps), at most 256 of them (the
 * spec's recommended request size; "the recipient may enforce an arbitrary
 * limit") and stop once the encoded transactions reach 2 MiB. Without a pool
 * the answer is an empty list, which eth.md allows when nothing matches.
 */
import { MAX_POOLED_TX_REQUEST, SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import { encodeTransaction } from '../wire/tx/codec.js';
import type { Transaction } from '../wire/tx/types.js';

export interface PooledTransactionSource {
  get(hash: Uint8Array): Transaction | undefined;
}

export function servePooledTransactions(pool: PooledTransactionSource | undefined, hashes: readonly Uint8Array[]): Transaction[] {
  if (!pool) return [];
  const txs: Transaction[] = [];
  let bytes = 0;
  for (const hash of hashes) {
    if (bytes >= SOFT_RESPONSE_LIMIT || txs.length >= MAX_POOLED_TX_REQUEST) break;
    const tx = pool.get(hash);
    if (!tx) continue;
    txs.push(tx);
    bytes += encodeTransaction(tx).length;
  }
  return txs;
}
