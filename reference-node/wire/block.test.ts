import { createCustomCommon, Hardfork, Mainnet, type Common } from '@ethereumjs/common';
import { createTxFromBlockBodyData } from '@ethereumjs/tx';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectDecodeError } from '../../test-support/decode-errors.js';
import { readSharedBytes, readSharedJson } from '../../test-support/shared.js';
import {
  blockHash,
  decodeBlock,
  decodeBlockHeader,
  decodeBlockSequence,
  EMPTY_OMMERS_HASH,
  encodeBlock,
  encodeBlockHeader,
  headerHash,
  ommersHashOf,
  type Block,
  type BlockHeader,
} from './block.js';
import { bytesToHex, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { decodeRlp, decodeRlpPrefix, encodeRlp, type RlpItem } from './rlp.js';
import { blockArbitrary, headerArbitrary } from './eth/arbitrary.js';
import { recoverAuthority, recoverSender, transactionHash } from './tx/index.js';

const CHAIN = ['vectors-reference', 'geth-ethtest-chain'] as const;
const GENESIS_HASH = 'bd6a252af394d80904c5993b859574bd4669642cea00a116970ec7887db67533';
const HEAD_HASH = '44e3809c9a3cda717f00aea3a9da336d149612c8d5657fbc0028176ef8d94d2a';
const CHAIN_ID = 3503995874084926n;

const chainRlp = readSharedBytes(...CHAIN, 'chain.rlp');

/**
 * @ethereumjs/tx as the independent oracle, configured for the ethtest chain.
 * It insists on a KZG backend for any blob tx; canonical-form txs never use it,
 * so a stub that throws proves it is not called.
 */
function ethtestCommon(): Common {
  const kzg = new Proxy({}, { get: () => () => { throw new Error('KZG not expected'); } });
  return createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: { kzg } as never });
}

/** Each block's exact bytes in chain.rlp, split with the generic RLP reader (not our block codec). */
function blockSlices(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const { rest: next } = decodeRlpPrefix(rest, 'chain.rlp');
    out.push(rest.subarray(0, rest.length - next.length));
    rest = next;
  }
  return out;
}

const hex = (b: Uint8Array): string => bytesToHex(b);
const big = (h: string): bigint => BigInt(h);

describe('geth ethtest chain', () => {
  const blocks = decodeBlockSequence(chainRlp);
  const slices = blockSlices(chainRlp);

  it('decodes 600 blocks numbered 1..600', () => {
    expect(blocks).toHaveLength(600);
    expect(slices).toHaveLength(600);
    blocks.forEach((b, i) => expect(b.header.number).toBe(BigInt(i + 1)));
  });

  it('chains every header hash to the next parentHash, from the genesis hash to headblock.json', () => {
    expect(hex(blocks[0]!.header.parentHash)).toBe(GENESIS_HASH);
    for (let i = 1; i < blocks.length; i++) {
      expect(hex(blocks[i]!.header.parentHash)).toBe(hex(blockHash(blocks[i - 1]!)));
    }
    expect(hex(blockHash(blocks[599]!))).toBe(HEAD_HASH);
  });

  it('decodes the head header fields as headblock.json lists them', () => {
    const head = readSharedJson<Record<string, string>>(...CHAIN, 'headblock.json');
    const h = blocks[599]!.header;
    expect('0x' + hex(h.parentHash)).toBe(head.parentHash);
    expect('0x' + hex(h.ommersHash)).toBe(head.sha3Uncles);
    expect('0x' + hex(h.coinbase)).toBe(head.miner);
    expect('0x' + hex(h.stateRoot)).toBe(head.stateRoot);
    expect('0x' + hex(h.transactionsRoot)).toBe(head.transactionsRoot);
    expect('0x' + hex(h.receiptsRoot)).toBe(head.receiptsRoot);
    expect('0x' + hex(h.logsBloom)).toBe(head.logsBloom);
    expect(h.difficulty).toBe(big(head.difficulty!));
    expect(h.number).toBe(big(head.number!));
    expect(h.gasLimit).toBe(big(head.gasLimit!));
    expect(h.gasUsed).toBe(big(head.gasUsed!));
    expect(h.timestamp).toBe(big(head.timestamp!));
    expect('0x' + hex(h.extraData)).toBe(head.extraData);
    expect('0x' + hex(h.mixHash)).toBe(head.mixHash);
    expect('0x' + hex(h.nonce)).toBe(head.nonce);
    expect(h.baseFeePerGas).toBe(big(head.baseFeePerGas!));
    expect('0x' + hex(h.withdrawalsRoot!)).toBe(head.withdrawalsRoot);
    expect(h.blobGasUsed).toBe(big(head.blobGasUsed!));
    expect(h.excessBlobGas).toBe(big(head.excessBlobGas!));
    expect('0x' + hex(h.parentBeaconBlockRoot!)).toBe(head.parentBeaconBlockRoot);
    expect('0x' + hex(h.requestsHash!)).toBe(head.requestsHash);
    expect('0x' + hex(headerHash(h))).toBe(head.hash);
  });

  it('sees the Shanghai, Cancun and Prague header layouts (17, 20 and 21 fields)', () => {
    const counts = new Map<number, number>();
    for (const s of slices) {
      const fields = (decodeRlp(s, 'block') as RlpItem[])[0] as RlpItem[];
      counts.set(fields.length, (counts.get(fields.length) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([17, 20, 21]);
    // Cancun at t=60 and Prague at t=120 (genesis.json); blocks are 10 s apart.
    for (const b of blocks) {
      const t = b.header.timestamp;
      expect(b.header.blobGasUsed !== undefined).toBe(t >= 60n);
      expect(b.header.requestsHash !== undefined).toBe(t >= 120n);
      expect(b.withdrawals).toBeDefined();
      expect(hex(b.header.ommersHash)).toBe(hex(EMPTY_OMMERS_HASH));
      expect(hex(ommersHashOf(b.uncles))).toBe(hex(b.header.ommersHash));
    }
  });

  it('re-encodes every block byte-identically', () => {
    blocks.forEach((b, i) => {
      expect(hex(encodeBlock(b))).toBe(hex(slices[i]!));
    });
  });

  it('holds 603 transactions of types 0..4 whose hashes and senders match @ethereumjs/tx', () => {
    const common = ethtestCommon();
    const types = new Map<number, number>();
    let count = 0;
    blocks.forEach((b, i) => {
      const txItems = (decodeRlp(slices[i]!, 'block') as RlpItem[])[1] as RlpItem[];
      b.transactions.forEach((tx, j) => {
        const theirs = createTxFromBlockBodyData(txItems[j] as Uint8Array, { common });
        expect(theirs.type).toBe(tx.type);
        expect(hex(transactionHash(tx))).toBe(hex(theirs.hash()));
        expect(hex(recoverSender(tx, { chainId: CHAIN_ID }))).toBe(hex(theirs.getSenderAddress().bytes));
        types.set(tx.type, (types.get(tx.type) ?? 0) + 1);
        count++;
      });
    });
    expect(count).toBe(603);
    expect([...types.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('finds every transaction txinfo.json lists, at its block and index, with its sender', () => {
    type Entry = { txhash: string; sender?: string; block: string; indexInBlock?: number };
    const info = readSharedJson<Record<string, unknown>>(...CHAIN, 'txinfo.json');
    const entries: Entry[] = [];
    for (const value of Object.values(info)) {
      if (Array.isArray(value)) entries.push(...(value as Entry[]));
      else if (value !== null && typeof value === 'object' && 'txhash' in value) entries.push(value as Entry);
    }
    expect(entries.length).toBeGreaterThan(300);
    for (const e of entries) {
      const block = blocks[Number(e.block) - 1]!;
      const hashes = block.transactions.map((tx) => '0x' + hex(transactionHash(tx)));
      const at = e.indexInBlock ?? hashes.indexOf(e.txhash);
      expect(hashes[at]).toBe(e.txhash);
      if (e.sender !== undefined) expect('0x' + hex(recoverSender(block.transactions[at]!))).toBe(e.sender);
    }
  });

  it('recovers the EIP-7702 authority and delegate that txinfo.json names', () => {
    const info = readSharedJson<{ 'tx-eip7702': { account: string; proxyAddr: string; authorizeTx: string } }>(
      ...CHAIN,
      'txinfo.json',
    )['tx-eip7702'];
    const tx = blocks.flatMap((b) => b.transactions).find((t) => '0x' + hex(transactionHash(t)) === info.authorizeTx);
    expect(tx?.type).toBe(4);
    if (tx?.type !== 4) return;
    expect(tx.authorizationList).toHaveLength(1);
    const auth = tx.authorizationList[0]!;
    expect('0x' + hex(auth.address)).toBe(info.proxyAddr);
    expect('0x' + hex(recoverAuthority(auth))).toBe(info.account);
  });

  it('decodes the withdrawals txinfo.json lists', () => {
    type W = { index: string; validatorIndex: string; address: string; amount: string };
    const info = readSharedJson<{ withdrawals: Record<string, { withdrawals: W[] }> }>(...CHAIN, 'txinfo.json');
    const listed = Object.entries(info.withdrawals);
    expect(listed.length).toBeGreaterThan(0);
    for (const [number, { withdrawals }] of listed) {
      const got = blocks[Number(number) - 1]!.withdrawals!;
      expect(got.map((w) => ({ index: w.index, validatorIndex: w.validatorIndex, address: '0x' + hex(w.address), amount: w.amount }))).toEqual(
        withdrawals.map((w) => ({ index: big(w.index), validatorIndex: big(w.validatorIndex), address: w.address, amount: big(w.amount) })),
      );
    }
  });
});

describe('block header codec', () => {
  // The EIP-2481 BlockHeaders example: a 15-field header whose hash the EIP prints.
  const eip2481 = readSharedJson<{ cases: { type: string; rlp: string; data: { BlockHeadersPacket?: { hash: string }[] } }[] }>(
    'vectors-reference',
    'eth66-messages-eip2481.json',
  ).cases.find((c) => c.type === 'BlockHeadersPacket66')!;
  const legacyHeaderRlp = encodeRlp(((decodeRlp(hexToBytes(eip2481.rlp), 'x') as RlpItem[])[1] as RlpItem[])[0]!);

  it('hashes the EIP-2481 example header to the hash the EIP prints', () => {
    const header = decodeBlockHeader(legacyHeaderRlp);
    expect(header.baseFeePerGas).toBeUndefined();
    expect('0x' + hex(headerHash(header))).toBe(eip2481.data.BlockHeadersPacket![0]!.hash);
    expect(hex(encodeBlockHeader(header))).toBe(hex(legacyHeaderRlp));
  });

  const headField = (n: number): RlpItem[] => {
    const base = decodeRlp(legacyHeaderRlp, 'x') as RlpItem[];
    const extra = [Uint8Array.of(7), new Uint8Array(32), Uint8Array.of(1), Uint8Array.of(2), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)];
    return [...base, ...extra].slice(0, n);
  };

  it('accepts exactly the fork field counts 15, 16, 17, 20, 21, 22', () => {
    for (let n = 13; n <= 23; n++) {
      const bytes = encodeRlp(headField(n));
      if ([15, 16, 17, 20, 21, 22].includes(n)) {
        const h = decodeBlockHeader(bytes);
        expect(hex(encodeBlockHeader(h))).toBe(hex(bytes));
      } else {
        expectDecodeError(() => decodeBlockHeader(bytes), 'shape');
      }
    }
  });

  it('rejects wrong sizes, non-canonical scalars and oversized uint64 fields', () => {
    const mutate = (i: number, value: RlpItem): Uint8Array => {
      const f = headField(21);
      f[i] = value;
      return encodeRlp(f);
    };
    expectDecodeError(() => decodeBlockHeader(mutate(0, new Uint8Array(31))), 'length'); // parentHash
    expectDecodeError(() => decodeBlockHeader(mutate(2, new Uint8Array(21))), 'length'); // coinbase
    expectDecodeError(() => decodeBlockHeader(mutate(6, new Uint8Array(255))), 'length'); // bloom
    expectDecodeError(() => decodeBlockHeader(mutate(14, new Uint8Array(9))), 'length'); // nonce
    expectDecodeError(() => decodeBlockHeader(mutate(8, Uint8Array.of(0, 1))), 'rlp'); // number, leading zero
    expectDecodeError(() => decodeBlockHeader(mutate(9, new Uint8Array(9).fill(1))), 'value'); // gasLimit > uint64
    expectDecodeError(() => decodeBlockHeader(mutate(12, [])), 'shape'); // extraData as a list
  });

  it('refuses to encode a header whose optional fields skip a fork', () => {
    const h = decodeBlockHeader(encodeRlp(headField(21)));
    const { baseFeePerGas: _drop, ...noBaseFee } = h;
    expect(() => encodeBlockHeader(noBaseFee as BlockHeader)).toThrow(RangeError);
    const { excessBlobGas: _drop2, ...halfCancun } = h;
    expect(() => encodeBlockHeader(halfCancun as BlockHeader)).toThrow(RangeError);
  });
});

describe('block codec properties', () => {
  it('decode(encode(header)) equals the header', () => {
    fc.assert(
      fc.property(headerArbitrary(fc), (h) => {
        expect(decodeBlockHeader(encodeBlockHeader(h))).toEqual(h);
      }),
      { numRuns: 300 },
    );
  });

  it('decode(encode(block)) equals the block', () => {
    fc.assert(
      fc.property(blockArbitrary(fc), (b: Block) => {
        expect(decodeBlock(encodeBlock(b))).toEqual(b);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a blob transaction carrying its sidecar inside a block', () => {
    const withSidecar = blocks0WithSidecar();
    if (withSidecar === undefined) throw new Error('chain has no blob tx');
    expectDecodeError(() => decodeBlock(withSidecar), 'shape');
  });

  it('gives a block or a DecodeError for arbitrary and mutated bytes, never another exception', () => {
    const sample = blockSlicesSample();
    const mutated = fc
      .tuple(fc.constantFrom(...sample), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 64 }))
      .map(([b, at, byte, cut]) => {
        const copy = b.slice(0, Math.max(0, b.length - cut));
        if (copy.length > 0) copy[at % copy.length] = byte;
        return copy;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated), (bytes) => {
        for (const decode of [decodeBlock, decodeBlockHeader, decodeBlockSequence]) {
          try {
            decode(bytes);
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function blockSlicesSample(): Uint8Array[] {
  return blockSlices(chainRlp).filter((_, i) => i % 7 === 0);
}

/** A chain block with its first blob tx rewritten into the v0 network form (dummy sidecar). */
function blocks0WithSidecar(): Uint8Array | undefined {
  for (const slice of blockSlices(chainRlp)) {
    const block = decodeRlp(slice, 'x') as RlpItem[];
    const txs = block[1] as RlpItem[];
    const at = txs.findIndex((t) => !Array.isArray(t) && t[0] === 3);
    if (at < 0) continue;
    const envelope = txs[at] as Uint8Array;
    const payload = decodeRlp(envelope.subarray(1), 'x') as RlpItem[];
    const network = encodeRlp([payload, [new Uint8Array(131072)], [new Uint8Array(48)], [new Uint8Array(48)]]);
    txs[at] = Uint8Array.from([3, ...network]);
    return encodeRlp(block);
  }
  return undefined;
}
