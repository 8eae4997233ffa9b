/**
 * A peer that leaves must leave nothing behind in the node: once an eth
 * session ends, the node-side EthPeer (and with it the socket, the frame
 * ciphers and the known-tx caches) must be collectable. The frame fuzz soak
 * found this broken: the tx exchange kept one unsubscribe closure per peer
 * that had ever connected, so RSS grew ~20 KB per connection without bound.
 *
 * The whole node runs in-process (startNodeFromArgs, as `devp2p-check node`
 * wires it), so any service that holds on to a departed peer fails this,
 * not only the tx exchange. Collection is checked with WeakRefs after a
 * forced GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../test-support/shared.js';
import { ScriptedEthPeer } from '../../reference-node/eth/test-peer.js';
import { buildStatus } from '../../reference-node/eth/status.js';
import type { EthPeer } from '../../reference-node/eth/eth-peer.js';
import { startNodeFromArgs, type RunningNode } from './node.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SESSIONS = 24;
let running: RunningNode;

beforeAll(async () => {
  running = await startNodeFromArgs([
    '--port', '0', '--nodiscover', '--nodial',
    '--genesis', sharedPath('vectors-reference', 'geth-ethtest-chain', 'genesis.json'),
  ]);
}, 60_000);
afterAll(() => running?.stop());

async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens a session past Status and returns a weak handle on the node's side of it. */
async function session(): Promise<{ them: ScriptedEthPeer; ours: WeakRef<EthPeer> }> {
  const eth = running.eth!;
  const before = new Set(eth.peers());
  const them = await ScriptedEthPeer.dial({ port: running.network.port, publicKey: running.network.server.publicKey }, 68);
  await them.next('Status');
  them.send(buildStatus(eth.chain, 68));
  let ours: EthPeer | undefined;
  await until(() => (ours = eth.peers().find((p) => !before.has(p))) !== undefined, 'the node to admit the peer');
  return { them, ours: new WeakRef(ours!) };
}

describe('node: departed peers are released', () => {
  it(`${SESSIONS} eth sessions, closed by them or dropped by us, leave no EthPeer reachable`, async () => {
    const refs: Array<WeakRef<EthPeer>> = [];
    for (let i = 0; i < SESSIONS; i++) {
      const { them, ours } = await session();
      refs.push(ours);
      // Half leave on their own; the other half break the protocol (a second Status) and are dropped.
      if (i % 2 === 0) them.close();
      else them.send(buildStatus(running.eth!.chain, 68));
    }
    await until(() => running.eth!.peers().length === 0, 'every session to end');
    // WeakRef targets stay alive until the current job ends, and a closing socket is held for the
    // close grace (1 s) before it is destroyed: collect across a few turns past that.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      gc();
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive, `${alive} of ${SESSIONS} departed EthPeers still reachable`).toBe(0);
  }, 60_000);
});
