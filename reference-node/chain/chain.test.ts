import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { readSharedBytes, readSharedJson } from '../../test-support/shared.js';
import { EMPTY_OMMERS_HASH, headerHash, ommersHashOf, type Block } from '../wire/block.js';
import { bytesToHex, equalBytes, hexToBytes } from '../wire/bytes.js';
import { logsBloom } from '../wire/eth/receipts.js';
import { transactionHash } from '../wire/tx/hash.js';
import { Chain } from './chain.js';
import { BlockValidationError, ChainStoreError, type BlockRule } from './errors.js';
import { parseGenesis, type Genesis } from './genesis.js';
import { receiptsRoot, transactionsRoot, withdrawalsRoot } from './roots.js';
import { cliqueLondonGenesis } from './test-fixtures.js';

const vectors = loadEthtestChain();
const chainRlp = () => readSharedBytes('vectors-reference', 'geth-ethtest-chain', 'chain.rlp');
const HEAD = '44e3809c9a3cda717f00aea3a9da336d149612c8d5657fbc0028176ef8d94d2a';

let genesis: Genesis;
beforeAll(async () => {
  genesis = await parseGenesis(vectors.genesisJson);
});

/** The rule of the BlockValidationError that `promise` rejects with. */
async function rejectedRule(promise: Promise<unknown>): Promise<{ rule: BlockRule; number: bigint }> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BlockValidationError);
  const { rule, number } = err as BlockValidationError;
  return { rule, number };
}

describe('the ethtest chain, imported with execution', () => {
  let chain: Chain;
  let importMs = 0;

  beforeAll(async () => {
    chain = await Chain.open({ genesis });
    const start = performance.now();
    await chain.importChainRlp(chainRlp());
    importMs = performance.now() - start;
    console.log(`imported 600 blocks with execution in ${(importMs / 1000).toFixed(1)} s`);
  }, 300_000);
  afterAll(() => chain?.close());

  it('reaches the head 44e3…4d2a at 600 with the TD of the vectors', () => {
    const head = chain.head();
    expect(head.number).toBe(600n);
    expect(bytesToHex(head.hash)).toBe(HEAD);
    expect(head.td).toBe(vectors.td);
    expect(head.timestamp).toBe(6000n);
  });

  it('announces network ID 3503995874084926, the genesis hash, and fork ID 377aaa78 next 0', () => {
    expect(chain.networkId).toBe(3503995874084926n);
    expect(chain.genesisHash).toEqual(vectors.genesisHash);
    const id = chain.forkId();
    expect(bytesToHex(id.hash)).toBe('377aaa78');
    expect(id.next).toBe(0n);
    expect(chain.earliest()).toBe(0n);
  });

  it('validates remote fork IDs at its head (EIP-2124)', () => {
    const filter = chain.forkFilter();
    expect(filter({ hash: hexToBytes('377aaa78'), next: 0n })).toBe('accept');
    // A peer still before Prague, announcing it next: remote-stale rules do not apply, it is an ancestor state with the right next.
    expect(filter({ hash: hexToBytes('e8d31f82'), next: 120n })).toBe('accept');
    expect(filter({ hash: hexToBytes('e8d31f82'), next: 0n })).toBe('remote-stale');
    expect(filter({ hash: hexToBytes('deadbeef'), next: 0n })).toBe('local-incompatible-or-stale');
  });

  it('serves every header of chain.rlp, by number and by hash, with the TD of each', () => {
    expect(chain.headerByNumber(0n)).toEqual(genesis.block.header);
    expect(chain.hashByNumber(0n)).toEqual(genesis.hash);
    let td = genesis.block.header.difficulty;
    for (const [i, block] of vectors.blocks.entries()) {
      const n = BigInt(i + 1);
      td += block.header.difficulty;
      expect(chain.hashByNumber(n)).toEqual(vectors.hashes[i]);
      expect(chain.headerByNumber(n)).toEqual(block.header);
      expect(chain.headerByHash(vectors.hashes[i]!)).toEqual(block.header);
      expect(chain.tdByHash(vectors.hashes[i]!)).toBe(td);
    }
    expect(chain.headerByNumber(601n)).toBeUndefined();
    expect(chain.hashByNumber(-1n)).toBeUndefined();
    expect(chain.headerByHash(new Uint8Array(32))).toBeUndefined();
  });

  it('serves bodies that hash to the header roots', async () => {
    for (const [i, hash] of vectors.hashes.entries()) {
      const header = vectors.blocks[i]!.header;
      const body = chain.bodyByHash(hash)!;
      expect(await transactionsRoot(body.transactions)).toEqual(header.transactionsRoot);
      expect(await withdrawalsRoot(body.withdrawals!)).toEqual(header.withdrawalsRoot);
      expect(ommersHashOf(body.uncles)).toEqual(EMPTY_OMMERS_HASH);
    }
    expect(chain.bodyByHash(new Uint8Array(32))).toBeUndefined();
  });

  it('serves receipts that hash to the header roots and blooms', async () => {
    let txs = 0;
    for (const [i, hash] of vectors.hashes.entries()) {
      const { header, transactions } = vectors.blocks[i]!;
      const receipts = chain.receiptsByHash(hash)!;
      expect(receipts).toHaveLength(transactions.length);
      expect(receipts.map((r) => r.txType)).toEqual(transactions.map((t) => t.type));
      expect(await receiptsRoot(receipts), `block ${i + 1}`).toEqual(header.receiptsRoot);
      expect(logsBloom(receipts.flatMap((r) => r.logs))).toEqual(header.logsBloom);
      txs += receipts.length;
    }
    expect(txs).toBe(603);
    expect(chain.receiptsByHash(genesis.hash)).toEqual([]);
  });

  it('has the logs that geth recorded in txinfo.json', () => {
    const info = readSharedJson<Record<string, unknown>>('vectors-reference', 'geth-ethtest-chain', 'txinfo.json');
    type Emit = { txhash: string; block: string; indexInBlock: number; logtopic0: string; logtopic1: string };
    let checked = 0;
    for (const key of ['tx-emit-eip1559', 'tx-emit-eip2930', 'tx-emit-eip4844', 'tx-emit-legacy']) {
      for (const emit of info[key] as Emit[]) {
        const hash = chain.hashByNumber(BigInt(emit.block))!;
        const tx = chain.bodyByHash(hash)!.transactions[emit.indexInBlock]!;
        expect(bytesToHex(transactionHash(tx))).toBe(emit.txhash.slice(2));
        const receipt = chain.receiptsByHash(hash)![emit.indexInBlock]!;
        expect(receipt.postStateOrStatus).toEqual(Uint8Array.of(1));
        const topics = receipt.logs.map((l) => l.topics.map((t) => bytesToHex(t)));
        expect(topics).toContainEqual([emit.logtopic0.slice(2), emit.logtopic1.slice(2)]);
        checked++;
      }
    }
    expect(checked).toBe(216);
  });

  it('exports chain.rlp byte for byte', () => {
    const exported = chain.exportChainRlp();
    expect(exported.length).toBe(chainRlp().length);
    expect(equalBytes(exported, chainRlp())).toBe(true);
  });

  it('skips known blocks on a second import', async () => {
    const r = await chain.importChainRlp(chainRlp());
    expect(r).toMatchObject({ imported: 0, known: 600 });
    expect(bytesToHex(r.head.hash)).toBe(HEAD);
  });

  it('imported in a measured time', () => {
    expect(importMs).toBeGreaterThan(0);
  });
});

describe('tampered blocks are rejected and change nothing', () => {
  let chain: Chain;
  const block = (n: number): Block => structuredClone(vectors.blocks[n - 1]!);

  beforeAll(async () => {
    chain = await Chain.open({ genesis });
    await chain.importBlocks(vectors.blocks.slice(0, 10));
  }, 60_000);
  afterAll(() => chain?.close());

  async function expectRejected(blocks: Block[], rule: BlockRule, number: bigint): Promise<void> {
    const headBefore = chain.head();
    expect(await rejectedRule(chain.importBlocks(blocks))).toEqual({ rule, number });
    expect(chain.head()).toEqual(headBefore);
    for (const b of blocks) {
      const hash = headerHash(b.header);
      if (!vectors.hashes.slice(0, 10).some((h) => equalBytes(h, hash))) {
        expect(chain.headerByHash(hash)).toBeUndefined();
        expect(chain.bodyByHash(hash)).toBeUndefined();
      }
    }
    expect(chain.hashByNumber(11n)).toBeUndefined();
  }

  it('a wrong parent hash', async () => {
    const b = block(11);
    b.header.parentHash = new Uint8Array(32).fill(7);
    await expectRejected([b], 'unknown-parent', 11n);
  });

  it('a wrong state root', async () => {
    const b = block(11);
    b.header.stateRoot = new Uint8Array(32).fill(1);
    await expectRejected([b], 'state-root', 11n);
  });

  it('a wrong transactions root in the header', async () => {
    const b = block(11);
    b.header.transactionsRoot = new Uint8Array(32).fill(2);
    await expectRejected([b], 'transactions-root', 11n);
  });

  it('a changed transaction in the body', async () => {
    const b = block(11);
    b.transactions[3] = { ...b.transactions[3]!, gasLimit: b.transactions[3]!.gasLimit + 1n };
    await expectRejected([b], 'transactions-root', 11n);
  });

  it('a wrong receipts root', async () => {
    const b = block(11);
    b.header.receiptsRoot = new Uint8Array(32).fill(3);
    await expectRejected([b], 'receipts-root', 11n);
  });

  it('a wrong gas used', async () => {
    const b = block(11);
    b.header.gasUsed -= 1n;
    await expectRejected([b], 'gas-used', 11n);
  });

  it('a wrong logs bloom', async () => {
    const b = block(11);
    b.header.logsBloom = new Uint8Array(256);
    await expectRejected([b], 'logs-bloom', 11n);
  });

  it('a transaction the EVM refuses (a replayed nonce), with consistent roots', async () => {
    const b = block(11);
    b.transactions.push(b.transactions[0]!);
    b.header.transactionsRoot = await transactionsRoot(b.transactions);
    await expectRejected([b], 'execution', 11n);
  });

  it('a bad block after a good one: the good one is not kept either', async () => {
    const bad = block(12);
    bad.header.requestsHash = new Uint8Array(32).fill(9); // block 12 is the first Prague block
    await expectRejected([block(11), bad], 'requests-hash', 12n);
    expect(chain.headerByHash(vectors.hashes[10]!)).toBeUndefined();
    expect(chain.head().number).toBe(10n);
  });

  it('a gap in the blocks of one import', async () => {
    await expectRejected([block(11), block(13)], 'unknown-parent', 13n);
  });

  it('the untampered blocks still import afterwards', async () => {
    const r = await chain.importBlocks(vectors.blocks.slice(10, 13));
    expect(r).toMatchObject({ imported: 3, known: 0 });
    expect(chain.head().hash).toEqual(vectors.hashes[12]);
  });
});

describe('reorgs and setHead', () => {
  it('setHead moves the canonical chain back and forward', async () => {
    const chain = await Chain.open({ genesis });
    await chain.importBlocks(vectors.blocks.slice(0, 5));
    const seen: bigint[] = [];
    chain.onNewHead((h) => seen.push(h.number));
    await chain.setHead(vectors.hashes[2]!);
    expect(chain.head().number).toBe(3n);
    expect(chain.hashByNumber(4n)).toBeUndefined();
    expect(chain.headerByHash(vectors.hashes[4]!)).toEqual(vectors.blocks[4]!.header); // still stored
    await chain.setHead(vectors.hashes[4]!);
    expect(chain.hashByNumber(4n)).toEqual(vectors.hashes[3]);
    expect(seen).toEqual([3n, 5n]);
    // Importing a post-merge block on an older parent makes it the head, as geth's InsertChain does.
    await chain.setHead(vectors.hashes[2]!);
    const r = await chain.importBlocks(vectors.blocks.slice(3, 6));
    expect(r).toMatchObject({ imported: 1, known: 2 });
    expect(chain.head().hash).toEqual(vectors.hashes[5]);
    await chain.close();
  }, 60_000);

  it("setHead: 'never' stores without moving the head", async () => {
    const chain = await Chain.open({ genesis });
    await chain.importBlocks(vectors.blocks.slice(0, 2), { setHead: 'never' });
    expect(chain.head().number).toBe(0n);
    expect(chain.headerByHash(vectors.hashes[1]!)).toBeDefined();
    await chain.setHead(vectors.hashes[1]!);
    expect(chain.head().number).toBe(2n);
    expect(chain.hashByNumber(1n)).toEqual(vectors.hashes[0]);
    await chain.close();
  }, 60_000);
});

describe('on disk (classic-level)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chain-store-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reopens with the same head, records and state, and continues', async () => {
    const first = await Chain.open({ genesis, dir });
    await first.importBlocks(vectors.blocks.slice(0, 30));
    const head = first.head();
    await first.close();

    const second = await Chain.open({ genesis, dir });
    expect(second.head()).toEqual(head);
    expect(second.receiptsByHash(vectors.hashes[10]!)).toHaveLength(vectors.blocks[10]!.transactions.length);
    expect(second.bodyByHash(vectors.hashes[27]!)!.withdrawals).toEqual(vectors.blocks[27]!.withdrawals);
    // Executing block 31 needs block 30's state from disk.
    await second.importBlocks(vectors.blocks.slice(30, 40));
    expect(second.head().hash).toEqual(vectors.hashes[39]);
    await second.close();
  }, 120_000);

  it('refuses a datadir that holds another chain', async () => {
    const other = await parseGenesis(cliqueLondonGenesis());
    const err = await Chain.open({ genesis: other, dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChainStoreError);
    expect((err as ChainStoreError).code).toBe('genesis-mismatch');
    // The store was closed on the way out: the right genesis opens it again.
    const again = await Chain.open({ genesis, dir });
    expect(again.head().number).toBe(40n);
    await again.close();
  });
});
