/**
 * Signing with the recovery remembered. Whoever signs knows the public key
 * that the signature recovers to, so the generator and the miner record it in
 * the chain's recovery memo (chain/recovery-memo.ts) as they sign: the
 * executor and the Clique check then skip the secp256k1 recovery (a few ms
 * each here) for blocks this process built. The recorded key is the signer's
 * own, which is exactly what recovery returns for a signature it made.
 */
import { cliqueSealHash, EXTRA_SEAL, sealHeader } from '../chain/clique.js';
import { rememberRecovered } from '../chain/recovery-memo.js';
import type { BlockHeader } from '../wire/block.js';
import { bigIntToFixed, concatBytes } from '../wire/bytes.js';
import type { PrivateKey, PublicKey } from '../wire/keys.js';
import { signingHash } from '../wire/tx/hash.js';
import { recoveryIdOfV } from '../wire/tx/signature.js';
import { signTransaction } from '../wire/tx/signer.js';
import type { Transaction, UnsignedTransaction } from '../wire/tx/types.js';

export function signTransactionKnown(tx: UnsignedTransaction, key: PrivateKey, publicKey: PublicKey): Transaction {
  const signed = signTransaction(tx, key);
  const recoveryId = signed.type === 0 ? recoveryIdOfV(signed.v) : signed.yParity;
  rememberRecovered(signingHash(signed), concatBytes(bigIntToFixed(signed.r, 32), bigIntToFixed(signed.s, 32), Uint8Array.of(recoveryId)), publicKey);
  return signed;
}

export function sealHeaderKnown(header: BlockHeader, key: PrivateKey, publicKey: PublicKey): BlockHeader {
  const sealed = sealHeader(header, key);
  rememberRecovered(cliqueSealHash(sealed), sealed.extraData.subarray(sealed.extraData.length - EXTRA_SEAL), publicKey);
  return sealed;
}
