import { cliqueSigHash, cliqueSigner, createBlockHeaderFromBytesArray } from '@ethereumjs/block';
import { createCommonFromGethGenesis, type GethGenesis } from '@ethereumjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_OMMERS_HASH, headerHash, headerToRlp, type Block, type BlockHeader } from '../wire/block.js';
import { bigIntToFixed, bytesToHex, concatBytes } from '../wire/bytes.js';
import { publicKeyOf, type PrivateKey } from '../wire/keys.js';
import { addressOf } from '../wire/tx/signer.js';
import { Chain } from './chain.js';
import { CliqueEngine, cliqueSealHash, DIFF_IN_TURN, DIFF_NO_TURN, recoverCliqueSigner, sealHeader } from './clique.js';
import { SnapshotError } from './clique-snapshot.js';
import { calcBaseFee } from './eip1559.js';
import { BlockValidationError, type BlockRule } from './errors.js';
import { parseGenesis, type Genesis } from './genesis.js';
import { EMPTY_TRIE_ROOT } from './roots.js';
import { cliqueLondonGenesis } from './test-fixtures.js';

/** Deterministic keys for the named test accounts: A is key 1, B key 2, ... */
const names = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
type Name = (typeof names)[number];
const key = (name: Name): PrivateKey => bigIntToFixed(BigInt(names.indexOf(name) + 1), 32);
const address = (name: Name) => addressOf(publicKeyOf(key(name)));

function header(fields: Partial<BlockHeader>): BlockHeader {
  return {
    parentHash: new Uint8Array(32),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: new Uint8Array(20),
    stateRoot: EMPTY_TRIE_ROOT,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: DIFF_IN_TURN,
    number: 0n,
    gasLimit: 8_000_000n,
    gasUsed: 0n,
    timestamp: 0n,
    extraData: new Uint8Array(97),
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    ...fields,
  };
}

const checkpointExtra = (signers: readonly Name[]) =>
  concatBytes(new Uint8Array(32), ...signers.map(address).sort((a, b) => Buffer.compare(a, b)), new Uint8Array(65));

interface Vote {
  signer: Name;
  voted?: Name;
  auth?: boolean;
  checkpoint?: Name[];
  newbatch?: boolean;
}

interface Scenario {
  name: string;
  epoch?: bigint;
  signers: Name[];
  votes: Vote[];
  results?: Name[];
  failure?: RegExp;
}

// geth's TestClique voting scenarios (consensus/clique/snapshot_test.go), with its expected outcomes.
const scenarios: Scenario[] = [
  { name: 'single signer, no votes cast', signers: ['A'], votes: [{ signer: 'A' }], results: ['A'] },
  {
    name: 'single signer, voting to add two others (only accept first, second needs 2 votes)',
    signers: ['A'],
    votes: [{ signer: 'A', voted: 'B', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'C', auth: true }],
    results: ['A', 'B'],
  },
  {
    name: 'two signers, voting to add three others (only accept first two, third needs 3 votes already)',
    signers: ['A', 'B'],
    votes: [
      { signer: 'A', voted: 'C', auth: true },
      { signer: 'B', voted: 'C', auth: true },
      { signer: 'A', voted: 'D', auth: true },
      { signer: 'B', voted: 'D', auth: true },
      { signer: 'C' },
      { signer: 'A', voted: 'E', auth: true },
      { signer: 'B', voted: 'E', auth: true },
    ],
    results: ['A', 'B', 'C', 'D'],
  },
  { name: 'single signer, dropping itself', signers: ['A'], votes: [{ signer: 'A', voted: 'A', auth: false }], results: [] },
  { name: 'two signers, mutual consent to drop needed (not fulfilled)', signers: ['A', 'B'], votes: [{ signer: 'A', voted: 'B', auth: false }], results: ['A', 'B'] },
  {
    name: 'two signers, mutual consent to drop needed (fulfilled)',
    signers: ['A', 'B'],
    votes: [
      { signer: 'A', voted: 'B', auth: false },
      { signer: 'B', voted: 'B', auth: false },
    ],
    results: ['A'],
  },
  {
    name: 'three signers, two of them deciding to drop the third',
    signers: ['A', 'B', 'C'],
    votes: [
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B', voted: 'C', auth: false },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'four signers, consensus of two not being enough to drop anyone',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B', voted: 'C', auth: false },
    ],
    results: ['A', 'B', 'C', 'D'],
  },
  {
    name: 'four signers, consensus of three already being enough to drop someone',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false },
    ],
    results: ['A', 'B', 'C'],
  },
  {
    name: 'authorizations are counted once per signer per target',
    signers: ['A', 'B'],
    votes: [{ signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'C', auth: true }],
    results: ['A', 'B'],
  },
  {
    name: 'authorizing multiple accounts concurrently is permitted',
    signers: ['A', 'B'],
    votes: [
      { signer: 'A', voted: 'C', auth: true },
      { signer: 'B' },
      { signer: 'A', voted: 'D', auth: true },
      { signer: 'B' },
      { signer: 'A' },
      { signer: 'B', voted: 'D', auth: true },
      { signer: 'A' },
      { signer: 'B', voted: 'C', auth: true },
    ],
    results: ['A', 'B', 'C', 'D'],
  },
  {
    name: 'deauthorizations are counted once per signer per target',
    signers: ['A', 'B'],
    votes: [{ signer: 'A', voted: 'B', auth: false }, { signer: 'B' }, { signer: 'A', voted: 'B', auth: false }, { signer: 'B' }, { signer: 'A', voted: 'B', auth: false }],
    results: ['A', 'B'],
  },
  {
    name: 'deauthorizing multiple accounts concurrently is permitted',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B' },
      { signer: 'C' },
      { signer: 'A', voted: 'D', auth: false },
      { signer: 'B' },
      { signer: 'C' },
      { signer: 'A' },
      { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false },
      { signer: 'A' },
      { signer: 'B', voted: 'C', auth: false },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'votes from deauthorized signers are discarded immediately (deauth votes)',
    signers: ['A', 'B', 'C'],
    votes: [
      { signer: 'C', voted: 'B', auth: false },
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B', voted: 'C', auth: false },
      { signer: 'A', voted: 'B', auth: false },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'votes from deauthorized signers are discarded immediately (auth votes)',
    signers: ['A', 'B', 'C'],
    votes: [
      { signer: 'C', voted: 'D', auth: true },
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B', voted: 'C', auth: false },
      { signer: 'A', voted: 'D', auth: true },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'cascading changes are not allowed, only the account being voted on may change',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B' },
      { signer: 'C' },
      { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'C', auth: false },
      { signer: 'C' },
      { signer: 'A' },
      { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false },
    ],
    results: ['A', 'B', 'C'],
  },
  {
    name: 'changes reaching consensus out of bounds (via a deauth) execute on touch',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B' },
      { signer: 'C' },
      { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'C', auth: false },
      { signer: 'C' },
      { signer: 'A' },
      { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false },
      { signer: 'A' },
      { signer: 'C', voted: 'C', auth: true },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'changes reaching consensus out of bounds (via a deauth) may go out of consensus on first touch',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false },
      { signer: 'B' },
      { signer: 'C' },
      { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'C', auth: false },
      { signer: 'C' },
      { signer: 'A' },
      { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false },
      { signer: 'A' },
      { signer: 'B', voted: 'C', auth: true },
    ],
    results: ['A', 'B', 'C'],
  },
  {
    name: "pending votes don't survive authorization status changes",
    signers: ['A', 'B', 'C', 'D', 'E'],
    votes: [
      { signer: 'A', voted: 'F', auth: true },
      { signer: 'B', voted: 'F', auth: true },
      { signer: 'C', voted: 'F', auth: true },
      { signer: 'D', voted: 'F', auth: false },
      { signer: 'E', voted: 'F', auth: false },
      { signer: 'B', voted: 'F', auth: false },
      { signer: 'C', voted: 'F', auth: false },
      { signer: 'D', voted: 'F', auth: true },
      { signer: 'E', voted: 'F', auth: true },
      { signer: 'B', voted: 'A', auth: false },
      { signer: 'C', voted: 'A', auth: false },
      { signer: 'D', voted: 'A', auth: false },
      { signer: 'B', voted: 'F', auth: true },
    ],
    results: ['B', 'C', 'D', 'E', 'F'],
  },
  {
    name: 'epoch transitions reset all votes to allow chain checkpointing',
    epoch: 3n,
    signers: ['A', 'B'],
    votes: [{ signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', checkpoint: ['A', 'B'] }, { signer: 'B', voted: 'C', auth: true }],
    results: ['A', 'B'],
  },
  { name: 'an unauthorized signer should not be able to sign blocks', signers: ['A'], votes: [{ signer: 'B' }], failure: /unauthorized signer/ },
  {
    name: 'an authorized signer that signed recently should not be able to sign again',
    signers: ['A', 'B'],
    votes: [{ signer: 'A' }, { signer: 'A' }],
    failure: /signed recently/,
  },
  {
    name: 'recent signatures should not reset on checkpoint blocks imported in a batch',
    epoch: 3n,
    signers: ['A', 'B', 'C'],
    votes: [{ signer: 'A' }, { signer: 'B' }, { signer: 'A', checkpoint: ['A', 'B', 'C'] }, { signer: 'A' }],
    failure: /signed recently/,
  },
  {
    name: 'recent signatures should not reset on checkpoint blocks imported in a new batch (the Rinkeby split)',
    epoch: 3n,
    signers: ['A', 'B', 'C'],
    votes: [{ signer: 'A' }, { signer: 'B' }, { signer: 'A', checkpoint: ['A', 'B', 'C'] }, { signer: 'A', newbatch: true }],
    failure: /signed recently/,
  },
];

describe("Clique voting (geth's TestClique scenarios)", () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const genesis = header({ extraData: checkpointExtra(s.signers) });
    const headers = new Map<string, BlockHeader>([[bytesToHex(headerHash(genesis)), genesis]]);
    const hashes: Uint8Array[] = [];
    let parent = genesis;
    for (const [j, vote] of s.votes.entries()) {
      const unsealed = header({
        parentHash: headerHash(parent),
        number: BigInt(j + 1),
        timestamp: BigInt(j + 1),
        coinbase: vote.voted === undefined ? new Uint8Array(20) : address(vote.voted),
        nonce: vote.auth === true ? new Uint8Array(8).fill(0xff) : new Uint8Array(8),
        extraData: vote.checkpoint === undefined ? new Uint8Array(97) : checkpointExtra(vote.checkpoint),
      });
      const sealed = sealHeader(unsealed, key(vote.signer));
      headers.set(bytesToHex(headerHash(sealed)), sealed);
      hashes.push(headerHash(sealed));
      parent = sealed;
    }
    const engine = new CliqueEngine({ period: 1n, epoch: s.epoch ?? 30000n });
    const lookup = { headerByHash: (h: Uint8Array) => headers.get(bytesToHex(h)) };
    const run = () => {
      // A new batch: the snapshot before it is computed (and cached) first, as geth's separate InsertChain calls do.
      s.votes.forEach((v, j) => v.newbatch === true && engine.snapshot(hashes[j - 1]!, lookup));
      return engine.snapshot(hashes[hashes.length - 1]!, lookup);
    };
    if (s.failure !== undefined) {
      expect(run).toThrow(SnapshotError);
      expect(run).toThrow(s.failure);
    } else {
      const expected = s.results!.map((n) => bytesToHex(address(n))).sort();
      expect(run().signers).toEqual(expected);
    }
  });
});

describe('seal hash and signer, against @ethereumjs/block', () => {
  it('agree on a sealed London header', async () => {
    const json = cliqueLondonGenesis();
    const common = createCommonFromGethGenesis(json as unknown as GethGenesis, { chain: 'clique' });
    const h = sealHeader(header({ number: 5n, baseFeePerGas: 7n, extraData: new Uint8Array(97).fill(3, 0, 32) }), key('C'));
    const theirs = createBlockHeaderFromBytesArray(headerToRlp(h) as Uint8Array[], { common, skipConsensusFormatValidation: true });
    expect(bytesToHex(cliqueSigHash(theirs))).toBe(bytesToHex(cliqueSealHash(h)));
    expect(bytesToHex(cliqueSigner(theirs).bytes)).toBe(bytesToHex(address('C')));
    expect(recoverCliqueSigner(h)).toEqual(address('C'));
  });
});

describe('Clique blocks through the chain', () => {
  let genesis: Genesis;
  let slowGenesis: Genesis;
  beforeAll(async () => {
    genesis = await parseGenesis(cliqueLondonGenesis());
    const json = cliqueLondonGenesis();
    slowGenesis = await parseGenesis({ ...json, config: { ...(json['config'] as object), clique: { period: 5, epoch: 30000 } } });
  });

  /** An empty block on the head, filled in by the engine as `signer` would mine it, sealed by `sealer` (the signer by default). */
  function emptyBlock(g: Genesis, engine: CliqueEngine, chain: Chain, signer: Name, patch: Partial<BlockHeader> = {}, sealer: Name = signer): Block {
    const parentHash = chain.head().hash;
    const parent = chain.headerByHash(parentHash)!;
    const fields = engine.prepare(parentHash, chain, address(signer));
    const unsealed: BlockHeader = {
      ...header({}),
      parentHash,
      number: parent.number + 1n,
      stateRoot: parent.stateRoot, // no transactions, no rewards under Clique
      gasLimit: parent.gasLimit,
      timestamp: fields.minTimestamp,
      difficulty: fields.difficulty,
      extraData: fields.extraData,
      coinbase: fields.coinbase,
      nonce: fields.nonce,
      mixHash: fields.mixHash,
      baseFeePerGas: calcBaseFee(g.config, parent),
      ...patch,
    };
    return { header: sealHeader(unsealed, key(sealer)), transactions: [], uncles: [] };
  }

  async function rule(chain: Chain, block: Block): Promise<BlockRule> {
    const err = await chain.importBlocks([block]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlockValidationError);
    return (err as BlockValidationError).rule;
  }

  it('imports sealed blocks; the signer is always in turn alone, so TD grows by 2', async () => {
    const engine = new CliqueEngine(genesis.config.clique!);
    const chain = await Chain.open({ genesis, engine });
    for (let i = 0; i < 5; i++) await chain.importBlocks([emptyBlock(genesis, engine, chain, 'A')]);
    expect(chain.head().number).toBe(5n);
    expect(chain.head().td).toBe(1n + 5n * 2n);
    // The default engine for a Clique config verifies the same chain.
    const other = await Chain.open({ genesis });
    const blocks = [1n, 2n, 3n, 4n, 5n].map((n) => chain.blockByNumber(n)!);
    await other.importBlocks(blocks);
    expect(other.head().hash).toEqual(chain.head().hash);
    await chain.close();
    await other.close();
  });

  it('rejects what geth rejects', async () => {
    const engine = new CliqueEngine(genesis.config.clique!);
    const chain = await Chain.open({ genesis, engine });
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { difficulty: DIFF_NO_TURN }))).toBe('difficulty');
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { difficulty: 3n }))).toBe('difficulty');
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', {}, 'B'))).toBe('consensus'); // B is not a signer
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { nonce: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1) }))).toBe('nonce');
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { mixHash: new Uint8Array(32).fill(1) }))).toBe('mix-hash');
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { extraData: checkpointExtra(['A']) }))).toBe('extra-data');
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { extraData: new Uint8Array(96) }))).toBe('extra-data');
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'A', { timestamp: 1n << 40n }))).toBe('timestamp'); // the future
    const badSeal = emptyBlock(genesis, engine, chain, 'A');
    badSeal.header = { ...badSeal.header, extraData: concatBytes(new Uint8Array(32), new Uint8Array(65).fill(0xee)) };
    expect(await rule(chain, badSeal)).toBe('consensus');
    expect(chain.head().number).toBe(0n);
    await chain.close();
  });

  it('enforces the period', async () => {
    const engine = new CliqueEngine(slowGenesis.config.clique!);
    const chain = await Chain.open({ genesis: slowGenesis, engine });
    const early = emptyBlock(slowGenesis, engine, chain, 'A');
    const tooEarly = emptyBlock(slowGenesis, engine, chain, 'A', { timestamp: early.header.timestamp - 1n });
    expect(await rule(chain, tooEarly)).toBe('timestamp');
    await chain.importBlocks([early]);
    expect(chain.head().number).toBe(1n);
    await chain.close();
  });

  it('two signers take turns; a signer may not seal twice in a row', async () => {
    // Vote B in, then alternate: block n is in turn for signers[n % 2].
    const engine = new CliqueEngine(genesis.config.clique!);
    const chain = await Chain.open({ genesis, engine });
    const vote = engine.prepare(chain.head().hash, chain, address('A'), { address: address('B'), authorize: true });
    expect(vote.nonce).toEqual(new Uint8Array(8).fill(0xff));
    await chain.importBlocks([emptyBlock(genesis, engine, chain, 'A', { coinbase: address('B'), nonce: vote.nonce })]);
    expect(engine.snapshot(chain.head().hash, chain).signers).toHaveLength(2);
    expect(() => engine.prepare(chain.head().hash, chain, address('A'))).toThrow(/recently/);
    const wrongTurn = engine.prepare(chain.head().hash, chain, address('B')).inTurn ? DIFF_NO_TURN : DIFF_IN_TURN;
    expect(await rule(chain, emptyBlock(genesis, engine, chain, 'B', { difficulty: wrongTurn }))).toBe('difficulty');
    await chain.importBlocks([emptyBlock(genesis, engine, chain, 'B')]);
    await chain.importBlocks([emptyBlock(genesis, engine, chain, 'A')]);
    await chain.importBlocks([emptyBlock(genesis, engine, chain, 'B')]);
    expect(chain.head().number).toBe(4n);
    const diffs = [2n, 3n, 4n].map((n) => chain.headerByNumber(n)!.difficulty);
    const inTurn = (n: bigint, who: Name) => engine.snapshot(chain.hashByNumber(n - 1n)!, chain).inTurn(n, bytesToHex(address(who)));
    expect(diffs).toEqual([inTurn(2n, 'B'), inTurn(3n, 'A'), inTurn(4n, 'B')].map((t) => (t ? DIFF_IN_TURN : DIFF_NO_TURN)));
    await chain.close();
  });
});

describe('a Clique block with transactions, built as a miner would', () => {
  it('is built on the head, sealed over its results, and imports (the chain re-executes and re-checks)', async () => {
    const { signTransaction } = await import('../wire/tx/signer.js');
    const genesis = await parseGenesis(cliqueLondonGenesis());
    const engine = new CliqueEngine(genesis.config.clique!);
    const chain = await Chain.open({ genesis, engine });
    const fields = engine.prepare(genesis.hash, chain, address('A'));
    const baseFee = calcBaseFee(genesis.config, genesis.block.header);
    const transfer = (nonce: bigint) =>
      signTransaction(
        { type: 2, chainId: 1337n, nonce, maxPriorityFeePerGas: 2n, maxFeePerGas: baseFee * 2n, gasLimit: 21000n, to: address('F'), value: 12345n, data: new Uint8Array(0), accessList: [] },
        key('A'),
      );
    const tx = transfer(0n);
    const block = await chain.buildBlock(
      { parentHash: genesis.hash, timestamp: fields.minTimestamp, transactions: [tx], difficulty: fields.difficulty, extraData: fields.extraData },
      (h) => sealHeader(h, key('A')),
    );
    expect(block.header.gasUsed).toBe(21000n);
    expect(recoverCliqueSigner(block.header)).toEqual(address('A'));
    expect(chain.head().number).toBe(0n); // building stores nothing
    const r = await chain.importBlocks([block]);
    expect(r.imported).toBe(1);
    expect(chain.receiptsByHash(chain.head().hash)).toEqual([{ txType: 2, postStateOrStatus: Uint8Array.of(1), cumulativeGasUsed: 21000n, logs: [] }]);
    // The next block builds on the new state: the sender's nonce is 1 now.
    const tx2 = transfer(1n);
    const next = engine.prepare(chain.head().hash, chain, address('A'));
    const block2 = await chain.buildBlock(
      { parentHash: chain.head().hash, timestamp: next.minTimestamp, transactions: [tx2], difficulty: next.difficulty, extraData: next.extraData },
      (h) => sealHeader(h, key('A')),
    );
    await chain.importBlocks([block2]);
    expect(chain.head().number).toBe(2n);
    // A replayed transaction cannot be built into a block.
    await expect(chain.buildBlock({ parentHash: chain.head().hash, timestamp: next.minTimestamp + 1n, transactions: [tx2], difficulty: 2n, extraData: next.extraData }, (h) => sealHeader(h, key('A')))).rejects.toThrow();
    await chain.close();
  });
});

describe('pre-merge fork choice by total difficulty', () => {
  it('switches to the heavier branch and back, rewriting the canonical numbers', async () => {
    const json = cliqueLondonGenesis();
    const g = await parseGenesis({ ...json, extraData: `0x${bytesToHex(checkpointExtra(['A', 'B']))}` });
    const engine = new CliqueEngine(g.config.clique!);
    const chain = await Chain.open({ genesis: g, engine });
    const snap = engine.snapshot(g.hash, chain);
    const [inTurn1, outOfTurn1] = snap.inTurn(1n, bytesToHex(address('A'))) ? (['A', 'B'] as const) : (['B', 'A'] as const);

    /** A sealed empty child of `parentHash` by `signer`. */
    const child = (parentHash: Uint8Array, signer: Name): Block => {
      const parent = chain.headerByHash(parentHash)!;
      const f = engine.prepare(parentHash, chain, address(signer));
      const h: BlockHeader = {
        ...header({}),
        parentHash,
        number: parent.number + 1n,
        stateRoot: parent.stateRoot,
        gasLimit: parent.gasLimit,
        timestamp: f.minTimestamp,
        difficulty: f.difficulty,
        extraData: f.extraData,
        baseFeePerGas: calcBaseFee(g.config, parent),
      };
      return { header: sealHeader(h, key(signer)), transactions: [], uncles: [] };
    };

    const light1 = child(g.hash, outOfTurn1); // difficulty 1
    await chain.importBlocks([light1]);
    expect(chain.head().td).toBe(2n);
    const heavy1 = child(g.hash, inTurn1); // difficulty 2: a heavier sibling
    await chain.importBlocks([heavy1]);
    expect(chain.head().hash).toEqual(headerHash(heavy1.header));
    expect(chain.hashByNumber(1n)).toEqual(headerHash(heavy1.header));
    // Extend the light branch. Its block-1 signer is barred at block 2 (signed recently) and the other one is
    // out of turn there, then the roles swap: every light block weighs 1.
    const light2 = child(headerHash(light1.header), inTurn1);
    expect(light2.header.difficulty).toBe(DIFF_NO_TURN);
    await chain.importBlocks([light2]);
    // A tie (1 + 1 + 1 = 1 + 2) keeps the current head.
    expect(chain.head().hash).toEqual(headerHash(heavy1.header));
    const light3 = child(headerHash(light2.header), outOfTurn1);
    await chain.importBlocks([light3]);
    expect(chain.head().number).toBe(3n);
    expect(chain.head().td).toBe(4n);
    expect(chain.hashByNumber(1n)).toEqual(headerHash(light1.header));
    expect(chain.hashByNumber(2n)).toEqual(headerHash(light2.header));
    expect(chain.hashByNumber(3n)).toEqual(headerHash(light3.header));
    expect(chain.headerByHash(headerHash(heavy1.header))).toBeDefined(); // still stored, no longer canonical
    await chain.close();
  });
});
