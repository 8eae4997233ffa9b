/**
 * The pool's admission rules and its pending/queued split, on a real chain.
 * Expected messages are geth's (core/txpool/errors.go wording), so RPC users
 * see what they see from geth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { parseGenesis } from '../chain/genesis.js';
import { BLOCK_FORKS_TO_LONDON_AT_ZERO } from '../chain/test-fixtures.js';
import { bigIntToFixed } from '../wire/bytes.js';
import { publicKeyOf } from '../wire/keys.js';
import { transactionHash } from '../wire/tx/hash.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import type { Transaction, UnsignedDynamicFeeTx } from '../wire/tx/types.js';
import { TxPool } from './tx-pool.js';
import { intrinsicGas, TxPoolError } from './validation.js';

const keyA = bigIntToFixed(11n, 32);
const keyB = bigIntToFixed(12n, 32);
const poor = bigIntToFixed(13n, 32);
const hexAddr = (k: Uint8Array) => `0x${Buffer.from(addressOf(publicKeyOf(k))).toString('hex')}`;
const to = new Uint8Array(20).fill(0x42);
const GWEI = 1_000_000_000n;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ chain: Chain; pool: TxPool }> {
  const genesis = await parseGenesis({
    config: { chainId: 1337, ...BLOCK_FORKS_TO_LONDON_AT_ZERO, mergeNetsplitBlock: 0, terminalTotalDifficulty: 0, shanghaiTime: 0 },
    difficulty: '0x0',
    gasLimit: '0x1c9c380',
    alloc: { [hexAddr(keyA)]: { balance: '0xde0b6b3a7640000' }, [hexAddr(keyB)]: { balance: '0xde0b6b3a7640000' }, [hexAddr(poor)]: { balance: '0x1' } },
  });
  const chain = await Chain.open({ genesis });
  const pool = new TxPool(chain);
  cleanups.push(() => chain.close(), () => pool.close());
  return { chain, pool };
}

function tx(key: Uint8Array, nonce: bigint, fields: Partial<UnsignedDynamicFeeTx> = {}): Transaction {
  return signTransaction(
    { type: 2, chainId: 1337n, nonce, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 21_000n, to, value: 1n, data: new Uint8Array(0), accessList: [], ...fields },
    key,
  );
}

async function rejection(p: Promise<unknown>): Promise<TxPoolError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TxPoolError);
  return err as TxPoolError;
}

describe('TxPool admission', () => {
  it('rejects each invalid tx with its reason', async () => {
    const { pool } = await setup();
    expect((await rejection(pool.add(tx(keyA, 0n, { chainId: 1n })))).reason).toBe('wrongChainId');
    expect((await rejection(pool.add(tx(keyA, 0n, { gasLimit: 20_999n })))).message).toBe('intrinsic gas too low: gas 20999, minimum needed 21000');
    expect((await rejection(pool.add(tx(keyA, 0n, { gasLimit: 40_000_000n })))).reason).toBe('gasLimit');
    expect((await rejection(pool.add(tx(keyA, 0n, { maxPriorityFeePerGas: 11n * GWEI })))).reason).toBe('tipAboveFeeCap');
    expect((await rejection(pool.add(tx(poor, 0n)))).message).toMatch(/^insufficient funds for gas \* price \+ value/);
    expect((await rejection(pool.add(tx(keyA, 0n, { to: null, data: new Uint8Array(49_153), gasLimit: 10_000_000n })))).reason).toBe('initCodeTooLarge');
    const ok = tx(keyA, 0n);
    await pool.add(ok);
    expect((await rejection(pool.add(ok))).message).toBe('already known');
    expect(pool.status()).toEqual({ pending: 1, queued: 0 });
  });

  it('intrinsic gas: calldata, creation, access lists (EIP-2028, EIP-2930, EIP-3860)', () => {
    const rules = { homestead: true, shanghai: true, istanbul: true };
    const data = Uint8Array.of(0, 1, 0, 2); // 2 zero bytes at 4, 2 non-zero at 16
    expect(intrinsicGas(tx(keyA, 0n, { data }), rules)).toBe(21_000n + 8n + 32n);
    // Creation: 53000 + calldata + 2 per 32-byte word of init code.
    expect(intrinsicGas(tx(keyA, 0n, { to: null, data: new Uint8Array(33).fill(1) }), rules)).toBe(53_000n + 33n * 16n + 4n);
    const accessList = [{ address: to, storageKeys: [new Uint8Array(32), new Uint8Array(32)] }];
    expect(intrinsicGas(tx(keyA, 0n, { accessList }), rules)).toBe(21_000n + 2_400n + 2n * 1_900n);
  });

  it('nonce gaps queue; filling the gap makes the run pending; replacement needs a 10 % bump', async () => {
    const { pool } = await setup();
    await pool.add(tx(keyA, 1n));
    expect(pool.status()).toEqual({ pending: 0, queued: 1 });
    expect(pool.pending()).toEqual([]);
    const first = tx(keyA, 0n);
    await pool.add(first);
    expect(pool.status()).toEqual({ pending: 2, queued: 0 });
    expect(pool.pending().map((t) => t.nonce)).toEqual([0n, 1n]);
    expect((await rejection(pool.add(tx(keyA, 0n, { maxFeePerGas: 10n * GWEI + 1n, maxPriorityFeePerGas: 2n * GWEI })))).reason).toBe('replacementUnderpriced');
    const bumped = tx(keyA, 0n, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: (11n * GWEI) / 10n });
    await pool.add(bumped);
    expect(pool.get(transactionHash(bumped))).toEqual(bumped);
    expect(pool.get(transactionHash(first))).toBeUndefined();
    expect(pool.pending()[0]).toEqual(bumped);
  });

  it('orders senders by tip and drops included txs when the head moves', async () => {
    const { chain, pool } = await setup();
    const a0 = tx(keyA, 0n);
    const b0 = tx(keyB, 0n, { maxPriorityFeePerGas: 3n * GWEI });
    await pool.add(a0);
    await pool.add(b0);
    await pool.add(tx(keyA, 1n));
    expect(pool.pending()).toEqual([b0, a0, expect.objectContaining({ nonce: 1n })]);
    const block = await chain.buildBlock({ parentHash: chain.head().hash, timestamp: 12n, transactions: [b0, a0] });
    await chain.importBlocks([block]);
    await pool.settled();
    expect(pool.status()).toEqual({ pending: 1, queued: 0 });
    expect(pool.pending().map((t) => t.nonce)).toEqual([1n]);
    expect((await rejection(pool.add(a0))).reason).toBe('nonceTooLow');
  });
});
