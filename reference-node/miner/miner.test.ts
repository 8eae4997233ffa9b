import { afterEach, describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.js';
import { cliqueSealHash, EXTRA_SEAL, recoverCliqueSigner } from '../chain/clique.js';
import { forgetRecovered, recallRecovered } from '../chain/recovery-memo.js';
import { parseGenesis, type Genesis } from '../chain/genesis.js';
import { headerHash, type Block } from '../wire/block.js';
import { bigIntToFixed, bytesToHex, concatBytes } from '../wire/bytes.js';
import { publicKeyOf, recoverPublicKey } from '../wire/keys.js';
import { signingHash } from '../wire/tx/hash.js';
import { recoveryIdOfV } from '../wire/tx/signature.js';
import { signTransaction } from '../wire/tx/signer.js';
import type { Transaction } from '../wire/tx/types.js';
import { CliqueMiner } from './clique-miner.js';
import { DevMiner } from './dev-miner.js';
import { MinerError } from './errors.js';
import { sealHeaderKnown, signTransactionKnown } from './known-signatures.js';
import { fixtureAccount, type FixtureAccount } from './fixture-keys.js';
import { legacyGenesis, modernGenesis } from './fixture-genesis.js';

const CHAIN_ID = 1337n;
const alice = fixtureAccount('miner-test', 'alice');
const bob = fixtureAccount('miner-test', 'bob');
const poor = fixtureAccount('miner-test', 'poor'); // not funded
const signerA = fixtureAccount('miner-test', 'signer-a');
const signerB = fixtureAccount('miner-test', 'signer-b');
const outsider = fixtureAccount('miner-test', 'outsider');
const ETH = 10n ** 18n;

async function cliqueGenesis(signers: FixtureAccount[]): Promise<Genesis> {
  const json = legacyGenesis({ chainId: CHAIN_ID, timestamp: 0x6000n, gasLimit: 30_000_000n, funded: [alice.address, bob.address], balance: 100n * ETH, signer: signers[0]!.address, cliquePeriod: 1n });
  // Several signers: the checkpoint list in extraData, sorted as Clique requires.
  const list = signers.map((s) => bytesToHex(s.address)).sort().join('');
  json['extraData'] = `0x${'00'.repeat(32)}${list}${'00'.repeat(65)}`;
  return parseGenesis(json);
}

async function devGenesis(): Promise<Genesis> {
  return parseGenesis(modernGenesis({ chainId: CHAIN_ID, timestamp: 0n, gasLimit: 30_000_000n, funded: [alice.address, bob.address], balance: 100n * ETH }));
}

function transfer(from: FixtureAccount, nonce: bigint, options: { gasLimit?: bigint; value?: bigint } = {}): Transaction {
  return signTransaction(
    { type: 2, chainId: CHAIN_ID, nonce, maxPriorityFeePerGas: 1n, maxFeePerGas: 10n ** 10n, gasLimit: options.gasLimit ?? 21_000n, to: bob.address, value: options.value ?? 1000n, data: new Uint8Array(0), accessList: [] },
    from.key,
  );
}

const txSource = (txs: Transaction[]) => ({ pending: () => txs });
const hashes = (blocks: Block[]) => blocks.map((b) => bytesToHex(headerHash(b.header)));

/** Imports `blocks` into a second, fresh chain on the same genesis: every header, seal and root checked again. */
async function verifyOnFreshChain(genesis: Genesis, blocks: Block[]): Promise<void> {
  const fresh = await Chain.open({ genesis });
  try {
    const r = await fresh.importBlocks(blocks);
    expect(r.imported).toBe(blocks.length);
    expect(bytesToHex(r.head.hash)).toBe(hashes(blocks).at(-1));
  } finally {
    await fresh.close();
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
async function openChain(genesis: Genesis): Promise<Chain> {
  const chain = await Chain.open({ genesis });
  cleanups.push(() => chain.close());
  return chain;
}

describe('CliqueMiner', () => {
  it('seals blocks one period apart that a fresh chain accepts, signed by its key', async () => {
    const genesis = await cliqueGenesis([signerA]);
    const chain = await openChain(genesis);
    const sealed: { block: Block; td: bigint }[] = [];
    const miner = new CliqueMiner({ chain, signerKey: signerA.key, txSource: txSource([]), onSealed: (block, td) => sealed.push({ block, td }) });
    const blocks: Block[] = [];
    for (let i = 0; i < 3; i++) {
      const block = await miner.sealNext();
      // Never sealed before its own timestamp (geth waits until header.Time).
      expect(Date.now()).toBeGreaterThanOrEqual(Number(block.header.timestamp) * 1000);
      blocks.push(block);
    }
    expect(blocks.map((b) => b.header.number)).toEqual([1n, 2n, 3n]);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.header.timestamp - blocks[i - 1]!.header.timestamp).toBeGreaterThanOrEqual(1n);
    for (const b of blocks) {
      expect(bytesToHex(recoverCliqueSigner(b.header))).toBe(bytesToHex(signerA.address));
      expect(b.header.difficulty).toBe(2n); // the only signer is always in turn
    }
    expect(bytesToHex(chain.head().hash)).toBe(hashes(blocks)[2]);
    expect(sealed.map((s) => s.td)).toEqual([3n, 5n, 7n]); // genesis difficulty 1, then 2 per block
    await verifyOnFreshChain(genesis, blocks);
  }, 20_000);

  it('includes the pending transactions that apply, in order, and leaves out the rest', async () => {
    const genesis = await cliqueGenesis([signerA]);
    const chain = await openChain(genesis);
    const good = [transfer(alice, 0n), transfer(alice, 1n), transfer(bob, 0n), transfer(alice, 2n)];
    const pending = [
      good[0]!,
      good[1]!,
      transfer(poor, 0n), // no balance
      good[2]!,
      transfer(bob, 5n), // nonce gap
      good[3]!,
      transfer(alice, 3n, { gasLimit: 20_000n }), // below the intrinsic gas: passes the pre-checks, fails in the EVM
      transfer(alice, 4n), // after a failed one of the same sender: cannot apply
    ];
    const miner = new CliqueMiner({ chain, signerKey: signerA.key, txSource: txSource(pending) });
    const block = await miner.sealNext();
    expect(block.transactions).toEqual(good);
    expect(chain.receiptsByHash(headerHash(block.header))!.every((r) => r.postStateOrStatus[0] === 1)).toBe(true);
    expect((await chain.accountAt(alice.address))!.nonce).toBe(3n);
    // The next block skips what is already included (nonce too low) rather than failing.
    const next = await miner.sealNext();
    expect(next.transactions).toEqual([]);
    await verifyOnFreshChain(genesis, [block, next]);
  }, 20_000);

  it('runs on its own once started: a block per period, onSealed for each, nothing after stop()', async () => {
    const genesis = await cliqueGenesis([signerA]);
    const chain = await openChain(genesis);
    const sealed: Block[] = [];
    const miner = new CliqueMiner({ chain, signerKey: signerA.key, txSource: txSource([transfer(alice, 0n)]), onSealed: (b) => sealed.push(b) });
    const started = Date.now();
    miner.start();
    while (sealed.length < 3) await new Promise((r) => setTimeout(r, 50));
    await miner.stop();
    // Block 1 may go out at once (the genesis is old); blocks 2 and 3 each wait a period.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sealed[0]!.transactions).toHaveLength(1);
    expect(chain.head().number).toBe(BigInt(sealed.length));
    const count = sealed.length;
    await new Promise((r) => setTimeout(r, 1300));
    expect(sealed).toHaveLength(count);
    expect(chain.head().number).toBe(BigInt(count));
    await verifyOnFreshChain(genesis, sealed);
  }, 20_000);

  it('does not seal with a key that is not a signer', async () => {
    const genesis = await cliqueGenesis([signerA]);
    const chain = await openChain(genesis);
    const lines: string[] = [];
    let sealed = 0;
    const miner = new CliqueMiner({ chain, signerKey: outsider.key, txSource: txSource([]), onSealed: () => sealed++, log: (l) => lines.push(l) });
    await expect(miner.sealNext()).rejects.toMatchObject({ name: 'MinerError', code: 'unauthorized' });
    miner.start();
    await new Promise((r) => setTimeout(r, 1500));
    await miner.stop();
    expect(sealed).toBe(0);
    expect(chain.head().number).toBe(0n);
    expect(lines.filter((l) => /not a Clique signer/.test(l))).toHaveLength(1); // said once, not every tick
  }, 20_000);

  it('with two signers, waits for the other after sealing (signed recently), and out of turn seals with difficulty 1', async () => {
    const genesis = await cliqueGenesis([signerA, signerB]);
    const chain = await openChain(genesis);
    const a = new CliqueMiner({ chain, signerKey: signerA.key, txSource: txSource([]) });
    const b = new CliqueMiner({ chain, signerKey: signerB.key, txSource: txSource([]) });
    const first = await a.sealNext();
    await expect(a.sealNext()).rejects.toBeInstanceOf(MinerError);
    await expect(a.sealNext()).rejects.toMatchObject({ code: 'recently-signed' });
    const second = await b.sealNext();
    // Signers take turns in address order: block n is in turn for signer n mod 2.
    const sorted = [signerA, signerB].sort((x, y) => Buffer.compare(x.address, y.address));
    const inTurn = (n: bigint, s: FixtureAccount) => sorted[Number(n % 2n)] === s;
    expect(first.header.difficulty).toBe(inTurn(1n, signerA) ? 2n : 1n);
    expect(second.header.difficulty).toBe(inTurn(2n, signerB) ? 2n : 1n);
    await verifyOnFreshChain(genesis, [first, second]);
  }, 20_000);

  it('refuses a chain without Clique', async () => {
    const chain = await openChain(await devGenesis());
    expect(() => new CliqueMiner({ chain, signerKey: signerA.key, txSource: txSource([]) })).toThrow(MinerError);
  });
});

describe('DevMiner', () => {
  it('advances the head every period with post-merge blocks carrying the pending transactions', async () => {
    const genesis = await devGenesis();
    const chain = await openChain(genesis);
    const sealed: { block: Block; td: bigint }[] = [];
    const txs = [transfer(alice, 0n), transfer(alice, 1n)];
    const miner = new DevMiner({ chain, period: 1, txSource: txSource(txs), onSealed: (block, td) => sealed.push({ block, td }) });
    const started = Date.now();
    miner.start();
    while (sealed.length < 2) await new Promise((r) => setTimeout(r, 50));
    await miner.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000); // two periods
    const blocks = sealed.map((s) => s.block);
    expect(blocks[0]!.transactions).toEqual(txs);
    expect(blocks[1]!.transactions).toEqual([]);
    for (const b of blocks) {
      expect(b.header.difficulty).toBe(0n);
      expect(b.withdrawals).toEqual([]);
    }
    expect(sealed.map((s) => s.td)).toEqual([0n, 0n]);
    expect(blocks[1]!.header.timestamp).toBeGreaterThan(blocks[0]!.header.timestamp);
    expect(bytesToHex(chain.head().hash)).toBe(hashes(blocks).at(-1));
    await verifyOnFreshChain(genesis, blocks);
  }, 20_000);

  it('sealNext builds at once; period 0 builds only when transactions are pending', async () => {
    const genesis = await devGenesis();
    const chain = await openChain(genesis);
    const pending: Transaction[] = [];
    const sealed: Block[] = [];
    const miner = new DevMiner({ chain, period: 0, txSource: { pending: () => pending }, onSealed: (b) => sealed.push(b) });
    const first = await miner.sealNext();
    expect(first.header.number).toBe(1n);
    miner.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(sealed).toHaveLength(1); // only the sealNext one: nothing pending
    pending.push(transfer(bob, 0n));
    while (sealed.length < 2) await new Promise((r) => setTimeout(r, 50));
    // The included transaction is still offered (a pool would drop it), but nothing applies any more: no empty blocks.
    await new Promise((r) => setTimeout(r, 600));
    await miner.stop();
    expect(sealed).toHaveLength(2);
    expect(sealed[1]!.transactions).toHaveLength(1);
    expect(chain.head().number).toBe(2n);
  }, 20_000);

  it('refuses a chain that is not past the merge', async () => {
    const chain = await openChain(await cliqueGenesis([signerA]));
    expect(() => new DevMiner({ chain, period: 1, txSource: txSource([]) })).toThrow(/not past the merge/);
  });
});

describe('signing with the recovery remembered', () => {
  it('records, for transactions of each type and for a Clique seal, the key that recovery itself returns', async () => {
    forgetRecovered();
    const pub = publicKeyOf(alice.key);
    const base = { chainId: CHAIN_ID, nonce: 7n, gasLimit: 21_000n, to: bob.address, value: 1n, data: new Uint8Array(0) };
    const txs = [
      signTransactionKnown({ ...base, type: 0, gasPrice: 5n }, alice.key, pub),
      signTransactionKnown({ ...base, type: 1, gasPrice: 5n, accessList: [] }, alice.key, pub),
      signTransactionKnown({ ...base, type: 2, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, accessList: [] }, alice.key, pub),
    ];
    for (const tx of txs) {
      const id = tx.type === 0 ? recoveryIdOfV(tx.v) : tx.yParity;
      const sig = concatBytes(bigIntToFixed(tx.r, 32), bigIntToFixed(tx.s, 32), Uint8Array.of(id));
      const digest = signingHash(tx);
      expect(recallRecovered(digest, sig), `type ${tx.type}`).toEqual(recoverPublicKey(digest, sig));
    }
    const genesis = await cliqueGenesis([signerA]);
    const sealed = sealHeaderKnown({ ...genesis.block.header, number: 1n }, signerA.key, publicKeyOf(signerA.key));
    const seal = sealed.extraData.subarray(sealed.extraData.length - EXTRA_SEAL);
    expect(recallRecovered(cliqueSealHash(sealed), seal)).toEqual(recoverPublicKey(cliqueSealHash(sealed), seal));
    forgetRecovered();
    expect(bytesToHex(recoverCliqueSigner(sealed))).toBe(bytesToHex(signerA.address));
  });
});
