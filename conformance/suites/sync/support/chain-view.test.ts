/**
 * ChainView is what our sims claim and serve; its TDs and hashes must agree
 * with the fixture's, and made-up blocks must link, or the sync tests would
 * blame the target for our own bad chain.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, writeFixture } from '../../../../reference-node/miner/fixture.js';
import { bytesToHex } from '../../../../reference-node/wire/bytes.js';
import { honestStatus } from '../../../sim/eth-sim.js';
import { loadFixture, type Fixture } from '../../../fixture/fixture.js';
import { nextBlock } from '../../block-broadcast/support/clique-block.js';
import { chainView, statusFor } from './chain-view.js';

let dir: string;
let fixture: Fixture;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chain-view-'));
  await writeFixture(dir, await generateFixture({ profile: 'legacy', blocks: 6, seed: 'chain-view test', txsPerBlock: 1 }));
  fixture = await loadFixture(dir);
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('chainView', () => {
  it('cuts the fixture at upTo, with its hashes and total difficulty there', () => {
    const view = chainView(fixture, 3);
    expect(view.head.number).toBe(3);
    expect(bytesToHex(view.head.hash)).toBe(bytesToHex(fixture.hashes[3]!));
    // Clique: each block adds its difficulty (1 or 2) to the genesis difficulty.
    expect(view.head.td).toBe(fixture.blocks.slice(0, 4).reduce((td, b) => td + b.header.difficulty, 0n));
    expect(view.numbers.get(bytesToHex(fixture.hashes[4]!))).toBeUndefined();
  });

  it('extends the fixture with a block that links to its head, and refuses one that does not', () => {
    const next = nextBlock(fixture);
    const view = chainView(fixture, fixture.head.number, [next.block]);
    expect(view.head.number).toBe(fixture.head.number + 1);
    expect(bytesToHex(view.head.hash)).toBe(next.key);
    expect(view.head.td).toBe(next.td);
    expect(() => chainView(fixture, 2, [next.block])).toThrow(RangeError);
    expect(() => chainView(fixture, fixture.head.number + 1)).toThrow(RangeError);
  });

  it('makes a Status that names the view head, in both Status forms', () => {
    const view = chainView(fixture, 2);
    const old = statusFor(fixture, view)(honestStatus(fixture, 68));
    expect(old.form === 'eth66' && old.td).toBe(view.head.td);
    expect(old.form === 'eth66' && bytesToHex(old.head)).toBe(bytesToHex(fixture.hashes[2]!));
    const modern = statusFor(fixture, view)(honestStatus(fixture, 69));
    expect(modern.form === 'eth69' && modern.latestBlock).toBe(2n);
  });
});
