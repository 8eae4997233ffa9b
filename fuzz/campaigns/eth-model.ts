/**
 * What a target must do with one eth message inside a valid session
 * (caps/eth.md, EIP-3675 for post-merge announcements), as a function of the
 * exact bytes sent. Our strict decoder decides whether the bytes are a valid
 * message; the fixture decides what a correct answer holds.
 *
 *   - a valid request: a response of the matching kind with the same request
 *     id, within the per-kind caps, whose items are the fixture's (a node may
 *     send fewer, from the start, never others);
 *   - a message above 10 MiB, a second Status, NewBlock/NewBlockHashes after
 *     the merge, a BlockRangeUpdate with earliest > latest: the peer must be
 *     dropped (Disconnect 0x10 or 0x02, or a plain close);
 *   - anything malformed, unsolicited or undefined at the version: the target
 *     may ignore it or drop the peer (0x02 / 0x10), nothing else;
 *   - a valid BlockRangeUpdate: must be accepted.
 */
import { encodeRlp } from '../../reference-node/wire/rlp.js';
import { bodyToRlp, headerHash } from '../../reference-node/wire/block.js';
import { bytesToHex, equalBytes } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { decodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import { kindOfCode } from '../../reference-node/wire/eth/codes.js';
import { MAX_MESSAGE_SIZE, MAX_BODIES_SERVE, MAX_HEADERS_SERVE, MAX_RECEIPTS_SERVE } from '../../reference-node/wire/eth/limits.js';
import type { EthMessage, EthMessageKind, EthVersion } from '../../reference-node/wire/eth/types.js';
import { DisconnectReason } from '../../reference-node/wire/p2p.js';
import { expectedHeaderNumbers } from '../../conformance/fixture/queries.js';
import { numberOfHash, type Fixture } from '../../conformance/fixture/fixture.js';
import { fail, PASS, type Verdict } from '../engine/types.js';

/** Reasons a node may give for dropping a peer over a bad eth message (geth: 0x10; the spec's "breach": 0x02). */
export const ETH_BAD_MESSAGE_REASONS: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError];

export type EthExpectation =
  | { kind: 'reply'; request: EthMessage & { requestId: bigint }; responseKind: EthMessageKind; check: (response: EthMessage) => Verdict }
  | { kind: 'disconnect'; reasons: readonly number[]; why: string }
  | { kind: 'tolerate'; reasons: readonly number[]; why: string }
  | { kind: 'keep'; why: string };

const RESPONSE_OF: Partial<Record<EthMessageKind, EthMessageKind>> = {
  GetBlockHeaders: 'BlockHeaders',
  GetBlockBodies: 'BlockBodies',
  GetReceipts: 'Receipts',
  GetPooledTransactions: 'PooledTransactions',
};

export interface EthModelContext {
  version: EthVersion;
  fixture: Fixture;
  postMerge: boolean;
}

export function expectEth(m: EthModelContext, code: number, payload: Uint8Array): EthExpectation {
  if (payload.length > MAX_MESSAGE_SIZE) return { kind: 'disconnect', reasons: ETH_BAD_MESSAGE_REASONS, why: `a ${payload.length}-byte message, over the 10 MiB limit` };
  const kind = kindOfCode(m.version, code);
  if (!kind) return { kind: 'tolerate', reasons: ETH_BAD_MESSAGE_REASONS, why: `code 0x${code.toString(16)} is not defined at eth/${m.version}` };
  let msg: EthMessage;
  try {
    msg = decodeEthMessage(m.version, code, payload);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { kind: 'tolerate', reasons: ETH_BAD_MESSAGE_REASONS, why: `malformed ${kind}: ${err.message}` };
  }
  switch (msg.kind) {
    case 'Status':
      return { kind: 'disconnect', reasons: ETH_BAD_MESSAGE_REASONS, why: 'a second Status' };
    case 'NewBlock':
    case 'NewBlockHashes':
      return m.postMerge ? { kind: 'disconnect', reasons: ETH_BAD_MESSAGE_REASONS, why: `${msg.kind} after the merge (EIP-3675)` } : { kind: 'tolerate', reasons: ETH_BAD_MESSAGE_REASONS, why: `an unrequested ${msg.kind}` };
    case 'BlockRangeUpdate':
      if (msg.earliestBlock > msg.latestBlock) return { kind: 'disconnect', reasons: ETH_BAD_MESSAGE_REASONS, why: 'BlockRangeUpdate with earliest > latest' };
      if (msg.latestBlockHash.every((b) => b === 0)) return { kind: 'tolerate', reasons: ETH_BAD_MESSAGE_REASONS, why: 'BlockRangeUpdate with a zero hash' };
      return { kind: 'keep', why: 'a valid BlockRangeUpdate' };
    case 'GetBlockHeaders':
    case 'GetBlockBodies':
    case 'GetReceipts':
    case 'GetPooledTransactions':
      return { kind: 'reply', request: msg, responseKind: RESPONSE_OF[msg.kind]!, check: (r) => checkResponse(m, msg, r) };
    default:
      // Transactions, announcements, unsolicited responses, GetNodeData: a node may ignore them or drop the peer.
      return { kind: 'tolerate', reasons: [...ETH_BAD_MESSAGE_REASONS, DisconnectReason.UselessPeer], why: `${msg.kind} (unsolicited or not served)` };
  }
}

function checkResponse(m: EthModelContext, request: EthMessage, response: EthMessage): Verdict {
  const { fixture } = m;
  if (request.kind === 'GetBlockHeaders' && response.kind === 'BlockHeaders') {
    const want = expectedHeaderNumbers(fixture, request, MAX_HEADERS_SERVE);
    const got = response.headers.map(headerHash);
    const desc = () => `${got.length} headers (${response.headers.slice(0, 4).map((h) => h.number).join(',')}${got.length > 4 ? ',…' : ''})`;
    if (got.length > MAX_HEADERS_SERVE) return fail('bounded-response', `at most ${MAX_HEADERS_SERVE} headers`, desc());
    if (got.length > want.length) return fail('reply', `at most ${want.length} headers: blocks ${summarizeNumbers(want)}`, desc());
    if (want.length > 0 && got.length === 0) return fail('reply', `headers ${summarizeNumbers(want)}`, 'an empty BlockHeaders');
    for (let i = 0; i < got.length; i++) {
      if (!equalBytes(got[i]!, fixture.hashes[want[i]!]!)) return fail('reply', `headers ${summarizeNumbers(want)} (a prefix of them)`, `${desc()}; header ${i} is not block ${want[i]}`);
    }
    return PASS;
  }
  if (request.kind === 'GetBlockBodies' && response.kind === 'BlockBodies') {
    const known = request.hashes.map((h) => numberOfHash(fixture, h)).filter((n): n is number => n !== undefined);
    if (response.bodies.length > Math.min(request.hashes.length, MAX_BODIES_SERVE)) return fail('bounded-response', `at most ${Math.min(request.hashes.length, MAX_BODIES_SERVE)} bodies`, `${response.bodies.length}`);
    if (response.bodies.length > known.length) return fail('reply', `at most ${known.length} bodies (the requested blocks the chain has)`, `${response.bodies.length} bodies`);
    for (let i = 0; i < response.bodies.length; i++) {
      const b = fixture.blocks[known[i]!]!;
      const expected = encodeRlp(bodyToRlp({ transactions: b.transactions, uncles: b.uncles, ...(b.withdrawals ? { withdrawals: b.withdrawals } : {}) }));
      if (!equalBytes(encodeRlp(bodyToRlp(response.bodies[i]!)), expected)) return fail('reply', `bodies of blocks ${known.join(',')} in request order`, `body ${i} is not block ${known[i]}'s`);
    }
    return PASS;
  }
  if (request.kind === 'GetReceipts' && response.kind === 'Receipts') {
    const n = response.receipts.length;
    if (n > Math.min(request.hashes.length, MAX_RECEIPTS_SERVE)) return fail('bounded-response', `at most ${Math.min(request.hashes.length, MAX_RECEIPTS_SERVE)} receipt lists`, `${n}`);
    const known = request.hashes.filter((h) => numberOfHash(fixture, h) !== undefined).length;
    if (n > known) return fail('reply', `at most ${known} receipt lists (the requested blocks the chain has)`, `${n}`);
    return PASS;
  }
  if (request.kind === 'GetPooledTransactions' && response.kind === 'PooledTransactions') {
    if (response.transactions.length > request.hashes.length) return fail('bounded-response', `at most ${request.hashes.length} transactions`, `${response.transactions.length}`);
    return PASS;
  }
  return fail('reply', `a response to ${request.kind}`, response.kind);
}

function summarizeNumbers(ns: readonly number[]): string {
  if (ns.length === 0) return 'none';
  if (ns.length <= 4) return ns.join(',');
  return `${ns[0]},${ns[1]},…,${ns.at(-1)} (${ns.length})`;
}

export function hex8(b: Uint8Array): string {
  return bytesToHex(b).slice(0, 8);
}
