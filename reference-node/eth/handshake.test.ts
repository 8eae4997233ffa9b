/**
 * The Status handshake at every version, over loopback: our Server against a
 * scripted peer (bare RLPx + p2p Peer), and two of our Servers against each
 * other. Expected values come from the ethtest chain files and its README
 * (network id 3503995874084926, fork id 0x377aaa78 next 0), and the
 * disconnect reasons from the table in reasons.ts.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { headerHash } from '../wire/block.js';
import { computeForkId, gatherForks } from '../wire/forkid.js';
import { ETH_VERSIONS, type EthVersion, type Status } from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import { encodeRlp } from '../wire/rlp.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { EthDisconnectReasons } from './reasons.js';
import { buildStatus } from './status.js';
import { ethtestChainReader, ethtestGenesisHeader, type MemoryChainReader } from './test-chain.js';
import { startEthNode } from './test-node.js';
import { ScriptedEthPeer } from './test-peer.js';

const chain = loadEthtestChain();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let reader: MemoryChainReader;
beforeAll(async () => {
  reader = await ethtestChainReader();
});

/** A Status a correct peer on the ethtest chain would send at `version`, built from the chain files (not from our reader). */
function honestStatus(version: EthVersion): Status {
  if (version <= 68) {
    return { kind: 'Status', form: 'eth66', version, networkId: chain.networkId, td: chain.td, head: chain.headHash, genesis: chain.genesisHash, forkId: chain.forkId };
  }
  return { kind: 'Status', form: 'eth69', version, networkId: chain.networkId, genesis: chain.genesisHash, forkId: chain.forkId, earliestBlock: 0n, latestBlock: 600n, latestBlockHash: chain.headHash };
}

async function connect(version: EthVersion, statusTimeoutMs = 5_000) {
  const node = await startEthNode({ chain: reader, statusTimeoutMs }, cleanups);
  const them = await ScriptedEthPeer.dial({ port: node.server.port, publicKey: node.server.publicKey }, version);
  cleanups.push(() => them.close());
  return { node, them };
}

describe('the ethtest chain reader (test support)', () => {
  it('rebuilds the genesis header whose hash is block 1\'s parent hash', async () => {
    expect(bytesToHex(headerHash(await ethtestGenesisHeader()))).toBe(bytesToHex(chain.genesisHash));
  });
});

describe.each(ETH_VERSIONS.map((v) => [v]))('eth/%i Status handshake', (version) => {
  it('sends our Status first: network id, genesis, fork id 0x377aaa78/0, and the head in this version\'s form', async () => {
    const { them } = await connect(version);
    const ours = await them.next('Status');
    expect(ours.version).toBe(version);
    expect(ours.networkId).toBe(3503995874084926n);
    expect(bytesToHex(ours.genesis)).toBe(bytesToHex(chain.genesisHash));
    expect(bytesToHex(ours.forkId.hash)).toBe('377aaa78');
    expect(ours.forkId.next).toBe(0n);
    if (version <= 68) {
      expect(ours.form).toBe('eth66');
      if (ours.form !== 'eth66') return;
      expect(ours.td).toBe(131072n);
      expect(bytesToHex(ours.head)).toBe(bytesToHex(chain.headHash));
    } else {
      expect(ours.form).toBe('eth69');
      if (ours.form !== 'eth69') return;
      expect([ours.earliestBlock, ours.latestBlock]).toEqual([0n, 600n]);
      expect(bytesToHex(ours.latestBlockHash)).toBe(bytesToHex(chain.headHash));
    }
  });

  it('accepts an honest Status: the peer is handed over and answers requests', async () => {
    const { node, them } = await connect(version);
    them.send(honestStatus(version));
    const peer = await node.nextPeer();
    expect(peer.version).toBe(version);
    expect(peer.status).toEqual(honestStatus(version));
    if (version >= 69) expect(peer.blockRange).toEqual({ earliestBlock: 0n, latestBlock: 600n, latestBlockHash: chain.headHash });
    else expect(peer.blockRange).toBeUndefined();
    them.send({ kind: 'GetBlockHeaders', requestId: 1n, origin: { number: 600n }, amount: 1n, skip: 0n, reverse: false });
    const reply = await them.next('BlockHeaders');
    expect(bytesToHex(headerHash(reply.headers[0]!))).toBe(bytesToHex(chain.headHash));
    expect(node.protocols.peers()).toEqual([peer]);
  });

  it('accepts the fork id of a peer still syncing the same chain (EIP-2124 rule 2)', async () => {
    const { node, them } = await connect(version);
    const forks = gatherForks(chain.genesisJson.config, 0n);
    const syncing = computeForkId(chain.genesisHash, forks, { number: 0n, time: 0n });
    expect(syncing.next).toBe(60n); // Cancun at time 60 is its next fork
    them.send({ ...honestStatus(version), forkId: syncing });
    expect((await node.nextPeer()).status.forkId).toEqual(syncing);
  });

  const rejections: Array<[string, (s: Status) => Status]> = [
    ['another network id', (s) => ({ ...s, networkId: 1n })],
    ['another genesis', (s) => ({ ...s, genesis: new Uint8Array(32).fill(0x11) })],
    ['an incompatible fork id (EIP-2124 rule 4)', (s) => ({ ...s, forkId: { hash: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), next: 0n } })],
    ['our fork hash with a next fork we passed without it (rule 1a)', (s) => ({ ...s, forkId: { hash: chain.forkId.hash, next: 100n } })],
    ['a version other than the negotiated one', (s) => ({ ...s, version: version === 70 ? 69 : version + 1 })],
  ];
  it.each(rejections)('disconnects with 0x10 (subprotocol error, as geth) on %s', async (_what, mutate) => {
    const { node, them } = await connect(version);
    await them.next('Status');
    them.send(mutate(honestStatus(version)));
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
    expect(node.accepted).toEqual([]);
  });

  if (version >= 69) {
    it.each([
      ['earliest > latest', { earliestBlock: 601n, latestBlock: 600n }],
      ['a zero latest hash', { latestBlockHash: new Uint8Array(32) }],
    ])('disconnects with 0x10 on a Status block range with %s', async (_what, change) => {
      const { node, them } = await connect(version);
      them.send({ ...honestStatus(version), ...change } as Status);
      expect(await them.disconnected()).toMatchObject({ reason: EthDisconnectReasons.invalidBlockRange, byUs: false });
      expect(node.accepted).toEqual([]);
    });
  }

  it('disconnects with 0x0b (read timeout, as geth) when no Status comes within the timeout', async () => {
    const { node, them } = await connect(version, 300);
    await them.next('Status');
    const started = Date.now();
    expect(await them.disconnected(3_000)).toMatchObject({ reason: DisconnectReason.PingTimeout, byUs: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(node.accepted).toEqual([]);
  });

  it('disconnects with 0x02 when the first eth message is not Status', async () => {
    const { them } = await connect(version);
    them.send({ kind: 'GetBlockHeaders', requestId: 1n, origin: { number: 1n }, amount: 1n, skip: 0n, reverse: false });
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: false });
  });

  it('disconnects with 0x02 on a second Status', async () => {
    const { node, them } = await connect(version);
    them.send(honestStatus(version));
    await node.nextPeer();
    them.send(honestStatus(version));
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: false });
  });

  it('disconnects with 0x02 on a Status that does not decode (the other version\'s form)', async () => {
    const { them } = await connect(version);
    const other: EthVersion = version <= 68 ? 69 : 68;
    const wrongForm = buildStatus(reader, other);
    them.sendRaw(0x00, encodeRlp(statusFields(wrongForm)));
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: false });
  });
});

/** The RLP fields of a Status, for sending a form the session's codec would refuse to encode. */
function statusFields(s: Status) {
  const forkId = [s.forkId.hash, s.forkId.next];
  if (s.form === 'eth66') return [BigInt(s.version), s.networkId, s.td, s.head, s.genesis, forkId];
  return [BigInt(s.version), s.networkId, s.genesis, forkId, s.earliestBlock, s.latestBlock, s.latestBlockHash];
}

describe('two of our nodes', () => {
  it.each(ETH_VERSIONS.map((v) => [v]))('complete the handshake both ways when one offers only eth/%i', async (version) => {
    const a = await startEthNode({ chain: reader, versions: [version] }, cleanups);
    const b = await startEthNode({ chain: reader }, cleanups);
    a.server.addPeer({ publicKey: b.server.publicKey, ip: '127.0.0.1', tcpPort: b.server.port });
    const [pa, pb] = await Promise.all([a.nextPeer(), b.nextPeer()]);
    expect([pa.version, pb.version]).toEqual([version, version]);
    expect(pa.status).toEqual(pb.localStatus);
    expect(pb.status).toEqual(pa.localStatus);
    expect(pa.status).toEqual(honestStatus(version));
  });

  it('negotiate eth/70 when both offer 66..70', async () => {
    const a = await startEthNode({ chain: reader }, cleanups);
    const b = await startEthNode({ chain: reader }, cleanups);
    b.server.addPeer({ publicKey: a.server.publicKey, ip: '127.0.0.1', tcpPort: a.server.port });
    const [pa, pb] = await Promise.all([a.nextPeer(), b.nextPeer()]);
    expect([pa.version, pb.version]).toEqual([70, 70]);
  });
});
