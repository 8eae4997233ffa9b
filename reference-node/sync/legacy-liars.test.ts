/**
 * Node D, over loopback, among lying peers and one honest peer. The liars
 * are real nodes (our eth protocols) serving a scripted ChainReader, and they
 * claim more total difficulty than the honest peer, so D tries them first.
 * D must drop each with DiscUselessPeer (0x03, geth's reason for a peer the
 * downloader rejects) and end at the honest head.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { sealHeader } from '../chain/clique.js';
import type { Genesis } from '../chain/genesis.js';
import { buildStatus } from '../eth/status.js';
import { ScriptedEthPeer } from '../eth/test-peer.js';
import type { Block } from '../wire/block.js';
import { bigIntToFixed } from '../wire/bytes.js';
import { DisconnectReason } from '../wire/p2p.js';
import { LegacySync, type SyncRoundResult } from './legacy-sync.js';
import { blockListReader, canonicalBlocks, cliqueGenesis, mineClique, relinkedBlocks, SIGNER_KEY } from './test-chains.js';
import { connect, nodeIdHex, startNode, waitFor, type TestEthNode } from './test-network.js';

const LEGACY = [66, 67, 68] as const;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let genesis: Genesis;
let honestChain: Chain;
let blocks: Block[];

beforeAll(async () => {
  genesis = await cliqueGenesis();
  honestChain = await Chain.open({ genesis });
  await mineClique(honestChain, 24, { txsPerBlock: 2 });
  blocks = canonicalBlocks(honestChain);
}, 30_000);

async function syncingNode(requestTimeoutMs?: number) {
  const chain = await Chain.open({ genesis });
  const node = await startNode(chain, cleanups, { versions: LEGACY });
  const sync = new LegacySync({ chain, peers: () => node.protocols.peers(), intervalMs: 60_000, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) });
  const rounds: SyncRoundResult[] = [];
  sync.onRoundFinished((r) => rounds.push(r));
  cleanups.push(() => sync.stop());
  return { chain, node, sync, rounds };
}

/** How `liar` saw its session with `d` end. */
function endSeenBy(liar: TestEthNode, d: TestEthNode) {
  return liar.ended.get(nodeIdHex(d));
}

it('D drops a peer with a badly sealed header and one that withholds bodies, then syncs from the honest peer', async () => {
  const td = honestChain.head().td;
  // Liar 1: block 10 sealed by a key that is no signer; the rest re-linked and properly sealed on top.
  const stranger = bigIntToFixed(2n, 32);
  const badSeal = relinkedBlocks(blocks, 10, (h, i) => sealHeader(h, i === 10 ? stranger : SIGNER_KEY));
  const liar1 = await startNode(blockListReader(honestChain, badSeal, { claimTd: td + 100n }), cleanups, { versions: LEGACY });
  // Liar 2: the honest chain, but no bodies above block 5.
  const liar2 = await startNode(blockListReader(honestChain, blocks, { claimTd: td + 50n, withholdBodies: (n) => n > 5n }), cleanups, { versions: LEGACY });
  const honest = await startNode(honestChain, cleanups, { versions: LEGACY });

  const d = await syncingNode();
  await connect(d.node, liar1);
  await connect(d.node, liar2);
  await connect(d.node, honest);
  d.sync.start();
  await waitFor(() => d.rounds.length >= 3, 20_000, 'three rounds');
  await d.sync.whenIdle();

  expect(d.rounds.map((r) => [r.peerId, r.outcome, r.fault?.kind])).toEqual([
    [nodeIdHex(liar1), 'dropped', 'invalid-chain'],
    [nodeIdHex(liar2), 'dropped', 'withheld'],
    [nodeIdHex(honest), 'synced', undefined],
  ]);
  expect(d.rounds[0]!.error).toMatch(/block 10 .*consensus/);
  expect(d.chain.head().hash).toEqual(honestChain.head().hash);
  expect(d.chain.head().td).toBe(td);

  // Each liar was told 0x03 by D; the honest peer is still connected.
  await waitFor(() => endSeenBy(liar1, d.node) !== undefined && endSeenBy(liar2, d.node) !== undefined, 3_000, 'liars disconnected');
  for (const liar of [liar1, liar2]) expect(endSeenBy(liar, d.node)).toMatchObject({ reason: DisconnectReason.UselessPeer, byUs: false });
  expect(d.node.protocols.peers().map((p) => p.id)).toEqual([nodeIdHex(honest)]);
}, 30_000);

it('D drops a peer that never answers (0x03 after the request timeout) and one that overstates its TD', async () => {
  const d = await syncingNode(400);
  // A scripted peer that passes the handshake claiming a heavier chain, then stays silent.
  const silent = await ScriptedEthPeer.dial({ port: d.node.server.port, publicKey: d.node.server.publicKey }, 68);
  cleanups.push(() => silent.close());
  await silent.next('Status');
  const status = buildStatus(honestChain, 68);
  if (status.form !== 'eth66') throw new Error('eth/68 Status carries a TD');
  silent.send({ ...status, td: status.td + 1000n });
  await waitFor(() => d.node.accepted.length === 1, 3_000, 'silent peer handshake');

  // An honest chain whose Status claims 10 more than its head's real TD.
  const boaster = await startNode(blockListReader(honestChain, blocks, { claimTd: honestChain.head().td + 10n }), cleanups, { versions: LEGACY });
  await connect(d.node, boaster);

  d.sync.start();
  expect((await silent.disconnected(3_000)).reason).toBe(DisconnectReason.UselessPeer);
  await waitFor(() => d.rounds.length >= 2, 15_000, 'two rounds');
  await d.sync.whenIdle();
  expect(d.rounds.map((r) => [r.outcome, r.fault?.kind])).toEqual([
    ['dropped', 'timeout'],
    ['dropped', 'false-td'],
  ]);
  // The blocks it did serve were good, and are kept.
  expect(d.chain.head().hash).toEqual(honestChain.head().hash);
  expect(d.rounds[1]!.imported).toBe(24);
  await waitFor(() => endSeenBy(boaster, d.node) !== undefined, 3_000, 'boaster disconnected');
  expect(endSeenBy(boaster, d.node)?.reason).toBe(DisconnectReason.UselessPeer);
}, 30_000);
