/**
 * RLPx framing (rlpx.md "Framing" and "Capability Messaging"): one AES-256-CTR
 * stream per direction with a zero IV, header and frame MACs, 16-byte padding,
 * the RLP message id, and EIP-706 snappy compression of payloads.
 *
 * FrameWriter and FrameReader each own one direction; FrameCodec pairs them
 * with the message layer (msg id + snappy). Nothing here does I/O.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { DecodeError } from '../errors.js';
import { createKeccakMac, FrameMac, type MacHashFactory } from './mac.js';
import { MAX_UNCOMPRESSED_SIZE, snappyCompress, snappyDecompress } from './snappy.js';

/** Largest frame-size a 24-bit header can carry. */
export const MAX_FRAME_SIZE = 0xffffff;
/** header-data = [capability-id, context-id] = [0, 0], as geth and ethereumjs send it. */
export const DEFAULT_HEADER_DATA: Uint8Array = Uint8Array.of(0xc2, 0x80, 0x80);

const ZERO_IV = new Uint8Array(16);
const WHAT = 'rlpx frame';

export interface FrameSecrets {
  aesSecret: Uint8Array;
  macSecret: Uint8Array;
  egressMacSeed: Uint8Array;
  ingressMacSeed: Uint8Array;
}

function paddedLength(size: number): number {
  return (size + 15) & ~15;
}

function ctrStream(aesSecret: Uint8Array): Cipher {
  return createCipheriv('aes-256-ctr', aesSecret, ZERO_IV);
}

/** The egress half: encrypts and MACs frame-data. */
export class FrameWriter {
  private readonly ctr: Cipher;
  private readonly mac: FrameMac;

  constructor(aesSecret: Uint8Array, macSecret: Uint8Array, macSeed: Uint8Array, macHash: MacHashFactory = createKeccakMac) {
    this.ctr = ctrStream(aesSecret);
    this.mac = new FrameMac(macSecret, macHash(macSeed));
  }

  /**
   * Seals frame-data (msg-id || msg-data, already compressed if snappy is on)
   * into one wire frame. `headerData` is exposed for fuzzing; the spec value is
   * the default. Throws RangeError if frame-data exceeds 24 bits.
   */
  seal(frameData: Uint8Array, headerData: Uint8Array = DEFAULT_HEADER_DATA): Uint8Array {
    return this.sealParts(new Uint8Array(0), frameData, headerData);
  }

  /** seal(head || body) without concatenating them first (the msg id and a large payload). */
  sealParts(head: Uint8Array, body: Uint8Array, headerData: Uint8Array = DEFAULT_HEADER_DATA): Uint8Array {
    const size = head.length + body.length;
    if (size > MAX_FRAME_SIZE) throw new RangeError(`frame-data of ${size} bytes exceeds the 24-bit frame size`);
    if (headerData.length > 13) throw new RangeError('header-data does not fit in the 16-byte header');
    const padded = paddedLength(size);

    const plain = new Uint8Array(16 + padded);
    plain[0] = size >>> 16;
    plain[1] = (size >>> 8) & 0xff;
    plain[2] = size & 0xff;
    plain.set(headerData, 3);
    plain.set(head, 16);
    plain.set(body, 16 + head.length);
    return this.encryptAndMac(plain);
  }

  /**
   * For fuzzers: encrypts and MACs a 16-byte plaintext header and a body
   * exactly as given, so the declared frame-size, header-data, padding and
   * body length can all disagree with each other while the MACs stay valid.
   */
  sealRaw(header: Uint8Array, body: Uint8Array): Uint8Array {
    if (header.length !== 16) throw new RangeError('a frame header is 16 bytes');
    const plain = new Uint8Array(16 + body.length);
    plain.set(header);
    plain.set(body, 16);
    return this.encryptAndMac(plain);
  }

  /** header || body plaintext -> header-ct || header-mac || body-ct || frame-mac. */
  private encryptAndMac(plain: Uint8Array): Uint8Array {
    const ct = this.ctr.update(plain);
    const bodyLength = plain.length - 16;
    const out = new Uint8Array(32 + bodyLength + 16);
    const headerCt = ct.subarray(0, 16);
    const frameCt = ct.subarray(16);
    out.set(headerCt, 0);
    out.set(this.mac.header(headerCt), 16);
    out.set(frameCt, 32);
    out.set(this.mac.frame(frameCt), 32 + bodyLength);
    return out;
  }
}

/** A FIFO of received chunks that hands out contiguous byte ranges, copying only when a range spans chunks. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private offset = 0; // consumed bytes of chunks[0]
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
      this.length -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = chunk.subarray(this.offset, this.offset + (n - filled));
      out.set(part, filled);
      filled += part.length;
      this.offset += part.length;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.length -= n;
    return out;
  }
}

export interface FrameReaderOptions {
  /** Frames whose header declares more frame-data than this are rejected with 'too-large'. */
  maxFrameSize?: number;
  macHash?: MacHashFactory;
  /**
   * false: compute the MACs (the state advances as usual) but accept frames
   * whose MACs do not match. Only for planting the rlpx-skip-frame-mac fault
   * and for fuzzers that aim past the MAC; never in a real session.
   */
  verifyMacs?: boolean;
}

/**
 * The ingress half: an incremental reader. push() bytes as they arrive and
 * call readFrame() until it returns undefined. A MAC failure or an oversized
 * header leaves the stream unrecoverable, so the reader keeps throwing that
 * error afterwards.
 */
export class FrameReader {
  private readonly ctr: Cipher;
  private readonly mac: FrameMac;
  private readonly queue = new ByteQueue();
  private readonly maxFrameSize: number;
  private readonly verifyMacs: boolean;
  private pendingSize: number | undefined; // frame-size of a header already verified
  private failure: DecodeError | undefined;

  constructor(aesSecret: Uint8Array, macSecret: Uint8Array, macSeed: Uint8Array, options: FrameReaderOptions = {}) {
    this.ctr = ctrStream(aesSecret);
    this.mac = new FrameMac(macSecret, (options.macHash ?? createKeccakMac)(macSeed));
    this.maxFrameSize = Math.min(options.maxFrameSize ?? MAX_FRAME_SIZE, MAX_FRAME_SIZE);
    this.verifyMacs = options.verifyMacs ?? true;
  }

  /** Bytes pushed but not yet consumed (a verified header is consumed before its body arrives). */
  get buffered(): number {
    return this.queue.length;
  }

  /**
   * How many more bytes must be pushed before readFrame() can make progress:
   * 32 for a header, then the padded body plus its MAC.
   */
  get bytesNeeded(): number {
    const want = this.pendingSize === undefined ? 32 : paddedLength(this.pendingSize) + 16;
    return Math.max(0, want - this.queue.length);
  }

  /** The reader keeps references to pushed chunks until they are consumed; do not reuse them. */
  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
  }

  /** The next frame's decrypted frame-data, or undefined if more bytes are needed. */
  readFrame(): Uint8Array | undefined {
    if (this.failure) throw this.failure;
    if (this.pendingSize === undefined) {
      if (this.queue.length < 32) return undefined;
      const head = this.queue.take(32);
      const headerCt = head.subarray(0, 16);
      if (!this.mac.checkHeader(headerCt, head.subarray(16, 32)) && this.verifyMacs) {
        return this.fail(new DecodeError('mac', WHAT, 'header MAC mismatch'));
      }
      const header = this.ctr.update(headerCt);
      const size = (header[0]! << 16) | (header[1]! << 8) | header[2]!;
      if (size > this.maxFrameSize) {
        return this.fail(new DecodeError('too-large', WHAT, `frame-size ${size} exceeds the limit of ${this.maxFrameSize}`));
      }
      this.pendingSize = size;
    }
    const size = this.pendingSize;
    const padded = paddedLength(size);
    if (this.queue.length < padded + 16) return undefined;
    const body = this.queue.take(padded + 16);
    const frameCt = body.subarray(0, padded);
    if (!this.mac.checkFrame(frameCt, body.subarray(padded)) && this.verifyMacs) {
      return this.fail(new DecodeError('mac', WHAT, 'frame MAC mismatch'));
    }
    this.pendingSize = undefined;
    const plain = this.ctr.update(frameCt);
    return new Uint8Array(plain.buffer, plain.byteOffset, size);
  }

  private fail(err: DecodeError): never {
    this.failure = err;
    throw err;
  }
}

export interface FrameMessage {
  msgId: number;
  payload: Uint8Array;
}

/** The RLP encoding of a message id (a canonical unsigned integer). */
export function encodeMsgId(msgId: number): Uint8Array {
  if (!Number.isSafeInteger(msgId) || msgId < 0 || msgId >= 2 ** 48) throw new RangeError(`invalid message id ${msgId}`);
  if (msgId === 0) return Uint8Array.of(0x80);
  if (msgId < 0x80) return Uint8Array.of(msgId);
  const bytes: number[] = [];
  for (let v = msgId; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 + bytes.length, ...bytes);
}

/**
 * Splits frame-data into the message id and its payload. Ids are canonical RLP
 * integers of at most 6 bytes; anything else is rejected (geth would fail the
 * same frames with an invalid message code).
 */
export function decodeMsgId(frameData: Uint8Array): { msgId: number; payloadOffset: number } {
  const b0 = frameData[0];
  if (b0 === undefined) throw new DecodeError('length', WHAT, 'empty frame-data has no message id');
  // geth decodes the id as a canonical uint: zero is 0x80, never the byte 0x00.
  if (b0 === 0) throw new DecodeError('rlp', WHAT, 'message id 0 must be encoded as 0x80');
  if (b0 < 0x80) return { msgId: b0, payloadOffset: 1 };
  if (b0 >= 0xc0) throw new DecodeError('shape', WHAT, 'message id is a list, not an integer');
  const n = b0 - 0x80;
  if (n > 6) throw new DecodeError('value', WHAT, 'message id longer than 6 bytes');
  if (frameData.length < 1 + n) throw new DecodeError('length', WHAT, 'truncated message id');
  if (n > 0 && frameData[1] === 0) throw new DecodeError('rlp', WHAT, 'message id has leading zero bytes');
  if (n === 1 && frameData[1]! < 0x80) throw new DecodeError('rlp', WHAT, 'single-byte message id must not carry a prefix');
  let msgId = 0;
  for (let i = 1; i <= n; i++) msgId = msgId * 256 + frameData[i]!;
  return { msgId, payloadOffset: 1 + n };
}

/**
 * A frame whose payload failed snappy decoding. It carries the message id and
 * the raw payload so the session layer can decide what a peer meant: some
 * clients (ethereumjs) send Disconnect uncompressed after snappy is on.
 */
export class SnappyFrameError extends DecodeError {
  constructor(
    cause: DecodeError,
    readonly msgId: number,
    readonly raw: Uint8Array,
  ) {
    super(cause.code, cause.what, cause.detail);
  }
}

export interface FrameCodecOptions {
  /** Compress payloads (EIP-706). Off at first: Hello is never compressed. */
  snappy?: boolean;
  maxFrameSize?: number;
  /** Inflation limit for received payloads; default 16 MiB − 1. */
  maxUncompressedSize?: number;
  /** Replaces the keccak MAC (tests use geth's fake MAC). */
  macHash?: MacHashFactory;
  /** See FrameReaderOptions.verifyMacs (default true). */
  verifyMacs?: boolean;
}

/**
 * Both directions of one RLPx session at the message level. Turn `snappy`
 * on once both Hellos are exchanged and both advertise p2p version >= 5.
 */
export class FrameCodec {
  readonly writer: FrameWriter;
  readonly reader: FrameReader;
  snappy: boolean;
  private readonly maxUncompressedSize: number;
  private deferred: DecodeError | undefined;

  constructor(secrets: FrameSecrets, options: FrameCodecOptions = {}) {
    this.writer = new FrameWriter(secrets.aesSecret, secrets.macSecret, secrets.egressMacSeed, options.macHash);
    this.reader = new FrameReader(secrets.aesSecret, secrets.macSecret, secrets.ingressMacSeed, {
      maxFrameSize: options.maxFrameSize,
      macHash: options.macHash,
      verifyMacs: options.verifyMacs,
    });
    this.snappy = options.snappy ?? false;
    this.maxUncompressedSize = options.maxUncompressedSize ?? MAX_UNCOMPRESSED_SIZE;
  }

  /** One wire frame for a message; the payload (msg-data) is compressed if snappy is on. */
  encodeFrame(msgId: number, payload: Uint8Array): Uint8Array {
    let body = payload;
    if (this.snappy) {
      if (payload.length > MAX_UNCOMPRESSED_SIZE) {
        throw new RangeError(`payload of ${payload.length} bytes exceeds the 16 MiB snappy limit`);
      }
      body = snappyCompress(payload);
    }
    return this.writer.sealParts(encodeMsgId(msgId), body);
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /**
   * The next complete message, or undefined if more bytes are needed.
   * Pulling one message at a time lets the caller switch `snappy` right after
   * the Hello, before the next frame is decoded.
   *
   * Errors: 'mac' and a 'too-large' header end the stream (every later call
   * throws again); a bad message id or snappy block consumes only its frame.
   */
  read(): FrameMessage | undefined {
    if (this.deferred) {
      const err = this.deferred;
      this.deferred = undefined;
      throw err;
    }
    const frameData = this.reader.readFrame();
    if (frameData === undefined) return undefined;
    const { msgId, payloadOffset } = decodeMsgId(frameData);
    const raw = frameData.subarray(payloadOffset);
    if (!this.snappy) return { msgId, payload: raw };
    try {
      return { msgId, payload: snappyDecompress(raw, this.maxUncompressedSize) };
    } catch (err) {
      if (err instanceof DecodeError) throw new SnappyFrameError(err, msgId, raw.slice());
      throw err;
    }
  }

  /**
   * push() then read() until empty. If an error follows some good messages,
   * the messages are returned and the error is thrown by the next call.
   * Use read() directly when `snappy` must change between messages.
   */
  feed(chunk: Uint8Array): FrameMessage[] {
    this.push(chunk);
    const out: FrameMessage[] = [];
    for (;;) {
      let msg: FrameMessage | undefined;
      try {
        msg = this.read();
      } catch (err) {
        if (out.length === 0 || !(err instanceof DecodeError)) throw err;
        this.deferred = err;
        return out;
      }
      if (msg === undefined) return out;
      out.push(msg);
    }
  }
}
