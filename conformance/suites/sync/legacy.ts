/**
 * Pre-merge sync from simulated peers (caps/eth.md, Chain Synchronization):
 * a fresh target holding only the genesis downloads a short chain (the
 * fixture up to SYNC_UP_TO) from peers that serve it, from the peer with the
 * most total difficulty, asking no more per request than a server answers.
 */
import { check } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { newestVersion } from '../txpool-broadcast/support/versions.js';
import { chainView } from './support/chain-view.js';
import { expectSyncedTo } from './support/head.js';
import { connectServing } from './support/serving-peer.js';
import { gate } from './support/wait.js';

/** The height sims serve: long enough for several requests, short enough to import in about a second. */
export const SYNC_UP_TO = 64;
/** How long a reference target takes for 64 blocks is ~1 s; this leaves room for slower clients and geth's sync cycle (10 s). */
export const SYNC_WAIT_MS = 15_000;
export const LEGACY_VERSIONS = [66, 67, 68] as const;
/**
 * A test's deadline includes launching its private target: ours starts in a
 * second or two, another client may take ten or more before it even listens.
 */
export const FRESH_TEST_TIMEOUT_MS = 45_000;

export const legacyCompletes: ConformanceTest = {
  id: 'sync/legacy/completes-from-peer',
  title: 'a target holding only the genesis syncs the chain an honest peer serves',
  spec: 'caps/eth.md#chain-synchronization',
  // A node that cannot obtain the chain from its peers cannot take part in the network at all.
  level: 'MUST',
  requires: ['profile:legacy', 'rpc'],
  isolation: 'fresh',
  timeoutMs: FRESH_TEST_TIMEOUT_MS,
  async run(ctx) {
    const target = await ctx.launch({ chainPrefix: 0 });
    const version = newestVersion(target, LEGACY_VERSIONS);
    const view = chainView(ctx.fixture, SYNC_UP_TO);
    const honest = await connectServing(target, { version, view, name: 'honest' });
    await expectSyncedTo(target, view, SYNC_WAIT_MS, 'from the only peer');
    check(honest.server.of('GetBlockBodies').length > 0, 'the target synced without asking the peer for any block body', 'GetBlockBodies to the peer', 'none');
  },
};

/** Total difficulty decides (caps/eth.md Status: td); a peer with less is not synced from while a better one is there. */
export const legacyBestPeer: ConformanceTest = {
  id: 'sync/legacy/best-td-peer',
  title: 'with two peers ahead of it, the target downloads the blocks from the one with the higher total difficulty',
  spec: 'caps/eth.md#chain-synchronization',
  // The spec leaves peer selection to the client; syncing from the heaviest chain is what geth (and the issue) expect.
  level: 'SHOULD',
  requires: ['profile:legacy', 'rpc'],
  isolation: 'fresh',
  timeoutMs: FRESH_TEST_TIMEOUT_MS,
  async run(ctx) {
    const target = await ctx.launch({ chainPrefix: 0 });
    const version = newestVersion(target, LEGACY_VERSIONS);
    // A first, short peer keeps the target busy (its answers wait for the gate) while both
    // contenders connect, so the target's next choice is made with both of them in view.
    const hold = gate();
    const first = await connectServing(target, { version, view: chainView(ctx.fixture, 8), policy: { gate: hold.promise }, name: 'first' });
    const [low, high] = await Promise.all([
      connectServing(target, { version, view: chainView(ctx.fixture, SYNC_UP_TO / 2), name: 'low-td' }),
      connectServing(target, { version, view: chainView(ctx.fixture, SYNC_UP_TO), name: 'high-td' }),
    ]);
    hold.open();
    const view = high.server.view;
    await expectSyncedTo(target, view, SYNC_WAIT_MS, 'with a higher-TD peer connected');
    const lowBodies = low.server.of('GetBlockBodies');
    check(
      lowBodies.length === 0,
      'the target downloaded block bodies from the peer with the lower total difficulty',
      `bodies only from the peer with td ${view.head.td} (head ${view.head.number})`,
      () => `${lowBodies.length} GetBlockBodies to the peer with td ${low.server.view.head.td} (blocks ${lowBodies.flatMap((r) => r.numbers).slice(0, 8).join(',')}...)`,
    );
    check(high.server.of('GetBlockBodies').length > 0, 'the target synced without asking the higher-TD peer for bodies', 'GetBlockBodies to the higher-TD peer', `none (the first peer got ${first.server.of('GetBlockBodies').length})`);
  },
};

/**
 * geth serves at most 1024 headers and 1024 bodies per request (its
 * maxHeadersServe / maxBodiesServe); asking for more only makes servers cut
 * the answer, and caps/eth.md asks requests to respect such limits.
 */
export const MAX_HEADERS_PER_REQUEST = 1024;
export const MAX_BODIES_PER_REQUEST = 1024;

export const legacyRequestCaps: ConformanceTest = {
  id: 'sync/legacy/request-caps',
  title: 'while syncing, no GetBlockHeaders asks for more than 1024 headers and no GetBlockBodies for more than 1024 bodies',
  spec: 'caps/eth.md#basic-operation',
  // "clients should also impose 'soft' limits on the requests ... which they send".
  level: 'SHOULD',
  requires: ['profile:legacy', 'rpc'],
  isolation: 'fresh',
  timeoutMs: FRESH_TEST_TIMEOUT_MS,
  async run(ctx) {
    const target = await ctx.launch({ chainPrefix: 0 });
    const version = newestVersion(target, LEGACY_VERSIONS);
    const view = chainView(ctx.fixture, SYNC_UP_TO);
    const peer = await connectServing(target, { version, view, name: 'server' });
    await expectSyncedTo(target, view, SYNC_WAIT_MS, 'from the only peer');
    const headerReqs = peer.server.of('GetBlockHeaders');
    const bodyReqs = peer.server.of('GetBlockBodies');
    check(headerReqs.length > 0 && bodyReqs.length > 0, 'the target synced without header and body requests to its only peer', 'GetBlockHeaders and GetBlockBodies', `${headerReqs.length} header and ${bodyReqs.length} body requests`);
    const bigHeaders = headerReqs.find((r) => r.count > MAX_HEADERS_PER_REQUEST);
    check(bigHeaders === undefined, 'a GetBlockHeaders asked for more headers than a server answers', `amount <= ${MAX_HEADERS_PER_REQUEST}`, () => `amount ${bigHeaders!.request.kind === 'GetBlockHeaders' ? bigHeaders!.request.amount : '?'}`);
    const bigBodies = bodyReqs.find((r) => r.count > MAX_BODIES_PER_REQUEST);
    check(bigBodies === undefined, 'a GetBlockBodies asked for more bodies than a server answers', `<= ${MAX_BODIES_PER_REQUEST} hashes`, () => `${bigBodies!.count} hashes`);
  },
};
