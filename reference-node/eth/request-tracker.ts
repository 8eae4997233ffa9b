/**
 * Our own requests to one peer, matched to responses by request id (EIP-2481),
 * as geth's p2p/tracker: a response must answer a request we sent, be of the
 * kind that request expects, and hold no more items than we asked for
 * (headers ≤ amount, one list or body or tx per hash). Anything else is a
 * violation the caller turns into a disconnect.
 *
 * A request that times out is rejected; its id is remembered (a bounded set)
 * so that a late answer is dropped quietly instead of counted as unsolicited:
 * slow is not hostile. geth keeps such ids for its tracker's 5-minute window.
 */
import type { EthMessage } from '../wire/eth/types.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How many timed-out ids we still recognise. */
const EXPIRED_MEMORY = 1024;

export const RESPONSE_KIND = {
  GetBlockHeaders: 'BlockHeaders',
  GetBlockBodies: 'BlockBodies',
  GetReceipts: 'Receipts',
  GetPooledTransactions: 'PooledTransactions',
  GetNodeData: 'NodeData',
} as const;

export type RequestKind = keyof typeof RESPONSE_KIND;
export type ResponseKind = (typeof RESPONSE_KIND)[RequestKind];
export type EthRequestMessage = Extract<EthMessage, { kind: RequestKind }>;
export type EthResponseMessage = Extract<EthMessage, { kind: ResponseKind }>;
export type ResponseFor<K extends RequestKind> = Extract<EthMessage, { kind: (typeof RESPONSE_KIND)[K] }>;

const RESPONSE_KINDS = new Set<string>(Object.values(RESPONSE_KIND));

export function isResponse(msg: EthMessage): msg is EthResponseMessage {
  return RESPONSE_KINDS.has(msg.kind);
}

/** How many items a response to `request` may carry. */
export function maxItemsFor(request: EthRequestMessage): bigint {
  return request.kind === 'GetBlockHeaders' ? request.amount : BigInt(request.hashes.length);
}

export function itemsIn(response: EthResponseMessage): number {
  switch (response.kind) {
    case 'BlockHeaders':
      return response.headers.length;
    case 'BlockBodies':
      return response.bodies.length;
    case 'Receipts':
      return response.receipts.length;
    case 'PooledTransactions':
      return response.transactions.length;
    case 'NodeData':
      return response.values.length;
  }
}

export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'REQUEST_TIMEOUT';
  constructor(
    readonly kind: RequestKind,
    readonly requestId: bigint,
    readonly timeoutMs: number,
  ) {
    super(`${kind} request ${requestId} got no answer within ${timeoutMs} ms`);
  }
}

export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
  readonly code = 'REQUEST_ABORTED';
}

export type FulfilVerdict =
  | { ok: true }
  /** An answer to a request that had already timed out: drop it. */
  | { ok: false; violation: undefined; detail: string }
  | { ok: false; violation: 'unsolicitedResponse' | 'responseKindMismatch' | 'responseTooLarge'; detail: string };

interface Pending {
  kind: RequestKind;
  maxItems: bigint;
  timer: NodeJS.Timeout;
  resolve(msg: EthResponseMessage): void;
  reject(err: Error): void;
}

export class RequestTracker {
  private readonly pending = new Map<bigint, Pending>();
  private readonly expired = new Set<bigint>();
  private nextId: bigint;

  constructor(private readonly defaultTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    // A random start: ids from different sessions never look alike in transcripts.
    const seed = new Uint32Array(1);
    crypto.getRandomValues(seed);
    this.nextId = BigInt(seed[0]!);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Registers a request; `send` gets its id and puts it on the wire (false: could not send). */
  track<K extends RequestKind>(
    kind: K,
    maxItems: bigint,
    send: (requestId: bigint) => boolean,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<ResponseFor<K>> {
    const requestId = this.nextId++;
    return new Promise<ResponseFor<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        this.rememberExpired(requestId);
        reject(new RequestTimeoutError(kind, requestId, timeoutMs));
      }, timeoutMs);
      this.pending.set(requestId, { kind, maxItems, timer, resolve: resolve as (m: EthResponseMessage) => void, reject });
      if (!send(requestId)) {
        this.settle(requestId);
        reject(new RequestAbortedError(`${kind} request ${requestId}: the session is closed`));
      }
    });
  }

  /** Matches a response to its request and resolves it, or says what is wrong with it. */
  fulfil(response: EthResponseMessage): FulfilVerdict {
    const id = response.requestId;
    const req = this.pending.get(id);
    if (!req) {
      if (this.expired.delete(id)) return { ok: false, violation: undefined, detail: `late ${response.kind} for timed-out request ${id}` };
      return { ok: false, violation: 'unsolicitedResponse', detail: `${response.kind} with request id ${id}, which we never sent or already answered` };
    }
    if (RESPONSE_KIND[req.kind] !== response.kind) {
      return { ok: false, violation: 'responseKindMismatch', detail: `${response.kind} for request ${id}, which was ${req.kind}` };
    }
    const items = itemsIn(response);
    if (BigInt(items) > req.maxItems) {
      return { ok: false, violation: 'responseTooLarge', detail: `${response.kind} with ${items} items for request ${id}, which asked for at most ${req.maxItems}` };
    }
    this.settle(id);
    req.resolve(response);
    return { ok: true };
  }

  /** Rejects every pending request (the peer is gone). */
  abortAll(reason: string): void {
    for (const [id, req] of [...this.pending]) {
      this.settle(id);
      req.reject(new RequestAbortedError(`${req.kind} request ${id}: ${reason}`));
    }
    this.expired.clear();
  }

  private settle(id: bigint): void {
    const req = this.pending.get(id);
    if (!req) return;
    clearTimeout(req.timer);
    this.pending.delete(id);
  }

  private rememberExpired(id: bigint): void {
    this.expired.add(id);
    if (this.expired.size > EXPIRED_MEMORY) {
      const oldest = this.expired.values().next().value;
      if (oldest !== undefined) this.expired.delete(oldest);
    }
  }
}
