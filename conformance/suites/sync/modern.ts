/**
 * Post-merge sync (caps/eth.md, Chain Synchronization: "every node is aware
 * of the canonical chain somehow, ... through communication with a consensus
 * node"): the Engine API names a head the target lacks, and the target
 * fetches the chain up to it from its eth peers. We play the consensus
 * layer (newPayload, then forkchoiceUpdated) and a peer that serves the chain.
 */
import { forkRules } from '../../../reference-node/chain/config.js';
import { requestsHash } from '../../../reference-node/chain/roots.js';
import { blobVersionedHashes, blockToPayload, payloadToJson } from '../../../reference-node/rpc/engine-payload.js';
import type { Block } from '../../../reference-node/wire/block.js';
import { bytesToHex, equalBytes } from '../../../reference-node/wire/bytes.js';
import type { TargetSession } from '../../core/context.js';
import { RpcError } from '../../targets/rpc-client.js';
import { check, fail } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import type { Fixture } from '../../fixture/fixture.js';
import { newestVersion } from '../txpool-broadcast/support/versions.js';
import { FRESH_TEST_TIMEOUT_MS, SYNC_UP_TO, SYNC_WAIT_MS } from './legacy.js';
import { chainView } from './support/chain-view.js';
import { expectSyncedTo } from './support/head.js';
import { connectServing } from './support/serving-peer.js';

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const ZERO_HASH = hex(new Uint8Array(32));

/** newPayload for `block` at the version its fork uses, or undefined when we cannot build the params (requests we do not know). */
function newPayloadCall(fixture: Fixture, block: Block): { method: string; params: unknown[] } | undefined {
  const rules = forkRules(fixture.genesis.config, block.header.number, block.header.timestamp);
  const payload = payloadToJson(blockToPayload(block));
  if (!rules.shanghai) return { method: 'engine_newPayloadV1', params: [payload] };
  if (!rules.cancun) return { method: 'engine_newPayloadV2', params: [payload] };
  const blobHashes = blobVersionedHashes(block.transactions).map(hex);
  const beaconRoot = hex(block.header.parentBeaconBlockRoot ?? new Uint8Array(32));
  if (!rules.prague) return { method: 'engine_newPayloadV3', params: [payload, blobHashes, beaconRoot] };
  // The block carries only the requests' hash; an empty list is the one we can name.
  if (!block.header.requestsHash || !equalBytes(block.header.requestsHash, requestsHash([]))) return undefined;
  return { method: 'engine_newPayloadV4', params: [payload, blobHashes, beaconRoot, []] };
}

function forkchoiceMethod(fixture: Fixture, block: Block): string {
  const rules = forkRules(fixture.genesis.config, block.header.number, block.header.timestamp);
  return rules.cancun ? 'engine_forkchoiceUpdatedV3' : rules.shanghai ? 'engine_forkchoiceUpdatedV2' : 'engine_forkchoiceUpdatedV1';
}

function payloadStatusOf(result: unknown): string | undefined {
  const direct = (result as { status?: unknown } | null)?.status;
  const nested = (result as { payloadStatus?: { status?: unknown } } | null)?.payloadStatus?.status;
  const status = nested ?? direct;
  return typeof status === 'string' ? status : undefined;
}

async function nameHead(target: TargetSession, fixture: Fixture, block: Block, hash: Uint8Array): Promise<void> {
  const np = newPayloadCall(fixture, block);
  if (np) {
    // Some clients sync only from a head they saw in newPayload (geth), others from forkchoiceUpdated alone: send both.
    let status: string | undefined;
    try {
      status = payloadStatusOf(await target.engine(np.method, np.params));
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      status = `error: ${err.message}`;
    }
    target.log(`${np.method}(block ${block.header.number}) -> ${status ?? 'no status'}`);
    check(status !== 'INVALID' && status !== 'INVALID_BLOCK_HASH', `${np.method} called the fixture's block ${block.header.number} invalid`, 'SYNCING, ACCEPTED or VALID', status ?? 'no status');
  }
  const method = forkchoiceMethod(fixture, block);
  let result: unknown;
  try {
    result = await target.engine(method, [{ headBlockHash: hex(hash), safeBlockHash: ZERO_HASH, finalizedBlockHash: ZERO_HASH }, null]);
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    fail(`${method} naming the fixture's block ${block.header.number} as head failed`, 'payloadStatus SYNCING (or VALID)', err.message);
  }
  const status = payloadStatusOf(result);
  target.log(`${method}(head ${block.header.number}) -> ${status ?? 'no status'}`);
  if (status !== 'SYNCING' && status !== 'VALID' && status !== 'ACCEPTED') {
    fail(`${method} naming the fixture's block ${block.header.number} as head did not answer SYNCING or VALID`, 'payloadStatus SYNCING (or VALID)', JSON.stringify(result).slice(0, 200));
  }
}

export const modernEngineSync: ConformanceTest = {
  id: 'sync/modern/engine-driven',
  title: 'after newPayload and forkchoiceUpdated name a head it lacks, a post-merge target fetches the chain up to it from its eth peer',
  spec: 'caps/eth.md#chain-synchronization',
  // Without this a post-merge node never follows its consensus client.
  level: 'MUST',
  requires: ['profile:modern', 'rpc', 'engine'],
  isolation: 'fresh',
  timeoutMs: FRESH_TEST_TIMEOUT_MS,
  async run(ctx) {
    const target = await ctx.launch({ chainPrefix: 0 });
    const version = newestVersion(target, [68, 69, 70]);
    const view = chainView(ctx.fixture, SYNC_UP_TO);
    const peer = await connectServing(target, { version, view, name: 'server' });
    await nameHead(target, ctx.fixture, view.blocks[view.head.number]!, view.head.hash);
    await expectSyncedTo(target, view, SYNC_WAIT_MS, 'after forkchoiceUpdated named it');
    check(peer.server.of('GetBlockHeaders').length > 0, 'the target reached the head without asking its only peer for headers', 'GetBlockHeaders to the peer', 'none');
  },
};
