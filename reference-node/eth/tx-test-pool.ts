/**
 * Test support for the tx exchange modules: a pool stand-in with the
 * TxPropagationPool contract (no validation: it takes what it is given,
 * turns away only what it holds or was told to reject) and makers of signed
 * transactions of a chosen type and size.
 */
import { TypedEvents } from '../p2p/typed-events.js';
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import { recoverSender, signTransaction } from '../wire/tx/signer.js';
import { blobVersionedHash, BYTES_PER_BLOB, BYTES_PER_COMMITMENT, BYTES_PER_PROOF } from '../wire/tx/sidecar.js';
import type { Address, BlobTx, DynamicFeeTx, Hash32, Transaction } from '../wire/tx/types.js';
import type { PrivateKey } from '../wire/keys.js';
import { announcedSize } from './tx-packs.js';
import type { TxPoolEventsView, TxPropagationPool } from './tx-propagation.js';

interface Held {
  tx: Transaction;
  hash: Hash32;
  sender: Address;
  size: number;
  type: number;
}

export class FakeTxPool implements TxPropagationPool {
  readonly held = new Map<string, Held>();
  readonly rejected = new Set<string>();
  /** Every addRemotes call, in order. */
  readonly remoteCalls: Array<{ txs: Transaction[]; origin: string }> = [];
  private readonly events = new TypedEvents<TxPoolEventsView>();

  /** Adds as RPC would (no origin) and announces it. */
  addLocal(tx: Transaction): Hash32 {
    return this.insert(tx, { local: true });
  }

  /** Fills the pool without telling anyone (a pool that was full before the peer came). */
  preload(txs: readonly Transaction[]): void {
    for (const tx of txs) this.insert(tx, { local: true }, false);
  }

  async addRemotes(txs: readonly Transaction[], origin: string): Promise<Array<Hash32 | Error>> {
    this.remoteCalls.push({ txs: [...txs], origin });
    return txs.map((tx) => {
      const hash = transactionHash(tx);
      if (this.held.has(bytesToHex(hash))) return new Error('already known');
      return this.insert(tx, { local: false, origin });
    });
  }

  has(hash: Uint8Array): boolean {
    return this.held.has(bytesToHex(hash));
  }

  get(hash: Uint8Array): Transaction | undefined {
    return this.held.get(bytesToHex(hash))?.tx;
  }

  pendingEntries(): Held[] {
    return [...this.held.values()];
  }

  on<K extends keyof TxPoolEventsView>(event: K, listener: (...args: TxPoolEventsView[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  recentlyRejected(hash: Uint8Array): boolean {
    return this.rejected.has(bytesToHex(hash));
  }

  private insert(tx: Transaction, how: { local: boolean; origin?: string }, announce = true): Hash32 {
    const hash = transactionHash(tx);
    const sender = senderOf(tx);
    this.held.set(bytesToHex(hash), { tx, hash, sender, size: announcedSize(tx), type: tx.type });
    if (announce) this.events.emit('added', { tx, hash, sender, ...how });
    return hash;
  }
}

function senderOf(tx: Transaction): Address {
  try {
    return recoverSender(tx);
  } catch {
    return new Uint8Array(20);
  }
}

export const TEST_CHAIN_ID = 1n;
export const RECIPIENT = new Uint8Array(20).fill(0xaa);

/** The fields of a type-2 transfer from `key` with `dataSize` bytes of calldata (also fed to @ethereumjs/tx by the tests). */
export function dynamicFeeFields(nonce: bigint, dataSize = 0) {
  return {
    type: 2 as const,
    chainId: TEST_CHAIN_ID,
    nonce,
    maxPriorityFeePerGas: 1_000_000_000n,
    maxFeePerGas: 30_000_000_000n,
    gasLimit: 21_000n + 16n * BigInt(dataSize),
    to: RECIPIENT,
    value: 1n,
    data: new Uint8Array(dataSize).fill(0x5a),
    accessList: [],
  };
}

export function signedTransfer(key: PrivateKey, nonce: bigint, dataSize = 0): DynamicFeeTx {
  return signTransaction(dynamicFeeFields(nonce, dataSize), key);
}

/**
 * A blob tx from `key` with one all-zero blob and placeholder commitment and
 * proof (nothing here checks KZG), carrying its sidecar as a pool does.
 */
export function signedBlobTx(key: PrivateKey, nonce: bigint): BlobTx {
  const commitment = new Uint8Array(BYTES_PER_COMMITMENT).fill(0xc0);
  const tx = signTransaction(
    {
      type: 3,
      chainId: TEST_CHAIN_ID,
      nonce,
      maxPriorityFeePerGas: 1_000_000_000n,
      maxFeePerGas: 30_000_000_000n,
      gasLimit: 21_000n,
      to: RECIPIENT,
      value: 0n,
      data: new Uint8Array(0),
      accessList: [],
      maxFeePerBlobGas: 1_000_000_000n,
      blobVersionedHashes: [blobVersionedHash(commitment)],
    },
    key,
  );
  return { ...tx, sidecar: { wrapperVersion: 0, blobs: [new Uint8Array(BYTES_PER_BLOB)], commitments: [commitment], proofs: [new Uint8Array(BYTES_PER_PROOF).fill(0xd0)] } };
}

/** A transfer with a made-up signature (cheap to make by the thousand; nothing on the wire checks it). */
export function unsignedLookingTx(nonce: bigint): DynamicFeeTx {
  return { ...dynamicFeeFields(nonce), yParity: 0, r: 1n, s: 1n };
}
