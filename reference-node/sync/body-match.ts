/**
 * Bodies against headers, before anything is executed (geth's queue checks
 * the same on delivery): a body belongs to a header when its transactions
 * hash to the header's transactions root, its uncles to the ommers hash, and
 * its withdrawals (present exactly when the header has a withdrawals root) to
 * that root. A header that commits to an empty body needs no download.
 */
import { EMPTY_TRIE_ROOT, ommersHash, transactionsRoot, withdrawalsRoot } from '../chain/roots.js';
import { EMPTY_OMMERS_HASH, type BlockBody, type BlockHeader } from '../wire/block.js';
import { equalBytes } from '../wire/bytes.js';

/** The body a header commits to when it commits to nothing, else undefined. */
export function emptyBodyFor(header: BlockHeader): BlockBody | undefined {
  if (!equalBytes(header.transactionsRoot, EMPTY_TRIE_ROOT) || !equalBytes(header.ommersHash, EMPTY_OMMERS_HASH)) return undefined;
  if (header.withdrawalsRoot === undefined) return { transactions: [], uncles: [] };
  return equalBytes(header.withdrawalsRoot, EMPTY_TRIE_ROOT) ? { transactions: [], uncles: [], withdrawals: [] } : undefined;
}

/** What a body commits to, computed once and compared to any number of headers. */
export interface BodyDigest {
  transactionsRoot: Uint8Array;
  ommersHash: Uint8Array;
  withdrawalsRoot: Uint8Array | undefined;
}

export async function digestBody(body: BlockBody): Promise<BodyDigest> {
  return {
    transactionsRoot: await transactionsRoot(body.transactions),
    ommersHash: ommersHash(body.uncles),
    withdrawalsRoot: body.withdrawals === undefined ? undefined : await withdrawalsRoot(body.withdrawals),
  };
}

export function bodyMatches(header: BlockHeader, digest: BodyDigest): boolean {
  if (!equalBytes(digest.transactionsRoot, header.transactionsRoot) || !equalBytes(digest.ommersHash, header.ommersHash)) return false;
  if (header.withdrawalsRoot === undefined || digest.withdrawalsRoot === undefined) return header.withdrawalsRoot === digest.withdrawalsRoot;
  return equalBytes(digest.withdrawalsRoot, header.withdrawalsRoot);
}
