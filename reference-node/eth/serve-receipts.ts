/**
 * Answering GetReceipts in each version's encoding:
 *   eth/66-68: receipts with the bloom, which the chain does not store, so it
 *              is derived here from the logs (logsBloom);
 *   eth/69:    the flat form without bloom (EIP-7642);
 *   eth/70:    as eth/69, the first list starting at firstBlockReceiptIndex,
 *              and the last list cut with lastBlockIncomplete when the whole
 *              message would pass 10 MiB (EIP-7975).
 * Limits as geth: at most 1024 lists, no new list once the response holds
 * 2 MiB, at most 2048 hashes looked at. An unknown block is skipped up to
 * eth/69 (geth's behaviour at those versions and the brief's rule); at eth/70
 * the response ends there, as eth.md's Receipts section says ("it should end
 * the response at that block").
 */
import { receiptEth66ToRlp, receiptEth69ToRlp, logsBloom } from '../wire/eth/receipts.js';
import { MAX_MESSAGE_SIZE, MAX_RECEIPTS_SERVE, PARTIAL_RECEIPTS_THRESHOLD, SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import type { EthVersion, GetReceipts, Receipt, Receipts, ReceiptWithBloom } from '../wire/eth/types.js';
import { encodeRlp, type RlpInput } from '../wire/rlp.js';
import type { ChainReader } from './chain-reader.js';
import { fault } from '../faults/index.js';

/**
 * Room kept for what wraps the receipt lists: the message's list header, the
 * request id and the flag, and each list's own header. geth measures only the
 * lists against 10 MiB, which can leave its whole message a few bytes over
 * the 10 MiB a receiver accepts; keeping this margin keeps ours under.
 */
const ENVELOPE_RESERVE = 64;
const LIST_HEADER_MAX = 9;

/** Size of one element of a receipt list: a legacy list, or a typed receipt as an RLP string. */
function encodedSize(item: RlpInput): number {
  return encodeRlp(item).length;
}

export function withBloom(receipts: readonly Receipt[]): ReceiptWithBloom[] {
  return receipts.map((r) => ({ ...r, bloom: logsBloom(r.logs) }));
}

export interface ReceiptServeLimits {
  /** eth/70 cut-off for the whole message; default 10 MiB. */
  partialThreshold: number;
  softBytes: number;
  maxLists: number;
}

const DEFAULT_LIMITS: ReceiptServeLimits = {
  partialThreshold: Math.min(PARTIAL_RECEIPTS_THRESHOLD, MAX_MESSAGE_SIZE),
  softBytes: SOFT_RESPONSE_LIMIT,
  maxLists: MAX_RECEIPTS_SERVE,
};

export function serveReceipts(
  chain: ChainReader,
  version: EthVersion,
  request: GetReceipts,
  limits: ReceiptServeLimits = DEFAULT_LIMITS,
): Receipts {
  const { requestId } = request;
  if (version <= 68) {
    const lists = collectWhole(chain, request.hashes, limits, (r) => encodedSize(receiptEth66ToRlp({ ...r, bloom: logsBloom(r.logs) })));
    const receipts = fault('eth-receipts-wrong-bloom') ? lists.map((l) => l.map((r) => ({ ...r, bloom: new Uint8Array(256).fill(0xff) }))) : lists.map(withBloom);
    return { kind: 'Receipts', form: 'eth66', requestId, receipts };
  }
  if (version === 69) {
    const lists = collectWhole(chain, request.hashes, limits, (r) => encodedSize(receiptEth69ToRlp(r)));
    return { kind: 'Receipts', form: 'eth69', requestId, receipts: lists };
  }
  const first = request.form === 'eth70' && !fault('eth-receipts-ignore-first-index') ? request.firstBlockReceiptIndex : 0n;
  const { lists, incomplete } = collectPartial(chain, request.hashes, first, limits);
  return { kind: 'Receipts', form: 'eth70', requestId, lastBlockIncomplete: incomplete, receipts: lists };
}

/** eth/66-69: whole lists, unknown blocks skipped. */
function collectWhole(
  chain: ChainReader,
  hashes: readonly Uint8Array[],
  limits: ReceiptServeLimits,
  sizeOf: (r: Receipt) => number,
): Receipt[][] {
  const lists: Receipt[][] = [];
  let bytes = 0;
  for (let lookups = 0; lookups < hashes.length; lookups++) {
    if (bytes >= limits.softBytes || lists.length >= limits.maxLists || lookups >= 2 * limits.maxLists) break;
    const receipts = chain.receiptsByHash(hashes[lookups]!);
    if (!receipts) continue;
    lists.push(receipts);
    bytes += receipts.reduce((n, r) => n + sizeOf(r), LIST_HEADER_MAX);
  }
  return lists;
}

/** eth/70: the first list from `first`, the last one cut at the message limit, stop at an unknown block. */
function collectPartial(
  chain: ChainReader,
  hashes: readonly Uint8Array[],
  first: bigint,
  limits: ReceiptServeLimits,
): { lists: Receipt[][]; incomplete: boolean } {
  const lists: Receipt[][] = [];
  let bytes = 0;
  const budget = limits.partialThreshold - ENVELOPE_RESERVE;
  for (let i = 0; i < hashes.length; i++) {
    if (bytes >= limits.softBytes || lists.length >= limits.maxLists) break;
    const receipts = chain.receiptsByHash(hashes[i]!);
    if (!receipts) break;
    // An index past the end serves an empty list for that block, as geth does.
    const start = i === 0 ? (first > BigInt(receipts.length) ? receipts.length : Number(first)) : 0;
    const list: Receipt[] = [];
    let listBytes = LIST_HEADER_MAX;
    for (let j = start; j < receipts.length; j++) {
      const size = encodedSize(receiptEth69ToRlp(receipts[j]!));
      if (bytes + listBytes + size > budget) {
        // Not even the first wanted receipt fits: this block makes no progress, so the response ends before it.
        if (list.length === 0) return { lists, incomplete: false };
        lists.push(list);
        return { lists, incomplete: true };
      }
      list.push(receipts[j]!);
      listBytes += size;
    }
    lists.push(list);
    bytes += listBytes;
  }
  return { lists, incomplete: false };
}
