/**
 * Peers that serve the sync badly (caps/eth.md, Chain Synchronization and
 * Block Encoding and Validity): one lies about headers, one about bodies,
 * one answers with nothing, one goes silent. Each is the target's only peer
 * until it has done its harm; then an honest peer connects. The target must
 * still end on the honest chain, and should drop the bad peer ("Implementations
 * should disconnect peers sending invalid blocks"; a peer that does not answer
 * is timed out).
 */
import type { BlockHeader } from '../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { describeEnd } from '../../sim/sim-peer.js';
import { fail } from '../../core/failure.js';
import type { TestContext } from '../../core/context.js';
import type { ConformanceTest } from '../../core/test.js';
import { newestVersion } from '../txpool-broadcast/support/versions.js';
import { FRESH_TEST_TIMEOUT_MS, LEGACY_VERSIONS, SYNC_UP_TO, SYNC_WAIT_MS } from './legacy.js';
import type { ServePolicy } from './support/chain-server.js';
import { chainView, type ChainView } from './support/chain-view.js';
import { expectSyncedTo } from './support/head.js';
import { connectServing } from './support/serving-peer.js';
import { waitUntil } from './support/wait.js';

/** The block whose header or body the liars falsify. */
const LIE_AT = 20;

interface BadPeerScenario {
  /** What the bad peer does, for messages: "lies about header 20". */
  what: string;
  /** Builds its policy; `harmDone` is called once the bad answer went out (or the request it ignores came). */
  policy(view: ChainView, harmDone: () => void): ServePolicy;
  /** How long the target may take to notice (a silent peer must first time out). */
  noticeMs: number;
}

/** A header that looks like block n but is not: its vanity differs, so its hash does and the next header no longer links to it. */
function forged(header: BlockHeader): BlockHeader {
  const extraData = header.extraData.slice();
  extraData[0] = (extraData[0] ?? 0) ^ 0xff;
  return { ...header, extraData: extraData.length > 0 ? extraData : Uint8Array.of(0xff) };
}

/**
 * The bad peer connects alone, does its harm, then an honest peer with the
 * same chain connects. Passes when the target ends on the honest chain and the
 * bad peer's session has ended.
 */
async function badPeerThenHonest(ctx: TestContext, scenario: BadPeerScenario): Promise<void> {
  const target = await ctx.launch({ chainPrefix: 0 });
  const version = newestVersion(target, LEGACY_VERSIONS);
  const view = chainView(ctx.fixture, SYNC_UP_TO);
  let harmed = false;
  const bad = await connectServing(target, { version, view, policy: scenario.policy(view, () => (harmed = true)), name: 'bad' });
  if (!(await waitUntil(ctx.signal, () => harmed, SYNC_WAIT_MS))) {
    const asked = bad.server.requests.map((r) => `${r.kind}(${r.from ?? '?'}+${r.count})`).join(', ') || 'nothing';
    fail(`the target never asked the bad peer for what it ${scenario.what}, so the test could not put it to the test`, `a request covering block ${LIE_AT}`, `requests: ${asked}`);
  }
  await connectServing(target, { version, view, name: 'honest' });
  await expectSyncedTo(target, view, scenario.noticeMs + SYNC_WAIT_MS, `after the bad peer ${scenario.what}`);
  const end = await bad.sim.peer.waitForEnd(2_000);
  if (!end) fail(`the target kept the peer that ${scenario.what} connected`, 'the bad peer is disconnected', `still connected after the sync (${describeEnd(end)})`);
}

const scenarios: Array<{ id: string; title: string; timeoutMs: number; scenario: BadPeerScenario }> = [
  {
    id: 'sync/legacy/lying-headers-peer-dropped',
    title: `a peer whose header ${LIE_AT} does not link to its neighbours is dropped, and the target syncs from an honest peer`,
    timeoutMs: FRESH_TEST_TIMEOUT_MS,
    scenario: {
      what: `forged header ${LIE_AT}`,
      noticeMs: 2_000,
      policy: (_view, harmDone) => ({
        headers(req, honest) {
          // The head query (one header by hash) stays honest, so the peer looks worth syncing from.
          if (('hash' in req.origin && req.amount <= 1n) || !honest.some((h) => h.number === BigInt(LIE_AT))) return honest;
          harmDone();
          return honest.map((h) => (h.number === BigInt(LIE_AT) ? forged(h) : h));
        },
      }),
    },
  },
  {
    id: 'sync/legacy/lying-bodies-peer-dropped',
    title: `a peer whose body for block ${LIE_AT} does not match its header is dropped, and the target syncs from an honest peer`,
    timeoutMs: FRESH_TEST_TIMEOUT_MS,
    scenario: {
      what: `served a wrong body for block ${LIE_AT}`,
      noticeMs: 2_000,
      policy: (view, harmDone) => ({
        bodies(req, honest) {
          const at = honest.findIndex((_, i) => view.numbers.get(bytesToHex(req.hashes[i]!)) === LIE_AT);
          if (at < 0) return honest;
          harmDone();
          // The transactions of another block: well formed, but not what the header's txs-root commits to.
          const other = view.blocks[LIE_AT + 1]!;
          return honest.map((b, i) => (i === at ? { ...b, transactions: other.transactions.length > 0 ? other.transactions : view.blocks[1]!.transactions } : b));
        },
      }),
    },
  },
  {
    id: 'sync/legacy/withholding-peer-dropped',
    title: 'a peer that announces a chain but answers header and body requests with empty lists is dropped, and the target syncs from an honest peer',
    timeoutMs: FRESH_TEST_TIMEOUT_MS,
    scenario: {
      what: 'answered requests for its chain with empty lists',
      noticeMs: 2_000,
      policy: (_view, harmDone) => ({
        headers(req, honest) {
          if (req.amount <= 1n && 'hash' in req.origin) return honest;
          if (honest.length > 0) harmDone();
          return [];
        },
        bodies(_req, honest) {
          if (honest.length > 0) harmDone();
          return [];
        },
      }),
    },
  },
  {
    id: 'sync/legacy/silent-peer-timed-out',
    title: 'a peer that stops answering during the sync is timed out, and the target syncs from an honest peer',
    // Our node gives a request 10 s; geth's downloader can take longer for a first request.
    timeoutMs: FRESH_TEST_TIMEOUT_MS + 15_000,
    scenario: {
      what: 'stopped answering',
      noticeMs: 15_000,
      policy: (_view, harmDone) => ({
        headers(req, honest) {
          if (req.amount <= 1n && 'hash' in req.origin) return honest;
          harmDone();
          return 'silent';
        },
        bodies() {
          harmDone();
          return 'silent';
        },
      }),
    },
  },
];

export const LIAR_TESTS: ConformanceTest[] = scenarios.map(({ id, title, timeoutMs, scenario }) => ({
  id,
  title,
  spec: 'caps/eth.md#block-encoding-and-validity',
  // "Implementations should disconnect peers sending invalid blocks"; timing out a silent peer is the same kind of advice.
  level: 'SHOULD',
  requires: ['profile:legacy', 'rpc'],
  isolation: 'fresh',
  timeoutMs,
  run: (ctx) => badPeerThenHonest(ctx, scenario),
}));
