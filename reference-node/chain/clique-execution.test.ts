/**
 * Executing Clique blocks: as geth (Engine.Author), fees go to the signer and
 * COINBASE reads the signer, while the header's coinbase carries a vote. The
 * expected storage root is built independently with @ethereumjs/mpt.
 */
import { createMPT } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { describe, expect, it } from 'vitest';
import { bigIntToFixed, hexToBytes } from '../wire/bytes.js';
import { publicKeyOf } from '../wire/keys.js';
import { addressOf, signTransaction } from '../wire/tx/signer.js';
import { Chain } from './chain.js';
import { CliqueEngine, sealHeader } from './clique.js';
import { NONCE_AUTH_VOTE } from './clique-snapshot.js';
import { calcBaseFee } from './eip1559.js';
import { parseGenesis } from './genesis.js';
import { cliqueLondonGenesis } from './test-fixtures.js';

const sealerKey = bigIntToFixed(1n, 32);
const senderKey = bigIntToFixed(2n, 32);
const sealer = addressOf(publicKeyOf(sealerKey));
const sender = addressOf(publicKeyOf(senderKey));
const voted = hexToBytes('00000000000000000000000000000000000000f0');
const contract = hexToBytes('0000000000000000000000000000000000000ccc');
// COINBASE PUSH1 0 SSTORE STOP: stores what the EVM reads as the coinbase in slot 0.
const STORE_COINBASE = '0x4160005500';

describe('Clique execution', () => {
  it('pays fees to the signer and reads the signer as COINBASE, not the voted coinbase', async () => {
    const json = cliqueLondonGenesis();
    const alloc = { ...(json['alloc'] as Record<string, unknown>) };
    alloc[`0x${Buffer.from(sender).toString('hex')}`] = { balance: '0xde0b6b3a7640000' };
    alloc[`0x${Buffer.from(contract).toString('hex')}`] = { balance: '0x0', code: STORE_COINBASE };
    const genesis = await parseGenesis({ ...json, alloc });
    const engine = new CliqueEngine(genesis.config.clique!);
    const chain = await Chain.open({ genesis, engine });

    const fields = engine.prepare(genesis.hash, chain, sealer, { address: voted, authorize: true });
    expect(fields.coinbase).toEqual(voted);
    const baseFee = calcBaseFee(genesis.config, genesis.block.header);
    const tip = 2n;
    const tx = signTransaction(
      { type: 2, chainId: 1337n, nonce: 0n, maxPriorityFeePerGas: tip, maxFeePerGas: baseFee * 2n, gasLimit: 100_000n, to: contract, value: 0n, data: new Uint8Array(0), accessList: [] },
      senderKey,
    );
    const block = await chain.buildBlock(
      { parentHash: genesis.hash, timestamp: fields.minTimestamp, transactions: [tx], difficulty: fields.difficulty, extraData: fields.extraData, coinbase: fields.coinbase, nonce: fields.nonce },
      (h) => sealHeader(h, sealerKey),
    );
    expect(block.header.coinbase).toEqual(voted);
    expect(block.header.nonce).toEqual(NONCE_AUTH_VOTE);
    const before = await chain.accountAt(sealer);
    await chain.importBlocks([block]);

    const after = await chain.accountAt(sealer);
    expect(after!.balance - before!.balance).toBe(tip * block.header.gasUsed);
    expect((await chain.accountAt(voted))!.balance).toBe(0n);

    const storage = await createMPT({ useKeyHashing: true });
    await storage.put(new Uint8Array(32), RLP.encode(sealer));
    expect((await chain.accountAt(contract))!.storageRoot).toEqual(storage.root());

    // A second node re-executes the block from scratch to the same state.
    const other = await Chain.open({ genesis });
    await other.importBlocks([block]);
    expect(other.head().hash).toEqual(chain.head().hash);
    await chain.close();
    await other.close();
  });
});
