/**
 * The Engine API methods (execution-apis src/engine/{common,paris,shanghai,
 * cancun,prague}.md): engine_exchangeCapabilities, engine_newPayloadV1..V4,
 * engine_forkchoiceUpdatedV1..V3, engine_getPayloadV1..V4 and
 * engine_getPayloadBodiesByHashV1/ByRangeV1, over our Chain.
 * Transport and JWT are auth-http-server.ts's job.
 *
 * It follows geth's eth/catalyst ConsensusAPI where the spec leaves a choice:
 *
 * - newPayload: a known block is VALID without re-execution; a block whose
 *   parent is unknown is SYNCING and does not start a sync (geth's
 *   delayPayloadImport: a sync started from newPayload could reorg the chain
 *   under sibling payloads; the forkchoiceUpdated that follows starts it); a
 *   block on a pre-merge parent is INVALID with latestValidHash 0x00..00
 *   (INVALID_TERMINAL_BLOCK); a block that fails validation is INVALID with
 *   latestValidHash = its parent (0x00..00 if the parent is a PoW block), the
 *   error text in validationError, and is remembered: it and any payload built
 *   on it stay INVALID ("links to previously rejected block") until it has been
 *   referenced 128 times, when it is forgotten and may be retried (geth's
 *   invalidTipsets / invalidBlockHitEviction). Every block with a known parent
 *   is executed, canonical or not, so ACCEPTED is never returned.
 * - forkchoiceUpdated: an unknown head calls syncTo(head) and answers
 *   SYNCING; a known head that is not canonical becomes the head; a head that
 *   is already a canonical ancestor of ours is acknowledged VALID and ignored
 *   (the beacon client is resyncing), and starts no build (spec rule 2). A
 *   zero head hash is INVALID (geth's STATUS_INVALID). The safe and finalized
 *   blocks must be known and on the new head's chain (-38002); unlike geth,
 *   which moves the head first and checks them after, they are checked before
 *   anything changes, so a rejected forkchoice state changes nothing (spec
 *   rule 5: updates are atomic).
 * - Version rules: a wrong structure for the version (fields of another fork,
 *   missing V3 fields, extra parameters) is -32602 as the spec says (geth
 *   answers some of the payload-attribute cases with -38003); a timestamp
 *   outside the forks a method serves is -38005 (newPayloadV2 at Cancun
 *   included, per cancun.md "Update the methods of previous forks"; geth
 *   answers that one with -32602). newPayloadV1 has no fork check, as in geth:
 *   a Shanghai payload cannot carry withdrawals in V1, so its hash fails.
 * - Payload building (forkchoiceUpdated with attributes): the payload ID is
 *   geth's: sha256 over parent, timestamp, prevRandao, fee recipient, the RLP
 *   of the withdrawals and the beacon root, first 8 bytes, first byte replaced
 *   by the fcU version. The same attributes give the same ID and the build is
 *   not restarted. The default builder makes an empty block (no transaction
 *   pool here; spec: "SHOULD build the initial version with an empty
 *   transaction set") with the parent's gas limit; `buildPayload` replaces it.
 *   The last 10 builds are kept, as geth's payloadQueue.
 * - getPayloadBodiesByHashV1/ByRangeV1 (shanghai.md): at most 1024 bodies
 *   (-38004 beyond, geth's limit); a range starting at 0 or of count 0 is
 *   -32602, and it stops at our head rather than listing trailing nulls.
 *
 * newPayload and forkchoiceUpdated run one at a time, in the order received
 * (common.md "Message ordering").
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Chain } from '../chain/chain.js';
import { BlockValidationError } from '../chain/errors.js';
import { requestsHash } from '../chain/roots.js';
import { headerHash, withdrawalToRlp, type Block, type BlockHeader, type Withdrawal } from '../wire/block.js';
import { bigIntToFixed, bytesToHex, concatBytes, equalBytes } from '../wire/bytes.js';
import { encodeRlp } from '../wire/rlp.js';
import { encodeCanonicalTransaction } from '../wire/tx/codec.js';
import type { Address, Hash32 } from '../wire/tx/types.js';
import {
  blockToPayload,
  executionRequestsToJson,
  InvalidPayloadError,
  parseExecutionPayload,
  parseExecutionRequests,
  payloadToBlock,
  payloadToJson,
  PayloadParamError,
  readData,
  readHashList,
  readQuantity,
  readWithdrawals,
  withdrawalToJson,
  type ExecutionPayload,
  type PayloadSidecar,
} from './engine-payload.js';
import { RpcError, RPC_INVALID_PARAMS, toQuantity, type JsonValue, type RpcMethods } from './json-rpc.js';

export const ENGINE_UNKNOWN_PAYLOAD = -38001;
export const ENGINE_INVALID_FORKCHOICE_STATE = -38002;
export const ENGINE_INVALID_PAYLOAD_ATTRIBUTES = -38003;
export const ENGINE_TOO_LARGE_REQUEST = -38004;
export const ENGINE_UNSUPPORTED_FORK = -38005;

/** Every method served, as engine_exchangeCapabilities reports them (which must not list itself). */
export const ENGINE_CAPABILITIES: readonly string[] = [
  'engine_newPayloadV1',
  'engine_newPayloadV2',
  'engine_newPayloadV3',
  'engine_newPayloadV4',
  'engine_forkchoiceUpdatedV1',
  'engine_forkchoiceUpdatedV2',
  'engine_forkchoiceUpdatedV3',
  'engine_getPayloadV1',
  'engine_getPayloadV2',
  'engine_getPayloadV3',
  'engine_getPayloadV4',
  'engine_getPayloadBodiesByHashV1',
  'engine_getPayloadBodiesByRangeV1',
];

export type PayloadStatusKind = 'VALID' | 'INVALID' | 'SYNCING' | 'ACCEPTED' | 'INVALID_BLOCK_HASH';

export interface PayloadStatus {
  status: PayloadStatusKind;
  latestValidHash: Hash32 | null;
  validationError: string | null;
}

export interface ForkchoiceState {
  head: Hash32;
  safe: Hash32;
  finalized: Hash32;
}

export interface PayloadAttributes {
  timestamp: bigint;
  prevRandao: Hash32;
  suggestedFeeRecipient: Address;
  /** V2+ (Shanghai on). */
  withdrawals?: Withdrawal[];
  /** V3 (Cancun on). */
  parentBeaconBlockRoot?: Hash32;
}

export interface BlobsBundle {
  commitments: Uint8Array[];
  proofs: Uint8Array[];
  blobs: Uint8Array[];
}

export interface BuiltPayload {
  block: Block;
  /** Wei the fee recipient receives (getPayloadV2+ blockValue). */
  blockValue: bigint;
  /** Prague on: the EIP-7685 requests the block's requestsHash commits to. */
  executionRequests?: Uint8Array[];
  /** Sidecars of the block's blob transactions; empty when absent. */
  blobsBundle?: BlobsBundle;
}

/** The chain operations the Engine API needs. */
export type EngineChain = Pick<Chain, 'config' | 'head' | 'headerByHash' | 'hashByNumber' | 'tdByHash' | 'bodyByHash' | 'importBlocks' | 'setHead' | 'buildBlock'>;

export interface EngineApiOptions {
  chain: EngineChain;
  /** Starts, or redirects, the beacon sync towards `hash` (an unknown forkchoice head). Must not throw. */
  syncTo(hash: Uint8Array): void;
  /** Builds a payload on `parent`; defaults to an empty block from chain.buildBlock. A throw is -38003. */
  buildPayload?(parent: Hash32, attributes: PayloadAttributes): Promise<BuiltPayload>;
  /** After a forkchoice state has been applied (the head is set and safe/finalized checked): the node is in sync with the CL. */
  onForkchoiceUpdated?(state: ForkchoiceState): void;
}

/** The forks the Engine API versions are keyed on; BPO forks belong to Osaka. */
type EngineFork = 'paris' | 'shanghai' | 'cancun' | 'prague' | 'osaka' | 'amsterdam';

const ZERO_HASH = new Uint8Array(32);
const INVALID_BLOCK_HIT_EVICTION = 128;
const INVALID_TIPSETS_CAP = 512;
const MAX_BUILT_PAYLOADS = 10;
const MAX_PAYLOAD_BODIES = 1024;

const hex = bytesToHex;
const data = (bytes: Uint8Array): string => `0x${hex(bytes)}`;

function forkAt(chain: EngineChain, timestamp: bigint): EngineFork {
  const forks = chain.config.timeForks;
  const active = (name: keyof typeof forks) => forks[name] !== undefined && forks[name]! <= timestamp;
  if (active('amsterdam')) return 'amsterdam';
  if (active('osaka')) return 'osaka';
  if (active('prague')) return 'prague';
  if (active('cancun')) return 'cancun';
  if (active('shanghai')) return 'shanghai';
  return 'paris';
}

const invalidParams = (detail: string) => new RpcError(RPC_INVALID_PARAMS, `Invalid params: ${detail}`);
const unsupportedFork = (detail: string) => new RpcError(ENGINE_UNSUPPORTED_FORK, `Unsupported fork: ${detail}`);
const invalidForkchoiceState = (detail: string) => new RpcError(ENGINE_INVALID_FORKCHOICE_STATE, `Invalid forkchoice state: ${detail}`);
const invalidAttributes = (detail: string) => new RpcError(ENGINE_INVALID_PAYLOAD_ATTRIBUTES, `Invalid payload attributes: ${detail}`);

/** Runs a parser, turning its PayloadParamError into -32602. */
function params<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PayloadParamError) throw invalidParams(err.message);
    throw err;
  }
}

function checkParamCount(list: JsonValue[], max: number, method: string): void {
  if (list.length > max) throw invalidParams(`${method} takes ${max} parameter${max === 1 ? '' : 's'}, got ${list.length}`);
}

const isAbsent = (v: JsonValue | undefined): v is null | undefined => v === undefined || v === null;

function statusJson(s: PayloadStatus): JsonValue {
  return { status: s.status, latestValidHash: s.latestValidHash === null ? null : data(s.latestValidHash), validationError: s.validationError };
}

const status = (kind: PayloadStatusKind, latestValidHash: Hash32 | null = null, validationError: string | null = null): PayloadStatus => ({
  status: kind,
  latestValidHash,
  validationError,
});

function parseForkchoiceState(value: JsonValue | undefined): ForkchoiceState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PayloadParamError('forkchoiceState', 'expected an object');
  return {
    head: readData(value['headBlockHash'], 'forkchoiceState.headBlockHash', 32),
    safe: readData(value['safeBlockHash'], 'forkchoiceState.safeBlockHash', 32),
    finalized: readData(value['finalizedBlockHash'], 'forkchoiceState.finalizedBlockHash', 32),
  };
}

function parsePayloadAttributes(value: JsonValue): PayloadAttributes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PayloadParamError('payloadAttributes', 'expected an object or null');
  const attrs: PayloadAttributes = {
    timestamp: readQuantity(value['timestamp'], 'payloadAttributes.timestamp'),
    prevRandao: readData(value['prevRandao'], 'payloadAttributes.prevRandao', 32),
    suggestedFeeRecipient: readData(value['suggestedFeeRecipient'], 'payloadAttributes.suggestedFeeRecipient', 20),
  };
  if (!isAbsent(value['withdrawals'])) attrs.withdrawals = readWithdrawals(value['withdrawals'], 'payloadAttributes.withdrawals');
  if (!isAbsent(value['parentBeaconBlockRoot'])) attrs.parentBeaconBlockRoot = readData(value['parentBeaconBlockRoot'], 'payloadAttributes.parentBeaconBlockRoot', 32);
  return attrs;
}

/** geth's BuildPayloadArgs.Id, with the fcU version in the first byte (getPayload checks it). */
export function computePayloadId(parent: Hash32, attrs: PayloadAttributes, version: number): Uint8Array {
  const withdrawals = encodeRlp((attrs.withdrawals ?? []).map((w, i) => withdrawalToRlp(w, `withdrawals[${i}]`)));
  const digest = sha256(
    concatBytes(parent, bigIntToFixed(attrs.timestamp, 8), attrs.prevRandao, attrs.suggestedFeeRecipient, withdrawals, attrs.parentBeaconBlockRoot ?? new Uint8Array(0)),
  );
  const id = digest.slice(0, 8);
  id[0] = version;
  return id;
}

interface StoredPayload {
  version: number;
  fork: EngineFork;
  built: BuiltPayload;
  hash: Hash32;
}

/** Blocks that failed validation, and chain tips known to descend from one (geth's invalidTipsets). */
class InvalidBlocks {
  private readonly tipsets = new Map<string, BlockHeader>();
  private readonly hits = new Map<string, number>();

  constructor(private readonly chain: EngineChain) {}

  add(header: BlockHeader, hash: Hash32): void {
    this.hits.set(hex(hash), 1);
    this.remember(hex(hash), header);
  }

  private remember(key: string, bad: BlockHeader): void {
    while (this.tipsets.size >= INVALID_TIPSETS_CAP) {
      const oldest = this.tipsets.keys().next().value;
      if (oldest === undefined) break;
      this.tipsets.delete(oldest);
    }
    this.tipsets.set(key, bad);
  }

  /** If `check` is, or descends from, a rejected block, the INVALID answer for `head` (which is then remembered too). */
  check(check: Uint8Array, head: Uint8Array): PayloadStatus | undefined {
    const bad = this.tipsets.get(hex(check));
    if (bad === undefined) return undefined;
    const badKey = hex(headerHash(bad));
    const hits = (this.hits.get(badKey) ?? 0) + 1;
    if (hits >= INVALID_BLOCK_HIT_EVICTION) {
      // Referenced again and again: give the block another chance, in case we were wrong (geth's eviction).
      this.hits.delete(badKey);
      for (const [key, header] of this.tipsets) if (equalBytes(headerHash(header), headerHash(bad))) this.tipsets.delete(key);
      return undefined;
    }
    this.hits.set(badKey, hits);
    if (!equalBytes(check, head)) this.remember(hex(head), bad);
    return status('INVALID', latestValidParent(this.chain, bad.parentHash), 'links to previously rejected block');
  }
}

/** latestValidHash for a block whose parent is `parentHash`: the parent, or 0x00..00 if it is a PoW block (paris.md). */
function latestValidParent(chain: EngineChain, parentHash: Hash32): Hash32 {
  const parent = chain.headerByHash(parentHash);
  return parent !== undefined && parent.difficulty > 0n ? ZERO_HASH : parentHash;
}

export function createEngineApi(options: EngineApiOptions): RpcMethods {
  const { chain } = options;
  const invalid = new InvalidBlocks(chain);
  const payloads = new Map<string, StoredPayload>();
  let queue: Promise<unknown> = Promise.resolve();

  /** newPayload and forkchoiceUpdated one at a time, in arrival order. */
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  // -------------------------------------------------------------------------
  // newPayload

  async function newPayload(version: number, payload: ExecutionPayload, sidecar: PayloadSidecar): Promise<PayloadStatus> {
    let block: Block;
    try {
      block = await payloadToBlock(payload, sidecar);
    } catch (err) {
      if (!(err instanceof InvalidPayloadError)) throw err;
      // paris.md: INVALID_BLOCK_HASH in V1; shanghai.md on: INVALID. Nothing is known to be valid: latestValidHash null.
      return status(version === 1 && err.reason === 'block-hash' ? 'INVALID_BLOCK_HASH' : 'INVALID', null, err.message);
    }
    const hash = payload.blockHash;
    if (chain.headerByHash(hash) !== undefined) return status('VALID', hash);
    const rejected = invalid.check(hash, hash);
    if (rejected !== undefined) return rejected;

    const { header } = block;
    const parent = chain.headerByHash(header.parentHash);
    if (parent === undefined) return invalid.check(header.parentHash, hash) ?? status('SYNCING');

    const ttd = chain.config.terminalTotalDifficulty;
    const parentTd = chain.tdByHash(header.parentHash);
    if (ttd === undefined) return status('INVALID', ZERO_HASH, 'the chain is not configured for the merge (no terminalTotalDifficulty)');
    if (parentTd === undefined || parentTd < ttd) return status('INVALID', ZERO_HASH, 'the parent is a pre-merge block below the terminal total difficulty');
    if (parent.difficulty > 0n && parent.number > 0n) {
      const grandparentTd = chain.tdByHash(parent.parentHash);
      if (grandparentTd !== undefined && grandparentTd >= ttd) return status('INVALID', ZERO_HASH, 'the parent is a PoW block after the terminal block');
    }
    try {
      await chain.importBlocks([block], { setHead: 'never' });
    } catch (err) {
      if (!(err instanceof BlockValidationError)) throw err;
      invalid.add(header, hash);
      return status('INVALID', latestValidParent(chain, header.parentHash), err.message);
    }
    return status('VALID', hash);
  }

  function requireFork(timestamp: bigint, allowed: readonly EngineFork[], method: string): void {
    const fork = forkAt(chain, timestamp);
    if (!allowed.includes(fork)) throw unsupportedFork(`${method} does not serve ${fork} payloads (timestamp ${timestamp}); it serves ${allowed.join(', ')}`);
  }

  function newPayloadMethod(version: 1 | 2 | 3 | 4) {
    const method = `engine_newPayloadV${version}`;
    const paramCount = [1, 1, 3, 4][version - 1]!;
    return async (list: JsonValue[]): Promise<JsonValue> => {
      checkParamCount(list, paramCount, method);
      const payload = params(() => parseExecutionPayload(list[0]));
      const sidecar: PayloadSidecar = {};
      const fork = forkAt(chain, payload.timestamp);
      const shanghai = fork !== 'paris';
      if (version === 1) {
        if (payload.withdrawals !== undefined) throw invalidParams('withdrawals not supported in V1');
        if (payload.blobGasUsed !== undefined || payload.excessBlobGas !== undefined) throw invalidParams('blob gas fields not supported in V1');
      } else if (version === 2) {
        if (fork !== 'paris' && fork !== 'shanghai') throw unsupportedFork(`${method} must not be used from Cancun on (timestamp ${payload.timestamp} is ${fork})`);
        if (shanghai && payload.withdrawals === undefined) throw invalidParams('nil withdrawals post-shanghai');
        if (!shanghai && payload.withdrawals !== undefined) throw invalidParams('non-nil withdrawals pre-shanghai');
        if (payload.excessBlobGas !== undefined) throw invalidParams('non-nil excessBlobGas pre-cancun');
        if (payload.blobGasUsed !== undefined) throw invalidParams('non-nil blobGasUsed pre-cancun');
      } else {
        if (payload.withdrawals === undefined) throw invalidParams('nil withdrawals post-shanghai');
        if (payload.excessBlobGas === undefined) throw invalidParams('nil excessBlobGas post-cancun');
        if (payload.blobGasUsed === undefined) throw invalidParams('nil blobGasUsed post-cancun');
        if (isAbsent(list[1])) throw invalidParams('nil expectedBlobVersionedHashes post-cancun');
        if (isAbsent(list[2])) throw invalidParams('nil parentBeaconBlockRoot post-cancun');
        if (version === 4 && isAbsent(list[3])) throw invalidParams('nil executionRequests post-prague');
        sidecar.expectedBlobVersionedHashes = params(() => readHashList(list[1], 'expectedBlobVersionedHashes'));
        sidecar.parentBeaconBlockRoot = params(() => readData(list[2], 'parentBeaconBlockRoot', 32));
        if (version === 3) requireFork(payload.timestamp, ['cancun'], method);
        else {
          requireFork(payload.timestamp, ['prague', 'osaka'], method);
          sidecar.executionRequests = params(() => parseExecutionRequests(list[3]));
        }
      }
      return statusJson(await serialized(() => newPayload(version, payload, sidecar)));
    };
  }

  // -------------------------------------------------------------------------
  // forkchoiceUpdated

  /** Is `ancestor` (number n) on the chain that ends in `head`? Walks back at most head - n blocks. */
  function onChainOf(head: BlockHeader, ancestorHash: Hash32, ancestor: BlockHeader): boolean {
    let h: BlockHeader | undefined = head;
    let hash = headerHash(head);
    while (h !== undefined && h.number > ancestor.number) {
      hash = h.parentHash;
      h = chain.headerByHash(hash);
    }
    return h !== undefined && equalBytes(hash, ancestorHash);
  }

  function checkOnHeadChain(head: BlockHeader, hash: Hash32, what: 'final' | 'safe'): void {
    if (equalBytes(hash, ZERO_HASH)) return;
    const header = chain.headerByHash(hash);
    if (header === undefined) throw invalidForkchoiceState(`${what} block 0x${hex(hash)} not available in database`);
    if (!onChainOf(head, hash, header)) throw invalidForkchoiceState(`${what} block 0x${hex(hash)} not in the canonical chain of the head`);
  }

  async function defaultBuild(parent: Hash32, attrs: PayloadAttributes): Promise<BuiltPayload> {
    const block = await chain.buildBlock({
      parentHash: parent,
      timestamp: attrs.timestamp,
      transactions: [],
      coinbase: attrs.suggestedFeeRecipient,
      mixHash: attrs.prevRandao,
      ...(attrs.withdrawals === undefined ? {} : { withdrawals: attrs.withdrawals }),
      ...(attrs.parentBeaconBlockRoot === undefined ? {} : { parentBeaconBlockRoot: attrs.parentBeaconBlockRoot }),
    });
    const built: BuiltPayload = { block, blockValue: 0n };
    if (block.header.requestsHash !== undefined) {
      // chain.buildBlock does not hand out the requests; an empty block has none unless a system contract queued some.
      if (!equalBytes(block.header.requestsHash, requestsHash([]))) throw new Error('the built block has execution requests this builder cannot report');
      built.executionRequests = [];
    }
    return built;
  }

  async function forkchoiceUpdated(version: number, state: ForkchoiceState, attrs: PayloadAttributes | undefined): Promise<JsonValue> {
    const answer = (s: PayloadStatus, payloadId: Uint8Array | null = null): JsonValue => ({ payloadStatus: statusJson(s), payloadId: payloadId === null ? null : data(payloadId) });
    if (equalBytes(state.head, ZERO_HASH)) return answer(status('INVALID'));

    const head = chain.headerByHash(state.head);
    if (head === undefined) {
      const rejected = invalid.check(state.head, state.head);
      if (rejected !== undefined) return answer(rejected);
      options.syncTo(state.head);
      return answer(status('SYNCING'));
    }
    // The CL must not move us back before the merge: a PoW head must be the terminal block (paris.md rule 3).
    if (head.difficulty > 0n || head.number === 0n) {
      const ttd = chain.config.terminalTotalDifficulty;
      const td = chain.tdByHash(state.head);
      const parentTd = head.number === 0n ? undefined : chain.tdByHash(head.parentHash);
      const terminal = ttd !== undefined && td !== undefined && td >= ttd && (parentTd === undefined || parentTd < ttd);
      if (!terminal) return answer(status('INVALID', ZERO_HASH, 'the head is a pre-merge block that is not the terminal block'));
    }
    checkOnHeadChain(head, state.finalized, 'final');
    checkOnHeadChain(head, state.safe, 'safe');

    const canonical = chain.hashByNumber(head.number);
    if (canonical === undefined || !equalBytes(canonical, state.head)) {
      await chain.setHead(state.head);
    } else if (!equalBytes(chain.head().hash, state.head)) {
      // Already a canonical ancestor of our head: the CL is resyncing. Acknowledge, change nothing, build nothing.
      return answer(status('VALID', state.head));
    }
    options.onForkchoiceUpdated?.(state);

    if (attrs === undefined) return answer(status('VALID', state.head));
    // paris.md rule 7: attributes are checked after the state is applied, and a failure does not roll it back.
    if (attrs.timestamp <= head.timestamp) throw invalidAttributes(`timestamp ${attrs.timestamp} is not after the head's ${head.timestamp}`);
    const id = computePayloadId(state.head, attrs, version);
    const key = hex(id);
    if (!payloads.has(key)) {
      let built: BuiltPayload;
      try {
        built = await (options.buildPayload ?? defaultBuild)(state.head, attrs);
      } catch (err) {
        throw invalidAttributes((err as Error).message);
      }
      if (payloads.size >= MAX_BUILT_PAYLOADS) payloads.delete(payloads.keys().next().value!);
      payloads.set(key, { version, fork: forkAt(chain, attrs.timestamp), built, hash: headerHash(built.block.header) });
    }
    return answer(status('VALID', state.head), id);
  }

  function checkAttributes(version: number, attrs: PayloadAttributes): void {
    const fork = forkAt(chain, attrs.timestamp);
    const method = `engine_forkchoiceUpdatedV${version}`;
    if (version === 1) {
      if (attrs.withdrawals !== undefined || attrs.parentBeaconBlockRoot !== undefined) throw invalidParams('withdrawals and beacon root not supported in V1');
      // V1 attributes cannot carry withdrawals, so they cannot build a Shanghai block.
      if (fork !== 'paris') throw invalidParams(`${method} called with a ${fork} timestamp`);
    } else if (version === 2) {
      if (attrs.parentBeaconBlockRoot !== undefined) throw invalidParams('unexpected parentBeaconBlockRoot in PayloadAttributesV2');
      if (fork === 'paris' && attrs.withdrawals !== undefined) throw invalidParams('withdrawals before shanghai (use PayloadAttributesV1)');
      if (fork === 'shanghai' && attrs.withdrawals === undefined) throw invalidParams('missing withdrawals (PayloadAttributesV2 from Shanghai on)');
      if (fork !== 'paris' && fork !== 'shanghai') throw unsupportedFork(`${method} serves Paris and Shanghai payloads, not ${fork}`);
    } else {
      if (attrs.withdrawals === undefined) throw invalidParams('missing withdrawals in PayloadAttributesV3');
      if (attrs.parentBeaconBlockRoot === undefined) throw invalidParams('missing parentBeaconBlockRoot in PayloadAttributesV3');
      if (fork !== 'cancun' && fork !== 'prague' && fork !== 'osaka') throw unsupportedFork(`${method} serves Cancun, Prague and Osaka payloads, not ${fork}`);
    }
  }

  function forkchoiceMethod(version: 1 | 2 | 3) {
    const method = `engine_forkchoiceUpdatedV${version}`;
    return async (list: JsonValue[]): Promise<JsonValue> => {
      checkParamCount(list, 2, method);
      const state = params(() => parseForkchoiceState(list[0]));
      const attrs = isAbsent(list[1]) ? undefined : params(() => parsePayloadAttributes(list[1]!));
      if (attrs !== undefined) checkAttributes(version, attrs);
      return serialized(() => forkchoiceUpdated(version, state, attrs));
    };
  }

  // -------------------------------------------------------------------------
  // getPayload

  function getPayloadMethod(version: 1 | 2 | 3 | 4) {
    const method = `engine_getPayloadV${version}`;
    return (list: JsonValue[]): JsonValue => {
      checkParamCount(list, 1, method);
      const id = params(() => readData(list[0], 'payloadId', 8));
      const stored = payloads.get(hex(id));
      if (stored === undefined) throw new RpcError(ENGINE_UNKNOWN_PAYLOAD, `Unknown payload: 0x${hex(id)}`);
      // As geth: the fcU version that started the build (the ID's first byte) and the payload's fork must suit the method.
      const servable =
        version === 1 ? stored.version === 1
        : version === 2 ? stored.version <= 2
        : version === 3 ? stored.version === 3 && stored.fork === 'cancun'
        : stored.version === 3 && (stored.fork === 'prague' || stored.fork === 'osaka');
      if (!servable) throw unsupportedFork(`${method} cannot serve a ${stored.fork} payload built by forkchoiceUpdatedV${stored.version}`);
      const { built } = stored;
      const executionPayload = payloadToJson(blockToPayload(built.block, stored.hash));
      if (version === 1) return executionPayload;
      const envelope: { [key: string]: JsonValue } = { executionPayload, blockValue: toQuantity(built.blockValue) };
      if (version >= 3) {
        const bundle = built.blobsBundle ?? { commitments: [], proofs: [], blobs: [] };
        envelope['blobsBundle'] = { commitments: bundle.commitments.map(data), proofs: bundle.proofs.map(data), blobs: bundle.blobs.map(data) };
        envelope['shouldOverrideBuilder'] = false;
      }
      if (version === 4) envelope['executionRequests'] = executionRequestsToJson(built.executionRequests ?? []);
      return envelope;
    };
  }

  // -------------------------------------------------------------------------
  // getPayloadBodies

  /** ExecutionPayloadBodyV1 of a stored block, or null; withdrawals null before Shanghai. */
  function bodyJson(hash: Uint8Array | undefined): JsonValue {
    const body = hash === undefined ? undefined : chain.bodyByHash(hash);
    if (body === undefined) return null;
    return {
      transactions: body.transactions.map((tx) => data(encodeCanonicalTransaction(tx))),
      withdrawals: body.withdrawals === undefined ? null : body.withdrawals.map(withdrawalToJson),
    };
  }

  const tooLarge = (count: bigint) => new RpcError(ENGINE_TOO_LARGE_REQUEST, `Too large request: ${count} bodies, at most ${MAX_PAYLOAD_BODIES}`);

  return {
    engine_exchangeCapabilities: (list) => {
      checkParamCount(list, 1, 'engine_exchangeCapabilities');
      const theirs = list[0];
      if (!Array.isArray(theirs) || theirs.some((m) => typeof m !== 'string')) throw invalidParams('expected an array of method names');
      return [...ENGINE_CAPABILITIES];
    },
    engine_newPayloadV1: newPayloadMethod(1),
    engine_newPayloadV2: newPayloadMethod(2),
    engine_newPayloadV3: newPayloadMethod(3),
    engine_newPayloadV4: newPayloadMethod(4),
    engine_forkchoiceUpdatedV1: forkchoiceMethod(1),
    engine_forkchoiceUpdatedV2: forkchoiceMethod(2),
    engine_forkchoiceUpdatedV3: forkchoiceMethod(3),
    engine_getPayloadV1: getPayloadMethod(1),
    engine_getPayloadV2: getPayloadMethod(2),
    engine_getPayloadV3: getPayloadMethod(3),
    engine_getPayloadV4: getPayloadMethod(4),
    engine_getPayloadBodiesByHashV1: (list) => {
      checkParamCount(list, 1, 'engine_getPayloadBodiesByHashV1');
      const hashes = params(() => readHashList(list[0], 'blockHashes'));
      if (hashes.length > MAX_PAYLOAD_BODIES) throw tooLarge(BigInt(hashes.length));
      return hashes.map(bodyJson);
    },
    engine_getPayloadBodiesByRangeV1: (list) => {
      checkParamCount(list, 2, 'engine_getPayloadBodiesByRangeV1');
      const start = params(() => readQuantity(list[0], 'start'));
      const count = params(() => readQuantity(list[1], 'count'));
      if (start === 0n || count === 0n) throw invalidParams(`start and count must be positive, got start ${start} count ${count}`);
      if (count > BigInt(MAX_PAYLOAD_BODIES)) throw tooLarge(count);
      const headNumber = chain.head().number;
      const last = start + count - 1n < headNumber ? start + count - 1n : headNumber;
      const out: JsonValue[] = [];
      for (let n = start; n <= last; n++) out.push(bodyJson(chain.hashByNumber(n)));
      return out;
    },
  };
}
