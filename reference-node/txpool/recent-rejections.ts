/**
 * Hashes the pool refused for a reason that will not go away by fetching the
 * tx again, remembered for a while so the tx fetcher skips their
 * announcements. geth's txfetcher keeps such a set for underpriced txs
 * (maxTxUnderpricedSetSize 32768, maxTxUnderpricedTimeout 5 min); here the
 * pool keeps it, so every path into the pool feeds it.
 */
import type { Transaction } from '../wire/tx/types.js';
import type { TxRejection } from './validation.js';

export const REJECTED_SET_SIZE = 32_768;
export const REJECTED_TIMEOUT_MS = 5 * 60_000;

/**
 * Rejections that say "do not fetch this hash again soon": geth's three
 * underpriced errors, plus failures that are a property of the signed tx
 * itself and so hold for every copy with this hash. Left out: anything that
 * can change with the chain or the pool (funds, gas limit, forks, limits), and
 * sidecar faults, because the hash does not cover the sidecar and another
 * peer may deliver the same tx with a good one.
 */
export function isDoNotRefetch(reason: TxRejection, tx: Transaction): boolean {
  switch (reason) {
    case 'underpriced':
    case 'replacementUnderpriced':
    case 'tipBelowMinimum':
    case 'nonceTooLow':
    case 'invalidSender':
    case 'wrongChainId':
    case 'intrinsicGas':
    case 'floorDataGas':
    case 'tipAboveFeeCap':
    case 'initCodeTooLarge':
    case 'nonceMax':
    case 'noAuthorizations':
      return true;
    case 'oversized':
      return tx.type !== 3;
    default:
      return false;
  }
}

export class RecentRejections {
  /** Insertion order is age order (a re-add moves the hash to the end). */
  private readonly at = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly capacity = REJECTED_SET_SIZE,
    private readonly timeoutMs = REJECTED_TIMEOUT_MS,
  ) {}

  add(key: string): void {
    this.at.delete(key);
    this.at.set(key, this.now());
    while (this.at.size > this.capacity) {
      const oldest = this.at.keys().next();
      if (oldest.done === true) break;
      this.at.delete(oldest.value);
    }
  }

  has(key: string): boolean {
    const when = this.at.get(key);
    if (when === undefined) return false;
    if (this.now() - when > this.timeoutMs) {
      this.at.delete(key);
      return false;
    }
    return true;
  }

  /** A tx that entered the pool is no longer "rejected". */
  delete(key: string): void {
    this.at.delete(key);
  }
}
