/**
 * Typed chain errors. A caller (the import command, sync, the eth handler that
 * got a bad block from a peer) needs to tell three things apart without parsing
 * messages: the genesis file is wrong, a block broke a consensus rule, or the
 * store itself failed. Each carries a code; a block error names the block and
 * the rule, so "block 17: invalid state root" can be printed and tested.
 */
import { bytesToHex } from '../wire/bytes.js';

/** A genesis.json that cannot be used; `field` is the JSON path, e.g. "config.chainId" or "alloc.0x…balance". */
export class GenesisError extends Error {
  override readonly name = 'GenesisError';
  readonly code = 'bad-genesis';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`genesis ${field}: ${detail}`);
  }
}

/**
 * The rule a block broke. The names follow geth's errors where one exists
 * (ErrUnknownAncestor, errInvalidTimestamp, ErrGasLimit, ...), so a log line can
 * be matched against geth's for the same bad block.
 */
export type BlockRule =
  | 'unknown-parent'
  | 'number'
  | 'timestamp'
  | 'extra-data'
  | 'gas-limit'
  | 'gas-used'
  | 'base-fee'
  | 'difficulty'
  | 'nonce'
  | 'mix-hash'
  | 'ommers'
  | 'fork-fields' // a fork's header field missing, or present before its fork
  | 'blob-gas'
  | 'transactions-root'
  | 'withdrawals'
  | 'consensus' // a rule of the pre-merge engine (Clique seal, signer, ...)
  | 'execution' // the EVM rejected the block (bad nonce, insufficient funds, ...)
  | 'state-root'
  | 'receipts-root'
  | 'logs-bloom'
  | 'requests-hash'
  | 'unsupported';

export class BlockValidationError extends Error {
  override readonly name = 'BlockValidationError';
  readonly code = 'invalid-block';
  constructor(
    readonly number: bigint,
    readonly hash: Uint8Array,
    readonly rule: BlockRule,
    readonly detail: string,
  ) {
    super(`block ${number} (0x${bytesToHex(hash).slice(0, 16)}…): ${rule}: ${detail}`);
  }
}

export type ChainStoreErrorCode =
  | 'genesis-mismatch' // the datadir holds another chain
  | 'corrupt' // a record the index points to is missing or undecodable
  | 'closed';

export class ChainStoreError extends Error {
  override readonly name = 'ChainStoreError';
  constructor(
    readonly code: ChainStoreErrorCode,
    readonly detail: string,
  ) {
    super(`chain store: ${detail}`);
  }
}
