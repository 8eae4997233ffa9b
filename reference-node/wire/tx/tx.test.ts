import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createCustomCommon, Hardfork, Mainnet, type Common } from '@ethereumjs/common';
import { createTx, createTxFromRLP } from '@ethereumjs/tx';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectDecodeError } from '../../../test-support/decode-errors.js';
import { readSharedJson, sharedPath } from '../../../test-support/shared.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { publicKeyOf } from '../keys.js';
import { decodeRlp, encodeRlp, type RlpInput, type RlpItem } from '../rlp.js';
import { scalarArb, txArb, unsignedTxArb } from './arbitrary.js';
import {
  addressOf,
  blobVersionedHash,
  decodeTransaction,
  encodeCanonicalTransaction,
  encodeTransaction,
  recoverAuthority,
  recoverSender,
  SECP256K1_N,
  signAuthorization,
  signingHash,
  signTransaction,
  transactionFromRlp,
  transactionHash,
  transactionToRlp,
  validateBlobSidecar,
  type BlobTx,
  type Transaction,
  type UnsignedTransaction,
} from './index.js';

const hex = bytesToHex;

const privateKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((k) => {
    const n = BigInt('0x' + hex(k));
    return n > 0n && n < SECP256K1_N;
  });

/** A kzg stub: ethereumjs demands a backend for any blob tx, but never calls it for the canonical form. */
const noKzg = new Proxy({}, { get: () => () => { throw new Error('KZG not expected'); } });
function pragueCommon(chainId = 1): Common {
  return createCustomCommon({ chainId }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: { kzg: noKzg } as never });
}

describe('ethereum/tests ttWrongRLP', () => {
  type Case = { txbytes: string; result: Record<string, { exception?: string; hash?: string }> };
  const dir = ['vectors-reference', 'transaction-tests', 'ttWrongRLP'] as const;
  const files = readdirSync(sharedPath(...dir)).filter((f) => f.endsWith('.json'));

  /**
   * Two files are not malformed RLP: they decode in geth too (its decoder checks
   * only the ranges of v, r and s) and fail when the sender is recovered.
   *  - tr201506052141PYTHON: v = 0x89 is EIP-155 for chain 51, not chain 1 (INVALID_CHAINID).
   *  - TRANSCT_rvalue_TooShort: a 30-byte r is a valid scalar; s is above n/2, which
   *    EIP-2 forbids (INVALID_SIGNATURE_VRS; EC_RECOVERY_FAIL under Frontier).
   */
  const RECOVERY_FAILURES = new Set(['tr201506052141PYTHON', 'TRANSCT_rvalue_TooShort']);

  it('has the 59 files, none valid for any fork', () => {
    expect(files).toHaveLength(59);
    for (const file of files) {
      for (const [name, c] of Object.entries(readSharedJson<Record<string, Case>>(...dir, file))) {
        for (const [fork, r] of Object.entries(c.result)) {
          expect(r.exception, `${name} is valid under ${fork}`).toBeDefined();
        }
      }
    }
  });

  for (const file of files) {
    for (const [name, c] of Object.entries(readSharedJson<Record<string, Case>>(...dir, file))) {
      it(`rejects ${name}`, () => {
        const bytes = hexToBytes(c.txbytes);
        if (RECOVERY_FAILURES.has(name)) {
          const tx = decodeTransaction(bytes);
          expect(hex(encodeTransaction(tx))).toBe(hex(bytes));
          expectDecodeError(() => recoverSender(tx, { chainId: 1n }));
        } else {
          expectDecodeError(() => decodeTransaction(bytes));
          // Also inside a Transactions list: legacy bytes as a list element, typed as a byte string.
          const item = bytes[0]! >= 0xc0 ? safeRlp(bytes) : bytes;
          if (item !== undefined) expectDecodeError(() => transactionFromRlp(item));
        }
      });
    }
  }
});

function safeRlp(bytes: Uint8Array): RlpItem | undefined {
  try {
    return decodeRlp(bytes, 'x');
  } catch {
    return undefined;
  }
}

describe('EIP-2481 example transactions', () => {
  const cases = readSharedJson<{ cases: { type: string; rlp: string; data: { PooledTransactionsPacket?: { hash: string; v: string }[] } }[] }>(
    'vectors-reference',
    'eth66-messages-eip2481.json',
  ).cases;
  const pooled = cases.find((c) => c.type === 'PooledTransactionsPacket66')!;
  const items = ((decodeRlp(hexToBytes(pooled.rlp), 'x') as RlpItem[])[1] as RlpItem[]);

  it('decode to the hashes the EIP prints and recover the sender @ethereumjs/tx recovers', () => {
    expect(items).toHaveLength(2);
    items.forEach((item, i) => {
      const tx = transactionFromRlp(item);
      expect(tx.type).toBe(0);
      expect('0x' + hex(transactionHash(tx))).toBe(pooled.data.PooledTransactionsPacket![i]!.hash);
      const theirs = createTxFromRLP(encodeRlp(item as RlpInput), { common: pragueCommon(1) });
      expect(hex(recoverSender(tx, { chainId: 1n }))).toBe(hex(theirs.getSenderAddress().bytes));
    });
  });
});

/** Unsigned txs that @ethereumjs/tx also accepts on a Prague chain with id 1. */
function ethereumjsCompatibleUnsigned(): fc.Arbitrary<UnsignedTransaction> {
  const small = fc.bigInt({ min: 0n, max: 1n << 64n });
  const fee = fc.tuple(small, small).map(([a, b]) => (a < b ? [a, b] : [b, a]) as [bigint, bigint]);
  const base = {
    nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 2n }),
    gasLimit: fc.bigInt({ min: 21000n, max: 1n << 24n }),
    value: fc.bigInt({ min: 0n, max: 1n << 128n }),
    data: fc.uint8Array({ maxLength: 64 }),
  };
  const address = fc.uint8Array({ minLength: 20, maxLength: 20 });
  const accessList = fc.array(
    fc.record({ address, storageKeys: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 2 }) }),
    { maxLength: 2 },
  );
  const versioned = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((h) => Uint8Array.from([1, ...h.subarray(1)]));
  return fc.oneof(
    fc.record({ type: fc.constant(0 as const), ...base, gasPrice: small, to: fc.option(address, { nil: null }), chainId: fc.constant(1n) }),
    fc.record({ type: fc.constant(1 as const), chainId: fc.constant(1n), ...base, gasPrice: small, to: fc.option(address, { nil: null }), accessList }),
    fee.chain(([tip, max]) =>
      fc.record({ type: fc.constant(2 as const), chainId: fc.constant(1n), ...base, maxPriorityFeePerGas: fc.constant(tip), maxFeePerGas: fc.constant(max), to: fc.option(address, { nil: null }), accessList }),
    ),
    fee.chain(([tip, max]) =>
      fc.record({
        type: fc.constant(3 as const),
        chainId: fc.constant(1n),
        ...base,
        maxPriorityFeePerGas: fc.constant(tip),
        maxFeePerGas: fc.constant(max),
        to: address,
        accessList,
        maxFeePerBlobGas: small,
        blobVersionedHashes: fc.array(versioned, { minLength: 1, maxLength: 6 }),
      }),
    ),
    fc.tuple(fee, fc.array(fc.tuple(address, fc.bigInt({ min: 0n, max: 1000n }), privateKey), { minLength: 1, maxLength: 2 })).chain(([[tip, max], auths]) =>
      fc.record({
        type: fc.constant(4 as const),
        chainId: fc.constant(1n),
        ...base,
        maxPriorityFeePerGas: fc.constant(tip),
        maxFeePerGas: fc.constant(max),
        to: address,
        accessList,
        authorizationList: fc.constant(auths.map(([a, nonce, key]) => signAuthorization({ chainId: 1n, address: a, nonce }, key))),
      }),
    ),
  );
}

/** The same unsigned tx in @ethereumjs/tx's input form. */
function toEthereumjsData(u: UnsignedTransaction): Record<string, unknown> {
  const common = { nonce: u.nonce, gasLimit: u.gasLimit, value: u.value, data: u.data, to: u.to ?? undefined, type: u.type };
  switch (u.type) {
    case 0:
      return { ...common, gasPrice: u.gasPrice };
    case 1:
      return { ...common, chainId: u.chainId, gasPrice: u.gasPrice, accessList: u.accessList.map((e) => [e.address, e.storageKeys]) };
    case 2:
      return { ...common, chainId: u.chainId, maxPriorityFeePerGas: u.maxPriorityFeePerGas, maxFeePerGas: u.maxFeePerGas, accessList: u.accessList.map((e) => [e.address, e.storageKeys]) };
    case 3:
      return {
        ...common,
        chainId: u.chainId,
        maxPriorityFeePerGas: u.maxPriorityFeePerGas,
        maxFeePerGas: u.maxFeePerGas,
        accessList: u.accessList.map((e) => [e.address, e.storageKeys]),
        maxFeePerBlobGas: u.maxFeePerBlobGas,
        blobVersionedHashes: u.blobVersionedHashes,
      };
    case 4:
      return {
        ...common,
        chainId: u.chainId,
        maxPriorityFeePerGas: u.maxPriorityFeePerGas,
        maxFeePerGas: u.maxFeePerGas,
        accessList: u.accessList.map((e) => [e.address, e.storageKeys]),
        authorizationList: u.authorizationList.map((a) => [
          encodeScalar(a.chainId),
          a.address,
          encodeScalar(a.nonce),
          encodeScalar(BigInt(a.yParity)),
          encodeScalar(a.r),
          encodeScalar(a.s),
        ]),
      };
  }
}

function encodeScalar(v: bigint): Uint8Array {
  return v === 0n ? new Uint8Array(0) : hexToBytes(v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, '0'));
}

describe('signing against @ethereumjs/tx', () => {
  const common = pragueCommon(1);

  it('signs every type to the same bytes, hash and sender as @ethereumjs/tx', () => {
    fc.assert(
      fc.property(ethereumjsCompatibleUnsigned(), privateKey, (u, key) => {
        const ours = signTransaction(u, key);
        const theirs = createTx(toEthereumjsData(u) as never, { common }).sign(key);
        expect(hex(encodeTransaction(ours))).toBe(hex(theirs.serialize()));
        expect(hex(transactionHash(ours))).toBe(hex(theirs.hash()));
        expect(hex(signingHash(ours))).toBe(hex(theirs.getHashedMessageToSign()));
        const parsed = createTxFromRLP(encodeTransaction(ours), { common });
        expect(hex(recoverSender(ours, { chainId: 1n }))).toBe(hex(parsed.getSenderAddress().bytes));
        if (ours.type === 4) {
          ours.authorizationList.forEach((a) => expect(recoverAuthority(a)).toHaveLength(20));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('transaction codec properties', () => {
  it('round-trips signed txs of every type and recovers the signing key', () => {
    fc.assert(
      fc.property(unsignedTxArb(fc, { sidecars: true }), privateKey, (u, key) => {
        const tx = signTransaction(u, key);
        const bytes = encodeTransaction(tx);
        const back = decodeTransaction(bytes);
        expect(back).toEqual(tx);
        const list = decodeRlp(encodeRlp([transactionToRlp(tx)]), 'x') as RlpItem[];
        expect(transactionFromRlp(list[0]!)).toEqual(tx);
        const chainId = u.chainId ?? undefined;
        expect(hex(recoverSender(back, chainId === undefined ? {} : { chainId }))).toBe(hex(addressOf(publicKeyOf(key))));
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips arbitrary valid signature values through both envelopes', () => {
    fc.assert(
      fc.property(txArb(fc, { sidecars: true }), (tx) => {
        expect(decodeTransaction(encodeTransaction(tx))).toEqual(tx);
        const list = decodeRlp(encodeRlp([transactionToRlp(tx)]), 'x') as RlpItem[];
        expect(transactionFromRlp(list[0]!)).toEqual(tx);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a tx or a DecodeError for arbitrary and mutated bytes, and so does sender recovery', () => {
    const valid = txArb(fc).map(encodeTransaction);
    const mutated = fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 8 })).map(([b, at, byte, cut]) => {
      const copy = b.slice(0, Math.max(0, b.length - cut));
      if (copy.length > 0) copy[at % copy.length] = byte;
      return copy;
    });
    const typed = fc.tuple(fc.integer({ min: 0, max: 0x7f }), fc.uint8Array({ maxLength: 200 })).map(([t, rest]) => Uint8Array.from([t, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated, typed), (bytes) => {
        let tx: Transaction | undefined;
        try {
          tx = decodeTransaction(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
        try {
          transactionFromRlp(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
        if (tx !== undefined) {
          try {
            recoverSender(tx, { chainId: 1n });
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});


describe('transaction decoder strictness', () => {
  const key = hexToBytes('4646464646464646464646464646464646464646464646464646464646464646');
  const to = new Uint8Array(20).fill(0x35);
  const signed = {
    0: signTransaction({ type: 0, nonce: 9n, gasPrice: 20n * 10n ** 9n, gasLimit: 21000n, to, value: 10n ** 18n, data: new Uint8Array(0), chainId: 1n }, key),
    1: signTransaction({ type: 1, chainId: 1n, nonce: 1n, gasPrice: 7n, gasLimit: 21000n, to: null, value: 0n, data: Uint8Array.of(1), accessList: [] }, key),
    2: signTransaction({ type: 2, chainId: 1n, nonce: 1n, maxPriorityFeePerGas: 1n, maxFeePerGas: 9n, gasLimit: 21000n, to, value: 0n, data: new Uint8Array(0), accessList: [{ address: to, storageKeys: [new Uint8Array(32)] }] }, key),
    3: signTransaction({ type: 3, chainId: 1n, nonce: 1n, maxPriorityFeePerGas: 1n, maxFeePerGas: 9n, gasLimit: 21000n, to, value: 0n, data: new Uint8Array(0), accessList: [], maxFeePerBlobGas: 3n, blobVersionedHashes: [] }, key),
    4: signTransaction({ type: 4, chainId: 1n, nonce: 1n, maxPriorityFeePerGas: 1n, maxFeePerGas: 9n, gasLimit: 50000n, to, value: 0n, data: new Uint8Array(0), accessList: [], authorizationList: [signAuthorization({ chainId: 1n, address: to, nonce: 0n }, key)] }, key),
  } as const;

  /** The typed tx's field list, edited, re-wrapped as type || rlp(fields). */
  function editTyped(tx: Transaction, edit: (fields: RlpItem[]) => void): Uint8Array {
    const bytes = encodeTransaction(tx);
    const fields = decodeRlp(bytes.subarray(1), 'x') as RlpItem[];
    edit(fields);
    return concatBytes(Uint8Array.of(tx.type), encodeRlp(fields as RlpInput));
  }

  it('matches the EIP-155 example signature (nonce 9, 20 gwei, 1 ether to 0x35..35, key 0x46..46)', () => {
    // EIP-155's worked example prints this signing hash and this signed transaction.
    expect(hex(signingHash(signed[0]))).toBe('daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53');
    expect(hex(encodeTransaction(signed[0]))).toBe(
      'f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83',
    );
  });

  it('rejects unknown transaction types', () => {
    for (const type of [0x00, 0x05, 0x7f]) {
      const bytes = concatBytes(Uint8Array.of(type), encodeTransaction(signed[2]).subarray(1));
      expectDecodeError(() => decodeTransaction(bytes), 'unknown-type');
      expectDecodeError(() => transactionFromRlp(bytes), 'unknown-type');
    }
    // In a list, a byte string is a typed tx: one holding a legacy list is an unknown type 0xf8.
    expectDecodeError(() => transactionFromRlp(encodeTransaction(signed[0])), 'unknown-type');
    // In the binary form, a legacy tx must be a list, not a byte string.
    expectDecodeError(() => decodeTransaction(encodeRlp(encodeTransaction(signed[0]))), 'shape');
    expectDecodeError(() => decodeTransaction(new Uint8Array(0)), 'length');
    expectDecodeError(() => transactionFromRlp(new Uint8Array(0)), 'length');
  });

  it('rejects a missing or extra field in every type', () => {
    for (const tx of Object.values(signed)) {
      if (tx.type === 0) {
        const list = decodeRlp(encodeTransaction(tx), 'x') as RlpItem[];
        expectDecodeError(() => decodeTransaction(encodeRlp(list.slice(1) as RlpInput)), 'shape');
        expectDecodeError(() => decodeTransaction(encodeRlp([...list, new Uint8Array(0)] as RlpInput)), 'shape');
        continue;
      }
      expectDecodeError(() => decodeTransaction(editTyped(tx, (f) => f.pop())), 'shape');
      expectDecodeError(() => decodeTransaction(editTyped(tx, (f) => f.push(new Uint8Array(0)))), 'shape');
    }
  });

  it('requires a recipient for blob and set-code txs, and allows creation for the others', () => {
    const toIndex = { 3: 5, 4: 5 } as const;
    for (const type of [3, 4] as const) {
      const err = expectDecodeError(() => decodeTransaction(editTyped(signed[type], (f) => (f[toIndex[type]] = new Uint8Array(0)))), 'length');
      expect(err.what).toContain('to');
    }
    expect(decodeTransaction(encodeTransaction(signed[1]))).toMatchObject({ to: null });
    expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[5] = new Uint8Array(19)))), 'length');
  });

  it('rejects non-canonical and oversized scalars, naming the field', () => {
    let err = expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[1] = Uint8Array.of(0, 1)))), 'rlp');
    expect(err.what).toContain('nonce');
    err = expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[1] = new Uint8Array(9).fill(1)))), 'value');
    expect(err.what).toContain('nonce');
    err = expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[6] = new Uint8Array(33).fill(1)))), 'value');
    expect(err.what).toContain('value');
    err = expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[7] = []))), 'shape');
    expect(err.what).toContain('data');
    err = expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[8] = [[to, [new Uint8Array(31)]]]))), 'length');
    expect(err.what).toContain('accessList');
    // 32-byte fee values are fine (uint256).
    const maxFee = decodeTransaction(editTyped(signed[2], (f) => (f[3] = new Uint8Array(32).fill(0xff))));
    expect(maxFee).toMatchObject({ maxFeePerGas: (1n << 256n) - 1n });
  });

  it('checks signature value ranges while decoding, as geth does', () => {
    expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[9] = Uint8Array.of(2)))), 'signature'); // yParity
    expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[10] = new Uint8Array(0)))), 'signature'); // r = 0
    const n = hexToBytes(SECP256K1_N.toString(16));
    expectDecodeError(() => decodeTransaction(editTyped(signed[2], (f) => (f[11] = n))), 'signature'); // s = n
    const legacy = decodeRlp(encodeTransaction(signed[0]), 'x') as RlpItem[];
    for (const v of [0, 1, 26, 29, 34]) {
      const copy = [...legacy];
      copy[6] = encodeScalar(BigInt(v));
      expectDecodeError(() => decodeTransaction(encodeRlp(copy as RlpInput)), 'signature');
    }
  });

  it('keeps any authorization signature values (invalid ones are skipped at execution, not rejected)', () => {
    const bytes = editTyped(signed[4], (f) => {
      f[9] = [[Uint8Array.of(1), to, new Uint8Array(0), Uint8Array.of(0xff), new Uint8Array(0), new Uint8Array(0)]];
    });
    const tx = decodeTransaction(bytes);
    expect(tx).toMatchObject({ authorizationList: [{ yParity: 255, r: 0n, s: 0n }] });
    expect(hex(encodeTransaction(tx))).toBe(hex(bytes));
    expectDecodeError(() => recoverAuthority((tx as typeof signed[4]).authorizationList[0]!), 'signature');
    expect(hex(recoverAuthority(signed[4].authorizationList[0]!))).toBe(hex(addressOf(publicKeyOf(key))));
    // A y-parity wider than uint8 is malformed.
    expectDecodeError(() => decodeTransaction(editTyped(signed[4], (f) => {
      f[9] = [[Uint8Array.of(1), to, new Uint8Array(0), Uint8Array.of(1, 0), Uint8Array.of(1), Uint8Array.of(1)]];
    })), 'value');
  });

  it('enforces low s (EIP-2) and the chain id when recovering the sender', () => {
    for (const tx of Object.values(signed)) {
      const flipped: Transaction =
        tx.type === 0
          ? { ...tx, s: SECP256K1_N - tx.s, v: tx.v ^ 1n }
          : { ...tx, s: SECP256K1_N - tx.s, yParity: tx.yParity === 0 ? 1 : 0 };
      // The flipped signature is the same point, so it decodes and only EIP-2 rejects it.
      expect(decodeTransaction(encodeTransaction(flipped))).toEqual(flipped);
      expectDecodeError(() => recoverSender(flipped), 'signature');
      expectDecodeError(() => recoverSender(tx, { chainId: 5n }), 'value');
      expect(hex(recoverSender(tx, { chainId: 1n }))).toBe(hex(addressOf(publicKeyOf(key))));
    }
  });

  it('recovers unprotected legacy txs (v = 27/28) for any chain', () => {
    const tx = signTransaction({ type: 0, nonce: 0n, gasPrice: 1n, gasLimit: 21000n, to, value: 0n, data: new Uint8Array(0), chainId: null }, key);
    expect([27n, 28n]).toContain(tx.v);
    expect(hex(recoverSender(tx, { chainId: 12345n }))).toBe(hex(addressOf(publicKeyOf(key))));
  });
});

describe('blob transaction network form', () => {
  const key = hexToBytes('4646464646464646464646464646464646464646464646464646464646464646');
  const commitment = new Uint8Array(48).fill(7);
  const base = signTransaction(
    {
      type: 3,
      chainId: 1n,
      nonce: 0n,
      maxPriorityFeePerGas: 1n,
      maxFeePerGas: 2n,
      gasLimit: 21000n,
      to: new Uint8Array(20).fill(1),
      value: 0n,
      data: new Uint8Array(0),
      accessList: [],
      maxFeePerBlobGas: 1n,
      blobVersionedHashes: [blobVersionedHash(commitment)],
    },
    key,
  );
  const blob = new Uint8Array(131072).fill(3);
  const v0: BlobTx = { ...base, sidecar: { wrapperVersion: 0, blobs: [blob], commitments: [commitment], proofs: [new Uint8Array(48)] } };
  const v1: BlobTx = { ...base, sidecar: { wrapperVersion: 1, blobs: [blob], commitments: [commitment], proofs: Array.from({ length: 128 }, () => new Uint8Array(48)) } };

  const outer = (tx: BlobTx): RlpItem[] => decodeRlp(encodeTransaction(tx).subarray(1), 'x') as RlpItem[];
  const rewrap = (list: RlpItem[]): Uint8Array => concatBytes(Uint8Array.of(3), encodeRlp(list as RlpInput));

  it('computes versioned hashes as 0x01 || sha256(commitment)[1:]', () => {
    const digest = createHash('sha256').update(commitment).digest();
    expect(hex(blobVersionedHash(commitment))).toBe('01' + digest.subarray(1).toString('hex'));
  });

  it('encodes v0 as [tx, blobs, commitments, proofs] and v1 as [tx, 1, blobs, commitments, cell_proofs]', () => {
    expect(outer(v0)).toHaveLength(4);
    const l1 = outer(v1);
    expect(l1).toHaveLength(5);
    expect(hex(l1[1] as Uint8Array)).toBe('01');
    for (const tx of [v0, v1]) {
      expect(decodeTransaction(encodeTransaction(tx))).toEqual(tx);
      // The hash and a block hold the canonical form only.
      expect(hex(transactionHash(tx))).toBe(hex(transactionHash(base)));
      expect(hex(encodeCanonicalTransaction(tx))).toBe(hex(encodeTransaction(base)));
      validateBlobSidecar(tx);
    }
  });

  it('rejects unknown wrapper versions, wrong element counts and wrong blob sizes', () => {
    const l1 = outer(v1);
    expectDecodeError(() => decodeTransaction(rewrap([l1[0]!, Uint8Array.of(2), ...l1.slice(2)])), 'value');
    expectDecodeError(() => decodeTransaction(rewrap([l1[0]!, new Uint8Array(0), ...l1.slice(2)])), 'value');
    expectDecodeError(() => decodeTransaction(rewrap(l1.slice(0, 4))), 'shape');
    const l0 = outer(v0);
    expectDecodeError(() => decodeTransaction(rewrap([...l0, []])), 'shape');
    expectDecodeError(() => decodeTransaction(rewrap([l0[0]!, [new Uint8Array(131071)], l0[2]!, l0[3]!])), 'length');
    expectDecodeError(() => decodeTransaction(rewrap([l0[0]!, l0[1]!, [new Uint8Array(47)], l0[3]!])), 'length');
  });

  it('validates sidecar counts and commitment hashes', () => {
    expectDecodeError(() => validateBlobSidecar({ ...v0, sidecar: { ...v0.sidecar!, proofs: [] } }), 'shape');
    expectDecodeError(() => validateBlobSidecar({ ...v1, sidecar: { ...v1.sidecar!, proofs: [new Uint8Array(48)] } }), 'shape');
    expectDecodeError(() => validateBlobSidecar({ ...v0, sidecar: { ...v0.sidecar!, commitments: [new Uint8Array(48)] } }), 'hash');
    expectDecodeError(() => validateBlobSidecar({ ...v0, blobVersionedHashes: [] }), 'shape');
    expectDecodeError(() => validateBlobSidecar(base), 'shape');
  });
});

describe('encoders refuse values their decoder would reject', () => {
  it('throws RangeError, not a malformed encoding', () => {
    const [tx] = fc.sample(txArb(fc), { numRuns: 1, seed: 1 });
    const bad: Transaction[] = [
      { ...tx!, nonce: 1n << 64n } as Transaction,
      { ...tx!, r: 0n } as Transaction,
      { ...tx!, value: -1n } as Transaction,
    ];
    for (const b of bad) expect(() => encodeTransaction(b)).toThrow(RangeError);
    expect(() => encodeTransaction({ ...(fc.sample(txArb(fc).filter((t) => t.type === 3), { numRuns: 1, seed: 2 })[0] as BlobTx), to: new Uint8Array(19) })).toThrow(RangeError);
  });
});

// Keep the scalar arbitrary honest: it never yields 0 or n.
describe('arbitraries', () => {
  it('signature scalars stay in [1, n)', () => {
    fc.assert(fc.property(scalarArb(fc), (s) => s >= 1n && s < SECP256K1_N));
  });
});
