/**
 * The RLPx encryption handshake (rlpx.md "Initial Handshake", EIP-8) as pure
 * state machines: bytes in, bytes out, no sockets or timers.
 *
 * Layers, lowest first:
 * - sealAuth/openAuth, sealAck/openAck: one message to and from wire bytes,
 *   in either the EIP-8 (RLP, size prefix) or the legacy fixed-size format;
 * - handshakeMessageLength: framing for a transport that reads incrementally;
 * - HandshakeInitiator / HandshakeRecipient: the two roles, ending in
 *   SessionSecrets for the frame codec.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { concatBytes, equalBytes, xorBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import {
  assertPublicKey,
  keccak256,
  recoverPublicKey,
  signRecoverable,
  type PrivateKey,
  type PublicKey,
} from '../keys.js';
import { asFixedBytes, asList, asNumber, decodeRlpPrefix, encodeRlp, type RlpItem } from '../rlp.js';
import { EcdhKey, staticEcdhKey } from './ecdh.js';
import { ECIES_OVERHEAD, eciesDecrypt, eciesEncrypt, type EciesRandomness } from './ecies.js';
import { deriveSecrets, type SessionSecrets } from './secrets.js';

export type HandshakeFormat = 'eip8' | 'legacy';
export type HandshakeKind = 'auth' | 'ack';

/** auth-vsn / ack-vsn this implementation sends. */
export const HANDSHAKE_VERSION = 4;
/** Largest EIP-8 size prefix accepted (geth and the brief: 2 KiB). */
export const MAX_HANDSHAKE_SIZE = 2048;
/** Wire sizes of pre-EIP-8 messages: fixed plaintext plus ECIES overhead. */
export const LEGACY_AUTH_SIZE = 307;
export const LEGACY_ACK_SIZE = 210;
const LEGACY_AUTH_PLAINTEXT = LEGACY_AUTH_SIZE - ECIES_OVERHEAD; // 194
const LEGACY_ACK_PLAINTEXT = LEGACY_ACK_SIZE - ECIES_OVERHEAD; // 97

export interface AuthMessage {
  /** r || s || v (v = 0 or 1) over static-shared-secret ^ initiator-nonce by the initiator's ephemeral key. */
  signature: Uint8Array;
  initiatorPublicKey: PublicKey;
  initiatorNonce: Uint8Array;
  /** auth-vsn; legacy messages carry none and decode as 4, as in geth. */
  version: number;
  /** Extra RLP list elements (EIP-8 forward compatibility); always [] for legacy. */
  extra: RlpItem[];
}

export interface AckMessage {
  recipientEphemeralPublicKey: PublicKey;
  recipientNonce: Uint8Array;
  version: number;
  extra: RlpItem[];
}

export interface OpenedAuth {
  message: AuthMessage;
  format: HandshakeFormat;
  /** Bytes after the RLP list in an EIP-8 plaintext; empty for legacy. */
  padding: Uint8Array;
  /** Legacy only: keccak256(initiator-ephemeral-pubk) and the token flag. */
  legacy?: { ephemeralPublicKeyHash: Uint8Array; tokenFlag: number };
}

export interface OpenedAck {
  message: AckMessage;
  format: HandshakeFormat;
  padding: Uint8Array;
  legacy?: { tokenFlag: number };
}

export interface SealOptions {
  format?: HandshakeFormat;
  /** EIP-8 padding after the RLP list. Default: 100–299 zero bytes, as geth. */
  padding?: Uint8Array;
  ecies?: EciesRandomness;
}

export interface SealAuthOptions extends SealOptions {
  /** Legacy format only: keccak256 of the initiator's ephemeral public key. */
  ephemeralPublicKeyHash?: Uint8Array;
}

function defaultPadding(): Uint8Array {
  return new Uint8Array(randomInt(100, 300));
}

function sealEip8(body: RlpItem[], padding: Uint8Array, remote: PublicKey, ecies: EciesRandomness | undefined): Uint8Array {
  const plain = concatBytes(encodeRlp(body), padding);
  const size = plain.length + ECIES_OVERHEAD;
  if (size > 0xffff) throw new RangeError(`handshake message of ${size} bytes does not fit the 16-bit size prefix`);
  const prefix = Uint8Array.of(size >>> 8, size & 0xff);
  return concatBytes(prefix, eciesEncrypt(remote, plain, prefix, ecies));
}

function checkLegacy(message: { version: number; extra: RlpItem[] }, padding: Uint8Array | undefined): void {
  if (message.version !== HANDSHAKE_VERSION || message.extra.length > 0 || (padding && padding.length > 0)) {
    throw new RangeError('the legacy handshake format has no version, extra elements or padding');
  }
}

export function sealAuth(message: AuthMessage, recipientPublicKey: PublicKey, options: SealAuthOptions = {}): Uint8Array {
  if (options.format === 'legacy') {
    checkLegacy(message, options.padding);
    if (!options.ephemeralPublicKeyHash) throw new RangeError('a legacy auth needs ephemeralPublicKeyHash');
    const plain = concatBytes(
      message.signature,
      options.ephemeralPublicKeyHash,
      message.initiatorPublicKey,
      message.initiatorNonce,
      Uint8Array.of(0),
    );
    if (plain.length !== LEGACY_AUTH_PLAINTEXT) throw new RangeError('legacy auth fields have the wrong sizes');
    return eciesEncrypt(recipientPublicKey, plain, undefined, options.ecies);
  }
  const body: RlpItem[] = [
    message.signature,
    message.initiatorPublicKey,
    message.initiatorNonce,
    encodeRlpUint(message.version),
    ...message.extra,
  ];
  return sealEip8(body, options.padding ?? defaultPadding(), recipientPublicKey, options.ecies);
}

export function sealAck(message: AckMessage, initiatorPublicKey: PublicKey, options: SealOptions = {}): Uint8Array {
  if (options.format === 'legacy') {
    checkLegacy(message, options.padding);
    const plain = concatBytes(message.recipientEphemeralPublicKey, message.recipientNonce, Uint8Array.of(0));
    if (plain.length !== LEGACY_ACK_PLAINTEXT) throw new RangeError('legacy ack fields have the wrong sizes');
    return eciesEncrypt(initiatorPublicKey, plain, undefined, options.ecies);
  }
  const body: RlpItem[] = [
    message.recipientEphemeralPublicKey,
    message.recipientNonce,
    encodeRlpUint(message.version),
    ...message.extra,
  ];
  return sealEip8(body, options.padding ?? defaultPadding(), initiatorPublicKey, options.ecies);
}

/** RLP scalar bytes; encodeRlp would also take a number, but RlpItem lists need bytes. */
function encodeRlpUint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invalid handshake version ${value}`);
  const out: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Uint8Array.from(out);
}

function legacySize(kind: HandshakeKind): number {
  return kind === 'auth' ? LEGACY_AUTH_SIZE : LEGACY_ACK_SIZE;
}

function eip8Size(packet: Uint8Array, what: string): number {
  const size = (packet[0]! << 8) | packet[1]!;
  if (size > MAX_HANDSHAKE_SIZE) {
    throw new DecodeError('too-large', what, `size prefix ${size} exceeds ${MAX_HANDSHAKE_SIZE}`);
  }
  return size;
}

/**
 * Decrypts one handshake packet. Like geth, a packet of exactly the legacy
 * size is first tried as legacy ECIES; otherwise (or if that fails) it must be
 * size prefix || ECIES(...) with the prefix as authenticated data.
 */
function openPacket(
  packet: Uint8Array,
  privateKey: PrivateKey,
  kind: HandshakeKind,
): { plain: Uint8Array; format: HandshakeFormat } {
  const what = `rlpx ${kind}`;
  let legacyError: DecodeError | undefined;
  if (packet.length === legacySize(kind) && packet[0] === 0x04) {
    try {
      return { plain: eciesDecrypt(privateKey, packet, undefined, what), format: 'legacy' };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      legacyError = err;
    }
  }
  if (packet.length < 2) throw new DecodeError('length', what, 'shorter than the 2-byte size prefix');
  const size = eip8Size(packet, what);
  if (packet.length !== size + 2) {
    throw legacyError ?? new DecodeError('length', what, `size prefix says ${size + 2} bytes, packet has ${packet.length}`);
  }
  const prefix = packet.subarray(0, 2);
  return { plain: eciesDecrypt(privateKey, packet.subarray(2), prefix, what), format: 'eip8' };
}

function readPublicKey(item: RlpItem | undefined, what: string): PublicKey {
  return assertPublicKey(asFixedBytes(item, what, 64), what);
}

/** Decrypts and decodes an auth packet with the recipient's static key. Signature is not checked here. */
export function openAuth(packet: Uint8Array, recipientPrivateKey: PrivateKey): OpenedAuth {
  const { plain, format } = openPacket(packet, recipientPrivateKey, 'auth');
  if (format === 'legacy') {
    // sig(65) || keccak(ephemeral-pubk)(32) || initiator-pubk(64) || nonce(32) || token-flag(1)
    return {
      message: {
        signature: plain.slice(0, 65),
        initiatorPublicKey: assertPublicKey(plain.slice(97, 161), 'rlpx auth initiator public key'),
        initiatorNonce: plain.slice(161, 193),
        version: HANDSHAKE_VERSION,
        extra: [],
      },
      format,
      padding: new Uint8Array(0),
      legacy: { ephemeralPublicKeyHash: plain.slice(65, 97), tokenFlag: plain[193]! },
    };
  }
  const what = 'rlpx auth';
  const { item, rest } = decodeRlpPrefix(plain, what);
  const list = asList(item, what, 4);
  return {
    message: {
      signature: asFixedBytes(list[0], `${what} signature`, 65),
      initiatorPublicKey: readPublicKey(list[1], `${what} initiator public key`),
      initiatorNonce: asFixedBytes(list[2], `${what} nonce`, 32),
      version: asNumber(list[3], `${what} version`),
      extra: list.slice(4),
    },
    format,
    padding: rest,
  };
}

/** Decrypts and decodes an ack packet with the initiator's static key. */
export function openAck(packet: Uint8Array, initiatorPrivateKey: PrivateKey): OpenedAck {
  const { plain, format } = openPacket(packet, initiatorPrivateKey, 'ack');
  if (format === 'legacy') {
    // ephemeral-pubk(64) || nonce(32) || token-flag(1)
    return {
      message: {
        recipientEphemeralPublicKey: assertPublicKey(plain.slice(0, 64), 'rlpx ack ephemeral public key'),
        recipientNonce: plain.slice(64, 96),
        version: HANDSHAKE_VERSION,
        extra: [],
      },
      format,
      padding: new Uint8Array(0),
      legacy: { tokenFlag: plain[96]! },
    };
  }
  const what = 'rlpx ack';
  const { item, rest } = decodeRlpPrefix(plain, what);
  const list = asList(item, what, 3);
  return {
    message: {
      recipientEphemeralPublicKey: readPublicKey(list[0], `${what} ephemeral public key`),
      recipientNonce: asFixedBytes(list[1], `${what} nonce`, 32),
      version: asNumber(list[2], `${what} version`),
      extra: list.slice(3),
    },
    format,
    padding: rest,
  };
}

/**
 * How long the handshake message at the start of `buffered` is. If the result
 * is larger than buffered.length, read at least that many bytes and ask again;
 * once it is not, the message is buffered[0, result).
 *
 * A buffer starting with 0x04 may be a legacy message (its ECIES key prefix)
 * or an EIP-8 one of 1024–1279 bytes; which one is settled by trying legacy
 * decryption once the legacy size is available, so the private key is needed.
 * Throws DecodeError('too-large') for an EIP-8 size prefix over 2048.
 */
export function handshakeMessageLength(buffered: Uint8Array, kind: HandshakeKind, privateKey: PrivateKey): number {
  if (buffered.length < 2) return 2;
  const legacy = legacySize(kind);
  if (buffered[0] === 0x04) {
    if (buffered.length < legacy) return legacy;
    if (isLegacyPacket(buffered.subarray(0, legacy), privateKey)) return legacy;
  }
  return eip8Size(buffered, `rlpx ${kind}`) + 2;
}

function isLegacyPacket(candidate: Uint8Array, privateKey: PrivateKey): boolean {
  try {
    eciesDecrypt(privateKey, candidate);
    return true;
  } catch {
    return false;
  }
}

/** The digest the initiator signs: static-shared-secret ^ initiator-nonce. */
function signedDigest(staticShared: Uint8Array, initiatorNonce: Uint8Array): Uint8Array {
  return xorBytes(staticShared, initiatorNonce);
}

function checkNonce(nonce: Uint8Array): Uint8Array {
  if (nonce.length !== 32) throw new RangeError('handshake nonce must be 32 bytes');
  return nonce;
}

/** Options shared by both roles; everything random can be injected for vectors and fuzzing. */
export interface HandshakeOptions {
  privateKey: PrivateKey;
  ephemeralPrivateKey?: PrivateKey;
  nonce?: Uint8Array;
  /** auth-vsn / ack-vsn to send (default 4). */
  version?: number;
  /** Extra list elements to append (EIP-8 format only). */
  extra?: RlpItem[];
  padding?: Uint8Array;
  ecies?: EciesRandomness;
}

export interface InitiatorOptions extends HandshakeOptions {
  remotePublicKey: PublicKey;
  /** Format of the auth message (default 'eip8'). */
  format?: HandshakeFormat;
}

export interface AckResult {
  secrets: SessionSecrets;
  ack: OpenedAck;
}

/**
 * An auth packet made once and sent on many connections. The recipient cannot
 * tell (RLPx has no replay check: its own ephemeral key and nonce are fresh,
 * so every session's secrets still differ), and the dialer skips five of the
 * handshake's eight curve multiplications and the signature. For fuzzers and
 * benchmarks that open thousands of sessions to one target; a node dials with
 * a fresh auth each time.
 */
export interface PreparedAuth {
  readonly options: InitiatorOptions;
  readonly ephemeral: EcdhKey;
  readonly nonce: Uint8Array;
  readonly packet: Uint8Array;
}

/** The dialing side: createAuth(), then handleAck(packet). */
export class HandshakeInitiator {
  readonly remotePublicKey: PublicKey;
  readonly nonce: Uint8Array;
  readonly ephemeralPublicKey: PublicKey;
  private readonly options: InitiatorOptions;
  private readonly ephemeral: EcdhKey;
  private authPacket: Uint8Array | undefined;
  private done = false;
  private ackSize: number | undefined;

  constructor(options: InitiatorOptions, prepared?: PreparedAuth) {
    this.options = options;
    this.remotePublicKey = assertPublicKey(options.remotePublicKey, 'remote public key');
    this.nonce = prepared?.nonce ?? checkNonce(options.nonce ?? randomBytes(32));
    this.ephemeral = prepared?.ephemeral ?? new EcdhKey(options.ephemeralPrivateKey);
    this.ephemeralPublicKey = this.ephemeral.publicKey;
    this.authPacket = prepared?.packet;
  }

  /** Makes an auth for reuse: pass it to fromPrepared for each connection. */
  static prepare(options: InitiatorOptions): PreparedAuth {
    const initiator = new HandshakeInitiator(options);
    return { options, ephemeral: initiator.ephemeral, nonce: initiator.nonce, packet: initiator.createAuth() };
  }

  /** An initiator whose createAuth returns the prepared packet (same bytes on every connection). */
  static fromPrepared(prepared: PreparedAuth): HandshakeInitiator {
    return new HandshakeInitiator(prepared.options, prepared);
  }

  /** The auth packet to send first. Calling it again returns the same bytes. */
  createAuth(): Uint8Array {
    if (this.authPacket) return this.authPacket;
    const o = this.options;
    const local = staticEcdhKey(o.privateKey);
    const staticShared = local.agreeRemembered(this.remotePublicKey, 'remote public key');
    const message: AuthMessage = {
      signature: signRecoverable(signedDigest(staticShared, this.nonce), this.ephemeral.privateKey),
      initiatorPublicKey: local.publicKey,
      initiatorNonce: this.nonce,
      version: o.version ?? HANDSHAKE_VERSION,
      extra: o.extra ?? [],
    };
    this.authPacket = sealAuth(message, this.remotePublicKey, {
      format: o.format,
      padding: o.padding,
      ecies: o.ecies,
      ephemeralPublicKeyHash: keccak256(this.ephemeralPublicKey),
    });
    return this.authPacket;
  }

  /** See handshakeMessageLength; remembers the legacy decision so the ECDH is tried once. */
  ackLength(buffered: Uint8Array): number {
    if (this.ackSize !== undefined) return this.ackSize;
    const n = handshakeMessageLength(buffered, 'ack', this.options.privateKey);
    if (buffered.length >= LEGACY_ACK_SIZE || (buffered.length >= 2 && buffered[0] !== 0x04)) this.ackSize = n;
    return n;
  }

  /** Decodes the ack and derives the session; DecodeError on any bad input. */
  handleAck(packet: Uint8Array): AckResult {
    if (!this.authPacket) throw new Error('handleAck before createAuth');
    if (this.done) throw new Error('handshake already completed');
    const ack = openAck(packet, this.options.privateKey);
    const ephemeralKey = this.ephemeral.agree(ack.message.recipientEphemeralPublicKey, 'rlpx ack ephemeral public key');
    this.done = true;
    const secrets = deriveSecrets({
      initiator: true,
      remotePublicKey: this.remotePublicKey,
      ephemeralKey,
      initiatorNonce: this.nonce,
      recipientNonce: ack.message.recipientNonce,
      authPacket: this.authPacket,
      ackPacket: packet,
    });
    return { secrets, ack };
  }
}

export interface RecipientOptions extends HandshakeOptions {
  /** Format of the ack; default: the format the auth came in (geth does the same). */
  ackFormat?: HandshakeFormat;
}

export interface ReceivedAuth extends OpenedAuth {
  remotePublicKey: PublicKey;
  remoteEphemeralPublicKey: PublicKey;
}

export interface AckCreated {
  packet: Uint8Array;
  secrets: SessionSecrets;
}

/** The listening side: handleAuth(packet), then createAck(). */
export class HandshakeRecipient {
  readonly nonce: Uint8Array;
  readonly ephemeralPublicKey: PublicKey;
  private readonly options: RecipientOptions;
  private readonly ephemeral: EcdhKey;
  private auth: { received: ReceivedAuth; packet: Uint8Array } | undefined;
  private done = false;
  private authSize: number | undefined;

  constructor(options: RecipientOptions) {
    this.options = options;
    this.nonce = checkNonce(options.nonce ?? randomBytes(32));
    this.ephemeral = new EcdhKey(options.ephemeralPrivateKey);
    this.ephemeralPublicKey = this.ephemeral.publicKey;
  }

  /** See handshakeMessageLength. */
  authLength(buffered: Uint8Array): number {
    if (this.authSize !== undefined) return this.authSize;
    const n = handshakeMessageLength(buffered, 'auth', this.options.privateKey);
    if (buffered.length >= LEGACY_AUTH_SIZE || (buffered.length >= 2 && buffered[0] !== 0x04)) this.authSize = n;
    return n;
  }

  /**
   * Decodes auth, recovers the initiator's ephemeral key from the signature
   * and, for legacy auth, checks the ephemeral key hash. DecodeError on any
   * bad input ('signature', 'hash', 'mac', 'crypto', ...).
   */
  handleAuth(packet: Uint8Array): ReceivedAuth {
    if (this.auth) throw new Error('auth already handled');
    const opened = openAuth(packet, this.options.privateKey);
    const { message } = opened;
    const staticShared = staticEcdhKey(this.options.privateKey).agreeRemembered(
      message.initiatorPublicKey,
      'rlpx auth initiator public key',
    );
    const remoteEphemeralPublicKey = recoverPublicKey(
      signedDigest(staticShared, message.initiatorNonce),
      message.signature,
      'rlpx auth signature',
    );
    if (opened.legacy && !equalBytes(keccak256(remoteEphemeralPublicKey), opened.legacy.ephemeralPublicKeyHash)) {
      throw new DecodeError('hash', 'rlpx auth', 'ephemeral public key hash does not match the signature');
    }
    const received: ReceivedAuth = { ...opened, remotePublicKey: message.initiatorPublicKey, remoteEphemeralPublicKey };
    this.auth = { received, packet: packet.slice() };
    return received;
  }

  /** The ack packet and the session secrets. Call once, after handleAuth. */
  createAck(): AckCreated {
    if (!this.auth) throw new Error('createAck before handleAuth');
    if (this.done) throw new Error('ack already created');
    const o = this.options;
    const { received } = this.auth;
    const ephemeralKey = this.ephemeral.agree(received.remoteEphemeralPublicKey, 'rlpx auth ephemeral public key');
    const packet = sealAck(
      {
        recipientEphemeralPublicKey: this.ephemeralPublicKey,
        recipientNonce: this.nonce,
        version: o.version ?? HANDSHAKE_VERSION,
        extra: o.extra ?? [],
      },
      received.remotePublicKey,
      { format: o.ackFormat ?? received.format, padding: o.padding, ecies: o.ecies },
    );
    this.done = true;
    const secrets = deriveSecrets({
      initiator: false,
      remotePublicKey: received.remotePublicKey,
      ephemeralKey,
      initiatorNonce: received.message.initiatorNonce,
      recipientNonce: this.nonce,
      authPacket: this.auth.packet,
      ackPacket: packet,
    });
    return { packet, secrets };
  }
}
