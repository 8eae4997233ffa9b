/**
 * Finds a transaction's block by its hash (geth's txlookup index). The index
 * is built from the canonical chain on creation and grows with every new
 * head; it maps each hash to every block that held it, and a lookup answers
 * with the one that is canonical now, so a reorg needs no rewrite.
 */
import type { ChainReader } from '../chain/reader.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';

export interface TxLookupChain extends Pick<ChainReader, 'head' | 'hashByNumber' | 'headerByHash' | 'bodyByHash'> {
  onNewHead(listener: (head: { hash: Uint8Array; number: bigint }) => void): () => void;
}

export interface TxPosition {
  blockHash: Uint8Array;
  blockNumber: bigint;
  index: number;
}

export class TxLookup {
  private readonly index = new Map<string, TxPosition[]>();
  private readonly indexedBlocks = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly chain: TxLookupChain) {
    this.indexCanonicalFrom(chain.head().hash);
    this.unsubscribe = chain.onNewHead((head) => this.indexCanonicalFrom(head.hash));
  }

  /** The canonical position of the tx, or undefined if no canonical block holds it. */
  find(hash: Uint8Array): TxPosition | undefined {
    return this.index.get(bytesToHex(hash))?.find((p) => {
      const canonical = this.chain.hashByNumber(p.blockNumber);
      return canonical !== undefined && equalBytes(canonical, p.blockHash);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /** Walks back from `hash` until a block already indexed (or genesis). */
  private indexCanonicalFrom(hash: Uint8Array): void {
    let cursor: Uint8Array | undefined = hash;
    while (cursor !== undefined && !this.indexedBlocks.has(bytesToHex(cursor))) {
      const header = this.chain.headerByHash(cursor);
      const body = this.chain.bodyByHash(cursor);
      if (header === undefined || body === undefined) return;
      this.indexedBlocks.add(bytesToHex(cursor));
      body.transactions.forEach((tx, index) => {
        const key = bytesToHex(transactionHash(tx));
        const positions = this.index.get(key) ?? [];
        positions.push({ blockHash: cursor!, blockNumber: header.number, index });
        this.index.set(key, positions);
      });
      cursor = header.number === 0n ? undefined : header.parentHash;
    }
  }
}
