/**
 * Campaign `frame`: attacks on RLPx framing (rlpx.md "Framing", EIP-706)
 * after an honest handshake, Hello and Status. Each case sends one crafted
 * frame carrying a Ping (or a reserved-id message), then a Ping barrier:
 *   - frames the spec accepts (any header-data, non-zero padding, a frame
 *     split over several writes or several frames in one) must be answered;
 *   - a flipped bit in a header or frame ciphertext or MAC, a non-canonical
 *     message id, an empty frame, a payload that is not a valid snappy block
 *     or declares more than 16 MiB must end the session (close, or
 *     Disconnect 0x02/0x10), and never be answered;
 *   - a frame-size that lies may end the session or be survived;
 *   - a header that declares 16 MiB and never delivers it must not hurt
 *     anyone else (the canary checks).
 * Frames are sealed with the session's own cipher and MAC state, so the
 * reproducer keeps the plaintext and the attack, not the ciphertext.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { honestStatus } from '../../conformance/sim/eth-sim.js';
import { SimPeer } from '../../conformance/sim/sim-peer.js';
import { concatBytes } from '../../reference-node/wire/bytes.js';
import { encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import { encodePing, P2pMessageId } from '../../reference-node/wire/p2p.js';
import { DEFAULT_HEADER_DATA, encodeMsgId } from '../../reference-node/wire/rlpx/frame.js';
import { snappyCompress } from '../../reference-node/wire/rlpx/snappy.js';
import { snappyPayload, type SnappyMode } from '../mutate/index.js';
import type { CampaignContext } from '../engine/context.js';
import { fail, PASS, type Campaign, type CaseRun, type SentItem, type Verdict } from '../engine/types.js';
import { barrier, expectDisconnect, expectTolerated, FUZZ_DIAL, judgeEnd, REPLY_TIMEOUT_MS, sent } from './session-tools.js';
import { DisconnectReason } from '../../reference-node/wire/p2p.js';

/**
 * Reasons for dropping a peer over a bad frame: geth reports read errors as
 * 0x01 (network error), the spec's word is 0x02 (breach), some send 0x10.
 */
const FRAME_REJECT: readonly number[] = [DisconnectReason.TcpError, DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError];
/**
 * An over-16 MiB payload must be refused before it is inflated (rlpx.md
 * Message Encoding), so before any subprotocol sees it: 0x10 (or an eth
 * "message too large") means it was inflated and handed on.
 */
const SNAPPY_LIMIT_REJECT: readonly number[] = [DisconnectReason.TcpError, DisconnectReason.ProtocolBreach];

export type FrameAttack =
  | { kind: 'header-data'; headerData: Uint8Array }
  | { kind: 'padding'; fill: number }
  | { kind: 'flip'; region: 'header-ct' | 'header-mac' | 'body-ct' | 'frame-mac'; at: number; bit: number }
  | { kind: 'size-lie'; delta: number }
  | { kind: 'huge-size' }
  | { kind: 'snappy'; mode: SnappyMode | { mode: 'over-limit' }; eth: boolean }
  | { kind: 'msg-id'; enc: Uint8Array }
  | { kind: 'empty-frame' }
  | { kind: 'split'; parts: number }
  | { kind: 'coalesce'; count: number };

export interface FrameCase {
  attack: FrameAttack;
}

/** One byte over EIP-706's limit, honestly compressed: only the declared length is wrong. Built once. */
let overLimitBlock: Uint8Array | undefined;
function overLimit(): Uint8Array {
  overLimitBlock ??= snappyCompress(new Uint8Array(0x1000000));
  return overLimitBlock;
}

export function frameAttackArb(): Arbitrary<FrameAttack> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('header-data' as const), headerData: fc.oneof(fc.constantFrom(DEFAULT_HEADER_DATA, Uint8Array.of(0xc1, 0x80), Uint8Array.of(0xc0), Uint8Array.of(0xc3, 0x80, 0x80, 0x80), Uint8Array.of(0xc2, 0x01, 0x02)), fc.uint8Array({ maxLength: 13 })) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('padding' as const), fill: fc.integer({ min: 1, max: 255 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), region: fc.constantFrom('header-ct' as const, 'header-mac' as const, 'body-ct' as const, 'frame-mac' as const), at: fc.nat({ max: 15 }), bit: fc.nat({ max: 7 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('size-lie' as const), delta: fc.oneof(fc.integer({ min: -4, max: -1 }), fc.integer({ min: 1, max: 40 })) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'huge-size' as const }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('snappy' as const),
        mode: fc.oneof(
          fc.constant<SnappyMode>({ mode: 'raw' }),
          fc.record({ mode: fc.constant('bomb' as const), declared: fc.constantFrom(0x1000000, 0x40000000, 2 ** 32 - 1) }),
          fc.record({ mode: fc.constant('lie' as const), declared: fc.constantFrom(0, 2, 0x1000000) }),
          fc.constant({ mode: 'over-limit' as const }),
        ),
        eth: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('msg-id' as const), enc: fc.constantFrom(Uint8Array.of(0x00), Uint8Array.of(0x81, 0x02), Uint8Array.of(0x82, 0x00, 0x02), Uint8Array.of(0xc1, 0x02), Uint8Array.of(0x87, 1, 2, 3, 4, 5, 6, 7)) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'empty-frame' as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('split' as const), parts: fc.integer({ min: 2, max: 5 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('coalesce' as const), count: fc.integer({ min: 2, max: 8 }) }) },
  );
}

function describeAttack(a: FrameAttack): string {
  switch (a.kind) {
    case 'header-data':
      return `header-data ${Buffer.from(a.headerData).toString('hex') || '(none)'}`;
    case 'padding':
      return `padding filled with 0x${a.fill.toString(16)}`;
    case 'flip':
      return `bit ${a.bit} of byte ${a.at} of the ${a.region} flipped`;
    case 'size-lie':
      return `frame-size off by ${a.delta}`;
    case 'huge-size':
      return 'frame-size 0xffffff, body never sent';
    case 'snappy':
      return `${a.eth ? 'eth Transactions' : 'Ping'} payload snappy ${a.mode.mode}${'declared' in a.mode ? ` declaring ${a.mode.declared}` : ''}`;
    case 'msg-id':
      return `message id written as ${Buffer.from(a.enc).toString('hex')}`;
    case 'empty-frame':
      return 'a frame with no frame-data';
    case 'split':
      return `a Ping frame in ${a.parts} writes`;
    case 'coalesce':
      return `${a.count} Ping frames in one write`;
  }
}

const pad16 = (n: number) => (n + 15) & ~15;

function header(size: number, headerData: Uint8Array = DEFAULT_HEADER_DATA): Uint8Array {
  const h = new Uint8Array(16);
  h[0] = (size >>> 16) & 0xff;
  h[1] = (size >>> 8) & 0xff;
  h[2] = size & 0xff;
  h.set(headerData.subarray(0, 13), 3);
  return h;
}

export class FrameCampaign implements Campaign<FrameCase> {
  readonly name = 'frame' as const;
  readonly summary = 'MAC, size, padding, header-data, message id and snappy attacks on frames after an honest handshake';

  cases(): Arbitrary<FrameCase> {
    return fc.record({ attack: frameAttackArb() });
  }

  describe(c: FrameCase): string {
    return describeAttack(c.attack);
  }

  async reset(): Promise<void> {}

  async run(ctx: CampaignContext, c: FrameCase): Promise<CaseRun> {
    const items: SentItem[] = [];
    let peer: SimPeer;
    try {
      peer = await SimPeer.dial(ctx.simEnv(), FUZZ_DIAL);
      const version = ctx.ethVersion;
      const hello = await peer.exchangeHello([{ name: 'eth', version }]);
      if (!hello.ok) return { verdict: fail('canary', 'Hello from the target', 'none'), sent: items, suspicious: true };
      const { code, payload } = encodeEthMessage(version, honestStatus(ctx.fixture, version));
      peer.sendRaw(peer.wireId('eth', code), payload);
      const ready = await barrier(peer);
      if (!ready.pong) return { verdict: fail('canary', 'an honest session (Hello, Status, Ping/Pong)', 'it ended or stalled'), sent: items, suspicious: true };
    } catch (err) {
      return { verdict: fail('canary', 'an honest session', (err as Error).message), sent: items, suspicious: true };
    }
    try {
      const verdict = await this.attack(peer, c.attack, items);
      return { verdict, sent: items, suspicious: c.attack.kind === 'huge-size' };
    } finally {
      peer.destroy();
    }
  }

  private async attack(peer: SimPeer, a: FrameAttack, items: SentItem[]): Promise<Verdict> {
    const writer = peer.transport.codec.writer;
    const pingData = concatBytes(encodeMsgId(P2pMessageId.Ping), snappyCompress(encodePing()));
    const seal = (frameData: Uint8Array, headerData?: Uint8Array, fill = 0) => {
      const body = new Uint8Array(pad16(frameData.length)).fill(fill);
      body.set(frameData);
      return writer.sealRaw(header(frameData.length, headerData), body);
    };
    const send = (what: string, plain: Uint8Array, wire: Uint8Array) => {
      items.push(sent(what, plain));
      peer.sendBytes(wire, what);
    };
    switch (a.kind) {
      case 'header-data': {
        send(`Ping frame-data with ${describeAttack(a)}`, pingData, seal(pingData, a.headerData));
        const isList = a.headerData.length > 0 && a.headerData[0]! >= 0xc0;
        return isList ? this.pong(peer, 'header-data is not interpreted (rlpx.md)') : expectTolerated(peer, FRAME_REJECT, 'header-data that is not an RLP list');
      }
      case 'padding':
        send(`Ping frame-data, ${describeAttack(a)}`, pingData, seal(pingData, undefined, a.fill));
        return this.pong(peer, 'padding content is not interpreted');
      case 'flip': {
        const wire = seal(pingData);
        const bodyLen = wire.length - 48;
        const offset = a.region === 'header-ct' ? 0 : a.region === 'header-mac' ? 16 : a.region === 'body-ct' ? 32 + (a.at % bodyLen) : 32 + bodyLen;
        wire[offset + (a.region === 'body-ct' ? 0 : a.at % 16)]! ^= 1 << a.bit;
        send(`Ping frame with ${describeAttack(a)}`, pingData, wire);
        return this.mustEnd(peer, 'a frame whose MAC does not verify');
      }
      case 'size-lie': {
        const declared = Math.max(0, pingData.length + a.delta);
        const body = new Uint8Array(pad16(pingData.length));
        body.set(pingData);
        send(`Ping frame-data with frame-size ${declared} (true ${pingData.length})`, pingData, writer.sealRaw(header(declared), body));
        return expectTolerated(peer, FRAME_REJECT, 'a frame-size that does not match the frame');
      }
      case 'huge-size': {
        const h = header(0xffffff);
        send('a header declaring 0xffffff bytes, then nothing', h, writer.sealRaw(h, new Uint8Array(0)));
        return PASS;
      }
      case 'snappy': {
        const id = a.eth ? peer.wireId('eth', 0x02) : P2pMessageId.Ping;
        const block = a.mode.mode === 'over-limit' ? overLimit() : snappyPayload(a.eth ? Uint8Array.of(0xc0) : encodePing(), a.mode);
        const data = concatBytes(encodeMsgId(id), block);
        send(`${describeAttack(a)}`, data, seal(data));
        if (a.mode.mode === 'over-limit') return this.mustEnd(peer, 'a payload that inflates to more than 16 MiB, refused before inflating (rlpx.md Message Encoding)', SNAPPY_LIMIT_REJECT);
        return this.mustEnd(peer, a.mode.mode === 'raw' ? 'a payload that is not a snappy block after a v5 Hello (EIP-706)' : 'a snappy payload that is invalid or declares more than 16 MiB (EIP-706)');
      }
      case 'msg-id': {
        const data = concatBytes(a.enc, snappyCompress(encodePing()));
        send(describeAttack(a), data, seal(data));
        return this.mustEnd(peer, 'a message id that is not a canonical RLP integer');
      }
      case 'empty-frame':
        send('empty frame-data', new Uint8Array(0), seal(new Uint8Array(0)));
        return this.mustEnd(peer, 'a frame without a message id');
      case 'split': {
        const wire = seal(pingData);
        items.push(sent(`Ping frame in ${a.parts} writes`, pingData));
        const step = Math.ceil(wire.length / a.parts);
        for (let i = 0; i < wire.length; i += step) {
          peer.sendBytes(wire.subarray(i, i + step), 'part');
          await new Promise((r) => setTimeout(r, 2));
        }
        return this.pong(peer, 'a frame split over several TCP writes');
      }
      case 'coalesce': {
        const frames = Array.from({ length: a.count }, () => seal(pingData));
        send(`${a.count} Ping frames in one write`, pingData, concatBytes(...frames));
        for (let i = 0; i < a.count; i++) {
          const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, REPLY_TIMEOUT_MS);
          if (!w.ok) return fail('reply', `${a.count} Pongs for ${a.count} Pings in one write`, `${i} Pongs, then ${w.why === 'ended' ? 'the session ended' : 'nothing'}`);
        }
        return PASS;
      }
    }
  }

  /** The crafted frame was a Ping the spec accepts: its Pong must come, and the session go on. */
  private async pong(peer: SimPeer, why: string): Promise<Verdict> {
    const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, REPLY_TIMEOUT_MS);
    if (w.ok) return PASS;
    if (w.why === 'ended' && w.end) {
      const v = judgeEnd(w.end, [], why);
      if (!v.ok && v.oracle === 'reply') return v;
      return fail('unexpected-disconnect', `a Pong (${why})`, `the session ended: ${w.end.via}${w.end.via === 'disconnect' ? ` reason ${w.end.reason}` : ''}`);
    }
    return fail('reply', `a Pong (${why})`, `nothing within ${REPLY_TIMEOUT_MS} ms`);
  }

  /** The frame must not be processed: no Pong for it, and the session ends. */
  private async mustEnd(peer: SimPeer, why: string, reasons: readonly number[] = FRAME_REJECT): Promise<Verdict> {
    const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, 1_000);
    if (w.ok) return fail('no-disconnect', `the session ends without an answer (${why})`, 'the target answered the Ping inside the bad frame');
    return expectDisconnect(peer, reasons, why);
  }
}
