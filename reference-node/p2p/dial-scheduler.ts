/**
 * Decides whom to dial and when, as geth's dialScheduler (p2p/dial.go):
 *
 * - Dial slots: connected dialed peers plus dials in flight never exceed
 *   `maxDialPeers` (the server's maxPeers / dialRatio; 0 when dialing is off),
 *   nor `maxActiveDials` in flight. geth overcommits (twice the free peer slots
 *   in flight, expecting failures); we do not, so the dial-ratio cap holds
 *   exactly.
 * - Static nodes come first and are kept connected: after a failed dial or a
 *   disconnect they are dialed again after an exponential backoff (geth waits
 *   a flat dialHistoryExpiration, 35 s). A session that lasted longer than the
 *   maximum backoff resets it.
 * - Dynamic candidates are pulled from async iterables (discovery) only
 *   while a slot is free, so an iterator that produces nodes lazily is never
 *   drained for nothing. A candidate dialed within `historyMs` is skipped.
 *   Several sources may be added; each takes a free slot when it has a node
 *   (geth mixes sources with FairMix; we do not try to be fair).
 * - Never dialed: ourselves, a connected peer, a node being dialed. A static
 *   node that is us is reported and dropped (geth logs and removes it).
 *
 * The scheduler knows nodes by hex public key and does no I/O: `dial` does
 * the work and resolves when the attempt is over; the server tells it which
 * peers are connected.
 */
import type { PublicKey } from '../wire/keys.js';
import { keyHex } from './peer-info.js';

/** A node to dial. Enode (with udpPort) fits; discovery results need no UDP port. */
export interface DialTarget {
  publicKey: PublicKey;
  ip: string;
  tcpPort: number;
  udpPort?: number;
}

export type DialKind = 'static' | 'dynamic';

/** geth's dialHistoryExpiration: inboundThrottleTime + 5 s, so a redial does not hit the remote's throttle. */
export const DEFAULT_DIAL_HISTORY_MS = 35_000;
export const DEFAULT_STATIC_BACKOFF = { initialMs: 1_000, maxMs: 35_000 } as const;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export interface DialSchedulerOptions {
  self: PublicKey;
  maxDialPeers: number;
  maxActiveDials: number;
  historyMs: number;
  backoff: BackoffOptions;
  /** Runs one dial attempt; resolves (or rejects, which is the same) when it is over. */
  dial(target: DialTarget, kind: DialKind): Promise<void>;
  /** A static node that will never be dialed, and why. */
  onUndialable?(target: DialTarget, why: 'self'): void;
  /** A candidate iterator threw; that source is dropped. */
  onCandidateError?(err: unknown): void;
  now?: () => number;
}

interface StaticEntry {
  target: DialTarget;
  /** Failed dials and disconnects since the last stable session. */
  failures: number;
  nextDialAt: number;
  connectedAt: number | undefined;
  /** It became a peer while our dial was in flight: that dial's end is not a failure even if the peer is already gone. */
  connectedDuringDial: boolean;
}

export function backoffDelay(failures: number, backoff: BackoffOptions): number {
  if (failures <= 0) return 0;
  // Cap the exponent so 2 ** n stays finite for long outages.
  return Math.min(backoff.initialMs * 2 ** Math.min(failures - 1, 30), backoff.maxMs);
}

export class DialScheduler {
  private readonly self: string;
  private readonly now: () => number;
  private readonly statics = new Map<string, StaticEntry>();
  private readonly dialing = new Map<string, DialKind>();
  private readonly peers = new Set<string>();
  /** Dynamic candidates dialed recently: key → time the entry expires. */
  private readonly history = new Map<string, number>();
  private dialPeers = 0;
  private running = false;
  private stopped = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private slotWaiters: Array<() => void> = [];
  private readonly sources: AsyncIterable<DialTarget>[] = [];
  private readonly iterators = new Set<AsyncIterator<DialTarget>>();

  constructor(private readonly options: DialSchedulerOptions) {
    this.self = keyHex(options.self);
    this.now = options.now ?? Date.now;
  }

  /** Starts dialing static nodes, and candidates if given. */
  start(candidates?: AsyncIterable<DialTarget>): void {
    if (this.running || this.stopped) throw new Error('dial scheduler already started');
    this.running = true;
    if (candidates) this.sources.push(candidates);
    for (const source of this.sources.splice(0)) this.addCandidates(source);
    this.tick();
  }

  /** Adds a source of dynamic candidates (before or after start). */
  addCandidates(source: AsyncIterable<DialTarget>): void {
    if (this.stopped || this.options.maxDialPeers <= 0) return;
    if (!this.running) this.sources.push(source);
    else void this.pump(source);
  }

  /** Stops scheduling; dials in flight are the caller's to cancel. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    for (const wake of this.slotWaiters.splice(0)) wake();
    // A pending next() may never settle (discovery waiting for nodes); return() asks the source to finish.
    for (const iterator of this.iterators) void iterator.return?.().catch(() => undefined);
    this.iterators.clear();
  }

  /** geth's addStatic: a node already in the set is left as it is. */
  addStatic(target: DialTarget): void {
    const key = keyHex(target.publicKey);
    if (key === this.self) {
      this.options.onUndialable?.(target, 'self');
      return;
    }
    if (this.statics.has(key)) return;
    this.statics.set(key, { target, failures: 0, nextDialAt: 0, connectedAt: undefined, connectedDuringDial: false });
    this.tick();
  }

  /** Forgets a static node; a dial in flight finishes but is not repeated. */
  removeStatic(publicKey: PublicKey): boolean {
    const removed = this.statics.delete(keyHex(publicKey));
    if (removed) this.tick();
    return removed;
  }

  isStatic(publicKey: PublicKey): boolean {
    return this.statics.has(keyHex(publicKey));
  }

  peerAdded(publicKey: PublicKey, dialed: boolean): void {
    const key = keyHex(publicKey);
    this.peers.add(key);
    if (dialed) this.dialPeers++;
    const entry = this.statics.get(key);
    if (entry) {
      entry.connectedAt = this.now();
      if (this.dialing.has(key)) entry.connectedDuringDial = true;
    }
    this.tick();
  }

  peerRemoved(publicKey: PublicKey, dialed: boolean): void {
    const key = keyHex(publicKey);
    this.peers.delete(key);
    if (dialed) this.dialPeers--;
    const entry = this.statics.get(key);
    if (entry) {
      const now = this.now();
      if (entry.connectedAt !== undefined && now - entry.connectedAt >= this.options.backoff.maxMs) entry.failures = 0;
      entry.connectedAt = undefined;
      this.fail(entry, now);
    }
    this.tick();
  }

  /** Dials in flight and connected dialed peers, for tests and stats. */
  get stats(): { dialing: number; dialPeers: number; statics: number } {
    return { dialing: this.dialing.size, dialPeers: this.dialPeers, statics: this.statics.size };
  }

  /** When a static node will next be dialed (ms since epoch), or undefined if it is connected, being dialed or unknown. */
  nextStaticDial(publicKey: PublicKey): number | undefined {
    const key = keyHex(publicKey);
    const entry = this.statics.get(key);
    if (!entry || this.peers.has(key) || this.dialing.has(key)) return undefined;
    return entry.nextDialAt;
  }

  private freeSlots(): number {
    const peerRoom = this.options.maxDialPeers - this.dialPeers - this.dialing.size;
    const activeRoom = this.options.maxActiveDials - this.dialing.size;
    return Math.min(peerRoom, activeRoom);
  }

  /** Starts what can start now, then sleeps until the next static node is due. */
  private tick(): void {
    if (!this.running) return;
    const now = this.now();
    let free = this.freeSlots();
    let nextDue = Infinity;
    for (const [key, entry] of this.statics) {
      if (this.peers.has(key) || this.dialing.has(key)) continue;
      if (entry.nextDialAt > now) {
        nextDue = Math.min(nextDue, entry.nextDialAt);
        continue;
      }
      if (free <= 0) continue;
      this.startDial(key, entry.target, 'static');
      free--;
    }
    this.armWake(nextDue, now);
    if (free > 0) for (const wake of this.slotWaiters.splice(0)) wake();
  }

  private armWake(at: number, now: number): void {
    if (at === this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = at;
    if (at === Infinity) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      this.tick();
    }, Math.max(0, at - now));
  }

  private startDial(key: string, target: DialTarget, kind: DialKind): void {
    this.dialing.set(key, kind);
    let attempt: Promise<void>;
    try {
      attempt = this.options.dial(target, kind);
    } catch (err) {
      attempt = Promise.reject(err);
    }
    void attempt.catch(() => undefined).then(() => this.dialDone(key));
  }

  private dialDone(key: string): void {
    this.dialing.delete(key);
    const entry = this.statics.get(key);
    if (entry) {
      // A dial that produced a peer is not a failure (peerRemoved accounts for its end); anything else was.
      if (!entry.connectedDuringDial && !this.peers.has(key)) this.fail(entry, this.now());
      entry.connectedDuringDial = false;
    }
    this.tick();
  }

  private fail(entry: StaticEntry, now: number): void {
    entry.failures++;
    entry.nextDialAt = now + backoffDelay(entry.failures, this.options.backoff);
  }

  /** Why a dynamic candidate is skipped, or undefined if it may be dialed. */
  private skipReason(target: DialTarget, now: number): string | undefined {
    const key = keyHex(target.publicKey);
    if (key === this.self) return 'self';
    if (target.tcpPort === 0) return 'no TCP port';
    if (this.dialing.has(key)) return 'already dialing';
    if (this.peers.has(key)) return 'already connected';
    // Static nodes have their own schedule and backoff.
    if (this.statics.has(key)) return 'static';
    const until = this.history.get(key);
    if (until !== undefined && until > now) return 'recently dialed';
    return undefined;
  }

  private async pump(candidates: AsyncIterable<DialTarget>): Promise<void> {
    const iterator = candidates[Symbol.asyncIterator]();
    this.iterators.add(iterator);
    try {
      for (;;) {
        while (!this.stopped && this.freeSlots() <= 0) await this.wake();
        if (this.stopped) return;
        const next = await iterator.next();
        if (next.done || this.stopped) return;
        // Another source or a static dial may have taken the slot while we waited for the node.
        // From the last check of this loop to startDial nothing awaits, so the slot is still ours.
        while (!this.stopped && this.freeSlots() <= 0) await this.wake();
        if (this.stopped) return;
        const now = this.now();
        if (this.skipReason(next.value, now) !== undefined) continue;
        this.expireHistory(now);
        const key = keyHex(next.value.publicKey);
        this.history.set(key, now + this.options.historyMs);
        this.startDial(key, next.value, 'dynamic');
      }
    } catch (err) {
      if (!this.stopped) this.options.onCandidateError?.(err);
    } finally {
      this.iterators.delete(iterator);
    }
  }

  /** Resolves at the next tick that found a free slot, or on stop. */
  private wake(): Promise<void> {
    return new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  private expireHistory(now: number): void {
    for (const [key, until] of this.history) {
      if (until <= now) this.history.delete(key);
    }
  }
}
