/**
 * Snappy compression of messages after Hello (rlpx.md "Message Encoding",
 * EIP-706): Hello is never compressed, everything after it is, any valid
 * snappy block must be read, and a block that declares more than the limit
 * must be refused before it is inflated.
 */
import { encodeEthMessage } from '../../../reference-node/wire/eth/messages.js';
import { DecodeError } from '../../../reference-node/wire/errors.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { decodeHello, DisconnectReason, encodeHello, encodePing, P2pMessageId } from '../../../reference-node/wire/p2p.js';
import { encodeMsgId } from '../../../reference-node/wire/rlpx/frame.js';
import { snappyCompress, snappyDecompress } from '../../../reference-node/wire/rlpx/snappy.js';
import { expectDisconnect, received } from '../../core/expect.js';
import { check, fail } from '../../core/failure.js';
import type { TestContext } from '../../core/context.js';
import type { ConformanceTest } from '../../core/test.js';
import type { SimPeer } from '../../sim/sim-peer.js';
import { corruptSnappyBlock, pingBomb, snappyLiterals, targetEthVersion } from './crafting.js';
import { allEthCaps, expectNoPong } from './session-checks.js';

/** A session past Hello in which both sides compress (the target must speak p2p v5). */
async function compressedSession(ctx: TestContext): Promise<SimPeer> {
  const peer = await ctx.dial();
  const hello = received(await peer.exchangeHello(allEthCaps()), "the target's Hello");
  check(peer.transport.codec.snappy, 'the target announced p2p version < 5, so snappy is off', 'p2p v5 in its Hello', `v${hello.protocolVersion}`);
  return peer;
}

/** Sends a Ping whose msg-data is `wirePayload` exactly as given (no compression by the codec). */
function sendPingBytes(peer: SimPeer, wirePayload: Uint8Array, detail: string): void {
  const frame = peer.transport.codec.writer.sealParts(encodeMsgId(P2pMessageId.Ping), wirePayload);
  peer.sendBytes(frame, 'p2p:Ping', detail);
}

async function expectRejected(peer: SimPeer, after: string, timeoutMs = 5_000): Promise<void> {
  await expectNoPong(peer, after);
  await expectDisconnect(peer, { reasons: [DisconnectReason.ProtocolBreach], allowClose: true, after, timeoutMs });
}

const BOMB_BYTES = 17 * 1024 * 1024;

export const snappyBomb: ConformanceTest = {
  id: 'rlpx/snappy/bomb',
  title: 'a Ping whose snappy block inflates to 17 MiB is refused (no Pong) and the connection closed',
  spec: 'rlpx.md#message-encoding',
  // "Messages carrying uncompressed data larger than 16 MiB should be rejected by closing the connection."
  // 17 MiB is over the limit under either reading of "16 MiB" (2^24 or 2^24 - 1, geth's check).
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const peer = await compressedSession(ctx);
    const bomb = pingBomb(BOMB_BYTES);
    sendPingBytes(peer, bomb, `${bomb.length} bytes of snappy declaring ${BOMB_BYTES + 8} bytes`);
    await expectRejected(peer, 'after a snappy block declaring 17 MiB', 8_000);
  },
};

export const corruptBlock: ConformanceTest = {
  id: 'rlpx/snappy/corrupt-block',
  title: 'a Ping whose snappy block is corrupt gets no Pong and the session ends (0x02 or close)',
  spec: 'rlpx.md#message-encoding',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await compressedSession(ctx);
    sendPingBytes(peer, corruptSnappyBlock(), 'snappy: length 1, then a copy from before the start');
    await expectRejected(peer, 'after a corrupt snappy block');
  },
};

export const uncompressedAfterHello: ConformanceTest = {
  id: 'rlpx/snappy/uncompressed-after-hello',
  title: 'an uncompressed Ping after a v5 Hello exchange gets no Pong and the session ends',
  spec: 'eips/eip-706.md#specification',
  // All messages after Hello are compressed when both sides are v5; raw
  // msg-data is not a snappy block, so it is a malformed message.
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await compressedSession(ctx);
    sendPingBytes(peer, encodePing(), 'msg-data 0xc0 without snappy');
    await expectRejected(peer, 'after an uncompressed message');
  },
};

export const splitLiterals: ConformanceTest = {
  id: 'rlpx/snappy/split-literals',
  title: 'a GetBlockHeaders whose snappy block is three literal elements (valid, not what compressors emit) is answered',
  spec: 'eips/eip-706.md#specification',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const version = targetEthVersion(ctx);
    const sim = await ctx.connectEth({ version });
    const requestId = sim.requestId();
    const { code, payload } = encodeEthMessage(version, { kind: 'GetBlockHeaders', requestId, origin: { number: 1n }, amount: 3n, skip: 0n, reverse: false });
    const block = snappyLiterals(payload, 3);
    const frame = sim.peer.transport.codec.writer.sealParts(encodeMsgId(sim.peer.wireId('eth', code)), block);
    sim.peer.sendBytes(frame, `eth/${version}:GetBlockHeaders`, `id=${requestId} as 3 snappy literals`);
    const reply = received(await sim.next('BlockHeaders', 5_000, (m) => m.requestId === requestId), 'BlockHeaders', 'to a request encoded as split snappy literals');
    const got = reply.headers.map((h) => Number(h.number));
    check(got.join() === '1,2,3', 'wrong headers for a request encoded as split snappy literals', 'blocks 1,2,3', `blocks ${got.join(',') || 'none'}`);
  },
};

export const helloNotCompressed: ConformanceTest = {
  id: 'rlpx/snappy/hello-not-compressed',
  title: "the target's Hello is plain RLP, never snappy-compressed",
  spec: 'eips/eip-706.md#specification',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const w = received(await peer.waitFor((m) => m.msgId === P2pMessageId.Hello), "the target's Hello");
    try {
      decodeHello(w.payload);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      let compressed = false;
      try {
        decodeHello(snappyDecompress(w.payload));
        compressed = true;
      } catch {
        // not snappy either: just malformed
      }
      fail(
        compressed ? "the target's Hello is snappy-compressed" : "the target's Hello does not decode",
        'Hello as plain RLP',
        compressed ? 'a snappy block holding the Hello' : err.message,
      );
    }
  },
};

export const compressedHelloRejected: ConformanceTest = {
  id: 'rlpx/snappy/compressed-hello-rejected',
  title: 'a snappy-compressed Hello is not taken as a Hello: the session ends (0x02 or close)',
  spec: 'eips/eip-706.md#specification',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const hello = encodeHello({ protocolVersion: 5, clientId: 'devp2p-check/sim', capabilities: allEthCaps(), listenPort: 0, nodeId: publicKeyOf(peer.privateKey), extra: [] });
    const frame = peer.transport.codec.writer.sealParts(encodeMsgId(P2pMessageId.Hello), snappyCompress(hello));
    peer.sendBytes(frame, 'p2p:Hello', 'snappy-compressed');
    await expectDisconnect(peer, { reasons: [DisconnectReason.ProtocolBreach], allowClose: true, after: 'after a compressed Hello', timeoutMs: 5_000 });
  },
};

export const SNAPPY_TESTS: readonly ConformanceTest[] = [
  snappyBomb,
  corruptBlock,
  uncompressedAfterHello,
  splitLiterals,
  helloNotCompressed,
  compressedHelloRejected,
];
