/**
 * NewBlock messages a node should disconnect for (caps/eth.md Block
 * Encoding and Validity: "Implementations should disconnect peers sending
 * invalid blocks"): a total difficulty no real chain has (over 100 bits:
 * geth's NewBlockPacket sanity check), a header with 100 KiB of extra data
 * (beyond geth's header sanity limit, and never valid in Clique), and a body
 * whose transactions are not the ones the header commits to.
 *
 * None of these blocks can become the target's head (the first is a block it
 * already has, the others fail validation), so they run on the shared target.
 */
import { expectSessionEnds } from '../../core/expect.js';
import { TestSkip } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { newestVersion } from '../txpool-broadcast/support/versions.js';
import { cliqueChild, nextBlock } from './support/clique-block.js';

const DISCONNECT_WITHIN_MS = 3_000;
const LEGACY_VERSIONS = [66, 67, 68] as const;

export const invalidTests: ConformanceTest[] = [
  {
    id: 'block-broadcast/newblock/td-over-100-bits',
    title: 'a NewBlock whose total difficulty is 101 bits wide ends the session',
    spec: 'caps/eth.md#newblock-0x07',
    level: 'SHOULD',
    requires: ['profile:legacy'],
    async run(ctx) {
      const sim = await ctx.connectEth({ version: newestVersion(ctx, LEGACY_VERSIONS), name: 'sender' });
      sim.send({ kind: 'NewBlock', block: ctx.fixture.blocks[ctx.fixture.head.number]!, td: (1n << 100n) + ctx.fixture.head.td });
      await expectSessionEnds(sim.peer, 'after a NewBlock with a 101-bit total difficulty', DISCONNECT_WITHIN_MS);
    },
  },
  {
    id: 'block-broadcast/newblock/oversized-header',
    title: 'a NewBlock whose header carries 100 KiB of extra data ends the session',
    spec: 'caps/eth.md#block-encoding-and-validity',
    level: 'SHOULD',
    requires: ['profile:legacy'],
    async run(ctx) {
      const sim = await ctx.connectEth({ version: newestVersion(ctx, LEGACY_VERSIONS), name: 'sender' });
      // Unsealed as well, so no target can ever import it.
      const big = cliqueChild(ctx.fixture, ctx.fixture.blocks[ctx.fixture.head.number]!, ctx.fixture.head.td, { extraBytes: 100 * 1024 + 1, unsealed: true });
      sim.send({ kind: 'NewBlock', block: big.block, td: big.td });
      await expectSessionEnds(sim.peer, `after a NewBlock whose header has ${big.block.header.extraData.length} bytes of extra data`, DISCONNECT_WITHIN_MS);
    },
  },
  {
    id: 'block-broadcast/newblock/body-mismatch',
    title: 'a NewBlock whose transactions do not match its header ends the session',
    spec: 'caps/eth.md#block-encoding-and-validity',
    level: 'SHOULD',
    requires: ['profile:legacy'],
    async run(ctx) {
      const sim = await ctx.connectEth({ version: newestVersion(ctx, LEGACY_VERSIONS), name: 'sender' });
      // A sealed, valid empty header, with a transaction the header's (empty) transactions root does not commit to.
      const next = nextBlock(ctx.fixture);
      const stray = ctx.fixture.blocks.find((b) => b.transactions.length > 0)?.transactions.slice(0, 1);
      if (!stray) throw new TestSkip('the fixture has no transaction to put in a mismatching body');
      sim.send({ kind: 'NewBlock', block: { ...next.block, transactions: stray }, td: next.td });
      await expectSessionEnds(sim.peer, `after a NewBlock ${next.number} whose transactions do not match its transactions root`, DISCONNECT_WITHIN_MS);
    },
  },
];
