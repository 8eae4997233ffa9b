import { beforeAll, describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { headerHash } from '../wire/block.js';
import { bigIntToFixed } from '../wire/bytes.js';
import { publicKeyOf } from '../wire/keys.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import { Chain } from './chain.js';
import { parseGenesis, type Genesis } from './genesis.js';
import { EMPTY_TRIE_ROOT } from './roots.js';
import { BLOCK_FORKS_TO_LONDON_AT_ZERO } from './test-fixtures.js';

const key = bigIntToFixed(1n, 32);
const sender = addressOf(publicKeyOf(key));

/** A post-merge dev chain with Shanghai at genesis and Cancun later, and one funded key. */
function devGenesis(): Record<string, unknown> {
  return {
    config: {
      chainId: 1337,
      ...BLOCK_FORKS_TO_LONDON_AT_ZERO,
      mergeNetsplitBlock: 0,
      terminalTotalDifficulty: 0,
      shanghaiTime: 0,
    },
    difficulty: '0x0',
    gasLimit: '0x1c9c380',
    alloc: { [`0x${Buffer.from(sender).toString('hex')}`]: { balance: '0xde0b6b3a7640000' } },
  };
}

describe('buildBlock (post-merge)', () => {
  let genesis: Genesis;
  beforeAll(async () => {
    genesis = await parseGenesis(devGenesis());
  });

  it('builds a block with a transaction and a withdrawal that the chain then accepts', async () => {
    const chain = await Chain.open({ genesis });
    const tx = signTransaction(
      { type: 0, chainId: 1337n, nonce: 0n, gasPrice: 2_000_000_000n, gasLimit: 21000n, to: new Uint8Array(20).fill(0x42), value: 1n, data: new Uint8Array(0) },
      key,
    );
    const withdrawal = { index: 0n, validatorIndex: 7n, address: new Uint8Array(20).fill(0x77), amount: 1000n };
    const block = await chain.buildBlock({ parentHash: genesis.hash, timestamp: 12n, transactions: [tx], withdrawals: [withdrawal] });
    expect(block.header.difficulty).toBe(0n);
    expect(block.header.baseFeePerGas).toBe(875_000_000n);
    expect(block.header.withdrawalsRoot).not.toEqual(EMPTY_TRIE_ROOT);
    expect(block.withdrawals).toEqual([withdrawal]);
    expect(block.header.gasUsed).toBe(21000n);
    await chain.importBlocks([block]);
    expect(chain.head().hash).toEqual(headerHash(block.header));
    // An empty block on top.
    const empty = await chain.buildBlock({ parentHash: chain.head().hash, timestamp: 24n, transactions: [] });
    await chain.importBlocks([empty]);
    expect(chain.head().number).toBe(2n);
    await chain.close();
  });

  it('fills the Cancun and Prague fields on the ethtest chain (blocks 1..12 rebuilt match the originals)', async () => {
    // Rebuilding geth's own blocks from their transactions and the header fields a miner chooses must
    // give the same blocks: an independent check of every derived field.
    const vectors = loadEthtestChain();
    const g = await parseGenesis(vectors.genesisJson);
    const chain = await Chain.open({ genesis: g });
    for (const original of vectors.blocks.slice(0, 12)) {
      const h = original.header;
      const built = await chain.buildBlock({
        parentHash: h.parentHash,
        timestamp: h.timestamp,
        transactions: original.transactions,
        withdrawals: original.withdrawals ?? [],
        gasLimit: h.gasLimit,
        coinbase: h.coinbase,
        extraData: h.extraData,
        mixHash: h.mixHash,
        parentBeaconBlockRoot: h.parentBeaconBlockRoot,
      });
      expect(built, `block ${h.number}`).toEqual(original);
      await chain.importBlocks([built]);
    }
    expect(chain.head().hash).toEqual(vectors.hashes[11]);
    await chain.close();
  }, 120_000);
});
