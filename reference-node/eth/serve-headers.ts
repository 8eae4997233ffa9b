/**
 * Answering GetBlockHeaders, as geth's ServiceGetBlockHeadersQuery does:
 * walk from the origin by skip+1 in either direction, stop at the first
 * block we lack (a query past the head gets fewer headers, never an error),
 * at the requested amount, at 1024 headers, or once the encoded headers reach
 * the 2 MiB soft limit (the header that crosses it is still sent, as geth).
 *
 * Origin by hash may name a non-canonical block. Going forward from it is
 * only possible while it is canonical (geth checks that the next header's
 * ancestor is the current one); going backward follows parent hashes, at most
 * 100 steps off the canonical chain as geth's maxNonCanonical.
 */
import { headerHash, type BlockHeader } from '../wire/block.js';
import { equalBytes } from '../wire/bytes.js';
import type { GetBlockHeaders } from '../wire/eth/types.js';
import { MAX_HEADERS_SERVE, SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import type { ChainReader } from './chain-reader.js';
import { fault } from '../faults/index.js';
import { servedHeaderRlp } from './served-rlp.js';

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_NON_CANONICAL = 100;

export interface HeaderServeLimits {
  maxHeaders: number;
  softBytes: number;
}

const DEFAULT_LIMITS: HeaderServeLimits = { maxHeaders: MAX_HEADERS_SERVE, softBytes: SOFT_RESPONSE_LIMIT };

export function serveHeaders(
  chain: ChainReader,
  query: Pick<GetBlockHeaders, 'origin' | 'amount' | 'skip' | 'reverse'>,
  limits: HeaderServeLimits = DEFAULT_LIMITS,
): BlockHeader[] {
  const maxHeaders = fault('eth-serve-1025-headers') ? limits.maxHeaders + 1 : limits.maxHeaders;
  const wanted = query.amount < BigInt(maxHeaders) ? Number(query.amount) : maxHeaders;
  if (wanted === 0) return [];
  let current = 'hash' in query.origin ? chain.headerByHash(query.origin.hash) : chain.headerByNumber(query.origin.number);
  if (current && 'hash' in query.origin && fault('eth-non-canonical-by-number')) current = chain.headerByNumber(current.number);
  const headers: BlockHeader[] = [];
  const step = query.skip + 1n;
  let bytes = 0;
  let nonCanonicalBudget = MAX_NON_CANONICAL;
  // Headers found by number are canonical; only one found by hash (or by its parents) needs the check.
  let knownCanonical = !('hash' in query.origin);
  while (current && headers.length < wanted && bytes < limits.softBytes) {
    headers.push(current);
    bytes += servedHeaderRlp(current).length;
    if (headers.length === wanted || bytes >= limits.softBytes) break;
    current = query.reverse && !fault('eth-ignore-reverse') ? stepBack(current) : stepForward(current);
  }
  return headers;

  function isCanonical(header: BlockHeader, hash: Uint8Array): boolean {
    const canonical = chain.hashByNumber(header.number);
    return canonical !== undefined && equalBytes(canonical, hash);
  }

  function stepForward(from: BlockHeader): BlockHeader | undefined {
    const next = fault('eth-skip-overflow-wrap') ? (from.number + step) & MAX_UINT64 : from.number + step;
    // geth's "skip overflow attack" guard: a uint64 wrap would restart from a low block.
    if (next > MAX_UINT64) return undefined;
    // A side-chain block's descendants are not reachable by number.
    if (!knownCanonical && !isCanonical(from, headerHash(from))) return undefined;
    knownCanonical = true;
    return chain.headerByNumber(next);
  }

  function stepBack(from: BlockHeader): BlockHeader | undefined {
    if (from.number < step) return undefined;
    const target = from.number - step;
    let header = from;
    if (!knownCanonical) {
      // Off the canonical chain, parents are the only way back; bounded as geth bounds it.
      let hash = headerHash(from);
      while (!isCanonical(header, hash)) {
        if (nonCanonicalBudget-- <= 0) return undefined;
        const parent = chain.headerByHash(header.parentHash);
        if (!parent) return undefined;
        hash = header.parentHash;
        header = parent;
        if (header.number === target) return header;
      }
      knownCanonical = true;
    }
    return header.number === target ? header : chain.headerByNumber(target);
  }
}
