/**
 * Request ids (EIP-2481; caps/eth.md Protocol Messages: "The responding peer
 * must mirror the value in the request-id element of the response"): the
 * edges of the uint64 range, an id used twice, and many requests in flight.
 */
import type { BlockBodies, BlockHeaders } from '../../../reference-node/wire/eth/types.js';
import { received } from '../../core/expect.js';
import { check, fail } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { checkBodies } from './support/block-data.js';
import { ANSWER_WAIT_MS } from './support/ask.js';
import { checkHeaders } from './support/headers.js';
import { connect } from './support/connect.js';

const PROTOCOL_MESSAGES = 'caps/eth.md#protocol-messages';
const UINT64_MAX = (1n << 64n) - 1n;

/** The edges of the uint64 range, in one session: 0 and 2^64-1. */
export const requestIdEdges = perEthVersion({
  path: 'request-id/edge-values',
  title: 'request ids 0 and 2^64-1 are mirrored in the answers',
  spec: PROTOCOL_MESSAGES,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    for (const [id, name] of [[0n, '0'], [UINT64_MAX, '2^64-1']] as const) {
      sim.send({ kind: 'GetBlockHeaders', requestId: id, origin: { number: 7n }, amount: 2n, skip: 0n, reverse: false });
      const answer = received(await sim.next('BlockHeaders', ANSWER_WAIT_MS), 'BlockHeaders', `for a request with id ${name}`);
      check(answer.requestId === id, `the answer to a request with id ${name} carries another id`, `request-id ${id}`, `request-id ${answer.requestId}`);
      checkHeaders(ctx.fixture, answer.headers, [7, 8], `for a request with id ${name}`);
    }
  },
});

/**
 * The id is the requester's business: the spec asks the responder to mirror
 * it, not to check it is fresh. Two requests with one id get two answers,
 * each with that id and each answering its own query (in either order).
 */
export const requestIdRepeated = perEthVersion({
  path: 'request-id/repeated',
  title: 'two requests with the same id are both answered, each with that id',
  spec: PROTOCOL_MESSAGES,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const id = 4242n;
    for (const n of [5n, 6n]) sim.send({ kind: 'GetBlockHeaders', requestId: id, origin: { number: n }, amount: 1n, skip: 0n, reverse: false });
    const answers: BlockHeaders[] = [];
    for (const nth of ['first', 'second']) {
      answers.push(received(await sim.next('BlockHeaders', ANSWER_WAIT_MS, (m) => m.requestId === id), `a ${nth} BlockHeaders with request-id ${id}`, 'after two requests with that id'));
    }
    const got = answers.map((a) => a.headers.map((h) => h.number).join(',')).sort();
    check(got.join(' | ') === '5 | 6', 'the two answers do not answer the two queries (block 5 and block 6)', 'one answer with block 5 and one with block 6', `answers with blocks ${got.map((g) => `[${g}]`).join(' and ')}`);
    for (const a of answers) checkHeaders(ctx.fixture, a.headers, [Number(a.headers[0]!.number)], `for one of the two requests with id ${id}`);
  },
});

/**
 * Sixteen requests of two kinds sent back to back: each id answered once,
 * by the response kind of its request, with the data of its own query.
 */
export const requestIdConcurrent = perEthVersion({
  path: 'request-id/concurrent',
  title: 'sixteen requests in flight at once are each answered once, with their own id and their own data',
  spec: PROTOCOL_MESSAGES,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const base = 1_000_000n + BigInt(version) * 100n;
    const plan = Array.from({ length: 16 }, (_, i) => ({ id: base + BigInt(i), block: 30 + i * 7, kind: i % 2 === 0 ? ('headers' as const) : ('bodies' as const) }));
    for (const p of plan) {
      if (p.kind === 'headers') sim.send({ kind: 'GetBlockHeaders', requestId: p.id, origin: { number: BigInt(p.block) }, amount: 1n, skip: 0n, reverse: false });
      else sim.send({ kind: 'GetBlockBodies', requestId: p.id, hashes: [ctx.fixture.hashes[p.block]!] });
    }
    for (const p of plan) {
      const what = `for request ${p.id} (${p.kind} of block ${p.block})`;
      if (p.kind === 'headers') {
        const a = received(await sim.next('BlockHeaders', ANSWER_WAIT_MS, (m) => m.requestId === p.id), `BlockHeaders with request-id ${p.id}`, what);
        checkHeaders(ctx.fixture, a.headers, [p.block], what);
      } else {
        const a = received(await sim.next('BlockBodies', ANSWER_WAIT_MS, (m) => m.requestId === p.id), `BlockBodies with request-id ${p.id}`, what);
        await checkBodies(ctx.fixture, a.bodies, [p.block], what);
      }
    }
    // Anything left over: an id answered twice, or an answer with an id we never used.
    const responses = sim.receivedEth().filter((m): m is BlockHeaders | BlockBodies => m.kind === 'BlockHeaders' || m.kind === 'BlockBodies');
    const counts = new Map<bigint, number>();
    for (const r of responses) counts.set(r.requestId, (counts.get(r.requestId) ?? 0) + 1);
    for (const [id, n] of counts) {
      if (!plan.some((p) => p.id === id)) fail('the target answered with a request id we never sent', `only ids ${plan[0]!.id}..${plan.at(-1)!.id}`, `an answer with id ${id}`);
      if (n > 1) fail(`request ${id} was answered ${n} times`, 'one answer per request', `${n} answers`);
    }
  },
});

export const REQUEST_ID_TESTS = [...requestIdEdges, ...requestIdRepeated, ...requestIdConcurrent];
