/**
 * The dial scheduler on a fake clock: static backoff, slot accounting, the
 * candidate pump, and the nodes it must never dial. Dials are promises the
 * test settles by hand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import { backoffDelay, DialScheduler, type DialKind, type DialSchedulerOptions, type DialTarget } from './dial-scheduler.js';
import { CandidateFeed } from './test-helpers.js';

interface PendingDial {
  target: DialTarget;
  kind: DialKind;
  at: number;
  settle(): void;
}

function node(port = 30303): DialTarget {
  return { publicKey: publicKeyOf(generatePrivateKey()), ip: '127.0.0.1', tcpPort: port };
}

function harness(overrides: Partial<DialSchedulerOptions> = {}) {
  const self = publicKeyOf(generatePrivateKey());
  const dials: PendingDial[] = [];
  const undialable: DialTarget[] = [];
  const scheduler = new DialScheduler({
    self,
    maxDialPeers: 4,
    maxActiveDials: 50,
    historyMs: 35_000,
    backoff: { initialMs: 1_000, maxMs: 4_000 },
    dial: (target, kind) => new Promise<void>((resolve) => dials.push({ target, kind, at: Date.now(), settle: resolve })),
    onUndialable: (target) => undialable.push(target),
    ...overrides,
  });
  return { self, scheduler, dials, undialable };
}

/** Lets promise callbacks run, then moves the fake clock. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const b = { initialMs: 1_000, maxMs: 35_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 1_000].map((f) => backoffDelay(f, b))).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 35_000, 35_000]);
  });
});

describe('DialScheduler static nodes', () => {
  it('dials at start, then after each failure waits 1 s, 2 s, 4 s, 4 s (the cap)', async () => {
    const { scheduler, dials } = harness();
    const target = node();
    scheduler.addStatic(target);
    scheduler.start();
    expect(dials).toHaveLength(1);
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const last = dials[dials.length - 1]!;
      last.settle(); // a failed attempt: the node never became a peer
      await advance(0);
      const before = dials.length;
      const wait = backoffDelay(i + 1, { initialMs: 1_000, maxMs: 4_000 });
      await advance(wait - 1);
      expect(dials).toHaveLength(before);
      await advance(1);
      expect(dials).toHaveLength(before + 1);
      gaps.push(dials[dials.length - 1]!.at - last.at);
    }
    expect(gaps).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(dials.every((d) => d.kind === 'static')).toBe(true);
    scheduler.stop();
  });

  it('leaves a connected static node alone, re-dials it after a disconnect, and resets the backoff after a long session', async () => {
    const { scheduler, dials } = harness();
    const target = node();
    scheduler.addStatic(target);
    scheduler.start();
    // Two failures build up the backoff to 2 s.
    dials[0]!.settle();
    await advance(1_000);
    dials[1]!.settle();
    await advance(2_000);
    expect(dials).toHaveLength(3);
    scheduler.peerAdded(target.publicKey, true);
    dials[2]!.settle();
    await advance(60_000);
    expect(dials).toHaveLength(3);

    // The session lasted longer than the cap: the next dial comes after the initial delay, not 4 s.
    scheduler.peerRemoved(target.publicKey, true);
    await advance(999);
    expect(dials).toHaveLength(3);
    await advance(1);
    expect(dials).toHaveLength(4);

    // A short session keeps growing the backoff: 1 failure so far → after this one 2 s.
    scheduler.peerAdded(target.publicKey, true);
    dials[3]!.settle();
    await advance(100);
    scheduler.peerRemoved(target.publicKey, true);
    await advance(1_999);
    expect(dials).toHaveLength(4);
    await advance(1);
    expect(dials).toHaveLength(5);
    scheduler.stop();
  });

  it('counts a session that ended before its dial finished as one disconnect, not two failures', async () => {
    const { scheduler, dials } = harness();
    const target = node();
    scheduler.addStatic(target);
    scheduler.start();
    scheduler.peerAdded(target.publicKey, true);
    scheduler.peerRemoved(target.publicKey, true);
    dials[0]!.settle();
    await advance(999);
    expect(dials).toHaveLength(1);
    await advance(1);
    expect(dials).toHaveLength(2);
    scheduler.stop();
  });

  it('does not dial a static node that connected inbound, and stops for one that was removed', async () => {
    const { scheduler, dials } = harness();
    const inbound = node();
    const removed = node();
    scheduler.peerAdded(inbound.publicKey, false);
    scheduler.addStatic(inbound);
    scheduler.addStatic(removed);
    scheduler.start();
    expect(dials.map((d) => d.target)).toEqual([removed]);
    expect(scheduler.removeStatic(removed.publicKey)).toBe(true);
    dials[0]!.settle();
    await advance(60_000);
    expect(dials).toHaveLength(1);
    scheduler.stop();
  });

  it('never dials itself and reports a static self', async () => {
    const { self, scheduler, dials, undialable } = harness();
    const me: DialTarget = { publicKey: self, ip: '127.0.0.1', tcpPort: 1 };
    scheduler.addStatic(me);
    scheduler.start();
    await advance(10_000);
    expect(dials).toEqual([]);
    expect(undialable).toEqual([me]);
    scheduler.stop();
  });

  it('dials nothing when maxDialPeers is 0 (noDial)', async () => {
    const feed = new CandidateFeed();
    feed.push(node());
    const { scheduler, dials } = harness({ maxDialPeers: 0 });
    scheduler.addStatic(node());
    scheduler.start(feed);
    await advance(10_000);
    expect(dials).toEqual([]);
    expect(feed.pulled).toBe(0);
    scheduler.stop();
  });

  it('keeps static dials within the dial slots, connected dialed peers included', async () => {
    const { scheduler, dials } = harness({ maxDialPeers: 2 });
    const statics = [node(), node(), node()];
    for (const s of statics) scheduler.addStatic(s);
    scheduler.start();
    expect(dials).toHaveLength(2);
    scheduler.peerAdded(dials[0]!.target.publicKey, true);
    dials[0]!.settle();
    await advance(0);
    // One peer, one dial in flight: no room for the third.
    expect(dials).toHaveLength(2);
    dials[1]!.settle();
    await advance(0);
    expect(dials).toHaveLength(3);
    expect(dials[2]!.target).toBe(statics[2]);
    scheduler.stop();
  });
});

describe('DialScheduler candidates', () => {
  it('pulls candidates only while a slot is free and fills freed slots', async () => {
    const feed = new CandidateFeed();
    const nodes = [node(), node(), node(), node()];
    for (const n of nodes) feed.push(n);
    const { scheduler, dials } = harness({ maxDialPeers: 2 });
    scheduler.start(feed);
    await advance(0);
    expect(dials.map((d) => d.target)).toEqual(nodes.slice(0, 2));
    expect(feed.pulled).toBe(2);
    expect(dials.every((d) => d.kind === 'dynamic')).toBe(true);

    scheduler.peerAdded(nodes[0]!.publicKey, true);
    dials[0]!.settle();
    dials[1]!.settle(); // failed
    await advance(0);
    expect(dials.map((d) => d.target)).toEqual(nodes.slice(0, 3));
    expect(scheduler.stats).toEqual({ dialing: 1, dialPeers: 1, statics: 0 });
    scheduler.stop();
  });

  it('skips ourselves, connected peers, static nodes and recent dials; dials again after the history expires', async () => {
    const feed = new CandidateFeed();
    const { self, scheduler, dials } = harness({ historyMs: 35_000 });
    const connected = node();
    const staticNode = node();
    const once = node();
    scheduler.peerAdded(connected.publicKey, false);
    scheduler.addStatic(staticNode);
    scheduler.start(feed);
    expect(dials.map((d) => d.target)).toEqual([staticNode]);
    // The static dial fails, so the node waits out its backoff: idle, but still not a candidate.
    dials[0]!.settle();
    await advance(0);
    for (const n of [{ publicKey: self, ip: '127.0.0.1', tcpPort: 1 }, connected, staticNode, { ...node(), tcpPort: 0 }, once]) feed.push(n);
    await advance(0);
    expect(dials.map((d) => d.target)).toEqual([staticNode, once]);
    scheduler.removeStatic(staticNode.publicKey);
    dials[1]!.settle();
    await advance(0);
    feed.push(once);
    await advance(34_000);
    expect(dials).toHaveLength(2);
    await advance(2_000);
    feed.push(once);
    await advance(0);
    expect(dials).toHaveLength(3);
    expect(dials[2]!.target).toBe(once);
    scheduler.stop();
  });

  it('shares the slots between several sources without ever exceeding them', async () => {
    const feeds = [new CandidateFeed(), new CandidateFeed(), new CandidateFeed()];
    for (const f of feeds) for (let i = 0; i < 3; i++) f.push(node());
    const { scheduler, dials } = harness({ maxDialPeers: 2 });
    scheduler.addCandidates(feeds[0]!);
    scheduler.start(feeds[1]);
    scheduler.addCandidates(feeds[2]!);
    await advance(0);
    expect(dials).toHaveLength(2);
    for (let round = 0; round < 4; round++) {
      dials[dials.length - 1]!.settle();
      await advance(0);
      expect(scheduler.stats.dialing).toBe(2);
    }
    expect(dials).toHaveLength(6);
    scheduler.stop();
  });

  it('stops pulling on stop() and ends the iterator', async () => {
    const feed = new CandidateFeed();
    const { scheduler, dials } = harness({ maxDialPeers: 1 });
    scheduler.start(feed);
    await advance(0);
    scheduler.stop();
    feed.push(node());
    await advance(1_000);
    expect(dials).toEqual([]);
    // The pending next() was answered with done, so the feed holds the node unread.
    expect(feed.pulled).toBe(0);
  });

  it('reports a candidate source that throws', async () => {
    const errors: unknown[] = [];
    const failing: AsyncIterable<DialTarget> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('discovery closed')) }),
    };
    const { scheduler } = harness({ onCandidateError: (e) => errors.push(e) });
    scheduler.start(failing);
    await advance(0);
    expect(errors).toHaveLength(1);
    scheduler.stop();
  });
});
