/**
 * An RLPx connection over TCP: the auth/ack handshake, then framed messages.
 * Like geth's p2p/rlpx it knows nothing of policy: no Hello, no ping, no
 * disconnect reasons. Its one owner (a Peer, a simulator, a fuzzer) decides.
 */
import { connect, type Socket } from 'node:net';
import { equalBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import type { PrivateKey, PublicKey } from '../wire/keys.js';
import { FrameCodec, type FrameCodecOptions, type FrameMessage } from '../wire/rlpx/frame.js';
import { fault } from '../faults/index.js';
import {
  HANDSHAKE_VERSION,
  HandshakeInitiator,
  HandshakeRecipient,
  type InitiatorOptions,
  type PreparedAuth,
  type RecipientOptions,
} from '../wire/rlpx/handshake.js';
import type { SessionSecrets } from '../wire/rlpx/secrets.js';
import { ConnectionClosedError, readHandshakeMessage } from './handshake-reader.js';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
/** The longest a Node timer can wait (about 24.8 days): "no timeout" for the planted fault. */
const NEVER_MS = 2 ** 31 - 1;

export interface DialOptions {
  host: string;
  port: number;
  privateKey: PrivateKey;
  remotePublicKey: PublicKey;
  timeoutMs?: number;
  /** Source address to bind (tests use 127.0.0.2 to appear as a second host). */
  localAddress?: string;
  /** Aborting destroys the socket; the dial rejects with ConnectionClosedError (a stopping server cancels its dials). */
  signal?: AbortSignal;
  /** Overrides for the auth message (format, version, extra fields, ...). */
  handshake?: Omit<InitiatorOptions, 'privateKey' | 'remotePublicKey'>;
  /** Send this auth instead of making one (HandshakeInitiator.prepare with the same keys; excludes `handshake`). */
  preparedAuth?: PreparedAuth;
  frames?: FrameCodecOptions;
}

export interface AcceptOptions {
  privateKey: PrivateKey;
  timeoutMs?: number;
  handshake?: Omit<RecipientOptions, 'privateKey'>;
  frames?: FrameCodecOptions;
}

export interface TransportHandlers {
  message(msg: FrameMessage): void;
  /**
   * A frame that failed to decode. Reading stops there (after a MAC failure the
   * cipher streams are out of step); writing still works, so the owner can
   * send a Disconnect before closing.
   */
  error(err: DecodeError): void;
  close(): void;
}

export class RlpxTransport {
  private handlers: TransportHandlers | undefined;
  private closed = false;
  private readFailed = false;

  private constructor(
    readonly socket: Socket,
    readonly codec: FrameCodec,
    readonly secrets: SessionSecrets,
    private readonly leftover: Uint8Array,
  ) {
    socket.setNoDelay(true);
    socket.on('close', () => this.onClose());
    // A reset after the handshake surfaces as 'close'; the error itself adds nothing for the owner.
    socket.on('error', () => undefined);
  }

  get remotePublicKey(): PublicKey {
    return this.secrets.remotePublicKey;
  }

  get remoteAddress(): { ip: string; port: number } {
    return { ip: this.socket.remoteAddress ?? '', port: this.socket.remotePort ?? 0 };
  }

  /** Dials and runs the initiator side. The socket is destroyed on failure. */
  static async dial(options: DialOptions): Promise<RlpxTransport> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const socket = await openSocket(options.host, options.port, timeoutMs, options.localAddress, options.signal);
    const onAbort = () => socket.destroy();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const initiator = options.preparedAuth
        ? HandshakeInitiator.fromPrepared(checkPrepared(options.preparedAuth, options))
        : new HandshakeInitiator({ ...options.handshake, privateKey: options.privateKey, remotePublicKey: options.remotePublicKey });
      socket.write(initiator.createAuth());
      const { packet, rest } = await readHandshakeMessage(socket, (b) => initiator.ackLength(b), timeoutMs);
      const { secrets } = initiator.handleAck(packet);
      return new RlpxTransport(socket, new FrameCodec(secrets, options.frames), secrets, rest);
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs the recipient side on an accepted socket. The socket is destroyed on failure. */
  static async accept(socket: Socket, options: AcceptOptions): Promise<RlpxTransport> {
    // Planted bugs for the self-check (reference-node/faults); all off in a normal run.
    const timeoutMs = fault('rlpx-no-handshake-timeout') ? NEVER_MS : (options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    const handshake = fault('rlpx-legacy-ack') ? { ...options.handshake, ackFormat: 'legacy' as const } : options.handshake;
    let frames = options.frames;
    if (fault('rlpx-skip-frame-mac')) frames = { ...frames, verifyMacs: false };
    if (fault('rlpx-no-snappy-limit')) frames = { ...frames, maxUncompressedSize: 2 ** 32 };
    try {
      const recipient = new HandshakeRecipient({ ...handshake, privateKey: options.privateKey });
      const { packet, rest } = await readHandshakeMessage(socket, (b) => recipient.authLength(b), timeoutMs);
      const auth = recipient.handleAuth(packet);
      if (fault('rlpx-reject-eip8-extra') && (auth.message.version !== HANDSHAKE_VERSION || auth.message.extra.length > 0)) {
        throw new DecodeError('value', 'rlpx auth', `auth-vsn ${auth.message.version} with ${auth.message.extra.length} extra elements`);
      }
      const ack = recipient.createAck();
      socket.write(ack.packet);
      return new RlpxTransport(socket, new FrameCodec(ack.secrets, frames), ack.secrets, rest);
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  /**
   * Starts delivering messages. Delivery is synchronous and one message at a
   * time, so a handler may switch codec.snappy right after the Hello.
   */
  start(handlers: TransportHandlers): void {
    if (this.handlers) throw new Error('transport already started');
    this.handlers = handlers;
    this.socket.on('data', (chunk: Buffer) => this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    if (this.leftover.length > 0) this.onData(this.leftover);
    this.socket.resume();
  }

  /** Frames and writes one message. Returns false when the socket is closed. */
  send(msgId: number, payload: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    this.socket.write(this.codec.encodeFrame(msgId, payload));
    return true;
  }

  /** Writes raw bytes (for simulators and fuzzers that craft their own frames). */
  sendRaw(bytes: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    this.socket.write(bytes);
    return true;
  }

  /** Flushes what was written, then closes; destroys after `graceMs` if the peer does not cooperate. */
  close(graceMs = 1_000): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), graceMs).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  private onData(chunk: Uint8Array): void {
    if (!this.handlers || this.readFailed) return;
    this.codec.push(chunk);
    for (;;) {
      let msg: FrameMessage | undefined;
      try {
        msg = this.codec.read();
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.readFailed = true;
        this.handlers.error(err);
        return;
      }
      if (msg === undefined) return;
      this.handlers.message(msg);
      if (this.isClosed) return;
    }
  }

  private onClose(): void {
    this.closed = true;
    this.handlers?.close();
  }
}

function openSocket(host: string, port: number, timeoutMs: number, localAddress?: string, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ConnectionClosedError(`TCP connect to ${host}:${port} aborted`));
      return;
    }
    const socket = connect(localAddress === undefined ? { host, port } : { host, port, localAddress });
    // The error listener stays on a socket we destroy: a late error must not go unhandled.
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      settle();
      socket.destroy();
      reject(new ConnectionClosedError(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(new ConnectionClosedError(`TCP connect to ${host}:${port} aborted`));
    };
    socket.once('connect', () => {
      settle();
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      settle();
      reject(new ConnectionClosedError(`TCP connect to ${host}:${port} failed: ${err.message}`));
    };
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A prepared auth made for other keys would fail the handshake in a confusing way: say so up front. */
function checkPrepared(prepared: PreparedAuth, options: DialOptions): PreparedAuth {
  if (options.handshake) throw new RangeError('dial: preparedAuth and handshake overrides exclude each other');
  if (!equalBytes(prepared.options.privateKey, options.privateKey) || !equalBytes(prepared.options.remotePublicKey, options.remotePublicKey)) {
    throw new RangeError('dial: preparedAuth was made for another key pair');
  }
  return prepared;
}
