/**
 * GetReceipts in each version's encoding, over loopback, from a synthetic
 * chain whose headers commit to the receipts (the ethtest chain ships none).
 * Served receipts must rebuild each header's receipts root, computed by
 * @ethereumjs/vm's receipt encoding and @ethereumjs/mpt; the eth/66-68 blooms
 * must equal @ethereumjs/vm's Bloom of the logs.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bloom } from '@ethereumjs/vm';
import { headerHash } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { MAX_MESSAGE_SIZE, SOFT_RESPONSE_LIMIT } from '../wire/eth/limits.js';
import { receiptEth69ToRlp } from '../wire/eth/receipts.js';
import type { EthVersion, Receipt, Receipts } from '../wire/eth/types.js';
import { encodeEthMessage } from '../wire/eth/messages.js';
import { encodeRlp } from '../wire/rlp.js';
import { keccak256 } from '../wire/keys.js';
import { receiptsRootOf, syntheticReceiptsChain, type SyntheticChain } from './test-chain.js';
import { handshaken } from './test-node.js';
import type { ScriptedEthPeer } from './test-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PER_BLOCK = [3, 0, 5, 1, 2, 4];
let syn: SyntheticChain;
beforeAll(async () => {
  syn = await syntheticReceiptsChain(PER_BLOCK);
});
const hashOf = (i: number) => headerHash(syn.blocks[i]!.header);
const unknown = new Uint8Array(32).fill(0x77);

function ethjsBloom(r: Receipt): string {
  const bloom = new Bloom();
  for (const log of r.logs) {
    bloom.add(log.address);
    for (const topic of log.topics) bloom.add(topic);
  }
  return bytesToHex(bloom.bitvector);
}

/** The receipts without any bloom, as the chain holds them. */
function bare(lists: Receipts['receipts']): Receipt[][] {
  return lists.map((l) => l.map(({ txType, postStateOrStatus, cumulativeGasUsed, logs }) => ({ txType, postStateOrStatus, cumulativeGasUsed, logs })));
}

/**
 * A digest of receipt lists for equality checks: vitest's deep equality walks
 * typed arrays element by element, far too slow for megabytes of log data.
 */
function digest(lists: readonly (readonly Receipt[])[]): string {
  return bytesToHex(keccak256(encodeRlp(lists.map((l) => l.map((r) => receiptEth69ToRlp(r))))));
}

async function ask(them: ScriptedEthPeer, version: EthVersion, hashes: Uint8Array[], requestId: bigint, first = 0n): Promise<Receipts> {
  them.send(version >= 70 ? { kind: 'GetReceipts', form: 'eth70', requestId, firstBlockReceiptIndex: first, hashes } : { kind: 'GetReceipts', form: 'eth66', requestId, hashes });
  const reply = await them.next('Receipts', 10_000);
  expect(reply.requestId).toBe(requestId);
  return reply;
}

describe.each([66, 67, 68, 69, 70].map((v) => [v as EthVersion]))('eth/%i GetReceipts', (version) => {
  it('serves every block\'s receipts in this version\'s form, rebuilding each header\'s receipts root', async () => {
    const { them } = await handshaken(syn.reader, version, cleanups);
    const reply = await ask(them, version, syn.blocks.map((_, i) => hashOf(i)), 51n);
    expect(reply.form).toBe(version <= 68 ? 'eth66' : version === 69 ? 'eth69' : 'eth70');
    if (reply.form === 'eth70') expect(reply.lastBlockIncomplete).toBe(false);
    expect(bare(reply.receipts)).toEqual(syn.receipts);
    for (let i = 0; i < syn.blocks.length; i++) {
      expect(bytesToHex(await receiptsRootOf(reply.receipts[i]!))).toBe(bytesToHex(syn.blocks[i]!.header.receiptsRoot));
    }
  });

  if (version <= 68) {
    it('derives each receipt\'s bloom from its logs, as @ethereumjs/vm does', async () => {
      const { them } = await handshaken(syn.reader, version, cleanups);
      const reply = await ask(them, version, [hashOf(0), hashOf(2)], 52n);
      if (reply.form !== 'eth66') throw new Error(`expected the eth/66 form, got ${reply.form}`);
      const blooms = reply.receipts.flat().map((r) => bytesToHex(r.bloom));
      expect(blooms).toEqual([...syn.receipts[0]!, ...syn.receipts[2]!].map(ethjsBloom));
      expect(blooms.some((b) => /[^0]/.test(b))).toBe(true);
    });
  }

  if (version <= 69) {
    it('skips an unknown block and serves the rest', async () => {
      const { them } = await handshaken(syn.reader, version, cleanups);
      const reply = await ask(them, version, [hashOf(0), unknown, hashOf(2)], 53n);
      expect(bare(reply.receipts)).toEqual([syn.receipts[0], syn.receipts[2]]);
    });
  } else {
    it('ends the response at an unknown block (eth.md, Receipts)', async () => {
      const { them } = await handshaken(syn.reader, version, cleanups);
      const reply = await ask(them, version, [hashOf(0), unknown, hashOf(2)], 53n);
      expect(bare(reply.receipts)).toEqual([syn.receipts[0]]);
    });

    it('starts the first list at firstBlockReceiptIndex, and only the first', async () => {
      const { them } = await handshaken(syn.reader, version, cleanups);
      const reply = await ask(them, version, [hashOf(2), hashOf(0)], 54n, 2n);
      expect(bare(reply.receipts)).toEqual([syn.receipts[2]!.slice(2), syn.receipts[0]]);
      const past = await ask(them, version, [hashOf(3)], 55n, 9n);
      expect(past.receipts).toEqual([[]]);
    });
  }
});

describe('eth/70 partial receipt lists (EIP-7975)', () => {
  it('cuts a block\'s list at 10 MiB with lastBlockIncomplete, and the rest follows from firstBlockReceiptIndex', async () => {
    // Twelve receipts of about 1 MiB of log data each: more than one 10 MiB message holds.
    const big = await syntheticReceiptsChain([1, 12], 1024 * 1024);
    const { them } = await handshaken(big.reader, 70, cleanups);
    const hashes = [headerHash(big.blocks[0]!.header), headerHash(big.blocks[1]!.header)];
    them.send({ kind: 'GetReceipts', form: 'eth70', requestId: 61n, firstBlockReceiptIndex: 0n, hashes });
    const first = await them.next('Receipts', 20_000);
    if (first.form !== 'eth70') throw new Error(`expected the eth/70 form, got ${first.form}`);
    expect(first.lastBlockIncomplete).toBe(true);
    expect(first.receipts).toHaveLength(2);
    const cut = first.receipts[1]!.length;
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(12);
    expect(encodeEthMessage(70, first).payload.length).toBeLessThanOrEqual(MAX_MESSAGE_SIZE);
    // One more receipt would not have fit.
    const next = encodeRlp(receiptEth69ToRlp(big.receipts[1]![cut]!)).length;
    expect(encodeEthMessage(70, first).payload.length + next).toBeGreaterThan(MAX_MESSAGE_SIZE - 64);

    them.send({ kind: 'GetReceipts', form: 'eth70', requestId: 62n, firstBlockReceiptIndex: BigInt(cut), hashes: [hashes[1]!] });
    const rest = await them.next('Receipts', 20_000);
    if (rest.form !== 'eth70') throw new Error(`expected the eth/70 form, got ${rest.form}`);
    expect(rest.lastBlockIncomplete).toBe(false);
    const whole = [...first.receipts[1]!, ...rest.receipts[0]!];
    expect(whole).toHaveLength(12);
    expect(digest([whole])).toBe(digest([big.receipts[1]!]));
    expect(bytesToHex(await receiptsRootOf(whole))).toBe(bytesToHex(big.blocks[1]!.header.receiptsRoot));
  }, 60_000);
});

describe('GetReceipts soft limit', () => {
  it.each([68, 69, 70].map((v) => [v as EthVersion]))('eth/%i: no new list once the lists hold 2 MiB', async (version) => {
    const many = await syntheticReceiptsChain(new Array(30).fill(1), 128 * 1024);
    const { them } = await handshaken(many.reader, version, cleanups);
    const reply = await ask(them, version, many.blocks.map((b) => headerHash(b.header)), 71n);
    const sizes = reply.receipts.map((l) => encodeRlp(l.map((r) => receiptEth69ToRlp(r))).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(reply.receipts.length).toBeLessThan(30);
    expect(total - sizes.at(-1)!).toBeLessThan(SOFT_RESPONSE_LIMIT);
    expect(total).toBeGreaterThanOrEqual(SOFT_RESPONSE_LIMIT - sizes.at(-1)!);
    expect(digest(reply.receipts)).toBe(digest(many.receipts.slice(0, reply.receipts.length)));
  });
});
