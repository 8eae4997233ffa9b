/** EIP-2124 fork identifier: CRC32 of the genesis hash and passed fork points, and the next fork. */
import { bigIntToFixed, bytesToHex, equalBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import { asExactList, asFixedBytes, asUint64, decodeRlp, encodeRlp, type RlpItem } from './rlp.js';

export interface ForkId {
  /** 4 bytes: IEEE CRC32 checksum, big-endian. */
  hash: Uint8Array;
  /** Block number or timestamp of the next fork, 0 if none is known. */
  next: bigint;
}

/**
 * The fork schedule of a chain. Block forks are checksummed before time forks
 * (EIP-6122): every block fork of a chain precedes its first time fork.
 */
export interface ForkSchedule {
  blocks: readonly bigint[];
  times: readonly bigint[];
}

/** Where the local chain is: the number and timestamp of its head block. */
export interface ChainHead {
  number: bigint;
  time: bigint;
}

/** The result of checking a remote fork ID, with geth's error names as the two rejections. */
export type ForkIdVerdict = 'accept' | 'remote-stale' | 'local-incompatible-or-stale';

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * A `next` above mainnet's genesis timestamp is taken to be a timestamp. EIP-2124
 * itself knows only block numbers; this is how geth tells the two apart in rule
 * 1a since forks moved to timestamps, so we do the same to reach the same verdicts.
 */
const TIMESTAMP_THRESHOLD = 1438269973n;

// ---------------------------------------------------------------------------
// CRC32 (IEEE 802.3, reflected polynomial 0xedb88320), resumable so that each
// fork point extends the checksum of the previous ones.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 of `data`, continuing from the checksum `crc` of the bytes before it (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function checksumBytes(crc: number): Uint8Array {
  return bigIntToFixed(BigInt(crc), 4);
}

function extendChecksum(crc: number, fork: bigint): number {
  return crc32(bigIntToFixed(fork, 8), crc);
}

// ---------------------------------------------------------------------------
// Fork schedules

function sortedUnique(values: readonly bigint[], what: string): bigint[] {
  for (const v of values) {
    if (v < 0n || v > MAX_UINT64) throw new RangeError(`${what} fork ${v} is not a uint64`);
  }
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}

/**
 * The canonical form of a schedule: each list sorted, each activation point once,
 * and no fork at 0 (a ruleset active from genesis is not a fork, EIP-2124). Time
 * forks at or before a genesis timestamp above 0 are dropped by gatherForks, which
 * knows that timestamp; this function does not.
 */
export function normalizeForks(forks: ForkSchedule): ForkSchedule {
  return {
    blocks: sortedUnique(forks.blocks, 'block').filter((b) => b > 0n),
    times: sortedUnique(forks.times, 'time').filter((t) => t > 0n),
  };
}

/** The fork ID a node at `head` announces (EIP-2124 FORK_HASH and FORK_NEXT). */
export function computeForkId(genesisHash: Uint8Array, forks: ForkSchedule, head: ChainHead): ForkId {
  const { blocks, times } = normalizeForks(forks);
  let crc = crc32(genesisHash);
  for (const fork of blocks) {
    if (fork > head.number) return { hash: checksumBytes(crc), next: fork };
    crc = extendChecksum(crc, fork);
  }
  for (const fork of times) {
    if (fork > head.time) return { hash: checksumBytes(crc), next: fork };
    crc = extendChecksum(crc, fork);
  }
  return { hash: checksumBytes(crc), next: 0n };
}

/**
 * Builds a validator for remote fork IDs against a local chain (EIP-2124
 * "Validation rules"). The checksums of every fork prefix are computed once;
 * the head is passed per call because it moves while the node runs.
 */
export function createForkIdFilter(
  genesisHash: Uint8Array,
  forks: ForkSchedule,
): (remote: ForkId, head: ChainHead) => ForkIdVerdict {
  const { blocks, times } = normalizeForks(forks);
  // All fork points in checksum order, then a sentinel that no head ever reaches,
  // so that the walk below always finds a first "not yet passed" fork.
  const points = [...blocks, ...times, MAX_UINT64];
  // The sentinel is compared with the head's time when there are time forks and
  // with its number otherwise, so a block-only chain never mixes the two scales.
  const blockCount = times.length === 0 ? blocks.length + 1 : blocks.length;
  const sums: Uint8Array[] = [];
  let crc = crc32(genesisHash);
  sums.push(checksumBytes(crc));
  for (const fork of points.slice(0, -1)) {
    crc = extendChecksum(crc, fork);
    sums.push(checksumBytes(crc));
  }

  return (remote, head) => {
    for (let i = 0; i < points.length; i++) {
      const local = i < blockCount ? head.number : head.time;
      if (local >= points[i]!) continue;
      // points[i] is the first fork the local chain has not passed; sums[i] is its state now.
      if (equalBytes(sums[i]!, remote.hash)) {
        // Rule 1: same state. 1a: the remote's next fork is one we passed without it, reject.
        const passed =
          remote.next > 0n &&
          (local >= remote.next || (remote.next > TIMESTAMP_THRESHOLD && head.time >= remote.next));
        return passed ? 'local-incompatible-or-stale' : 'accept';
      }
      // Rule 2: the remote is behind on our chain; its next fork must be our following one.
      for (let j = 0; j < i; j++) {
        if (equalBytes(sums[j]!, remote.hash)) return points[j] === remote.next ? 'accept' : 'remote-stale';
      }
      // Rule 3: the remote is ahead on forks we know of; we are the one syncing.
      for (let j = i + 1; j < sums.length; j++) {
        if (equalBytes(sums[j]!, remote.hash)) return 'accept';
      }
      // Rule 4.
      return 'local-incompatible-or-stale';
    }
    // Unreachable: no head passes the sentinel. geth accepts here too rather than split the network.
    return 'accept';
  };
}

/** One-shot form of createForkIdFilter. */
export function validateForkId(
  genesisHash: Uint8Array,
  forks: ForkSchedule,
  head: ChainHead,
  remote: ForkId,
): ForkIdVerdict {
  return createForkIdFilter(genesisHash, forks)(remote, head);
}

// ---------------------------------------------------------------------------
// geth genesis.json chain configs

/**
 * Collects the fork schedule from a geth `genesis.json` "config" object the way
 * geth's core/forkid does: every field named `...Block` is a block fork and every
 * field named `...Time` a time fork (so `terminalTotalDifficulty`, `chainId`,
 * `depositContractAddress`, `blobSchedule` and engine sections are not forks).
 * geth selects fields by these suffixes of its ChainConfig names; matching the JSON
 * names by the same suffixes also picks up forks added after this code was written.
 * Null or absent means "no such fork". Then: sorted, deduplicated, block 0 dropped,
 * and time forks at or before the genesis timestamp dropped (active from genesis).
 * Values may be JSON numbers, bigints, or decimal / 0x-hex strings.
 */
export function gatherForks(config: Readonly<Record<string, unknown>>, genesisTimestamp: bigint): ForkSchedule {
  const blocks: bigint[] = [];
  const times: bigint[] = [];
  for (const [key, value] of Object.entries(config)) {
    const isBlock = key.endsWith('Block');
    const isTime = key.endsWith('Time');
    if ((!isBlock && !isTime) || value === null || value === undefined) continue;
    (isBlock ? blocks : times).push(configUint64(key, value));
  }
  const { blocks: b, times: t } = normalizeForks({ blocks, times });
  return { blocks: b, times: t.filter((time) => time > genesisTimestamp) };
}

function configUint64(key: string, value: unknown): bigint {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^(?:\d+|0x[0-9a-fA-F]+)$/.test(value)) n = BigInt(value);
  if (n === undefined || n < 0n || n > MAX_UINT64) {
    throw new DecodeError('value', 'chain config', `${key} must be an unsigned 64-bit integer, got ${JSON.stringify(String(value))}`);
  }
  return n;
}

// ---------------------------------------------------------------------------
// RLP: [hash (4 bytes), next (uint64)]

/** The fork ID as an RLP list, for embedding in eth Status and the ENR "eth" entry. */
export function forkIdToRlp(id: ForkId): [Uint8Array, bigint] {
  if (id.hash.length !== 4) throw new RangeError(`fork hash must be 4 bytes, got ${id.hash.length}`);
  if (id.next < 0n || id.next > MAX_UINT64) throw new RangeError(`fork next ${id.next} is not a uint64`);
  return [id.hash, id.next];
}

/** Strict: exactly two elements, a 4-byte hash and a canonical uint64 (as geth's rlp decoding of forkid.ID). */
export function forkIdFromRlp(item: RlpItem | undefined, what = 'fork id'): ForkId {
  const [hash, next] = asExactList(item, what, 2);
  return {
    hash: asFixedBytes(hash, `${what} hash`, 4).slice(),
    next: asUint64(next, `${what} next`),
  };
}

export function encodeForkId(id: ForkId): Uint8Array {
  return encodeRlp(forkIdToRlp(id));
}

/** The longest canonical encoding: list header, 4-byte hash with its header, 8-byte next with its header. */
const MAX_FORK_ID_SIZE = 15;

export function decodeForkId(bytes: Uint8Array): ForkId {
  // Bounds the work on hostile input before any parsing.
  if (bytes.length > MAX_FORK_ID_SIZE) {
    throw new DecodeError('too-large', 'fork id', `${bytes.length} bytes, a fork id encodes in at most ${MAX_FORK_ID_SIZE}`);
  }
  return forkIdFromRlp(decodeRlp(bytes, 'fork id'));
}

export function formatForkId(id: ForkId): string {
  return `${bytesToHex(id.hash)}/${id.next}`;
}
