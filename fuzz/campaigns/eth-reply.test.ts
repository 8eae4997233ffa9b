/**
 * The eth campaign's byte-for-byte shortcut for judging responses must never
 * pass what eth-model's decode-and-check path would fail, and must
 * recognise every correct answer (or it saves nothing).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture, numberOfHash, type Fixture } from '../../conformance/fixture/fixture.js';
import { expectedHeaderNumbers } from '../../conformance/fixture/queries.js';
import { ETH_MESSAGE_CODES } from '../../reference-node/wire/eth/codes.js';
import { MAX_HEADERS_SERVE } from '../../reference-node/wire/eth/limits.js';
import { decodeEthMessage, encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import type { EthMessage, EthVersion } from '../../reference-node/wire/eth/types.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { byteMutationArb } from '../arbitraries/mutations.js';
import type { CampaignContext } from '../engine/context.js';
import { mutateBytes } from '../mutate/index.js';
import { fixtureRequestArb } from './eth.js';
import { expectEth } from './eth-model.js';
import { isExactResponse } from './eth-reply.js';

const VERSION: EthVersion = 68;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.modern));
}, 300_000);

type Request = EthMessage & { requestId: bigint };

const requests = () => fixtureRequestArb({ fixture } as CampaignContext, VERSION).filter((m): m is Extract<Request, { kind: 'GetBlockHeaders' | 'GetBlockBodies' }> => m.kind === 'GetBlockHeaders' || m.kind === 'GetBlockBodies');

/** A correct answer: the first `keep` of the items the fixture holds for the request. */
function correctAnswer(request: Extract<Request, { kind: 'GetBlockHeaders' | 'GetBlockBodies' }>, keep: number): Uint8Array {
  if (request.kind === 'GetBlockHeaders') {
    const numbers = expectedHeaderNumbers(fixture, request, MAX_HEADERS_SERVE);
    const n = numbers.length === 0 ? 0 : Math.max(1, Math.min(keep, numbers.length));
    return encodeEthMessage(VERSION, { kind: 'BlockHeaders', requestId: request.requestId, headers: numbers.slice(0, n).map((i) => fixture.blocks[i]!.header) }).payload;
  }
  const known = request.hashes.map((h) => numberOfHash(fixture, h)).filter((n): n is number => n !== undefined);
  const bodies = known.slice(0, Math.min(keep, known.length)).map((i) => {
    const b = fixture.blocks[i]!;
    return { transactions: b.transactions, uncles: b.uncles, ...(b.withdrawals ? { withdrawals: b.withdrawals } : {}) };
  });
  return encodeEthMessage(VERSION, { kind: 'BlockBodies', requestId: request.requestId, bodies }).payload;
}

/** What eth-model says of the payload as an answer to the request. */
function modelPasses(request: Request, payload: Uint8Array): boolean {
  const { code, payload: requestBytes } = encodeEthMessage(VERSION, request);
  const e = expectEth({ version: VERSION, fixture, postMerge: true }, code, requestBytes);
  if (e.kind !== 'reply') throw new Error(`a fixture request the model does not expect answered: ${e.kind}`);
  let response: EthMessage;
  try {
    response = decodeEthMessage(VERSION, ETH_MESSAGE_CODES[e.responseKind], payload);
  } catch (err) {
    if (err instanceof DecodeError) return false;
    throw err;
  }
  return (response as { requestId: bigint }).requestId === request.requestId && e.check(response).ok;
}

describe('eth reply shortcut', () => {
  it('recognises every correct answer (any non-empty prefix of the fixture items) as exact', () => {
    fc.assert(
      fc.property(requests(), fc.integer({ min: 1, max: 1100 }), (request, keep) => {
        expect(isExactResponse(fixture, request, correctAnswer(request, keep))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('passes nothing the model fails: mutated answers, answers to other requests', () => {
    let exact = 0;
    const pair = requests().chain((r) => fc.tuple(fc.constant(r), fc.oneof(fc.constant(r), requests())));
    fc.assert(
      fc.property(pair, fc.integer({ min: 1, max: 1100 }), fc.array(byteMutationArb(), { minLength: 0, maxLength: 2 }), ([request, other], keep, mutations) => {
        const payload = mutateBytes(correctAnswer(other, keep), mutations);
        if (!isExactResponse(fixture, request, payload)) return;
        exact++;
        expect(modelPasses(request, payload)).toBe(true);
      }),
      { numRuns: 1500 },
    );
    // Not vacuous: many of the answers were exact (the unmutated answers to the same request).
    expect(exact).toBeGreaterThan(100);
  });

  it('a wrong header or a wrong request id is not exact', () => {
    const request = { kind: 'GetBlockHeaders' as const, requestId: 7n, origin: { number: 5n }, amount: 2n, skip: 0n, reverse: false };
    const wrongHeader = encodeEthMessage(VERSION, { kind: 'BlockHeaders', requestId: 7n, headers: [fixture.blocks[5]!.header, fixture.blocks[7]!.header] }).payload;
    const wrongId = encodeEthMessage(VERSION, { kind: 'BlockHeaders', requestId: 8n, headers: [fixture.blocks[5]!.header, fixture.blocks[6]!.header] }).payload;
    const right = encodeEthMessage(VERSION, { kind: 'BlockHeaders', requestId: 7n, headers: [fixture.blocks[5]!.header, fixture.blocks[6]!.header] }).payload;
    expect(isExactResponse(fixture, request, wrongHeader)).toBe(false);
    expect(isExactResponse(fixture, request, wrongId)).toBe(false);
    expect(isExactResponse(fixture, request, right)).toBe(true);
  });
});
