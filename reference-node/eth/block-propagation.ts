/**
 * Pre-merge block gossip, as geth's handler.BroadcastBlock:
 *
 *   - broadcastBlock (geth's propagate=true): the full block goes as NewBlock
 *     to floor(sqrt(n)) of the peers that do not know it yet, n being the
 *     number of those peers (geth: peersWithoutBlock, then
 *     `transfer := peers[:int(math.Sqrt(float64(len(peers))))]`);
 *   - announceBlock (propagate=false): NewBlockHashes to every peer that
 *     still does not know it. The block must be in our chain by then (geth
 *     checks HasBlock), since the announcement invites GetBlockHeaders.
 *
 * Which peers get the full block is random, as in geth (whose peer set is
 * a Go map), so the first peers to connect do not carry every block.
 *
 * Sending marks the block known for the recipient, so a mined block
 * (broadcast, then announce) reaches each peer once: with 9 peers, 3 get it
 * whole and 6 get its hash; with 10 peers, 3 and 7. A peer that sent or
 * announced the block to us already knows it and gets nothing back.
 *
 * After the merge the consensus layer spreads blocks, and NewBlock and
 * NewBlockHashes are forbidden (EIP-3675), so every method is then a no-op.
 */
import { headerHash, type Block } from '../wire/block.js';
import type { Hash32 } from '../wire/tx/types.js';
import type { EthPeer } from './eth-peer.js';
import { fault } from '../faults/index.js';

/** What propagation needs of a peer (EthPeer has it all). */
export type BlockGossipPeer = Pick<EthPeer, 'connected' | 'knowsBlock' | 'sendNewBlock' | 'sendNewBlockHashes'>;

export interface BlockPropagationOptions {
  /** The peers past the eth handshake (e.g. EthProtocols.peers). */
  peers: () => readonly BlockGossipPeer[];
  /** True once the chain is past the merge: then nothing is sent. Default: never. */
  isPostMerge?: () => boolean;
}

/** Who got what from one call, for logs and tests. */
export interface GossipResult {
  full: number;
  announced: number;
}

export class BlockPropagation {
  private readonly peers: () => readonly BlockGossipPeer[];
  private readonly isPostMerge: () => boolean;

  constructor(options: BlockPropagationOptions) {
    this.peers = options.peers;
    this.isPostMerge = options.isPostMerge ?? (() => false);
  }

  /** The connected peers not known to have `hash`, in the order the peer source gives them. */
  peersWithoutBlock(hash: Uint8Array): BlockGossipPeer[] {
    return this.peers().filter((p) => p.connected && (fault('block-echo-to-sender') || !p.knowsBlock(hash)));
  }

  /**
   * Sends the full block, with `td` (the total difficulty including this
   * block), to floor(sqrt(n)) of the n peers that lack it.
   */
  broadcastBlock(block: Block, td: bigint, hash: Hash32 = headerHash(block.header)): GossipResult {
    if (this.isPostMerge()) return { full: 0, announced: 0 };
    const without = shuffled(this.peersWithoutBlock(hash));
    const transfer = fault('block-push-to-all') ? without : without.slice(0, Math.floor(Math.sqrt(without.length)));
    for (const peer of transfer) peer.sendNewBlock(block, td, hash);
    return { full: transfer.length, announced: 0 };
  }

  /** Announces a block of our chain by hash and number to every peer that lacks it. */
  announceBlock(hash: Hash32, number: bigint): GossipResult {
    if (this.isPostMerge()) return { full: 0, announced: 0 };
    const without = this.peersWithoutBlock(hash);
    for (const peer of without) peer.sendNewBlockHashes([{ hash, number }]);
    return { full: 0, announced: without.length };
  }

  /**
   * A block we sealed and imported: propagate first, then announce to the
   * rest (geth's minedBroadcastLoop).
   */
  publishMinedBlock(block: Block, td: bigint): GossipResult {
    if (this.isPostMerge()) return { full: 0, announced: 0 };
    const hash = headerHash(block.header);
    const { full } = this.broadcastBlock(block, td, hash);
    const { announced } = this.announceBlock(hash, block.header.number);
    return { full, announced };
  }
}

/** A uniformly shuffled copy (Fisher-Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
