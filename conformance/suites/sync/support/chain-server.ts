/**
 * Serves a ChainView to the target over one eth session, and logs every
 * header and body request the target makes (what sync tests judge). The
 * answers are honest unless the test swaps in a policy: lie (other headers
 * or bodies), withhold (empty lists), stay silent, or answer late.
 *
 * It reads the session's inbound messages without taking them, as EthSim's
 * own responder does, so the test can still wait on anything else.
 */
import type { BlockBody, BlockHeader } from '../../../../reference-node/wire/block.js';
import { decodeEthMessage } from '../../../../reference-node/wire/eth/messages.js';
import { ETH_MESSAGE_CODES } from '../../../../reference-node/wire/eth/codes.js';
import type { GetBlockBodies, GetBlockHeaders } from '../../../../reference-node/wire/eth/types.js';
import { expectedHeaderNumbers } from '../../../fixture/queries.js';
import { numberOfHash } from '../../../fixture/fixture.js';
import type { EthSim } from '../../../sim/eth-sim.js';
import type { ChainView } from './chain-view.js';

/** What a policy may answer instead of the honest reply: a list to send, or 'silent' for no answer at all. */
export type Answer<T> = T[] | 'silent';

export interface ServePolicy {
  /** Replaces the honest header answer. */
  headers?(req: GetBlockHeaders, honest: BlockHeader[]): Answer<BlockHeader>;
  /** Replaces the honest body answer. */
  bodies?(req: GetBlockBodies, honest: BlockBody[]): Answer<BlockBody>;
  /** Milliseconds to hold each answer back (0 by default). */
  delayMs?(req: GetBlockHeaders | GetBlockBodies): number;
  /** Answers wait for this (e.g. until other peers have connected); requests are still logged as they come. */
  gate?: Promise<void>;
}

export interface LoggedRequest {
  kind: 'GetBlockHeaders' | 'GetBlockBodies';
  /** Headers asked for (amount), or hashes listed. */
  count: number;
  /** GetBlockHeaders: the first block asked for, by number when the origin is a hash we know; undefined otherwise. */
  from: number | undefined;
  /** GetBlockBodies: block numbers of the hashes we know. */
  numbers: number[];
  /** Whether an answer went back (false: silent policy). */
  answered: boolean;
  atMs: number;
  request: GetBlockHeaders | GetBlockBodies;
}

/** The most headers one answer carries (the cap serving nodes apply, caps/eth.md leaves it to implementations). */
const SERVE_CAP = 1024;
const POLL_MS = 10;

export class ChainServer {
  readonly requests: LoggedRequest[] = [];
  private scanned = 0;
  private stopped = false;

  constructor(
    readonly sim: EthSim,
    readonly view: ChainView,
    private readonly policy: ServePolicy = {},
  ) {
    this.tick();
  }

  /** Requests of one kind so far. */
  of(kind: LoggedRequest['kind']): LoggedRequest[] {
    return this.requests.filter((r) => r.kind === kind);
  }

  stop(): void {
    this.stopped = true;
  }

  private tick(): void {
    if (this.stopped || this.sim.peer.ended) return;
    const received = this.sim.peer.received;
    for (; this.scanned < received.length; this.scanned++) this.consider(received[this.scanned]!.msgId, received[this.scanned]!.payload);
    setTimeout(() => this.tick(), POLL_MS).unref();
  }

  private consider(msgId: number, payload: Uint8Array): void {
    const cap = this.sim.peer.shared.find((c) => c.name === 'eth');
    if (!cap) return;
    const code = msgId - cap.offset;
    if (code !== ETH_MESSAGE_CODES.GetBlockHeaders && code !== ETH_MESSAGE_CODES.GetBlockBodies) return;
    let msg;
    try {
      msg = decodeEthMessage(this.sim.version, code, payload);
    } catch {
      return; // a malformed request is for the eth suite to judge; a sync peer simply does not answer it
    }
    if (msg.kind === 'GetBlockHeaders') this.onHeaders(msg);
    else if (msg.kind === 'GetBlockBodies') this.onBodies(msg);
  }

  private onHeaders(req: GetBlockHeaders): void {
    const numbers = expectedHeaderNumbers(this.view, req, SERVE_CAP);
    const honest = numbers.map((n) => this.view.blocks[n]!.header);
    const answer = this.policy.headers ? this.policy.headers(req, honest) : honest;
    const from = 'hash' in req.origin ? numberOfHash(this.view, req.origin.hash) : Number(req.origin.number);
    this.log({ kind: 'GetBlockHeaders', count: Number(req.amount > 1_000_000n ? 1_000_000n : req.amount), from, numbers: [], answered: answer !== 'silent', atMs: this.sim.peer.elapsed(), request: req });
    if (answer !== 'silent') this.reply(req, () => this.sim.send({ kind: 'BlockHeaders', requestId: req.requestId, headers: answer }));
  }

  private onBodies(req: GetBlockBodies): void {
    const numbers: number[] = [];
    const honest: BlockBody[] = [];
    for (const hash of req.hashes) {
      const n = numberOfHash(this.view, hash);
      if (n === undefined) break;
      numbers.push(n);
      const b = this.view.blocks[n]!;
      honest.push({ transactions: b.transactions, uncles: b.uncles, ...(b.withdrawals ? { withdrawals: b.withdrawals } : {}) });
    }
    const answer = this.policy.bodies ? this.policy.bodies(req, honest) : honest;
    this.log({ kind: 'GetBlockBodies', count: req.hashes.length, from: numbers[0], numbers, answered: answer !== 'silent', atMs: this.sim.peer.elapsed(), request: req });
    if (answer !== 'silent') this.reply(req, () => this.sim.send({ kind: 'BlockBodies', requestId: req.requestId, bodies: answer }));
  }

  private reply(req: GetBlockHeaders | GetBlockBodies, send: () => void): void {
    const delay = this.policy.delayMs?.(req) ?? 0;
    const go = () => {
      if (!this.stopped && !this.sim.peer.ended) send();
    };
    const later = () => (delay > 0 ? void setTimeout(go, delay).unref() : go());
    if (this.policy.gate) void this.policy.gate.then(later);
    else later();
  }

  private log(entry: LoggedRequest): void {
    this.requests.push(entry);
  }
}
