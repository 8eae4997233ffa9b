/**
 * Everything a test's simulated peers sent and received, with timestamps,
 * for verdicts and reports. One transcript per test, shared by all its
 * peers; each entry names the connection it belongs to.
 */
import { bytesToHex } from '../../reference-node/wire/bytes.js';

export type Direction = 'out' | 'in' | 'note';

export interface TranscriptEntry {
  /** Milliseconds since the test started. */
  atMs: number;
  /** Which simulated connection: "peer1", "udp", ... */
  conn: string;
  dir: Direction;
  /** "rlpx:auth", "p2p:Hello", "eth/68:GetBlockHeaders", "discv4:Ping", "tcp:close", ... */
  what: string;
  /** Size on the wire (or payload size) in bytes. */
  size: number;
  /** A short human summary (reason codes, request ids, counts). */
  detail?: string;
  /** The first bytes, hex, for byte-level failures. */
  head?: string;
}

const HEAD_BYTES = 48;

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private readonly started = Date.now();

  record(conn: string, dir: Direction, what: string, bytes: Uint8Array | number, detail?: string): void {
    const size = typeof bytes === 'number' ? bytes : bytes.length;
    const entry: TranscriptEntry = { atMs: Date.now() - this.started, conn, dir, what, size };
    if (detail !== undefined) entry.detail = detail;
    if (typeof bytes !== 'number' && bytes.length > 0) entry.head = bytesToHex(bytes.subarray(0, HEAD_BYTES));
    this.entries.push(entry);
  }

  note(conn: string, text: string): void {
    this.entries.push({ atMs: Date.now() - this.started, conn, dir: 'note', what: 'note', size: 0, detail: text });
  }

  /** One line per entry, as reports print it. */
  format(limit = 200): string {
    const shown = this.entries.length > limit ? [...this.entries.slice(0, limit / 2), ...this.entries.slice(-limit / 2)] : this.entries;
    const lines = shown.map((e) => {
      const arrow = e.dir === 'out' ? '->' : e.dir === 'in' ? '<-' : '..';
      const size = e.dir === 'note' ? '' : ` ${e.size}B`;
      return `${String(e.atMs).padStart(6)}ms ${e.conn.padEnd(6)} ${arrow} ${e.what}${size}${e.detail ? ` ${e.detail}` : ''}`;
    });
    if (shown.length < this.entries.length) lines.splice(limit / 2, 0, `... ${this.entries.length - shown.length} entries left out ...`);
    return lines.join('\n');
  }
}
