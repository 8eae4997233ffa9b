/**
 * The commitments a header makes to its body and results: the ordered tries of
 * transactions, withdrawals and receipts (an MPT keyed by rlp(index), as
 * geth's types.DeriveSha), the ommers hash, the logs bloom and the EIP-7685
 * requests hash. Pure functions of the items; no chain state.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ommersHashOf, withdrawalToRlp, type BlockHeader, type Withdrawal } from '../wire/block.js';
import { concatBytes } from '../wire/bytes.js';
import { logsBloom, receiptEth66ToRlp } from '../wire/eth/receipts.js';
import type { Receipt } from '../wire/eth/types.js';
import { keccak256 } from '../wire/keys.js';
import { encodeRlp } from '../wire/rlp.js';
import { encodeCanonicalTransaction } from '../wire/tx/codec.js';
import type { Hash32, Transaction } from '../wire/tx/types.js';
import { StateTrie, type TrieNodeStore } from './state-trie.js';

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT: Hash32 = keccak256(encodeRlp(new Uint8Array(0)));

/** A trie built in memory and thrown away: nothing is read back, nothing kept. */
const NOWHERE: TrieNodeStore = { read: async () => undefined, write: () => undefined };

/** The root of a trie holding values[i] at key rlp(i). */
export async function orderedTrieRoot(values: readonly Uint8Array[]): Promise<Hash32> {
  if (values.length === 0) return EMPTY_TRIE_ROOT;
  const trie = StateTrie.create(NOWHERE, { hashKeys: false, cacheSize: 0 });
  for (let i = 0; i < values.length; i++) await trie.put(encodeRlp(i), values[i]!);
  return trie.root();
}

export function transactionsRoot(txs: readonly Transaction[]): Promise<Hash32> {
  // The consensus form: legacy is its RLP list, typed is type || rlp(payload); never a sidecar.
  return orderedTrieRoot(txs.map(encodeCanonicalTransaction));
}

export function withdrawalsRoot(withdrawals: readonly Withdrawal[]): Promise<Hash32> {
  return orderedTrieRoot(withdrawals.map((w, i) => encodeRlp(withdrawalToRlp(w, `withdrawals[${i}]`))));
}

/** The consensus encoding of a receipt: the eth/66 form with its bloom, typed ones as type || rlp(...). */
export function encodeConsensusReceipt(receipt: Receipt): Uint8Array {
  const item = receiptEth66ToRlp({ ...receipt, bloom: logsBloom(receipt.logs) });
  return item instanceof Uint8Array ? item : encodeRlp(item);
}

export function receiptsRoot(receipts: readonly Receipt[]): Promise<Hash32> {
  return orderedTrieRoot(receipts.map(encodeConsensusReceipt));
}

/** The block bloom: the OR of every receipt's log bloom, which is the bloom of all logs together. */
export function blockLogsBloom(receipts: readonly Receipt[]): Uint8Array {
  return logsBloom(receipts.flatMap((r) => r.logs));
}

export function ommersHash(uncles: readonly BlockHeader[]): Hash32 {
  return ommersHashOf([...uncles]);
}

/**
 * EIP-7685: sha256 over the sha256 of each request (type byte || data), leaving
 * out requests with no data.
 */
export function requestsHash(requests: readonly Uint8Array[]): Hash32 {
  const parts = requests.filter((r) => r.length > 1).map((r) => sha256(r));
  return sha256(concatBytes(...parts));
}
