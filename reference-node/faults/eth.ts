/** Faults planted in the node for the eth conformance suite(s); see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const ETH_FAULTS: readonly FaultDefinition[] = [
  { name: 'eth-accept-wrong-genesis', description: 'Status: a peer whose genesis hash differs from ours is accepted' },
  { name: 'eth-accept-any-forkid', description: 'Status: the EIP-2124 fork ID filter is skipped, any fork ID is accepted' },
  { name: 'eth-wrong-forkid', description: 'Status: we announce a fork ID whose hash is not our chain\'s' },
  { name: 'eth-no-blockrange-validation', description: 'eth/69+: a Status or BlockRangeUpdate with earliest > latest is accepted' },
  { name: 'eth-no-status-timeout', description: 'Status: a peer that never sends its Status is kept forever' },
  { name: 'eth-serve-before-status', description: 'Status: a GetBlockHeaders sent before the Status is served and the session goes on' },
  { name: 'eth-wrong-request-id', description: 'BlockHeaders answers carry the request id plus one' },
  { name: 'eth-serve-1025-headers', description: 'GetBlockHeaders: up to 1025 headers per answer instead of 1024' },
  { name: 'eth-ignore-reverse', description: 'GetBlockHeaders: the reverse flag is ignored (always walks forward)' },
  { name: 'eth-non-canonical-by-number', description: 'GetBlockHeaders by hash: the origin is looked up by its number, so a side block is answered with the canonical one' },
  { name: 'eth-skip-overflow-wrap', description: 'GetBlockHeaders: the next block number wraps around at 2^64 (uint64 overflow)' },
  { name: 'eth-bodies-wrong-order', description: 'BlockBodies: bodies in reverse request order' },
  { name: 'eth-receipts-wrong-bloom', description: 'Receipts eth/66-68: every receipt carries an all-ones bloom' },
  { name: 'eth-receipts-ignore-first-index', description: 'GetReceipts eth/70: firstBlockReceiptIndex is ignored' },
  { name: 'eth-pooled-txs-silent', description: 'GetPooledTransactions for which the pool has nothing is not answered' },
  { name: 'eth-accept-postmerge-newblock', description: 'after the merge, NewBlock and NewBlockHashes are accepted instead of dropping the peer' },
  { name: 'eth-accept-oversized-message', description: 'eth messages above 10 MiB are processed instead of dropping the peer' },
];
