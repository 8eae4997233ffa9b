/**
 * The Status handshake's two pure halves: the Status we send at a version,
 * and the checks on the one we receive (geth's readStatus68 / readStatus69,
 * in geth's order: network id, version, genesis, fork id, then the block
 * range for eth/69+).
 */
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { BlockRangeUpdate, EthVersion, Status } from '../wire/eth/types.js';
import { formatForkId, type ForkId } from '../wire/forkid.js';
import type { ChainReader } from './chain-reader.js';
import { EthProtocolError } from './reasons.js';
import { fault } from '../faults/index.js';

/** The block range a node serves (EIP-7642): Status eth/69 fields and BlockRangeUpdate. */
export interface BlockRange {
  earliestBlock: bigint;
  latestBlock: bigint;
  latestBlockHash: Uint8Array;
}

/** Our range now: earliest from the store, latest from the head (clamped as geth: earliest never above latest). */
export function currentBlockRange(chain: ChainReader): BlockRange {
  const head = chain.head();
  const earliest = chain.earliest();
  return {
    earliestBlock: earliest < head.number ? earliest : head.number,
    latestBlock: head.number,
    latestBlockHash: head.hash,
  };
}

/** Our Status for a session of `version`: the TD form up to eth/68, the range form from eth/69. */
export function buildStatus(chain: ChainReader, version: EthVersion): Status {
  const head = chain.head();
  if (version <= 68) {
    return {
      kind: 'Status',
      form: 'eth66',
      version,
      networkId: chain.networkId,
      td: head.td,
      head: head.hash,
      genesis: chain.genesisHash,
      forkId: announcedForkId(chain),
    };
  }
  return { kind: 'Status', form: 'eth69', version, networkId: chain.networkId, genesis: chain.genesisHash, forkId: announcedForkId(chain), ...currentBlockRange(chain) };
}

function announcedForkId(chain: ChainReader): ForkId {
  const forkId = chain.forkId();
  if (!fault('eth-wrong-forkid')) return forkId;
  return { hash: forkId.hash.map((b) => b ^ 0xff), next: forkId.next };
}

const ZERO_HASH = new Uint8Array(32);

/**
 * geth's BlockRangeUpdatePacket.Validate: earliest <= latest and a non-zero
 * latest hash. geth rejects a zero hash even at latest = 0, which costs an
 * honest peer nothing (its block 0 is the genesis, whose hash is not zero).
 */
export function blockRangeProblem(range: BlockRange | BlockRangeUpdate): string | undefined {
  if (fault('eth-no-blockrange-validation')) return undefined;
  if (range.earliestBlock > range.latestBlock) return `earliest ${range.earliestBlock} > latest ${range.latestBlock}`;
  if (equalBytes(range.latestBlockHash, ZERO_HASH)) return 'zero latest block hash';
  return undefined;
}

/** Throws EthProtocolError (with the cause's disconnect reason) when their Status is unacceptable. */
export function checkRemoteStatus(chain: ChainReader, version: EthVersion, status: Status): void {
  if (status.networkId !== chain.networkId) {
    throw new EthProtocolError('networkIdMismatch', `network id ${status.networkId}, ours ${chain.networkId}`);
  }
  if (status.version !== version) {
    throw new EthProtocolError('versionMismatch', `Status says eth/${status.version} on an eth/${version} session`);
  }
  if (!equalBytes(status.genesis, chain.genesisHash) && !fault('eth-accept-wrong-genesis')) {
    throw new EthProtocolError('genesisMismatch', `genesis ${bytesToHex(status.genesis)}, ours ${bytesToHex(chain.genesisHash)}`);
  }
  const verdict = chain.forkFilter()(status.forkId);
  if (verdict !== 'accept' && !fault('eth-accept-any-forkid')) {
    throw new EthProtocolError('forkIdRejected', `fork id ${formatForkId(status.forkId)}: ${verdict} (ours ${formatForkId(chain.forkId())})`);
  }
  if (status.form === 'eth69') {
    const problem = blockRangeProblem(status);
    if (problem) throw new EthProtocolError('invalidBlockRange', `Status block range: ${problem}`);
  }
}
