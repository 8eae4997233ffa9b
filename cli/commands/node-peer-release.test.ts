/**
 * A peer that leaves must leave nothing behind in the node: once an eth
 * session ends, the node-side EthPeer (and with it the socket, the frame
 * ciphers and the known-tx caches) must be collectable. The frame fuzz soak
 * found this broken: the tx exchange kept one unsubscribe closure per peer
 * that had ever connected, so RSS grew ~20 KB per connection without bound.
 *
 * The whole node runs in-process (startNodeFromArgs, as `devp2p-check node`
 * wires it), post-merge (beacon sync) and pre-merge (block fetcher, TD sync),
 * so any service that holds on to a departed peer fails this, not only the
 * tx exchange. Collection is checked with WeakRefs after a forced GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedPath } from '../../test-support/shared.js';
import { cachedFixture } from '../../test-support/fixture-cache.js';
import { startTestNode, until } from '../../test-support/running-node.js';
import { ScriptedEthPeer } from '../../reference-node/eth/test-peer.js';
import { buildStatus } from '../../reference-node/eth/status.js';
import type { EthPeer } from '../../reference-node/eth/eth-peer.js';
import type { RunningNode } from './node.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SESSIONS = 24;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Opens a session past Status and returns a weak handle on the node's side of it. */
async function session(running: RunningNode): Promise<{ them: ScriptedEthPeer; ours: WeakRef<EthPeer> }> {
  const eth = running.eth!;
  const version = eth.versions[0]!;
  const before = new Set(eth.peers());
  const them = await ScriptedEthPeer.dial({ port: running.network.port, publicKey: running.network.server.publicKey }, version);
  await them.next('Status');
  them.send(buildStatus(eth.chain, version));
  const ours = await until('the node to admit the peer', 10_000, () => eth.peers().find((p) => !before.has(p)));
  return { them, ours: new WeakRef(ours) };
}

async function departedStillReachable(running: RunningNode): Promise<number> {
  const refs: Array<WeakRef<EthPeer>> = [];
  for (let i = 0; i < SESSIONS; i++) {
    const { them, ours } = await session(running);
    refs.push(ours);
    // Half leave on their own; the other half break the protocol (a second Status) and are dropped.
    if (i % 2 === 0) them.close();
    else them.send(buildStatus(running.eth!.chain, running.eth!.versions[0]!));
  }
  await until('every session to end', 10_000, () => (running.eth!.peers().length === 0 ? true : undefined));
  // WeakRef targets stay alive until the current job ends, and a closing socket is held for the
  // close grace (1 s) before it is destroyed: collect across a few turns past that.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    gc();
  }
  return refs.filter((r) => r.deref() !== undefined).length;
}

describe('node: departed peers are released', () => {
  it(`post-merge (geth's eth-test genesis): ${SESSIONS} sessions, closed or dropped, leave no EthPeer reachable`, async () => {
    const running = await startTestNode(['--nodial', '--genesis', sharedPath('vectors-reference', 'geth-ethtest-chain', 'genesis.json')], cleanups);
    expect(await departedStillReachable(running)).toBe(0);
  }, 60_000);

  it(`pre-merge (Clique fixture): ${SESSIONS} sessions, closed or dropped, leave no EthPeer reachable`, async () => {
    // The same fixture as node-legacy.test.ts, so the cache serves both.
    const fixture = await cachedFixture({ profile: 'legacy', blocks: 24, seed: 'legacy-node-test', txsPerBlock: 3 });
    const running = await startTestNode(['--nodial', '--genesis', fixture.genesis], cleanups);
    expect(await departedStillReachable(running)).toBe(0);
  }, 120_000);
});
