/**
 * The checks an inbound Transactions message must pass before anything else
 * looks at it, as geth's handleTransactions (eth/protocols/eth/handlers.go)
 * and its handler's TransactionsPacket case:
 *   - at most 5000 transactions (geth maxTransactionAnnouncements);
 *   - no blob transaction: EIP-4844 allows them only by announcement and
 *     GetPooledTransactions ("disallowed broadcast blob transaction");
 *   - no hash twice in one message ("multiple copies of the same hash").
 * Each is a plain error in geth, so the peer goes with 0x10 (see reasons.ts).
 */
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import { BLOB_TX_TYPE, type Hash32, type Transaction } from '../wire/tx/types.js';
import { EthProtocolError } from './reasons.js';

/** geth's maxTransactionAnnouncements: the most transactions one Transactions message may carry. */
export const MAX_TRANSACTIONS_PER_MESSAGE = 5000;

/** Returns the hashes of `txs` in order, or throws EthProtocolError for a message the peer must not send. */
export function checkInboundTransactions(txs: readonly Transaction[]): Hash32[] {
  if (txs.length > MAX_TRANSACTIONS_PER_MESSAGE) {
    throw new EthProtocolError('tooManyTransactions', `Transactions with ${txs.length} txs (at most ${MAX_TRANSACTIONS_PER_MESSAGE})`);
  }
  const seen = new Set<string>();
  const hashes: Hash32[] = [];
  for (const [i, tx] of txs.entries()) {
    if (tx.type === BLOB_TX_TYPE) throw new EthProtocolError('blobTxBroadcast', `Transactions item ${i} is a blob transaction`);
    const hash = transactionHash(tx);
    const key = bytesToHex(hash);
    if (seen.has(key)) throw new EthProtocolError('duplicateTransaction', `Transactions carries 0x${key} twice`);
    seen.add(key);
    hashes.push(hash);
  }
  return hashes;
}
