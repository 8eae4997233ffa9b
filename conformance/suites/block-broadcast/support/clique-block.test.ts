/**
 * The blocks the block-broadcast tests send must be valid Clique blocks, or
 * the tests would judge the target on our mistake. @ethereumjs/block, an
 * independent implementation, checks the seal, the signer, the hash and the
 * base fee of the next block on a small generated legacy fixture.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliqueSigner, cliqueVerifySignature, createBlockHeader } from '@ethereumjs/block';
import { createCommonFromGethGenesis, type GethGenesis } from '@ethereumjs/common';
import { createAddressFromString } from '@ethereumjs/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, writeFixture } from '../../../../reference-node/miner/fixture.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import { loadFixture, type Fixture } from '../../../fixture/fixture.js';
import { cliqueChild, nextBlock } from './clique-block.js';

let dir: string;
let fixture: Fixture;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clique-block-'));
  await writeFixture(dir, await generateFixture({ profile: 'legacy', blocks: 3, seed: 'clique-block test', txsPerBlock: 1 }));
  fixture = await loadFixture(dir);
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

function theirs(header: Fixture['blocks'][number]['header']) {
  const genesis = JSON.parse(readFileSync(fixture.genesisPath, 'utf8')) as GethGenesis;
  const common = createCommonFromGethGenesis(genesis, { chain: 'cliquetest' });
  return createBlockHeader(
    {
      ...header,
      baseFeePerGas: header.baseFeePerGas,
    },
    { common, skipConsensusFormatValidation: false },
  );
}

describe('cliqueChild', () => {
  it('seals the next block with the fixture signer, as @ethereumjs/block recovers it', () => {
    const next = nextBlock(fixture);
    const header = theirs(next.block.header);
    const signer = fixture.accounts.find((a) => a.signer)!;
    expect(cliqueSigner(header).toString()).toBe(createAddressFromString(signer.address.startsWith('0x') ? signer.address : `0x${signer.address}`).toString());
    expect(cliqueVerifySignature(header, [createAddressFromString(cliqueSigner(header).toString())])).toBe(true);
    expect(bytesToHex(header.hash())).toBe(next.key);
    expect(next.number).toBe(4n);
    expect(next.td).toBe(fixture.head.td + next.block.header.difficulty);
  });

  it('carries the base fee @ethereumjs/block computes for a child of the head', () => {
    const parent = theirs(fixture.head.header);
    const next = nextBlock(fixture);
    expect(next.block.header.baseFeePerGas).toBe(parent.calcNextBaseFee());
    expect(bytesToHex(next.block.header.stateRoot)).toBe(bytesToHex(fixture.head.header.stateRoot));
  });

  it('makes an oversized or unsealed header on request, which then fails the signer check', () => {
    const big = cliqueChild(fixture, fixture.blocks[fixture.head.number]!, fixture.head.td, { extraBytes: 100 * 1024 + 1, unsealed: true });
    expect(big.block.header.extraData.length).toBe(32 + 100 * 1024 + 1 + 65);
    const unsealed = cliqueChild(fixture, fixture.blocks[fixture.head.number]!, fixture.head.td, { unsealed: true });
    const signer = fixture.accounts.find((a) => a.signer)!;
    const address = createAddressFromString(signer.address.startsWith('0x') ? signer.address : `0x${signer.address}`);
    expect(cliqueVerifySignature(theirs(unsealed.block.header), [address])).toBe(false);
  });
});
