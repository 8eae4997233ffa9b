import { createBlockHeader, paramsBlock } from '@ethereumjs/block';
import { Common, createCommonFromGethGenesis, Hardfork, Mainnet, type GethGenesis } from '@ethereumjs/common';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import type { Block, BlockHeader } from '../wire/block.js';
import { headerHash } from '../wire/block.js';
import { validateBody } from './body-validation.js';
import { forkRules, type ChainConfig } from './config.js';
import { unverifiedPowEngine } from './consensus.js';
import { calcBaseFee, INITIAL_BASE_FEE } from './eip1559.js';
import { calcExcessBlobGas, fakeExponential, GAS_PER_BLOB } from './eip4844.js';
import { BlockValidationError, type BlockRule } from './errors.js';
import { parseGenesis, type Genesis } from './genesis.js';
import { validateHeader, type HeaderContext } from './header-validation.js';
import { cliqueLondonGenesis } from './test-fixtures.js';

const chain = loadEthtestChain();
let ethtest: Genesis;
let clique: Genesis;
beforeAll(async () => {
  ethtest = await parseGenesis(chain.genesisJson);
  clique = await parseGenesis(cliqueLondonGenesis());
});

const noHeaders = { headerByHash: () => undefined };

/** Context of the ethtest block `n` (1-based): its parent and the genesis TD, which is the TTD (every block is post-merge). */
function ethtestContext(n: number): HeaderContext {
  const parent = n === 1 ? ethtest.block.header : chain.blocks[n - 2]!.header;
  return { config: ethtest.config, parent, parentTd: 131072n, engine: unverifiedPowEngine, chain: noHeaders };
}

function ruleOf(fn: () => unknown): BlockRule | 'passed' {
  try {
    fn();
    return 'passed';
  } catch (err) {
    if (err instanceof BlockValidationError) return err.rule;
    throw err;
  }
}

async function bodyRuleOf(fn: () => Promise<unknown>): Promise<BlockRule | 'passed'> {
  try {
    await fn();
    return 'passed';
  } catch (err) {
    if (err instanceof BlockValidationError) return err.rule;
    throw err;
  }
}

/** The hash of a header, or zeros for field combinations that cannot be encoded (and so never arrive from the wire). */
function hashOrZero(header: BlockHeader): Uint8Array {
  try {
    return headerHash(header);
  } catch {
    return new Uint8Array(32);
  }
}

function check(n: number, patch: Partial<BlockHeader>, ctx = ethtestContext(n)): BlockRule | 'passed' {
  const header = { ...chain.blocks[n - 1]!.header, ...patch };
  return ruleOf(() => validateHeader(header, hashOrZero(header), ctx));
}

describe('the ethtest chain', () => {
  it('every header passes against its parent', () => {
    for (let n = 1; n <= chain.blocks.length; n++) expect(check(n, {}), `block ${n}`).toBe('passed');
  });

  it('every body passes', async () => {
    for (const block of chain.blocks) {
      const h = block.header;
      const rules = forkRules(ethtest.config, h.number, h.timestamp);
      await validateBody(block, headerHash(h), rules, true, unverifiedPowEngine);
    }
  });
});

describe('header rules (ethtest blocks, mutated)', () => {
  const parentOf = (n: number) => ethtestContext(n).parent;

  it.each<[string, number, (p: BlockHeader) => Partial<BlockHeader>, BlockRule]>([
    ['number not parent + 1', 10, (p) => ({ number: p.number + 2n }), 'number'],
    ['timestamp equal to the parent', 10, (p) => ({ timestamp: p.timestamp }), 'timestamp'],
    ['timestamp before the parent', 10, (p) => ({ timestamp: p.timestamp - 1n }), 'timestamp'],
    ['gas used above the gas limit', 10, (p) => ({ gasUsed: p.gasLimit + 1n }), 'gas-used'],
    ['gas limit up by parent/1024', 10, (p) => ({ gasLimit: p.gasLimit + p.gasLimit / 1024n }), 'gas-limit'],
    ['gas limit down by parent/1024', 10, (p) => ({ gasLimit: p.gasLimit - p.gasLimit / 1024n }), 'gas-limit'],
    ['gas limit above 2^63-1', 10, () => ({ gasLimit: 1n << 63n }), 'gas-limit'],
    ['base fee off by one', 10, () => ({ baseFeePerGas: chain.blocks[9]!.header.baseFeePerGas! + 1n }), 'base-fee'],
    ['no base fee', 10, () => ({ baseFeePerGas: undefined }), 'fork-fields'],
    ['no withdrawals root after Shanghai', 10, () => ({ withdrawalsRoot: undefined }), 'fork-fields'],
    ['blob fields before Cancun', 3, () => ({ blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: new Uint8Array(32) }), 'fork-fields'],
    ['no parent beacon root after Cancun', 10, () => ({ parentBeaconBlockRoot: undefined }), 'fork-fields'],
    ['requests hash before Prague', 10, () => ({ requestsHash: new Uint8Array(32) }), 'fork-fields'],
    ['no requests hash after Prague', 20, () => ({ requestsHash: undefined }), 'fork-fields'],
    ['post-merge difficulty 1', 10, () => ({ difficulty: 1n }), 'difficulty'],
    ['post-merge nonce not zero', 10, () => ({ nonce: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1) }), 'nonce'],
    ['post-merge ommers hash not empty', 10, () => ({ ommersHash: new Uint8Array(32) }), 'ommers'],
    ['extraData of 33 bytes', 10, () => ({ extraData: new Uint8Array(33) }), 'extra-data'],
    ['excess blob gas off by one blob', 10, () => ({ excessBlobGas: GAS_PER_BLOB }), 'blob-gas'],
    ['blob gas used not a multiple of a blob', 10, () => ({ blobGasUsed: 1n }), 'blob-gas'],
    ['blob gas used above the Prague maximum (9 blobs)', 20, () => ({ blobGasUsed: 10n * GAS_PER_BLOB }), 'blob-gas'],
  ])('%s', (_name, n, patch, rule) => {
    expect(check(n, patch(parentOf(n)))).toBe(rule);
  });

  it('extraData of exactly 32 bytes and gas limit moved by just under parent/1024 are fine (base fee unchanged by the gas limit)', () => {
    const p = parentOf(10);
    expect(check(10, { extraData: new Uint8Array(32) })).toBe('passed');
    expect(check(10, { gasLimit: p.gasLimit + p.gasLimit / 1024n - 1n })).toBe('passed');
  });

  it('names the block and the rule in the error', () => {
    const header = { ...chain.blocks[9]!.header, timestamp: 0n };
    const hash = headerHash(header);
    const err = (() => {
      try {
        validateHeader(header, hash, ethtestContext(10));
      } catch (e) {
        return e as BlockValidationError;
      }
      throw new Error('no error');
    })();
    expect(err.number).toBe(10n);
    expect(err.hash).toEqual(hash);
    expect(err.message).toMatch(/^block 10 .*timestamp/);
  });
});

describe('pre-merge rules', () => {
  /** A child of the Clique genesis with valid fee fields (and short extraData, for the proof-of-work engine used here). */
  function child(patch: Partial<BlockHeader> = {}): BlockHeader {
    const parent = clique.block.header;
    return { ...parent, parentHash: clique.hash, number: 1n, timestamp: parent.timestamp + 1n, baseFeePerGas: 875_000_000n, extraData: new Uint8Array(0), ...patch };
  }
  const ctx = (): HeaderContext => ({ config: clique.config, parent: clique.block.header, parentTd: 1n, engine: unverifiedPowEngine, chain: noHeaders });
  const rule = (h: BlockHeader) => ruleOf(() => validateHeader(h, headerHash(h), ctx()));

  it('accepts a child with a positive difficulty', () => {
    expect(rule(child({ difficulty: 2n }))).toBe('passed');
  });

  it('rejects difficulty 0 before the chain reaches TTD (EIP-3675)', () => {
    expect(rule(child({ difficulty: 0n }))).toBe('difficulty');
  });

  it('hands the seal rules to the engine', () => {
    const seen: bigint[] = [];
    const engine = { ...unverifiedPowEngine, verifyHeader: (h: BlockHeader) => void seen.push(h.number) };
    validateHeader(child(), headerHash(child()), { ...ctx(), engine });
    expect(seen).toEqual([1n]);
  });

  it('rejects difficulty above 0 once the parent reached TTD', async () => {
    const g = await parseGenesis({ ...cliqueLondonGenesis(), config: { ...(cliqueLondonGenesis()['config'] as object), terminalTotalDifficulty: 1 } });
    const h = child({ difficulty: 1n, extraData: new Uint8Array(0) });
    expect(ruleOf(() => validateHeader(h, headerHash(h), { ...ctx(), config: g.config }))).toBe('difficulty');
    const merged = { ...h, difficulty: 0n };
    expect(ruleOf(() => validateHeader(merged, headerHash(merged), { ...ctx(), config: g.config }))).toBe('passed');
  });

  it('lets the first London block double the gas limit, with the initial base fee', async () => {
    const json = cliqueLondonGenesis();
    const config = { ...(json['config'] as Record<string, unknown>), londonBlock: 1 };
    const g = await parseGenesis({ ...json, config });
    const parent = g.block.header;
    expect(parent.baseFeePerGas).toBeUndefined();
    const h: BlockHeader = { ...parent, parentHash: g.hash, number: 1n, timestamp: parent.timestamp + 1n, gasLimit: parent.gasLimit * 2n - 1n, baseFeePerGas: INITIAL_BASE_FEE, extraData: new Uint8Array(0) };
    const c: HeaderContext = { config: g.config, parent, parentTd: 1n, engine: unverifiedPowEngine, chain: noHeaders };
    expect(ruleOf(() => validateHeader(h, headerHash(h), c))).toBe('passed');
    const over = { ...h, gasLimit: parent.gasLimit * 2n + parent.gasLimit / 512n };
    expect(ruleOf(() => validateHeader(over, headerHash(over), c))).toBe('gas-limit');
  });

  it('rejects a gas limit below 5000', async () => {
    const g = await parseGenesis({ config: { chainId: 9, ethash: {} }, gasLimit: '5000', alloc: {} });
    const h: BlockHeader = { ...g.block.header, parentHash: g.hash, number: 1n, timestamp: 1n, gasLimit: 4999n };
    const c: HeaderContext = { config: g.config, parent: g.block.header, parentTd: 1n, engine: unverifiedPowEngine, chain: noHeaders };
    expect(ruleOf(() => validateHeader(h, headerHash(h), c))).toBe('gas-limit');
  });
});

describe('body rules (ethtest blocks, mutated)', () => {
  const body = async (n: number, mutate: (b: Block) => Block) => {
    const block = mutate(structuredClone(chain.blocks[n - 1]!));
    const h = block.header;
    return bodyRuleOf(() => validateBody(block, headerHash(h), forkRules(ethtest.config, h.number, h.timestamp), true, unverifiedPowEngine));
  };

  it('a changed transaction breaks the transactions root', async () => {
    expect(await body(7, (b) => ({ ...b, transactions: b.transactions.map((t) => ({ ...t, value: t.value + 1n })) }))).toBe('transactions-root');
  });
  it('a dropped transaction breaks the transactions root', async () => {
    expect(await body(7, (b) => ({ ...b, transactions: [] }))).toBe('transactions-root');
  });
  it('a changed withdrawal breaks the withdrawals root', async () => {
    expect(await body(28, (b) => ({ ...b, withdrawals: b.withdrawals!.map((w) => ({ ...w, amount: w.amount + 1n })) }))).toBe('withdrawals');
  });
  it('missing withdrawals after Shanghai', async () => {
    expect(await body(28, (b) => ({ header: b.header, transactions: b.transactions, uncles: b.uncles }))).toBe('withdrawals');
  });
  it('an ommer after the merge', async () => {
    expect(await body(10, (b) => ({ ...b, uncles: [chain.blocks[0]!.header] }))).toBe('ommers');
  });
  it('blob gas used that does not match the blobs', async () => {
    expect(await body(9, (b) => ({ ...b, header: { ...b.header, blobGasUsed: 0n } }))).toBe('blob-gas');
  });
});

describe('EIP-1559 base fee, against @ethereumjs/block', () => {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.London });
  it('matches calcNextBaseFee for random parents', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10_000n, max: 1n << 40n }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.bigInt({ min: 0n, max: 1n << 64n }),
        (gasLimit, usedFraction, baseFee) => {
          const gasUsed = BigInt(Math.floor(Number(gasLimit) * usedFraction));
          const theirs = createBlockHeader({ number: 15_000_000n, gasLimit, gasUsed, baseFeePerGas: baseFee }, { common, skipConsensusFormatValidation: true }).calcNextBaseFee();
          const parent = { ...chain.blocks[0]!.header, gasLimit, gasUsed, baseFeePerGas: baseFee };
          expect(calcBaseFee(ethtest.config, parent)).toBe(theirs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is INITIAL_BASE_FEE for the child of a pre-London parent', async () => {
    const g = await parseGenesis({ ...cliqueLondonGenesis(), config: { ...(cliqueLondonGenesis()['config'] as object), londonBlock: 5 } });
    expect(calcBaseFee(g.config, g.block.header)).toBe(1_000_000_000n);
  });
});

describe('EIP-4844 excess blob gas, against @ethereumjs/block', () => {
  // Cancun at 10, Prague at 20, Osaka (EIP-7918 reserve price) at 30, with the mainnet blob schedule. Osaka's
  // entry is left to the defaults: @ethereumjs/common drops Osaka's blobBaseCost when given one.
  const json = {
    ...(chain.genesisJson as Record<string, unknown>),
    config: {
      ...chain.genesisJson.config,
      cancunTime: 10,
      pragueTime: 20,
      osakaTime: 30,
      blobSchedule: {
        cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
        prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
      },
    },
  };
  let config: ChainConfig;
  beforeAll(async () => {
    config = (await parseGenesis(json)).config;
  });

  it.each([
    ['Cancun', 15n],
    ['Prague', 25n],
    ['Osaka', 35n],
  ])('%s', (_fork, time) => {
    const childCommon = createCommonFromGethGenesis(json as unknown as GethGenesis, { chain: 'blobs' });
    childCommon.updateParams(paramsBlock); // the block library's parameters (blobBaseCost, ...) that its headers load for themselves
    childCommon.setHardforkBy({ blockNumber: 100n, timestamp: time });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 40n * GAS_PER_BLOB }),
        fc.integer({ min: 0, max: 9 }),
        fc.bigInt({ min: 1n, max: 1n << 40n }),
        (excess, blobs, baseFee) => {
          const parent = { ...chain.blocks[10]!.header, timestamp: time - 1n, excessBlobGas: excess, blobGasUsed: BigInt(blobs) * GAS_PER_BLOB, baseFeePerGas: baseFee };
          const theirs = createBlockHeader(
            { number: 99n, timestamp: time - 1n, excessBlobGas: excess, blobGasUsed: parent.blobGasUsed, baseFeePerGas: baseFee },
            { common: childCommon, skipConsensusFormatValidation: true },
          ).calcNextExcessBlobGas(childCommon);
          expect(calcExcessBlobGas(config, parent, time)).toBe(theirs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fake exponential: the EIP-4844 blob base fee at 0 excess is 1 wei and grows', () => {
    expect(fakeExponential(1n, 0n, 3338477n)).toBe(1n);
    expect(fakeExponential(1n, 10_000_000n, 3338477n)).toBe(19n); // e^(10e6/3338477) ≈ 19.99, rounded down by the Taylor series
  });
});
