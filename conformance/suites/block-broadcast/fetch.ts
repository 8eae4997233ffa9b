/**
 * An announced block is fetched and imported (caps/eth.md Block Propagation:
 * peers that got only NewBlockHashes "may request the full block later if
 * they fail to receive it via NewBlock"). Our peer handshakes at the
 * fixture's head, then announces the next block, which only it can serve.
 */
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { check, fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { canonicalHash, waitForHead } from '../sync/support/head.js';
import { chainView } from '../sync/support/chain-view.js';
import { connectServing } from '../sync/support/serving-peer.js';
import { newestVersion } from '../txpool-broadcast/support/versions.js';
import { baseView, blockAfterBase, launchAtBase } from './support/base.js';
import { FULL_CHAIN_FRESH_TIMEOUT_MS } from './support/timeouts.js';

/** A just-started node may first rebuild its Clique signer snapshot from the headers (seconds on a busy machine). */
const IMPORT_WITHIN_MS = 8_000;

export const fetchTests: ConformanceTest[] = [
  {
    id: 'block-broadcast/fetch/announced-block-imported',
    title: 'a block announced by NewBlockHashes is requested from the announcer and imported',
    spec: 'caps/eth.md#block-propagation',
    // "may request": a node may also wait for the block to come whole; fetching it is what geth does.
    level: 'SHOULD',
    requires: ['profile:legacy', 'rpc'],
    isolation: 'fresh',
    timeoutMs: FULL_CHAIN_FRESH_TIMEOUT_MS,
    async run(ctx) {
      const target = await launchAtBase(ctx);
      const version = newestVersion(target, [66, 67, 68]);
      const block = blockAfterBase(ctx.fixture);
      const base = baseView(ctx.fixture);
      const peer = await connectServing(target, { version, view: chainView(ctx.fixture, base.head.number, [block.block]), statusView: base, name: 'announcer' });
      peer.sim.send({ kind: 'NewBlockHashes', announcements: [{ hash: block.hash, number: block.number }] });
      const head = await waitForHead(target, Number(block.number), IMPORT_WITHIN_MS);
      const asked = peer.server.of('GetBlockHeaders').some((r) => r.from === Number(block.number));
      if (head < Number(block.number)) {
        fail(`the target did not import announced block ${block.number} within ${IMPORT_WITHIN_MS} ms`, `head ${block.number}`, `head ${head}${asked ? ' (it did ask for the header)' : ', and it never asked for the header'}`);
      }
      const hash = await canonicalHash(target, Number(block.number));
      check(hash === bytesToHex(block.hash), `the target's block ${block.number} is not the announced one`, `0x${block.key}`, `0x${hash ?? 'none'}`);
    },
  },
];
