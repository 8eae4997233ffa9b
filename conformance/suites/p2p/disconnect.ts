/** Receiving Disconnect (rlpx.md "Disconnect (0x01)"): "if received, a peer should disconnect immediately". */
import { DisconnectReason } from '../../../reference-node/wire/p2p.js';
import { received } from '../../core/expect.js';
import { fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { describeEnd } from '../../sim/sim-peer.js';
import { allEthCaps } from '../rlpx/session-checks.js';

/** "Immediately", with room for a target that lingers briefly to flush. */
const CLOSE_WITHIN_MS = 3_000;

export const closesOnDisconnect: ConformanceTest = {
  id: 'p2p/disconnect/closes',
  title: 'after our Disconnect (0x08 client quitting) the target closes the connection at once',
  spec: 'rlpx.md#disconnect-0x01',
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    received(await peer.exchangeHello(allEthCaps()), "the target's Hello");
    peer.sendDisconnect(DisconnectReason.ClientQuitting);
    const end = await peer.waitForEnd(CLOSE_WITHIN_MS);
    if (end === undefined) fail(`the target kept the connection open ${CLOSE_WITHIN_MS} ms after our Disconnect`, `TCP close within ${CLOSE_WITHIN_MS} ms`, 'still open');
    if (end.via === 'bad-frame') fail(`the target sent an undecodable frame after our Disconnect`, 'a close', describeEnd(end));
  },
};

export const disconnectInsteadOfHello: ConformanceTest = {
  id: 'p2p/disconnect/instead-of-hello',
  title: 'a Disconnect sent instead of Hello is honoured: the target closes the connection',
  spec: 'rlpx.md#p2p-capability',
  // "both sides of the connection must send either Hello or a Disconnect message"
  level: 'SHOULD',
  requires: [],
  async run(ctx) {
    const peer = await ctx.dial();
    peer.sendDisconnect(DisconnectReason.TooManyPeers);
    const end = await peer.waitForEnd(CLOSE_WITHIN_MS);
    if (end === undefined) fail(`the target kept the connection open ${CLOSE_WITHIN_MS} ms after a Disconnect instead of Hello`, `TCP close within ${CLOSE_WITHIN_MS} ms`, 'still open');
  },
};

export const DISCONNECT_TESTS: readonly ConformanceTest[] = [closesOnDisconnect, disconnectInsteadOfHello];
