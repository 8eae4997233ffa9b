import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { Chain } from '../chain/chain.js';
import { parseGenesis } from '../chain/genesis.js';
import { BLOCK_FORKS_TO_LONDON_AT_ZERO } from '../chain/test-fixtures.js';
import { headerHash, type Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { startAuthRpcServer } from './auth-http-server.js';
import { createEngineApi, ENGINE_CAPABILITIES, type ForkchoiceState } from './engine-api.js';
import { blobVersionedHashes, blockToPayload, payloadToJson } from './engine-payload.js';
import { handleJsonRpc, type JsonValue, type RpcMethods } from './json-rpc.js';
import { signJwt } from './jwt.js';

const vectors = loadEthtestChain();
const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const q = (n: bigint) => `0x${n.toString(16)}`;
const ZERO = hex(new Uint8Array(32));
const hashOf = (n: number) => hex(vectors.hashes[n - 1]!);
const gethBlock = (n: number) => vectors.blocks[n - 1]!;

interface Reply {
  result?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  error?: { code: number; message: string };
}

async function call(methods: RpcMethods, method: string, params: unknown[]): Promise<Reply> {
  const body = await handleJsonRpc(methods, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  return JSON.parse(body!) as Reply;
}

function payloadJson(block: Block, blockHash: Uint8Array = headerHash(block.header)): Record<string, JsonValue> {
  return payloadToJson(blockToPayload(block, blockHash));
}

/** newPayloadVn's parameters for a block, as a CL sends them. */
function newPayloadParams(version: number, block: Block, requests: string[] = []): unknown[] {
  const p = payloadJson(block);
  if (version < 3) return [p];
  const rest = [blobVersionedHashes(block.transactions).map(hex), hex(block.header.parentBeaconBlockRoot!)];
  return version === 3 ? [p, ...rest] : [p, ...rest, requests];
}

const fcState = (head: string, safe = ZERO, finalized = ZERO) => ({ headBlockHash: head, safeBlockHash: safe, finalizedBlockHash: finalized });

function expectStatus(reply: Reply, status: string, latestValidHash: string | null, validationError?: RegExp): void {
  expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
  expect(reply.result.status).toBe(status);
  expect(reply.result.latestValidHash).toBe(latestValidHash);
  if (validationError === undefined) expect(reply.result.validationError).toBeNull();
  else expect(reply.result.validationError).toMatch(validationError);
}

function expectError(reply: Reply, code: number): void {
  expect(reply.result, JSON.stringify(reply.result)).toBeUndefined();
  expect(reply.error?.code).toBe(code);
}

/** A block whose header is changed and whose hash is recomputed: it passes the hash check and fails validation. */
function tampered(block: Block, change: Partial<Block['header']>): Block {
  return { ...block, header: { ...block.header, ...change } };
}

describe("the Engine API on geth's ethtest chain (Shanghai at 0, Cancun at block 6, Prague at block 12)", () => {
  let node: Chain;
  let api: RpcMethods;
  const syncCalls: string[] = [];
  const applied: ForkchoiceState[] = [];
  const genesisHash = hex(vectors.genesisHash);
  let sideHash = '';

  beforeAll(async () => {
    node = await Chain.open({ genesis: await parseGenesis(vectors.genesisJson) });
    api = createEngineApi({ chain: node, syncTo: (h) => syncCalls.push(hex(h)), onForkchoiceUpdated: (s) => applied.push(s) });
  });
  afterAll(() => node?.close());

  it('newPayloadV2 (blocks 1-5), V3 (6-11) and V4 (12) are VALID, stored without moving the head', async () => {
    for (let n = 1; n <= 12; n++) {
      const version = n <= 5 ? 2 : n <= 11 ? 3 : 4;
      const reply = await call(api, `engine_newPayloadV${version}`, newPayloadParams(version, gethBlock(n)));
      expectStatus(reply, 'VALID', hashOf(n));
      expect(node.headerByHash(vectors.hashes[n - 1]!)).toEqual(gethBlock(n).header);
    }
    expect(hex(node.head().hash)).toBe(genesisHash);
  }, 30_000);

  it('a payload it already has is VALID again', async () => {
    expectStatus(await call(api, 'engine_newPayloadV3', newPayloadParams(3, gethBlock(9))), 'VALID', hashOf(9));
  });

  it('forkchoiceUpdated to a stored block makes it the head and reports the applied state', async () => {
    const reply = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(12), hashOf(10), hashOf(8)), null]);
    expect(reply.result).toEqual({ payloadStatus: { status: 'VALID', latestValidHash: hashOf(12), validationError: null }, payloadId: null });
    expect(hex(node.head().hash)).toBe(hashOf(12));
    expect(node.head().number).toBe(12n);
    const last = applied[applied.length - 1]!;
    expect([hex(last.head), hex(last.safe), hex(last.finalized)]).toEqual([hashOf(12), hashOf(10), hashOf(8)]);
  });

  it('a method used for a fork it does not serve gives -38005', async () => {
    // V3 for a Shanghai payload, V2 and V4 for a Cancun one, V3 for a Prague one.
    expectError(await call(api, 'engine_newPayloadV3', [{ ...payloadJson(gethBlock(5)), blobGasUsed: '0x0', excessBlobGas: '0x0' }, [], ZERO]), -38005);
    const cancun = gethBlock(7);
    expectError(await call(api, 'engine_newPayloadV2', [payloadJson(cancun)]), -38005);
    expectError(await call(api, 'engine_newPayloadV4', newPayloadParams(3, cancun).concat([[]])), -38005);
    expectError(await call(api, 'engine_newPayloadV3', newPayloadParams(3, gethBlock(12))), -38005);
  });

  it('a structure that does not match the method version gives -32602', async () => {
    const shanghai = payloadJson(gethBlock(3));
    const prague = newPayloadParams(4, gethBlock(12));
    const [p, hashes, root, requests] = prague as [Record<string, JsonValue>, string[], string, string[]];
    const cases: [string, unknown[]][] = [
      ['engine_newPayloadV1', [shanghai]], // withdrawals in V1
      ['engine_newPayloadV2', [{ ...shanghai, withdrawals: null }]], // Shanghai without withdrawals
      ['engine_newPayloadV2', [{ ...shanghai, blobGasUsed: '0x0' }]],
      ['engine_newPayloadV4', [p, null, root, requests]],
      ['engine_newPayloadV4', [p, hashes, null, requests]],
      ['engine_newPayloadV4', [p, hashes, root]],
      ['engine_newPayloadV4', [{ ...p, blobGasUsed: null }, hashes, root, requests]],
      ['engine_newPayloadV4', [{ ...p, withdrawals: undefined }, hashes, root, requests]],
      ['engine_newPayloadV4', [p, hashes, root, ['0x00']]], // a request without data
      ['engine_newPayloadV4', [p, hashes, root, ['0x01aa', '0x00aa']]], // types out of order
      ['engine_newPayloadV4', [p, hashes, root, requests, 'extra']],
      ['engine_newPayloadV4', [{ ...p, gasUsed: '0x01' }, hashes, root, requests]], // leading zero
      ['engine_newPayloadV4', [p, hashes, '0x1234', requests]], // short beacon root
      ['engine_newPayloadV2', []],
    ];
    for (const [method, params] of cases) expectError(await call(api, method, params), -32602);
  });

  it('block 13 sent without its execution requests does not hash to its blockHash: INVALID, latestValidHash null', async () => {
    const reply = await call(api, 'engine_newPayloadV4', newPayloadParams(4, gethBlock(13), []));
    expectStatus(reply, 'INVALID', null, /blockhash mismatch/);
    expect(node.headerByHash(vectors.hashes[12]!)).toBeUndefined();
  });

  it('a block hash that does not match: INVALID with latestValidHash null (V2+)', async () => {
    const params = newPayloadParams(4, gethBlock(12));
    params[0] = { ...(params[0] as object), stateRoot: ZERO };
    expectStatus(await call(api, 'engine_newPayloadV4', params), 'INVALID', null, /blockhash mismatch/);
    expectStatus(await call(api, 'engine_newPayloadV4', [params[0], ['0x' + '01'.repeat(32)], params[2], []]), 'INVALID', null, /versionedHashes/);
  });

  it('a payload whose parent is unknown is SYNCING and starts no sync', async () => {
    const reply = await call(api, 'engine_newPayloadV4', newPayloadParams(4, gethBlock(15)));
    expectStatus(reply, 'SYNCING', null);
    expect(syncCalls).toEqual([]);
    expect(node.headerByHash(vectors.hashes[14]!)).toBeUndefined();
  });

  it('a block that fails validation is INVALID with its parent as latestValidHash; so are its descendants and a forkchoice to it', async () => {
    const good = await node.buildBlock({ parentHash: vectors.hashes[11]!, timestamp: 125n, transactions: [], withdrawals: [], parentBeaconBlockRoot: new Uint8Array(32).fill(1) });
    const bad = tampered(good, { stateRoot: new Uint8Array(32).fill(0xee) });
    const badHash = headerHash(bad.header);
    const params = newPayloadParams(4, bad);
    expectStatus(await call(api, 'engine_newPayloadV4', params), 'INVALID', hashOf(12), /state-root/);
    expect(node.headerByHash(badHash)).toBeUndefined();
    // Asked again: still INVALID (the spec's idempotence), now from the record of rejected blocks.
    expectStatus(await call(api, 'engine_newPayloadV4', params), 'INVALID', hashOf(12), /rejected/);
    // A child of the bad block: its parent is unknown, but known to be bad.
    const child = tampered(good, { parentHash: badHash, number: 14n, timestamp: 130n });
    expectStatus(await call(api, 'engine_newPayloadV4', newPayloadParams(4, child)), 'INVALID', hashOf(12), /rejected/);
    // A forkchoice naming the child, or the bad block itself.
    for (const head of [headerHash(child.header), badHash]) {
      const fcu = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hex(head)), null]);
      expect(fcu.result.payloadStatus).toMatchObject({ status: 'INVALID', latestValidHash: hashOf(12) });
      expect(fcu.result.payloadId).toBeNull();
    }
    expect(syncCalls).toEqual([]);
    expect(hex(node.head().hash)).toBe(hashOf(12));
  }, 20_000);

  it('forkchoiceUpdated to an unknown head calls syncTo and answers SYNCING; once the blocks are there it is VALID', async () => {
    const reply = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(15), hashOf(12), hashOf(12)), null]);
    expect(reply.result).toEqual({ payloadStatus: { status: 'SYNCING', latestValidHash: null, validationError: null }, payloadId: null });
    expect(syncCalls).toEqual([hashOf(15)]);
    expect(hex(node.head().hash)).toBe(hashOf(12));
    // What the sync does: store the blocks up to the target.
    await node.importBlocks(vectors.blocks.slice(12, 15), { setHead: 'never' });
    const again = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(15), hashOf(12), hashOf(12)), null]);
    expect(again.result.payloadStatus).toEqual({ status: 'VALID', latestValidHash: hashOf(15), validationError: null });
    expect(hex(node.head().hash)).toBe(hashOf(15));
    expect(syncCalls).toEqual([hashOf(15)]);
  }, 20_000);

  it('safe and finalized blocks must be stored and on the head chain (-38002), and a rejected state changes nothing', async () => {
    // A stored side block at height 13.
    const side = await node.buildBlock({ parentHash: vectors.hashes[11]!, timestamp: 127n, transactions: [], withdrawals: [], parentBeaconBlockRoot: new Uint8Array(32).fill(2) });
    sideHash = hex(headerHash(side.header));
    expectStatus(await call(api, 'engine_newPayloadV4', newPayloadParams(4, side)), 'VALID', sideHash);
    const before = applied.length;
    const unknown = hex(new Uint8Array(32).fill(0x42));
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(14), ZERO, unknown), null]), -38002);
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(14), unknown, ZERO), null]), -38002);
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(14), sideHash, hashOf(12)), null]), -38002);
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(14), hashOf(12), hashOf(15)), null]), -38002); // finalized above the head
    expect(hex(node.head().hash)).toBe(hashOf(15));
    expect(applied.length).toBe(before);
    // The side block as head: a reorg; then back.
    expect((await call(api, 'engine_forkchoiceUpdatedV3', [fcState(sideHash, hashOf(12), hashOf(12)), null])).result.payloadStatus.status).toBe('VALID');
    expect(hex(node.head().hash)).toBe(sideHash);
    expect(hex(node.hashByNumber(13n)!)).toBe(sideHash);
    expect(node.hashByNumber(14n)).toBeUndefined();
    expect((await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(15), hashOf(13), hashOf(12)), null])).result.payloadStatus.status).toBe('VALID');
    expect(hex(node.head().hash)).toBe(hashOf(15));
  }, 20_000);

  it('a head that is already a canonical ancestor is acknowledged and ignored, and builds nothing', async () => {
    const before = applied.length;
    const attrs = { timestamp: q(200n), prevRandao: ZERO, suggestedFeeRecipient: hex(new Uint8Array(20)), withdrawals: [], parentBeaconBlockRoot: ZERO };
    const reply = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(10)), attrs]);
    expect(reply.result).toEqual({ payloadStatus: { status: 'VALID', latestValidHash: hashOf(10), validationError: null }, payloadId: null });
    expect(hex(node.head().hash)).toBe(hashOf(15));
    expect(applied.length).toBe(before);
  });

  it('a zero head hash is INVALID', async () => {
    const reply = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(ZERO), null]);
    expect(reply.result.payloadStatus).toEqual({ status: 'INVALID', latestValidHash: null, validationError: null });
  });

  it('builds a payload on forkchoiceUpdatedV3 with attributes; getPayloadV4 serves it, and it imports VALID', async () => {
    const head = gethBlock(15).header;
    const attrs = {
      timestamp: q(head.timestamp + 12n),
      prevRandao: hex(new Uint8Array(32).fill(0x11)),
      suggestedFeeRecipient: hex(new Uint8Array(20).fill(0x22)),
      withdrawals: [{ index: '0x7', validatorIndex: '0x3', address: hex(new Uint8Array(20).fill(0x33)), amount: '0x3b9aca00' }],
      parentBeaconBlockRoot: hex(new Uint8Array(32).fill(0x44)),
    };
    const reply = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(15), hashOf(14), hashOf(13)), attrs]);
    expect(reply.result.payloadStatus.status).toBe('VALID');
    const id = reply.result.payloadId as string;
    expect(id).toMatch(/^0x03[0-9a-f]{14}$/);
    // The same attributes again: the same build.
    expect((await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(15)), attrs])).result.payloadId).toBe(id);
    const other = await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(15)), { ...attrs, prevRandao: ZERO }]);
    expect(other.result.payloadId).not.toBe(id);

    const got = await call(api, 'engine_getPayloadV4', [id]);
    const envelope = got.result;
    expect(envelope.blockValue).toBe('0x0');
    expect(envelope.blobsBundle).toEqual({ commitments: [], proofs: [], blobs: [] });
    expect(envelope.shouldOverrideBuilder).toBe(false);
    expect(envelope.executionRequests).toEqual([]);
    const payload = envelope.executionPayload;
    expect(payload).toMatchObject({
      parentHash: hashOf(15),
      feeRecipient: attrs.suggestedFeeRecipient,
      prevRandao: attrs.prevRandao,
      timestamp: attrs.timestamp,
      blockNumber: '0x10',
      transactions: [],
      withdrawals: attrs.withdrawals,
      blobGasUsed: '0x0',
    });
    // Methods of other forks cannot serve it; an unknown ID is -38001.
    expectError(await call(api, 'engine_getPayloadV3', [id]), -38005);
    expectError(await call(api, 'engine_getPayloadV2', [id]), -38005);
    expectError(await call(api, 'engine_getPayloadV4', ['0x0300000000000000']), -38001);
    expectError(await call(api, 'engine_getPayloadV4', ['0x03']), -32602);

    const imported = await call(api, 'engine_newPayloadV4', [payload, [], attrs.parentBeaconBlockRoot, []]);
    expectStatus(imported, 'VALID', payload.blockHash);
    await call(api, 'engine_forkchoiceUpdatedV3', [fcState(payload.blockHash), null]);
    expect(hex(node.head().hash)).toBe(payload.blockHash);
    const withdrawn = await node.accountAt(new Uint8Array(20).fill(0x33));
    expect(withdrawn?.balance).toBe(1_000_000_000n * 1_000_000_000n); // 1e9 gwei
  }, 20_000);

  it('payload attributes with a timestamp not after the head: -38003, the forkchoice still applied', async () => {
    const headHash = hex(node.head().hash);
    const side = node.headerByHash(Buffer.from(sideHash.slice(2), 'hex'))!;
    const attrs = { timestamp: q(side.timestamp), prevRandao: ZERO, suggestedFeeRecipient: hex(new Uint8Array(20)), withdrawals: [], parentBeaconBlockRoot: ZERO };
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [fcState(sideHash), attrs]), -38003);
    expect(hex(node.head().hash)).toBe(sideHash);
    expect((await call(api, 'engine_forkchoiceUpdatedV3', [fcState(headHash), null])).result.payloadStatus.status).toBe('VALID');
    expect(hex(node.head().hash)).toBe(headHash);
  });

  it('payload attributes of the wrong version or fork: -32602 or -38005, and the head does not move', async () => {
    const headHash = hex(node.head().hash);
    const base = { prevRandao: ZERO, suggestedFeeRecipient: hex(new Uint8Array(20)) };
    const prague = { ...base, timestamp: q(node.head().timestamp + 12n), withdrawals: [], parentBeaconBlockRoot: ZERO };
    const cases: [string, object, number][] = [
      ['engine_forkchoiceUpdatedV3', { ...prague, timestamp: q(50n) }, -38005], // a Shanghai timestamp
      ['engine_forkchoiceUpdatedV2', { ...prague, parentBeaconBlockRoot: undefined }, -38005], // Prague through V2
      ['engine_forkchoiceUpdatedV3', { ...prague, parentBeaconBlockRoot: undefined }, -32602],
      ['engine_forkchoiceUpdatedV3', { ...prague, withdrawals: null }, -32602],
      ['engine_forkchoiceUpdatedV2', prague, -32602], // a beacon root in V2
      ['engine_forkchoiceUpdatedV1', { ...base, timestamp: prague.timestamp }, -32602], // V1 cannot build after Paris
      ['engine_forkchoiceUpdatedV1', { ...prague, parentBeaconBlockRoot: undefined }, -32602],
      ['engine_forkchoiceUpdatedV3', { ...prague, timestamp: '0x01' }, -32602],
    ];
    for (const [method, attrs, code] of cases) {
      expectError(await call(api, method, [fcState(hashOf(14)), attrs]), code);
      expect(hex(node.head().hash)).toBe(headHash);
    }
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [{ headBlockHash: hashOf(14) }, null]), -32602);
    expectError(await call(api, 'engine_forkchoiceUpdatedV3', [fcState(hashOf(14)), null, null]), -32602);
  });

  it('serves payload bodies by hash and by canonical range, null where missing, no trailing nulls past the head', async () => {
    const bodyOf = (n: number) => ({ transactions: payloadJson(gethBlock(n))['transactions'], withdrawals: payloadJson(gethBlock(n))['withdrawals'] });
    const unknown = hex(new Uint8Array(32).fill(0x42));
    expect((await call(api, 'engine_getPayloadBodiesByHashV1', [[hashOf(11), unknown, hashOf(3)]])).result).toEqual([bodyOf(11), null, bodyOf(3)]);
    expect(bodyOf(11).transactions).toHaveLength(56);
    expect((await call(api, 'engine_getPayloadBodiesByRangeV1', ['0x9', '0x3'])).result).toEqual([bodyOf(9), bodyOf(10), bodyOf(11)]);
    const headNumber = node.head().number;
    expect((await call(api, 'engine_getPayloadBodiesByRangeV1', [q(headNumber - 1n), '0xa'])).result).toHaveLength(2);
    expect((await call(api, 'engine_getPayloadBodiesByRangeV1', [q(headNumber + 1n), '0xa'])).result).toEqual([]);
    expectError(await call(api, 'engine_getPayloadBodiesByRangeV1', ['0x0', '0x1']), -32602);
    expectError(await call(api, 'engine_getPayloadBodiesByRangeV1', ['0x1', '0x0']), -32602);
    expectError(await call(api, 'engine_getPayloadBodiesByRangeV1', ['0x1', '0x401']), -38004);
    expectError(await call(api, 'engine_getPayloadBodiesByHashV1', [new Array(1025).fill(unknown)]), -38004);
  });

  it('engine_exchangeCapabilities lists the methods served, not itself', async () => {
    const reply = await call(api, 'engine_exchangeCapabilities', [['engine_newPayloadV4', 'engine_forkchoiceUpdatedV3']]);
    expect(reply.result).toEqual(ENGINE_CAPABILITIES);
    expect(reply.result).not.toContain('engine_exchangeCapabilities');
    for (const m of reply.result as string[]) expect(Object.keys(api)).toContain(m);
    expectError(await call(api, 'engine_exchangeCapabilities', ['engine_newPayloadV4']), -32602);
  });

  it('serves the same over the JWT-authenticated loopback server', async () => {
    const secret = new Uint8Array(32).fill(7);
    const server = await startAuthRpcServer({ methods: api, port: 0, secret });
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'fcu', method: 'engine_forkchoiceUpdatedV3', params: [fcState(hashOf(15)), null] });
      const url = `http://127.0.0.1:${server.port}`;
      const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(refused.status).toBe(401);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${signJwt(secret)}` }, body });
      expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 'fcu', result: { payloadStatus: { status: 'VALID', latestValidHash: hashOf(15), validationError: null }, payloadId: null } });
    } finally {
      await server.close();
    }
  });
});

/** Post-merge from genesis, with Shanghai, Cancun and Prague by timestamp: Paris blocks before 10. */
function steppedGenesis(): Record<string, unknown> {
  return {
    config: {
      chainId: 1337,
      ...BLOCK_FORKS_TO_LONDON_AT_ZERO,
      mergeNetsplitBlock: 0,
      terminalTotalDifficulty: 0,
      shanghaiTime: 10,
      cancunTime: 20,
      pragueTime: 30,
      blobSchedule: { cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 }, prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 } },
    },
    difficulty: '0x0',
    gasLimit: '0x1c9c380',
    baseFeePerGas: '0x7',
    alloc: {},
  };
}

describe('the Engine API across Paris, Shanghai, Cancun and Prague (blocks built on a second chain)', () => {
  let builder: Chain;
  let node: Chain;
  let api: RpcMethods;
  const blocks: Block[] = [];

  beforeAll(async () => {
    const genesis = await parseGenesis(steppedGenesis());
    builder = await Chain.open({ genesis });
    node = await Chain.open({ genesis });
    api = createEngineApi({ chain: node, syncTo: () => undefined });
    // Paris (5), Shanghai (15), Cancun (25), Prague (35).
    for (const timestamp of [5n, 15n, 25n, 35n]) {
      const block = await builder.buildBlock({
        parentHash: builder.head().hash,
        timestamp,
        transactions: [],
        ...(timestamp >= 10n ? { withdrawals: [] } : {}),
        ...(timestamp >= 20n ? { parentBeaconBlockRoot: new Uint8Array(32).fill(Number(timestamp)) } : {}),
      });
      await builder.importBlocks([block]);
      blocks.push(block);
    }
  }, 20_000);
  afterAll(async () => {
    await builder?.close();
    await node?.close();
  });

  it('newPayloadV1 with a wrong block hash is INVALID_BLOCK_HASH; V2 calls the same INVALID', async () => {
    const paris = blocks[0]!;
    const wrong = payloadJson(paris, new Uint8Array(32).fill(9));
    expectStatus(await call(api, 'engine_newPayloadV1', [wrong]), 'INVALID_BLOCK_HASH', null, /blockhash mismatch/);
    expectStatus(await call(api, 'engine_newPayloadV2', [wrong]), 'INVALID', null, /blockhash mismatch/);
  });

  it('a Paris payload: VALID through V1, and through V2 without withdrawals but not with them', async () => {
    const paris = blocks[0]!;
    expectError(await call(api, 'engine_newPayloadV2', [{ ...payloadJson(paris), withdrawals: [] }]), -32602);
    expectStatus(await call(api, 'engine_newPayloadV1', [payloadJson(paris)]), 'VALID', hex(headerHash(paris.header)));
    expectStatus(await call(api, 'engine_newPayloadV2', [payloadJson(paris)]), 'VALID', hex(headerHash(paris.header)));
  });

  it('builds through forkchoiceUpdatedV1 for Paris; getPayloadV1 gives the bare payload, V2 the envelope, V3 refuses', async () => {
    const genesis = hex(node.hashByNumber(0n)!);
    const attrs = { timestamp: '0x6', prevRandao: hex(new Uint8Array(32).fill(5)), suggestedFeeRecipient: hex(new Uint8Array(20).fill(6)) };
    expectError(await call(api, 'engine_forkchoiceUpdatedV2', [fcState(genesis), { ...attrs, withdrawals: [] }]), -32602);
    expectError(await call(api, 'engine_forkchoiceUpdatedV2', [fcState(genesis), { ...attrs, timestamp: '0xb' }]), -32602); // Shanghai without withdrawals
    expectError(await call(api, 'engine_forkchoiceUpdatedV2', [fcState(genesis), { ...attrs, timestamp: '0x15', withdrawals: [] }]), -38005); // Cancun
    const reply = await call(api, 'engine_forkchoiceUpdatedV1', [fcState(genesis), attrs]);
    const id = reply.result.payloadId as string;
    expect(id).toMatch(/^0x01/);
    const v1 = (await call(api, 'engine_getPayloadV1', [id])).result;
    expect(v1).toMatchObject({ parentHash: genesis, timestamp: '0x6', prevRandao: attrs.prevRandao, feeRecipient: attrs.suggestedFeeRecipient, blockNumber: '0x1' });
    expect(Object.keys(v1)).not.toContain('withdrawals');
    expect((await call(api, 'engine_getPayloadV2', [id])).result).toEqual({ executionPayload: v1, blockValue: '0x0' });
    expectError(await call(api, 'engine_getPayloadV3', [id]), -38005);
    // A sibling of block 1 for the node: VALID, and not the head.
    expectStatus(await call(api, 'engine_newPayloadV1', [v1]), 'VALID', v1.blockHash);
    expect(node.head().number).toBe(0n);
    // A pre-Shanghai body has withdrawals null.
    expect((await call(api, 'engine_getPayloadBodiesByHashV1', [[v1.blockHash]])).result).toEqual([{ transactions: [], withdrawals: null }]);
  });

  it('each later fork through its own version; the others give -38005', async () => {
    const [, shanghai, cancun, prague] = blocks as [Block, Block, Block, Block];
    expectError(await call(api, 'engine_newPayloadV3', newPayloadParams(3, { ...shanghai, header: { ...shanghai.header, blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: new Uint8Array(32) } })), -38005);
    expectStatus(await call(api, 'engine_newPayloadV2', newPayloadParams(2, shanghai)), 'VALID', hex(headerHash(shanghai.header)));
    expectError(await call(api, 'engine_newPayloadV2', [payloadJson({ ...cancun, header: { ...cancun.header, blobGasUsed: undefined, excessBlobGas: undefined, parentBeaconBlockRoot: undefined } })]), -38005);
    expectError(await call(api, 'engine_newPayloadV4', newPayloadParams(4, cancun)), -38005);
    expectStatus(await call(api, 'engine_newPayloadV3', newPayloadParams(3, cancun)), 'VALID', hex(headerHash(cancun.header)));
    expectError(await call(api, 'engine_newPayloadV3', newPayloadParams(3, prague)), -38005);
    expectStatus(await call(api, 'engine_newPayloadV4', newPayloadParams(4, prague)), 'VALID', hex(headerHash(prague.header)));
    expect(node.head().number).toBe(0n);
    expect((await call(api, 'engine_forkchoiceUpdatedV1', [fcState(hex(headerHash(prague.header))), null])).result.payloadStatus.status).toBe('VALID');
    expect(equalBytes(node.head().hash, headerHash(prague.header))).toBe(true);
  });

});

describe('payloads and forkchoice before the merge', () => {
  it('a payload on a PoW parent below TTD is INVALID with latestValidHash 0x00..00, and so is a forkchoice to that parent', async () => {
    const genesis = await parseGenesis({
      config: { chainId: 1337, ...BLOCK_FORKS_TO_LONDON_AT_ZERO, terminalTotalDifficulty: 100 },
      difficulty: '0x1',
      gasLimit: '0x1c9c380',
      alloc: {},
    });
    const chain = await Chain.open({ genesis });
    try {
      const api = createEngineApi({ chain, syncTo: () => undefined });
      const block = await chain.buildBlock({ parentHash: genesis.hash, timestamp: 12n, transactions: [] });
      expectStatus(await call(api, 'engine_newPayloadV1', [payloadJson(block)]), 'INVALID', ZERO, /terminal/);
      const fcu = await call(api, 'engine_forkchoiceUpdatedV1', [fcState(hex(genesis.hash)), null]);
      expect(fcu.result.payloadStatus).toMatchObject({ status: 'INVALID', latestValidHash: ZERO });
    } finally {
      await chain.close();
    }
  });
});
