/**
 * What an EthPeer does with announcements and notifications after the
 * handshake, over loopback: block gossip before and after the merge,
 * transactions, BlockRangeUpdate both ways (geth's every-32-blocks rule), and
 * messages that are too large or do not decode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { headerHash } from '../wire/block.js';
import { ETH_MESSAGE_CODES } from '../wire/eth/codes.js';
import { MAX_MESSAGE_SIZE } from '../wire/eth/limits.js';
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import { encodeRlp } from '../wire/rlp.js';
import { transactionHash } from '../wire/tx/hash.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import type { EthPeer, EthPeerEvents } from './eth-peer.js';
import { ethtestChainReader, ethtestTtd } from './test-chain.js';
import { handshaken } from './test-node.js';

const chain = loadEthtestChain();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The next `event` of `peer`, or a rejection after `ms`. */
function nextEvent<K extends keyof EthPeerEvents>(peer: EthPeer, event: K, ms = 3_000): Promise<EthPeerEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(event)} within ${ms} ms`)), ms);
    peer.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

const block5 = chain.blocks[4]!;
const newBlock: EthMessage = { kind: 'NewBlock', block: block5, td: chain.td };
const newBlockHashes: EthMessage = { kind: 'NewBlockHashes', announcements: [{ hash: chain.hashes[4]!, number: 5n }] };

describe('block gossip and the merge', () => {
  it.each([66, 68, 70].map((v) => [v as EthVersion]))('eth/%i after the merge (head TD >= TTD): NewBlockHashes and NewBlock drop the peer with 0x10', async (version) => {
    for (const msg of [newBlockHashes, newBlock]) {
      const reader = await ethtestChainReader();
      const { them, node } = await handshaken(reader, version, cleanups, { terminalTotalDifficulty: ethtestTtd() });
      them.send(msg);
      expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
      expect(node.protocols.peers()).toEqual([]);
    }
  });

  it('the postMerge option alone decides it too', async () => {
    const { them } = await handshaken(await ethtestChainReader(), 68, cleanups, { postMerge: true });
    them.send(newBlockHashes);
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError });
  });

  it('before the merge: both are passed on as events and the peer stays', async () => {
    const { them, peer } = await handshaken(await ethtestChainReader(), 68, cleanups, { postMerge: false });
    const hashes = nextEvent(peer, 'newBlockHashes');
    them.send(newBlockHashes);
    expect((await hashes)[0]).toEqual(newBlockHashes);
    const block = nextEvent(peer, 'newBlock');
    them.send(newBlock);
    const [got] = await block;
    expect(headerHash(got.block.header)).toEqual(chain.hashes[4]);
    expect(got.td).toBe(chain.td);
    expect(await them.stillConnectedAfter(200)).toBe(true);
  });

  it('before the merge: a NewBlock TD wider than 100 bits drops the peer with 0x10 (geth sanityCheck)', async () => {
    const { them } = await handshaken(await ethtestChainReader(), 68, cleanups, { postMerge: false });
    them.send({ kind: 'NewBlock', block: block5, td: 1n << 100n });
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError });
  });
});

describe('transactions', () => {
  it('Transactions and NewPooledTransactionHashes (eth/68 form) become events', async () => {
    const { them, peer } = await handshaken(await ethtestChainReader(), 68, cleanups);
    const txs = chain.blocks[0]!.transactions;
    const got = nextEvent(peer, 'transactions');
    them.send({ kind: 'Transactions', transactions: txs });
    expect((await got)[0].transactions).toEqual(txs);
    const ann = nextEvent(peer, 'newPooledTransactionHashes');
    const msg: EthMessage = { kind: 'NewPooledTransactionHashes', form: 'eth68', types: Uint8Array.of(txs[0]!.type), sizes: [100], hashes: [transactionHash(txs[0]!)] };
    them.send(msg);
    expect((await ann)[0]).toEqual(msg);
  });
});

describe('BlockRangeUpdate (eth/69+)', () => {
  it.each([69, 70].map((v) => [v as EthVersion]))('eth/%i: a valid update is recorded and passed on', async (version) => {
    const { them, peer } = await handshaken(await ethtestChainReader(), version, cleanups);
    const got = nextEvent(peer, 'blockRangeUpdate');
    const update = { kind: 'BlockRangeUpdate', earliestBlock: 10n, latestBlock: 600n, latestBlockHash: chain.headHash } as const;
    them.send(update);
    expect((await got)[0]).toEqual(update);
    expect(peer.blockRange).toEqual({ earliestBlock: 10n, latestBlock: 600n, latestBlockHash: chain.headHash });
  });

  it.each([
    ['earliest > latest', { earliestBlock: 9n, latestBlock: 8n, latestBlockHash: chain.headHash }],
    ['a zero latest hash', { earliestBlock: 0n, latestBlock: 8n, latestBlockHash: new Uint8Array(32) }],
  ])('an update with %s drops the peer with 0x10', async (_what, range) => {
    const { them } = await handshaken(await ethtestChainReader(), 69, cleanups);
    them.send({ kind: 'BlockRangeUpdate', ...range });
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
  });

  it('notifyHead sends our range once the head moved 32 blocks, or moved back', async () => {
    const reader = await ethtestChainReader();
    reader.setHead(500n);
    const { them, node } = await handshaken(reader, 70, cleanups);
    const status = them.received.find((m) => m.kind === 'Status');
    expect(status).toMatchObject({ latestBlock: 500n });
    const range = (n: number) => ({ kind: 'BlockRangeUpdate', earliestBlock: 0n, latestBlock: BigInt(n), latestBlockHash: chain.hashes[n - 1] });

    reader.setHead(531n);
    node.protocols.notifyHead();
    await expect(them.next('BlockRangeUpdate', 300)).rejects.toThrow(/no BlockRangeUpdate/);
    reader.setHead(532n);
    node.protocols.notifyHead();
    expect(await them.next('BlockRangeUpdate')).toEqual(range(532));
    reader.setHead(563n);
    node.protocols.notifyHead();
    await expect(them.next('BlockRangeUpdate', 300)).rejects.toThrow(/no BlockRangeUpdate/);
    reader.setHead(564n);
    node.protocols.notifyHead();
    expect(await them.next('BlockRangeUpdate')).toEqual(range(564));
    reader.setHead(550n);
    node.protocols.notifyHead();
    expect(await them.next('BlockRangeUpdate')).toEqual(range(550));
  });

  it('notifyHead sends nothing to an eth/68 peer', async () => {
    const reader = await ethtestChainReader();
    reader.setHead(500n);
    const { them, node, peer } = await handshaken(reader, 68, cleanups);
    reader.setHead(600n);
    node.protocols.notifyHead();
    expect(peer.notifyHead()).toBe(false);
    expect(await them.stillConnectedAfter(200)).toBe(true);
    expect(them.decodeErrors).toEqual([]);
    expect(them.received.map((m) => m.kind)).toEqual(['Status']);
  });
});

describe('malformed traffic after the handshake', () => {
  it('a message above 10 MiB drops the peer with 0x10 (geth errMsgTooLarge)', async () => {
    const { them } = await handshaken(await ethtestChainReader(), 68, cleanups);
    them.sendRaw(ETH_MESSAGE_CODES.Transactions, encodeRlp([new Uint8Array(MAX_MESSAGE_SIZE)]));
    expect(await them.disconnected(10_000)).toMatchObject({ reason: DisconnectReason.SubprotocolError, byUs: false });
  });

  it('a payload that does not decode drops the peer with 0x02', async () => {
    const { them } = await handshaken(await ethtestChainReader(), 68, cleanups);
    them.sendRaw(ETH_MESSAGE_CODES.GetBlockHeaders, Uint8Array.of(0xc1, 0xc0));
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: false });
  });

  it('a code the version does not define (GetNodeData on eth/67) drops the peer with 0x02', async () => {
    const { them } = await handshaken(await ethtestChainReader(), 67, cleanups);
    them.sendRaw(ETH_MESSAGE_CODES.GetNodeData, encodeRlp([1n, [new Uint8Array(32)]]));
    expect(await them.disconnected()).toMatchObject({ reason: DisconnectReason.ProtocolBreach, byUs: false });
  });
});

describe('the peer head', () => {
  it('eth/68: starts at the Status head and TD, moves up with setHead, ignores a lower TD', async () => {
    const reader = await ethtestChainReader();
    const { peer } = await handshaken(reader, 68, cleanups, { postMerge: false });
    expect(peer.head).toEqual({ hash: chain.headHash, td: chain.td });
    peer.setHead(chain.hashes[4]!, chain.td - 1n);
    expect(peer.head.hash).toEqual(chain.headHash);
    const other = new Uint8Array(32).fill(7);
    peer.setHead(other, chain.td + 5n);
    expect(peer.head).toEqual({ hash: other, td: chain.td + 5n });
  });

  it('eth/69: no TD in Status; BlockRangeUpdate moves the head hash', async () => {
    const reader = await ethtestChainReader();
    const { them, peer } = await handshaken(reader, 69, cleanups, { postMerge: false });
    expect(peer.head).toEqual({ hash: chain.headHash, td: undefined });
    const update = nextEvent(peer, 'blockRangeUpdate');
    them.send({ kind: 'BlockRangeUpdate', earliestBlock: 0n, latestBlock: chain.head.header.number + 40n, latestBlockHash: new Uint8Array(32).fill(9) });
    await update;
    expect(peer.head.hash).toEqual(new Uint8Array(32).fill(9));
  });
});
