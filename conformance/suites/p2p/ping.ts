/** p2p Ping: a node answers a Ping with a Pong (rlpx.md, Ping (0x02)). */
import { encodePing, P2pMessageId } from '../../../reference-node/wire/p2p.js';
import { received } from '../../core/expect.js';
import type { ConformanceTest } from '../../core/test.js';

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
    received(await peer.waitFor((m) => m.msgId === P2pMessageId.Pong), 'Pong', 'after our Ping');
  },
};
