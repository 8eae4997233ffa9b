/**
 * Campaign `session`: stateful sequences (fc.commands) of valid and invalid
 * actions on one connection, run against a model of the session's stage
 * (connected, Hello done, Status done, ended). Each command knows from the
 * model what the target must answer: a reply, no reply, or a disconnect with
 * an allowed reason. This is where order matters: a request before Status,
 * a Status that does not match, a peer that never sends Status, a second
 * Hello, our own Disconnect.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { honestStatus } from '../../conformance/sim/eth-sim.js';
import { describeEnd, SimPeer } from '../../conformance/sim/sim-peer.js';
import { encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import type { EthVersion, Status } from '../../reference-node/wire/eth/types.js';
import { publicKeyOf } from '../../reference-node/wire/keys.js';
import { decodePong, DisconnectReason, encodeDisconnect, encodeHello, P2P_VERSION, P2pMessageId, snappyNegotiated } from '../../reference-node/wire/p2p.js';
import { snappyCompress } from '../../reference-node/wire/rlpx/snappy.js';
import { fromJson, toJson, type Json } from '../json.js';
import type { CampaignContext } from '../engine/context.js';
import { fail, PASS, type Campaign, type CaseRun, type SentItem, type Verdict } from '../engine/types.js';
import { ethStepArb, fixtureRequestArb, stepBytes, type EthStep } from './eth.js';
import { ETH_REJECT_REASONS } from '../../conformance/suites/eth/support/reasons.js';
import { expectEth, ETH_BAD_MESSAGE_REASONS } from './eth-model.js';
import { expectDisconnect, expectKept, expectTolerated, FUZZ_DIAL, REPLY_TIMEOUT_MS, sent } from './session-tools.js';
import { describePlan } from '../mutate/index.js';

/** Where the session campaign and conformance's eth/6x/status/not-first read their answer to a request before Status. */
const BEFORE_STATUS = "caps/eth.md#basic-operation: the session is active only after the peer's Status, so a request before ours is not served; the target may ignore it or drop us";

/** The target's Status timeout plus slack (geth and the reference node: 5 s). */
export const STATUS_DEADLINE_MS = 10_000;

export type Stage = 'connected' | 'hello' | 'status' | 'ended';

export interface Model {
  stage: Stage;
  /**
   * A message the target could drop us for went by and the session stayed
   * open (it answered our Ping). A target may still act on it later: its
   * Pong and its verdict on a sub-protocol message need not leave in the
   * order the messages came, so a Disconnect with one of these reasons
   * later on is that message's consequence, not a new failure.
   */
  mayStillEnd?: { reasons: readonly number[] };
}

/** After a tolerated message: if the session is over, the model's is too; if not, remember that it may end for it later. */
function afterTolerated(m: Model, r: Real, reasons: readonly number[]): void {
  if (r.peer.ended) m.stage = 'ended';
  else m.mayStillEnd = { reasons: [...(m.mayStillEnd?.reasons ?? []), ...reasons] };
}

export interface Real {
  ctx: CampaignContext;
  peer: SimPeer;
  version: EthVersion;
  items: SentItem[];
}

/** A failed expectation inside a command; the campaign turns it back into the verdict. */
class VerdictError extends Error {
  constructor(readonly verdict: Extract<Verdict, { ok: false }>) {
    super(`${verdict.oracle}: expected ${verdict.expected}; observed ${verdict.observed}`);
  }
}

function check(v: Verdict): void {
  if (!v.ok) throw new VerdictError(v);
}

export type CommandSpec =
  | { cmd: 'hello'; variant: 'valid' | 'v4' | 'compressed' }
  | { cmd: 'status'; variant: 'honest' | 'wrong-genesis' | 'wrong-network' | 'wrong-forkid' | 'wrong-version' | 'bad-range' }
  | { cmd: 'request-before-status' }
  | { cmd: 'eth'; step: EthStep }
  | { cmd: 'ping' }
  | { cmd: 'wait-without-status' }
  | { cmd: 'second-hello' }
  | { cmd: 'disconnect'; reason: number };

const ETH_ID = (r: Real, code: number) => r.peer.wireId('eth', code);

function sendEth(r: Real, step: EthStep, what: string): { code: number; payload: Uint8Array } {
  const { code, payload } = stepBytes(r.version, step);
  r.items.push(sent(what, payload));
  r.peer.sendRaw(ETH_ID(r, code), payload);
  return { code, payload };
}

function statusVariant(r: Real, variant: Extract<CommandSpec, { cmd: 'status' }>['variant']): Status {
  const s = honestStatus(r.ctx.fixture, r.version);
  switch (variant) {
    case 'honest':
      return s;
    case 'wrong-genesis':
      return { ...s, genesis: s.genesis.map((b, i) => (i === 0 ? b ^ 0xff : b)) };
    case 'wrong-network':
      return { ...s, networkId: s.networkId + 1n };
    case 'wrong-forkid':
      return { ...s, forkId: { hash: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), next: 0n } };
    case 'wrong-version':
      return { ...s, version: r.version === 66 ? 67 : 66 };
    case 'bad-range':
      return s.form === 'eth69' ? { ...s, earliestBlock: s.latestBlock + 1n } : s;
  }
}

export class SessionCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly spec: CommandSpec) {}

  check(m: Readonly<Model>): boolean {
    switch (this.spec.cmd) {
      case 'hello':
        return m.stage === 'connected';
      case 'status':
      case 'request-before-status':
      case 'wait-without-status':
        return m.stage === 'hello';
      case 'eth':
        return m.stage === 'status';
      case 'ping':
      case 'second-hello':
        return m.stage === 'hello' || m.stage === 'status';
      case 'disconnect':
        return m.stage !== 'ended';
    }
  }

  async run(m: Model, r: Real): Promise<void> {
    try {
      await this.step(m, r);
    } catch (err) {
      const end = r.peer.ended;
      const late = err instanceof VerdictError && err.verdict.oracle === 'unexpected-disconnect' && end?.via === 'disconnect' && end.reason !== undefined && m.mayStillEnd?.reasons.includes(end.reason);
      if (!late) throw err;
      m.stage = 'ended';
    }
  }

  private async step(m: Model, r: Real): Promise<void> {
    const s = this.spec;
    switch (s.cmd) {
      case 'hello': {
        const hello = { protocolVersion: s.variant === 'v4' ? 4 : P2P_VERSION, clientId: 'devp2p-check/fuzz', capabilities: [{ name: 'eth', version: r.version }], listenPort: 0, nodeId: publicKeyOf(r.peer.privateKey), extra: [] };
        if (s.variant === 'compressed') {
          const bytes = snappyCompress(encodeHello(hello));
          r.items.push(sent('Hello, snappy-compressed', bytes));
          r.peer.sendRaw(P2pMessageId.Hello, bytes);
          m.stage = 'ended';
          return check(await expectDisconnect(r.peer, [DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError], 'a compressed Hello (EIP-706: Hello is never compressed)'));
        }
        r.items.push(sent(`Hello v${hello.protocolVersion}`, encodeHello(hello)));
        r.peer.sendHello(hello.capabilities, { protocolVersion: hello.protocolVersion });
        r.peer.transport.codec.snappy = snappyNegotiated(hello.protocolVersion, r.peer.remoteHello!.protocolVersion);
        m.stage = 'hello';
        return;
      }
      case 'status': {
        const status = statusVariant(r, s.variant);
        const { code, payload } = encodeEthMessage(r.version, status);
        r.items.push(sent(`Status (${s.variant})`, payload));
        r.peer.sendRaw(ETH_ID(r, code), payload);
        if (s.variant === 'honest' || (s.variant === 'bad-range' && r.version < 69)) {
          m.stage = 'status';
          return check(await expectKept(r.peer, 'an honest Status'));
        }
        m.stage = 'ended';
        return check(await expectDisconnect(r.peer, ETH_BAD_MESSAGE_REASONS, `a Status with ${s.variant} (eth.md Status)`));
      }
      case 'request-before-status': {
        const { payload } = encodeEthMessage(r.version, { kind: 'GetBlockHeaders', requestId: 7n, origin: { number: 1n }, amount: 1n, skip: 0n, reverse: false });
        r.items.push(sent('GetBlockHeaders before Status', payload));
        const seen = r.peer.received.length;
        r.peer.sendRaw(ETH_ID(r, 0x03), payload);
        // As conformance's eth/6x/status/not-first: serving it is the breach; dropping us or ignoring it (and still waiting for our Status) are both right.
        const v = await expectTolerated(r.peer, ETH_REJECT_REASONS, BEFORE_STATUS);
        if (r.peer.received.slice(seen).some((x) => x.msgId === ETH_ID(r, 0x04))) {
          throw new VerdictError(fail('unexpected-reply', `no BlockHeaders for a request sent before our Status (${BEFORE_STATUS})`, 'BlockHeaders'));
        }
        afterTolerated(m, r, ETH_REJECT_REASONS);
        return check(v);
      }
      case 'eth': {
        const { code, payload } = sendEth(r, s.step, `eth ${s.step.message.kind} (${describePlan(s.step.plan)})`);
        const e = expectEth({ version: r.version, fixture: r.ctx.fixture, postMerge: r.ctx.postMerge }, code, payload);
        if (e.kind === 'disconnect') {
          m.stage = 'ended';
          return check(await expectDisconnect(r.peer, e.reasons, e.why));
        }
        if (e.kind === 'tolerate') {
          const v = await expectTolerated(r.peer, e.reasons, e.why);
          afterTolerated(m, r, e.reasons);
          return check(v);
        }
        if (e.kind === 'keep') return check(await expectKept(r.peer, e.why));
        const id = e.request.requestId;
        const cap = r.peer.shared.find((c) => c.name === 'eth')!;
        const w = await r.peer.waitFor((x) => x.msgId === cap.offset + ({ BlockHeaders: 4, BlockBodies: 6, Receipts: 0x10, PooledTransactions: 0x0a } as Record<string, number>)[e.responseKind]!, REPLY_TIMEOUT_MS);
        if (!w.ok) throw new VerdictError(fail(w.why === 'ended' ? 'unexpected-disconnect' : 'reply', `${e.responseKind} for a valid ${e.request.kind} (id ${id})`, w.why === 'ended' ? describeEnd(w.end) : `nothing within ${REPLY_TIMEOUT_MS} ms`));
        // The eth handler answered a request sent after every earlier message, so it has judged them all: a later drop is not theirs.
        delete m.mayStillEnd;
        return;
      }
      case 'ping': {
        r.items.push(sent('Ping', Uint8Array.of(0xc0)));
        r.peer.sendRaw(P2pMessageId.Ping, Uint8Array.of(0xc0));
        const w = await r.peer.waitFor((x) => x.msgId === P2pMessageId.Pong, REPLY_TIMEOUT_MS);
        if (!w.ok) throw new VerdictError(fail(w.why === 'ended' ? 'unexpected-disconnect' : 'reply', 'Pong', w.why === 'ended' ? describeEnd(w.end) : `nothing within ${REPLY_TIMEOUT_MS} ms`));
        try {
          decodePong(w.value.payload);
        } catch {
          // e.g. a compressed Pong after a v4 Hello (EIP-706: no snappy unless both sides are v5).
          throw new VerdictError(fail('reply', 'a Pong that decodes', `payload ${Buffer.from(w.value.payload).toString('hex')}`));
        }
        return;
      }
      case 'wait-without-status': {
        m.stage = 'ended';
        const end = await r.peer.waitForEnd(STATUS_DEADLINE_MS);
        if (!end) throw new VerdictError(fail('hang', `the target drops a peer that sends no Status within ${STATUS_DEADLINE_MS} ms`, 'the session is still open'));
        return;
      }
      case 'second-hello': {
        const again = encodeHello({ protocolVersion: P2P_VERSION, clientId: 'devp2p-check/fuzz', capabilities: [{ name: 'eth', version: r.version }], listenPort: 0, nodeId: publicKeyOf(r.peer.privateKey), extra: [] });
        r.items.push(sent('second Hello', again));
        r.peer.sendRaw(P2pMessageId.Hello, again);
        const v = await expectTolerated(r.peer, [DisconnectReason.ProtocolBreach], 'a second Hello');
        afterTolerated(m, r, [DisconnectReason.ProtocolBreach]);
        return check(v);
      }
      case 'disconnect': {
        const d = encodeDisconnect({ reason: s.reason });
        r.items.push(sent(`Disconnect ${s.reason}`, d));
        r.peer.sendRaw(P2pMessageId.Disconnect, d);
        m.stage = 'ended';
        const end = await r.peer.waitForEnd(REPLY_TIMEOUT_MS);
        if (!end) throw new VerdictError(fail('hang', 'the target closes the connection after our Disconnect', `still open after ${REPLY_TIMEOUT_MS} ms`));
        return;
      }
    }
  }

  toString(): string {
    const s = this.spec;
    if (s.cmd === 'eth') return `eth ${s.step.message.kind} (${describePlan(s.step.plan)})`;
    if ('variant' in s) return `${s.cmd} ${s.variant}`;
    if (s.cmd === 'disconnect') return `disconnect ${s.reason}`;
    return s.cmd;
  }
}

export type SessionCase = Iterable<fc.AsyncCommand<Model, Real>>;

/** fc.commands wraps each command (to track which ran); the spec is on the inner one. */
function specsOf(c: SessionCase): CommandSpec[] {
  return [...c].map((x) => {
    const inner = 'cmd' in x ? (x as { cmd: unknown }).cmd : x;
    return (inner as SessionCommand).spec;
  });
}

export class SessionCampaign implements Campaign<SessionCase> {
  readonly name = 'session' as const;
  readonly summary = 'fc.commands sequences of valid and invalid actions against a model of what the target must answer';

  cases(ctx: CampaignContext): Arbitrary<SessionCase> {
    const version = ctx.ethVersion;
    const cmd = (spec: Arbitrary<CommandSpec>) => spec.map((s) => new SessionCommand(s));
    const statusVariants = ['honest', 'honest', 'honest', 'wrong-genesis', 'wrong-network', 'wrong-forkid', 'wrong-version', ...(version >= 69 ? (['bad-range'] as const) : [])] as const;
    return fc.commands(
      [
        cmd(fc.constantFrom<CommandSpec>({ cmd: 'hello', variant: 'valid' }, { cmd: 'hello', variant: 'valid' }, { cmd: 'hello', variant: 'valid' }, { cmd: 'hello', variant: 'v4' }, { cmd: 'hello', variant: 'compressed' })),
        cmd(fc.constantFrom(...statusVariants).map((variant): CommandSpec => ({ cmd: 'status', variant }))),
        cmd(fc.constant<CommandSpec>({ cmd: 'status', variant: 'honest' })),
        cmd(fc.constant<CommandSpec>({ cmd: 'request-before-status' })),
        cmd(fixtureRequestArb(ctx, version).map((message): CommandSpec => ({ cmd: 'eth', step: { message, plan: { rlp: [], bytes: [] } } }))),
        cmd(ethStepArb(ctx, version).map((step): CommandSpec => ({ cmd: 'eth', step }))),
        cmd(ethStepArb(ctx, version).map((step): CommandSpec => ({ cmd: 'eth', step }))),
        cmd(fc.constant<CommandSpec>({ cmd: 'ping' })),
        cmd(fc.constant<CommandSpec>({ cmd: 'wait-without-status' })),
        cmd(fc.constant<CommandSpec>({ cmd: 'second-hello' })),
        cmd(fc.constantFrom(0, 3, 8).map((reason): CommandSpec => ({ cmd: 'disconnect', reason }))),
      ],
      { maxCommands: 8 },
    );
  }

  describe(c: SessionCase): string {
    return [...c].map(String).join(' -> ');
  }

  encodeCase(c: SessionCase): unknown {
    return specsOf(c);
  }

  decodeCase(json: unknown): SessionCase {
    return (fromJson(toJson(json) as Json) as CommandSpec[]).map((s) => new SessionCommand(s));
  }

  async reset(): Promise<void> {}

  async run(ctx: CampaignContext, c: SessionCase): Promise<CaseRun> {
    const items: SentItem[] = [];
    let peer: SimPeer;
    try {
      peer = await SimPeer.dial(ctx.simEnv(), FUZZ_DIAL);
    } catch (err) {
      return { verdict: fail('canary', 'an honest RLPx handshake', (err as Error).message), sent: items, suspicious: true };
    }
    try {
      const theirs = await peer.waitFor((m) => m.msgId === P2pMessageId.Hello, REPLY_TIMEOUT_MS);
      if (!theirs.ok || !peer.remoteHello) return { verdict: fail('reply', 'the target\'s Hello right after the handshake', theirs.ok ? 'an undecodable Hello' : describeEnd(theirs.end)), sent: items };
      const real: Real = { ctx, peer, version: ctx.ethVersion, items };
      try {
        await fc.asyncModelRun(() => ({ model: { stage: 'connected' as Stage }, real }), c);
      } catch (err) {
        if (err instanceof VerdictError) return { verdict: err.verdict, sent: items, suspicious: err.verdict.oracle === 'hang' || err.verdict.oracle === 'reply' };
        throw err;
      }
      return { verdict: PASS, sent: items };
    } finally {
      peer.destroy();
    }
  }
}
