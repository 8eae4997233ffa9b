/**
 * Message ids outside what was negotiated (rlpx.md "Message ID-based
 * Multiplexing", "Disconnect (0x01)"): the reserved p2p ids and ids past the
 * last shared capability.
 */
import { DisconnectReason, encodePing, P2pMessageId } from '../../../reference-node/wire/p2p.js';
import { expectDisconnect, received } from '../../core/expect.js';
import { fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { describeEnd } from '../../sim/sim-peer.js';
import { targetEthVersion } from '../rlpx/crafting.js';
import { allEthCaps } from '../rlpx/session-checks.js';

export const reservedCodes: ConformanceTest = {
  id: 'p2p/msgid/reserved-code',
  title: 'messages with the reserved p2p ids 0x04 and 0x0f are ignored, or end the session with 0x02',
  spec: 'rlpx.md#message-id-based-multiplexing',
  // 0x00-0x0f belong to "p2p" and 0x04-0x0f are undefined. geth ignores
  // them; calling them a breach is also defensible. Any other reason, or a
  // session that stops answering, is not.
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    received(await peer.exchangeHello(allEthCaps()), "the target's Hello");
    peer.sendRaw(0x04, Uint8Array.of(0xc0), 'p2p:0x04', 'reserved');
    peer.sendRaw(0x0f, Uint8Array.of(0xc0), 'p2p:0x0f', 'reserved');
    peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping');
    const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, 5_000);
    if (w.ok) return;
    const end = w.end;
    if (end?.via === 'close' || (end?.via === 'disconnect' && end.reason === DisconnectReason.ProtocolBreach)) return;
    fail(`after reserved p2p ids the target neither went on nor ended with 0x02: ${describeEnd(end)}`, 'a Pong to our next Ping, or Disconnect 0x02', end ? describeEnd(end) : 'no Pong within 5000 ms');
  },
};

export const outOfRange: ConformanceTest = {
  id: 'p2p/msgid/out-of-range',
  title: 'a message id past the last shared capability ends the session (0x02 or close)',
  spec: 'rlpx.md#disconnect-0x01',
  // No capability owns the id, so nobody can decode it: a breach of protocol (0x02).
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const version = targetEthVersion(ctx);
    const sim = await ctx.connectEth({ version });
    const last = Math.max(...sim.peer.shared.map((c) => c.offset + c.length));
    sim.peer.sendRaw(last, Uint8Array.of(0xc0), `msg:0x${last.toString(16)}`, 'first id after the last shared capability');
    await expectDisconnect(sim.peer, { reasons: [DisconnectReason.ProtocolBreach], allowClose: true, after: `after message id 0x${last.toString(16)} (past every shared capability)` });
  },
};

export const MSGID_TESTS: readonly ConformanceTest[] = [reservedCodes, outOfRange];
