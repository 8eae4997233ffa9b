/**
 * Test support: our eth protocols on loopback with transaction exchange
 * wired in (createTxPropagation over a FakeTxPool), and scripted peers
 * connected to it past the Status exchange.
 */
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import type { EthPeer } from './eth-peer.js';
import { ethtestChainReader } from './test-chain.js';
import { startEthNode, type TestNode } from './test-node.js';
import { ScriptedEthPeer } from './test-peer.js';
import { buildStatus } from './status.js';
import { FakeTxPool } from './tx-test-pool.js';
import { createTxPropagation, type TxPropagation, type TxPropagationOptions, type TxPropagationPool } from './tx-propagation.js';
import type { ChainReader } from './chain-reader.js';

export interface TxTestNode<P extends TxPropagationPool = FakeTxPool> {
  node: TestNode;
  chain: ChainReader;
  pool: P;
  propagation: TxPropagation;
  /** Dials a scripted peer at `version` and waits until our node has it as an EthPeer. */
  connect(version: EthVersion): Promise<{ them: ScriptedEthPeer; peer: EthPeer }>;
}

/** Starts the node; `pool` defaults to a fresh FakeTxPool (the node's chain is geth's ethtest chain either way). */
export async function startTxNode(cleanups: Array<() => unknown>, options?: Partial<Omit<TxPropagationOptions, 'pool' | 'peers'>>): Promise<TxTestNode>;
export async function startTxNode<P extends TxPropagationPool>(
  cleanups: Array<() => unknown>,
  options: Partial<Omit<TxPropagationOptions, 'pool' | 'peers'>> & { pool: P },
): Promise<TxTestNode<P>>;
export async function startTxNode(
  cleanups: Array<() => unknown>,
  options: Partial<Omit<TxPropagationOptions, 'pool' | 'peers'>> & { pool?: TxPropagationPool } = {},
): Promise<TxTestNode<TxPropagationPool>> {
  const chain = await ethtestChainReader();
  const pool = options.pool ?? new FakeTxPool();
  let node: TestNode | undefined;
  const propagation = createTxPropagation({ ...options, pool, peers: () => node?.protocols.peers() ?? [] });
  cleanups.push(() => propagation.stop());
  node = await startEthNode({ chain, txPool: pool, onPeer: (p) => propagation.addPeer(p) }, cleanups);
  const started = node;
  return {
    node: started,
    chain,
    pool,
    propagation,
    async connect(version) {
      const them = await ScriptedEthPeer.dial({ port: started.server.port, publicKey: started.server.publicKey }, version);
      cleanups.push(() => them.close());
      await them.next('Status');
      them.send(buildStatus(chain, version));
      return { them, peer: await started.nextPeer() };
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What a scripted peer got after the handshake. */
export const afterStatus = (them: ScriptedEthPeer): EthMessage[] => them.received.filter((m) => m.kind !== 'Status');

/** Waits until `done()` holds (polling), up to `ms`. */
export async function until(done: () => boolean, ms = 3_000): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited >= ms) throw new Error(`condition not met within ${ms} ms`);
    await sleep(20);
  }
}
