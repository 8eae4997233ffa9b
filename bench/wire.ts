/**
 * Wire benchmark (npm run bench:wire): RLPx handshakes per second and frame
 * throughput over loopback, ours against @ethereumjs/devp2p in the same run.
 *
 * Like for like: both sides use TCP_NODELAY (ethereumjs writes header and
 * body separately, so with Nagle its round trips stall 40–90 ms; see
 * ../shared/notes/ethereumjs-as-peer.md), both negotiate p2p v5 with snappy,
 * both receivers RLP-decode every message, and the payload is random bytes.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Peer as EthjsPeer } from '@ethereumjs/devp2p';
import { generatePrivateKey, publicKeyOf } from '../reference-node/wire/keys.js';
import { decodeRlp, encodeRlp } from '../reference-node/wire/rlp.js';
import { ETH_MESSAGE_COUNTS } from '../reference-node/p2p/capabilities.js';
import { Peer, type PeerOptions } from '../reference-node/p2p/peer.js';
import { RlpxListener } from '../reference-node/p2p/rlpx-listener.js';
import { RlpxTransport } from '../reference-node/p2p/rlpx-transport.js';
import { loadEthtestChain } from '../test-support/ethtest-chain.js';
import { ethOf, startEthjsNode, type EthjsNode } from '../test-support/ethereumjs-rlpx.js';

// TCP_NODELAY on every socket ethereumjs dials (ours already sets it).
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  this.setNoDelay(true);
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const chain = loadEthtestChain();
const TX = 0x02;

function ourOptions(privateKey: Uint8Array): PeerOptions {
  return { privateKey, clientId: 'devp2p-check/bench', capabilities: [{ name: 'eth', version: 68 }], messageCounts: ETH_MESSAGE_COUNTS, listenPort: 0 };
}

async function ethjsListener(): Promise<EthjsNode> {
  const node = await startEthjsNode(chain, generatePrivateKey(), true);
  const server = (node.rlpx as unknown as { _server: net.Server })._server;
  server.on('connection', (socket: net.Socket) => socket.setNoDelay(true));
  return node;
}

function idOf(node: EthjsNode): Uint8Array {
  return node.rlpx.id;
}

function removalOf(node: EthjsNode, id: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const onRemoved = (peer: EthjsPeer) => {
      if (Buffer.compare(peer.getId() ?? new Uint8Array(), id) !== 0) return;
      node.rlpx.events.off('peer:removed', onRemoved);
      resolve();
    };
    node.rlpx.events.on('peer:removed', onRemoved);
  });
}

// ---------- handshakes ----------

async function ourHandshakes(count: number, concurrency: number): Promise<number> {
  const serverKey = generatePrivateKey();
  const listener = await RlpxListener.listen({
    peer: ourOptions(serverKey),
    onPeer: (p) => p.attach({ message: () => undefined, disconnect: () => undefined }),
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const key = generatePrivateKey();
      for (let i = 0; i < count / concurrency; i++) {
        const transport = await RlpxTransport.dial({ host: '127.0.0.1', port: listener.port, privateKey: key, remotePublicKey: publicKeyOf(serverKey) });
        await Peer.start(transport, ourOptions(key));
        transport.destroy();
      }
    }),
  );
  const elapsed = performance.now() - started;
  await listener.close();
  return (count / elapsed) * 1000;
}

async function ethjsHandshakes(count: number, concurrency: number): Promise<number> {
  const listener = await ethjsListener();
  const dialers = await Promise.all(Array.from({ length: concurrency }, () => startEthjsNode(chain, generatePrivateKey(), false)));
  const started = performance.now();
  await Promise.all(
    dialers.map(async (dialer) => {
      for (let i = 0; i < count / concurrency; i++) {
        const added = new Promise<EthjsPeer>((resolve) => dialer.rlpx.events.once('peer:added', resolve));
        // Both ends must forget the session before the same key dials again, or it is "already connected".
        const dialerForgot = new Promise<void>((resolve) => dialer.rlpx.events.once('peer:removed', () => resolve()));
        const listenerForgot = removalOf(listener, dialer.rlpx.id);
        await dialer.rlpx.connect({ id: idOf(listener), address: '127.0.0.1', tcpPort: listener.port });
        const peer = await added;
        // Destroy rather than disconnect: ethereumjs ends a socket 2 s after Disconnect.
        (peer as unknown as { _socket: net.Socket })._socket.destroy();
        await Promise.all([dialerForgot, listenerForgot]);
      }
    }),
  );
  const elapsed = performance.now() - started;
  for (const d of dialers) d.close();
  listener.close();
  return (count / elapsed) * 1000;
}

// ---------- throughput ----------

/** A measurement that cannot hang: a stalled session fails the benchmark loudly. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

function payloads(size: number, count: number): Uint8Array[] {
  // A few distinct random payloads, reused: generating 64 MiB of randomness would dominate the run.
  const distinct = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(size)));
  return Array.from({ length: count }, (_, i) => distinct[i % distinct.length]!);
}

async function ourThroughput(size: number, count: number): Promise<number> {
  const serverKey = generatePrivateKey();
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const listener = await RlpxListener.listen({
    peer: ourOptions(serverKey),
    onPeer: (p) =>
      p.attach({
        message: (_cap, _code, payload) => {
          decodeRlp(payload, 'bench');
          if (++received === count) done();
        },
        disconnect: () => undefined,
      }),
  });
  const key = generatePrivateKey();
  const transport = await RlpxTransport.dial({ host: '127.0.0.1', port: listener.port, privateKey: key, remotePublicKey: publicKeyOf(serverKey) });
  const peer = await Peer.start(transport, ourOptions(key));
  const data = payloads(size, count);
  const started = performance.now();
  for (const p of data) peer.send('eth', TX, encodeRlp([p]));
  await within(finished, 60_000, `ours ${size}-byte throughput`);
  const elapsed = performance.now() - started;
  transport.destroy();
  await listener.close();
  return (size * count) / (elapsed / 1000) / 1e6;
}

async function ethjsThroughput(size: number, count: number): Promise<number> {
  const listener = await ethjsListener();
  const dialer = await startEthjsNode(chain, generatePrivateKey(), false);
  const theirAdded = new Promise<EthjsPeer>((resolve) => listener.rlpx.events.once('peer:added', resolve));
  const ourAdded = new Promise<EthjsPeer>((resolve) => dialer.rlpx.events.once('peer:added', resolve));
  await dialer.rlpx.connect({ id: idOf(listener), address: '127.0.0.1', tcpPort: listener.port });
  const [receiver, sender] = await Promise.all([theirAdded, ourAdded]);
  let received = 0;
  const finished = new Promise<void>((resolve) =>
    ethOf(receiver).events.on('message', (code: number) => {
      if (code === TX && ++received === count) resolve();
    }),
  );
  const eth = ethOf(sender);
  const data = payloads(size, count);
  const started = performance.now();
  for (const p of data) eth.sendMessage(TX, [p] as never);
  await within(finished, 60_000, `ethereumjs ${size}-byte throughput`);
  const elapsed = performance.now() - started;
  dialer.close();
  listener.close();
  return (size * count) / (elapsed / 1000) / 1e6;
}

// ---------- report ----------

function row(name: string, ours: number, theirs: number, unit: string, target?: number): string {
  const ratio = ours / theirs;
  const verdict = target === undefined ? '' : ratio >= target ? `  (target >= ${target}x: met)` : `  (target >= ${target}x: NOT met)`;
  return `${name.padEnd(28)} ours ${ours.toFixed(1).padStart(8)} ${unit}   ethereumjs ${theirs.toFixed(1).padStart(8)} ${unit}   ratio ${ratio.toFixed(2)}x${verdict}`;
}

async function main(): Promise<void> {
  const handshakes = Number(process.env.BENCH_HANDSHAKES ?? 200);
  console.log(`devp2p-check bench:wire — loopback, node ${process.version}, @ethereumjs/devp2p in the same run`);
  // Warm up both stacks (JIT, the wasm keccak, snappy) before measuring.
  await ourHandshakes(10, 1);
  await ethjsHandshakes(10, 1);
  await ourThroughput(1024, 500);
  await ethjsThroughput(1024, 500);

  const hs1 = [await ourHandshakes(handshakes, 1), await ethjsHandshakes(handshakes, 1)] as const;
  console.log(row('handshakes/s (sequential)', hs1[0], hs1[1], '/s', 1.5));
  const hs8 = [await ourHandshakes(handshakes, 8), await ethjsHandshakes(handshakes, 8)] as const;
  console.log(row('handshakes/s (8 concurrent)', hs8[0], hs8[1], '/s'));
  // Sizes keep ethereumjs under ~10 s per run: past its 15 s ping interval a
  // busy receiver answers late and it drops the session mid-measurement.
  const t1k = [await ourThroughput(1024, 4_096), await ethjsThroughput(1024, 4_096)] as const;
  console.log(row('throughput 1 KiB messages', t1k[0], t1k[1], 'MB/s'));
  const t64k = [await ourThroughput(65_536, 256), await ethjsThroughput(65_536, 256)] as const;
  console.log(row('throughput 64 KiB messages', t64k[0], t64k[1], 'MB/s', 4));
  // ethereumjs RLPx keeps timers alive; the numbers are out, so leave.
  process.exit(0);
}

await main();
