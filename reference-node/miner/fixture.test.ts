import { CliqueConsensus, createBlockchain } from '@ethereumjs/blockchain';
import { createBlockFromRLP, cliqueSigner } from '@ethereumjs/block';
import { ConsensusAlgorithm, createCommonFromGethGenesis, parseGethGenesisState, type Common, type GethGenesis } from '@ethereumjs/common';
import { decode as rlpDecode, encode as rlpEncode } from '@ethereumjs/rlp';
import { createTxFromBlockBodyData } from '@ethereumjs/tx';
import { privateToAddress } from '@ethereumjs/util';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { Chain } from '../chain/chain.js';
import { parseGenesis } from '../chain/genesis.js';
import { forgetRecovered } from '../chain/recovery-memo.js';
import { bytesToHex, hexToBytes } from '../wire/bytes.js';
import { generateFixture, writeFixture, type Fixture, type FixtureOptions } from './fixture.js';
import { SYSTEM_CONTRACTS } from './system-contracts.js';

const LEGACY: FixtureOptions = { profile: 'legacy', blocks: 4, seed: 'alpha' };
const MODERN: FixtureOptions = { profile: 'modern', blocks: 4, seed: 'alpha' };

type Accounts = Record<string, { key: string; signer?: true }>;

/** The blocks of a chain.rlp split by @ethereumjs/rlp (not our codec): each block's encoding. */
function splitChainRlp(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const { data, remainder } = rlpDecode(rest, true);
    out.push(rlpEncode(data));
    rest = remainder;
  }
  return out;
}

/** @ethereumjs/common for a genesis.json, as @ethereumjs/client builds it from --gethGenesis. */
function ethereumjsCommon(genesisJson: string): Common {
  return createCommonFromGethGenesis(JSON.parse(genesisJson) as GethGenesis, { chain: 'fixture' });
}

/** An @ethereumjs/blockchain set up as @ethereumjs/client sets it up (Clique consensus validated when configured). */
async function ethereumjsBlockchain(genesisJson: string) {
  const json = JSON.parse(genesisJson) as GethGenesis;
  const common = ethereumjsCommon(genesisJson);
  const clique = common.consensusAlgorithm() === ConsensusAlgorithm.Clique;
  return createBlockchain({
    common,
    hardforkByHeadBlockNumber: true,
    validateBlocks: true,
    validateConsensus: clique,
    consensusDict: clique ? { [ConsensusAlgorithm.Clique]: new CliqueConsensus() } : {},
    genesisState: parseGethGenesisState(json),
  });
}

describe.each([
  ['legacy', LEGACY],
  ['modern', MODERN],
] as const)('%s fixture', (profile, options) => {
  let fixture: Fixture;
  let accounts: Accounts;
  beforeAll(async () => {
    fixture = await generateFixture(options);
    accounts = JSON.parse(fixture.accountsJson) as Accounts;
  }, 60_000);

  it('is byte-identical when generated again with the same arguments, and written files hold exactly those bytes', async () => {
    const again = await generateFixture(options);
    expect(again.genesisJson).toBe(fixture.genesisJson);
    expect(bytesToHex(again.chainRlp)).toBe(bytesToHex(fixture.chainRlp));
    expect(again.accountsJson).toBe(fixture.accountsJson);
    expect(again.headFcuJson).toBe(fixture.headFcuJson);
    const dirs = [await mkdtemp(join(tmpdir(), 'fixture-a-')), await mkdtemp(join(tmpdir(), 'fixture-b-'))];
    try {
      await writeFixture(dirs[0]!, fixture);
      await writeFixture(dirs[1]!, again);
      const names = (await readdir(dirs[0]!)).sort();
      expect(names).toEqual(['accounts.json', 'chain.rlp', 'genesis.json', 'headfcu.json']);
      for (const name of names) expect(Buffer.compare(await readFile(join(dirs[0]!, name)), await readFile(join(dirs[1]!, name))), name).toBe(0);
      expect(new Uint8Array(await readFile(join(dirs[0]!, 'chain.rlp')))).toEqual(fixture.chainRlp);
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  }, 60_000);

  it('differs for a different seed: other keys, so another genesis and other blocks', async () => {
    const other = await generateFixture({ ...options, seed: 'beta', blocks: 1 });
    expect(other.accountsJson).not.toBe(fixture.accountsJson);
    expect(other.genesisJson).not.toBe(fixture.genesisJson);
    expect(Object.keys(JSON.parse(other.accountsJson) as Accounts).some((a) => a in accounts)).toBe(false);
  }, 60_000);

  it('imports into a fresh Chain from genesis.json and chain.rlp (every root re-checked) and reaches the announced head', async () => {
    // The generator remembered its signatures' keys; recover them all again from scratch.
    forgetRecovered();
    const genesis = await parseGenesis(JSON.parse(fixture.genesisJson));
    expect(genesis.hash).toEqual(fixture.genesisHash);
    const chain = await Chain.open({ genesis });
    try {
      const result = await chain.importChainRlp(fixture.chainRlp);
      expect(result.imported).toBe(options.blocks);
      expect(chain.head().number).toBe(BigInt(options.blocks));
      expect(chain.head().hash).toEqual(fixture.head.hash);
      expect(fixture.head.number).toBe(BigInt(options.blocks));
      const interval = profile === 'legacy' ? 1n : 12n;
      for (let n = 1n; n <= BigInt(options.blocks); n++) {
        const block = chain.blockByNumber(n)!;
        expect(block.transactions).toHaveLength(5);
        expect(block.header.timestamp).toBe(genesis.block.header.timestamp + n * interval);
        // Every transfer succeeded (status 1) and used what a plain transfer uses.
        for (const r of chain.receiptsByHash(chain.hashByNumber(n)!)!) expect(r.postStateOrStatus).toEqual(Uint8Array.of(1));
      }
      const types = new Set(chain.blockByNumber(1n)!.transactions.map((t) => t.type));
      expect(types).toEqual(new Set([0, 1, 2]));
      // The head state agrees: the senders' nonces add up to the number of transactions.
      let nonces = 0n;
      for (const address of Object.keys(accounts)) nonces += (await chain.accountAt(hexToBytes(address)))!.nonce;
      expect(nonces).toBe(BigInt(options.blocks * 5));
    } finally {
      await chain.close();
    }
  }, 60_000);

  it('has transactions that @ethereumjs/tx decodes, each from an account whose key is in accounts.json, with nonces in order', () => {
    const common = ethereumjsCommon(fixture.genesisJson);
    // The addresses accounts.json lists are the addresses of the keys it lists (derived by @ethereumjs/util).
    for (const [address, { key }] of Object.entries(accounts)) expect(`0x${bytesToHex(privateToAddress(hexToBytes(key)))}`).toBe(address);
    const nonces = new Map<string, bigint>();
    let count = 0;
    for (const blockRlp of splitChainRlp(fixture.chainRlp)) {
      const [, txs] = rlpDecode(blockRlp) as unknown as [unknown, Uint8Array[]];
      for (const raw of txs) {
        const tx = createTxFromBlockBodyData(raw, { common });
        expect(tx.verifySignature()).toBe(true);
        const sender = tx.getSenderAddress().toString();
        expect(accounts[sender], `sender ${sender}`).toBeDefined();
        expect(accounts[sender]!.signer).toBeUndefined();
        expect(tx.nonce).toBe(nonces.get(sender) ?? 0n);
        nonces.set(sender, tx.nonce + 1n);
        count++;
      }
    }
    expect(count).toBe(options.blocks * 5);
  });

  it('gives @ethereumjs/blockchain (as @ethereumjs/client sets it up) the same genesis hash, and its header checks accept every block', async () => {
    const blockchain = await ethereumjsBlockchain(fixture.genesisJson);
    const genesisBlock = await blockchain.getBlock(0);
    expect(bytesToHex(genesisBlock.hash())).toBe(bytesToHex(fixture.genesisHash));
    const common = blockchain.common;
    const signer = Object.entries(accounts).find(([, v]) => v.signer)?.[0];
    expect(signer !== undefined).toBe(profile === 'legacy');
    for (const blockRlp of splitChainRlp(fixture.chainRlp)) {
      const block = createBlockFromRLP(blockRlp, { common, setHardfork: true });
      if (signer !== undefined) expect(cliqueSigner(block.header).toString()).toBe(signer);
      await blockchain.putBlock(block);
    }
    const head = await blockchain.getCanonicalHeadBlock();
    expect(head.header.number).toBe(fixture.head.number);
    expect(bytesToHex(head.hash())).toBe(bytesToHex(fixture.head.hash));
  }, 60_000);

  it('writes headfcu.json in the shape of geth eth-test testdata, naming the head', () => {
    const reference = readSharedJson<{ method: string; params: [Record<string, string>, null] }>('vectors-reference', 'geth-ethtest-chain', 'headfcu.json');
    const fcu = JSON.parse(fixture.headFcuJson) as { jsonrpc: string; id: string; method: string; params: [Record<string, string>, null] };
    expect(fcu.method).toBe(reference.method);
    expect(Object.keys(fcu.params[0]).sort()).toEqual(Object.keys(reference.params[0]).sort());
    expect(fcu.params[1]).toBeNull();
    const head = `0x${bytesToHex(fixture.head.hash)}`;
    expect(fcu.params[0]).toEqual({ headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head });
    expect(fcu.jsonrpc).toBe('2.0');
  });
});

describe('fixture genesis contents', () => {
  it('legacy: a Clique London chain whose extraData names the signer from accounts.json', async () => {
    const f = await generateFixture({ ...LEGACY, blocks: 0 });
    const json = JSON.parse(f.genesisJson) as { config: Record<string, unknown>; extraData: string };
    expect(json.config['clique']).toEqual({ period: 1, epoch: 30000 });
    expect(json.config['londonBlock']).toBe(0);
    expect(json.config['terminalTotalDifficulty']).toBeUndefined();
    const signer = Object.entries(JSON.parse(f.accountsJson) as Accounts).find(([, v]) => v.signer)![0];
    expect(json.extraData).toBe(`0x${'00'.repeat(32)}${signer.slice(2)}${'00'.repeat(65)}`);
    expect(f.head.number).toBe(0n);
    expect(f.chainRlp).toHaveLength(0);
  });

  it('modern: merged at genesis with Prague, and the system contracts are the ones in geth eth-test genesis', async () => {
    const f = await generateFixture({ ...MODERN, blocks: 0 });
    const json = JSON.parse(f.genesisJson) as { config: Record<string, unknown>; difficulty: string; alloc: Record<string, { code?: string }> };
    expect(json.config).toMatchObject({ terminalTotalDifficulty: 0, shanghaiTime: 0, cancunTime: 0, pragueTime: 0 });
    expect(json.difficulty).toBe('0x0');
    const ethtest = readSharedJson<{ alloc: Record<string, { code?: string }> }>('vectors-reference', 'geth-ethtest-chain', 'genesis.json');
    expect(SYSTEM_CONTRACTS).toHaveLength(4);
    for (const c of SYSTEM_CONTRACTS) {
      expect(ethtest.alloc[c.address]?.code, c.name).toBe(c.code);
      expect(json.alloc[`0x${c.address}`]?.code, c.name).toBe(c.code);
    }
  });

  it('takes txsPerBlock, including zero', async () => {
    const f = await generateFixture({ ...MODERN, blocks: 2, txsPerBlock: 0 });
    const genesis = await parseGenesis(JSON.parse(f.genesisJson));
    const chain = await Chain.open({ genesis });
    await chain.importChainRlp(f.chainRlp);
    expect(chain.blockByNumber(1n)!.transactions).toHaveLength(0);
    expect(chain.head().hash).toEqual(f.head.hash);
    await chain.close();
    const g = await generateFixture({ ...LEGACY, blocks: 1, txsPerBlock: 7 });
    expect(splitChainRlp(g.chainRlp)).toHaveLength(1);
    const [, txs] = rlpDecode(splitChainRlp(g.chainRlp)[0]!) as unknown as [unknown, Uint8Array[]];
    expect(txs).toHaveLength(7);
  }, 60_000);

  it('refuses nonsense options with a RangeError', async () => {
    await expect(generateFixture({ ...LEGACY, blocks: -1 })).rejects.toThrow(RangeError);
    await expect(generateFixture({ ...LEGACY, blocks: 1.5 })).rejects.toThrow(RangeError);
    await expect(generateFixture({ ...LEGACY, txsPerBlock: -2 })).rejects.toThrow(RangeError);
    await expect(generateFixture({ ...LEGACY, accounts: 1 })).rejects.toThrow(RangeError);
  });
});

