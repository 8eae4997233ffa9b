/**
 * Sender recovery for the pool, through the process-wide recovery memo
 * (chain/recovery-memo.ts), as geth's pool goes through its sender cache:
 * a sender recovered here is not recovered again when a block with the tx is
 * built or imported (the VM and the import read the same memo).
 *
 * Recovering a peer's batch ahead on the recovery worker threads was tried
 * and measured slower on this 2-core machine (the worker only competes with
 * the main thread), so admission recovers on the main thread.
 *
 * The rules are recoverSender's (wire/tx/signer.ts): low s (EIP-2), a
 * recovery id from v or yParity; the chain id is checked by the caller.
 */
import { recoverPublicKeyMemo } from '../chain/recovery-memo.js';
import { bigIntToFixed, concatBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { signingHash } from '../wire/tx/hash.js';
import { recoveryIdOfV, SECP256K1_HALF_N } from '../wire/tx/signature.js';
import { addressOf } from '../wire/tx/signer.js';
import type { Address, Transaction } from '../wire/tx/types.js';

/** The sender; throws DecodeError('signature') when the signature cannot be the sender's (high s, no curve point). */
export function recoverSenderCached(tx: Transaction): Address {
  const what = `tx 0x0${tx.type} sender`;
  if (tx.s > SECP256K1_HALF_N) throw new DecodeError('signature', what, 's is in the upper half of the curve order (EIP-2)');
  const recoveryId = tx.type === 0 ? recoveryIdOfV(tx.v) : tx.yParity;
  const signature = concatBytes(bigIntToFixed(tx.r, 32), bigIntToFixed(tx.s, 32), Uint8Array.of(recoveryId));
  return addressOf(recoverPublicKeyMemo(signingHash(tx), signature, what));
}
