/**
 * A bare TCP connection to the target for handshake tests that must break
 * the RLPx handshake itself (garbage, truncated or forged auth packets),
 * which SimPeer cannot do because it always completes an honest handshake.
 * It records what it writes and reads into the test's transcript and keeps
 * every received byte, so a test can say exactly what the target answered.
 */
import { connect, type Socket } from 'node:net';
import { concatBytes } from '../../../reference-node/wire/bytes.js';
import type { TargetSession } from '../../core/context.js';

export interface RawEnd {
  /** Milliseconds since the connection opened. */
  atMs: number;
  /** 'reset' when the target aborted the connection (RST), 'close' for an orderly FIN. */
  how: 'close' | 'reset';
}

let rawCounter = 0;

export class RawConnection {
  private buffered: Uint8Array = new Uint8Array(0);
  private endInfo: RawEnd | undefined;
  private waiters: Array<() => void> = [];
  private readonly opened = Date.now();

  private constructor(
    private readonly session: TargetSession,
    private readonly socket: Socket,
    readonly name: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
      session.transcript.record(name, 'in', 'tcp:data', bytes);
      this.buffered = concatBytes(this.buffered, bytes);
      this.wake();
    });
    let reset = false;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') reset = true;
    });
    socket.on('close', () => {
      this.endInfo = { atMs: this.elapsed(), how: reset ? 'reset' : 'close' };
      session.transcript.record(name, 'in', 'tcp:close', 0, reset ? 'connection reset' : undefined);
      this.wake();
    });
    session.signal.addEventListener('abort', () => socket.destroy(), { once: true });
  }

  /** Opens a TCP connection to the target; it is destroyed when the test ends. */
  static open(session: TargetSession, name = `raw${++rawCounter}`): Promise<RawConnection> {
    const { host, port } = session.target;
    session.transcript.record(name, 'note', 'tcp:dial', 0, `${host}:${port}`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`TCP connect to ${host}:${port} timed out`));
      }, 5_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const conn = new RawConnection(session, socket, name);
        session.defer(() => conn.destroy());
        resolve(conn);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`TCP connect to ${host}:${port} failed: ${err.message}`));
      });
    });
  }

  elapsed(): number {
    return Date.now() - this.opened;
  }

  /** Every byte the target sent so far. */
  get received(): Uint8Array {
    return this.buffered;
  }

  get ended(): RawEnd | undefined {
    return this.endInfo;
  }

  write(bytes: Uint8Array, what: string, detail?: string): void {
    this.session.transcript.record(this.name, 'out', what, bytes, detail);
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Resolves once `enough(received)` holds or the connection ends, or after `timeoutMs`. */
  async waitFor(enough: (received: Uint8Array) => boolean, timeoutMs: number): Promise<boolean> {
    const start = Date.now();
    for (;;) {
      if (enough(this.buffered)) return true;
      if (this.endInfo) return false;
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0 || this.session.signal.aborted) return false;
      await this.nextEvent(left);
    }
  }

  /** How the connection ended, waiting up to `timeoutMs`; undefined if it is still open. */
  async waitForEnd(timeoutMs: number): Promise<RawEnd | undefined> {
    const start = Date.now();
    while (!this.endInfo) {
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0 || this.session.signal.aborted) return undefined;
      await this.nextEvent(left);
    }
    return this.endInfo;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.push(done);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
