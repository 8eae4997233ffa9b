/**
 * Dialing identities for campaigns that open thousands of honest sessions to
 * one target: a key, its public key and an auth prepared for the target
 * (PreparedAuth), reused across sessions. About a third of the eth
 * campaign's CPU went into making fresh keys and auths.
 *
 * An identity is never lent twice at once: a target refuses a second session
 * from a node id it is already connected to (Disconnect 0x05), which would
 * be a false finding. An identity is released when its connection has
 * closed on our side, goes to the back of the queue, and rests at least
 * REUSE_AFTER_MS: a target may drop the peer from its table a little after
 * the socket closes (geth removes it on its run loop).
 */
import type { DialIdentity } from '../../conformance/sim/sim-peer.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { generatePrivateKey, publicKeyOf, type PrivateKey, type PublicKey } from '../../reference-node/wire/keys.js';
import { HandshakeInitiator, type PreparedAuth } from '../../reference-node/wire/rlpx/handshake.js';

interface Pooled {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  preparedAuth: PreparedAuth;
  releasedAt?: number;
}

export const REUSE_AFTER_MS = 250;

/**
 * 48 identities: above the sessions a campaign holds at once (the eth
 * campaign's 24 jobs, as many idle sessions and a spare), and below the 64
 * remote keys whose static secret the reference node remembers, so that
 * cache is not defeated either.
 */
export const DEFAULT_POOL_SIZE = 48;

export class IdentityPool {
  private free: Pooled[] = [];
  private created = 0;
  private target: string;

  constructor(
    private targetPublicKey: PublicKey,
    private readonly size = DEFAULT_POOL_SIZE,
    private readonly now: () => number = Date.now,
  ) {
    this.target = bytesToHex(targetPublicKey);
  }

  /** A free identity that has rested, else a new pooled one while fewer than `size` exist, else a fresh one used once. */
  take(): DialIdentity {
    const rested = this.free[0] !== undefined && this.now() - this.free[0].releasedAt! >= REUSE_AFTER_MS;
    const pooled = rested ? this.free.shift() : this.created < this.size ? this.create() : undefined;
    if (!pooled) return this.oneOff();
    let released = false;
    const target = this.target;
    return {
      privateKey: pooled.privateKey,
      publicKey: pooled.publicKey,
      preparedAuth: pooled.preparedAuth,
      release: () => {
        if (released) return;
        released = true;
        pooled.releasedAt = this.now();
        // An identity made for a target that has since been replaced is dropped, not reused.
        if (target === this.target) this.free.push(pooled);
      },
    };
  }

  /** A new target (after a restart): auths made for the old key are dropped. */
  retarget(targetPublicKey: PublicKey): void {
    const id = bytesToHex(targetPublicKey);
    if (id === this.target) return;
    this.target = id;
    this.targetPublicKey = targetPublicKey;
    this.free = [];
    this.created = 0;
  }

  /** Identities lent now (for tests). */
  get lentCount(): number {
    return this.created - this.free.length;
  }

  private create(): Pooled {
    this.created++;
    return this.fresh();
  }

  private oneOff(): DialIdentity {
    return { ...this.fresh(), release: () => undefined };
  }

  private fresh(): Pooled {
    const privateKey = generatePrivateKey();
    return {
      privateKey,
      publicKey: publicKeyOf(privateKey),
      preparedAuth: HandshakeInitiator.prepare({ privateKey, remotePublicKey: this.targetPublicKey }),
    };
  }
}
