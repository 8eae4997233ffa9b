/** BlockRangeUpdate (eth/69+, caps/eth.md BlockRangeUpdate (0x11), EIP-7642). */
import { perEthVersion } from '../../core/versions.js';
import { checkStillServes } from './support/headers.js';
import { expectRejected } from './support/reasons.js';
import { connect } from './support/connect.js';

const BLOCK_RANGE_UPDATE = 'caps/eth.md#blockrangeupdate-0x11';

// A correct update from a peer on the same chain is ordinary traffic; eth.md
// warns against dropping peers "purely on the basis of their BlockRangeUpdate".
export const blockRangeValid = perEthVersion(
  {
    path: 'block-range/valid-update',
    title: 'a valid BlockRangeUpdate is accepted and the session keeps serving',
    spec: BLOCK_RANGE_UPDATE,
    level: 'MUST',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      sim.send({ kind: 'BlockRangeUpdate', earliestBlock: 0n, latestBlock: BigInt(ctx.fixture.head.number), latestBlockHash: ctx.fixture.head.hash });
      await checkStillServes(sim, ctx.fixture, 'after a valid BlockRangeUpdate');
    },
  },
  [69, 70],
);

// "If earliest > latest, the peer should be disconnected."
export const blockRangeInvalid = perEthVersion(
  {
    path: 'block-range/invalid-update',
    title: 'a BlockRangeUpdate with earliest > latest drops the session',
    spec: BLOCK_RANGE_UPDATE,
    level: 'SHOULD',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      const head = BigInt(ctx.fixture.head.number);
      sim.send({ kind: 'BlockRangeUpdate', earliestBlock: head, latestBlock: head - 1n, latestBlockHash: ctx.fixture.hashes[ctx.fixture.head.number - 1]! });
      await expectRejected(sim.peer, 'after a BlockRangeUpdate with earliest > latest');
    },
  },
  [69, 70],
);

export const BLOCK_RANGE_TESTS = [...blockRangeValid, ...blockRangeInvalid];
