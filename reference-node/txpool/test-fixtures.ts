/**
 * Test helpers for the txpool tests: a post-merge chain (London..Shanghai at
 * genesis, optionally Cancun/Prague) with funded keys, signed transfers, and
 * a pool whose clock the test moves.
 */
import { Chain } from '../chain/chain.js';
import { parseGenesis } from '../chain/genesis.js';
import { BLOCK_FORKS_TO_LONDON_AT_ZERO } from '../chain/test-fixtures.js';
import { bigIntToFixed, bytesToHex } from '../wire/bytes.js';
import { publicKeyOf } from '../wire/keys.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import type { DynamicFeeTx, LegacyTx, UnsignedDynamicFeeTx, UnsignedLegacyTx } from '../wire/tx/types.js';
import { TxPool, type AddedTx, type TxPoolOptions } from './tx-pool.js';
import { TxPoolError } from './validation.js';

export const GWEI = 1_000_000_000n;
export const ETHER = 10n ** 18n;
export const CHAIN_ID = 1337n;
export const TO = new Uint8Array(20).fill(0x42);
export const BLOCK_GAS_LIMIT = 30_000_000n;

/** Deterministic private keys: key(0), key(1), ... */
export function key(i: number): Uint8Array {
  return bigIntToFixed(BigInt(0x1000 + i), 32);
}

export function address(k: Uint8Array): Uint8Array {
  return addressOf(publicKeyOf(k));
}

export interface AllocEntry {
  balance: bigint;
  nonce?: bigint;
}

export interface ChainSetup {
  /** Extra forks at genesis beyond Shanghai. */
  forks?: Array<'cancun' | 'prague'>;
  alloc: Array<[Uint8Array, AllocEntry]>;
  /** On disk (a restart reopens the same directory); in memory when absent. */
  dir?: string;
}

export async function openChain(setup: ChainSetup): Promise<Chain> {
  const alloc: Record<string, { balance: string; nonce?: string }> = {};
  for (const [k, a] of setup.alloc) {
    alloc[`0x${bytesToHex(address(k))}`] = { balance: `0x${a.balance.toString(16)}`, ...(a.nonce !== undefined ? { nonce: `0x${a.nonce.toString(16)}` } : {}) };
  }
  const timeForks: Record<string, number> = { shanghaiTime: 0 };
  for (const f of setup.forks ?? []) timeForks[`${f}Time`] = 0;
  const genesis = await parseGenesis({
    config: { chainId: Number(CHAIN_ID), ...BLOCK_FORKS_TO_LONDON_AT_ZERO, mergeNetsplitBlock: 0, terminalTotalDifficulty: 0, ...timeForks },
    difficulty: '0x0',
    gasLimit: `0x${BLOCK_GAS_LIMIT.toString(16)}`,
    alloc,
  });
  return Chain.open({ genesis, ...(setup.dir !== undefined ? { dir: setup.dir } : {}) });
}

/** A movable clock starting at an arbitrary epoch. */
export class TestClock {
  ms = 1_700_000_000_000;
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface PoolHarness {
  chain: Chain;
  pool: TxPool;
  clock: TestClock;
  added: AddedTx[];
}

/** Opens a chain and a pool on it; `cleanup` collects what to close. */
export async function openPool(setup: ChainSetup, options: TxPoolOptions, cleanup: Array<() => unknown>): Promise<PoolHarness> {
  const chain = await openChain(setup);
  cleanup.push(() => chain.close());
  const clock = new TestClock();
  const pool = new TxPool(chain, { now: clock.now, ...options });
  cleanup.push(() => pool.close());
  const added: AddedTx[] = [];
  pool.on('added', (e) => added.push(e));
  return { chain, pool, clock, added };
}

/** An EIP-1559 transfer of 1 wei, 21000 gas, 10 gwei fee cap and 1 gwei tip unless overridden. */
export function transfer(k: Uint8Array, nonce: bigint, fields: Partial<UnsignedDynamicFeeTx> = {}): DynamicFeeTx {
  return signTransaction(
    { type: 2, chainId: CHAIN_ID, nonce, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 21_000n, to: TO, value: 1n, data: new Uint8Array(0), accessList: [], ...fields },
    k,
  );
}

/** A legacy EIP-155 transfer at `gasPrice`. */
export function legacyTransfer(k: Uint8Array, nonce: bigint, gasPrice: bigint, fields: Partial<UnsignedLegacyTx> = {}): LegacyTx {
  return signTransaction({ type: 0, chainId: CHAIN_ID, nonce, gasPrice, gasLimit: 21_000n, to: TO, value: 1n, data: new Uint8Array(0), ...fields }, k);
}

/** The TxPoolError a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejectionOf(p: Promise<unknown>): Promise<TxPoolError> {
  const err = await p.then(
    () => new Error('expected a rejection, but the tx was accepted'),
    (e: unknown) => e,
  );
  if (!(err instanceof TxPoolError)) throw err instanceof Error ? err : new Error(String(err));
  return err;
}
