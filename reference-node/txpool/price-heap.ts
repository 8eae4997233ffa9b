/**
 * The pool's cheapest-first index of remote transactions, as geth's
 * legacypool pricedList: when the pool is full, a new remote tx must beat the
 * cheapest one (Underpriced), and room is made by dropping the cheapest ones
 * (Discard). Local txs are never in it, so they are never evicted for price.
 *
 * Price order is geth's priceHeap.cmp at the next block's base fee: effective
 * tip, then fee cap, then tip cap. geth keeps two heaps (by effective tip and
 * by fee cap, 4:1); one heap by effective tip is the simplification here.
 *
 * Removal is lazy: the pool says which items are still live, stale ones are
 * skipped when they reach the top, and the heap is rebuilt once a quarter of
 * it is stale (geth's stales counter does the same).
 */
import type { Transaction } from '../wire/tx/types.js';
import { effectiveTip, feeCap, tipCap } from './validation.js';

export interface Priced {
  tx: Transaction;
  slots: number;
}

/** Negative when a is cheaper than b. */
export function comparePrice(a: Transaction, b: Transaction, baseFee: bigint | undefined): number {
  const c = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
  return c(effectiveTip(a, baseFee), effectiveTip(b, baseFee)) || c(feeCap(a), feeCap(b)) || c(tipCap(a), tipCap(b));
}

export class PriceHeap<T extends Priced> {
  private items: T[] = [];
  private stales = 0;

  constructor(
    /** Whether an item is still in the pool and remote. */
    private readonly isLive: (item: T) => boolean,
    private baseFee: bigint | undefined,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** Tell the heap an item left the pool (or became local). */
  removed(count = 1): void {
    this.stales += count;
    if (this.stales > this.items.length / 4) this.rebuild();
  }

  /** Re-sorts for a new base fee (geth's SetBaseFee/Reheap after a new head). */
  setBaseFee(baseFee: bigint | undefined): void {
    this.baseFee = baseFee;
    this.rebuild();
  }

  /** geth's Underpriced: the tx is no better than the cheapest remote tx; false when there is none. */
  underpriced(tx: Transaction): boolean {
    const cheapest = this.peek();
    return cheapest !== undefined && comparePrice(cheapest.tx, tx, this.baseFee) >= 0;
  }

  /**
   * geth's Discard: the cheapest live items worth at least `slots` slots, taken
   * out of the heap. When there are not enough and `force` is false, nothing
   * is taken and success is false; with `force` (a local tx) whatever there is
   * is taken.
   */
  discard(slots: number, force: boolean): { drop: T[]; success: boolean } {
    const drop: T[] = [];
    let freed = 0;
    while (freed < slots) {
      const item = this.pop();
      if (item === undefined) break;
      drop.push(item);
      freed += item.slots;
    }
    if (freed < slots && !force) {
      for (const item of drop) this.push(item);
      return { drop: [], success: false };
    }
    return { drop, success: freed >= slots };
  }

  /** Live items, for tests and diagnostics. */
  get size(): number {
    return this.items.filter(this.isLive).length;
  }

  private peek(): T | undefined {
    for (;;) {
      const top = this.items[0];
      if (top === undefined || this.isLive(top)) return top;
      this.popTop();
      if (this.stales > 0) this.stales--;
    }
  }

  private pop(): T | undefined {
    const top = this.peek();
    if (top !== undefined) this.popTop();
    return top;
  }

  private popTop(): void {
    const last = this.items.pop();
    if (last !== undefined && this.items.length > 0) {
      this.items[0] = last;
      this.down(0);
    }
  }

  private rebuild(): void {
    this.items = this.items.filter(this.isLive);
    this.stales = 0;
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(i: number, j: number): boolean {
    return comparePrice(this.items[i]!.tx, this.items[j]!.tx, this.baseFee) < 0;
  }

  private swap(i: number, j: number): void {
    const t = this.items[i]!;
    this.items[i] = this.items[j]!;
    this.items[j] = t;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.less(l, min)) min = l;
      if (r < n && this.less(r, min)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }
}
