/**
 * The common ancestor of our chain and a peer's, as geth's downloader
 * findAncestor: first one request for a span of headers spaced over the range
 * where the fork most likely is (just below our head up to the peer's head),
 * taking the highest one we hold; if none, a binary search over block numbers,
 * one header per step. An ancestor more than 90000 blocks below our head is
 * refused (geth's fullMaxForkAncestry: a deep rewrite is an attack).
 */
import { fetchHeadersByNumber, MAX_HEADER_FETCH, type FetchContext } from './fetch.js';
import { PeerFault } from './errors.js';
import type { SyncChain } from './types.js';

/** geth's params.FullImmutabilityThreshold. */
export const MAX_FORK_ANCESTRY = 90_000n;

export interface RequestSpan {
  from: bigint;
  count: number;
  skip: number;
  /** The highest number the span covers. */
  max: bigint;
}

/**
 * geth's calculateRequestSpan: at most MaxHeaderFetch/16 headers, 2 to 16
 * blocks apart, ending one below the peer's head and reaching down to one below ours.
 */
export function requestSpan(remoteHeight: bigint, localHeight: bigint): RequestSpan {
  const maxCount = BigInt(MAX_HEADER_FETCH / 16);
  const requestHead = remoteHeight > 0n ? remoteHeight - 1n : 0n;
  const requestBottom = localHeight > 0n ? localHeight - 1n : 0n;
  const totalSpan = requestHead - requestBottom;
  let span = 1n + totalSpan / maxCount;
  if (span < 2n) span = 2n;
  if (span > 16n) span = 16n;
  let count = 1n + totalSpan / span;
  if (count > maxCount) count = maxCount;
  if (count < 2n) count = 2n;
  let from = requestHead - (count - 1n) * span;
  if (from < 0n) from = 0n;
  return { from, count: Number(count), skip: Number(span - 1n), max: from + (count - 1n) * span };
}

export interface Ancestor {
  number: bigint;
  hash: Uint8Array;
}

export async function findAncestor(ctx: FetchContext, chain: SyncChain, remoteHeight: bigint): Promise<Ancestor> {
  const localHeight = chain.head().number;
  const floor = localHeight >= MAX_FORK_ANCESTRY ? localHeight - MAX_FORK_ANCESTRY : -1n;
  const known = (hash: Uint8Array) => chain.headerByHash(hash) !== undefined;

  const span = requestSpan(remoteHeight, localHeight);
  const headers = await fetchHeadersByNumber(ctx, span.from, span.count, span.skip);
  if (headers.length === 0) throw new PeerFault('withheld', `no headers for the ancestor span from ${span.from}`);
  for (let i = headers.length - 1; i >= 0; i--) {
    const h = headers[i]!;
    if (h.header.number > span.max || !known(h.hash)) continue;
    if (h.header.number <= floor) throw new PeerFault('bad-header', `common ancestor ${h.header.number} is below the reorg floor ${floor}`);
    return { number: h.header.number, hash: h.hash };
  }

  // Nothing in the span: binary search. The genesis is common (the handshake checked it).
  let start = floor > 0n ? floor : 0n;
  let end = remoteHeight;
  let startHash = chain.hashByNumber(start);
  while (start + 1n < end) {
    const check = (start + end) / 2n;
    const [h] = await fetchHeadersByNumber(ctx, check, 1, 0);
    if (h === undefined) throw new PeerFault('withheld', `no header ${check}, below its head ${remoteHeight}`);
    if (!known(h.hash)) {
      end = check;
      continue;
    }
    start = check;
    startHash = h.hash;
  }
  if (start <= floor || startHash === undefined) throw new PeerFault('bad-header', `common ancestor ${start} is below the reorg floor ${floor}`);
  return { number: start, hash: startHash };
}
