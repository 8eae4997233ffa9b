/**
 * What one simulated peer has heard about blocks: NewBlock (the whole block,
 * with its TD) and NewBlockHashes announcements, by block hash. Like
 * TxWatch, it reads the session's inbound messages without taking them and
 * keeps what did not decode.
 */
import { headerHash } from '../../../../reference-node/wire/block.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import { ETH_MESSAGE_CODES } from '../../../../reference-node/wire/eth/codes.js';
import { decodeEthMessage } from '../../../../reference-node/wire/eth/messages.js';
import type { EthSim } from '../../../sim/eth-sim.js';

export interface BlockSighting {
  /** NewBlock messages carrying the block, with the TD each named. */
  whole: bigint[];
  /** NewBlockHashes entries naming it, with the number each gave. */
  announced: bigint[];
}

const WATCHED = new Set<number>([ETH_MESSAGE_CODES.NewBlock, ETH_MESSAGE_CODES.NewBlockHashes]);

export class BlockWatch {
  readonly malformed: string[] = [];
  private scanned = 0;
  private readonly seen = new Map<string, BlockSighting>();

  constructor(readonly sim: EthSim) {}

  get name(): string {
    return this.sim.name;
  }

  sighting(key: string): BlockSighting {
    this.update();
    return this.seen.get(key) ?? { whole: [], announced: [] };
  }

  heard(key: string): boolean {
    const s = this.sighting(key);
    return s.whole.length > 0 || s.announced.length > 0;
  }

  private entry(key: string): BlockSighting {
    let s = this.seen.get(key);
    if (!s) this.seen.set(key, (s = { whole: [], announced: [] }));
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
        this.malformed.push(`${code === ETH_MESSAGE_CODES.NewBlock ? 'NewBlock' : 'NewBlockHashes'}: ${(err as Error).message}`);
        continue;
      }
      if (msg.kind === 'NewBlock') this.entry(bytesToHex(headerHash(msg.block.header))).whole.push(msg.td);
      else if (msg.kind === 'NewBlockHashes') for (const a of msg.announcements) this.entry(bytesToHex(a.hash)).announced.push(a.number);
    }
  }
}
