/**
 * The push / announce split (caps/eth.md, Transaction Exchange): a new pool
 * tx goes whole "to a small, random fraction of connected peers" (the
 * square root, in common practice) and "all other peers receive a
 * notification of the transaction hash". Pushing to every peer, or to none,
 * fails; floor and ceil of the square root both pass.
 */
import { check, fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { perEthVersion } from '../../core/versions.js';
import { awaitOnlyOurPeers, connectPeers, directWindow, settle } from './support/fanout.js';
import { pendingNonce, senderFor, signTx } from './support/fixture-tx.js';
import { firstMalformed, TxWatch } from './support/tx-watch.js';

/** Peers in the fan-out tests: one sends the tx, nine can receive it (sqrt 9 = 3, so pushing to all is far outside the window). */
export const FANOUT_PEERS = 10;
/** How long the other peers may take to hear of a tx; then a short wait for late or extra messages. */
export const HEAR_WITHIN_MS = 3_000;
export const SETTLE_MS = 300;

export const splitTests: ConformanceTest[] = perEthVersion(
  {
    path: 'split/sqrt-push-rest-announce',
    title: `a tx sent by one of ${FANOUT_PEERS} peers goes whole to about the square root of the others and by hash announcement to the rest`,
    spec: 'caps/eth.md#transaction-exchange',
    // "typically sent to a small, random fraction": common practice, not a must.
    level: 'SHOULD',
    requires: ['rpc'],
    isolation: 'exclusive',
    async run(ctx, version) {
      const sims = await connectPeers(ctx, FANOUT_PEERS, version);
      await awaitOnlyOurPeers(ctx, FANOUT_PEERS);
      const [origin, ...others] = sims;
      const account = senderFor(ctx.fixture, ctx.testId);
      const tx = signTx(ctx.fixture, account, { nonce: await pendingNonce(ctx, account) });
      const watches = others.map((s) => new TxWatch(s));
      origin!.send({ kind: 'Transactions', transactions: [tx.tx] });
      await settle(ctx.signal, () => watches.every((w) => w.heard(tx.key)), HEAR_WITHIN_MS, SETTLE_MS);

      const bad = firstMalformed(watches);
      if (bad) fail(`the target sent ${bad.name} a tx broadcast that does not decode`, `valid eth/${version} messages`, bad.error);
      const whole = watches.filter((w) => w.sighting(tx.key).full > 0);
      const announcedOnly = watches.filter((w) => w.sighting(tx.key).full === 0 && w.sighting(tx.key).announcements.length > 0);
      const unaware = watches.filter((w) => !w.heard(tx.key));
      const { min, max } = directWindow(others.length, FANOUT_PEERS);
      const summary = `${whole.length} got it whole, ${announcedOnly.length} by announcement, ${unaware.length} heard nothing`;
      if (whole.length + announcedOnly.length === 0) fail(`the target relayed the tx to none of the ${others.length} other peers within ${HEAR_WITHIN_MS} ms`, `${min}..${max} whole, the rest announced`, summary);
      check(whole.length >= min && whole.length <= max, `the tx went whole to ${whole.length} of ${others.length} peers, not about the square root`, `${min}..${max} peers get Transactions`, summary);
      check(unaware.length === 0, `${unaware.length} peers that did not get the tx whole got no announcement either`, 'every other peer gets it whole or announced', summary);
    },
  },
  [67, 68],
  'txpool-broadcast',
);
