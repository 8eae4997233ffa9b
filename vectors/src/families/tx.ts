/**
 * Typed transactions, one or more per type (legacy pre- and post-EIP-155,
 * 2930, 1559, 4844 canonical form, 7702): the signing inputs (key and
 * unsigned fields), the signing hash, the consensus encoding, the tx hash and
 * the sender. Signatures are RFC 6979, so re-signing gives the same bytes.
 * Invalid cases follow geth's LatestSigner and decoder: unknown type, y-parity
 * above 1, high s (EIP-2), r = 0, bad legacy v, trailing bytes.
 */
import { concatBytes, equalBytes, uintToBytes } from '../../../reference-node/wire/bytes.js';
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { decodeRlp, encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import {
  addressOf,
  decodeTransaction,
  encodeCanonicalTransaction,
  recoverSender,
  signAuthorization,
  signingHash,
  signTransaction,
  transactionHash,
  type Transaction,
  type UnsignedTransaction,
} from '../../../reference-node/wire/tx/index.js';
import { chainIdOfV, SECP256K1_N } from '../../../reference-node/wire/tx/signature.js';
import { HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, sameJson, toJson, toJsonObject, type Vector } from '../format.js';
import { hex, seededBytes, seededKey, unhex } from '../keys.js';

const GWEI = 1_000_000_000n;

function unsignedOf(tx: Transaction): UnsignedTransaction {
  if (tx.type === 0) {
    const { v, r: _r, s: _s, ...body } = tx;
    return { ...body, chainId: chainIdOfV(v) };
  }
  const { yParity: _y, r: _r, s: _s, ...body } = tx;
  return body as UnsignedTransaction;
}

function checkTx(encoded: Uint8Array): Transaction {
  const tx = decodeTransaction(encoded);
  recoverSender(tx);
  return tx;
}

/** Re-encodes an envelope with one payload field replaced (the encoder refuses such values, so this works on RLP). */
function withField(encoded: Uint8Array, fromEnd: number, value: RlpItem): Uint8Array {
  const typed = encoded[0]! < 0x80;
  const list = decodeRlp(typed ? encoded.subarray(1) : encoded, 'tx') as RlpItem[];
  list[list.length - fromEnd] = value;
  const body = encodeRlp(list);
  return typed ? concatBytes(encoded.subarray(0, 1), body) : body;
}

export const txFamily: Family = {
  name: 'tx',
  title: 'typed transactions: signing, encoding, hash, sender',
  schema: {
    input: obj({ privateKey: HEX, tx: { type: 'object', required: ['type'] } }),
    expected: obj({ signingHash: HEX, encoded: HEX, hash: HEX, sender: HEX }),
    invalidInput: obj({ encoded: HEX }),
  },

  generate(seed) {
    const key = (label: string) => seededKey(seed, `tx/${label}`);
    const addr = (label: string) => seededBytes(seed, `tx/address/${label}`).slice(12);
    const slot = (label: string) => seededBytes(seed, `tx/slot/${label}`);
    const accessList = [
      { address: addr('a'), storageKeys: [slot('1'), slot('2')] },
      { address: addr('b'), storageKeys: [] },
    ];
    const unsigned: [string, string, UnsignedTransaction][] = [
      ['legacy-unprotected', 'legacy, no chain id (v = 27/28, pre-EIP-155)', { type: 0, nonce: 0n, gasPrice: 20n * GWEI, gasLimit: 21000n, to: addr('to'), value: 10n ** 18n, data: new Uint8Array(0), chainId: null }],
      ['legacy-eip155', 'legacy, EIP-155 chain id 1 (v = 37/38)', { type: 0, nonce: 9n, gasPrice: 20n * GWEI, gasLimit: 21000n, to: addr('to'), value: 10n ** 18n, data: new Uint8Array(0), chainId: 1n }],
      ['legacy-create', 'legacy contract creation (empty to)', { type: 0, nonce: 1n, gasPrice: GWEI, gasLimit: 100000n, to: null, value: 0n, data: Uint8Array.of(0x60, 0x00, 0x60, 0x00, 0xf3), chainId: 1n }],
      ['legacy-max-values', 'largest nonce (2^64-2, EIP-2681) and value (2^256-1)', { type: 0, nonce: (1n << 64n) - 2n, gasPrice: 1n, gasLimit: 21000n, to: addr('to'), value: (1n << 256n) - 1n, data: new Uint8Array(0), chainId: 1n }],
      ['access-list', 'EIP-2930 with an access list', { type: 1, chainId: 1n, nonce: 2n, gasPrice: 30n * GWEI, gasLimit: 50000n, to: addr('to'), value: 1n, data: Uint8Array.of(0xde, 0xad), accessList }],
      ['access-list-empty', 'EIP-2930 with an empty access list', { type: 1, chainId: 1n, nonce: 0n, gasPrice: GWEI, gasLimit: 21000n, to: addr('to'), value: 0n, data: new Uint8Array(0), accessList: [] }],
      ['dynamic-fee', 'EIP-1559', { type: 2, chainId: 1n, nonce: 3n, maxPriorityFeePerGas: 2n * GWEI, maxFeePerGas: 100n * GWEI, gasLimit: 21000n, to: addr('to'), value: 12345n, data: new Uint8Array(0), accessList: [] }],
      ['dynamic-fee-create', 'EIP-1559 contract creation with an access list', { type: 2, chainId: 1n, nonce: 4n, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n, gasLimit: 200000n, to: null, value: 0n, data: seededBytes(seed, 'tx/initcode'), accessList }],
      ['blob', 'EIP-4844 (consensus form, no sidecar) with two versioned hashes', { type: 3, chainId: 1n, nonce: 5n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 50n * GWEI, gasLimit: 21000n, to: addr('to'), value: 0n, data: new Uint8Array(0), accessList: [], maxFeePerBlobGas: 3n * GWEI, blobVersionedHashes: [concatBytes(Uint8Array.of(1), slot('blob1').subarray(1)), concatBytes(Uint8Array.of(1), slot('blob2').subarray(1))] }],
      ['set-code', 'EIP-7702 with two authorizations (chain 1 and any chain)', { type: 4, chainId: 1n, nonce: 6n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 50n * GWEI, gasLimit: 100000n, to: addr('to'), value: 0n, data: new Uint8Array(0), accessList: [], authorizationList: [signAuthorization({ chainId: 1n, address: addr('delegate'), nonce: 7n }, key('authority-1')), signAuthorization({ chainId: 0n, address: addr('delegate'), nonce: 0n }, key('authority-2'))] }],
    ];
    const vectors: Vector[] = unsigned.map(([name, description, u]) => {
      const privateKey = key(name);
      const tx = signTransaction(u, privateKey);
      return {
        name,
        description,
        input: { privateKey: hex(privateKey), tx: toJsonObject(tx) },
        expected: {
          signingHash: hex(signingHash(u)),
          encoded: hex(encodeCanonicalTransaction(tx)),
          hash: hex(transactionHash(tx)),
          sender: hex(addressOf(publicKeyOf(privateKey))),
        },
      };
    });
    const encodedOf = (name: string) => unhex(vectors.find((v) => v.name === name)!.expected!.encoded as string);
    const dyn = encodedOf('dynamic-fee');
    const legacy = encodedOf('legacy-eip155');
    const highS = (bytes: Uint8Array) => {
      const t = decodeTransaction(bytes) as { s: bigint; yParity: number };
      return withField(withField(bytes, 1, uintToBytes(SECP256K1_N - t.s)), 3, uintToBytes(1 - t.yParity));
    };
    const invalid = (name: string, description: string, bytes: Uint8Array, code: string) =>
      invalidVector(name, description, { encoded: hex(bytes) }, code, () => checkTx(bytes));
    vectors.push(
      invalid('unknown-type', 'type 0x05 is not defined', concatBytes(Uint8Array.of(5), dyn.subarray(1)), 'unknown-type'),
      invalid('y-parity-2', 'y-parity must be 0 or 1', withField(dyn, 3, Uint8Array.of(2)), 'signature'),
      invalid('high-s', 's above n/2 is rejected (EIP-2); the same point with s = n - s and the other parity', highS(dyn), 'signature'),
      invalid('r-zero', 'r must be in [1, n)', withField(dyn, 2, new Uint8Array(0)), 'signature'),
      invalid('legacy-v-29', 'legacy v must be 27, 28 or >= 35', withField(legacy, 3, Uint8Array.of(29)), 'signature'),
      invalid('trailing-bytes', 'bytes after the payload list', concatBytes(dyn, Uint8Array.of(0)), 'rlp'),
      invalid('empty', 'no bytes', new Uint8Array(0), 'length'),
      invalid('blob-create', 'a blob tx cannot create a contract (empty to)', withField(encodedOf('blob'), 9, new Uint8Array(0)), 'length'),
    );
    return vectors;
  },

  checkValid(vector) {
    const out: string[] = [];
    const e = vector.expected!;
    const encoded = unhex(hexField(e, 'encoded'));
    const privateKey = unhex(hexField(vector.input, 'privateKey'));
    const sender = unhex(hexField(e, 'sender'));
    const tx = decodeTransaction(encoded);
    if (!sameJson(toJson(tx), vector.input.tx ?? null)) out.push('decoded tx differs from input.tx');
    if (!equalBytes(encodeCanonicalTransaction(tx), encoded)) out.push('re-encoding differs');
    if (!equalBytes(signingHash(tx), unhex(hexField(e, 'signingHash')))) out.push('signing hash differs');
    if (!equalBytes(transactionHash(tx), unhex(hexField(e, 'hash')))) out.push('hash differs');
    if (!equalBytes(recoverSender(tx), sender)) out.push('recovered sender differs');
    if (!equalBytes(addressOf(publicKeyOf(privateKey)), sender)) out.push('sender is not the address of privateKey');
    if (!equalBytes(encodeCanonicalTransaction(signTransaction(unsignedOf(tx), privateKey)), encoded)) {
      out.push('signing the input with privateKey (RFC 6979) gives other bytes');
    }
    return out;
  },

  decodeInvalid(vector) {
    return checkTx(unhex(hexField(vector.input, 'encoded')));
  },
};
