/**
 * The state root of a genesis alloc, computed with @ethereumjs/mpt directly
 * (not through the EVM's state manager): accounts keyed by keccak(address) as
 * rlp([nonce, balance, storageRoot, codeHash]), each storage trie keyed by
 * keccak(slot) holding rlp(value without leading zeros). Keeping this apart
 * from the executor gives two independent routes to the genesis root, and the
 * chain checks that they agree.
 */
import { createMPT } from '@ethereumjs/mpt';
import { keccak256 } from '../wire/keys.js';
import { encodeRlp } from '../wire/rlp.js';
import type { Address, Hash32 } from '../wire/tx/types.js';

export interface GenesisAccount {
  address: Address;
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  /** 32-byte slots and values; zero values are absent from the state, as in geth. */
  storage: readonly { key: Hash32; value: Hash32 }[];
}

function trimLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

async function storageRoot(storage: GenesisAccount['storage']): Promise<Hash32> {
  const trie = await createMPT({ useKeyHashing: true });
  for (const { key, value } of storage) {
    const trimmed = trimLeadingZeros(value);
    if (trimmed.length > 0) await trie.put(key, encodeRlp(trimmed));
  }
  return trie.root();
}

export async function allocStateRoot(alloc: readonly GenesisAccount[]): Promise<Hash32> {
  const trie = await createMPT({ useKeyHashing: true });
  for (const account of alloc) {
    const body = encodeRlp([account.nonce, account.balance, await storageRoot(account.storage), keccak256(account.code)]);
    await trie.put(account.address, body);
  }
  return trie.root();
}
