/**
 * Reads accounts out of a stored state trie (eth_getBalance,
 * eth_getTransactionCount, the txpool's nonce and balance checks). It opens
 * its own trie over committed state only, so it never sees the pending writes
 * of an import in progress and never disturbs the executor's caches.
 */
import { createMPT } from '@ethereumjs/mpt';
import type { Address, Hash32 } from '../wire/tx/types.js';
import { asBigInt, asBytes, asExactList, decodeRlp } from '../wire/rlp.js';
import { EMPTY_TRIE_ROOT } from './roots.js';
import { StateDb, type StateBackend } from './state-db.js';
import { keccak256 } from '../wire/keys.js';

export interface AccountState {
  nonce: bigint;
  balance: bigint;
  storageRoot: Hash32;
  codeHash: Hash32;
}

/** An account that does not exist reads as this one (nonce 0, balance 0), as in every client's RPC. */
export const EMPTY_ACCOUNT: AccountState = {
  nonce: 0n,
  balance: 0n,
  storageRoot: EMPTY_TRIE_ROOT,
  codeHash: keccak256(new Uint8Array(0)),
};

export class AccountReader {
  private readonly db: StateDb;

  constructor(backend: StateBackend) {
    this.db = new StateDb(backend);
  }

  /** The account at `address` in the state with root `stateRoot`; EMPTY_ACCOUNT when absent. */
  async account(stateRoot: Hash32, address: Address): Promise<AccountState> {
    const trie = await createMPT({ db: this.db, useKeyHashing: true, root: stateRoot });
    const raw = await trie.get(address);
    if (raw === null) return EMPTY_ACCOUNT;
    const [nonce, balance, storageRoot, codeHash] = asExactList(decodeRlp(raw, 'account'), 'account', 4);
    return {
      nonce: asBigInt(nonce, 'account nonce'),
      balance: asBigInt(balance, 'account balance'),
      storageRoot: asBytes(storageRoot, 'account storage root'),
      codeHash: asBytes(codeHash, 'account code hash'),
    };
  }
}
