/**
 * Answering GetBlockBodies as geth's ServiceGetBlockBodiesQuery: bodies in
 * request order, at most 1024, stop once the encoded bodies reach the 2 MiB
 * soft limit, look at no more than 2048 hashes. An unknown hash is skipped
 * (eth.md leaves it open; geth skipped until 2025 and now stops; skipping
 * gives the requester more per round trip, and it must match bodies to
 * headers by their roots anyway).
 */
import type { BlockBody } from '../wire/block.js';
import { MAX_BODIES_SERVE, SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import type { ChainReader } from './chain-reader.js';
import { fault } from '../faults/index.js';
import { servedBodyRlp } from './served-rlp.js';

export function serveBodies(chain: ChainReader, hashes: readonly Uint8Array[]): BlockBody[] {
  const bodies: BlockBody[] = [];
  let bytes = 0;
  for (let lookups = 0; lookups < hashes.length; lookups++) {
    if (bytes >= SOFT_RESPONSE_LIMIT || bodies.length >= MAX_BODIES_SERVE || lookups >= 2 * MAX_BODIES_SERVE) break;
    const body = chain.bodyByHash(hashes[lookups]!);
    if (!body) continue;
    bodies.push(body);
    bytes += servedBodyRlp(body).length;
  }
  return fault('eth-bodies-wrong-order') ? bodies.reverse() : bodies;
}
