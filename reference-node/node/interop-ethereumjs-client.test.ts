/**
 * Interop with @ethereumjs/client 0.10.5 (an independent implementation) on
 * loopback: it mines a Clique London chain, and our eth protocols complete the
 * Status handshake with it in both directions and read its headers, which must
 * hash to what its own JSON-RPC reports.
 *
 * One mining client serves the tests that only read from it (a start costs
 * ~2.6 s and 155 MB); each test brings its own node with a fresh key, so the
 * client sees a new peer every time. Tests that change the client's chain
 * start their own client and register its stop in `cleanups`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { parseGenesis } from '../chain/genesis.js';
import { Discv4 } from '../discovery/discv4.js';
import { NodeDb } from '../discovery/node-db.js';
import type { EthPeer } from '../eth/eth-peer.js';
import { createEthProtocols } from '../eth/protocols.js';
import { Server } from '../p2p/server.js';
import { headerHash } from '../wire/block.js';
import { bytesToHex as rawHex } from '../wire/bytes.js';
import type { EthVersion } from '../wire/eth/types.js';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import {
  ethereumjsInteropGenesis,
  INTEROP_SIGNER_KEY,
  startEthereumjsClient,
  type EthereumjsClient,
} from '../../test-support/ethereumjs-client.js';

/** 0x-prefixed, as JSON-RPC writes hashes. */
const hex = (bytes: Uint8Array): string => `0x${rawHex(bytes)}`;

const TEST_TIMEOUT_MS = 40_000;
/** What the client speaks (its EthProtocol.versions); we offer the same range. */
const VERSIONS: EthVersion[] = [66, 67, 68];

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  // Reverse order of start: our discovery and server before the chain they serve.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The shared mining client, started with a node key we chose. */
let client: EthereumjsClient;
const clientNodeKey = generatePrivateKey();
beforeAll(async () => {
  client = await startEthereumjsClient({
    genesisJson: ethereumjsInteropGenesis(),
    mine: { privateKey: INTEROP_SIGNER_KEY },
    nodeKey: clientNodeKey,
  });
});
afterAll(async () => {
  await client?.stop();
});

interface OurNode {
  chain: Chain;
  server: Server;
  nextPeer(timeoutMs: number): Promise<EthPeer>;
}

/** Our chain at genesis, our eth protocols on a loopback Server; with `discovery`, a Discv4 on the same port number. */
async function startOurNode(discovery: boolean): Promise<OurNode> {
  const chain = await Chain.open({ genesis: await parseGenesis(ethereumjsInteropGenesis()) });
  cleanups.push(() => chain.close());
  const peers: EthPeer[] = [];
  let wake: (() => void) | undefined;
  const protocols = createEthProtocols({
    chain,
    versions: VERSIONS,
    postMerge: false,
    onPeer: (peer) => {
      peers.push(peer);
      wake?.();
    },
  });
  const privateKey = generatePrivateKey();
  const server = new Server({ privateKey, clientId: 'devp2p-check/interop-ethereumjs', protocols });
  cleanups.push(() => server.stop());
  await server.start();
  if (discovery) {
    const db = await NodeDb.open();
    cleanups.push(() => db.close());
    const discv4 = await Discv4.start({ privateKey, db, host: '127.0.0.1', port: server.port, tcpPort: server.port });
    cleanups.push(() => discv4.close());
  }
  return {
    chain,
    server,
    async nextPeer(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (peers.length === 0) {
        if (Date.now() > deadline) throw new Error(`no eth peer within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      return peers.shift()!;
    },
  };
}

interface RpcBlock {
  number: string;
  hash: string;
  totalDifficulty?: string;
}

/** Status as sent by the client must agree with our genesis and with its own RPC. */
async function expectStatusMatches(peer: EthPeer, client: EthereumjsClient, node: OurNode): Promise<void> {
  expect(peer.version).toBe(68);
  const status = peer.status;
  if (status.form !== 'eth66') throw new Error(`eth/${peer.version} Status has form ${status.form}`);
  expect(status.networkId).toBe(1337n);
  const genesisByRpc = (await client.rpc('eth_getBlockByNumber', ['0x0', false])) as RpcBlock;
  expect(hex(status.genesis)).toBe(genesisByRpc.hash);
  expect(hex(status.genesis)).toBe(hex(node.chain.genesisHash));
  // Its head and TD as its RPC knows them: Clique in-turn blocks have difficulty 2 on a genesis of 1.
  const head = (await client.rpc('eth_getBlockByHash', [hex(status.head), false])) as RpcBlock | null;
  expect(head, 'Status head is a block its RPC knows').not.toBeNull();
  expect(status.td).toBe(1n + 2n * BigInt(head!.number));
}

/** Headers 0..3 by number, and 3..1 by hash in reverse, equal what its RPC reports. */
async function expectHeadersMatchRpc(peer: EthPeer, client: EthereumjsClient): Promise<void> {
  await client.waitForBlock(3n, 20_000);
  const byRpc = await Promise.all([0, 1, 2, 3].map((n) => client.rpc('eth_getBlockByNumber', [`0x${n.toString(16)}`, false]) as Promise<RpcBlock>));

  const forward = await peer.request({ kind: 'GetBlockHeaders', origin: { number: 0n }, amount: 4n, skip: 0n, reverse: false });
  expect(forward.headers.map((h) => h.number)).toEqual([0n, 1n, 2n, 3n]);
  expect(forward.headers.map((h) => hex(headerHash(h)))).toEqual(byRpc.map((b) => b.hash));

  const back = await peer.request({
    kind: 'GetBlockHeaders',
    origin: { hash: headerHash(forward.headers[3]!) },
    amount: 3n,
    skip: 0n,
    reverse: true,
  });
  expect(back.headers.map((h) => hex(headerHash(h)))).toEqual([byRpc[3]!.hash, byRpc[2]!.hash, byRpc[1]!.hash]);
}

describe('interop with @ethereumjs/client', () => {
  it('it starts with the node key seeded into its config database, on loopback', () => {
    expect(client.nodeId).toBe(rawHex(publicKeyOf(clientNodeKey)));
    expect(client.enode).toBe(`enode://${rawHex(publicKeyOf(clientNodeKey))}@127.0.0.1:${client.port}`);
  });

  it(
    'it mines Clique blocks on the genesis we build too',
    async () => {
      await client.waitForBlock(3n, 20_000);
      expect(await client.blockNumber()).toBeGreaterThanOrEqual(3n);
      const ours = await Chain.open({ genesis: await parseGenesis(ethereumjsInteropGenesis()) });
      cleanups.push(() => ours.close());
      const genesis = (await client.rpc('eth_getBlockByNumber', ['0x0', false])) as RpcBlock;
      expect(genesis.hash).toBe(hex(ours.genesisHash));
      // The only signer seals every block in turn: difficulty 2 (EIP-225 DIFF_INTURN).
      const block1 = (await client.rpc('eth_getBlockByNumber', ['0x1', false])) as RpcBlock & { difficulty: string };
      expect(BigInt(block1.difficulty)).toBe(2n);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'we dial it: eth Status handshake, then its headers hash to what its RPC reports',
    async () => {
      const node = await startOurNode(false);
      node.server.addPeer(client.enode);
      const peer = await node.nextPeer(15_000);
      expect(peer.peerInfo.inbound).toBe(false);
      expect(rawHex(peer.peerInfo.publicKey)).toBe(client.nodeId);
      await expectStatusMatches(peer, client, node);
      await expectHeadersMatchRpc(peer, client);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'it dials us (admin_addPeer, after a discv4 ping we answer): eth Status handshake and headers',
    async () => {
      const node = await startOurNode(true);
      const port = node.server.port;
      expect(await client.addPeer({ address: '127.0.0.1', udpPort: port, tcpPort: port })).toBe(true);
      const peer = await node.nextPeer(15_000);
      expect(peer.peerInfo.inbound).toBe(true);
      expect(rawHex(peer.peerInfo.publicKey)).toBe(client.nodeId);
      await expectStatusMatches(peer, client, node);
      await expectHeadersMatchRpc(peer, client);
    },
    TEST_TIMEOUT_MS,
  );

  it('addPeer refuses any address but 127.0.0.1, before anything is sent', async () => {
    await expect(client.addPeer(`enode://${client.nodeId}@10.0.0.1:30303`)).rejects.toThrow(RangeError);
  });
});
