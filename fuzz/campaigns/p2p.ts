/**
 * Campaign `p2p`: the base protocol (rlpx.md "p2p Capability", EIP-706,
 * EIP-8 for Hello). A case is one fresh session: optionally messages before
 * our Hello, our Hello (valid, mutated, compressed, with another identity,
 * or never sent), then up to three actions (Ping and Pong with mutated
 * payloads, reserved and out-of-range ids, a second Hello, our Disconnect).
 *
 * We wait for the target's Hello before sending ours: it must come first
 * (rlpx.md: Hello right after the handshake), and knowing its version lets us
 * switch snappy on exactly when the target will.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { honestStatus } from '../../conformance/sim/eth-sim.js';
import { describeEnd, SimPeer } from '../../conformance/sim/sim-peer.js';
import { ETH_MESSAGE_COUNTS } from '../../reference-node/p2p/capabilities.js';
import { ConnectionClosedError } from '../../reference-node/p2p/handshake-reader.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import type { EthVersion } from '../../reference-node/wire/eth/types.js';
import { publicKeyOf } from '../../reference-node/wire/keys.js';
import {
  decodePing,
  decodePong,
  DisconnectReason,
  encodeDisconnect,
  encodeHello,
  encodePing,
  encodePong,
  negotiateCapabilities,
  P2pMessageId,
  snappyNegotiated,
  type Hello,
} from '../../reference-node/wire/p2p.js';
import { snappyCompress } from '../../reference-node/wire/rlpx/snappy.js';
import { helloArb } from '../arbitraries/p2p.js';
import { allowedReasons, describeFaults, judgeHello } from './hello-model.js';
import { maybeMutatedArb } from '../arbitraries/mutations.js';
import { applyPlan, describePlan, type MutationPlan } from '../mutate/index.js';
import type { CampaignContext } from '../engine/context.js';
import { fail, PASS, type Campaign, type CaseRun, type SentItem, type Verdict } from '../engine/types.js';
import { expectDisconnect, expectKept, expectTolerated, FUZZ_DIAL, REPLY_TIMEOUT_MS, sent } from './session-tools.js';

const BREACH: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError];
/** A peer that never sends Hello must be dropped by then (geth: 5 s handshake timeout; we allow slack). */
export const HELLO_DEADLINE_MS = 10_000;

export type P2pAction =
  | { kind: 'ping'; plan: MutationPlan }
  | { kind: 'pong'; plan: MutationPlan }
  | { kind: 'reserved'; id: number; payload: Uint8Array }
  | { kind: 'beyond'; id: number }
  | { kind: 'second-hello'; version: number }
  | { kind: 'disconnect'; reason: number };

export interface P2pCase {
  /** Base-protocol or eth messages sent before our Hello (rlpx.md: nothing may precede it). */
  before: Array<{ id: number; payload: Uint8Array }>;
  hello: { fields: Omit<Hello, 'nodeId'>; identity: 'own' | 'other' | 'null'; plan: MutationPlan; compress: boolean } | 'none';
  after: P2pAction[];
}

function actionArb(): Arbitrary<P2pAction> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('ping' as const), plan: maybeMutatedArb({ big: false }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('pong' as const), plan: maybeMutatedArb({ big: false }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('reserved' as const), id: fc.integer({ min: 4, max: 15 }), payload: fc.constantFrom(Uint8Array.of(0xc0), new Uint8Array(0), Uint8Array.of(0x80)) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('beyond' as const), id: fc.constantFrom(0x40, 0x100, 0xffff) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('second-hello' as const), version: fc.constantFrom(4, 5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), reason: fc.constantFrom(0, 3, 8, 0x10) }) },
  );
}

export class P2pCampaign implements Campaign<P2pCase> {
  readonly name = 'p2p' as const;
  readonly summary = 'Hello, Disconnect, Ping/Pong and reserved ids, valid and mutated, before and after Hello';

  cases(): Arbitrary<P2pCase> {
    const placeholder = new Uint8Array(64);
    const hello = fc.record({
      fields: helloArb(placeholder).map(({ nodeId: _n, ...rest }) => rest),
      identity: fc.oneof({ weight: 10, arbitrary: fc.constant('own' as const) }, { weight: 1, arbitrary: fc.constantFrom('other' as const, 'null' as const) }),
      plan: maybeMutatedArb({ big: false }),
      compress: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    });
    const before: Arbitrary<P2pCase['before']> = fc.oneof(
      { weight: 12, arbitrary: fc.constant<P2pCase['before']>([]) },
      { weight: 1, arbitrary: fc.constantFrom(2, 3, 0x10).map((id): P2pCase['before'] => [{ id, payload: Uint8Array.of(0xc0) }]) },
    );
    const helloOrNone: Arbitrary<P2pCase['hello']> = fc.oneof({ weight: 40, arbitrary: hello }, { weight: 1, arbitrary: fc.constant<P2pCase['hello']>('none') });
    return fc.record({ before, hello: helloOrNone, after: fc.array(actionArb(), { maxLength: 3 }) });
  }

  describe(c: P2pCase): string {
    const parts: string[] = [];
    if (c.before.length) parts.push(`before Hello: ${c.before.map((m) => `id 0x${m.id.toString(16)}`).join(',')}`);
    if (c.hello === 'none') parts.push('no Hello');
    else parts.push(`Hello v${c.hello.fields.protocolVersion} caps ${c.hello.fields.capabilities.map((x) => `${x.name}/${x.version}`).join(',')}${c.hello.identity !== 'own' ? ` identity ${c.hello.identity}` : ''}${c.hello.compress ? ' compressed' : ''} (${describePlan(c.hello.plan)})`);
    for (const a of c.after) parts.push(a.kind === 'ping' || a.kind === 'pong' ? `${a.kind} (${describePlan(a.plan)})` : a.kind === 'reserved' || a.kind === 'beyond' ? `${a.kind} id 0x${a.id.toString(16)}` : `${a.kind} ${a.kind === 'disconnect' ? a.reason : a.version}`);
    return parts.join('; ');
  }

  async reset(): Promise<void> {}

  async run(ctx: CampaignContext, c: P2pCase): Promise<CaseRun> {
    const items: SentItem[] = [];
    let peer: SimPeer;
    try {
      peer = await SimPeer.dial(ctx.simEnv(), FUZZ_DIAL);
    } catch (err) {
      if (err instanceof DecodeError || err instanceof ConnectionClosedError || err instanceof Error) {
        return { verdict: fail('canary', 'an honest RLPx handshake', (err as Error).message), sent: items, suspicious: true };
      }
      throw err;
    }
    try {
      return { verdict: await this.session(ctx, peer, c, items), sent: items };
    } finally {
      peer.destroy();
    }
  }

  private async session(ctx: CampaignContext, peer: SimPeer, c: P2pCase, items: SentItem[]): Promise<Verdict> {
    const theirs = await peer.waitFor((m) => m.msgId === P2pMessageId.Hello, REPLY_TIMEOUT_MS);
    if (!theirs.ok) return fail('reply', 'the target\'s Hello right after the handshake (rlpx.md)', theirs.why === 'ended' ? describeEnd(theirs.end) : `nothing within ${REPLY_TIMEOUT_MS} ms`);
    const remote = peer.remoteHello;
    if (!remote) return fail('reply', 'a Hello that decodes', 'an undecodable Hello');

    for (const m of c.before) {
      items.push(sent(`id 0x${m.id.toString(16)} before our Hello`, m.payload));
      peer.sendRaw(m.id, m.payload);
    }
    if (c.before.length > 0) return expectDisconnect(peer, BREACH, 'a message before Hello');

    if (c.hello === 'none') {
      const end = await peer.waitForEnd(HELLO_DEADLINE_MS);
      if (!end) return fail('hang', `the session ends within ${HELLO_DEADLINE_MS} ms when no Hello comes`, 'still open');
      return PASS;
    }
    const ownKey = publicKeyOf(peer.privateKey);
    const nodeId = c.hello.identity === 'own' ? ownKey : c.hello.identity === 'null' ? new Uint8Array(64) : Uint8Array.from(ownKey, (b, i) => (i === 0 ? b ^ 1 : b));
    const plain = applyPlan(encodeHello({ ...c.hello.fields, nodeId }), c.hello.plan);
    const bytes = c.hello.compress ? snappyCompress(plain) : plain;
    items.push(sent(`our Hello${c.hello.compress ? ' (snappy-compressed)' : ''}`, bytes));
    peer.sendRaw(P2pMessageId.Hello, bytes);

    const judged = judgeHello(bytes, ownKey, remote);
    // Same rule for both sides: snappy once both Hellos say v5 or later (a Hello we cannot decode leaves it off).
    if (judged.hello) peer.transport.codec.snappy = snappyNegotiated(judged.hello.protocolVersion, remote.protocolVersion);
    // The faults are judged on what was sent: a mutation can change the node id or the capabilities too.
    if (judged.faults.length > 0) return expectDisconnect(peer, allowedReasons(judged.faults), describeFaults(judged.faults));
    const ours = judged.hello!;
    const known = ours.capabilities.filter((x) => ETH_MESSAGE_COUNTS[x.name]?.[x.version] !== undefined);
    const eth = negotiateCapabilities(known, remote.capabilities, ETH_MESSAGE_COUNTS).find((s) => s.name === 'eth');
    if (eth) {
      // An honest Status, so the eth handler's status timeout does not end the session mid-case.
      const { code, payload } = encodeEthMessage(eth.version as EthVersion, honestStatus(ctx.fixture, eth.version as EthVersion));
      peer.sendRaw(eth.offset + code, payload);
    }
    const v0 = await expectKept(peer, 'a valid Hello');
    if (!v0.ok) return v0;

    for (const a of c.after) {
      let v: Verdict;
      switch (a.kind) {
        case 'ping':
        case 'pong': {
          const bytesOut = applyPlan(a.kind === 'ping' ? encodePing() : encodePong(), a.plan);
          items.push(sent(`${a.kind} (${describePlan(a.plan)})`, bytesOut));
          peer.sendRaw(a.kind === 'ping' ? P2pMessageId.Ping : P2pMessageId.Pong, bytesOut);
          let valid = true;
          try {
            if (a.kind === 'ping') decodePing(bytesOut);
            else decodePong(bytesOut);
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
            valid = false;
          }
          if (a.kind === 'ping' && valid) {
            const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, REPLY_TIMEOUT_MS);
            v = w.ok ? PASS : fail('reply', 'Pong to a Ping', w.why === 'ended' ? describeEnd(w.end) : `nothing within ${REPLY_TIMEOUT_MS} ms`);
          } else v = valid ? await expectKept(peer, 'an unsolicited Pong') : await expectTolerated(peer, BREACH, `a malformed ${a.kind}`);
          break;
        }
        case 'reserved':
          items.push(sent(`reserved id 0x${a.id.toString(16)}`, a.payload));
          peer.sendRaw(a.id, a.payload);
          v = await expectTolerated(peer, BREACH, `reserved message id 0x${a.id.toString(16)}`);
          break;
        case 'beyond':
          items.push(sent(`id 0x${a.id.toString(16)} beyond every capability`, Uint8Array.of(0xc0)));
          peer.sendRaw(a.id, Uint8Array.of(0xc0));
          v = await expectTolerated(peer, BREACH, `message id 0x${a.id.toString(16)} outside every negotiated capability`);
          break;
        case 'second-hello': {
          const again = encodeHello({ ...ours, protocolVersion: a.version });
          items.push(sent(`second Hello v${a.version}`, again));
          peer.sendRaw(P2pMessageId.Hello, again);
          // Ignored or a breach; a target that renegotiates (and, for v4, stops compressing) sends frames we cannot read.
          v = await expectTolerated(peer, BREACH, 'a second Hello');
          break;
        }
        case 'disconnect': {
          const d = encodeDisconnect({ reason: a.reason });
          items.push(sent(`Disconnect ${a.reason}`, d));
          peer.sendRaw(P2pMessageId.Disconnect, d);
          const end = await peer.waitForEnd(REPLY_TIMEOUT_MS);
          v = end ? PASS : fail('hang', 'the target closes the connection after our Disconnect', `still open after ${REPLY_TIMEOUT_MS} ms`);
          break;
        }
      }
      if (!v.ok || peer.ended) return v;
    }
    return PASS;
  }
}
