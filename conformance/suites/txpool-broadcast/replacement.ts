/**
 * Pool replacement rules observed over the wire (caps/eth.md, Transaction
 * Exchange: a node propagates what enters its pool). A tx with the same
 * sender and nonce but a clearly higher tip and fee cap replaces the pooled
 * one and is propagated; one with a lower tip is refused and goes nowhere.
 * The bump a replacement needs is pool policy (geth: 10 %), so both are
 * SHOULD and use margins no common policy disputes (+50 %, -50 %).
 */
import { check, fail } from '../../core/failure.js';
import type { TestContext } from '../../core/context.js';
import type { ConformanceTest } from '../../core/test.js';
import { connectPeers, settle } from './support/fanout.js';
import { GWEI, pendingNonce, senderFor, signTx, submit, type SignedTx } from './support/fixture-tx.js';
import { TxWatch } from './support/tx-watch.js';
import { newestVersion } from './support/versions.js';
import { HEAR_WITHIN_MS } from './split.js';

const PEERS = 3;
const QUIET_MS = 1_500;

/** Connects the peers, pools an original tx over RPC and waits until every peer heard of it. */
async function pooledOriginal(ctx: TestContext): Promise<{ original: SignedTx; watches: TxWatch[] }> {
  const sims = await connectPeers(ctx, PEERS, newestVersion(ctx));
  const watches = sims.map((s) => new TxWatch(s));
  const account = senderFor(ctx.fixture, ctx.testId);
  const original = signTx(ctx.fixture, account, { nonce: await pendingNonce(ctx, account), tip: 2n * GWEI, feeCap: 100n * GWEI });
  await submit(ctx, original);
  const all = await settle(ctx.signal, () => watches.every((w) => w.heard(original.key)), HEAR_WITHIN_MS, 0);
  if (!all) fail(`the original tx did not reach all ${PEERS} peers within ${HEAR_WITHIN_MS} ms, so its replacement cannot be judged`, 'every peer hears of the original', `${watches.filter((w) => w.heard(original.key)).length} did`);
  return { original, watches };
}

export const replacementTests: ConformanceTest[] = [
  {
    id: 'txpool-broadcast/replacement/higher-tip-propagated',
    title: 'a same-nonce tx with a 50 % higher tip and fee cap replaces the pooled one and is propagated',
    spec: 'caps/eth.md#transaction-exchange',
    level: 'SHOULD',
    requires: ['rpc'],
    isolation: 'exclusive',
    async run(ctx) {
      const { original, watches } = await pooledOriginal(ctx);
      const account = senderFor(ctx.fixture, ctx.testId);
      const bumped = signTx(ctx.fixture, account, { nonce: original.nonce, tip: 3n * GWEI, feeCap: 150n * GWEI });
      await submit(ctx, bumped);
      await settle(ctx.signal, () => watches.every((w) => w.heard(bumped.key)), HEAR_WITHIN_MS, 0);
      const missed = watches.filter((w) => !w.heard(bumped.key));
      check(missed.length === 0, `the replacement did not reach ${missed.length} of ${PEERS} peers`, 'every peer hears of the replacement', `${missed.map((w) => w.name).join(', ')} heard nothing of it within ${HEAR_WITHIN_MS} ms`);
    },
  },
  {
    id: 'txpool-broadcast/replacement/lower-tip-not-propagated',
    title: 'a same-nonce tx with a lower tip, sent by a peer, does not replace the pooled one and is not propagated',
    spec: 'caps/eth.md#transaction-exchange',
    level: 'SHOULD',
    requires: ['rpc'],
    isolation: 'exclusive',
    async run(ctx) {
      const { original, watches } = await pooledOriginal(ctx);
      const account = senderFor(ctx.fixture, ctx.testId);
      const cheaper = signTx(ctx.fixture, account, { nonce: original.nonce, tip: 1n * GWEI, feeCap: 50n * GWEI });
      const [sender, ...others] = watches;
      sender!.sim.send({ kind: 'Transactions', transactions: [cheaper.tx] });
      await settle(ctx.signal, () => others.some((w) => w.heard(cheaper.key)), QUIET_MS, 0);
      const leaked = others.filter((w) => w.heard(cheaper.key));
      check(leaked.length === 0, 'the target propagated an underpriced replacement', 'nobody hears of the cheaper tx', `${leaked.map((w) => w.name).join(', ')} heard of it`);
    },
  },
];
