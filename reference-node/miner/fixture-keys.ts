/**
 * Keys for a fixture, derived from its seed so that the same seed always gives
 * the same accounts (no randomness): key = keccak256("devp2p-check/fixture/" ||
 * seed || "/" || label), re-hashed in the (astronomically unlikely) case that
 * the digest is not a valid secp256k1 scalar.
 */
import { bytesToHex, utf8 } from '../wire/bytes.js';
import { isValidPrivateKey, keccak256, publicKeyOf, type PrivateKey } from '../wire/keys.js';
import { addressOf } from '../wire/tx/signer.js';
import type { Address } from '../wire/tx/types.js';

export interface FixtureAccount {
  address: Address;
  key: PrivateKey;
}

export function deriveFixtureKey(seed: string, label: string): PrivateKey {
  let key = keccak256(utf8(`devp2p-check/fixture/${seed}/${label}`));
  while (!isValidPrivateKey(key)) key = keccak256(key);
  return key;
}

export function fixtureAccount(seed: string, label: string): FixtureAccount {
  const key = deriveFixtureKey(seed, label);
  return { address: addressOf(publicKeyOf(key)), key };
}

/** The funded accounts that send the fixture's transactions: labels "account/0", "account/1", ... */
export function fundedAccounts(seed: string, count: number): FixtureAccount[] {
  return Array.from({ length: count }, (_, i) => fixtureAccount(seed, `account/${i}`));
}

/** The Clique signer of a legacy fixture. */
export function signerAccount(seed: string): FixtureAccount {
  return fixtureAccount(seed, 'signer');
}

/**
 * accounts.json in the shape of geth's eth-test testdata: address → { key },
 * sorted by address. The Clique signer, when there is one, is marked
 * `"signer": true` (a field geth's reader ignores).
 */
export function accountsJson(accounts: readonly FixtureAccount[], signer?: FixtureAccount): string {
  const entries = accounts.map((a) => ({ address: `0x${bytesToHex(a.address)}`, key: `0x${bytesToHex(a.key)}`, signer: false }));
  if (signer !== undefined) entries.push({ address: `0x${bytesToHex(signer.address)}`, key: `0x${bytesToHex(signer.key)}`, signer: true });
  entries.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const out: Record<string, { key: string; signer?: true }> = {};
  for (const e of entries) out[e.address] = e.signer ? { key: e.key, signer: true } : { key: e.key };
  return `${JSON.stringify(out, null, 2)}\n`;
}
