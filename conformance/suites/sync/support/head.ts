/**
 * The target's chain as JSON-RPC shows it: its head number, and whether the
 * block it holds at a height is the fixture's. Sync tests judge the outcome
 * by these (tests that call them require 'rpc').
 */
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import type { TargetSession } from '../../../core/context.js';
import { fail } from '../../../core/failure.js';
import type { ChainView } from './chain-view.js';
import { rpcOrFail } from '../../txpool-broadcast/support/rpc.js';

const POLL_MS = 100;

export async function headNumber(session: TargetSession): Promise<number> {
  const result = await rpcOrFail(session, 'eth_blockNumber');
  if (typeof result !== 'string' || !/^0x[0-9a-f]+$/i.test(result)) fail('eth_blockNumber did not return a quantity', 'a hex quantity', JSON.stringify(result));
  return Number(BigInt(result));
}

/** Polls eth_blockNumber until it reaches `number` or `timeoutMs` passes; returns the last head seen. */
export async function waitForHead(session: TargetSession, number: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let head = await headNumber(session);
  while (head < number && Date.now() < deadline && !session.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    head = await headNumber(session);
  }
  return head;
}

/** The hash of the target's canonical block at `number` (lower-case hex, no 0x), or undefined if it has none. */
export async function canonicalHash(session: TargetSession, number: number): Promise<string | undefined> {
  const block = (await rpcOrFail(session, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false])) as { hash?: unknown } | null;
  if (block === null) return undefined;
  if (typeof block.hash !== 'string') fail(`eth_getBlockByNumber(${number}) returned a block without a hash`, 'a block object with a hash', JSON.stringify(block).slice(0, 120));
  return block.hash.replace(/^0x/, '').toLowerCase();
}

/**
 * Waits until the target's head is the view's head (by number and hash);
 * fails with what the target holds instead.
 */
export async function expectSyncedTo(session: TargetSession, view: ChainView, timeoutMs: number, what: string): Promise<void> {
  const want = view.head.number;
  const head = await waitForHead(session, want, timeoutMs);
  if (head < want) fail(`the target did not sync to block ${want} ${what}: its head is ${head} after ${timeoutMs} ms`, `head ${want}`, `head ${head}`);
  const hash = await canonicalHash(session, want);
  const expected = bytesToHex(view.hashes[want]!);
  if (hash !== expected) fail(`the target's block ${want} is not the one the honest peer served ${what}`, `block ${want} = 0x${expected}`, hash ? `0x${hash}` : 'no block');
}
