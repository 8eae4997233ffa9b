/**
 * GetBlockBodies (caps/eth.md GetBlockBodies (0x05), BlockBodies (0x06)):
 * bodies proven by the header roots, the answer around an unknown hash, and
 * the 2 MiB soft limit.
 */
import { bodyToRlp } from '../../../reference-node/wire/block.js';
import { SOFT_RESPONSE_LIMIT } from '../../../reference-node/wire/eth/limits.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { check } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { checkBodies, summary } from './support/block-data.js';
import { allBlocks, hashesOf, sampleBlocks } from './support/requests.js';
import { ask, BULK_ANSWER_WAIT_MS, BULK_TEST_TIMEOUT_MS } from './support/ask.js';
import { connect } from './support/connect.js';

const BODIES = 'caps/eth.md#blockbodies-0x06';
const VALIDITY = 'caps/eth.md#block-encoding-and-validity';

export const bodiesMatchRoots = perEthVersion({
  path: 'bodies/match-headers',
  title: "bodies come in request order and each matches its header's transactionsRoot, ommersHash and withdrawalsRoot",
  spec: VALIDITY,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const want = sampleBlocks(ctx.fixture);
    const what = `for blocks ${summary(want)}`;
    const reply = await ask(sim, { kind: 'GetBlockBodies', requestId: sim.requestId(), hashes: hashesOf(ctx.fixture, want) }, 'BlockBodies', what);
    await checkBodies(ctx.fixture, reply.bodies, want, what);
  },
});

/**
 * eth.md does not say what an unknown hash in the middle does to a bodies
 * answer. geth skipped it for years; eth.md's Receipts section tells servers
 * to end the answer at a missing block. Both leave the requester able to
 * match bodies to headers by their roots, so both pass: the answer is
 * [body 10] or [body 10, body 11], nothing else (not empty: block 10 is there).
 */
export const bodiesUnknownHash = perEthVersion({
  path: 'bodies/unknown-hash',
  title: 'an unknown hash among known ones: the answer ends there or skips it, and holds no other bodies',
  spec: BODIES,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const [a, b] = [10, 11];
    const hashes = [ctx.fixture.hashes[a]!, ctx.randomBytes(32), ctx.fixture.hashes[b]!];
    const what = `for blocks ${a}, an unknown hash, ${b}`;
    const reply = await ask(sim, { kind: 'GetBlockBodies', requestId: sim.requestId(), hashes }, 'BlockBodies', what);
    check(reply.bodies.length === 1 || reply.bodies.length === 2, `wrong number of bodies ${what}`, `1 body (ended at the unknown hash) or 2 (skipped it)`, `${reply.bodies.length} bodies`);
    await checkBodies(ctx.fixture, reply.bodies, reply.bodies.length === 1 ? [a] : [a, b], what);
  },
});

export const bodiesManyPrefix = perEthVersion({
  path: 'bodies/many-prefix',
  timeoutMs: BULK_TEST_TIMEOUT_MS,
  title: 'a request for every block: the answer is a non-empty prefix, each body matching its header',
  spec: BODIES,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const want = allBlocks(ctx.fixture);
    const what = `for all ${want.length} blocks`;
    const reply = await ask(sim, { kind: 'GetBlockBodies', requestId: sim.requestId(), hashes: hashesOf(ctx.fixture, want) }, 'BlockBodies', what, BULK_ANSWER_WAIT_MS);
    await checkBodies(ctx.fixture, reply.bodies, want, what, { prefix: true });
  },
});

// "The recommended soft limit for BlockBodies responses is 2 MiB": a server
// stops adding bodies once it has reached it, so it may pass it by one body.
export const bodiesSoftLimit = perEthVersion({
  path: 'bodies/soft-limit',
  timeoutMs: BULK_TEST_TIMEOUT_MS,
  // Alone on the target: these only re-measure the heaviest answers of the
  // suite, and a slow target serving several at once would time out the rest.
  isolation: 'exclusive',
  title: 'a request for every block is answered within the 2 MiB soft limit plus one body',
  spec: BODIES,
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const want = allBlocks(ctx.fixture);
    const reply = await ask(sim, { kind: 'GetBlockBodies', requestId: sim.requestId(), hashes: hashesOf(ctx.fixture, want) }, 'BlockBodies', `for all ${want.length} blocks`, BULK_ANSWER_WAIT_MS);
    const sizes = reply.bodies.map((b) => encodeRlp(bodyToRlp(b)).length);
    const total = sizes.reduce((x, y) => x + y, 0);
    const allowed = SOFT_RESPONSE_LIMIT + Math.max(0, ...sizes);
    check(total <= allowed, 'the bodies exceed the 2 MiB soft limit by more than one body', `at most ${allowed} bytes of bodies`, `${total} bytes in ${sizes.length} bodies`);
  },
});

export const BODY_TESTS = [...bodiesMatchRoots, ...bodiesUnknownHash, ...bodiesManyPrefix, ...bodiesSoftLimit];
