/**
 * The eth suite's own checks, without a target: ids and spec clauses are
 * real, every planted eth fault names existing tests, and the root checks
 * the tests rely on agree with independent data (geth's ethtest chain for
 * bodies, @ethereumjs/vm's receipt encoding and bloom for receipts).
 */
import { readFileSync } from 'node:fs';
import { createMPT } from '@ethereumjs/mpt';
import { Bloom, encodeReceipt } from '@ethereumjs/vm';
import { describe, expect, it } from 'vitest';
import { ETH_FAULTS } from '../../../reference-node/faults/eth.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import type { Receipt } from '../../../reference-node/wire/eth/types.js';
import { loadEthtestChain } from '../../../test-support/ethtest-chain.js';
import { sharedPath } from '../../../test-support/shared.js';
import { ETH_EXPECTATIONS } from '../../selfcheck/expectations/eth.js';
import { ETH_TESTS } from './index.js';
import { bodyMismatch, receiptsRootOf } from './support/roots.js';

/** GitHub's heading anchors: lower-case, punctuation other than - and _ dropped, spaces to -. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    anchors.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}

describe('eth suite', () => {
  it('has unique, well-formed ids, every one under eth/<version>/', () => {
    const ids = ETH_TESTS.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^eth\/(66|67|68|69|70)\/[a-z0-9-]+\/[a-z0-9-]+$/);
  });

  it('cites spec clauses that exist: a file in ../shared/specs and one of its headings', () => {
    const cache = new Map<string, Set<string>>();
    for (const t of ETH_TESTS) {
      const [file, anchor] = t.spec.split('#');
      if (!cache.has(file!)) cache.set(file!, anchorsOf(readFileSync(sharedPath('specs', file!), 'utf8')));
      if (anchor !== undefined) expect(cache.get(file!)!.has(anchor), `${t.id}: ${t.spec}`).toBe(true);
    }
  });

  it('names, for every planted eth fault, only tests that exist', () => {
    const ids = new Set(ETH_TESTS.map((t) => t.id));
    for (const f of ETH_FAULTS) {
      const named = ETH_EXPECTATIONS[f.name];
      expect(named?.length, f.name).toBeGreaterThan(0);
      for (const id of named ?? []) expect(ids.has(id), `${f.name}: ${id}`).toBe(true);
    }
    expect(Object.keys(ETH_EXPECTATIONS).sort()).toEqual(ETH_FAULTS.map((f) => f.name).sort());
  });
});

describe('root checks', () => {
  it('accept every body of geth\'s ethtest chain (txs of all types, withdrawals) and reject a tampered one', async () => {
    const chain = loadEthtestChain();
    let withTxs = 0;
    for (const block of chain.blocks) {
      expect(await bodyMismatch(block.header, block)).toBeUndefined();
      if (block.transactions.length > 0) withTxs++;
    }
    expect(withTxs).toBeGreaterThan(10);
    const sample = chain.blocks.find((b) => b.transactions.length > 1)!;
    expect((await bodyMismatch(sample.header, { ...sample, transactions: [...sample.transactions].reverse() }))?.field).toBe('transactionsRoot');
    expect((await bodyMismatch(sample.header, { ...sample, withdrawals: undefined }))?.field).toBe('withdrawals');
    expect((await bodyMismatch(sample.header, { ...sample, uncles: [chain.blocks[0]!.header] }))?.field).toBe('ommersHash');
  });

  it('compute the receipts root as @ethereumjs/vm encodes receipts (bloom recomputed from the logs)', async () => {
    const log = (i: number) => ({ address: new Uint8Array(20).fill(i), topics: [new Uint8Array(32).fill(i + 1)], data: Uint8Array.of(i) });
    const receipts: Receipt[] = [
      { txType: 0, postStateOrStatus: Uint8Array.of(1), cumulativeGasUsed: 21_000n, logs: [] },
      { txType: 2, postStateOrStatus: new Uint8Array(0), cumulativeGasUsed: 50_000n, logs: [log(1), log(2)] },
      { txType: 1, postStateOrStatus: Uint8Array.of(1), cumulativeGasUsed: 90_000n, logs: [log(3)] },
    ];
    const trie = await createMPT();
    for (const [i, r] of receipts.entries()) {
      const bloom = new Bloom();
      for (const l of r.logs) {
        bloom.add(l.address);
        for (const t of l.topics) bloom.add(t);
      }
      const encoded = encodeReceipt(
        { status: r.postStateOrStatus.length === 0 ? 0 : 1, cumulativeBlockGasUsed: r.cumulativeGasUsed, bitvector: bloom.bitvector, logs: r.logs.map((l) => [l.address, l.topics, l.data]) },
        r.txType,
      );
      await trie.put(encodeRlp(i), encoded);
    }
    expect(Buffer.from(await receiptsRootOf(receipts)).toString('hex')).toBe(Buffer.from(trie.root()).toString('hex'));
    // A bloom sent with the receipt (eth/66-68) is hashed as sent: a wrong one changes the root.
    const wrongBloom = receipts.map((r) => ({ ...r, bloom: new Uint8Array(256).fill(0xff) }));
    expect(Buffer.from(await receiptsRootOf(wrongBloom)).toString('hex')).not.toBe(Buffer.from(trie.root()).toString('hex'));
  });
});
