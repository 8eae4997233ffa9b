/**
 * One pre-merge full-sync round against one peer, as geth's downloader
 * syncWithPeer in full mode: fetch the peer's head header, find the common
 * ancestor, then download headers as a skeleton (every 192nd header, up to
 * 128 per request) whose gaps are filled and linked to both ends, fetch the
 * bodies, and import in order while later segments download.
 *
 * Every header and body comes from this one peer, so whatever is wrong with
 * them (including blocks that fail validation on import) is its fault.
 * geth spreads fills and bodies over all idle peers; one source keeps the
 * blame simple, and on loopback the import, not the network, is the limit.
 */
import { BlockValidationError } from '../chain/errors.js';
import type { Block } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { findAncestor, type Ancestor } from './ancestor.js';
import { PeerFault } from './errors.js';
import { fetchBlocks, fetchHeaderByHash, fetchHeaderRange, fetchHeadersByNumber, MAX_HEADER_FETCH, type FetchContext } from './fetch.js';
import { runPipeline } from './pipeline.js';
import type { HashedHeader, SyncChain } from './types.js';

/** geth's MaxSkeletonSize: skeleton headers per request. */
export const MAX_SKELETON_SIZE = 128;

export interface RoundTuning {
  /** Skeleton spacing: blocks per segment (geth: MaxHeaderFetch, 192). Smaller only in tests. */
  segmentSize: number;
  /** Skeleton headers per request (geth: MaxSkeletonSize, 128). */
  skeletonSize: number;
  /** Segments downloading ahead of the import. */
  window: number;
  /** Most blocks per chain.importBlocks call. */
  maxImportBatch: number;
}

export const DEFAULT_ROUND_TUNING: RoundTuning = { segmentSize: MAX_HEADER_FETCH, skeletonSize: MAX_SKELETON_SIZE, window: 8, maxImportBatch: 512 };

export interface RoundProgress {
  /** Set once the ancestor is known. */
  onAncestor(ancestor: Ancestor, remoteHeight: bigint): void;
  /** After each import call, with the number of blocks it wrote. */
  onImported(count: number): void;
}

export interface LegacyRoundOutcome {
  /** The peer's head as downloaded, with the total difficulty our chain computed for it. */
  remoteHead: { number: bigint; hash: Uint8Array; td: bigint };
}

/** Runs the round; throws PeerFault when the peer is to blame. */
export async function runLegacyRound(
  ctx: FetchContext,
  chain: SyncChain,
  progress: RoundProgress,
  tuning: RoundTuning = DEFAULT_ROUND_TUNING,
): Promise<LegacyRoundOutcome> {
  const claimed = ctx.peer.head;
  const remote = await fetchHeaderByHash(ctx, claimed.hash);
  if (remote === undefined) throw new PeerFault('withheld', `no header for its own head 0x${bytesToHex(claimed.hash)}`);
  if (chain.headerByHash(remote.hash) === undefined) {
    const ancestor = await findAncestor(ctx, chain, remote.header.number);
    progress.onAncestor(ancestor, remote.header.number);
    await runPipeline(
      segmentTasks(ctx, ancestor, remote, Math.min(tuning.segmentSize, MAX_HEADER_FETCH), Math.min(tuning.skeletonSize, MAX_SKELETON_SIZE)),
      async (blocks) => {
        progress.onImported(await importOrBlame(chain, blocks));
      },
      { window: tuning.window, maxBatch: tuning.maxImportBatch, signal: ctx.signal },
    );
  }

  const td = chain.tdByHash(remote.hash);
  if (td === undefined) throw new Error(`unreachable: block ${remote.header.number} was imported but is not stored`);
  if (claimed.td !== undefined && td < claimed.td) {
    // geth's errStallingPeer: it promised a heavier chain than it delivered.
    throw new PeerFault('false-td', `its head ${remote.header.number} has total difficulty ${td}, it claimed ${claimed.td}`);
  }
  return { remoteHead: { number: remote.header.number, hash: remote.hash, td } };
}

/** Imports a batch; a block that breaks a rule is the sending peer's fault. */
export async function importOrBlame(chain: SyncChain, blocks: Block[], setHead?: 'never'): Promise<number> {
  try {
    const result = await chain.importBlocks(blocks, setHead === undefined ? {} : { setHead });
    return result.imported;
  } catch (err) {
    if (err instanceof BlockValidationError) throw new PeerFault('invalid-chain', err.message);
    throw err;
  }
}

/**
 * The download tasks in order: skeleton headers (every segmentSize-th block
 * after the ancestor) fetched lazily, up to 128 per request, and one task per gap
 * between consecutive anchors; the last anchor is the peer's head itself.
 */
async function* segmentTasks(ctx: FetchContext, ancestor: Ancestor, remote: HashedHeader, segmentSize: number, skeletonSize: number): AsyncGenerator<() => Promise<Block[]>> {
  let parent: { number: bigint; hash: Uint8Array } = ancestor;
  const step = BigInt(segmentSize);
  while (parent.number < remote.header.number) {
    // Skeleton anchors strictly below the head: parent + 192, + 384, ...
    const below = (remote.header.number - parent.number - 1n) / step;
    const count = Number(below < BigInt(skeletonSize) ? below : BigInt(skeletonSize));
    let anchors: HashedHeader[] = [];
    if (count > 0) {
      anchors = await fetchHeadersByNumber(ctx, parent.number + step, count, segmentSize - 1);
      if (anchors.length === 0) throw new PeerFault('withheld', `no skeleton headers from ${parent.number + step}, below its head ${remote.header.number}`);
    }
    if (anchors.length === count && BigInt(count) === below) anchors.push(remote);
    for (const anchor of anchors) {
      const from = parent;
      yield async () => fetchBlocks(ctx, await fetchHeaderRange(ctx, from, anchor));
      parent = { number: anchor.header.number, hash: anchor.hash };
    }
  }
}
