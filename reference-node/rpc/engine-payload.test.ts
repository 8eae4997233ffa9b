import { createHash } from 'node:crypto';
import { createBlockFromExecutionPayload } from '@ethereumjs/block';
import { createCommonFromGethGenesis } from '@ethereumjs/common';
import type { KZG } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { readSharedJson } from '../../test-support/shared.js';
import { EMPTY_REQUESTS_HASH } from '../chain/genesis.js';
import { headerHash, type Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import {
  blobVersionedHashes,
  blockToPayload,
  InvalidPayloadError,
  parseExecutionPayload,
  parseExecutionRequests,
  PayloadParamError,
  payloadToBlock,
  payloadToJson,
  type InvalidPayloadReason,
  type PayloadSidecar,
} from './engine-payload.js';
import type { JsonValue } from './json-rpc.js';

const vectors = loadEthtestChain();
const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const q = (n: bigint) => `0x${n.toString(16)}`;

/** What newPayloadV3/V4 carry beside an ethtest block (no block of the chain but one has execution requests). */
function sidecarOf(block: Block): PayloadSidecar {
  const h = block.header;
  const sidecar: PayloadSidecar = {};
  if (h.parentBeaconBlockRoot !== undefined) {
    sidecar.parentBeaconBlockRoot = h.parentBeaconBlockRoot;
    sidecar.expectedBlobVersionedHashes = blobVersionedHashes(block.transactions);
  }
  if (h.requestsHash !== undefined) sidecar.executionRequests = [];
  return sidecar;
}

const noKzg = (): never => {
  throw new Error('no KZG');
};
const KZG_STUB = { blobToKzgCommitment: noKzg, computeBlobProof: noKzg, verifyProof: noKzg, verifyBlobProofBatch: noKzg } as unknown as KZG;

describe('payload <-> block', () => {
  it("turns geth's head block JSON (headblock.json, block 600) into a payload whose block hashes to geth's hash", async () => {
    // headblock.json is geth's own JSON rendering of the header with its hash; only the withdrawals
    // come from chain.rlp (the header commits to them through withdrawalsRoot, which is checked by the hash).
    const head = readSharedJson<Record<string, string>>('vectors-reference', 'geth-ethtest-chain', 'headblock.json');
    const body = vectors.blocks[599]!;
    const json: JsonValue = {
      parentHash: head['parentHash']!,
      feeRecipient: head['miner']!,
      stateRoot: head['stateRoot']!,
      receiptsRoot: head['receiptsRoot']!,
      logsBloom: head['logsBloom']!,
      prevRandao: head['mixHash']!,
      blockNumber: head['number']!,
      gasLimit: head['gasLimit']!,
      gasUsed: head['gasUsed']!,
      timestamp: head['timestamp']!,
      extraData: head['extraData']!,
      baseFeePerGas: head['baseFeePerGas']!,
      blockHash: head['hash']!,
      transactions: [],
      withdrawals: body.withdrawals!.map((w) => ({ index: q(w.index), validatorIndex: q(w.validatorIndex), address: hex(w.address), amount: q(w.amount) })),
      blobGasUsed: head['blobGasUsed']!,
      excessBlobGas: head['excessBlobGas']!,
    };
    expect(body.withdrawals!.length).toBeGreaterThan(0);
    const payload = parseExecutionPayload(json);
    const block = await payloadToBlock(payload, {
      parentBeaconBlockRoot: new Uint8Array(Buffer.from(head['parentBeaconBlockRoot']!.slice(2), 'hex')),
      executionRequests: [],
      expectedBlobVersionedHashes: [],
    });
    expect(hex(headerHash(block.header))).toBe(head['hash']);
    expect(hex(block.header.requestsHash!)).toBe(head['requestsHash']);
    expect(block).toEqual(body);
  });

  it('round-trips every block of the ethtest chain through payload JSON, giving the hash geth linked it by', async () => {
    let checked = 0;
    let skipped = 0;
    for (let i = 0; i < vectors.blocks.length - 1; i++) {
      const original = vectors.blocks[i]!;
      const gethHash = vectors.blocks[i + 1]!.header.parentHash;
      if (original.header.requestsHash !== undefined && !equalBytes(original.header.requestsHash, EMPTY_REQUESTS_HASH)) {
        skipped++; // its execution requests are not in chain.rlp
        continue;
      }
      const json = JSON.parse(JSON.stringify(payloadToJson(blockToPayload(original)))) as JsonValue;
      const back = await payloadToBlock(parseExecutionPayload(json), sidecarOf(original));
      expect(back, `block ${i + 1}`).toEqual(original);
      expect(equalBytes(headerHash(back.header), gethHash), `block ${i + 1}`).toBe(true);
      checked++;
    }
    expect({ checked, skipped }).toEqual({ checked: 598, skipped: 1 });
  }, 30_000);

  it('writes payload JSON that @ethereumjs/block accepts with its own hash check (every fork, every tx type)', async () => {
    const common = createCommonFromGethGenesis(vectors.genesisJson as never, { chain: 'ethtest', customCrypto: { kzg: KZG_STUB } });
    const firstWithType = (type: number) => vectors.blocks.find((b) => b.transactions.some((t) => t.type === type))!;
    const sample = [...[1, 5, 6, 11, 12, 100, 599].map((n) => vectors.blocks[n - 1]!), ...[0, 1, 2, 3, 4].map(firstWithType)];
    const types = new Set(sample.flatMap((b) => b.transactions.map((t) => t.type)));
    expect([...types].sort()).toEqual([0, 1, 2, 3, 4]);
    for (const block of sample) {
      const h = block.header;
      common.setHardforkBy({ blockNumber: h.number, timestamp: h.timestamp });
      const json = payloadToJson(blockToPayload(block)) as Record<string, unknown>;
      if (h.parentBeaconBlockRoot !== undefined) json['parentBeaconBlockRoot'] = hex(h.parentBeaconBlockRoot);
      if (h.requestsHash !== undefined) json['requestsHash'] = hex(h.requestsHash);
      const theirs = await createBlockFromExecutionPayload(json as never, { common });
      expect(hex(theirs.hash()), `block ${h.number}`).toBe(hex(headerHash(h)));
    }
  }, 30_000);

  it('writes exactly the fields of the payload version (V1 without withdrawals, V2 without blob gas)', () => {
    const shanghai = payloadToJson(blockToPayload(vectors.blocks[0]!));
    expect(Object.keys(shanghai)).toContain('withdrawals');
    expect(Object.keys(shanghai)).not.toContain('blobGasUsed');
    const paris = blockToPayload(vectors.blocks[0]!);
    delete paris.withdrawals;
    expect(Object.keys(payloadToJson(paris))).toHaveLength(14);
    expect(Object.keys(payloadToJson(blockToPayload(vectors.blocks[20]!)))).toEqual(expect.arrayContaining(['withdrawals', 'blobGasUsed', 'excessBlobGas']));
  });
});

describe('payloads that are not valid blocks', () => {
  const cancunBlobBlock = vectors.blocks[8]!; // block 9: a blob transaction, Cancun
  const pragueBlock = vectors.blocks[12]!;

  async function reasonOf(json: Record<string, JsonValue>, sidecar: PayloadSidecar): Promise<InvalidPayloadReason> {
    try {
      await payloadToBlock(parseExecutionPayload(json), sidecar);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidPayloadError);
      return (err as InvalidPayloadError).reason;
    }
    throw new Error('accepted');
  }
  const jsonOf = (block: Block) => payloadToJson(blockToPayload(block));

  it('a field changed without a new block hash: block-hash', async () => {
    expect(await reasonOf({ ...jsonOf(pragueBlock), stateRoot: hex(new Uint8Array(32).fill(1)) }, sidecarOf(pragueBlock))).toBe('block-hash');
    const extraWithdrawal = { index: '0x0', validatorIndex: '0x1', address: hex(new Uint8Array(20).fill(2)), amount: '0x1' };
    expect(await reasonOf({ ...jsonOf(pragueBlock), withdrawals: [...(jsonOf(pragueBlock)['withdrawals'] as JsonValue[]), extraWithdrawal] }, sidecarOf(pragueBlock))).toBe('block-hash');
    // The beacon root and the requests are part of the hash too.
    expect(await reasonOf(jsonOf(pragueBlock), { ...sidecarOf(pragueBlock), parentBeaconBlockRoot: new Uint8Array(32).fill(7) })).toBe('block-hash');
    expect(await reasonOf(jsonOf(pragueBlock), { ...sidecarOf(pragueBlock), executionRequests: [Uint8Array.of(0, 1)] })).toBe('block-hash');
    // A V3 payload given without its beacon root cannot make a header.
    expect(await reasonOf(jsonOf(cancunBlobBlock), {})).toBe('block-hash');
  });

  it('extra data over 32 bytes, a bloom that is not 256 bytes, an undecodable transaction', async () => {
    const json = jsonOf(pragueBlock);
    expect(await reasonOf({ ...json, extraData: hex(new Uint8Array(33)) }, sidecarOf(pragueBlock))).toBe('extra-data');
    expect(await reasonOf({ ...json, logsBloom: hex(new Uint8Array(255)) }, sidecarOf(pragueBlock))).toBe('logs-bloom');
    expect(await reasonOf({ ...json, transactions: ['0x02c0'] }, sidecarOf(pragueBlock))).toBe('transaction');
    expect(await reasonOf({ ...json, transactions: ['0x'] }, sidecarOf(pragueBlock))).toBe('transaction');
  });

  it('blob versioned hashes that differ from the transactions', async () => {
    const json = jsonOf(cancunBlobBlock);
    const hashes = blobVersionedHashes(cancunBlobBlock.transactions);
    expect(hashes.length).toBeGreaterThan(0);
    const sidecar = sidecarOf(cancunBlobBlock);
    expect(await payloadToBlock(parseExecutionPayload(json), sidecar)).toEqual(cancunBlobBlock);
    expect(await reasonOf(json, { ...sidecar, expectedBlobVersionedHashes: [] })).toBe('blob-versioned-hashes');
    expect(await reasonOf(json, { ...sidecar, expectedBlobVersionedHashes: [...hashes, hashes[0]!] })).toBe('blob-versioned-hashes');
    const changed = hashes.map((h) => h.slice());
    const first = changed[0]!;
    first[31] = first[31]! ^ 1;
    expect(await reasonOf(json, { ...sidecar, expectedBlobVersionedHashes: changed })).toBe('blob-versioned-hashes');
    expect(await reasonOf(jsonOf(pragueBlock), { ...sidecarOf(pragueBlock), expectedBlobVersionedHashes: [hashes[0]!] })).toBe('blob-versioned-hashes');
  });
});

describe('malformed payload JSON is an invalid-params error naming the field', () => {
  const good = payloadToJson(blockToPayload(vectors.blocks[12]!));

  it.each([
    ['a missing field', { ...good, stateRoot: undefined }, 'executionPayload.stateRoot'],
    ['a null required field', { ...good, blockHash: null }, 'executionPayload.blockHash'],
    ['a 31-byte hash', { ...good, parentHash: `0x${'ab'.repeat(31)}` }, 'executionPayload.parentHash'],
    ['a 19-byte fee recipient', { ...good, feeRecipient: `0x${'ab'.repeat(19)}` }, 'executionPayload.feeRecipient'],
    ['odd-length DATA', { ...good, extraData: '0x123' }, 'executionPayload.extraData'],
    ['DATA without 0x', { ...good, logsBloom: '00'.repeat(256) }, 'executionPayload.logsBloom'],
    ['a QUANTITY with a leading zero', { ...good, gasUsed: '0x01' }, 'executionPayload.gasUsed'],
    ['an empty QUANTITY', { ...good, timestamp: '0x' }, 'executionPayload.timestamp'],
    ['a number instead of a QUANTITY', { ...good, blockNumber: 13 }, 'executionPayload.blockNumber'],
    ['a QUANTITY over 64 bits', { ...good, gasLimit: '0x10000000000000000' }, 'executionPayload.gasLimit'],
    ['transactions not an array', { ...good, transactions: '0x' }, 'executionPayload.transactions'],
    ['a transaction that is not DATA', { ...good, transactions: [1] }, 'executionPayload.transactions[0]'],
    ['a withdrawal with a bad address', { ...good, withdrawals: [{ index: '0x0', validatorIndex: '0x0', address: '0x12', amount: '0x0' }] }, 'executionPayload.withdrawals[0].address'],
    ['a withdrawal without amount', { ...good, withdrawals: [{ index: '0x0', validatorIndex: '0x0', address: `0x${'00'.repeat(20)}` }] }, 'executionPayload.withdrawals[0].amount'],
  ])('%s', (_label, json, field) => {
    const clean = JSON.parse(JSON.stringify(json)) as JsonValue;
    expect(() => parseExecutionPayload(clean)).toThrow(PayloadParamError);
    try {
      parseExecutionPayload(clean);
    } catch (err) {
      expect((err as PayloadParamError).field).toBe(field);
    }
  });

  it('not an object at all', () => {
    expect(() => parseExecutionPayload([])).toThrow(PayloadParamError);
    expect(() => parseExecutionPayload(null)).toThrow(PayloadParamError);
  });

  it('a base fee may use all 256 bits, not more', () => {
    expect(parseExecutionPayload({ ...good, baseFeePerGas: `0x${'f'.repeat(64)}` }).baseFeePerGas).toBe((1n << 256n) - 1n);
    expect(() => parseExecutionPayload({ ...good, baseFeePerGas: `0x1${'0'.repeat(64)}` })).toThrow(PayloadParamError);
  });
});

describe('execution requests (EIP-7685, prague.md)', () => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();

  it('accepts ascending types with data, and commits to them as EIP-7685 defines', async () => {
    const requests = parseExecutionRequests(['0x00aabb', '0x01cc', '0x02dd']);
    expect(requests.map(hex)).toEqual(['0x00aabb', '0x01cc', '0x02dd']);
    // requests_hash = sha256(sha256(r0) ++ sha256(r1) ++ ...), computed here with node:crypto.
    const expected = sha(Buffer.concat(requests.map(sha)));
    const base = blockToPayload(vectors.blocks[12]!);
    const block = await payloadToBlock({ ...base, blockHash: new Uint8Array(32) }, { ...sidecarOf(vectors.blocks[12]!), executionRequests: requests }).catch((e: unknown) => e);
    // The hash is wrong on purpose; the message tells the header the payload implied.
    expect(block).toBeInstanceOf(InvalidPayloadError);
    const header = { ...vectors.blocks[12]!.header, requestsHash: new Uint8Array(expected) };
    expect((block as Error).message).toContain(bytesToHex(headerHash(header)));
    expect(parseExecutionRequests([])).toEqual([]);
  });

  it.each([
    ['a type byte without data', ['0x00']],
    ['an empty element', ['0x']],
    ['the same type twice', ['0x00aa', '0x00bb']],
    ['descending types', ['0x01aa', '0x00bb']],
    ['not an array', '0x00aa'],
    ['an element that is not DATA', ['0x0']],
  ])('refuses %s', (_label, value) => {
    expect(() => parseExecutionRequests(value as JsonValue)).toThrow(PayloadParamError);
  });
});
