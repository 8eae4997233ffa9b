/**
 * Nothing goes back where it came from (caps/eth.md, Transactions: nodes
 * "must not relay transactions to a peer they received that transaction
 * from"; Transaction Exchange: a node "should never send a transaction back
 * to a peer that it can determine already knows of it"). Sending the tx
 * whole to its origin breaks the must; announcing it back, the should.
 * Each test first sees the tx reach another peer, so a target that relays
 * nothing at all cannot pass.
 */
import type { TestContext } from '../../core/context.js';
import { check, fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { connectPeers, settle } from './support/fanout.js';
import { pendingNonce, senderFor, signTx } from './support/fixture-tx.js';
import { TxWatch, type Sighting } from './support/tx-watch.js';
import { newestVersion } from './support/versions.js';
import { HEAR_WITHIN_MS } from './split.js';

const PEERS = 4;
/** After another peer heard of the tx, how long the origin is watched. */
const QUIET_MS = 1_000;

/** What the origin got back about its own tx after the others heard of it. */
async function originSighting(ctx: TestContext): Promise<Sighting> {
  const version = newestVersion(ctx);
  const [origin, ...others] = await connectPeers(ctx, PEERS, version);
  const account = senderFor(ctx.fixture, ctx.testId);
  const tx = signTx(ctx.fixture, account, { nonce: await pendingNonce(ctx, account) });
  const watches = others.map((s) => new TxWatch(s));
  const back = new TxWatch(origin!);
  origin!.send({ kind: 'Transactions', transactions: [tx.tx] });
  const relayed = await settle(ctx.signal, () => watches.some((w) => w.heard(tx.key)), HEAR_WITHIN_MS, QUIET_MS);
  if (!relayed) fail(`the target relayed the tx to none of the ${others.length} other peers within ${HEAR_WITHIN_MS} ms, so what it sends back cannot be judged`, 'the tx reaches another peer', 'nothing');
  return back.sighting(tx.key);
}

export const echoTests: ConformanceTest[] = [
  {
    id: 'txpool-broadcast/echo/not-sent-back-whole',
    title: 'a tx received from a peer is not sent back to that peer in Transactions',
    spec: 'caps/eth.md#transactions-0x02',
    level: 'MUST',
    requires: ['rpc'],
    isolation: 'exclusive',
    async run(ctx) {
      const s = await originSighting(ctx);
      check(s.full === 0, 'the target sent the tx back, whole, to the peer it came from', 'no Transactions with it to its origin', `${s.full} Transactions carrying it`);
    },
  },
  {
    id: 'txpool-broadcast/echo/not-announced-back',
    title: 'a tx received from a peer is not announced back to that peer',
    spec: 'caps/eth.md#transaction-exchange',
    level: 'SHOULD',
    requires: ['rpc'],
    isolation: 'exclusive',
    async run(ctx) {
      const s = await originSighting(ctx);
      check(s.announcements.length === 0, 'the target announced the tx back to the peer it came from', 'no announcement of it to its origin', `${s.announcements.length} announcements of it`);
    },
  },
];
