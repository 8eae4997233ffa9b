/**
 * The Hello exchange (rlpx.md "p2p Capability", "Hello (0x00)", "Message
 * ID-based Multiplexing", EIP-8, EIP-706): the target speaks first, waits
 * for nothing else, accepts older and newer versions and unknown caps, lays
 * out message ids as the spec says, and refuses what is not a valid Hello
 * with the reason the disconnect table names.
 */
import { decodeEthMessage, encodeEthMessage } from '../../../reference-node/wire/eth/messages.js';
import { ETH_VERSIONS, type EthVersion } from '../../../reference-node/wire/eth/types.js';
import { bytesToHex, utf8 } from '../../../reference-node/wire/bytes.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { decodeHello, DisconnectReason, encodeHello, encodePing, P2pMessageId } from '../../../reference-node/wire/p2p.js';
import { asList, asNumber, decodeRlp, encodeRlp } from '../../../reference-node/wire/rlp.js';
import { expectDisconnect, expectSessionEnds, received } from '../../core/expect.js';
import { check, fail, TestSkip } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { honestStatus } from '../../sim/eth-sim.js';
import { describeEnd } from '../../sim/sim-peer.js';
import { ETH_MESSAGE_COUNTS } from '../../../reference-node/p2p/capabilities.js';
import { targetEthVersion } from '../rlpx/crafting.js';
import { allEthCaps, expectNoPong, expectPong } from '../rlpx/session-checks.js';

/** A stalled Hello exchange must be closed by then: twice geth's 5 s handshake timeout. */
const HELLO_STALL_CLOSE_MS = 10_000;

/**
 * For Hellos the target must refuse: it may send its Disconnect compressed
 * (it took our Hello as a Hello) or not (it did not); the reason is what counts.
 */
const REFUSAL = { acceptUncompressedDisconnect: true } as const;

/** snap/1 reserves 8 ids (caps/snap.md); the only second capability this suite can lay out. */
const SNAP_COUNTS = { snap: { 1: 8 } } as const;

export const helloFirst: ConformanceTest = {
  id: 'p2p/hello/first',
  title: 'the target sends its Hello as the first frame, without waiting for ours',
  spec: 'rlpx.md#hello-0x00',
  // Hello is the "first packet sent over the connection"; the recipient sends it right after the ack (Initial Handshake, step 4).
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const first = received(await peer.waitFor(() => true), "the target's Hello", 'before we sent anything after the handshake');
    check(first.msgId === P2pMessageId.Hello, `the target's first message was 0x${first.msgId.toString(16)}, not Hello`, 'Hello (0x00)', `message 0x${first.msgId.toString(16)}`);
    try {
      decodeHello(first.payload);
    } catch (err) {
      fail(`the target's Hello does not decode: ${(err as Error).message}`, 'a valid Hello', (err as Error).message);
    }
  },
};

export const helloTimeout: ConformanceTest = {
  id: 'p2p/hello/timeout',
  title: 'a peer that completes RLPx but never sends Hello is dropped (geth: 5 s)',
  spec: 'rlpx.md#p2p-capability',
  // "both sides of the connection must send either Hello or a Disconnect"; no timer is given, so SHOULD.
  level: 'SHOULD',
  requires: [],
  timeoutMs: 20_000,
  async run(ctx) {
    const peer = await ctx.dial();
    const end = await expectSessionEnds(peer, 'when we never send a Hello', HELLO_STALL_CLOSE_MS);
    ctx.log(`ended after ${end.atMs} ms: ${describeEnd(end)}`);
  },
};

export const helloVersion4: ConformanceTest = {
  id: 'p2p/hello/version-4',
  title: 'with a p2p v4 peer the target does not compress: Pong and eth messages arrive as plain RLP',
  spec: 'eips/eip-706.md#specification',
  // "If ... the remote side advertises support only for version 4, run the exact same protocol as until now."
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const version = targetEthVersion(ctx);
    const peer = await ctx.dial();
    received(await peer.exchangeHello([{ name: 'eth', version }], { protocolVersion: 4 }), "the target's Hello", 'to a v4 Hello');
    check(!peer.transport.codec.snappy, 'sim error: snappy on with a v4 Hello', 'snappy off', 'snappy on');
    peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping', 'uncompressed');
    const pong = received(await peer.waitFor((m) => m.msgId === P2pMessageId.Pong), 'Pong', 'to an uncompressed Ping from a v4 peer');
    check(bytesToHex(pong.payload) === 'c0', 'the Pong to a v4 peer is not plain RLP (compressed?)', 'Pong msg-data c0', `msg-data ${bytesToHex(pong.payload)}`);
    // eth works uncompressed too: our Status out, theirs in, a header request answered.
    const status = encodeEthMessage(version, honestStatus(ctx.fixture, version));
    peer.sendRaw(peer.wireId('eth', status.code), status.payload, `eth/${version}:Status`, 'uncompressed');
    const theirs = received(await peer.waitFor((m) => m.msgId === peer.wireId('eth', 0)), 'Status', 'from the target to a v4 peer');
    try {
      decodeEthMessage(version, 0, theirs.payload);
    } catch (err) {
      fail(`the target's Status to a v4 peer does not decode as plain RLP: ${(err as Error).message}`, 'an uncompressed Status', (err as Error).message);
    }
    const query = encodeEthMessage(version, { kind: 'GetBlockHeaders', requestId: 7n, origin: { number: 5n }, amount: 2n, skip: 0n, reverse: false });
    peer.sendRaw(peer.wireId('eth', query.code), query.payload, `eth/${version}:GetBlockHeaders`, 'id=7 uncompressed');
    const answer = received(await peer.waitFor((m) => m.msgId === peer.wireId('eth', 4)), 'BlockHeaders', 'to an uncompressed request from a v4 peer');
    const headers = decodeEthMessage(version, 4, answer.payload);
    check(headers.kind === 'BlockHeaders' && headers.headers.map((h) => Number(h.number)).join() === '5,6', 'wrong BlockHeaders for a v4 peer', 'blocks 5,6', headers.kind === 'BlockHeaders' ? `blocks ${headers.headers.map((h) => h.number).join(',')}` : headers.kind);
  },
};

export const helloFutureVersion: ConformanceTest = {
  id: 'p2p/hello/future-version',
  title: 'a Hello with protocolVersion 22 and extra list elements (EIP-8) is accepted',
  spec: 'rlpx.md#hello-0x00',
  // "must ignore any additional list elements in Hello"; "must ignore any difference in protocol version".
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    const extra = [Uint8Array.of(0x03), utf8('foo'), [utf8('bar'), Uint8Array.of(0x04)]];
    received(await peer.exchangeHello(allEthCaps(), { protocolVersion: 22, extra }), "the target's Hello", 'to a v22 Hello with extra elements');
    await expectPong(peer, 'after a v22 Hello (snappy on: both sides >= 5)');
  },
};

export const unknownCaps: ConformanceTest = {
  id: 'p2p/hello/unknown-caps',
  title: 'unknown capabilities (one sorting before "eth") are ignored and take no message ids',
  spec: 'rlpx.md#message-id-based-multiplexing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const version = targetEthVersion(ctx);
    const sim = await ctx.connectEth({ version, extraCaps: [{ name: 'aaa', version: 1 }, { name: 'zzz', version: 3 }] });
    check(sim.peer.wireId('eth', 0) === 0x10, 'sim error: eth not at 0x10', 'eth at 0x10', `eth at 0x${sim.peer.wireId('eth', 0).toString(16)}`);
    const reply = received(await sim.request({ kind: 'GetBlockHeaders', requestId: sim.requestId(), origin: { number: 1n }, amount: 2n, skip: 0n, reverse: false }, 'BlockHeaders'), 'BlockHeaders', 'at eth offset 0x10 with unknown caps announced');
    check(reply.headers.map((h) => Number(h.number)).join() === '1,2', 'wrong headers with unknown caps announced', 'blocks 1,2', `blocks ${reply.headers.map((h) => h.number).join(',')}`);
  },
};

export const highestVersionWins: ConformanceTest = {
  id: 'p2p/hello/highest-version-wins',
  title: 'when several eth versions are shared the highest wins: its Status and its ids are used',
  spec: 'rlpx.md#message-id-based-multiplexing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const offered = ETH_VERSIONS.filter((v) => ctx.target.capabilities.has(`eth/${v}`));
    if (offered.length < 2) throw new TestSkip(`the target offers ${offered.length} eth version(s); two are needed to choose between`);
    const best = offered.at(-1)!;
    // Announced out of order, with a version nobody speaks, so that neither the first nor the last entry is the answer by accident.
    const others: EthVersion[] = [...ETH_VERSIONS].filter((v) => v !== best).reverse();
    const sim = await ctx.connectEth({ version: best, extraCaps: [...others.map((version) => ({ name: 'eth', version })), { name: 'eth', version: 99 }] });
    const status = sim.remoteStatus!;
    check(status.version === best, `the target chose eth/${status.version}, not the highest shared version`, `Status version ${best}`, `Status version ${status.version}`);
    const reply = received(await sim.request({ kind: 'GetBlockHeaders', requestId: sim.requestId(), origin: { number: 3n }, amount: 1n, skip: 0n, reverse: false }, 'BlockHeaders'), 'BlockHeaders', `at eth/${best}'s ids`);
    check(reply.headers.length === 1 && Number(reply.headers[0]!.number) === 3, 'wrong answer at the negotiated eth version', 'block 3', `blocks ${reply.headers.map((h) => h.number).join(',') || 'none'}`);
  },
};

export const twoCapOffsets: ConformanceTest = {
  id: 'p2p/hello/offsets-two-caps',
  title: 'with eth and snap/1 shared, eth takes ids from 0x10 and snap the ids right after it',
  spec: 'rlpx.md#message-id-based-multiplexing',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    if (!ctx.target.announcedCaps.includes('snap/1')) throw new TestSkip('the target does not announce snap/1, the second capability this test lays out');
    const version = targetEthVersion(ctx);
    const sim = await ctx.connectEth({ version, extraCaps: [{ name: 'snap', version: 1 }], messageCounts: { ...ETH_MESSAGE_COUNTS, ...SNAP_COUNTS } });
    const snapOffset = sim.peer.wireId('snap', 0);
    check(snapOffset === 0x10 + sim.peer.shared.find((c) => c.name === 'eth')!.length, 'sim error: snap offset', 'snap after eth', `0x${snapOffset.toString(16)}`);
    // snap GetByteCodes (0x04) [reqID, [], bytes] is answered with ByteCodes (0x05) [reqID, []].
    sim.peer.sendRaw(snapOffset + 0x04, encodeRlp([77, [], 1000]), 'snap/1:GetByteCodes', 'id=77, no hashes');
    const answer = received(await sim.peer.waitFor((m) => m.msgId === snapOffset + 0x05), 'snap ByteCodes', `at 0x${(snapOffset + 5).toString(16)}`);
    let answeredId: number | undefined;
    try {
      answeredId = asNumber(asList(decodeRlp(answer.payload, 'snap ByteCodes'), 'snap ByteCodes', 1)[0], 'snap ByteCodes request id');
    } catch {
      answeredId = undefined;
    }
    check(answeredId === 77, 'the snap answer at the id after eth is not ByteCodes for our request', 'ByteCodes [77, []]', bytesToHex(answer.payload));
    const reply = received(await sim.request({ kind: 'GetBlockHeaders', requestId: sim.requestId(), origin: { number: 1n }, amount: 1n, skip: 0n, reverse: false }, 'BlockHeaders'), 'BlockHeaders', 'at eth offset 0x10 with snap shared');
    check(reply.headers.length === 1, 'wrong eth answer with snap shared', 'block 1', `${reply.headers.length} headers`);
  },
};

export const noSharedCaps: ConformanceTest = {
  id: 'p2p/hello/no-shared-caps',
  title: 'a Hello with no capability in common gets Disconnect 0x03 (useless peer)',
  spec: 'rlpx.md#disconnect-0x01',
  // The spec does not oblige a node to drop such a peer, but when it does, 0x03 is the reason for it (geth does).
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial(REFUSAL);
    peer.sendHello([{ name: 'zzz', version: 1 }]);
    await expectDisconnect(peer, { reasons: [DisconnectReason.UselessPeer], after: 'after a Hello with no shared capability' });
  },
};

export const messageBeforeHello: ConformanceTest = {
  id: 'p2p/hello/message-before-hello',
  title: 'a Ping before our Hello gets no Pong; the session ends (0x02 or close)',
  spec: 'rlpx.md#hello-0x00',
  // "No other messages may be sent until a Hello is received."
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping', 'before our Hello');
    await expectNoPong(peer, 'sent before our Hello');
    await expectDisconnect(peer, { reasons: [DisconnectReason.ProtocolBreach], allowClose: true, after: 'after a message before Hello' });
  },
};

export const secondHello: ConformanceTest = {
  id: 'p2p/hello/second-hello',
  title: 'a second Hello (v4, no caps) is ignored or answered with 0x02; it never re-negotiates the session',
  spec: 'rlpx.md#hello-0x00',
  // Hello is "sent once by both sides"; the session is active upon the first.
  // geth ignores further base-protocol messages; a node may also call it a
  // breach. Acting on it (no shared caps -> 0x03, v4 -> snappy off) is wrong.
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    received(await peer.exchangeHello(allEthCaps()), "the target's Hello");
    const again = encodeHello({ protocolVersion: 4, clientId: 'devp2p-check/sim', capabilities: [], listenPort: 0, nodeId: publicKeyOf(peer.privateKey), extra: [] });
    peer.sendRaw(P2pMessageId.Hello, again, 'p2p:Hello', 'second Hello: v4, no caps');
    peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping');
    const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, 5_000);
    if (w.ok) return; // ignored, and the session still compresses as first negotiated
    const end = w.end;
    if (end?.via === 'disconnect' && end.reason === DisconnectReason.ProtocolBreach) return;
    if (end?.via === 'close') return;
    fail(`after a second Hello the target neither went on as before nor ended with 0x02: ${describeEnd(end)}`, 'a Pong to our next Ping, or Disconnect 0x02', end ? describeEnd(end) : `no Pong within 5000 ms`);
  },
};

export const nullIdentity: ConformanceTest = {
  id: 'p2p/hello/null-identity',
  title: 'a Hello whose nodeId is 64 zero bytes gets Disconnect 0x07 (null node identity)',
  spec: 'rlpx.md#disconnect-0x01',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial(REFUSAL);
    peer.sendHello(allEthCaps(), { nodeId: new Uint8Array(64) });
    await expectDisconnect(peer, { reasons: [DisconnectReason.NullIdentity], after: 'after a Hello with a null node id' });
  },
};

export const wrongIdentity: ConformanceTest = {
  id: 'p2p/hello/wrong-identity',
  title: 'a Hello whose nodeId is not the key of the RLPx handshake gets Disconnect 0x09',
  spec: 'rlpx.md#disconnect-0x01',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial(REFUSAL);
    peer.sendHello(allEthCaps(), { nodeId: publicKeyOf(ctx.nextKey()) });
    await expectDisconnect(peer, { reasons: [DisconnectReason.UnexpectedIdentity], after: 'after a Hello naming another node id' });
  },
};

export const HELLO_TESTS: readonly ConformanceTest[] = [
  helloFirst,
  helloTimeout,
  helloVersion4,
  helloFutureVersion,
  unknownCaps,
  highestVersionWins,
  twoCapOffsets,
  noSharedCaps,
  messageBeforeHello,
  secondHello,
  nullIdentity,
  wrongIdentity,
];
