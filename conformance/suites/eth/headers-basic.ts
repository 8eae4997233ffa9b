/** GetBlockHeaders served from the fixture (caps/eth.md GetBlockHeaders (0x03)). */
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { headerHash } from '../../../reference-node/wire/block.js';
import { received } from '../../core/expect.js';
import { check } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { expectedHeaderNumbers } from '../../fixture/queries.js';

export const headersForward = perEthVersion({
  path: 'headers/forward',
  title: 'GetBlockHeaders by number, forward, no skip: the fixture headers in order',
  spec: 'caps/eth.md#getblockheaders-0x03',
  level: 'MUST',
  async run(ctx, version) {
    const sim = await ctx.connectEth({ version });
    const query = { origin: { number: 1n }, amount: 10n, skip: 0n, reverse: false };
    const want = expectedHeaderNumbers(ctx.fixture, query);
    const reply = received(await sim.request({ kind: 'GetBlockHeaders', requestId: sim.requestId(), ...query }, 'BlockHeaders'), 'BlockHeaders');
    const got = reply.headers.map((h) => Number(h.number));
    check(got.join() === want.join(), 'wrong headers for a forward query from block 1', `blocks ${want.join(',')}`, `blocks ${got.join(',') || 'none'}`);
    for (const h of reply.headers) {
      const n = Number(h.number);
      check(bytesToHex(headerHash(h)) === bytesToHex(ctx.fixture.hashes[n]!), `header ${n} differs from the fixture's`, `hash ${bytesToHex(ctx.fixture.hashes[n]!)}`, `hash ${bytesToHex(headerHash(h))}`);
    }
  },
});
