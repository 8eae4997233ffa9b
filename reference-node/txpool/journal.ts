/**
 * The local transaction journal, as geth's txpool journal (transactions.rlp in
 * the datadir): a file of RLP-encoded transactions, one after another, each
 * as it sits in a transaction list (legacy as a list, typed as a byte string
 * of type || payload, blob txs with their sidecar). New local txs are
 * appended; `rotate` rewrites it with what the pool still holds (written to
 * <path>.new, then renamed over the journal, so a crash leaves one or the
 * other whole). Reading stops at the first undecodable entry and keeps what
 * came before, as geth's load does.
 *
 * Writes are synchronous: local txs come one RPC call at a time, and a tx
 * the caller was told is accepted is then on disk.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { decodeRlpPrefix, encodeRlp } from '../wire/rlp.js';
import { transactionFromRlp, transactionToRlp } from '../wire/tx/codec.js';
import type { Transaction } from '../wire/tx/types.js';

/** geth's default journal name (legacypool.DefaultConfig.Journal). */
export const JOURNAL_FILE_NAME = 'transactions.rlp';

export interface JournalContents {
  txs: Transaction[];
  /** Why reading stopped early, if it did. */
  error?: string;
}

export class TxJournal {
  constructor(readonly path: string) {}

  /** Reads every transaction in the journal; a missing file is an empty journal. */
  read(): JournalContents {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(this.path)); // plain Uint8Array fields, not Buffers
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { txs: [] };
      throw err;
    }
    const txs: Transaction[] = [];
    let rest = bytes;
    while (rest.length > 0) {
      try {
        const next = decodeRlpPrefix(rest, 'txpool journal entry');
        txs.push(transactionFromRlp(next.item, 'txpool journal entry'));
        rest = next.rest;
      } catch (err) {
        return { txs, error: `entry ${txs.length}: ${(err as Error).message}` };
      }
    }
    return { txs };
  }

  insert(tx: Transaction): void {
    appendFileSync(this.path, encodeEntry(tx));
  }

  /** Replaces the journal with exactly these transactions. */
  rotate(txs: readonly Transaction[]): void {
    const next = `${this.path}.new`;
    const fd = openSync(next, 'w', 0o644);
    try {
      for (const tx of txs) writeSync(fd, encodeEntry(tx));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(next, this.path);
  }
}

function encodeEntry(tx: Transaction): Uint8Array {
  return encodeRlp(transactionToRlp(tx));
}
