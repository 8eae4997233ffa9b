/** The stored forms of bodies and receipts: RLP as on the wire (bodies as in BlockBodies, receipts in the eth/69 form). */
import { bodyFromRlp, bodyToRlp, type BlockBody } from '../wire/block.js';
import { receiptEth69FromRlp, receiptEth69ToRlp } from '../wire/eth/receipts.js';
import type { Receipt } from '../wire/eth/types.js';
import { asList, decodeRlp, encodeRlp } from '../wire/rlp.js';

export function encodeBody(body: BlockBody): Uint8Array {
  return encodeRlp(bodyToRlp(body));
}

export function decodeBody(bytes: Uint8Array): BlockBody {
  return bodyFromRlp(decodeRlp(bytes, 'stored body'), 'stored body');
}

export function encodeReceipts(receipts: readonly Receipt[]): Uint8Array {
  return encodeRlp(receipts.map((r, i) => receiptEth69ToRlp(r, `receipt ${i}`)));
}

export function decodeReceipts(bytes: Uint8Array): Receipt[] {
  return asList(decodeRlp(bytes, 'stored receipts'), 'stored receipts').map((item, i) => receiptEth69FromRlp(item, `stored receipt ${i}`));
}
