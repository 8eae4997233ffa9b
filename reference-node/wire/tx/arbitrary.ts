/**
 * fast-check arbitraries for valid transactions, shared by the codec tests and
 * (later) the fuzzers. fast-check is imported as a type only and passed in, so
 * this module adds no runtime dependency to the wire layer.
 */
import type FastCheckDefault from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { SECP256K1_N } from './signature.js';
import { CELLS_PER_EXT_BLOB } from './sidecar.js';
import type {
  AccessList,
  Authorization,
  BlobSidecar,
  Transaction,
  UnsignedTransaction,
} from './types.js';

type Fc = typeof FastCheckDefault;
type Arb<T> = Arbitrary<T>;

export const bytesArb = (fc: Fc, length: number): Arb<Uint8Array> => fc.uint8Array({ minLength: length, maxLength: length });
export const addressArb = (fc: Fc): Arb<Uint8Array> => bytesArb(fc, 20);
export const hashArb = (fc: Fc): Arb<Uint8Array> => bytesArb(fc, 32);
/** Biased toward the edges where canonical-scalar bugs live (0, one byte, full width). */
export const uintArb = (fc: Fc, bits: number): Arb<bigint> =>
  fc.oneof(
    fc.constantFrom(0n, 1n, 127n, 128n, 255n, 256n, (1n << BigInt(bits)) - 1n),
    fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
  );
export const u64Arb = (fc: Fc): Arb<bigint> => uintArb(fc, 64);
export const u256Arb = (fc: Fc): Arb<bigint> => uintArb(fc, 256);
export const dataArb = (fc: Fc): Arb<Uint8Array> => fc.uint8Array({ maxLength: 80 });
export const scalarArb = (fc: Fc): Arb<bigint> =>
  fc.oneof(fc.constantFrom(1n, SECP256K1_N - 1n), fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }));

export function accessListArb(fc: Fc): Arb<AccessList> {
  return fc.array(fc.record({ address: addressArb(fc), storageKeys: fc.array(hashArb(fc), { maxLength: 3 }) }), {
    maxLength: 3,
  });
}

/** Authorizations as the codec sees them: any uint8 y-parity, any uint256 r and s. */
export function authorizationArb(fc: Fc): Arb<Authorization> {
  return fc.record({
    chainId: u256Arb(fc),
    address: addressArb(fc),
    nonce: u64Arb(fc),
    yParity: fc.integer({ min: 0, max: 255 }),
    r: u256Arb(fc),
    s: u256Arb(fc),
  });
}

/** Blobs are 128 KiB; a filled blob keeps generation cheap while exercising the size check. */
export function sidecarArb(fc: Fc): Arb<BlobSidecar> {
  const blob = fc.integer({ min: 0, max: 255 }).map((b) => new Uint8Array(131072).fill(b));
  return fc.constantFrom<0 | 1>(0, 1).chain((wrapperVersion) =>
    fc.integer({ min: 0, max: 1 }).chain((n) =>
      fc.record({
        wrapperVersion: fc.constant(wrapperVersion),
        blobs: fc.array(blob, { minLength: n, maxLength: n }),
        commitments: fc.array(bytesArb(fc, 48), { minLength: n, maxLength: n }),
        proofs: fc.array(bytesArb(fc, 48), {
          minLength: n * (wrapperVersion === 1 ? CELLS_PER_EXT_BLOB : 1),
          maxLength: n * (wrapperVersion === 1 ? CELLS_PER_EXT_BLOB : 1),
        }),
      }),
    ),
  );
}

export interface TxArbOptions {
  /** Allow a blob sidecar on type-3 txs (network form). Blocks never carry one. */
  sidecars?: boolean;
  /** Fix the chain id (for cross-checks against an implementation bound to one chain). */
  chainId?: Arb<bigint>;
}

export function unsignedTxArb(fc: Fc, options: TxArbOptions = {}): Arb<UnsignedTransaction> {
  const chainId = options.chainId ?? u256Arb(fc);
  const base = { nonce: u64Arb(fc), gasLimit: u64Arb(fc), value: u256Arb(fc), data: dataArb(fc) };
  const to = fc.option(addressArb(fc), { nil: null });
  const fees = { maxPriorityFeePerGas: u256Arb(fc), maxFeePerGas: u256Arb(fc) };
  const legacy = fc.record({
    type: fc.constant(0 as const),
    ...base,
    gasPrice: u256Arb(fc),
    to,
    // A legacy chain id must leave room for v = 2 * chainId + 36 in 32 bytes.
    chainId: fc.option(options.chainId ?? uintArb(fc, 254), { nil: null }),
  });
  const accessList = fc.record({ type: fc.constant(1 as const), chainId, ...base, gasPrice: u256Arb(fc), to, accessList: accessListArb(fc) });
  const dynamicFee = fc.record({ type: fc.constant(2 as const), chainId, ...base, ...fees, to, accessList: accessListArb(fc) });
  const blobBody = {
    type: fc.constant(3 as const),
    chainId,
    ...base,
    ...fees,
    to: addressArb(fc),
    accessList: accessListArb(fc),
    maxFeePerBlobGas: u256Arb(fc),
    blobVersionedHashes: fc.array(hashArb(fc), { maxLength: 3 }),
  };
  const blob = options.sidecars
    ? fc.oneof({ arbitrary: fc.record(blobBody), weight: 4 }, { arbitrary: fc.record({ ...blobBody, sidecar: sidecarArb(fc) }), weight: 1 })
    : fc.record(blobBody);
  const setCode = fc.record({
    type: fc.constant(4 as const),
    chainId,
    ...base,
    ...fees,
    to: addressArb(fc),
    accessList: accessListArb(fc),
    authorizationList: fc.array(authorizationArb(fc), { maxLength: 3 }),
  });
  return fc.oneof(legacy, accessList, dynamicFee, blob, setCode);
}

/**
 * Signed transactions with random (valid-range) signature values: enough for
 * codec round trips, without the cost of signing. Use signTransaction when the
 * sender matters.
 */
export function txArb(fc: Fc, options: TxArbOptions = {}): Arb<Transaction> {
  return fc.tuple(unsignedTxArb(fc, options), scalarArb(fc), scalarArb(fc), fc.constantFrom<0 | 1>(0, 1)).map(
    ([tx, r, s, parity]): Transaction => {
      if (tx.type === 0) {
        const { chainId, ...body } = tx;
        const v = chainId === null ? 27n + BigInt(parity) : chainId * 2n + 35n + BigInt(parity);
        return { ...body, v, r, s };
      }
      return { ...tx, yParity: parity, r, s };
    },
  );
}
