/**
 * The encodings of stored headers and bodies as they are served, made once
 * per object. The objects a ChainReader returns are shared with the chain and
 * read-only (chain/reader.ts), so an object's encoding never changes; a
 * header asked for a thousand times is encoded once instead of twice per
 * reply (once to count the soft byte limit, once for the message).
 */
import { bodyToRlp, encodeBlockHeader, type BlockBody, type BlockHeader } from '../wire/block.js';
import { encodeRlp } from '../wire/rlp.js';

const headers = new WeakMap<BlockHeader, Uint8Array>();
const bodies = new WeakMap<BlockBody, Uint8Array>();

export function servedHeaderRlp(header: BlockHeader): Uint8Array {
  let rlp = headers.get(header);
  if (rlp === undefined) {
    rlp = encodeBlockHeader(header);
    headers.set(header, rlp);
  }
  return rlp;
}

export function servedBodyRlp(body: BlockBody): Uint8Array {
  let rlp = bodies.get(body);
  if (rlp === undefined) {
    rlp = encodeRlp(bodyToRlp(body));
    bodies.set(body, rlp);
  }
  return rlp;
}
