/**
 * The eth capability for the P2P server: one Protocol per version (geth's
 * eth.MakeProtocols). Each session starts with the Status handshake: we send
 * ours at once, theirs must be the first eth message and arrive within the
 * timeout, and it must pass checkRemoteStatus. Then an EthPeer takes over.
 */
import type { Protocol, ProtocolSession } from '../p2p/protocol.js';
import { ETH_MESSAGE_CODES, ethProtocolLength } from '../wire/eth/codes.js';
import { MAX_MESSAGE_SIZE } from '../wire/eth/limits.js';
import { decodeEthMessage, encodeEthMessage } from '../wire/eth/messages.js';
import { ETH_VERSIONS, type EthVersion } from '../wire/eth/types.js';
import type { ChainReader } from './chain-reader.js';
import { EthPeer, type EthPeerContext } from './eth-peer.js';
import { EthDisconnectReasons, EthProtocolError } from './reasons.js';
import type { PooledTransactionSource } from './serve-pooled-txs.js';
import { serveHeaders } from './serve-headers.js';
import { buildStatus, checkRemoteStatus } from './status.js';
import { fault } from '../faults/index.js';

/** geth's handshakeTimeout. */
export const DEFAULT_STATUS_TIMEOUT_MS = 5_000;

export interface EthProtocolOptions {
  chain: ChainReader;
  /** Versions to offer; default 66..70. */
  versions?: readonly EthVersion[];
  /** How long the peer has to send its Status; default 5 s. */
  statusTimeoutMs?: number;
  /** Default timeout of EthPeer.request; default 10 s. */
  requestTimeoutMs?: number;
  /** Serves GetPooledTransactions; without it the answer is an empty list. */
  txPool?: PooledTransactionSource;
  /**
   * Whether block gossip is over (NewBlock / NewBlockHashes then drop the
   * peer). A boolean, or a function asked on each announcement. When absent,
   * terminalTotalDifficulty decides (head TD ≥ TTD); with neither, pre-merge.
   */
  postMerge?: boolean | (() => boolean);
  terminalTotalDifficulty?: bigint;
  /** Called once per peer that passed the handshake. */
  onPeer?(peer: EthPeer): void;
}

/** The protocols to hand the Server, plus what the node needs to drive them. */
export type EthProtocols = Protocol[] & {
  /** Peers past the handshake and still connected. */
  peers(): EthPeer[];
  /** Our head moved: send BlockRangeUpdate to the eth/69+ peers that are due one. */
  notifyHead(): void;
};

export function createEthProtocols(options: EthProtocolOptions): EthProtocols {
  const versions = [...(options.versions ?? ETH_VERSIONS)];
  if (versions.length === 0) throw new RangeError('createEthProtocols: no eth version to offer');
  const live = new Set<EthPeer>();
  const context: EthPeerContext = {
    chain: options.chain,
    isPostMerge: postMergeRule(options),
    ...(options.txPool ? { txPool: options.txPool } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  };
  const protocols: Protocol[] = versions.map((version) => ({
    name: 'eth',
    version,
    length: ethProtocolLength(version),
    run: (session) => runSession(session, version, options, context, live),
  }));
  return Object.assign(protocols, {
    peers: () => [...live].filter((p) => p.connected),
    notifyHead: () => {
      for (const peer of live) peer.notifyHead();
    },
  });
}

function postMergeRule(options: EthProtocolOptions): () => boolean {
  const { postMerge, terminalTotalDifficulty: ttd, chain } = options;
  if (typeof postMerge === 'function') return postMerge;
  if (typeof postMerge === 'boolean') return () => postMerge;
  if (ttd !== undefined) return () => chain.head().td >= ttd;
  return () => false;
}

function runSession(
  session: ProtocolSession,
  version: EthVersion,
  options: EthProtocolOptions,
  context: EthPeerContext,
  live: Set<EthPeer>,
): void {
  const ours = buildStatus(options.chain, version);
  // Ours goes out first, as geth does, so both sides check in parallel; before
  // onMessage, which may hand us their queued Status at once.
  const encoded = encodeEthMessage(version, ours);
  session.send(encoded.code, encoded.payload);
  let peer: EthPeer | undefined;
  const timeoutMs = options.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
  const timer = setTimeout(() => {
    if (!peer && !fault('eth-no-status-timeout')) session.disconnect(EthDisconnectReasons.statusTimeout);
  }, timeoutMs);

  session.onDisconnect((info) => {
    clearTimeout(timer);
    if (!peer) return;
    live.delete(peer);
    peer.closed(info);
  });
  session.onMessage((code, payload) => {
    if (payload.length > MAX_MESSAGE_SIZE && !fault('eth-accept-oversized-message')) {
      throw new EthProtocolError('messageTooLarge', `message 0x${code.toString(16)} of ${payload.length} bytes (at most ${MAX_MESSAGE_SIZE})`);
    }
    if (peer) return peer.handle(decodeEthMessage(version, code, payload));
    // Judge by code before decoding: whatever else it is, it is not the Status we wait for.
    if (code !== ETH_MESSAGE_CODES.Status) {
      if (fault('eth-serve-before-status') && code === ETH_MESSAGE_CODES.GetBlockHeaders) return serveBeforeStatus(session, version, options.chain, payload);
      throw new EthProtocolError('statusNotFirst', `first eth message has code 0x${code.toString(16).padStart(2, '0')}`);
    }
    const status = decodeEthMessage(version, code, payload);
    if (status.kind !== 'Status') throw new Error('unreachable: code 0x00 decodes to Status');
    checkRemoteStatus(options.chain, version, status);
    clearTimeout(timer);
    peer = new EthPeer(session, version, status, ours, context);
    live.add(peer);
    options.onPeer?.(peer);
  });
}

/** Fault eth-serve-before-status: answers a header query from a peer that has not sent its Status. */
function serveBeforeStatus(session: ProtocolSession, version: EthVersion, chain: ChainReader, payload: Uint8Array): void {
  const query = decodeEthMessage(version, ETH_MESSAGE_CODES.GetBlockHeaders, payload);
  if (query.kind !== 'GetBlockHeaders') return;
  const answer = encodeEthMessage(version, { kind: 'BlockHeaders', requestId: query.requestId, headers: serveHeaders(chain, query) });
  session.send(answer.code, answer.payload);
}
