/**
 * The initial pool exchange (caps/eth.md, Transaction Exchange: "When a new
 * peer connection is established ... both ends should send
 * NewPooledTransactionHashes messages containing all transaction hashes in
 * the local pool"). A tx put in the pool while we were not connected must
 * reach a peer that connects afterwards. Sending it whole instead (as
 * pre-eth/65 nodes did) is accepted: the peer learns of it either way.
 */
import { fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { perEthVersion } from '../../core/versions.js';
import { settle } from './support/fanout.js';
import { pendingNonce, senderFor, signTx, submit } from './support/fixture-tx.js';
import { firstMalformed, TxWatch } from './support/tx-watch.js';

const WITHIN_MS = 3_000;

export const initialTests: ConformanceTest[] = perEthVersion(
  {
    path: 'initial/pool-announced-to-new-peer',
    title: 'a peer that connects learns of a tx that was already in the pool',
    spec: 'caps/eth.md#transaction-exchange',
    level: 'SHOULD',
    requires: ['rpc'],
    // The tx must be in the pool before the peer connects, with no other peer to hear of it meanwhile.
    isolation: 'exclusive',
    async run(ctx, version) {
      const account = senderFor(ctx.fixture, ctx.testId);
      const tx = signTx(ctx.fixture, account, { nonce: await pendingNonce(ctx, account) });
      await submit(ctx, tx);
      const sim = await ctx.connectEth({ version, name: 'newcomer' });
      const watch = new TxWatch(sim);
      const heard = await settle(ctx.signal, () => watch.heard(tx.key), WITHIN_MS, 0);
      const bad = firstMalformed([watch]);
      if (bad) fail(`the target's initial tx exchange does not decode at eth/${version}`, `valid eth/${version} messages`, bad.error);
      if (!heard) fail(`a peer that connected after the tx entered the pool did not hear of it within ${WITHIN_MS} ms`, 'NewPooledTransactionHashes (or Transactions) with the pooled tx', 'nothing about it');
    },
  },
  [67, 68],
  'txpool-broadcast',
);
