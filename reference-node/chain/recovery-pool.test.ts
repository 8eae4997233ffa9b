import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { headerHash, type Block } from '../wire/block.js';
import { bigIntToFixed, concatBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { keccak256, publicKeyOf, recoverPublicKey, signRecoverable } from '../wire/keys.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import type { DynamicFeeTx } from '../wire/tx/types.js';
import { Chain } from './chain.js';
import { CliqueEngine, sealHeader } from './clique.js';
import { calcBaseFee } from './eip1559.js';
import { BlockValidationError } from './errors.js';
import { parseGenesis, type Genesis } from './genesis.js';
import { forgetRecovered, recallRecovered } from './recovery-memo.js';
import { RecoveryPool, type SignatureJob } from './recovery-pool.js';
import { transactionsRoot } from './roots.js';
import { cliqueLondonGenesis } from './test-fixtures.js';

describe('RecoveryPool', () => {
  const pool = new RecoveryPool(2);
  const signed = (n: number, seed: number): SignatureJob[] =>
    Array.from({ length: n }, (_, i) => {
      const digest = keccak256(Uint8Array.of(seed, i >> 8, i));
      return { digest, signature: signRecoverable(digest, bigIntToFixed(BigInt(100 + seed * 1000 + i), 32)) };
    });

  it('puts into the memo exactly what recoverPublicKey recovers, and nothing for signatures that do not recover', async () => {
    forgetRecovered();
    const good: SignatureJob[] = Array.from({ length: 24 }, (_, i) => {
      const digest = keccak256(Uint8Array.of(i));
      return { digest, signature: signRecoverable(digest, secp256k1.utils.randomSecretKey()) };
    });
    // A flipped recovery id still recovers (to another key); r = 0, an r that is no curve x, and v = 2 do not.
    const flipped = { digest: good[0]!.digest, signature: concatBytes(good[0]!.signature.subarray(0, 64), Uint8Array.of(good[0]!.signature[64]! ^ 1)) };
    const zeroR = { digest: good[1]!.digest, signature: concatBytes(new Uint8Array(32), good[1]!.signature.subarray(32)) };
    const notX = { digest: good[2]!.digest, signature: concatBytes(bigIntToFixed(5n, 32), good[2]!.signature.subarray(32)) };
    const badV = { digest: good[3]!.digest, signature: concatBytes(good[3]!.signature.subarray(0, 64), Uint8Array.of(2)) };
    const jobs = [...good, flipped, zeroR, notX, badV];
    const batch = pool.recover(jobs);
    await vi.waitFor(() => expect(batch.settled()).toBe(true), { timeout: 20_000 });
    batch.take(0, jobs.length);
    for (const job of [...good, flipped]) expect(recallRecovered(job.digest, job.signature)).toEqual(recoverPublicKey(job.digest, job.signature));
    for (const job of [zeroR, notX, badV]) {
      expect(recallRecovered(job.digest, job.signature)).toBeUndefined();
      expect(() => recoverPublicKey(job.digest, job.signature)).toThrow(DecodeError);
    }
  });

  it('hands back to the caller, without waiting, the jobs no worker has started', async () => {
    forgetRecovered();
    const single = new RecoveryPool(1);
    // The worker is busy with `first` for a good while (hundreds of recoveries), so none of `second` has started.
    const first = single.recover(signed(300, 1));
    const secondJobs = signed(5, 2);
    const second = single.recover(secondJobs);
    const t0 = performance.now();
    second.take(0, secondJobs.length);
    expect(performance.now() - t0).toBeLessThan(50);
    for (const job of secondJobs) expect(recallRecovered(job.digest, job.signature)).toBeUndefined();
    expect(second.settled()).toBe(true);
    first.close();
    await vi.waitFor(() => expect(first.settled()).toBe(true), { timeout: 20_000 });
  });

  it('recovers nothing, and blocks nothing, without workers', () => {
    forgetRecovered();
    const jobs = signed(20, 3);
    const batch = new RecoveryPool(0).recover(jobs);
    expect(batch.settled()).toBe(true);
    batch.take(0, jobs.length);
    for (const job of jobs) expect(recallRecovered(job.digest, job.signature)).toBeUndefined();
  });

  it('shares a batch out between workers, each job once', async () => {
    forgetRecovered();
    const jobs = signed(40, 4);
    const batch = pool.recover(jobs);
    await vi.waitFor(() => expect(batch.settled()).toBe(true), { timeout: 20_000 });
    batch.take(0, jobs.length);
    jobs.forEach((job, i) => expect(recallRecovered(job.digest, job.signature)).toEqual(publicKeyOf(bigIntToFixed(BigInt(4100 + i), 32))));
  });
});

describe('an import that recovers ahead', () => {
  const sealerKey = bigIntToFixed(1n, 32);
  let genesis: Genesis;
  let blocks: Block[];

  beforeAll(async () => {
    genesis = await parseGenesis(cliqueLondonGenesis());
    const engine = new CliqueEngine(genesis.config.clique!);
    const builder = await Chain.open({ genesis, engine, recoverAhead: false });
    blocks = [];
    for (let n = 0; n < 12; n++) {
      const parentHash = builder.head().hash;
      const fields = engine.prepare(parentHash, builder, addressOf(publicKeyOf(sealerKey)));
      const baseFee = calcBaseFee(genesis.config, builder.headerByHash(parentHash)!);
      const tx = signTransaction(
        { type: 2, chainId: 1337n, nonce: BigInt(n), maxPriorityFeePerGas: 1n, maxFeePerGas: baseFee * 2n, gasLimit: 21_000n, to: new Uint8Array(20).fill(9), value: 1n, data: new Uint8Array(0), accessList: [] },
        sealerKey,
      );
      const block = await builder.buildBlock(
        { parentHash, timestamp: fields.minTimestamp, transactions: [tx], difficulty: fields.difficulty, extraData: fields.extraData },
        (h) => sealHeader(h, sealerKey),
      );
      await builder.importBlocks([block]);
      blocks.push(block);
    }
    await builder.close();
  }, 60_000);
  afterAll(() => forgetRecovered());

  it('imports the chain to the same head as an import that recovers everything itself', async () => {
    forgetRecovered();
    const spy = vi.spyOn(RecoveryPool.prototype, 'recover');
    const chain = await Chain.open({ genesis });
    await chain.importBlocks(blocks);
    // One batch for the import: each block's seal and sender.
    expect(spy.mock.calls.map(([jobs]) => jobs.length)).toEqual([blocks.length * 2]);
    spy.mockRestore();
    expect(chain.head().hash).toEqual(headerHash(blocks[blocks.length - 1]!.header));
    await chain.close();
  });

  it('still fails a block whose sender signature was replaced, at that block', async () => {
    forgetRecovered();
    // Same tx with another valid (low) s: it recovers to an unfunded account, so the VM must refuse it.
    const last = blocks[blocks.length - 1]!;
    const tx = last.transactions[0] as DynamicFeeTx;
    const forged: DynamicFeeTx = { ...tx, s: 12345n };
    const header = sealHeader({ ...last.header, transactionsRoot: await transactionsRoot([forged]) }, sealerKey);
    const tampered = [...blocks.slice(0, -1), { ...last, header, transactions: [forged] }];
    const chain = await Chain.open({ genesis });
    const err = await chain.importBlocks(tampered).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockValidationError);
    expect((err as BlockValidationError).number).toBe(last.header.number);
    expect((err as BlockValidationError).rule).toBe('execution');
    expect(chain.head().number).toBe(0n);
    await chain.close();
  });
});
