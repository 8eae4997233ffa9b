/**
 * Checking bodies and receipts against the fixture's headers, as a syncing
 * node must (eth.md, Block Encoding and Validity; Receipt Encoding and
 * Validity): the transactions trie, the ommers hash and the withdrawals trie
 * of a body, and the receipts trie of a receipt list, recomputed from what
 * the target sent. The tries are @ethereumjs/mpt's (through chain/roots),
 * not the serving node's, and the roots they are compared with are in the
 * fixture's headers.
 */
import { ommersHash, orderedTrieRoot, transactionsRoot, withdrawalsRoot } from '../../../../reference-node/chain/roots.js';
import type { BlockBody, BlockHeader } from '../../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import { logsBloom, receiptEth66ToRlp } from '../../../../reference-node/wire/eth/receipts.js';
import type { Receipt, ReceiptWithBloom } from '../../../../reference-node/wire/eth/types.js';
import { encodeRlp } from '../../../../reference-node/wire/rlp.js';

export interface RootMismatch {
  field: string;
  expected: string;
  actual: string;
}

const hex = (b: Uint8Array | undefined): string => (b === undefined ? 'absent' : `0x${bytesToHex(b)}`);

/** The first commitment of `header` that `body` does not meet, or undefined. */
export async function bodyMismatch(header: BlockHeader, body: BlockBody): Promise<RootMismatch | undefined> {
  const txRoot = await transactionsRoot(body.transactions);
  if (hex(txRoot) !== hex(header.transactionsRoot)) return { field: 'transactionsRoot', expected: hex(header.transactionsRoot), actual: hex(txRoot) };
  const uncles = ommersHash(body.uncles);
  if (hex(uncles) !== hex(header.ommersHash)) return { field: 'ommersHash', expected: hex(header.ommersHash), actual: hex(uncles) };
  if (header.withdrawalsRoot !== undefined) {
    if (body.withdrawals === undefined) return { field: 'withdrawals', expected: `a list matching withdrawalsRoot ${hex(header.withdrawalsRoot)}`, actual: 'no withdrawals list' };
    const wRoot = await withdrawalsRoot(body.withdrawals);
    if (hex(wRoot) !== hex(header.withdrawalsRoot)) return { field: 'withdrawalsRoot', expected: hex(header.withdrawalsRoot), actual: hex(wRoot) };
  } else if (body.withdrawals !== undefined) {
    return { field: 'withdrawals', expected: 'no withdrawals list (the header has no withdrawalsRoot)', actual: `${body.withdrawals.length} withdrawals` };
  }
  return undefined;
}

/**
 * The receipts root of a list as the consensus encodes it. eth/66-68 carry
 * the bloom, which is hashed as sent (a wrong bloom must not pass); eth/69+
 * dropped it (EIP-7642), so it is recomputed from the logs, as the spec
 * tells the receiver to.
 */
export function receiptsRootOf(receipts: readonly (Receipt | ReceiptWithBloom)[]): Promise<Uint8Array> {
  return orderedTrieRoot(
    receipts.map((r) => {
      const bloom = 'bloom' in r ? r.bloom : logsBloom(r.logs);
      const item = receiptEth66ToRlp({ ...r, bloom });
      return item instanceof Uint8Array ? item : encodeRlp(item);
    }),
  );
}

export async function receiptsMismatch(header: BlockHeader, receipts: readonly (Receipt | ReceiptWithBloom)[]): Promise<RootMismatch | undefined> {
  const root = await receiptsRootOf(receipts);
  if (hex(root) === hex(header.receiptsRoot)) return undefined;
  return { field: 'receiptsRoot', expected: hex(header.receiptsRoot), actual: `${hex(root)} (from ${receipts.length} receipts)` };
}
