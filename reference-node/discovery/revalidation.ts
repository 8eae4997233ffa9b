/**
 * Which table node to ping next, after geth's table_reval.go. Every node in
 * the table sits in one of two lists: "fast" for nodes just added, whose
 * endpoint changed, or that missed a ping; "slow" (three times the interval)
 * for nodes that answered. Each list, when due, yields one random node that
 * is not already being checked, then schedules itself a random time within
 * its interval. Pure scheduling: the table applies the outcome, the service
 * sends the pings.
 */
import { bytesToHex } from '../wire/bytes.js';
import type { NodeId } from '../wire/keys.js';

/** geth: the slow list runs at PingInterval * 3. */
export const SLOW_REVALIDATION_FACTOR = 3;

export interface Revalidatable {
  node: { nodeId: NodeId };
  revalList?: RevalidationList | undefined;
}

export class RevalidationList<E extends Revalidatable = Revalidatable> {
  readonly nodes: E[] = [];
  /** When the list may yield its next node (ms); Infinity while empty. */
  nextTime = Infinity;

  constructor(
    readonly name: 'fast' | 'slow',
    readonly intervalMs: number,
  ) {}

  /** A random node not in `exclude`, if the list is due; undefined otherwise. */
  get(now: number, random: () => number, exclude: ReadonlySet<string>): E | undefined {
    if (now < this.nextTime || this.nodes.length === 0) return undefined;
    // A few random draws rather than a scan, as geth: with most nodes idle, one draw nearly always hits.
    for (let i = 0; i < this.nodes.length * 3; i++) {
      const n = this.nodes[Math.floor(random() * this.nodes.length)]!;
      if (!exclude.has(bytesToHex(n.node.nodeId))) return n;
    }
    return undefined;
  }

  schedule(now: number, random: () => number): void {
    this.nextTime = now + Math.floor(random() * this.intervalMs);
  }

  push(n: E, now: number, random: () => number): void {
    this.nodes.push(n);
    if (this.nextTime === Infinity) this.schedule(now, random);
    n.revalList = this as RevalidationList;
  }

  remove(n: E): void {
    const i = this.nodes.indexOf(n);
    if (i === -1) throw new Error(`revalidation: node ${bytesToHex(n.node.nodeId)} is not in the ${this.name} list`);
    this.nodes.splice(i, 1);
    if (this.nodes.length === 0) this.nextTime = Infinity;
    n.revalList = undefined;
  }
}

export class Revalidation<E extends Revalidatable = Revalidatable> {
  readonly fast: RevalidationList<E>;
  readonly slow: RevalidationList<E>;
  /** IDs (hex) with a ping in flight: never picked twice at once. */
  readonly active = new Set<string>();

  constructor(
    intervalMs: number,
    private readonly random: () => number,
  ) {
    this.fast = new RevalidationList<E>('fast', intervalMs);
    this.slow = new RevalidationList<E>('slow', intervalMs * SLOW_REVALIDATION_FACTOR);
  }

  nodeAdded(n: E, now: number): void {
    this.fast.push(n, now, this.random);
  }

  nodeRemoved(n: E): void {
    if (n.revalList === undefined) throw new Error(`revalidation: removed node ${bytesToHex(n.node.nodeId)} is in no list`);
    (n.revalList as RevalidationList<E>).remove(n);
  }

  /** A node whose IP or port changed is checked again soon. */
  moveToFast(n: E, now: number): void {
    this.moveTo(this.fast, n, now);
  }

  moveToSlow(n: E, now: number): void {
    this.moveTo(this.slow, n, now);
  }

  /**
   * The nodes to ping now (at most one per list), marked active; and when to
   * call again. The caller must report each outcome with done().
   */
  run(now: number): { due: E[]; nextTime: number } {
    const due: E[] = [];
    for (const list of [this.fast, this.slow]) {
      const n = list.get(now, this.random, this.active);
      if (n === undefined) continue;
      this.active.add(bytesToHex(n.node.nodeId));
      list.schedule(now, this.random);
      due.push(n);
    }
    return { due, nextTime: Math.min(this.fast.nextTime, this.slow.nextTime) };
  }

  done(n: E): void {
    this.active.delete(bytesToHex(n.node.nodeId));
  }

  private moveTo(dest: RevalidationList<E>, n: E, now: number): void {
    if (n.revalList === dest) return;
    if (n.revalList !== undefined) (n.revalList as RevalidationList<E>).remove(n);
    dest.push(n, now, this.random);
  }
}
