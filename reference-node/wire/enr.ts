/**
 * Ethereum Node Records (EIP-778, devp2p enr.md) with the "v4" identity scheme,
 * and the "eth" entry (devp2p enr-entries/eth.md).
 *
 * A record is `[signature, seq, k, v, ...]`, at most 300 bytes, keys sorted
 * and unique. Keys are byte strings; we hold them as JS strings with one
 * character per byte (code points 0 to 255, "binary"/latin1 strings). That is
 * exact for every byte sequence the spec allows and reads naturally for the
 * ASCII keys it prefers, and JS string order is then byte order, the order the
 * spec sorts by. Values are kept as the RLP items they are (byte strings or
 * lists, e.g. the "eth" entry), so a record re-encodes to exactly its bytes.
 *
 * Identity schemes: only "v4" is defined. A record naming another scheme, or
 * none, cannot be verified: its signature and even its node address are defined
 * by the scheme. decodeEnr() therefore rejects it with DecodeError('unknown-type')
 * as geth does for schemes outside enode.ValidSchemes: accepting an unverifiable
 * record would let anyone publish endpoints under any identity. Callers that only
 * want to look at such a record (the `enr decode` command) decode with
 * `{ verify: false }` and ask enrSignatureStatus(), which reports it as unverifiable.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToBigInt, bytesToHex, uintToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { forkIdFromRlp, forkIdToRlp, type ForkId } from './forkid.js';
import { ipToBytes as wireIpToBytes, ipToString } from './ip.js';
import {
  compressPublicKey,
  decompressPublicKey,
  keccak256,
  nodeIdOf,
  publicKeyOf,
  signRecoverable,
  verifySignature,
  type NodeId,
  type PrivateKey,
  type PublicKey,
} from './keys.js';
import { asBigInt, asBytes, asFixedBytes, asList, asUint64, decodeRlp, encodeRlp, type RlpInput, type RlpItem } from './rlp.js';

/** The spec's limit on the encoded record ("Implementations should reject records larger than this"). */
export const ENR_MAX_SIZE = 300;
export const ENR_TEXT_PREFIX = 'enr:';

export interface EnrPair {
  /** A byte string, one character per byte (see the module comment). */
  key: string;
  value: RlpItem;
}

export interface Enr {
  seq: bigint;
  /** In record order; in a valid record sorted by key, each key once. */
  pairs: readonly EnrPair[];
  signature: Uint8Array;
}

export interface EnrDecodeOptions {
  /** Check the identity scheme and signature (default true). Structure and size are always checked. */
  verify?: boolean;
}

const WHAT = 'enr';
const MAX_UINT64 = (1n << 64n) - 1n;
const SECP256K1_HALF_N = secp256k1.Point.CURVE().n >> 1n;

// ---------------------------------------------------------------------------
// keys as byte strings

function keyFromBytes(bytes: Uint8Array): string {
  let key = '';
  for (const b of bytes) key += String.fromCharCode(b);
  return key;
}

/** The bytes of a key; throws RangeError for characters above U+00FF, which are not one byte. */
export function enrKeyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`ENR key ${JSON.stringify(key)} has a character that is not one byte`);
    out[i] = c;
  }
  return out;
}

/** A key for messages: as text when printable ASCII, else as hex. */
export function formatEnrKey(key: string): string {
  return /^[\x20-\x7e]*$/.test(key) ? key : `0x${bytesToHex(enrKeyBytes(key))}`;
}

// ---------------------------------------------------------------------------
// RLP encoding

function contentList(seq: bigint, pairs: readonly EnrPair[]): RlpInput[] {
  const list: RlpInput[] = [seq];
  for (const { key, value } of pairs) list.push(enrKeyBytes(key), value);
  return list;
}

/** keccak256(rlp([seq, k, v, ...])): what a v4 signature signs. */
export function enrSigningHash(seq: bigint, pairs: readonly EnrPair[]): Uint8Array {
  return keccak256(encodeRlp(contentList(seq, pairs)));
}

/**
 * Encodes the record as given, without checking it, so that tests and fuzzers
 * can also produce records that break the rules (unsorted, oversized, unsigned).
 */
export function encodeEnr(record: Enr): Uint8Array {
  return encodeRlp([record.signature, ...contentList(record.seq, record.pairs)]);
}

/** `enr:` + URL-safe base64 without padding, the text form the spec asks for. */
export function formatEnrText(record: Enr): string {
  return ENR_TEXT_PREFIX + Buffer.from(encodeEnr(record)).toString('base64url');
}

// ---------------------------------------------------------------------------
// decoding

/** Strict: one canonical RLP item, at most 300 bytes, sorted unique keys; by default also a valid v4 signature. */
export function decodeEnr(bytes: Uint8Array, options: EnrDecodeOptions = {}): Enr {
  // Checked first, before any parsing or crypto, as geth does (errTooBig).
  if (bytes.length > ENR_MAX_SIZE) {
    throw new DecodeError('too-large', WHAT, `record is ${bytes.length} bytes, over the ${ENR_MAX_SIZE}-byte limit`);
  }
  // A private copy: the record's byte values are views into it, and must not change with the caller's buffer.
  return recordFromItem(decodeRlp(new Uint8Array(bytes), WHAT), options);
}

/** A record embedded in another message (e.g. discv4 ENRResponse), already RLP-decoded. */
export function enrFromRlp(item: RlpItem, options: EnrDecodeOptions = {}): Enr {
  // Our RLP decoder is canonical, so re-encoding gives back the exact bytes that were received.
  return decodeEnr(encodeRlp(item), options);
}

/** The bytes of an `enr:` text; rejects padding, characters outside the alphabet and non-canonical forms. */
export function enrTextToBytes(text: string): Uint8Array {
  const what = 'enr text';
  if (!text.startsWith(ENR_TEXT_PREFIX)) throw new DecodeError('shape', what, `must start with "${ENR_TEXT_PREFIX}"`);
  const body = text.slice(ENR_TEXT_PREFIX.length);
  if (body.length > Math.ceil((ENR_MAX_SIZE * 4) / 3)) {
    throw new DecodeError('too-large', what, `${body.length} base64 characters encode more than ${ENR_MAX_SIZE} bytes`);
  }
  if (body.includes('=')) {
    // The spec says SHOULD omit padding; geth decodes with RawURLEncoding, which refuses it.
    throw new DecodeError('value', what, 'base64 padding "=" is not allowed (unpadded URL-safe base64, RFC 4648 section 5)');
  }
  const bad = body.search(/[^A-Za-z0-9_-]/);
  if (bad !== -1) {
    throw new DecodeError('value', what, `character ${JSON.stringify(body[bad])} at ${bad} is not in the URL-safe base64 alphabet`);
  }
  if (body.length % 4 === 1) throw new DecodeError('length', what, `${body.length} base64 characters cannot be whole bytes`);
  const bytes = new Uint8Array(Buffer.from(body, 'base64url'));
  // Non-zero unused bits in the last character would give a second text for the same record.
  if (Buffer.from(bytes).toString('base64url') !== body) {
    throw new DecodeError('value', what, 'non-canonical base64: the last character has unused bits set');
  }
  return bytes;
}

export function decodeEnrText(text: string, options: EnrDecodeOptions = {}): Enr {
  return decodeEnr(enrTextToBytes(text), options);
}

function recordFromItem(item: RlpItem, options: EnrDecodeOptions): Enr {
  const list = asList(item, WHAT, 2);
  const signature = asBytes(list[0], `${WHAT} signature`);
  const seq = asUint64(list[1], `${WHAT} seq`);
  const rest = list.slice(2);
  if (rest.length % 2 !== 0) {
    const last = rest[rest.length - 1];
    const name = last instanceof Uint8Array ? ` (key "${formatEnrKey(keyFromBytes(last))}" has no value)` : '';
    throw new DecodeError('shape', WHAT, `odd number of key/value elements${name}`);
  }
  const pairs: EnrPair[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const key = keyFromBytes(asBytes(rest[i], `${WHAT} key #${i / 2 + 1}`));
    const prev = pairs[pairs.length - 1]?.key;
    if (prev !== undefined && key <= prev) {
      throw new DecodeError(
        'value',
        WHAT,
        key === prev
          ? `duplicate key "${formatEnrKey(key)}"`
          : `keys not sorted: "${formatEnrKey(key)}" comes after "${formatEnrKey(prev)}"`,
      );
    }
    pairs.push({ key, value: rest[i + 1]! });
  }
  const record: Enr = { seq, pairs, signature };
  if (options.verify ?? true) checkEnrSignature(record);
  return record;
}

// ---------------------------------------------------------------------------
// the "v4" identity scheme

/** Throws DecodeError saying why the record's signature cannot be accepted. */
export function checkEnrSignature(record: Enr): void {
  const scheme = enrId(record);
  if (scheme === undefined) throw new DecodeError('value', WHAT, 'no "id" entry; the identity scheme is required');
  if (scheme !== 'v4') {
    throw new DecodeError('unknown-type', WHAT, `identity scheme "${formatEnrKey(scheme)}" is not supported (only "v4")`);
  }
  const publicKey = enrPublicKey(record);
  const sig = record.signature;
  const what = `${WHAT} signature`;
  if (sig.length !== 64) throw new DecodeError('signature', what, `v4 signature must be 64 bytes (r || s), got ${sig.length}`);
  // geth (libsecp256k1 and its pure-Go fallback alike) accepts only low-s signatures, so a
  // high-s record would be valid here and refused by most of the network.
  if (bytesToBigInt(sig.subarray(32)) > SECP256K1_HALF_N) {
    throw new DecodeError('signature', what, 's is above n/2 (malleable form); v4 signatures must be low-s');
  }
  if (!verifySignature(enrSigningHash(record.seq, record.pairs), sig, publicKey)) {
    throw new DecodeError('signature', what, 'does not verify against the record\'s "secp256k1" key');
  }
}

export function verifyEnr(record: Enr): boolean {
  try {
    checkEnrSignature(record);
    return true;
  } catch (err) {
    if (err instanceof DecodeError) return false;
    throw err;
  }
}

export type EnrSignatureStatus =
  | { status: 'valid' }
  | { status: 'invalid'; reason: string }
  | { status: 'unverifiable'; reason: string };

/** For reports: a record whose scheme is missing or unknown is "unverifiable", not "invalid". */
export function enrSignatureStatus(record: Enr): EnrSignatureStatus {
  try {
    checkEnrSignature(record);
    return { status: 'valid' };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    const scheme = err.code === 'unknown-type' || (err.code === 'value' && enrGet(record, 'id') === undefined);
    return { status: scheme ? 'unverifiable' : 'invalid', reason: err.message };
  }
}

/** The 64-byte public key of a v4 record. */
export function enrPublicKey(record: Enr): PublicKey {
  const compressed = enrSecp256k1(record);
  if (compressed === undefined) throw new DecodeError('value', WHAT, 'v4 record has no "secp256k1" entry');
  return decompressPublicKey(compressed, `${WHAT} "secp256k1"`);
}

/** The v4 node address: keccak256 of the 64-byte uncompressed public key. Does not check the signature. */
export function enrNodeId(record: Enr): NodeId {
  const scheme = enrId(record);
  if (scheme !== 'v4') {
    throw new DecodeError('unknown-type', WHAT, `no node ID for identity scheme ${scheme === undefined ? '(none)' : `"${formatEnrKey(scheme)}"`}`);
  }
  return nodeIdOf(enrPublicKey(record));
}

/** Signs the pairs exactly as given (no sorting, no id or key added); for building test and fuzz records. */
export function signEnrRaw(seq: bigint, pairs: readonly EnrPair[], privateKey: PrivateKey): Enr {
  const signature = signRecoverable(enrSigningHash(seq, pairs), privateKey).slice(0, 64);
  return { seq, pairs: [...pairs], signature };
}

/**
 * A valid signed v4 record: sets "id" to "v4" and "secp256k1" to the signer's key
 * (replacing any given), sorts the keys, and throws RangeError for a duplicate
 * key, a seq outside uint64 or a result over 300 bytes.
 */
export function signEnr(content: { seq: bigint; pairs: readonly EnrPair[] }, privateKey: PrivateKey): Enr {
  if (content.seq < 0n || content.seq > MAX_UINT64) throw new RangeError(`ENR seq ${content.seq} is not a uint64`);
  const pairs = content.pairs.filter((p) => p.key !== 'id' && p.key !== 'secp256k1');
  pairs.push({ key: 'id', value: new TextEncoder().encode('v4') });
  pairs.push({ key: 'secp256k1', value: compressPublicKey(publicKeyOf(privateKey)) });
  for (const { key } of pairs) enrKeyBytes(key);
  pairs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i]!.key === pairs[i - 1]!.key) throw new RangeError(`duplicate ENR key "${formatEnrKey(pairs[i]!.key)}"`);
  }
  const record = signEnrRaw(content.seq, pairs, privateKey);
  const size = encodeEnr(record).length;
  if (size > ENR_MAX_SIZE) throw new RangeError(`ENR would be ${size} bytes, over the ${ENR_MAX_SIZE}-byte limit`);
  return record;
}

// ---------------------------------------------------------------------------
// builder

export interface EnrOptions {
  privateKey: PrivateKey;
  /** Defaults to 1. */
  seq?: bigint;
  ip?: string;
  tcp?: number;
  udp?: number;
  ip6?: string;
  tcp6?: number;
  udp6?: number;
  /** The "eth" entry: the node's current fork ID. */
  eth?: ForkId;
  /** Any other entries, by key. */
  entries?: Readonly<Record<string, RlpItem>>;
}

export function createEnr(options: EnrOptions): Enr {
  const pairs: EnrPair[] = Object.entries(options.entries ?? {}).map(([key, value]) => ({ key, value }));
  const set = (key: string, value: RlpItem | undefined) => {
    if (value === undefined) return;
    if (pairs.some((p) => p.key === key)) throw new RangeError(`ENR key "${key}" given twice`);
    pairs.push({ key, value });
  };
  if (options.ip !== undefined && !isIPv4(options.ip)) throw new RangeError(`ip must be an IPv4 address, got "${options.ip}"`);
  if (options.ip6 !== undefined && !isIPv6(options.ip6)) throw new RangeError(`ip6 must be an IPv6 address, got "${options.ip6}"`);
  set('ip', options.ip === undefined ? undefined : ipToBytes(options.ip));
  set('ip6', options.ip6 === undefined ? undefined : ipToBytes(options.ip6));
  set('tcp', portValue('tcp', options.tcp));
  set('udp', portValue('udp', options.udp));
  set('tcp6', portValue('tcp6', options.tcp6));
  set('udp6', portValue('udp6', options.udp6));
  set('eth', options.eth === undefined ? undefined : encodeEthEntry(options.eth));
  return signEnr({ seq: options.seq ?? 1n, pairs }, options.privateKey);
}

function portValue(name: string, port: number | undefined): Uint8Array | undefined {
  if (port === undefined) return undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`${name} must be a port number, got ${port}`);
  return uintToBytes(port);
}

// ---------------------------------------------------------------------------
// typed accessors for the predefined keys; absent gives undefined, malformed throws DecodeError

export function enrGet(record: Enr, key: string): RlpItem | undefined {
  return record.pairs.find((p) => p.key === key)?.value;
}

/** The identity scheme name, e.g. "v4". */
export function enrId(record: Enr): string | undefined {
  const value = enrGet(record, 'id');
  return value === undefined ? undefined : keyFromBytes(asBytes(value, `${WHAT} "id"`));
}

/** The 33-byte compressed secp256k1 key (its curve point is checked by enrPublicKey). */
export function enrSecp256k1(record: Enr): Uint8Array | undefined {
  const value = enrGet(record, 'secp256k1');
  return value === undefined ? undefined : asFixedBytes(value, `${WHAT} "secp256k1"`, 33);
}

function ipEntry(record: Enr, key: 'ip' | 'ip6', size: 4 | 16): string | undefined {
  const value = enrGet(record, key);
  return value === undefined ? undefined : bytesToIp(asFixedBytes(value, `${WHAT} "${key}"`, size));
}

function portEntry(record: Enr, key: 'tcp' | 'udp' | 'tcp6' | 'udp6'): number | undefined {
  const value = enrGet(record, key);
  // A big-endian integer; geth reads ports as canonical uint16.
  return value === undefined ? undefined : Number(asBigInt(value, `${WHAT} "${key}"`, 2));
}

export const enrIp = (record: Enr) => ipEntry(record, 'ip', 4);
export const enrIp6 = (record: Enr) => ipEntry(record, 'ip6', 16);
export const enrTcp = (record: Enr) => portEntry(record, 'tcp');
export const enrUdp = (record: Enr) => portEntry(record, 'udp');
export const enrTcp6 = (record: Enr) => portEntry(record, 'tcp6');
export const enrUdp6 = (record: Enr) => portEntry(record, 'udp6');

export interface EnrEndpoint {
  ip: string;
  tcp?: number;
  udp?: number;
}

/** The reachable endpoints, applying the spec's rule that tcp/udp apply to IPv6 too when tcp6/udp6 are absent. */
export function enrEndpoints(record: Enr): { ipv4?: EnrEndpoint; ipv6?: EnrEndpoint } {
  const out: { ipv4?: EnrEndpoint; ipv6?: EnrEndpoint } = {};
  const [ip, ip6, tcp, udp] = [enrIp(record), enrIp6(record), enrTcp(record), enrUdp(record)];
  if (ip !== undefined) out.ipv4 = withPorts(ip, tcp, udp);
  if (ip6 !== undefined) out.ipv6 = withPorts(ip6, enrTcp6(record) ?? tcp, enrUdp6(record) ?? udp);
  return out;
}

function withPorts(ip: string, tcp: number | undefined, udp: number | undefined): EnrEndpoint {
  const endpoint: EnrEndpoint = { ip };
  if (tcp !== undefined) endpoint.tcp = tcp;
  if (udp !== undefined) endpoint.udp = udp;
  return endpoint;
}

// ---------------------------------------------------------------------------
// the "eth" entry: [[forkHash, forkNext], ...]

export function encodeEthEntry(forkId: ForkId): RlpItem {
  const [hash, next] = forkIdToRlp(forkId);
  return [[hash, uintToBytes(next)]];
}

/** The fork ID of an "eth" entry value. Later list elements are ignored, as enr-entries/eth.md requires. */
export function decodeEthEntry(value: RlpItem): ForkId {
  const what = `${WHAT} "eth"`;
  const list = asList(value, what, 1);
  return forkIdFromRlp(list[0], `${what} fork id`);
}

export function enrEth(record: Enr): ForkId | undefined {
  const value = enrGet(record, 'eth');
  return value === undefined ? undefined : decodeEthEntry(value);
}

// ---------------------------------------------------------------------------
// IP addresses as ENR bytes

/**
 * 4 bytes for an IPv4 literal, 16 for an IPv6 literal. Stricter than the shared
 * ipToBytes in ./ip.ts: zone IDs are refused (they mean nothing remotely) and a
 * non-literal is a RangeError.
 */
export function ipToBytes(ip: string): Uint8Array {
  if (ip.includes('%') || (!isIPv4(ip) && !isIPv6(ip))) throw new RangeError(`not an IP address literal: "${ip}"`);
  return wireIpToBytes(ip);
}

/** Dotted quad for 4 bytes; RFC 5952 text for 16 (IPv4-mapped addresses as ::ffff:a.b.c.d); RangeError for any other length. */
export function bytesToIp(bytes: Uint8Array): string {
  const text = ipToString(bytes);
  if (text === undefined) throw new RangeError(`an IP address is 4 or 16 bytes, got ${bytes.length}`);
  return text;
}
