/**
 * One peer after a successful Status exchange: it serves the peer's requests
 * from the chain, checks the responses to ours against the request tracker,
 * and passes announcements on as events (for the block and tx fetchers that
 * sit above this layer). A handler throws EthProtocolError to drop the peer;
 * the session turns that into a Disconnect with the cause's reason.
 */
import type { PeerInfo } from '../p2p/peer-info.js';
import type { DisconnectInfo } from '../p2p/peer.js';
import type { ProtocolSession } from '../p2p/protocol.js';
import { TypedEvents, type EventMap } from '../p2p/typed-events.js';
import { headerHash, type Block } from '../wire/block.js';
import { encodeEthMessage, encodeServedReply } from '../wire/eth/messages.js';
import { MAX_TD_BITS } from '../wire/eth/limits.js';
import type {
  BlockRangeUpdate,
  EncodedEthMessage,
  EthMessage,
  EthVersion,
  NewBlock,
  NewBlockHashes,
  NewPooledTransactionHashes,
  Status,
  Transactions,
} from '../wire/eth/types.js';
import { DisconnectReason } from '../wire/p2p.js';
import type { Hash32, Transaction } from '../wire/tx/types.js';
import type { ChainReader } from './chain-reader.js';
import { KnownCache, MAX_KNOWN_BLOCKS, MAX_KNOWN_TXS } from './known-cache.js';
import { EthProtocolError } from './reasons.js';
import {
  isResponse,
  maxItemsFor,
  RequestTracker,
  type EthRequestMessage,
  type EthResponseMessage,
  type RequestKind,
  type ResponseFor,
} from './request-tracker.js';
import { serveBodies } from './serve-bodies.js';
import { serveHeaders } from './serve-headers.js';
import { servedBodyRlp, servedHeaderRlp } from './served-rlp.js';
import { servePooledTransactions, type PooledTransactionSource } from './serve-pooled-txs.js';
import { serveReceipts } from './serve-receipts.js';
import { blockRangeProblem, currentBlockRange, type BlockRange } from './status.js';
import { checkInboundTransactions } from './tx-inbound.js';
import type { TxAnnouncement } from './tx-packs.js';
import { fault } from '../faults/index.js';

/** geth sends a BlockRangeUpdate once the head has moved this far (or moved back at all). */
export const BLOCK_RANGE_UPDATE_INTERVAL = 32n;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request as the caller writes it: the tracker assigns the request id. */
export type EthRequest = DistributiveOmit<EthRequestMessage, 'requestId'>;

export interface EthPeerEvents extends EventMap {
  newBlockHashes: [msg: NewBlockHashes];
  /** `hash` is the block's hash, computed once here (the block is already marked known for this peer). */
  newBlock: [msg: NewBlock, hash: Hash32];
  /** `hashes` are the txs' hashes in order, computed once here (the txs are already marked known for this peer). */
  transactions: [msg: Transactions, hashes: Hash32[]];
  newPooledTransactionHashes: [msg: NewPooledTransactionHashes];
  /** eth/69+: the peer's new range, already validated. */
  blockRangeUpdate: [range: BlockRangeUpdate];
  disconnect: [info: DisconnectInfo];
}

/** What every peer of one handler shares. */
export interface EthPeerContext {
  chain: ChainReader;
  txPool?: PooledTransactionSource;
  /** True once block gossip is over: NewBlock and NewBlockHashes then drop the peer. */
  isPostMerge(): boolean;
  requestTimeoutMs?: number;
}

export class EthPeer {
  /**
   * Blocks this peer has, as far as we know: those it announced or sent us
   * and those we sent it (geth's peer.knownBlocks). Block broadcast skips them.
   */
  readonly knownBlocks = new KnownCache(MAX_KNOWN_BLOCKS);
  /**
   * Transactions this peer has, as far as we know: those it sent, announced
   * or delivered to us and those we sent or announced to it (geth's
   * peer.knownTxs). Tx broadcast and the initial tx sync skip them.
   */
  readonly knownTxs = new KnownCache(MAX_KNOWN_TXS);
  private readonly events = new TypedEvents<EthPeerEvents>();
  private readonly tracker: RequestTracker;
  private remoteRange: BlockRange | undefined;
  /** The range this peer last heard from us (our Status, then our updates). */
  private sentRange: BlockRange | undefined;
  private ended: DisconnectInfo | undefined;
  private headValue: { hash: Uint8Array; td: bigint | undefined };

  constructor(
    private readonly session: ProtocolSession,
    readonly version: EthVersion,
    /** Their Status, as received and accepted. */
    readonly status: Status,
    /** Our Status, as sent. */
    readonly localStatus: Status,
    private readonly context: EthPeerContext,
  ) {
    this.tracker = new RequestTracker(context.requestTimeoutMs);
    if (status.form === 'eth69') this.remoteRange = rangeOf(status);
    if (localStatus.form === 'eth69') this.sentRange = rangeOf(localStatus);
    this.headValue = status.form === 'eth66' ? { hash: status.head, td: status.td } : { hash: status.latestBlockHash, td: undefined };
  }

  /**
   * The peer's best block as we last learned it: from its Status, then from
   * what the sync and the block fetcher see (geth's peer.Head / SetHead).
   * td is undefined for eth/69+ peers, whose Status carries none.
   */
  get head(): { hash: Uint8Array; td: bigint | undefined } {
    return this.headValue;
  }

  /** Records a newer head for the peer; a lower TD than the known one is ignored (announcements can arrive out of order). */
  setHead(hash: Uint8Array, td: bigint | undefined): void {
    const known = this.headValue.td;
    if (td !== undefined && known !== undefined && td < known) return;
    this.headValue = { hash, td: td ?? known };
  }

  get peerInfo(): PeerInfo {
    return this.session.peer;
  }

  /** The node id, 64 hex characters. */
  get id(): string {
    return this.session.peer.id;
  }

  get connected(): boolean {
    return this.ended === undefined && this.session.connected;
  }

  /** eth/69+: the block range the peer last announced (Status or BlockRangeUpdate). */
  get blockRange(): BlockRange | undefined {
    return this.remoteRange;
  }

  /** How many of our requests await an answer. */
  get pendingRequests(): number {
    return this.tracker.size;
  }

  on<K extends keyof EthPeerEvents>(event: K, listener: (...args: EthPeerEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  once<K extends keyof EthPeerEvents>(event: K, listener: (...args: EthPeerEvents[K]) => void): () => void {
    return this.events.once(event, listener);
  }

  /** Encodes for this peer's version and sends; false if the session is over. RangeError if `msg` does not exist at the version. */
  send(msg: EthMessage): boolean {
    const { code, payload } = encodeEthMessage(this.version, msg);
    return this.session.send(code, payload);
  }

  private sendEncoded({ code, payload }: EncodedEthMessage): boolean {
    return this.session.send(code, payload);
  }

  /** Records that the peer has the block `hash` (geth's markBlock). */
  markBlock(hash: Uint8Array): void {
    this.knownBlocks.add(hash);
  }

  knowsBlock(hash: Uint8Array): boolean {
    return this.knownBlocks.has(hash);
  }

  /** Sends a full block with its total difficulty and marks it known (geth's SendNewBlock). */
  sendNewBlock(block: Block, td: bigint, hash: Hash32 = headerHash(block.header)): boolean {
    this.knownBlocks.add(hash);
    return this.send({ kind: 'NewBlock', block, td });
  }

  /** Announces blocks by hash and number and marks them known (geth's SendNewBlockHashes). */
  sendNewBlockHashes(announcements: { hash: Hash32; number: bigint }[]): boolean {
    for (const a of announcements) this.knownBlocks.add(a.hash);
    return this.send({ kind: 'NewBlockHashes', announcements });
  }

  /** Records that the peer has the transaction `hash` (geth's markTransaction). */
  markTransaction(hash: Uint8Array): void {
    this.knownTxs.add(hash);
  }

  knowsTransaction(hash: Uint8Array): boolean {
    return this.knownTxs.has(hash);
  }

  /** Sends full transactions and marks them known (geth's SendTransactions); `hashes` may be passed when already computed. */
  sendTransactions(txs: Transaction[], hashes: readonly Hash32[]): boolean {
    for (const h of hashes) this.knownTxs.add(h);
    return this.send({ kind: 'Transactions', transactions: txs });
  }

  /**
   * Announces transactions and marks them known (geth's
   * sendPooledTransactionHashes): with types and sizes on eth/68+, hashes
   * only on eth/66-67.
   */
  sendPooledTransactionHashes(announcements: readonly TxAnnouncement[]): boolean {
    const hashes = announcements.map((a) => a.hash);
    for (const h of hashes) this.knownTxs.add(h);
    if (this.version < 68) return this.send({ kind: 'NewPooledTransactionHashes', form: 'eth66', hashes });
    return this.send({
      kind: 'NewPooledTransactionHashes',
      form: 'eth68',
      types: Uint8Array.from(announcements, (a) => a.type),
      sizes: announcements.map((a) => a.size),
      hashes,
    });
  }

  /**
   * Sends a request with a fresh id and resolves with the matching response.
   * Rejects with RequestTimeoutError after the timeout and RequestAbortedError
   * if the peer goes away first. A response that breaks the tracker's rules
   * drops the peer instead (and so rejects with RequestAbortedError).
   */
  request<R extends EthRequest>(req: R, options: { timeoutMs?: number } = {}): Promise<ResponseFor<R['kind']>> {
    const kind = req.kind as R['kind'] & RequestKind;
    const send = (requestId: bigint) => this.connected && this.send({ ...req, requestId } as EthRequestMessage);
    const max = maxItemsFor({ ...req, requestId: 0n } as EthRequestMessage);
    return this.tracker.track(kind, max, send, options.timeoutMs ?? this.context.requestTimeoutMs);
  }

  disconnect(reason: number = DisconnectReason.Requested): void {
    this.session.disconnect(reason);
  }

  /**
   * eth/69+: tells the peer our new block range when the head has moved by
   * 32 blocks or more since the range it last heard, or moved back (geth's
   * blockRangeState.shouldSend). Returns whether an update was sent.
   */
  notifyHead(): boolean {
    if (this.version < 69 || !this.connected || !this.sentRange) return false;
    const now = currentBlockRange(this.context.chain);
    const last = this.sentRange.latestBlock;
    if (!(now.latestBlock < last || now.latestBlock - last >= BLOCK_RANGE_UPDATE_INTERVAL)) return false;
    this.sentRange = now;
    return this.send({ kind: 'BlockRangeUpdate', ...now });
  }

  /** A decoded message after the handshake (called by the protocol's dispatcher). */
  handle(msg: EthMessage): void {
    if (isResponse(msg)) return this.onResponse(msg);
    const { chain } = this.context;
    switch (msg.kind) {
      case 'Status':
        throw new EthProtocolError('statusTwice', 'a second Status after the handshake');
      case 'GetBlockHeaders':
        this.sendEncoded(encodeServedReply('BlockHeaders', fault('eth-wrong-request-id') ? msg.requestId + 1n : msg.requestId, serveHeaders(chain, msg).map(servedHeaderRlp)));
        return;
      case 'GetBlockBodies':
        this.sendEncoded(encodeServedReply('BlockBodies', msg.requestId, serveBodies(chain, msg.hashes).map(servedBodyRlp)));
        return;
      case 'GetReceipts':
        this.send(serveReceipts(chain, this.version, msg));
        return;
      case 'GetPooledTransactions': {
        const transactions = servePooledTransactions(this.context.txPool, msg.hashes);
        if (transactions.length === 0 && fault('eth-pooled-txs-silent')) return;
        this.send({ kind: 'PooledTransactions', requestId: msg.requestId, transactions });
        return;
      }
      case 'GetNodeData':
        // eth/66 only. We keep no state trie to serve; an empty answer is what a node without the data sends.
        this.send({ kind: 'NodeData', requestId: msg.requestId, values: [] });
        return;
      case 'NewBlockHashes':
        this.rejectAfterMerge('NewBlockHashes');
        for (const a of msg.announcements) this.knownBlocks.add(a.hash);
        this.events.emit('newBlockHashes', msg);
        return;
      case 'NewBlock': {
        this.rejectAfterMerge('NewBlock');
        if (bitLength(msg.td) > MAX_TD_BITS) {
          throw new EthProtocolError('newBlockTdTooLarge', `NewBlock td of ${bitLength(msg.td)} bits (at most ${MAX_TD_BITS})`);
        }
        const hash = headerHash(msg.block.header);
        this.knownBlocks.add(hash);
        this.events.emit('newBlock', msg, hash);
        return;
      }
      case 'Transactions': {
        const hashes = checkInboundTransactions(msg.transactions);
        for (const h of hashes) this.knownTxs.add(h);
        this.events.emit('transactions', msg, hashes);
        return;
      }
      case 'NewPooledTransactionHashes':
        for (const h of msg.hashes) this.knownTxs.add(h);
        this.events.emit('newPooledTransactionHashes', msg);
        return;
      case 'BlockRangeUpdate': {
        const problem = blockRangeProblem(msg);
        if (problem) throw new EthProtocolError('invalidBlockRange', `BlockRangeUpdate: ${problem}`);
        this.remoteRange = rangeOf(msg);
        this.headValue = { hash: msg.latestBlockHash, td: this.headValue.td };
        this.events.emit('blockRangeUpdate', msg);
        return;
      }
    }
  }

  /** The session ended (called once by the protocol). */
  closed(info: DisconnectInfo): void {
    if (this.ended) return;
    this.ended = info;
    this.tracker.abortAll(`peer disconnected (${info.detail})`);
    this.events.emit('disconnect', info);
  }

  private onResponse(msg: EthResponseMessage): void {
    const verdict = this.tracker.fulfil(msg);
    if (verdict.ok || verdict.violation === undefined) return;
    throw new EthProtocolError(verdict.violation, verdict.detail);
  }

  private rejectAfterMerge(kind: string): void {
    if (this.context.isPostMerge() && !fault('eth-accept-postmerge-newblock')) throw new EthProtocolError('blockAnnouncementAfterMerge', `${kind} after the merge`);
  }
}

function rangeOf(r: BlockRange): BlockRange {
  return { earliestBlock: r.earliestBlock, latestBlock: r.latestBlock, latestBlockHash: r.latestBlockHash };
}

function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}
