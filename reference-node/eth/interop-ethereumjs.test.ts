/**
 * Interop with an independent eth implementation, @ethereumjs/devp2p (eth/68),
 * through our real Server and eth Protocol: it exchanges Status with us (each
 * side validates the other's) and fetches headers and bodies that must equal
 * the ethtest chain's. Loopback only, discovery off (test-support).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Peer as EthjsPeer } from '@ethereumjs/devp2p';
import { bodyFromRlp, headerFromRlp, headerHash } from '../wire/block.js';
import { bytesToHex, bytesToBigInt, uintToBytes } from '../wire/bytes.js';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import type { RlpItem } from '../wire/rlp.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { ethOf, nextEthjsPeer, startEthjsNode, type EthjsNode } from '../../test-support/ethereumjs-rlpx.js';
import { ethtestChainReader } from './test-chain.js';
import { startEthNode } from './test-node.js';

const chain = loadEthtestChain();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

async function ethjsNode(listen: boolean, key = generatePrivateKey()): Promise<EthjsNode> {
  const node = await startEthjsNode(chain, key, listen);
  cleanups.push(() => node.close());
  return node;
}

/** Status both ways, then ethereumjs fetches headers and bodies from us. */
async function exchange(them: EthjsPeer, ours: Awaited<ReturnType<typeof startEthNode>>) {
  const eth = ethOf(them);
  const theirView = new Promise<{ genesisHash: Uint8Array; forkId: Uint8Array[]; bestHash: Uint8Array }>((resolve) => eth.events.once('status', resolve as never));
  const waiters = new Map<number, (payload: RlpItem) => void>();
  eth.events.on('message', (code: number, payload: RlpItem) => {
    waiters.get(code)?.(payload);
  });
  const reply = (code: number) => within(new Promise<RlpItem>((resolve) => waiters.set(code, resolve)), 5_000, `ethereumjs waiting for 0x${code.toString(16)}`);

  eth.sendStatus({ td: uintToBytes(chain.td), bestHash: chain.headHash, genesisHash: chain.genesisHash });
  // We accept its Status: the EthPeer appears with what it sent.
  const peer = await ours.nextPeer(5_000);
  expect(peer.version).toBe(68);
  expect(peer.status).toMatchObject({ form: 'eth66', version: 68, networkId: chain.networkId, td: chain.td, head: chain.headHash, genesis: chain.genesisHash, forkId: chain.forkId });
  // It accepts ours: ethereumjs checks genesis and fork id itself before emitting 'status'.
  const seen = await within(theirView, 5_000, 'ethereumjs status');
  expect(bytesToHex(seen.genesisHash)).toBe(bytesToHex(chain.genesisHash));
  expect(bytesToHex(seen.forkId[0]!)).toBe('377aaa78');
  expect(bytesToHex(seen.bestHash)).toBe(bytesToHex(chain.headHash));

  // GetBlockHeaders by number: 10..14.
  let next = reply(0x04);
  eth.sendMessage(0x03, [uintToBytes(901n), [uintToBytes(10n), uintToBytes(5n), uintToBytes(0n), uintToBytes(0n)]] as never);
  let [id, headers] = (await next) as [Uint8Array, RlpItem[]];
  expect(bytesToBigInt(id)).toBe(901n);
  expect(headers.map((h) => bytesToHex(headerHash(headerFromRlp(h))))).toEqual(chain.hashes.slice(9, 14).map(bytesToHex));

  // By hash, reverse, skip 1: 600, 598, 596.
  next = reply(0x04);
  eth.sendMessage(0x03, [uintToBytes(902n), [chain.headHash, uintToBytes(3n), uintToBytes(1n), uintToBytes(1n)]] as never);
  [id, headers] = (await next) as [Uint8Array, RlpItem[]];
  expect(bytesToBigInt(id)).toBe(902n);
  expect(headers.map((h) => bytesToHex(headerHash(headerFromRlp(h))))).toEqual([599, 597, 595].map((i) => bytesToHex(chain.hashes[i]!)));

  // Bodies of blocks 1 and 2 as chain.rlp holds them.
  next = reply(0x06);
  eth.sendMessage(0x05, [uintToBytes(903n), [chain.hashes[0]!, chain.hashes[1]!]] as never);
  const [bid, bodies] = (await next) as [Uint8Array, RlpItem[]];
  expect(bytesToBigInt(bid)).toBe(903n);
  expect(bodies.map((b) => bodyFromRlp(b))).toEqual(chain.blocks.slice(0, 2).map((b) => ({ transactions: b.transactions, uncles: b.uncles, withdrawals: b.withdrawals })));
  return peer;
}

describe('interop with @ethereumjs/devp2p (eth/68)', () => {
  it('it dials our Server: Status accepted both ways, it fetches the chain\'s headers and bodies', async () => {
    const reader = await ethtestChainReader();
    const ours = await startEthNode({ chain: reader }, cleanups);
    const node = await ethjsNode(false);
    const theirPeer = nextEthjsPeer(node);
    void node.rlpx.connect({ id: ours.server.publicKey, address: '127.0.0.1', tcpPort: ours.server.port });
    const them = await within(theirPeer, 5_000, 'ethereumjs peer');
    const peer = await exchange(them, ours);
    expect(peer.connected).toBe(true);
  });

  it('our Server dials it: the same exchange', async () => {
    const reader = await ethtestChainReader();
    const ours = await startEthNode({ chain: reader }, cleanups);
    const key = generatePrivateKey();
    const node = await ethjsNode(true, key);
    const theirPeer = nextEthjsPeer(node);
    ours.server.addPeer({ publicKey: publicKeyOf(key), ip: '127.0.0.1', tcpPort: node.port });
    const them = await within(theirPeer, 5_000, 'ethereumjs peer');
    await exchange(them, ours);
  });
});
