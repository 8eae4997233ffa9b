/**
 * Requests to one peer with the checks geth's downloader applies to each
 * answer: headers must be the ones asked for (hash, number, spacing) and link
 * by parent hash; bodies must match their headers' commitments. A peer that
 * answers nothing where it must have data, or answers wrongly, or not in
 * time, is at fault (PeerFault); a peer that went away is PeerGone.
 *
 * Partial answers are fine (a server may stop at its 2 MiB soft limit or skip
 * a body it lacks): the rest is asked for again. An empty one is not.
 */
import { RequestAbortedError, RequestTimeoutError } from '../eth/request-tracker.js';
import type { EthRequest } from '../eth/eth-peer.js';
import type { ResponseFor } from '../eth/request-tracker.js';
import { headerHash, type Block, type BlockBody } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { bodyMatches, digestBody, emptyBodyFor } from './body-match.js';
import { abortable, PeerFault, PeerGone } from './errors.js';
import type { HashedHeader, SyncPeer } from './types.js';
import { fault } from '../faults/index.js';

/** geth's MaxHeaderFetch: headers per request. */
export const MAX_HEADER_FETCH = 192;
/** geth's MaxBlockFetch: bodies per request. */
export const MAX_BODY_FETCH = 128;
/** Body requests in flight at once for one batch of headers. */
const BODY_REQUESTS_IN_FLIGHT = 4;
/**
 * Requests in flight to one peer at once. A server answers one at a time; more
 * than a few only queue there, and a queued request's timeout runs all the same.
 */
export const MAX_REQUESTS_IN_FLIGHT = 4;

export interface FetchContext {
  peer: SyncPeer;
  signal: AbortSignal;
  timeoutMs?: number;
  /** Shared by every request of a round to this peer. */
  slots?: RequestSlots;
}

/** A counting semaphore: at most `size` tasks at once, the rest wait in order. */
export class RequestSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const short = (hash: Uint8Array) => `0x${bytesToHex(hash).slice(0, 12)}…`;

async function ask<R extends EthRequest>(ctx: FetchContext, req: R): Promise<ResponseFor<R['kind']>> {
  const options = ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs };
  const send = () => abortable(ctx.peer.request(req, options), ctx.signal);
  try {
    return await (ctx.slots ? ctx.slots.run(send) : send());
  } catch (err) {
    if (err instanceof RequestTimeoutError) throw new PeerFault('timeout', err.message);
    if (err instanceof RequestAbortedError) throw new PeerGone(err.message);
    throw err;
  }
}

function hashed(headers: readonly HashedHeader['header'][]): HashedHeader[] {
  return headers.map((header) => ({ header, hash: headerHash(header) }));
}

/** The header with this hash, or undefined when the peer says it has none. */
export async function fetchHeaderByHash(ctx: FetchContext, hash: Uint8Array): Promise<HashedHeader | undefined> {
  const { headers } = await ask(ctx, { kind: 'GetBlockHeaders', origin: { hash }, amount: 1n, skip: 0n, reverse: false });
  const first = hashed(headers)[0];
  if (first === undefined) return undefined;
  if (!equalBytes(first.hash, hash)) throw new PeerFault('bad-header', `asked for header ${short(hash)}, got ${short(first.hash)}`);
  return first;
}

/** Up to `count` headers from `from`, `skip` apart, checked for their numbers; possibly fewer. */
export async function fetchHeadersByNumber(ctx: FetchContext, from: bigint, count: number, skip: number): Promise<HashedHeader[]> {
  const { headers } = await ask(ctx, { kind: 'GetBlockHeaders', origin: { number: from }, amount: BigInt(count), skip: BigInt(skip), reverse: false });
  headers.forEach((h, i) => {
    const want = from + BigInt(i) * BigInt(skip + 1);
    if (h.number !== want) throw new PeerFault('bad-header', `header ${i} of a query from ${from} (skip ${skip}) is number ${h.number}, not ${want}`);
  });
  return hashed(headers);
}

/**
 * The headers after `parent` up to and including `last`, which the peer
 * vouched for earlier (skeleton or head): they must link from one to the other.
 */
export async function fetchHeaderRange(ctx: FetchContext, parent: { number: bigint; hash: Uint8Array }, last: HashedHeader): Promise<HashedHeader[]> {
  const out: HashedHeader[] = [];
  let prev = parent;
  while (prev.number < last.header.number) {
    const count = Number(last.header.number - prev.number);
    const got = await fetchHeadersByNumber(ctx, prev.number + 1n, fault('sync-oversized-header-request') ? 2048 : Math.min(count, MAX_HEADER_FETCH), 0);
    if (got.length === 0) throw new PeerFault('withheld', `no headers from ${prev.number + 1n}, below its announced block ${last.header.number}`);
    for (const h of got) {
      if (!equalBytes(h.header.parentHash, prev.hash)) throw new PeerFault('bad-header', `header ${h.header.number} does not link to its parent ${short(prev.hash)}`);
      out.push(h);
      prev = { number: h.header.number, hash: h.hash };
    }
  }
  if (!equalBytes(prev.hash, last.hash)) throw new PeerFault('bad-header', `headers up to ${last.header.number} end at ${short(prev.hash)}, not at the announced ${short(last.hash)}`);
  return out;
}

/** Up to `amount` headers going back from `hash` by parent links, newest first; possibly fewer, never none. */
export async function fetchHeadersBack(ctx: FetchContext, hash: Uint8Array, amount: number): Promise<HashedHeader[]> {
  const { headers } = await ask(ctx, { kind: 'GetBlockHeaders', origin: { hash }, amount: BigInt(amount), skip: 0n, reverse: true });
  const out = hashed(headers);
  if (out.length === 0) throw new PeerFault('withheld', `no headers back from ${short(hash)}`);
  let want = hash;
  let number: bigint | undefined;
  for (const h of out) {
    if (!equalBytes(h.hash, want)) throw new PeerFault('bad-header', `header ${h.header.number} is ${short(h.hash)}, not the parent ${short(want)} asked for`);
    if (number !== undefined && h.header.number !== number - 1n) throw new PeerFault('bad-header', `header ${short(h.hash)} has number ${h.header.number} below ${number}`);
    want = h.header.parentHash;
    number = h.header.number;
  }
  return out;
}

/** The blocks of `headers` (linked, ascending): empty bodies filled in, the rest downloaded and matched. */
export async function fetchBlocks(ctx: FetchContext, headers: readonly HashedHeader[]): Promise<Block[]> {
  const bodies: (BlockBody | undefined)[] = headers.map((h) => emptyBodyFor(h.header));
  const missing = headers.map((_, i) => i).filter((i) => bodies[i] === undefined);
  const chunks: number[][] = [];
  for (let i = 0; i < missing.length; i += MAX_BODY_FETCH) chunks.push(missing.slice(i, i + MAX_BODY_FETCH));
  // A few chunks at a time; each keeps asking until all of its bodies are in.
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      await fetchBodies(ctx, chunk, headers, bodies);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BODY_REQUESTS_IN_FLIGHT, chunks.length) }, worker));
  return headers.map((h, i) => ({ header: h.header, ...bodies[i]! }));
}

async function fetchBodies(ctx: FetchContext, indices: number[], headers: readonly HashedHeader[], into: (BlockBody | undefined)[]): Promise<void> {
  let pending = indices;
  while (pending.length > 0) {
    const res = await ask(ctx, { kind: 'GetBlockBodies', hashes: pending.map((i) => headers[i]!.hash) });
    if (res.bodies.length === 0) throw new PeerFault('withheld', `no bodies for ${pending.length} blocks from ${headers[pending[0]!]!.header.number}`);
    // Bodies come in request order, but a server may skip ones it lacks: match each to the next header it fits.
    let at = 0;
    for (const body of res.bodies) {
      const digest = await digestBody(body);
      while (at < pending.length && !bodyMatches(headers[pending[at]!]!.header, digest)) at++;
      if (at === pending.length) throw new PeerFault('bad-body', `a body matches none of the ${pending.length} headers asked for (from block ${headers[pending[0]!]!.header.number})`);
      into[pending[at]!] = body;
      at++;
    }
    pending = pending.filter((i) => into[i] === undefined);
  }
}
