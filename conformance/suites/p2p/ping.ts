/** p2p Ping and Pong (rlpx.md "Ping (0x02)", "Pong (0x03)"): answered at once, and the keep-alive the target runs itself. */
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { encodePing, encodePong, P2pMessageId } from '../../../reference-node/wire/p2p.js';
import { expectStaysConnected, received } from '../../core/expect.js';
import { check } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { targetEthVersion } from '../rlpx/crafting.js';
import { allEthCaps, expectPong } from '../rlpx/session-checks.js';

export const pingAnswered: ConformanceTest = {
  id: 'p2p/ping/answered',
  title: 'a Ping after the Hello exchange is answered with a Pong',
  spec: 'rlpx.md#ping-0x02',
  level: 'MUST',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    received(await peer.exchangeHello([{ name: 'eth', version: 68 }]), 'Hello');
    peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping');
    const pong = received(await peer.waitFor((m) => m.msgId === P2pMessageId.Pong), 'Pong', 'after our Ping');
    // Pong is `[]`: after snappy, the payload we read is the inflated msg-data.
    check(bytesToHex(pong.payload) === 'c0', 'the Pong is not an empty RLP list', 'Pong msg-data c0 ([])', `msg-data ${bytesToHex(pong.payload) || '(empty)'}`);
  },
};

/** geth pings every 15 s; 20 s leaves room for a target that waits a little longer. */
const KEEPALIVE_WAIT_MS = 20_000;

export const targetPings: ConformanceTest = {
  id: 'p2p/ping/target-pings',
  title: 'an idle session gets a Ping from the target within 20 s (keep-alive; geth: every 15 s)',
  spec: 'rlpx.md#ping-0x02',
  // The spec defines Ping and the 0x0b "ping timeout" reason but no interval: SHOULD.
  level: 'SHOULD',
  requires: [],
  timeoutMs: 30_000,
  async run(ctx) {
    // A full eth session: a bare p2p session would be dropped by the target's Status timer first.
    const { peer } = await ctx.connectEth({ version: targetEthVersion(ctx) });
    const ping = received(await peer.waitFor((m) => m.msgId === P2pMessageId.Ping, KEEPALIVE_WAIT_MS), "the target's own Ping", `within ${KEEPALIVE_WAIT_MS} ms of an idle session`);
    ctx.log(`the target pinged after ${ping.atMs} ms`);
  },
};

export const unsolicitedPong: ConformanceTest = {
  id: 'p2p/ping/unsolicited-pong',
  title: 'a Pong nobody asked for is ignored: the session stays and Ping still works',
  spec: 'rlpx.md#pong-0x03',
  // Harmless and cheap to ignore; dropping the peer for it would be a needless disconnect.
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    received(await peer.exchangeHello(allEthCaps()), "the target's Hello");
    peer.sendRaw(P2pMessageId.Pong, encodePong(), 'p2p:Pong', 'unsolicited');
    await expectStaysConnected(peer, 1_000, 'after an unsolicited Pong');
    await expectPong(peer, 'after an unsolicited Pong');
  },
};

export const PING_TESTS: readonly ConformanceTest[] = [pingAnswered, targetPings, unsolicitedPong];
