/**
 * RLPx framing (rlpx.md "Framing", "MAC"): a frame whose header or frame
 * MAC does not verify must not be acted on and ends the session; frames of
 * every padding, split across many writes or packed into one, must be read.
 */
import { concatBytes } from '../../../reference-node/wire/bytes.js';
import { P2pMessageId, DisconnectReason, encodeHello, encodePing, snappyNegotiated, decodeHello, type Hello } from '../../../reference-node/wire/p2p.js';
import { encodeMsgId } from '../../../reference-node/wire/rlpx/frame.js';
import { snappyCompress } from '../../../reference-node/wire/rlpx/snappy.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { expectDisconnect, received } from '../../core/expect.js';
import { check } from '../../core/failure.js';
import type { TestContext } from '../../core/context.js';
import type { ConformanceTest } from '../../core/test.js';
import type { SimPeer } from '../../sim/sim-peer.js';
import { flipBit, helloWithFrameResidue, lyingFrame, targetEthVersion } from './crafting.js';
import { allEthCaps, expectNoPong, expectPong } from './session-checks.js';

/** A session past the Hello exchange (snappy on when both sides speak p2p v5). */
async function helloed(ctx: TestContext): Promise<SimPeer> {
  const peer = await ctx.dial();
  received(await peer.exchangeHello(allEthCaps()), "the target's Hello");
  return peer;
}

/** After a frame that fails authentication the target must end the session, by Disconnect 0x02 or a plain close. */
async function expectEndAfterBadFrame(peer: SimPeer, after: string): Promise<void> {
  await expectDisconnect(peer, { reasons: [DisconnectReason.ProtocolBreach], allowClose: true, after, timeoutMs: 5_000 });
}

function honestHello(peer: SimPeer): Hello {
  return { protocolVersion: 5, clientId: 'devp2p-check/sim', capabilities: allEthCaps(), listenPort: 0, nodeId: publicKeyOf(peer.privateKey), extra: [] };
}

/** Writes `bytes` in pieces of `size` with a pause between them, so they arrive as separate TCP segments. */
async function writeInPieces(peer: SimPeer, bytes: Uint8Array, size: number, what: string): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) {
    if (at > 0) await new Promise((resolve) => setTimeout(resolve, 3));
    peer.sendBytes(bytes.subarray(at, at + size), `${what} [${at}..${Math.min(at + size, bytes.length)})`);
  }
}

/** Waits for the target's Hello (sent first, before ours) and returns its p2p version. */
async function theirHelloVersion(peer: SimPeer): Promise<number> {
  const w = received(await peer.waitFor((m) => m.msgId === P2pMessageId.Hello), "the target's Hello", 'right after the handshake');
  return decodeHello(w.payload).protocolVersion;
}

export const badHeaderMac: ConformanceTest = {
  id: 'rlpx/frame/bad-header-mac',
  title: 'a Ping whose header-mac is wrong gets no Pong, and the session ends',
  spec: 'rlpx.md#mac',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await helloed(ctx);
    const frame = peer.transport.codec.encodeFrame(P2pMessageId.Ping, encodePing());
    peer.sendBytes(flipBit(frame, 16), 'p2p:Ping', 'header-mac bit flipped');
    await expectNoPong(peer, 'whose header-mac is wrong');
    await expectEndAfterBadFrame(peer, 'after a frame with a bad header-mac');
  },
};

export const badFrameMac: ConformanceTest = {
  id: 'rlpx/frame/bad-frame-mac',
  title: 'a Ping whose frame-mac is wrong gets no Pong, and the session ends',
  spec: 'rlpx.md#mac',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await helloed(ctx);
    const frame = peer.transport.codec.encodeFrame(P2pMessageId.Ping, encodePing());
    peer.sendBytes(flipBit(frame, -1), 'p2p:Ping', 'frame-mac bit flipped');
    await expectNoPong(peer, 'whose frame-mac is wrong');
    await expectEndAfterBadFrame(peer, 'after a frame with a bad frame-mac');
  },
};

export const badMacFirstFrame: ConformanceTest = {
  id: 'rlpx/frame/bad-mac-first-frame',
  title: 'a first frame (our Hello) with a wrong header-mac ends the session before it starts',
  spec: 'rlpx.md#initial-handshake',
  // "cryptographic handshake is complete if MAC of first encrypted frame is valid on both sides"
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const frame = peer.transport.codec.encodeFrame(P2pMessageId.Hello, encodeHello(honestHello(peer)));
    peer.sendBytes(flipBit(frame, 20), 'p2p:Hello', 'header-mac bit flipped');
    await expectEndAfterBadFrame(peer, 'after a first frame with a bad header-mac');
  },
};

export const lyingFrameSize: ConformanceTest = {
  id: 'rlpx/frame/size-mismatch',
  title: 'a header whose frame-size claims 16 bytes more than the frame carries: no Pong, the session ends',
  spec: 'rlpx.md#framing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await helloed(ctx);
    check(peer.transport.codec.snappy, 'the target did not negotiate p2p v5', 'p2p v5 (snappy)', `v${peer.remoteHello?.protocolVersion}`);
    const pingData = concatBytes(encodeMsgId(P2pMessageId.Ping), snappyCompress(encodePing()));
    // The lying frame, then an honest Ping: the target reads into the second frame and its frame-mac check fails.
    const lie = lyingFrame(peer, pingData, pingData.length + 16);
    const honest = peer.transport.codec.encodeFrame(P2pMessageId.Ping, encodePing());
    peer.sendBytes(concatBytes(lie, honest), 'p2p:Ping x2', `first header says frame-size ${pingData.length + 16}, carries ${pingData.length}`);
    await expectNoPong(peer, 'after a frame whose size field lies');
    await expectEndAfterBadFrame(peer, 'after a frame whose size field lies');
  },
};

export const alignedFrame: ConformanceTest = {
  id: 'rlpx/frame/no-padding',
  title: 'a Hello whose frame-data is a multiple of 16 bytes (no frame-padding) is read',
  spec: 'rlpx.md#framing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const hello = helloWithFrameResidue(peer, allEthCaps(), 0);
    peer.sendHello(hello.capabilities, hello);
    received(await peer.waitFor((m) => m.msgId === P2pMessageId.Hello), "the target's Hello");
    await expectPong(peer, 'after a Hello without frame-padding');
  },
};

export const maxPaddingFrame: ConformanceTest = {
  id: 'rlpx/frame/max-padding',
  title: 'a Hello whose frame-data is 1 more than a multiple of 16 (15 bytes of frame-padding) is read',
  spec: 'rlpx.md#framing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const hello = helloWithFrameResidue(peer, allEthCaps(), 1);
    peer.sendHello(hello.capabilities, hello);
    received(await peer.waitFor((m) => m.msgId === P2pMessageId.Hello), "the target's Hello");
    await expectPong(peer, 'after a Hello with 15 bytes of frame-padding');
  },
};

export const splitWrites: ConformanceTest = {
  id: 'rlpx/frame/split-writes',
  title: 'Hello and Ping frames arriving a few bytes per TCP segment are reassembled',
  spec: 'rlpx.md#framing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const version = await theirHelloVersion(peer);
    const codec = peer.transport.codec;
    await writeInPieces(peer, codec.encodeFrame(P2pMessageId.Hello, encodeHello(honestHello(peer))), 7, 'p2p:Hello');
    // Their frames after our Hello are compressed; switch before the next event turn can deliver one.
    codec.snappy = snappyNegotiated(5, version);
    await writeInPieces(peer, codec.encodeFrame(P2pMessageId.Ping, encodePing()), 3, 'p2p:Ping');
    received(await peer.waitFor((m) => m.msgId === P2pMessageId.Pong), 'Pong', 'to a Ping written 3 bytes at a time');
  },
};

export const coalescedFrames: ConformanceTest = {
  id: 'rlpx/frame/coalesced',
  title: 'Hello and Ping frames in one TCP write are both read, the Ping after snappy is switched on',
  spec: 'rlpx.md#framing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const version = await theirHelloVersion(peer);
    const codec = peer.transport.codec;
    const hello = codec.encodeFrame(P2pMessageId.Hello, encodeHello(honestHello(peer)));
    codec.snappy = snappyNegotiated(5, version);
    const ping = codec.encodeFrame(P2pMessageId.Ping, encodePing());
    peer.sendBytes(concatBytes(hello, ping), 'p2p:Hello + p2p:Ping', 'one write');
    received(await peer.waitFor((m) => m.msgId === P2pMessageId.Pong), 'Pong', 'to a Ping sent in the same write as our Hello');
  },
};

export const largeFrame: ConformanceTest = {
  id: 'rlpx/frame/large',
  title: 'a 36 KB request frame (GetBlockBodies for every fixture block) is read and answered',
  spec: 'rlpx.md#framing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const version = targetEthVersion(ctx);
    const sim = await ctx.connectEth({ version });
    const hashes = ctx.fixture.hashes.slice(1);
    const reply = received(
      await sim.request({ kind: 'GetBlockBodies', requestId: sim.requestId(), hashes }, 'BlockBodies'),
      'BlockBodies',
      `to GetBlockBodies for ${hashes.length} hashes`,
    );
    check(reply.bodies.length > 0 && reply.bodies.length <= hashes.length, 'wrong number of bodies for a large request', `1..${hashes.length} bodies`, `${reply.bodies.length} bodies`);
  },
};

export const FRAME_TESTS: readonly ConformanceTest[] = [
  badHeaderMac,
  badFrameMac,
  badMacFirstFrame,
  lyingFrameSize,
  alignedFrame,
  maxPaddingFrame,
  splitWrites,
  coalescedFrames,
  largeFrame,
];
