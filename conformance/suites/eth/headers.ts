/**
 * GetBlockHeaders (caps/eth.md GetBlockHeaders (0x03), BlockHeaders (0x04)):
 * every query shape, the edges of the walk (unknown or non-canonical origin,
 * the head, uint64 overflow of the skip) and the per-response limits. The
 * expected blocks come from the spec's rule applied to the fixture
 * (fixture/queries.ts); each header is compared by hash.
 */
import { encodeBlockHeader, headerHash, type BlockHeader } from '../../../reference-node/wire/block.js';
import type { EthVersion } from '../../../reference-node/wire/eth/types.js';
import { SOFT_RESPONSE_LIMIT } from '../../../reference-node/wire/eth/limits.js';
import { check } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { expectedHeaderNumbers, MAX_HEADERS_PER_RESPONSE } from '../../fixture/queries.js';
import { askHeaders, checkHeaders, checkStillServes, type HeaderQuery } from './support/headers.js';
import { connect } from './support/connect.js';
import { BULK_ANSWER_WAIT_MS, BULK_TEST_TIMEOUT_MS } from './support/ask.js';

const GET_HEADERS = 'caps/eth.md#getblockheaders-0x03';
const HEADERS = 'caps/eth.md#blockheaders-0x04';
const UINT64_MAX = (1n << 64n) - 1n;

/** Queries on one session, each with its exact expected answer from the fixture. */
function exactQueries(path: string, title: string, queries: (head: number, hashOf: (n: number) => Uint8Array) => Array<[HeaderQuery, string]>, versions?: readonly EthVersion[]) {
  return perEthVersion(
    {
      path,
      title,
      spec: GET_HEADERS,
      level: 'MUST',
      async run(ctx, version) {
        const sim = await connect(ctx, { version });
        for (const [q, what] of queries(ctx.fixture.head.number, (n) => ctx.fixture.hashes[n]!)) {
          checkHeaders(ctx.fixture, await askHeaders(sim, q, what), expectedHeaderNumbers(ctx.fixture, q), what);
        }
      },
    },
    versions,
  );
}

export const headersReverse = exactQueries('headers/reverse', 'GetBlockHeaders by number, reverse: falling numbers from the origin', () => [
  [{ origin: { number: 100n }, amount: 10n, skip: 0n, reverse: true }, 'for 10 headers from block 100, reverse'],
]);

export const headersSkip = exactQueries('headers/skip', 'GetBlockHeaders by number with a skip, forward (skip 4) and reverse (skip 9)', () => [
  [{ origin: { number: 1n }, amount: 10n, skip: 4n, reverse: false }, 'for 10 headers from block 1, skip 4'],
  [{ origin: { number: 500n }, amount: 8n, skip: 9n, reverse: true }, 'for 8 headers from block 500, skip 9, reverse'],
]);

export const headersByHash = exactQueries('headers/by-hash', 'GetBlockHeaders by hash: forward, and reverse with skip 2', (_head, hashOf) => [
  [{ origin: { hash: hashOf(200) }, amount: 5n, skip: 0n, reverse: false }, "for 5 headers from block 200's hash"],
  [{ origin: { hash: hashOf(300) }, amount: 5n, skip: 2n, reverse: true }, "for 5 headers from block 300's hash, skip 2, reverse"],
]);

// "The header list may be empty if none of the requested block headers were
// found": the walk stops at the head and at the genesis, and a block above
// the head is not found at all; each answer must still come.
export const headersChainEnds = exactQueries('headers/chain-ends', 'queries running past the head or the genesis stop there; one starting above the head gets an empty list', (head) => [
  [{ origin: { number: BigInt(head - 2) }, amount: 5n, skip: 0n, reverse: false }, 'for 5 headers from 2 blocks below the head'],
  [{ origin: { number: 3n }, amount: 10n, skip: 0n, reverse: true }, 'for 10 headers from block 3, reverse'],
  [{ origin: { number: BigInt(head + 1) }, amount: 3n, skip: 0n, reverse: false }, 'for 3 headers from the block after the head'],
]);

// "at most limit items": a zero limit is a query for nothing, answered with nothing.
export const headersAmountZero = exactQueries('headers/amount-zero', 'a query with limit 0 is answered with an empty list', () => [
  [{ origin: { number: 1n }, amount: 0n, skip: 0n, reverse: false }, 'for 0 headers from block 1'],
]);

/**
 * skip = 2^64-1 makes the step 2^64. In uint64 arithmetic that wraps to the
 * origin itself; the spec's "skip blocks apart" leaves only the origin.
 * Forward and reverse are both asked.
 */
export const headersSkipOverflow = perEthVersion({
  path: 'headers/skip-overflow',
  title: 'a skip of 2^64-1 does not wrap around: only the origin is returned, forward and reverse',
  spec: GET_HEADERS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    for (const reverse of [false, true]) {
      const q: HeaderQuery = { origin: { number: 10n }, amount: 3n, skip: UINT64_MAX, reverse };
      const what = `for 3 headers from block 10 with skip 2^64-1${reverse ? ', reverse' : ''}`;
      checkHeaders(ctx.fixture, await askHeaders(sim, q, what), [10], what);
    }
  },
});

// The spec's answer for an unknown origin is an empty list; the request is
// not wrong, so the session must survive it.
export const headersUnknownOrigin = perEthVersion({
  path: 'headers/unknown-origin',
  title: 'a query from an unknown hash gets an empty answer and the session stays usable',
  spec: HEADERS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const what = 'for headers from a hash no block has';
    checkHeaders(ctx.fixture, await askHeaders(sim, { origin: { hash: ctx.randomBytes(32) }, amount: 3n, skip: 0n, reverse: false }, what), [], what);
    await checkStillServes(sim, ctx.fixture, 'after a query from an unknown hash');
  },
});

/**
 * "beginning at block startblock ... in the canonical chain". The fixture has
 * no side chain the target holds, so the honest check is the one a node gets
 * wrong by resolving the hash to a height: a sibling of block 500 (same
 * parent and number, other extra-data, so another hash) names no block the
 * target holds, and the answer must be empty, not blocks 500, 499, 498 of the
 * canonical chain.
 */
export const headersNonCanonicalOrigin = perEthVersion({
  path: 'headers/non-canonical-origin',
  title: 'a query from the hash of a sibling of a canonical block does not return canonical blocks',
  spec: GET_HEADERS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const canonical = ctx.fixture.blocks[500]!.header;
    const sibling: BlockHeader = { ...canonical, extraData: Uint8Array.of(...canonical.extraData, 0x01), timestamp: canonical.timestamp + 1n };
    for (const reverse of [true, false]) {
      const what = `for 3 headers from the hash of a sibling of block 500${reverse ? ', reverse' : ''}`;
      checkHeaders(ctx.fixture, await askHeaders(sim, { origin: { hash: headerHash(sibling) }, amount: 3n, skip: 0n, reverse }, what), [], what);
    }
  },
});

/**
 * More than any node serves at once (1100 > 1024): the answer is a prefix of
 * the chain from the origin, never anything else. The count limit is
 * implementation-defined in eth.md; 1024 is geth's maxHeadersServe, what
 * other clients honour, so more than 1024 is a SHOULD failure (next test).
 */
export const headersLimitPrefix = perEthVersion({
  path: 'headers/over-limit-prefix',
  timeoutMs: BULK_TEST_TIMEOUT_MS,
  title: 'a query for more headers than the chain-wide cap (1100 from block 0) is answered with a consecutive prefix',
  spec: GET_HEADERS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const q: HeaderQuery = { origin: { number: 0n }, amount: BigInt(ctx.fixture.head.number), skip: 0n, reverse: false };
    const want = expectedHeaderNumbers(ctx.fixture, q, Number.MAX_SAFE_INTEGER);
    const what = `for ${q.amount} headers from block 0`;
    checkHeaders(ctx.fixture, await askHeaders(sim, q, what, BULK_ANSWER_WAIT_MS), want, what, { prefix: true });
  },
});

export const headersLimitClamped = perEthVersion({
  path: 'headers/limit-clamped',
  timeoutMs: BULK_TEST_TIMEOUT_MS,
  // Alone on the target: these only re-measure the heaviest answers of the
  // suite, and a slow target serving several at once would time out the rest.
  isolation: 'exclusive',
  title: `a query for 1100 headers gets at most ${MAX_HEADERS_PER_RESPONSE} headers and at most the 2 MiB soft limit plus one header`,
  spec: HEADERS,
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const q: HeaderQuery = { origin: { number: 0n }, amount: BigInt(ctx.fixture.head.number), skip: 0n, reverse: false };
    const headers = await askHeaders(sim, q, `for ${q.amount} headers from block 0`, BULK_ANSWER_WAIT_MS);
    check(headers.length <= MAX_HEADERS_PER_RESPONSE, 'the target served more headers than the common per-response cap', `at most ${MAX_HEADERS_PER_RESPONSE} headers`, `${headers.length} headers`);
    const sizes = headers.map((h) => encodeBlockHeader(h).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const allowed = SOFT_RESPONSE_LIMIT + Math.max(0, ...sizes);
    check(total <= allowed, 'the headers exceed the 2 MiB soft limit by more than one header', `at most ${allowed} bytes of headers`, `${total} bytes`);
  },
});

export const HEADER_TESTS = [
  ...headersReverse,
  ...headersSkip,
  ...headersByHash,
  ...headersChainEnds,
  ...headersAmountZero,
  ...headersSkipOverflow,
  ...headersUnknownOrigin,
  ...headersNonCanonicalOrigin,
  ...headersLimitPrefix,
  ...headersLimitClamped,
];
