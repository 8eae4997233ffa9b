/**
 * Faults planted in the node for the txpool-broadcast, block-broadcast and
 * sync conformance suites; see ./index.ts. Each breaks one rule of tx or
 * block gossip, the tx fetcher, the pool or the sync, at the narrowest point.
 */
import type { FaultDefinition } from './types.js';

export const BROADCAST_FAULTS: readonly FaultDefinition[] = [
  { name: 'tx-echo-to-sender', description: 'a new tx is also sent whole to the peer it came from (eth.md Transactions: must not relay a tx to the peer it came from)' },
  { name: 'tx-push-to-all', description: 'new txs go whole to every peer instead of about sqrt(n) (eth.md Transaction Exchange: a small fraction)' },
  { name: 'tx-announce-size-off', description: 'eth/68 broadcast announcements name each tx 100 bytes larger than its encoding (EIP-5793 sizes)' },
  { name: 'tx-no-initial-announce', description: 'a new peer is not told about the txs already in the pool (eth.md Transaction Exchange: initial NewPooledTransactionHashes)' },
  { name: 'tx-fetch-over-cap', description: 'the tx fetcher puts every queued hash in one GetPooledTransactions, ignoring 256 hashes / 128 KiB' },
  { name: 'tx-fetch-no-retry', description: 'an unanswered GetPooledTransactions is never moved on to another announcer' },
  { name: 'txpool-accept-underpriced-replacement', description: 'the pool lets a same-nonce tx replace a pooled one without the 10 % fee bump (and relays it)' },
  { name: 'block-push-to-all', description: 'NewBlock goes to every peer instead of about sqrt(n) (eth.md Block Propagation)' },
  { name: 'block-echo-to-sender', description: 'block gossip ignores which peers know a block, so it goes back to its sender (eth.md Block Propagation)' },
  { name: 'block-repropagate-known', description: 'a NewBlock for a block we already hold is announced to the peers again' },
  { name: 'block-ignore-announcements', description: 'NewBlockHashes are ignored: announced blocks are never fetched' },
  { name: 'block-keep-bad-peer', description: 'a peer that sent an invalid block (bad header, mismatching body) is not disconnected (eth.md: should disconnect)' },
  { name: 'sync-not-best-peer', description: 'the legacy sync picks the peer with the lowest total difficulty above ours, not the highest' },
  { name: 'sync-no-drop-liar', description: 'the sync keeps a peer that lied, withheld data or timed out, and tries it again instead of dropping it' },
  { name: 'sync-oversized-header-request', description: 'the sync asks for 2048 headers per GetBlockHeaders, beyond the 1024 a server answers' },
  { name: 'sync-beacon-ignore-target', description: 'a forkchoiceUpdated head we lack does not start the post-merge sync' },
];
