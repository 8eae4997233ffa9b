/**
 * accountAt reads the committed state of any stored block: the genesis alloc
 * as written in genesis.json, and balances and nonces after a transfer,
 * whose expected values follow from the transfer's amounts and gas (not from
 * our own state code).
 */
import { describe, expect, it } from 'vitest';
import { headerHash } from '../wire/block.js';
import { bigIntToFixed } from '../wire/bytes.js';
import { publicKeyOf } from '../wire/keys.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import { EMPTY_ACCOUNT } from './account-reader.js';
import { Chain } from './chain.js';
import { parseGenesis } from './genesis.js';
import { BLOCK_FORKS_TO_LONDON_AT_ZERO } from './test-fixtures.js';

const key = bigIntToFixed(5n, 32);
const sender = addressOf(publicKeyOf(key));
const recipient = new Uint8Array(20).fill(0x42);
const FUNDS = 10n ** 18n;

async function devChain(): Promise<Chain> {
  const genesis = await parseGenesis({
    config: { chainId: 1337, ...BLOCK_FORKS_TO_LONDON_AT_ZERO, mergeNetsplitBlock: 0, terminalTotalDifficulty: 0, shanghaiTime: 0 },
    difficulty: '0x0',
    gasLimit: '0x1c9c380',
    alloc: { [`0x${Buffer.from(sender).toString('hex')}`]: { balance: `0x${FUNDS.toString(16)}`, nonce: '0x3' } },
  });
  return Chain.open({ genesis });
}

describe('Chain.accountAt', () => {
  it('reads the genesis alloc, the state after a transfer, and an older block after the head moved on', async () => {
    const chain = await devChain();
    const genesisHash = chain.head().hash;
    expect(await chain.accountAt(sender)).toMatchObject({ nonce: 3n, balance: FUNDS });
    expect(await chain.accountAt(recipient)).toEqual(EMPTY_ACCOUNT);

    const gasPrice = 2_000_000_000n;
    const tx = signTransaction({ type: 0, chainId: 1337n, nonce: 3n, gasPrice, gasLimit: 21000n, to: recipient, value: 12345n, data: new Uint8Array(0) }, key);
    const block = await chain.buildBlock({ parentHash: genesisHash, timestamp: 12n, transactions: [tx] });
    // Built but not imported: committed state is unchanged.
    expect(await chain.accountAt(sender)).toMatchObject({ nonce: 3n, balance: FUNDS });
    await chain.importBlocks([block]);

    expect(await chain.accountAt(sender)).toMatchObject({ nonce: 4n, balance: FUNDS - 12345n - 21000n * gasPrice });
    expect(await chain.accountAt(recipient)).toMatchObject({ nonce: 0n, balance: 12345n });
    expect(await chain.accountAt(sender, genesisHash)).toMatchObject({ nonce: 3n, balance: FUNDS });
    expect(await chain.accountAt(sender, headerHash(block.header))).toMatchObject({ nonce: 4n });
    expect(await chain.accountAt(sender, new Uint8Array(32).fill(1))).toBeUndefined();
    await chain.close();
  });
});
