/**
 * RLPx interop with an independent implementation, @ethereumjs/devp2p, over
 * loopback in both directions: handshake, Hello with snappy, eth/68 Status,
 * one GetBlockHeaders round trip, ping/pong, and Disconnect reasons.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RLP } from '@ethereumjs/rlp';
import type { Peer as EthjsPeer } from '@ethereumjs/devp2p';
import { bytesToHex, uintToBytes } from '../wire/bytes.js';
import { headerFromRlp, headerHash, headerToRlp } from '../wire/block.js';
import { decodeEthMessage, encodeEthMessage, type EthMessage } from '../wire/eth/index.js';
import { generatePrivateKey, publicKeyOf } from '../wire/keys.js';
import { DisconnectReason } from '../wire/p2p.js';
import { encodeRlp, type RlpItem } from '../wire/rlp.js';
import { ETH_MESSAGE_COUNTS } from './capabilities.js';
import { Peer, type DisconnectInfo, type PeerOptions } from './peer.js';
import { RlpxListener } from './rlpx-listener.js';
import { RlpxTransport } from './rlpx-transport.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { ethOf, nextEthjsPeer, startEthjsNode, type EthjsNode } from '../../test-support/ethereumjs-rlpx.js';

const chain = loadEthtestChain();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function ourOptions(privateKey: Uint8Array): PeerOptions {
  return {
    privateKey,
    clientId: 'devp2p-check/interop',
    capabilities: [{ name: 'eth', version: 68 }],
    messageCounts: ETH_MESSAGE_COUNTS,
    listenPort: 0,
  };
}

const ourStatus: EthMessage = {
  kind: 'Status',
  form: 'eth66',
  version: 68,
  networkId: chain.networkId,
  td: chain.td,
  head: chain.headHash,
  genesis: chain.genesisHash,
  forkId: chain.forkId,
};

/** Collects our side's eth messages, decoded at eth/68. */
function ethInbox(peer: Peer) {
  const messages: EthMessage[] = [];
  const waiters: Array<{ kind: string; resolve: (m: EthMessage) => void }> = [];
  let disconnect: DisconnectInfo | undefined;
  const disconnectWaiters: Array<(d: DisconnectInfo) => void> = [];
  peer.attach({
    message: (_cap, code, payload) => {
      const msg = decodeEthMessage(68, code, payload);
      messages.push(msg);
      for (const w of waiters.filter((w) => w.kind === msg.kind)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    },
    disconnect: (info) => {
      disconnect = info;
      for (const w of disconnectWaiters.splice(0)) w(info);
    },
  });
  return {
    next<K extends EthMessage['kind']>(kind: K): Promise<Extract<EthMessage, { kind: K }>> {
      const have = messages.find((m) => m.kind === kind);
      if (have) return Promise.resolve(have as Extract<EthMessage, { kind: K }>);
      return new Promise((resolve) => waiters.push({ kind, resolve: resolve as (m: EthMessage) => void }));
    },
    disconnected(): Promise<DisconnectInfo> {
      return disconnect ? Promise.resolve(disconnect) : new Promise((resolve) => disconnectWaiters.push(resolve));
    },
  };
}

function sendEth(peer: Peer, msg: EthMessage): void {
  const { code, payload } = encodeEthMessage(68, msg);
  expect(peer.send('eth', code, payload)).toBe(true);
}

/** The ethereumjs side: a Status like ours, and headers served from the same chain. */
function ethjsStatusAndServe(peer: EthjsPeer) {
  const eth = ethOf(peer);
  const status = new Promise<{ genesisHash: Uint8Array; forkId: Uint8Array[]; chainId: Uint8Array }>((resolve) =>
    eth.events.once('status', resolve as never),
  );
  const messages: Array<[number, RlpItem]> = [];
  eth.events.on('message', (code: number, payload: RlpItem) => {
    messages.push([code, payload]);
    if (code === 0x03) {
      const [reqId, [origin, amount]] = payload as [Uint8Array, Uint8Array[]];
      const first = Number(BigInt('0x' + (bytesToHex(origin!) || '0')));
      const count = Number(BigInt('0x' + (bytesToHex(amount!) || '0')));
      const headers = chain.blocks.slice(first - 1, first - 1 + count).map((b) => RLP.decode(encodeRlp(headerToRlp(b.header))));
      eth.sendMessage(0x04, [reqId, headers] as never);
    }
  });
  eth.sendStatus({ td: uintToBytes(chain.td), bestHash: chain.headHash, genesisHash: chain.genesisHash });
  return { eth, status, messages };
}

function expectStatusFromEthjs(status: Extract<EthMessage, { kind: 'Status' }>) {
  expect(status.form).toBe('eth66');
  if (status.form !== 'eth66') return;
  expect(status.version).toBe(68);
  expect(status.networkId).toBe(chain.networkId);
  expect(status.genesis).toEqual(chain.genesisHash);
  // ethereumjs computes the fork ID itself from the same genesis: this checks ours against it.
  expect(status.forkId).toEqual(chain.forkId);
  expect(bytesToHex(status.forkId.hash)).toBe('377aaa78');
}

async function expectEthjsAcceptedOurStatus(status: Promise<{ genesisHash: Uint8Array; forkId: Uint8Array[] }>) {
  const got = await status;
  expect(got.genesisHash).toEqual(chain.genesisHash);
  expect(bytesToHex(got.forkId[0]!)).toBe(bytesToHex(chain.forkId.hash));
}

async function startNode(key: Uint8Array, listen: boolean): Promise<EthjsNode> {
  const node = await startEthjsNode(chain, key, listen);
  cleanups.push(() => node.close());
  return node;
}

describe('RLPx interop with @ethereumjs/devp2p', () => {
  it('we dial it: handshake, Hello with snappy, Status, GetBlockHeaders, ping/pong, and its Disconnect reason reaches us', async () => {
    const theirKey = generatePrivateKey();
    const node = await startNode(theirKey, true);
    const theirPeer = nextEthjsPeer(node);
    const ourKey = generatePrivateKey();
    const transport = await RlpxTransport.dial({ host: '127.0.0.1', port: node.port, privateKey: ourKey, remotePublicKey: publicKeyOf(theirKey) });
    const peer = await Peer.start(transport, ourOptions(ourKey));
    cleanups.push(() => peer.disconnect());

    expect(peer.remoteHello.nodeId).toEqual(publicKeyOf(theirKey));
    expect(peer.remoteHello.protocolVersion).toBe(5);
    expect(peer.remoteHello.clientId).toBe('ethereumjs-devp2p/interop');
    expect(peer.shared).toEqual([{ name: 'eth', version: 68, offset: 0x10, length: 17 }]);
    expect(transport.codec.snappy).toBe(true);

    const inbox = ethInbox(peer);
    const them = ethjsStatusAndServe(await theirPeer);
    sendEth(peer, ourStatus);
    expectStatusFromEthjs(await inbox.next('Status'));
    await expectEthjsAcceptedOurStatus(them.status);

    sendEth(peer, { kind: 'GetBlockHeaders', requestId: 4242n, origin: { number: 10n }, amount: 5n, skip: 0n, reverse: false });
    const reply = await inbox.next('BlockHeaders');
    expect(reply.requestId).toBe(4242n);
    expect(reply.headers.map((h) => bytesToHex(headerHash(h)))).toEqual(chain.hashes.slice(9, 14).map(bytesToHex));
    // ethereumjs decoded our request as the spec lays it out.
    const [, request] = them.messages.find(([code]) => code === 0x03)!;
    expect(bytesToHex(encodeRlp(request as RlpItem[]))).toBe(bytesToHex(RLP.encode([uintToBytes(4242n), [uintToBytes(10n), uintToBytes(5n), new Uint8Array(), new Uint8Array()]])));

    // Our ping is answered by its pong, and its ping by ours.
    expect(await peer.ping(3_000)).toBeLessThan(3_000);
    const ethjs = (await theirPeer) as unknown as { _handlePong(): void; _sendPing(): void };
    const gotPong = new Promise<void>((resolve) => {
      const original = ethjs._handlePong.bind(ethjs);
      ethjs._handlePong = () => {
        original();
        resolve();
      };
    });
    ethjs._sendPing();
    await gotPong;

    (await theirPeer).disconnect(DisconnectReason.UselessPeer);
    // KNOWN-ISSUE (ethereumjs 10.0.0): its Disconnect skips snappy; we read the reason and record the deviation.
    expect(await inbox.disconnected()).toMatchObject({
      reason: DisconnectReason.UselessPeer,
      byUs: false,
      deviation: expect.stringMatching(/without snappy/),
    });
  });

  it('it dials us: handshake, Hello with snappy, Status, it fetches headers from us, and our Disconnect reason reaches it', async () => {
    const ourKey = generatePrivateKey();
    const accepted: Peer[] = [];
    const ourPeer = new Promise<Peer>((resolve, reject) => {
      void RlpxListener.listen({
        peer: ourOptions(ourKey),
        onPeer: (p) => {
          accepted.push(p);
          resolve(p);
        },
        onSessionError: reject,
      }).then((listener) => {
        cleanups.push(() => listener.close());
        void startNode(generatePrivateKey(), false).then((node) => {
          const theirPeer = nextEthjsPeer(node);
          void node.rlpx.connect({ id: publicKeyOf(ourKey), address: '127.0.0.1', tcpPort: listener.port });
          void theirPeer.then((p) => pending.resolve(p));
        });
      });
    });
    const pending: { resolve: (p: EthjsPeer) => void } = { resolve: () => undefined };
    const theirPeerPromise = new Promise<EthjsPeer>((resolve) => (pending.resolve = resolve));
    const peer = await ourPeer;
    cleanups.push(() => peer.disconnect());
    expect(peer.transport.codec.snappy).toBe(true);
    expect(peer.remoteHello.capabilities).toContainEqual({ name: 'eth', version: 68 });

    const inbox = ethInbox(peer);
    const theirPeer = await theirPeerPromise;
    const eth = ethOf(theirPeer);
    const theirStatus = new Promise<{ genesisHash: Uint8Array; forkId: Uint8Array[] }>((resolve) => eth.events.once('status', resolve as never));
    const theirHeaders = new Promise<RlpItem>((resolve) =>
      eth.events.on('message', (code: number, payload: RlpItem) => {
        if (code === 0x04) resolve(payload);
      }),
    );
    eth.sendStatus({ td: uintToBytes(chain.td), bestHash: chain.headHash, genesisHash: chain.genesisHash });
    sendEth(peer, ourStatus);
    expectStatusFromEthjs(await inbox.next('Status'));
    await expectEthjsAcceptedOurStatus(theirStatus);

    // It asks us for headers 598..600 by hash of 598; we serve them from the chain.
    eth.sendMessage(0x03, [uintToBytes(77n), [chain.hashes[597]!, uintToBytes(3n), uintToBytes(0n), uintToBytes(0n)]] as never);
    const request = await inbox.next('GetBlockHeaders');
    expect(request).toMatchObject({ requestId: 77n, origin: { hash: chain.hashes[597] }, amount: 3n, skip: 0n, reverse: false });
    sendEth(peer, { kind: 'BlockHeaders', requestId: 77n, headers: chain.blocks.slice(597, 600).map((b) => b.header) });
    const [reqId, headers] = (await theirHeaders) as [Uint8Array, RlpItem[]];
    expect(reqId).toEqual(uintToBytes(77n));
    expect(headers.map((h) => bytesToHex(headerHash(headerFromRlp(h))))).toEqual(chain.hashes.slice(597, 600).map(bytesToHex));

    expect(await peer.ping(3_000)).toBeLessThan(3_000);

    const removed = new Promise<[number, boolean]>((resolve) =>
      theirPeer.events.once('close', (reason: number, byThem: boolean) => resolve([reason, byThem])),
    );
    peer.disconnect(DisconnectReason.TooManyPeers);
    const [reason, closedByThem] = await removed;
    expect(reason).toBe(DisconnectReason.TooManyPeers);
    expect(closedByThem).toBe(false);
  });
});
