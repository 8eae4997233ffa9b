/**
 * Clique's voting snapshot (EIP-225): the authorized signers at a block, who
 * signed recently, and the votes cast since the last checkpoint. Applying a
 * header checks that its signer is authorized and has not signed within the
 * last floor(N/2)+1 blocks, then tallies the vote carried in coinbase and
 * nonce; a strict majority adds or drops the account. The rules and their
 * corner cases follow geth's consensus/clique/snapshot.go.
 */
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { BlockHeader } from '../wire/block.js';
import type { Hash32 } from '../wire/tx/types.js';

export const NONCE_AUTH_VOTE = new Uint8Array(8).fill(0xff);
export const NONCE_DROP_VOTE = new Uint8Array(8);

/** Addresses are kept as lowercase hex without 0x: Map keys that sort like the bytes. */
export type AddressHex = string;

interface Vote {
  signer: AddressHex;
  block: bigint;
  address: AddressHex;
  authorize: boolean;
}

interface Tally {
  authorize: boolean;
  votes: number;
}

/** Why a header cannot be applied, in geth's words. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export class CliqueSnapshot {
  private constructor(
    readonly number: bigint,
    readonly hash: Hash32,
    /** Sorted ascending, as the in-turn rotation needs. */
    readonly signers: readonly AddressHex[],
    /** Block number → the signer of that block, for the blocks that still bar their signer. */
    readonly recents: ReadonlyMap<bigint, AddressHex>,
    private readonly votes: readonly Vote[],
    private readonly tally: ReadonlyMap<AddressHex, Tally>,
  ) {}

  /** The snapshot at a checkpoint (the genesis, typically): the listed signers, no history. */
  static fromCheckpoint(number: bigint, hash: Hash32, signers: readonly Uint8Array[]): CliqueSnapshot {
    const sorted = [...new Set(signers.map((s) => bytesToHex(s)))].sort();
    return new CliqueSnapshot(number, hash, sorted, new Map(), [], new Map());
  }

  isSigner(address: AddressHex): boolean {
    return this.signers.includes(address);
  }

  /** Whether `signer` is the in-turn signer of block `number`: signers take turns in address order. */
  inTurn(number: bigint, signer: AddressHex): boolean {
    const offset = this.signers.indexOf(signer);
    return offset >= 0 && number % BigInt(this.signers.length) === BigInt(offset);
  }

  /** Blocks a signer must wait after signing one: it may sign again once floor(N/2)+1 blocks have passed. */
  get recentLimit(): bigint {
    return BigInt(Math.floor(this.signers.length / 2) + 1);
  }

  /** The vote tallies, for inspection (address → votes so far). */
  tallies(): ReadonlyMap<AddressHex, Readonly<Tally>> {
    return this.tally;
  }

  /**
   * The snapshot after `headers`, which must continue this one in order.
   * `signerOf` recovers a header's signer; `epoch` is the checkpoint interval.
   * Throws SnapshotError for an unauthorized or recent signer or a bad vote nonce.
   */
  apply(headers: readonly { header: BlockHeader; hash: Hash32 }[], epoch: bigint, signerOf: (header: BlockHeader, hash: Hash32) => AddressHex): CliqueSnapshot {
    if (headers.length === 0) return this;
    const signers = new Set(this.signers);
    const recents = new Map(this.recents);
    let votes = [...this.votes];
    const tally = new Map(this.tally);
    const limit = () => BigInt(Math.floor(signers.size / 2) + 1);
    const validVote = (address: AddressHex, authorize: boolean) => signers.has(address) !== authorize;
    const cast = (address: AddressHex, authorize: boolean): boolean => {
      if (!validVote(address, authorize)) return false;
      const t = tally.get(address);
      tally.set(address, t === undefined ? { authorize, votes: 1 } : { authorize: t.authorize, votes: t.votes + 1 });
      return true;
    };
    const uncast = (address: AddressHex, authorize: boolean): void => {
      const t = tally.get(address);
      if (t === undefined || t.authorize !== authorize) return;
      if (t.votes > 1) tally.set(address, { authorize, votes: t.votes - 1 });
      else tally.delete(address);
    };

    let expected = this.number + 1n;
    for (const { header, hash } of headers) {
      const number = header.number;
      if (number !== expected) throw new SnapshotError(`header ${number} does not continue the snapshot at ${expected - 1n}`);
      expected++;
      // A checkpoint resets the votes, but not the recent signers.
      if (number % epoch === 0n) {
        votes = [];
        tally.clear();
      }
      if (number >= limit()) recents.delete(number - limit());
      const signer = signerOf(header, hash);
      if (!signers.has(signer)) throw new SnapshotError(`unauthorized signer 0x${signer}`);
      for (const recent of recents.values()) if (recent === signer) throw new SnapshotError(`signer 0x${signer} signed recently`);
      recents.set(number, signer);

      // A signer's new vote on an address replaces its earlier one.
      const coinbase = bytesToHex(header.coinbase);
      const earlier = votes.findIndex((v) => v.signer === signer && v.address === coinbase);
      if (earlier >= 0) {
        uncast(votes[earlier]!.address, votes[earlier]!.authorize);
        votes.splice(earlier, 1);
      }
      let authorize: boolean;
      if (equalBytes(header.nonce, NONCE_AUTH_VOTE)) authorize = true;
      else if (equalBytes(header.nonce, NONCE_DROP_VOTE)) authorize = false;
      else throw new SnapshotError(`invalid vote nonce 0x${bytesToHex(header.nonce)}`);
      if (cast(coinbase, authorize)) votes.push({ signer, block: number, address: coinbase, authorize });

      const t = tally.get(coinbase);
      if (t !== undefined && t.votes > Math.floor(signers.size / 2)) {
        if (t.authorize) signers.add(coinbase);
        else {
          signers.delete(coinbase);
          // Fewer signers, a shorter wait: release the signer the new limit no longer bars.
          if (number >= limit()) recents.delete(number - limit());
          // The dropped signer's own votes no longer count.
          for (let i = 0; i < votes.length; i++) {
            if (votes[i]!.signer === coinbase) {
              uncast(votes[i]!.address, votes[i]!.authorize);
              votes.splice(i--, 1);
            }
          }
        }
        votes = votes.filter((v) => v.address !== coinbase);
        tally.delete(coinbase);
      }
    }
    const last = headers[headers.length - 1]!;
    return new CliqueSnapshot(last.header.number, last.hash, [...signers].sort(), recents, votes, tally);
  }
}
