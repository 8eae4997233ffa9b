/** GetBlockHeaders served from the fixture (caps/eth.md GetBlockHeaders (0x03)). */
import { perEthVersion } from '../../core/versions.js';
import { expectedHeaderNumbers } from '../../fixture/queries.js';
import { askHeaders, checkHeaders } from './support/headers.js';
import { connect } from './support/connect.js';

export const headersForward = perEthVersion({
  path: 'headers/forward',
  title: 'GetBlockHeaders by number, forward, no skip: the fixture headers in order',
  spec: 'caps/eth.md#getblockheaders-0x03',
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const query = { origin: { number: 1n }, amount: 10n, skip: 0n, reverse: false };
    const what = 'for a forward query of 10 headers from block 1';
    checkHeaders(ctx.fixture, await askHeaders(sim, query, what), expectedHeaderNumbers(ctx.fixture, query), what);
  },
});
