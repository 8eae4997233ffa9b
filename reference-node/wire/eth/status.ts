/**
 * Status (0x00), the handshake message.
 *   eth/66-68 (EIP-2364 + EIP-2124): [version, networkid, td, blockhash, genesis, forkid]
 *   eth/69+   (EIP-7642):            [version, networkid, genesis, forkid, earliest, latest, latestHash]
 * forkid = [fork-hash: B_4, fork-next: uint64]. Checking the version against the
 * negotiated one, the genesis and the fork id is the handshake's job.
 */
import { DecodeError } from '../errors.js';
import { asList, asNumber, type RlpInput, type RlpItem } from '../rlp.js';
import type { ForkId } from '../forkid.js';
import { fixed, readFixed, readHash, readU256, readU64, u256, u64, checkUint } from '../tx/fields.js';
import type { Status, StatusEth66, StatusEth69 } from './types.js';

const UINT32_MAX = 0xffffffffn;

function forkIdFromRlp(item: RlpItem | undefined, what: string): ForkId {
  const f = asList(item, what);
  if (f.length !== 2) throw new DecodeError('shape', what, `expected [hash, next], got ${f.length} elements`);
  return { hash: readFixed(f[0], `${what} hash`, 4), next: readU64(f[1], `${what} next`) };
}

function forkIdToRlp(forkId: ForkId, what: string): RlpInput {
  return [fixed(forkId.hash, 4, `${what} hash`), u64(forkId.next, `${what} next`)];
}

function exact(item: RlpItem, what: string, n: number): RlpItem[] {
  const f = asList(item, what);
  if (f.length !== n) throw new DecodeError('shape', what, `expected ${n} elements, got ${f.length}`);
  return f;
}

export function statusEth66FromRlp(item: RlpItem, what: string): StatusEth66 {
  const f = exact(item, what, 6);
  return {
    kind: 'Status',
    form: 'eth66',
    version: asNumber(f[0], `${what} version`, 4),
    networkId: readU64(f[1], `${what} networkId`),
    td: readU256(f[2], `${what} td`),
    head: readHash(f[3], `${what} head`),
    genesis: readHash(f[4], `${what} genesis`),
    forkId: forkIdFromRlp(f[5], `${what} forkId`),
  };
}

export function statusEth69FromRlp(item: RlpItem, what: string): StatusEth69 {
  const f = exact(item, what, 7);
  return {
    kind: 'Status',
    form: 'eth69',
    version: asNumber(f[0], `${what} version`, 4),
    networkId: readU64(f[1], `${what} networkId`),
    genesis: readHash(f[2], `${what} genesis`),
    forkId: forkIdFromRlp(f[3], `${what} forkId`),
    earliestBlock: readU64(f[4], `${what} earliestBlock`),
    latestBlock: readU64(f[5], `${what} latestBlock`),
    latestBlockHash: readHash(f[6], `${what} latestBlockHash`),
  };
}

export function statusToRlp(s: Status, what: string): RlpInput {
  const version = checkUint(BigInt(s.version), UINT32_MAX, `${what} version`);
  const networkId = u64(s.networkId, `${what} networkId`);
  if (s.form === 'eth66') {
    return [
      version,
      networkId,
      u256(s.td, `${what} td`),
      fixed(s.head, 32, `${what} head`),
      fixed(s.genesis, 32, `${what} genesis`),
      forkIdToRlp(s.forkId, `${what} forkId`),
    ];
  }
  return [
    version,
    networkId,
    fixed(s.genesis, 32, `${what} genesis`),
    forkIdToRlp(s.forkId, `${what} forkId`),
    u64(s.earliestBlock, `${what} earliestBlock`),
    u64(s.latestBlock, `${what} latestBlock`),
    fixed(s.latestBlockHash, 32, `${what} latestBlockHash`),
  ];
}
