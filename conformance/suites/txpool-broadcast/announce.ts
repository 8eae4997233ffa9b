/**
 * eth/68 announcements carry each tx's type and size (EIP-5793;
 * caps/eth.md NewPooledTransactionHashes: the size is the length of the
 * consensus encoding). A receiver checks them against the tx it fetches and
 * drops a peer whose announcement lied, so a wrong type or size breaks tx
 * exchange: MUST.
 */
import { fail, TestSkip } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { perEthVersion } from '../../core/versions.js';
import { connectPeers, settle } from './support/fanout.js';
import { pendingNonce, senderFor, signTx } from './support/fixture-tx.js';
import { firstMalformed, TxWatch } from './support/tx-watch.js';
import { HEAR_WITHIN_MS, SETTLE_MS } from './split.js';

const PEERS = 5;
/** Calldata that makes the tx larger than 4 KiB: geth (and we) announce such txs only, never push them. */
const LARGE_DATA = 5_000;

export const announceTests: ConformanceTest[] = perEthVersion(
  {
    path: 'announce/type-and-size',
    title: 'announcements name each tx with its type and the length of its consensus encoding',
    spec: 'caps/eth.md#newpooledtransactionhashes-0x08',
    level: 'MUST',
    requires: ['rpc'],
    isolation: 'exclusive',
    async run(ctx, version) {
      const [origin, ...others] = await connectPeers(ctx, PEERS, version);
      const account = senderFor(ctx.fixture, ctx.testId);
      const nonce = await pendingNonce(ctx, account);
      // Two types and two sizes: a large EIP-1559 tx and a small legacy one.
      const txs = [signTx(ctx.fixture, account, { nonce, type: 2, dataBytes: LARGE_DATA }), signTx(ctx.fixture, account, { nonce: nonce + 1n, type: 0 })];
      const watches = others.map((s) => new TxWatch(s));
      origin!.send({ kind: 'Transactions', transactions: txs.map((t) => t.tx) });
      await settle(ctx.signal, () => txs.every((t) => watches.every((w) => w.heard(t.key))), HEAR_WITHIN_MS, SETTLE_MS);

      const bad = firstMalformed(watches);
      if (bad) fail(`the target sent ${bad.name} a tx broadcast that does not decode at eth/${version}`, `eth/${version} NewPooledTransactionHashes [types, sizes, hashes]`, bad.error);
      let checked = 0;
      for (const t of txs) {
        for (const w of watches) {
          for (const a of w.sighting(t.key).announcements) {
            checked++;
            if (a.type !== t.type || a.size !== t.size) {
              fail(`the announcement to ${w.name} describes tx 0x${t.key.slice(0, 12)}… wrongly`, `type ${t.type}, size ${t.size}`, `type ${a.type}, size ${a.size}`);
            }
          }
        }
      }
      const heard = txs.some((t) => watches.some((w) => w.heard(t.key)));
      if (!heard) fail(`the target relayed neither tx to the ${others.length} other peers within ${HEAR_WITHIN_MS} ms`, 'announcements with types and sizes', 'nothing');
      if (checked === 0) throw new TestSkip('the target sent both txs whole to every peer: no announcement to check');
      ctx.log(`${checked} announcements checked`);
    },
  },
  [68, 69, 70],
  'txpool-broadcast',
);
