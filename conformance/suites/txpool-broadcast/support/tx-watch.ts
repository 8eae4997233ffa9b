/**
 * What one simulated peer has heard about transactions: which hashes came
 * whole (Transactions) and which were announced (NewPooledTransactionHashes,
 * with the types and sizes eth/68 carries). It reads the session's inbound
 * messages without taking them, and keeps what did not decode at the
 * session's version: a broadcast in the wrong shape is a finding in itself.
 */
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import { ETH_MESSAGE_CODES } from '../../../../reference-node/wire/eth/codes.js';
import { decodeEthMessage } from '../../../../reference-node/wire/eth/messages.js';
import { transactionHash } from '../../../../reference-node/wire/tx/hash.js';
import type { EthSim } from '../../../sim/eth-sim.js';

export interface Announcement {
  /** eth/68+: the announced type and size; undefined on eth/66-67. */
  type: number | undefined;
  size: number | undefined;
  atMs: number;
}

export interface Sighting {
  /** Transactions messages that carried the tx. */
  full: number;
  announcements: Announcement[];
}

const WATCHED = new Set<number>([ETH_MESSAGE_CODES.Transactions, ETH_MESSAGE_CODES.NewPooledTransactionHashes]);

export class TxWatch {
  /** Transactions / NewPooledTransactionHashes messages that did not decode at the session's version. */
  readonly malformed: string[] = [];
  private scanned = 0;
  private readonly seen = new Map<string, Sighting>();

  constructor(readonly sim: EthSim) {}

  get name(): string {
    return this.sim.name;
  }

  /** What has arrived about `key` (hash hex, no 0x) so far. */
  sighting(key: string): Sighting {
    this.update();
    return this.seen.get(key) ?? { full: 0, announcements: [] };
  }

  heard(key: string): boolean {
    const s = this.sighting(key);
    return s.full > 0 || s.announcements.length > 0;
  }

  private entry(key: string): Sighting {
    let s = this.seen.get(key);
    if (!s) this.seen.set(key, (s = { full: 0, announcements: [] }));
    return s;
  }

  private update(): void {
    const cap = this.sim.peer.shared.find((c) => c.name === 'eth');
    if (!cap) return;
    const received = this.sim.peer.received;
    for (; this.scanned < received.length; this.scanned++) {
      const m = received[this.scanned]!;
      const code = m.msgId - cap.offset;
      if (!WATCHED.has(code)) continue;
      let msg;
      try {
        msg = decodeEthMessage(this.sim.version, code, m.payload);
      } catch (err) {
        this.malformed.push(`${code === ETH_MESSAGE_CODES.Transactions ? 'Transactions' : 'NewPooledTransactionHashes'} at eth/${this.sim.version}: ${(err as Error).message}`);
        continue;
      }
      if (msg.kind === 'Transactions') {
        for (const tx of msg.transactions) this.entry(bytesToHex(transactionHash(tx))).full++;
      } else if (msg.kind === 'NewPooledTransactionHashes') {
        const typed = msg.form === 'eth68' ? msg : undefined;
        msg.hashes.forEach((h, i) => {
          this.entry(bytesToHex(h)).announcements.push({ type: typed?.types[i], size: typed?.sizes[i], atMs: m.atMs });
        });
      }
    }
  }
}

/** Fails nothing; returns the first malformed broadcast any of `watches` saw, for the test to report. */
export function firstMalformed(watches: readonly TxWatch[]): { name: string; error: string } | undefined {
  for (const w of watches) {
    w.sighting('');
    if (w.malformed.length > 0) return { name: w.name, error: w.malformed[0]! };
  }
  return undefined;
}
