/**
 * Clique proof of authority (EIP-225): header verification for the chain and
 * sealing for the miner. A header carries its signer's signature in the last
 * 65 bytes of extraData, over the header with those bytes cut off; checkpoint
 * headers (every `epoch` blocks) also list the signers. Difficulty says whether
 * the signer was in turn (2) or not (1). Rules as geth's consensus/clique.
 */
import { EMPTY_OMMERS_HASH, encodeBlockHeader, type BlockHeader } from '../wire/block.js';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { keccak256, signRecoverable, type PrivateKey } from '../wire/keys.js';
import { addressOf } from '../wire/tx/signer.js';
import type { Address, Hash32 } from '../wire/tx/types.js';
import { CliqueSnapshot, NONCE_AUTH_VOTE, NONCE_DROP_VOTE, SnapshotError, type AddressHex } from './clique-snapshot.js';
import type { CliqueConfig } from './config.js';
import type { ConsensusEngine, HeaderLookup } from './consensus.js';
import { BlockValidationError, type BlockRule } from './errors.js';
import { Lru } from './lru.js';
import { recoverPublicKeyMemo } from './recovery-memo.js';

export const EXTRA_VANITY = 32;
export const EXTRA_SEAL = 65;
export const DIFF_IN_TURN = 2n;
export const DIFF_NO_TURN = 1n;

/** The digest a Clique signer signs: the header with the seal cut off extraData. */
export function cliqueSealHash(header: BlockHeader): Hash32 {
  if (header.extraData.length < EXTRA_SEAL) throw new RangeError(`extraData of ${header.extraData.length} bytes has no room for a seal`);
  return keccak256(encodeBlockHeader({ ...header, extraData: header.extraData.subarray(0, header.extraData.length - EXTRA_SEAL) }));
}

/** The address that sealed `header`; throws if the seal does not recover. */
export function recoverCliqueSigner(header: BlockHeader): Address {
  const { digest, signature } = cliqueSealSignature(header);
  return addressOf(recoverPublicKeyMemo(digest, signature, 'clique seal'));
}

/** The seal as a signature over its digest (throws RangeError when extraData has no room for one). */
export function cliqueSealSignature(header: BlockHeader): { digest: Hash32; signature: Uint8Array } {
  return { digest: cliqueSealHash(header), signature: header.extraData.subarray(header.extraData.length - EXTRA_SEAL) };
}

/** Writes the signature of `key` into the seal bytes (the last 65 of extraData, which must be there). */
export function sealHeader(header: BlockHeader, key: PrivateKey): BlockHeader {
  const signature = signRecoverable(cliqueSealHash(header), key);
  const extraData = concatBytes(header.extraData.subarray(0, header.extraData.length - EXTRA_SEAL), signature);
  return { ...header, extraData };
}

/** The signer list of a checkpoint header's extraData. */
export function checkpointSigners(header: BlockHeader): Address[] {
  const list = header.extraData.subarray(EXTRA_VANITY, header.extraData.length - EXTRA_SEAL);
  const out: Address[] = [];
  for (let i = 0; i + 20 <= list.length; i += 20) out.push(list.slice(i, i + 20));
  return out;
}

/** What a miner needs to fill in before sealing a child of `parent`. */
export interface CliqueHeaderFields {
  difficulty: bigint;
  /** Vanity (zeros), the signer list on checkpoints, and 65 zero bytes for the seal. */
  extraData: Uint8Array;
  coinbase: Address;
  nonce: Uint8Array;
  mixHash: Hash32;
  /** The earliest timestamp the block may carry: parent time + period. */
  minTimestamp: bigint;
  /** Whether the signer is in turn; an out-of-turn signer should wait a little longer (geth's wiggle). */
  inTurn: boolean;
}

export interface CliqueEngineOptions {
  /** Unix seconds; headers from the future are refused as geth does. Defaults to the wall clock. */
  now?: () => bigint;
}

export class CliqueEngine implements ConsensusEngine {
  readonly name = 'clique';
  private readonly snapshots = new Lru<string, CliqueSnapshot>(1024);
  private readonly signers = new Lru<string, AddressHex>(4096);
  private readonly now: () => bigint;

  constructor(
    readonly config: CliqueConfig,
    options: CliqueEngineOptions = {},
  ) {
    this.now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
  }

  /** The recovered signer of a header, cached by hash. */
  signerOf(header: BlockHeader, hash: Hash32): AddressHex {
    const key = bytesToHex(hash);
    let signer = this.signers.get(key);
    if (signer === undefined) {
      signer = bytesToHex(recoverCliqueSigner(header));
      this.signers.set(key, signer);
    }
    return signer;
  }

  /**
   * The snapshot after block `hash`: from the cache, else by walking back to a
   * cached snapshot or the genesis and applying the headers in between.
   */
  snapshot(hash: Hash32, chain: HeaderLookup): CliqueSnapshot {
    const pending: { header: BlockHeader; hash: Hash32 }[] = [];
    let snap: CliqueSnapshot | undefined;
    for (let h = hash; ; ) {
      snap = this.snapshots.get(bytesToHex(h));
      if (snap !== undefined) break;
      const header = chain.headerByHash(h);
      if (header === undefined) throw new SnapshotError(`unknown ancestor 0x${bytesToHex(h)}`);
      if (header.number === 0n) {
        snap = CliqueSnapshot.fromCheckpoint(0n, h, checkpointSigners(header));
        break;
      }
      pending.push({ header, hash: h });
      h = header.parentHash;
    }
    pending.reverse();
    snap = snap.apply(pending, this.config.epoch, (header, h) => this.signerOf(header, h));
    this.snapshots.set(bytesToHex(hash), snap);
    return snap;
  }

  verifyHeader(header: BlockHeader, hash: Hash32, parent: BlockHeader, chain: HeaderLookup): void {
    const fail = (rule: BlockRule, detail: string): never => {
      throw new BlockValidationError(header.number, hash, rule, `clique: ${detail}`);
    };
    const { number } = header;
    if (header.timestamp > this.now()) fail('timestamp', `block from the future (${header.timestamp})`);
    const checkpoint = number % this.config.epoch === 0n;
    if (checkpoint && !equalBytes(header.coinbase, new Uint8Array(20))) fail('consensus', 'a checkpoint block must not vote (coinbase must be zero)');
    const voteNonce = equalBytes(header.nonce, NONCE_AUTH_VOTE) || equalBytes(header.nonce, NONCE_DROP_VOTE);
    if (!voteNonce) fail('nonce', 'the nonce must be 0x00… (drop vote) or 0xff… (authorize vote)');
    if (checkpoint && !equalBytes(header.nonce, NONCE_DROP_VOTE)) fail('nonce', 'a checkpoint block must not vote (nonce must be zero)');
    const extra = header.extraData.length;
    if (extra < EXTRA_VANITY) fail('extra-data', `${extra} bytes, missing the 32-byte vanity`);
    if (extra < EXTRA_VANITY + EXTRA_SEAL) fail('extra-data', `${extra} bytes, missing the 65-byte seal`);
    const signerBytes = extra - EXTRA_VANITY - EXTRA_SEAL;
    if (!checkpoint && signerBytes !== 0) fail('extra-data', 'a signer list outside a checkpoint block');
    if (checkpoint && signerBytes % 20 !== 0) fail('extra-data', `a checkpoint signer list of ${signerBytes} bytes, not a multiple of 20`);
    if (!equalBytes(header.mixHash, new Uint8Array(32))) fail('mix-hash', 'the mix digest must be zero');
    if (!equalBytes(header.ommersHash, EMPTY_OMMERS_HASH)) fail('ommers', 'Clique blocks have no ommers');
    if (header.difficulty !== DIFF_IN_TURN && header.difficulty !== DIFF_NO_TURN) fail('difficulty', `difficulty ${header.difficulty} is neither 1 nor 2`);
    if (parent.timestamp + this.config.period > header.timestamp) {
      fail('timestamp', `timestamp ${header.timestamp} is less than the period ${this.config.period} after the parent's ${parent.timestamp}`);
    }

    let before: CliqueSnapshot;
    let after: CliqueSnapshot;
    try {
      before = this.snapshot(header.parentHash, chain);
      after = before.apply([{ header, hash }], this.config.epoch, (h, x) => this.signerOf(h, x));
    } catch (err) {
      if (err instanceof SnapshotError) return fail('consensus', err.message);
      if (err instanceof DecodeError) return fail('consensus', `bad seal: ${err.message}`);
      throw err;
    }
    if (checkpoint) {
      const listed = checkpointSigners(header).map((s) => bytesToHex(s));
      if (listed.join() !== before.signers.join()) fail('consensus', 'the checkpoint signer list differs from the voted signers');
    }
    const signer = this.signerOf(header, hash);
    const want = before.inTurn(number, signer) ? DIFF_IN_TURN : DIFF_NO_TURN;
    if (header.difficulty !== want) fail('difficulty', `signer 0x${signer} is ${want === DIFF_IN_TURN ? 'in' : 'out of'} turn, so the difficulty must be ${want}`);
    this.snapshots.set(bytesToHex(hash), after);
  }

  /** The seal's signature, for recovering it ahead of verification (none when extraData cannot hold one, or the signer is known). */
  sealSignatures(header: BlockHeader, hash: Hash32): { digest: Hash32; signature: Uint8Array }[] {
    if (header.extraData.length < EXTRA_SEAL || this.signers.get(bytesToHex(hash)) !== undefined) return [];
    return [cliqueSealSignature(header)];
  }

  /** The signer of a verified header (geth's Author): Clique pays fees to it, not to the coinbase, which carries votes. */
  author(header: BlockHeader, hash: Hash32): Address {
    return hexToBytes(this.signerOf(header, hash));
  }

  verifyUncles(block: { header: BlockHeader; uncles: readonly BlockHeader[] }, hash: Hash32): void {
    if (block.uncles.length > 0) throw new BlockValidationError(block.header.number, hash, 'ommers', 'clique: Clique blocks have no ommers');
  }

  /**
   * The Clique fields of a block `signer` would seal on top of `parent`
   * (geth's Prepare), with an optional vote. Throws if `signer` may not seal
   * it now (not authorized, or signed too recently).
   */
  prepare(parentHash: Hash32, chain: HeaderLookup, signer: Address, vote?: { address: Address; authorize: boolean }): CliqueHeaderFields {
    const parent = chain.headerByHash(parentHash);
    if (parent === undefined) throw new RangeError(`unknown parent 0x${bytesToHex(parentHash)}`);
    const snap = this.snapshot(parentHash, chain);
    const number = parent.number + 1n;
    const me = bytesToHex(signer);
    if (!snap.isSigner(me)) throw new SnapshotError(`unauthorized signer 0x${me}`);
    for (const [seen, recent] of snap.recents) {
      // geth's Seal: wait while the signer is among the last floor(N/2)+1 (the oldest of them rotates out at `number`).
      if (recent === me && (number < snap.recentLimit || seen > number - snap.recentLimit)) throw new SnapshotError(`signer 0x${me} signed recently, must wait`);
    }
    const checkpoint = number % this.config.epoch === 0n;
    const inTurn = snap.inTurn(number, me);
    const list = checkpoint ? snap.signers.map((s) => hexToBytes(s)) : [];
    return {
      difficulty: inTurn ? DIFF_IN_TURN : DIFF_NO_TURN,
      extraData: concatBytes(new Uint8Array(EXTRA_VANITY), ...list, new Uint8Array(EXTRA_SEAL)),
      coinbase: checkpoint || vote === undefined ? new Uint8Array(20) : vote.address,
      nonce: checkpoint || vote === undefined || !vote.authorize ? NONCE_DROP_VOTE.slice() : NONCE_AUTH_VOTE.slice(),
      mixHash: new Uint8Array(32),
      minTimestamp: parent.timestamp + this.config.period,
      inTurn,
    };
  }
}
