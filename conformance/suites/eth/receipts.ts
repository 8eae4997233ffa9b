/**
 * GetReceipts (caps/eth.md GetReceipts (0x0f), Receipts (0x10), EIP-7642 for
 * the eth/69 form without bloom, EIP-7975 for eth/70's partial lists):
 * receipt lists proven by the header's receiptsRoot, recomputed from what
 * the target sent.
 */
import { receiptEth66ToRlp, receiptEth69ToRlp } from '../../../reference-node/wire/eth/receipts.js';
import { SOFT_RESPONSE_LIMIT } from '../../../reference-node/wire/eth/limits.js';
import type { Receipt, ReceiptWithBloom } from '../../../reference-node/wire/eth/types.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { check, fail } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { checkReceiptLists, summary } from './support/block-data.js';
import { allBlocks, getReceipts, hashesOf, lastBlockIncomplete, sampleBlocks } from './support/requests.js';
import { ask, BULK_ANSWER_WAIT_MS, BULK_TEST_TIMEOUT_MS } from './support/ask.js';
import { connect } from './support/connect.js';

const RECEIPTS = 'caps/eth.md#receipts-0x10';
const VALIDITY = 'caps/eth.md#receipt-encoding-and-validity';

export const receiptsMatchRoots = perEthVersion({
  path: 'receipts/match-headers',
  title: "receipt lists come in request order and each matches its header's receiptsRoot (bloom as sent up to eth/68, recomputed from eth/69)",
  spec: VALIDITY,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const want = sampleBlocks(ctx.fixture);
    const what = `for blocks ${summary(want)}`;
    const reply = await ask(sim, getReceipts(version, sim.requestId(), hashesOf(ctx.fixture, want)), 'Receipts', what);
    check(!lastBlockIncomplete(reply), `the answer ${what} is flagged incomplete though it is far below 10 MiB`, 'lastBlockIncomplete = 0', 'lastBlockIncomplete = 1');
    await checkReceiptLists(ctx.fixture, reply.receipts, want, what);
  },
});

// As for bodies: ending the answer at the unknown block (eth.md: "it should end
// the response at that block") and skipping it (geth up to eth/69) both leave
// the lists matchable to blocks by their roots. Anything else fails.
export const receiptsUnknownHash = perEthVersion({
  path: 'receipts/unknown-hash',
  title: 'an unknown hash among known ones: the answer ends there or skips it, and holds no other lists',
  spec: RECEIPTS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const [a, b] = [10, 11];
    const hashes = [ctx.fixture.hashes[a]!, ctx.randomBytes(32), ctx.fixture.hashes[b]!];
    const what = `for blocks ${a}, an unknown hash, ${b}`;
    const reply = await ask(sim, getReceipts(version, sim.requestId(), hashes), 'Receipts', what);
    check(reply.receipts.length === 1 || reply.receipts.length === 2, `wrong number of receipt lists ${what}`, '1 list (ended at the unknown hash) or 2 (skipped it)', `${reply.receipts.length} lists`);
    await checkReceiptLists(ctx.fixture, reply.receipts, reply.receipts.length === 1 ? [a] : [a, b], what);
  },
});

/**
 * eth.md (Receipts, as revised with eth/70): "If the server does not have the
 * receipts of a certain block in its storage, it should end the response at
 * that block." Older versions' texts had no such rule (geth skipped), so this
 * is asked of eth/70 only.
 */
export const receiptsUnknownEnds = perEthVersion(
  {
    path: 'receipts/unknown-ends-answer',
    title: 'eth/70: the answer ends at the first unknown block',
    spec: RECEIPTS,
    level: 'SHOULD',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      const hashes = [ctx.fixture.hashes[10]!, ctx.randomBytes(32), ctx.fixture.hashes[11]!];
      const what = 'for blocks 10, an unknown hash, 11';
      const reply = await ask(sim, getReceipts(version, sim.requestId(), hashes), 'Receipts', what);
      await checkReceiptLists(ctx.fixture, reply.receipts, [10], what);
    },
  },
  [70],
);

export const receiptsManyPrefix = perEthVersion({
  path: 'receipts/many-prefix',
  timeoutMs: BULK_TEST_TIMEOUT_MS,
  title: 'a request for every block: the answer is a non-empty prefix, each list matching its header',
  spec: RECEIPTS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const want = allBlocks(ctx.fixture);
    const what = `for all ${want.length} blocks`;
    const reply = await ask(sim, getReceipts(version, sim.requestId(), hashesOf(ctx.fixture, want)), 'Receipts', what, BULK_ANSWER_WAIT_MS);
    await checkReceiptLists(ctx.fixture, reply.receipts, want, what, { prefix: true });
  },
});

function listSize(list: readonly (Receipt | ReceiptWithBloom)[]): number {
  return encodeRlp(list.map((r) => ('bloom' in r ? receiptEth66ToRlp(r) : receiptEth69ToRlp(r)))).length;
}

export const receiptsSoftLimit = perEthVersion({
  path: 'receipts/soft-limit',
  timeoutMs: BULK_TEST_TIMEOUT_MS,
  // Alone on the target: these only re-measure the heaviest answers of the
  // suite, and a slow target serving several at once would time out the rest.
  isolation: 'exclusive',
  title: 'a request for every block is answered within the 2 MiB soft limit plus one list',
  spec: RECEIPTS,
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const want = allBlocks(ctx.fixture);
    const reply = await ask(sim, getReceipts(version, sim.requestId(), hashesOf(ctx.fixture, want)), 'Receipts', `for all ${want.length} blocks`, BULK_ANSWER_WAIT_MS);
    const sizes = reply.receipts.map(listSize);
    const total = sizes.reduce((x, y) => x + y, 0);
    const allowed = SOFT_RESPONSE_LIMIT + Math.max(0, ...sizes);
    check(total <= allowed, 'the receipts exceed the 2 MiB soft limit by more than one list', `at most ${allowed} bytes of receipts`, `${total} bytes in ${sizes.length} lists`);
  },
});

/**
 * EIP-7975: "the server shall omit receipts up to the firstBlockReceiptIndex"
 * in the first list, and only there. The full list comes first (proven by
 * the root), then the same blocks from index 1: the first list must be the
 * full one without its first receipt, the second list whole.
 */
export const receiptsPartialFirstIndex = perEthVersion(
  {
    path: 'receipts/first-index',
    title: 'eth/70: firstBlockReceiptIndex 1 drops the first receipt of the first list only',
    spec: 'eips/eip-7975.md#specification',
    level: 'MUST',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      const blocks = [20, 21];
      const hashes = hashesOf(ctx.fixture, blocks);
      const full = await ask(sim, getReceipts(version, sim.requestId(), hashes), 'Receipts', 'for blocks 20, 21 from index 0');
      await checkReceiptLists(ctx.fixture, full.receipts, blocks, 'for blocks 20, 21 from index 0');
      const what = 'for blocks 20, 21 from index 1';
      const part = await ask(sim, getReceipts(version, sim.requestId(), hashes, 1n), 'Receipts', what);
      check(part.receipts.length === 2, `wrong number of receipt lists ${what}`, '2 lists', `${part.receipts.length} lists`);
      const wantFirst = full.receipts[0]!.slice(1);
      const gotFirst = part.receipts[0]!;
      const same = gotFirst.length === wantFirst.length && gotFirst.every((r, i) => encodeRlp(receiptEth69ToRlp(r)).join() === encodeRlp(receiptEth69ToRlp(wantFirst[i]!)).join());
      if (!same) fail(`the first list ${what} is not block 20's receipts from index 1`, `${wantFirst.length} receipts (the full list without its first)`, `${gotFirst.length} receipts${gotFirst.length === wantFirst.length ? ' with other contents' : ''}`);
      await checkReceiptLists(ctx.fixture, part.receipts.slice(1), [21], `${what} (second list)`);
      check(!lastBlockIncomplete(part), `the answer ${what} is flagged incomplete`, 'lastBlockIncomplete = 0', 'lastBlockIncomplete = 1');
    },
  },
  [70],
);

export const RECEIPT_TESTS = [...receiptsMatchRoots, ...receiptsUnknownHash, ...receiptsUnknownEnds, ...receiptsManyPrefix, ...receiptsSoftLimit, ...receiptsPartialFirstIndex];
