/**
 * Test support: nodes on loopback made of a Server, our eth protocols over a
 * chain (or a scripted ChainReader) and, optionally, a sync. A dialed node is
 * never re-dialed during a test (a long static backoff), so a peer the sync
 * dropped stays away.
 */
import type { ChainReader } from '../chain/reader.js';
import type { EthPeer, EthRequest } from '../eth/eth-peer.js';
import { RequestAbortedError, RequestTimeoutError, type RequestKind, type ResponseFor } from '../eth/request-tracker.js';
import { serveBodies } from '../eth/serve-bodies.js';
import { serveHeaders } from '../eth/serve-headers.js';
import { createEthProtocols, type EthProtocols } from '../eth/protocols.js';
import type { DisconnectInfo } from '../p2p/peer.js';
import { Server } from '../p2p/server.js';
import type { EthVersion } from '../wire/eth/types.js';
import { bytesToHex } from '../wire/bytes.js';
import { generatePrivateKey, nodeIdOf } from '../wire/keys.js';
import type { SyncPeer } from './types.js';

export interface TestEthNode {
  server: Server;
  protocols: EthProtocols;
  /** Every peer that passed the handshake, in order. */
  accepted: EthPeer[];
  /** How each accepted peer's session ended, by peer id. */
  ended: Map<string, DisconnectInfo>;
  /** Called for each peer past the handshake (set it before connecting). */
  onPeer: ((peer: EthPeer) => void) | undefined;
}

export interface NodeOptions {
  versions?: readonly EthVersion[];
  postMerge?: boolean;
  requestTimeoutMs?: number;
}

export async function startNode(chain: ChainReader, cleanups: Array<() => unknown>, options: NodeOptions = {}): Promise<TestEthNode> {
  const accepted: EthPeer[] = [];
  const ended = new Map<string, DisconnectInfo>();
  const node: TestEthNode = { server: undefined as unknown as Server, protocols: undefined as unknown as EthProtocols, accepted, ended, onPeer: undefined };
  node.protocols = createEthProtocols({
    chain,
    ...(options.versions ? { versions: options.versions } : {}),
    ...(options.postMerge !== undefined ? { postMerge: options.postMerge } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    onPeer: (peer) => {
      accepted.push(peer);
      peer.on('disconnect', (info) => ended.set(peer.id, info));
      node.onPeer?.(peer);
    },
  });
  node.server = new Server({
    privateKey: generatePrivateKey(),
    clientId: 'devp2p-check/sync-test',
    protocols: node.protocols,
    staticBackoff: { initialMs: 600_000, maxMs: 600_000 },
  });
  cleanups.push(() => node.server.stop());
  await node.server.start();
  return node;
}

/** Dials `to` from `from` and waits until both sides have the eth peer. */
export async function connect(from: TestEthNode, to: TestEthNode, timeoutMs = 5_000): Promise<void> {
  const toId = nodeIdHex(to);
  const before = to.accepted.length;
  from.server.addPeer(to.server.enode);
  await waitFor(() => to.accepted.length > before && from.accepted.some((p) => p.connected && p.id === toId), timeoutMs, 'eth handshake');
}

/** Polls `condition` every 20 ms until true, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The peer of `node` whose session is with `other`. */
export function peerOf(node: TestEthNode, other: TestEthNode): EthPeer {
  const id = nodeIdHex(other);
  const peer = node.accepted.find((p) => p.id === id);
  if (peer === undefined) throw new Error('not connected');
  return peer;
}

/** The node id as EthPeer.id shows it. */
export function nodeIdHex(node: TestEthNode): string {
  return bytesToHex(nodeIdOf(node.server.publicKey));
}

/** What a DirectPeer's request gets back; return undefined to answer as an honest server would. */
export type Answer = (req: EthRequest, honest: () => EthResponse) => EthResponse | 'silent' | undefined;

/**
 * A SyncPeer without sockets: requests are answered at once from `reader`
 * by the eth serving code, optionally altered by `answer`. It records how it
 * was disconnected. For the round logic's unit tests.
 */
export class DirectPeer implements SyncPeer {
  readonly id: string;
  disconnectedWith: number | undefined;
  private headValue: { hash: Uint8Array; td: bigint | undefined };
  readonly requests: EthRequest[] = [];

  constructor(
    private readonly reader: ChainReader,
    private readonly answer?: Answer,
    options: { id?: string; td?: bigint } = {},
  ) {
    this.id = options.id ?? 'direct';
    const head = reader.head();
    this.headValue = { hash: head.hash, td: options.td ?? head.td };
  }

  get head(): { hash: Uint8Array; td: bigint | undefined } {
    return this.headValue;
  }

  get connected(): boolean {
    return this.disconnectedWith === undefined;
  }

  setHead(hash: Uint8Array, td: bigint | undefined): void {
    this.headValue = { hash, td: td ?? this.headValue.td };
  }

  disconnect(reason?: number): void {
    this.disconnectedWith ??= reason ?? 0;
  }

  request<R extends EthRequest>(req: R, options: { timeoutMs?: number } = {}): Promise<ResponseFor<R['kind']>> {
    this.requests.push(req);
    if (!this.connected) return Promise.reject(new RequestAbortedError('disconnected'));
    const honest = (): EthResponse => {
      switch (req.kind) {
        case 'GetBlockHeaders':
          return { kind: 'BlockHeaders', requestId: 0n, headers: serveHeaders(this.reader, req) };
        case 'GetBlockBodies':
          return { kind: 'BlockBodies', requestId: 0n, bodies: serveBodies(this.reader, req.hashes) };
        default:
          throw new Error(`DirectPeer: ${req.kind} not served`);
      }
    };
    const res = this.answer?.(req, honest) ?? honest();
    if (res === 'silent') return Promise.reject(new RequestTimeoutError(req.kind as RequestKind, 0n, options.timeoutMs ?? 0));
    return Promise.resolve(res as ResponseFor<R['kind']>);
  }
}

type EthResponse = ResponseFor<'GetBlockHeaders'> | ResponseFor<'GetBlockBodies'>;
