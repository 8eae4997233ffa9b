/**
 * Fork ids (forkid-eip2124.json): the EIP-2124 mainnet creation table (forks
 * known then: up to Petersburg), geth's mainnet table with time forks up to
 * BPO2, the EIP's 15 validation cases (local node: mainnet knowing forks up to
 * Petersburg) and its RLP encodings. The testnet rows of the EIP need chain
 * configs the file does not carry and are left out.
 */
import { join } from 'node:path';
import { computeForkId, decodeForkId, encodeForkId, validateForkId, type ForkIdVerdict } from '../../../reference-node/wire/forkid.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, runChecks, type Check } from './checks.js';

interface Row {
  head: number;
  time?: number;
  hash: string;
  next: string | number;
}
interface ForkIdReference {
  mainnetGenesisHash: string;
  mainnetForkActivations: { blocks: number[]; timestamps: number[] };
  eip2124: {
    creation: { Mainnet: Row[] };
    validation: { cases: { localHead: number; remote: { hash: string; next: string }; expect: string }[] };
    rlpEncoding: { hash: string; next: string; rlp: string }[];
  };
  gethMainnetCreation: { cases: Row[] };
}

const VERDICT: Record<string, ForkIdVerdict> = {
  accept: 'accept',
  ErrRemoteStale: 'remote-stale',
  ErrLocalIncompatibleOrStale: 'local-incompatible-or-stale',
};
/** Petersburg, the last mainnet fork when EIP-2124 was written. */
const PETERSBURG = 7280000n;

export function checkForkIdReference(dir: string): FamilyReport[] {
  const source = join(dir, 'forkid-eip2124.json');
  const v = readJson<ForkIdReference>(source);
  const genesis = bytes(v.mainnetGenesisHash);
  const allBlocks = v.mainnetForkActivations.blocks.map(BigInt);
  const eipSchedule = { blocks: allBlocks.filter((b) => b <= PETERSBURG), times: [] };
  const gethSchedule = { blocks: allBlocks, times: v.mainnetForkActivations.timestamps.map(BigInt) };
  const row = (label: string, schedule: typeof gethSchedule, r: Row): [string, Check] => [
    `${label}/${r.head}${r.time ? `@${r.time}` : ''}`,
    () => {
      const p = new Problems();
      const id = computeForkId(genesis, schedule, { number: BigInt(r.head), time: BigInt(r.time ?? 0) });
      p.same('fork id', [hexOf(id.hash), id.next], [r.hash, BigInt(r.next)]);
      return p.list;
    },
  ];
  const checks: [string, Check][] = [
    ...v.eip2124.creation.Mainnet.map((r) => row('eip2124-mainnet', eipSchedule, r)),
    ...v.gethMainnetCreation.cases.map((r) => row('geth-mainnet', gethSchedule, r)),
    ...v.eip2124.validation.cases.map((c, i): [string, Check] => [
      `validation/${i}`,
      () => {
        const p = new Problems();
        const remote = { hash: bytes(c.remote.hash), next: BigInt(c.remote.next) };
        p.same(`local head ${c.localHead}, remote ${c.remote.hash}/${c.remote.next}`, validateForkId(genesis, eipSchedule, { number: BigInt(c.localHead), time: 0n }, remote), VERDICT[c.expect]);
        return p.list;
      },
    ]),
    ...v.eip2124.rlpEncoding.map((c): [string, Check] => [
      `rlp/${c.hash}-${c.next}`,
      () => {
        const p = new Problems();
        const id = { hash: bytes(c.hash), next: BigInt(c.next) };
        p.same('encoding', hexOf(encodeForkId(id)), c.rlp);
        const back = decodeForkId(bytes(c.rlp));
        p.same('decoding', [hexOf(back.hash), back.next], [c.hash, id.next]);
        return p.list;
      },
    ]),
  ];
  return [runChecks('forkid', source, checks)];
}
