/**
 * The local transaction journal across a restart: a node (chain on disk, pool
 * with journalPath) is closed and reopened on the same directory. The file's
 * format is checked with @ethereumjs/rlp and @ethereumjs/tx (geth writes the
 * same: rlp.Encode of each tx, one after another).
 */
import { mkdtempSync, rmSync, appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { createTxFromRLP } from '@ethereumjs/tx';
import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../chain/chain.js';
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import type { Transaction } from '../wire/tx/types.js';
import { JOURNAL_FILE_NAME, TxJournal } from './journal.js';
import { CHAIN_ID, ETHER, GWEI, key, legacyTransfer, openChain, transfer } from './test-fixtures.js';
import { TxPool, type AddedTx } from './tx-pool.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const A = key(200);
const B = key(201);
const alloc = (): Array<[Uint8Array, { balance: bigint }]> => [
  [A, { balance: ETHER }],
  [B, { balance: ETHER }],
];
const hex = (tx: Transaction) => bytesToHex(transactionHash(tx));

/** A node's chain and pool on `dir`; close() is a clean shutdown. */
async function startNode(dir: string): Promise<{ chain: Chain; pool: TxPool; added: AddedTx[]; logs: string[]; close: () => Promise<void> }> {
  const chain = await openChain({ alloc: alloc(), dir: join(dir, 'chaindata') });
  const logs: string[] = [];
  const pool = new TxPool(chain, { journalPath: join(dir, JOURNAL_FILE_NAME), log: (l) => logs.push(l) });
  const added: AddedTx[] = [];
  pool.on('added', (e) => added.push(e));
  await pool.load();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    pool.close();
    await chain.close();
  };
  cleanups.push(close);
  return { chain, pool, added, logs, close };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'txpool-journal-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The journal's entries as @ethereumjs decodes them: hashes, in file order. */
function journalHashes(path: string): string[] {
  const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Shanghai });
  let rest: Uint8Array = readFileSync(path);
  const hashes: string[] = [];
  while (rest.length > 0) {
    const { data, remainder } = RLP.decode(rest, true);
    // geth's rlp.Encode(tx): a legacy tx is its list, a typed tx a byte string holding type || payload.
    const bytes = data instanceof Uint8Array ? data : RLP.encode(data);
    hashes.push(bytesToHex(createTxFromRLP(bytes, { common }).hash()));
    rest = remainder;
  }
  return hashes;
}

describe('txpool journal', () => {
  it('restores local pending and queued txs after a restart; remote txs are not journalled', async () => {
    const dir = tempDir();
    const journal = join(dir, JOURNAL_FILE_NAME);
    const first = await startNode(dir);
    const local = [transfer(A, 0n), legacyTransfer(A, 1n, 2n * GWEI), transfer(A, 3n)];
    for (const tx of local) await first.pool.add(tx);
    const remote = transfer(B, 0n);
    await first.pool.addRemotes([remote], 'ab12');
    expect(first.pool.status()).toEqual({ pending: 3, queued: 1 });
    await first.close();
    expect(journalHashes(journal)).toEqual(local.map(hex));

    const second = await startNode(dir);
    expect(second.pool.status()).toEqual({ pending: 2, queued: 1 });
    expect(local.map((tx) => second.pool.has(transactionHash(tx)))).toEqual([true, true, true]);
    expect(second.pool.has(transactionHash(remote))).toBe(false);
    expect(second.added.map((e) => [hex(e.tx), e.local])).toEqual(local.map((tx) => [hex(tx), true]));
    // Loading does not append what it loads: the rotated journal holds each tx once.
    expect(journalHashes(journal)).toEqual(local.map(hex));
  });

  it('rewrites the journal on load with what the pool still holds: mined and replaced txs are gone', async () => {
    const dir = tempDir();
    const journal = join(dir, JOURNAL_FILE_NAME);
    const first = await startNode(dir);
    const a0 = transfer(A, 0n);
    const a1 = transfer(A, 1n);
    const a1bumped = transfer(A, 1n, { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    for (const tx of [a0, a1, a1bumped]) await first.pool.add(tx);
    expect(journalHashes(journal)).toEqual([a0, a1, a1bumped].map(hex)); // appended as they came
    const block = await first.chain.buildBlock({ parentHash: first.chain.head().hash, timestamp: 12n, transactions: [a0] });
    await first.chain.importBlocks([block]);
    await first.pool.settled();
    await first.close();

    const second = await startNode(dir);
    expect(second.pool.pending()).toEqual([a1bumped]);
    expect(journalHashes(journal)).toEqual([hex(a1bumped)]);
  });

  it('keeps the txs before a damaged entry and drops the damage on rotation', async () => {
    const dir = tempDir();
    const journal = join(dir, JOURNAL_FILE_NAME);
    const first = await startNode(dir);
    await first.pool.add(transfer(A, 0n));
    await first.close();
    appendFileSync(journal, Uint8Array.of(0xf8, 0xff, 0x01)); // a list header promising 255 bytes, then 1
    expect(new TxJournal(journal).read()).toMatchObject({ txs: [expect.objectContaining({ nonce: 0n })], error: expect.stringMatching(/^entry 1: /) });

    const second = await startNode(dir);
    expect(second.pool.status()).toEqual({ pending: 1, queued: 0 });
    expect(second.logs.some((l) => l.includes('damaged after 1 txs'))).toBe(true);
    expect(new TxJournal(journal).read().error).toBeUndefined();
    expect(journalHashes(journal)).toEqual([hex(transfer(A, 0n))]);
  });

  it('starts from no journal file, and TxPool.open loads in one step', async () => {
    const dir = tempDir();
    const journal = join(dir, JOURNAL_FILE_NAME);
    const chain = await openChain({ alloc: alloc() });
    cleanups.push(() => chain.close());
    const pool = await TxPool.open(chain, { journalPath: journal });
    cleanups.push(() => pool.close());
    expect(pool.status()).toEqual({ pending: 0, queued: 0 });
    const tx = transfer(A, 0n);
    await pool.add(tx);
    expect(existsSync(journal)).toBe(true);
    expect(journalHashes(journal)).toEqual([hex(tx)]);
  });
});
