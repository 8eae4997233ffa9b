/**
 * Waiting for and judging the answer to a valid eth request, cheaply enough
 * for thousands of cases a second: the response is matched by the raw
 * encoding of its request id, and headers and bodies are compared byte for
 * byte with the fixture's canonical encodings. Anything short of an exact
 * match is decoded and judged by eth-model's checks, which say what is
 * wrong, so the byte path only passes what the model passes.
 */
import { EthSim } from '../../conformance/sim/eth-sim.js';
import { describeEnd, describeWaited } from '../../conformance/sim/sim-peer.js';
import { expectedHeaderNumbers } from '../../conformance/fixture/queries.js';
import { numberOfHash, type Fixture } from '../../conformance/fixture/fixture.js';
import { bodyToRlp, encodeBlockHeader } from '../../reference-node/wire/block.js';
import { equalBytes } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { ETH_MESSAGE_CODES } from '../../reference-node/wire/eth/codes.js';
import { MAX_BODIES_SERVE, MAX_HEADERS_SERVE } from '../../reference-node/wire/eth/limits.js';
import { decodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import type { EthMessage } from '../../reference-node/wire/eth/types.js';
import { encodeRlp } from '../../reference-node/wire/rlp.js';
import { rlpListItems } from '../../reference-node/wire/rlp-view.js';
import { fail, PASS, type Verdict } from '../engine/types.js';
import type { EthExpectation } from './eth-model.js';

type ReplyExpectation = Extract<EthExpectation, { kind: 'reply' }>;

/** Canonical encodings of the fixture's headers and bodies, made on first use. */
class FixtureEncodings {
  private headers: Uint8Array[] = [];
  private bodies: Uint8Array[] = [];

  constructor(private readonly fixture: Fixture) {}

  header(n: number): Uint8Array {
    return (this.headers[n] ??= encodeBlockHeader(this.fixture.blocks[n]!.header));
  }

  body(n: number): Uint8Array {
    const b = this.fixture.blocks[n]!;
    return (this.bodies[n] ??= encodeRlp(bodyToRlp({ transactions: b.transactions, uncles: b.uncles, ...(b.withdrawals ? { withdrawals: b.withdrawals } : {}) })));
  }
}

const encodings = new WeakMap<Fixture, FixtureEncodings>();

function encodingsOf(fixture: Fixture): FixtureEncodings {
  let e = encodings.get(fixture);
  if (!e) encodings.set(fixture, (e = new FixtureEncodings(fixture)));
  return e;
}

/** [requestId, [items...]]: the raw items, or undefined if the payload is not shaped so. */
function responseItems(payload: Uint8Array): { id: Uint8Array; items: Uint8Array[] } | undefined {
  try {
    const outer = rlpListItems(payload, 'response');
    if (outer.length !== 2) return undefined;
    return { id: outer[0]!, items: rlpListItems(outer[1]!, 'response items') };
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
}

/** True when the response is exactly a correct one; false means "decode and let the model say". */
function matchesExactly(fixture: Fixture, request: EthMessage, items: Uint8Array[]): boolean {
  const enc = encodingsOf(fixture);
  if (request.kind === 'GetBlockHeaders') {
    const want = expectedHeaderNumbers(fixture, request, MAX_HEADERS_SERVE);
    if (items.length > want.length || (want.length > 0 && items.length === 0)) return false;
    return items.every((raw, i) => equalBytes(raw, enc.header(want[i]!)));
  }
  if (request.kind === 'GetBlockBodies') {
    const known = request.hashes.map((h) => numberOfHash(fixture, h)).filter((n): n is number => n !== undefined);
    if (items.length > Math.min(known.length, MAX_BODIES_SERVE)) return false;
    return items.every((raw, i) => equalBytes(raw, enc.body(known[i]!)));
  }
  return false;
}

/** The payload is byte for byte a correct answer to `request` from the fixture (headers and bodies only). */
export function isExactResponse(fixture: Fixture, request: EthMessage & { requestId: bigint }, payload: Uint8Array): boolean {
  const raw = responseItems(payload);
  return raw !== undefined && equalBytes(raw.id, encodeRlp(request.requestId)) && matchesExactly(fixture, request, raw.items);
}

export async function judgeReply(sim: EthSim, fixture: Fixture, e: ReplyExpectation, timeoutMs: number): Promise<Verdict> {
  const id = e.request.requestId;
  const idBytes = encodeRlp(id);
  const wireId = sim.peer.wireId('eth', ETH_MESSAGE_CODES[e.responseKind]);
  // A response of the kind that cannot be split also ends the wait: it is judged (and refused) below.
  const w = await sim.peer.waitFor((m) => {
    if (m.msgId !== wireId) return false;
    const r = responseItems(m.payload);
    return r === undefined || equalBytes(r.id, idBytes);
  }, timeoutMs);
  if (!w.ok) {
    if (w.why === 'ended') return fail('unexpected-disconnect', `${e.responseKind} for a valid ${e.request.kind}`, describeEnd(w.end));
    return fail('reply', `${e.responseKind} with request id ${id} within ${timeoutMs} ms`, describeWaited(w));
  }
  if (isExactResponse(fixture, e.request, w.value.payload)) return PASS;
  let response: EthMessage;
  try {
    response = decodeEthMessage(sim.version, ETH_MESSAGE_CODES[e.responseKind], w.value.payload);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return fail('reply', `a valid eth/${sim.version} ${e.responseKind}`, err.message);
  }
  return e.check(response);
}
