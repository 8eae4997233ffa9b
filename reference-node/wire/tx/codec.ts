/**
 * Transaction envelopes (EIP-2718). Two places carry transactions:
 *  - the binary form (a tx on its own, e.g. the ethereum/tests `txbytes`):
 *    legacy is its RLP list, typed is type || rlp(payload);
 *  - inside an RLP list (Transactions, PooledTransactions, block bodies):
 *    legacy is the list itself, typed is an RLP byte string wrapping
 *    type || rlp(payload).
 * Unknown types are DecodeError('unknown-type'): eth.md says to disconnect a
 * peer that sends one.
 */
import { DecodeError } from '../errors.js';
import { decodeRlp, encodeRlp, type RlpInput, type RlpItem } from '../rlp.js';
import { concatBytes } from '../bytes.js';
import { legacyTxFromRlp, legacyTxToRlp } from './legacy.js';
import { blobTxFromNetworkForm, blobTxNetworkForm } from './sidecar.js';
import { typedSignedFields, typedTxFromFields } from './typed.js';
import type { Transaction, TypedTransaction, TypedTxType } from './types.js';

const WHAT = 'transaction';

function typedTxType(byte: number): TypedTxType {
  if (byte === 1 || byte === 2 || byte === 3 || byte === 4) return byte;
  throw new DecodeError('unknown-type', WHAT, `unknown transaction type 0x${byte.toString(16).padStart(2, '0')}`);
}

/** Decodes type || rlp(payload). */
export function decodeTypedEnvelope(envelope: Uint8Array): TypedTransaction {
  if (envelope.length === 0) throw new DecodeError('length', WHAT, 'empty typed transaction');
  const type = typedTxType(envelope[0]!);
  const payload = decodeRlp(envelope.subarray(1), `${WHAT} 0x0${type} payload`);
  if (type === 3 && Array.isArray(payload) && Array.isArray(payload[0])) return blobTxFromNetworkForm(payload);
  return typedTxFromFields(type, payload);
}

/** Decodes the binary form: an RLP list (legacy) or type || rlp(payload). */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  if (bytes.length === 0) throw new DecodeError('length', WHAT, 'empty input');
  if (bytes[0]! >= 0x80) {
    const item = decodeRlp(bytes, WHAT);
    if (!Array.isArray(item)) throw new DecodeError('shape', WHAT, 'a legacy transaction must be an RLP list');
    return legacyTxFromRlp(item);
  }
  return decodeTypedEnvelope(bytes);
}

/** Decodes one element of a transaction list (legacy list or typed byte string). */
export function transactionFromRlp(item: RlpItem, what = WHAT): Transaction {
  if (Array.isArray(item)) return legacyTxFromRlp(item);
  if (item.length === 0) throw new DecodeError('length', what, 'empty typed transaction');
  return decodeTypedEnvelope(item);
}

function typedEnvelope(tx: TypedTransaction, withSidecar: boolean): Uint8Array {
  const body =
    withSidecar && tx.type === 3 && tx.sidecar !== undefined
      ? blobTxNetworkForm({ ...tx, sidecar: tx.sidecar })
      : typedSignedFields(tx);
  return concatBytes(Uint8Array.of(tx.type), encodeRlp(body));
}

/** The binary form, with the blob sidecar when the tx carries one (network form). */
export function encodeTransaction(tx: Transaction): Uint8Array {
  return tx.type === 0 ? encodeRlp(legacyTxToRlp(tx)) : typedEnvelope(tx, true);
}

/** The consensus binary form: never a sidecar. This is what the tx hash covers and what a block holds. */
export function encodeCanonicalTransaction(tx: Transaction): Uint8Array {
  return tx.type === 0 ? encodeRlp(legacyTxToRlp(tx)) : typedEnvelope(tx, false);
}

/** One element of a transaction list; the sidecar is kept when present. */
export function transactionToRlp(tx: Transaction): RlpInput {
  return tx.type === 0 ? legacyTxToRlp(tx) : typedEnvelope(tx, true);
}
