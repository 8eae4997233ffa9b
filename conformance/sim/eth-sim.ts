/**
 * An eth session on a scripted peer: Hello and Status built from the fixture
 * (so the target sees an honest peer on the same chain), typed send and
 * receive, request/response matching by request id, and an honest responder
 * that serves the fixture's headers and bodies when the target asks. Tests
 * that break the handshake build on SimPeer directly, or pass a `status`
 * transform here.
 */
import { DecodeError } from '../../reference-node/wire/errors.js';
import { decodeEthMessage, encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import { ETH_MESSAGE_CODES, kindOfCode } from '../../reference-node/wire/eth/codes.js';
import type { EthMessage, EthVersion, Status } from '../../reference-node/wire/eth/types.js';
import type { Capability } from '../../reference-node/wire/p2p.js';
import { TestFailure } from '../core/failure.js';
import { numberOfHash, type Fixture } from '../fixture/fixture.js';
import { expectedHeaderNumbers } from '../fixture/queries.js';
import { describeWaited, DEFAULT_WAIT_MS, SimPeer, type Inbound, type SimDialOptions, type SimEnv, type Waited } from './sim-peer.js';

type Kind = EthMessage['kind'];
export type EthOf<K extends Kind> = Extract<EthMessage, { kind: K }>;

export interface EthConnectOptions extends SimDialOptions {
  version: EthVersion;
  /** Capabilities announced beside eth/`version` (e.g. other eth versions, unknown caps). */
  extraCaps?: Capability[];
  /** Changes the honest Status before it is sent. */
  status?: (honest: Status) => Status;
  /** Answer GetBlockHeaders / GetBlockBodies from the fixture (default true). */
  serve?: boolean;
  /** Stop after Hello (the test sends its own Status). */
  noStatus?: boolean;
}

/** The Status an honest peer holding the whole fixture sends at `version`. */
export function honestStatus(fixture: Fixture, version: EthVersion): Status {
  if (version < 69) {
    return { kind: 'Status', form: 'eth66', version, networkId: fixture.networkId, td: fixture.head.td, head: fixture.head.hash, genesis: fixture.genesis.hash, forkId: fixture.forkId };
  }
  return {
    kind: 'Status',
    form: 'eth69',
    version,
    networkId: fixture.networkId,
    genesis: fixture.genesis.hash,
    forkId: fixture.forkId,
    earliestBlock: 0n,
    latestBlock: BigInt(fixture.head.number),
    latestBlockHash: fixture.head.hash,
  };
}

export class EthSim {
  /** The target's Status (undefined with noStatus). */
  remoteStatus: Status | undefined;
  /** Messages from the target that did not decode at our version: always a finding for the test to report. */
  readonly malformed: { code: number; error: string }[] = [];
  private nextRequestId = 1n;
  private servedUpTo = 0;

  private constructor(
    readonly peer: SimPeer,
    readonly version: EthVersion,
    readonly fixture: Fixture,
    private readonly serve: boolean,
  ) {}

  /**
   * Dial, Hello, Status. A target that does not complete the handshake fails
   * the test here (an honest peer on its own chain must be accepted).
   */
  static async connect(env: SimEnv, fixture: Fixture, options: EthConnectOptions): Promise<EthSim> {
    const peer = await SimPeer.dial(env, options);
    const sim = new EthSim(peer, options.version, fixture, options.serve ?? true);
    const hello = await peer.exchangeHello([{ name: 'eth', version: options.version }, ...(options.extraCaps ?? [])], {}, options.timeoutMs ?? DEFAULT_WAIT_MS);
    if (!hello.ok) throw new TestFailure(`the target did not answer an honest Hello (${peer.name})`, 'Hello', describeWaited(hello));
    if (!peer.shared.some((c) => c.name === 'eth' && c.version === options.version)) {
      throw new TestFailure(`the target did not negotiate eth/${options.version}`, `eth/${options.version} in the target's Hello`, `caps ${hello.value.capabilities.map((c) => `${c.name}/${c.version}`).join(',')}`);
    }
    if (options.noStatus) return sim;
    const honest = honestStatus(fixture, options.version);
    sim.send(options.status ? options.status(honest) : honest);
    const status = await sim.next('Status', options.timeoutMs ?? DEFAULT_WAIT_MS);
    if (!status.ok) throw new TestFailure(`the target sent no Status to an honest peer (${peer.name})`, 'Status', describeWaited(status));
    sim.remoteStatus = status.value;
    if (sim.serve) sim.startServing();
    return sim;
  }

  get name(): string {
    return this.peer.name;
  }

  /** Encodes at our version and sends with the negotiated offset. */
  send(msg: EthMessage): void {
    const { code, payload } = encodeEthMessage(this.version, msg);
    this.peer.sendRaw(this.peer.wireId('eth', code), payload, `eth/${this.version}:${msg.kind}`, summarize(msg));
  }

  /** Sends arbitrary bytes as eth message `code`. */
  sendRaw(code: number, payload: Uint8Array, what = `eth/${this.version}:0x${code.toString(16)}`): void {
    this.peer.sendRaw(this.peer.wireId('eth', code), payload, what);
  }

  /** A fresh request id (unique within this session). */
  requestId(): bigint {
    return this.nextRequestId++;
  }

  /** The next eth message of `kind` (optionally matching `where`), decoded; waits up to `timeoutMs`. */
  async next<K extends Kind>(kind: K, timeoutMs = DEFAULT_WAIT_MS, where: (m: EthOf<K>) => boolean = () => true): Promise<Waited<EthOf<K>>> {
    const code = ETH_MESSAGE_CODES[kind];
    const w = await this.peer.waitFor((m) => this.isEth(m, code) && this.matches(m, kind, where), timeoutMs);
    if (!w.ok) return w;
    try {
      return { ok: true, value: this.decode(w.value) as EthOf<K> };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      throw new TestFailure(`the target sent a malformed ${kind} (${this.name})`, `a valid eth/${this.version} ${kind}`, err.message);
    }
  }

  /** Sends a request and waits for the response kind with the same request id. */
  async request<K extends Kind>(msg: EthMessage & { requestId: bigint }, responseKind: K, timeoutMs = DEFAULT_WAIT_MS): Promise<Waited<EthOf<K>>> {
    this.send(msg);
    return this.next(responseKind, timeoutMs, (m) => (m as { requestId?: bigint }).requestId === msg.requestId);
  }

  /** Every eth message received so far that decodes, in order (taken or not). */
  receivedEth(): EthMessage[] {
    const out: EthMessage[] = [];
    for (const m of this.peer.received) {
      const cap = this.ethCap();
      if (!cap || m.msgId < cap.offset || m.msgId >= cap.offset + cap.length) continue;
      try {
        out.push(decodeEthMessage(this.version, m.msgId - cap.offset, m.payload));
      } catch {
        // counted in `malformed` when taken; listing skips it
      }
    }
    return out;
  }

  close(): void {
    this.peer.close();
  }

  private ethCap() {
    return this.peer.shared.find((c) => c.name === 'eth');
  }

  private isEth(m: Inbound, code: number): boolean {
    const cap = this.ethCap();
    return cap !== undefined && m.msgId === cap.offset + code;
  }

  private matches<K extends Kind>(m: Inbound, kind: K, where: (m: EthOf<K>) => boolean): boolean {
    try {
      const msg = this.decode(m);
      return msg.kind === kind && where(msg as EthOf<K>);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.malformed.push({ code: m.msgId - (this.ethCap()?.offset ?? 0), error: err.message });
      // A malformed answer still counts as "the message arrived" for waits on its kind.
      return true;
    }
  }

  private decode(m: Inbound): EthMessage {
    const cap = this.ethCap()!;
    return decodeEthMessage(this.version, m.msgId - cap.offset, m.payload);
  }

  /** Answers the target's header and body requests from the fixture while the session lasts. */
  private startServing(): void {
    const tick = () => {
      if (this.peer.ended) return;
      const received = this.peer.received;
      for (; this.servedUpTo < received.length; this.servedUpTo++) this.answer(received[this.servedUpTo]!);
      setTimeout(tick, 20).unref();
    };
    tick();
  }

  private answer(m: Inbound): void {
    const cap = this.ethCap();
    if (!cap || m.msgId < cap.offset) return;
    const kind = kindOfCode(this.version, m.msgId - cap.offset);
    if (kind !== 'GetBlockHeaders' && kind !== 'GetBlockBodies') return;
    let msg: EthMessage;
    try {
      msg = this.decode(m);
    } catch {
      return;
    }
    if (msg.kind === 'GetBlockHeaders') {
      const headers = expectedHeaderNumbers(this.fixture, msg).map((n) => this.fixture.blocks[n]!.header);
      this.send({ kind: 'BlockHeaders', requestId: msg.requestId, headers });
    } else if (msg.kind === 'GetBlockBodies') {
      const bodies = [];
      for (const h of msg.hashes) {
        const n = numberOfHash(this.fixture, h);
        if (n === undefined) break;
        const b = this.fixture.blocks[n]!;
        bodies.push({ transactions: b.transactions, uncles: b.uncles, ...(b.withdrawals ? { withdrawals: b.withdrawals } : {}) });
      }
      this.send({ kind: 'BlockBodies', requestId: msg.requestId, bodies });
    }
  }
}

/** Short transcript detail for an eth message. */
export function summarize(msg: EthMessage): string {
  const id = 'requestId' in msg ? `id=${msg.requestId} ` : '';
  switch (msg.kind) {
    case 'GetBlockHeaders':
      return `${id}origin=${'hash' in msg.origin ? 'hash' : msg.origin.number} amount=${msg.amount} skip=${msg.skip} reverse=${msg.reverse}`;
    case 'BlockHeaders':
      return `${id}${msg.headers.length} headers${msg.headers.length ? ` ${msg.headers[0]!.number}..${msg.headers.at(-1)!.number}` : ''}`;
    case 'BlockBodies':
      return `${id}${msg.bodies.length} bodies`;
    case 'GetBlockBodies':
    case 'GetPooledTransactions':
    case 'GetReceipts':
      return `${id}${msg.hashes.length} hashes`;
    case 'Transactions':
    case 'PooledTransactions':
      return `${id}${msg.transactions.length} txs`;
    case 'NewPooledTransactionHashes':
      return `${msg.hashes.length} hashes`;
    case 'Status':
      return msg.form === 'eth66' ? `v${msg.version} net=${msg.networkId} td=${msg.td}` : `v${msg.version} net=${msg.networkId} range=${msg.earliestBlock}..${msg.latestBlock}`;
    default:
      return id.trim();
  }
}
