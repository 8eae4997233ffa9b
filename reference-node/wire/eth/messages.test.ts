import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectDecodeError } from '../../../test-support/decode-errors.js';
import { readSharedBytes, readSharedJson } from '../../../test-support/shared.js';
import { bodyToRlp, decodeBlockSequence, encodeBlockHeader, headerHash } from '../block.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { decodeRlp, encodeRlp, type RlpInput, type RlpItem } from '../rlp.js';
import { transactionHash } from '../tx/index.js';
import { ethMessageArbitraries, ethMessageArbitrary } from './arbitrary.js';
import { encodeServedReply } from './messages.js';
import {
  decodeEthMessage,
  encodeEthMessage,
  ETH_MESSAGE_CODES,
  ETH_VERSIONS,
  ethProtocolLength,
  kindOfCode,
  logsBloom,
  type EthMessage,
  type EthMessageKind,
  type EthVersion,
} from './index.js';

const hex = bytesToHex;

/**
 * KNOWN-ISSUES in eth66-messages-eip2481.json (the vectors are kept as they are):
 *  - ReceiptsPacket66: the bloom is all zero although the receipt carries a log,
 *    so it is not the bloom of its own logs. The encoding is still what the EIP
 *    means to show; it only proves that decoders must keep the bloom as sent.
 *  - The BlockHeaders/BlockBodies examples are pre-London (15-field headers, no
 *    withdrawals); they still decode at every version because header layout is
 *    not versioned by eth.
 */
const LATER: EthVersion[] = [67, 68, 69, 70];

function roundTrip(version: EthVersion, code: number, payload: Uint8Array): EthMessage {
  const msg = decodeEthMessage(version, code, payload);
  const again = encodeEthMessage(version, msg);
  expect(again.code).toBe(code);
  expect(hex(again.payload)).toBe(hex(payload));
  return msg;
}

// ---------------------------------------------------------------------------
// EIP-2481 examples
// ---------------------------------------------------------------------------

interface Eip2481Case {
  type: string;
  rlp: string;
  data: Record<string, unknown>;
}
const cases = readSharedJson<{ cases: Eip2481Case[] }>('vectors-reference', 'eth66-messages-eip2481.json').cases;
const KIND_OF: Record<string, EthMessageKind> = {
  GetBlockHeadersPacket66: 'GetBlockHeaders',
  BlockHeadersPacket66: 'BlockHeaders',
  GetBlockBodiesPacket66: 'GetBlockBodies',
  BlockBodiesPacket66: 'BlockBodies',
  GetNodeDataPacket66: 'GetNodeData',
  NodeDataPacket66: 'NodeData',
  GetReceiptsPacket66: 'GetReceipts',
  ReceiptsPacket66: 'Receipts',
  GetPooledTransactionsPacket66: 'GetPooledTransactions',
  PooledTransactionsPacket66: 'PooledTransactions',
};

/**
 * What the README's `currentStatus` says about each example after eth/66:
 * 'same' — still valid and byte-identical; 'unknown' — code removed;
 * 'malformed' — the code exists but the shape changed, so the eth/66 bytes no longer decode.
 */
function laterBehaviour(kind: EthMessageKind, version: EthVersion): 'same' | 'unknown' | 'malformed' {
  if (kind === 'GetNodeData' || kind === 'NodeData') return 'unknown';
  if (kind === 'GetReceipts') return version >= 70 ? 'malformed' : 'same';
  if (kind === 'Receipts') return version >= 69 ? 'malformed' : 'same';
  return 'same';
}

const hexOf = (s: unknown): string => String(s).replace(/^0x/, '');

describe('EIP-2481 eth/66 examples', () => {
  it('covers the 11 examples', () => {
    expect(cases).toHaveLength(11);
    for (const c of cases) expect(KIND_OF[c.type]).toBeDefined();
  });

  for (const c of cases) {
    const kind = KIND_OF[c.type]!;
    const code = ETH_MESSAGE_CODES[kind];
    const payload = hexToBytes(c.rlp);

    it(`${c.type} decodes at eth/66 with the EIP's field values and re-encodes byte-identically`, () => {
      const msg = roundTrip(66, code, payload);
      expect(msg.kind).toBe(kind);
      checkAgainstData(msg, c.data);
    });

    for (const version of LATER) {
      const behaviour = laterBehaviour(kind, version);
      it(`${c.type} at eth/${version}: ${behaviour}`, () => {
        if (behaviour === 'same') roundTrip(version, code, payload);
        else if (behaviour === 'unknown') expectDecodeError(() => decodeEthMessage(version, code, payload), 'unknown-type');
        else expectDecodeError(() => decodeEthMessage(version, code, payload));
      });
    }
  }

  it('the eth/69 reading of the receipt fails on the bloom where cumulative-gas belongs', () => {
    const receipts = cases.find((c) => c.type === 'ReceiptsPacket66')!;
    // The all-zero bloom read as a scalar has leading zeros.
    const err = expectDecodeError(() => decodeEthMessage(69, 0x10, hexToBytes(receipts.rlp)), 'rlp');
    expect(err.what).toContain('cumulativeGasUsed');
    // eth/70 inserts lastBlockIncomplete, so the two-element eth/66 envelope is the wrong shape.
    expectDecodeError(() => decodeEthMessage(70, 0x10, hexToBytes(receipts.rlp)), 'shape');
    const getReceipts = cases.find((c) => c.type === 'GetReceiptsPacket66')!;
    expectDecodeError(() => decodeEthMessage(70, 0x0f, hexToBytes(getReceipts.rlp)), 'shape');
  });
});

function checkAgainstData(msg: EthMessage, data: Record<string, unknown>): void {
  expect(data.RequestId).toBe(1111);
  if ('requestId' in msg) expect(msg.requestId).toBe(1111n);
  const list = (key: string): unknown[] => data[key] as unknown[];
  switch (msg.kind) {
    case 'GetBlockHeaders': {
      const origin = data.Origin as { Hash: string; Number: number };
      if (/^0x0+$/.test(origin.Hash)) expect(msg.origin).toEqual({ number: BigInt(origin.Number) });
      else expect(msg.origin).toEqual({ hash: hexToBytes(origin.Hash) });
      expect(msg.amount).toBe(BigInt(data.Amount as number));
      expect(msg.skip).toBe(BigInt(data.Skip as number));
      expect(msg.reverse).toBe(data.Reverse);
      return;
    }
    case 'BlockHeaders': {
      const want = list('BlockHeadersPacket') as Record<string, string>[];
      expect(msg.headers).toHaveLength(want.length);
      msg.headers.forEach((h, i) => {
        const w = want[i]!;
        expect('0x' + hex(headerHash(h))).toBe(w.hash);
        expect(h.difficulty).toBe(BigInt(w.difficulty!));
        expect(h.number).toBe(BigInt(w.number!));
        expect(h.gasLimit).toBe(BigInt(w.gasLimit!));
        expect(h.gasUsed).toBe(BigInt(w.gasUsed!));
        expect(h.timestamp).toBe(BigInt(w.timestamp!));
        expect(hex(h.extraData)).toBe(hexOf(w.extraData));
      });
      return;
    }
    case 'GetBlockBodies':
    case 'GetNodeData':
    case 'GetPooledTransactions':
    case 'GetReceipts': {
      const key = Object.keys(data).find((k) => k !== 'RequestId')!;
      expect(msg.hashes.map((h) => '0x' + hex(h))).toEqual(list(key));
      return;
    }
    case 'NodeData':
      expect(msg.values.map((v) => '0x' + hex(v))).toEqual(list('NodeDataPacket'));
      return;
    case 'BlockBodies': {
      const want = list('BlockBodiesPacket') as { Transactions: { hash: string }[]; Uncles: { hash: string }[] }[];
      expect(msg.bodies).toHaveLength(want.length);
      msg.bodies.forEach((b, i) => {
        expect(b.withdrawals).toBeUndefined();
        expect(b.transactions.map((t) => '0x' + hex(transactionHash(t)))).toEqual(want[i]!.Transactions.map((t) => t.hash));
        expect(b.uncles.map((u) => '0x' + hex(headerHash(u)))).toEqual(want[i]!.Uncles.map((u) => u.hash));
      });
      return;
    }
    case 'PooledTransactions': {
      const want = list('PooledTransactionsPacket') as { hash: string; nonce: string; value: string }[];
      expect(msg.transactions.map((t) => '0x' + hex(transactionHash(t)))).toEqual(want.map((t) => t.hash));
      msg.transactions.forEach((t, i) => {
        expect(t.nonce).toBe(BigInt(want[i]!.nonce));
        expect(t.value).toBe(BigInt(want[i]!.value));
      });
      return;
    }
    case 'Receipts': {
      expect(msg.form).toBe('eth66');
      if (msg.form !== 'eth66') return;
      type R = { status: string; cumulativeGasUsed: string; logsBloom: string; logs: { address: string; topics: string[]; data: string }[] };
      const want = list('ReceiptsPacket') as R[][];
      expect(msg.receipts).toHaveLength(want.length);
      msg.receipts.forEach((block, i) =>
        block.forEach((r, j) => {
          const w = want[i]![j]!;
          expect(r.txType).toBe(0);
          // status 0 travels as the empty byte string.
          expect(BigInt('0x' + (hex(r.postStateOrStatus) || '0'))).toBe(BigInt(w.status));
          expect(r.cumulativeGasUsed).toBe(BigInt(w.cumulativeGasUsed));
          expect(hex(r.bloom)).toBe(hexOf(w.logsBloom));
          expect(r.logs.map((l) => ({ address: '0x' + hex(l.address), topics: l.topics.map((t) => '0x' + hex(t)), data: '0x' + hex(l.data) }))).toEqual(
            w.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })),
          );
          // See KNOWN-ISSUES above: the example bloom is not the bloom of its logs.
          expect(hex(logsBloom(r.logs))).not.toBe(hex(r.bloom));
        }),
      );
      return;
    }
    default:
      throw new Error(`no check for ${msg.kind}`);
  }
}

// ---------------------------------------------------------------------------
// Codes per version
// ---------------------------------------------------------------------------

describe('message codes per version', () => {
  const anyList = encodeRlp([]);

  it('defines 0x00..0x0a and 0x0f..0x10 everywhere, 0x0d/0x0e only at eth/66, 0x11 from eth/69', () => {
    for (const version of ETH_VERSIONS) {
      const defined = Array.from({ length: 0x20 }, (_, c) => c).filter((c) => kindOfCode(version, c) !== undefined);
      const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16];
      if (version === 66) expected.push(13, 14);
      if (version >= 69) expected.push(17);
      expect(defined.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    }
  });

  it('rejects every undefined code as unknown-type, whatever the payload', () => {
    for (const version of ETH_VERSIONS) {
      for (let code = 0; code < 0x40; code++) {
        if (kindOfCode(version, code) !== undefined) continue;
        expectDecodeError(() => decodeEthMessage(version, code, anyList), 'unknown-type');
        expectDecodeError(() => decodeEthMessage(version, code, Uint8Array.of(0xff)), 'unknown-type');
      }
    }
  });

  it('reserves 17 codes up to eth/68 and 18 from eth/69 (geth protocolLengths)', () => {
    expect(ETH_VERSIONS.map(ethProtocolLength)).toEqual([17, 17, 17, 18, 18]);
  });
});

// ---------------------------------------------------------------------------
// Version-specific shapes, checked against layouts written out from the specs
// ---------------------------------------------------------------------------

describe('version-specific shapes', () => {
  const h = (b: number): Uint8Array => new Uint8Array(32).fill(b);
  const forkId = { hash: Uint8Array.of(0x8f, 0xd5, 0x7d, 0x63), next: 60n };

  it('Status: TD form [version, networkid, td, blockhash, genesis, forkid] up to eth/68', () => {
    const payload = encodeRlp([68, 3503995874084926n, 131072n, h(1), h(2), [forkId.hash, 60n]]);
    const msg = roundTrip(68, 0, payload);
    expect(msg).toEqual({ kind: 'Status', form: 'eth66', version: 68, networkId: 3503995874084926n, td: 131072n, head: h(1), genesis: h(2), forkId });
    for (const v of [69, 70] as const) expectDecodeError(() => decodeEthMessage(v, 0, payload), 'shape');
  });

  it('Status: range form [version, networkid, genesis, forkid, earliest, latest, latestHash] from eth/69', () => {
    const payload = encodeRlp([69, 1n, h(2), [forkId.hash, 60n], 0n, 600n, h(3)]);
    const msg = roundTrip(69, 0, payload);
    expect(msg).toEqual({
      kind: 'Status',
      form: 'eth69',
      version: 69,
      networkId: 1n,
      genesis: h(2),
      forkId,
      earliestBlock: 0n,
      latestBlock: 600n,
      latestBlockHash: h(3),
    });
    for (const v of [66, 67, 68] as const) expectDecodeError(() => decodeEthMessage(v, 0, payload), 'shape');
    expectDecodeError(() => decodeEthMessage(69, 0, encodeRlp([69, 1n, h(2), [Uint8Array.of(1, 2, 3), 0n], 0n, 1n, h(3)])), 'length');
    expectDecodeError(() => decodeEthMessage(69, 0, encodeRlp([69, 1n, h(2), [forkId.hash], 0n, 1n, h(3)])), 'shape');
    expectDecodeError(() => decodeEthMessage(69, 0, encodeRlp([1n << 32n, 1n, h(2), [forkId.hash, 0n], 0n, 1n, h(3)])), 'value');
  });

  it('NewPooledTransactionHashes: hashes only up to eth/67, [types, sizes, hashes] from eth/68', () => {
    const hashesOnly = encodeRlp([h(1), h(2)]);
    for (const v of [66, 67] as const) expect(roundTrip(v, 8, hashesOnly)).toEqual({ kind: 'NewPooledTransactionHashes', form: 'eth66', hashes: [h(1), h(2)] });
    const typed = encodeRlp([Uint8Array.of(0, 3), [100, 131300], [h(1), h(2)]]);
    for (const v of [68, 69, 70] as const) {
      expect(roundTrip(v, 8, typed)).toEqual({ kind: 'NewPooledTransactionHashes', form: 'eth68', types: Uint8Array.of(0, 3), sizes: [100, 131300], hashes: [h(1), h(2)] });
      expectDecodeError(() => decodeEthMessage(v, 8, hashesOnly), 'shape');
      // The three lists must have equal lengths.
      expectDecodeError(() => decodeEthMessage(v, 8, encodeRlp([Uint8Array.of(0), [100, 200], [h(1), h(2)]])), 'shape');
      expectDecodeError(() => decodeEthMessage(v, 8, encodeRlp([Uint8Array.of(0, 2), [100], [h(1), h(2)]])), 'shape');
      // types is a byte string, not a list (EIP-5793).
      expectDecodeError(() => decodeEthMessage(v, 8, encodeRlp([[0, 2], [1, 2], [h(1), h(2)]])), 'shape');
      expectDecodeError(() => decodeEthMessage(v, 8, encodeRlp([Uint8Array.of(2), [1n << 32n], [h(1)]])), 'value');
    }
    // At eth/67 the types byte string stands where the first 32-byte hash belongs.
    expectDecodeError(() => decodeEthMessage(67, 8, typed), 'length');
  });

  it('GetReceipts: [request-id, firstBlockReceiptIndex, hashes] at eth/70', () => {
    const payload = encodeRlp([7n, 3n, [h(9)]]);
    expect(roundTrip(70, 0x0f, payload)).toEqual({ kind: 'GetReceipts', form: 'eth70', requestId: 7n, firstBlockReceiptIndex: 3n, hashes: [h(9)] });
    expectDecodeError(() => decodeEthMessage(69, 0x0f, payload), 'shape');
  });

  const log = { address: new Uint8Array(20).fill(0x11), topics: [h(0xaa)], data: Uint8Array.of(1, 2) };
  const logRlp = [log.address, [h(0xaa)], log.data];
  const bloom = logsBloom([log]);

  it('Receipts: eth/66-68 legacy list and typed envelope with bloom', () => {
    const legacy = [Uint8Array.of(1), 21000n, bloom, [logRlp]];
    const typed = concatBytes(Uint8Array.of(2), encodeRlp([new Uint8Array(0), 42000n, bloom, []]));
    const payload = encodeRlp([5n, [[legacy, typed]]]);
    for (const v of [66, 67, 68] as const) {
      expect(roundTrip(v, 0x10, payload)).toEqual({
        kind: 'Receipts',
        form: 'eth66',
        requestId: 5n,
        receipts: [
          [
            { txType: 0, postStateOrStatus: Uint8Array.of(1), cumulativeGasUsed: 21000n, bloom, logs: [log] },
            { txType: 2, postStateOrStatus: new Uint8Array(0), cumulativeGasUsed: 42000n, bloom, logs: [] },
          ],
        ],
      });
    }
    // A typed envelope holding type 0, an unknown type, or a one-byte envelope is malformed.
    const bad = (r: RlpInput): Uint8Array => encodeRlp([5n, [[r]]]);
    expectDecodeError(() => decodeEthMessage(68, 0x10, bad(concatBytes(Uint8Array.of(0), encodeRlp(legacy)))), 'value');
    expectDecodeError(() => decodeEthMessage(68, 0x10, bad(concatBytes(Uint8Array.of(9), encodeRlp(legacy)))), 'unknown-type');
    expectDecodeError(() => decodeEthMessage(68, 0x10, bad(Uint8Array.of(2))), 'length');
    expectDecodeError(() => decodeEthMessage(68, 0x10, bad([Uint8Array.of(2), 1n, bloom, []])), 'value'); // status 2
    expectDecodeError(() => decodeEthMessage(68, 0x10, bad([new Uint8Array(0), 1n, new Uint8Array(255), []])), 'length');
  });

  it('Receipts: eth/69 flat [tx-type, status, cumulative-gas, logs] without bloom; eth/70 adds lastBlockIncomplete', () => {
    const receipts = [[[0n, Uint8Array.of(1), 21000n, [logRlp]], [2n, new Uint8Array(0), 42000n, []]]];
    const expected = [
      [
        { txType: 0, postStateOrStatus: Uint8Array.of(1), cumulativeGasUsed: 21000n, logs: [log] },
        { txType: 2, postStateOrStatus: new Uint8Array(0), cumulativeGasUsed: 42000n, logs: [] },
      ],
    ];
    const p69 = encodeRlp([5n, receipts]);
    expect(roundTrip(69, 0x10, p69)).toEqual({ kind: 'Receipts', form: 'eth69', requestId: 5n, receipts: expected });
    const p70 = encodeRlp([5n, 1n, receipts]);
    expect(roundTrip(70, 0x10, p70)).toEqual({ kind: 'Receipts', form: 'eth70', requestId: 5n, lastBlockIncomplete: true, receipts: expected });
    expect(decodeEthMessage(70, 0x10, encodeRlp([5n, 0n, []]))).toMatchObject({ lastBlockIncomplete: false });
    expectDecodeError(() => decodeEthMessage(70, 0x10, encodeRlp([5n, 2n, receipts])), 'value');
    expectDecodeError(() => decodeEthMessage(69, 0x10, p70), 'shape');
    expectDecodeError(() => decodeEthMessage(69, 0x10, encodeRlp([5n, [[[5n, Uint8Array.of(1), 1n, []]]]])), 'unknown-type');
    expectDecodeError(() => decodeEthMessage(69, 0x10, encodeRlp([5n, [[[Uint8Array.of(0), Uint8Array.of(1), 1n, []]]]])), 'rlp');
    expectDecodeError(() => decodeEthMessage(69, 0x10, encodeRlp([5n, [[[0n, Uint8Array.of(1), 1n, bloom, []]]]])), 'shape');
  });

  it('BlockRangeUpdate [earliest, latest, latestHash] exists from eth/69', () => {
    const payload = encodeRlp([0n, 600n, h(4)]);
    for (const v of [69, 70] as const) {
      expect(roundTrip(v, 0x11, payload)).toEqual({ kind: 'BlockRangeUpdate', earliestBlock: 0n, latestBlock: 600n, latestBlockHash: h(4) });
    }
    for (const v of [66, 67, 68] as const) expectDecodeError(() => decodeEthMessage(v, 0x11, payload), 'unknown-type');
  });

  it('GetBlockHeaders origin: a 32-byte hash or a uint64 number, nothing between', () => {
    const q = (origin: RlpInput, reverse: RlpInput = 0n): Uint8Array => encodeRlp([1n, [origin, 10n, 0n, reverse]]);
    expect(decodeEthMessage(70, 3, q(0n))).toMatchObject({ origin: { number: 0n } });
    expect(decodeEthMessage(70, 3, q((1n << 64n) - 1n))).toMatchObject({ origin: { number: (1n << 64n) - 1n } });
    expect(decodeEthMessage(70, 3, q(h(1)))).toMatchObject({ origin: { hash: h(1) } });
    for (const len of [9, 20, 31, 33]) expectDecodeError(() => decodeEthMessage(70, 3, q(new Uint8Array(len).fill(1))), 'length');
    expectDecodeError(() => decodeEthMessage(70, 3, q(Uint8Array.of(0, 5))), 'rlp');
    expectDecodeError(() => decodeEthMessage(70, 3, q(1n, 2n)), 'value');
    expectDecodeError(() => decodeEthMessage(70, 3, encodeRlp([1n << 64n, [1n, 1n, 0n, 0n]])), 'value');
  });
});

// ---------------------------------------------------------------------------
// Bloom, against the ethtest chain's header blooms
// ---------------------------------------------------------------------------

describe('logsBloom', () => {
  it('reproduces the header bloom of every block that holds one emit transaction (txinfo.json topics)', () => {
    const blocks = decodeBlockSequence(readSharedBytes('vectors-reference', 'geth-ethtest-chain', 'chain.rlp'));
    type Emit = { block: string; indexInBlock: number; logtopic0: string; logtopic1: string };
    const info = readSharedJson<Record<string, Emit[]>>('vectors-reference', 'geth-ethtest-chain', 'txinfo.json');
    let checked = 0;
    for (const key of ['tx-emit-legacy', 'tx-emit-eip2930', 'tx-emit-eip1559', 'tx-emit-eip4844']) {
      for (const e of info[key]!) {
        const block = blocks[Number(e.block) - 1]!;
        const tx = block.transactions[e.indexInBlock]!;
        // The emit contract logs [topic0, topic1] from its own address, the tx recipient.
        const log = { address: tx.to!, topics: [hexToBytes(e.logtopic0), hexToBytes(e.logtopic1)], data: new Uint8Array(0) };
        expect(hex(logsBloom([log]))).toBe(hex(block.header.logsBloom));
        checked++;
      }
    }
    expect(checked).toBe(216);
  });
});

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

describe('eth message properties', () => {
  it('a reply assembled from encoded headers or bodies is the bytes encodeEthMessage gives', () => {
    const arbs = ethMessageArbitraries(fc, 68);
    fc.assert(
      fc.property(fc.oneof(arbs.BlockHeaders!, arbs.BlockBodies!), (msg) => {
        const served =
          msg.kind === 'BlockHeaders'
            ? encodeServedReply('BlockHeaders', msg.requestId, msg.headers.map(encodeBlockHeader))
            : msg.kind === 'BlockBodies'
              ? encodeServedReply('BlockBodies', msg.requestId, msg.bodies.map((b) => encodeRlp(bodyToRlp(b))))
              : undefined;
        expect(served).toEqual(encodeEthMessage(68, msg));
      }),
      { numRuns: 200 },
    );
  });

  for (const version of ETH_VERSIONS) {
    it(`eth/${version}: decode(encode(m)) equals m for every defined code`, () => {
      const arbs = ethMessageArbitraries(fc, version);
      const kinds = Object.keys(arbs) as EthMessageKind[];
      expect(kinds.length).toBe(version === 66 ? 15 : version >= 69 ? 14 : 13);
      for (const kind of kinds) {
        fc.assert(
          fc.property(arbs[kind]!, (msg) => {
            const { code, payload } = encodeEthMessage(version, msg);
            expect(code).toBe(ETH_MESSAGE_CODES[kind]);
            expect(decodeEthMessage(version, code, payload)).toEqual(msg);
          }),
          { numRuns: 40 },
        );
      }
    }, 120_000);

    it(`eth/${version}: arbitrary and mutated payloads give a message or a DecodeError for every code`, () => {
      const valid = ethMessageArbitrary(fc, version).map((m) => encodeEthMessage(version, m));
      const mutated = fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 8 })).map(([m, at, byte, cut]) => {
        const copy = m.payload.slice(0, Math.max(0, m.payload.length - cut));
        if (copy.length > 0) copy[at % copy.length] = byte;
        return { code: m.code, payload: copy };
      });
      const random = fc.record({ code: fc.integer({ min: 0, max: 0x20 }), payload: fc.uint8Array({ maxLength: 200 }) });
      const rlpShaped = fc.record({
        code: fc.integer({ min: 0, max: 0x11 }),
        payload: fc.letrec<{ item: RlpInput }>((tie) => ({
          item: fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 40 }), fc.array(tie('item'), { maxLength: 5 })),
        })).item.map((i) => encodeRlp(i)),
      });
      fc.assert(
        fc.property(fc.oneof(mutated, random, rlpShaped), ({ code, payload }) => {
          try {
            decodeEthMessage(version, code, payload);
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
          }
        }),
        { numRuns: 1500 },
      );
    }, 120_000);
  }

  it('encoders refuse a message in the wrong form or at a version that lacks it', () => {
    const status66 = fc.sample(ethMessageArbitraries(fc, 66).Status!, { numRuns: 1, seed: 3 })[0]!;
    const status69 = fc.sample(ethMessageArbitraries(fc, 69).Status!, { numRuns: 1, seed: 3 })[0]!;
    expect(() => encodeEthMessage(69, status66)).toThrow(RangeError);
    expect(() => encodeEthMessage(68, status69)).toThrow(RangeError);
    const nodeData = fc.sample(ethMessageArbitraries(fc, 66).NodeData!, { numRuns: 1, seed: 3 })[0]!;
    expect(() => encodeEthMessage(67, nodeData)).toThrow(RangeError);
    const range = fc.sample(ethMessageArbitraries(fc, 69).BlockRangeUpdate!, { numRuns: 1, seed: 3 })[0]!;
    expect(() => encodeEthMessage(68, range)).toThrow(RangeError);
    const receipts70 = fc.sample(ethMessageArbitraries(fc, 70).Receipts!, { numRuns: 1, seed: 3 })[0]!;
    expect(() => encodeEthMessage(69, receipts70)).toThrow(RangeError);
    expect(() => encodeEthMessage(65 as EthVersion, status66)).toThrow(RangeError);
    expect(() =>
      encodeEthMessage(68, { kind: 'NewPooledTransactionHashes', form: 'eth68', types: Uint8Array.of(0), sizes: [], hashes: [] }),
    ).toThrow(RangeError);
  });

  it('treats an RLP payload with trailing bytes as malformed', () => {
    const payload = encodeRlp([1n, [0n, 1n, 0n, 0n]]);
    expectDecodeError(() => decodeEthMessage(68, 3, concatBytes(payload, Uint8Array.of(0))), 'rlp');
    expect(decodeRlp(payload, 'x')).toBeDefined();
    expect((decodeRlp(payload, 'x') as RlpItem[]).length).toBe(2);
  });
});
