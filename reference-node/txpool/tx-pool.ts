/**
 * The transaction pool, as much of it as the chain, RPC and miner need: txs
 * are validated (validation.ts), kept per sender by nonce, split into pending
 * (a gap-free run from the account's nonce) and queued (after a gap), and
 * pruned when the head moves. Replacement of a same-nonce tx needs a 10 %
 * bump of both fee caps (geth's default price bump).
 *
 * The pool keeps its own view of each sender's account nonce and balance,
 * read from the head state when the sender first appears and again after
 * every head change, so pending() stays synchronous for the miner.
 */
import type { Chain } from '../chain/chain.js';
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Address, Hash32, Transaction } from '../wire/tx/types.js';
import { TypedEvents, type EventMap } from '../p2p/typed-events.js';
import { feeCap, maxCost, tipCap, TxPoolError, validateStateless, type HeadContext } from './validation.js';

/** geth's PriceBump default. */
export const PRICE_BUMP_PERCENT = 10n;

export type PoolChain = Pick<Chain, 'config' | 'head' | 'headerByHash' | 'accountAt' | 'onNewHead'>;

export interface PooledTx {
  tx: Transaction;
  hash: Hash32;
  sender: Address;
}

export interface TxPoolEvents extends EventMap {
  /** A tx entered the pool (pending or queued). */
  added: [entry: PooledTx];
}

interface SenderState {
  address: Address;
  nonce: bigint;
  balance: bigint;
  byNonce: Map<bigint, PooledTx>;
}

export class TxPool {
  private readonly events = new TypedEvents<TxPoolEvents>();
  private readonly byHash = new Map<string, PooledTx>();
  private readonly senders = new Map<string, SenderState>();
  private readonly unsubscribe: () => void;
  private refresh: Promise<void> = Promise.resolve();

  constructor(private readonly chain: PoolChain) {
    this.unsubscribe = chain.onNewHead(() => {
      this.refresh = this.refresh.then(() => this.onNewHead());
    });
  }

  on<K extends keyof TxPoolEvents>(event: K, listener: (...args: TxPoolEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Validates and adds; resolves with the hash, rejects with TxPoolError. */
  async add(tx: Transaction): Promise<Hash32> {
    const hash = transactionHash(tx);
    if (this.byHash.has(bytesToHex(hash))) throw new TxPoolError('alreadyKnown', 'already known');
    const sender = validateStateless(tx, this.chain.config, this.headContext());
    await this.refresh;
    const state = await this.senderState(sender);
    if (tx.nonce < state.nonce) throw new TxPoolError('nonceTooLow', `nonce too low: next nonce ${state.nonce}, tx nonce ${tx.nonce}`);
    const cost = maxCost(tx);
    if (state.balance < cost) {
      throw new TxPoolError('insufficientFunds', `insufficient funds for gas * price + value: balance ${state.balance}, tx cost ${cost}, overshot ${cost - state.balance}`);
    }
    const old = state.byNonce.get(tx.nonce);
    if (old) {
      if (!bumped(old.tx, tx)) throw new TxPoolError('replacementUnderpriced', 'replacement transaction underpriced');
      this.byHash.delete(bytesToHex(old.hash));
    }
    const entry: PooledTx = { tx, hash, sender };
    state.byNonce.set(tx.nonce, entry);
    this.byHash.set(bytesToHex(hash), entry);
    this.events.emit('added', entry);
    return hash;
  }

  get(hash: Uint8Array): Transaction | undefined {
    return this.byHash.get(bytesToHex(hash))?.tx;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(bytesToHex(hash));
  }

  /** Executable txs: per sender the gap-free run from its account nonce, senders by best tip first. */
  pending(): Transaction[] {
    const runs = [...this.senders.values()].map((s) => this.executableRun(s)).filter((run) => run.length > 0);
    runs.sort((a, b) => cmpDesc(tipCap(a[0]!), tipCap(b[0]!)));
    return runs.flat();
  }

  /** txpool_status: how many are pending and how many wait behind a nonce gap. */
  status(): { pending: number; queued: number } {
    let pending = 0;
    for (const s of this.senders.values()) pending += this.executableRun(s).length;
    return { pending, queued: this.byHash.size - pending };
  }

  /** Settles once the pool has caught up with the last head change. */
  settled(): Promise<void> {
    return this.refresh;
  }

  close(): void {
    this.unsubscribe();
  }

  private executableRun(s: SenderState): Transaction[] {
    const run: Transaction[] = [];
    for (let n = s.nonce; s.byNonce.has(n); n++) run.push(s.byNonce.get(n)!.tx);
    return run;
  }

  private headContext(): HeadContext {
    const head = this.chain.head();
    const header = this.chain.headerByHash(head.hash);
    if (!header) throw new Error('unreachable: the head header is stored');
    return { number: head.number, timestamp: header.timestamp, gasLimit: header.gasLimit, baseFeePerGas: header.baseFeePerGas };
  }

  private async senderState(address: Address): Promise<SenderState> {
    const key = bytesToHex(address);
    const known = this.senders.get(key);
    if (known) return known;
    const account = await this.chain.accountAt(address);
    // A second add for the same sender may have created it while we read.
    const raced = this.senders.get(key);
    if (raced) return raced;
    const state: SenderState = { address, nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n, byNonce: new Map() };
    this.senders.set(key, state);
    return state;
  }

  /** Re-reads every sender's account and drops what the chain has included (nonce below the account's). */
  private async onNewHead(): Promise<void> {
    for (const [key, s] of this.senders) {
      const account = await this.chain.accountAt(s.address);
      s.nonce = account?.nonce ?? 0n;
      s.balance = account?.balance ?? 0n;
      for (const [nonce, entry] of s.byNonce) {
        if (nonce < s.nonce) {
          s.byNonce.delete(nonce);
          this.byHash.delete(bytesToHex(entry.hash));
        }
      }
      if (s.byNonce.size === 0) this.senders.delete(key);
    }
  }
}

function bumped(old: Transaction, next: Transaction): boolean {
  const need = (v: bigint) => (v * (100n + PRICE_BUMP_PERCENT)) / 100n;
  return feeCap(next) >= need(feeCap(old)) && tipCap(next) >= need(tipCap(old));
}

function cmpDesc(a: bigint, b: bigint): number {
  return a > b ? -1 : a < b ? 1 : 0;
}
