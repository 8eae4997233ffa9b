/**
 * A header query from a block the target holds off its canonical chain
 * (caps/eth.md GetBlockHeaders: "beginning at block startblock ... in the
 * canonical chain"). The fixture has no side chain, so the test makes one on
 * a private legacy target: a sibling of block head-5 (same parent, same
 * transactions, one second later, sealed by the fixture's Clique signer),
 * delivered by NewBlock. Its total difficulty is below the head's, so it
 * stays a side block.
 *
 * The spec's wording allows an empty answer (the origin is not canonical);
 * geth serves the side header and walks its parents by hash. Either passes.
 * What fails is treating the hash as a height: canonical blocks after the
 * sibling's number going forward, or the canonical block of its number in its
 * place.
 */
import { sealHeader } from '../../../reference-node/chain/clique.js';
import { headerHash, type BlockHeader } from '../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { check, fail, TestSkip } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { connect } from './support/connect.js';
import { askHeaders, type HeaderQuery } from './support/headers.js';

const hex = (b: Uint8Array): string => `0x${bytesToHex(b)}`;
const IMPORT_WAIT_MS = 8_000;

export const headersSideChainOrigin = perEthVersion(
  {
    path: 'headers/side-chain-origin',
    title: 'a query from a side-chain block: the side header and its parents, or nothing; never canonical blocks in its place',
    spec: 'caps/eth.md#getblockheaders-0x03',
    level: 'MUST',
    requires: ['profile:legacy'],
    isolation: 'fresh',
    // A private target may import the whole fixture first (a minute for a JS client).
    timeoutMs: 120_000,
    async run(ctx, version) {
      const signer = ctx.fixture.accounts.find((a) => a.signer);
      if (!signer) throw new TestSkip('the fixture names no Clique signer key, so no side block can be sealed');
      const f = ctx.fixture;
      const n = f.head.number - 5;
      const canonical = f.blocks[n]!;
      const sideHeader: BlockHeader = sealHeader({ ...canonical.header, timestamp: canonical.header.timestamp + 1n }, signer.key);
      const sideHash = headerHash(sideHeader);

      const target = await ctx.launch();
      const sim = await connect(target, { version });
      sim.send({ kind: 'NewBlock', block: { ...canonical, header: sideHeader }, td: f.tds[n - 1]! + sideHeader.difficulty });

      const byHash = (q: Omit<HeaderQuery, 'origin'>): HeaderQuery => ({ origin: { hash: sideHash }, ...q });
      const deadline = Date.now() + IMPORT_WAIT_MS;
      for (;;) {
        const got = await askHeaders(sim, byHash({ amount: 1n, skip: 0n, reverse: false }), 'for the side block');
        if (got.length > 0) break;
        if (Date.now() > deadline) throw new TestSkip(`the target did not take the side block ${n} we sent by NewBlock within ${IMPORT_WAIT_MS / 1000} s, so it holds no side chain to query`);
        await new Promise((r) => setTimeout(r, 250));
      }

      // The side block must not have become canonical (it has less total difficulty).
      const atN = await askHeaders(sim, { origin: { number: BigInt(n) }, amount: 1n, skip: 0n, reverse: false }, `for block ${n} by number`);
      check(atN.length === 1 && hex(headerHash(atN[0]!)) === hex(f.hashes[n]!), `block ${n} by number is no longer the fixture's`, hex(f.hashes[n]!), atN.map((h) => hex(headerHash(h))).join(', ') || 'nothing');

      const cases: Array<[Omit<HeaderQuery, 'origin'>, Uint8Array[], string]> = [
        [{ amount: 3n, skip: 0n, reverse: false }, [sideHash], `forward: the side block ${n} has no descendants`],
        [{ amount: 3n, skip: 0n, reverse: true }, [sideHash, f.hashes[n - 1]!, f.hashes[n - 2]!], `reverse: the side block, then blocks ${n - 1} and ${n - 2} by parent hash`],
        [{ amount: 3n, skip: 1n, reverse: true }, [sideHash, f.hashes[n - 2]!, f.hashes[n - 4]!], `reverse with skip 1: the side block, then blocks ${n - 2} and ${n - 4}`],
      ];
      for (const [q, full, describe] of cases) {
        const what = `for 3 headers from the side block's hash (${describe})`;
        const got = (await askHeaders(sim, byHash(q), what)).map((h) => hex(headerHash(h)));
        const want = full.map(hex);
        if (got.length === 0) continue;
        const ok = got.length <= want.length && got.every((h, i) => h === want[i]);
        if (!ok) fail(`wrong headers ${what}`, `nothing, or ${want.join(', ')}`, got.join(', '));
      }
    },
  },
  // One version only: each run costs a private target, and the header walk it
  // checks is the same code at every version in the clients we know.
  [68],
);
